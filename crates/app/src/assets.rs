//! The information-asset register (第7): registering, editing, reclassifying
//! and disposing of an asset, and the ledger's export and import. What was
//! entered is read leniently and every problem is named by its field; the Cedar
//! policy is asked about the asset as it is and as it would become.

use mamori_authz::{Action, Resource};
use mamori_core::asset::{
    AssetKind, Disposal, FieldError, LedgerColumn, Levels, Lifecycle, level_column_error,
    parse_date,
};
use mamori_core::classification::{Axis, Scheme};
use mamori_core::problem::Problem;
use mamori_store::assets::{Asset, AssetEdit, AssetFilter, AssetInput, AssetScope, AssetSort};
use mamori_store::events::Event;
use mamori_store::units::parse_path;
use mamori_store::{Page, PageRequest};

use crate::access::{App, Caller};
use crate::error::{Error, Result};

/// The name a form and the API give the field of a ledger column.
pub fn column_field(column: LedgerColumn) -> &'static str {
    match column {
        LedgerColumn::Id => "id",
        LedgerColumn::Name => "name",
        LedgerColumn::Kind => "kind",
        LedgerColumn::Description => "description",
        LedgerColumn::OwnerUnit => "owner_unit_id",
        LedgerColumn::Administrator => "administrator",
        LedgerColumn::Location => "location",
        LedgerColumn::System => "system_id",
        LedgerColumn::Segment => "segment_id",
        LedgerColumn::Confidentiality => "confidentiality",
        LedgerColumn::Integrity => "integrity",
        LedgerColumn::Availability => "availability",
        LedgerColumn::Label => "label",
        LedgerColumn::PersonalInfo => "personal_info",
        LedgerColumn::MyNumber => "my_number",
        LedgerColumn::Retention => "retention",
        LedgerColumn::State => "lifecycle",
        LedgerColumn::DisposedOn => "disposed_on",
        LedgerColumn::DisposalMethod => "disposal_method",
        LedgerColumn::DisposalConfirmedBy => "disposal_confirmed_by",
        LedgerColumn::Notes => "notes",
    }
}

/// A field check of the asset rules (core) as a problem of its form field.
fn field_problem(e: FieldError) -> Problem {
    Problem::new("MAMORI-FIELD")
        .field(column_field(e.column))
        .with("message", e.message)
        .with("message_en", e.message_en)
}

/// The facts of an asset as entered (a form's text, or an API body written as
/// text), before they are read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entered {
    pub name: String,
    pub kind: String,
    pub description: String,
    pub owner_unit_id: String,
    pub administrator: String,
    pub location: String,
    pub system_id: String,
    pub segment_id: String,
    pub personal_info: bool,
    pub my_number: bool,
    pub retention: String,
    pub lifecycle: String,
    pub notes: String,
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
}

impl Entered {
    /// An asset's facts as a form shows them.
    pub fn of(asset: &Asset) -> Entered {
        let r = &asset.record;
        Entered {
            name: r.name.clone(),
            kind: r.kind.code().to_string(),
            description: r.description.clone(),
            owner_unit_id: r.owner_unit_id.to_string(),
            administrator: r.administrator.clone(),
            location: r.location.clone(),
            system_id: r.system_id.map(|i| i.to_string()).unwrap_or_default(),
            segment_id: r.segment_id.map(|i| i.to_string()).unwrap_or_default(),
            personal_info: r.personal_info,
            my_number: r.my_number,
            retention: r.retention.clone(),
            lifecycle: r.lifecycle.code().to_string(),
            notes: r.notes.clone(),
            confidentiality: r.confidentiality.clone(),
            integrity: r.integrity.clone(),
            availability: r.availability.clone(),
        }
    }

