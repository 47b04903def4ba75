//! Importing a ledger: every row is validated first; then all rows are written
//! in one transaction, or none. The report names each bad row and column.
//!
//! Identity: the 資産番号 column. A row with a number updates that asset (a row
//! equal to the stored asset changes nothing); a row without one creates an
//! asset. So an export imports back unchanged.

use crate::events::Verb;
use std::collections::{HashMap, HashSet};
use std::fmt;

use mamori_core::asset::{
    self, AssetKind, Disposal, FieldError, LedgerColumn, Levels, Lifecycle, column_letters,
    normalize,
};
use mamori_core::classification::{Axis, Scheme};
use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::ledger::LedgerFormat;
use super::write::{self, Context, Snapshot};
use super::{
    ASSET_COLUMNS, ASSET_JOINS, Asset, AssetInput, AssetRecord, AssetRow, AssetScope, ENTITY,
};
use crate::events::EventInput;
use crate::{Actor, Store, StoreError, db_run, now_rfc3339};
use mamori_core::table::{Sheet, clip, quote};

/// One problem found in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportIssue {
    /// The row as Excel numbers it (the header is usually row 1); `None` for
    /// the file as a whole.
    pub row: Option<u32>,
    /// The column's header as the file writes it.
    pub column: Option<String>,
    /// The column's letters (A, B … AA).
    pub column_letter: Option<String>,
    /// The cell's text.
    pub value: String,
    pub message: String,
    pub message_en: String,
}

/// What an import did, or why it did nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportReport {
    /// Data rows read (blank rows are skipped).
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// True when every row was written; false when nothing was.
    pub written: bool,
    /// The first [`REPORTED_ISSUES`] errors (`errors_total` counts them all).
    pub errors: Vec<ImportIssue>,
    /// Things that did not stop the import (columns it does not know); the
    /// first [`REPORTED_ISSUES`] of them.
    pub warnings: Vec<ImportIssue>,
    /// How many errors there were, listed or not.
    #[serde(default)]
    pub errors_total: usize,
    /// How many warnings there were, listed or not.
    #[serde(default)]
    pub warnings_total: usize,
    /// True when the file could not be read at all (not a spreadsheet, damaged,
    /// or beyond an import limit): nothing in it was checked.
    #[serde(default)]
    pub unreadable: bool,
    /// True when this is a preview ([`ImportMode::Preview`]): nothing was
    /// written, and `created`/`updated`/`unchanged` say what the import would do.
    #[serde(default)]
    pub preview: bool,
    /// In a preview, the rows that would create or change an asset (the first
    /// [`PREVIEW_ROWS`]; `created + updated` counts them all), with what
    /// changes and which values were read as something else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preview_rows: Vec<PreviewRow>,
}

/// Whether an import writes, or only says what it would write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    Commit,
    Preview,
}

/// What a preview lists of a row that creates or changes an asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    /// The row as Excel numbers it.
    pub row: u32,
    /// `create` or `update`.
    pub action: String,
    /// The asset an update changes.
    pub asset_id: Option<i64>,
    pub name: String,
    /// For an update, each field it changes (before → after).
    pub changes: Vec<PreviewChange>,
    /// Values read as something other than what the cell says (「電子データ」 is
    /// taken as 電子情報): before is the cell, after what is recorded.
    pub normalised: Vec<PreviewChange>,
}

/// One field of a preview: its column and two values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewChange {
    pub column: String,
    pub column_en: String,
    pub before: String,
    pub after: String,
}

impl PreviewChange {
    fn of(column: LedgerColumn, before: impl Into<String>, after: impl Into<String>) -> Self {
        PreviewChange {
            column: column.header().to_string(),
            column_en: column.header_en().to_string(),
            before: quote(&before.into()),
            after: quote(&after.into()),
        }
    }
}

/// At most this many rows are listed in a preview.
pub const PREVIEW_ROWS: usize = 500;

/// At most this many errors (and as many warnings) are kept in a report; the
/// totals count them all.
pub const REPORTED_ISSUES: usize = 100;

/// The longest message a report keeps (a message quotes at most
/// [`mamori_sheet::read::QUOTED_CHARS`] characters of a value; this is a last guard).
const MESSAGE_CHARS: usize = 2000;

/// Keeps the first [`REPORTED_ISSUES`] issues, their quoted values cut short;
/// returns how many there were.
pub(crate) fn cap_issues(issues: &mut Vec<ImportIssue>) -> usize {
    let total = issues.len();
    issues.truncate(REPORTED_ISSUES);
    for issue in issues.iter_mut() {
        issue.value = quote(&issue.value);
        issue.column = issue.column.as_deref().map(quote);
        issue.message = clip(&issue.message, MESSAGE_CHARS);
        issue.message_en = clip(&issue.message_en, MESSAGE_CHARS);
    }
    total
}

impl ImportReport {
    /// The report as kept and shown: the first errors and warnings, and their totals.
    pub(crate) fn capped(mut self) -> ImportReport {
        self.errors_total = self.errors_total.max(cap_issues(&mut self.errors));
        self.warnings_total = self.warnings_total.max(cap_issues(&mut self.warnings));
        self
    }

    /// The report of a file that could not be read.
    /// A file that could not be read at all (the reader's message).
    pub fn unreadable(message: String, message_en: String) -> ImportReport {
        ImportReport {
            unreadable: true,
            ..ImportReport::failed(
                0,
                vec![ImportIssue {
                    row: None,
                    column: None,
                    column_letter: None,
                    value: String::new(),
                    message,
                    message_en,
                }],
                Vec::new(),
            )
        }
    }

