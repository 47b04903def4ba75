//! Changing the asset register on behalf of a user, shared by the pages and the
//! API: what was entered is read leniently, every problem is named by its field
//! (Japanese and English), and the Cedar policy is asked about the asset as it
//! is and as it would become. Also the ledger's export (streamed from a
//! temporary file) and import for a user.

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use mamori_authz::{Action, Resource};
use mamori_core::asset::{
    AssetKind, Disposal, LedgerColumn, Levels, Lifecycle, level_column_error, parse_date,
};
use mamori_core::classification::{Axis, Scheme};
use mamori_store::assets::{
    Asset, AssetEdit, AssetFilter, AssetInput, AssetScope, ImportReport, LedgerFormat,
};
use mamori_store::units::parse_path;
use mamori_store::{Store, StoreError};
use tokio::io::AsyncReadExt;

use crate::auth::{Authed, asset_scope, asset_write_scope, urlencode};
use crate::error::{AppError, AppResult, FieldProblem};
use crate::state::AppState;

/// Why a write did not happen: the input (every bad field), or anything else.
#[derive(Debug)]
pub enum WriteError {
    Invalid(Vec<FieldProblem>),
    App(AppError),
}

impl From<AppError> for WriteError {
    fn from(e: AppError) -> Self {
        WriteError::App(e)
    }
}

impl From<StoreError> for WriteError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid { field, message } => {
                let field = serde_json::from_value::<LedgerColumn>(serde_json::Value::String(
                    field.clone(),
                ))
                .map(column_field)
                .map(str::to_string)
                .unwrap_or(field);
                let (ja, en) = message
                    .split_once(" / ")
                    .map(|(j, e)| (j.to_string(), e.to_string()))
                    .unwrap_or_else(|| (message.clone(), message.clone()));
                WriteError::Invalid(vec![FieldProblem::new(field, ja, en)])
            }
            e => WriteError::App(e.into()),
        }
    }
}

impl WriteError {
    /// As the API answers it: 422 naming each field, or the error.
    pub fn into_api(self) -> AppError {
        match self {
            WriteError::Invalid(fields) => AppError::invalid_fields(fields).as_json(),
            WriteError::App(e) => e.as_json(),
        }
    }
}

pub type WriteResult<T> = Result<T, WriteError>;

/// The name a form and the API give the field of a ledger column.
pub fn column_field(column: LedgerColumn) -> &'static str {
    match column {
        LedgerColumn::Id => "id",
        LedgerColumn::Name => "name",
        LedgerColumn::Kind => "kind",
        LedgerColumn::Description => "description",
        LedgerColumn::OwnerUnit => "owner_unit_id",
        LedgerColumn::Administrator => "administrator",
        LedgerColumn::Location => "location",
        LedgerColumn::System => "system_id",
        LedgerColumn::Segment => "segment_id",
        LedgerColumn::Confidentiality => "confidentiality",
        LedgerColumn::Integrity => "integrity",
        LedgerColumn::Availability => "availability",
        LedgerColumn::Label => "label",
        LedgerColumn::PersonalInfo => "personal_info",
        LedgerColumn::MyNumber => "my_number",
        LedgerColumn::Retention => "retention",
        LedgerColumn::State => "lifecycle",
        LedgerColumn::DisposedOn => "disposed_on",
        LedgerColumn::DisposalMethod => "disposal_method",
        LedgerColumn::DisposalConfirmedBy => "disposal_confirmed_by",
        LedgerColumn::Notes => "notes",
    }
}

/// The facts of an asset as entered (a form's text, or an API body written as
/// text), before they are read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entered {
    pub name: String,
    pub kind: String,
    pub description: String,
    pub owner_unit_id: String,
    pub administrator: String,
    pub location: String,
    pub system_id: String,
    pub segment_id: String,
    pub personal_info: bool,
    pub my_number: bool,
    pub retention: String,
    pub lifecycle: String,
    pub notes: String,
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
}

impl Entered {
    /// An asset's facts as a form shows them.
    pub fn of(asset: &Asset) -> Entered {
        let r = &asset.record;
        Entered {
            name: r.name.clone(),
            kind: r.kind.code().to_string(),
            description: r.description.clone(),
            owner_unit_id: r.owner_unit_id.to_string(),
            administrator: r.administrator.clone(),
            location: r.location.clone(),
            system_id: r.system_id.map(|i| i.to_string()).unwrap_or_default(),
            segment_id: r.segment_id.map(|i| i.to_string()).unwrap_or_default(),
            personal_info: r.personal_info,
            my_number: r.my_number,
            retention: r.retention.clone(),
            lifecycle: r.lifecycle.code().to_string(),
            notes: r.notes.clone(),
            confidentiality: r.confidentiality.clone(),
            integrity: r.integrity.clone(),
            availability: r.availability.clone(),
        }
    }

