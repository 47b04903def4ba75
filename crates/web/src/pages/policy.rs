//! The policy documents: the list, and one document with its articles, items and
//! revisions (附則) in 和暦 and western dates.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use mamori_store::catalogs::{ArticleView, PolicyDocumentRow};
use tower_sessions::Session;

use super::{Chrome, DatePair};
use crate::auth::PageUser;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "policy_index.html")]
pub struct PolicyIndexPage {
    chrome: Chrome,
    documents: Vec<PolicyDocumentRow>,
}

pub async fn index(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<PolicyIndexPage> {
    let documents = state.app.policy_documents(&user).await?;
    let chrome = Chrome::new(&state, &session, lang, Some(&user), "/policy", "policy").await?;
    Ok(PolicyIndexPage { chrome, documents })
}

pub struct RevisionView {
    pub label: String,
    pub wareki: String,
    pub western: String,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "policy_doc.html")]
pub struct PolicyDocumentPage {
    chrome: Chrome,
    title: String,
    title_en: String,
    in_force: Option<DatePair>,
    articles: Vec<ArticleView>,
    revisions: Vec<RevisionView>,
}

pub async fn document(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(code): Path<String>,
) -> AppResult<PolicyDocumentPage> {
    let doc = state.app.policy_document(&user, &code).await?;
    let revisions: Vec<RevisionView> = doc
        .revisions
        .iter()
        .map(|r| {
            let d = DatePair::from_iso(&r.effective, lang);
            RevisionView {
                label: r.label.clone(),
                wareki: d.wareki,
                western: d.western,
                text: r.text.clone(),
            }
        })
        .collect();
    let path = format!("/policy/{code}");
    let chrome = Chrome::new(&state, &session, lang, Some(&user), &path, "policy").await?;
    Ok(PolicyDocumentPage {
        chrome,
        in_force: doc
            .revisions
            .last()
            .map(|r| DatePair::from_iso(&r.effective, lang)),
        title: doc.document.title,
        title_en: doc.document.title_en,
        articles: doc.articles,
        revisions,
    })
}
