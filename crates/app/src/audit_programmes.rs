//! Audits (監査, 第10; issue 14 part 2): the security office keeps a
//! multi-year programme with its yearly plans and the audits of each plan;
//! the CISO (or the 統括情報セキュリティ責任者) may order an audit outside
//! the plan. An audit has a scope (units, information systems, standards
//! chapters), a period, a status and auditors: users of Mamori, or external
//! auditors recorded by name and firm. Independence: assigning a user who
//! belongs to or manages a unit in scope (or a system's owning unit) is
//! refused — the Cedar rule `no-auditing-own-unit` asked for the auditor
//! through `App::permit`. The assigned auditors record each item's result
//! with the evidence seen; a nonconforming result can raise a finding.

use mamori_authz::{Action, Resource};
use mamori_core::audit::finding::{FindingSeverity, FindingSource};
use mamori_core::problem::Problem;
use mamori_store::audit_programmes::{
    AuditInput, AuditRow, AuditorInput, AuditorRow, PlanRow, ProgrammeRow, ResultInput, ResultRow,
};
use mamori_store::findings::{FindingInput, FindingRecord};
use mamori_store::units::parse_path;
use mamori_store::{Page, PageRequest, StoreError};

use crate::access::{App, Caller};
use crate::error::{Error, Result};

/// The statuses of an audit, in order.
pub const AUDIT_STATUSES: &[&str] = &["planned", "in_progress", "reported", "closed"];

/// The results an auditor records for an item.
pub const AUDIT_RESULTS: &[&str] = &[
    "conforming",
    "nonconforming",
    "observation",
    "not_applicable",
];

/// An auditor as entered: a user of Mamori (`user_id`), or an external
/// auditor by name and firm.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct AuditorForm {
    pub user_id: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub firm: String,
}

/// An audit as entered.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct AuditForm {
    /// The yearly plan; None: an audit the CISO orders outside the plan.
    pub plan_id: Option<i64>,
    pub title: String,
    #[serde(default)]
    pub scope_units: Vec<i64>,
    #[serde(default)]
    pub scope_systems: Vec<i64>,
    #[serde(default)]
    pub scope_chapters: Vec<i64>,
    /// YYYY-MM-DD.
    pub period_from: String,
    pub period_to: String,
    /// The checklist template to copy (frozen) for the audit.
    pub template_id: Option<i64>,
    #[serde(default)]
    pub auditors: Vec<AuditorForm>,
}

/// A result as entered; `raise_finding` with a nonconforming result raises
/// a finding (severity, unit: the first unit in scope unless given).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct ResultForm {
    pub item_id: i64,
    pub result: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub evidence_link: String,
    #[serde(default)]
    pub raise_finding: bool,
    #[serde(default)]
    pub severity: String,
    pub unit_id: Option<i64>,
}

/// An audit as its page shows it.
#[derive(Debug, Clone)]
pub struct AuditView {
    pub audit: AuditRow,
    pub auditors: Vec<AuditorRow>,
    /// The units in scope: (id, name).
    pub units: Vec<(i64, String)>,
    pub results: Vec<ResultRow>,
    /// The evidence files and links attached to the results, by item.
    pub evidence: Vec<mamori_store::audits::AnswerEvidence>,
    pub may_manage: bool,
    /// The reader is one of its auditors and the audit is not reported.
    pub may_record: bool,
}

/// A programme with its plans.
#[derive(Debug, Clone)]
pub struct ProgrammeView {
    pub programme: ProgrammeRow,
    pub plans: Vec<PlanRow>,
}

fn ids_of(text: &str) -> Vec<i64> {
    text.split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect()
}

fn date_of(text: &str, field: &str, problems: &mut Vec<Problem>) -> String {
    match mamori_core::asset::parse_date(text.trim()) {
        Some(d) => d.to_string(),
        None => {
            problems.push(
                Problem::new("MAMORI-AUDIT-PERIOD")
                    .field(field)
                    .with("value", text.trim()),
            );
            String::new()
        }
    }
}

