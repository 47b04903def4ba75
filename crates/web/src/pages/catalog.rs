//! The catalogues: threats of 第7, controls of 第8 under the 対策基準 chapters, and
//! the classification schemes with their levels and handling rules.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Redirect;
use mamori_authz::Action;
use mamori_core::catalog::{Axis, HandlingTopic, Scheme};
use mamori_store::catalogs::{
    ChapterRow, ControlCategoryRow, ControlFilter, ThreatCategoryRow, ThreatFilter,
};
use serde::Deserialize;
use std::collections::HashMap;
use tower_sessions::Session;

use super::{Chrome, Pager, Paging, flash, query_string};
use crate::auth::{PageUser, verify_csrf};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, T};
use crate::state::AppState;

pub struct ThreatLine {
    pub code: String,
    pub category_name: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub description_en: String,
    pub generic: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "threats.html")]
pub struct ThreatsPage {
    chrome: Chrome,
    categories: Vec<ThreatCategoryRow>,
    selected: String,
    threats: Vec<ThreatLine>,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct ThreatQuery {
    category: Option<String>,
    #[serde(flatten)]
    page: Paging,
}

pub async fn threats(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<ThreatQuery>,
) -> AppResult<ThreatsPage> {
    let categories = state.app.threat_categories(&user).await?;
    let selected = q.category.clone().unwrap_or_default();
    if !selected.is_empty() && !categories.iter().any(|c| c.code == selected) {
        return Err(AppError::bad_request(format!(
            "脅威の分類 '{selected}' はありません / no threat category '{selected}'"
        )));
    }
    let names: HashMap<&str, &str> = categories
        .iter()
        .map(|c| (c.code.as_str(), lang.pick(&c.name, &c.name_en)))
        .collect();
    let request = q.page.request();
    let page = state
        .app
        .threats(
            &user,
            &ThreatFilter {
                category: q.category.clone(),
            },
            request,
        )
        .await?;
    let threats = page
        .items
        .into_iter()
        .map(|t| ThreatLine {
            category_name: names
                .get(t.category.as_str())
                .copied()
                .unwrap_or_default()
                .to_string(),
            code: t.code,
            name: t.name,
            name_en: t.name_en,
            description: t.description,
            description_en: t.description_en,
            generic: t.generic,
        })
        .collect();
    let base = query_string("/threats", &[("category", &selected)]);
    let t = T { lang };
    let pager = Pager::new(&t, &base, request, page.total);
    let chrome = Chrome::new(&state, &session, lang, Some(&user), &base, "threats").await?;
    Ok(ThreatsPage {
        chrome,
        categories,
        selected,
        threats,
        pager,
    })
}

pub struct ControlLine {
    pub code: String,
    pub category_name: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub threats: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "controls.html")]
pub struct ControlsPage {
    chrome: Chrome,
    categories: Vec<ControlCategoryRow>,
    chapters: Vec<ChapterRow>,
    selected_category: String,
    selected_chapter: i64,
    controls: Vec<ControlLine>,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct ControlQuery {
    category: Option<String>,
    chapter: Option<String>,
    #[serde(flatten)]
    page: Paging,
}

pub async fn controls(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<ControlQuery>,
) -> AppResult<ControlsPage> {
    let categories = state.app.control_categories(&user).await?;
    let chapters = state.app.standard_chapters(&user).await?;
    let selected_category = q
        .category
        .clone()
        .filter(|c| !c.is_empty())
        .unwrap_or_default();
    let chapter = match q.chapter.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(c.parse::<i64>().map_err(|_| {
            AppError::bad_request(format!(
                "章 '{c}' は番号ではありません / chapter '{c}' is not a number"
            ))
        })?),
        None => None,
    };
    let names: HashMap<&str, &str> = categories
        .iter()
        .map(|c| (c.code.as_str(), lang.pick(&c.name, &c.name_en)))
        .collect();
    let request = q.page.request();
    let filter = ControlFilter {
        category: (!selected_category.is_empty()).then(|| selected_category.clone()),
        chapter,
        threat: None,
    };
    let page = state.app.controls(&user, &filter, request).await?;
    let controls = page
        .items
        .into_iter()
        .map(|c| ControlLine {
            category_name: names
                .get(c.category.as_str())
                .copied()
                .unwrap_or_default()
                .to_string(),
            code: c.code,
            name: c.name,
            name_en: c.name_en,
            description: c.description,
            threats: c.threats,
        })
        .collect();
    let chapter_s = chapter.map(|c| c.to_string()).unwrap_or_default();
    let base = query_string(
        "/controls",
        &[("category", &selected_category), ("chapter", &chapter_s)],
    );
    let pager = Pager::new(&T { lang }, &base, request, page.total);
    let chrome = Chrome::new(&state, &session, lang, Some(&user), &base, "controls").await?;
    Ok(ControlsPage {
        chrome,
        categories,
        chapters,
        selected_category,
        selected_chapter: chapter.unwrap_or(0),
        controls,
        pager,
    })
}

pub struct LevelView {
    pub name: String,
    pub name_en: String,
    pub question: String,
    pub description: String,
    pub examples: String,
    pub handling: Vec<(String, String)>,
}

pub struct SchemeView {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub description_en: String,
    pub active: bool,
    pub levels: Vec<LevelView>,
    pub checks: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "classification.html")]
