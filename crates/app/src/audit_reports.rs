//! Reports for the CISO and the committee (第10; issue 14, part 3): the
//! figures of a self-inspection campaign (completion and score per unit,
//! score per chapter and per item and for the whole city, the weakest items,
//! the previous campaign of the same template and the trend across them) and
//! of an audit (scope, period, auditors by name, results with the evidence
//! seen, findings raised), computed once here; the print view and the .xlsx
//! export both show these same figures.

use mamori_core::audit::finding::{FindingSeverity, FindingState};
use mamori_core::audit::{
    TargetState, audit_result_name, audit_status_name, delta_text, percent, score_text, share_text,
};
use mamori_sheet::report::{ReportSheet, report_workbook};
use mamori_store::audit_programmes::ResultRow;
use mamori_store::audits::{CampaignTotals, InspectionRow, ItemScoreRow, ScoreRow, TargetRow};
use mamori_store::findings::FindingRecord;
use time::OffsetDateTime;

use crate::access::{App, Caller};
use crate::audit_programmes::AuditView;
use crate::audits::ResultsView;
use crate::error::Result;
use crate::imports::write_err;

/// How many of the weakest items a report lists.
pub const WEAKEST: usize = 10;

/// A chapter's score, beside the previous campaign's.
#[derive(Debug, Clone, PartialEq)]
pub struct ChapterFigure {
    /// The chapter number (0: items without a chapter).
    pub chapter: i64,
    pub name: String,
    pub percent: Option<f64>,
    pub score: String,
    pub not_done: i64,
    /// The previous campaign's score of this chapter, and the change since.
    pub previous: Option<String>,
    pub delta: Option<String>,
}

/// The previous campaign of the same template, with its score and the
/// change of the city's score since.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousFigure {
    pub id: i64,
    pub title: String,
    pub score: String,
    pub delta: Option<String>,
}

/// A campaign of the same template: the city's score then.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendFigure {
    pub id: i64,
    pub title: String,
    /// The day it was opened (YYYY-MM-DD, JST).
    pub opened_on: String,
    pub percent: Option<f64>,
    pub score: String,
    /// This campaign (the last of the trend).
    pub current: bool,
}

/// The figures of a campaign that the results page and the report share.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignFigures {
    pub inspection: InspectionRow,
    pub totals: CampaignTotals,
    pub percent: Option<f64>,
    /// The city's score.
    pub score: String,
    /// Questionnaires submitted, as a share of all.
    pub completion: String,
    pub chapters: Vec<ChapterFigure>,
    pub previous: Option<PreviousFigure>,
    pub trend: Vec<TrendFigure>,
}

/// A unit's (or system's) questionnaire: completion and score.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitFigure {
    pub code: String,
    pub name: String,
    /// mamori_core::audit::TargetState code.
    pub state: String,
    pub answered: i64,
    pub items: i64,
    pub completion: String,
    pub percent: Option<f64>,
    pub score: String,
}

/// An item's figures over every questionnaire.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFigure {
    pub position: i64,
    pub provision: String,
    pub chapter: i64,
    pub question: String,
    pub mandatory: bool,
    pub answered: i64,
    pub not_done: i64,
    pub percent: Option<f64>,
    pub score: String,
}

/// A campaign's report.
#[derive(Debug, Clone)]
pub struct InspectionReport {
    pub figures: CampaignFigures,
    pub units: Vec<UnitFigure>,
    pub items: Vec<ItemFigure>,
    /// The weakest items (lowest score first; items nobody could answer
    /// left out), at most [`WEAKEST`].
    pub weakest: Vec<ItemFigure>,
    /// Who printed it (their name) and when.
    pub printed_by: String,
    pub printed_at: OffsetDateTime,
}

/// An audit's report.
#[derive(Debug, Clone)]
pub struct AuditReport {
    pub view: AuditView,
    /// The information systems in scope (names).
    pub systems: Vec<String>,
    pub findings: Vec<FindingRecord>,
    pub printed_by: String,
    pub printed_at: OffsetDateTime,
}

fn chapter_name(key: i64, label: &str) -> String {
    if key == 0 {
        "（章なし）".to_string()
    } else {
        format!("{key} {label}")
    }
}

