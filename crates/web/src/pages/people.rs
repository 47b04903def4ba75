//! What Mamori asks of people and tells them (issue 17): classification
//! changes proposed by staff and decided by the unit's manager
//! (/classification-requests), a person's notices (/notices) and, for the
//! administrator, the mail outbox (/admin/mail). Every decision is the
//! operation's (mamori_app::requests, mamori_app::notices).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mamori_app::requests::{Decision, RequestView, label_of};
use mamori_store::PageRequest;
use mamori_store::notices::{Notice, OutboxMail};
use mamori_store::requests::ClassificationRequest;
use serde::Deserialize;
use tower_sessions::Session;

use super::risk::refused;
use super::{Chrome, Pager, flash, query_string};
use crate::auth::{PageUser, verify_csrf};
use crate::error::AppResult;
use crate::i18n::{Lang, T};
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub unread: String,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u32>,
}

/// A request's state in the reader's language.
pub fn state_words(t: &T, state: &str) -> String {
    match state {
        "pending" => t.pick("承認待ち", "awaiting approval"),
        "approved" => t.pick("承認済み（反映済み）", "approved (in effect)"),
        "refused" => t.pick("却下", "refused"),
        "withdrawn" => t.pick("取下げ", "withdrawn"),
        other => other,
    }
    .to_string()
}

/// One line of the requests list.
pub struct RequestLine {
    pub r: ClassificationRequest,
    pub from: String,
    pub to: String,
    pub state: String,
}

fn line(t: &T, r: ClassificationRequest) -> RequestLine {
    RequestLine {
        from: label_of(&r.old_levels()),
        to: label_of(&r.new_levels()),
        state: state_words(t, &r.state),
        r,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "people/requests.html")]
pub struct RequestsPage {
    chrome: Chrome,
    rows: Vec<RequestLine>,
    pager: Pager,
    state: String,
    states: Vec<(String, String)>,
}

pub async fn requests(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<ListQuery>,
) -> AppResult<RequestsPage> {
    let t = T { lang };
    let page = PageRequest::new(q.page, q.per_page);
    let wanted = Some(q.state.trim()).filter(|s| !s.is_empty());
    let list = state
        .app
        .classification_requests(&user, wanted, None, page)
        .await?;
    let pager = Pager::new(
        &t,
        &query_string("/classification-requests", &[("state", q.state.as_str())]),
        page,
        list.total,
    );
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/classification-requests",
        "requests",
    )
    .await?;
    Ok(RequestsPage {
        chrome,
        rows: list.items.into_iter().map(|r| line(&t, r)).collect(),
        pager,
        state: q.state.trim().to_string(),
        states: ["pending", "approved", "refused", "withdrawn"]
            .iter()
            .map(|s| (s.to_string(), state_words(&t, s)))
            .collect(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "people/request.html")]
pub struct RequestPage {
    chrome: Chrome,
    v: RequestView,
    l: RequestLine,
}

pub async fn request(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<RequestPage> {
    let t = T { lang };
    let v = state.app.classification_request(&user, id).await?;
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        &format!("/classification-requests/{id}"),
        "requests",
    )
    .await?;
    Ok(RequestPage {
        chrome,
        l: line(&t, v.request.clone()),
        v,
    })
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

pub async fn decide(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &f.csrf).await?;
    let t = T { lang };
    let decision = match f.decision.as_str() {
        "approve" => Decision::Approve,
        "withdraw" => Decision::Withdraw,
        _ => Decision::Refuse,
    };
    match state
        .app
        .decide_classification_request(&user, id, decision, &f.note)
        .await
    {
        Ok(r) => {
            let done = match decision {
                Decision::Approve => t.pick(
                    "承認しました。資産の格付けを変更しました。",
                    "Approved: the asset has its new levels.",
                ),
                Decision::Refuse => t.pick("却下しました。", "Refused."),
                Decision::Withdraw => t.pick("申請を取り下げました。", "Request withdrawn."),
            };
            flash(&session, done).await;
            let to = if decision == Decision::Approve {
                format!("/assets/{}", r.asset_id)
            } else {
                format!("/classification-requests/{id}")
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            refused(&session, lang, e).await?;
            Ok(Redirect::to(&format!("/classification-requests/{id}")).into_response())
        }
    }
}

// --- notices ---

#[derive(Template, WebTemplate)]
#[template(path = "people/notices.html")]
pub struct NoticesPage {
    chrome: Chrome,
    rows: Vec<Notice>,
    pager: Pager,
    unread_only: bool,
}

pub async fn notices(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<ListQuery>,
) -> AppResult<NoticesPage> {
    let t = T { lang };
    let page = PageRequest::new(q.page, q.per_page);
    let unread_only = q.unread == "1";
    let list = state.app.my_notices(&user, unread_only, page).await?;
    let pager = Pager::new(
        &t,
        &query_string("/notices", &[("unread", q.unread.as_str())]),
        page,
        list.total,
    );
    let chrome = Chrome::new(&state, &session, lang, Some(&user), "/notices", "notices").await?;
    Ok(NoticesPage {
        chrome,
        rows: list.items,
        pager,
        unread_only,
    })
}

#[derive(Deserialize, Default)]
pub struct ReadForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

/// Marks a notice read (and opens its page), or all of them.
pub async fn read(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Form(f): Form<ReadForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &f.csrf).await?;
    let id = f.id.trim().parse::<i64>().ok();
    state.app.mark_notices_read(&user, id).await?;
    let to = match id {
        Some(id) => state
            .app
            .my_notices(&user, false, PageRequest::new(Some(1), Some(500)))
            .await?
            .items
            .into_iter()
            .find(|n| n.id == id)
            .map(|n| n.link)
            .filter(|l| l.starts_with('/') && !l.starts_with("//"))
            .unwrap_or_else(|| "/notices".into()),
        None => "/notices".into(),
    };
    Ok(Redirect::to(&to).into_response())
}

// --- the mail outbox (administrator) ---

#[derive(Template, WebTemplate)]
#[template(path = "people/mail.html")]
pub struct MailPage {
    chrome: Chrome,
    rows: Vec<OutboxMail>,
    pager: Pager,
    enabled: bool,
}

pub async fn mail(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<ListQuery>,
) -> AppResult<MailPage> {
    let t = T { lang };
    let page = PageRequest::new(q.page, q.per_page);
    let wanted = Some(q.state.trim()).filter(|s| !s.is_empty());
    let list = state.app.mail_outbox(&user, wanted, page).await?;
    let pager = Pager::new(
        &t,
        &query_string("/admin/mail", &[("state", q.state.as_str())]),
        page,
        list.total,
    );
    let chrome = Chrome::new(&state, &session, lang, Some(&user), "/admin/mail", "users").await?;
    Ok(MailPage {
        chrome,
        rows: list.items,
        pager,
        enabled: state.app.mail_enabled(),
    })
}

#[derive(Deserialize, Default)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn retry_mail(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &f.csrf).await?;
    state.app.retry_mail(&user, id).await?;
    flash(
        &session,
        T { lang }.pick("送信を再試行します。", "The mail will be tried again."),
    )
    .await;
    Ok(Redirect::to("/admin/mail?state=pending").into_response())
}