pub struct ClassificationPage {
    chrome: Chrome,
    schemes: Vec<SchemeView>,
    can_manage: bool,
    /// Whether a change that only raises levels takes effect at once.
    raise_immediate: bool,
}

fn scheme_view(s: Scheme, active: &str, lang: Lang) -> SchemeView {
    let mut levels = Vec::new();
    for axis in Axis::ALL {
        for l in s.levels.iter().filter(|l| l.axis == axis) {
            let handling_src = if lang.is_en() && l.handling_en != Default::default() {
                &l.handling_en
            } else {
                &l.handling
            };
            let handling = HandlingTopic::ALL
                .iter()
                .filter_map(|topic| {
                    handling_src.get(*topic).map(|rule| {
                        (
                            lang.pick(topic.name_ja(), topic.name_en()).to_string(),
                            rule.to_string(),
                        )
                    })
                })
                .collect();
            let examples = if lang.is_en() && !l.examples_en.is_empty() {
                &l.examples_en
            } else {
                &l.examples
            };
            levels.push(LevelView {
                name: l.name.clone(),
                name_en: l.name_en.clone(),
                question: lang.pick(&l.question, &l.question_en).to_string(),
                description: lang.pick(&l.description, &l.description_en).to_string(),
                examples: examples.join("、"),
                handling,
            });
        }
    }
    SchemeView {
        active: s.code == active,
        checks: s
            .checks
            .iter()
            .map(|c| lang.pick(&c.message, &c.message_en).to_string())
            .collect(),
        code: s.code,
        name: s.name,
        name_en: s.name_en,
        description: s.description,
        description_en: s.description_en,
        levels,
    }
}

pub async fn classification(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<ClassificationPage> {
    let active = state.app.active_scheme(&user).await?.code;
    let schemes = state
        .app
        .classification_schemes(&user)
        .await?
        .into_iter()
        .map(|s| scheme_view(s, &active, lang))
        .collect();
    let can_manage = state.app.may_app(&user, Action::ManageCatalog);
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/classification",
        "classification",
    )
    .await?;
    Ok(ClassificationPage {
        chrome,
        schemes,
        can_manage,
        raise_immediate: state.app.raise_is_immediate().await?,
    })
}

#[derive(Deserialize)]
pub struct RaiseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    raise_immediate: String,
}

/// `POST /classification/raise`: whether staff's raises take effect at once.
pub async fn set_raise(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Form(form): Form<RaiseForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    state
        .app
        .set_raise_immediate(&user, form.raise_immediate == "1")
        .await?;
    flash(
        &session,
        T { lang }.pick("設定を保存しました。", "Setting saved."),
    )
    .await;
    Ok(Redirect::to("/classification"))
}

#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    csrf: String,
    scheme: String,
    /// `yes` from the confirmation page; without it nothing is switched.
    #[serde(default)]
    confirm: String,
}

/// The scheme's display name in the reader's language.
fn scheme_name(s: &Scheme, lang: Lang) -> String {
    lang.pick(&s.name, &s.name_en).to_string()
}

/// `POST /classification/active`: switches the scheme in force, once
/// confirmed on the confirmation page (a post without the confirmation is
/// sent there, nothing switched).
pub async fn set_active(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Form(form): Form<ActiveForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    let (scheme, ..) = state.app.preview_active_scheme(&user, &form.scheme).await?;
    if form.confirm != "yes" {
        return Ok(Redirect::to(&query_string(
            "/classification/confirm",
            &[("scheme", form.scheme.as_str())],
        )));
    }
    // The register's flags follow the scheme now in force.
    state.app.set_active_scheme(&user, &scheme.code).await?;
    let flagged = state
        .app
        .preview_active_scheme(&user, &scheme.code)
        .await?
        .1;
    let t = T { lang };
    flash(
        &session,
        match lang {
            Lang::Ja => format!(
                "使用する格付け基準を「{}」に変更しました。見直しが必要な資産は{}件です。",
                scheme_name(&scheme, lang),
                flagged
            ),
            Lang::En => format!(
                "{}: {}. Assets to review: {}.",
                t.get("classification.changed"),
                scheme_name(&scheme, lang),
                flagged
            ),
        },
    )
    .await;
    Ok(Redirect::to("/classification"))
}

#[derive(Deserialize)]
pub struct ConfirmQuery {
    #[serde(default)]
    scheme: String,
}

/// The confirmation before switching the scheme in force.
#[derive(Template, WebTemplate)]
#[template(path = "classification_confirm.html")]
pub struct ConfirmPage {
    chrome: Chrome,
    code: String,
    name: String,
    current: String,
    flagged: i64,
    total: i64,
}

/// `GET /classification/confirm?scheme=…`: what switching would do (the
/// scheme's name, how many assets would be flagged for review), and the
/// button that does it.
pub async fn confirm_active(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<ConfirmQuery>,
) -> AppResult<ConfirmPage> {
    let (scheme, flagged, total) = state.app.preview_active_scheme(&user, &q.scheme).await?;
    let current = state.app.active_scheme(&user).await?;
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/classification",
        "classification",
    )
    .await?;
    Ok(ConfirmPage {
        chrome,
        name: scheme_name(&scheme, lang),
        code: scheme.code,
        current: scheme_name(&current, lang),
        flagged,
        total,
    })
}