impl CampaignFigures {
    /// The figures of a campaign's results.
    pub fn of(v: &ResultsView) -> CampaignFigures {
        let now = percent(v.totals.points, v.totals.applicable);
        let before: Vec<&ScoreRow> = v
            .previous
            .as_ref()
            .map(|p| p.2.iter().collect())
            .unwrap_or_default();
        let chapters = v
            .chapters
            .iter()
            .map(|r| {
                let p = percent(r.points, r.applicable);
                let prev = before.iter().find(|b| b.key == r.key);
                ChapterFigure {
                    chapter: r.key,
                    name: chapter_name(r.key, &r.label),
                    percent: p,
                    score: score_text(r.points, r.applicable),
                    not_done: r.not_done,
                    previous: prev.map(|b| score_text(b.points, b.applicable)),
                    delta: prev.and_then(|b| delta_text(p, percent(b.points, b.applicable))),
                }
            })
            .collect();
        let previous = v.previous.as_ref().map(|(row, totals, _)| PreviousFigure {
            id: row.id,
            title: row.title.clone(),
            score: score_text(totals.points, totals.applicable),
            delta: delta_text(now, percent(totals.points, totals.applicable)),
        });
        let trend = v
            .trend
            .iter()
            .map(|t| TrendFigure {
                id: t.inspection_id,
                title: t.title.clone(),
                opened_on: opened_on(&t.created_at),
                percent: percent(t.points, t.applicable),
                score: score_text(t.points, t.applicable),
                current: t.inspection_id == v.inspection.id,
            })
            .collect();
        CampaignFigures {
            inspection: v.inspection.clone(),
            totals: v.totals.clone(),
            percent: now,
            score: score_text(v.totals.points, v.totals.applicable),
            completion: share_text(v.totals.submitted, v.totals.targets),
            chapters,
            previous,
            trend,
        }
    }
}

/// The JST day of an RFC 3339 moment (the text itself if unreadable).
fn opened_on(at: &str) -> String {
    OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .map(|t| t.to_offset(mamori_core::wareki::JST).date().to_string())
        .unwrap_or_else(|_| at.chars().take(10).collect())
}

fn unit_figure(t: &TargetRow, items: i64) -> UnitFigure {
    UnitFigure {
        code: t.target_code.clone(),
        name: t.target_name.clone(),
        state: t.state.clone(),
        answered: t.answered,
        items,
        completion: share_text(t.answered, items),
        percent: percent(t.points, t.applicable),
        score: score_text(t.points, t.applicable),
    }
}

fn item_figure(i: &ItemScoreRow) -> ItemFigure {
    ItemFigure {
        position: i.position,
        provision: i.provision.clone(),
        chapter: i.chapter,
        question: i.question.clone(),
        mandatory: i.mandatory,
        answered: i.answered,
        not_done: i.not_done,
        percent: percent(i.points, i.applicable),
        score: score_text(i.points, i.applicable),
    }
}

/// The weakest items: lowest score first, then by position.
fn weakest(items: &[ItemFigure]) -> Vec<ItemFigure> {
    let mut scored: Vec<&ItemFigure> = items.iter().filter(|i| i.percent.is_some()).collect();
    scored.sort_by(|a, b| {
        a.percent
            .unwrap_or(0.0)
            .total_cmp(&b.percent.unwrap_or(0.0))
            .then(a.position.cmp(&b.position))
    });
    scored.into_iter().take(WEAKEST).cloned().collect()
}

fn ja_datetime(at: OffsetDateTime) -> String {
    mamori_core::wareki::format_datetime_ja(at)
}

fn ja_day(iso: &str) -> String {
    match mamori_core::catalog::parse_iso_date(iso) {
        Ok(d) => mamori_core::wareki::format_date_ja(d),
        Err(_) => iso.to_string(),
    }
}

fn headers(h: &[(&str, f64)]) -> Vec<(String, f64)> {
    h.iter().map(|(t, w)| (t.to_string(), *w)).collect()
}

fn yes_no(b: bool) -> String {
    if b { "必須" } else { "推奨" }.to_string()
}