impl App {
    /// Whether the person may order an audit outside the plan.
    pub fn may_order_audit(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::OrderAudit)
    }

    /// Creates a programme covering fiscal years `first_year`..=`last_year`
    /// (at most ten), with a plan for each year. The security office.
    pub async fn create_programme(
        &self,
        caller: &Caller,
        title: &str,
        first_year: i64,
        last_year: i64,
    ) -> Result<ProgrammeRow> {
        let permit = self.permit_app(caller, Action::ManageAudits)?;
        let mut problems = Vec::new();
        if title.trim().is_empty() {
            problems.push(Problem::new("MAMORI-AUDIT-TITLE-EMPTY").field("title"));
        }
        if !(2000..=2100).contains(&first_year)
            || last_year < first_year
            || last_year - first_year >= 10
        {
            problems.push(
                Problem::new("MAMORI-AUDIT-YEARS")
                    .field("last_year")
                    .with("first", first_year)
                    .with("last", last_year),
            );
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        Ok(permit
            .store()
            .create_programme(
                permit.actor(),
                Some(caller.user.id),
                title.trim(),
                first_year,
                last_year,
            )
            .await?)
    }

    /// Every programme with its plans.
    pub async fn programmes(&self, caller: &Caller) -> Result<Vec<ProgrammeView>> {
        let permit = self.permit_app(caller, Action::ReadAuditResults)?;
        let mut out = Vec::new();
        for programme in permit.store().list_programmes().await? {
            let plans = permit.store().programme_plans(programme.id).await?;
            out.push(ProgrammeView { programme, plans });
        }
        Ok(out)
    }

    /// One page of the audits (of a plan; `Some(0)`: those outside any plan).
    pub async fn audits(
        &self,
        caller: &Caller,
        plan: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<AuditRow>> {
        let permit = self.permit_app(caller, Action::ReadAuditResults)?;
        Ok(permit.store().list_audits(plan, page).await?)
    }

    /// The lineages of the units an audit's scope covers: its units and the
    /// owning units of its systems, with their names.
    async fn scope_lineages(
        &self,
        units: &[i64],
        systems: &[i64],
        problems: &mut Vec<Problem>,
    ) -> Result<Vec<(i64, String, Vec<i64>)>> {
        let all = self.facts().all_units().await?;
        let mut out = Vec::new();
        let mut push = |id: i64, field: &str, problems: &mut Vec<Problem>| match all
            .iter()
            .find(|u| u.id == id && u.active)
        {
            Some(u) => out.push((u.id, u.name.clone(), parse_path(&u.path))),
            None => problems.push(
                Problem::new("MAMORI-AUDIT-SCOPE")
                    .field(field)
                    .with("what", "課")
                    .with("what_en", "unit")
                    .with("id", id),
            ),
        };
        for u in units {
            push(*u, "scope_units", problems);
        }
        for s in systems {
            match self.facts().system(*s).await {
                Ok(sys) => {
                    if let Some(owner) = sys.owner_unit_id {
                        push(owner, "scope_systems", problems);
                    }
                }
                Err(StoreError::NotFound { .. }) => problems.push(
                    Problem::new("MAMORI-AUDIT-SCOPE")
                        .field("scope_systems")
                        .with("what", "情報システム")
                        .with("what_en", "information system")
                        .with("id", s),
                ),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(out)
    }

    /// Creates an audit. In a plan: the security office; outside any plan
    /// (`plan_id` None): the CISO or the 統括情報セキュリティ責任者, recorded as
    /// ordering it. Every auditor who is a user must be independent of every
    /// unit in scope (Cedar `audit_unit`): else MAMORI-AUDIT-INDEPENDENCE
    /// naming the auditor and the unit.
    pub async fn create_audit(&self, caller: &Caller, form: &AuditForm) -> Result<AuditRow> {
        let permit = match form.plan_id {
            Some(_) => self.permit_app(caller, Action::ManageAudits)?,
            None => match self.permit_app(caller, Action::OrderAudit) {
                Err(Error::Forbidden) => return Err(Problem::new("MAMORI-AUDIT-ADHOC").into()),
                other => other?,
            },
        };
        let mut problems = Vec::new();
        let title = form.title.trim().to_string();
        if title.is_empty() {
            problems.push(Problem::new("MAMORI-AUDIT-TITLE-EMPTY").field("title"));
        }
        if let Some(plan) = form.plan_id
            && !self.facts().plan_exists(plan).await?
        {
            problems.push(
                Problem::new("MAMORI-AUDIT-PLAN")
                    .field("plan_id")
                    .with("id", plan),
            );
        }
        let from = date_of(&form.period_from, "period_from", &mut problems);
        let to = date_of(&form.period_to, "period_to", &mut problems);
        if !from.is_empty() && !to.is_empty() && to < from {
            problems.push(
                Problem::new("MAMORI-AUDIT-PERIOD")
                    .field("period_to")
                    .with("value", &to),
            );
        }
        if form.scope_units.is_empty()
            && form.scope_systems.is_empty()
            && form.scope_chapters.is_empty()
        {
            problems.push(Problem::new("MAMORI-AUDIT-SCOPE-EMPTY").field("scope_units"));
        }
        for ch in &form.scope_chapters {
            if !(1..=99).contains(ch) {
                problems.push(
                    Problem::new("MAMORI-AUDIT-SCOPE")
                        .field("scope_chapters")
                        .with("what", "章")
                        .with("what_en", "chapter")
                        .with("id", ch),
                );
            }
        }
        let lineages = self
            .scope_lineages(&form.scope_units, &form.scope_systems, &mut problems)
            .await?;
        if let Some(t) = form.template_id {
            match self.facts().checklist(t).await {
                Ok(c) if !c.frozen => {}
                Ok(_) | Err(StoreError::NotFound { .. }) => problems.push(
                    Problem::new("MAMORI-AUDIT-TEMPLATE")
                        .field("template_id")
                        .with("id", t),
                ),
                Err(e) => return Err(e.into()),
            }
        }
        if form.auditors.is_empty() {
            problems.push(Problem::new("MAMORI-AUDIT-AUDITORS-EMPTY").field("auditors"));
        }
        let mut auditors = Vec::new();
        for (i, a) in form.auditors.iter().enumerate() {
            match a.user_id {
                Some(uid) => {
                    let Some(auditor) = self.caller(uid).await? else {
                        problems.push(
                            Problem::new("MAMORI-AUDIT-AUDITOR")
                                .field("auditors")
                                .with("index", i + 1),
                        );
                        continue;
                    };
                    for (_, unit_name, lineage) in &lineages {
                        let unit = Resource::Unit {
                            lineage: lineage.clone(),
                        };
                        match self.permit(&auditor, Action::AuditUnit, &unit) {
                            Ok(_) => {}
                            Err(Error::Forbidden) => problems.push(
                                Problem::new("MAMORI-AUDIT-INDEPENDENCE")
                                    .field("auditors")
                                    .with("auditor", &auditor.user.display_name)
                                    .with("unit", unit_name),
                            ),
                            Err(e) => return Err(e),
                        }
                    }
                    auditors.push(AuditorInput {
                        user_id: Some(uid),
                        name: auditor.user.display_name.clone(),
                        firm: a.firm.trim().to_string(),
                        external: false,
                    });
                }
                None => {
                    if a.name.trim().is_empty() || a.firm.trim().is_empty() {
                        problems.push(
                            Problem::new("MAMORI-AUDIT-AUDITOR")
                                .field("auditors")
                                .with("index", i + 1),
                        );
                    }
                    auditors.push(AuditorInput {
                        user_id: None,
                        name: a.name.trim().to_string(),
                        firm: a.firm.trim().to_string(),
                        external: true,
                    });
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
        let input = AuditInput {
            plan_id: form.plan_id,
            title,
            scope_units: sorted(&form.scope_units),
            scope_systems: sorted(&form.scope_systems),
            scope_chapters: sorted(&form.scope_chapters),
            period_from: from,
            period_to: to,
            template_id: form.template_id,
            ordered_by: form.plan_id.is_none().then_some(caller.user.id),
            auditors,
        };
        Ok(permit.store().create_audit(permit.actor(), &input).await?)
    }

    /// One audit with its auditors and results.
    pub async fn audit_view(&self, caller: &Caller, id: i64) -> Result<AuditView> {
        let auditors = self.facts().audit_auditors(id).await?;
        let is_auditor = auditors.iter().any(|a| a.user_id == Some(caller.user.id));
        if !is_auditor {
            self.permit_or_hide(
                caller,
                Action::ReadAuditResults,
                &Resource::App,
                "audit",
                id,
            )?;
        }
        let audit = match self.facts().audit(id).await {
            Err(StoreError::NotFound { .. }) => return Err(Error::not_found("audit", id)),
            other => other?,
        };
        let all = self.facts().all_units().await?;
        let units = ids_of(&audit.scope_units)
            .into_iter()
            .filter_map(|u| {
                all.iter()
                    .find(|x| x.id == u)
                    .map(|x| (x.id, x.name.clone()))
            })
            .collect();
        let results = self.facts().audit_results(id).await?;
        let evidence = self.facts().audit_evidence(id).await?;
        Ok(AuditView {
            evidence,
            may_manage: self.may_app(caller, Action::ManageAudits),
            may_record: is_auditor && matches!(audit.status.as_str(), "planned" | "in_progress"),
            audit,
            auditors,
            units,
            results,
        })
    }

    /// Moves an audit to another status (the security office).
    pub async fn set_audit_status(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        status: &str,
    ) -> Result<AuditRow> {
        let permit = self.permit_app(caller, Action::ManageAudits)?;
        if !AUDIT_STATUSES.contains(&status.trim()) {
            return Err(Problem::new("MAMORI-AUDIT-STATUS").field("status").into());
        }
        Ok(permit
            .store()
            .set_audit_status(permit.actor(), id, revision, status.trim())
            .await?)
    }

    /// The audit an auditor records in, the units of its scope (id, name,
    /// lineage) and the permit to write: refused to anyone not an auditor of
    /// the audit, after it is reported, and to an auditor not independent of
    /// a unit in scope (through the policy, as at assignment).
    async fn recording_permit(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<(
        AuditRow,
        Vec<(i64, String, Vec<i64>)>,
        crate::access::Permit<'_>,
    )> {
        let audit = match self.facts().audit(id).await {
            Err(StoreError::NotFound { .. }) => return Err(Error::not_found("audit", id)),
            other => other?,
        };
        let auditors = self.facts().audit_auditors(id).await?;
        if !auditors.iter().any(|a| a.user_id == Some(caller.user.id)) {
            return Err(Problem::new("MAMORI-AUDIT-NOT-AUDITOR").into());
        }
        if !matches!(audit.status.as_str(), "planned" | "in_progress") {
            return Err(Problem::new("MAMORI-AUDIT-CLOSED")
                .with("status", &audit.status)
                .into());
        }
        // Units abolished since the audit was made are left out here.
        let mut abolished = Vec::new();
        let lineages = self
            .scope_lineages(
                &ids_of(&audit.scope_units),
                &ids_of(&audit.scope_systems),
                &mut abolished,
            )
            .await?;
        let mut permit = self.permit_app(caller, Action::View)?;
        for (_, unit_name, lineage) in &lineages {
            let unit = Resource::Unit {
                lineage: lineage.clone(),
            };
            permit = match self.permit(caller, Action::AuditUnit, &unit) {
                Err(Error::Forbidden) => {
                    return Err(Problem::new("MAMORI-AUDIT-INDEPENDENCE")
                        .with("auditor", &caller.user.display_name)
                        .with("unit", unit_name)
                        .into());
                }
                other => other?,
            };
        }
        Ok((audit, lineages, permit))
    }

    /// An auditor of the audit attaches evidence seen (a file within the
    /// limit, or an http/https link) to an item's result, on the same terms
    /// as recording the result.
    pub async fn attach_audit_evidence(
        &self,
        caller: &Caller,
        id: i64,
        item_id: i64,
        upload: crate::controls::EvidenceUpload,
        note: &str,
    ) -> Result<mamori_store::controls::EvidenceRow> {
        let (_, _, permit) = self.recording_permit(caller, id).await?;
        let new = self.checked_evidence(upload)?;
        Ok(permit
            .store()
            .attach_audit_evidence(permit.actor(), id, item_id, new, note.trim())
            .await?)
    }

    /// May the person read the audit's results (an evidence's download)?
    pub(crate) async fn may_read_audit(&self, caller: &Caller, id: i64) -> bool {
        let is_auditor = self
            .facts()
            .audit_auditors(id)
            .await
            .is_ok_and(|a| a.iter().any(|a| a.user_id == Some(caller.user.id)));
        is_auditor || self.may_app(caller, Action::ReadAuditResults)
    }

    /// An auditor of the audit records an item's result with the evidence
    /// seen: refused to anyone else, to an auditor not independent of a unit
    /// in scope, after the audit is reported. A nonconforming result with
    /// `raise_finding` raises a finding (once per item). The finding, if
    /// raised.
    pub async fn record_audit_result(
        &self,
        caller: &Caller,
        id: i64,
        form: &ResultForm,
    ) -> Result<Option<FindingRecord>> {
        let (audit, lineages, permit) = self.recording_permit(caller, id).await?;
        let mut problems = Vec::new();
        if !AUDIT_RESULTS.contains(&form.result.trim()) {
            problems.push(Problem::new("MAMORI-AUDIT-RESULT").field("result"));
        }
        let link = form.evidence_link.trim();
        if !(link.is_empty() || link.starts_with("https://") || link.starts_with("http://")) {
            problems.push(Problem::new("MAMORI-AUDIT-LINK").field("evidence_link"));
        }
        let item = self.facts().audit_item(id, form.item_id).await?;
        if item.is_none() {
            problems.push(
                Problem::new("MAMORI-AUDIT-ITEM")
                    .field("item_id")
                    .with("id", form.item_id),
            );
        }
        let raise = form.raise_finding && form.result.trim() == "nonconforming";
        let severity = if form.severity.trim().is_empty() {
            FindingSeverity::Medium
        } else {
            match FindingSeverity::parse(&form.severity) {
                Some(s) => s,
                None => {
                    problems.push(Problem::new("MAMORI-FINDING-SEVERITY").field("severity"));
                    FindingSeverity::Medium
                }
            }
        };
        let unit = form.unit_id.or(lineages.first().map(|l| l.0));
        if raise && unit.is_none_or(|u| !lineages.iter().any(|l| l.0 == u)) {
            problems.push(Problem::new("MAMORI-FINDING-TARGET").field("unit_id"));
        }
        let (Some(item), true) = (item, problems.is_empty()) else {
            return Err(Error::Rejected(problems));
        };
        let input = ResultInput {
            item_id: form.item_id,
            result: form.result.trim().to_string(),
            evidence: form.evidence.trim().to_string(),
            evidence_link: form.evidence_link.trim().to_string(),
        };
        permit
            .store()
            .record_audit_result(permit.actor(), caller.user.id, id, &input)
            .await?;
        if !raise {
            return Ok(None);
        }
        let description = if input.evidence.is_empty() {
            item.question.clone()
        } else {
            format!("{} — {}", item.question, input.evidence)
        };
        let finding = FindingInput {
            severity: severity.code().to_string(),
            provision: item.provision.clone(),
            unit_id: unit,
            system_id: None,
            description,
            source_kind: FindingSource::Audit.code().to_string(),
            source_key: Some(format!("audit:{id}:{}", item.id)),
            source_ref: format!("{} / No.{}", audit.title, item.position),
        };
        let made = permit
            .store()
            .raise_findings(permit.actor(), Some(caller.user.id), &[finding])
            .await?;
        Ok(made.into_iter().next())
    }
}

// --- h14 ---
impl App {
    /// The people an audit's form offers as auditors (by name and unit): for
    /// those who may add an audit. Independence is checked when the audit is
    /// added, against its scope.
    pub async fn auditor_choices(
        &self,
        caller: &Caller,
    ) -> Result<Vec<mamori_store::users::PersonName>> {
        let permit = match self.permit_app(caller, Action::ManageAudits) {
            Err(Error::Forbidden) => self.permit_app(caller, Action::OrderAudit)?,
            other => other?,
        };
        Ok(permit.store().auditor_candidates().await?)
    }
}
