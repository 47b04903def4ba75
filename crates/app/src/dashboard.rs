//! The dashboard: first what is waiting for the person (acknowledgements,
//! trainings due or overdue, questionnaires to answer, approvals asked of
//! them, what needs attention now), then the state of what they are
//! responsible for (the security office and the CISO: the city; a unit's
//! managers: their units), each counted only as far as they may see.

use mamori_authz::Action;
use mamori_core::audit::finding::FindingState;
use mamori_core::catalog::Scheme;
use mamori_store::PageRequest;
use mamori_store::assets::AssetFilter;
use mamori_store::catalogs::PolicyDocumentView;
use mamori_store::findings::FindingFilter;
use mamori_store::netcheck::RunSummary;
use mamori_store::risk::{RiskFilter, RiskSortKey};
use mamori_store::training::TrainingScope;

use crate::access::{App, Caller};
use crate::error::{Error, Result};
use crate::ops::attention::Attention;

/// One thing waiting for the person, with the page where it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodoItem {
    /// ack, training, questionnaire, audit, approval, attention, notice.
    pub kind: &'static str,
    pub title: String,
    pub link: String,
    /// The due date (YYYY-MM-DD), if it has one.
    pub due: Option<String>,
    pub overdue: bool,
}

/// A unit's completion (acknowledgement or training).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitProgress {
    pub unit: String,
    pub done: i64,
    pub of: i64,
    pub overdue: i64,
}

impl UnitProgress {
    /// Per cent done, rounded down (100 when nothing is asked).
    pub fn percent(&self) -> i64 {
        if self.of == 0 {
            100
        } else {
            self.done * 100 / self.of
        }
    }
}

/// The state of what the person is responsible for: the city, or one unit
/// and below.
#[derive(Debug, Clone, Default)]
pub struct Responsibility {
    /// None: the whole city; otherwise the unit's name.
    pub unit: Option<String>,
    /// The latest acknowledgement campaign and each unit's completion.
    pub ack_campaign: Option<String>,
    pub ack: Vec<UnitProgress>,
    /// Training completion per unit (every assignment).
    pub training: Vec<UnitProgress>,
    /// Assets failing a consistency check (to review).
    pub flagged_assets: i64,
    /// The last firewall checks (the security office).
    pub netchecks: Vec<RunSummary>,
    /// The management cycle of the city (those who may read it): the open
    /// self-inspection campaigns, the findings still to be acted on, the
    /// risks nobody has treated.
    pub cycle: Option<CycleSummary>,
}

/// Where the city stands in its audits, corrective actions and risks.
#[derive(Debug, Clone, Default)]
pub struct CycleSummary {
    /// The open campaigns (newest first, at most five), when the person may
    /// read the results.
    pub campaigns: Vec<CampaignProgress>,
    /// Findings open, planned or reported done (not yet verified), and of
    /// those planned, the ones past their due date; None when not readable.
    pub findings_active: Option<i64>,
    pub findings_overdue: i64,
    /// Risks without a treatment, in what the person may see, counted up to
    /// the register's limit (true: more than that).
    pub risks_untreated: Option<(i64, bool)>,
}

/// One open self-inspection campaign's progress.
#[derive(Debug, Clone)]
pub struct CampaignProgress {
    pub id: i64,
    pub title: String,
    pub deadline: String,
    pub submitted: i64,
    pub targets: i64,
}

impl Responsibility {
    fn total(rows: &[UnitProgress]) -> UnitProgress {
        UnitProgress {
            unit: String::new(),
            done: rows.iter().map(|r| r.done).sum(),
            of: rows.iter().map(|r| r.of).sum(),
            overdue: rows.iter().map(|r| r.overdue).sum(),
        }
    }

    /// Every unit's acknowledgements together.
    pub fn ack_total(&self) -> UnitProgress {
        Self::total(&self.ack)
    }

    /// Every unit's trainings together.
    pub fn training_total(&self) -> UnitProgress {
        Self::total(&self.training)
    }

    /// The units behind (below 100 %), the furthest behind first, at most `n`.
    pub fn behind(rows: &[UnitProgress], n: usize) -> Vec<UnitProgress> {
        let mut v: Vec<UnitProgress> = rows.iter().filter(|r| r.percent() < 100).cloned().collect();
        v.sort_by_key(|r| (r.percent(), std::cmp::Reverse(r.of)));
        v.truncate(n);
        v
    }
}

/// What the dashboard shows.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub policy: PolicyDocumentView,
    pub scheme: Scheme,
    /// What is waiting for the person, overdue first, then by due date.
    pub todo: Vec<TodoItem>,
    /// What needs someone now (incidents, reports owed, exceptions).
    pub attention: Attention,
    /// The state of what they are responsible for (none for staff).
    pub responsible: Vec<Responsibility>,
    /// Unread notices.
    pub unread: i64,
    /// The person's own training not yet completed.
    pub open_trainings: i64,
}

/// Whether an operation's refusal means "not theirs to see" (an empty panel)
/// rather than an error.
fn allowed<T>(r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::Forbidden) => Ok(None),
        Err(e) if e.class() == mamori_core::problem::Class::Forbidden => Ok(None),
        Err(e) => Err(e),
    }
}

