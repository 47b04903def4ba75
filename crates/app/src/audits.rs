//! Audits and self-inspections (第10): checklist templates drawn from the
//! control catalogue, self-inspection campaigns over units or information
//! systems, each questionnaire answered (saved with a revision, submitted) by
//! the unit's or system's managers, returned and reminded by the security
//! office, the offline .xlsx questionnaire, and the results (per unit, per
//! chapter, per item, the whole campaign, the previous campaign beside).

use std::collections::{HashMap, HashSet};

use mamori_authz::{Action, Resource};
use mamori_core::audit::{
    Answer, ChecklistSource, Method, TargetKind, TargetState, answers_text, control_provision,
    parse_answers,
};
use mamori_core::problem::Problem;
use mamori_store::audits::{
    AnswerEvidence, AnswerInput, AnswerRow, CampaignTotals, ChecklistInput, ChecklistItem,
    ChecklistRow, InspectionInput, InspectionRow, ItemInput, ScoreRow, TargetFilter, TargetRow,
    TrendRow,
};
use mamori_store::catalogs::ControlFilter;
use mamori_store::units::parse_path;
use mamori_store::{Page, PageRequest};

use crate::access::{App, Caller};
use crate::error::{Error, Result};
use crate::systems::entered_date;

/// A new checklist template: its items drawn from the control catalogue (the
/// live controls of the chapters chosen; none chosen: every chapter).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct ChecklistForm {
    pub name: String,
    pub description: String,
    /// controls (the control catalogue).
    pub source: String,
    pub chapters: Vec<i64>,
    /// Whether the drawn items are mandatory (each can be changed after).
    pub mandatory: bool,
}

/// One item as entered.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct ItemForm {
    pub provision: String,
    pub question: String,
    pub mandatory: bool,
    pub evidence_hint: String,
    pub method: String,
    /// Answer codes allowed (empty: all four).
    pub answers: Vec<String>,
}

/// A checklist with its items.
#[derive(Debug, Clone)]
pub struct ChecklistView {
    pub checklist: ChecklistRow,
    pub items: Vec<ChecklistItem>,
    pub may_edit: bool,
}

/// What the security office enters to open a campaign.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct InspectionForm {
    pub title: String,
    pub checklist_id: i64,
    /// unit or system.
    pub target_kind: String,
    pub target_ids: Vec<i64>,
    pub deadline: String,
}

/// A campaign's page: its progress per unit (one page of them).
#[derive(Debug, Clone)]
pub struct InspectionView {
    pub inspection: InspectionRow,
    pub targets: Page<TargetRow>,
    pub may_manage: bool,
}

/// One answer as entered (text as the form, the API or the sheet sends it).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct AnswerForm {
    pub item_id: i64,
    pub answer: String,
    #[serde(default)]
    pub comment: String,
}

/// A unit's questionnaire: the items with the answers saved so far.
#[derive(Debug, Clone)]
pub struct QuestionnaireView {
    pub inspection: InspectionRow,
    pub target: TargetRow,
    pub items: Vec<ChecklistItem>,
    pub answers: HashMap<i64, AnswerRow>,
    /// The evidence attached to the answers, by item.
    pub evidence: Vec<AnswerEvidence>,
    /// Open, before the deadline, not submitted, and the person may answer.
    pub may_answer: bool,
    pub may_return: bool,
}

/// A questionnaire a person has to answer or may read.
#[derive(Debug, Clone)]
pub struct OpenQuestionnaire {
    pub inspection: InspectionRow,
    pub target: TargetRow,
    /// The person answers it (else: reads it, as staff of the unit do).
    pub may_answer: bool,
}

/// The figures of a campaign.
#[derive(Debug, Clone)]
pub struct ResultsView {
    pub inspection: InspectionRow,
    pub totals: CampaignTotals,
    pub chapters: Vec<ScoreRow>,
    pub weakest: Vec<ScoreRow>,
    /// The previous campaign of the same template, with its figures.
    pub previous: Option<(InspectionRow, CampaignTotals, Vec<ScoreRow>)>,
    /// The campaigns of the same template up to this one, oldest first, with
    /// their totals (the trend of the city's score).
    pub trend: Vec<TrendRow>,
}

/// Where the n-th answer was entered: its sheet row (if any) and field.
type FieldOf<'a> = dyn Fn(usize, &str) -> (Option<u64>, String) + 'a;

