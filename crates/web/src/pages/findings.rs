//! Findings (指摘事項) and corrective actions (issue 14 part 2): the
//! register at /findings (filters, overdue, export, raise by hand), one
//! finding at /findings/{id} with the steps the reader may take, and a
//! campaign's items answered 未実施 at /audits/inspections/{id}/findings
//! (raise them, waive one with a reason).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mamori_app::findings::{FindingForm, FindingView, PlanForm};
use mamori_app::ops::today;
use mamori_core::audit::finding::{FindingSeverity, FindingSource, FindingState};
use mamori_store::PageRequest;
use mamori_store::findings::{FindingFilter, FindingRecord, NotDoneItem};
use mamori_store::sorting::{Sort, SortKey};
use serde::Deserialize;
use tower_sessions::Session;

use super::ops::{read_fields, refused_keeping, settled, settled_keeping};
use super::risk::refused;
use super::{Chrome, Pager, flash, query_string};
use crate::auth::PageUser;
use crate::error::AppResult;
use crate::i18n::{Lang, T};
use crate::state::AppState;

const SECTION: &str = "findings";

fn word<C: Copy>(
    t: &T,
    v: Option<C>,
    ja: fn(C) -> &'static str,
    en: fn(C) -> &'static str,
) -> String {
    v.map(|v| t.pick(ja(v), en(v)).to_string())
        .unwrap_or_default()
}

/// A finding as a line of a list, its codes in words.
pub struct FindingLine {
    pub f: FindingRecord,
    pub severity: String,
    pub state: String,
    pub source: String,
    pub overdue: bool,
}

fn line(t: &T, f: FindingRecord, today: &str) -> FindingLine {
    FindingLine {
        severity: word(
            t,
            FindingSeverity::parse(&f.severity),
            FindingSeverity::name_ja,
            FindingSeverity::name_en,
        ),
        state: word(
            t,
            FindingState::parse(&f.state),
            FindingState::name_ja,
            FindingState::name_en,
        ),
        source: word(
            t,
            FindingSource::parse(&f.source_kind),
            FindingSource::name_ja,
            FindingSource::name_en,
        ),
        overdue: f.overdue_on(today),
        f,
    }
}

fn choices(t: &T, all: Vec<(&'static str, &'static str, &'static str)>) -> Vec<(String, String)> {
    all.into_iter()
        .map(|(c, ja, en)| (c.to_string(), t.pick(ja, en).to_string()))
        .collect()
}

fn severities(t: &T) -> Vec<(String, String)> {
    choices(
        t,
        FindingSeverity::ALL
            .iter()
            .map(|s| (s.code(), s.name_ja(), s.name_en()))
            .collect(),
    )
}

fn states(t: &T) -> Vec<(String, String)> {
    choices(
        t,
        FindingState::ALL
            .iter()
            .map(|s| (s.code(), s.name_ja(), s.name_en()))
            .collect(),
    )
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub overdue: String,
    /// A sort key (an unknown one leaves the default order) and `asc`/`desc`.
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "findings/list.html")]
pub struct FindingsPage {
    chrome: Chrome,
    rows: Vec<FindingLine>,
    pager: Pager,
    headers: Vec<super::SortHeader>,
    q: ListQuery,
    states: Vec<(String, String)>,
    severities: Vec<(String, String)>,
    may_raise: bool,
    units: Vec<(i64, String)>,
}