impl InspectionReport {
    /// The report as a workbook: 概要, 課別, 章別, 項目別, 弱い項目, 推移.
    pub fn workbook(&self) -> Result<Vec<u8>> {
        let f = &self.figures;
        let title = vec![
            format!(
                "自己点検 結果報告書 / Self-inspection report — {}",
                f.inspection.title
            ),
            format!(
                "出力 / Printed: {} {}",
                self.printed_by,
                ja_datetime(self.printed_at)
            ),
            format!("期限 / Deadline: {}", ja_day(&f.inspection.deadline)),
        ];
        let mut summary = vec![
            vec![
                "全体の得点 / Score, whole city".to_string(),
                f.score.clone(),
                f.previous
                    .as_ref()
                    .map(|p| p.score.clone())
                    .unwrap_or_default(),
                f.previous
                    .as_ref()
                    .and_then(|p| p.delta.clone())
                    .unwrap_or_default(),
            ],
            vec![
                "提出済 / Submitted".to_string(),
                format!("{} / {}", f.totals.submitted, f.totals.targets),
                String::new(),
                String::new(),
            ],
            vec![
                "提出率 / Completion".to_string(),
                f.completion.clone(),
                String::new(),
                String::new(),
            ],
            vec![
                "回答数 / Answers".to_string(),
                f.totals.answered.to_string(),
                String::new(),
                String::new(),
            ],
        ];
        summary.push(vec![
            "前回 / Previous campaign".to_string(),
            f.previous
                .as_ref()
                .map(|p| p.title.clone())
                .unwrap_or_else(|| "前回なし / none".to_string()),
            String::new(),
            String::new(),
        ]);
        let sheets = vec![
            ReportSheet {
                name: "概要".into(),
                title: title.clone(),
                headers: headers(&[
                    ("項目 / Figure", 32.0),
                    ("今回 / This campaign", 24.0),
                    ("前回 / Previous", 16.0),
                    ("増減 / Change", 14.0),
                ]),
                rows: summary,
            },
            ReportSheet {
                name: "課別".into(),
                title: vec![format!(
                    "課別の回答率と得点 / By unit — {}",
                    f.inspection.title
                )],
                headers: headers(&[
                    ("コード / Code", 12.0),
                    ("名称 / Name", 28.0),
                    ("状態 / State", 12.0),
                    ("回答数 / Answered", 10.0),
                    ("項目数 / Items", 10.0),
                    ("回答率 / Completion", 12.0),
                    ("得点 / Score", 10.0),
                ]),
                rows: self
                    .units
                    .iter()
                    .map(|u| {
                        vec![
                            u.code.clone(),
                            u.name.clone(),
                            u.state
                                .parse::<TargetState>()
                                .map(|s| s.name_ja().to_string())
                                .unwrap_or_else(|_| u.state.clone()),
                            u.answered.to_string(),
                            u.items.to_string(),
                            u.completion.clone(),
                            u.score.clone(),
                        ]
                    })
                    .collect(),
            },
            ReportSheet {
                name: "章別".into(),
                title: vec![format!(
                    "章ごとの得点 / By chapter — {}",
                    f.inspection.title
                )],
                headers: headers(&[
                    ("章 / Chapter", 36.0),
                    ("得点 / Score", 10.0),
                    ("前回 / Previous", 10.0),
                    ("増減 / Change", 10.0),
                    ("未実施 / Not done", 10.0),
                ]),
                rows: f
                    .chapters
                    .iter()
                    .map(|c| {
                        vec![
                            c.name.clone(),
                            c.score.clone(),
                            c.previous.clone().unwrap_or_default(),
                            c.delta.clone().unwrap_or_default(),
                            c.not_done.to_string(),
                        ]
                    })
                    .collect(),
            },
            ReportSheet {
                name: "項目別".into(),
                title: vec![format!("項目ごとの得点 / By item — {}", f.inspection.title)],
                headers: item_headers(),
                rows: self.items.iter().map(item_row).collect(),
            },
            ReportSheet {
                name: "弱い項目".into(),
                title: vec![format!(
                    "得点の低い項目 / Weakest items — {}",
                    f.inspection.title
                )],
                headers: item_headers(),
                rows: self.weakest.iter().map(item_row).collect(),
            },
            ReportSheet {
                name: "推移".into(),
                title: vec![format!(
                    "全体の得点の推移 / Trend of the city's score — {}",
                    f.inspection.title
                )],
                headers: headers(&[
                    ("自己点検 / Campaign", 36.0),
                    ("開始日 / Opened", 20.0),
                    ("得点 / Score", 10.0),
                ]),
                rows: f
                    .trend
                    .iter()
                    .map(|t| vec![t.title.clone(), ja_day(&t.opened_on), t.score.clone()])
                    .collect(),
            },
        ];
        report_workbook(&sheets).map_err(|e| write_err(e).into())
    }
}

