//! Information systems as a register (第2(2)): list and read (everyone signed
//! in), register, import and retire (the security office), edit (the security
//! office, and a system's 情報システム管理者 for their own system). A system's
//! classification is computed on read: the highest level of each axis among
//! its live assets.

use std::collections::HashMap;

use mamori_authz::{Action, Resource};
use mamori_core::classification::{Axis, Scheme};
use mamori_core::problem::Problem;
use mamori_core::table::{LedgerFormat, Sheet};
use mamori_store::systems::{SystemFilter, SystemInput, SystemRecord, SystemRoleHolder};
use mamori_store::units::parse_path;
use mamori_store::{Page, PageRequest, Store};

use crate::access::{App, Caller};
use crate::error::{Error, Result};

/// A system's classification: the highest level of each axis among its live
/// assets (None: no asset at that axis).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct SystemClass {
    pub confidentiality: Option<String>,
    pub integrity: Option<String>,
    pub availability: Option<String>,
    /// Japanese names of the three levels, e.g. 機密性3 / 完全性2 / 可用性2.
    pub label: String,
    pub assets: i64,
}

/// A system with its classification.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemLine {
    pub system: SystemRecord,
    pub class: SystemClass,
}

/// A system as its page shows it.
#[derive(Debug, Clone)]
pub struct SystemView {
    pub system: SystemRecord,
    pub class: SystemClass,
    /// 情報システム管理者 and 担当者 held today.
    pub roles: Vec<SystemRoleHolder>,
    pub may_edit: bool,
    pub may_retire: bool,
}

/// What a person enters for a system (text as the form or the API sends it).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct SystemForm {
    pub code: String,
    pub name: String,
    pub owner_unit_id: Option<i64>,
    pub segment_id: Option<i64>,
    pub description: String,
    pub vendor: String,
    pub go_live_on: String,
    pub ends_on: String,
}

/// The columns of the systems sheet (header, export width). The last two are
/// written, and ignored when read back.
pub const SYSTEM_HEADERS: &[(&str, f64)] = &[
    ("コード / Code", 14.0),
    ("名称 / Name", 28.0),
    ("所管課 / Owning unit", 20.0),
    ("ネットワーク区分 / Segment", 18.0),
    ("概要 / Description", 36.0),
    ("委託先・サービス / Vendor or service", 24.0),
    ("稼働開始日 / Go-live", 12.0),
    ("終了日 / End", 12.0),
    ("廃止日 / Retired", 12.0),
    ("格付け / Classification", 24.0),
];

/// The sheet's name.
pub const SYSTEM_SHEET: &str = "情報システム";

/// A date as entered (any form the ledger reads: 2024-04-01, 令和6年4月1日 …),
/// as YYYY-MM-DD; a problem naming the field when it cannot be read.
pub(crate) fn entered_date(
    text: &str,
    field: &str,
    code: &'static str,
) -> std::result::Result<Option<String>, Problem> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    mamori_core::asset::parse_date(t)
        .map(|d| Some(d.to_string()))
        .ok_or_else(|| Problem::new(code).field(field).with("value", t))
}

fn class_of(scheme: &Scheme, levels: &[&mamori_store::systems::SystemLevels]) -> SystemClass {
    let mut class = SystemClass::default();
    let mut best: HashMap<Axis, (u32, String, String)> = HashMap::new();
    for l in levels {
        class.assets += l.assets;
        for (axis, code) in [
            (Axis::Confidentiality, &l.confidentiality),
            (Axis::Integrity, &l.integrity),
            (Axis::Availability, &l.availability),
        ] {
            if let Some(level) = scheme.level(axis, code) {
                let e = best
                    .entry(axis)
                    .or_insert((0, String::new(), String::new()));
                if level.rank >= e.0 {
                    *e = (level.rank, level.code.clone(), level.name.clone());
                }
            }
        }
    }
    let take = |axis| best.get(&axis).map(|(_, c, _)| c.clone());
    class.confidentiality = take(Axis::Confidentiality);
    class.integrity = take(Axis::Integrity);
    class.availability = take(Axis::Availability);
    class.label = Axis::ALL
        .iter()
        .filter_map(|a| best.get(a).map(|(_, _, n)| n.clone()))
        .collect::<Vec<_>>()
        .join(" / ");
    class
}

impl App {
    /// The classification of these systems, in one query.
    async fn classes(&self, ids: &[i64]) -> Result<HashMap<i64, SystemClass>> {
        let levels = self.facts().system_levels(ids).await?;
        let scheme = self.facts().active_scheme().await?;
        let mut by: HashMap<i64, Vec<&mamori_store::systems::SystemLevels>> = HashMap::new();
        for l in &levels {
            by.entry(l.system_id).or_default().push(l);
        }
        Ok(ids
            .iter()
            .map(|id| {
                (
                    *id,
                    class_of(&scheme, by.get(id).map(Vec::as_slice).unwrap_or(&[])),
                )
            })
            .collect())
    }

