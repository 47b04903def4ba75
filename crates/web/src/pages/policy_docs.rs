//! Policy documents kept as versions (第9, 附則): the list (with search,
//! creation and import), a document's versions, a version read with its table
//! of contents (and, for a draft, clause-by-clause editing, review comments and
//! approval), and the 新旧対照表 as a page and an A4 print view.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mamori_app::policy_docs::{
    ApprovalInput, ComparisonFile, DocumentInput, ImportInput, LinkName, PolicyFile,
};
use mamori_core::policy_doc::compare::{Change, Row, Span, rows};
use mamori_core::policy_doc::coverage::Coverage;
use mamori_core::policy_doc::parse::Format;
use mamori_core::policy_doc::{Flat, Kind, Level, Readership, State as VState};
use mamori_store::policy_docs::{CommentRow, DocumentRow, SearchHit, VersionRow};
use serde::Deserialize;
use tower_sessions::Session;

use super::risk::words;
use super::{Chrome, DatePair, Pager, Paging, flash, flash_error, query_string};
use crate::auth::{Authed, PageUser, verify_csrf};
use crate::error::AppResult;
use crate::i18n::{Lang, T};
use crate::state::AppState;

/// Flashes a refusal the reader can act on (invalid, conflict, forbidden); other
/// errors are the error page.
async fn refused(session: &Session, lang: Lang, e: mamori_app::Error) -> AppResult<()> {
    use mamori_core::problem::Class;
    match e.class() {
        Class::Invalid | Class::Conflict | Class::Forbidden => {
            flash_error(session, words(&e, lang)).await;
            Ok(())
        }
        _ => Err(e.into()),
    }
}

fn level_name(t: &T, level: &str) -> String {
    Level::parse(level)
        .map(|l| t.pick(l.name_ja(), l.name_en()).to_string())
        .unwrap_or_else(|| level.to_string())
}

fn state_name(t: &T, state: &str) -> String {
    VState::parse(state)
        .map(|s| t.pick(s.name_ja(), s.name_en()).to_string())
        .unwrap_or_else(|| state.to_string())
}

fn date(iso: &Option<String>, lang: Lang) -> String {
    match iso {
        Some(d) => {
            let p = DatePair::from_iso(d, lang);
            format!("{}（{}）", p.wareki, p.western)
        }
        None => String::new(),
    }
}

/// A document as listed.
pub struct DocLine {
    pub code: String,
    pub level: String,
    pub title: String,
    pub readership: String,
}

