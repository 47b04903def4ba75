//! The dashboard: what is waiting for the person first, then the state of
//! what they are responsible for, with charts drawn on the server.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use mamori_app::dashboard::{Responsibility, TodoItem, UnitProgress};
use mamori_app::ops::attention::Attention;
use mamori_store::netcheck::RunSummary;
use tower_sessions::Session;

use super::charts::BarChart;
use super::{Chrome, DatePair};
use crate::auth::PageUser;
use crate::error::AppResult;
use crate::i18n::{Lang, T};
use crate::state::AppState;

/// One thing to do, as shown.
pub struct TodoLine {
    pub kind: String,
    pub item: TodoItem,
    pub due: String,
}

/// A responsibility panel, as shown.
pub struct Panel {
    pub title: String,
    pub ack_campaign: Option<String>,
    pub ack_total: UnitProgress,
    pub ack_behind: Vec<UnitProgress>,
    pub ack_chart: Option<BarChart>,
    pub training_total: UnitProgress,
    pub training_behind: Vec<UnitProgress>,
    pub training_chart: Option<BarChart>,
    pub flagged_assets: i64,
    pub netchecks: Vec<(RunSummary, String)>,
    /// The city's audits, corrective actions and risks (the city's panel).
    pub cycle: Option<mamori_app::dashboard::CycleSummary>,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    chrome: Chrome,
    todo: Vec<TodoLine>,
    attention: Attention,
    panels: Vec<Panel>,
    unread: i64,
    open_trainings: i64,
    articles: usize,
    policy_title: String,
    latest_revision: Option<DatePair>,
    scheme_name: String,
    // --- h17ui ---
    /// The register's spread and the trends, for those who see the whole
    /// city's status (the security office, oversight).
    city_charts: Vec<BarChart>,
}

fn kind_words(t: &T, kind: &str) -> String {
    match kind {
        "ack" => t.pick("確認", "Acknowledge"),
        "training" => t.pick("研修", "Training"),
        "questionnaire" => t.pick("自己点検", "Self-inspection"),
        "audit" => t.pick("監査", "Audit"),
        "approval" => t.pick("承認", "Approval"),
        "attention" => t.pick("報告期限", "Report due"),
        "finding" => t.pick("是正措置", "Corrective action"),
        "verify" => t.pick("是正の確認", "Verify"),
        "return" => t.pick("返却", "Return"),
        other => other,
    }
    .to_string()
}

/// Bars of every unit (at most 30, the furthest behind first).
fn chart(id: &'static str, title: String, rows: &[UnitProgress]) -> Option<BarChart> {
    if rows.len() < 2 {
        return None;
    }
    let mut rows: Vec<&UnitProgress> = rows.iter().collect();
    rows.sort_by_key(|r| (r.percent(), r.unit.clone()));
    rows.truncate(30);
    let data: Vec<(String, i64, i64)> = rows
        .iter()
        .map(|r| (r.unit.clone(), r.done, r.of))
        .collect();
    Some(BarChart::percentages(id, title, &data))
}

/// A unit's name as shown: staff without a unit are （所属なし）, never an
/// empty label.
pub(super) fn unit_label(t: &T, name: &str) -> String {
    if name.trim().is_empty() {
        t.pick("（所属なし）", "(no unit)").to_string()
    } else {
        name.to_string()
    }
}

fn panel(t: &T, mut r: Responsibility, i: usize) -> Panel {
    for u in r.ack.iter_mut().chain(r.training.iter_mut()) {
        u.unit = unit_label(t, &u.unit);
    }
    let title = match &r.unit {
        None => t.pick("市全体の状況", "The city as a whole").to_string(),
        Some(u) => format!("{}{}", u, t.pick("の状況", ": state")),
    };
    let (ack_id, training_id) = if i == 0 {
        ("ack-chart", "training-chart")
    } else {
        ("ack-chart-more", "training-chart-more")
    };
    Panel {
        title,
        ack_total: r.ack_total(),
        ack_behind: Responsibility::behind(&r.ack, 5),
        ack_chart: chart(
            ack_id,
            t.pick(
                "課ごとの確認（誓約）の完了率",
                "Acknowledgements done by unit",
            )
            .to_string(),
            &r.ack,
        ),
        training_total: r.training_total(),
        training_behind: Responsibility::behind(&r.training, 5),
        training_chart: chart(
            training_id,
            t.pick("課ごとの研修の修了率", "Training completed by unit")
                .to_string(),
            &r.training,
        ),
        flagged_assets: r.flagged_assets,
        netchecks: r
            .netchecks
            .into_iter()
            .map(|n| {
                let verdict = if !n.complete {
                    t.pick("判定できず", "incomplete")
                } else if n.clean {
                    t.pick("違反なし", "clean")
                } else {
                    t.pick("違反あり", "violations")
                }
                .to_string();
                (n, verdict)
            })
            .collect(),
        ack_campaign: r.ack_campaign,
        cycle: r.cycle,
    }
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<DashboardPage> {
    let t = T { lang };
    let today = mamori_app::ops::today();
    let d = state.app.dashboard(&user, &today).await?;
    let city_charts = if state
        .app
        .may_app(&user, mamori_authz::Action::ReadTrainingStatus)
    {
        let spread = state
            .app
            .register_spread(&user, &Default::default())
            .await?;
        let trends = state.app.completion_trends(&user).await?;
        let unit = t.pick("件", "");
        let mut charts = super::charts::register_charts(&t, &spread);
        for (id, title, rows) in [
            (
                "training-per-month",
                t.pick(
                    "月ごとの研修修了数（直近12か月）",
                    "Trainings completed per month (last 12 months)",
                ),
                &trends.training,
            ),
            (
                "acks-per-month",
                t.pick(
                    "月ごとの確認（誓約）数（直近12か月）",
                    "Acknowledgements per month (last 12 months)",
                ),
                &trends.acknowledgements,
            ),
        ] {
            let rows: Vec<(String, i64)> = rows
                .iter()
                .map(|(m, n)| (super::charts::month_label(&t, m), *n))
                .collect();
            charts.push(BarChart::counts(id, title.to_string(), &rows, unit));
        }
        charts
    } else {
        Vec::new()
    };
    let chrome = Chrome::new(&state, &session, lang, Some(&user), "/", "dashboard").await?;
    Ok(DashboardPage {
        todo: d
            .todo
            .into_iter()
            .map(|item| TodoLine {
                kind: kind_words(&t, item.kind),
                due: item.due.as_deref().map(|d| t.day(d)).unwrap_or_default(),
                item,
            })
            .collect(),
        panels: d
            .responsible
            .into_iter()
            .enumerate()
            .map(|(i, r)| panel(&t, r, i))
            .collect(),
        attention: d.attention,
        unread: d.unread,
        open_trainings: d.open_trainings,
        articles: d.policy.articles.len(),
        policy_title: lang
            .pick(&d.policy.document.title, &d.policy.document.title_en)
            .to_string(),
        latest_revision: d
            .policy
            .revisions
            .last()
            .map(|r| DatePair::from_iso(&r.effective, lang)),
        scheme_name: lang.pick(&d.scheme.name, &d.scheme.name_en).to_string(),
        city_charts,
        chrome,
    })
}
