//! The JSON API under `/api/v1`: the same rules and permissions as the pages,
//! documented by the OpenAPI document at `/api/v1/openapi.json`.

mod admin;
mod assets;
mod auth;
mod catalog;
mod org;
mod orgadmin;
mod policy_docs;
// Risk analysis and treatment (issue 13, part 2).
mod risk;
mod training;
pub mod wire;

mod netcheck;
mod segments;
// Information systems, control status and evidence (issue 13, part 1).
mod controls;
pub(crate) use controls::{evidence_response, file_response};
// --- Audits and self-inspections (第10; issue 14) ---
mod audits;
// --- operations (issue 15) ---
mod ops;
// --- people first (issue 17) ---
mod people;
// --- audit2 ---
mod audit_programmes;
mod findings;
// --- ops2 ---
mod ops2;
// --- h14 ---
mod audit_reports;

use axum::extract::{FromRequest, Request};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use crate::error::AppError;
use crate::state::AppState;

/// The API's routes; the imports take bodies up to `upload_limit` bytes.
pub fn routes(upload_limit: usize) -> Router<AppState> {
    let (router, _) = router(upload_limit).split_for_parts();
    router.route("/openapi.json", get(openapi))
}

/// The prefix under which [`routes`] are served.
pub const PREFIX: &str = "/api/v1";

