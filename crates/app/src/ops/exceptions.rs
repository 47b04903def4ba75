//! Exceptions (例外措置): anyone signed in asks to deviate from a provision
//! or control, with reason, scope, compensating measures and an end date; the
//! CISO or the 統括情報セキュリティ責任者 approve or refuse it (never their own
//! request); an approved exception expires on its end date and may be renewed
//! by a new request.

use mamori_authz::{Action, Resource};
use mamori_core::ops::exception::{Deviation, EXPIRING_DAYS};
use mamori_core::problem::Problem;
use mamori_core::table::LedgerFormat;
use mamori_store::ops::exceptions::{ExceptionFilter, ExceptionInput, ExceptionRecord};
use mamori_store::units::parse_path;
use mamori_store::{Page, PageRequest};

use super::internal;
use crate::access::{App, Caller};
use crate::error::{Error, Result};

/// What a person enters to ask for an exception.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct ExceptionForm {
    /// `CODE#KEY` (a provision of a policy document) or a control code.
    pub deviation: String,
    pub reason: String,
    pub compensating: String,
    pub scope_units: Vec<i64>,
    pub scope_systems: Vec<i64>,
    pub scope_assets: Vec<i64>,
    /// YYYY-MM-DD (empty: today).
    pub starts_on: String,
    /// YYYY-MM-DD, required.
    pub ends_on: String,
}

/// An exception as its page shows it.
#[derive(Debug, Clone)]
pub struct ExceptionView {
    pub exception: ExceptionRecord,
    /// pending, approved, refused, withdrawn, or expired (approved, past its end).
    pub shown_state: String,
    pub may_decide: bool,
    /// Approved: a renewal may be asked for.
    pub may_renew: bool,
}

/// The columns of the exceptions register's export.
pub const EXCEPTION_HEADERS: &[(&str, f64)] = &[
    ("番号 / No.", 8.0),
    ("規定・対策 / Provision or control", 20.0),
    ("理由 / Reason", 30.0),
    ("代替措置 / Compensating measures", 30.0),
    ("課 / Unit", 18.0),
    ("開始日 / Starts", 12.0),
    ("終了日 / Ends", 12.0),
    ("状態 / State", 10.0),
    ("申請者 / Requested by", 14.0),
    ("判断者 / Decided by", 14.0),
    ("判断日時 / Decided", 20.0),
    ("更新元 / Renews", 8.0),
];

/// The sheet's name.
pub const EXCEPTION_SHEET: &str = "例外措置";

fn exception_resource(e: &ExceptionRecord) -> Resource {
    Resource::Exception {
        id: e.id,
        requester: e.requester_id,
        unit_lineage: e.unit_path.as_deref().map(parse_path).unwrap_or_default(),
    }
}

/// The state shown on `today`: an approved exception past its end is expired.
pub fn shown_state(e: &ExceptionRecord, today: &str) -> String {
    if e.expired_on(today) {
        "expired".to_string()
    } else {
        e.state.clone()
    }
}

fn date_field(text: &str, field: &str, problems: &mut Vec<Problem>) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match mamori_core::asset::parse_date(t) {
        Some(d) => Some(d.to_string()),
        None => {
            problems.push(
                Problem::new("MAMORI-EXCEPTION-DATE")
                    .field(field)
                    .with("value", t),
            );
            None
        }
    }
}

/// The day `days` after `today` (YYYY-MM-DD).
pub(crate) fn days_after(today: &str, days: i64) -> String {
    mamori_core::catalog::parse_iso_date(today)
        .map(|d| (d + time::Duration::days(days)).to_string())
        .unwrap_or_else(|_| today.to_string())
}

impl App {
    /// The units whose exceptions the person may read (their own requests always).
    pub(crate) async fn exception_scope(
        &self,
        caller: &Caller,
    ) -> Result<mamori_store::ops::OpsScope> {
        self.ops_scope(
            caller,
            |unit_lineage| Resource::Exception {
                id: 0,
                requester: i64::MIN,
                unit_lineage,
            },
            Action::ReadException,
        )
        .await
    }