pub async fn list(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<ListQuery>,
) -> AppResult<FindingsPage> {
    let t = T { lang };
    let day = today();
    let page = PageRequest::new(q.page, q.per_page);
    let filter = FindingFilter {
        state: FindingState::parse(&q.state).map(|s| s.code().to_string()),
        severity: FindingSeverity::parse(&q.severity).map(|s| s.code().to_string()),
        overdue_on: (q.overdue == "1").then(|| day.clone()),
        sort: Sort::parse(&q.sort, &q.dir),
        ..Default::default()
    };
    let list = state.app.list_findings(&user, &filter, page).await?;
    let filters = [
        ("state", q.state.as_str()),
        ("severity", q.severity.as_str()),
        ("overdue", q.overdue.as_str()),
    ];
    let (key, descending) = match filter.sort {
        Some(s) => (s.key.code(), s.descending),
        None => ("", false),
    };
    let headers = super::sort_headers(
        &query_string("/findings", &filters),
        key,
        descending,
        &[
            ("id", "No.".to_string()),
            ("severity", t.pick("重大度", "Severity").to_string()),
            ("", t.pick("内容", "Description").to_string()),
            ("", t.pick("規定・対策", "Provision or control").to_string()),
            ("unit", t.pick("課・システム", "Unit or system").to_string()),
            ("", t.pick("担当者", "Owner").to_string()),
            ("due", t.pick("期限", "Due").to_string()),
            ("state", t.pick("状態", "State").to_string()),
        ],
    );
    let mut paged = filters.to_vec();
    paged.push(("sort", key));
    paged.push(("dir", if descending { "desc" } else { "" }));
    let pager = Pager::new(&t, &query_string("/findings", &paged), page, list.total);
    let may_raise = state.app.may_raise_findings(&user);
    let units = if may_raise {
        state
            .app
            .unit_choices(&user)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect()
    } else {
        Vec::new()
    };
    let chrome = Chrome::new(&state, &session, lang, Some(&user), "/findings", SECTION).await?;
    Ok(FindingsPage {
        chrome,
        rows: list.items.into_iter().map(|f| line(&t, f, &day)).collect(),
        pager,
        headers,
        q,
        states: states(&t),
        severities: severities(&t),
        may_raise,
        units,
    })
}

fn opt_id(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        None
    } else {
        Some(s.parse().unwrap_or(-1))
    }
}

pub async fn create(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let form = FindingForm {
        severity: f.get("severity"),
        provision: f.get("provision"),
        unit_id: opt_id(&f.get("unit_id")),
        system_id: opt_id(&f.get("system_id")),
        description: f.get("description"),
    };
    match state.app.raise_finding(&user, &form).await {
        Ok(r) => {
            flash(
                &session,
                T { lang }.pick("指摘事項を起票しました", "Finding raised"),
            )
            .await;
            Ok(Redirect::to(&format!("/findings/{}", r.id)).into_response())
        }
        Err(e) => {
            refused_keeping(&session, lang, e, &f, "/findings").await?;
            Ok(Redirect::to("/findings").into_response())
        }
    }
}

