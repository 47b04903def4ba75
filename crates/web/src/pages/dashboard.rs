//! The dashboard: where the city stands at a glance.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use tower_sessions::Session;

use super::{Chrome, DatePair};
use crate::auth::PageUser;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    chrome: Chrome,
    articles: usize,
    threats: i64,
    controls: i64,
    units: i64,
    users: i64,
    events: i64,
    policy_title: String,
    latest_revision: Option<DatePair>,
    scheme_name: String,
    open_trainings: i64,
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<DashboardPage> {
    let mamori_app::dashboard::Dashboard {
        policy,
        threats,
        controls,
        units,
        users,
        events,
        scheme,
        open_trainings,
    } = state.app.dashboard(&user).await?;
    let chrome = Chrome::new(&state, &session, lang, Some(&user), "/", "dashboard").await?;
    Ok(DashboardPage {
        articles: policy.articles.len(),
        policy_title: lang
            .pick(&policy.document.title, &policy.document.title_en)
            .to_string(),
        latest_revision: policy
            .revisions
            .last()
            .map(|r| DatePair::from_iso(&r.effective, lang)),
        scheme_name: lang.pick(&scheme.name, &scheme.name_en).to_string(),
        chrome,
        threats,
        controls,
        units,
        users,
        events,
        open_trainings,
    })
}