    /// The store's input, and a problem for each field that could not be read
    /// (those fields hold placeholders).
    fn read(&self) -> (AssetInput, Vec<Problem>) {
        let mut problems = Vec::new();
        let kind = match AssetKind::parse(&self.kind) {
            Some(k) => k,
            None => {
                problems.push(choose_problem(
                    "kind",
                    &self.kind,
                    "種別",
                    "kind",
                    &AssetKind::ALL.map(|k| k.code()),
                ));
                AssetKind::ElectronicInformation
            }
        };
        let lifecycle = match self.lifecycle.trim() {
            "" => Lifecycle::Registered,
            t => match Lifecycle::parse(t) {
                Some(Lifecycle::Disposed) => {
                    problems
                        .push(Problem::new("MAMORI-ASSET-DISPOSE-SEPARATELY").field("lifecycle"));
                    Lifecycle::Registered
                }
                Some(l) => l,
                None => {
                    problems.push(choose_problem(
                        "lifecycle",
                        t,
                        "状態",
                        "state",
                        &["registered", "in_use"],
                    ));
                    Lifecycle::Registered
                }
            },
        };
        let mut id = |field: &'static str, text: &str, required: bool| -> Option<i64> {
            let t = text.trim();
            if t.is_empty() {
                if required {
                    problems.push(Problem::new("MAMORI-CHOOSE-ONE").field(field));
                }
                return None;
            }
            match t.parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    problems.push(
                        Problem::new("MAMORI-NOT-A-NUMBER")
                            .field(field)
                            .with("value", t),
                    );
                    None
                }
            }
        };
        let owner_unit_id = id("owner_unit_id", &self.owner_unit_id, true).unwrap_or(0);
        let system_id = id("system_id", &self.system_id, false);
        let segment_id = id("segment_id", &self.segment_id, false);
        let input = AssetInput {
            name: self.name.clone(),
            kind,
            description: self.description.clone(),
            owner_unit_id,
            administrator: self.administrator.clone(),
            location: self.location.clone(),
            system_id,
            segment_id,
            personal_info: self.personal_info,
            my_number: self.my_number,
            retention: self.retention.clone(),
            levels: Levels::new(&self.confidentiality, &self.integrity, &self.availability),
            lifecycle,
            disposal: None,
            notes: self.notes.clone(),
        };
        (input, problems)
    }
}

fn choose_problem(field: &str, given: &str, ja: &str, en: &str, allowed: &[&str]) -> Problem {
    if given.trim().is_empty() {
        return Problem::new("MAMORI-CHOOSE")
            .field(field)
            .with("label", ja)
            .with("label_en", en);
    }
    Problem::new("MAMORI-NO-SUCH-CHOICE")
        .field(field)
        .with("label", ja)
        .with("label_en", en)
        .with("value", given)
        .with("allowed", allowed.join("、"))
        .with("allowed_en", allowed.join(", "))
}

fn is_level(column: LedgerColumn) -> bool {
    matches!(
        column,
        LedgerColumn::Confidentiality | LedgerColumn::Integrity | LedgerColumn::Availability
    )
}

/// Whether `levels` raise one level of the asset or more and lower none
/// (read under the asset's own scheme, which must be the active one).
fn raises_only(scheme: &Scheme, before: &Asset, levels: &Levels) -> bool {
    if before.record.scheme != scheme.code {
        return false;
    }
    let old = before.record.levels();
    let mut raised = false;
    for axis in Axis::ALL {
        let (Ok(was), Ok(now)) = (
            level_column_error(scheme, axis, old.code(axis)),
            level_column_error(scheme, axis, levels.code(axis).trim()),
        ) else {
            return false;
        };
        if now.rank < was.rank {
            return false;
        }
        raised |= now.rank > was.rank;
    }
    raised
}

/// Whether a confidentiality level is the top one of the scheme.
fn is_top(scheme: &Scheme, code: &str) -> bool {
    let top = scheme.top(Axis::Confidentiality).map_or(0, |l| l.rank);
    level_column_error(scheme, Axis::Confidentiality, code).is_ok_and(|l| l.rank >= top)
}

fn invalid(problems: Vec<Problem>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Rejected(problems))
    }
}

/// How many matches a register page counts before it stops and says "more".
pub const COUNT_LIMIT: i64 = 10_000;

/// One asset as its page and the API show it: the record, the scheme it is
/// read under, its latest changes and whether the person may change it.
#[derive(Debug)]
pub struct AssetView {
    pub asset: Asset,
    pub scheme: Scheme,
    /// Its changes, newest first (the first 50).
    pub history: Vec<Event>,
    /// The person may change it (and it is not disposed).
    pub may_write: bool,
}

impl App {
    /// The register as the person may see it, filtered and sorted on the
    /// server, one page at a time. The count stops at [`COUNT_LIMIT`] unless
    /// `exact` (then the flag "more" is always false).
    pub async fn list_assets(
        &self,
        caller: &Caller,
        filter: &AssetFilter,
        sort: AssetSort,
        page: PageRequest,
        exact: bool,
    ) -> Result<(Page<Asset>, bool)> {
        let scope = self.asset_scope(caller).await?;
        let permit = self.permit_app(caller, Action::View)?;
        if exact {
            let found = permit
                .store()
                .list_assets(filter, sort, page, &scope)
                .await?;
            Ok((found, false))
        } else {
            Ok(permit
                .store()
                .list_assets_bounded(filter, sort, page, &scope, COUNT_LIMIT)
                .await?)
        }
    }