    fn failed(rows: usize, errors: Vec<ImportIssue>, warnings: Vec<ImportIssue>) -> ImportReport {
        ImportReport {
            rows,
            written: false,
            errors,
            warnings,
            ..ImportReport::default()
        }
    }
}

/// At most this many problems are printed.
const PRINTED_ISSUES: usize = REPORTED_ISSUES;

impl fmt::Display for ImportIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.row {
            Some(row) => write!(f, "{row}行目")?,
            None => write!(f, "ファイル")?,
        }
        if let (Some(letter), Some(column)) = (&self.column_letter, &self.column) {
            write!(f, " {letter}列「{column}」")?;
        } else if let Some(column) = &self.column {
            write!(f, " 「{column}」")?;
        }
        if !self.value.is_empty() {
            write!(f, " 値「{}」", self.value)?;
        }
        write!(f, ": {} / ", self.message)?;
        match self.row {
            Some(row) => write!(f, "row {row}")?,
            None => write!(f, "file")?,
        }
        if let Some(letter) = &self.column_letter {
            write!(f, ", column {letter}")?;
        }
        write!(f, ": {}", self.message_en)
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.preview && self.errors.is_empty() {
            writeln!(
                f,
                "確認のみ（書き込んでいません）: {}行（新規 {}、更新 {}、変更なし {}）",
                self.rows, self.created, self.updated, self.unchanged
            )?;
            writeln!(
                f,
                "Checked only, nothing written: {} rows would give {} created, {} updated, {} unchanged.",
                self.rows, self.created, self.updated, self.unchanged
            )?;
            for row in &self.preview_rows {
                let what = match row.asset_id {
                    Some(id) => format!("更新 / update #{id}"),
                    None => "新規 / create".to_string(),
                };
                writeln!(
                    f,
                    "  {}行目 / row {}: {what} 「{}」",
                    row.row, row.row, row.name
                )?;
                for c in &row.changes {
                    writeln!(
                        f,
                        "    {} / {}: {} → {}",
                        c.column, c.column_en, c.before, c.after
                    )?;
                }
                for c in &row.normalised {
                    writeln!(
                        f,
                        "    読み替え / read as: {}「{}」→「{}」",
                        c.column, c.before, c.after
                    )?;
                }
            }
        } else if self.written {
            writeln!(
                f,
                "取り込みました: {}行（新規 {}、更新 {}、変更なし {}）",
                self.rows, self.created, self.updated, self.unchanged
            )?;
            writeln!(
                f,
                "Imported {} rows: {} created, {} updated, {} unchanged.",
                self.rows, self.created, self.updated, self.unchanged
            )?;
        } else {
            let total = self.errors_total.max(self.errors.len());
            writeln!(
                f,
                "取り込みませんでした（エラー {total}件）。1行も書き込んでいません。"
            )?;
            writeln!(
                f,
                "Nothing was imported ({total} errors); no row was written."
            )?;
            let shown = self.errors.len().min(PRINTED_ISSUES);
            for issue in self.errors.iter().take(shown) {
                writeln!(f, "  {issue}")?;
            }
            if total > shown {
                writeln!(
                    f,
                    "  … ほか {}件 / and {} more",
                    total - shown,
                    total - shown
                )?;
            }
        }
        for warning in self.warnings.iter().take(PRINTED_ISSUES) {
            writeln!(f, "  注意 / note: {warning}")?;
        }
        Ok(())
    }
}

/// Finds units, systems and segments by what a ledger writes.
struct Lookup {
    units_by_code: HashMap<String, i64>,
    units_by_name: HashMap<String, Vec<i64>>,
    systems_by_code: HashMap<String, i64>,
    systems_by_name: HashMap<String, Vec<i64>>,
    segments_by_name: HashMap<String, i64>,
}

enum Found {
    One(i64),
    None,
    Many,
}

impl Lookup {
    fn new(ctx: &Context) -> Lookup {
        let mut l = Lookup {
            units_by_code: HashMap::new(),
            units_by_name: HashMap::new(),
            systems_by_code: HashMap::new(),
            systems_by_name: HashMap::new(),
            segments_by_name: HashMap::new(),
        };
        for u in ctx.units.values() {
            l.units_by_code.insert(normalize(&u.code), u.id);
            l.units_by_name
                .entry(normalize(&u.name))
                .or_default()
                .push(u.id);
        }
        for s in ctx.systems.values() {
            l.systems_by_code.insert(normalize(&s.code), s.id);
            l.systems_by_name
                .entry(normalize(&s.name))
                .or_default()
                .push(s.id);
        }
        for s in ctx.segments.values() {
            l.segments_by_name.insert(normalize(&s.name), s.id);
            if !s.name_en.trim().is_empty() {
                l.segments_by_name
                    .entry(normalize(&s.name_en).to_lowercase())
                    .or_insert(s.id);
            }
        }
        l
    }

    fn find(
        by_code: &HashMap<String, i64>,
        by_name: &HashMap<String, Vec<i64>>,
        text: &str,
    ) -> Found {
        let key = normalize(text);
        if let Some(id) = by_code.get(&key) {
            return Found::One(*id);
        }
        match by_name.get(&key).map(Vec::as_slice) {
            Some([id]) => Found::One(*id),
            Some([]) | None => Found::None,
            Some(_) => Found::Many,
        }
    }

    fn unit(&self, text: &str) -> Found {
        Lookup::find(&self.units_by_code, &self.units_by_name, text)
    }

    fn system(&self, text: &str) -> Found {
        Lookup::find(&self.systems_by_code, &self.systems_by_name, text)
    }

    fn segment(&self, text: &str) -> Option<i64> {
        let key = normalize(text);
        self.segments_by_name
            .get(&key)
            .or_else(|| self.segments_by_name.get(&key.to_lowercase()))
            .copied()
    }
}

