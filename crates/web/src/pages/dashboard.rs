//! The dashboard: where the city stands at a glance.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use mamori_authz::Action;
use mamori_store::PageRequest;
use mamori_store::catalogs::{ControlFilter, ThreatFilter};
use mamori_store::events::EventFilter;
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
    user.require_app(&state, Action::View)?;
    let store = &state.store;
    let one = PageRequest::new(Some(1), Some(1));
    let policy = store.policy_document("basic_policy").await?;
    let threats = store
        .list_threats(&ThreatFilter::default(), one)
        .await?
        .total;
    let controls = store
        .list_controls(&ControlFilter::default(), one)
        .await?
        .total;
    let units = store.list_units(one).await?.total;
    let users = if user.can(&state, Action::ReadUsers, &mamori_authz::Resource::App) {
        store.list_users(None, one).await?.total
    } else {
        0
    };
    let events = if user.can(&state, Action::ReadEvents, &mamori_authz::Resource::App) {
        let assets = crate::auth::asset_scope(&state, &user).await?;
        mamori_store::events::list_events(&store.db, &EventFilter::default(), &assets, one)
            .await?
            .total
    } else {
        0
    };
    let scheme = store.active_scheme().await?;
    let open_trainings = store
        .my_training_requests(user.user.id, true, one)
        .await?
        .total;
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
