//! The information-asset register over the API: the register with its filters,
//! one asset with its handling rules, failed checks and history, the writes
//! (create, edit, reclassify, dispose) and the ledger's export and import.
//! What a caller sees and changes is decided by the Cedar policy.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use mamori_core::asset::{AssetKind, Levels, Lifecycle};
use mamori_store::assets::{
    Asset, AssetFilter, AssetSort, AssetSortKey, FlagView, HandlingRule, ImportReport, LedgerFormat,
};
use serde::{Deserialize, Serialize};

use super::{ApiBody, ApiJson, ApiPath, ApiQuery, ApiResult, Paging, json_err};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::state::AppState;
use mamori_app::assets::{Entered, sniff_format};

fn bad(field: &str, value: &str) -> AppError {
    AppError::bad_request(format!(
        "{field}: '{value}' は使えない値です / '{value}' is not a valid value"
    ))
    .as_json()
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssetQuery {
    /// Owning unit id (with its sub-units).
    unit: Option<i64>,
    /// equipment, facility, electronic_information, system_document, administrative_information, self_managed_information (empty: any)
    #[param(schema_with = kind_param)]
    kind: Option<String>,
    confidentiality: Option<String>,
    integrity: Option<String>,
    availability: Option<String>,
    segment: Option<i64>,
    /// registered, in_use, disposed (empty: any)
    #[param(schema_with = state_param)]
    state: Option<String>,
    flagged: Option<bool>,
    /// Words that must all occur in the name, description, administrator, location or notes.
    q: Option<String>,
    /// id, name, unit, kind, confidentiality, lifecycle, updated (empty: id)
    #[param(schema_with = sort_param)]
    sort: Option<String>,
    desc: Option<bool>,
    /// Count every match (slower on broad filters over a large register);
    /// otherwise the count stops at 10,000 and `more` says whether there are more.
    exact_total: Option<bool>,
}

fn kind_param() -> utoipa::openapi::schema::Object {
    super::string_enum(std::iter::once("").chain(AssetKind::ALL.iter().map(|k| k.code())))
}

fn state_param() -> utoipa::openapi::schema::Object {
    super::string_enum(std::iter::once("").chain(Lifecycle::ALL.iter().map(|l| l.code())))
}

fn sort_param() -> utoipa::openapi::schema::Object {
    super::string_enum([
        "",
        "id",
        "name",
        "unit",
        "kind",
        "confidentiality",
        "lifecycle",
        "updated",
    ])
}

fn format_param() -> utoipa::openapi::schema::Object {
    super::string_enum(["", "xlsx", "csv"])
}

/// A page of the register.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AssetPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Asset>,
    /// The number of matching assets, at most 10,000 unless `exact_total=true`.
    pub total: i64,
    /// True when more than `total` assets match (the count stopped).
    pub more: bool,
}

fn parse_enum<T: serde::de::DeserializeOwned>(field: &str, v: &str) -> ApiResult<T> {
    serde_json::from_value(serde_json::Value::String(v.to_string())).map_err(|_| bad(field, v))
}

fn filter_of(q: AssetQuery) -> ApiResult<AssetFilter> {
    Ok(AssetFilter {
        unit_id: q.unit,
        include_subunits: true,
        kind: q
            .kind
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|k| parse_enum::<AssetKind>("kind", k))
            .transpose()?,
        confidentiality: q.confidentiality.filter(|s| !s.is_empty()),
        integrity: q.integrity.filter(|s| !s.is_empty()),
        availability: q.availability.filter(|s| !s.is_empty()),
        segment_id: q.segment,
        lifecycle: q
            .state
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| parse_enum::<Lifecycle>("state", s))
            .transpose()?,
        flagged: q.flagged,
        text: q.q.filter(|s| !s.trim().is_empty()),
        ..Default::default()
    })
}