impl App {
    /// The dashboard of a signed-in person on `today` (YYYY-MM-DD, JST).
    pub async fn dashboard(&self, caller: &Caller, today: &str) -> Result<Dashboard> {
        let permit = self.permit_app(caller, Action::View)?;
        let store = permit.store();
        let policy = store.policy_document("basic_policy").await?;
        let scheme = store.active_scheme().await?;
        let mut todo = Vec::new();

        // Acknowledgements asked of me and not yet given.
        let acks = self
            .my_ack_requests(caller, PageRequest::new(Some(1), Some(50)))
            .await?;
        for a in acks.items.into_iter().filter(|a| a.confirmed_at.is_none()) {
            todo.push(TodoItem {
                kind: "ack",
                overdue: a.due_on.as_deref().is_some_and(|d| d < today),
                title: a.campaign_title,
                link: "/acknowledgements".into(),
                due: a.due_on,
            });
        }
        // My trainings not completed.
        let trainings = self
            .my_trainings(caller, true, PageRequest::new(Some(1), Some(50)))
            .await?;
        let open_trainings = trainings.total;
        for t in trainings.items {
            todo.push(TodoItem {
                kind: "training",
                overdue: t.due_on.as_str() < today,
                title: t.course_title,
                link: "/training".into(),
                due: Some(t.due_on),
            });
        }
        // Self-inspection questionnaires I am to answer (staff who only read
        // their unit's are not asked for anything).
        for q in self.my_questionnaires(caller).await? {
            if q.target.state == "submitted" || !q.may_answer {
                continue;
            }
            todo.push(TodoItem {
                kind: "questionnaire",
                overdue: q.inspection.deadline.as_str() < today,
                title: format!("{}（{}）", q.inspection.title, q.target.target_name.clone()),
                link: format!(
                    "/audits/inspections/{}/units/{}",
                    q.inspection.id,
                    q.target.key()
                ),
                due: Some(q.inspection.deadline.clone()),
            });
        }
        // Audits I am an auditor of, still to be carried out.
        for a in self.facts().open_audits_of_auditor(caller.user.id).await? {
            todo.push(TodoItem {
                kind: "audit",
                overdue: a.period_to.as_str() < today,
                title: a.title.clone(),
                link: format!("/audits/{}", a.id),
                due: Some(a.period_to.clone()),
            });
        }
        // Classification changes I am asked to decide.
        for r in self.requests_awaiting_me(caller).await? {
            todo.push(TodoItem {
                kind: "approval",
                title: format!(
                    "{}（{} さん: {} → {}）",
                    r.asset_name,
                    r.requester_name,
                    crate::requests::label_of(&r.old_levels()),
                    crate::requests::label_of(&r.new_levels())
                ),
                link: format!("/classification-requests/{}", r.id),
                due: None,
                overdue: false,
            });
        }
        // What needs someone now.
        let attention = self.attention(caller, today).await?;
        for e in &attention.pending_exceptions {
            todo.push(TodoItem {
                kind: "approval",
                title: format!("例外措置: {}（{} さん）", e.deviation, e.requester_name),
                link: format!("/exceptions/{}", e.id),
                due: None,
                overdue: false,
            });
        }
        for r in &attention.reports {
            todo.push(TodoItem {
                kind: "attention",
                title: format!("{}: {}", r.incident_title, r.report.rule.name),
                link: format!("/incidents/{}", r.incident_id),
                due: Some(r.report.due_on.clone()),
                overdue: r.report.overdue,
            });
        }
        // Corrective actions I own, and those awaiting my verification.
        for f in self.my_finding_todos(caller, today).await? {
            let verify = matches!(f.kind, crate::findings::TodoKind::Verify);
            todo.push(TodoItem {
                kind: if verify { "verify" } else { "finding" },
                title: format!("指摘事項 {}: {}", f.finding.id, f.finding.description),
                link: format!("/findings/{}", f.finding.id),
                overdue: matches!(f.kind, crate::findings::TodoKind::Overdue),
                due: if verify {
                    None
                } else {
                    f.finding.due_on.clone()
                },
            });
        }
        // Permissions I may decide, and my own overdue returns.
        for p in &attention.pending_permissions {
            todo.push(TodoItem {
                kind: "approval",
                title: format!("許可申請: {}（{} さん）", p.what, p.requester_name),
                link: format!("/permissions/{}", p.id),
                due: None,
                overdue: false,
            });
        }
        for p in attention
            .overdue_permissions
            .iter()
            .filter(|p| p.requester_id == caller.user.id)
        {
            todo.push(TodoItem {
                kind: "return",
                title: format!("返却の記録: {}", p.what),
                link: format!("/permissions/{}", p.id),
                due: Some(p.until_on.clone()),
                overdue: true,
            });
        }
        todo.sort_by(|a, b| {
            b.overdue
                .cmp(&a.overdue)
                .then_with(|| a.due.is_none().cmp(&b.due.is_none()))
                .then_with(|| a.due.cmp(&b.due))
        });

        let responsible = self.responsibilities(caller).await?;
        let unread = self.unread_notices(caller).await?;
        Ok(Dashboard {
            policy,
            scheme,
            todo,
            attention,
            responsible,
            unread,
            open_trainings,
        })
    }