/// Every operation of the API, declared once: each handler's `#[utoipa::path]`
/// gives both its route and its description, so the router and the OpenAPI
/// document cannot differ. Handlers of one path are declared together.
pub fn router(upload_limit: usize) -> OpenApiRouter<AppState> {
    let upload = move |(schemas, paths, method): UtoipaMethodRouter<AppState>| {
        (
            schemas,
            paths,
            method.layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
    };
    OpenApiRouter::new()
        .routes(routes!(auth::token))
        .routes(routes!(auth::me))
        .routes(routes!(catalog::documents))
        .routes(routes!(catalog::document))
        .routes(routes!(catalog::threat_categories))
        .routes(routes!(catalog::threats))
        .routes(routes!(catalog::threat))
        .routes(routes!(catalog::control_categories))
        .routes(routes!(catalog::controls, controls::create_control))
        .routes(routes!(catalog::schemes))
        .routes(routes!(catalog::active_scheme, catalog::set_active_scheme))
        .routes(routes!(admin::units, admin::create_unit))
        .routes(routes!(admin::users, admin::create_user))
        .routes(routes!(admin::user, admin::update_user))
        .routes(routes!(admin::reset_password))
        .routes(routes!(org::guideline_roles))
        .routes(routes!(org::role_assignments, org::assign_role))
        .routes(routes!(org::end_role))
        .routes(routes!(org::set_staff))
        .routes(routes!(org::policy_revisions))
        .routes(routes!(org::campaigns, org::open_campaign))
        .routes(routes!(org::campaign_units))
        .routes(routes!(org::campaign_pending))
        .routes(routes!(org::my_requests))
        .routes(routes!(org::confirm))
        .routes(routes!(admin::events))
        .routes(routes!(admin::verify))
        .routes(routes!(segments::list))
        .routes(routes!(segments::file, segments::save_file))
        .routes(routes!(assets::list, assets::create))
        .routes(routes!(assets::export))
        .routes(upload(routes!(assets::import)))
        .routes(routes!(assets::get, assets::update))
        .routes(routes!(assets::reclassify))
        .routes(routes!(assets::dispose))
        .routes(routes!(netcheck::list, netcheck::create))
        .routes(routes!(netcheck::get))
        .routes(routes!(netcheck::violations))
        .routes(routes!(netcheck::shadowed))
        // orgimport: the organisation from the HR system's export, a unit's history.
        .routes(upload(routes!(orgadmin::import)))
        .routes(routes!(orgadmin::rename))
        .routes(routes!(orgadmin::merge))
        .routes(routes!(orgadmin::abolish))
        // Training (第8(2)) and the Excel exports of training and acknowledgement status.
        .routes(routes!(training::courses, training::create_course))
        .routes(routes!(training::assignments, training::assign))
        .routes(routes!(training::change_due, training::withdraw))
        .routes(routes!(training::update_course))
        .routes(routes!(training::units))
        .routes(routes!(training::overdue))
        .routes(routes!(training::completions, training::record))
        .routes(upload(routes!(training::import)))
        .routes(routes!(training::export))
        .routes(routes!(training::mine))
        .routes(routes!(training::export_acks))
        // Policy documents kept as versions (第9, 附則).
        .routes(routes!(policy_docs::list))
        .routes(routes!(policy_docs::versions))
        .routes(routes!(policy_docs::version))
        .routes(routes!(policy_docs::compare))
        .routes(routes!(policy_docs::compare_xlsx))
        .routes(routes!(policy_docs::compare_docx))
        // Information systems, the city's controls, control status and evidence (issue 13, part 1).
        .routes(routes!(controls::list, controls::create))
        .routes(routes!(controls::export))
        .routes(upload(routes!(controls::import)))
        .routes(routes!(controls::get, controls::update))
        .routes(routes!(controls::retire))
        .routes(routes!(controls::get_control, controls::update_control))
        .routes(routes!(controls::retire_control))
        .routes(routes!(controls::status_list, controls::set_status))
        .routes(routes!(controls::status_export))
        .routes(upload(routes!(controls::status_import)))
        .routes(routes!(controls::in_scope))
        .routes(routes!(controls::status_get))
        .routes(upload(routes!(controls::attach_file)))
        .routes(routes!(controls::attach_link))
        .routes(routes!(controls::download))
        // Risk analysis and treatment (第7, 第11; issue 13 part 2).
        .routes(routes!(risk::list))
        .routes(routes!(risk::heat))
        .routes(routes!(risk::export))
        .routes(routes!(risk::recompute_state, risk::recompute))
        .routes(routes!(risk::get))
        .routes(routes!(risk::assets))
        .routes(routes!(risk::treat))
        .routes(routes!(risk::approve))
        .routes(routes!(risk::revoke))
        .routes(routes!(risk::expiring))
        .routes(routes!(risk::matrices, risk::create_matrix))
        .routes(routes!(risk::activate_matrix))
        .routes(routes!(risk::asset_threats, risk::decide_asset_threat))
        .routes(routes!(risk::decide_system_threat))
        // --- Audits and self-inspections (第10; issue 14) ---
        .routes(routes!(audits::checklists, audits::create_checklist))
        .routes(routes!(audits::checklist))
        .routes(routes!(audits::add_item))
        .routes(routes!(audits::update_item))
        .routes(routes!(audits::inspections, audits::open_inspection))
        .routes(routes!(audits::inspection))
        .routes(routes!(audits::remind))
        .routes(routes!(audits::results))
        .routes(routes!(audits::questionnaire))
        .routes(routes!(audits::save_answers))
        .routes(routes!(audits::submit))
        .routes(routes!(audits::return_answers))
        .routes(routes!(audits::questionnaire_xlsx))
        .routes(upload(routes!(audits::upload_questionnaire)))
        .routes(upload(routes!(audits::attach_answer_file)))
        .routes(routes!(audits::attach_answer_link))
        .routes(upload(routes!(audit_programmes::attach_result_file)))
        .routes(routes!(audit_programmes::attach_result_link))
        // --- operations (issue 15): incidents, exceptions, attention ---
        .routes(routes!(ops::incidents, ops::report))
        .routes(routes!(ops::export_incidents))
        .routes(routes!(ops::incident))
        .routes(routes!(ops::escalate))
        .routes(routes!(ops::add_action))
        .routes(routes!(ops::assess))
        .routes(routes!(ops::record_report))
        .routes(routes!(ops::close))
        .routes(routes!(ops::exceptions, ops::request_exception))
        .routes(routes!(ops::expiring))
        .routes(routes!(ops::export_exceptions))
        .routes(routes!(ops::exception))
        .routes(routes!(ops::decide))
        .routes(routes!(ops::renew))
        .routes(routes!(ops::attention))
        // --- people first (issue 17) ---
        .routes(routes!(people::requests))
        .routes(routes!(people::request))
        .routes(routes!(people::decide))
        .routes(routes!(people::notices))
        .routes(routes!(people::read))
        .routes(routes!(people::read_all))
        // --- audit2: findings and corrective actions ---
        .routes(routes!(findings::list, findings::create))
        .routes(routes!(findings::export))
        .routes(routes!(findings::todos))
        .routes(routes!(findings::get))
        .routes(routes!(findings::plan))
        .routes(routes!(findings::report_done))
        .routes(routes!(findings::verify))
        .routes(routes!(findings::close))
        .routes(routes!(findings::note))
        .routes(routes!(findings::not_done))
        .routes(routes!(findings::raise_from_inspection))
        .routes(routes!(findings::waive))
        .routes(routes!(findings::raise_from_netcheck))
        .routes(routes!(
            audit_programmes::programmes,
            audit_programmes::create_programme
        ))
        .routes(routes!(
            audit_programmes::audits,
            audit_programmes::create_audit
        ))
        .routes(routes!(audit_programmes::audit))
        .routes(routes!(audit_programmes::set_status))
        .routes(routes!(audit_programmes::record_result))
        // --- ops2: permissions, violations ---
        .routes(routes!(ops2::permissions, ops2::request_permission))
        .routes(routes!(ops2::overdue_permissions))
        .routes(routes!(ops2::export_permissions))
        .routes(routes!(ops2::permission))
        .routes(routes!(ops2::decide_permission))
        .routes(routes!(ops2::return_permission))
        .routes(routes!(ops2::violations, ops2::record_violation))
        .routes(routes!(ops2::export_violations))
        .routes(routes!(ops2::violation))
        .routes(routes!(ops2::contractors, ops2::create_contractor))
        .routes(routes!(ops2::export_contractors))
        .routes(routes!(ops2::contractor, ops2::update_contractor))
        .routes(routes!(ops2::set_criteria))
        .routes(routes!(ops2::add_contract))
        .routes(routes!(ops2::add_staff))
        .routes(routes!(ops2::add_assessment))
        .routes(routes!(ops2::services, ops2::create_service))
        .routes(routes!(ops2::export_services))
        .routes(routes!(ops2::service, ops2::update_service))
        .routes(routes!(ops2::plans, ops2::create_plan))
        .routes(routes!(ops2::plan))
        .routes(routes!(ops2::record_drill))
        .routes(routes!(ops2::incident_plan, ops2::set_incident_plan))
        // --- h14: reports ---
        .routes(routes!(audit_reports::inspection_report_xlsx))
        .routes(routes!(audit_reports::audit_report_xlsx))
}

/// The OpenAPI document as the router declares it, under [`PREFIX`], before
/// [`document`] adds the answers common to every operation of a kind.
pub fn declared() -> utoipa::openapi::OpenApi {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(PREFIX, router(0))
        .into_openapi()
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Mamori API", description = "情報セキュリティマネジメント for Japanese local governments. Authenticate with POST /api/v1/auth/token and send `Authorization: Bearer TOKEN`. Collections answer {items, total} and take page and per_page."),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail, crate::error::FieldProblem, orgadmin::ImportKind)),
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
async fn openapi() -> Json<serde_json::Value> {
    Json(document().clone())
}

/// The OpenAPI document as served: the routes' declarations with the answers
/// every operation of its kind can give added once here (401/403 where a token
/// is needed, 400 for a malformed path, query or body, 413/415/422 for bodies),
/// and query parameters that cannot be null written as such.
pub fn document() -> &'static serde_json::Value {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(declared()).unwrap_or_default();
        complete_document(&mut doc);
        doc
    })
}