fn doc_line(t: &T, d: &DocumentRow) -> DocLine {
    DocLine {
        code: d.code.clone(),
        level: level_name(t, &d.level),
        title: d.title.clone(),
        readership: Readership::parse(&d.readership)
            .map(|r| t.pick(r.name_ja(), r.name_en()).to_string())
            .unwrap_or_default(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "policy_docs/index.html")]
pub struct IndexPage {
    chrome: Chrome,
    documents: Vec<DocLine>,
    pager: Pager,
    may_create: bool,
    units: Vec<(i64, String)>,
    q: String,
    hits: Vec<SearchHit>,
}

#[derive(Deserialize)]
pub struct IndexQuery {
    #[serde(default)]
    q: String,
    #[serde(flatten)]
    page: Paging,
}

pub async fn index(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<IndexQuery>,
) -> AppResult<IndexPage> {
    let t = T { lang };
    let request = q.page.request();
    let page = state.app.policy_doc_list(&user, request).await?;
    let hits = state
        .app
        .policy_doc_search(
            &user,
            &q.q,
            mamori_store::PageRequest::new(Some(1), Some(100)),
        )
        .await?
        .items;
    let base = query_string("/policy-documents", &[("q", &q.q)]);
    Ok(IndexPage {
        pager: Pager::new(&t, &base, request, page.total),
        documents: page.items.iter().map(|d| doc_line(&t, d)).collect(),
        may_create: state.app.may_create_policy_doc(&user),
        units: if state.app.may_create_policy_doc(&user) {
            super::assets::unit_choices(&state, lang).await?
        } else {
            Vec::new()
        },
        chrome: Chrome::new(&state, &session, lang, Some(&user), &base, "policy_docs").await?,
        q: q.q,
        hits,
    })
}

#[derive(Deserialize)]
pub struct CreateForm {
    csrf: String,
    code: String,
    level: String,
    title: String,
    #[serde(default)]
    readership: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    needs_acknowledgement: Option<String>,
}

/// Creates a document.
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Form(form): Form<CreateForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    let input = DocumentInput {
        code: form.code,
        level: form.level,
        title: form.title,
        unit_id: form.unit_id.trim().parse().ok(),
        system_id: None,
        readership: form.readership,
        needs_acknowledgement: form.needs_acknowledgement.is_some(),
    };
    match state.app.create_policy_doc(&user, &input).await {
        Ok(d) => {
            flash(
                &session,
                T { lang }.pick("文書を作成しました", "document created"),
            )
            .await;
            Ok(Redirect::to(&format!("/policy-documents/{}", d.code)).into_response())
        }
        Err(e) => {
            refused(&session, lang, e).await?;
            Ok(Redirect::to("/policy-documents").into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct ImportForm {
    csrf: String,
    code: String,
    level: String,
    #[serde(default)]
    title: String,
    format: String,
    text: String,
}

/// Imports pasted text (例規集 layout or Markdown) as a new draft.
pub async fn import(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Form(form): Form<ImportForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    let format = Format::parse(&form.format).unwrap_or(Format::Reiki);
    let input = ImportInput {
        code: form.code.trim().to_string(),
        level: form.level,
        title: Some(form.title).filter(|t| !t.trim().is_empty()),
        format,
        text: form.text,
    };
    let done = state.app.import_policy_doc(&user, &input).await;
    drafted(&session, lang, done).await
}

/// Where an import or a generated draft leads: to the new draft, with what was
/// written; or back to the list, with why nothing was.
async fn drafted(
    session: &Session,
    lang: Lang,
    done: Result<mamori_app::policy_docs::Imported, mamori_app::Error>,
) -> AppResult<Response> {
    match done {
        Ok(done) => {
            let message = match lang {
                Lang::Ja => format!(
                    "第{}版（案）を作成しました（条 {}、条項 {}）",
                    done.version.number, done.articles, done.provisions
                ),
                Lang::En => format!(
                    "version {} drafted: {} articles, {} provisions",
                    done.version.number, done.articles, done.provisions
                ),
            };
            flash(session, message).await;
            Ok(Redirect::to(&format!(
                "/policy-documents/{}/versions/{}",
                done.document.code, done.version.number
            ))
            .into_response())
        }
        Err(e) => {
            refused(session, lang, e).await?;
            Ok(Redirect::to("/policy-documents").into_response())
        }
    }
}

/// A version as listed.
pub struct VersionLine {
    pub number: i64,
    pub state: String,
    pub in_force: bool,
    pub effective: String,
    pub approved_by: String,
    pub decision: String,
}

fn version_line(t: &T, v: &VersionRow) -> VersionLine {
    VersionLine {
        number: v.number,
        state: state_name(t, &v.state),
        in_force: v.state() == VState::InForce,
        effective: date(&v.effective_on, t.lang),
        approved_by: v.approved_by_name.clone().unwrap_or_default(),
        decision: [
            v.approval_body.clone().unwrap_or_default(),
            v.decision_number.clone().unwrap_or_default(),
        ]
        .join(" ")
        .trim()
        .to_string(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "policy_docs/document.html")]
pub struct DocumentPage {
    chrome: Chrome,
    doc: DocLine,
    versions: Vec<VersionLine>,
    pager: Pager,
    may_edit: bool,
    /// A version is in force, so an amendment can start from it (the button
    /// is not offered before).
    has_in_force: bool,
}

pub async fn document(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    Query(q): Query<Paging>,
) -> AppResult<DocumentPage> {
    let t = T { lang };
    let request = q.request();
    let (doc, versions) = state.app.policy_doc_versions(&user, &code, request).await?;
    let path = format!("/policy-documents/{}", doc.code);
    let may_edit = state.app.may_create_policy_doc(&user);
    let lines: Vec<VersionLine> = versions.items.iter().map(|v| version_line(&t, v)).collect();
    Ok(DocumentPage {
        pager: Pager::new(&t, &path, request, versions.total),
        has_in_force: lines.iter().any(|v| v.in_force),
        versions: lines,
        doc: doc_line(&t, &doc),
        may_edit,
        chrome: Chrome::new(&state, &session, lang, Some(&user), &path, "policy_docs").await?,
    })
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// Starts a new draft from the version in force.
pub async fn new_draft(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    match state.app.new_policy_draft(&user, &code).await {
        Ok(v) => Ok(
            Redirect::to(&format!("/policy-documents/{code}/versions/{}", v.number))
                .into_response(),
        ),
        Err(e) => {
            refused(&session, lang, e).await?;
            Ok(Redirect::to(&format!("/policy-documents/{code}")).into_response())
        }
    }
}

/// A provision as shown: its anchor, its depth, and its words.
pub struct ProvisionLine {
    pub key: String,
    pub kind: &'static str,
    pub depth: usize,
    pub label: String,
    pub heading: String,
    pub text: String,
    pub toc: bool,
    pub comments: Vec<CommentRow>,
    /// What it implements or follows, as the reader may see it.
    pub links: Vec<LinkName>,
}

#[derive(Template, WebTemplate)]
#[template(path = "policy_docs/version.html")]
pub struct VersionPage {
    chrome: Chrome,
    code: String,
    doc_title: String,
    title: String,
    number: i64,
    state: String,
    revision: i64,
    effective: String,
    approved_by: String,
    decision: String,
    provisions: Vec<ProvisionLine>,
    general_comments: Vec<CommentRow>,
    may_edit: bool,
    may_submit: bool,
    may_withdraw: bool,
    may_review: bool,
    may_approve: bool,
    previous: Option<i64>,
    today: String,
}

fn lines(flat: Vec<Flat>, comments: &[CommentRow], names: &[LinkName]) -> Vec<ProvisionLine> {
    flat.into_iter()
        .map(|f| ProvisionLine {
            links: names
                .iter()
                .filter(|n| f.links.contains(&n.link))
                .cloned()
                .collect(),
            toc: matches!(
                f.kind,
                Kind::Chapter | Kind::Section | Kind::Article | Kind::Supplementary
            ),
            kind: f.kind.as_str(),
            comments: comments
                .iter()
                .filter(|c| c.provision_key.as_deref() == Some(f.key.as_str()))
                .cloned()
                .collect(),
            key: f.key,
            depth: f.depth,
            label: f.label,
            heading: f.heading,
            text: f.text,
        })
        .collect()
}

pub async fn version(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((code, number)): Path<(String, i64)>,
) -> AppResult<VersionPage> {
    let t = T { lang };
    let view = state.app.policy_doc_version(&user, &code, number).await?;
    let v = &view.version;
    let line = version_line(&t, v);
    let general_comments = view
        .comments
        .iter()
        .filter(|c| c.provision_key.is_none())
        .cloned()
        .collect();
    let path = format!("/policy-documents/{code}/versions/{number}");
    let flat = view.body.flatten();
    let mut linked: Vec<String> = flat.iter().flat_map(|f| f.links.iter().cloned()).collect();
    linked.sort();
    linked.dedup();
    let names = state.app.policy_link_names(&user, &linked).await?;
    Ok(VersionPage {
        code: view.document.code.clone(),
        doc_title: view.document.title.clone(),
        title: view.body.title.clone(),
        number: v.number,
        state: line.state,
        revision: v.revision,
        effective: line.effective,
        approved_by: line.approved_by,
        decision: line.decision,
        provisions: lines(flat, &view.comments, &names),
        general_comments,
        may_submit: view.may_edit,
        may_withdraw: v.state() == VState::Review && state.app.may_create_policy_doc(&user),
        may_edit: view.may_edit,
        may_review: view.may_review,
        may_approve: view.may_approve,
        previous: v.based_on.or((v.number > 1).then_some(v.number - 1)),
        today: mamori_store::policy_docs::today_jst().to_string(),
        chrome: Chrome::new(&state, &session, lang, Some(&user), &path, "policy_docs").await?,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "policy_docs/edit.html")]
pub struct EditPage {
    chrome: Chrome,
    code: String,
    number: i64,
    revision: i64,
    key: String,
    label: String,
    heading: String,
    text: String,
    links: String,
    names: Vec<LinkName>,
}

pub async fn edit_form(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((code, number, key)): Path<(String, i64, String)>,
) -> AppResult<Response> {
    let view = state.app.policy_doc_version(&user, &code, number).await?;
    if !view.may_edit {
        return Err(mamori_app::Error::Forbidden.into());
    }
    let Some(p) = view.body.find(&key) else {
        return Err(mamori_app::Error::not_found("provision", &key).into());
    };
    let path = format!("/policy-documents/{code}/versions/{number}/provisions/{key}");
    Ok(EditPage {
        code: code.clone(),
        number,
        revision: view.version.revision,
        key: key.clone(),
        label: p.label.clone(),
        heading: p.heading.clone(),
        text: p.text.clone(),
        links: p.links.join("\n"),
        names: state.app.policy_link_names(&user, &p.links).await?,
        chrome: Chrome::new(&state, &session, lang, Some(&user), &path, "policy_docs").await?,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct EditForm {
    csrf: String,
    revision: i64,
    #[serde(default)]
    heading: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    links: String,
}

/// Saves one provision of a draft (refused when the draft changed since it was read).
pub async fn save(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((code, number, key)): Path<(String, i64, String)>,
    Form(form): Form<EditForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    let links: Vec<String> = form
        .links
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let back = format!("/policy-documents/{code}/versions/{number}");
    match state
        .app
        .edit_policy_provision(
            &user,
            &code,
            number,
            &key,
            form.revision,
            &form.heading,
            &form.text,
            &links,
        )
        .await
    {
        Ok(_) => {
            flash(&session, T { lang }.pick("保存しました", "saved")).await;
            Ok(Redirect::to(&format!("{back}#p-{key}")).into_response())
        }
        Err(e) => {
            // What was entered stays in the message, so that nothing is lost.
            let entered = match lang {
                Lang::Ja => format!("（入力した本文: {}）", form.text),
                Lang::En => format!(" (the text you entered: {})", form.text),
            };
            let conflict = e.class() == mamori_core::problem::Class::Conflict;
            let form_at = format!("{back}/provisions/{key}");
            if !conflict {
                // Refused as written: the form comes back with it to correct.
                let typed = [
                    ("heading", &form.heading),
                    ("text", &form.text),
                    ("links", &form.links),
                ]
                .map(|(k, v)| (k.to_string(), v.clone()));
                super::refill::keep(&session, &form_at, &typed).await;
            }
            refused(&session, lang, e).await?;
            if conflict {
                flash(&session, entered).await;
            }
            Ok(Redirect::to(&form_at).into_response())
        }
    }
}

async fn state_change(
    state: &AppState,
    session: &Session,
    lang: Lang,
    user: &Authed,
    code: &str,
    number: i64,
    submit: bool,
) -> AppResult<Response> {
    let result = if submit {
        state.app.submit_policy_doc(user, code, number).await
    } else {
        state.app.withdraw_policy_doc(user, code, number).await
    };
    match result {
        Ok(v) => {
            flash(session, state_name(&T { lang }, &v.state)).await;
        }
        Err(e) => refused(session, lang, e).await?,
    }
    Ok(Redirect::to(&format!("/policy-documents/{code}/versions/{number}")).into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((code, number)): Path<(String, i64)>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    state_change(&state, &session, lang, &user, &code, number, true).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((code, number)): Path<(String, i64)>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    state_change(&state, &session, lang, &user, &code, number, false).await
}

#[derive(Deserialize)]
pub struct CommentForm {
    csrf: String,
    #[serde(default)]
    provision: String,
    body: String,
}

pub async fn comment(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((code, number)): Path<(String, i64)>,
    Form(form): Form<CommentForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    let key = Some(form.provision.as_str()).filter(|k| !k.is_empty());
    match state
        .app
        .comment_policy_doc(&user, &code, number, key, &form.body)
        .await
    {
        Ok(_) => {
            flash(
                &session,
                T { lang }.pick("コメントしました", "comment added"),
            )
            .await
        }
        Err(e) => refused(&session, lang, e).await?,
    }
    let anchor = key.map(|k| format!("#p-{k}")).unwrap_or_default();
    Ok(Redirect::to(&format!(
        "/policy-documents/{code}/versions/{number}{anchor}"
    ))
    .into_response())
}

#[derive(Deserialize)]
pub struct AnswerForm {
    csrf: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    resolve: Option<String>,
}

pub async fn answer(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((code, number, id)): Path<(String, i64, i64)>,
    Form(form): Form<AnswerForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    let answer = Some(form.answer.as_str()).filter(|a| !a.trim().is_empty());
    match state
        .app
        .answer_policy_comment(&user, &code, number, id, answer, form.resolve.is_some())
        .await
    {
        Ok(_) => flash(&session, T { lang }.pick("記録しました", "recorded")).await,
        Err(e) => refused(&session, lang, e).await?,
    }
    Ok(Redirect::to(&format!(
        "/policy-documents/{code}/versions/{number}#comments"
    ))
    .into_response())
}

#[derive(Deserialize)]
pub struct ApproveForm {
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    decision_number: String,
    #[serde(default)]
    approved_on: String,
    #[serde(default)]
    effective_on: String,
}

pub async fn approve(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path((code, number)): Path<(String, i64)>,
    Form(form): Form<ApproveForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    let input = ApprovalInput {
        body: form.body,
        decision_number: form.decision_number,
        approved_on: form.approved_on,
        effective_on: form.effective_on,
    };
    match state
        .app
        .approve_policy_doc(&user, &code, number, &input)
        .await
    {
        Ok(v) => {
            let t = T { lang };
            flash(
                &session,
                format!(
                    "{}: {}",
                    t.pick("承認しました", "approved"),
                    state_name(&t, &v.state)
                ),
            )
            .await;
        }
        Err(e) => refused(&session, lang, e).await?,
    }
    Ok(Redirect::to(&format!("/policy-documents/{code}/versions/{number}")).into_response())
}

/// A side of a row of the 新旧対照表: label, heading and the text in runs.
pub struct SideView {
    pub label: String,
    pub heading: String,
    pub spans: Vec<Span>,
}

/// A row of the 新旧対照表.
pub struct RowView {
    pub elided: usize,
    pub change: &'static str,
    pub change_name: String,
    pub depth: usize,
    pub new: Option<SideView>,
    pub old: Option<SideView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "policy_docs/compare.html")]
pub struct ComparePage {
    chrome: Chrome,
    code: String,
    title: String,
    from: i64,
    to: i64,
    from_state: String,
    to_state: String,
    rows: Vec<RowView>,
    changes: usize,
    print: bool,
}

#[derive(Deserialize)]
pub struct CompareQuery {
    from: Option<i64>,
    to: Option<i64>,
}

async fn compare_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    user: &Authed,
    code: &str,
    q: CompareQuery,
    print: bool,
) -> AppResult<ComparePage> {
    let t = T { lang };
    let (Some(from), Some(to)) = (q.from, q.to) else {
        return Err(
            mamori_app::Error::problem(mamori_core::problem::Problem::new("MAMORI-POLICY-COMPARE"))
                .into(),
        );
    };
    let c = state.app.compare_policy_doc(user, code, from, to).await?;
    let changes = c
        .entries
        .iter()
        .filter(|e| e.change != Change::Unchanged)
        .count();
    let side = |s: &Option<mamori_core::policy_doc::compare::Side>| {
        s.as_ref().map(|s| SideView {
            label: s.label.clone(),
            heading: s.heading.clone(),
            spans: s.text_spans.clone(),
        })
    };
    let rows: Vec<RowView> = rows(&c.entries)
        .into_iter()
        .map(|r| match r {
            Row::Elided(n) => RowView {
                elided: n,
                change: "elided",
                change_name: String::new(),
                depth: 0,
                new: None,
                old: None,
            },
            Row::Entry(e) => RowView {
                elided: 0,
                change: e.change.as_str(),
                change_name: match lang {
                    Lang::Ja => e.change.name_ja().to_string(),
                    Lang::En => e.change.as_str().to_string(),
                },
                depth: e.depth,
                new: side(&e.new),
                old: side(&e.old),
            },
        })
        .collect();
    let path = format!("/policy-documents/{code}/compare?from={from}&to={to}");
    Ok(ComparePage {
        code: c.document.code.clone(),
        title: c.document.title.clone(),
        from,
        to,
        from_state: state_name(&t, &c.from.state),
        to_state: state_name(&t, &c.to.state),
        rows,
        changes,
        print,
        chrome: Chrome::new(state, session, lang, Some(user), &path, "policy_docs").await?,
    })
}

pub async fn compare(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    Query(q): Query<CompareQuery>,
) -> AppResult<ComparePage> {
    compare_page(&state, &session, lang, &user, &code, q, false).await
}

/// The 新旧対照表 for the committee's papers: A4, no menu.
pub async fn compare_print(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(code): Path<String>,
    Query(q): Query<CompareQuery>,
) -> AppResult<ComparePage> {
    compare_page(&state, &session, lang, &user, &code, q, true).await
}

#[derive(Template, WebTemplate)]
#[template(path = "policy_docs/coverage.html")]
pub struct CoveragePage {
    chrome: Chrome,
    coverage: Coverage,
}

/// `GET /policy-coverage`: what the levels leave uncovered, over the versions
/// in force the reader may read.
pub async fn coverage(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<CoveragePage> {
    Ok(CoveragePage {
        coverage: state.app.policy_coverage(&user).await?,
        chrome: Chrome::new(
            &state,
            &session,
            lang,
            Some(&user),
            "/policy-coverage",
            "policy_docs",
        )
        .await?,
    })
}

#[derive(Deserialize)]
pub struct GenerateForm {
    csrf: String,
    code: String,
    #[serde(default)]
    title: String,
}

/// `POST /policy-documents/generate-standards`: drafts the standards from the
/// control catalogue.
pub async fn generate_standards(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Form(form): Form<GenerateForm>,
) -> AppResult<Response> {
    verify_csrf(&session, &form.csrf).await?;
    let done = state
        .app
        .generate_standards(&user, &form.code, &form.title)
        .await;
    drafted(&session, lang, done).await
}

/// `GET /policy-documents/{code}/compare.xlsx` and `.docx`: the 新旧対照表 as a file.
pub async fn compare_download(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((code, ext)): Path<(String, String)>,
    Query(q): Query<CompareQuery>,
) -> AppResult<Response> {
    let kind = match ext.as_str() {
        "xlsx" => ComparisonFile::Xlsx,
        "docx" => ComparisonFile::Docx,
        _ => return Err(mamori_app::Error::not_found("file", &ext).into()),
    };
    let (Some(from), Some(to)) = (q.from, q.to) else {
        return Err(
            mamori_app::Error::problem(mamori_core::problem::Problem::new("MAMORI-POLICY-COMPARE"))
                .into(),
        );
    };
    let (name, bytes) = state
        .app
        .policy_comparison_file(&user, &code, from, to, kind)
        .await?;
    Ok(crate::download::attachment(
        bytes,
        kind.content_type(),
        &name,
    ))
}

/// `POST /policy-documents/import-file` (multipart: `csrf`, `code`, `level`,
/// `title`, `format` (empty: told by the file's extension), then `file`):
/// imports a 例規集 text file, a Markdown file or a .docx as a new draft.
pub async fn import_file(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        crate::error::AppError::new(
            e.status(),
            "MAMORI-BAD-UPLOAD",
            format!(
                "ファイルを受け取れませんでした / the upload could not be read: {}",
                e.body_text()
            ),
        )
    };
    let (mut csrf, mut code, mut level, mut title, mut format) = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("code") => code = field.text().await.map_err(bad)?,
            Some("level") => level = field.text().await.map_err(bad)?,
            Some("title") => title = field.text().await.map_err(bad)?,
            Some("format") => format = field.text().await.map_err(bad)?,
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_string();
                file = Some((name, field.bytes().await.map_err(bad)?.to_vec()));
            }
            _ => {}
        }
    }
    verify_csrf(&session, &csrf).await?;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        flash_error(
            &session,
            T { lang }.pick("ファイルを選んでください", "choose a file"),
        )
        .await;
        return Ok(Redirect::to("/policy-documents").into_response());
    };
    let done = match PolicyFile::told(Some(&format), &name) {
        None => Err(mamori_app::Error::problem(
            mamori_core::problem::Problem::new("MAMORI-POLICY-FORMAT")
                .field("format")
                .with("value", format.chars().take(40).collect::<String>()),
        )),
        Some(kind) => match state.app.policy_file_text(kind, bytes) {
            Ok((text, format)) => {
                let input = ImportInput {
                    code: code.trim().to_string(),
                    level,
                    title: Some(title).filter(|t| !t.trim().is_empty()),
                    format,
                    text,
                };
                state.app.import_policy_doc(&user, &input).await
            }
            Err(e) => Err(e),
        },
    };
    drafted(&session, lang, done).await
}