    /// One asset with the scheme, its history and what the person may do.
    pub async fn asset_view(&self, caller: &Caller, id: i64) -> Result<AssetView> {
        let (asset, resource) = self.readable(caller, id).await?;
        let scheme = self.facts().active_scheme().await?;
        let history = self
            .facts()
            .asset_history(id, PageRequest::default())
            .await?
            .items;
        let may_write = asset.record.lifecycle != Lifecycle::Disposed
            && self.may(caller, Action::WriteAsset, &resource);
        Ok(AssetView {
            asset,
            scheme,
            history,
            may_write,
        })
    }

    /// The read problems, then the store's for the columns `keep` admits (none
    /// for a field that already has one).
    async fn check_asset(
        &self,
        input: &AssetInput,
        mut problems: Vec<Problem>,
        keep: impl Fn(LedgerColumn) -> bool,
    ) -> Result<Vec<Problem>> {
        let unreadable: Vec<String> = problems.iter().filter_map(|p| p.field.clone()).collect();
        for e in self.facts().check_asset_input(input).await? {
            let field = column_field(e.column);
            if keep(e.column) && !unreadable.iter().any(|f| f == field) {
                problems.push(field_problem(e));
            }
        }
        Ok(problems)
    }

    /// The Cedar resource of an asset of this unit and level.
    async fn asset_resource(&self, id: i64, owner: i64, top: bool) -> Result<Resource> {
        let unit = self.facts().unit(owner).await?;
        Ok(Resource::Asset {
            id,
            owner_lineage: parse_path(&unit.path),
            top,
        })
    }

    /// One asset, if the person may read it (not found otherwise: they learn
    /// nothing of assets they may not see).
    pub async fn asset(&self, caller: &Caller, id: i64) -> Result<Asset> {
        Ok(self.readable(caller, id).await?.0)
    }

    /// An asset the person may read, with its Cedar resource (one query for
    /// the asset, one for its unit's lineage).
    async fn readable(&self, caller: &Caller, id: i64) -> Result<(Asset, Resource)> {
        let asset = self.facts().asset(id, &AssetScope::unrestricted()).await?;
        let r = self
            .asset_resource(id, asset.record.owner_unit_id, asset.is_top)
            .await?;
        self.permit_or_hide(caller, Action::ReadAsset, &r, "asset", id)?;
        Ok((asset, r))
    }

    /// An asset the person may change: not found when they may not even see it,
    /// forbidden when they may see but not change it, a conflict when disposed.
    pub async fn writable_asset(&self, caller: &Caller, id: i64) -> Result<Asset> {
        Ok(self.writable(caller, id).await?.0)
    }

    /// [`App::writable_asset`] with the asset's Cedar resource.
    async fn writable(&self, caller: &Caller, id: i64) -> Result<(Asset, Resource)> {
        let (asset, r) = self.readable(caller, id).await?;
        self.permit(caller, Action::WriteAsset, &r)?;
        if asset.record.lifecycle == Lifecycle::Disposed {
            return Err(Problem::new("MAMORI-ASSET-DISPOSED").with("id", id).into());
        }
        Ok((asset, r))
    }

    /// Registers an asset: the person must be allowed to register assets, and to
    /// write an asset of the owning unit at the level given.
    pub async fn create_asset(&self, caller: &Caller, entered: &Entered) -> Result<Asset> {
        self.permit_app(caller, Action::CreateAsset)?;
        let (input, problems) = entered.read();
        invalid(self.check_asset(&input, problems, |_| true).await?)?;
        let scheme = self.facts().active_scheme().await?;
        let top = is_top(&scheme, &input.levels.confidentiality);
        let r = self.asset_resource(0, input.owner_unit_id, top).await?;
        let permit = self.permit(caller, Action::WriteAsset, &r)?;
        let asset = permit.store().create_asset(permit.actor(), input).await?;
        self.recompute_risks_in_background(permit.actor().clone());
        Ok(asset)
    }