    /// The store's input, and a problem for each field that could not be read
    /// (those fields hold placeholders).
    fn read(&self) -> (AssetInput, Vec<FieldProblem>) {
        let mut problems = Vec::new();
        let kind = match AssetKind::parse(&self.kind) {
            Some(k) => k,
            None => {
                problems.push(choose_problem(
                    "kind",
                    &self.kind,
                    "種別",
                    "kind",
                    &AssetKind::ALL.map(|k| k.code()),
                ));
                AssetKind::ElectronicInformation
            }
        };
        let lifecycle = match self.lifecycle.trim() {
            "" => Lifecycle::Registered,
            t => match Lifecycle::parse(t) {
                Some(Lifecycle::Disposed) => {
                    problems.push(FieldProblem::new(
                        "lifecycle",
                        "廃棄は廃棄の操作（廃棄の記録）で記録してください",
                        "record a disposal with the dispose operation",
                    ));
                    Lifecycle::Registered
                }
                Some(l) => l,
                None => {
                    problems.push(choose_problem(
                        "lifecycle",
                        t,
                        "状態",
                        "state",
                        &["registered", "in_use"],
                    ));
                    Lifecycle::Registered
                }
            },
        };
        let mut id = |field: &'static str, text: &str, required: bool| -> Option<i64> {
            let t = text.trim();
            if t.is_empty() {
                if required {
                    problems.push(FieldProblem::new(field, "選んでください", "choose one"));
                }
                return None;
            }
            match t.parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    problems.push(FieldProblem::new(
                        field,
                        format!("「{t}」は番号ではありません"),
                        format!("'{t}' is not a number"),
                    ));
                    None
                }
            }
        };
        let owner_unit_id = id("owner_unit_id", &self.owner_unit_id, true).unwrap_or(0);
        let system_id = id("system_id", &self.system_id, false);
        let segment_id = id("segment_id", &self.segment_id, false);
        let input = AssetInput {
            name: self.name.clone(),
            kind,
            description: self.description.clone(),
            owner_unit_id,
            administrator: self.administrator.clone(),
            location: self.location.clone(),
            system_id,
            segment_id,
            personal_info: self.personal_info,
            my_number: self.my_number,
            retention: self.retention.clone(),
            levels: Levels::new(&self.confidentiality, &self.integrity, &self.availability),
            lifecycle,
            disposal: None,
            notes: self.notes.clone(),
        };
        (input, problems)
    }
}

fn choose_problem(field: &str, given: &str, ja: &str, en: &str, allowed: &[&str]) -> FieldProblem {
    if given.trim().is_empty() {
        return FieldProblem::new(
            field,
            format!("{ja}を選んでください"),
            format!("choose the {en}"),
        );
    }
    FieldProblem::new(
        field,
        format!(
            "{ja}「{given}」はありません（使える値: {}）",
            allowed.join("、")
        ),
        format!("no {en} '{given}' (allowed: {})", allowed.join(", ")),
    )
}

/// The read problems, then the store's for the columns `keep` admits (none for
/// a field that already has one).
async fn check(
    store: &Store,
    input: &AssetInput,
    mut problems: Vec<FieldProblem>,
    keep: impl Fn(LedgerColumn) -> bool,
) -> Result<Vec<FieldProblem>, StoreError> {
    let unreadable: Vec<String> = problems.iter().map(|p| p.field.clone()).collect();
    for e in store.check_asset_input(input).await? {
        let field = column_field(e.column);
        if keep(e.column) && !unreadable.iter().any(|f| f == field) {
            problems.push(FieldProblem::new(field, e.message, e.message_en));
        }
    }
    Ok(problems)
}

fn is_level(column: LedgerColumn) -> bool {
    matches!(
        column,
        LedgerColumn::Confidentiality | LedgerColumn::Integrity | LedgerColumn::Availability
    )
}

/// Whether a confidentiality level is the top one of the scheme.
fn is_top(scheme: &Scheme, code: &str) -> bool {
    let top = scheme.top(Axis::Confidentiality).map_or(0, |l| l.rank);
    level_column_error(scheme, Axis::Confidentiality, code).is_ok_and(|l| l.rank >= top)
}

/// The Cedar resource of an asset of this unit and level.
async fn resource(state: &AppState, id: i64, owner: i64, top: bool) -> AppResult<Resource> {
    let unit = state.store.unit(owner).await?;
    Ok(Resource::Asset {
        id,
        owner_lineage: parse_path(&unit.path),
        top,
    })
}