fn check_item(
    form: &ItemForm,
    live_controls: &HashSet<String>,
) -> std::result::Result<ItemInput, Vec<Problem>> {
    let mut problems = Vec::new();
    let question = form.question.trim().to_string();
    if question.is_empty() {
        problems.push(Problem::new("MAMORI-CHECKLIST-QUESTION-EMPTY").field("question"));
    }
    let method = match Method::parse_loose(&form.method) {
        Some(m) => m,
        None => {
            problems.push(
                Problem::new("MAMORI-CHECKLIST-METHOD")
                    .field("method")
                    .with("method", form.method.trim()),
            );
            Method::Document
        }
    };
    let mut answers = Vec::new();
    for a in &form.answers {
        match Answer::parse_loose(a) {
            Some(x) if !answers.contains(&x) => answers.push(x),
            Some(_) => {}
            None => problems.push(
                Problem::new("MAMORI-CHECKLIST-ANSWERS")
                    .field("answers")
                    .with("answers", a.trim()),
            ),
        }
    }
    let provision = form.provision.trim().to_string();
    let names_standard = !provision.starts_with("control:")
        && matches!(
            mamori_core::ops::exception::Deviation::parse(&provision),
            Some(mamori_core::ops::exception::Deviation::Provision { .. })
        );
    let chapter = match provision.strip_prefix("control:") {
        Some(code) if live_controls.contains(code) => chapter_of_code(code),
        // A provision of a standards document (CODE#KEY): its chapter is kept
        // from the item it replaces.
        None if names_standard => 0,
        _ => {
            problems.push(
                Problem::new("MAMORI-CHECKLIST-PROVISION")
                    .field("provision")
                    .with("provision", &provision),
            );
            0
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ItemInput {
        provision,
        chapter,
        question,
        mandatory: form.mandatory,
        evidence_hint: form.evidence_hint.trim().to_string(),
        method: method.code().to_string(),
        answers: answers_text(if answers.is_empty() {
            Answer::ALL
        } else {
            &answers
        }),
    })
}

/// The chapter of a built-in control code (S<chapter>-<serial>); 0 for the
/// city's own (C-<serial>), whose chapter is read from the catalogue instead.
fn chapter_of_code(code: &str) -> i64 {
    code.strip_prefix('S')
        .and_then(|rest| rest.split('-').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

impl App {
    /// The resource a questionnaire is for the policy: its unit, or its
    /// information system.
    async fn target_resource(&self, target: &TargetRow) -> Result<Resource> {
        if let Some(system) = target.system_id {
            let s = self.facts().system(system).await?;
            return self.system_resource(&s).await;
        }
        let unit = target.unit_id.unwrap_or(0);
        Ok(Resource::Unit {
            lineage: parse_path(&self.facts().unit(unit).await?.path),
        })
    }

    /// Whether the person may keep checklists and run campaigns.
    pub fn may_manage_audits(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::ManageAudits)
    }

    /// Whether the person may read every campaign's results.
    pub fn may_read_audit_results(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::ReadAuditResults)
    }

    /// The live controls of the catalogue (code → chapter).
    async fn live_controls(&self) -> Result<Vec<(String, i64, String, String)>> {
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            let found = self
                .facts()
                .list_controls(
                    &ControlFilter::default(),
                    PageRequest::new(Some(page), Some(PageRequest::MAX_PER_PAGE)),
                )
                .await?;
            let n = found.items.len();
            for c in found.items {
                out.push((c.code, c.chapter, c.name, c.description));
            }
            if n < PageRequest::MAX_PER_PAGE as usize {
                break;
            }
            page += 1;
        }
        let codes: Vec<String> = out.iter().map(|c| c.0.clone()).collect();
        let live: HashSet<String> = self
            .facts()
            .live_control_codes(&codes)
            .await?
            .into_iter()
            .collect();
        out.retain(|c| live.contains(&c.0));
        Ok(out)
    }

    // ------------------------------------------------------------ checklists

    /// One page of the checklist templates.
    pub async fn checklist_list(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> Result<Page<ChecklistRow>> {
        let permit = self.permit_app(caller, Action::ReadAuditResults)?;
        Ok(permit.store().list_checklists(page).await?)
    }

    /// A checklist with its items.
    pub async fn checklist_view(&self, caller: &Caller, id: i64) -> Result<ChecklistView> {
        let permit = self.permit_app(caller, Action::ReadAuditResults)?;
        let checklist = permit.store().checklist(id).await?;
        let items = permit.store().checklist_items(id).await?;
        Ok(ChecklistView {
            may_edit: !checklist.frozen && self.may_manage_audits(caller),
            checklist,
            items,
        })
    }

    /// Creates a template, its items drawn from the control catalogue.
    pub async fn create_checklist(
        &self,
        caller: &Caller,
        form: &ChecklistForm,
    ) -> Result<ChecklistRow> {
        let permit = self.permit_app(caller, Action::ManageAudits)?;
        let mut problems = Vec::new();
        let name = form.name.trim().to_string();
        if name.is_empty() {
            problems.push(Problem::new("MAMORI-CHECKLIST-NAME-EMPTY").field("name"));
        }
        let source = form.source.trim();
        let source = if source.is_empty() {
            "controls"
        } else {
            source
        };
        let wanted = source.parse::<ChecklistSource>();
        if wanted.is_err() {
            problems.push(
                Problem::new("MAMORI-CHECKLIST-SOURCE")
                    .field("source")
                    .with("source", source),
            );
        }
        // --- h14: from the standards document in force (each item names the
        // provision it checks); none in force: from the control catalogue.
        if wanted == Ok(ChecklistSource::Policy) {
            let items = self.standards_items(caller, form).await?;
            if !items.is_empty() {
                if !problems.is_empty() {
                    return Err(Error::Rejected(problems));
                }
                let input = ChecklistInput {
                    name,
                    description: form.description.trim().to_string(),
                    source: ChecklistSource::Policy.code().to_string(),
                };
                return Ok(permit
                    .store()
                    .create_checklist(permit.actor(), &input, &items)
                    .await?);
            }
        }
        let items: Vec<ItemInput> = self
            .live_controls()
            .await?
            .into_iter()
            .filter(|c| form.chapters.is_empty() || form.chapters.contains(&c.1))
            .map(|(code, chapter, name, description)| ItemInput {
                provision: control_provision(&code),
                chapter,
                question: format!("「{name}」を実施していますか。"),
                mandatory: form.mandatory,
                evidence_hint: description,
                method: Method::Document.code().to_string(),
                answers: answers_text(Answer::ALL),
            })
            .collect();
        if items.is_empty() && problems.is_empty() {
            problems.push(Problem::new("MAMORI-CHECKLIST-EMPTY").field("chapters"));
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        let input = ChecklistInput {
            name,
            description: form.description.trim().to_string(),
            source: ChecklistSource::Controls.code().to_string(),
        };
        Ok(permit
            .store()
            .create_checklist(permit.actor(), &input, &items)
            .await?)
    }

    /// The items of a checklist drawn from the articles of the standards
    /// documents (対策基準) in force that the person may read: one item per
    /// article, naming it (`CODE#KEY`), its chapter the article's chapter in
    /// the document (the chapters chosen only; none chosen: all). Empty when
    /// no standards document is in force.
    // --- h14 ---
    async fn standards_items(
        &self,
        caller: &Caller,
        form: &ChecklistForm,
    ) -> Result<Vec<ItemInput>> {
        use mamori_core::policy_doc::coverage::control_of;
        use mamori_core::policy_doc::{Kind, Level};
        let scope = self.pdoc_scope(caller).await?;
        let provisions = self.facts().pdoc_linked_provisions(&scope).await?;
        let mut out = Vec::new();
        let (mut doc, mut chapter) = (String::new(), 0_i64);
        for p in provisions.iter().filter(|p| p.level == Level::Standard) {
            if p.code != doc {
                doc = p.code.clone();
                chapter = 0;
            }
            match p.kind {
                Kind::Chapter => chapter += 1,
                Kind::Article => {
                    if !form.chapters.is_empty() && !form.chapters.contains(&chapter) {
                        continue;
                    }
                    let what = if p.heading.trim().is_empty() {
                        format!("{} {}", p.title, p.label)
                    } else {
                        format!("{}「{}」", p.label, p.heading)
                    };
                    let controls: Vec<&str> =
                        p.links.iter().filter_map(|l| control_of(l)).collect();
                    out.push(ItemInput {
                        provision: format!("{}#{}", p.code, p.key),
                        chapter,
                        question: format!("{what}に定める対策を実施していますか。"),
                        mandatory: form.mandatory,
                        evidence_hint: if controls.is_empty() {
                            format!("{} {}", p.title, p.label)
                        } else {
                            format!("{} {}（対策: {}）", p.title, p.label, controls.join("、"))
                        },
                        method: Method::Document.code().to_string(),
                        answers: answers_text(Answer::ALL),
                    });
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Changes item `position` of a template (None: adds one at the end).
    pub async fn save_checklist_item(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        position: Option<i64>,
        form: &ItemForm,
    ) -> Result<ChecklistRow> {
        let permit = self.permit_app(caller, Action::ManageAudits)?;
        let controls = self.live_controls().await?;
        let live: HashSet<String> = controls.iter().map(|c| c.0.clone()).collect();
        let mut item = check_item(form, &live).map_err(Error::Rejected)?;
        if let Some(code) = item.provision.strip_prefix("control:")
            && let Some(c) = controls.iter().find(|c| c.0 == code)
        {
            item.chapter = c.1;
        } else if !item.provision.starts_with("control:")
            && let Some(pos) = position
            && let Some(old) = permit
                .store()
                .checklist_items(id)
                .await?
                .into_iter()
                .find(|i| i.position == pos)
        {
            item.chapter = old.chapter;
        }
        Ok(permit
            .store()
            .save_checklist_item(permit.actor(), id, revision, position, &item)
            .await?)
    }

    // ------------------------------------------------------------ campaigns

    /// Opens a campaign: the checklist is frozen with it.
    pub async fn open_inspection(
        &self,
        caller: &Caller,
        form: &InspectionForm,
    ) -> Result<InspectionRow> {
        let permit = self.permit_app(caller, Action::ManageAudits)?;
        let mut problems = Vec::new();
        let title = form.title.trim().to_string();
        if title.is_empty() {
            problems.push(Problem::new("MAMORI-INSPECTION-TITLE-EMPTY").field("title"));
        }
        match permit.store().checklist(form.checklist_id).await {
            Ok(c) if c.frozen => problems.push(
                Problem::new("MAMORI-CHECKLIST-FROZEN")
                    .field("checklist_id")
                    .with("id", c.id),
            ),
            Ok(c) if c.item_count == 0 => {
                problems.push(Problem::new("MAMORI-CHECKLIST-EMPTY").field("checklist_id"))
            }
            Ok(_) => {}
            Err(mamori_store::StoreError::NotFound { .. }) => problems.push(
                Problem::new("MAMORI-NOT-FOUND")
                    .field("checklist_id")
                    .with("what", "checklist")
                    .with("key", form.checklist_id),
            ),
            Err(e) => return Err(e.into()),
        }
        let today = mamori_store::org::today();
        match entered_date(&form.deadline, "deadline", "MAMORI-INSPECTION-DEADLINE") {
            Ok(Some(d)) if d >= today => {}
            Ok(_) => problems.push(
                Problem::new("MAMORI-INSPECTION-DEADLINE")
                    .field("deadline")
                    .with("value", form.deadline.trim()),
            ),
            Err(p) => problems.push(p),
        }
        let deadline = entered_date(&form.deadline, "deadline", "MAMORI-INSPECTION-DEADLINE")
            .ok()
            .flatten()
            .unwrap_or_default();
        let kind = form.target_kind.trim().parse::<TargetKind>();
        let mut ids: Vec<i64> = Vec::new();
        for id in &form.target_ids {
            if !ids.contains(id) {
                ids.push(*id);
            }
        }
        match kind {
            Err(_) => problems.push(
                Problem::new("MAMORI-INSPECTION-KIND")
                    .field("target_kind")
                    .with("kind", form.target_kind.trim()),
            ),
            Ok(_) if ids.is_empty() => {
                problems.push(Problem::new("MAMORI-INSPECTION-NO-TARGETS").field("target_ids"))
            }
            Ok(TargetKind::Unit) => {
                let units: HashSet<i64> = self
                    .facts()
                    .all_units()
                    .await?
                    .into_iter()
                    .filter(|u| u.active)
                    .map(|u| u.id)
                    .collect();
                for id in ids.iter().filter(|id| !units.contains(id)) {
                    problems.push(
                        Problem::new("MAMORI-INSPECTION-TARGET")
                            .field("target_ids")
                            .with("target", id),
                    );
                }
            }
            Ok(TargetKind::System) => {
                let systems: HashSet<i64> = self
                    .facts()
                    .all_systems(&Default::default())
                    .await?
                    .into_iter()
                    .map(|s| s.id)
                    .collect();
                for id in ids.iter().filter(|id| !systems.contains(id)) {
                    problems.push(
                        Problem::new("MAMORI-INSPECTION-TARGET")
                            .field("target_ids")
                            .with("target", id),
                    );
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        let input = InspectionInput {
            title,
            template_id: form.checklist_id,
            target_kind: form.target_kind.trim().to_string(),
            target_ids: ids,
            deadline,
        };
        Ok(permit
            .store()
            .open_inspection(permit.actor(), &input)
            .await?)
    }

    /// One page of the campaigns.
    pub async fn inspection_list(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> Result<Page<InspectionRow>> {
        let permit = self.permit_app(caller, Action::ReadAuditResults)?;
        Ok(permit.store().list_inspections(page).await?)
    }

    /// A campaign with one page of its questionnaires' progress.
    pub async fn inspection_view(
        &self,
        caller: &Caller,
        id: i64,
        state: Option<TargetState>,
        page: PageRequest,
    ) -> Result<InspectionView> {
        let permit = self.permit_app(caller, Action::ReadAuditResults)?;
        let inspection = permit.store().inspection(id).await?;
        let targets = permit
            .store()
            .inspection_targets(id, &TargetFilter { state }, page)
            .await?;
        Ok(InspectionView {
            inspection,
            targets,
            may_manage: self.may_manage_audits(caller),
        })
    }

    /// A questionnaire the person may read (others are not found).
    async fn readable_target(
        &self,
        caller: &Caller,
        id: i64,
        unit: i64,
    ) -> Result<(InspectionRow, TargetRow)> {
        let inspection = self.facts().inspection(id).await?;
        let target = self.facts().inspection_target(id, unit).await?;
        let resource = self.target_resource(&target).await?;
        self.permit_or_hide(
            caller,
            Action::ReadInspection,
            &resource,
            "questionnaire",
            format!("{id}/{unit}"),
        )?;
        Ok((inspection, target))
    }

    /// A unit's (or system's) questionnaire with its answers.
    pub async fn questionnaire(
        &self,
        caller: &Caller,
        id: i64,
        unit: i64,
    ) -> Result<QuestionnaireView> {
        let (inspection, target) = self.readable_target(caller, id, unit).await?;
        let resource = self.target_resource(&target).await?;
        let permit = self.permit(caller, Action::ReadInspection, &resource)?;
        let items = permit
            .store()
            .checklist_items(inspection.checklist_id)
            .await?;
        let answers = permit
            .store()
            .target_answers(target.id)
            .await?
            .into_iter()
            .map(|a| (a.item_id, a))
            .collect();
        let evidence = permit.store().answer_evidence(target.id).await?;
        let open = inspection.status == "open"
            && inspection.deadline >= mamori_store::org::today()
            && target.state != TargetState::Submitted.code();
        Ok(QuestionnaireView {
            may_answer: open && self.may(caller, Action::AnswerInspection, &resource),
            may_return: target.state == TargetState::Submitted.code()
                && self.may_manage_audits(caller),
            inspection,
            target,
            items,
            answers,
            evidence,
        })
    }

    /// Attaches evidence (a file within the limit, or an http/https link) to
    /// the answer of an item, by those who may answer, while the
    /// questionnaire may be answered.
    pub async fn attach_answer_evidence(
        &self,
        caller: &Caller,
        id: i64,
        unit: i64,
        item_id: i64,
        upload: crate::controls::EvidenceUpload,
        note: &str,
    ) -> Result<mamori_store::controls::EvidenceRow> {
        let (_, target) = self.readable_target(caller, id, unit).await?;
        let resource = self.target_resource(&target).await?;
        let permit = self.permit(caller, Action::AnswerInspection, &resource)?;
        let new = self.checked_evidence(upload)?;
        Ok(permit
            .store()
            .attach_answer_evidence(
                permit.actor(),
                &target,
                item_id,
                new,
                note.trim(),
                &mamori_store::org::today(),
            )
            .await?)
    }

    /// May the person read the questionnaire (an evidence's download)?
    pub(crate) async fn may_read_target(&self, caller: &Caller, target: i64) -> bool {
        let Ok(target) = self.facts().inspection_target_by_id(target).await else {
            return false;
        };
        let Ok(resource) = self.target_resource(&target).await else {
            return false;
        };
        self.may(caller, Action::ReadInspection, &resource)
    }

    /// Checks answers against the campaign's items: every problem at once,
    /// `field_of` naming where each was entered.
    pub(crate) fn check_answers(
        items: &[ChecklistItem],
        forms: &[AnswerForm],
        field_of: &FieldOf<'_>,
    ) -> std::result::Result<Vec<AnswerInput>, Vec<Problem>> {
        let by_id: HashMap<i64, &ChecklistItem> = items.iter().map(|i| (i.id, i)).collect();
        let mut problems = Vec::new();
        let mut out = Vec::new();
        for (n, f) in forms.iter().enumerate() {
            let at = |p: Problem, column: &str| {
                let (row, field) = field_of(n, column);
                let p = p.field(field);
                match row {
                    Some(r) => p.row(r),
                    None => p,
                }
            };
            let Some(item) = by_id.get(&f.item_id) else {
                problems.push(at(
                    Problem::new("MAMORI-INSPECTION-ITEM").with("item", f.item_id),
                    "item",
                ));
                continue;
            };
            let allowed = parse_answers(&item.answers);
            match Answer::parse_loose(&f.answer) {
                Some(a) if allowed.contains(&a) => out.push(AnswerInput {
                    item_id: item.id,
                    answer: a,
                    comment: f.comment.trim().to_string(),
                }),
                _ => problems.push(at(
                    Problem::new("MAMORI-INSPECTION-ANSWER")
                        .with("answer", f.answer.trim())
                        .with(
                            "allowed",
                            allowed
                                .iter()
                                .map(|a| a.name_ja())
                                .collect::<Vec<_>>()
                                .join("・"),
                        ),
                    "answer",
                )),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }

    /// Saves answers of a questionnaire (`revision`: the one read).
    pub async fn save_answers(
        &self,
        caller: &Caller,
        id: i64,
        unit: i64,
        revision: i64,
        forms: &[AnswerForm],
    ) -> Result<TargetRow> {
        let (inspection, target) = self.readable_target(caller, id, unit).await?;
        let resource = self.target_resource(&target).await?;
        let permit = self.permit(caller, Action::AnswerInspection, &resource)?;
        let items = permit
            .store()
            .checklist_items(inspection.checklist_id)
            .await?;
        let answers = Self::check_answers(&items, forms, &|n, col| {
            (None, format!("answers[{n}].{col}"))
        })
        .map_err(Error::Rejected)?;
        Ok(permit
            .store()
            .save_answers(
                permit.actor(),
                &target,
                revision,
                &answers,
                &mamori_store::org::today(),
            )
            .await?)
    }

    /// Submits a questionnaire: every mandatory item must be answered.
    pub async fn submit_answers(
        &self,
        caller: &Caller,
        id: i64,
        unit: i64,
        revision: i64,
    ) -> Result<TargetRow> {
        let (_, target) = self.readable_target(caller, id, unit).await?;
        let resource = self.target_resource(&target).await?;
        let permit = self.permit(caller, Action::AnswerInspection, &resource)?;
        Ok(permit
            .store()
            .submit_target(
                permit.actor(),
                &target,
                revision,
                &mamori_store::org::today(),
            )
            .await?)
    }

    /// Returns a submitted questionnaire for correction (the security office).
    pub async fn return_answers(
        &self,
        caller: &Caller,
        id: i64,
        unit: i64,
        note: &str,
    ) -> Result<TargetRow> {
        let permit = self.permit_app(caller, Action::ManageAudits)?;
        let target = permit.store().inspection_target(id, unit).await?;
        Ok(permit
            .store()
            .return_target(permit.actor(), &target, note.trim())
            .await?)
    }

    /// Records a reminder to every unit that has not submitted.
    pub async fn remind_inspection(&self, caller: &Caller, id: i64) -> Result<u64> {
        let permit = self.permit_app(caller, Action::ManageAudits)?;
        Ok(permit.store().remind_targets(permit.actor(), id).await?)
    }

    /// The questionnaires in open campaigns of the units the person manages
    /// (and those below them), the systems they manage and their own unit.
    pub async fn my_questionnaires(&self, caller: &Caller) -> Result<Vec<OpenQuestionnaire>> {
        let managed: HashSet<i64> = caller
            .principal
            .scoped_roles
            .iter()
            .filter(|(role, _)| {
                matches!(
                    mamori_core::org::guideline_role(role).map(|r| r.scope),
                    Ok(mamori_core::org::ScopeKind::Unit)
                )
            })
            .map(|(_, id)| *id)
            .collect();
        let own = caller.principal.unit();
        let units: Vec<i64> = self
            .unit_lineages()
            .await?
            .into_iter()
            .filter(|(id, lineage)| Some(*id) == own || lineage.iter().any(|u| managed.contains(u)))
            .map(|(id, _)| id)
            .collect();
        let systems: Vec<i64> = caller
            .principal
            .scoped_roles
            .iter()
            .filter(|(role, _)| role == mamori_core::org::SYSTEM_MANAGER_ROLE)
            .map(|(_, id)| *id)
            .collect();
        let found = self.facts().open_targets_of(&units, &systems).await?;
        let mut out = Vec::new();
        for (inspection, target) in found {
            let resource = self.target_resource(&target).await?;
            if self.may(caller, Action::ReadInspection, &resource) {
                let may_answer = self.may(caller, Action::AnswerInspection, &resource);
                out.push(OpenQuestionnaire {
                    inspection,
                    target,
                    may_answer,
                });
            }
        }
        Ok(out)
    }

    /// The figures of a campaign, with the previous campaign's beside.
    pub async fn inspection_results(&self, caller: &Caller, id: i64) -> Result<ResultsView> {
        let permit = self.permit_app(caller, Action::ReadAuditResults)?;
        let store = permit.store();
        let inspection = store.inspection(id).await?;
        let totals = store.campaign_totals(id).await?;
        let chapters = store.chapter_scores(id).await?;
        let weakest = store.weakest_items(id, 10).await?;
        let previous = match store.previous_inspection(&inspection).await? {
            Some(p) => Some((
                store.inspection(p).await?,
                store.campaign_totals(p).await?,
                store.chapter_scores(p).await?,
            )),
            None => None,
        };
        let trend = store.inspection_trend(&inspection).await?;
        Ok(ResultsView {
            inspection,
            totals,
            chapters,
            weakest,
            previous,
            trend,
        })
    }

    // ------------------------------------------------- offline questionnaire

    /// A questionnaire as .xlsx (with the answers saved so far), and the file
    /// name to give it.
    pub async fn questionnaire_workbook(
        &self,
        caller: &Caller,
        id: i64,
        unit: i64,
    ) -> Result<(Vec<u8>, String)> {
        let v = self.questionnaire(caller, id, unit).await?;
        let identity = mamori_sheet::questionnaire::Identity {
            inspection_id: id,
            target_id: unit,
            title: v.inspection.title.clone(),
            target_name: v.target.target_name.clone(),
        };
        let rows: Vec<mamori_sheet::questionnaire::ItemRow> = v
            .items
            .iter()
            .map(|i| {
                let saved = v.answers.get(&i.id);
                mamori_sheet::questionnaire::ItemRow {
                    position: i.position,
                    item_id: i.id,
                    provision: i.provision.clone(),
                    question: i.question.clone(),
                    mandatory: i.mandatory,
                    method: i
                        .method
                        .parse::<Method>()
                        .map(|m| m.name_ja().to_string())
                        .unwrap_or_else(|_| i.method.clone()),
                    evidence_hint: i.evidence_hint.clone(),
                    allowed: parse_answers(&i.answers)
                        .iter()
                        .map(|a| a.name_ja().to_string())
                        .collect(),
                    answer: saved
                        .and_then(|a| a.answer.parse::<Answer>().ok())
                        .map(|a| a.name_ja().to_string())
                        .unwrap_or_default(),
                    comment: saved.map(|a| a.comment.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let bytes = mamori_sheet::questionnaire::write(&identity, &rows)
            .map_err(|e| Error::Store(mamori_store::StoreError::Internal(e.to_string())))?;
        let name = format!("自己点検_{}_{}.xlsx", id, v.target.target_name);
        Ok((bytes, name))
    }

    /// Takes the answers of an uploaded questionnaire: checked whole (the
    /// campaign and unit it is for, its columns, every answer, every
    /// mandatory item answered), all taken or none, every problem named by
    /// row and column.
    pub async fn upload_questionnaire(
        &self,
        caller: &Caller,
        id: i64,
        unit: i64,
        bytes: &[u8],
    ) -> Result<TargetRow> {
        let (inspection, target) = self.readable_target(caller, id, unit).await?;
        let resource = self.target_resource(&target).await?;
        let permit = self.permit(caller, Action::AnswerInspection, &resource)?;
        let read = mamori_sheet::questionnaire::read(bytes, self.import_limits()).map_err(|m| {
            Error::problem(
                Problem::new("MAMORI-BAD-UPLOAD")
                    .field("file")
                    .with("detail", format!("{} / {}", m.message, m.message_en)),
            )
        })?;
        let expected = (id.to_string(), unit.to_string());
        match &read.identity {
            Some(found) if *found == expected => {}
            found => {
                let found = found
                    .as_ref()
                    .map(|(i, u)| format!("自己点検 {i} / 対象 {u}"))
                    .unwrap_or_else(|| "識別行なし / no identification row".to_string());
                return Err(Error::problem(
                    Problem::new("MAMORI-INSPECTION-SHEET")
                        .field("file")
                        .row(1)
                        .with(
                            "expected",
                            format!("自己点検 {id} / 対象 {unit} ({})", target.target_name),
                        )
                        .with("found", found),
                ));
            }
        }
        if !read.misplaced.is_empty() {
            return Err(Error::Rejected(
                read.misplaced
                    .iter()
                    .map(|h| {
                        Problem::new("MAMORI-INSPECTION-COLUMNS")
                            .field(*h)
                            .row(3)
                            .with("column", *h)
                    })
                    .collect(),
            ));
        }
        let items = permit
            .store()
            .checklist_items(inspection.checklist_id)
            .await?;
        let answer_header =
            mamori_sheet::questionnaire::HEADERS[mamori_sheet::questionnaire::COL_ANSWER].0;
        let item_header =
            mamori_sheet::questionnaire::HEADERS[mamori_sheet::questionnaire::COL_ITEM].0;
        let mut problems = Vec::new();
        let mut forms = Vec::new();
        let mut rows_of = Vec::new();
        let mut seen = HashSet::new();
        for r in &read.rows {
            let item = r
                .item_id
                .parse::<i64>()
                .ok()
                .and_then(|n| items.iter().find(|i| i.id == n));
            let Some(item) = item else {
                problems.push(
                    Problem::new("MAMORI-INSPECTION-ITEM")
                        .field(item_header)
                        .row(u64::from(r.row))
                        .with("item", &r.item_id),
                );
                continue;
            };
            seen.insert(item.id);
            if r.answer.is_empty() {
                if item.mandatory {
                    problems.push(
                        Problem::new("MAMORI-INSPECTION-MANDATORY-MISSING")
                            .field(answer_header)
                            .row(u64::from(r.row))
                            .with("count", 1)
                            .with("items", item.position),
                    );
                }
                continue;
            }
            forms.push(AnswerForm {
                item_id: item.id,
                answer: r.answer.clone(),
                comment: r.comment.clone(),
            });
            rows_of.push(r.row);
        }
        for item in items
            .iter()
            .filter(|i| i.mandatory && !seen.contains(&i.id))
        {
            problems.push(
                Problem::new("MAMORI-INSPECTION-MANDATORY-MISSING")
                    .field(item_header)
                    .with("count", 1)
                    .with("items", item.position),
            );
        }
        let answers = match Self::check_answers(&items, &forms, &|n, _| {
            (
                rows_of.get(n).map(|r| u64::from(*r)),
                answer_header.to_string(),
            )
        }) {
            Ok(a) => a,
            Err(ps) => {
                problems.extend(ps);
                Vec::new()
            }
        };
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.row);
            return Err(Error::Rejected(problems));
        }
        Ok(permit
            .store()
            .save_answers(
                permit.actor(),
                &target,
                target.revision,
                &answers,
                &mamori_store::org::today(),
            )
            .await?)
    }
}
