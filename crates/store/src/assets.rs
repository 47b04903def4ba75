//! The information-asset register (情報資産管理台帳): every kind of asset of
//! 第2(7), classified under the active scheme, with its lifecycle up to
//! disposal, the consistency checks it fails, and its history in the event log.
//!
//! Visibility ([`AssetScope`]): staff see the assets of their own unit; assets at
//! the top confidentiality level only their owning unit and the security office.
//! The caller (the authorization layer) says which units a user may see; every
//! read here takes that scope and filters in SQL.

#[cfg(feature = "demo")]
pub mod bench;
#[cfg(feature = "demo")]
pub mod demo;
mod import;
mod ledger;
mod segments;
mod write;

pub(crate) use import::cap_issues;
pub use import::{
    ImportIssue, ImportMode, ImportReport, PREVIEW_ROWS, PreviewChange, PreviewRow, REPORTED_ISSUES,
};
pub use ledger::{LedgerFormat, RowSink};
pub use segments::{
    InformationSystem, NewInformationSystem, NewSegment, Segment, SegmentSync, SegmentUsage,
    SystemLine,
};

use crate::events::{Entity, Verb};
use mamori_core::asset::{
    self, AssetDraft, AssetKind, Disposal, FLAG_OTHER_SCHEME, FieldError, Levels, Lifecycle,
    ValidAsset,
};
use mamori_core::classification::{AssetFacts, Axis, HandlingTopic, Scheme};
use serde::{Deserialize, Serialize};
use sqlx::{Database, Encode, QueryBuilder, Type};

use crate::events::{Event, EventFilter, EventInput, list_events};
use crate::{Actor, Page, PageRequest, Store, StoreError, Tx, db_run, now_rfc3339};

/// The event-log entity name of assets.
pub const ENTITY: crate::events::Entity = crate::events::Entity::Asset;

/// What is recorded of an asset: every field a person enters. Snapshots in the
/// event log are of this (with the id and the derived label and flags).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetRecord {
    pub name: String,
    pub kind: AssetKind,
    pub description: String,
    pub owner_unit_id: i64,
    pub administrator: String,
    /// 保管場所・媒体
    pub location: String,
    pub system_id: Option<i64>,
    pub segment_id: Option<i64>,
    pub personal_info: bool,
    /// Holds My Number information (特定個人情報).
    pub my_number: bool,
    /// 保存期間, as written (5年, 常用 …).
    pub retention: String,
    /// The scheme the levels belong to.
    pub scheme: String,
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
    pub lifecycle: Lifecycle,
    /// ISO date.
    pub disposed_on: Option<String>,
    pub disposal_method: Option<String>,
    pub disposal_confirmed_by: Option<String>,
    pub notes: String,
}

impl AssetRecord {
    pub fn levels(&self) -> Levels {
        Levels::new(&self.confidentiality, &self.integrity, &self.availability)
    }
}

/// An asset as read: the record, what is derived from it, and the names of
/// what it refers to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    pub id: i64,
    #[serde(flatten)]
    pub record: AssetRecord,
    /// `C3A-I2-A2`.
    pub label: String,
    pub confidentiality_rank: i64,
    /// At the strictest confidentiality level of its scheme.
    pub is_top: bool,
    pub flagged: bool,
    /// Codes of the consistency checks it fails (and `scheme-outdated` when it
    /// is classified under a scheme that is no longer active).
    pub flags: Vec<String>,
    pub owner_unit_code: String,
    pub owner_unit_name: String,
    pub system_code: Option<String>,
    pub system_name: Option<String>,
    pub segment_name: Option<String>,
    pub segment_role: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// One handling rule an asset must follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandlingRule {
    pub axis: Axis,
    pub topic: HandlingTopic,
    pub rule: String,
    pub rule_en: String,
}

/// A failed consistency check, with its message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagView {
    pub code: String,
    pub message: String,
    pub message_en: String,
}

