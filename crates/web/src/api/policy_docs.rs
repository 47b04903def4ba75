//! Policy documents as versioned texts (第9, 附則) over the API: the documents
//! the caller may read, a document's versions, one version's provisions as a
//! tree, and the 新旧対照表 between two versions.

use axum::Json;
use axum::extract::State;
use mamori_app::policy_docs::ComparisonFile;
use mamori_core::policy_doc::compare::{Change, Entry, Span};
use mamori_core::policy_doc::{Kind, Provision};
use mamori_store::policy_docs::{DocumentRow, VersionRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiPath, ApiQuery, ApiResult, Collection, Paging, json_err};
use crate::auth::ApiUser;
use crate::state::AppState;

/// A policy document (基本方針, 対策基準, 実施手順) kept as versions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyDoc {
    pub code: String,
    /// basic, standard or procedure
    pub level: String,
    pub title: String,
    /// everyone, staff or unit
    pub readership: String,
    /// The unit a procedure belongs to.
    pub unit_id: Option<i64>,
    /// The information system a procedure belongs to.
    pub system_id: Option<i64>,
    pub needs_acknowledgement: bool,
}

impl From<DocumentRow> for PolicyDoc {
    fn from(d: DocumentRow) -> Self {
        PolicyDoc {
            code: d.code,
            level: d.level,
            title: d.title,
            readership: d.readership,
            unit_id: d.unit_id,
            system_id: d.system_id,
            needs_acknowledgement: d.needs_acknowledgement,
        }
    }
}

/// A version of a document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyDocVersion {
    pub number: i64,
    /// draft, review, approved, in_force or superseded
    pub state: String,
    /// The day it comes (came) into force, YYYY-MM-DD.
    pub effective_date: Option<String>,
    /// The name of the person who approved it.
    pub approved_by: Option<String>,
    /// The body that decided (情報セキュリティ委員会, …).
    pub approval_body: Option<String>,
    pub decision_number: Option<String>,
    /// The day of the approval, YYYY-MM-DD.
    pub approved_on: Option<String>,
    /// The version it was drafted from.
    pub based_on: Option<i64>,
}

impl From<VersionRow> for PolicyDocVersion {
    fn from(v: VersionRow) -> Self {
        PolicyDocVersion {
            number: v.number,
            state: v.state,
            effective_date: v.effective_on,
            approved_by: v.approved_by_name,
            approval_body: v.approval_body,
            decision_number: v.decision_number,
            approved_on: v.approved_on,
            based_on: v.based_on,
        }
    }
}

/// The kinds of provisions.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProvisionKind {
    Chapter,
    Section,
    Article,
    Paragraph,
    Item,
    Subitem,
    Supplementary,
}

impl From<Kind> for ProvisionKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Chapter => ProvisionKind::Chapter,
            Kind::Section => ProvisionKind::Section,
            Kind::Article => ProvisionKind::Article,
            Kind::Paragraph => ProvisionKind::Paragraph,
            Kind::Item => ProvisionKind::Item,
            Kind::Subitem => ProvisionKind::Subitem,
            Kind::Supplementary => ProvisionKind::Supplementary,
        }
    }
}

/// A provision and the provisions under it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProvisionNode {
    /// The stable identity, kept from version to version.
    pub key: String,
    pub kind: ProvisionKind,
    /// As printed: 第3条, 第3, 2, (2), ア, (ア), 附則.
    pub label: String,
    /// The 見出し (empty when none).
    pub heading: String,
    pub text: String,
    /// Provisions of other documents it implements or follows (CODE#KEY).
    pub links: Vec<String>,
    #[schema(no_recursion)]
    pub children: Vec<ProvisionNode>,
}

impl From<Provision> for ProvisionNode {
    fn from(p: Provision) -> Self {
        ProvisionNode {
            key: p.key,
            kind: p.kind.into(),
            label: p.label,
            heading: p.heading,
            text: p.text,
            links: p.links,
            children: p.children.into_iter().map(ProvisionNode::from).collect(),
        }
    }
}

/// One version with its provisions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyDocText {
    pub code: String,
    pub title: String,
    #[serde(flatten)]
    pub version: PolicyDocVersion,
    pub provisions: Vec<ProvisionNode>,
}

/// What happened to a provision.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    Moved,
    Unchanged,
}

impl From<Change> for ChangeKind {
    fn from(c: Change) -> Self {
        match c {
            Change::Added => ChangeKind::Added,
            Change::Removed => ChangeKind::Removed,
            Change::Changed => ChangeKind::Changed,
            Change::Moved => ChangeKind::Moved,
            Change::Unchanged => ChangeKind::Unchanged,
        }
    }
}

/// A run of characters; `changed` when the other version lacks it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MarkedSpan {
    pub text: String,
    pub changed: bool,
}

fn spans(s: Vec<Span>) -> Vec<MarkedSpan> {
    s.into_iter()
        .map(|s| MarkedSpan {
            text: s.text,
            changed: s.changed,
        })
        .collect()
}

/// One line of the 新旧対照表.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompareEntry {
    pub key: String,
    pub kind: ProvisionKind,
    pub change: ChangeKind,
    /// 改正前 (null when added).
    pub old_label: Option<String>,
    pub old_heading: Option<String>,
    pub old_text: Option<String>,
    /// 改正後 (null when removed).
    pub new_label: Option<String>,
    pub new_heading: Option<String>,
    pub new_text: Option<String>,
    /// The old text, the characters removed marked.
    pub old_marked: Vec<MarkedSpan>,
    /// The new text, the characters added marked.
    pub new_marked: Vec<MarkedSpan>,
}

