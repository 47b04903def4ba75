//! The information-asset register (情報資産管理台帳) pages: the register with
//! server-side filters, one asset with its handling rules, failed checks and
//! history, the forms that change assets, and the ledger's export and import.
//! What a user sees and changes is decided by the Cedar policy.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mamori_app::requests::Reclassified;
use mamori_authz::Action;
use mamori_core::asset::{AssetKind, Levels, Lifecycle};
use mamori_core::catalog::Axis;
use mamori_core::classification::Scheme;
use mamori_store::assets::{
    Asset, AssetFilter, AssetSort, AssetSortKey, ImportIssue, ImportReport, LedgerFormat,
};
use serde::Deserialize;
use std::collections::HashMap;
use tower_sessions::Session;

use super::{Chrome, Pager, flash, flash_error, query_string};
use crate::auth::{Authed, PageUser, verify_csrf};
use crate::error::{AppError, AppResult, FieldProblem};
use crate::i18n::{Lang, T};
use crate::state::AppState;
use mamori_app::assets::{Entered, sniff_format};
use mamori_app::error::Error as OpError;

pub struct AssetLine {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub unit: String,
    pub label: String,
    pub segment: String,
    pub state: String,
    pub flagged: bool,
}

/// The register's filters and sorting as the query string carries them.
#[derive(Deserialize, Default)]
pub struct AssetsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    confidentiality: String,
    #[serde(default)]
    integrity: String,
    #[serde(default)]
    availability: String,
    #[serde(default)]
    segment: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    flagged: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    desc: String,
    /// `asc` or `desc` (the sortable headers' links); `desc=true` also sorts
    /// the other way.
    #[serde(default)]
    dir: String,
    #[serde(flatten)]
    paging: super::Paging,
}

impl AssetsQuery {
    /// The filter pairs, for links that keep them.
    fn pairs(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("q", self.q.as_str()),
            ("unit", self.unit.as_str()),
            ("kind", self.kind.as_str()),
            ("confidentiality", self.confidentiality.as_str()),
            ("integrity", self.integrity.as_str()),
            ("availability", self.availability.as_str()),
            ("segment", self.segment.as_str()),
            ("state", self.state.as_str()),
            ("flagged", if self.flagged == "true" { "true" } else { "" }),
        ]
    }

    fn filter(&self) -> AppResult<AssetFilter> {
        let number = |field: &str, v: &str| -> AppResult<Option<i64>> {
            match v.trim() {
                "" => Ok(None),
                t => t.parse().map(Some).map_err(|_| {
                    AppError::bad_request(format!(
                        "{field}: 「{t}」は番号ではありません / '{t}' is not a number"
                    ))
                }),
            }
        };
        let level = |v: &str| Some(v.trim().to_string()).filter(|c| !c.is_empty());
        Ok(AssetFilter {
            unit_id: number("unit", &self.unit)?,
            include_subunits: true,
            kind: match self.kind.as_str() {
                "" => None,
                k => Some(
                    AssetKind::ALL
                        .into_iter()
                        .find(|x| x.code() == k)
                        .ok_or_else(|| {
                            AppError::bad_request(format!(
                                "種別 '{k}' はありません / no asset kind '{k}'"
                            ))
                        })?,
                ),
            },
            confidentiality: level(&self.confidentiality),
            integrity: level(&self.integrity),
            availability: level(&self.availability),
            segment_id: number("segment", &self.segment)?,
            lifecycle: match self.state.as_str() {
                "" => None,
                v => Some(
                    Lifecycle::ALL
                        .into_iter()
                        .find(|x| x.code() == v)
                        .ok_or_else(|| {
                            AppError::bad_request(format!(
                                "状態 '{v}' はありません / no state '{v}'"
                            ))
                        })?,
                ),
            },
            flagged: (self.flagged == "true").then_some(true),
            text: Some(self.q.clone()).filter(|t| !t.trim().is_empty()),
            ..Default::default()
        })
    }

    fn sort(&self) -> AppResult<AssetSort> {
        let key = match self.sort.as_str() {
            "" => AssetSortKey::Id,
            k => {
                serde_json::from_value(serde_json::Value::String(k.to_string())).map_err(|_| {
                    AppError::bad_request(format!(
                        "並べ替え '{k}' はできません / cannot sort by '{k}'"
                    ))
                })?
            }
        };
        Ok(AssetSort {
            key,
            descending: self.descending(),
        })
    }

    fn descending(&self) -> bool {
        match self.dir.as_str() {
            "desc" => true,
            "asc" => false,
            _ => self.desc == "true",
        }
    }
}

