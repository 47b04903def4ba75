//! Reports for the CISO and the committee (第10; issue 14, part 3): the print
//! view (A4) of a campaign's and an audit's report, and the same figures as
//! .xlsx. The figures are the operation's (`mamori_app::audit_reports`); the
//! page only words them.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;
use mamori_app::audit_reports::{AuditReport, CampaignFigures, InspectionReport};
use mamori_core::audit::TargetState;
use tower_sessions::Session;

use super::Chrome;
use super::charts::BarChart;
use crate::auth::PageUser;
use crate::error::AppResult;
use crate::i18n::{Lang, T};
use crate::state::AppState;

const SECTION: &str = "audits";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The moment as the reader reads it (和暦 first for a Japanese reader).
fn moment(t: &T, at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .map(|s| t.moment(&s))
        .unwrap_or_default()
}

/// The chart of the city's score across the campaigns of the template.
pub fn trend_chart(t: &T, f: &CampaignFigures) -> BarChart {
    let rows: Vec<(String, Option<f64>, String)> = f
        .trend
        .iter()
        .map(|x| (x.title.clone(), x.percent, x.score.clone()))
        .collect();
    BarChart::scores(
        "trend-chart",
        t.pick("全体の得点の推移", "Trend of the city's score")
            .to_string(),
        &rows,
    )
}

/// The chart of the score by chapter.
pub fn chapter_chart(t: &T, f: &CampaignFigures) -> BarChart {
    let rows: Vec<(String, Option<f64>, String)> = f
        .chapters
        .iter()
        .map(|c| (c.name.clone(), c.percent, c.score.clone()))
        .collect();
    BarChart::scores(
        "chapter-chart",
        t.pick("章ごとの得点", "Score by chapter").to_string(),
        &rows,
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "audits/report.html")]
pub struct InspectionReportPage {
    chrome: Chrome,
    r: InspectionReport,
    printed_at: String,
    deadline: String,
    /// (code, name, state in words, answered, items, completion, score)
    units: Vec<(String, String, String, i64, i64, String, String)>,
    chapter_chart: BarChart,
    trend_chart: BarChart,
}

pub async fn inspection_report(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<InspectionReportPage> {
    let t = T { lang };
    let r = state.app.inspection_report(&user, id).await?;
    let units = r
        .units
        .iter()
        .map(|u| {
            (
                u.code.clone(),
                u.name.clone(),
                u.state
                    .parse::<TargetState>()
                    .map(|s| t.pick(s.name_ja(), s.name_en()).to_string())
                    .unwrap_or_else(|_| u.state.clone()),
                u.answered,
                u.items,
                u.completion.clone(),
                u.score.clone(),
            )
        })
        .collect();
    let path = format!("/audits/inspections/{id}/report");
    Ok(InspectionReportPage {
        chrome: Chrome::new(&state, &session, lang, Some(&user), &path, SECTION).await?,
        printed_at: moment(&t, r.printed_at),
        deadline: t.day(&r.figures.inspection.deadline),
        chapter_chart: chapter_chart(&t, &r.figures),
        trend_chart: trend_chart(&t, &r.figures),
        units,
        r,
    })
}

pub async fn inspection_report_xlsx(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (bytes, name) = state.app.inspection_report_workbook(&user, id).await?;
    Ok(crate::api::file_response(
        bytes,
        XLSX,
        "self-inspection-report.xlsx",
        &name,
    ))
}

/// A finding as the report's table shows it: id, severity, provision, unit,
/// description, state, owner, due (in words).
type FindingLine = (i64, String, String, String, String, String, String, String);

#[derive(Template, WebTemplate)]
#[template(path = "audits/audit_report.html")]
pub struct AuditReportPage {
    chrome: Chrome,
    r: AuditReport,
    printed_at: String,
    status: String,
    period: String,
    /// (position, provision, question, result in words, evidence, link, recorder)
    results: Vec<(i64, String, String, String, String, String, String)>,
    /// (id, severity, provision, unit, description, state, owner, due)
    findings: Vec<FindingLine>,
}

pub async fn audit_report(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<AuditReportPage> {
    use mamori_core::audit::finding::{FindingSeverity, FindingState};
    use mamori_core::audit::{audit_result_name, audit_status_name};
    let t = T { lang };
    let r = state.app.audit_report(&user, id).await?;
    let a = &r.view.audit;
    let results = r
        .view
        .results
        .iter()
        .map(|x| {
            (
                x.position,
                x.provision.clone(),
                x.question.clone(),
                x.result
                    .as_deref()
                    .and_then(audit_result_name)
                    .map(|(ja, en)| t.pick(ja, en).to_string())
                    .unwrap_or_default(),
                x.evidence.clone().unwrap_or_default(),
                x.evidence_link.clone().unwrap_or_default(),
                x.recorder_name.clone().unwrap_or_default(),
            )
        })
        .collect();
    let findings = r
        .findings
        .iter()
        .map(|f| {
            (
                f.id,
                FindingSeverity::parse(&f.severity)
                    .map(|s| t.pick(s.name_ja(), s.name_en()).to_string())
                    .unwrap_or_else(|| f.severity.clone()),
                f.provision.clone(),
                f.unit_name
                    .clone()
                    .or(f.system_name.clone())
                    .unwrap_or_default(),
                f.description.clone(),
                FindingState::parse(&f.state)
                    .map(|s| t.pick(s.name_ja(), s.name_en()).to_string())
                    .unwrap_or_else(|| f.state.clone()),
                f.owner_name.clone().unwrap_or_default(),
                f.due_on.as_deref().map(|d| t.day(d)).unwrap_or_default(),
            )
        })
        .collect();
    let path = format!("/audits/{id}/report");
    Ok(AuditReportPage {
        chrome: Chrome::new(&state, &session, lang, Some(&user), &path, SECTION).await?,
        printed_at: moment(&t, r.printed_at),
        status: audit_status_name(&a.status)
            .map(|(ja, en)| t.pick(ja, en).to_string())
            .unwrap_or_else(|| a.status.clone()),
        period: format!("{} – {}", t.day(&a.period_from), t.day(&a.period_to)),
        results,
        findings,
        r,
    })
}

pub async fn audit_report_xlsx(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (bytes, name) = state.app.audit_report_workbook(&user, id).await?;
    Ok(crate::api::file_response(
        bytes,
        XLSX,
        "audit-report.xlsx",
        &name,
    ))
}
