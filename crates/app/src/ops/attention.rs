//! What needs someone now (the attention page and the dashboard's first
//! panel): open incidents by severity, the reports owed and their deadlines,
//! exceptions awaiting a decision or about to expire; each shown only to
//! those who may read it, reports owed only to those who may handle the
//! incident, pending exceptions only to those who may decide them.

use mamori_authz::{Action, Resource};
use mamori_core::ops::incident::Severity;
use mamori_store::ops::exceptions::{ExceptionFilter, ExceptionRecord};
use mamori_store::ops::incidents::{IncidentFilter, IncidentRecord};
use mamori_store::ops::permissions::PermissionRecord;
use mamori_store::units::parse_path;

use super::incidents::OwedReport;
use crate::access::{App, Caller};
use crate::error::Result;

/// A report owed, with its incident.
#[derive(Debug, Clone)]
pub struct OwedItem {
    pub incident_id: i64,
    pub incident_title: String,
    pub report: OwedReport,
}

/// What needs the person's attention on `today`.
#[derive(Debug, Clone, Default)]
pub struct Attention {
    /// Open incidents the person may read, the most serious first.
    pub incidents: Vec<IncidentRecord>,
    /// (severity code, Japanese name, English name, count) of open incidents.
    pub by_severity: Vec<(&'static str, &'static str, &'static str, usize)>,
    /// Reports owed and not yet sent, soonest deadline first.
    pub reports: Vec<OwedItem>,
    pub overdue: usize,
    /// Exceptions the person may decide.
    pub pending_exceptions: Vec<ExceptionRecord>,
    /// Approved exceptions the person may read ending soon or ended.
    pub expiring_exceptions: Vec<ExceptionRecord>,
    // --- ops2 ---
    /// Permissions the person may decide.
    pub pending_permissions: Vec<PermissionRecord>,
    /// Granted permissions the person may read, past their end, not returned.
    pub overdue_permissions: Vec<PermissionRecord>,
    /// Contracts lacking required clauses, contractors due for assessment.
    pub outsourcing: super::outsourcing::OutsourcingAttention,
}

impl Attention {
    /// Nothing to show.
    pub fn is_empty(&self) -> bool {
        self.incidents.is_empty()
            && self.reports.is_empty()
            && self.pending_exceptions.is_empty()
            && self.expiring_exceptions.is_empty()
            && self.pending_permissions.is_empty()
            && self.overdue_permissions.is_empty()
            && self.outsourcing.contracts_missing.is_empty()
            && self.outsourcing.contractors_due.is_empty()
    }
}

impl App {
    /// What needs the person's attention, judged on `today` (YYYY-MM-DD, JST).
    pub async fn attention(&self, caller: &Caller, today: &str) -> Result<Attention> {
        let permit = self.permit_app(caller, Action::View)?;
        let store = permit.store();
        let incidents = store
            .all_incidents(&IncidentFilter {
                state: Some("open".into()),
                scope: self.incident_scope(caller).await?,
                ..Default::default()
            })
            .await?;
        let handled: Vec<&IncidentRecord> = incidents
            .iter()
            .filter(|i| {
                self.may(
                    caller,
                    Action::HandleIncident,
                    &Resource::Incident {
                        id: i.id,
                        reporter: i.reporter_id,
                        unit_lineage: i.unit_path.as_deref().map(parse_path).unwrap_or_default(),
                    },
                )
            })
            .collect();
        let ids: Vec<i64> = handled.iter().map(|i| i.id).collect();
        let sent = store.incident_reports(&ids).await?;
        let mut reports: Vec<OwedItem> = handled
            .iter()
            .flat_map(|i| {
                self.owed_reports(i, &sent, today)
                    .into_iter()
                    .filter(|o| o.sent.is_none())
                    .map(|report| OwedItem {
                        incident_id: i.id,
                        incident_title: i.title.clone(),
                        report,
                    })
            })
            .collect();
        reports.sort_by(|a, b| a.report.due_on.cmp(&b.report.due_on));
        let by_severity = Severity::ALL
            .iter()
            .rev()
            .map(|s| {
                (
                    s.code(),
                    s.name_ja(),
                    s.name_en(),
                    incidents.iter().filter(|i| i.severity == s.code()).count(),
                )
            })
            .filter(|(_, _, _, n)| *n > 0)
            .collect();
        let scope = self.exception_scope(caller).await?;
        let pending_exceptions = store
            .all_exceptions(&ExceptionFilter {
                state: Some("pending".into()),
                scope: scope.clone(),
                ..Default::default()
            })
            .await?
            .into_iter()
            .filter(|e| {
                e.requester_id != caller.user.id
                    && self.may(
                        caller,
                        Action::ApproveRequest,
                        &Resource::Exception {
                            id: e.id,
                            requester: e.requester_id,
                            unit_lineage: e
                                .unit_path
                                .as_deref()
                                .map(parse_path)
                                .unwrap_or_default(),
                        },
                    )
            })
            .collect();
        let expiring_exceptions = store
            .all_exceptions(&ExceptionFilter {
                state: Some("approved".into()),
                ends_by: Some(super::exceptions::days_after(
                    today,
                    mamori_core::ops::exception::EXPIRING_DAYS,
                )),
                ends_from: None,
                scope,
            })
            .await?;
        Ok(Attention {
            overdue: reports.iter().filter(|r| r.report.overdue).count(),
            incidents,
            by_severity,
            reports,
            pending_exceptions,
            expiring_exceptions,
            pending_permissions: self.permissions_to_decide(caller).await?,
            overdue_permissions: self.overdue_permissions(caller, today).await?,
            outsourcing: self.outsourcing_attention(caller, today).await?,
        })
    }
}