/// The register shows at most this many as its count ("10,000件以上").
const COUNT_LIMIT: i64 = 10_000;

/// A count with thousands separators (10,000).
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[derive(Template, WebTemplate)]
#[template(path = "assets.html")]
pub struct AssetsPage {
    chrome: Chrome,
    f: AssetsQuery,
    units: Vec<(i64, String)>,
    kinds: Vec<(String, String)>,
    c_levels: Vec<String>,
    i_levels: Vec<String>,
    a_levels: Vec<String>,
    segments: Vec<(i64, String)>,
    states: Vec<(String, String)>,
    sorts: Vec<(String, String)>,
    headers: Vec<super::SortHeader>,
    /// The 「分布」 panel: the spread of what the filter selects.
    charts: Vec<super::charts::BarChart>,
    /// Whether a filter narrows the list (an empty list then says so).
    filtered: bool,
    assets: Vec<AssetLine>,
    pager: Pager,
    may_create: bool,
    may_import: bool,
    export_csv: Option<String>,
    export_xlsx: Option<String>,
}

fn kind_name(kind: AssetKind, lang: Lang) -> String {
    lang.pick(kind.name_ja(), kind.name_en()).to_string()
}

fn state_name(state: Lifecycle, lang: Lang) -> String {
    lang.pick(state.name_ja(), state.name_en()).to_string()
}

/// Every active unit with its lineage's names (`総務局 / 総務課`).
pub(crate) async fn unit_choices(state: &AppState, lang: Lang) -> AppResult<Vec<(i64, String)>> {
    let all_units = state.store.all_units().await?;
    let names: HashMap<i64, &str> = all_units
        .iter()
        .map(|u| (u.id, lang.pick(&u.name, &u.name_en)))
        .collect();
    Ok(all_units
        .iter()
        .map(|u| {
            (
                u.id,
                u.lineage()
                    .iter()
                    .filter_map(|id| names.get(id).copied())
                    .collect::<Vec<_>>()
                    .join(" / "),
            )
        })
        .collect())
}

async fn segment_choices(state: &AppState, lang: Lang) -> AppResult<Vec<(i64, String)>> {
    Ok(state
        .store
        .segments()
        .await?
        .into_iter()
        .map(|s| (s.id, lang.pick(&s.name, &s.name_en).to_string()))
        .collect())
}

fn level_codes(scheme: &Scheme, axis: Axis) -> Vec<String> {
    scheme
        .levels_of(axis)
        .iter()
        .map(|l| l.code.clone())
        .collect()
}

fn kind_choices(lang: Lang) -> Vec<(String, String)> {
    AssetKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), kind_name(*k, lang)))
        .collect()
}

