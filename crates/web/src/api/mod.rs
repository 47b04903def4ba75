//! The JSON API under `/api/v1`: the same rules and permissions as the pages,
//! documented by the OpenAPI document at `/api/v1/openapi.json`.

mod admin;
mod assets;
mod auth;
mod catalog;
mod org;
mod orgadmin;
mod training;

pub(crate) use org::allow_status as allow_ack_status;
pub(crate) use training::{allow_status as allow_training_status, completion_source};
mod netcheck;
mod segments;

use axum::extract::{FromRequest, Request};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

use crate::error::AppError;
use crate::state::AppState;

/// The API's routes; the imports take bodies up to `upload_limit` bytes.
pub fn routes(upload_limit: usize) -> Router<AppState> {
    let upload = || axum::extract::DefaultBodyLimit::max(upload_limit);
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/auth/token", post(auth::token))
        .route("/me", get(auth::me))
        .route("/policy-documents", get(catalog::documents))
        .route("/policy-documents/{code}", get(catalog::document))
        .route("/threat-categories", get(catalog::threat_categories))
        .route("/threats", get(catalog::threats))
        .route("/threats/{code}", get(catalog::threat))
        .route("/control-categories", get(catalog::control_categories))
        .route("/controls", get(catalog::controls))
        .route("/classification-schemes", get(catalog::schemes))
        .route(
            "/classification-schemes/active",
            get(catalog::active_scheme).put(catalog::set_active_scheme),
        )
        .route("/units", get(admin::units).post(admin::create_unit))
        .route("/users", get(admin::users).post(admin::create_user))
        .route("/users/{id}", get(admin::user).patch(admin::update_user))
        .route("/users/{id}/password", post(admin::reset_password))
        .route("/guideline-roles", get(org::guideline_roles))
        .route(
            "/role-assignments",
            get(org::role_assignments).post(org::assign_role),
        )
        .route("/role-assignments/{id}/end", post(org::end_role))
        .route("/users/{id}/staff", axum::routing::put(org::set_staff))
        .route("/policy-revisions", get(org::policy_revisions))
        .route(
            "/acknowledgements/campaigns",
            get(org::campaigns).post(org::open_campaign),
        )
        .route(
            "/acknowledgements/campaigns/{id}/units",
            get(org::campaign_units),
        )
        .route(
            "/acknowledgements/campaigns/{id}/pending",
            get(org::campaign_pending),
        )
        .route("/me/acknowledgements", get(org::my_requests))
        .route("/me/acknowledgements/{campaign_id}", post(org::confirm))
        .route("/events", get(admin::events))
        .route("/events/verify", post(admin::verify))
        .route("/segments", get(segments::list))
        .route(
            "/segments/file",
            get(segments::file).put(segments::save_file),
        )
        .route("/information-systems", get(segments::systems))
        .route("/assets", get(assets::list).post(assets::create))
        .route("/assets/export", get(assets::export))
        .route("/assets/import", post(assets::import).layer(upload()))
        .route("/assets/{id}", get(assets::get).patch(assets::update))
        .route("/assets/{id}/reclassify", post(assets::reclassify))
        .route("/assets/{id}/dispose", post(assets::dispose))
        .route("/netcheck/runs", get(netcheck::list).post(netcheck::create))
        .route("/netcheck/runs/{id}", get(netcheck::get))
        .route("/netcheck/runs/{id}/violations", get(netcheck::violations))
        .route("/netcheck/runs/{id}/shadowed", get(netcheck::shadowed))
        // orgimport: the organisation from the HR system's export, a unit's history.
        .route("/org/import", post(orgadmin::import).layer(upload()))
        .route("/units/{id}/rename", post(orgadmin::rename))
        .route("/units/{id}/merge", post(orgadmin::merge))
        .route("/units/{id}/abolish", post(orgadmin::abolish))
        // Training (第8(2)) and the Excel exports of training and acknowledgement status.
        .route(
            "/training/courses",
            get(training::courses).post(training::create_course),
        )
        .route(
            "/training/assignments",
            get(training::assignments).post(training::assign),
        )
        .route(
            "/training/assignments/{id}",
            patch(training::change_due).delete(training::withdraw),
        )
        .route("/training/courses/{id}", patch(training::update_course))
        .route("/training/units", get(training::units))
        .route("/training/overdue", get(training::overdue))
        .route(
            "/training/completions",
            get(training::completions).post(training::record),
        )
        .route(
            "/training/completions/import",
            post(training::import).layer(upload()),
        )
        .route("/training/export.xlsx", get(training::export))
        .route("/me/trainings", get(training::mine))
        .route(
            "/acknowledgements/campaigns/{id}/export.xlsx",
            get(training::export_acks),
        )
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Mamori API", description = "情報セキュリティマネジメント for Japanese local governments. Authenticate with POST /api/v1/auth/token and send `Authorization: Bearer TOKEN`. Collections answer {items, total} and take page and per_page."),
    paths(
        auth::token, auth::me,
        catalog::documents, catalog::document, catalog::threat_categories, catalog::threats, catalog::threat,
        catalog::control_categories, catalog::controls, catalog::schemes, catalog::active_scheme, catalog::set_active_scheme,
        admin::units, admin::create_unit, admin::users, admin::create_user, admin::user, admin::update_user,
        admin::reset_password, admin::events, admin::verify,
        org::guideline_roles, org::role_assignments, org::assign_role, org::end_role, org::set_staff,
        org::policy_revisions, org::campaigns, org::open_campaign, org::campaign_units,
        org::campaign_pending, org::my_requests, org::confirm,
        netcheck::create, netcheck::list, netcheck::get, netcheck::violations, netcheck::shadowed,
        segments::list, segments::systems, segments::file, segments::save_file,
        assets::list, assets::get, assets::create, assets::update, assets::reclassify, assets::dispose,
        assets::export, assets::import,
        orgadmin::import, orgadmin::rename, orgadmin::merge, orgadmin::abolish,
        training::courses, training::create_course, training::assignments, training::assign, training::change_due, training::update_course, training::withdraw,
        training::units, training::overdue, training::completions, training::record,
        training::import, training::mine, training::export, training::export_acks,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail, crate::error::FieldProblem)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /api/v1/openapi.json`.
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// A JSON body whose errors are answered in the API's error format.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    Json<T>: FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(req, state).await?;
        Ok(ApiJson(value))
    }
}

/// A page of a collection.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Collection<T> {
    pub items: Vec<T>,
    pub total: i64,
}

impl<T> From<mamori_store::Page<T>> for Collection<T> {
    fn from(p: mamori_store::Page<T>) -> Self {
        Collection {
            items: p.items,
            total: p.total,
        }
    }
}

/// A page from the store as a collection, or the store's error in the API's
/// error format.
pub(crate) fn collection<T>(
    found: Result<mamori_store::Page<T>, mamori_store::StoreError>,
) -> ApiResult<Json<Collection<T>>> {
    Ok(Json(found.map_err(json_err)?.into()))
}

/// `page` (from 1) and `per_page` (1–500, default 50).
#[derive(Deserialize, utoipa::IntoParams, Default)]
pub struct Paging {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl Paging {
    pub fn request(&self) -> mamori_store::PageRequest {
        mamori_store::PageRequest::new(self.page, self.per_page)
    }
}

/// Query extractor with API-style errors.
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(v) = axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map_err(|e| AppError::from(e).as_json())?;
        Ok(ApiQuery(v))
    }
}

/// Maps a handler's error to JSON.
pub type ApiResult<T> = Result<T, AppError>;

pub(crate) fn json_err(e: impl Into<AppError>) -> AppError {
    e.into().as_json()
}