/// An asset the user may change: not found when they may not even see it,
/// forbidden when they may see but not change it, a conflict when disposed.
pub async fn writable(state: &AppState, user: &Authed, id: i64) -> AppResult<Asset> {
    let asset = state.store.asset(id, &AssetScope::unrestricted()).await?;
    let r = resource(state, id, asset.record.owner_unit_id, asset.is_top).await?;
    if !user.can(state, Action::ReadAsset, &r) {
        return Err(AppError::not_found(format!(
            "資産 {id} はありません / asset {id} was not found"
        )));
    }
    user.require(state, Action::WriteAsset, &r)?;
    if asset.record.lifecycle == Lifecycle::Disposed {
        return Err(StoreError::Conflict(format!(
            "資産 {id} は廃棄済みのため変更できません / asset {id} is disposed and cannot be changed"
        ))
        .into());
    }
    Ok(asset)
}

/// Registers an asset: the user must be allowed to register assets, and to
/// write an asset of the owning unit at the level given.
pub async fn create(state: &AppState, user: &Authed, entered: &Entered) -> WriteResult<Asset> {
    user.require_app(state, Action::CreateAsset)?;
    let (input, problems) = entered.read();
    let problems = check(&state.store, &input, problems, |_| true).await?;
    if !problems.is_empty() {
        return Err(WriteError::Invalid(problems));
    }
    let scheme = state.store.active_scheme().await?;
    let top = is_top(&scheme, &input.levels.confidentiality);
    let r = resource(state, 0, input.owner_unit_id, top).await?;
    user.require(state, Action::WriteAsset, &r)?;
    Ok(state.store.create_asset(&user.actor(), input).await?)
}

/// Edits an asset's facts (not its levels or disposal). `change` turns the
/// asset's facts as they are into the facts wanted. Moving an asset to another
/// unit needs the right to write assets of that unit too.
pub async fn update(
    state: &AppState,
    user: &Authed,
    id: i64,
    change: impl FnOnce(&mut Entered),
) -> WriteResult<Asset> {
    let asset = writable(state, user, id).await?;
    let mut entered = Entered::of(&asset);
    change(&mut entered);
    // The levels are not edited here (and may belong to an earlier scheme).
    let r = &asset.record;
    entered.confidentiality = r.confidentiality.clone();
    entered.integrity = r.integrity.clone();
    entered.availability = r.availability.clone();
    let (input, problems) = entered.read();
    let problems = check(&state.store, &input, problems, |c| !is_level(c)).await?;
    if !problems.is_empty() {
        return Err(WriteError::Invalid(problems));
    }
    if input.owner_unit_id != r.owner_unit_id {
        let target = resource(state, id, input.owner_unit_id, asset.is_top).await?;
        user.require(state, Action::WriteAsset, &target)?;
    }
    let edit = AssetEdit {
        name: input.name,
        kind: input.kind,
        description: input.description,
        owner_unit_id: input.owner_unit_id,
        administrator: input.administrator,
        location: input.location,
        system_id: input.system_id,
        segment_id: input.segment_id,
        personal_info: input.personal_info,
        my_number: input.my_number,
        retention: input.retention,
        lifecycle: input.lifecycle,
        notes: input.notes,
    };
    Ok(state.store.update_asset(&user.actor(), id, edit).await?)
}

/// New levels under the active scheme, and why.
pub async fn reclassify(
    state: &AppState,
    user: &Authed,
    id: i64,
    levels: Levels,
    reason: &str,
) -> WriteResult<Asset> {
    let asset = writable(state, user, id).await?;
    let scheme = state.store.active_scheme().await?;
    let mut problems = Vec::new();
    for axis in Axis::ALL {
        if let Err(e) = level_column_error(&scheme, axis, levels.code(axis).trim()) {
            problems.push(FieldProblem::new(
                column_field(e.column),
                e.message,
                e.message_en,
            ));
        }
    }
    if reason.trim().is_empty() {
        problems.push(FieldProblem::new(
            "reason",
            "格付けを変更する理由を書いてください",
            "give the reason for the new levels",
        ));
    } else if let Err(p) =
        mamori_core::text::check_text(reason.trim(), mamori_core::text::MAX_TEXT_CHARS)
    {
        problems.push(FieldProblem::new("reason", p.ja("理由"), p.en("reason")));
    }
    if !problems.is_empty() {
        return Err(WriteError::Invalid(problems));
    }
    let top = is_top(&scheme, &levels.confidentiality);
    if top != asset.is_top {
        let target = resource(state, id, asset.record.owner_unit_id, top).await?;
        user.require(state, Action::WriteAsset, &target)?;
    }
    Ok(state
        .store
        .reclassify_asset_because(&user.actor(), id, levels, reason)
        .await?)
}