fn error_response(description: &str) -> serde_json::Value {
    serde_json::json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    })
}

/// Adds the answers common to every operation of a kind, so that each route's
/// declaration lists only what is particular to it.
fn complete_document(doc: &mut serde_json::Value) {
    use serde_json::Value;
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (_path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (_method, op) in item.iter_mut() {
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            let mut add: Vec<(&str, &str)> = Vec::new();
            let secured = op
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|s| !s.is_empty());
            if secured {
                add.push(("401", "no token, or the token is invalid or has expired (MAMORI-AUTH-REQUIRED, MAMORI-TOKEN-INVALID)"));
                add.push(("403", "the caller may not do this (MAMORI-FORBIDDEN)"));
            }
            let mut has_params = false;
            if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                has_params = !params.is_empty();
                for p in params.iter_mut() {
                    let in_query = p.get("in").and_then(Value::as_str) == Some("query");
                    // A query string cannot carry a null: an absent parameter is the default.
                    if let Some(ty) = p.pointer_mut("/schema/type")
                        && in_query
                        && let Some(types) = ty.as_array()
                    {
                        let kept: Vec<Value> = types
                            .iter()
                            .filter(|t| t.as_str() != Some("null"))
                            .cloned()
                            .collect();
                        *ty = if kept.len() == 1 {
                            kept[0].clone()
                        } else {
                            Value::Array(kept)
                        };
                    }
                    // Nor a NUL (see ApiQuery).
                    if in_query
                        && p.pointer("/schema/type").and_then(Value::as_str) == Some("string")
                        && let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut)
                    {
                        schema
                            .entry("pattern")
                            .or_insert_with(|| Value::String("^[^\\u0000]*$".into()));
                    }
                }
            }
            let path_params = op
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|ps| {
                    ps.iter().any(|p| {
                        p.get("in").and_then(Value::as_str) == Some("path")
                            || p.get("name").and_then(Value::as_str) == Some("within")
                    })
                });
            if secured && path_params {
                add.push(("404", "the record the path (or `within`) names does not exist, or the caller may not see it (MAMORI-NOT-FOUND)"));
            }
            let body_types: Vec<String> = op
                .get("requestBody")
                .and_then(|b| b.get("content"))
                .and_then(Value::as_object)
                .map(|c| c.keys().cloned().collect())
                .unwrap_or_default();
            if has_params || !body_types.is_empty() {
                add.push((
                    "400",
                    "the path, query or body is malformed (MAMORI-BAD-REQUEST, MAMORI-BAD-JSON)",
                ));
            }
            if !body_types.is_empty() {
                add.push(("413", "the body is larger than the server accepts"));
            }
            if body_types.iter().any(|t| t == "application/json") {
                add.push((
                    "415",
                    "the body is not sent as application/json (MAMORI-BAD-JSON)",
                ));
                add.push(("422", "the body does not fit the schema, or a field is wrong (MAMORI-BAD-JSON, MAMORI-INVALID)"));
            }
            let responses = op
                .entry("responses")
                .or_insert_with(|| Value::Object(Default::default()));
            if let Some(responses) = responses.as_object_mut() {
                for (status, description) in add {
                    responses
                        .entry(status)
                        .or_insert_with(|| error_response(description));
                }
                // Any refusal may be the plain error body (a malformed body,
                // a wrong parameter) besides the report a route declares.
                for (status, r) in responses.iter_mut() {
                    if !status.starts_with('4') {
                        continue;
                    }
                    if let Some(schema) = r.pointer_mut("/content/application~1json/schema") {
                        let is_error = schema.get("$ref").and_then(Value::as_str)
                            == Some("#/components/schemas/ErrorBody");
                        if !is_error {
                            *schema = serde_json::json!({"anyOf": [
                                schema.clone(),
                                {"$ref": "#/components/schemas/ErrorBody"}
                            ]});
                        }
                    }
                }
            }
        }
    }
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