impl Asset {
    /// What its levels require (取扱制限), axis by axis and topic by topic.
    /// Empty when the asset's scheme is not `scheme`.
    pub fn handling(&self, scheme: &Scheme) -> Vec<HandlingRule> {
        if scheme.code != self.record.scheme {
            return Vec::new();
        }
        let (c, i, a) = (
            &self.record.confidentiality,
            &self.record.integrity,
            &self.record.availability,
        );
        let en = scheme.handling_for_en(c, i, a);
        scheme
            .handling_for(c, i, a)
            .into_iter()
            .map(|(axis, topic, rule)| HandlingRule {
                axis,
                topic,
                rule: rule.to_string(),
                rule_en: en
                    .iter()
                    .find(|(x, t, _)| *x == axis && *t == topic)
                    .map(|(_, _, r)| r.to_string())
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// The failed checks with their messages from the active scheme.
    pub fn flag_views(&self, active: &Scheme) -> Vec<FlagView> {
        self.flags
            .iter()
            .map(|code| {
                if code == FLAG_OTHER_SCHEME {
                    return FlagView {
                        code: code.clone(),
                        message: format!(
                            "格付け基準「{}」で格付けされています。現在の格付け基準「{}」で格付けし直してください。",
                            self.record.scheme, active.name
                        ),
                        message_en: format!(
                            "Classified under scheme {}; reclassify it under the active scheme {}.",
                            self.record.scheme, active.code
                        ),
                    };
                }
                match active.checks.iter().find(|c| &c.code == code) {
                    Some(check) => FlagView {
                        code: code.clone(),
                        message: check.message.clone(),
                        message_en: check.message_en.clone(),
                    },
                    None => FlagView {
                        code: code.clone(),
                        message: code.clone(),
                        message_en: code.clone(),
                    },
                }
            })
            .collect()
    }
}

/// What is entered to create an asset (the levels under the active scheme).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetInput {
    pub name: String,
    pub kind: AssetKind,
    #[serde(default)]
    pub description: String,
    pub owner_unit_id: i64,
    #[serde(default)]
    pub administrator: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub system_id: Option<i64>,
    #[serde(default)]
    pub segment_id: Option<i64>,
    #[serde(default)]
    pub personal_info: bool,
    #[serde(default)]
    pub my_number: bool,
    #[serde(default)]
    pub retention: String,
    pub levels: Levels,
    pub lifecycle: Lifecycle,
    #[serde(default)]
    pub disposal: Option<Disposal>,
    #[serde(default)]
    pub notes: String,
}

/// What an edit may change: everything but the levels (see
/// [`Store::reclassify_asset`]) and the disposal (see [`Store::dispose_asset`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetEdit {
    pub name: String,
    pub kind: AssetKind,
    #[serde(default)]
    pub description: String,
    pub owner_unit_id: i64,
    #[serde(default)]
    pub administrator: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub system_id: Option<i64>,
    #[serde(default)]
    pub segment_id: Option<i64>,
    #[serde(default)]
    pub personal_info: bool,
    #[serde(default)]
    pub my_number: bool,
    #[serde(default)]
    pub retention: String,
    /// Registered or in use (disposal has its own operation).
    pub lifecycle: Lifecycle,
    #[serde(default)]
    pub notes: String,
}

impl AssetEdit {
    /// The editable fields of an asset as they are.
    pub fn of(asset: &Asset) -> AssetEdit {
        let r = &asset.record;
        AssetEdit {
            name: r.name.clone(),
            kind: r.kind,
            description: r.description.clone(),
            owner_unit_id: r.owner_unit_id,
            administrator: r.administrator.clone(),
            location: r.location.clone(),
            system_id: r.system_id,
            segment_id: r.segment_id,
            personal_info: r.personal_info,
            my_number: r.my_number,
            retention: r.retention.clone(),
            lifecycle: r.lifecycle,
            notes: r.notes.clone(),
        }
    }
}

/// Which assets a reader may see. `None` is unrestricted.
///
/// An asset is visible when it is not at the top confidentiality level and its
/// owning unit is in `units`, or when it is at the top level and its owning
/// unit is in `top_units`. Staff: both are their own unit. The security office:
/// both `None`. An auditor who must not see top-level assets: `units: None,
/// top_units: Some(vec![])`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetScope {
    pub units: Option<Vec<i64>>,
    pub top_units: Option<Vec<i64>>,
}

impl AssetScope {
    /// Everything (the security office, the command line).
    pub fn unrestricted() -> AssetScope {
        AssetScope::default()
    }

    /// The assets of these units, top level included (staff of a unit).
    pub fn units(units: Vec<i64>) -> AssetScope {
        AssetScope {
            units: Some(units.clone()),
            top_units: Some(units),
        }
    }

    /// Whether an asset of this unit and level is visible.
    pub fn allows(&self, owner_unit_id: i64, is_top: bool) -> bool {
        let list = if is_top { &self.top_units } else { &self.units };
        list.as_ref().is_none_or(|l| l.contains(&owner_unit_id))
    }

    pub fn is_unrestricted(&self) -> bool {
        self.units.is_none() && self.top_units.is_none()
    }
}

/// Server-side filters of the register. Every field that is set must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssetFilter {
    pub unit_id: Option<i64>,
    /// With `unit_id`: the units below it too (a department and its sections).
    #[serde(default)]
    pub include_subunits: bool,
    pub kind: Option<AssetKind>,
    pub confidentiality: Option<String>,
    pub integrity: Option<String>,
    pub availability: Option<String>,
    pub segment_id: Option<i64>,
    pub system_id: Option<i64>,
    pub lifecycle: Option<Lifecycle>,
    pub flagged: Option<bool>,
    /// Assets failing this one check.
    pub check: Option<String>,
    pub personal_info: Option<bool>,
    pub my_number: Option<bool>,
    /// Words that must all occur in the name, description, administrator,
    /// location, retention or notes (case and width folded).
    pub text: Option<String>,
}

/// What the register can be sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetSortKey {
    /// The asset number (資産番号): the order of registration.
    #[default]
    Id,
    Name,
    Unit,
    Kind,
    /// Confidentiality rank.
    Confidentiality,
    Lifecycle,
    Updated,
}