pub async fn list(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<AssetsQuery>,
) -> AppResult<AssetsPage> {
    let filter = q.filter()?;
    let sort = q.sort()?;
    let request = q.paging.request();
    let (page, more) = state
        .app
        .list_assets(&user, &filter, sort, request, false)
        .await?;
    let scheme = state.app.active_scheme(&user).await?;
    let assets = page
        .items
        .into_iter()
        .map(|a| AssetLine {
            id: a.id,
            kind: kind_name(a.record.kind, lang),
            unit: a.owner_unit_name.clone(),
            label: a.label.clone(),
            segment: a.segment_name.clone().unwrap_or_default(),
            state: state_name(a.record.lifecycle, lang),
            flagged: a.flagged,
            name: a.record.name,
        })
        .collect();
    let pairs = q.pairs();
    let base = query_string("/assets", &{
        let mut p = pairs.clone();
        p.push(("sort", q.sort.as_str()));
        p.push(("dir", if q.descending() { "desc" } else { "" }));
        p
    });
    let t = T { lang };
    let headers = super::sort_headers(
        &query_string("/assets", &pairs),
        if q.sort.is_empty() {
            "id"
        } else {
            q.sort.as_str()
        },
        q.descending(),
        &[
            ("id", t.get("assets.number").to_string()),
            ("name", t.get("assets.name").to_string()),
            ("kind", t.get("assets.kind").to_string()),
            ("unit", t.get("assets.unit").to_string()),
            ("confidentiality", t.get("assets.label").to_string()),
            ("", t.get("assets.segment").to_string()),
            ("lifecycle", t.get("assets.state").to_string()),
        ],
    );
    let filtered = pairs.iter().any(|(_, v)| !v.is_empty());
    let spread = state.app.register_spread(&user, &filter).await?;
    let charts = super::charts::register_charts(&t, &spread);
    let mut pager = Pager::new(&t, &base, request, page.total);
    if more {
        let limit = grouped(COUNT_LIMIT);
        pager.summary = match lang {
            Lang::Ja => format!("{limit}件以上（{}ページ目）", request.page),
            Lang::En => format!("more than {limit} (page {})", request.page),
        };
    }
    let may_export = state.app.may_app(&user, Action::ExportAssets);
    let export = |format: &'static str| {
        let mut p = pairs.clone();
        p.push(("format", format));
        query_string("/assets/export", &p)
    };
    let (export_csv, export_xlsx) = if may_export {
        (Some(export("csv")), Some(export("xlsx")))
    } else {
        (None, None)
    };
    let chrome = Chrome::new(&state, &session, lang, Some(&user), &base, "assets").await?;
    Ok(AssetsPage {
        chrome,
        units: unit_choices(&state, lang).await?,
        kinds: kind_choices(lang),
        c_levels: level_codes(&scheme, Axis::Confidentiality),
        i_levels: level_codes(&scheme, Axis::Integrity),
        a_levels: level_codes(&scheme, Axis::Availability),
        segments: segment_choices(&state, lang).await?,
        states: Lifecycle::ALL
            .iter()
            .map(|l| (l.code().to_string(), state_name(*l, lang)))
            .collect(),
        sorts: [
            ("id", "assets.number"),
            ("name", "assets.name"),
            ("unit", "assets.unit"),
            ("kind", "assets.kind"),
            ("confidentiality", "assets.confidentiality"),
            ("lifecycle", "assets.state"),
            ("updated", "assets.updated"),
        ]
        .iter()
        .map(|(k, key)| (k.to_string(), t.get(key).to_string()))
        .collect(),
        headers,
        charts,
        filtered,
        assets,
        pager,
        may_create: state.app.may_app(&user, Action::CreateAsset),
        may_import: state.app.may_app(&user, Action::ImportAssets),
        export_csv,
        export_xlsx,
        f: q,
    })
}

/// `GET /assets/export?format=xlsx|csv&…filters`: the ledger of what the user sees.
pub async fn export(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<AssetsQuery>,
    Query(format): Query<FormatParam>,
) -> AppResult<Response> {
    let format = match format.format.as_str() {
        "csv" => LedgerFormat::Csv,
        "" | "xlsx" => LedgerFormat::Xlsx,
        f => {
            return Err(AppError::bad_request(format!(
                "形式 '{f}' は出力できません（xlsx か csv）/ cannot export as '{f}' (xlsx or csv)"
            )));
        }
    };
    crate::ledger_download::export(&state, &user, &q.filter()?, format).await
}

#[derive(Deserialize)]
pub struct FormatParam {
    #[serde(default)]
    format: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "asset.html")]
pub struct AssetPage {
    chrome: Chrome,
    name: String,
    label: String,
    flags: Vec<String>,
    facts: Vec<(String, String)>,
    handling: Vec<(String, String, String)>,
    /// Each change with what it says beyond the action (a reclassification's reason).
    history: Vec<(super::events::LogLine, String)>,
    id: i64,
    /// The user may change it (and it is not disposed).
    may_write: bool,
    /// It has been disposed of: read only, and the page says why.
    disposed: bool,
    /// The threats that apply (第7), each with its controls and risk.
    threats: Vec<mamori_app::risk::AssetThreat>,
}

