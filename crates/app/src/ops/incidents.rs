//! Incidents: anyone signed in reports one; the unit's managers up the line
//! and the security office, CSIRT, the 統括情報セキュリティ責任者 and the CISO
//! escalate, act, assess, record the reports sent and close it.

use mamori_authz::{Action, Resource};
use mamori_core::ops::deadline::DeadlineRule;
use mamori_core::ops::incident::{IncidentKind, PersonalData, Publication, Severity, Step};
use mamori_core::problem::Problem;
use mamori_core::table::LedgerFormat;
use mamori_store::ops::incidents::{
    IncidentAssessment, IncidentClosure, IncidentFilter, IncidentInput, IncidentLink,
    IncidentRecord, SentReport, TimelineEntry,
};
use mamori_store::units::parse_path;
use mamori_store::{Page, PageRequest};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::internal;
use crate::access::{App, Caller};
use crate::error::{Error, Result};

/// What a person enters to report an incident (text as a form or the API
/// sends it).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct IncidentForm {
    pub title: String,
    pub description: String,
    /// When it was noticed: 2026-04-01T09:30 (JST) or RFC 3339.
    pub noticed_at: String,
    pub place: String,
    pub assessment: AssessmentForm,
    pub assets: Vec<i64>,
    pub systems: Vec<i64>,
}

/// The facts a person assesses (type, severity, personal data, publication).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct AssessmentForm {
    pub kind: String,
    pub severity: String,
    pub personal_info: bool,
    pub my_number: bool,
    pub sensitive: bool,
    pub financial: bool,
    pub wrongful: bool,
    /// How many people are affected (empty: unknown).
    pub affected: String,
    /// undecided (empty), publish or not_publish.
    pub publication: String,
    pub publication_note: String,
}

/// A report or notification owed for an incident, and whether it was sent.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OwedReport {
    pub rule: DeadlineRule,
    /// YYYY-MM-DD.
    pub due_on: String,
    pub sent: Option<SentReport>,
    /// Not sent and its day has passed.
    pub overdue: bool,
}

/// An incident as its page shows it.
#[derive(Debug, Clone)]
pub struct IncidentView {
    pub incident: IncidentRecord,
    /// The assets (those the reader may see) and systems involved.
    pub links: Vec<IncidentLink>,
    /// Assets involved that the reader may not see.
    pub hidden_assets: usize,
    pub timeline: Vec<TimelineEntry>,
    pub owed: Vec<OwedReport>,
    pub ppc_required: bool,
    /// The Commission's criteria that hold (sensitive, financial, wrongful, over_100).
    pub criteria: Vec<&'static str>,
    pub may_handle: bool,
    /// The step an escalation would reach (None at the CISO or when closed).
    pub next_step: Option<Step>,
}

/// The columns of the incident register's export.
pub const INCIDENT_HEADERS: &[(&str, f64)] = &[
    ("番号 / No.", 8.0),
    ("件名 / Title", 28.0),
    ("種別 / Type", 14.0),
    ("重大度 / Severity", 10.0),
    ("覚知日時 / Noticed", 20.0),
    ("場所 / Place", 16.0),
    ("課 / Unit", 18.0),
    ("報告者 / Reporter", 14.0),
    ("報告段階 / Step", 22.0),
    ("個人情報 / Personal info", 10.0),
    ("委員会報告 / PPC report", 10.0),
    ("状態 / State", 8.0),
    ("原因 / Causes", 30.0),
    ("教訓 / Lessons", 30.0),
    ("再発防止策 / Measures", 30.0),
    ("終結日時 / Closed", 20.0),
];

/// The sheet's name.
pub const INCIDENT_SHEET: &str = "インシデント";

/// Reads a time as entered: RFC 3339, or a local time in Japan
/// (2026-04-01T09:30, 2026-04-01 09:30, with or without seconds).
pub fn parse_noticed(text: &str) -> Option<OffsetDateTime> {
    let t = text.trim();
    if let Ok(at) = OffsetDateTime::parse(t, &Rfc3339) {
        return Some(at);
    }
    let t = t.replace(' ', "T");
    let formats = [
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    ];
    formats.iter().find_map(|f| {
        time::PrimitiveDateTime::parse(&t, f)
            .ok()
            .map(|p| p.assume_offset(mamori_core::wareki::JST))
    })
}

