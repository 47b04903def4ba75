//! The risk register (第7, 第11) at /risks: the pairs the caller may see,
//! filtered, sorted and paginated on the server, with a heat map drawn as SVG
//! on the server (and a table beside it as its text alternative); one risk
//! with its controls, treatment, approval and the assets sharing it; the
//! threats of an asset with the security office's decisions.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mamori_app::risk::{AssetThreat, MatrixView, RecomputeProgress, RiskDetail, TreatmentInput};
use mamori_authz::Action;
use mamori_core::risk::Matrix;
use mamori_store::PageRequest;
use mamori_store::risk::{ProfileAsset, RiskFilter, RiskRow, RiskSortKey, Treatment};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Chrome, Pager, flash, flash_error, query_string};
use crate::auth::{PageUser, verify_csrf};
use crate::error::AppResult;
use crate::i18n::{Lang, T};
use crate::state::AppState;

/// An operation's refusal worded for the reader: each problem where it
/// belongs (the field's label, never its internal name), and the first
/// problem's advice.
pub(super) fn words(e: &mamori_app::Error, lang: Lang) -> String {
    words_advising(e, lang, true)
}

/// [`words`], with the problem's own advice or without it (where the page
/// gives its own).
pub(super) fn words_advising(e: &mamori_app::Error, lang: Lang, advice: bool) -> String {
    let l = match lang {
        Lang::Ja => mamori_core::problem::Lang::Ja,
        Lang::En => mamori_core::problem::Lang::En,
    };
    let t = T { lang };
    let problems = e.problems();
    let mut out: Vec<String> = problems
        .iter()
        .take(20)
        .map(|p| t.located(p.field.as_deref(), p.message(l)))
        .collect();
    if problems.len() > 20 {
        out.push(format!("… ({})", problems.len()));
    }
    let advice = problems
        .first()
        .filter(|_| advice)
        .map(|p| p.hint(l))
        .filter(|h| !h.is_empty())
        .map(|h| format!("（{h}）"))
        .unwrap_or_default();
    format!("{}{advice}", out.join(" / "))
}

pub(super) async fn refused(session: &Session, lang: Lang, e: mamori_app::Error) -> AppResult<()> {
    use mamori_core::problem::Class;
    match e.class() {
        Class::Invalid | Class::Conflict | Class::Forbidden => {
            flash_error(session, words(&e, lang)).await;
            Ok(())
        }
        _ => Err(e.into()),
    }
}

/// One cell of the heat map as drawn.
pub struct HeatCellView {
    pub x: u32,
    pub y: u32,
    pub colour: String,
    pub likelihood: u32,
    pub impact: u32,
    pub risks: i64,
    pub assets: i64,
    pub band: String,
}

/// The heat map: the cells, the axes' labels and the size of the drawing.
pub struct HeatMap {
    pub cells: Vec<HeatCellView>,
    /// (y of the row's middle, label), top row first.
    pub likelihood_labels: Vec<(u32, String)>,
    /// (x of the column's middle, label).
    pub impact_labels: Vec<(u32, String)>,
    pub width: u32,
    pub height: u32,
}

const CELL: u32 = 64;
const LEFT: u32 = 110;
const BOTTOM: u32 = 40;

