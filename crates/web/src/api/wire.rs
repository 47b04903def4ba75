//! The API's wire types: what a JSON answer or body looks like, documented in
//! the OpenAPI document. The store's records are converted into them (`From`)
//! at the edge, so the store knows nothing of the API's description; the field
//! names, order and attributes are those of the answers as they have always been.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use mamori_store as store;

/// An answer type, field for field from a store record.
macro_rules! answer {
    ($(#[$m:meta])* pub struct $name:ident from $src:path {
        $($(#[$fm:meta])* pub $f:ident : $t:ty),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
        pub struct $name { $($(#[$fm])* pub $f: $t),* }

        impl From<$src> for $name {
            fn from(v: $src) -> Self {
                Self { $($f: v.$f),* }
            }
        }
    };
}

/// A body type, field for field into a store input.
macro_rules! body {
    ($(#[$m:meta])* pub struct $name:ident into $dst:path {
        $($(#[$fm:meta])* pub $f:ident : $t:ty),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Deserialize, ToSchema)]
        pub struct $name { $($(#[$fm])* pub $f: $t),* }

        impl From<$name> for $dst {
            fn from(v: $name) -> Self {
                Self { $($f: v.$f),* }
            }
        }
    };
}

/// A collection's items converted one by one.
pub(crate) fn items<S, W: From<S>>(items: Vec<S>) -> Vec<W> {
    items.into_iter().map(W::from).collect()
}

// --- Catalogues ---

answer! {
    /// A policy document as listed.
    pub struct PolicyDocumentRow from store::catalogs::PolicyDocumentRow {
        pub id: i64,
        pub code: String,
        pub level: String,
        pub parent_id: Option<i64>,
        pub title: String,
        pub title_en: String,
    }
}

/// An article of a policy document with its numbered items.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ArticleView {
    pub id: i64,
    pub label: String,
    pub number: i64,
    pub heading: String,
    pub heading_en: String,
    pub body: String,
    pub items: Vec<ItemRow>,
}

impl From<store::catalogs::ArticleView> for ArticleView {
    fn from(v: store::catalogs::ArticleView) -> Self {
        ArticleView {
            id: v.id,
            label: v.label,
            number: v.number,
            heading: v.heading,
            heading_en: v.heading_en,
            body: v.body,
            items: items(v.items),
        }
    }
}

answer! {
    /// A numbered item of an article.
    pub struct ItemRow from store::catalogs::ItemRow {
        pub label: String,
        pub number: i64,
        pub heading: Option<String>,
        pub heading_en: Option<String>,
        pub body: String,
    }
}

answer! {
    /// A revision (附則) of a policy document.
    pub struct RevisionRow from store::catalogs::RevisionRow {
        pub label: String,
        /// ISO date on which the revision came into force.
        pub effective: String,
        pub text: String,
    }
}

/// A whole policy document.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PolicyDocumentView {
    #[serde(flatten)]
    pub document: PolicyDocumentRow,
    pub articles: Vec<ArticleView>,
    pub revisions: Vec<RevisionRow>,
}

impl From<store::catalogs::PolicyDocumentView> for PolicyDocumentView {
    fn from(v: store::catalogs::PolicyDocumentView) -> Self {
        PolicyDocumentView {
            document: v.document.into(),
            articles: items(v.articles),
            revisions: items(v.revisions),
        }
    }
}

answer! {
    /// A category of threats (an item of 第7).
    pub struct ThreatCategoryRow from store::catalogs::ThreatCategoryRow {
        pub code: String,
        pub article_item: i64,
        pub name: String,
        pub name_en: String,
        pub description: String,
        pub description_en: String,
    }
}

answer! {
    /// A threat of the catalogue.
    pub struct ThreatRow from store::catalogs::ThreatRow {
        pub id: i64,
        pub code: String,
        pub category: String,
        pub name: String,
        pub name_en: String,
        pub description: String,
        pub description_en: String,
        pub generic: bool,
        pub builtin: bool,
    }
}

answer! {
    /// A category of countermeasures (an item of 第8).
    pub struct ControlCategoryRow from store::catalogs::ControlCategoryRow {
        pub code: String,
        pub article_item: i64,
        pub name: String,
        pub name_en: String,
        pub description: String,
        pub description_en: String,
    }
}

answer! {
    /// A control of the catalogue, with the codes of the threats it mitigates.
    pub struct ControlView from store::catalogs::ControlView {
        pub id: i64,
        pub code: String,
        pub category: String,
        pub chapter: i64,
        pub name: String,
        pub name_en: String,
        pub description: String,
        pub threats: Vec<String>,
    }
}

// --- Organisation ---

answer! {
    /// A unit of the organisation.
    pub struct Unit from store::units::Unit {
        pub id: i64,
        pub parent_id: Option<i64>,
        pub code: String,
        pub name: String,
        pub name_en: String,
        pub kind: String,
        /// `/1/5/12/`: the ids from the root down to this unit.
        pub path: String,
        pub active: bool,
        pub created_at: String,
        pub updated_at: String,
        /// The date (YYYY-MM-DD) the unit was abolished; it stays in the history.
        #[serde(default)]
        pub abolished_on: Option<String>,
        /// The unit it was merged into, when abolished by a merge.
        #[serde(default)]
        pub merged_into: Option<i64>,
    }
}

answer! {
    /// A user as shown and logged (never with its password hash).
    pub struct User from store::users::User {
        pub id: i64,
        pub username: String,
        pub display_name: String,
        pub email: Option<String>,
        pub unit_id: Option<i64>,
        pub active: bool,
        pub must_change_password: bool,
        pub roles: Vec<String>,
        /// The employment type code (see `mamori_core::org::EmploymentType`).
        #[serde(default)]
        pub employment_type: String,
        /// 職名 (e.g. 課長, 主事).
        #[serde(default)]
        pub position: String,
        /// 職員番号: the HR system's number, by which an import finds the person again.
        #[serde(default)]
        pub staff_number: Option<String>,
        pub created_at: String,
        pub updated_at: String,
    }
}

answer! {
    /// A guideline role held by a user for a scope, from a start date to an end date
    /// (inclusive; open when `ends_on` is empty).
    pub struct RoleAssignment from store::org::RoleAssignment {
        pub id: i64,
        pub user_id: i64,
        pub username: String,
        pub display_name: String,
        /// A code of `mamori_core::org::GUIDELINE_ROLES`.
        pub role: String,
        /// The unit the role is held for (unit-scoped roles).
        pub unit_id: Option<i64>,
        pub unit_name: Option<String>,
        /// The information system (asset id) the role is held for (system-scoped roles).
        pub system_id: Option<i64>,
        pub starts_on: String,
        pub ends_on: Option<String>,
        pub note: String,
        pub created_at: String,
        pub updated_at: String,
    }
}

body! {
    /// What is needed to assign a role.
    pub struct NewRoleAssignment into store::org::NewRoleAssignment {
        pub user_id: i64,
        pub role: String,
        pub unit_id: Option<i64>,
        pub system_id: Option<i64>,
        /// YYYY-MM-DD
        pub starts_on: String,
        /// YYYY-MM-DD, inclusive; empty for an open end.
        pub ends_on: Option<String>,
        #[serde(default)]
        pub note: String,
    }
}

answer! {
    /// An acknowledgement campaign for one revision of a policy document.
    pub struct AckCampaign from store::org::AckCampaign {
        pub id: i64,
        /// The revision (附則 row) of the built-in catalogue asked for; null for
        /// a version of a policy document (document_code, version_number).
        pub revision_id: Option<i64>,
        pub document_code: String,
        pub version_number: Option<i64>,
        pub title: String,
        pub document_title: String,
        pub revision_label: String,
        pub effective: String,
        pub due_on: Option<String>,
        pub opened_by: String,
        pub opened_at: String,
        /// Requests sent (one per active user at opening).
        pub requested: i64,
        pub confirmed: i64,
    }
}

body! {
    /// What is needed to open a campaign.
    pub struct NewAckCampaign into store::org::NewAckCampaign {
        /// A row of the document's revisions (附則).
        pub revision_id: i64,
        pub title: String,
        /// YYYY-MM-DD
        pub due_on: Option<String>,
    }
}

answer! {
    /// The confirmation rate of one unit in a campaign.
    pub struct UnitAckRate from store::org::UnitAckRate {
        pub unit_id: Option<i64>,
        pub unit_name: Option<String>,
        pub requested: i64,
        pub confirmed: i64,
    }
}

answer! {
    /// A request of a campaign, with who it is for.
    pub struct AckRequest from store::org::AckRequest {
        pub campaign_id: i64,
        pub campaign_title: String,
        pub user_id: i64,
        pub username: String,
        pub display_name: String,
        pub unit_id: Option<i64>,
        pub unit_name: Option<String>,
        pub due_on: Option<String>,
        pub confirmed_at: Option<String>,
        /// The code of the document to be confirmed.
        pub document_code: Option<String>,
        /// The version of a policy document kept as versions (null: the built-in catalogue's).
        pub version_number: Option<i64>,
    }
}

answer! {
    /// A revision (附則) of a policy document: what an acknowledgement campaign is about.
    pub struct PolicyRevision from store::org::PolicyRevision {
        pub id: i64,
        pub document_code: String,
        pub document_title: String,
        pub label: String,
        pub effective: String,
    }
}

// --- Event log ---

/// One stored event, with the person who acted.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Event {
    pub seq: i64,
    pub at: String,
    /// The actor as logged (and hashed): `user:{id}:{username}`, `system:{part}`.
    pub actor: String,
    /// Who acted, in words: the person's display name (as the register has
    /// it now), or `Mamori ({part})` for Mamori itself, or the name the log
    /// kept for a user since removed.
    pub actor_name: String,
    /// The acting person's unit, when they have one.
    pub actor_unit: Option<String>,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<mamori_app::events::LogEntry> for Event {
    fn from(entry: mamori_app::events::LogEntry) -> Self {
        let v = entry.event;
        let (actor_name, actor_unit) = match entry.person {
            Some(p) => (p.display_name, p.unit_name),
            None => match v.actor.strip_prefix("system:") {
                Some(part) => (format!("Mamori ({part})"), None),
                None => (
                    v.actor
                        .splitn(3, ':')
                        .nth(2)
                        .unwrap_or(v.actor.as_str())
                        .to_string(),
                    None,
                ),
            },
        };
        Event {
            seq: v.seq,
            at: v.at,
            actor: v.actor,
            actor_name,
            actor_unit,
            entity: v.entity,
            entity_id: v.entity_id,
            action: v.action,
            before_json: v.before_json,
            after_json: v.after_json,
            prev_hash: v.prev_hash,
            hash: v.hash,
        }
    }
}

// --- Segments and systems ---

answer! {
    /// A network segment (マイナンバー利用事務系, LGWAN接続系, インターネット接続系 …).
    pub struct Segment from store::assets::Segment {
        pub id: i64,
        pub name: String,
        pub name_en: String,
        /// `mynumber`, `lgwan`, `internet`, or a city's own.
        pub role: String,
        /// Address ranges, one a line.
        pub ranges: String,
        pub description: String,
        /// The device interfaces or zones that face the segment, one a line.
        pub interfaces: String,
        pub created_at: String,
        pub updated_at: String,
    }
}

/// A segment with what refers to it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SegmentUsage {
    #[serde(flatten)]
    pub segment: Segment,
    pub systems: i64,
    pub assets: i64,
}

impl From<store::assets::SegmentUsage> for SegmentUsage {
    fn from(v: store::assets::SegmentUsage) -> Self {
        SegmentUsage {
            segment: v.segment.into(),
            systems: v.systems,
            assets: v.assets,
        }
    }
}

answer! {
    /// What saving a segments file changed in the record of segments.
    pub struct SegmentSync from store::assets::SegmentSync {
        /// Names of the segments the file added.
        pub created: Vec<String>,
        /// Names of the segments whose role, ranges or interfaces changed.
        pub updated: Vec<String>,
        /// Segments on record that the file does not declare: kept, because
        /// assets and systems may refer to them.
        pub not_in_file: Vec<String>,
    }
}

answer! {
    /// An information system with the names of its unit and segment, for lists.
    pub struct SystemLine from store::assets::SystemLine {
        pub id: i64,
        pub code: String,
        pub name: String,
        pub owner_unit_code: Option<String>,
        pub owner_unit_name: Option<String>,
        pub segment_name: Option<String>,
        pub segment_role: Option<String>,
        pub description: String,
    }
}

// --- Network checks ---

answer! {
    /// A check as listed.
    pub struct RunSummary from store::netcheck::RunSummary {
        pub id: i64,
        pub device: String,
        /// The configuration files checked, comma-separated.
        pub files: String,
        pub model: String,
        pub at: String,
        pub actor: String,
        pub clean: bool,
        pub complete: bool,
        pub violations: i64,
        pub shadowed: i64,
        pub config_sha256: String,
    }
}

// --- Training ---

answer! {
    /// A course.
    pub struct Course from store::training::Course {
        pub id: i64,
        /// The code an e-learning system's export names the course by.
        pub code: String,
        pub title: String,
        pub title_en: String,
        pub description: String,
        /// yearly, new_staff, my_number, managers, drill or other
        pub kind: String,
        /// How many months a completion stays valid; empty: for good.
        pub valid_months: Option<i64>,
        pub created_at: String,
        pub updated_at: String,
    }
}

body! {
    /// Changes to a course's names and description (code, kind and validity
    /// stay: completions and assignments are counted by them).
    #[derive(Default)]
    pub struct CourseUpdate into store::training::CourseUpdate {
        pub title: Option<String>,
        pub title_en: Option<String>,
        pub description: Option<String>,
    }
}

body! {
    /// What is needed to create a course.
    pub struct NewCourse into store::training::NewCourse {
        pub code: String,
        pub title: String,
        #[serde(default)]
        pub title_en: String,
        #[serde(default)]
        pub description: String,
        /// yearly, new_staff, my_number, managers, drill or other
        pub kind: String,
        /// 1–120 months; empty: a completion counts for good.
        pub valid_months: Option<i64>,
    }
}

answer! {
    /// An assignment of a course, with its counts.
    pub struct TrainingAssignment from store::training::TrainingAssignment {
        pub id: i64,
        pub course_id: i64,
        pub course_code: String,
        pub course_title: String,
        /// everyone, role, unit or employment_type
        pub target_kind: String,
        /// The role code, unit id or employment type code (empty for everyone).
        pub target: String,
        pub due_on: String,
        /// The first completion date that counts (the due date less the course's
        /// validity); empty: any completion counts.
        pub counts_from: Option<String>,
        pub note: String,
        pub assigned_by: String,
        pub assigned_at: String,
        pub requested: i64,
        pub completed: i64,
    }
}

body! {
    /// What is needed to assign a course.
    pub struct NewTrainingAssignment into store::training::NewTrainingAssignment {
        pub course_id: i64,
        /// everyone, role, unit or employment_type
        pub target_kind: String,
        /// A guideline role code, a unit id, or an employment type code.
        #[serde(default)]
        pub target: String,
        /// YYYY-MM-DD
        pub due_on: String,
        #[serde(default)]
        pub note: String,
    }
}

answer! {
    /// What one person is asked to take, and whether they have.
    pub struct TrainingRequest from store::training::TrainingRequest {
        pub assignment_id: i64,
        pub course_id: i64,
        pub course_code: String,
        pub course_title: String,
        pub user_id: i64,
        pub username: String,
        pub display_name: String,
        pub unit_id: Option<i64>,
        pub unit_name: Option<String>,
        pub due_on: String,
        pub completed_on: Option<String>,
    }
}

answer! {
    /// A completion of a course by a person.
    pub struct Completion from store::training::Completion {
        pub id: i64,
        pub course_id: i64,
        pub course_code: String,
        pub user_id: i64,
        pub username: String,
        pub completed_on: String,
        /// entered, self or import
        pub source: String,
        pub recorded_by: String,
        pub recorded_at: String,
    }
}

body! {
    /// What is needed to record a completion.
    pub struct NewCompletion into store::training::NewCompletion {
        pub user_id: i64,
        pub course_id: i64,
        /// YYYY-MM-DD, not after today.
        pub completed_on: String,
    }
}

answer! {
    /// The completion rate and the overdue count of one unit.
    pub struct UnitTrainingRate from store::training::UnitTrainingRate {
        pub unit_id: Option<i64>,
        pub unit_name: Option<String>,
        pub requested: i64,
        pub completed: i64,
        pub overdue: i64,
    }
}

/// What an import of completions did, or why it did nothing.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CompletionImportReport {
    /// Data rows read (blank rows are skipped).
    pub rows: usize,
    /// Completions recorded.
    pub recorded: usize,
    /// Rows already recorded (or repeated in the file).
    pub unchanged: usize,
    /// Open requests the new completions closed.
    pub requests_closed: u64,
    /// True when every row was written; false when nothing was.
    pub written: bool,
    /// The first [`crate::assets::REPORTED_ISSUES`] errors (`errors_total` counts them all).
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<store::assets::ImportIssue>,
    /// How many errors there were, listed or not.
    #[serde(default)]
    pub errors_total: usize,
    /// True when the file could not be read at all (not a spreadsheet, damaged,
    /// or beyond an import limit): nothing in it was checked.
    #[serde(default)]
    pub unreadable: bool,
}

impl From<store::training::CompletionImportReport> for CompletionImportReport {
    fn from(v: store::training::CompletionImportReport) -> Self {
        CompletionImportReport {
            rows: v.rows,
            recorded: v.recorded,
            unchanged: v.unchanged,
            requests_closed: v.requests_closed,
            written: v.written,
            errors: v.errors,
            errors_total: v.errors_total,
            unreadable: v.unreadable,
        }
    }
}