pub async fn export(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> AppResult<Response> {
    let bytes = state.app.export_findings(&user, &today()).await?;
    Ok(crate::download::attachment(
        bytes,
        mamori_core::table::LedgerFormat::Xlsx.content_type(),
        "findings.xlsx",
    ))
}

/// A line of the history, its kind in words.
pub struct HistoryLine {
    pub at: String,
    pub kind: String,
    pub note: String,
    pub by: String,
}

fn history_kind(t: &T, kind: &str) -> String {
    let (ja, en) = match kind {
        "raised" => ("起票", "Raised"),
        "planned" => ("是正計画", "Action planned"),
        "done" => ("是正完了報告", "Reported done"),
        "verified" => ("確認", "Verified"),
        "returned" => ("差戻し", "Sent back"),
        "closed" => ("終結", "Closed"),
        _ => ("経過", "Note"),
    };
    t.pick(ja, en).to_string()
}

#[derive(Template, WebTemplate)]
#[template(path = "findings/finding.html")]
pub struct FindingPage {
    chrome: Chrome,
    v: FindingView,
    l: FindingLine,
    history: Vec<HistoryLine>,
    /// (user id, name, selected)
    owners: Vec<(i64, String, bool)>,
}

pub async fn finding(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<FindingPage> {
    let t = T { lang };
    let day = today();
    let v = state.app.finding_view(&user, id, &day).await?;
    let owners = if v.may_plan {
        state
            .app
            .finding_owner_choices(&user, id)
            .await?
            .into_iter()
            .map(|(uid, name)| (uid, name, v.finding.owner_id == Some(uid)))
            .collect()
    } else {
        Vec::new()
    };
    let history = v
        .notes
        .iter()
        .map(|n| HistoryLine {
            at: t.moment(&n.at),
            kind: history_kind(&t, &n.kind),
            note: n.note.clone(),
            by: n.user_name.clone().unwrap_or_default(),
        })
        .collect();
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        &format!("/findings/{id}"),
        SECTION,
    )
    .await?;
    Ok(FindingPage {
        l: line(&t, v.finding.clone(), &day),
        history,
        owners,
        v,
        chrome,
    })
}

fn back(id: i64) -> Response {
    Redirect::to(&format!("/findings/{id}")).into_response()
}

/// One step of a finding taken from its page: `what` names the form.
pub async fn step(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((id, what)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let revision = f.get("revision").trim().parse().unwrap_or(-1);
    let note = f.get("note");
    let app = &state.app;
    let (outcome, ja, en) = match what.as_str() {
        "plan" => {
            let form = PlanForm {
                owner_id: f.get("owner_id").trim().parse().unwrap_or(-1),
                due_on: f.get("due_on"),
                plan: f.get("plan"),
            };
            (
                app.plan_finding(&user, id, revision, &form).await,
                "是正計画を記録しました",
                "Corrective action planned",
            )
        }
        "done" => (
            app.report_finding_done(&user, id, revision, &note).await,
            "是正完了を報告しました",
            "Reported done",
        ),
        "verification" => (
            app.verify_finding(&user, id, revision, &f.get("decision"), &note)
                .await,
            "確認の結果を記録しました",
            "Verification recorded",
        ),
        "close" => (
            app.close_finding(&user, id, revision, &note).await,
            "指摘事項を終結しました",
            "Finding closed",
        ),
        "notes" => (
            app.add_finding_note(&user, id, revision, &note).await,
            "経過を記録しました",
            "Note added",
        ),
        _ => return Err(crate::error::AppError::not_found("finding step")),
    };
    let page = format!("/findings/{id}");
    settled_keeping(&session, lang, outcome, (ja, en), &f, (&page, &what)).await?;
    Ok(back(id))
}

#[derive(Template, WebTemplate)]
#[template(path = "findings/inspection.html")]
pub struct InspectionFindingsPage {
    chrome: Chrome,
    id: i64,
    title: String,
    items: Vec<NotDoneItem>,
    may_raise: bool,
}

pub async fn inspection(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<InspectionFindingsPage> {
    let items = state.app.inspection_not_done(&user, id).await?;
    let title = state
        .app
        .inspection_view(&user, id, None, PageRequest::new(Some(1), Some(1)))
        .await?
        .inspection
        .title;
    let path = format!("/audits/inspections/{id}/findings");
    Ok(InspectionFindingsPage {
        chrome: Chrome::new(&state, &session, lang, Some(&user), &path, "audits").await?,
        may_raise: state.app.may_raise_findings(&user),
        id,
        title,
        items,
    })
}

pub async fn raise_inspection(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    read_fields(&session, body).await?;
    match state.app.raise_inspection_findings(&user, id).await {
        Ok(o) => {
            let text = match lang {
                Lang::Ja => format!(
                    "指摘事項を{}件起票しました（起票済 {}件、免除 {}件）",
                    o.raised.len(),
                    o.already,
                    o.waived
                ),
                Lang::En => format!(
                    "{} findings raised ({} raised before, {} waived)",
                    o.raised.len(),
                    o.already,
                    o.waived
                ),
            };
            flash(&session, text).await;
        }
        Err(e) => refused(&session, lang, e).await?,
    }
    Ok(Redirect::to(&format!("/audits/inspections/{id}/findings")).into_response())
}

pub async fn waive(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let target = f.get("target_id").trim().parse().unwrap_or(-1);
    let item = f.get("item_id").trim().parse().unwrap_or(-1);
    let outcome = state
        .app
        .waive_inspection_item(&user, id, target, item, &f.get("reason"))
        .await;
    settled(
        &session,
        lang,
        outcome,
        "免除を記録しました",
        "Waiver recorded",
    )
    .await?;
    Ok(Redirect::to(&format!("/audits/inspections/{id}/findings")).into_response())
}

// --- h14 ---

/// Raises a violation of a firewall check as a finding, from the run's page
/// (csrf, violation: its index in the report, severity, provision).
pub async fn raise_netcheck(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(run): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = read_fields(&session, body).await?;
    let index: usize = f.get("violation").trim().parse().unwrap_or(usize::MAX);
    let form = FindingForm {
        severity: f.get("severity"),
        provision: f.get("provision"),
        unit_id: opt_id(&f.get("unit_id")),
        system_id: None,
        description: String::new(),
    };
    match state
        .app
        .raise_netcheck_finding(&user, run, index, &form)
        .await
    {
        Ok(r) => {
            flash(
                &session,
                T { lang }.pick("指摘事項として登録しました", "Raised as a finding"),
            )
            .await;
            Ok(Redirect::to(&format!("/findings/{}", r.id)).into_response())
        }
        Err(e) => {
            refused(&session, lang, e).await?;
            Ok(Redirect::to(&format!("/netcheck/runs/{run}")).into_response())
        }
    }
}