fn heat_map(t: &T, m: &Matrix, cells: &[mamori_store::risk::HeatCell]) -> HeatMap {
    let (nl, ni) = (m.likelihood.len() as u32, m.impact.len() as u32);
    let mut out = Vec::new();
    for l in (1..=nl).rev() {
        for i in 1..=ni {
            let found = cells
                .iter()
                .find(|c| c.likelihood == i64::from(l) && c.impact == i64::from(i));
            let band = m.band(l * i);
            out.push(HeatCellView {
                x: LEFT + (i - 1) * CELL,
                y: (nl - l) * CELL,
                colour: band.map_or("#eeeeee".to_string(), |b| b.colour.clone()),
                likelihood: l,
                impact: i,
                risks: found.map_or(0, |c| c.pairs),
                assets: found.map_or(0, |c| c.assets),
                band: band
                    .map(|b| t.pick(&b.label, &b.label_en).to_string())
                    .unwrap_or_default(),
            });
        }
    }
    HeatMap {
        cells: out,
        likelihood_labels: m
            .likelihood
            .iter()
            .enumerate()
            .map(|(k, l)| {
                (
                    (nl - 1 - k as u32) * CELL + CELL / 2,
                    t.pick(&l.label, &l.label_en).to_string(),
                )
            })
            .collect(),
        impact_labels: m
            .impact
            .iter()
            .enumerate()
            .map(|(k, l)| {
                (
                    LEFT + k as u32 * CELL + CELL / 2,
                    t.pick(&l.label, &l.label_en).to_string(),
                )
            })
            .collect(),
        width: LEFT + ni * CELL + 10,
        height: nl * CELL + BOTTOM,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "risks.html")]
pub struct RisksPage {
    chrome: Chrome,
    rows: Vec<RiskRow>,
    more: bool,
    pager: Pager,
    heat: HeatMap,
    matrix: Matrix,
    matrices: Vec<MatrixView>,
    units: Vec<(i64, String)>,
    q: RisksQuery,
    progress: RecomputeProgress,
    expiring: Vec<(RiskRow, Treatment)>,
    may_manage: bool,
    sort_links: Vec<(String, String)>,
    threat_names: std::collections::HashMap<String, (String, String)>,
    export_href: String,
    /// The matrix in force as TOML: where a new one starts from.
    matrix_toml: String,
    /// Each asset kind with its name and approach (code).
    approaches: Vec<(String, String, String)>,
}

