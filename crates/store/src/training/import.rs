//! Importing completions from an e-learning system's export (.csv in UTF-8 or
//! Shift_JIS, or .xlsx): columns for the person's login (their Mamori user name),
//! the course code and the completion date; other columns are ignored. Every row
//! is checked first; then all are written in one transaction, or none. The report
//! names each bad row and column. Importing the same file again records nothing
//! new (a completion is one person, one course, one date).

use crate::events::{Entity, Verb};
use std::collections::{HashMap, HashSet};
use std::fmt;

use mamori_core::asset::{column_letters, normalize};
use mamori_core::training::parse_completion_date;
use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::{CompletionSource, close_requests};
use crate::assets::{ImportIssue, cap_issues};
use crate::events::EventInput;
use crate::org::today;
use crate::{Actor, Store, StoreError, db_run, now_rfc3339, tx_run};
use mamori_core::table::Sheet;
use mamori_core::table::quote;

/// What an import of completions did, or why it did nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
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
    pub errors: Vec<ImportIssue>,
    /// How many errors there were, listed or not.
    #[serde(default)]
    pub errors_total: usize,
    /// True when the file could not be read at all (not a spreadsheet, damaged,
    /// or beyond an import limit): nothing in it was checked.
    #[serde(default)]
    pub unreadable: bool,
}

impl CompletionImportReport {
    /// A file that could not be read at all (the reader's message).
    pub fn unreadable(message: String, message_en: String) -> CompletionImportReport {
        CompletionImportReport {
            errors: vec![file_issue(message, message_en)],
            errors_total: 1,
            unreadable: true,
            ..Default::default()
        }
    }
}

impl fmt::Display for CompletionImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.written {
            writeln!(
                f,
                "取り込みました: {}行（記録 {}、記録済み {}、修了になった依頼 {}）",
                self.rows, self.recorded, self.unchanged, self.requests_closed
            )?;
            writeln!(
                f,
                "Imported {} rows: {} recorded, {} already recorded, {} requests completed.",
                self.rows, self.recorded, self.unchanged, self.requests_closed
            )
        } else {
            let total = self.errors_total.max(self.errors.len());
            writeln!(
                f,
                "取り込みませんでした（エラー {total}件）。1行も書き込んでいません。"
            )?;
            writeln!(
                f,
                "Nothing was imported ({total} errors); no row was written."
            )?;
            for issue in &self.errors {
                writeln!(f, "  {issue}")?;
            }
            if total > self.errors.len() {
                let more = total - self.errors.len();
                writeln!(f, "  … ほか {more}件 / and {more} more")?;
            }
            Ok(())
        }
    }
}

/// The columns the import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Login,
    Course,
    Completed,
}

impl Column {
    const ALL: [Column; 3] = [Column::Login, Column::Course, Column::Completed];

    fn header(self) -> &'static str {
        match self {
            Column::Login => "ログインID / login",
            Column::Course => "研修コード / course code",
            Column::Completed => "修了日 / completed",
        }
    }

    /// Headers as e-learning systems write them (compared without spaces,
    /// underscores and case).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Login => &[
                "login",
                "loginid",
                "loginname",
                "username",
                "user",
                "userid",
                "account",
                "accountid",
                "ログインid",
                "ログイン名",
                "ユーザーid",
                "ユーザid",
                "ユーザー名",
                "ユーザ名",
                "アカウント",
                "アカウントid",
            ],
            Column::Course => &[
                "course",
                "coursecode",
                "courseid",
                "コース",
                "コースコード",
                "コースid",
                "研修コード",
                "講座コード",
                "教材コード",
            ],
            Column::Completed => &[
                "completed",
                "completedon",
                "completedat",
                "completiondate",
                "completeddate",
                "修了日",
                "完了日",
                "受講完了日",
                "修了日時",
                "完了日時",
                "受講完了日時",
            ],
        }
    }

    fn from_header(text: &str) -> Option<Column> {
        let h: String = normalize(text)
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
            .collect();
        Column::ALL
            .into_iter()
            .find(|c| c.aliases().contains(&h.as_str()))
    }
}

fn issue(row: u32, col: Option<(usize, &str)>, value: &str, ja: String, en: String) -> ImportIssue {
    ImportIssue {
        row: Some(row),
        column: col.map(|(_, h)| h.to_string()),
        column_letter: col.map(|(i, _)| column_letters(i)),
        value: quote(value),
        message: ja,
        message_en: en,
    }
}

fn file_issue(ja: impl Into<String>, en: impl Into<String>) -> ImportIssue {
    ImportIssue {
        row: None,
        column: None,
        column_letter: None,
        value: String::new(),
        message: ja.into(),
        message_en: en.into(),
    }
}

/// A name (user name, course code) and its id.
type Named = (String, i64);

/// A checked row: user id, course id, completion date.
type Checked = (i64, i64, String);

impl Store {
    /// Imports completions from a file (see the module documentation). The
    /// report says what was written, or names every bad row and column.
    pub async fn import_completions(
        &self,
        actor: &Actor,
        sheet: &Sheet,
    ) -> Result<CompletionImportReport, StoreError> {
        let mut report = self.import_completions_uncapped(actor, sheet).await?;
        report.errors_total = report.errors_total.max(cap_issues(&mut report.errors));
        Ok(report)
    }