/// The register, filtered on the server, one page at a time.
#[utoipa::path(get, path = "/assets", tag = "assets", security(("bearer" = [])), params(Paging, AssetQuery),
    responses((status = 200, body = AssetPage), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<AssetQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<AssetPage>> {
    let key = match q.sort.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => parse_enum::<AssetSortKey>("sort", s)?,
        None => AssetSortKey::Id,
    };
    let page = paging.request();
    let sort = AssetSort {
        key,
        descending: q.desc.unwrap_or(false),
    };
    let exact = q.exact_total.unwrap_or(false);
    let filter = filter_of(q)?;
    let (found, more) = state
        .app
        .list_assets(&user, &filter, sort, page, exact)
        .await
        .map_err(json_err)?;
    Ok(Json(AssetPage {
        items: found.items,
        total: found.total,
        more,
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AssetDetail {
    #[schema(value_type = Object)]
    pub asset: Asset,
    /// What its levels require (取扱制限).
    #[schema(value_type = Vec<Object>)]
    pub handling: Vec<HandlingRule>,
    /// The consistency checks it fails.
    #[schema(value_type = Vec<Object>)]
    pub flags: Vec<FlagView>,
    /// Its changes, newest first (the first 50), each with the name of the
    /// person who made it (`actor_name`) beside the logged actor.
    pub history: Vec<super::wire::Event>,
}

/// One asset with its handling rules, failed checks and history.
#[utoipa::path(get, path = "/assets/{id}", tag = "assets", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AssetDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AssetDetail>> {
    let view = state.app.asset_view(&user, id).await.map_err(json_err)?;
    let (asset, scheme) = (view.asset, view.scheme);
    let history = super::wire::items(
        state
            .app
            .with_people(view.history)
            .await
            .map_err(json_err)?,
    );
    Ok(Json(AssetDetail {
        handling: asset.handling(&scheme),
        flags: asset.flag_views(&scheme),
        history,
        asset,
    }))
}

/// A new asset. The levels are codes of the active scheme (`3A`, `C3A` or `機密性3A`).
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct NewAsset {
    #[serde(default)]
    name: String,
    /// equipment, facility, electronic_information, system_document, administrative_information, self_managed_information (or the Japanese name)
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
    owner_unit_id: Option<i64>,
    #[serde(default)]
    administrator: String,
    #[serde(default)]
    location: String,
    system_id: Option<i64>,
    segment_id: Option<i64>,
    #[serde(default)]
    personal_info: bool,
    #[serde(default)]
    my_number: bool,
    #[serde(default)]
    retention: String,
    #[serde(default)]
    confidentiality: String,
    #[serde(default)]
    integrity: String,
    #[serde(default)]
    availability: String,
    /// registered (default) or in_use; disposal has its own route.
    #[serde(default)]
    lifecycle: String,
    #[serde(default)]
    notes: String,
}

fn id_text(id: Option<i64>) -> String {
    id.map(|i| i.to_string()).unwrap_or_default()
}

/// Registers an asset. Staff may register assets of their own unit only.
#[utoipa::path(post, path = "/assets", tag = "assets", security(("bearer" = [])), request_body = NewAsset,
    responses((status = 201, description = "the asset", body = Object), (status = 403, body = crate::error::ErrorBody),
        (status = 422, description = "every bad field in error.fields", body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(b): ApiJson<NewAsset>,
) -> ApiResult<(StatusCode, Json<Asset>)> {
    let entered = Entered {
        name: b.name,
        kind: b.kind,
        description: b.description,
        owner_unit_id: id_text(b.owner_unit_id),
        administrator: b.administrator,
        location: b.location,
        system_id: id_text(b.system_id),
        segment_id: id_text(b.segment_id),
        personal_info: b.personal_info,
        my_number: b.my_number,
        retention: b.retention,
        lifecycle: b.lifecycle,
        notes: b.notes,
        confidentiality: b.confidentiality,
        integrity: b.integrity,
        availability: b.availability,
    };
    let asset = state
        .app
        .create_asset(&user, &entered)
        .await
        .map_err(json_err)?;
    Ok((StatusCode::CREATED, Json(asset)))
}

/// `Some(None)` for an explicit `null`.
fn nullable<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// The facts to change; what is left out stays as it is. `system_id` and
/// `segment_id` may be `null` to clear them.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct AssetChanges {
    name: Option<String>,
    kind: Option<String>,
    description: Option<String>,
    owner_unit_id: Option<i64>,
    administrator: Option<String>,
    location: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    system_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    segment_id: Option<Option<i64>>,
    personal_info: Option<bool>,
    my_number: Option<bool>,
    retention: Option<String>,
    /// registered or in_use
    lifecycle: Option<String>,
    notes: Option<String>,
}

/// Edits an asset's facts (not its levels: see reclassify; not its disposal: see dispose).
#[utoipa::path(patch, path = "/assets/{id}", tag = "assets", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = AssetChanges,
    responses((status = 200, description = "the asset", body = Object), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, description = "the asset is disposed", body = crate::error::ErrorBody),
        (status = 422, description = "every bad field in error.fields", body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AssetChanges>,
) -> ApiResult<Json<Asset>> {
    let asset = state
        .app
        .update_asset(&user, id, |e| {
            let set = |slot: &mut String, v: Option<String>| {
                if let Some(v) = v {
                    *slot = v;
                }
            };
            set(&mut e.name, b.name);
            set(&mut e.kind, b.kind);
            set(&mut e.description, b.description);
            set(&mut e.owner_unit_id, b.owner_unit_id.map(|i| i.to_string()));
            set(&mut e.administrator, b.administrator);
            set(&mut e.location, b.location);
            set(&mut e.system_id, b.system_id.map(id_text));
            set(&mut e.segment_id, b.segment_id.map(id_text));
            set(&mut e.retention, b.retention);
            set(&mut e.lifecycle, b.lifecycle);
            set(&mut e.notes, b.notes);
            e.personal_info = b.personal_info.unwrap_or(e.personal_info);
            e.my_number = b.my_number.unwrap_or(e.my_number);
        })
        .await
        .map_err(json_err)?;
    Ok(Json(asset))
}

/// New levels under the active scheme, and why they changed.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct Reclassification {
    #[serde(default)]
    confidentiality: String,
    #[serde(default)]
    integrity: String,
    #[serde(default)]
    availability: String,
    /// Kept in the event log.
    #[serde(default)]
    reason: String,
}

/// Gives an asset new levels under the active scheme (格付けの変更). Whoever
/// decides classification for the asset's unit (its 情報セキュリティ管理者 or
/// 責任者, the security office) changes them at once (200, the asset); anyone
/// else who may edit the asset proposes the change (202, the request), which
/// takes effect when one of those approves it.
#[utoipa::path(post, path = "/assets/{id}/reclassify", tag = "assets", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = Reclassification,
    responses((status = 200, description = "the asset", body = Object),
        (status = 202, description = "the classification request awaiting approval", body = Object),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, description = "every bad field in error.fields", body = crate::error::ErrorBody)))]