/// A row that passed validation.
enum Planned {
    Create(AssetRecord),
    Update(Box<Asset>, AssetRecord),
    Unchanged,
}

/// A planned row with its number and the values it read as something else.
struct PlannedRow {
    row: u32,
    planned: Planned,
    normalised: Vec<PreviewChange>,
}

/// Ids read per query when fetching the assets a file refers to.
const FETCH_BATCH: usize = 1000;

impl Store {
    /// Imports a ledger with the rights of the command line (every unit).
    pub async fn import_ledger(
        &self,
        actor: &Actor,
        sheet: &Sheet,
        format: LedgerFormat,
    ) -> Result<ImportReport, StoreError> {
        self.import_ledger_scoped(actor, sheet, format, &AssetScope::unrestricted(), None)
            .await
    }

    /// Imports a ledger on behalf of a user who may write the assets `scope`
    /// lets through: a row for another unit, or naming an asset the user cannot
    /// see, is an error. A row that changes an existing asset's levels needs
    /// `reason` (as the reclassify form does): without one it is an error; with
    /// one its event is a `reclassify` that keeps the reason. Problems with the
    /// rows are in the report (`Ok`); `Err` is for the database. The sheet is
    /// the file as read (the app reads it with `mamori-sheet` under its
    /// budgets).
    pub async fn import_ledger_scoped(
        &self,
        actor: &Actor,
        sheet: &Sheet,
        format: LedgerFormat,
        scope: &AssetScope,
        reason: Option<&str>,
    ) -> Result<ImportReport, StoreError> {
        self.import_ledger_deciding(
            actor,
            sheet,
            format,
            scope,
            &AssetScope::unrestricted(),
            reason,
            ImportMode::Commit,
        )
        .await
    }

    /// [`Store::import_ledger_scoped`] for a writer who decides the
    /// classification only of the units `decide` lets through: a row that
    /// changes the levels of an existing asset of another unit is an error
    /// (the change is proposed on the asset's page and approved by its
    /// unit's manager).
    #[allow(clippy::too_many_arguments)] // the scopes, reason and mode of one import
    pub async fn import_ledger_deciding(
        &self,
        actor: &Actor,
        sheet: &Sheet,
        format: LedgerFormat,
        scope: &AssetScope,
        decide: &AssetScope,
        reason: Option<&str>,
        mode: ImportMode,
    ) -> Result<ImportReport, StoreError> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = reason {
            crate::checks::text("reason", "変更理由", "reason", r)?;
        }
        self.import_ledger_sheet(actor, sheet, format, scope, decide, reason, mode)
            .await
            .map(ImportReport::capped)
    }

    #[allow(clippy::too_many_arguments)] // the scopes, reason and mode of one import
    async fn import_ledger_sheet(
        &self,
        actor: &Actor,
        sheet: &Sheet,
        format: LedgerFormat,
        scope: &AssetScope,
        decide: &AssetScope,
        reason: Option<&str>,
        mode: ImportMode,
    ) -> Result<ImportReport, StoreError> {
        let active = self.active_scheme().await?;
        let ctx = Context::load(self, &active).await?;
        let (columns, mut errors, warnings) = map_header(sheet);
        if !errors.is_empty() {
            return Ok(ImportReport::failed(sheet.rows.len(), errors, warnings));
        }
        let reader = RowReader {
            sheet,
            columns: &columns,
            reason_given: reason.is_some(),
            decide,
        };

        // The assets the file names by number.
        let mut wanted: Vec<i64> = Vec::new();
        for row in &sheet.rows {
            if let Ok(Some(id)) = reader.id(&row.cells) {
                wanted.push(id);
            }
        }
        let existing = self.assets_by_ids(&wanted).await?;

        let lookup = Lookup::new(&ctx);
        let mut seen: HashSet<i64> = HashSet::new();
        let mut planned: Vec<PlannedRow> = Vec::with_capacity(sheet.rows.len());
        for row in &sheet.rows {
            match reader.plan(
                row.number, &row.cells, &ctx, &active, &lookup, &existing, scope, &mut seen,
            ) {
                Ok((p, normalised)) => planned.push(PlannedRow {
                    row: row.number,
                    planned: p,
                    normalised,
                }),
                Err(mut row_errors) => errors.append(&mut row_errors),
            }
        }
        let rows = sheet.rows.len();
        let mut warnings = warnings;
        if errors.is_empty() {
            warnings.extend(self.duplicate_warnings(&planned, &reader).await?);
        }
        if !errors.is_empty() {
            return Ok(ImportReport::failed(rows, errors, warnings));
        }
        if mode == ImportMode::Preview {
            return Ok(preview_report(&ctx, rows, &planned, warnings));
        }
        let mut creates = Vec::new();
        let mut updates = Vec::new();
        let mut unchanged = 0;
        for p in planned {
            match p.planned {
                Planned::Create(r) => creates.push(r),
                Planned::Update(before, r) => updates.push((*before, r)),
                Planned::Unchanged => unchanged += 1,
            }
        }
        let (created, updated) = (creates.len(), updates.len());
        let summary = serde_json::json!({
            "format": format,
            "rows": rows,
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
            "reason": reason,
        });
        write_planned(
            self,
            actor,
            &ctx,
            creates,
            updates,
            Some((crate::events::Entity::AssetImport, summary)),
            reason,
        )
        .await?;
        Ok(ImportReport {
            rows,
            created,
            updated,
            unchanged,
            written: true,
            errors: Vec::new(),
            warnings,
            ..ImportReport::default()
        })
    }

    /// Warnings for rows that would create an asset whose name its unit
    /// already uses (an asset not disposed of), or that an earlier row of the
    /// file creates too: a ledger imported twice is caught here.
    async fn duplicate_warnings(
        &self,
        planned: &[PlannedRow],
        reader: &RowReader<'_>,
    ) -> Result<Vec<ImportIssue>, StoreError> {
        let creates: Vec<(u32, &AssetRecord)> = planned
            .iter()
            .filter_map(|p| match &p.planned {
                Planned::Create(r) => Some((p.row, r)),
                _ => None,
            })
            .collect();
        if creates.is_empty() {
            return Ok(Vec::new());
        }
        let mut names: Vec<&str> = creates.iter().map(|(_, r)| r.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let mut existing: HashMap<(String, i64), i64> = HashMap::new();
        for chunk in names.chunks(FETCH_BATCH) {
            let found: Vec<(i64, String, i64)> = db_run!(&self.db, |pool| {
                let mut qb = QueryBuilder::new(
                    "SELECT id, name, owner_unit_id FROM assets WHERE lifecycle <> 'disposed' AND name IN (",
                );
                let mut sep = qb.separated(", ");
                for name in chunk {
                    sep.push_bind(*name);
                }
                qb.push(") ORDER BY id");
                qb.build_query_as().fetch_all(pool).await?
            });
            for (id, name, unit) in found {
                existing.entry((name, unit)).or_insert(id);
            }
        }
        let mut in_file: HashMap<(&str, i64), u32> = HashMap::new();
        let mut warnings = Vec::new();
        for (row, record) in creates {
            let column = LedgerColumn::Name;
            let index = reader.columns.get(&column).copied();
            let warn = |message: String, message_en: String| ImportIssue {
                row: Some(row),
                column: Some(column.header().to_string()),
                column_letter: index.map(column_letters),
                value: quote(&record.name),
                message,
                message_en,
            };
            if let Some(id) = existing.get(&(record.name.clone(), record.owner_unit_id)) {
                warnings.push(warn(
                    format!("同じ所管課に同名の資産（資産番号 {id}）が既にあります。二重の登録でないか確かめてください（更新するには資産番号を入れてください）"),
                    format!("the unit already has an asset of this name (number {id}): check that this is not a second copy (give the number to update it)"),
                ));
            } else if let Some(first) = in_file.get(&(record.name.as_str(), record.owner_unit_id)) {
                warnings.push(warn(
                    format!("{first}行目と同じ所管課・同じ資産名の新規行です"),
                    format!("row {first} creates an asset of the same name in the same unit"),
                ));
            }
            in_file
                .entry((record.name.as_str(), record.owner_unit_id))
                .or_insert(row);
        }
        Ok(warnings)
    }

    /// The assets with these ids (any that exist), read in batches.
    async fn assets_by_ids(&self, ids: &[i64]) -> Result<HashMap<i64, Asset>, StoreError> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(FETCH_BATCH) {
            let rows: Vec<AssetRow> = db_run!(&self.db, |pool| {
                let mut qb = QueryBuilder::new(format!(
                    "SELECT {ASSET_COLUMNS} FROM assets a {ASSET_JOINS} WHERE a.id IN ("
                ));
                let mut sep = qb.separated(", ");
                for id in chunk {
                    sep.push_bind(*id);
                }
                qb.push(")");
                qb.build_query_as().fetch_all(pool).await?
            });
            for row in rows {
                let asset = Asset::try_from(row)?;
                found.insert(asset.id, asset);
            }
        }
        Ok(found)
    }
}