fn item_headers() -> Vec<(String, f64)> {
    headers(&[
        ("No.", 6.0),
        ("規定・対策 / Provision", 18.0),
        ("章 / Chapter", 6.0),
        ("質問 / Question", 48.0),
        ("区分 / Kind", 8.0),
        ("回答数 / Answered", 10.0),
        ("得点 / Score", 10.0),
        ("未実施 / Not done", 10.0),
    ])
}

fn item_row(i: &ItemFigure) -> Vec<String> {
    vec![
        i.position.to_string(),
        i.provision.clone(),
        i.chapter.to_string(),
        i.question.clone(),
        yes_no(i.mandatory),
        i.answered.to_string(),
        i.score.clone(),
        i.not_done.to_string(),
    ]
}

impl AuditReport {
    /// The report as a workbook: 概要, 結果, 指摘事項.
    pub fn workbook(&self) -> Result<Vec<u8>> {
        let a = &self.view.audit;
        let title = vec![
            format!("監査報告書 / Audit report — {}", a.title),
            format!(
                "出力 / Printed: {} {}",
                self.printed_by,
                ja_datetime(self.printed_at)
            ),
        ];
        let summary = vec![
            vec!["監査 / Audit".to_string(), a.title.clone()],
            vec![
                "状態 / Status".to_string(),
                audit_status_name(&a.status)
                    .map(|n| n.0.to_string())
                    .unwrap_or_else(|| a.status.clone()),
            ],
            vec![
                "期間 / Period".to_string(),
                format!("{} – {}", ja_day(&a.period_from), ja_day(&a.period_to)),
            ],
            vec!["対象の課 / Units in scope".to_string(), self.unit_names()],
            vec![
                "対象の情報システム / Systems in scope".to_string(),
                self.systems.join("、"),
            ],
            vec![
                "対象の章 / Chapters in scope".to_string(),
                a.scope_chapters.clone(),
            ],
            vec!["監査人 / Auditors".to_string(), self.auditor_names()],
            vec![
                "指摘事項 / Findings raised".to_string(),
                self.findings.len().to_string(),
            ],
        ];
        let sheets = vec![
            ReportSheet {
                name: "概要".into(),
                title,
                headers: headers(&[("項目 / Figure", 30.0), ("内容 / Value", 60.0)]),
                rows: summary,
            },
            ReportSheet {
                name: "結果".into(),
                title: vec![format!("監査項目と結果 / Results — {}", a.title)],
                headers: headers(&[
                    ("No.", 6.0),
                    ("規定・対策 / Provision", 18.0),
                    ("質問 / Question", 48.0),
                    ("結果 / Result", 12.0),
                    ("確認した証跡 / Evidence seen", 40.0),
                    ("証跡のリンク / Evidence link", 30.0),
                    ("記録者 / Recorded by", 16.0),
                ]),
                rows: self.view.results.iter().map(result_row).collect(),
            },
            ReportSheet {
                name: "指摘事項".into(),
                title: vec![format!("指摘事項 / Findings — {}", a.title)],
                headers: headers(&[
                    ("番号 / No.", 8.0),
                    ("重大度 / Severity", 10.0),
                    ("規定・対策 / Provision", 18.0),
                    ("課 / Unit", 20.0),
                    ("内容 / Description", 48.0),
                    ("状態 / State", 14.0),
                    ("担当 / Owner", 16.0),
                    ("期限 / Due", 20.0),
                ]),
                rows: self.findings.iter().map(finding_row).collect(),
            },
        ];
        report_workbook(&sheets).map_err(|e| write_err(e).into())
    }

