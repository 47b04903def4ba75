//! Policy documents (第9, 附則): the basic policy, the standards and the
//! procedures as versioned texts — created, imported, drafted clause by clause,
//! reviewed, approved, in force from their effective date, compared (新旧対照表)
//! and read by those their readership admits.

use mamori_authz::{Action, Resource};
use mamori_core::policy_doc::compare::{Entry, compare};
use mamori_core::policy_doc::coverage::{CONTROL_LINK, Coverage, control_of, coverage};
use mamori_core::policy_doc::generate::{ChapterSeed, ControlSeed, standards_from_controls};
use mamori_core::policy_doc::parse::{Format, parse};
use mamori_core::policy_doc::{Body, Kind, Level, Provision, Readership, State, enactment_line};
use mamori_core::problem::Problem;
use mamori_core::text::{MAX_LINE_CHARS, check_line, check_text};
use mamori_store::events::Verb;
use mamori_store::policy_docs::{
    Approval, CommentRow, DocScope, DocumentRow, NewDocument, SearchHit, VersionRow, new_key,
    today_jst,
};
use mamori_store::{Actor, Page, PageRequest, Store};
use serde::Serialize;
use std::collections::HashMap;

use crate::access::{App, Caller, Permit};
use crate::error::{Error, Result};

/// The longest text of one provision, in characters.
pub const MAX_PROVISION_CHARS: usize = 20_000;

/// A new document as entered.
#[derive(Debug, Clone, Default)]
pub struct DocumentInput {
    pub code: String,
    pub level: String,
    pub title: String,
    pub unit_id: Option<i64>,
    pub system_id: Option<i64>,
    /// everyone, staff, unit; empty: the level's default.
    pub readership: String,
    pub needs_acknowledgement: bool,
}

/// A file to import as a new draft.
#[derive(Debug, Clone)]
pub struct ImportInput {
    pub code: String,
    pub level: String,
    pub title: Option<String>,
    pub format: Format,
    pub text: String,
}

/// What a policy file holds: text in one of the importer's layouts, or a
/// .docx whose paragraphs follow the 例規 layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyFile {
    Text(Format),
    Docx,
}

impl PolicyFile {
    /// The format named (reiki, markdown, docx), or else told by the file
    /// name's extension (.md → Markdown, .docx → .docx, anything else 例規
    /// text). None for a name that is none of the three.
    pub fn told(named: Option<&str>, file_name: &str) -> Option<PolicyFile> {
        match named.map(str::trim).filter(|f| !f.is_empty()) {
            Some("docx") => Some(PolicyFile::Docx),
            Some(f) => Format::parse(f).map(PolicyFile::Text),
            None => {
                let ext = std::path::Path::new(file_name)
                    .extension()
                    .and_then(|e| e.to_str())
                    .map(str::to_ascii_lowercase);
                Some(match ext.as_deref() {
                    Some("md" | "markdown") => PolicyFile::Text(Format::Markdown),
                    Some("docx") => PolicyFile::Docx,
                    _ => PolicyFile::Text(Format::Reiki),
                })
            }
        }
    }
}

/// The problem code of a policy file that cannot be read at all (as opposed
/// to a file read whose lines cannot be placed).
pub const UNREADABLE_POLICY_FILE: &str = "MAMORI-POLICY-UNREADABLE";

/// The files a 新旧対照表 is downloaded as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonFile {
    Xlsx,
    Docx,
}

impl ComparisonFile {
    pub fn extension(self) -> &'static str {
        match self {
            ComparisonFile::Xlsx => "xlsx",
            ComparisonFile::Docx => "docx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ComparisonFile::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ComparisonFile::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }
}

/// A link of a provision as its reader sees it.
#[derive(Debug, Clone, Serialize)]
pub struct LinkName {
    /// As kept: `CODE#KEY` or `control:CODE`.
    pub link: String,
    pub href: String,
    /// The title of the document linked to (empty for a control).
    pub document: String,
    pub label: String,
    pub heading: String,
}

/// A document links resolve against: the document, the number of the version
/// read, and its text.
type Linked = (DocumentRow, Option<i64>, Body);

/// What an import wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    pub document: DocumentRow,
    pub version: VersionRow,
    pub articles: usize,
    pub provisions: usize,
    pub created: bool,
}

/// A version as read: the document, the version, its text and its comments,
/// and what the reader may do with it.
#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    pub document: DocumentRow,
    pub version: VersionRow,
    pub body: Body,
    pub comments: Vec<CommentRow>,
    pub may_edit: bool,
    pub may_review: bool,
    pub may_approve: bool,
}

/// A comparison of two versions (新旧対照表).
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub document: DocumentRow,
    pub from: VersionRow,
    pub to: VersionRow,
    pub entries: Vec<Entry>,
}

/// The facts of an approval, as entered.
#[derive(Debug, Clone, Default)]
pub struct ApprovalInput {
    /// The body that decided (情報セキュリティ委員会).
    pub body: String,
    pub decision_number: String,
    /// YYYY-MM-DD
    pub approved_on: String,
    /// YYYY-MM-DD
    pub effective_on: String,
}