/// Records an asset's disposal: the date (western or 和暦), how, and who confirmed it.
pub async fn dispose(
    state: &AppState,
    user: &Authed,
    id: i64,
    date: &str,
    method: &str,
    confirmed_by: &str,
) -> WriteResult<Asset> {
    writable(state, user, id).await?;
    let mut problems = Vec::new();
    let parsed = match date.trim() {
        "" => {
            problems.push(FieldProblem::new(
                "disposed_on",
                "廃棄日を入れてください",
                "enter the disposal date",
            ));
            None
        }
        t => {
            let d = parse_date(t);
            if d.is_none() {
                problems.push(FieldProblem::new(
                    "disposed_on",
                    format!("廃棄日「{t}」は日付として読めません（例: 2025-04-01、令和7年4月1日）"),
                    format!("the disposal date '{t}' is not a date (e.g. 2025-04-01)"),
                ));
            }
            d
        }
    };
    let required = [
        (
            "disposal_method",
            method,
            "廃棄方法を入れてください",
            "enter the disposal method",
        ),
        (
            "disposal_confirmed_by",
            confirmed_by,
            "廃棄を確認した者を入れてください",
            "enter who confirmed the disposal",
        ),
    ];
    for (field, value, ja, en) in required {
        if value.trim().is_empty() {
            problems.push(FieldProblem::new(field, ja, en));
        }
    }
    let Some(date) = parsed.filter(|_| problems.is_empty()) else {
        return Err(WriteError::Invalid(problems));
    };
    let disposal = Disposal {
        date,
        method: method.trim().to_string(),
        confirmed_by: confirmed_by.trim().to_string(),
    };
    Ok(state
        .store
        .dispose_asset(&user.actor(), id, disposal)
        .await?)
}

/// The ledger of what the user may see (all of it, or the filtered view) as a
/// download. Written to a temporary file first (the export writes
/// synchronously, batch by batch), then streamed, so that a large register never
/// sits in memory.
pub async fn export(
    state: &AppState,
    user: &Authed,
    filter: &AssetFilter,
    format: LedgerFormat,
) -> AppResult<Response> {
    user.require_app(state, Action::ExportAssets)?;
    let scope = asset_scope(state, user).await?;
    let path = std::env::temp_dir().join(format!(
        "mamori-export-{}.{}",
        mamori_store::tokens::random_token(),
        format.extension()
    ));
    let io = |e: std::io::Error| {
        AppError::from(StoreError::Internal(format!(
            "the export's temporary file {}: {e}",
            path.display()
        )))
    };
    // Gone however this ends (a dropped request included).
    let guard = RemoveOnDrop(path.clone());
    let written = async {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(io)?;
        let mut out = std::io::BufWriter::new(file);
        state
            .store
            .export_ledger(&user.actor(), filter, &scope, format, &mut out)
            .await?;
        std::io::Write::flush(&mut out).map_err(io)?;
        Ok::<_, AppError>(())
    }
    .await;
    let opened = match written {
        Ok(()) => tokio::fs::File::open(&path).await.map_err(io),
        Err(e) => Err(e),
    };
    // The open file stays readable once its name is gone.
    drop(guard);
    let file = opened?;
    let stream = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0_u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    let name = format!(
        "{}.{}",
        mamori_store::assets::SHEET_NAME,
        format.extension()
    );
    let disposition = format!(
        "attachment; filename=\"assets.{}\"; filename*=UTF-8''{}",
        format.extension(),
        urlencode(&name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Removes a temporary file when dropped.
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The format of an uploaded ledger: as its name says, else by its first bytes
/// (an .xlsx file is a ZIP archive).
pub fn sniff_format(name: Option<&str>, bytes: &[u8]) -> LedgerFormat {
    name.and_then(|n| LedgerFormat::from_path(std::path::Path::new(n)))
        .unwrap_or(if bytes.starts_with(b"PK\x03\x04") {
            LedgerFormat::Xlsx
        } else {
            LedgerFormat::Csv
        })
}

/// Imports a ledger for the user: all rows or none, each row limited to the
/// assets the user may write; rows that change levels need `reason`.
pub async fn import(
    state: &AppState,
    user: &Authed,
    bytes: &[u8],
    format: LedgerFormat,
    reason: Option<&str>,
) -> AppResult<ImportReport> {
    user.require_app(state, Action::ImportAssets)?;
    let scope = asset_write_scope(state, user).await?;
    Ok(state
        .store
        .import_ledger_scoped(&user.actor(), bytes, format, &scope, reason)
        .await?)
}