impl AssetPage {
    /// A control's status in the reader's words (未記録 where none).
    fn status_label(&self, state: &Option<String>) -> String {
        super::risk::status_words(&self.chrome.t, state)
    }
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<AssetPage> {
    let view = state.app.asset_view(&user, id).await?;
    let (asset, scheme) = (view.asset, view.scheme);
    let t = T { lang };
    let yes_no = |b: bool| {
        if b {
            t.get("assets.yes")
        } else {
            t.get("assets.no")
        }
        .to_string()
    };
    let r = &asset.record;
    let facts = vec![
        (t.get("assets.number").to_string(), asset.id.to_string()),
        (t.get("assets.kind").to_string(), kind_name(r.kind, lang)),
        (
            t.get("assets.unit").to_string(),
            asset.owner_unit_name.clone(),
        ),
        (
            t.get("assets.administrator").to_string(),
            r.administrator.clone(),
        ),
        (t.get("assets.location").to_string(), r.location.clone()),
        (
            t.get("assets.system").to_string(),
            asset.system_name.clone().unwrap_or_default(),
        ),
        (
            t.get("assets.segment").to_string(),
            asset.segment_name.clone().unwrap_or_default(),
        ),
        (
            t.get("assets.personal_info").to_string(),
            yes_no(r.personal_info),
        ),
        (t.get("assets.my_number").to_string(), yes_no(r.my_number)),
        (t.get("assets.retention").to_string(), r.retention.clone()),
        (
            t.get("assets.state").to_string(),
            state_name(r.lifecycle, lang),
        ),
        (
            t.get("common.description").to_string(),
            r.description.clone(),
        ),
        (t.get("assets.notes").to_string(), r.notes.clone()),
    ];
    let mut facts = facts;
    if let Some(date) = &r.disposed_on {
        facts.push((t.get("assets.disposed_on").to_string(), t.day(date)));
        facts.push((
            t.get("assets.disposal_method").to_string(),
            r.disposal_method.clone().unwrap_or_default(),
        ));
        facts.push((
            t.get("assets.disposal_confirmed_by").to_string(),
            r.disposal_confirmed_by.clone().unwrap_or_default(),
        ));
    }
    let handling = asset
        .handling(&scheme)
        .into_iter()
        .map(|h| {
            (
                lang.pick(h.axis.name_ja(), h.axis.name_en()).to_string(),
                lang.pick(h.topic.name_ja(), h.topic.name_en()).to_string(),
                lang.pick(&h.rule, &h.rule_en).to_string(),
            )
        })
        .collect();
    let flags = asset
        .flag_views(&scheme)
        .into_iter()
        .map(|f| lang.pick(&f.message, &f.message_en).to_string())
        .collect();
    let t_hist = T { lang };
    let history = state
        .app
        .with_people(view.history)
        .await?
        .into_iter()
        .map(|entry| {
            let e = &entry.event;
            let reason = e
                .after_json
                .as_deref()
                .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
                .and_then(|v| v.get("reason").and_then(|r| r.as_str()).map(str::to_string))
                .unwrap_or_default();
            (super::events::log_line(&entry, &t_hist), reason)
        })
        .collect();
    let may_write = view.may_write;
    let threats = state
        .app
        .asset_threats(&user, id)
        .await?
        .into_iter()
        .filter(|t| t.applies)
        .collect();
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        &format!("/assets/{id}"),
        "assets",
    )
    .await?;
    Ok(AssetPage {
        chrome,
        name: r.name.clone(),
        label: asset.label.clone(),
        flags,
        facts,
        handling,
        history,
        id,
        may_write,
        disposed: asset.record.lifecycle == Lifecycle::Disposed,
        threats,
    })
}

/// What the asset forms post (each form uses its own part).
#[derive(Deserialize, Default, Clone)]
pub struct AssetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    owner_unit_id: String,
    #[serde(default)]
    administrator: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    system_id: String,
    #[serde(default)]
    segment_id: String,
    #[serde(default)]
    personal_info: Option<String>,
    #[serde(default)]
    my_number: Option<String>,
    #[serde(default)]
    retention: String,
    #[serde(default)]
    lifecycle: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    confidentiality: String,
    #[serde(default)]
    integrity: String,
    #[serde(default)]
    availability: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    disposed_on: String,
    #[serde(default)]
    disposal_method: String,
    #[serde(default)]
    disposal_confirmed_by: String,
}

impl AssetForm {
    fn of(e: &Entered) -> AssetForm {
        let on = |b: bool| b.then(|| "1".to_string());
        AssetForm {
            name: e.name.clone(),
            kind: e.kind.clone(),
            description: e.description.clone(),
            owner_unit_id: e.owner_unit_id.clone(),
            administrator: e.administrator.clone(),
            location: e.location.clone(),
            system_id: e.system_id.clone(),
            segment_id: e.segment_id.clone(),
            personal_info: on(e.personal_info),
            my_number: on(e.my_number),
            retention: e.retention.clone(),
            lifecycle: e.lifecycle.clone(),
            notes: e.notes.clone(),
            confidentiality: e.confidentiality.clone(),
            integrity: e.integrity.clone(),
            availability: e.availability.clone(),
            ..AssetForm::default()
        }
    }