fn check_code(code: &str) -> Result<(), Problem> {
    let ok = !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Problem::new("MAMORI-POLICY-CODE")
            .field("code")
            .with("value", code.chars().take(100).collect::<String>()))
    }
}

fn parse_date(field: &str, value: &str) -> Result<time::Date, Problem> {
    mamori_core::catalog::parse_iso_date(value).map_err(|_| {
        Problem::new("MAMORI-POLICY-DATE")
            .field(field)
            .with("value", value.chars().take(40).collect::<String>())
    })
}

/// The problems of an import that could not place some lines.
fn line_problems(errors: Vec<mamori_core::policy_doc::parse::LineError>) -> Error {
    Error::Rejected(
        errors
            .into_iter()
            .map(|e| {
                Problem::new("MAMORI-POLICY-IMPORT-LINE")
                    .row(e.line as u64)
                    .with("line", e.line)
                    .with("reason", e.reason.ja())
                    .with("reason_en", e.reason.en())
                    .with("text", e.text)
            })
            .collect(),
    )
}

/// A provision key nobody has used: 12 hexadecimal digits.
fn assign_keys(body: &mut Body, previous: Option<&Body>) {
    mamori_core::policy_doc::keys::assign(body, previous, &mut new_key);
}

impl App {
    /// What the caller asks Cedar about a document, as one of its versions.
    async fn pdoc_resource(
        &self,
        doc: &DocumentRow,
        version: Option<&VersionRow>,
    ) -> Result<Resource> {
        let unit_lineage = match doc.unit_id {
            Some(id) => mamori_store::units::parse_path(&self.facts().unit(id).await?.path),
            None => Vec::new(),
        };
        Ok(Resource::PolicyDocument {
            id: doc.id,
            level: doc.level.clone(),
            readership: doc.readership.clone(),
            unit_lineage,
            system: doc.system_id.unwrap_or(0),
            draft: version.is_some_and(|v| v.state().is_draft()),
            drafter: version.and_then(|v| v.drafted_by_user).unwrap_or(0),
        })
    }

    /// The document with this code, if the caller may read it (else not found).
    async fn pdoc_readable(&self, caller: &Caller, code: &str) -> Result<DocumentRow> {
        let doc = match self.facts().pdoc_by_code(code).await {
            Ok(d) => d,
            Err(mamori_store::StoreError::NotFound { .. }) => {
                return Err(Error::not_found("policy document", code));
            }
            Err(e) => return Err(e.into()),
        };
        let resource = self.pdoc_resource(&doc, None).await?;
        self.permit_or_hide(
            caller,
            Action::ReadPolicyDocument,
            &resource,
            "policy document",
            code,
        )?;
        Ok(doc)
    }

    /// A version of a readable document, if the caller may read it (drafts:
    /// editors and reviewers only). Brings due versions into force first.
    async fn pdoc_version_readable(
        &self,
        caller: &Caller,
        doc: &DocumentRow,
        number: i64,
    ) -> Result<(VersionRow, Resource)> {
        self.pdoc_clock(doc).await?;
        let version = match self.facts().pdoc_version(doc.id, number).await {
            Ok(v) => v,
            Err(mamori_store::StoreError::NotFound { .. }) => {
                return Err(Error::not_found("policy document version", number));
            }
            Err(e) => return Err(e.into()),
        };
        let resource = self.pdoc_resource(doc, Some(&version)).await?;
        self.permit_or_hide(
            caller,
            Action::ReadPolicyDocument,
            &resource,
            "policy document version",
            number,
        )?;
        Ok((version, resource))
    }

    /// Brings into force what is due today (JST): the clock of Mamori, not a
    /// person, makes this change.
    async fn pdoc_clock(&self, doc: &DocumentRow) -> Result<Option<VersionRow>> {
        let permit = self.system("policy-clock");
        Ok(permit
            .store()
            .pdoc_bring_into_force(permit.actor(), doc, today_jst())
            .await?)
    }

    /// Which documents the caller may read, asked of the policy itself.
    pub async fn pdoc_scope(&self, caller: &Caller) -> Result<DocScope> {
        let probe = |readership: Readership, lineage: Vec<i64>, system: i64| {
            self.may(
                caller,
                Action::ReadPolicyDocument,
                &Resource::PolicyDocument {
                    id: 0,
                    level: String::new(),
                    readership: readership.as_str().into(),
                    unit_lineage: lineage,
                    system,
                    draft: false,
                    drafter: 0,
                },
            )
        };
        let mut scope = DocScope::default();
        for r in Readership::ALL {
            if probe(r, vec![i64::MIN], -1) {
                scope.readerships.push(r);
            }
        }
        if !scope.readerships.contains(&Readership::Unit) {
            for (id, lineage) in self
                .facts()
                .all_units()
                .await?
                .into_iter()
                .map(|u| (u.id, mamori_store::units::parse_path(&u.path)))
            {
                if probe(Readership::Unit, lineage, -1) {
                    scope.units.push(id);
                }
            }
            for (role, system) in &caller.principal.scoped_roles {
                if mamori_core::org::guideline_role(role)
                    .is_ok_and(|r| r.scope == mamori_core::org::ScopeKind::System)
                    && probe(Readership::Unit, vec![i64::MIN], *system)
                {
                    scope.systems.push(*system);
                }
            }
        }
        Ok(scope)
    }