impl RisksPage {
    /// A threat as a reader names it: its code and name.
    fn threat_name(&self, code: &str) -> String {
        match self.threat_names.get(code) {
            Some((ja, en)) => format!("{code} {}", self.chrome.t.pick(ja, en)),
            None => code.to_string(),
        }
    }
    /// A band's label in the active matrix.
    fn band_label(&self, code: &str) -> String {
        self.matrix
            .bands
            .iter()
            .find(|b| b.code == code)
            .map(|b| self.chrome.t.pick(&b.label, &b.label_en).to_string())
            .unwrap_or_else(|| code.to_string())
    }
    /// A band's colour, for the cell's marker.
    fn band_colour(&self, code: &str) -> String {
        self.matrix
            .bands
            .iter()
            .find(|b| b.code == code)
            .map(|b| b.colour.clone())
            .unwrap_or_else(|| "#eeeeee".to_string())
    }
    /// A treatment's state in words (未対応 where none).
    fn state_label(&self, state: &str) -> String {
        state_words(&self.chrome.t, state)
    }
    /// An asset kind in words.
    fn kind_label(&self, kind: &str) -> String {
        kind_words(&self.chrome.t, kind)
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct RisksQuery {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub band: String,
    #[serde(default)]
    pub threat: String,
    #[serde(default)]
    pub treatment: String,
    #[serde(default)]
    pub system: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub order: String,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u32>,
}

impl RisksQuery {
    fn filter(&self) -> RiskFilter {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        RiskFilter {
            unit: self.unit.trim().parse().ok(),
            band: text(&self.band),
            threat: text(&self.threat),
            treatment: text(&self.treatment),
            min_value: None,
            system: self.system.trim().parse().ok(),
        }
    }
    fn unit_text(&self) -> String {
        self.unit.trim().to_string()
    }
}

/// A control's status in the reader's words (未記録 where none).
pub(crate) fn status_words(t: &T, state: &Option<String>) -> String {
    match state
        .as_deref()
        .and_then(|s| s.parse::<mamori_core::control::Implementation>().ok())
    {
        Some(s) => t.pick(s.name_ja(), s.name_en()).to_string(),
        None => t.pick("未記録", "not recorded").to_string(),
    }
}

/// Where a status was found: the system, the unit or the city.
pub(crate) fn scope_words(t: &T, scope: &str) -> String {
    match scope {
        "system" => t.pick("システム", "system"),
        "unit" => t.pick("所属", "unit"),
        "city" => t.pick("全庁", "city-wide"),
        other => other,
    }
    .to_string()
}

/// An asset kind in the reader's words.
fn kind_words(t: &T, kind: &str) -> String {
    match mamori_core::asset::AssetKind::parse(kind) {
        Some(k) if t.lang == Lang::Ja => k.name_ja().to_string(),
        _ => kind.to_string(),
    }
}

/// A treatment option in the reader's words.
fn option_words(t: &T, option: &str) -> String {
    match mamori_core::risk::TreatmentOption::parse(option) {
        Some(o) => t.pick(o.name_ja(), o.name_en()).to_string(),
        None => t.pick("未対応", "untreated").to_string(),
    }
}

/// A treatment state in the reader's words.
fn state_words(t: &T, state: &str) -> String {
    match mamori_core::risk::TreatmentState::parse(state) {
        Some(s) if t.lang == Lang::Ja => s.name_ja().to_string(),
        Some(s) => s.code().to_string(),
        None => t.pick("未対応", "untreated").to_string(),
    }
}

/// Threat code → (name, English name), from the catalogue.
fn threat_names() -> AppResult<std::collections::HashMap<String, (String, String)>> {
    let b = mamori_core::catalog::builtin().map_err(|e| {
        crate::error::AppError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "MAMORI-INTERNAL",
            e.to_string(),
        )
    })?;
    Ok(b.threats
        .threats
        .into_iter()
        .map(|t| (t.code, (t.name, t.name_en)))
        .collect())
}

/// The register under the page's filter as the committee's .xlsx workbook.
pub async fn export(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<RisksQuery>,
) -> AppResult<Response> {
    let bytes = state.app.export_risks(&user, &q.filter()).await?;
    Ok(crate::download::attachment(
        bytes,
        mamori_core::table::LedgerFormat::Xlsx.content_type(),
        "risks.xlsx",
    ))
}

pub async fn index(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<RisksQuery>,
) -> AppResult<RisksPage> {
    let t = T { lang };
    let page = PageRequest::new(q.page, q.per_page);
    let key = RiskSortKey::parse(&q.sort).unwrap_or_default();
    let desc = q.order != "asc";
    let filter = q.filter();
    let (list, more) = state
        .app
        .list_risks(&user, &filter, key, desc, page)
        .await?;
    let heat = state.app.risk_heat(&user, &filter).await?;
    let matrices = state.app.risk_matrices(&user).await?;
    let matrix = state.app.active_matrix(&user).await?;
    let matrix_toml = toml::to_string(&matrix).unwrap_or_default();
    let unit = q.unit_text();
    let base_pairs = [
        ("unit", unit.as_str()),
        ("band", q.band.as_str()),
        ("threat", q.threat.as_str()),
        ("treatment", q.treatment.as_str()),
        ("system", q.system.as_str()),
    ];
    let mut with_sort = base_pairs.to_vec();
    with_sort.push(("sort", q.sort.as_str()));
    with_sort.push(("order", q.order.as_str()));
    let pager = Pager::capped(
        &t,
        &query_string("/risks", &with_sort),
        page,
        list.total,
        more,
        list.items.len(),
    );
    let sort_links = [
        ("residual", t.pick("残留リスク", "Residual")),
        ("inherent", t.pick("固有リスク", "Inherent")),
        ("assets", t.pick("資産数", "Assets")),
        ("threat", t.pick("脅威", "Threat")),
        ("unit", t.pick("所管", "Unit")),
    ]
    .into_iter()
    .map(|(k, label)| {
        let order = if q.sort == k && q.order != "asc" {
            "asc"
        } else {
            "desc"
        };
        let mut pairs = base_pairs.to_vec();
        pairs.push(("sort", k));
        pairs.push(("order", order));
        (query_string("/risks", &pairs), label.to_string())
    })
    .collect();
    let units = state
        .store
        .all_units()
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let chrome = Chrome::new(&state, &session, lang, Some(&user), "/risks", "risks").await?;
    Ok(RisksPage {
        heat: heat_map(&t, &matrix, &heat),
        rows: list.items,
        more,
        pager,
        matrix,
        matrices,
        units,
        progress: state.app.risk_progress(),
        expiring: state.app.expiring_acceptances(&user).await?,
        may_manage: state.app.may_app(&user, Action::ManageRisk),
        sort_links,
        threat_names: threat_names()?,
        matrix_toml,
        approaches: {
            let set = state.app.risk_approaches(&user).await?;
            mamori_core::asset::AssetKind::ALL
                .iter()
                .map(|k| {
                    let a = set
                        .iter()
                        .find(|(c, _)| c == k.code())
                        .map(|(_, a)| a.code())
                        .unwrap_or("detailed");
                    (
                        k.code().to_string(),
                        kind_words(&t, k.code()),
                        a.to_string(),
                    )
                })
                .collect()
        },
        export_href: query_string("/risks/export", &base_pairs),
        q,
        chrome,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "risk.html")]
pub struct RiskPage {
    chrome: Chrome,
    d: RiskDetail,
    assets: Vec<ProfileAsset>,
    pager: Pager,
    options: Vec<(String, String)>,
    today: String,
    /// Who the owner field starts with: the owner, else the reader.
    me: String,
    /// The residual value's band, as the active matrix labels it.
    band: String,
}

impl RiskPage {
    fn status_label(&self, state: &Option<String>) -> String {
        status_words(&self.chrome.t, state)
    }
    fn scope_label(&self, scope: &Option<String>) -> String {
        scope
            .as_deref()
            .map(|s| scope_words(&self.chrome.t, s))
            .unwrap_or_default()
    }
    fn option_label(&self, option: &str) -> String {
        option_words(&self.chrome.t, option)
    }
    fn state_label(&self, state: &str) -> String {
        state_words(&self.chrome.t, state)
    }
    fn band_label(&self) -> String {
        self.band.clone()
    }
    fn kind_label(&self) -> String {
        kind_words(&self.chrome.t, &self.d.row.kind)
    }
}

#[derive(Deserialize, Default)]
pub struct RiskPageQuery {
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u32>,
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<RiskPageQuery>,
) -> AppResult<RiskPage> {
    let t = T { lang };
    let d = state.app.risk(&user, id).await?;
    let page = PageRequest::new(q.page, q.per_page);
    let assets = state.app.risk_assets(&user, id, page).await?;
    let pager = Pager::new(&t, &format!("/risks/{id}"), page, assets.total);
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        &format!("/risks/{id}"),
        "risks",
    )
    .await?;
    Ok(RiskPage {
        options: mamori_core::risk::TreatmentOption::ALL
            .into_iter()
            .map(|o| {
                (
                    o.code().to_string(),
                    t.pick(o.name_ja(), o.name_en()).to_string(),
                )
            })
            .collect(),
        today: mamori_store::org::today(),
        me: d
            .treatment
            .as_ref()
            .and_then(|t| t.owner_name.clone())
            .unwrap_or_else(|| user.user.display_name.clone()),
        band: {
            let m = state.app.active_matrix(&user).await?;
            m.bands
                .iter()
                .find(|b| b.code == d.row.band)
                .map(|b| t.pick(&b.label, &b.label_en).to_string())
                .unwrap_or_else(|| d.row.band.clone())
        },
        d,
        assets: assets.items,
        pager,
        chrome,
    })
}

#[derive(Deserialize)]
pub struct TreatmentForm {
    csrf: String,
    option: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    controls: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    expires_on: String,
    #[serde(default)]
    revision: String,
}

pub async fn treat(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<TreatmentForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &f.csrf).await?;
    let typed = [
        ("option", &f.option),
        ("owner", &f.owner),
        ("due_on", &f.due_on),
        ("controls", &f.controls),
        ("note", &f.note),
        ("expires_on", &f.expires_on),
    ]
    .map(|(k, v)| (k.to_string(), v.clone()));
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let input = TreatmentInput {
        option: f.option,
        owner_user_id: None,
        owner: opt(&f.owner),
        due_on: opt(&f.due_on),
        controls: f
            .controls
            .split([' ', ',', '、', '\n'])
            .map(str::to_string)
            .collect(),
        note: f.note,
        expires_on: opt(&f.expires_on),
        revision: f.revision.trim().parse().ok(),
    };
    match state.app.set_treatment(&user, id, &input).await {
        Ok(t) => {
            let tt = T { lang };
            flash(
                &session,
                match t.state.as_str() {
                    "pending" => tt
                        .pick(
                            "受容の承認を依頼しました",
                            "approval of the acceptance requested",
                        )
                        .to_string(),
                    _ => tt.pick("対応を保存しました", "treatment saved").to_string(),
                },
            )
            .await;
        }
        Err(e) => {
            // Refused as entered (not stale): the form comes back with it.
            if e.class() != mamori_core::problem::Class::Conflict {
                super::refill::keep(&session, &format!("/risks/{id}"), &typed).await;
            }
            refused(&session, lang, e).await?
        }
    }
    Ok(Redirect::to(&format!("/risks/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

pub async fn approve(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &f.csrf).await?;
    match state.app.approve_acceptance(&user, id).await {
        Ok(_) => {
            flash(
                &session,
                T { lang }
                    .pick("リスク受容を承認しました", "risk acceptance approved")
                    .to_string(),
            )
            .await
        }
        Err(e) => refused(&session, lang, e).await?,
    }
    Ok(Redirect::to(&format!("/risks/{id}")).into_response())
}

pub async fn revoke(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &f.csrf).await?;
    match state.app.revoke_acceptance(&user, id, &f.reason).await {
        Ok(_) => {
            flash(
                &session,
                T { lang }
                    .pick("リスク受容を取り消しました", "risk acceptance revoked")
                    .to_string(),
            )
            .await
        }
        Err(e) => refused(&session, lang, e).await?,
    }
    Ok(Redirect::to(&format!("/risks/{id}")).into_response())
}

pub async fn recompute(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Form(f): Form<CsrfForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &f.csrf).await?;
    match state.app.start_risk_recompute(&user) {
        Ok(()) => {
            flash(
                &session,
                T { lang }
                    .pick("再計算を始めました", "recomputation started")
                    .to_string(),
            )
            .await
        }
        Err(e) => refused(&session, lang, e).await?,
    }
    Ok(Redirect::to("/risks").into_response())
}

#[derive(Deserialize)]
pub struct MatrixForm {
    csrf: String,
    code: String,
}

#[derive(Deserialize)]
pub struct MatrixText {
    csrf: String,
    #[serde(default)]
    toml: String,
}

/// Adds or changes one of the city's matrices, written as TOML in the shape
/// of catalogs/risk-matrices.toml (one matrix: code, name, approval_above,
/// likelihood, impact, bands). A text that does not parse is refused with
/// its line; a matrix with a gap or overlap with every bad field.
pub async fn save_matrix(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Form(f): Form<MatrixText>,
) -> AppResult<Response> {
    verify_csrf(&session, &f.csrf).await?;
    let t = T { lang };
    let matrix: Matrix = match toml::from_str(&f.toml) {
        Ok(m) => m,
        Err(e) => {
            flash_error(
                &session,
                format!(
                    "{}: {}",
                    t.pick("マトリクスを読めません", "cannot read the matrix"),
                    e.message()
                ) + &e
                    .span()
                    .map(|r| {
                        let line = f.toml[..r.start].matches('\n').count() + 1;
                        format!(" ({} {line})", t.pick("行", "line"))
                    })
                    .unwrap_or_default(),
            )
            .await;
            return Ok(Redirect::to("/risks#matrix-form").into_response());
        }
    };
    let known = state
        .app
        .risk_matrices(&user)
        .await?
        .iter()
        .any(|m| m.matrix.code == matrix.code);
    let saved = if known {
        state.app.update_risk_matrix(&user, &matrix).await
    } else {
        state.app.create_risk_matrix(&user, &matrix).await
    };
    match saved {
        Ok(()) => {
            flash(
                &session,
                t.pick("マトリクスを保存しました", "matrix saved")
                    .to_string(),
            )
            .await
        }
        Err(e) => refused(&session, lang, e).await?,
    }
    Ok(Redirect::to("/risks#matrix-form").into_response())
}

#[derive(Deserialize)]
pub struct ApproachForm {
    csrf: String,
    kind: String,
    approach: String,
}

/// Sets the approach of the guideline for one kind of asset: baseline
/// (controls only) or detailed analysis.
pub async fn set_approach(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Form(f): Form<ApproachForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &f.csrf).await?;
    match state
        .app
        .set_risk_approach(&user, &f.kind, &f.approach)
        .await
    {
        Ok(()) => {
            flash(
                &session,
                T { lang }
                    .pick(
                        "分析の方法を設定しました（再計算中）",
                        "approach set (recomputing)",
                    )
                    .to_string(),
            )
            .await
        }
        Err(e) => refused(&session, lang, e).await?,
    }
    Ok(Redirect::to("/risks#approach-form").into_response())
}