    /// The units in scope by name.
    pub fn unit_names(&self) -> String {
        self.view
            .units
            .iter()
            .map(|(_, n)| n.clone())
            .collect::<Vec<_>>()
            .join("、")
    }

    /// The auditors by name (an external auditor with the firm).
    pub fn auditor_names(&self) -> String {
        self.view
            .auditors
            .iter()
            .map(|a| {
                if a.external {
                    format!("{}（外部: {}）", a.name, a.firm)
                } else {
                    a.name.clone()
                }
            })
            .collect::<Vec<_>>()
            .join("、")
    }
}

fn result_row(r: &ResultRow) -> Vec<String> {
    vec![
        r.position.to_string(),
        r.provision.clone(),
        r.question.clone(),
        r.result
            .as_deref()
            .and_then(audit_result_name)
            .map(|n| n.0.to_string())
            .unwrap_or_default(),
        r.evidence.clone().unwrap_or_default(),
        r.evidence_link.clone().unwrap_or_default(),
        r.recorder_name.clone().unwrap_or_default(),
    ]
}

fn finding_row(f: &FindingRecord) -> Vec<String> {
    vec![
        f.id.to_string(),
        FindingSeverity::parse(&f.severity)
            .map(|s| s.name_ja().to_string())
            .unwrap_or_else(|| f.severity.clone()),
        f.provision.clone(),
        f.unit_name
            .clone()
            .or(f.system_name.clone())
            .unwrap_or_default(),
        f.description.clone(),
        FindingState::parse(&f.state)
            .map(|s| s.name_ja().to_string())
            .unwrap_or_else(|| f.state.clone()),
        f.owner_name.clone().unwrap_or_default(),
        f.due_on.as_deref().map(ja_day).unwrap_or_default(),
    ]
}

impl App {
    /// A campaign's report, for whoever may read its results.
    pub async fn inspection_report(&self, caller: &Caller, id: i64) -> Result<InspectionReport> {
        let results = self.inspection_results(caller, id).await?;
        let figures = CampaignFigures::of(&results);
        let item_count = results.inspection.item_count;
        let units = self
            .facts()
            .all_inspection_targets(id)
            .await?
            .iter()
            .map(|t| unit_figure(t, item_count))
            .collect();
        let items: Vec<ItemFigure> = self
            .facts()
            .item_scores(id)
            .await?
            .iter()
            .map(item_figure)
            .collect();
        Ok(InspectionReport {
            weakest: weakest(&items),
            figures,
            units,
            items,
            printed_by: caller.user.display_name.clone(),
            printed_at: OffsetDateTime::now_utc(),
        })
    }

    /// A campaign's report as .xlsx, and the file name to give it.
    pub async fn inspection_report_workbook(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<(Vec<u8>, String)> {
        let r = self.inspection_report(caller, id).await?;
        let bytes = r.workbook()?;
        Ok((
            bytes,
            format!("自己点検報告書_{}.xlsx", r.figures.inspection.title),
        ))
    }

    /// An audit's report, for whoever may read the audit.
    pub async fn audit_report(&self, caller: &Caller, id: i64) -> Result<AuditReport> {
        let view = self.audit_view(caller, id).await?;
        let wanted: Vec<i64> = view
            .audit
            .scope_systems
            .split_whitespace()
            .filter_map(|t| t.parse().ok())
            .collect();
        let systems = if wanted.is_empty() {
            Vec::new()
        } else {
            self.facts()
                .all_systems(&Default::default())
                .await?
                .into_iter()
                .filter(|s| wanted.contains(&s.id))
                .map(|s| s.name)
                .collect()
        };
        let findings = self.facts().audit_findings(id).await?;
        Ok(AuditReport {
            view,
            systems,
            findings,
            printed_by: caller.user.display_name.clone(),
            printed_at: OffsetDateTime::now_utc(),
        })
    }

    /// An audit's report as .xlsx, and the file name to give it.
    pub async fn audit_report_workbook(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<(Vec<u8>, String)> {
        let r = self.audit_report(caller, id).await?;
        let bytes = r.workbook()?;
        Ok((bytes, format!("監査報告書_{}.xlsx", r.view.audit.title)))
    }
}