impl AssetSortKey {
    fn column(self) -> &'static str {
        match self {
            AssetSortKey::Id => "id",
            AssetSortKey::Name => "name",
            AssetSortKey::Unit => "owner_unit_id",
            AssetSortKey::Kind => "kind",
            AssetSortKey::Confidentiality => "confidentiality_rank",
            AssetSortKey::Lifecycle => "lifecycle",
            AssetSortKey::Updated => "updated_at",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetSort {
    pub key: AssetSortKey,
    #[serde(default)]
    pub descending: bool,
}

/// The columns of [`AssetRow`], for `SELECT … FROM assets a`.
const ASSET_COLUMNS: &str = "a.id, a.name, a.kind, a.description, a.owner_unit_id, a.administrator, a.location, \
     a.system_id, a.segment_id, a.personal_info, a.my_number, a.retention, a.scheme, a.confidentiality, \
     a.integrity, a.availability, a.label, a.confidentiality_rank, a.is_top, a.flagged, a.flags, a.lifecycle, \
     a.disposed_on, a.disposal_method, a.disposal_confirmed_by, a.notes, a.created_at, a.updated_at, \
     u.code AS owner_unit_code, u.name AS owner_unit_name, s.code AS system_code, s.name AS system_name, \
     g.name AS segment_name, g.role AS segment_role";

/// The joins that give the names of [`ASSET_COLUMNS`].
const ASSET_JOINS: &str = " JOIN units u ON u.id = a.owner_unit_id \
     LEFT JOIN information_systems s ON s.id = a.system_id \
     LEFT JOIN segments g ON g.id = a.segment_id ";

#[derive(Debug, sqlx::FromRow)]
struct AssetRow {
    id: i64,
    name: String,
    kind: String,
    description: String,
    owner_unit_id: i64,
    administrator: String,
    location: String,
    system_id: Option<i64>,
    segment_id: Option<i64>,
    personal_info: bool,
    my_number: bool,
    retention: String,
    scheme: String,
    confidentiality: String,
    integrity: String,
    availability: String,
    label: String,
    confidentiality_rank: i64,
    is_top: bool,
    flagged: bool,
    flags: String,
    lifecycle: String,
    disposed_on: Option<String>,
    disposal_method: Option<String>,
    disposal_confirmed_by: Option<String>,
    notes: String,
    created_at: String,
    updated_at: String,
    owner_unit_code: String,
    owner_unit_name: String,
    system_code: Option<String>,
    system_name: Option<String>,
    segment_name: Option<String>,
    segment_role: Option<String>,
}

impl TryFrom<AssetRow> for Asset {
    type Error = StoreError;
    fn try_from(r: AssetRow) -> Result<Asset, StoreError> {
        let kind = AssetKind::ALL
            .into_iter()
            .find(|k| k.code() == r.kind)
            .ok_or_else(|| {
                StoreError::Internal(format!("asset {}: unknown kind {}", r.id, r.kind))
            })?;
        let lifecycle = Lifecycle::ALL
            .into_iter()
            .find(|l| l.code() == r.lifecycle)
            .ok_or_else(|| {
                StoreError::Internal(format!("asset {}: unknown state {}", r.id, r.lifecycle))
            })?;
        Ok(Asset {
            id: r.id,
            record: AssetRecord {
                name: r.name,
                kind,
                description: r.description,
                owner_unit_id: r.owner_unit_id,
                administrator: r.administrator,
                location: r.location,
                system_id: r.system_id,
                segment_id: r.segment_id,
                personal_info: r.personal_info,
                my_number: r.my_number,
                retention: r.retention,
                scheme: r.scheme,
                confidentiality: r.confidentiality,
                integrity: r.integrity,
                availability: r.availability,
                lifecycle,
                disposed_on: r.disposed_on,
                disposal_method: r.disposal_method,
                disposal_confirmed_by: r.disposal_confirmed_by,
                notes: r.notes,
            },
            label: r.label,
            confidentiality_rank: r.confidentiality_rank,
            is_top: r.is_top,
            flagged: r.flagged,
            flags: split_flags(&r.flags),
            owner_unit_code: r.owner_unit_code,
            owner_unit_name: r.owner_unit_name,
            system_code: r.system_code,
            system_name: r.system_name,
            segment_name: r.segment_name,
            segment_role: r.segment_role,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn split_flags(flags: &str) -> Vec<String> {
    flags.split_whitespace().map(str::to_string).collect()
}

/// Escapes `%`, `_` and `\` for `LIKE … ESCAPE '\'`.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Appends ` AND …` for every filter and the scope to a query whose assets
/// table is aliased `a`. Returns false when the scope admits nothing.
fn push_conditions<DB>(qb: &mut QueryBuilder<DB>, filter: &AssetFilter, scope: &AssetScope) -> bool
where
    DB: Database,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
{
    if !push_scope(qb, scope) {
        return false;
    }
    if let Some(unit) = filter.unit_id {
        if filter.include_subunits {
            qb.push(" AND a.owner_unit_id IN (SELECT d.id FROM units d WHERE d.path LIKE (SELECT p.path FROM units p WHERE p.id = ")
                .push_bind(unit)
                .push(") || '%')");
        } else {
            qb.push(" AND a.owner_unit_id = ").push_bind(unit);
        }
    }
    if let Some(kind) = filter.kind {
        qb.push(" AND a.kind = ").push_bind(kind.code().to_string());
    }
    let levels = [
        ("confidentiality", &filter.confidentiality),
        ("integrity", &filter.integrity),
        ("availability", &filter.availability),
    ];
    for (column, level) in levels {
        if let Some(code) = level.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            qb.push(format_args!(" AND a.{column} = "))
                .push_bind(code.to_string());
        }
    }
    if let Some(segment) = filter.segment_id {
        qb.push(" AND a.segment_id = ").push_bind(segment);
    }
    if let Some(system) = filter.system_id {
        qb.push(" AND a.system_id = ").push_bind(system);
    }
    if let Some(lifecycle) = filter.lifecycle {
        qb.push(" AND a.lifecycle = ")
            .push_bind(lifecycle.code().to_string());
    }
    if let Some(flagged) = filter.flagged {
        qb.push(" AND a.flagged = ").push_bind(flagged);
    }
    if let Some(check) = filter.check.as_deref().filter(|c| !c.trim().is_empty()) {
        qb.push(" AND (' ' || a.flags || ' ') LIKE ")
            .push_bind(format!("% {} %", like_escape(check.trim())))
            .push(" ESCAPE '\\'");
    }
    if let Some(v) = filter.personal_info {
        qb.push(" AND a.personal_info = ").push_bind(v);
    }
    if let Some(v) = filter.my_number {
        qb.push(" AND a.my_number = ").push_bind(v);
    }
    if let Some(text) = &filter.text {
        // A NUL can be in no stored text, and neither SQLite's full-text
        // query nor PostgreSQL's text takes one: it separates words.
        for word in asset::search_fold(text)
            .replace('\0', " ")
            .split_whitespace()
        {
            if DB::NAME == "SQLite" && word.chars().count() >= 3 {
                // The trigram index (assets_fts) finds substrings of three or
                // more characters; a quoted phrase is taken literally.
                qb.push(" AND a.id IN (SELECT rowid FROM assets_fts WHERE assets_fts MATCH ")
                    .push_bind(format!("\"{}\"", word.replace('"', "\"\"")))
                    .push(")");
            } else {
                // PostgreSQL: served by the pg_trgm index where it exists.
                qb.push(" AND a.search_text LIKE ")
                    .push_bind(format!("%{}%", like_escape(word)))
                    .push(" ESCAPE '\\'");
            }
        }
    }
    true
}

/// The scope as SQL. False when it admits nothing.
pub(crate) fn push_scope<DB>(qb: &mut QueryBuilder<DB>, scope: &AssetScope) -> bool
where
    DB: Database,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
{
    fn push_in<DB>(qb: &mut QueryBuilder<DB>, ids: &[i64])
    where
        DB: Database,
        i64: for<'q> Encode<'q, DB> + Type<DB>,
    {
        qb.push("a.owner_unit_id IN (");
        let mut sep = qb.separated(", ");
        for id in ids {
            sep.push_bind(*id);
        }
        qb.push(")");
    }
    match (&scope.units, &scope.top_units) {
        (None, None) => true,
        (Some(units), None) => {
            qb.push(" AND (a.is_top = TRUE");
            if !units.is_empty() {
                qb.push(" OR ");
                push_in(qb, units);
            }
            qb.push(")");
            true
        }
        (None, Some(top)) => {
            qb.push(" AND (a.is_top = FALSE");
            if !top.is_empty() {
                qb.push(" OR ");
                push_in(qb, top);
            }
            qb.push(")");
            true
        }
        (Some(units), Some(top)) => {
            let both: Vec<i64> = units.iter().copied().filter(|u| top.contains(u)).collect();
            let units_only: Vec<i64> = units.iter().copied().filter(|u| !top.contains(u)).collect();
            let top_only: Vec<i64> = top.iter().copied().filter(|u| !units.contains(u)).collect();
            if both.is_empty() && units_only.is_empty() && top_only.is_empty() {
                return false;
            }
            qb.push(" AND (");
            let mut first = true;
            let mut or = |qb: &mut QueryBuilder<DB>| {
                if !first {
                    qb.push(" OR ");
                }
                first = false;
            };
            if !both.is_empty() {
                or(qb);
                push_in(qb, &both);
            }
            if !units_only.is_empty() {
                or(qb);
                qb.push("(a.is_top = FALSE AND ");
                push_in(qb, &units_only);
                qb.push(")");
            }
            if !top_only.is_empty() {
                or(qb);
                qb.push("(a.is_top = TRUE AND ");
                push_in(qb, &top_only);
                qb.push(")");
            }
            qb.push(")");
            true
        }
    }
}

/// One problem with an asset as entered, turned into a store error.
fn field_error(e: &FieldError) -> StoreError {
    let field = serde_json::to_value(e.column)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| e.column.header_en().to_string());
    StoreError::invalid(field, format!("{} / {}", e.message, e.message_en))
}

impl Store {
    /// One asset, if the scope lets the reader see it (otherwise not found).
    pub async fn asset(&self, id: i64, scope: &AssetScope) -> Result<Asset, StoreError> {
        let row: Option<AssetRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {ASSET_COLUMNS} FROM assets a {ASSET_JOINS} WHERE a.id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        let asset: Asset = row
            .ok_or_else(|| StoreError::not_found("asset", id))?
            .try_into()?;
        if !scope.allows(asset.record.owner_unit_id, asset.is_top) {
            return Err(StoreError::not_found("asset", id));
        }
        Ok(asset)
    }

    /// A page of the register: the filters and the scope applied in SQL, one
    /// query for the page and one for the count (exact).
    pub async fn list_assets(
        &self,
        filter: &AssetFilter,
        sort: AssetSort,
        page: PageRequest,
        scope: &AssetScope,
    ) -> Result<Page<Asset>, StoreError> {
        self.list_assets_counting(filter, sort, page, scope, None)
            .await
            .map(|(page, _)| page)
    }

    /// [`Store::list_assets`] counting no further than `count_limit`: the
    /// total is at most `count_limit`, and the flag says that more assets
    /// match (a page shows "10,000件以上"). Counting a few hundred thousand
    /// matches is what makes a broad page slow at a million assets; this keeps
    /// every page fast.
    pub async fn list_assets_bounded(
        &self,
        filter: &AssetFilter,
        sort: AssetSort,
        page: PageRequest,
        scope: &AssetScope,
        count_limit: i64,
    ) -> Result<(Page<Asset>, bool), StoreError> {
        self.list_assets_counting(filter, sort, page, scope, Some(count_limit.max(1)))
            .await
    }

    async fn list_assets_counting(
        &self,
        filter: &AssetFilter,
        sort: AssetSort,
        page: PageRequest,
        scope: &AssetScope,
        count_limit: Option<i64>,
    ) -> Result<(Page<Asset>, bool), StoreError> {
        let dir = if sort.descending { "DESC" } else { "ASC" };
        let order = if sort.key == AssetSortKey::Id {
            format!("a.id {dir}")
        } else {
            format!("a.{} {dir}, a.id {dir}", sort.key.column())
        };
        let (rows, total): (Vec<AssetRow>, i64) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(format!(
                "SELECT {ASSET_COLUMNS} FROM (SELECT * FROM assets a WHERE 1 = 1"
            ));
            if !push_conditions(&mut qb, filter, scope) {
                return Ok((
                    Page {
                        items: Vec::new(),
                        total: 0,
                    },
                    false,
                ));
            }
            qb.push(format_args!(" ORDER BY {order} LIMIT "))
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset())
                .push(format_args!(") a {ASSET_JOINS} ORDER BY {order}"));
            let rows: Vec<AssetRow> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new(match count_limit {
                Some(_) => "SELECT COUNT(*) FROM (SELECT 1 FROM assets a WHERE 1 = 1",
                None => "SELECT COUNT(*) FROM assets a WHERE 1 = 1",
            });
            push_conditions(&mut count, filter, scope);
            if let Some(limit) = count_limit {
                count.push(" LIMIT ").push_bind(limit + 1).push(") c");
            }
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (rows, total)
        });
        let items = rows
            .into_iter()
            .map(Asset::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        let more = count_limit.is_some_and(|limit| total > limit);
        let total = count_limit.map_or(total, |limit| total.min(limit));
        Ok((Page { items, total }, more))
    }

    /// The events of one asset, newest first.
    pub async fn asset_history(
        &self,
        id: i64,
        page: PageRequest,
    ) -> Result<Page<Event>, StoreError> {
        list_events(
            &self.db,
            &EventFilter {
                entity: Some(ENTITY.as_str().to_string()),
                entity_id: Some(id.to_string()),
                ..Default::default()
            },
            &AssetScope::unrestricted(),
            page,
        )
        .await
    }

    /// Every problem with an asset as entered (for a form to show them all);
    /// empty when it can be saved. `id` is the asset being edited, if any.
    pub async fn check_asset_input(
        &self,
        input: &AssetInput,
    ) -> Result<Vec<FieldError>, StoreError> {
        let scheme = self.active_scheme().await?;
        let ctx = write::Context::load(self, &scheme).await?;
        Ok(match ctx.validate_input(input, &scheme) {
            Ok(_) => Vec::new(),
            Err(errors) => errors,
        })
    }

    /// Registers an asset, classified under the active scheme.
    pub async fn create_asset(
        &self,
        actor: &Actor,
        input: AssetInput,
    ) -> Result<Asset, StoreError> {
        let scheme = self.active_scheme().await?;
        let ctx = write::Context::load(self, &scheme).await?;
        let record = ctx.validate_input(&input, &scheme).map_err(|errors| {
            errors
                .first()
                .map_or_else(|| StoreError::invalid("asset", "invalid"), field_error)
        })?;
        let mut tx = self.db.begin().await?;
        let now = now_rfc3339();
        let mut ids =
            write::insert_assets(&mut tx, &ctx, std::slice::from_ref(&record), &now).await?;
        let (id, derived) = ids
            .pop()
            .ok_or_else(|| StoreError::Internal("no id".into()))?;
        let after = write::Snapshot {
            id,
            record: &record,
            label: &derived.label,
            flags: &derived.flags,
        };
        tx.append_event(actor, ENTITY, id, Verb::Create, None::<&()>, Some(&after))
            .await?;
        tx.commit().await?;
        self.asset(id, &AssetScope::unrestricted()).await
    }

    /// Edits an asset's fields other than its levels and disposal.
    pub async fn update_asset(
        &self,
        actor: &Actor,
        id: i64,
        edit: AssetEdit,
    ) -> Result<Asset, StoreError> {
        let before = self.asset(id, &AssetScope::unrestricted()).await?;
        ensure_not_disposed(&before)?;
        if edit.lifecycle == Lifecycle::Disposed {
            return Err(
                mamori_core::problem::Problem::new("MAMORI-ASSET-DISPOSE-SEPARATELY")
                    .field("lifecycle")
                    .into(),
            );
        }
        let r = &before.record;
        let input = AssetInput {
            name: edit.name,
            kind: edit.kind,
            description: edit.description,
            owner_unit_id: edit.owner_unit_id,
            administrator: edit.administrator,
            location: edit.location,
            system_id: edit.system_id,
            segment_id: edit.segment_id,
            personal_info: edit.personal_info,
            my_number: edit.my_number,
            retention: edit.retention,
            levels: r.levels(),
            lifecycle: edit.lifecycle,
            disposal: None,
            notes: edit.notes,
        };
        self.replace_asset(actor, before, input, Verb::Update, None)
            .await
    }

    /// Gives an asset new levels under the active scheme.
    pub async fn reclassify_asset(
        &self,
        actor: &Actor,
        id: i64,
        levels: Levels,
    ) -> Result<Asset, StoreError> {
        let before = self.asset(id, &AssetScope::unrestricted()).await?;
        ensure_not_disposed(&before)?;
        let input = AssetInput {
            levels,
            ..input_of(&before.record)
        };
        self.replace_asset(actor, before, input, Verb::Reclassify, None)
            .await
    }

    /// [`Store::reclassify_asset`] with the reason for the new levels, kept in
    /// the event (`after.reason`).
    pub async fn reclassify_asset_because(
        &self,
        actor: &Actor,
        id: i64,
        levels: Levels,
        reason: &str,
    ) -> Result<Asset, StoreError> {
        let before = self.asset(id, &AssetScope::unrestricted()).await?;
        ensure_not_disposed(&before)?;
        let input = AssetInput {
            levels,
            ..input_of(&before.record)
        };
        self.replace_asset(actor, before, input, Verb::Reclassify, Some(reason.trim()))
            .await
    }

    /// Records the disposal of an asset; it stays on record.
    pub async fn dispose_asset(
        &self,
        actor: &Actor,
        id: i64,
        disposal: Disposal,
    ) -> Result<Asset, StoreError> {
        let before = self.asset(id, &AssetScope::unrestricted()).await?;
        ensure_not_disposed(&before)?;
        let input = AssetInput {
            lifecycle: Lifecycle::Disposed,
            disposal: Some(disposal),
            ..input_of(&before.record)
        };
        self.replace_asset(actor, before, input, Verb::Dispose, None)
            .await
    }

    async fn replace_asset(
        &self,
        actor: &Actor,
        before: Asset,
        input: AssetInput,
        action: Verb,
        reason: Option<&str>,
    ) -> Result<Asset, StoreError> {
        let active = self.active_scheme().await?;
        let ctx = write::Context::load(self, &active).await?;
        // An edit that leaves the levels as they are keeps the scheme they
        // belong to, even when another scheme has become active since.
        let keep_scheme = action != Verb::Reclassify && before.record.scheme != active.code;
        let record = if keep_scheme {
            let own = ctx
                .scheme(&before.record.scheme)
                .cloned()
                .unwrap_or(active.clone());
            let mut record = ctx.validate_input(&input, &own).map_err(|e| {
                e.first()
                    .map_or_else(|| StoreError::invalid("asset", "invalid"), field_error)
            })?;
            record.scheme = before.record.scheme.clone();
            record
        } else {
            ctx.validate_input(&input, &active).map_err(|e| {
                e.first()
                    .map_or_else(|| StoreError::invalid("asset", "invalid"), field_error)
            })?
        };
        if record == before.record {
            return Ok(before);
        }
        let mut tx = self.db.begin().await?;
        Self::write_replacement(&mut tx, &ctx, actor, &before, record, action, reason).await?;
        tx.commit().await?;
        self.asset(before.id, &AssetScope::unrestricted()).await
    }

    /// Gives an asset new levels under the active scheme inside `tx` (an
    /// approved classification request): checked as [`Store::reclassify_asset_because`]
    /// checks them, written with its `reclassify` event. Returns false when the
    /// levels were already these.
    pub(crate) async fn reclassify_in_tx(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        before: &Asset,
        levels: Levels,
        reason: &str,
    ) -> Result<bool, StoreError> {
        ensure_not_disposed(before)?;
        let active = self.active_scheme().await?;
        let ctx = write::Context::load(self, &active).await?;
        let input = AssetInput {
            levels,
            ..input_of(&before.record)
        };
        let record = ctx.validate_input(&input, &active).map_err(|e| {
            e.first()
                .map_or_else(|| StoreError::invalid("asset", "invalid"), field_error)
        })?;
        if record == before.record {
            return Ok(false);
        }
        Self::write_replacement(
            tx,
            &ctx,
            actor,
            before,
            record,
            Verb::Reclassify,
            Some(reason),
        )
        .await?;
        Ok(true)
    }

    async fn write_replacement(
        tx: &mut Tx,
        ctx: &write::Context,
        actor: &Actor,
        before: &Asset,
        record: AssetRecord,
        action: Verb,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let before_snapshot = write::Snapshot {
            id: before.id,
            record: &before.record,
            label: &before.label,
            flags: &before.flags,
        };
        let derived = ctx.derive(&record);
        let after = write::Snapshot {
            id: before.id,
            record: &record,
            label: &derived.label,
            flags: &derived.flags,
        };
        let mut after = serde_json::to_value(&after)
            .map_err(|e| StoreError::Internal(format!("asset snapshot: {e}")))?;
        if let (Some(reason), Some(map)) = (reason, after.as_object_mut()) {
            map.insert("reason".into(), reason.into());
        }
        write::update_assets(tx, ctx, &[(before.id, record.clone())], &now_rfc3339()).await?;
        tx.append_events(
            actor,
            &[EventInput::new(
                ENTITY,
                before.id,
                action,
                Some(&before_snapshot),
                Some(&after),
            )?],
        )
        .await?;
        Ok(())
    }

    /// Recomputes the consistency flags of every asset against the active
    /// scheme (call after the active scheme or a segment's role changes).
    /// Set-based: one UPDATE per distinct combination of the facts the checks
    /// read. Records one event with the number of assets whose flags changed.
    pub async fn recompute_asset_flags(&self, actor: &Actor) -> Result<u64, StoreError> {
        let active = self.active_scheme().await?;
        let ctx = write::Context::load(self, &active).await?;
        let mut tx = self.db.begin().await?;
        tx.lock_event_head().await?;
        let combos: Vec<(String, String, bool, bool, Option<i64>)> = crate::tx_run!(&mut tx, |c| {
            sqlx::query_as(
                "SELECT DISTINCT scheme, confidentiality, my_number, personal_info, segment_id FROM assets",
            )
            .fetch_all(&mut *c)
            .await?
        });
        let mut changed = 0_u64;
        for (scheme_code, conf, my_number, personal_info, segment_id) in combos {
            let flags = ctx.flags_for(&scheme_code, &conf, my_number, personal_info, segment_id);
            let flagged = !flags.is_empty();
            let text = flags.join(" ");
            let done = crate::tx_run!(&mut tx, |c| {
                let mut qb = QueryBuilder::new("UPDATE assets SET flagged = ");
                qb.push_bind(flagged)
                    .push(", flags = ")
                    .push_bind(text.clone())
                    .push(" WHERE scheme = ")
                    .push_bind(scheme_code.clone())
                    .push(" AND confidentiality = ")
                    .push_bind(conf.clone())
                    .push(" AND my_number = ")
                    .push_bind(my_number)
                    .push(" AND personal_info = ")
                    .push_bind(personal_info);
                match segment_id {
                    Some(s) => {
                        qb.push(" AND segment_id = ").push_bind(s);
                    }
                    None => {
                        qb.push(" AND segment_id IS NULL");
                    }
                }
                qb.push(" AND (flags <> ").push_bind(text.clone()).push(")");
                qb.build().execute(&mut *c).await?.rows_affected()
            });
            changed += done;
        }
        let summary = serde_json::json!({ "scheme": active.code, "assets_changed": changed });
        tx.append_event(
            actor,
            Entity::AssetFlags,
            &active.code,
            Verb::Recompute,
            None::<&()>,
            Some(&summary),
        )
        .await?;
        tx.commit().await?;
        Ok(changed)
    }
}

// --- h17ui ---
impl Store {
    /// How many assets would be flagged for review if `scheme` were the
    /// active classification scheme (a dry run of
    /// [`Store::recompute_asset_flags`]: nothing is written), and of how
    /// many in all.
    pub async fn count_flagged_under(&self, scheme: &Scheme) -> Result<(i64, i64), StoreError> {
        let ctx = write::Context::load(self, scheme).await?;
        let combos: Vec<(String, String, bool, bool, Option<i64>, i64)> = db_run!(
            &self.db,
            |pool| {
                sqlx::query_as(
                "SELECT scheme, confidentiality, my_number, personal_info, segment_id, COUNT(*) FROM assets \
                 GROUP BY scheme, confidentiality, my_number, personal_info, segment_id",
            )
            .fetch_all(pool)
            .await?
            }
        );
        let total = combos.iter().map(|(.., n)| n).sum();
        let flagged = combos
            .into_iter()
            .filter(
                |(scheme_code, conf, my_number, personal_info, segment_id, _)| {
                    !ctx.flags_for(scheme_code, conf, *my_number, *personal_info, *segment_id)
                        .is_empty()
                },
            )
            .map(|(.., n)| n)
            .sum();
        Ok((flagged, total))
    }
}

// --- h17ui: the register's spread and trends, for charts ---
/// How the register (as the reader sees it, through a filter) spreads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegisterSpread {
    /// (level code, assets) per axis, by level code.
    pub confidentiality: Vec<(String, i64)>,
    pub integrity: Vec<(String, i64)>,
    pub availability: Vec<(String, i64)>,
    /// (segment name, none when the asset has no segment; assets).
    pub segments: Vec<(Option<String>, i64)>,
    /// (YYYY-MM, assets registered) from `since` on.
    pub registered: Vec<(String, i64)>,
}

impl Store {
    /// The spread of the assets a filter and a reader's scope select: by
    /// level of each axis, by segment, and the assets registered per month
    /// since `since_month` (YYYY-MM). A few grouped counts, in SQL.
    pub async fn register_spread(
        &self,
        filter: &AssetFilter,
        scope: &AssetScope,
        since_month: &str,
    ) -> Result<RegisterSpread, StoreError> {
        let since = format!("{since_month}-01");
        let spread = db_run!(&self.db, |pool| {
            let mut out = RegisterSpread::default();
            for (column, target) in [
                ("a.confidentiality", 0_u8),
                ("a.integrity", 1),
                ("a.availability", 2),
            ] {
                let mut qb = QueryBuilder::new(format!(
                    "SELECT {column}, COUNT(*) FROM assets a WHERE 1 = 1"
                ));
                if !push_conditions(&mut qb, filter, scope) {
                    return Ok(RegisterSpread::default());
                }
                qb.push(format!(" GROUP BY {column} ORDER BY {column}"));
                let rows: Vec<(String, i64)> = qb.build_query_as().fetch_all(pool).await?;
                match target {
                    0 => out.confidentiality = rows,
                    1 => out.integrity = rows,
                    _ => out.availability = rows,
                }
            }
            let mut qb = QueryBuilder::new(
                "SELECT g.name, COUNT(*) FROM assets a LEFT JOIN segments g ON g.id = a.segment_id WHERE 1 = 1",
            );
            push_conditions(&mut qb, filter, scope);
            qb.push(" GROUP BY g.name ORDER BY COUNT(*) DESC, g.name");
            out.segments = qb.build_query_as().fetch_all(pool).await?;
            let mut qb = QueryBuilder::new(
                "SELECT substr(a.created_at, 1, 7), COUNT(*) FROM assets a WHERE 1 = 1",
            );
            push_conditions(&mut qb, filter, scope);
            qb.push(" AND a.created_at >= ")
                .push_bind(since.clone())
                .push(" GROUP BY substr(a.created_at, 1, 7) ORDER BY 1");
            out.registered = qb.build_query_as().fetch_all(pool).await?;
            out
        });
        Ok(spread)
    }