/// Writes created and updated assets and their events in one transaction;
/// `summary` adds one event for the whole batch.
pub(crate) async fn write_planned(
    store: &Store,
    actor: &Actor,
    ctx: &Context,
    creates: Vec<AssetRecord>,
    updates: Vec<(Asset, AssetRecord)>,
    summary: Option<(crate::events::Entity, serde_json::Value)>,
    reason: Option<&str>,
) -> Result<Vec<i64>, StoreError> {
    let now = now_rfc3339();
    let mut tx = store.db.begin().await?;
    let created = write::insert_assets(&mut tx, ctx, &creates, &now).await?;
    let update_rows: Vec<(i64, AssetRecord)> =
        updates.iter().map(|(a, r)| (a.id, r.clone())).collect();
    let updated = write::update_assets(&mut tx, ctx, &update_rows, &now).await?;
    let mut events = Vec::with_capacity(created.len() + updated.len() + 1);
    for ((id, derived), record) in created.iter().zip(&creates) {
        let after = Snapshot {
            id: *id,
            record,
            label: &derived.label,
            flags: &derived.flags,
        };
        events.push(EventInput::new(
            ENTITY,
            id,
            Verb::Create,
            None::<&()>,
            Some(&after),
        )?);
    }
    for ((before, record), derived) in updates.iter().zip(&updated) {
        let b = Snapshot {
            id: before.id,
            record: &before.record,
            label: &before.label,
            flags: &before.flags,
        };
        let a = Snapshot {
            id: before.id,
            record,
            label: &derived.label,
            flags: &derived.flags,
        };
        // A change of levels is a reclassification, with its reason (the
        // import refuses one without).
        let event = match (reclassified(&before.record, record), reason) {
            (Some(_), Some(reason)) => {
                let mut a = serde_json::to_value(&a)
                    .map_err(|e| StoreError::Internal(format!("asset snapshot: {e}")))?;
                if let Some(map) = a.as_object_mut() {
                    map.insert("reason".into(), reason.into());
                }
                EventInput::new(ENTITY, before.id, Verb::Reclassify, Some(&b), Some(&a))?
            }
            _ => EventInput::new(ENTITY, before.id, Verb::Update, Some(&b), Some(&a))?,
        };
        events.push(event);
    }
    if let Some((entity, summary)) = summary {
        let key = events.len();
        events.push(EventInput::new(
            entity,
            key,
            Verb::Import,
            None::<&()>,
            Some(&summary),
        )?);
    }
    tx.append_events(actor, &events).await?;
    tx.commit().await?;
    Ok(created.into_iter().map(|(id, _)| id).collect())
}