    /// Edits an asset's facts (not its levels or disposal). `change` turns the
    /// asset's facts as they are into the facts wanted. Moving an asset to
    /// another unit needs the right to write assets of that unit too.
    pub async fn update_asset(
        &self,
        caller: &Caller,
        id: i64,
        change: impl FnOnce(&mut Entered),
    ) -> Result<Asset> {
        let (asset, resource) = self.writable(caller, id).await?;
        let mut entered = Entered::of(&asset);
        change(&mut entered);
        // The levels are not edited here (and may belong to an earlier scheme).
        let r = &asset.record;
        entered.confidentiality = r.confidentiality.clone();
        entered.integrity = r.integrity.clone();
        entered.availability = r.availability.clone();
        let (input, problems) = entered.read();
        invalid(self.check_asset(&input, problems, |c| !is_level(c)).await?)?;
        // Moving it to another unit needs the right to write that unit's assets.
        let target = if input.owner_unit_id == r.owner_unit_id {
            resource
        } else {
            self.asset_resource(id, input.owner_unit_id, asset.is_top)
                .await?
        };
        let permit = self.permit(caller, Action::WriteAsset, &target)?;
        let edit = AssetEdit {
            name: input.name,
            kind: input.kind,
            description: input.description,
            owner_unit_id: input.owner_unit_id,
            administrator: input.administrator,
            location: input.location,
            system_id: input.system_id,
            segment_id: input.segment_id,
            personal_info: input.personal_info,
            my_number: input.my_number,
            retention: input.retention,
            lifecycle: input.lifecycle,
            notes: input.notes,
        };
        let asset = permit
            .store()
            .update_asset(permit.actor(), id, edit)
            .await?;
        self.recompute_risks_in_background(permit.actor().clone());
        Ok(asset)
    }

    /// New levels under the active scheme, and why (格付けの変更). Whoever
    /// decides classification for the asset's unit (its 情報セキュリティ管理者
    /// or 責任者, the security office) changes them at once; anyone else who
    /// may write the asset proposes the change, which takes effect when one of
    /// those approves it (see `crate::requests`). A change that only raises
    /// levels takes effect at once when the city has set
    /// `classification.raise_immediate`.
    pub async fn reclassify_asset(
        &self,
        caller: &Caller,
        id: i64,
        levels: Levels,
        reason: &str,
    ) -> Result<crate::requests::Reclassified> {
        let (before, resource) = self.writable(caller, id).await?;
        let scheme = self.facts().active_scheme().await?;
        let mut problems = Vec::new();
        for axis in Axis::ALL {
            if let Err(e) = level_column_error(&scheme, axis, levels.code(axis).trim()) {
                problems.push(field_problem(e));
            }
        }
        if reason.trim().is_empty() {
            problems.push(Problem::new("MAMORI-REASON-REQUIRED").field("reason"));
        } else if let Err(p) =
            mamori_core::text::check_text(reason.trim(), mamori_core::text::MAX_TEXT_CHARS)
        {
            problems.push(p.problem("reason", "理由", "reason"));
        }
        invalid(problems)?;
        // The levels as the scheme writes them (`3A`, not `C3A`).
        let code = |axis: Axis| {
            level_column_error(&scheme, axis, levels.code(axis).trim())
                .map(|l| l.code.clone())
                .unwrap_or_default()
        };
        let levels = Levels::new(
            code(Axis::Confidentiality),
            code(Axis::Integrity),
            code(Axis::Availability),
        );
        // The policy is asked about the asset at its new level.
        let target = match resource {
            Resource::Asset {
                id, owner_lineage, ..
            } => Resource::Asset {
                id,
                owner_lineage,
                top: is_top(&scheme, &levels.confidentiality),
            },
            other => other,
        };
        let permit = self.permit(caller, Action::WriteAsset, &target)?;
        let lineage = match &target {
            Resource::Asset { owner_lineage, .. } => owner_lineage.clone(),
            _ => Vec::new(),
        };
        let at_once = self.decides_classification(caller, &lineage)
            || (self.raise_is_immediate().await? && raises_only(&scheme, &before, &levels));
        if !at_once {
            return self
                .propose_classification(caller, &before, &lineage, levels, reason)
                .await
                .map(crate::requests::Reclassified::Proposed);
        }
        let asset = permit
            .store()
            .reclassify_asset_because(permit.actor(), id, levels, reason)
            .await?;
        self.recompute_risks_in_background(permit.actor().clone());
        Ok(crate::requests::Reclassified::Applied(asset))
    }