    /// The resource a system is for the policy.
    pub(crate) async fn system_resource(&self, system: &SystemRecord) -> Result<Resource> {
        let unit_lineage = match system.owner_unit_id {
            Some(u) => parse_path(&self.facts().unit(u).await?.path),
            None => Vec::new(),
        };
        Ok(Resource::InformationSystem {
            id: system.id,
            unit_lineage,
        })
    }

    /// One page of the register, with each system's classification.
    pub async fn system_list(
        &self,
        caller: &Caller,
        filter: &SystemFilter,
        page: PageRequest,
    ) -> Result<Page<SystemLine>> {
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        let found = permit.store().list_systems(filter, page).await?;
        let ids: Vec<i64> = found.items.iter().map(|s| s.id).collect();
        let mut classes = self.classes(&ids).await?;
        Ok(Page {
            total: found.total,
            items: found
                .items
                .into_iter()
                .map(|system| SystemLine {
                    class: classes.remove(&system.id).unwrap_or_default(),
                    system,
                })
                .collect(),
        })
    }

    /// One system as its page shows it.
    pub async fn system_view(&self, caller: &Caller, id: i64) -> Result<SystemView> {
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        let system = permit.store().system(id).await?;
        let mut classes = self.classes(&[id]).await?;
        let roles = permit
            .store()
            .system_role_holders(id, &mamori_store::org::today())
            .await?;
        let resource = self.system_resource(&system).await?;
        let open = !system.is_retired();
        Ok(SystemView {
            may_edit: open && self.may(caller, Action::EditSystem, &resource),
            may_retire: open && self.may_app(caller, Action::ManageSystems),
            class: classes.remove(&id).unwrap_or_default(),
            roles,
            system,
        })
    }

    /// Every active unit, for a select of the owning unit (by name).
    pub async fn unit_choices(&self, caller: &Caller) -> Result<Vec<mamori_store::units::Unit>> {
        let permit = self.permit_app(caller, Action::ReadUnits)?;
        Ok(permit
            .store()
            .all_units()
            .await?
            .into_iter()
            .filter(|u| u.active)
            .collect())
    }