pub async fn reclassify(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<Reclassification>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let levels = Levels::new(b.confidentiality, b.integrity, b.availability);
    let done = state
        .app
        .reclassify_asset(&user, id, levels, &b.reason)
        .await
        .map_err(json_err)?;
    Ok(match done {
        mamori_app::requests::Reclassified::Applied(asset) => Json(asset).into_response(),
        mamori_app::requests::Reclassified::Proposed(request) => {
            let request = super::people::ClassificationRequestWire::from(request);
            (axum::http::StatusCode::ACCEPTED, Json(request)).into_response()
        }
    })
}

/// How and when an asset was disposed of, and who confirmed it.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct DisposalBody {
    /// 2025-04-01 (or 令和7年4月1日)
    #[serde(default)]
    date: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    confirmed_by: String,
}

/// Records an asset's disposal; it stays on record.
#[utoipa::path(post, path = "/assets/{id}/dispose", tag = "assets", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DisposalBody,
    responses((status = 200, description = "the asset", body = Object), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, description = "disposed_on, disposal_method or disposal_confirmed_by in error.fields", body = crate::error::ErrorBody)))]
pub async fn dispose(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DisposalBody>,
) -> ApiResult<Json<Asset>> {
    let asset = state
        .app
        .dispose_asset(&user, id, &b.date, &b.method, &b.confirmed_by)
        .await
        .map_err(json_err)?;
    Ok(Json(asset))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// xlsx or csv (empty or left out: .xlsx for an export, found from the file for an import)
    #[param(schema_with = format_param)]
    format: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// xlsx or csv (empty or left out: found from the Content-Type or the file)
    #[param(schema_with = format_param)]
    format: Option<String>,
    /// Why the file changes assets' classification (格付けの変更理由), kept in
    /// the log with each change; a file whose rows change an asset's levels is
    /// refused without it.
    reason: Option<String>,
    /// true: check the file and answer what it would do (`preview: true`, the
    /// counts, `preview_rows` with each row's changes and the values read as
    /// something else, warnings such as names already in use), writing nothing.
    dry_run: Option<bool>,
}