pub async fn activate_matrix(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Form(f): Form<MatrixForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &f.csrf).await?;
    match state.app.activate_risk_matrix(&user, &f.code).await {
        Ok(()) => {
            flash(
                &session,
                T { lang }
                    .pick(
                        "マトリクスを切り替えました（再計算中）",
                        "matrix switched (recomputing)",
                    )
                    .to_string(),
            )
            .await
        }
        Err(e) => refused(&session, lang, e).await?,
    }
    Ok(Redirect::to("/risks").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "asset_threats.html")]
pub struct AssetThreatsPage {
    chrome: Chrome,
    asset_id: i64,
    asset_name: String,
    threats: Vec<AssetThreat>,
    may_decide: bool,
    all_threats: Vec<(String, String)>,
}

impl AssetThreatsPage {
    fn status_label(&self, state: &Option<String>) -> String {
        status_words(&self.chrome.t, state)
    }
    fn scope_label(&self, scope: &str) -> String {
        scope_words(&self.chrome.t, scope)
    }
    /// The security office's decision in words.
    fn decision_label(&self, code: &str) -> String {
        match mamori_core::risk::ThreatDecision::parse(code) {
            Some(d) if self.chrome.t.lang == Lang::Ja => d.name_ja().to_string(),
            _ => code.to_string(),
        }
    }
}