    async fn import_completions_uncapped(
        &self,
        actor: &Actor,
        sheet: &Sheet,
    ) -> Result<CompletionImportReport, StoreError> {
        let mut at: HashMap<Column, usize> = HashMap::new();
        for (i, h) in sheet.header.iter().enumerate() {
            if let Some(c) = Column::from_header(h) {
                at.entry(c).or_insert(i);
            }
        }
        let missing: Vec<ImportIssue> = Column::ALL
            .into_iter()
            .filter(|c| !at.contains_key(c))
            .map(|c| {
                file_issue(
                    format!(
                        "{}行目の見出しに「{}」の列がありません",
                        sheet.header_row,
                        c.header()
                    ),
                    format!(
                        "the header (row {}) has no column {}",
                        sheet.header_row,
                        c.header()
                    ),
                )
            })
            .collect();
        if !missing.is_empty() {
            return Ok(CompletionImportReport {
                rows: sheet.rows.len(),
                errors: missing,
                ..Default::default()
            });
        }
        let (users, courses): (Vec<Named>, Vec<Named>) = db_run!(&self.db, |pool| {
            let users = sqlx::query_as("SELECT username, id FROM users")
                .fetch_all(pool)
                .await?;
            let courses = sqlx::query_as("SELECT code, id FROM training_courses")
                .fetch_all(pool)
                .await?;
            (users, courses)
        });
        let users: HashMap<String, i64> = users
            .into_iter()
            .map(|(n, id)| (n.to_lowercase(), id))
            .collect();
        let courses: HashMap<String, i64> = courses.into_iter().collect();
        let today = today();
        let mut errors = Vec::new();
        let mut checked: Vec<Checked> = Vec::new();
        let mut seen: HashSet<Checked> = HashSet::new();
        let cell = |cells: &[String], c: Column| -> (usize, String) {
            let i = at[&c];
            (
                i,
                cells
                    .get(i)
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default(),
            )
        };
        for row in &sheet.rows {
            let header = |i: usize| sheet.header.get(i).map(String::as_str).unwrap_or("");
            let (li, login) = cell(&row.cells, Column::Login);
            let (ci, code) = cell(&row.cells, Column::Course);
            let (di, date) = cell(&row.cells, Column::Completed);
            let user = users.get(&normalize(&login).to_lowercase()).copied();
            if user.is_none() {
                errors.push(issue(
                    row.number,
                    Some((li, header(li))),
                    &login,
                    "職員が見つかりません（Mamoriのユーザー名と一致しません）".into(),
                    "unknown user (no Mamori user has this user name)".into(),
                ));
            }
            let course = courses.get(normalize(&code).as_str()).copied();
            if course.is_none() {
                errors.push(issue(
                    row.number,
                    Some((ci, header(ci))),
                    &code,
                    "研修コードが見つかりません".into(),
                    "unknown course code".into(),
                ));
            }
            let on = parse_completion_date(&date).map(|d| d.to_string());
            match &on {
                None => errors.push(issue(
                    row.number,
                    Some((di, header(di))),
                    &date,
                    "日付として読み取れません（例: 2026-04-01）".into(),
                    "bad date (e.g. 2026-04-01)".into(),
                )),
                Some(d) if *d > today => errors.push(issue(
                    row.number,
                    Some((di, header(di))),
                    &date,
                    "未来の日付です".into(),
                    "the date is in the future".into(),
                )),
                Some(_) => {}
            }
            if let (Some(u), Some(c), Some(d)) = (user, course, on)
                && seen.insert((u, c, d.clone()))
            {
                checked.push((u, c, d));
            }
        }
        let rows = sheet.rows.len();
        if !errors.is_empty() {
            return Ok(CompletionImportReport {
                rows,
                errors,
                ..Default::default()
            });
        }
        let now = now_rfc3339();
        let label = actor.label();
        let source = CompletionSource::Import.code();
        let mut tx = self.db.begin().await?;
        let mut recorded: Vec<(i64, i64, i64, String)> = Vec::new();
        for chunk in checked.chunks(5000) {
            let mut part: Vec<(i64, i64, i64, String)> = tx_run!(&mut tx, |c| {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO training_completions (user_id, course_id, completed_on, source, recorded_by, recorded_at) ",
                );
                qb.push_values(chunk.iter(), |mut b, (u, k, d)| {
                    b.push_bind(*u)
                        .push_bind(*k)
                        .push_bind(d.clone())
                        .push_bind(source)
                        .push_bind(label.clone())
                        .push_bind(now.clone());
                });
                qb.push(
                    " ON CONFLICT (user_id, course_id, completed_on) DO NOTHING \
                     RETURNING id, user_id, course_id, completed_on",
                );
                qb.build_query_as::<(i64, i64, i64, String)>()
                    .fetch_all(&mut *c)
                    .await?
            });
            recorded.append(&mut part);
        }
        let closed = match recorded.iter().map(|r| r.0).min() {
            Some(first) => close_requests(&mut tx, None, first).await?,
            None => 0,
        };
        let events = recorded
            .iter()
            .map(|(id, u, k, d)| {
                EventInput::new(
                    Entity::TrainingCompletion,
                    id,
                    Verb::Import,
                    None::<&()>,
                    Some(&serde_json::json!({
                        "user_id": u, "course_id": k, "completed_on": d, "source": source,
                    })),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        tx.append_events(actor, &events).await?;
        tx.commit().await?;
        Ok(CompletionImportReport {
            rows,
            recorded: recorded.len(),
            unchanged: rows - recorded.len(),
            requests_closed: closed,
            written: true,
            ..Default::default()
        })
    }
}