    /// Records an asset's disposal: the date (western or 和暦), how, and who
    /// confirmed it.
    pub async fn dispose_asset(
        &self,
        caller: &Caller,
        id: i64,
        date: &str,
        method: &str,
        confirmed_by: &str,
    ) -> Result<Asset> {
        let (_, resource) = self.writable(caller, id).await?;
        let mut problems = Vec::new();
        let parsed = match date.trim() {
            "" => {
                problems.push(
                    Problem::new("MAMORI-REQUIRED")
                        .field("disposed_on")
                        .with("label", "廃棄日")
                        .with("label_en", "disposal date"),
                );
                None
            }
            t => {
                let d = parse_date(t);
                if d.is_none() {
                    problems.push(
                        Problem::new("MAMORI-BAD-DATE")
                            .field("disposed_on")
                            .with("label", "廃棄日")
                            .with("label_en", "the disposal date")
                            .with("value", t),
                    );
                }
                d
            }
        };
        let required = [
            ("disposal_method", method, "廃棄方法", "disposal method"),
            (
                "disposal_confirmed_by",
                confirmed_by,
                "廃棄を確認した者",
                "person who confirmed the disposal",
            ),
        ];
        for (field, value, ja, en) in required {
            if value.trim().is_empty() {
                problems.push(
                    Problem::new("MAMORI-REQUIRED")
                        .field(field)
                        .with("label", ja)
                        .with("label_en", en),
                );
            }
        }
        let Some(date) = parsed.filter(|_| problems.is_empty()) else {
            return Err(Error::Rejected(problems));
        };
        let permit = self.permit(caller, Action::WriteAsset, &resource)?;
        let disposal = Disposal {
            date,
            method: method.trim().to_string(),
            confirmed_by: confirmed_by.trim().to_string(),
        };
        let asset = permit
            .store()
            .dispose_asset(permit.actor(), id, disposal)
            .await?;
        self.recompute_risks_in_background(permit.actor().clone());
        Ok(asset)
    }
}

pub use crate::imports::sniff_format;

// --- h17ui: the register's spread and the trends, for charts ---
/// The last `n` months (YYYY-MM), oldest first, ending with `today`'s
/// (YYYY-MM-DD).
pub fn last_months(today: &str, n: u32) -> Vec<String> {
    let year: i32 = today.get(0..4).and_then(|y| y.parse().ok()).unwrap_or(2000);
    let month: i32 = today.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    let last = year * 12 + (month - 1);
    (0..n as i32)
        .rev()
        .map(|back| {
            let m = last - back;
            format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
        })
        .collect()
}

/// Counts per month put on `months`, a month without any being 0.
pub fn per_month(months: &[String], counts: &[(String, i64)]) -> Vec<(String, i64)> {
    months
        .iter()
        .map(|m| {
            let n = counts.iter().find(|(k, _)| k == m).map_or(0, |(_, n)| *n);
            (m.clone(), n)
        })
        .collect()
}

/// Trainings completed and acknowledgements given per month, the last 12
/// months (oldest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompletionTrends {
    pub training: Vec<(String, i64)>,
    pub acknowledgements: Vec<(String, i64)>,
}

impl App {
    /// How the register the person sees spreads (by level, by segment, the
    /// assets registered per month over the last 12 months, zeros kept).
    pub async fn register_spread(
        &self,
        caller: &Caller,
        filter: &AssetFilter,
    ) -> Result<mamori_store::assets::RegisterSpread> {
        let scope = self.asset_scope(caller).await?;
        let permit = self.permit_app(caller, Action::View)?;
        let months = last_months(&mamori_store::org::today(), 12);
        let first = months.first().cloned().unwrap_or_default();
        let mut spread = permit
            .store()
            .register_spread(filter, &scope, &first)
            .await?;
        spread.registered = per_month(&months, &spread.registered);
        Ok(spread)
    }

    /// The organisation's trainings completed and acknowledgements given per
    /// month over the last 12 months: for those who see the whole city's
    /// training status.
    pub async fn completion_trends(&self, caller: &Caller) -> Result<CompletionTrends> {
        let permit = self.permit_app(caller, Action::ReadTrainingStatus)?;
        let months = last_months(&mamori_store::org::today(), 12);
        let first = months.first().cloned().unwrap_or_default();
        let (training, acks) = permit.store().monthly_completions(&first).await?;
        Ok(CompletionTrends {
            training: per_month(&months, &training),
            acknowledgements: per_month(&months, &acks),
        })
    }
}

#[cfg(test)]
mod month_tests {
    use super::*;

    #[test]
    fn twelve_months_back_across_a_year() {
        let m = last_months("2026-02-15", 12);
        assert_eq!(m.len(), 12);
        assert_eq!(m[0], "2025-03");
        assert_eq!(m[11], "2026-02");
        assert_eq!(
            per_month(&m[10..], &[("2026-02".into(), 3)]),
            vec![("2026-01".to_string(), 0), ("2026-02".to_string(), 3)]
        );
    }
}