    /// The documents the caller may read.
    pub async fn policy_doc_list(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> Result<Page<DocumentRow>> {
        let scope = self.pdoc_scope(caller).await?;
        Ok(self.facts().pdoc_list(&scope, page).await?)
    }

    /// Provisions in force containing `needle`, in the documents the caller may read.
    pub async fn policy_doc_search(
        &self,
        caller: &Caller,
        needle: &str,
        page: PageRequest,
    ) -> Result<Page<SearchHit>> {
        let needle = needle.trim();
        if needle.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
            });
        }
        let scope = self.pdoc_scope(caller).await?;
        Ok(self.facts().pdoc_search(&scope, needle, page).await?)
    }

    /// Whether the caller may create documents (to show the form).
    pub fn may_create_policy_doc(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::CreatePolicyDocument)
    }

    /// Creates a document.
    pub async fn create_policy_doc(
        &self,
        caller: &Caller,
        input: &DocumentInput,
    ) -> Result<DocumentRow> {
        let permit = self.permit_app(caller, Action::CreatePolicyDocument)?;
        create_doc(&permit, input).await
    }

    /// The document with this code, as the caller may see it.
    pub async fn policy_doc(&self, caller: &Caller, code: &str) -> Result<DocumentRow> {
        self.pdoc_readable(caller, code).await
    }

    /// The versions of a document, newest first (drafts only for editors and
    /// reviewers).
    pub async fn policy_doc_versions(
        &self,
        caller: &Caller,
        code: &str,
        page: PageRequest,
    ) -> Result<(DocumentRow, Page<VersionRow>)> {
        let doc = self.pdoc_readable(caller, code).await?;
        self.pdoc_clock(&doc).await?;
        let mut draft = self.pdoc_resource(&doc, None).await?;
        if let Resource::PolicyDocument { draft: d, .. } = &mut draft {
            *d = true;
        }
        let drafts = self.may(caller, Action::ReadPolicyDocument, &draft);
        let versions = self.facts().pdoc_versions(doc.id, drafts, page).await?;
        Ok((doc, versions))
    }

    /// One version with its text and comments.
    pub async fn policy_doc_version(
        &self,
        caller: &Caller,
        code: &str,
        number: i64,
    ) -> Result<VersionView> {
        let doc = self.pdoc_readable(caller, code).await?;
        let (version, resource) = self.pdoc_version_readable(caller, &doc, number).await?;
        let body = self.facts().pdoc_body(&version).await?;
        let comments = if version.state().is_draft() {
            self.facts().pdoc_comments(version.id).await?
        } else {
            Vec::new()
        };
        let state = version.state();
        Ok(VersionView {
            may_edit: state.is_editable()
                && self.may(caller, Action::EditPolicyDocument, &resource),
            may_review: state.is_draft()
                && self.may(caller, Action::ReviewPolicyDocument, &resource),
            may_approve: state == State::Review
                && self.may(caller, Action::ApprovePolicyDocument, &resource),
            document: doc,
            version,
            body,
            comments,
        })
    }

    /// The version in force (else the latest the caller may read): its number.
    pub async fn policy_doc_current(&self, caller: &Caller, code: &str) -> Result<i64> {
        let doc = self.pdoc_readable(caller, code).await?;
        self.pdoc_clock(&doc).await?;
        if let Some(v) = self.facts().pdoc_in_force(doc.id).await? {
            return Ok(v.number);
        }
        let (_, page) = self
            .policy_doc_versions(caller, code, PageRequest::new(Some(1), Some(1)))
            .await?;
        page.items
            .first()
            .map(|v| v.number)
            .ok_or_else(|| Error::not_found("policy document version", code))
    }

    /// The 新旧対照表 between two versions.
    pub async fn compare_policy_doc(
        &self,
        caller: &Caller,
        code: &str,
        from: i64,
        to: i64,
    ) -> Result<Comparison> {
        let doc = self.pdoc_readable(caller, code).await?;
        let (from, _) = self.pdoc_version_readable(caller, &doc, from).await?;
        let (to, _) = self.pdoc_version_readable(caller, &doc, to).await?;
        let old = self.facts().pdoc_body(&from).await?;
        let new = self.facts().pdoc_body(&to).await?;
        Ok(Comparison {
            entries: compare(&old, &new),
            document: doc,
            from,
            to,
        })
    }

    /// The 新旧対照表 of two versions as a file for the committee (.xlsx or
    /// .docx), read under the same rules as the comparison page. Returns the
    /// file's name and bytes.
    pub async fn policy_comparison_file(
        &self,
        caller: &Caller,
        code: &str,
        from: i64,
        to: i64,
        kind: ComparisonFile,
    ) -> Result<(String, Vec<u8>)> {
        let c = self.compare_policy_doc(caller, code, from, to).await?;
        let rows = mamori_core::policy_doc::compare::rows(&c.entries);
        let title = format!("{} 新旧対照表", c.document.title);
        let subtitle = format!(
            "改正前: 第{}版（{}） → 改正後: 第{}版（{}）",
            c.from.number,
            c.from.state().name_ja(),
            c.to.number,
            c.to.state().name_ja()
        );
        let heading = mamori_sheet::shinkyu::Heading {
            title: &title,
            subtitle: &subtitle,
        };
        let name = format!(
            "{}-{}-{}.{}",
            c.document.code,
            c.from.number,
            c.to.number,
            kind.extension()
        );
        let bytes = match kind {
            ComparisonFile::Xlsx => mamori_sheet::shinkyu::xlsx(&heading, &rows)
                .map_err(|e| mamori_store::StoreError::Internal(e.to_string()))?,
            ComparisonFile::Docx => mamori_sheet::shinkyu::docx(&heading, &rows)
                .map_err(|e| mamori_store::StoreError::Internal(e.to_string()))?,
        };
        Ok((name, bytes))
    }

    /// Reads a policy file into the text the importer parses: UTF-8 text (a
    /// byte-order mark dropped), or the paragraphs of a .docx read under the
    /// app's import limits. A file that cannot be read is refused with
    /// [`UNREADABLE_POLICY_FILE`].
    pub fn policy_file_text(&self, file: PolicyFile, bytes: Vec<u8>) -> Result<(String, Format)> {
        let unreadable = |ja: &str, en: &str| {
            Error::problem(
                Problem::new(UNREADABLE_POLICY_FILE)
                    .field("file")
                    .with("detail", ja)
                    .with("detail_en", en),
            )
        };
        if bytes.len() as u64 > self.import_limits().max_upload_bytes {
            return Err(unreadable(
                "ファイルが大きすぎます（import.max_upload_bytes）",
                "the file is larger than import.max_upload_bytes",
            ));
        }
        match file {
            PolicyFile::Text(format) => match String::from_utf8(bytes) {
                Ok(text) => Ok((text.trim_start_matches('\u{feff}').to_string(), format)),
                Err(_) => Err(unreadable(
                    "UTF-8 の文字列ではありません",
                    "the file is not UTF-8 text",
                )),
            },
            PolicyFile::Docx => {
                match mamori_sheet::docx::read_paragraphs(&bytes, self.import_limits()) {
                    Ok(lines) => Ok((lines.join("\n"), Format::Reiki)),
                    Err(e) => Err(unreadable(&e.ja, &e.en)),
                }
            }
        }
    }

    /// Imports a file as a new draft of the document `code` (created if new).
    pub async fn import_policy_doc(
        &self,
        caller: &Caller,
        input: &ImportInput,
    ) -> Result<Imported> {
        match self.facts().pdoc_by_code(&input.code).await {
            Ok(doc) => {
                let resource = self.pdoc_resource(&doc, None).await?;
                let permit = self.permit(caller, Action::EditPolicyDocument, &resource)?;
                import_into(&permit, Some(caller.user.id), Some(doc), input).await
            }
            Err(mamori_store::StoreError::NotFound { .. }) => {
                let permit = self.permit_app(caller, Action::CreatePolicyDocument)?;
                import_into(&permit, Some(caller.user.id), None, input).await
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The operator's import from the command line (acting as `system:cli`).
    pub async fn operator_import_policy_doc(&self, input: &ImportInput) -> Result<Imported> {
        let permit = self.system("cli");
        let doc = match permit.store().pdoc_by_code(&input.code).await {
            Ok(doc) => Some(doc),
            Err(mamori_store::StoreError::NotFound { .. }) => None,
            Err(e) => return Err(e.into()),
        };
        import_into(&permit, None, doc, input).await
    }

    /// The operator's export from the command line: a version (default: the
    /// one in force, else the latest).
    pub async fn operator_export_policy_doc(
        &self,
        code: &str,
        number: Option<i64>,
    ) -> Result<(DocumentRow, VersionRow, Body)> {
        let permit = self.system("cli");
        let store = permit.store();
        let doc = match store.pdoc_by_code(code).await {
            Ok(d) => d,
            Err(mamori_store::StoreError::NotFound { .. }) => {
                return Err(Error::not_found("policy document", code));
            }
            Err(e) => return Err(e.into()),
        };
        store
            .pdoc_bring_into_force(&Actor::System("policy-clock"), &doc, today_jst())
            .await?;
        let version = match number {
            Some(n) => store.pdoc_version(doc.id, n).await.map_err(|e| match e {
                mamori_store::StoreError::NotFound { .. } => {
                    Error::not_found("policy document version", n)
                }
                e => e.into(),
            })?,
            None => match store.pdoc_in_force(doc.id).await? {
                Some(v) => v,
                None => store
                    .pdoc_latest(doc.id)
                    .await?
                    .ok_or_else(|| Error::not_found("policy document version", code))?,
            },
        };
        let body = store.pdoc_body(&version).await?;
        Ok((doc, version, body))
    }

    /// A version for an operation of the caller: the document must be readable,
    /// the version readable, and `action` allowed on it.
    async fn pdoc_for(
        &self,
        caller: &Caller,
        code: &str,
        number: i64,
        action: Action,
    ) -> Result<(DocumentRow, VersionRow, Permit<'_>)> {
        let doc = self.pdoc_readable(caller, code).await?;
        let (version, resource) = self.pdoc_version_readable(caller, &doc, number).await?;
        let permit = self.permit(caller, action, &resource)?;
        Ok((doc, version, permit))
    }

    /// Saves one provision of a draft. `revision` is the draft's revision the
    /// editor read: a save made on an older one is refused (nothing is lost: the
    /// other save stays, this one is not made).
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_policy_provision(
        &self,
        caller: &Caller,
        code: &str,
        number: i64,
        key: &str,
        revision: i64,
        heading: &str,
        text: &str,
        links: &[String],
    ) -> Result<VersionRow> {
        let (doc, version, permit) = self
            .pdoc_for(caller, code, number, Action::EditPolicyDocument)
            .await?;
        if !version.state().is_editable() {
            return Err(state_problem(&version).into());
        }
        let mut problems = Vec::new();
        if let Err(p) = check_line(heading, MAX_LINE_CHARS) {
            problems.push(p.problem("heading", "見出し", "heading"));
        }
        if let Err(p) = check_text(text, MAX_PROVISION_CHARS) {
            problems.push(p.problem("text", "本文", "text"));
        }
        let mut resolved = Vec::with_capacity(links.len());
        for link in links {
            match self.resolve_link(link).await? {
                Some(l) if !resolved.contains(&l) => resolved.push(l),
                Some(_) => {}
                None => problems.push(
                    Problem::new("MAMORI-POLICY-LINK")
                        .field("links")
                        .with("link", link.chars().take(100).collect::<String>()),
                ),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        Ok(permit
            .store()
            .pdoc_edit_provision(
                permit.actor(),
                &doc,
                &version,
                revision,
                key,
                heading.trim(),
                text.trim(),
                &resolved,
            )
            .await?)
    }

    /// Reads a link as a person writes it and returns the form it is kept in:
    /// `CODE#KEY` or `CODE#第3条` (a label that names one provision of the
    /// version in force of document CODE, else of its latest version) become
    /// `CODE#KEY`; a control's code (`S4-01`, or `control:S4-01`) becomes
    /// `control:S4-01`. None when it names nothing.
    async fn resolve_link(&self, link: &str) -> Result<Option<String>> {
        let link = link.trim();
        let control = control_of(link).unwrap_or(link);
        if !link.contains('#') {
            let codes = self.facts().control_codes().await?;
            return Ok(codes
                .iter()
                .find(|c| c.as_str() == control)
                .map(|c| format!("{CONTROL_LINK}{c}")));
        }
        let Some((code, target)) = link.split_once('#') else {
            return Ok(None);
        };
        let Some(body) = self.linkable_body(code).await? else {
            return Ok(None);
        };
        if body.find(target).is_some() {
            return Ok(Some(format!("{code}#{target}")));
        }
        let flat = body.flatten();
        let mut by_label = flat.iter().filter(|f| f.label == target);
        Ok(match (by_label.next(), by_label.next()) {
            (Some(only), None) => Some(format!("{code}#{}", only.key)),
            _ => None,
        })
    }

    /// The text links resolve against: the version in force of document
    /// `code`, else its latest version.
    async fn linkable_body(&self, code: &str) -> Result<Option<Body>> {
        let doc = match self.facts().pdoc_by_code(code).await {
            Ok(d) => d,
            Err(mamori_store::StoreError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let version = match self.facts().pdoc_in_force(doc.id).await? {
            Some(v) => Some(v),
            None => self.facts().pdoc_latest(doc.id).await?,
        };
        Ok(match version {
            Some(v) => Some(self.facts().pdoc_body(&v).await?),
            None => None,
        })
    }

    /// How the caller reads each link of `links`: the document's title and the
    /// provision's label, and where it is; links into documents the caller may
    /// not read are left out (their existence is not told).
    pub async fn policy_link_names(
        &self,
        caller: &Caller,
        links: &[String],
    ) -> Result<Vec<LinkName>> {
        let mut bodies: HashMap<String, Option<Linked>> = HashMap::new();
        let mut names = Vec::new();
        for link in links {
            if let Some(control) = control_of(link) {
                names.push(LinkName {
                    link: link.clone(),
                    href: format!("/controls/{control}"),
                    document: String::new(),
                    label: control.to_string(),
                    heading: String::new(),
                });
                continue;
            }
            let Some((code, key)) = link.split_once('#') else {
                continue;
            };
            if !bodies.contains_key(code) {
                let readable = match self.pdoc_readable(caller, code).await {
                    Ok(d) => {
                        let version = match self.facts().pdoc_in_force(d.id).await? {
                            Some(v) => Some(v),
                            None => self.facts().pdoc_latest(d.id).await?,
                        };
                        match version {
                            Some(v) => {
                                let body = self.facts().pdoc_body(&v).await?;
                                Some((d, Some(v.number), body))
                            }
                            None => None,
                        }
                    }
                    Err(Error::Rejected(_) | Error::Forbidden) => None,
                    Err(e) => return Err(e),
                };
                bodies.insert(code.to_string(), readable);
            }
            let Some(Some((doc, number, body))) = bodies.get(code) else {
                continue;
            };
            let Some(p) = body.find(key) else {
                continue;
            };
            names.push(LinkName {
                link: link.clone(),
                href: match number {
                    Some(n) => format!("/policy-documents/{code}/versions/{n}#p-{key}"),
                    None => format!("/policy-documents/{code}"),
                },
                document: doc.title.clone(),
                label: p.label.clone(),
                heading: p.heading.clone(),
            });
        }
        Ok(names)
    }

    /// The coverage between the three levels, over the versions in force of the
    /// documents the caller may read.
    pub async fn policy_coverage(&self, caller: &Caller) -> Result<Coverage> {
        let scope = self.pdoc_scope(caller).await?;
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        let provisions = permit.store().pdoc_linked_provisions(&scope).await?;
        let controls = permit.store().control_codes().await?;
        Ok(coverage(&provisions, &controls))
    }

    /// Submits a draft for review.
    pub async fn submit_policy_doc(
        &self,
        caller: &Caller,
        code: &str,
        number: i64,
    ) -> Result<VersionRow> {
        let (doc, version, permit) = self
            .pdoc_for(caller, code, number, Action::EditPolicyDocument)
            .await?;
        Ok(permit
            .store()
            .pdoc_set_state(
                permit.actor(),
                &doc,
                &version,
                State::Draft,
                State::Review,
                Verb::Submit,
            )
            .await?)
    }

    /// Takes a version under review back to draft (to answer the review).
    pub async fn withdraw_policy_doc(
        &self,
        caller: &Caller,
        code: &str,
        number: i64,
    ) -> Result<VersionRow> {
        let (doc, version, permit) = self
            .pdoc_for(caller, code, number, Action::EditPolicyDocument)
            .await?;
        Ok(permit
            .store()
            .pdoc_set_state(
                permit.actor(),
                &doc,
                &version,
                State::Review,
                State::Draft,
                Verb::Update,
            )
            .await?)
    }

    /// A review comment on a provision (or on the whole version).
    pub async fn comment_policy_doc(
        &self,
        caller: &Caller,
        code: &str,
        number: i64,
        provision_key: Option<&str>,
        body: &str,
    ) -> Result<CommentRow> {
        let (doc, version, permit) = self
            .pdoc_for(caller, code, number, Action::ReviewPolicyDocument)
            .await?;
        if !version.state().is_draft() {
            return Err(state_problem(&version).into());
        }
        let body = body.trim();
        if body.is_empty() {
            return Err(Problem::new("MAMORI-INVALID")
                .field("body")
                .with("message", "コメントを入力してください")
                .with("message_en", "the comment is empty")
                .into());
        }
        if let Err(p) = check_text(body, mamori_core::text::MAX_TEXT_CHARS) {
            return Err(p.problem("body", "コメント", "comment").into());
        }
        let key = provision_key.filter(|k| !k.is_empty());
        if let Some(k) = key
            && permit.store().pdoc_body(&version).await?.find(k).is_none()
        {
            return Err(Error::not_found("provision", k));
        }
        Ok(permit
            .store()
            .pdoc_add_comment(
                permit.actor(),
                Some(caller.user.id),
                &doc,
                &version,
                key,
                body,
            )
            .await?)
    }

    /// Answers a comment (the editors) and/or resolves it (editors and reviewers).
    pub async fn answer_policy_comment(
        &self,
        caller: &Caller,
        code: &str,
        number: i64,
        comment_id: i64,
        answer: Option<&str>,
        resolve: bool,
    ) -> Result<CommentRow> {
        let action = if answer.is_some_and(|a| !a.trim().is_empty()) {
            Action::EditPolicyDocument
        } else {
            Action::ReviewPolicyDocument
        };
        let (doc, version, permit) = self.pdoc_for(caller, code, number, action).await?;
        if !version.state().is_draft() {
            return Err(state_problem(&version).into());
        }
        let comment = permit
            .store()
            .pdoc_comment(version.id, comment_id)
            .await
            .map_err(|_| Error::not_found("comment", comment_id))?;
        let answer = answer.map(str::trim).filter(|a| !a.is_empty());
        if let Some(a) = answer
            && let Err(p) = check_text(a, mamori_core::text::MAX_TEXT_CHARS)
        {
            return Err(p.problem("answer", "回答", "answer").into());
        }
        Ok(permit
            .store()
            .pdoc_answer_comment(permit.actor(), &doc, &version, &comment, answer, resolve)
            .await?)
    }

    /// Approves a version under review: who decided (the caller, who may not
    /// have drafted it), the body, the decision number, the date, and the
    /// effective date (not before the approval). The 附則 is written from these
    /// facts; a version whose date has come is in force at once.
    pub async fn approve_policy_doc(
        &self,
        caller: &Caller,
        code: &str,
        number: i64,
        input: &ApprovalInput,
    ) -> Result<VersionRow> {
        let doc = self.pdoc_readable(caller, code).await?;
        let (version, resource) = self.pdoc_version_readable(caller, &doc, number).await?;
        if version.drafted_by_user == Some(caller.user.id) {
            return Err(Problem::new("MAMORI-POLICY-SELF-APPROVAL").into());
        }
        let permit = self.permit(caller, Action::ApprovePolicyDocument, &resource)?;
        if version.state() != State::Review {
            return Err(state_problem(&version).into());
        }
        let mut problems = Vec::new();
        let approved = parse_date("approved_on", &input.approved_on).map_err(|p| problems.push(p));
        let effective =
            parse_date("effective_on", &input.effective_on).map_err(|p| problems.push(p));
        for (field, value, label, label_en) in [
            ("body", &input.body, "決定機関", "deciding body"),
            (
                "decision_number",
                &input.decision_number,
                "決定番号",
                "decision number",
            ),
        ] {
            if let Err(p) = check_line(value, MAX_LINE_CHARS) {
                problems.push(p.problem(field, label, label_en));
            }
        }
        if let (Ok(approved), Ok(effective)) = (approved, effective) {
            if approved > today_jst() {
                problems.push(
                    Problem::new("MAMORI-POLICY-APPROVED-IN-FUTURE")
                        .field("approved_on")
                        .with("approved", approved),
                );
            }
            if effective < approved {
                problems.push(
                    Problem::new("MAMORI-POLICY-EFFECTIVE-BEFORE-APPROVAL")
                        .field("effective_on")
                        .with("effective", effective)
                        .with("approved", approved),
                );
            }
        }
        let (Ok(approved_on), Ok(effective_on), true) = (approved, effective, problems.is_empty())
        else {
            return Err(Error::Rejected(problems));
        };
        let mut supplementary = Provision::new(Kind::Supplementary, "附則");
        supplementary.key = new_key();
        supplementary.text = enactment_line(doc.level(), effective_on);
        let approval = Approval {
            approver: caller.user.id,
            body: input.body.trim().to_string(),
            decision_number: input.decision_number.trim().to_string(),
            approved_on,
            effective_on,
            supplementary,
        };
        let approved = permit
            .store()
            .pdoc_approve(permit.actor(), &doc, &version, &approval)
            .await?;
        Ok(match self.pdoc_clock(&doc).await? {
            Some(v) if v.number == approved.number => v,
            _ => approved,
        })
    }

    /// Drafts a starting 対策基準 from the control catalogue, as document
    /// `code` (which must be new): one article a control, each naming its
    /// control and, where a basic policy is in force, its article 第8.
    pub async fn generate_standards(
        &self,
        caller: &Caller,
        code: &str,
        title: &str,
    ) -> Result<Imported> {
        let permit = self.permit_app(caller, Action::CreatePolicyDocument)?;
        let code = code.trim();
        check_code(code)?;
        match permit.store().pdoc_by_code(code).await {
            Ok(_) => {
                return Err(Problem::new("MAMORI-POLICY-CODE-TAKEN")
                    .field("code")
                    .with("code", code)
                    .into());
            }
            Err(mamori_store::StoreError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        let title = match title.trim() {
            "" => "情報セキュリティ対策基準",
            t => t,
        };
        let store = permit.store();
        let chapters = store.standard_chapters().await?;
        let mut controls = Vec::new();
        let mut page = 1;
        loop {
            let got = store
                .list_controls(
                    &mamori_store::catalogs::ControlFilter::default(),
                    PageRequest::new(Some(page), Some(500)),
                )
                .await?;
            let done =
                got.items.is_empty() || controls.len() + got.items.len() >= got.total as usize;
            controls.extend(got.items);
            if done {
                break;
            }
            page += 1;
        }
        let everything = DocScope {
            readerships: Readership::ALL.to_vec(),
            ..DocScope::default()
        };
        let implements = store
            .pdoc_linked_provisions(&everything)
            .await?
            .into_iter()
            .find(|p| {
                p.level == Level::Basic
                    && p.kind == Kind::Article
                    && (p.label == "第8" || p.label == "第8条")
            })
            .map(|p| format!("{}#{}", p.code, p.key));
        let body = standards_from_controls(
            title,
            &chapters
                .iter()
                .map(|c| ChapterSeed {
                    number: c.number,
                    name: &c.name,
                })
                .collect::<Vec<_>>(),
            &controls
                .iter()
                .map(|c| ControlSeed {
                    code: &c.code,
                    chapter: c.chapter,
                    name: &c.name,
                    description: &c.description,
                })
                .collect::<Vec<_>>(),
            implements.as_deref(),
        );
        let input = ImportInput {
            code: code.to_string(),
            level: Level::Standard.as_str().to_string(),
            title: Some(title.to_string()),
            format: Format::Reiki,
            text: String::new(),
        };
        add_version(&permit, Some(caller.user.id), None, &input, body).await
    }

    /// A new draft from the version in force, every provision keeping its key.
    pub async fn new_policy_draft(&self, caller: &Caller, code: &str) -> Result<VersionRow> {
        let doc = self.pdoc_readable(caller, code).await?;
        self.pdoc_clock(&doc).await?;
        let resource = self.pdoc_resource(&doc, None).await?;
        let permit = self.permit(caller, Action::EditPolicyDocument, &resource)?;
        let Some(base) = permit.store().pdoc_in_force(doc.id).await? else {
            return Err(Problem::new("MAMORI-POLICY-NO-BASE")
                .with("code", &doc.code)
                .into());
        };
        let body = permit.store().pdoc_body(&base).await?;
        Ok(permit
            .store()
            .pdoc_add_version(
                permit.actor(),
                Some(caller.user.id),
                &doc,
                Some(base.number),
                &body,
            )
            .await?)
    }
}

fn state_problem(version: &VersionRow) -> Problem {
    let state = version.state();
    Problem::new("MAMORI-POLICY-STATE")
        .with("number", version.number)
        .with("state", state.name_ja())
        .with("state_en", state.name_en())
}

async fn create_doc(permit: &Permit<'_>, input: &DocumentInput) -> Result<DocumentRow> {
    let mut problems = Vec::new();
    if let Err(p) = check_code(input.code.trim()) {
        problems.push(p);
    }
    let level = Level::parse(&input.level);
    if level.is_none() {
        problems.push(
            Problem::new("MAMORI-POLICY-LEVEL")
                .field("level")
                .with("value", input.level.chars().take(40).collect::<String>()),
        );
    }
    let title = input.title.trim();
    if title.is_empty() {
        problems.push(
            Problem::new("MAMORI-INVALID")
                .field("title")
                .with("message", "題名を入力してください")
                .with("message_en", "the title is empty"),
        );
    } else if let Err(p) = check_line(title, MAX_LINE_CHARS) {
        problems.push(p.problem("title", "題名", "title"));
    }
    let readership = if input.readership.trim().is_empty() {
        level.map(Level::default_readership)
    } else {
        let r = Readership::parse(&input.readership);
        if r.is_none() {
            problems.push(
                Problem::new("MAMORI-POLICY-READERSHIP")
                    .field("readership")
                    .with(
                        "value",
                        input.readership.chars().take(40).collect::<String>(),
                    ),
            );
        }
        r
    };
    let (Some(level), Some(readership), true) = (level, readership, problems.is_empty()) else {
        return Err(Error::Rejected(problems));
    };
    let store: &Store = permit.store();
    if level == Level::Basic
        && let Some(existing) = store
            .pdoc_list(
                &DocScope {
                    readerships: Readership::ALL.to_vec(),
                    ..DocScope::default()
                },
                PageRequest::new(Some(1), Some(PageRequest::MAX_PER_PAGE)),
            )
            .await?
            .items
            .into_iter()
            .find(|d| d.level() == Level::Basic)
    {
        return Err(Problem::new("MAMORI-POLICY-ONE-BASIC")
            .with("code", existing.code)
            .into());
    }
    Ok(store
        .pdoc_create(
            permit.actor(),
            &NewDocument {
                code: input.code.trim().to_string(),
                level,
                title: title.to_string(),
                unit_id: input.unit_id,
                system_id: input.system_id,
                readership,
                needs_acknowledgement: input.needs_acknowledgement,
            },
        )
        .await?)
}

/// Reads the file, creates the document if new, and adds the file as a new
/// draft whose provisions keep the keys of the version it amends.
async fn import_into(
    permit: &Permit<'_>,
    drafter: Option<i64>,
    doc: Option<DocumentRow>,
    input: &ImportInput,
) -> Result<Imported> {
    let level = Level::parse(&input.level).ok_or_else(|| {
        Error::problem(
            Problem::new("MAMORI-POLICY-LEVEL")
                .field("level")
                .with("value", input.level.chars().take(40).collect::<String>()),
        )
    })?;
    if let Some(d) = &doc
        && d.level() != level
    {
        return Err(Problem::new("MAMORI-POLICY-LEVEL-MISMATCH")
            .field("level")
            .with("code", &d.code)
            .with("level", &d.level)
            .into());
    }
    check_code(input.code.trim())?;
    let body = parse(&input.text, input.format).map_err(line_problems)?;
    add_version(permit, drafter, doc, input, body).await
}

/// Adds `body` as a new draft of the document (created if new), its provisions
/// matched to the version it amends.
async fn add_version(
    permit: &Permit<'_>,
    drafter: Option<i64>,
    doc: Option<DocumentRow>,
    input: &ImportInput,
    mut body: Body,
) -> Result<Imported> {
    if let Some(t) = input
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        body.title = t.to_string();
    }
    if body.title.is_empty() {
        body.title = input.code.trim().to_string();
    }
    let store = permit.store();
    let (doc, created) = match doc {
        Some(d) => (d, false),
        None => {
            let d = create_doc(
                permit,
                &DocumentInput {
                    code: input.code.clone(),
                    level: input.level.clone(),
                    title: body.title.clone(),
                    ..DocumentInput::default()
                },
            )
            .await?;
            (d, true)
        }
    };
    store
        .pdoc_bring_into_force(&Actor::System("policy-clock"), &doc, today_jst())
        .await?;
    let base = match store.pdoc_in_force(doc.id).await? {
        Some(v) => Some(v),
        None => store.pdoc_latest(doc.id).await?,
    };
    let previous = match &base {
        Some(v) => Some(store.pdoc_body(v).await?),
        None => None,
    };
    assign_keys(&mut body, previous.as_ref());
    let (articles, provisions) = body.counts();
    let version = store
        .pdoc_add_version(
            permit.actor(),
            drafter,
            &doc,
            base.as_ref().map(|v| v.number),
            &body,
        )
        .await?;
    Ok(Imported {
        document: doc,
        version,
        articles,
        provisions,
        created,
    })
}