/// Maps the header cells to columns: unknown headers are warnings; duplicate
/// and missing columns are errors.
fn map_header(
    sheet: &Sheet,
) -> (
    HashMap<LedgerColumn, usize>,
    Vec<ImportIssue>,
    Vec<ImportIssue>,
) {
    let mut columns: HashMap<LedgerColumn, usize> = HashMap::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let header_issue =
        |index: Option<usize>, value: &str, message: String, message_en: String| ImportIssue {
            row: Some(sheet.header_row),
            column: index.map(|i| quote(sheet.header.get(i).map_or("", String::as_str))),
            column_letter: index.map(column_letters),
            value: quote(value),
            message,
            message_en,
        };
    for (i, text) in sheet.header.iter().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        match LedgerColumn::from_header(text) {
            Some(column) => {
                if let Some(first) = columns.get(&column) {
                    errors.push(header_issue(
                        Some(i),
                        text,
                        format!(
                            "見出し「{}」が{}列と重複しています",
                            column.header(),
                            column_letters(*first)
                        ),
                        format!(
                            "the column {} appears twice (also column {})",
                            column.header_en(),
                            column_letters(*first)
                        ),
                    ));
                } else {
                    columns.insert(column, i);
                }
            }
            None => warnings.push(header_issue(
                Some(i),
                text,
                "この列は台帳の項目ではないため取り込みません".into(),
                "this column is not a ledger field and is not imported".into(),
            )),
        }
    }
    let mut missing: Vec<LedgerColumn> = LedgerColumn::ALL
        .into_iter()
        .filter(|c| c.required() && !columns.contains_key(c))
        .collect();
    if !columns.contains_key(&LedgerColumn::Label) {
        missing.extend(
            Axis::ALL
                .into_iter()
                .map(LedgerColumn::for_axis)
                .filter(|c| !columns.contains_key(c)),
        );
    }
    for column in missing {
        let expected: Vec<&str> = LedgerColumn::ALL.iter().map(|c| c.header()).collect();
        errors.push(header_issue(
            None,
            "",
            format!(
                "見出し行に「{}」の列がありません（見出しの例: {}）",
                column.header(),
                expected.join("、")
            ),
            format!(
                "the header row has no column {} ({}); expected headers such as {}",
                column.header(),
                column.header_en(),
                expected.join(", ")
            ),
        ));
    }
    (columns, errors, warnings)
}

struct RowReader<'a> {
    sheet: &'a Sheet,
    columns: &'a HashMap<LedgerColumn, usize>,
    /// The import carries a reason for changes of classification.
    reason_given: bool,
    /// The units whose assets' levels the writer decides.
    decide: &'a AssetScope,
}

