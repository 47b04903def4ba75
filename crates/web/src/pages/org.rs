//! Acknowledgements (誓約): a member of staff confirms the policy versions they are
//! asked to; the security office opens campaigns and follows the rate per unit.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::Redirect;
use mamori_authz::{Action, Resource};
use mamori_store::StoreError;
use mamori_store::org::{AckCampaign, AckRequest, NewAckCampaign, PolicyRevision, UnitAckRate};
use mamori_store::{Page, PageRequest};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Chrome, Pager, flash, flash_error, query_string};
use crate::auth::{PageUser, verify_csrf};
use crate::error::AppResult;
use crate::i18n::{Lang, T};
use crate::state::AppState;

/// The status of one campaign, for those who may see it.
pub struct CampaignStatus {
    pub campaign: AckCampaign,
    pub rates: Vec<(UnitAckRate, i64)>,
    pub rates_pager: Pager,
    pub pending: Vec<AckRequest>,
    pub pending_pager: Pager,
}

#[derive(Template, WebTemplate)]
#[template(path = "acknowledgements.html")]
pub struct AckPage {
    chrome: Chrome,
    mine: Vec<AckRequest>,
    mine_pager: Pager,
    campaigns: Option<Page<AckCampaign>>,
    status: Option<CampaignStatus>,
    revisions: Vec<PolicyRevision>,
    can_open: bool,
}

#[derive(Deserialize, Default)]
pub struct AckQuery {
    pub campaign: Option<i64>,
    pub within: Option<i64>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    pub rpage: Option<u32>,
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<AckQuery>,
) -> AppResult<AckPage> {
    user.require_app(&state, Action::Acknowledge)?;
    let t = T { lang };
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/acknowledgements",
        "acknowledgements",
    )
    .await?;
    let page = PageRequest::new(q.page, q.per_page);
    let mine = state.store.my_ack_requests(user.user.id, page).await?;
    let mine_pager = Pager::new(&t, "/acknowledgements", page, mine.total);
    let sees_all = user.can(&state, Action::ReadAckStatus, &Resource::App);
    let campaigns = if sees_all {
        Some(
            state
                .store
                .list_ack_campaigns(PageRequest::default())
                .await?,
        )
    } else {
        None
    };
    let status = match q.campaign {
        Some(id) => {
            crate::api::allow_ack_status(&state, &user, q.within).await?;
            let campaign = state.store.ack_campaign(id).await?;
            let within = q.within.map(|w| w.to_string()).unwrap_or_default();
            let base = query_string(
                "/acknowledgements",
                &[("campaign", &id.to_string()), ("within", &within)],
            );
            let rpage = PageRequest::new(q.rpage, None);
            let rates = state.store.ack_rates(id, q.within, rpage).await?;
            let pending = state.store.ack_pending(id, q.within, page).await?;
            Some(CampaignStatus {
                campaign,
                rates_pager: Pager::new(&t, &base, rpage, rates.total),
                rates: rates
                    .items
                    .into_iter()
                    .map(|r| {
                        let p = r.percent();
                        (r, p)
                    })
                    .collect(),
                pending_pager: Pager::new(&t, &base, page, pending.total),
                pending: pending.items,
            })
        }
        None => None,
    };
    let can_open = user.can(&state, Action::ManageAcknowledgements, &Resource::App);
    let revisions = if can_open {
        state
            .store
            .list_policy_revisions(PageRequest::default())
            .await?
            .items
    } else {
        Vec::new()
    };
    Ok(AckPage {
        chrome,
        mine: mine.items,
        mine_pager,
        campaigns,
        status,
        revisions,
        can_open,
    })
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(campaign_id): Path<i64>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    user.require_app(&state, Action::Acknowledge)?;
    state
        .store
        .acknowledge(&user.actor(), campaign_id, user.user.id)
        .await?;
    flash(&session, T { lang }.get("ack.confirmed")).await;
    Ok(Redirect::to("/acknowledgements"))
}

#[derive(Deserialize)]
pub struct OpenForm {
    csrf: String,
    revision_id: i64,
    title: String,
    #[serde(default)]
    due_on: String,
}

pub async fn open(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    axum::Form(form): axum::Form<OpenForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    user.require_app(&state, Action::ManageAcknowledgements)?;
    let due_on = Some(form.due_on).filter(|d| !d.trim().is_empty());
    let result = state
        .store
        .open_ack_campaign(
            &user.actor(),
            NewAckCampaign {
                revision_id: form.revision_id,
                title: form.title,
                due_on,
            },
        )
        .await;
    match result {
        Ok(c) => {
            flash(
                &session,
                format!("{} ({})", T { lang }.get("ack.opened"), c.requested),
            )
            .await;
            Ok(Redirect::to(&format!(
                "/acknowledgements?campaign={}",
                c.id
            )))
        }
        Err(e @ StoreError::Invalid { .. }) => {
            flash_error(&session, e.to_string()).await;
            Ok(Redirect::to("/acknowledgements"))
        }
        Err(e) => Err(e.into()),
    }
}