    fn entered(&self) -> Entered {
        Entered {
            name: self.name.clone(),
            kind: self.kind.clone(),
            description: self.description.clone(),
            owner_unit_id: self.owner_unit_id.clone(),
            administrator: self.administrator.clone(),
            location: self.location.clone(),
            system_id: self.system_id.clone(),
            segment_id: self.segment_id.clone(),
            personal_info: self.personal_info.is_some(),
            my_number: self.my_number.is_some(),
            retention: self.retention.clone(),
            lifecycle: self.lifecycle.clone(),
            notes: self.notes.clone(),
            confidentiality: self.confidentiality.clone(),
            integrity: self.integrity.clone(),
            availability: self.availability.clone(),
        }
    }
}

/// The problems of a form, by field, in the user's language.
#[derive(Default)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    fn new(problems: &[FieldProblem], lang: Lang) -> FieldErrors {
        FieldErrors(
            problems
                .iter()
                .map(|p| {
                    (
                        p.field.clone(),
                        lang.pick(&p.message, &p.message_en).to_string(),
                    )
                })
                .collect(),
        )
    }

    /// The messages for one field, joined.
    pub fn get(&self, field: &str) -> Option<String> {
        let found: Vec<&str> = self
            .0
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect();
        (!found.is_empty()).then(|| found.join(" "))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Which of the asset forms.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Create,
    Edit,
    Reclassify,
    Dispose,
}

#[derive(Template, WebTemplate)]
#[template(path = "asset_form.html")]
pub struct AssetFormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    /// Back to the asset (or the register).
    back: String,
    show_facts: bool,
    show_levels: bool,
    is_reclassify: bool,
    /// The change will be a request for the unit's manager to approve.
    is_proposal: bool,
    is_dispose: bool,
    /// The asset's label now (reclassify).
    label: String,
    f: AssetForm,
    errors: FieldErrors,
    units: Vec<(i64, String)>,
    kinds: Vec<(String, String)>,
    /// Each axis's levels, strictest first, with the question that decides it.
    c_guide: Vec<LevelGuide>,
    i_guide: Vec<LevelGuide>,
    a_guide: Vec<LevelGuide>,
    systems: Vec<(i64, String)>,
    segments: Vec<(i64, String)>,
    states: Vec<(String, String)>,
}

/// A level on the form, with the question that decides it (/classification).
pub struct LevelGuide {
    pub code: String,
    pub name: String,
    pub question: String,
}