impl RowReader<'_> {
    fn cell<'c>(&self, cells: &'c [String], column: LedgerColumn) -> &'c str {
        self.columns
            .get(&column)
            .and_then(|i| cells.get(*i))
            .map_or("", |s| s.as_str())
    }

    fn issue(
        &self,
        row: u32,
        cells: &[String],
        column: LedgerColumn,
        message: String,
        message_en: String,
    ) -> ImportIssue {
        let index = self.columns.get(&column).copied();
        ImportIssue {
            row: Some(row),
            column: Some(
                index
                    .and_then(|i| self.sheet.header.get(i))
                    .map_or_else(|| column.header().to_string(), |h| quote(h)),
            ),
            column_letter: index.map(column_letters),
            value: quote(self.cell(cells, column)),
            message,
            message_en,
        }
    }

    fn field_issue(&self, row: u32, cells: &[String], e: FieldError) -> ImportIssue {
        self.issue(row, cells, e.column, e.message, e.message_en)
    }

    /// The 資産番号 of a row: `Ok(None)` when empty.
    fn id(&self, cells: &[String]) -> Result<Option<i64>, ()> {
        let text = normalize(self.cell(cells, LedgerColumn::Id));
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Some)
            .ok_or(())
    }

    #[allow(clippy::too_many_arguments)]
    fn plan(
        &self,
        row: u32,
        cells: &[String],
        ctx: &Context,
        active: &Scheme,
        lookup: &Lookup,
        existing: &HashMap<i64, Asset>,
        scope: &AssetScope,
        seen: &mut HashSet<i64>,
    ) -> Result<(Planned, Vec<PreviewChange>), Vec<ImportIssue>> {
        let mut errors: Vec<ImportIssue> = Vec::new();
        let issue = |column: LedgerColumn, message: String, message_en: String| {
            self.issue(row, cells, column, message, message_en)
        };

        // Identity.
        let before = match self.id(cells) {
            Ok(None) => None,
            Ok(Some(id)) => {
                if !seen.insert(id) {
                    errors.push(issue(
                        LedgerColumn::Id,
                        format!("資産番号 {id} がファイル内で重複しています"),
                        format!("asset number {id} appears more than once in the file"),
                    ));
                }
                match existing.get(&id) {
                    Some(a) if scope.allows(a.record.owner_unit_id, a.is_top) => Some(a),
                    _ => {
                        errors.push(issue(
                            LedgerColumn::Id,
                            format!("資産番号 {id} の資産はありません（新しい資産は資産番号を空にしてください）"),
                            format!("there is no asset number {id} (leave the number empty for a new asset)"),
                        ));
                        None
                    }
                }
            }
            Err(()) => {
                errors.push(issue(
                    LedgerColumn::Id,
                    "資産番号は正の整数で入力してください".into(),
                    "the asset number must be a positive whole number".into(),
                ));
                None
            }
        };

        // Kind.
        let kind_text = self.cell(cells, LedgerColumn::Kind);
        let kind = AssetKind::parse(kind_text);
        if kind.is_none() {
            let allowed: Vec<&str> = AssetKind::ALL.iter().map(|k| k.short_ja()).collect();
            let (m, m_en) = if kind_text.trim().is_empty() {
                ("種別が空です".to_string(), "the kind is empty".to_string())
            } else {
                (
                    format!("種別「{}」は使えません", quote(kind_text.trim())),
                    format!("unknown kind '{}'", quote(kind_text.trim())),
                )
            };
            errors.push(issue(
                LedgerColumn::Kind,
                format!("{m}（使える値: {}）", allowed.join("、")),
                format!("{m_en} (allowed: {})", allowed.join(", ")),
            ));
        }

        // Owning unit.
        let unit_full = self.cell(cells, LedgerColumn::OwnerUnit).trim();
        let unit_text = quote(unit_full);
        let unit = if unit_full.is_empty() {
            errors.push(issue(
                LedgerColumn::OwnerUnit,
                "所管課が空です".into(),
                "the owning unit is empty".into(),
            ));
            None
        } else {
            match lookup.unit(unit_full) {
                Found::One(id) => Some(id),
                Found::None => {
                    errors.push(issue(
                        LedgerColumn::OwnerUnit,
                        format!("所管課「{unit_text}」が組織にありません"),
                        format!("no unit named or coded '{unit_text}'"),
                    ));
                    None
                }
                Found::Many => {
                    errors.push(issue(
                        LedgerColumn::OwnerUnit,
                        format!(
                            "「{unit_text}」という組織が複数あります。組織コードで指定してください"
                        ),
                        format!("several units are named '{unit_text}': give the unit code"),
                    ));
                    None
                }
            }
        };

        // System and segment.
        let system_full = self.cell(cells, LedgerColumn::System).trim();
        let system_text = quote(system_full);
        let system = if system_full.is_empty() {
            None
        } else {
            match lookup.system(system_full) {
                Found::One(id) => Some(id),
                Found::None => {
                    errors.push(issue(
                        LedgerColumn::System,
                        format!("情報システム「{system_text}」は登録されていません"),
                        format!("no information system named or coded '{system_text}'"),
                    ));
                    None
                }
                Found::Many => {
                    errors.push(issue(
                        LedgerColumn::System,
                        format!("「{system_text}」という情報システムが複数あります。コードで指定してください"),
                        format!("several systems are named '{system_text}': give the system code"),
                    ));
                    None
                }
            }
        };
        let segment_full = self.cell(cells, LedgerColumn::Segment).trim();
        let segment_text = quote(segment_full);
        let segment = if segment_full.is_empty() {
            None
        } else {
            let found = lookup.segment(segment_full);
            if found.is_none() {
                let names: Vec<&str> = ctx.segments.values().map(|s| s.name.as_str()).collect();
                errors.push(issue(
                    LedgerColumn::Segment,
                    format!(
                        "ネットワーク区分「{segment_text}」はありません（使える値: {}）",
                        names.join("、")
                    ),
                    format!(
                        "no network segment '{segment_text}' (allowed: {})",
                        names.join(", ")
                    ),
                ));
            }
            found
        };

        // Yes/no columns.
        let mut flag = |column: LedgerColumn| {
            let text = self.cell(cells, column);
            asset::parse_flag(text).unwrap_or_else(|| {
                errors.push(issue(
                    column,
                    format!("「{}」は 有 か 無 で入力してください", quote(text.trim())),
                    format!("'{}' is not yes or no: write 有 or 無", quote(text.trim())),
                ));
                false
            })
        };
        let personal_info = flag(LedgerColumn::PersonalInfo);
        let my_number = flag(LedgerColumn::MyNumber);

        // Levels: the three columns, or the label when they are all empty.
        let level_cells: Vec<&str> = Axis::ALL
            .iter()
            .map(|a| self.cell(cells, LedgerColumn::for_axis(*a)).trim())
            .collect();
        let label_text = self.cell(cells, LedgerColumn::Label).trim();
        let mut levels = Levels::new(level_cells[0], level_cells[1], level_cells[2]);
        if level_cells.iter().all(|c| c.is_empty()) && !label_text.is_empty() {
            match active.parse_label(label_text) {
                Ok(l) => levels = Levels::new(l.confidentiality, l.integrity, l.availability),
                Err(e) => errors.push(issue(
                    LedgerColumn::Label,
                    format!(
                        "格付け「{}」を読み取れません: {}",
                        quote(label_text),
                        clip(&e.to_string(), 200)
                    ),
                    format!(
                        "the label '{}' cannot be read: {}",
                        quote(label_text),
                        clip(&e.to_string(), 200)
                    ),
                )),
            }
        }

        // State and disposal.
        let state_text = self.cell(cells, LedgerColumn::State);
        let lifecycle = if state_text.trim().is_empty() {
            Lifecycle::Registered
        } else {
            Lifecycle::parse(state_text).unwrap_or_else(|| {
                errors.push(issue(
                    LedgerColumn::State,
                    format!(
                        "状態「{}」は使えません（使える値: 登録、使用中、廃棄）",
                        quote(state_text.trim())
                    ),
                    format!(
                        "unknown state '{}' (allowed: 登録, 使用中, 廃棄)",
                        quote(state_text.trim())
                    ),
                ));
                Lifecycle::Registered
            })
        };
        let date_text = self.cell(cells, LedgerColumn::DisposedOn);
        let disposal_date = if date_text.trim().is_empty() {
            None
        } else {
            let d = asset::parse_date(date_text);
            if d.is_none() {
                errors.push(issue(
                    LedgerColumn::DisposedOn,
                    format!(
                        "廃棄日「{}」を日付として読み取れません（例: 2025-03-31、令和7年3月31日）",
                        quote(date_text.trim())
                    ),
                    format!(
                        "the disposal date '{}' is not a date (e.g. 2025-03-31)",
                        quote(date_text.trim())
                    ),
                ));
            }
            d
        };
        let method = self.cell(cells, LedgerColumn::DisposalMethod).to_string();
        let confirmer = self
            .cell(cells, LedgerColumn::DisposalConfirmedBy)
            .to_string();

        // The scheme the levels are read under: the active one, except for an
        // existing asset whose levels the row leaves as they are.
        let mut scheme = active;
        if let Some(b) = before
            && b.record.scheme != active.code
            && same_levels(&b.record.levels(), &levels)
            && let Some(own) = ctx.scheme(&b.record.scheme)
        {
            scheme = own;
        }

        let input = AssetInput {
            name: self.cell(cells, LedgerColumn::Name).to_string(),
            kind: kind.unwrap_or(AssetKind::ElectronicInformation),
            description: self.cell(cells, LedgerColumn::Description).to_string(),
            owner_unit_id: unit.unwrap_or_default(),
            administrator: self.cell(cells, LedgerColumn::Administrator).to_string(),
            location: self.cell(cells, LedgerColumn::Location).to_string(),
            system_id: system,
            segment_id: segment,
            personal_info,
            my_number,
            retention: self.cell(cells, LedgerColumn::Retention).to_string(),
            levels,
            lifecycle,
            disposal: None,
            notes: self.cell(cells, LedgerColumn::Notes).to_string(),
        };
        // The disposal fields are checked as given (all three or none).
        let core = asset::AssetDraft {
            name: input.name.clone(),
            levels: input.levels.clone(),
            lifecycle,
            disposal_date,
            disposal_method: method,
            disposal_confirmed_by: confirmer,
        }
        .validate(scheme);
        let mut core_errors = match &core {
            Ok(_) => Vec::new(),
            Err(e) => e.clone(),
        };
        // A bad date was reported already; do not report it as missing too.
        if disposal_date.is_none() && !date_text.trim().is_empty() {
            core_errors.retain(|e| e.column != LedgerColumn::DisposedOn);
        }
        errors.extend(
            core_errors
                .into_iter()
                .map(|e| self.field_issue(row, cells, e)),
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        let disposal = core.ok().and_then(|v| v.disposal).map(|d| Disposal {
            date: d.date,
            method: d.method,
            confirmed_by: d.confirmed_by,
        });
        let input = AssetInput { disposal, ..input };
        let mut record = ctx.validate_input(&input, scheme).map_err(|e| {
            e.into_iter()
                .map(|e| self.field_issue(row, cells, e))
                .collect::<Vec<_>>()
        })?;
        record.scheme = scheme.code.clone();

        // The writer may write this unit's assets at this level.
        let derived = ctx.derive(&record);
        if !scope.allows(record.owner_unit_id, derived.is_top) {
            return Err(vec![issue(
                LedgerColumn::OwnerUnit,
                format!("所管課「{unit_text}」の資産を登録する権限がありません"),
                format!("you may not register assets of the unit '{unit_text}'"),
            )]);
        }
        if let Some(b) = before
            && !self.reason_given
            && let Some(column) = reclassified(&b.record, &record)
        {
            return Err(vec![issue(
                column,
                format!(
                    "格付けを{}から{}に変更する行です。変更理由を添えて取り込んでください",
                    b.label, derived.label
                ),
                format!(
                    "this row changes the classification from {} to {}: import with the reason for the change",
                    b.label, derived.label
                ),
            )]);
        }
        if let Some(b) = before
            && !self.decide.allows(b.record.owner_unit_id, false)
            && let Some(column) = reclassified(&b.record, &record)
        {
            return Err(vec![issue(
                column,
                format!(
                    "格付けを{}から{}に変更する行です。格付けの変更は資産のページから申請し、所管課の情報セキュリティ管理者の承認を受けてください",
                    b.label, derived.label
                ),
                format!(
                    "this row changes the classification from {} to {}: propose the change on the asset's page for the unit's manager to approve",
                    b.label, derived.label
                ),
            )]);
        }
        let normalised = self.normalised(cells, &record, ctx);
        let planned = match before {
            None => Planned::Create(record),
            Some(b) if b.record == record => Planned::Unchanged,
            Some(b) => Planned::Update(Box::new(b.clone()), record),
        };
        Ok((planned, normalised))
    }

    /// The cells of a valid row that were read as something other than what
    /// they say: a kind, yes/no, state or date written another way, a unit
    /// given by its code.
    fn normalised(
        &self,
        cells: &[String],
        record: &AssetRecord,
        ctx: &Context,
    ) -> Vec<PreviewChange> {
        let mut out = Vec::new();
        let mut note = |column: LedgerColumn, taken: &str| {
            let given = self.cell(cells, column).trim();
            if !given.is_empty() && given != taken {
                out.push(PreviewChange::of(column, given, taken));
            }
        };
        note(LedgerColumn::Kind, record.kind.short_ja());
        if let Some(u) = ctx.units.get(&record.owner_unit_id) {
            let given = normalize(self.cell(cells, LedgerColumn::OwnerUnit));
            if given != u.name {
                note(LedgerColumn::OwnerUnit, &u.name);
            }
        }
        note(
            LedgerColumn::PersonalInfo,
            asset::flag_ja(record.personal_info),
        );
        note(LedgerColumn::MyNumber, asset::flag_ja(record.my_number));
        if self.columns.contains_key(&LedgerColumn::State) {
            note(LedgerColumn::State, record.lifecycle.name_ja());
        }
        if let Some(d) = &record.disposed_on {
            note(LedgerColumn::DisposedOn, d);
        }
        out
    }
}