/// The day (JST) of a stored time.
pub fn day_of(stored: &str) -> Option<time::Date> {
    OffsetDateTime::parse(stored, &Rfc3339)
        .ok()
        .map(|t| t.to_offset(mamori_core::wareki::JST).date())
}

fn personal(i: &IncidentRecord) -> PersonalData {
    PersonalData {
        personal_info: i.personal_info,
        my_number: i.my_number,
        sensitive: i.sensitive,
        financial: i.financial,
        wrongful: i.wrongful,
        affected: i.affected,
    }
}

fn choice<T: Copy>(
    text: &str,
    default: Option<T>,
    parse: fn(&str) -> Option<T>,
    codes: Vec<&'static str>,
    code: &'static str,
    field: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    if text.trim().is_empty()
        && let Some(d) = default
    {
        return Some(d);
    }
    let found = parse(text);
    if found.is_none() {
        problems.push(
            Problem::new(code)
                .field(field)
                .with("value", text.trim())
                .with("allowed", codes.join(", ")),
        );
    }
    found
}

/// Reads an assessment: every problem at once.
fn assessment(f: &AssessmentForm, problems: &mut Vec<Problem>) -> IncidentAssessment {
    let kind = choice(
        &f.kind,
        None,
        IncidentKind::parse,
        IncidentKind::codes(),
        "MAMORI-INCIDENT-KIND",
        "kind",
        problems,
    );
    let severity = choice(
        &f.severity,
        None,
        Severity::parse,
        Severity::codes(),
        "MAMORI-INCIDENT-SEVERITY",
        "severity",
        problems,
    );
    let publication = choice(
        &f.publication,
        Some(Publication::Undecided),
        Publication::parse,
        Publication::codes(),
        "MAMORI-INCIDENT-PUBLICATION",
        "publication",
        problems,
    );
    let affected = match f.affected.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                problems.push(
                    Problem::new("MAMORI-INCIDENT-AFFECTED")
                        .field("affected")
                        .with("value", t),
                );
                None
            }
        },
    };
    IncidentAssessment {
        kind: kind.map(|k| k.code()).unwrap_or_default().to_string(),
        severity: severity.map(|s| s.code()).unwrap_or_default().to_string(),
        personal_info: f.personal_info,
        my_number: f.my_number,
        sensitive: f.sensitive,
        financial: f.financial,
        wrongful: f.wrongful,
        affected,
        publication: publication
            .map(|p| p.code())
            .unwrap_or_default()
            .to_string(),
        publication_note: f.publication_note.trim().to_string(),
    }
}

fn rejected(problems: Vec<Problem>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Rejected(problems))
    }
}

fn incident_resource(i: &IncidentRecord) -> Resource {
    Resource::Incident {
        id: i.id,
        reporter: i.reporter_id,
        unit_lineage: i.unit_path.as_deref().map(parse_path).unwrap_or_default(),
    }
}

impl App {
    /// The reports owed for an incident under the rules in force, with those
    /// recorded as sent and what is overdue on `today`.
    pub fn owed_reports(
        &self,
        i: &IncidentRecord,
        sent: &[SentReport],
        today: &str,
    ) -> Vec<OwedReport> {
        let Some(noticed) = day_of(&i.noticed_at) else {
            return Vec::new();
        };
        let severity = Severity::parse(&i.severity).unwrap_or(Severity::Low);
        self.ops
            .deadlines
            .owed(noticed, severity, &personal(i))
            .into_iter()
            .map(|(rule, due)| {
                let due_on = due.to_string();
                let sent = sent
                    .iter()
                    .find(|s| s.incident_id == i.id && s.rule_code == rule.code)
                    .cloned();
                OwedReport {
                    overdue: sent.is_none() && due_on.as_str() < today,
                    rule: rule.clone(),
                    due_on,
                    sent,
                }
            })
            .collect()
    }