/// A raw body (an uploaded file) whose errors are answered in the API's error
/// format: 413 when it is larger than the route accepts.
pub struct ApiBody(pub axum::body::Bytes);

impl<S> FromRequest<S> for ApiBody
where
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::body::Bytes::from_request(req, state)
            .await
            .map(ApiBody)
            .map_err(|r| {
                let status = r.status();
                if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::new(
                        status,
                        "MAMORI-TOO-LARGE",
                        "ファイルが大きすぎます / the file is larger than this route accepts",
                    )
                } else {
                    AppError::new(
                        status,
                        "MAMORI-BAD-REQUEST",
                        format!(
                            "本文を読めませんでした / the body could not be read: {}",
                            r.body_text()
                        ),
                    )
                }
                .as_json()
            })
    }
}

/// A page of a collection.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Collection<T> {
    pub items: Vec<T>,
    pub total: i64,
}

impl<S, T: From<S>> From<mamori_store::Page<S>> for Collection<T> {
    fn from(p: mamori_store::Page<S>) -> Self {
        Collection {
            items: wire::items(p.items),
            total: p.total,
        }
    }
}

impl<T> Collection<T> {
    /// A whole list (not paged) as one collection, its items on the wire.
    pub(crate) fn all<S>(items: Vec<S>) -> Self
    where
        T: From<S>,
    {
        let total = items.len() as i64;
        Collection {
            items: wire::items(items),
            total,
        }
    }
}

pub use crate::paging::Paging;

/// The schema of a string parameter whose values are a closed set.
pub(crate) fn string_enum<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values.into_iter().map(str::to_string)))
        .build()
}

/// Path extractor with API-style errors (a JSON 400, not axum's plain text).
pub struct ApiPath<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(v) = axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map_err(|e| AppError::from(e).as_json())?;
        Ok(ApiPath(v))
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
        // No stored text holds a NUL and PostgreSQL's text cannot: refused
        // here, as the document's pattern for string parameters says.
        if parts.uri.query().is_some_and(|q| q.contains("%00")) {
            return Err(AppError::bad_request(
                "クエリに NUL 文字は使えません / a query parameter cannot hold a NUL character",
            )
            .as_json());
        }
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