fn level_guide(scheme: &Scheme, axis: Axis, lang: Lang) -> Vec<LevelGuide> {
    scheme
        .levels_of(axis)
        .iter()
        .map(|l| LevelGuide {
            code: l.code.clone(),
            name: lang.pick(&l.name, &l.name_en).to_string(),
            question: lang.pick(&l.question, &l.question_en).to_string(),
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    user: &Authed,
    kind: FormKind,
    asset: Option<&Asset>,
    f: AssetForm,
    problems: &[FieldProblem],
) -> AppResult<AssetFormPage> {
    let t = T { lang };
    let (action, back, heading_key) = match (kind, asset) {
        (FormKind::Create, _) | (_, None) => (
            "/assets/new".to_string(),
            "/assets".to_string(),
            "assets.new",
        ),
        (FormKind::Edit, Some(a)) => (
            format!("/assets/{}/edit", a.id),
            format!("/assets/{}", a.id),
            "assets.edit",
        ),
        (FormKind::Reclassify, Some(a)) => (
            format!("/assets/{}/reclassify", a.id),
            format!("/assets/{}", a.id),
            "assets.reclassify",
        ),
        (FormKind::Dispose, Some(a)) => (
            format!("/assets/{}/dispose", a.id),
            format!("/assets/{}", a.id),
            "assets.dispose",
        ),
    };
    let heading = match asset {
        Some(a) => format!("{}: {}", t.get(heading_key), a.record.name),
        None => t.get(heading_key).to_string(),
    };
    let scheme = state.app.active_scheme(user).await?;
    let systems = state
        .store
        .information_systems()
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let chrome = Chrome::new(state, session, lang, Some(user), &action, "assets").await?;
    Ok(AssetFormPage {
        chrome,
        heading,
        action,
        back,
        show_facts: matches!(kind, FormKind::Create | FormKind::Edit),
        show_levels: matches!(kind, FormKind::Create | FormKind::Reclassify),
        is_reclassify: kind == FormKind::Reclassify,
        is_proposal: match (kind, asset) {
            (FormKind::Reclassify, Some(a)) => !state.app.decides_for_asset(user, a).await?,
            _ => false,
        },
        is_dispose: kind == FormKind::Dispose,
        label: asset.map(|a| a.label.clone()).unwrap_or_default(),
        f,
        errors: FieldErrors::new(problems, lang),
        units: unit_choices(state, lang).await?,
        kinds: kind_choices(lang),
        c_guide: level_guide(&scheme, Axis::Confidentiality, lang),
        i_guide: level_guide(&scheme, Axis::Integrity, lang),
        a_guide: level_guide(&scheme, Axis::Availability, lang),
        systems,
        segments: segment_choices(state, lang).await?,
        states: [Lifecycle::Registered, Lifecycle::InUse]
            .iter()
            .map(|l| (l.code().to_string(), state_name(*l, lang)))
            .collect(),
    })
}

/// After a write: the form again with its errors (422), or on to the asset with a flash.
#[allow(clippy::too_many_arguments)]
async fn after_write(
    state: &AppState,
    session: &Session,
    lang: Lang,
    user: &Authed,
    kind: FormKind,
    before: Option<&Asset>,
    form: AssetForm,
    result: mamori_app::Result<Asset>,
    done_key: &str,
) -> AppResult<Response> {
    match result {
        Ok(asset) => {
            flash(session, T { lang }.get(done_key)).await;
            Ok(Redirect::to(&format!("/assets/{}", asset.id)).into_response())
        }
        Err(e @ OpError::Rejected(_)) if e.class() == mamori_core::problem::Class::Invalid => {
            let problems: Vec<FieldProblem> = e.problems().iter().map(FieldProblem::of).collect();
            let page = form_page(state, session, lang, user, kind, before, form, &problems).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<AssetFormPage> {
    state.app.ensure_may_app(&user, Action::CreateAsset)?;
    let form = AssetForm {
        owner_unit_id: user.user.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        lifecycle: Lifecycle::InUse.code().to_string(),
        ..AssetForm::default()
    };
    form_page(
        &state,
        &session,
        lang,
        &user,
        FormKind::Create,
        None,
        form,
        &[],
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Form(form): Form<AssetForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    let result = state.app.create_asset(&user, &form.entered()).await;
    after_write(
        &state,
        &session,
        lang,
        &user,
        FormKind::Create,
        None,
        form,
        result,
        "assets.created",
    )
    .await
}

impl FormKind {
    /// The form an asset's sub-path names (`/assets/{id}/edit` …).
    fn of_path(action: &str, id: i64) -> AppResult<FormKind> {
        match action {
            "edit" => Ok(FormKind::Edit),
            "reclassify" => Ok(FormKind::Reclassify),
            "dispose" => Ok(FormKind::Dispose),
            _ => Err(AppError::not_found(format!(
                "ページが見つかりません / no such page: /assets/{id}/{action}"
            ))),
        }
    }
}

/// `GET /assets/{id}/edit|reclassify|dispose`: the form of one of the
/// operations on an existing asset.
pub async fn existing_form(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((id, action)): Path<(i64, String)>,
) -> AppResult<Response> {
    let kind = FormKind::of_path(&action, id)?;
    let asset = match writable_or_back(&state, &session, lang, &user, id).await? {
        Ok(asset) => asset,
        Err(back) => return Ok(back),
    };
    let form = match kind {
        FormKind::Dispose => AssetForm::default(),
        _ => AssetForm::of(&Entered::of(&asset)),
    };
    Ok(
        form_page(&state, &session, lang, &user, kind, Some(&asset), form, &[])
            .await?
            .into_response(),
    )
}

/// The asset the person may change, or, when it has been disposed of, the way
/// back to its page with the reason it cannot be changed.
async fn writable_or_back(
    state: &AppState,
    session: &Session,
    lang: Lang,
    user: &Authed,
    id: i64,
) -> AppResult<Result<Asset, Response>> {
    match state.app.writable_asset(user, id).await {
        Ok(asset) => Ok(Ok(asset)),
        Err(e)
            if e.problems()
                .iter()
                .any(|p| p.code == "MAMORI-ASSET-DISPOSED") =>
        {
            flash_error(session, T { lang }.get("assets.disposed_readonly")).await;
            Ok(Err(Redirect::to(&format!("/assets/{id}")).into_response()))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /assets/{id}/edit|reclassify|dispose`.
pub async fn write_existing(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<AssetForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    let kind = FormKind::of_path(&action, id)?;
    let before = match writable_or_back(&state, &session, lang, &user, id).await? {
        Ok(asset) => asset,
        Err(back) => return Ok(back),
    };
    let (result, done) = match kind {
        // The levels are not part of the edit form; the edit keeps them.
        FormKind::Edit | FormKind::Create => {
            let wanted = form.entered();
            let result = state.app.update_asset(&user, id, |e| *e = wanted).await;
            (result, "assets.updated_flash")
        }
        FormKind::Reclassify => {
            let levels = Levels::new(&form.confidentiality, &form.integrity, &form.availability);
            let result = state
                .app
                .reclassify_asset(&user, id, levels, &form.reason)
                .await;
            let result = match result {
                Ok(Reclassified::Applied(asset)) => Ok(asset),
                // A member of staff's change waits for the unit's manager.
                Ok(Reclassified::Proposed(request)) => {
                    flash(&session, T { lang }.get("requests.proposed_flash")).await;
                    return Ok(
                        Redirect::to(&format!("/classification-requests/{}", request.id))
                            .into_response(),
                    );
                }
                Err(e) => Err(e),
            };
            (result, "assets.reclassified")
        }
        FormKind::Dispose => {
            let result = state
                .app
                .dispose_asset(
                    &user,
                    id,
                    &form.disposed_on,
                    &form.disposal_method,
                    &form.disposal_confirmed_by,
                )
                .await;
            (result, "assets.disposed")
        }
    };
    after_write(
        &state,
        &session,
        lang,
        &user,
        kind,
        Some(&before),
        form,
        result,
        done,
    )
    .await
}

/// The largest ledger a page or the API takes by default (`[import]
/// max_upload_bytes` in mamori.toml sets it).
pub const LEDGER_UPLOAD_LIMIT: usize =
    mamori_core::table::ImportLimits::DEFAULT_MAX_UPLOAD_BYTES as usize;

/// One problem of an import as the page lists it.
pub struct ReportLine {
    pub row: String,
    pub column: String,
    pub value: String,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "asset_import.html")]
pub struct ImportPage {
    chrome: Chrome,
    /// The outcome of an import just made, or of a preview.
    report: Option<ImportReport>,
    summary: String,
    errors: Vec<ReportLine>,
    warnings: Vec<ReportLine>,
    /// A preview's rows, as the page lists them.
    preview: Vec<PreviewLine>,
    /// The token of the checked file waiting for confirmation (a preview).
    draft: String,
}

/// One row of a preview as the page lists it.
pub struct PreviewLine {
    pub row: u32,
    pub is_create: bool,
    pub asset_id: Option<i64>,
    pub name: String,
    /// 「列: 前 → 後」
    pub changes: Vec<String>,
    /// 「列: 「書かれた値」→ 取り込む値」
    pub normalised: Vec<String>,
}

fn preview_lines(rows: &[mamori_store::assets::PreviewRow], lang: Lang) -> Vec<PreviewLine> {
    let show = |c: &mamori_store::assets::PreviewChange| {
        let before = if c.before.is_empty() {
            "—"
        } else {
            &c.before
        };
        let after = if c.after.is_empty() { "—" } else { &c.after };
        format!("{}: {before} → {after}", lang.pick(&c.column, &c.column_en))
    };
    rows.iter()
        .map(|r| PreviewLine {
            row: r.row,
            is_create: r.asset_id.is_none(),
            asset_id: r.asset_id,
            name: r.name.clone(),
            changes: r.changes.iter().map(show).collect(),
            normalised: r
                .normalised
                .iter()
                .map(|c| {
                    format!(
                        "{}: 「{}」→「{}」",
                        lang.pick(&c.column, &c.column_en),
                        c.before,
                        c.after
                    )
                })
                .collect(),
        })
        .collect()
}

fn report_lines(issues: &[ImportIssue], lang: Lang) -> Vec<ReportLine> {
    issues
        .iter()
        .map(|i| ReportLine {
            row: i.row.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
            column: match (&i.column_letter, &i.column) {
                (Some(l), Some(c)) => format!("{l}「{c}」"),
                (None, Some(c)) => c.clone(),
                (Some(l), None) => l.clone(),
                (None, None) => "—".into(),
            },
            value: i.value.clone(),
            message: lang.pick(&i.message, &i.message_en).to_string(),
        })
        .collect()
}

async fn import_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    user: &Authed,
    report: Option<ImportReport>,
    draft: Option<String>,
) -> AppResult<ImportPage> {
    let chrome = Chrome::new(state, session, lang, Some(user), "/assets/import", "assets").await?;
    let summary = match &report {
        Some(r) if r.preview && r.errors.is_empty() => match lang {
            Lang::Ja => format!(
                "まだ取り込んでいません。内容を確かめて「取り込む」を押してください: {}行（新規 {}、更新 {}、変更なし {}）",
                r.rows, r.created, r.updated, r.unchanged
            ),
            Lang::En => format!(
                "Nothing is imported yet. Check what the file would do, then press Import: {} rows ({} created, {} updated, {} unchanged).",
                r.rows, r.created, r.updated, r.unchanged
            ),
        },
        Some(r) if r.written => match lang {
            Lang::Ja => format!(
                "取り込みました: {}行（新規 {}、更新 {}、変更なし {}）",
                r.rows, r.created, r.updated, r.unchanged
            ),
            Lang::En => format!(
                "Imported {} rows: {} created, {} updated, {} unchanged.",
                r.rows, r.created, r.updated, r.unchanged
            ),
        },
        Some(r) => match lang {
            Lang::Ja => format!(
                "取り込みませんでした（エラー {}件）。1行も書き込んでいません。",
                r.errors_total.max(r.errors.len())
            ),
            Lang::En => format!(
                "Nothing was imported ({} errors); no row was written.",
                r.errors_total.max(r.errors.len())
            ),
        },
        None => String::new(),
    };
    Ok(ImportPage {
        chrome,
        errors: report
            .as_ref()
            .map(|r| report_lines(&r.errors, lang))
            .unwrap_or_default(),
        warnings: report
            .as_ref()
            .map(|r| report_lines(&r.warnings, lang))
            .unwrap_or_default(),
        preview: report
            .as_ref()
            .map(|r| preview_lines(&r.preview_rows, lang))
            .unwrap_or_default(),
        summary,
        report,
        draft: draft.unwrap_or_default(),
    })
}

pub async fn import_form(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<ImportPage> {
    state.app.ensure_may_app(&user, Action::ImportAssets)?;
    import_page(&state, &session, lang, &user, None, None).await
}

/// `POST /assets/import` (multipart: `csrf`, then `file`, `reason`). With
/// `step=preview` the file is checked and what it would do is shown, the file
/// waiting for the confirmation; a confirmation posts `draft` (its token)
/// instead of the file. Without either, the file is imported at once (as the
/// API does).
pub async fn import(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::new(
            e.status(),
            "MAMORI-BAD-UPLOAD",
            format!(
                "ファイルを受け取れませんでした / the upload could not be read: {}",
                e.body_text()
            ),
        )
    };
    let mut csrf = String::new();
    let mut reason = String::new();
    let mut step = String::new();
    let mut draft = String::new();
    let mut file: Option<(Option<String>, Bytes)> = None;
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("reason") => reason = field.text().await.map_err(bad)?,
            Some("step") => step = field.text().await.map_err(bad)?,
            Some("draft") => draft = field.text().await.map_err(bad)?,
            Some("file") => {
                let name = field.file_name().map(str::to_string);
                file = Some((name, field.bytes().await.map_err(bad)?));
            }
            _ => {}
        }
    }
    verify_csrf(&session, &csrf).await?;
    // The confirmation of a checked file.
    if !draft.is_empty() {
        let Some(d) = state.import_drafts.take(user.user.id, &draft) else {
            flash_error(&session, T { lang }.get("assets.import_draft_gone")).await;
            return Ok(Redirect::to("/assets/import").into_response());
        };
        let report = state
            .app
            .import_ledger(&user, &d.bytes, d.format, Some(&d.reason))
            .await?;
        return import_answer(&state, &session, lang, &user, report, None).await;
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        flash_error(&session, T { lang }.get("assets.import_no_file")).await;
        return Ok(Redirect::to("/assets/import").into_response());
    };
    let format = sniff_format(name.as_deref(), &bytes);
    if step == "preview" {
        let report = state
            .app
            .preview_ledger(&user, &bytes, format, Some(&reason))
            .await?;
        let waiting = (report.preview && report.errors.is_empty()).then(|| {
            state
                .import_drafts
                .put(user.user.id, bytes, format, reason.clone())
        });
        return import_answer(&state, &session, lang, &user, report, waiting).await;
    }
    let report = state
        .app
        .import_ledger(&user, &bytes, format, Some(&reason))
        .await?;
    import_answer(&state, &session, lang, &user, report, None).await
}

/// The import page with a report: 200 when the file was (or would be)
/// taken, 422 when it was refused.
async fn import_answer(
    state: &AppState,
    session: &Session,
    lang: Lang,
    user: &Authed,
    report: ImportReport,
    draft: Option<String>,
) -> AppResult<Response> {
    let status = if report.written || (report.preview && report.errors.is_empty()) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = import_page(state, session, lang, user, Some(report), draft).await?;
    Ok((status, page).into_response())
}