    /// Whether the person may register and import systems.
    pub fn may_manage_systems(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::ManageSystems)
    }

    /// Reads a form into a checked input: every problem at once.
    async fn system_input(&self, form: &SystemForm) -> Result<SystemInput> {
        let mut problems = Vec::new();
        let code = form.code.trim().to_string();
        let name = form.name.trim().to_string();
        if code.is_empty() {
            problems.push(Problem::new("MAMORI-SYSTEM-CODE-EMPTY").field("code"));
        }
        if name.is_empty() {
            problems.push(Problem::new("MAMORI-SYSTEM-NAME-EMPTY").field("name"));
        }
        if let Some(unit) = form.owner_unit_id {
            match self.facts().unit(unit).await {
                Ok(u) if u.active => {}
                Ok(_) | Err(mamori_store::StoreError::NotFound { .. }) => problems.push(
                    Problem::new("MAMORI-SYSTEM-UNIT")
                        .field("owner_unit_id")
                        .with("unit", unit),
                ),
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(seg) = form.segment_id
            && !self.facts().segments().await?.iter().any(|s| s.id == seg)
        {
            problems.push(
                Problem::new("MAMORI-SYSTEM-SEGMENT")
                    .field("segment_id")
                    .with("segment", seg),
            );
        }
        let go_live = entered_date(&form.go_live_on, "go_live_on", "MAMORI-SYSTEM-DATE");
        let ends = entered_date(&form.ends_on, "ends_on", "MAMORI-SYSTEM-DATE");
        if let (Ok(Some(g)), Ok(Some(e))) = (&go_live, &ends)
            && e < g
        {
            problems.push(Problem::new("MAMORI-SYSTEM-DATES-ORDER").field("ends_on"));
        }
        let (go_live_on, ends_on) = match (go_live, ends) {
            (Ok(g), Ok(e)) => (g, e),
            (g, e) => {
                problems.extend(g.err());
                problems.extend(e.err());
                (None, None)
            }
        };
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        Ok(SystemInput {
            code,
            name,
            owner_unit_id: form.owner_unit_id,
            segment_id: form.segment_id,
            description: form.description.trim().to_string(),
            vendor: form.vendor.trim().to_string(),
            go_live_on,
            ends_on,
        })
    }

    /// Registers a system.
    pub async fn create_system(&self, caller: &Caller, form: &SystemForm) -> Result<SystemRecord> {
        let permit = self.permit_app(caller, Action::ManageSystems)?;
        let input = self.system_input(form).await?;
        Ok(permit.store().create_system(permit.actor(), &input).await?)
    }

    /// A system the person may edit (for its form), or forbidden.
    pub async fn editable_system(&self, caller: &Caller, id: i64) -> Result<SystemRecord> {
        let system = self.facts().system(id).await?;
        let resource = self.system_resource(&system).await?;
        self.permit(caller, Action::EditSystem, &resource)?;
        Ok(system)
    }

    /// Changes a system; `revision` is the one the editor read.
    pub async fn update_system(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        form: &SystemForm,
    ) -> Result<SystemRecord> {
        let system = self.facts().system(id).await?;
        let resource = self.system_resource(&system).await?;
        let permit = self.permit(caller, Action::EditSystem, &resource)?;
        let input = self.system_input(form).await?;
        let system = permit
            .store()
            .update_system(permit.actor(), id, revision, &input)
            .await?;
        // Its segment and unit place its assets' risks.
        self.recompute_risks_in_background(permit.actor().clone());
        Ok(system)
    }

    /// Retires a system on `on` (today when empty): it stays readable,
    /// read-only.
    pub async fn retire_system(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        on: &str,
    ) -> Result<SystemRecord> {
        let permit = self.permit_app(caller, Action::ManageSystems)?;
        let system = permit.store().system(id).await?;
        let on =
            match entered_date(on, "retired_on", "MAMORI-SYSTEM-DATE").map_err(Error::problem)? {
                Some(d) => d,
                None => mamori_store::org::today(),
            };
        if let Some(g) = &system.go_live_on
            && on < *g
        {
            return Err(Error::problem(
                Problem::new("MAMORI-SYSTEM-RETIRE-DATE")
                    .field("retired_on")
                    .with("on", &on),
            ));
        }
        Ok(permit
            .store()
            .retire_system(permit.actor(), id, revision, &on)
            .await?)
    }

    /// The register (retired systems too) as an .xlsx or CSV file.
    pub async fn export_systems(&self, caller: &Caller, format: LedgerFormat) -> Result<Vec<u8>> {
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        self.systems_file(permit.store(), format).await
    }

    /// The register as a file, for the operator (`mamori systems export`).
    pub async fn operator_export_systems(&self, format: LedgerFormat) -> Result<Vec<u8>> {
        let permit = self.system("cli");
        self.systems_file(permit.store(), format).await
    }

    async fn systems_file(&self, store: &Store, format: LedgerFormat) -> Result<Vec<u8>> {
        let all = store
            .all_systems(&SystemFilter {
                include_retired: true,
                ..Default::default()
            })
            .await?;
        let ids: Vec<i64> = all.iter().map(|s| s.id).collect();
        let classes = self.classes(&ids).await?;
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|s| {
                vec![
                    s.code.clone(),
                    s.name.clone(),
                    s.owner_unit_name.clone().unwrap_or_default(),
                    s.segment_name.clone().unwrap_or_default(),
                    s.description.clone(),
                    s.vendor.clone(),
                    s.go_live_on.clone().unwrap_or_default(),
                    s.ends_on.clone().unwrap_or_default(),
                    s.retired_on.clone().unwrap_or_default(),
                    classes
                        .get(&s.id)
                        .map(|c| c.label.clone())
                        .unwrap_or_default(),
                ]
            })
            .collect();
        let bytes = match format {
            LedgerFormat::Xlsx => {
                mamori_sheet::status::workbook(SYSTEM_SHEET, SYSTEM_HEADERS, &rows)
            }
            LedgerFormat::Csv => mamori_sheet::status::escaped_csv(SYSTEM_HEADERS, &rows),
        }
        .map_err(|e| Error::Store(mamori_store::StoreError::Internal(e.to_string())))?;
        Ok(bytes)
    }

    /// Creates or updates systems from a sheet (by code): all rows or none,
    /// every problem named by its row and column.
    pub async fn import_systems(
        &self,
        caller: &Caller,
        bytes: &[u8],
        format: LedgerFormat,
    ) -> Result<(usize, usize)> {
        let permit = self.permit_app(caller, Action::ManageSystems)?;
        let inputs = self.system_rows(bytes, format).await?;
        Ok(permit
            .store()
            .import_systems(permit.actor(), &inputs)
            .await?)
    }

    /// The same, for the operator (`mamori systems import`).
    pub async fn operator_import_systems(
        &self,
        bytes: &[u8],
        format: LedgerFormat,
    ) -> Result<(usize, usize)> {
        let permit = self.system("cli");
        let inputs = self.system_rows(bytes, format).await?;
        Ok(permit
            .store()
            .import_systems(permit.actor(), &inputs)
            .await?)
    }

    async fn system_rows(&self, bytes: &[u8], format: LedgerFormat) -> Result<Vec<SystemInput>> {
        let sheet = read_sheet(self, bytes, format, &[SYSTEM_SHEET], "コード")?;
        let col = |name: &str| column_of(&sheet, name);
        let (c_code, c_name, c_unit, c_seg, c_desc, c_vendor, c_live, c_end) = (
            col("コード"),
            col("名称"),
            col("所管課"),
            col("ネットワーク区分"),
            col("概要"),
            col("委託先"),
            col("稼働開始日"),
            col("終了日"),
        );
        let units = self.facts().all_units().await?;
        let segments = self.facts().segments().await?;
        let mut problems = Vec::new();
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for row in &sheet.rows {
            let cell = |c: Option<usize>| {
                c.and_then(|i| row.cells.get(i))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            };
            let at = |p: Problem, header: &str| p.row(u64::from(row.number)).field(header);
            let unit_text = cell(c_unit);
            let owner_unit_id = if unit_text.is_empty() {
                None
            } else {
                match units
                    .iter()
                    .find(|u| u.active && (u.code == unit_text || u.name == unit_text))
                {
                    Some(u) => Some(u.id),
                    None => {
                        problems.push(at(
                            Problem::new("MAMORI-SYSTEM-UNIT").with("unit", &unit_text),
                            "所管課",
                        ));
                        None
                    }
                }
            };
            let seg_text = cell(c_seg);
            let segment_id = if seg_text.is_empty() {
                None
            } else {
                match segments.iter().find(|s| s.name == seg_text) {
                    Some(s) => Some(s.id),
                    None => {
                        problems.push(at(
                            Problem::new("MAMORI-SYSTEM-SEGMENT").with("segment", &seg_text),
                            "ネットワーク区分",
                        ));
                        None
                    }
                }
            };
            let form = SystemForm {
                code: cell(c_code),
                name: cell(c_name),
                owner_unit_id,
                segment_id,
                description: cell(c_desc),
                vendor: cell(c_vendor),
                go_live_on: cell(c_live),
                ends_on: cell(c_end),
            };
            if !form.code.is_empty() && !seen.insert(form.code.clone()) {
                problems.push(at(
                    Problem::new("MAMORI-SYSTEM-CODE-TAKEN").with("code", &form.code),
                    "コード",
                ));
            }
            // The unit and segment were resolved above: check the rest.
            let checked = SystemForm {
                owner_unit_id: None,
                segment_id: None,
                ..form.clone()
            };
            match self.system_input(&checked).await {
                Ok(mut input) => {
                    input.owner_unit_id = form.owner_unit_id;
                    input.segment_id = form.segment_id;
                    out.push(input);
                }
                Err(Error::Rejected(ps)) => {
                    for p in ps {
                        let header = match p.field.as_deref() {
                            Some("code") => "コード",
                            Some("name") => "名称",
                            Some("go_live_on") => "稼働開始日",
                            _ => "終了日",
                        };
                        problems.push(at(p, header));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        Ok(out)
    }
}

/// Reads an uploaded sheet (header found by `key`) under the app's limits.
pub(crate) fn read_sheet(
    app: &App,
    bytes: &[u8],
    format: LedgerFormat,
    sheets: &[&str],
    key: &str,
) -> Result<Sheet> {
    mamori_sheet::read::read_rows(bytes, format, sheets, app.import_limits())
        .and_then(|rows| mamori_sheet::read::split_header(rows, |c| c.trim().starts_with(key)))
        .map_err(|m| {
            Error::problem(
                Problem::new("MAMORI-BAD-UPLOAD")
                    .field("file")
                    .with("detail", format!("{} / {}", m.message, m.message_en)),
            )
        })
        .and_then(|sheet| {
            // A file without the header row (its first column `key`) is not a
            // sheet of this register: refused rather than read as empty.
            if column_of(&sheet, key).is_some() {
                Ok(sheet)
            } else {
                Err(Error::problem(
                    Problem::new("MAMORI-BAD-UPLOAD").field("file").with(
                        "detail",
                        format!("見出し行（{key} …）がありません / the header row ({key} …) was not found"),
                    ),
                ))
            }
        })
}

/// The column whose header begins with `name` (headers are "日本語 / English").
pub(crate) fn column_of(sheet: &Sheet, name: &str) -> Option<usize> {
    sheet.header.iter().position(|h| h.trim().starts_with(name))
}