    /// Trainings completed and acknowledgements given per month (YYYY-MM)
    /// since `since_month`, across the organisation.
    pub async fn monthly_completions(
        &self,
        since_month: &str,
    ) -> Result<(Vec<(String, i64)>, Vec<(String, i64)>), StoreError> {
        let since = format!("{since_month}-01");
        Ok(db_run!(&self.db, |pool| {
            let training: Vec<(String, i64)> = sqlx::query_as(
                "SELECT substr(completed_on, 1, 7), COUNT(*) FROM training_completions \
                 WHERE completed_on >= $1 GROUP BY substr(completed_on, 1, 7) ORDER BY 1",
            )
            .bind(since.clone())
            .fetch_all(pool)
            .await?;
            let acks: Vec<(String, i64)> = sqlx::query_as(
                "SELECT substr(confirmed_at, 1, 7), COUNT(*) FROM ack_requests \
                 WHERE confirmed_at IS NOT NULL AND confirmed_at >= $1 \
                 GROUP BY substr(confirmed_at, 1, 7) ORDER BY 1",
            )
            .bind(since.clone())
            .fetch_all(pool)
            .await?;
            (training, acks)
        }))
    }
}

fn ensure_not_disposed(asset: &Asset) -> Result<(), StoreError> {
    if asset.record.lifecycle == Lifecycle::Disposed {
        return Err(StoreError::Conflict(format!(
            "資産 {} は廃棄済みのため変更できません / asset {} is disposed and cannot be changed",
            asset.id, asset.id
        )));
    }
    Ok(())
}

/// The input that would give this record again.
fn input_of(r: &AssetRecord) -> AssetInput {
    AssetInput {
        name: r.name.clone(),
        kind: r.kind,
        description: r.description.clone(),
        owner_unit_id: r.owner_unit_id,
        administrator: r.administrator.clone(),
        location: r.location.clone(),
        system_id: r.system_id,
        segment_id: r.segment_id,
        personal_info: r.personal_info,
        my_number: r.my_number,
        retention: r.retention.clone(),
        levels: r.levels(),
        lifecycle: r.lifecycle,
        disposal: None,
        notes: r.notes.clone(),
    }
}

/// Validates the parts of an input that need only the scheme; the rest
/// (units, systems, segments) is checked by the caller.
fn validate_core(
    name: &str,
    levels: &Levels,
    lifecycle: Lifecycle,
    disposal: Option<&Disposal>,
    scheme: &Scheme,
) -> Result<ValidAsset, Vec<FieldError>> {
    AssetDraft {
        name: name.to_string(),
        levels: levels.clone(),
        lifecycle,
        disposal_date: disposal.map(|d| d.date),
        disposal_method: disposal.map(|d| d.method.clone()).unwrap_or_default(),
        disposal_confirmed_by: disposal.map(|d| d.confirmed_by.clone()).unwrap_or_default(),
    }
    .validate(scheme)
}

/// The facts the checks read.
fn facts(record: &AssetRecord, segment_role: Option<&str>) -> AssetFacts {
    AssetFacts {
        my_number: record.my_number,
        personal_info: record.personal_info,
        confidentiality: Some(record.confidentiality.clone()),
        segment_role: segment_role.map(str::to_string),
    }
}