    /// Whether the person may ask for an exception.
    pub fn may_request_exception(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::RequestException)
    }

    async fn exception_input(
        &self,
        form: &ExceptionForm,
        today: &str,
        renewed_from: Option<i64>,
        caller: &Caller,
        unit_id: Option<i64>,
    ) -> Result<ExceptionInput> {
        let mut problems = Vec::new();
        let deviation = match Deviation::parse(&form.deviation) {
            None => {
                problems.push(
                    Problem::new("MAMORI-EXCEPTION-DEVIATION")
                        .field("deviation")
                        .with("value", form.deviation.trim()),
                );
                None
            }
            Some(d) => {
                let exists = match &d {
                    Deviation::Provision { document, key } => {
                        self.facts().provision_exists(document, key).await?
                    }
                    Deviation::Control(code) => !self
                        .facts()
                        .live_control_codes(std::slice::from_ref(code))
                        .await?
                        .is_empty(),
                };
                if !exists {
                    problems.push(
                        Problem::new("MAMORI-EXCEPTION-DEVIATION-UNKNOWN")
                            .field("deviation")
                            .with("value", d.text()),
                    );
                }
                Some(d)
            }
        };
        let reason = form.reason.trim().to_string();
        if reason.is_empty() {
            problems.push(Problem::new("MAMORI-EXCEPTION-REASON-EMPTY").field("reason"));
        }
        let compensating = form.compensating.trim().to_string();
        if compensating.is_empty() {
            problems
                .push(Problem::new("MAMORI-EXCEPTION-COMPENSATING-EMPTY").field("compensating"));
        }
        let starts_on =
            date_field(&form.starts_on, "starts_on", &mut problems).unwrap_or(today.to_string());
        let ends_on = date_field(&form.ends_on, "ends_on", &mut problems);
        if form.ends_on.trim().is_empty() {
            problems.push(Problem::new("MAMORI-EXCEPTION-END-REQUIRED").field("ends_on"));
        }
        if let Some(end) = &ends_on
            && *end < starts_on
        {
            problems.push(Problem::new("MAMORI-EXCEPTION-END-BEFORE-START").field("ends_on"));
        }
        let units = self.facts().all_units().await?;
        for id in &form.scope_units {
            if !units.iter().any(|u| u.id == *id && u.active) {
                problems.push(
                    Problem::new("MAMORI-EXCEPTION-SCOPE")
                        .field("scope_units")
                        .with("what", "課")
                        .with("what_en", "unit")
                        .with("id", id),
                );
            }
        }
        for id in &form.scope_systems {
            if let Err(e) = self.facts().system(*id).await {
                match e {
                    mamori_store::StoreError::NotFound { .. } => problems.push(
                        Problem::new("MAMORI-EXCEPTION-SCOPE")
                            .field("scope_systems")
                            .with("what", "情報システム")
                            .with("what_en", "information system")
                            .with("id", id),
                    ),
                    e => return Err(e.into()),
                }
            }
        }
        if !form.scope_assets.is_empty() {
            // Only assets the person may see: others are "not there".
            let scope = self.asset_scope(caller).await?;
            for id in &form.scope_assets {
                if let Err(e) = self.facts().asset(*id, &scope).await {
                    match e {
                        mamori_store::StoreError::NotFound { .. } => problems.push(
                            Problem::new("MAMORI-EXCEPTION-SCOPE")
                                .field("scope_assets")
                                .with("what", "情報資産")
                                .with("what_en", "asset")
                                .with("id", id),
                        ),
                        e => return Err(e.into()),
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        let sorted = |v: &[i64]| {
            let mut v = v.to_vec();
            v.sort_unstable();
            v.dedup();
            v
        };
        Ok(ExceptionInput {
            deviation: deviation.map(|d| d.text()).unwrap_or_default(),
            reason,
            compensating,
            unit_id,
            scope_units: sorted(&form.scope_units),
            scope_systems: sorted(&form.scope_systems),
            scope_assets: sorted(&form.scope_assets),
            starts_on,
            ends_on: ends_on.unwrap_or_default(),
            renewed_from,
        })
    }

    /// Asks for an exception (state pending).
    pub async fn request_exception(
        &self,
        caller: &Caller,
        form: &ExceptionForm,
        today: &str,
    ) -> Result<ExceptionRecord> {
        let permit = self.permit_app(caller, Action::RequestException)?;
        let input = self
            .exception_input(form, today, None, caller, caller.user.unit_id)
            .await?;
        Ok(permit
            .store()
            .create_exception(permit.actor(), caller.user.id, &input)
            .await?)
    }

    async fn readable_exception(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<(ExceptionRecord, Resource)> {
        let e = match self.facts().exception(id).await {
            Err(mamori_store::StoreError::NotFound { .. }) => {
                return Err(Error::not_found("exception", id));
            }
            other => other?,
        };
        let r = exception_resource(&e);
        self.permit_or_hide(caller, Action::ReadException, &r, "exception", id)?;
        Ok((e, r))
    }

    /// One exception as its page shows it, its state judged on `today`.
    pub async fn exception_view(
        &self,
        caller: &Caller,
        id: i64,
        today: &str,
    ) -> Result<ExceptionView> {
        let (e, r) = self.readable_exception(caller, id).await?;
        Ok(ExceptionView {
            shown_state: shown_state(&e, today),
            may_decide: e.state == "pending" && self.may(caller, Action::ApproveRequest, &r),
            may_renew: e.state == "approved",
            exception: e,
        })
    }

    /// One page of the exceptions the person may read, by end date.
    pub async fn list_exceptions(
        &self,
        caller: &Caller,
        filter: &ExceptionFilter,
        page: PageRequest,
    ) -> Result<Page<ExceptionRecord>> {
        let permit = self.permit_app(caller, Action::View)?;
        let filter = ExceptionFilter {
            scope: self.exception_scope(caller).await?,
            ..filter.clone()
        };
        Ok(permit.store().list_exceptions(&filter, page).await?)
    }

    /// Approved exceptions the person may read that end within
    /// [`EXPIRING_DAYS`] of `today` (or ended already), soonest first.
    pub async fn expiring_exceptions(
        &self,
        caller: &Caller,
        today: &str,
    ) -> Result<Vec<ExceptionRecord>> {
        let permit = self.permit_app(caller, Action::View)?;
        let filter = ExceptionFilter {
            state: Some("approved".into()),
            ends_by: Some(days_after(today, EXPIRING_DAYS)),
            ends_from: None,
            scope: self.exception_scope(caller).await?,
        };
        Ok(permit.store().all_exceptions(&filter).await?)
    }

    /// Approves (`approve`) or refuses (`refuse`) a pending exception: the CISO
    /// or the 統括情報セキュリティ責任者, never the requester.
    pub async fn decide_exception(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        decision: &str,
        note: &str,
    ) -> Result<ExceptionRecord> {
        let (e, r) = self.readable_exception(caller, id).await?;
        let state = match decision.trim() {
            "approve" => "approved",
            "refuse" => "refused",
            _ => {
                return Err(Problem::new("MAMORI-EXCEPTION-DECISION")
                    .field("decision")
                    .into());
            }
        };
        if e.requester_id == caller.user.id {
            return Err(Problem::new("MAMORI-EXCEPTION-SELF-DECISION").into());
        }
        let permit = match self.permit(caller, Action::ApproveRequest, &r) {
            Err(Error::Forbidden) => return Err(Problem::new("MAMORI-EXCEPTION-DECIDER").into()),
            other => other?,
        };
        Ok(permit
            .store()
            .decide_exception(
                permit.actor(),
                caller.user.id,
                id,
                revision,
                state,
                note.trim(),
            )
            .await?)
    }

    /// Asks to renew an approved exception: a new request for the same
    /// deviation, naming the one it renews.
    pub async fn renew_exception(
        &self,
        caller: &Caller,
        id: i64,
        form: &ExceptionForm,
        today: &str,
    ) -> Result<ExceptionRecord> {
        let (e, _) = self.readable_exception(caller, id).await?;
        let permit = self.permit_app(caller, Action::RequestException)?;
        if e.state != "approved" {
            return Err(Problem::new("MAMORI-EXCEPTION-RENEW").into());
        }
        let input = self
            .exception_input(form, today, Some(id), caller, e.unit_id)
            .await?;
        Ok(permit
            .store()
            .create_exception(permit.actor(), caller.user.id, &input)
            .await?)
    }

    /// The exceptions the person may read that the filter admits, as an
    /// .xlsx or CSV file: what the list shows with the same filter, on every
    /// page and in its order.
    pub async fn export_exceptions(
        &self,
        caller: &Caller,
        format: LedgerFormat,
        filter: &ExceptionFilter,
        today: &str,
    ) -> Result<Vec<u8>> {
        let permit = self.permit_app(caller, Action::View)?;
        let filter = ExceptionFilter {
            scope: self.exception_scope(caller).await?,
            ..filter.clone()
        };
        let all = permit.store().all_exceptions(&filter).await?;
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|e| {
                vec![
                    e.id.to_string(),
                    e.deviation.clone(),
                    e.reason.clone(),
                    e.compensating.clone(),
                    e.unit_name.clone().unwrap_or_default(),
                    e.starts_on.clone(),
                    e.ends_on.clone(),
                    shown_state(e, today),
                    e.requester_name.clone(),
                    e.decider_name.clone().unwrap_or_default(),
                    e.decided_at.clone().unwrap_or_default(),
                    e.renewed_from.map(|r| r.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        match format {
            LedgerFormat::Xlsx => {
                mamori_sheet::status::workbook(EXCEPTION_SHEET, EXCEPTION_HEADERS, &rows)
            }
            LedgerFormat::Csv => mamori_sheet::status::escaped_csv(EXCEPTION_HEADERS, &rows),
        }
        .map_err(internal)
    }
}