    /// The city (for those who may read every unit's status), or each unit
    /// the person manages.
    async fn responsibilities(&self, caller: &Caller) -> Result<Vec<Responsibility>> {
        if self.may_app(caller, Action::ReadAckStatus)
            || self.may_app(caller, Action::ReadTrainingStatus)
        {
            return Ok(vec![self.responsibility(caller, None).await?]);
        }
        let mut out = Vec::new();
        let mut units: Vec<i64> = caller
            .principal
            .scoped_roles
            .iter()
            .map(|(_, u)| *u)
            .collect();
        units.sort_unstable();
        units.dedup();
        for unit in units {
            if self.check_training_status(caller, Some(unit)).await.is_ok() {
                out.push(self.responsibility(caller, Some(unit)).await?);
            }
        }
        Ok(out)
    }

    async fn responsibility(&self, caller: &Caller, within: Option<i64>) -> Result<Responsibility> {
        let all = PageRequest::new(Some(1), Some(500));
        let mut r = Responsibility {
            unit: match within {
                Some(u) => Some(self.facts().unit(u).await?.name),
                None => None,
            },
            ..Responsibility::default()
        };
        let latest = self
            .facts()
            .list_ack_campaigns(PageRequest::new(Some(1), Some(1)))
            .await?
            .items
            .into_iter()
            .next();
        if let Some(c) = latest
            && let Some(rates) = allowed(self.ack_rates(caller, c.id, within, all).await)?
        {
            r.ack_campaign = Some(c.title);
            r.ack = rates
                .items
                .into_iter()
                .map(|u| UnitProgress {
                    unit: u.unit_name.unwrap_or_default(),
                    done: u.confirmed,
                    of: u.requested,
                    overdue: 0,
                })
                .collect();
        }
        if let Some(rates) = allowed(
            self.training_rates(
                caller,
                TrainingScope {
                    assignment_id: None,
                    within,
                },
                all,
            )
            .await,
        )? {
            r.training = rates
                .items
                .into_iter()
                .map(|u| UnitProgress {
                    unit: u.unit_name.unwrap_or_default(),
                    done: u.completed,
                    of: u.requested,
                    overdue: u.overdue,
                })
                .collect();
        }
        let scope = self.asset_scope(caller).await?;
        let filter = AssetFilter {
            flagged: Some(true),
            unit_id: within,
            include_subunits: within.is_some(),
            ..AssetFilter::default()
        };
        r.flagged_assets = self
            .facts()
            .list_assets_bounded(
                &filter,
                mamori_store::assets::AssetSort::default(),
                PageRequest::new(Some(1), Some(1)),
                &scope,
                crate::assets::COUNT_LIMIT,
            )
            .await?
            .0
            .total;
        if within.is_none()
            && let Some(runs) = allowed(
                self.netchecks(caller, None, PageRequest::new(Some(1), Some(5)))
                    .await,
            )?
        {
            r.netchecks = runs.items;
        }
        if within.is_none() {
            r.cycle = Some(self.cycle_summary(caller).await?);
        }
        Ok(r)
    }

    /// The management cycle as the person may read it (each part skipped
    /// when the policy does not let them read it).
    async fn cycle_summary(&self, caller: &Caller) -> Result<CycleSummary> {
        let today = crate::ops::today();
        let one = PageRequest::new(Some(1), Some(1));
        let mut c = CycleSummary::default();
        if let Some(page) = allowed(
            self.inspection_list(caller, PageRequest::new(Some(1), Some(20)))
                .await,
        )? {
            c.campaigns = page
                .items
                .into_iter()
                .filter(|i| i.status == "open")
                .take(5)
                .map(|i| CampaignProgress {
                    id: i.id,
                    title: i.title,
                    deadline: i.deadline,
                    submitted: i.submitted,
                    targets: i.targets,
                })
                .collect();
        }
        let mut active = 0;
        for state in [
            FindingState::Open,
            FindingState::ActionPlanned,
            FindingState::Done,
        ] {
            let filter = FindingFilter {
                state: Some(state.code().to_string()),
                ..FindingFilter::default()
            };
            match allowed(self.list_findings(caller, &filter, one).await)? {
                Some(page) => active += page.total,
                None => return Ok(c),
            }
        }
        c.findings_active = Some(active);
        let overdue = FindingFilter {
            overdue_on: Some(today),
            ..FindingFilter::default()
        };
        c.findings_overdue = self.list_findings(caller, &overdue, one).await?.total;
        let untreated = RiskFilter {
            treatment: Some("none".into()),
            ..RiskFilter::default()
        };
        c.risks_untreated = allowed(
            self.list_risks(caller, &untreated, RiskSortKey::default(), true, one)
                .await,
        )?
        .map(|(page, more)| (page.total, more));
        Ok(c)
    }
}