/// The preview of an import that would be written: its counts and the rows
/// that create or change an asset.
fn preview_report(
    ctx: &Context,
    rows: usize,
    planned: &[PlannedRow],
    warnings: Vec<ImportIssue>,
) -> ImportReport {
    let mut report = ImportReport {
        rows,
        preview: true,
        warnings,
        ..ImportReport::default()
    };
    for p in planned {
        let (action, asset_id, name, changes) = match &p.planned {
            Planned::Unchanged => {
                report.unchanged += 1;
                continue;
            }
            Planned::Create(r) => {
                report.created += 1;
                ("create", None, r.name.clone(), Vec::new())
            }
            Planned::Update(before, r) => {
                report.updated += 1;
                (
                    "update",
                    Some(before.id),
                    r.name.clone(),
                    record_changes(ctx, &before.record, r),
                )
            }
        };
        if report.preview_rows.len() < PREVIEW_ROWS {
            report.preview_rows.push(PreviewRow {
                row: p.row,
                action: action.to_string(),
                asset_id,
                name,
                changes,
                normalised: p.normalised.clone(),
            });
        }
    }
    report
}

/// Each field `after` changes from `before`, as the ledger writes it.
fn record_changes(ctx: &Context, before: &AssetRecord, after: &AssetRecord) -> Vec<PreviewChange> {
    let unit = |id: i64| {
        ctx.units
            .get(&id)
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    };
    let system = |id: Option<i64>| {
        id.map(|id| {
            ctx.systems
                .get(&id)
                .map_or_else(|| id.to_string(), |s| s.name.clone())
        })
        .unwrap_or_default()
    };
    let segment = |id: Option<i64>| {
        id.map(|id| {
            ctx.segments
                .get(&id)
                .map_or_else(|| id.to_string(), |s| s.name.clone())
        })
        .unwrap_or_default()
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let pairs: [(LedgerColumn, String, String); 19] = [
        (LedgerColumn::Name, before.name.clone(), after.name.clone()),
        (
            LedgerColumn::Kind,
            before.kind.short_ja().into(),
            after.kind.short_ja().into(),
        ),
        (
            LedgerColumn::Description,
            before.description.clone(),
            after.description.clone(),
        ),
        (
            LedgerColumn::OwnerUnit,
            unit(before.owner_unit_id),
            unit(after.owner_unit_id),
        ),
        (
            LedgerColumn::Administrator,
            before.administrator.clone(),
            after.administrator.clone(),
        ),
        (
            LedgerColumn::Location,
            before.location.clone(),
            after.location.clone(),
        ),
        (
            LedgerColumn::System,
            system(before.system_id),
            system(after.system_id),
        ),
        (
            LedgerColumn::Segment,
            segment(before.segment_id),
            segment(after.segment_id),
        ),
        (
            LedgerColumn::Confidentiality,
            before.confidentiality.clone(),
            after.confidentiality.clone(),
        ),
        (
            LedgerColumn::Integrity,
            before.integrity.clone(),
            after.integrity.clone(),
        ),
        (
            LedgerColumn::Availability,
            before.availability.clone(),
            after.availability.clone(),
        ),
        (
            LedgerColumn::PersonalInfo,
            asset::flag_ja(before.personal_info).into(),
            asset::flag_ja(after.personal_info).into(),
        ),
        (
            LedgerColumn::MyNumber,
            asset::flag_ja(before.my_number).into(),
            asset::flag_ja(after.my_number).into(),
        ),
        (
            LedgerColumn::Retention,
            before.retention.clone(),
            after.retention.clone(),
        ),
        (
            LedgerColumn::State,
            before.lifecycle.name_ja().into(),
            after.lifecycle.name_ja().into(),
        ),
        (
            LedgerColumn::DisposedOn,
            opt(&before.disposed_on),
            opt(&after.disposed_on),
        ),
        (
            LedgerColumn::DisposalMethod,
            opt(&before.disposal_method),
            opt(&after.disposal_method),
        ),
        (
            LedgerColumn::DisposalConfirmedBy,
            opt(&before.disposal_confirmed_by),
            opt(&after.disposal_confirmed_by),
        ),
        (
            LedgerColumn::Notes,
            before.notes.clone(),
            after.notes.clone(),
        ),
    ];
    pairs
        .into_iter()
        .filter(|(_, b, a)| b != a)
        .map(|(c, b, a)| PreviewChange::of(c, b, a))
        .collect()
}

/// The first level column that `after` changes from `before` (a change of
/// scheme counts as a change of confidentiality), if any.
fn reclassified(before: &AssetRecord, after: &AssetRecord) -> Option<LedgerColumn> {
    if before.scheme != after.scheme || before.confidentiality != after.confidentiality {
        Some(LedgerColumn::Confidentiality)
    } else if before.integrity != after.integrity {
        Some(LedgerColumn::Integrity)
    } else if before.availability != after.availability {
        Some(LedgerColumn::Availability)
    } else {
        None
    }
}

fn same_levels(a: &Levels, b: &Levels) -> bool {
    Axis::ALL
        .iter()
        .all(|axis| normalize(a.code(*axis)).eq_ignore_ascii_case(&normalize(b.code(*axis))))
}
