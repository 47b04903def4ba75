//! Findings (指摘事項) and their corrective actions (第10; issue 14 part 2).
//!
//! A finding is raised by the security office or an auditor: by hand, from a
//! self-inspection's results (each mandatory item answered 未実施 in a
//! submitted questionnaire becomes one, unless waived with a reason; raising
//! again adds only the new ones), or from a violation of a firewall check
//! (with its file:line). The managers of the unit (or the security office)
//! plan the corrective action (owner by name, due date); the owner reports it
//! done; someone other than the owner verifies it (the Cedar forbid
//! `no-self-verification`) or sends it back; the security office closes a
//! verified finding. Unit managers see their units' findings, owners their
//! own, the security office, auditors and the CISO all.

use mamori_authz::{Action, Resource};
use mamori_core::audit::finding::{FindingSeverity, FindingSource, inspection_key, netcheck_key};
use mamori_core::problem::Problem;
use mamori_store::findings::{
    FindingFilter, FindingInput, FindingNote, FindingRecord, FindingStep, NotDoneItem,
};
use mamori_store::ops::OpsScope;
use mamori_store::units::parse_path;
use mamori_store::{Page, PageRequest, StoreError};

use crate::access::{App, Caller};
use crate::error::{Error, Result};
use crate::ops::internal;

/// What a person enters to raise a finding by hand (or from a firewall check).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct FindingForm {
    /// high, medium, low.
    pub severity: String,
    /// `CODE#KEY`, a control code or `control:CODE`.
    pub provision: String,
    pub unit_id: Option<i64>,
    pub system_id: Option<i64>,
    pub description: String,
}

/// The corrective action as planned.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct PlanForm {
    /// The user who owns the action.
    pub owner_id: i64,
    /// YYYY-MM-DD.
    pub due_on: String,
    pub plan: String,
}

/// A finding as its page shows it, with what the reader may do.
#[derive(Debug, Clone)]
pub struct FindingView {
    pub finding: FindingRecord,
    pub notes: Vec<FindingNote>,
    pub overdue: bool,
    pub may_plan: bool,
    pub may_report: bool,
    pub may_verify: bool,
    pub may_close: bool,
}

/// What raising a campaign's findings did.
#[derive(Debug, Clone, Default)]
pub struct RaiseOutcome {
    /// The findings made now.
    pub raised: Vec<FindingRecord>,
    /// Items raised before (left as they are).
    pub already: usize,
    /// Items waived (not raised).
    pub waived: usize,
}

/// Why a finding is on someone's to-do list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TodoKind {
    /// I own its corrective action, planned and not yet due.
    Action,
    /// I own its corrective action, past its due date.
    Overdue,
    /// Its action is reported done and I may verify it (I do not own it).
    Verify,
}

/// One line of [`App::my_finding_todos`].
#[derive(Debug, Clone)]
pub struct FindingTodo {
    pub kind: TodoKind,
    pub finding: FindingRecord,
}

/// The columns of the findings export.
pub const FINDING_HEADERS: &[(&str, f64)] = &[
    ("番号 / No.", 8.0),
    ("重大度 / Severity", 10.0),
    ("規定・対策 / Provision or control", 20.0),
    ("課 / Unit", 18.0),
    ("情報システム / System", 18.0),
    ("内容 / Description", 40.0),
    ("出所 / Source", 24.0),
    ("状態 / State", 12.0),
    ("是正措置 / Corrective action", 30.0),
    ("担当者 / Owner", 14.0),
    ("期限 / Due", 12.0),
    ("期限超過 / Overdue", 8.0),
    ("確認者 / Verified by", 14.0),
    ("確認日時 / Verified", 20.0),
];

/// The sheet's name.
pub const FINDING_SHEET: &str = "指摘事項";