pub async fn asset_threats(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<AssetThreatsPage> {
    let asset = state.app.asset(&user, id).await?;
    let threats = state.app.asset_threats(&user, id).await?;
    let t = T { lang };
    let all_threats = mamori_core::catalog::builtin()
        .map(|b| {
            b.threats
                .threats
                .iter()
                .map(|x| {
                    (
                        x.code.clone(),
                        format!("{} {}", x.code, t.pick(&x.name, &x.name_en)),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        &format!("/assets/{id}/threats"),
        "risks",
    )
    .await?;
    Ok(AssetThreatsPage {
        asset_id: id,
        asset_name: asset.record.name,
        threats,
        may_decide: state.app.may_app(&user, Action::ManageRisk),
        all_threats,
        chrome,
    })
}

#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    threat: String,
    decision: String,
    #[serde(default)]
    reason: String,
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
    match state
        .app
        .decide_threat(&user, "asset", id, &f.threat, &f.decision, &f.reason)
        .await
    {
        Ok(_) => {
            flash(
                &session,
                T { lang }
                    .pick(
                        "判断を記録しました（再計算中）",
                        "decision recorded (recomputing)",
                    )
                    .to_string(),
            )
            .await
        }
        Err(e) => refused(&session, lang, e).await?,
    }
    Ok(Redirect::to(&format!("/assets/{id}/threats")).into_response())
}