    /// The units whose incidents the person may read (their own reports always).
    pub(crate) async fn incident_scope(
        &self,
        caller: &Caller,
    ) -> Result<mamori_store::ops::OpsScope> {
        self.ops_scope(
            caller,
            |unit_lineage| Resource::Incident {
                id: 0,
                reporter: i64::MIN,
                unit_lineage,
            },
            Action::ReadIncident,
        )
        .await
    }

    /// Whether the person may report an incident.
    pub fn may_report_incident(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::ReportIncident)
    }

    /// Reports an incident: it reaches the reporter's unit's
    /// 情報セキュリティ管理者 at once (the first step of the line).
    pub async fn report_incident(
        &self,
        caller: &Caller,
        form: &IncidentForm,
    ) -> Result<IncidentRecord> {
        let permit = self.permit_app(caller, Action::ReportIncident)?;
        let mut problems = Vec::new();
        let title = form.title.trim().to_string();
        let description = form.description.trim().to_string();
        if title.is_empty() {
            problems.push(Problem::new("MAMORI-INCIDENT-TITLE-EMPTY").field("title"));
        }
        if description.is_empty() {
            problems.push(Problem::new("MAMORI-INCIDENT-DESCRIPTION-EMPTY").field("description"));
        }
        let noticed = parse_noticed(&form.noticed_at);
        match noticed {
            None => problems.push(
                Problem::new("MAMORI-INCIDENT-NOTICED-AT")
                    .field("noticed_at")
                    .with("value", form.noticed_at.trim()),
            ),
            Some(at) if at > OffsetDateTime::now_utc() + time::Duration::minutes(5) => problems
                .push(
                    Problem::new("MAMORI-INCIDENT-NOTICED-FUTURE")
                        .field("noticed_at")
                        .with("value", form.noticed_at.trim()),
                ),
            Some(_) => {}
        }
        let a = assessment(&form.assessment, &mut problems);
        let mut assets: Vec<i64> = form.assets.clone();
        assets.sort_unstable();
        assets.dedup();
        let mut systems: Vec<i64> = form.systems.clone();
        systems.sort_unstable();
        systems.dedup();
        if !assets.is_empty() {
            let scope = self.asset_scope(caller).await?;
            for id in &assets {
                match self.facts().asset(*id, &scope).await {
                    Ok(_) => {}
                    Err(mamori_store::StoreError::NotFound { .. }) => problems.push(
                        Problem::new("MAMORI-INCIDENT-ASSET")
                            .field("assets")
                            .with("id", id),
                    ),
                    Err(e) => return Err(e.into()),
                }
            }
        }
        for id in &systems {
            match self.facts().system(*id).await {
                Ok(_) => {}
                Err(mamori_store::StoreError::NotFound { .. }) => problems.push(
                    Problem::new("MAMORI-INCIDENT-SYSTEM")
                        .field("systems")
                        .with("id", id),
                ),
                Err(e) => return Err(e.into()),
            }
        }
        rejected(problems)?;
        let noticed_at = noticed
            .map(mamori_store::format_rfc3339)
            .ok_or_else(|| internal("noticed_at"))?;
        let input = IncidentInput {
            title,
            description,
            noticed_at,
            place: form.place.trim().to_string(),
            unit_id: caller.user.unit_id,
            assessment: a,
            assets,
            systems,
        };
        Ok(permit
            .store()
            .create_incident(permit.actor(), caller.user.id, &input)
            .await?)
    }

    /// One page of the incidents the person may read (open first, the most
    /// serious first).
    pub async fn list_incidents(
        &self,
        caller: &Caller,
        filter: &IncidentFilter,
        page: PageRequest,
    ) -> Result<Page<IncidentRecord>> {
        let permit = self.permit_app(caller, Action::View)?;
        let filter = IncidentFilter {
            scope: self.incident_scope(caller).await?,
            ..filter.clone()
        };
        Ok(permit.store().list_incidents(&filter, page).await?)
    }

    /// An incident the person may read (not found otherwise), and whether
    /// they may handle it.
    pub(crate) async fn readable_incident(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<(IncidentRecord, Resource)> {
        let incident = match self.facts().incident(id).await {
            Err(mamori_store::StoreError::NotFound { .. }) => {
                return Err(Error::not_found("incident", id));
            }
            other => other?,
        };
        let resource = incident_resource(&incident);
        self.permit_or_hide(caller, Action::ReadIncident, &resource, "incident", id)?;
        Ok((incident, resource))
    }

    /// One incident as its page shows it, its deadlines judged on `today`.
    pub async fn incident_view(
        &self,
        caller: &Caller,
        id: i64,
        today: &str,
    ) -> Result<IncidentView> {
        let (incident, resource) = self.readable_incident(caller, id).await?;
        let links = self.facts().incident_links(id).await?;
        let total_assets = links.iter().filter(|l| l.target_kind == "asset").count();
        let links: Vec<IncidentLink> = links
            .into_iter()
            .filter(|l| {
                l.target_kind != "asset"
                    || self.may(
                        caller,
                        Action::ReadAsset,
                        &Resource::Asset {
                            id: l.target_id,
                            owner_lineage: l
                                .unit_path
                                .as_deref()
                                .map(parse_path)
                                .unwrap_or_default(),
                            top: l.is_top,
                        },
                    )
            })
            .collect();
        let shown = links.iter().filter(|l| l.target_kind == "asset").count();
        let timeline = self.facts().incident_timeline(id).await?;
        let sent = self.facts().incident_reports(&[id]).await?;
        let owed = self.owed_reports(&incident, &sent, today);
        let data = personal(&incident);
        let open = incident.is_open();
        Ok(IncidentView {
            may_handle: open && self.may(caller, Action::HandleIncident, &resource),
            next_step: if open {
                Step::parse(&incident.step).and_then(Step::next)
            } else {
                None
            },
            ppc_required: data.ppc_required(),
            criteria: data.criteria(),
            hidden_assets: total_assets - shown,
            links,
            timeline,
            owed,
            incident,
        })
    }

    /// Escalates an incident to the next step of the reporting line.
    pub async fn escalate_incident(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        note: &str,
    ) -> Result<IncidentRecord> {
        let (incident, resource) = self.readable_incident(caller, id).await?;
        let permit = self.permit(caller, Action::HandleIncident, &resource)?;
        let to = Step::parse(&incident.step)
            .and_then(Step::next)
            .ok_or_else(|| Error::problem(Problem::new("MAMORI-INCIDENT-TOP-STEP")))?;
        Ok(permit
            .store()
            .escalate_incident(
                permit.actor(),
                caller.user.id,
                id,
                revision,
                to.code(),
                note.trim(),
            )
            .await?)
    }

    /// Adds an action taken to an incident's timeline.
    pub async fn add_incident_action(
        &self,
        caller: &Caller,
        id: i64,
        note: &str,
    ) -> Result<TimelineEntry> {
        let (_, resource) = self.readable_incident(caller, id).await?;
        let permit = self.permit(caller, Action::HandleIncident, &resource)?;
        let note = note.trim();
        if note.is_empty() {
            return Err(Problem::new("MAMORI-INCIDENT-NOTE-EMPTY")
                .field("note")
                .into());
        }
        Ok(permit
            .store()
            .add_incident_action(permit.actor(), caller.user.id, id, note)
            .await?)
    }

    /// Changes an incident's type, severity, personal-data facts and
    /// publication decision.
    pub async fn assess_incident(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        form: &AssessmentForm,
        note: &str,
    ) -> Result<IncidentRecord> {
        let (_, resource) = self.readable_incident(caller, id).await?;
        let permit = self.permit(caller, Action::HandleIncident, &resource)?;
        let mut problems = Vec::new();
        let a = assessment(form, &mut problems);
        rejected(problems)?;
        Ok(permit
            .store()
            .assess_incident(
                permit.actor(),
                caller.user.id,
                id,
                revision,
                &a,
                note.trim(),
            )
            .await?)
    }

    /// Records a report owed for the incident as sent on `sent_on` (not after
    /// `today`).
    pub async fn record_incident_report(
        &self,
        caller: &Caller,
        id: i64,
        rule: &str,
        sent_on: &str,
        note: &str,
        today: &str,
    ) -> Result<SentReport> {
        let (incident, resource) = self.readable_incident(caller, id).await?;
        let permit = self.permit(caller, Action::HandleIncident, &resource)?;
        let mut problems = Vec::new();
        let owed = self.owed_reports(&incident, &[], today);
        if !owed.iter().any(|o| o.rule.code == rule) {
            problems.push(
                Problem::new("MAMORI-INCIDENT-RULE")
                    .field("rule")
                    .with("rule", rule),
            );
        }
        let sent_on = sent_on.trim();
        let day = if sent_on.is_empty() {
            today.to_string()
        } else {
            sent_on.to_string()
        };
        if mamori_core::catalog::parse_iso_date(&day).is_err() || day.as_str() > today {
            problems.push(
                Problem::new("MAMORI-INCIDENT-SENT-ON")
                    .field("sent_on")
                    .with("value", sent_on),
            );
        }
        rejected(problems)?;
        Ok(permit
            .store()
            .record_incident_report(permit.actor(), caller.user.id, id, rule, &day, note.trim())
            .await?)
    }

    /// Closes an incident with its causes, lessons and the measures decided.
    pub async fn close_incident(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        closure: &IncidentClosure,
    ) -> Result<IncidentRecord> {
        let (_, resource) = self.readable_incident(caller, id).await?;
        let permit = self.permit(caller, Action::HandleIncident, &resource)?;
        let closure = IncidentClosure {
            causes: closure.causes.trim().to_string(),
            lessons: closure.lessons.trim().to_string(),
            measures: closure.measures.trim().to_string(),
        };
        let mut problems = Vec::new();
        if closure.causes.is_empty() {
            problems.push(Problem::new("MAMORI-INCIDENT-CAUSES-EMPTY").field("causes"));
        }
        if closure.measures.is_empty() {
            problems.push(Problem::new("MAMORI-INCIDENT-MEASURES-EMPTY").field("measures"));
        }
        rejected(problems)?;
        Ok(permit
            .store()
            .close_incident(permit.actor(), caller.user.id, id, revision, &closure)
            .await?)
    }

    /// The incidents the person may read that the filter admits, as an
    /// .xlsx or CSV file (formula-escaped): what the list shows with the
    /// same filter, on every page and in its order.
    pub async fn export_incidents(
        &self,
        caller: &Caller,
        format: LedgerFormat,
        filter: &IncidentFilter,
    ) -> Result<Vec<u8>> {
        let permit = self.permit_app(caller, Action::View)?;
        let filter = IncidentFilter {
            scope: self.incident_scope(caller).await?,
            ..filter.clone()
        };
        let all = permit.store().listed_incidents(&filter).await?;
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|i| {
                let data = personal(i);
                vec![
                    i.id.to_string(),
                    i.title.clone(),
                    IncidentKind::parse(&i.kind).map_or(i.kind.clone(), |k| k.name_ja().into()),
                    Severity::parse(&i.severity).map_or(i.severity.clone(), |s| s.name_ja().into()),
                    i.noticed_at.clone(),
                    i.place.clone(),
                    i.unit_name.clone().unwrap_or_default(),
                    i.reporter_name.clone(),
                    Step::parse(&i.step).map_or(i.step.clone(), |s| s.name_ja().into()),
                    if data.involved() { "有" } else { "無" }.into(),
                    if data.ppc_required() { "要" } else { "不要" }.into(),
                    i.state.clone(),
                    i.causes.clone(),
                    i.lessons.clone(),
                    i.measures.clone(),
                    i.closed_at.clone().unwrap_or_default(),
                ]
            })
            .collect();
        match format {
            LedgerFormat::Xlsx => {
                mamori_sheet::status::workbook(INCIDENT_SHEET, INCIDENT_HEADERS, &rows)
            }
            LedgerFormat::Csv => mamori_sheet::status::escaped_csv(INCIDENT_HEADERS, &rows),
        }
        .map_err(internal)
    }
}