impl From<Entry> for CompareEntry {
    fn from(e: Entry) -> Self {
        let (old_label, old_heading, old_text, old_marked) = match e.old {
            Some(s) => (
                Some(s.label),
                Some(s.heading),
                Some(s.text),
                spans(s.text_spans),
            ),
            None => (None, None, None, Vec::new()),
        };
        let (new_label, new_heading, new_text, new_marked) = match e.new {
            Some(s) => (
                Some(s.label),
                Some(s.heading),
                Some(s.text),
                spans(s.text_spans),
            ),
            None => (None, None, None, Vec::new()),
        };
        CompareEntry {
            key: e.key,
            kind: e.kind.into(),
            change: e.change.into(),
            old_label,
            old_heading,
            old_text,
            new_label,
            new_heading,
            new_text,
            old_marked,
            new_marked,
        }
    }
}

/// The comparison of two versions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comparison {
    pub code: String,
    pub from: i64,
    pub to: i64,
    pub entries: Vec<CompareEntry>,
}

/// The versions compared.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// The older version's number (改正前).
    #[param(minimum = 1)]
    pub from: i64,
    /// The newer version's number (改正後).
    #[param(minimum = 1)]
    pub to: i64,
    /// Only the changes and the provisions that contain them (default false: every provision).
    #[serde(default)]
    pub changes_only: bool,
}

/// The policy documents kept as versions that the caller may read.
#[utoipa::path(get, path = "/versioned-policy-documents", tag = "policy", security(("bearer" = [])), params(Paging),
    responses((status = 200, body = Collection<PolicyDoc>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<PolicyDoc>>> {
    let page = state
        .app
        .policy_doc_list(&user, paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(page.into()))
}

/// The versions of a document, newest first (drafts for their editors and reviewers only).
#[utoipa::path(get, path = "/policy-documents/{code}/versions", tag = "policy", security(("bearer" = [])),
    params(("code" = String, Path, description = "the document's code"), Paging),
    responses((status = 200, body = Collection<PolicyDocVersion>)))]
pub async fn versions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Collection<PolicyDocVersion>>> {
    let (_, page) = state
        .app
        .policy_doc_versions(&user, &code, paging.request())
        .await
        .map_err(json_err)?;
    Ok(Json(page.into()))
}

/// One version: its provisions as a tree.
#[utoipa::path(get, path = "/policy-documents/{code}/versions/{n}", tag = "policy", security(("bearer" = [])),
    params(("code" = String, Path, description = "the document's code"), ("n" = i64, Path, description = "the version's number")),
    responses((status = 200, body = PolicyDocText)))]
pub async fn version(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((code, n)): ApiPath<(String, i64)>,
) -> ApiResult<Json<PolicyDocText>> {
    let view = state
        .app
        .policy_doc_version(&user, &code, n)
        .await
        .map_err(json_err)?;
    Ok(Json(PolicyDocText {
        code: view.document.code,
        title: view.body.title,
        version: view.version.into(),
        provisions: view
            .body
            .provisions
            .into_iter()
            .map(ProvisionNode::from)
            .collect(),
    }))
}

/// The 新旧対照表 between two versions, provision by provision.
#[utoipa::path(get, path = "/policy-documents/{code}/compare", tag = "policy", security(("bearer" = [])),
    params(("code" = String, Path, description = "the document's code"), CompareQuery),
    responses((status = 200, body = Comparison)))]
pub async fn compare(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<CompareQuery>,
) -> ApiResult<Json<Comparison>> {
    let c = state
        .app
        .compare_policy_doc(&user, &code, q.from, q.to)
        .await
        .map_err(json_err)?;
    let keep = if q.changes_only {
        mamori_core::policy_doc::compare::context(&c.entries)
    } else {
        vec![true; c.entries.len()]
    };
    Ok(Json(Comparison {
        code: c.document.code,
        from: c.from.number,
        to: c.to.number,
        entries: c
            .entries
            .into_iter()
            .zip(keep)
            .filter(|(_, k)| *k)
            .map(|(e, _)| e.into())
            .collect(),
    }))
}

/// The 新旧対照表 as an .xlsx workbook for the committee (改正後 | 改正前, the
/// changed words underlined, unchanged provisions elided).
#[utoipa::path(get, path = "/policy-documents/{code}/compare.xlsx", tag = "policy", security(("bearer" = [])),
    params(("code" = String, Path, description = "the document's code"), CompareQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn compare_xlsx(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<CompareQuery>,
) -> ApiResult<axum::response::Response> {
    compare_file(&state, &user, &code, &q, ComparisonFile::Xlsx).await
}

/// The 新旧対照表 as a .docx table for the committee's papers.
#[utoipa::path(get, path = "/policy-documents/{code}/compare.docx", tag = "policy", security(("bearer" = [])),
    params(("code" = String, Path, description = "the document's code"), CompareQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn compare_docx(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<CompareQuery>,
) -> ApiResult<axum::response::Response> {
    compare_file(&state, &user, &code, &q, ComparisonFile::Docx).await
}

async fn compare_file(
    state: &AppState,
    user: &crate::auth::Authed,
    code: &str,
    q: &CompareQuery,
    kind: ComparisonFile,
) -> ApiResult<axum::response::Response> {
    let (name, bytes) = state
        .app
        .policy_comparison_file(user, code, q.from, q.to, kind)
        .await
        .map_err(json_err)?;
    Ok(crate::download::attachment(
        bytes,
        kind.content_type(),
        &name,
    ))
}
