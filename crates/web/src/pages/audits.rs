//! Pages of audits and self-inspections (第10): the audits index (the
//! questionnaires a person has to answer, the campaigns, the checklists),
//! checklist templates and their items, opening a campaign, its progress per
//! unit with reminders, a unit's questionnaire (answered in the browser or by
//! the .xlsx sheet, submitted, returned), and the results with their charts
//! drawn as SVG on the server. Every decision is the operation's.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mamori_app::audits::{
    AnswerForm, ChecklistForm, ChecklistView, InspectionForm, InspectionView, ItemForm,
    OpenQuestionnaire, QuestionnaireView, ResultsView,
};
use mamori_core::audit::{Answer, Method, TargetState, parse_answers, percent};
use mamori_store::audits::{ChecklistItem, ChecklistRow, InspectionRow, ScoreRow};
use mamori_store::controls::EvidenceRow;
use serde::Deserialize;
use tower_sessions::Session;

use super::{Chrome, Pager, Paging, flash, flash_error, query_string};
use crate::auth::{PageUser, verify_csrf};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, T};
use crate::state::AppState;

const SECTION: &str = "audits";

/// A code with its word in the reader's language (for selects).
pub struct Choice {
    pub code: &'static str,
    pub word: String,
}

fn answer_word(t: &T, code: &str) -> String {
    match code.parse::<Answer>() {
        Ok(a) => t.pick(a.name_ja(), a.name_en()).to_string(),
        Err(_) => code.to_string(),
    }
}

fn method_word(t: &T, code: &str) -> String {
    match code.parse::<Method>() {
        Ok(m) => t.pick(m.name_ja(), m.name_en()).to_string(),
        Err(_) => code.to_string(),
    }
}

fn state_word(t: &T, code: &str) -> String {
    match code.parse::<TargetState>() {
        Ok(s) => t.pick(s.name_ja(), s.name_en()).to_string(),
        Err(_) => code.to_string(),
    }
}

fn score_text(points: i64, applicable: i64) -> String {
    match percent(points, applicable) {
        Some(p) => format!("{p:.1}%"),
        None => "—".to_string(),
    }
}

// ------------------------------------------------------------------ index

#[derive(Template, WebTemplate)]
#[template(path = "audits/index.html")]
pub struct IndexPage {
    chrome: Chrome,
    mine: Vec<OpenQuestionnaire>,
    inspections: Vec<InspectionRow>,
    pager: Option<Pager>,
    may_read: bool,
    may_manage: bool,
}

pub async fn index(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(page): Query<Paging>,
) -> AppResult<IndexPage> {
    let mine = state.app.my_questionnaires(&user).await?;
    let may_read = state.app.may_read_audit_results(&user);
    let (inspections, pager) = if may_read {
        let request = page.request();
        let found = state.app.inspection_list(&user, request).await?;
        let pager = Pager::new(&T { lang }, "/audits", request, found.total);
        (found.items, Some(pager))
    } else {
        (Vec::new(), None)
    };
    Ok(IndexPage {
        chrome: Chrome::new(&state, &session, lang, Some(&user), "/audits", SECTION).await?,
        mine,
        inspections,
        pager,
        may_read,
        may_manage: state.app.may_manage_audits(&user),
    })
}

// ------------------------------------------------------------- checklists

#[derive(Template, WebTemplate)]
#[template(path = "audits/checklists.html")]
pub struct ChecklistsPage {
    chrome: Chrome,
    checklists: Vec<ChecklistRow>,
    pager: Pager,
    may_manage: bool,
    /// (number, name)
    chapters: Vec<(i64, String)>,
}

pub async fn checklists(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(page): Query<Paging>,
) -> AppResult<ChecklistsPage> {
    let request = page.request();
    let found = state.app.checklist_list(&user, request).await?;
    let pager = Pager::new(&T { lang }, "/audits/checklists", request, found.total);
    let chapters = state
        .app
        .standard_chapters(&user)
        .await?
        .into_iter()
        .map(|c| (c.number, lang.pick(&c.name, &c.name_en).to_string()))
        .collect();
    Ok(ChecklistsPage {
        chrome: Chrome::new(
            &state,
            &session,
            lang,
            Some(&user),
            "/audits/checklists",
            SECTION,
        )
        .await?,
        checklists: found.items,
        pager,
        may_manage: state.app.may_manage_audits(&user),
        chapters,
    })
}

