//! Violations (違反): the security office records a breach of the policy:
//! what, when it was found and by whom, who committed it (optional; their
//! unit is the violation's), what was done (instruction, suspension of
//! access, other) and the incident or audit finding it belongs to. The
//! managers of the unit read their units' violations; the security office,
//! the CISO, the 統括情報セキュリティ責任者 and auditors read them all.

use mamori_authz::{Action, Resource};
use mamori_core::ops::permission::ViolationAction;
use mamori_core::problem::Problem;
use mamori_core::table::LedgerFormat;
use mamori_store::ops::violations::{ViolationFilter, ViolationInput, ViolationRecord};
use mamori_store::units::parse_path;
use mamori_store::{Page, PageRequest};

use super::internal;
use crate::access::{App, Caller};
use crate::error::{Error, Result};

/// What the security office enters to record a violation.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct ViolationForm {
    pub what: String,
    /// YYYY-MM-DD (empty: today).
    pub found_on: String,
    /// Who found it (a name or a unit).
    pub found_by: String,
    /// The user name of whoever committed it, if known (empty: unknown).
    pub offender: String,
    /// instruction, suspension, other.
    pub action: String,
    pub action_note: String,
    pub incident_id: Option<i64>,
    /// An audit finding's number (text; empty: none).
    pub finding_id: String,
}

/// The columns of the violations register's export.
pub const VIOLATION_HEADERS: &[(&str, f64)] = &[
    ("番号 / No.", 8.0),
    ("発見日 / Found", 12.0),
    ("内容 / What", 36.0),
    ("発見者 / Found by", 14.0),
    ("違反者 / Committed by", 14.0),
    ("課 / Unit", 18.0),
    ("措置 / Action", 16.0),
    ("措置の内容 / Details", 30.0),
    ("インシデント / Incident", 10.0),
    ("指摘事項 / Finding", 10.0),
    ("記録者 / Recorded by", 14.0),
];

/// The sheet's name.
pub const VIOLATION_SHEET: &str = "違反";

fn violation_resource(v: &ViolationRecord) -> Resource {
    Resource::Unit {
        lineage: v.unit_path.as_deref().map(parse_path).unwrap_or_default(),
    }
}

impl App {
    /// The units whose violations the person may read (those they recorded always).
    pub(crate) async fn violation_scope(
        &self,
        caller: &Caller,
    ) -> Result<mamori_store::ops::OpsScope> {
        self.ops_scope(
            caller,
            |lineage| Resource::Unit { lineage },
            Action::ReadViolation,
        )
        .await
    }