/// The finding as the policy sees it.
pub fn finding_resource(f: &FindingRecord) -> Resource {
    Resource::Finding {
        id: f.id,
        unit_lineage: f.unit_path.as_deref().map(parse_path).unwrap_or_default(),
        system: f.system_id.unwrap_or(0),
        owner: f.owner_id.unwrap_or(0),
    }
}

fn severity_name(code: &str) -> &'static str {
    FindingSeverity::parse(code).map_or("", |s| s.name_ja())
}

fn provision_ok(text: &str) -> bool {
    let t = text.trim();
    let t = t.strip_prefix("control:").unwrap_or(t);
    mamori_core::ops::exception::Deviation::parse(t).is_some()
}

impl App {
    /// Whether the person may raise findings.
    pub fn may_raise_findings(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::RaiseFinding)
    }

    /// The units whose findings the person may read (the actions they own
    /// always).
    pub(crate) async fn finding_scope(&self, caller: &Caller) -> Result<OpsScope> {
        self.ops_scope(
            caller,
            |unit_lineage| Resource::Finding {
                id: 0,
                unit_lineage,
                system: 0,
                owner: i64::MIN,
            },
            Action::ReadFinding,
        )
        .await
    }

    /// Checks a finding as entered: severity, provision, description, the
    /// unit or system (a system's finding is its owning unit's).
    async fn finding_input(&self, form: &FindingForm) -> Result<FindingInput> {
        let mut problems = Vec::new();
        if FindingSeverity::parse(&form.severity).is_none() {
            problems.push(Problem::new("MAMORI-FINDING-SEVERITY").field("severity"));
        }
        if !provision_ok(&form.provision) {
            problems.push(
                Problem::new("MAMORI-FINDING-PROVISION")
                    .field("provision")
                    .with("value", form.provision.trim()),
            );
        }
        let description = form.description.trim().to_string();
        if description.is_empty() {
            problems.push(Problem::new("MAMORI-FINDING-DESCRIPTION-EMPTY").field("description"));
        }
        let mut unit_id = form.unit_id;
        if let Some(s) = form.system_id {
            match self.facts().system(s).await {
                Ok(sys) => unit_id = unit_id.or(sys.owner_unit_id),
                Err(StoreError::NotFound { .. }) => problems.push(
                    Problem::new("MAMORI-FINDING-TARGET-UNKNOWN")
                        .field("system_id")
                        .with("what", "情報システム")
                        .with("what_en", "information system")
                        .with("id", s),
                ),
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(u) = form.unit_id {
            let units = self.facts().all_units().await?;
            if !units.iter().any(|x| x.id == u && x.active) {
                problems.push(
                    Problem::new("MAMORI-FINDING-TARGET-UNKNOWN")
                        .field("unit_id")
                        .with("what", "課")
                        .with("what_en", "unit")
                        .with("id", u),
                );
            }
        }
        if form.unit_id.is_none() && form.system_id.is_none() {
            problems.push(Problem::new("MAMORI-FINDING-TARGET").field("unit_id"));
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        Ok(FindingInput {
            severity: form.severity.trim().to_string(),
            provision: form.provision.trim().to_string(),
            unit_id,
            system_id: form.system_id,
            description,
            source_kind: FindingSource::Manual.code().to_string(),
            source_key: None,
            source_ref: String::new(),
        })
    }

    /// Raises a finding by hand (the security office, an auditor).
    pub async fn raise_finding(
        &self,
        caller: &Caller,
        form: &FindingForm,
    ) -> Result<FindingRecord> {
        let permit = self.permit_app(caller, Action::RaiseFinding)?;
        let input = self.finding_input(form).await?;
        Ok(permit
            .store()
            .create_finding(permit.actor(), Some(caller.user.id), &input)
            .await?)
    }

    /// The mandatory items answered 未実施 in the campaign's submitted
    /// questionnaires, each with its finding or waiver.
    pub async fn inspection_not_done(
        &self,
        caller: &Caller,
        inspection: i64,
    ) -> Result<Vec<NotDoneItem>> {
        let permit = self.permit_app(caller, Action::ReadAuditResults)?;
        permit.store().inspection(inspection).await?;
        Ok(permit.store().not_done_items(inspection).await?)
    }

    /// Raises the campaign's findings: one per mandatory item answered
    /// 未実施 in a submitted questionnaire, neither waived nor raised before
    /// (severity medium; the item's provision; the questionnaire's unit or
    /// system). Idempotent: raising again adds only what is new.
    pub async fn raise_inspection_findings(
        &self,
        caller: &Caller,
        inspection: i64,
    ) -> Result<RaiseOutcome> {
        let permit = self.permit_app(caller, Action::RaiseFinding)?;
        let campaign = permit.store().inspection(inspection).await?;
        let items = permit.store().not_done_items(inspection).await?;
        let mut outcome = RaiseOutcome::default();
        let mut inputs = Vec::new();
        for i in &items {
            if i.finding_id.is_some() {
                outcome.already += 1;
                continue;
            }
            if i.waived_reason.is_some() {
                outcome.waived += 1;
                continue;
            }
            let mut description = format!("{}（未実施）", i.question);
            if !i.comment.trim().is_empty() {
                description.push_str(&format!(" — {}", i.comment.trim()));
            }
            inputs.push(FindingInput {
                severity: FindingSeverity::Medium.code().to_string(),
                provision: i.provision.clone(),
                unit_id: i.owner_unit_id,
                system_id: i.system_id,
                description,
                source_kind: FindingSource::Inspection.code().to_string(),
                source_key: Some(inspection_key(inspection, i.target_id, i.item_id)),
                source_ref: format!("{} / {} / No.{}", campaign.title, i.target_name, i.position),
            });
        }
        outcome.raised = permit
            .store()
            .raise_findings(permit.actor(), Some(caller.user.id), &inputs)
            .await?;
        Ok(outcome)
    }

    /// Waives an item answered 未実施 (it will not be raised), with the
    /// reason: refused for an item that is no such answer of the campaign,
    /// or raised already.
    pub async fn waive_inspection_item(
        &self,
        caller: &Caller,
        inspection: i64,
        target: i64,
        item: i64,
        reason: &str,
    ) -> Result<()> {
        let permit = self.permit_app(caller, Action::RaiseFinding)?;
        permit.store().inspection(inspection).await?;
        let reason = reason.trim();
        let mut problems = Vec::new();
        if reason.is_empty() {
            problems.push(Problem::new("MAMORI-FINDING-WAIVE-REASON").field("reason"));
        }
        let items = permit.store().not_done_items(inspection).await?;
        if !items
            .iter()
            .any(|i| i.target_id == target && i.item_id == item)
        {
            problems.push(Problem::new("MAMORI-FINDING-WAIVE-ITEM").field("item_id"));
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        Ok(permit
            .store()
            .waive_item(
                permit.actor(),
                caller.user.id,
                inspection,
                target,
                item,
                reason,
            )
            .await?)
    }

    /// Raises a violation of a firewall check (run `run`, its `index`-th
    /// violation, from 0) as a finding, with the deciding rule's file:line;
    /// the description defaults to the violation's words. Raising the same
    /// violation twice is refused (MAMORI-FINDING-RAISED).
    pub async fn raise_netcheck_finding(
        &self,
        caller: &Caller,
        run: i64,
        index: usize,
        form: &FindingForm,
    ) -> Result<FindingRecord> {
        let permit = self.permit_app(caller, Action::RaiseFinding)?;
        let stored = match permit.store().netcheck(run).await {
            Err(StoreError::NotFound { .. }) => return Err(Error::not_found("netcheck", run)),
            other => other?,
        };
        let report: serde_json::Value =
            serde_json::from_str(&stored.report_json).map_err(internal)?;
        let Some(v) = report["violations"].as_array().and_then(|a| a.get(index)) else {
            return Err(Problem::new("MAMORI-FINDING-VIOLATION")
                .field("violation")
                .with("run", run)
                .with("index", index)
                .into());
        };
        let rule = v["rules"].as_array().and_then(|r| r.last());
        let at = match rule {
            Some(r) => format!(
                "{}:{}",
                r["file"].as_str().unwrap_or(""),
                r["line"].as_u64().unwrap_or(0)
            ),
            None => v["file"].as_str().unwrap_or("").to_string(),
        };
        let words = format!(
            "{} → {}: {} {}",
            v["from"].as_str().unwrap_or(""),
            v["to"].as_str().unwrap_or(""),
            at,
            rule.and_then(|r| r["text"].as_str()).unwrap_or("")
        );
        let mut form = form.clone();
        if form.description.trim().is_empty() {
            form.description = words;
        }
        let mut input = self.finding_input(&form).await?;
        input.source_kind = FindingSource::Netcheck.code().to_string();
        input.source_key = Some(netcheck_key(run, index));
        input.source_ref = format!("{} #{run}: {at}", stored.summary.device);
        Ok(permit
            .store()
            .create_finding(permit.actor(), Some(caller.user.id), &input)
            .await?)
    }

    async fn readable_finding(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<(FindingRecord, Resource)> {
        let f = match self.facts().finding(id).await {
            Err(StoreError::NotFound { .. }) => return Err(Error::not_found("finding", id)),
            other => other?,
        };
        let r = finding_resource(&f);
        self.permit_or_hide(caller, Action::ReadFinding, &r, "finding", id)?;
        Ok((f, r))
    }

    /// One finding with its history, as its page shows it on `today`.
    pub async fn finding_view(&self, caller: &Caller, id: i64, today: &str) -> Result<FindingView> {
        let (f, r) = self.readable_finding(caller, id).await?;
        let notes = self.facts().finding_notes(id).await?;
        let state = f.state.as_str();
        Ok(FindingView {
            overdue: f.overdue_on(today),
            may_plan: matches!(state, "open" | "action_planned")
                && self.may(caller, Action::PlanFinding, &r),
            may_report: state == "action_planned" && self.may(caller, Action::ReportFinding, &r),
            may_verify: state == "done"
                && f.owner_id != Some(caller.user.id)
                && self.may(caller, Action::VerifyFinding, &r),
            may_close: state == "verified" && self.may(caller, Action::CloseFinding, &r),
            notes,
            finding: f,
        })
    }

    /// One page of the findings the person may read (`overdue_on` in the
    /// filter: only actions past their due date).
    pub async fn list_findings(
        &self,
        caller: &Caller,
        filter: &FindingFilter,
        page: PageRequest,
    ) -> Result<Page<FindingRecord>> {
        let permit = self.permit_app(caller, Action::View)?;
        let filter = FindingFilter {
            scope: self.finding_scope(caller).await?,
            ..filter.clone()
        };
        Ok(permit.store().list_findings(&filter, page).await?)
    }

    /// The people who may be named owner of a finding's action: the active
    /// users of its unit and the units below, and the caller (at most 500).
    pub async fn finding_owner_choices(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<Vec<(i64, String)>> {
        let (f, _) = self.readable_finding(caller, id).await?;
        let mut out = vec![(caller.user.id, caller.user.display_name.clone())];
        if let Some(unit) = f.unit_id {
            let below: Vec<i64> = self
                .unit_lineages()
                .await?
                .into_iter()
                .filter(|(_, l)| l.contains(&unit))
                .map(|(id, _)| id)
                .collect();
            let users = self
                .facts()
                .list_users_in(None, Some(&below), PageRequest::new(Some(1), Some(500)))
                .await?;
            for u in users.items.into_iter().filter(|u| u.active) {
                if u.id != caller.user.id {
                    out.push((u.id, u.display_name));
                }
            }
        }
        Ok(out)
    }

    async fn step(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        action: Action,
        step: FindingStep,
    ) -> Result<FindingRecord> {
        let (f, r) = self.readable_finding(caller, id).await?;
        let permit = match self.permit(caller, action, &r) {
            Err(Error::Forbidden) => {
                let code = match action {
                    Action::ReportFinding => "MAMORI-FINDING-REPORTER",
                    Action::VerifyFinding if f.owner_id == Some(caller.user.id) => {
                        "MAMORI-FINDING-SELF-VERIFY"
                    }
                    Action::VerifyFinding => "MAMORI-FINDING-VERIFIER",
                    _ => return Err(Error::Forbidden),
                };
                return Err(Problem::new(code).into());
            }
            other => other?,
        };
        Ok(permit
            .store()
            .finding_step(permit.actor(), caller.user.id, id, revision, &step)
            .await?)
    }

    /// Plans (or re-plans) the corrective action: its owner (an active
    /// user), due date and what will be done. The unit's managers or the
    /// security office.
    pub async fn plan_finding(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        form: &PlanForm,
    ) -> Result<FindingRecord> {
        self.readable_finding(caller, id).await?;
        let mut problems = Vec::new();
        match self.facts().user(form.owner_id).await {
            Ok(u) if u.active => {}
            Ok(_) | Err(StoreError::NotFound { .. }) => problems.push(
                Problem::new("MAMORI-FINDING-OWNER")
                    .field("owner_id")
                    .with("id", form.owner_id),
            ),
            Err(e) => return Err(e.into()),
        }
        let due = form.due_on.trim();
        let due_on = if due.is_empty() {
            problems.push(Problem::new("MAMORI-FINDING-DUE-REQUIRED").field("due_on"));
            String::new()
        } else {
            match mamori_core::asset::parse_date(due) {
                Some(d) => d.to_string(),
                None => {
                    problems.push(
                        Problem::new("MAMORI-FINDING-DUE")
                            .field("due_on")
                            .with("value", due),
                    );
                    String::new()
                }
            }
        };
        let plan = form.plan.trim().to_string();
        if plan.is_empty() {
            problems.push(Problem::new("MAMORI-FINDING-PLAN-EMPTY").field("plan"));
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        self.step(
            caller,
            id,
            revision,
            Action::PlanFinding,
            FindingStep::Plan {
                owner_id: form.owner_id,
                due_on,
                plan,
            },
        )
        .await
    }

    /// The owner reports the corrective action done.
    pub async fn report_finding_done(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        note: &str,
    ) -> Result<FindingRecord> {
        self.step(
            caller,
            id,
            revision,
            Action::ReportFinding,
            FindingStep::Done {
                note: note.trim().to_string(),
            },
        )
        .await
    }

    /// Someone other than the owner verifies an action reported done
    /// (`accept`), or sends it back (`return`, with a note saying why).
    pub async fn verify_finding(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        decision: &str,
        note: &str,
    ) -> Result<FindingRecord> {
        let accept = match decision.trim() {
            "accept" => true,
            "return" => false,
            _ => {
                return Err(Problem::new("MAMORI-FINDING-DECISION")
                    .field("decision")
                    .into());
            }
        };
        let note = note.trim().to_string();
        if !accept && note.is_empty() {
            return Err(Problem::new("MAMORI-FINDING-NOTE-EMPTY")
                .field("note")
                .into());
        }
        self.step(
            caller,
            id,
            revision,
            Action::VerifyFinding,
            FindingStep::Verify { accept, note },
        )
        .await
    }

    /// Closes a verified finding (the security office); a finding not
    /// verified is refused (MAMORI-FINDING-NOT-VERIFIED).
    pub async fn close_finding(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        note: &str,
    ) -> Result<FindingRecord> {
        self.step(
            caller,
            id,
            revision,
            Action::CloseFinding,
            FindingStep::Close {
                note: note.trim().to_string(),
            },
        )
        .await
    }

    /// Adds a follow-up note (anyone who may read the finding).
    pub async fn add_finding_note(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        note: &str,
    ) -> Result<FindingRecord> {
        let note = note.trim().to_string();
        if note.is_empty() {
            return Err(Problem::new("MAMORI-FINDING-NOTE-EMPTY")
                .field("note")
                .into());
        }
        self.step(
            caller,
            id,
            revision,
            Action::ReadFinding,
            FindingStep::Note { note },
        )
        .await
    }

    /// What findings ask of the caller on `today` (YYYY-MM-DD, JST): the
    /// corrective actions they own that are planned and not reported done
    /// ([`TodoKind::Action`], or [`TodoKind::Overdue`] past their due
    /// date), and the actions reported done that they may verify (never
    /// their own: [`TodoKind::Verify`]). Overdue first, then by due date.
    /// For the dashboard; two queries whatever the number of findings.
    pub async fn my_finding_todos(&self, caller: &Caller, today: &str) -> Result<Vec<FindingTodo>> {
        let permit = self.permit_app(caller, Action::View)?;
        let me = caller.user.id;
        let mine = permit
            .store()
            .all_findings(&FindingFilter {
                state: Some("action_planned".into()),
                owner: Some(me),
                ..Default::default()
            })
            .await?;
        let mut out: Vec<FindingTodo> = mine
            .into_iter()
            .map(|f| FindingTodo {
                kind: if f.overdue_on(today) {
                    TodoKind::Overdue
                } else {
                    TodoKind::Action
                },
                finding: f,
            })
            .collect();
        let done = permit
            .store()
            .all_findings(&FindingFilter {
                state: Some("done".into()),
                scope: self.finding_scope(caller).await?,
                ..Default::default()
            })
            .await?;
        out.extend(
            done.into_iter()
                .filter(|f| {
                    f.owner_id != Some(me)
                        && self.may(caller, Action::VerifyFinding, &finding_resource(f))
                })
                .map(|f| FindingTodo {
                    kind: TodoKind::Verify,
                    finding: f,
                }),
        );
        out.sort_by(|a, b| {
            (a.kind != TodoKind::Overdue)
                .cmp(&(b.kind != TodoKind::Overdue))
                .then_with(|| a.finding.due_on.cmp(&b.finding.due_on))
                .then_with(|| a.finding.id.cmp(&b.finding.id))
        });
        Ok(out)
    }

    /// The findings the person may read as an .xlsx file.
    pub async fn export_findings(&self, caller: &Caller, today: &str) -> Result<Vec<u8>> {
        let permit = self.permit_app(caller, Action::View)?;
        let filter = FindingFilter {
            scope: self.finding_scope(caller).await?,
            ..Default::default()
        };
        let all = permit.store().all_findings(&filter).await?;
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|f| {
                vec![
                    f.id.to_string(),
                    severity_name(&f.severity).to_string(),
                    f.provision.clone(),
                    f.unit_name.clone().unwrap_or_default(),
                    f.system_name.clone().unwrap_or_default(),
                    f.description.clone(),
                    f.source_ref.clone(),
                    mamori_core::audit::finding::FindingState::parse(&f.state)
                        .map_or(f.state.clone(), |s| s.name_ja().to_string()),
                    f.action_plan.clone(),
                    f.owner_name.clone().unwrap_or_default(),
                    f.due_on.clone().unwrap_or_default(),
                    if f.overdue_on(today) { "超過" } else { "" }.to_string(),
                    f.verifier_name.clone().unwrap_or_default(),
                    f.verified_at.clone().unwrap_or_default(),
                ]
            })
            .collect();
        mamori_sheet::status::workbook(FINDING_SHEET, FINDING_HEADERS, &rows).map_err(internal)
    }
}