#[derive(Deserialize)]
pub struct ChecklistPost {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    mandatory: String,
}

pub async fn create_checklist(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let p = ChecklistPost {
        csrf: get("csrf"),
        name: get("name"),
        description: get("description"),
        mandatory: get("mandatory"),
    };
    verify_csrf(&session, &p.csrf).await?;
    let chapters = pairs
        .iter()
        .filter(|(n, _)| n == "chapter")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let form = ChecklistForm {
        name: p.name,
        description: p.description,
        source: match get("source").as_str() {
            "policy" => "policy".into(),
            _ => "controls".into(),
        },
        chapters,
        mandatory: !p.mandatory.is_empty(),
    };
    let made = state.app.create_checklist(&user, &form).await?;
    let from = if made.source == "policy" {
        "対策基準から / from the standards"
    } else {
        "対策カタログから / from the control catalogue"
    };
    flash(
        &session,
        format!("{} ({}) — {from}", made.name, made.item_count),
    )
    .await;
    Ok(Redirect::to(&format!("/audits/checklists/{}", made.id)).into_response())
}

/// An item as the checklist page shows it.
pub struct ItemLine {
    pub item: ChecklistItem,
    pub method: String,
    pub answers: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/checklist.html")]
pub struct ChecklistPage {
    chrome: Chrome,
    v: ChecklistView,
    items: Vec<ItemLine>,
    methods: Vec<Choice>,
    answers: Vec<Choice>,
}

fn choices(t: &T) -> (Vec<Choice>, Vec<Choice>) {
    (
        Method::ALL
            .iter()
            .map(|m| Choice {
                code: m.code(),
                word: t.pick(m.name_ja(), m.name_en()).to_string(),
            })
            .collect(),
        Answer::ALL
            .iter()
            .map(|a| Choice {
                code: a.code(),
                word: t.pick(a.name_ja(), a.name_en()).to_string(),
            })
            .collect(),
    )
}

pub async fn checklist(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<ChecklistPage> {
    let v = state.app.checklist_view(&user, id).await?;
    let t = T { lang };
    let items = v
        .items
        .iter()
        .map(|i| ItemLine {
            method: method_word(&t, &i.method),
            answers: parse_answers(&i.answers)
                .iter()
                .map(|a| t.pick(a.name_ja(), a.name_en()))
                .collect::<Vec<_>>()
                .join(" / "),
            item: i.clone(),
        })
        .collect();
    let (methods, answers) = choices(&t);
    let path = format!("/audits/checklists/{id}");
    Ok(ChecklistPage {
        chrome: Chrome::new(&state, &session, lang, Some(&user), &path, SECTION).await?,
        v,
        items,
        methods,
        answers,
    })
}

/// Saves one item (position 0: a new item at the end).
pub async fn save_item(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    verify_csrf(&session, &get("csrf")).await?;
    let revision = get("revision").parse().unwrap_or(0);
    let position = get("position").parse::<i64>().ok().filter(|p| *p > 0);
    let form = ItemForm {
        provision: get("provision"),
        question: get("question"),
        mandatory: !get("mandatory").is_empty(),
        evidence_hint: get("evidence_hint"),
        method: get("method"),
        answers: pairs
            .iter()
            .filter(|(n, _)| n == "answers")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    state
        .app
        .save_checklist_item(&user, id, revision, position, &form)
        .await?;
    Ok(Redirect::to(&format!("/audits/checklists/{id}")).into_response())
}

// -------------------------------------------------------------- campaigns

#[derive(Template, WebTemplate)]
#[template(path = "audits/inspection_form.html")]
pub struct InspectionFormPage {
    chrome: Chrome,
    checklists: Vec<ChecklistRow>,
    /// (id, code and name)
    units: Vec<(i64, String)>,
    systems: Vec<(i64, String)>,
}

pub async fn new_inspection(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<InspectionFormPage> {
    state
        .app
        .ensure_may_app(&user, mamori_authz::Action::ManageAudits)?;
    let checklists = state
        .app
        .checklist_list(&user, mamori_store::PageRequest::new(Some(1), Some(500)))
        .await?
        .items;
    let units = state
        .app
        .unit_choices(&user)
        .await?
        .into_iter()
        .map(|u| (u.id, format!("{} {}", u.code, u.name)))
        .collect();
    let systems = state
        .app
        .system_list(
            &user,
            &Default::default(),
            mamori_store::PageRequest::new(Some(1), Some(500)),
        )
        .await?
        .items
        .into_iter()
        .map(|l| (l.system.id, format!("{} {}", l.system.code, l.system.name)))
        .collect();
    Ok(InspectionFormPage {
        chrome: Chrome::new(&state, &session, lang, Some(&user), "/audits/new", SECTION).await?,
        checklists,
        units,
        systems,
    })
}

pub async fn open_inspection(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    verify_csrf(&session, &get("csrf")).await?;
    let kind = get("target_kind");
    let key = if kind == "system" { "system" } else { "unit" };
    let form = InspectionForm {
        title: get("title"),
        checklist_id: get("checklist_id").parse().unwrap_or(0),
        target_kind: kind.clone(),
        target_ids: pairs
            .iter()
            .filter(|(n, _)| n == key)
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
        deadline: get("deadline"),
    };
    let made = state.app.open_inspection(&user, &form).await?;
    flash(&session, made.title.clone()).await;
    Ok(Redirect::to(&format!("/audits/inspections/{}", made.id)).into_response())
}

/// A questionnaire's line on the progress page.
pub struct ProgressLine {
    pub unit: i64,
    pub name: String,
    pub state: String,
    pub state_code: String,
    pub answered: i64,
    pub score: String,
    pub reminders: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/inspection.html")]
pub struct InspectionPage {
    chrome: Chrome,
    v: InspectionView,
    lines: Vec<ProgressLine>,
    pager: Pager,
    state: String,
    states: Vec<Choice>,
    /// The completion bar: (state word, count, x, width) over 600 px.
    bar: Vec<(String, i64, i64, i64, &'static str)>,
}

#[derive(Deserialize)]
pub struct ProgressQuery {
    #[serde(default)]
    state: String,
    #[serde(flatten)]
    page: Paging,
}

pub async fn inspection(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<ProgressQuery>,
) -> AppResult<InspectionPage> {
    let t = T { lang };
    let filter = q.state.parse::<TargetState>().ok();
    let request = q.page.request();
    let v = state
        .app
        .inspection_view(&user, id, filter, request)
        .await?;
    let path = format!("/audits/inspections/{id}");
    let base = query_string(&path, &[("state", &q.state)]);
    let pager = Pager::new(&t, &base, request, v.targets.total);
    let lines = v
        .targets
        .items
        .iter()
        .map(|r| ProgressLine {
            unit: r.key(),
            name: format!("{} {}", r.target_code, r.target_name),
            state: state_word(&t, &r.state),
            state_code: r.state.clone(),
            answered: r.answered,
            score: score_text(r.points, r.applicable),
            reminders: r.reminders,
        })
        .collect();
    let n = &v.inspection;
    let not_started = n.targets - n.submitted - n.in_progress;
    let mut bar = Vec::new();
    let mut x = 0;
    for (s, count, colour) in [
        (TargetState::Submitted, n.submitted, "#2e7d32"),
        (TargetState::InProgress, n.in_progress, "#f9a825"),
        (TargetState::NotStarted, not_started, "#bdbdbd"),
    ] {
        let w = if n.targets > 0 {
            count * 600 / n.targets
        } else {
            0
        };
        bar.push((state_word(&t, s.code()), count, x, w, colour));
        x += w;
    }
    let states = TargetState::ALL
        .iter()
        .map(|s| Choice {
            code: s.code(),
            word: t.pick(s.name_ja(), s.name_en()).to_string(),
        })
        .collect();
    Ok(InspectionPage {
        chrome: Chrome::new(&state, &session, lang, Some(&user), &base, SECTION).await?,
        v,
        lines,
        pager,
        state: q.state,
        states,
        bar,
    })
}

#[derive(Deserialize)]
pub struct CsrfPost {
    csrf: String,
    #[serde(default)]
    note: String,
}

pub async fn remind(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(p): Form<CsrfPost>,
) -> AppResult<Response> {
    verify_csrf(&session, &p.csrf).await?;
    let n = state.app.remind_inspection(&user, id).await?;
    flash(
        &session,
        match lang {
            Lang::En => format!("{n} units reminded"),
            _ => format!("{n} 件に督促しました"),
        },
    )
    .await;
    Ok(Redirect::to(&format!("/audits/inspections/{id}")).into_response())
}

/// One bar of a chart: its label, score text and length (of 400 px), and
/// its vertical place.
pub struct Bar {
    pub label: String,
    pub score: String,
    pub width: i64,
    pub y: i64,
    pub previous: Option<(String, i64)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/results.html")]
pub struct ResultsPage {
    chrome: Chrome,
    v: ResultsView,
    score: String,
    previous_score: Option<String>,
    chapters: Vec<Bar>,
    height: i64,
    weakest: Vec<(String, String, i64)>,
    print: bool,
    // --- h14 ---
    figures: mamori_app::audit_reports::CampaignFigures,
    trend_chart: super::charts::BarChart,
}

#[derive(Deserialize)]
pub struct PrintQuery {
    #[serde(default)]
    print: String,
}

fn bars(t: &T, rows: &[ScoreRow], previous: &[ScoreRow]) -> Vec<Bar> {
    let before: HashMap<i64, &ScoreRow> = previous.iter().map(|r| (r.key, r)).collect();
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let pct = percent(r.points, r.applicable).unwrap_or(0.0);
            Bar {
                label: if r.key == 0 {
                    t.pick("（章なし）", "(no chapter)").to_string()
                } else {
                    format!("{} {}", r.key, r.label)
                },
                score: score_text(r.points, r.applicable),
                width: (pct * 4.0).round() as i64,
                y: i as i64 * 28,
                previous: before.get(&r.key).map(|p| {
                    let pp = percent(p.points, p.applicable).unwrap_or(0.0);
                    (
                        score_text(p.points, p.applicable),
                        (pp * 4.0).round() as i64,
                    )
                }),
            }
        })
        .collect()
}

pub async fn results(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<PrintQuery>,
) -> AppResult<ResultsPage> {
    let t = T { lang };
    let v = state.app.inspection_results(&user, id).await?;
    let empty = Vec::new();
    let chapters = bars(
        &t,
        &v.chapters,
        v.previous.as_ref().map(|p| &p.2).unwrap_or(&empty),
    );
    let weakest = v
        .weakest
        .iter()
        .map(|r| {
            (
                r.label.clone(),
                score_text(r.points, r.applicable),
                r.not_done,
            )
        })
        .collect();
    let path = format!("/audits/inspections/{id}/results");
    let figures = mamori_app::audit_reports::CampaignFigures::of(&v);
    Ok(ResultsPage {
        trend_chart: super::audit_reports::trend_chart(&t, &figures),
        figures,
        chrome: Chrome::new(&state, &session, lang, Some(&user), &path, SECTION).await?,
        score: score_text(v.totals.points, v.totals.applicable),
        previous_score: v
            .previous
            .as_ref()
            .map(|p| score_text(p.1.points, p.1.applicable)),
        height: chapters.len() as i64 * 28 + 10,
        chapters,
        weakest,
        print: !q.print.is_empty(),
        v,
    })
}

// ---------------------------------------------------------- questionnaire

/// An item of the questionnaire with its saved answer.
pub struct QuestionLine {
    pub item: ChecklistItem,
    pub method: String,
    /// (code, word, selected)
    pub options: Vec<(&'static str, String, bool)>,
    pub answer: String,
    pub comment: String,
    /// The evidence attached to this item's answer.
    pub evidence: Vec<EvidenceRow>,
    /// After a refused save (someone else saved first): what is stored, where
    /// it differs from what the person had entered (which the form shows).
    pub stored: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/questionnaire.html")]
pub struct QuestionnairePage {
    chrome: Chrome,
    v: QuestionnaireView,
    unit: i64,
    lines: Vec<QuestionLine>,
    state: String,
    score: String,
    limit_mib: u64,
}

pub async fn questionnaire(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((id, unit)): Path<(i64, i64)>,
) -> AppResult<QuestionnairePage> {
    let t = T { lang };
    let v = state.app.questionnaire(&user, id, unit).await?;
    let path = format!("/audits/inspections/{id}/units/{unit}");
    let chrome = Chrome::new(&state, &session, lang, Some(&user), &path, SECTION).await?;
    // What the person had entered when their save was refused.
    let entered = chrome.refill.form(ANSWERS_FORM);
    let lines = v
        .items
        .iter()
        .map(|i| {
            let saved = v.answers.get(&i.id);
            let current = saved.map(|a| a.answer.clone()).unwrap_or_default();
            let stored_comment = saved.map(|a| a.comment.clone()).unwrap_or_default();
            let (shown, comment) = if entered.kept() {
                (
                    entered.value(&format!("a_{}", i.id)).to_string(),
                    entered.value(&format!("c_{}", i.id)).to_string(),
                )
            } else {
                (current.clone(), stored_comment.clone())
            };
            let word = |code: &str| {
                if code.is_empty() {
                    t.pick("未回答", "not answered").to_string()
                } else {
                    answer_word(&t, code)
                }
            };
            let stored = (shown != current || comment != stored_comment).then(|| {
                let mut s = format!("{}: {}", t.pick("保存済み", "Saved"), word(&current));
                if !stored_comment.is_empty() {
                    s.push_str(&format!("（{stored_comment}）"));
                }
                s
            });
            QuestionLine {
                method: method_word(&t, &i.method),
                options: parse_answers(&i.answers)
                    .iter()
                    .map(|a| {
                        (
                            a.code(),
                            t.pick(a.name_ja(), a.name_en()).to_string(),
                            a.code() == shown,
                        )
                    })
                    .collect(),
                answer: if current.is_empty() {
                    String::new()
                } else {
                    answer_word(&t, &current)
                },
                stored,
                comment,
                evidence: v
                    .evidence
                    .iter()
                    .filter(|e| e.item_id == i.id)
                    .map(|e| e.evidence.clone())
                    .collect(),
                item: i.clone(),
            }
        })
        .collect();
    Ok(QuestionnairePage {
        chrome,
        state: state_word(&t, &v.target.state),
        score: score_text(v.target.points, v.target.applicable),
        unit,
        lines,
        v,
        limit_mib: state.app.evidence_limit() / 1024 / 1024,
    })
}

/// Attaches a file or a link to an item's answer (multipart: csrf, item,
/// file, url, note).
pub async fn attach_evidence(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((id, unit)): Path<(i64, i64)>,
    form: Multipart,
) -> AppResult<Response> {
    let f = super::controls::evidence_form(&session, form).await?;
    let item_id = f.item()?;
    let row = state
        .app
        .attach_answer_evidence(&user, id, unit, item_id, f.upload, &f.note)
        .await?;
    super::controls::evidence_flash(&session, lang, &row).await;
    Ok(Redirect::to(&format!(
        "/audits/inspections/{id}/units/{unit}#evidence-{item_id}"
    ))
    .into_response())
}

/// Saves the answers entered (`a_<item id>`, `c_<item id>`), then submits
/// them when the submit button was pressed.
pub async fn save_answers(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((id, unit)): Path<(i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    verify_csrf(&session, &get("csrf")).await?;
    let mut revision: i64 = get("revision").parse().unwrap_or(0);
    let comments: HashMap<&str, &str> = pairs
        .iter()
        .filter_map(|(n, v)| n.strip_prefix("c_").map(|k| (k, v.as_str())))
        .collect();
    let forms: Vec<AnswerForm> = pairs
        .iter()
        .filter_map(|(n, v)| {
            let key = n.strip_prefix("a_")?;
            let item_id = key.parse().ok()?;
            (!v.trim().is_empty()).then(|| AnswerForm {
                item_id,
                answer: v.clone(),
                comment: comments.get(key).map(|c| c.to_string()).unwrap_or_default(),
            })
        })
        .collect();
    let back = format!("/audits/inspections/{id}/units/{unit}");
    if !forms.is_empty() {
        match state
            .app
            .save_answers(&user, id, unit, revision, &forms)
            .await
        {
            Ok(saved) => revision = saved.revision,
            Err(e) => return answers_refused(&session, lang, e, &pairs, &back).await,
        }
    }
    if get("action") == "submit" {
        state.app.submit_answers(&user, id, unit, revision).await?;
        flash(&session, lang.pick("提出しました", "Submitted")).await;
    } else {
        flash(&session, lang.pick("保存しました", "Saved")).await;
    }
    Ok(Redirect::to(&back).into_response())
}

/// The form of the questionnaire's answers (see [`super::refill`]).
const ANSWERS_FORM: &str = "answers";

/// A save of answers refused: the reason, and every answer and comment as
/// entered kept for the questionnaire — also when someone else saved first,
/// so that a long questionnaire is never lost: the page then shows what was
/// entered with what is stored beside each item that differs, to review
/// before saving again.
async fn answers_refused(
    session: &Session,
    lang: Lang,
    e: mamori_app::Error,
    pairs: &[(String, String)],
    back: &str,
) -> AppResult<Response> {
    use mamori_core::problem::Class;
    let class = e.class();
    if !matches!(class, Class::Invalid | Class::Conflict | Class::Forbidden) {
        return Err(e.into());
    }
    super::refill::keep_form(session, back, ANSWERS_FORM, pairs).await;
    // Someone saved first: the page's own advice replaces the problem's
    // (which says to reopen and enter again).
    let mut message = super::risk::words_advising(&e, lang, class != Class::Conflict);
    if class == Class::Conflict {
        message.push(' ');
        message.push_str(lang.pick(
            "あなたの入力は下に残しています。「保存済み」と異なる項目を確かめてから、もう一度保存してください。",
            "What you entered is kept below: check the items marked Saved, then save again.",
        ));
    }
    flash_error(session, message).await;
    Ok(Redirect::to(back).into_response())
}

pub async fn return_answers(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((id, unit)): Path<(i64, i64)>,
    Form(p): Form<CsrfPost>,
) -> AppResult<Response> {
    verify_csrf(&session, &p.csrf).await?;
    state.app.return_answers(&user, id, unit, &p.note).await?;
    flash(
        &session,
        lang.pick("差し戻しました", "Returned for correction"),
    )
    .await;
    Ok(Redirect::to(&format!("/audits/inspections/{id}/units/{unit}")).into_response())
}

pub async fn questionnaire_xlsx(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((id, unit)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (bytes, name) = state.app.questionnaire_workbook(&user, id, unit).await?;
    Ok(crate::api::file_response(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "questionnaire.xlsx",
        &name,
    ))
}

/// Reads a filled-in questionnaire back (multipart: csrf, file).
pub async fn upload_questionnaire(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((id, unit)): Path<(i64, i64)>,
    mut form: Multipart,
) -> AppResult<Response> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::bad_request(format!("フォームを読めません / cannot read the form: {e}"))
    };
    let (mut csrf, mut bytes) = (String::new(), Vec::new());
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        let data = field.bytes().await.map_err(bad)?;
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&data).to_string(),
            "file" => bytes = data.to_vec(),
            _ => {}
        }
    }
    verify_csrf(&session, &csrf).await?;
    let saved = state
        .app
        .upload_questionnaire(&user, id, unit, &bytes)
        .await?;
    flash(
        &session,
        match lang {
            Lang::En => format!("answers taken from the sheet ({} answered)", saved.answered),
            _ => format!("回答票から取り込みました（回答 {} 件）", saved.answered),
        },
    )
    .await;
    Ok(Redirect::to(&format!("/audits/inspections/{id}/units/{unit}")).into_response())
}