    /// Whether the person may record violations.
    pub fn may_record_violation(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::RecordViolation)
    }

    /// Records a violation, every bad field named.
    pub async fn record_violation(
        &self,
        caller: &Caller,
        form: &ViolationForm,
        today: &str,
    ) -> Result<ViolationRecord> {
        let permit = self.permit_app(caller, Action::RecordViolation)?;
        let mut problems = Vec::new();
        let what = form.what.trim().to_string();
        if what.is_empty() {
            problems.push(Problem::new("MAMORI-VIOLATION-WHAT-EMPTY").field("what"));
        }
        let found_by = form.found_by.trim().to_string();
        if found_by.is_empty() {
            problems.push(Problem::new("MAMORI-VIOLATION-FOUND-BY-EMPTY").field("found_by"));
        }
        let found_on = super::read_date(
            &form.found_on,
            "found_on",
            "MAMORI-VIOLATION-DATE",
            &mut problems,
        )
        .unwrap_or(today.to_string());
        let action = ViolationAction::parse(&form.action);
        if action.is_none() {
            problems.push(
                Problem::new("MAMORI-VIOLATION-ACTION")
                    .field("action")
                    .with("value", form.action.trim()),
            );
        }
        let (mut offender_id, mut unit_id) = (None, None);
        let name = form.offender.trim();
        if !name.is_empty() {
            match self.facts().user_by_name(name).await? {
                Some(u) => (offender_id, unit_id) = (Some(u.id), u.unit_id),
                None => problems.push(
                    Problem::new("MAMORI-VIOLATION-OFFENDER")
                        .field("offender")
                        .with("value", name),
                ),
            }
        }
        if let Some(id) = form.incident_id {
            match self.facts().incident(id).await {
                Ok(_) => {}
                Err(mamori_store::StoreError::NotFound { .. }) => problems.push(
                    Problem::new("MAMORI-VIOLATION-INCIDENT")
                        .field("incident_id")
                        .with("id", id),
                ),
                Err(e) => return Err(e.into()),
            }
        }
        let finding_id = match form.finding_id.trim() {
            "" => None,
            t => match t.parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    problems.push(
                        Problem::new("MAMORI-VIOLATION-FINDING")
                            .field("finding_id")
                            .with("value", t),
                    );
                    None
                }
            },
        };
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        let input = ViolationInput {
            what,
            found_on,
            found_by,
            offender_id,
            unit_id,
            action: action.map(|a| a.code().to_string()).unwrap_or_default(),
            action_note: form.action_note.trim().to_string(),
            incident_id: form.incident_id,
            finding_id,
        };
        Ok(permit
            .store()
            .create_violation(permit.actor(), caller.user.id, &input)
            .await?)
    }

    /// One violation, hidden from those who may not read it.
    pub async fn violation(&self, caller: &Caller, id: i64) -> Result<ViolationRecord> {
        let v = match self.facts().violation(id).await {
            Err(mamori_store::StoreError::NotFound { .. }) => {
                return Err(Error::not_found("violation", id));
            }
            other => other?,
        };
        self.permit_or_hide(
            caller,
            Action::ReadViolation,
            &violation_resource(&v),
            "violation",
            id,
        )?;
        Ok(v)
    }

    /// One page of the violations the person may read, the latest first.
    pub async fn list_violations(
        &self,
        caller: &Caller,
        filter: &ViolationFilter,
        page: PageRequest,
    ) -> Result<Page<ViolationRecord>> {
        let permit = self.permit_app(caller, Action::View)?;
        let filter = ViolationFilter {
            scope: self.violation_scope(caller).await?,
            ..filter.clone()
        };
        Ok(permit.store().list_violations(&filter, page).await?)
    }

    /// The violations the person may read that the filter admits, as an
    /// .xlsx or CSV file: what the list shows with the same filter, on every
    /// page and in its order.
    pub async fn export_violations(
        &self,
        caller: &Caller,
        format: LedgerFormat,
        filter: &ViolationFilter,
    ) -> Result<Vec<u8>> {
        let permit = self.permit_app(caller, Action::View)?;
        let filter = ViolationFilter {
            scope: self.violation_scope(caller).await?,
            ..filter.clone()
        };
        let all = permit.store().all_violations(&filter).await?;
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|v| {
                vec![
                    v.id.to_string(),
                    v.found_on.clone(),
                    v.what.clone(),
                    v.found_by.clone(),
                    v.offender_name.clone().unwrap_or_default(),
                    v.unit_name.clone().unwrap_or_default(),
                    ViolationAction::parse(&v.action)
                        .map(|a| a.name_ja().to_string())
                        .unwrap_or_else(|| v.action.clone()),
                    v.action_note.clone(),
                    v.incident_id.map(|i| i.to_string()).unwrap_or_default(),
                    v.finding_id.map(|i| i.to_string()).unwrap_or_default(),
                    v.recorder_name.clone(),
                ]
            })
            .collect();
        match format {
            LedgerFormat::Xlsx => {
                mamori_sheet::status::workbook(VIOLATION_SHEET, VIOLATION_HEADERS, &rows)
            }
            LedgerFormat::Csv => mamori_sheet::status::escaped_csv(VIOLATION_HEADERS, &rows),
        }
        .map_err(internal)
    }
}