fn format_of(text: &str) -> ApiResult<LedgerFormat> {
    parse_enum::<LedgerFormat>("format", text)
}

/// The ledger (情報資産管理台帳) as .xlsx or .csv: the whole register the caller
/// may see, or the part the filters select (the same filters as the list).
#[utoipa::path(get, path = "/assets/export", tag = "assets", security(("bearer" = [])), params(FormatQuery, AssetQuery),
    responses((status = 200, description = "the ledger file (CSV is UTF-8 with a byte-order mark)"), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(f): ApiQuery<FormatQuery>,
    ApiQuery(q): ApiQuery<AssetQuery>,
) -> ApiResult<Response> {
    let format = format_of(
        f.format
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or("xlsx"),
    )?;
    // The export keeps the register's order; a sort is still checked, so that
    // what the list refuses the export refuses too.
    if let Some(s) = q.sort.as_deref().filter(|s| !s.is_empty()) {
        parse_enum::<AssetSortKey>("sort", s)?;
    }
    let filter = filter_of(q)?;
    crate::ledger_download::export(&state, &user, &filter, format)
        .await
        .map_err(json_err)
}

/// Imports a ledger: the body is the file. The format is `?format=`, else the
/// Content-Type (text/csv, or the .xlsx type), else the file's first bytes.
/// Every row is checked first; then all rows are written, or none. The report
/// names each bad row and column, and why. Up to 64 MiB.
#[utoipa::path(post, path = "/assets/import", tag = "assets", security(("bearer" = [])), params(ImportQuery),
    request_body(content = Vec<u8>, description = "the .xlsx or .csv file", content_type = "text/csv"),
    responses((status = 200, description = "every row was written: {rows, created, updated, unchanged, written: true, errors: [], warnings}; with dry_run=true, nothing was written and the file would be taken: {preview: true, written: false, created, updated, unchanged, preview_rows: [{row, action, asset_id, name, changes: [{column, column_en, before, after}], normalised: [...]}], warnings}", body = Object),
        (status = 403, body = crate::error::ErrorBody), (status = 413, description = "larger than 64 MiB (MAMORI-TOO-LARGE)", body = crate::error::ErrorBody),
        (status = 422, description = "nothing was written: the report, with errors [{row, column, column_letter, value, message, message_en}]", body = Object)))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(f): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> ApiResult<(StatusCode, Json<ImportReport>)> {
    let format = match f.format.as_deref().filter(|s| !s.is_empty()) {
        Some(t) => format_of(t)?,
        None => {
            let ct = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_ascii_lowercase();
            if ct.contains("csv") {
                LedgerFormat::Csv
            } else if ct.contains("spreadsheetml") {
                LedgerFormat::Xlsx
            } else {
                sniff_format(None, &body)
            }
        }
    };
    let report = if f.dry_run.unwrap_or(false) {
        state
            .app
            .preview_ledger(&user, &body, format, f.reason.as_deref())
            .await
    } else {
        state
            .app
            .import_ledger(&user, &body, format, f.reason.as_deref())
            .await
    }
    .map_err(json_err)?;
    let status = if report.written || (report.preview && report.errors.is_empty()) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)))
}
