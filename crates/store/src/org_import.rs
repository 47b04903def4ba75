//! Importing the organisation (組織) and its staff (職員) from the HR system's
//! export, one file per kind (.csv or .xlsx; see docs/org-import.md).
//!
//! Every row is validated first against maps loaded in one query each; then all
//! rows are written in one transaction, in multi-row statements, or none are.
//! The report names each bad row and column. Units are found again by their
//! code (組織コード); staff by 職員番号, else by ログインID. Staff missing from a
//! file are left as they are; the 利用可否 (or 在籍) column may deactivate them.
//! New staff get no password: they cannot sign in until an administrator sets one.

use crate::events::{Entity, Verb};
use mamori_core::text::{MAX_LINE_CHARS, check_line, is_email};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use mamori_core::asset::{column_letters, normalize, parse_flag};
use mamori_core::org::{EmploymentType, UnitKind};
use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use crate::assets::{ImportIssue, ImportReport};
use crate::events::EventInput;
use crate::units::Unit;
use crate::users::valid_username;
use crate::{Actor, Store, StoreError, db_run, now_rfc3339, tx_run};
use mamori_core::table::{Sheet, quote};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgImportKind {
    /// 組織: 組織コード, 組織名, 上位組織コード, 種別, 英語名.
    Units,
    /// 職員: 職員番号, ログインID, 氏名, 所属コード, 職名, 雇用区分, 利用可否, メールアドレス.
    Staff,
}

impl OrgImportKind {
    pub fn code(self) -> &'static str {
        match self {
            OrgImportKind::Units => "units",
            OrgImportKind::Staff => "staff",
        }
    }

    /// The worksheet a workbook is read from when it has one of this name.
    pub fn sheet_names(self) -> &'static [&'static str] {
        match self {
            OrgImportKind::Units => &["組織", "組織一覧", "units"],
            OrgImportKind::Staff => &["職員", "職員一覧", "staff"],
        }
    }

    fn columns(self) -> &'static [Col] {
        match self {
            OrgImportKind::Units => &UNIT_COLUMNS,
            OrgImportKind::Staff => &STAFF_COLUMNS,
        }
    }
}

impl FromStr for OrgImportKind {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match normalize(s).to_lowercase().as_str() {
            "units" | "unit" | "組織" => Ok(OrgImportKind::Units),
            "staff" | "users" | "職員" => Ok(OrgImportKind::Staff),
            other => Err(StoreError::invalid(
                "kind",
                format!(
                    "種類は units か staff です: '{other}' / the kind is units or staff",
                    other = quote(other)
                ),
            )),
        }
    }
}

/// The report of an organisation import: which kind of file, and what happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgImportReport {
    pub kind: OrgImportKind,
    #[serde(flatten)]
    pub report: ImportReport,
}

impl fmt::Display for OrgImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            OrgImportKind::Units => writeln!(f, "組織 / units")?,
            OrgImportKind::Staff => writeln!(f, "職員 / staff")?,
        }
        fmt::Display::fmt(&self.report, f)
    }
}

/// A column of an import file: its key, the headers that name it (compared
/// width-folded, lowercased, without spaces), and whether it must be there.
struct Col {
    key: &'static str,
    headers: &'static [&'static str],
    required: bool,
}

static UNIT_COLUMNS: [Col; 5] = [
    Col {
        key: "code",
        headers: &["組織コード", "所属コード", "部署コード", "unitcode", "code"],
        required: true,
    },
    Col {
        key: "name",
        headers: &["組織名", "所属名", "部署名", "名称", "name"],
        required: true,
    },
    Col {
        key: "parent",
        headers: &[
            "上位組織コード",
            "上位所属コード",
            "親組織コード",
            "parentcode",
            "parent",
        ],
        required: false,
    },
    Col {
        key: "kind",
        headers: &["種別", "組織種別", "区分", "kind"],
        required: false,
    },
    Col {
        key: "name_en",
        headers: &[
            "英語名",
            "英語名称",
            "組織名(英語)",
            "name_en",
            "englishname",
        ],
        required: false,
    },
];

static STAFF_COLUMNS: [Col; 8] = [
    Col {
        key: "number",
        headers: &["職員番号", "職員コード", "staffnumber", "staff_number"],
        required: false,
    },
    Col {
        key: "login",
        headers: &[
            "ログインid",
            "ログイン名",
            "ユーザー名",
            "ユーザーid",
            "login",
            "username",
        ],
        required: false,
    },
    Col {
        key: "name",
        headers: &["氏名", "職員名", "名前", "displayname", "name"],
        required: true,
    },
    Col {
        key: "unit",
        headers: &["所属コード", "組織コード", "unitcode", "unit"],
        required: true,
    },
    Col {
        key: "position",
        headers: &["職名", "役職", "職", "position"],
        required: false,
    },
    Col {
        key: "employment",
        headers: &[
            "雇用区分",
            "任用区分",
            "職員区分",
            "employmenttype",
            "employment",
        ],
        required: false,
    },
    Col {
        key: "active",
        headers: &["利用可否", "利用", "在籍", "在籍区分", "active"],
        required: false,
    },
    Col {
        key: "email",
        headers: &["メールアドレス", "メール", "email", "e-mail"],
        required: false,
    },
];

fn header_key(text: &str) -> String {
    normalize(text)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn find_col(cols: &'static [Col], header: &str) -> Option<&'static Col> {
    let key = header_key(header);
    cols.iter().find(|c| c.headers.contains(&key.as_str()))
}

/// The kind a header row suggests: staff when it names a person, units when
/// it names a unit.
/// Whether a cell names a column of a units or a staff file: the header row
/// is the first of a file's first rows with such a cell.
pub fn looks_like_org_header(cell: &str) -> bool {
    find_col(&UNIT_COLUMNS, cell).is_some() || find_col(&STAFF_COLUMNS, cell).is_some()
}

/// An HR file that could not be read at all (the reader's message).
pub fn unreadable_org(
    kind: Option<OrgImportKind>,
    message: String,
    message_en: String,
) -> OrgImportReport {
    OrgImportReport {
        kind: kind.unwrap_or(OrgImportKind::Units),
        report: ImportReport::unreadable(message, message_en),
    }
}

fn detect_kind(header: &[String]) -> Option<OrgImportKind> {
    let staff_only = [
        "number",
        "login",
        "position",
        "employment",
        "active",
        "email",
    ];
    let has = |kind: OrgImportKind, keys: &[&str]| {
        header
            .iter()
            .filter_map(|h| find_col(kind.columns(), h))
            .any(|c| keys.contains(&c.key))
    };
    if has(OrgImportKind::Staff, &staff_only)
        || header.iter().any(|h| {
            find_col(&STAFF_COLUMNS, h).is_some_and(|c| c.key == "name")
                && find_col(&UNIT_COLUMNS, h).is_none()
        })
    {
        Some(OrgImportKind::Staff)
    } else if has(OrgImportKind::Units, &["name"]) {
        Some(OrgImportKind::Units)
    } else {
        None
    }
}

/// A sheet with its columns mapped.
struct Table<'a> {
    sheet: &'a Sheet,
    columns: HashMap<&'static str, usize>,
}

impl Table<'_> {
    fn has(&self, key: &str) -> bool {
        self.columns.contains_key(key)
    }

    fn cell<'c>(&self, cells: &'c [String], key: &str) -> &'c str {
        self.columns
            .get(key)
            .and_then(|i| cells.get(*i))
            .map_or("", |s| s.trim())
    }

    /// The one-line cells (`key`, label, English label) that hold control or
    /// bidirectional-override characters or are too long: (key, why, why in
    /// English).
    fn line_problems<'k>(
        &self,
        cells: &[String],
        keys: &[(&'k str, &str, &str)],
    ) -> Vec<(&'k str, String, String)> {
        keys.iter()
            .filter_map(|(key, label, label_en)| {
                check_line(&normalize(self.cell(cells, key)), MAX_LINE_CHARS)
                    .err()
                    .map(|p| (*key, p.ja(label), p.en(label_en)))
            })
            .collect()
    }

    fn issue(
        &self,
        row: u32,
        cells: &[String],
        key: &str,
        message: String,
        message_en: String,
    ) -> ImportIssue {
        let index = self.columns.get(key).copied();
        ImportIssue {
            row: Some(row),
            column: index.and_then(|i| self.sheet.header.get(i).map(|h| quote(h))),
            column_letter: index.map(column_letters),
            value: quote(self.cell(cells, key)),
            message,
            message_en,
        }
    }
}

fn file_issue(message: impl Into<String>, message_en: impl Into<String>) -> ImportIssue {
    ImportIssue {
        row: None,
        column: None,
        column_letter: None,
        value: String::new(),
        message: message.into(),
        message_en: message_en.into(),
    }
}

fn failed(kind: OrgImportKind, rows: usize, errors: Vec<ImportIssue>) -> OrgImportReport {
    OrgImportReport {
        kind,
        report: ImportReport {
            rows,
            errors,
            ..ImportReport::default()
        },
    }
}

/// Maps the header: unknown columns are warnings; missing and repeated ones errors.
fn map_columns(
    sheet: &Sheet,
    kind: OrgImportKind,
) -> (
    HashMap<&'static str, usize>,
    Vec<ImportIssue>,
    Vec<ImportIssue>,
) {
    let mut columns = HashMap::new();
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    let at = |i: usize, text: &str, message: String, message_en: String| ImportIssue {
        row: Some(sheet.header_row),
        column: Some(text.to_string()),
        column_letter: Some(column_letters(i)),
        value: text.to_string(),
        message,
        message_en,
    };
    for (i, text) in sheet.header.iter().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        match find_col(kind.columns(), text) {
            Some(col) => {
                if let Some(first) = columns.insert(col.key, i) {
                    columns.insert(col.key, first);
                    errors.push(at(
                        i,
                        text,
                        format!(
                            "見出し「{text}」が{}列と重複しています",
                            column_letters(first)
                        ),
                        format!(
                            "the column appears twice (also column {})",
                            column_letters(first)
                        ),
                    ));
                }
            }
            None => warnings.push(at(
                i,
                text,
                "この列は取り込みません".into(),
                "this column is not imported".into(),
            )),
        }
    }
    for col in kind.columns().iter().filter(|c| c.required) {
        if !columns.contains_key(col.key) {
            errors.push(file_issue(
                format!("見出し行に「{}」の列がありません", col.headers[0]),
                format!("the header row has no column {}", col.headers[0]),
            ));
        }
    }
    if kind == OrgImportKind::Staff
        && !columns.contains_key("number")
        && !columns.contains_key("login")
    {
        errors.push(file_issue(
            "見出し行に「職員番号」か「ログインID」の列が必要です",
            "the header row needs a column 職員番号 (staff number) or ログインID (login)",
        ));
    }
    (columns, errors, warnings)
}

/// 部局, 課, 係 and their usual other names, or the codes.
fn parse_unit_kind(text: &str) -> Option<UnitKind> {
    let t = normalize(text).to_lowercase();
    if let Ok(k) = t.parse::<UnitKind>() {
        return Some(k);
    }
    match t.as_str() {
        "部局" | "局" | "部" | "本部" => Some(UnitKind::Department),
        "課" | "室" | "課・室" | "課室" | "所" | "センター" => Some(UnitKind::Section),
        "係" | "担当" | "班" | "グループ" | "チーム" => Some(UnitKind::Team),
        "その他" | "委員会" | "事務局" => Some(UnitKind::Other),
        _ => None,
    }
}

/// 正規職員, 会計年度任用職員 … (a name, its key word, or the code).
fn parse_employment(text: &str) -> Option<EmploymentType> {
    let t = normalize(text).to_lowercase();
    if let Ok(e) = t.parse::<EmploymentType>() {
        return Some(e);
    }
    const WORDS: [(&str, EmploymentType); 8] = [
        ("会計年度", EmploymentType::FiscalYear),
        ("再任用", EmploymentType::Reappointed),
        ("任期付", EmploymentType::FixedTerm),
        ("派遣", EmploymentType::Dispatched),
        ("委託", EmploymentType::Contractor),
        ("正規", EmploymentType::Regular),
        ("正職員", EmploymentType::Regular),
        ("その他", EmploymentType::Other),
    ];
    WORDS.iter().find(|(w, _)| t.contains(w)).map(|(_, e)| *e)
}

/// 可/否, 在籍/退職, 有効/無効 and the usual yes and no.
fn parse_active(text: &str) -> Option<bool> {
    match normalize(text).as_str() {
        "可" | "在籍" | "在職" | "有効" | "利用可" => Some(true),
        "不可" | "退職" | "退職済" | "無効" | "利用不可" | "停止" => Some(false),
        other => parse_flag(other).filter(|_| !other.is_empty()),
    }
}

/// The default kind of a new unit below a parent of this kind.
fn kind_below(parent: Option<UnitKind>) -> UnitKind {
    match parent {
        None => UnitKind::Department,
        Some(UnitKind::Department) => UnitKind::Section,
        Some(UnitKind::Section | UnitKind::Team) => UnitKind::Team,
        Some(UnitKind::Other) => UnitKind::Other,
    }
}

/// A unit row that passed validation.
struct UnitRow {
    code: String,
    name: String,
    name_en: Option<String>,
    kind: Option<UnitKind>,
    /// The parent's code; `None` for a top-level unit.
    parent: Option<String>,
    existing: Option<i64>,
}

/// A person as an import writes and logs them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct StaffRecord {
    pub id: i64,
    pub username: String,
    pub staff_number: Option<String>,
    pub display_name: String,
    pub email: Option<String>,
    pub unit_id: Option<i64>,
    pub position: String,
    pub employment_type: String,
    pub active: bool,
}

const STAFF_COLUMNS_SQL: &str = "SELECT id, username, staff_number, display_name, email, unit_id, position, employment_type, active FROM users";

/// Rows per multi-row statement (at most 12 parameters a row).
const BATCH: usize = 1000;

impl Store {
    /// Imports units or staff (`kind`, or told by the header row when None)
    /// from a sheet as read (the app reads the file with `mamori-sheet`, the
    /// header found by [`looks_like_org_header`]). Problems with the rows are
    /// in the report (`Ok`); `Err` is for the database.
    pub async fn import_org(
        &self,
        actor: &Actor,
        sheet: &Sheet,
        kind: Option<OrgImportKind>,
    ) -> Result<OrgImportReport, StoreError> {
        let mut report = self.import_org_uncapped(actor, sheet, kind).await?;
        report.report = report.report.capped();
        Ok(report)
    }

    async fn import_org_uncapped(
        &self,
        actor: &Actor,
        sheet: &Sheet,
        kind: Option<OrgImportKind>,
    ) -> Result<OrgImportReport, StoreError> {
        let guess = kind.unwrap_or(OrgImportKind::Units);
        let Some(kind) = kind.or_else(|| detect_kind(&sheet.header)) else {
            return Ok(failed(
                guess,
                sheet.rows.len(),
                vec![file_issue(
                    "組織のファイルか職員のファイルか分かりません（見出しに「組織名」か「氏名」が必要です）",
                    "cannot tell units from staff: the header needs 組織名 (unit name) or 氏名 (name)",
                )],
            ));
        };
        let (columns, errors, warnings) = map_columns(sheet, kind);
        if !errors.is_empty() {
            let mut r = failed(kind, sheet.rows.len(), errors);
            r.report.warnings = warnings;
            return Ok(r);
        }
        let table = Table { sheet, columns };
        let mut report = match kind {
            OrgImportKind::Units => self.import_units(actor, &table).await?,
            OrgImportKind::Staff => self.import_staff(actor, &table).await?,
        };
        report.rows = sheet.rows.len();
        report.warnings = warnings;
        Ok(OrgImportReport { kind, report })
    }

    async fn all_unit_rows(&self) -> Result<Vec<Unit>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT id, parent_id, code, name, name_en, kind, path, active, created_at, updated_at, abolished_on, merged_into FROM units ORDER BY id",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    async fn import_units(&self, actor: &Actor, t: &Table<'_>) -> Result<ImportReport, StoreError> {
        let before = self.all_unit_rows().await?;
        let by_code: HashMap<String, &Unit> =
            before.iter().map(|u| (normalize(&u.code), u)).collect();
        let mut errors = Vec::new();
        let mut rows: Vec<UnitRow> = Vec::new();
        let mut first_row: HashMap<String, u32> = HashMap::new();
        for r in &t.sheet.rows {
            let cells = &r.cells;
            let mut bad = |key: &str, m: String, en: String| {
                errors.push(t.issue(r.number, cells, key, m, en));
            };
            let code = normalize(t.cell(cells, "code"));
            let name = normalize(t.cell(cells, "name"));
            if code.is_empty() {
                bad(
                    "code",
                    "組織コードが空です".into(),
                    "the unit code is empty".into(),
                );
            } else if let Some(first) = first_row.insert(code.clone(), r.number) {
                first_row.insert(code.clone(), first);
                bad(
                    "code",
                    format!(
                        "組織コード {code} が{first}行目と重複しています",
                        code = quote(&code)
                    ),
                    format!(
                        "unit code {code} appears twice (also row {first})",
                        code = quote(&code)
                    ),
                );
            }
            if name.is_empty() {
                bad(
                    "name",
                    "組織名が空です".into(),
                    "the unit name is empty".into(),
                );
            }
            let lines = [
                ("code", "組織コード", "unit code"),
                ("name", "組織名", "unit name"),
                ("name_en", "英語名", "English name"),
            ];
            for (key, why, why_en) in t.line_problems(cells, &lines) {
                bad(key, why, why_en);
            }
            let kind_text = t.cell(cells, "kind");
            let kind = if kind_text.is_empty() {
                None
            } else {
                let k = parse_unit_kind(kind_text);
                if k.is_none() {
                    bad(
                        "kind",
                        format!(
                            "種別「{kind_text}」は使えません（使える値: 部局、課、係、その他）",
                            kind_text = quote(kind_text)
                        ),
                        format!(
                            "unknown kind '{kind_text}' (allowed: 部局, 課, 係, その他)",
                            kind_text = quote(kind_text)
                        ),
                    );
                }
                k
            };
            let parent = Some(normalize(t.cell(cells, "parent"))).filter(|p| !p.is_empty());
            if parent.as_deref() == Some(code.as_str()) && !code.is_empty() {
                bad(
                    "parent",
                    "上位組織に自分自身は指定できません".into(),
                    "a unit cannot be its own parent".into(),
                );
            }
            let existing = by_code.get(&code).copied();
            if let Some(u) = existing
                && !u.active
            {
                bad(
                    "code",
                    format!(
                        "組織 {code}（{}）は廃止済みです",
                        u.name,
                        code = quote(&code)
                    ),
                    format!("unit {code} ({}) is abolished", u.name, code = quote(&code)),
                );
            }
            rows.push(UnitRow {
                code,
                name,
                name_en: t
                    .has("name_en")
                    .then(|| normalize(t.cell(cells, "name_en"))),
                kind,
                parent,
                existing: existing.map(|u| u.id),
            });
        }
        // Parents: in the file or in the store, active, and no cycles.
        let file_parent: HashMap<&str, Option<&str>> = rows
            .iter()
            .map(|r| (r.code.as_str(), r.parent.as_deref()))
            .collect();
        let code_of: HashMap<i64, &str> = before.iter().map(|u| (u.id, u.code.as_str())).collect();
        let parent_of = |code: &str| -> Option<String> {
            match file_parent.get(code) {
                Some(p) => p.map(str::to_string),
                None => by_code
                    .get(code)
                    .and_then(|u| u.parent_id)
                    .and_then(|p| code_of.get(&p))
                    .map(|c| normalize(c)),
            }
        };
        for (r, row) in rows.iter().zip(&t.sheet.rows) {
            let Some(parent) = &r.parent else { continue };
            let issue = |m: String, en: String| t.issue(row.number, &row.cells, "parent", m, en);
            if !file_parent.contains_key(parent.as_str()) {
                match by_code.get(parent) {
                    None => errors.push(issue(
                        format!(
                            "上位組織コード {parent} はファイルにも登録済みの組織にもありません",
                            parent = quote(parent)
                        ),
                        format!(
                            "no unit {parent} in the file or the organisation",
                            parent = quote(parent)
                        ),
                    )),
                    Some(u) if !u.active => errors.push(issue(
                        format!(
                            "上位組織 {parent}（{}）は廃止済みです",
                            u.name,
                            parent = quote(parent)
                        ),
                        format!(
                            "the parent unit {parent} is abolished",
                            parent = quote(parent)
                        ),
                    )),
                    Some(_) => {}
                }
            }
            let mut seen = HashSet::from([r.code.clone()]);
            let mut at = Some(parent.clone());
            while let Some(code) = at {
                if !seen.insert(code.clone()) {
                    if code == r.code {
                        errors.push(issue(
                            format!(
                                "上位組織をたどると {} 自身に戻ります（循環しています）",
                                r.code
                            ),
                            format!("the parents of {} lead back to it (a cycle)", r.code),
                        ));
                    }
                    break;
                }
                at = parent_of(&code);
            }
        }
        if !errors.is_empty() {
            return Ok(ImportReport {
                errors,
                ..ImportReport::default()
            });
        }
        self.write_units(actor, &before, &rows).await
    }

    async fn write_units(
        &self,
        actor: &Actor,
        before: &[Unit],
        rows: &[UnitRow],
    ) -> Result<ImportReport, StoreError> {
        let now = now_rfc3339();
        let new_rows: Vec<&UnitRow> = rows.iter().filter(|r| r.existing.is_none()).collect();
        let mut tx = self.db.begin().await?;
        tx.lock_event_head().await?;
        // New units first, at the top; parents and paths are set below with the rest.
        for chunk in new_rows.chunks(BATCH) {
            tx_run!(&mut tx, |c| {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO units (parent_id, code, name, name_en, kind, path, active, created_at, updated_at) ",
                );
                qb.push_values(chunk, |mut b, r| {
                    b.push("NULL")
                        .push_bind(r.code.clone())
                        .push_bind(r.name.clone())
                        .push_bind(r.name_en.clone().unwrap_or_default())
                        .push_bind(UnitKind::Other.code())
                        .push("'/'")
                        .push("TRUE")
                        .push_bind(now.clone())
                        .push_bind(now.clone());
                });
                qb.build().execute(&mut *c).await?;
            });
        }
        let ids: Vec<(i64, String)> = tx_run!(&mut tx, |c| {
            sqlx::query_as("SELECT id, code FROM units")
                .fetch_all(&mut *c)
                .await?
        });
        let id_of: HashMap<String, i64> =
            ids.into_iter().map(|(id, c)| (normalize(&c), id)).collect();
        // The organisation after the file: every unit's parent, name and kind.
        let mut after: HashMap<i64, Unit> = before.iter().map(|u| (u.id, u.clone())).collect();
        for r in rows {
            let Some(&id) = id_of.get(&r.code) else {
                continue;
            };
            let parent_id = r.parent.as_ref().and_then(|p| id_of.get(p).copied());
            let u = after.entry(id).or_insert_with(|| Unit {
                id,
                parent_id: None,
                code: r.code.clone(),
                name: r.name.clone(),
                name_en: String::new(),
                kind: UnitKind::Other.code().into(),
                path: "/".into(),
                active: true,
                created_at: now.clone(),
                updated_at: now.clone(),
                abolished_on: None,
                merged_into: None,
            });
            u.parent_id = parent_id;
            u.name = r.name.clone();
            if let Some(en) = &r.name_en {
                u.name_en = en.clone();
            }
        }
        // Kinds: as given; a new unit without one takes the kind below its parent's.
        let given: HashMap<i64, Option<UnitKind>> = rows
            .iter()
            .filter_map(|r| id_of.get(&r.code).map(|id| (*id, r.kind)))
            .collect();
        let created: HashSet<i64> = new_rows
            .iter()
            .filter_map(|r| id_of.get(&r.code).copied())
            .collect();
        let order = tree_order(&after);
        for id in &order {
            let parent_kind = after[id]
                .parent_id
                .and_then(|p| after.get(&p))
                .and_then(|p| p.kind.parse::<UnitKind>().ok());
            let path = match after[id].parent_id.and_then(|p| after.get(&p)) {
                Some(p) => format!("{}{id}/", p.path),
                None => format!("/{id}/"),
            };
            let u = after
                .get_mut(id)
                .ok_or_else(|| StoreError::Internal("unit lost".into()))?;
            u.path = path;
            match given.get(id) {
                Some(Some(k)) => u.kind = k.code().into(),
                Some(None) if created.contains(id) => {
                    u.kind = kind_below(parent_kind).code().into()
                }
                _ => {}
            }
        }
        let old: HashMap<i64, &Unit> = before.iter().map(|u| (u.id, u)).collect();
        let mut changed: Vec<&Unit> = Vec::new();
        let mut events = Vec::new();
        let (mut n_created, mut n_updated) = (0, 0);
        for id in &order {
            let mut u = after[id].clone();
            match old.get(id) {
                None => {
                    n_created += 1;
                    events.push(EventInput::new(
                        Entity::Unit,
                        id,
                        Verb::Create,
                        None::<&()>,
                        Some(&u),
                    )?);
                    changed.push(&after[id]);
                }
                Some(b) => {
                    u.updated_at = b.updated_at.clone();
                    if **b != u {
                        u.updated_at = now.clone();
                        if given.contains_key(id) {
                            n_updated += 1;
                        }
                        events.push(EventInput::new(
                            Entity::Unit,
                            id,
                            Verb::Update,
                            Some(*b),
                            Some(&u),
                        )?);
                        changed.push(&after[id]);
                    }
                }
            }
        }
        for chunk in changed.chunks(BATCH) {
            tx_run!(&mut tx, |c| {
                let mut qb = QueryBuilder::new(
                    "UPDATE units SET parent_id = v.column2, name = v.column3, name_en = v.column4, kind = v.column5, \
                     path = v.column6, updated_at = v.column7 FROM (",
                );
                qb.push_values(chunk, |mut b, u| {
                    b.push_bind(u.id)
                        .push_bind(u.parent_id)
                        .push_bind(u.name.clone())
                        .push_bind(u.name_en.clone())
                        .push_bind(u.kind.clone())
                        .push_bind(u.path.clone())
                        .push_bind(now.clone());
                });
                qb.push(") AS v WHERE units.id = v.column1");
                qb.build().execute(&mut *c).await?;
            });
        }
        let unchanged = rows.len() - n_created - n_updated;
        let summary = serde_json::json!({"kind": "units", "rows": rows.len(), "created": n_created, "updated": n_updated, "unchanged": unchanged});
        events.push(EventInput::new(
            Entity::OrgImport,
            "units",
            Verb::Import,
            None::<&()>,
            Some(&summary),
        )?);
        tx.append_events(actor, &events).await?;
        tx.commit().await?;
        Ok(ImportReport {
            created: n_created,
            updated: n_updated,
            unchanged,
            written: true,
            ..ImportReport::default()
        })
    }

    async fn import_staff(&self, actor: &Actor, t: &Table<'_>) -> Result<ImportReport, StoreError> {
        let (people, units): (Vec<StaffRecord>, Vec<Unit>) = (
            db_run!(&self.db, |pool| {
                sqlx::query_as(STAFF_COLUMNS_SQL).fetch_all(pool).await?
            }),
            self.all_unit_rows().await?,
        );
        let unit_by_code: HashMap<String, &Unit> =
            units.iter().map(|u| (normalize(&u.code), u)).collect();
        let by_number: HashMap<&str, usize> = people
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.staff_number.as_deref().map(|n| (n, i)))
            .collect();
        let by_login: HashMap<String, usize> = people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.username.to_lowercase(), i))
            .collect();
        let mut errors = Vec::new();
        let mut planned: Vec<(Option<usize>, StaffRecord)> = Vec::new();
        let mut seen_number: HashMap<String, u32> = HashMap::new();
        let mut seen_login: HashMap<String, u32> = HashMap::new();
        let mut claimed: HashSet<usize> = HashSet::new();
        for r in &t.sheet.rows {
            let cells = &r.cells;
            let before = errors.len();
            let mut bad = |key: &str, m: String, en: String| {
                errors.push(t.issue(r.number, cells, key, m, en));
            };
            let number = normalize(t.cell(cells, "number"));
            let login_text = normalize(t.cell(cells, "login"));
            // The column a problem with the login is shown in.
            let login_col = if login_text.is_empty() {
                "number"
            } else {
                "login"
            };
            if login_text.is_empty() && number.is_empty() {
                bad(
                    if t.has("login") { "login" } else { "number" },
                    "ログインIDも職員番号も空です".into(),
                    "both the login and the staff number are empty".into(),
                );
            }
            if !number.is_empty()
                && let Some(first) = seen_number.insert(number.clone(), r.number)
            {
                seen_number.insert(number.clone(), first);
                bad(
                    "number",
                    format!(
                        "職員番号 {number} が{first}行目と重複しています",
                        number = quote(&number)
                    ),
                    format!(
                        "staff number {number} appears twice (also row {first})",
                        number = quote(&number)
                    ),
                );
            }
            let name = normalize(t.cell(cells, "name"));
            if name.is_empty() {
                bad("name", "氏名が空です".into(), "the name is empty".into());
            }
            let lines = [("name", "氏名", "name"), ("position", "職名", "position")];
            for (key, why, why_en) in t.line_problems(cells, &lines) {
                bad(key, why, why_en);
            }
            let email = normalize(t.cell(cells, "email"));
            if !email.is_empty() && !is_email(&email) {
                bad(
                    "email",
                    format!("メールアドレス {} の形式が正しくありません", quote(&email)),
                    format!("{} is not an e-mail address", quote(&email)),
                );
            }
            let unit_code = normalize(t.cell(cells, "unit"));
            let unit = match unit_by_code.get(&unit_code) {
                _ if unit_code.is_empty() => {
                    bad(
                        "unit",
                        "所属コードが空です".into(),
                        "the unit code is empty".into(),
                    );
                    None
                }
                None => {
                    bad(
                        "unit",
                        format!(
                            "所属コード {unit_code} の組織がありません（先に組織のファイルを取り込んでください）",
                            unit_code = quote(&unit_code)
                        ),
                        format!(
                            "no unit with the code {unit_code} (import the units first)",
                            unit_code = quote(&unit_code)
                        ),
                    );
                    None
                }
                Some(u) if !u.active => {
                    bad(
                        "unit",
                        format!(
                            "所属 {unit_code}（{}）は廃止済みです",
                            u.name,
                            unit_code = quote(&unit_code)
                        ),
                        format!(
                            "the unit {unit_code} is abolished",
                            unit_code = quote(&unit_code)
                        ),
                    );
                    None
                }
                Some(u) => Some(u.id),
            };
            let employment_text = t.cell(cells, "employment");
            let employment = if employment_text.is_empty() {
                None
            } else {
                let e = parse_employment(employment_text);
                if e.is_none() {
                    let names: Vec<&str> =
                        EmploymentType::ALL.iter().map(|e| e.name_ja()).collect();
                    bad(
                        "employment",
                        format!(
                            "雇用区分「{employment_text}」は使えません（使える値: {}）",
                            names.join("、"),
                            employment_text = quote(employment_text)
                        ),
                        format!(
                            "unknown employment type '{employment_text}' (allowed: {})",
                            names.join(", "),
                            employment_text = quote(employment_text)
                        ),
                    );
                }
                e
            };
            let active_text = t.cell(cells, "active");
            let active = if active_text.is_empty() {
                None
            } else {
                let a = parse_active(active_text);
                if a.is_none() {
                    bad(
                        "active",
                        format!(
                            "利用可否「{active_text}」は 可 か 否 で入力してください（在籍・退職も可）",
                            active_text = quote(active_text)
                        ),
                        format!(
                            "'{active_text}' is not 可 (may sign in) or 否 (may not)",
                            active_text = quote(active_text)
                        ),
                    );
                }
                a
            };
            // Who this row is: by staff number, else by login (the number when
            // the row has no login).
            let found_number = by_number
                .get(number.as_str())
                .copied()
                .filter(|_| !number.is_empty());
            let login_key = if login_text.is_empty() {
                &number
            } else {
                &login_text
            };
            let found_login = by_login
                .get(&login_key.to_lowercase())
                .copied()
                .filter(|_| !login_text.is_empty() || found_number.is_none());
            let existing = match (found_number, found_login) {
                (Some(a), Some(b)) if a != b => {
                    bad(
                        "login",
                        format!(
                            "ログインID {login_key} は別の職員（職員番号 {}）が使っています",
                            people[b].staff_number.as_deref().unwrap_or("なし"),
                            login_key = quote(login_key)
                        ),
                        format!(
                            "the login {login_key} belongs to another person",
                            login_key = quote(login_key)
                        ),
                    );
                    None
                }
                (Some(a), _) => Some(a),
                (None, Some(b)) => {
                    if let Some(other) = people[b].staff_number.as_deref()
                        && !number.is_empty()
                        && other != number
                    {
                        bad(
                            "number",
                            format!(
                                "ログインID {login_key} の職員の職員番号は {other} です",
                                login_key = quote(login_key),
                                other = quote(other)
                            ),
                            format!(
                                "the person with the login {login_key} has the staff number {other}",
                                login_key = quote(login_key),
                                other = quote(other)
                            ),
                        );
                    }
                    Some(b)
                }
                (None, None) => None,
            };
            // The login: as given; else kept; else (a new person) the number.
            let login = match existing {
                Some(i) if login_text.is_empty() => people[i].username.clone(),
                _ => login_key.clone(),
            };
            if !login.is_empty() && !valid_username(&login) {
                bad(
                    login_col,
                    format!(
                        "ログインID「{login}」は英数字と . _ - @ の64文字以内にしてください",
                        login = quote(&login)
                    ),
                    format!(
                        "the login '{login}' must be 1–64 letters, digits, '.', '_', '-' or '@'",
                        login = quote(&login)
                    ),
                );
            }
            if !login.is_empty()
                && let Some(first) = seen_login.insert(login.to_lowercase(), r.number)
            {
                seen_login.insert(login.to_lowercase(), first);
                bad(
                    login_col,
                    format!(
                        "ログインID {login} が{first}行目と重複しています",
                        login = quote(&login)
                    ),
                    format!(
                        "the login {login} appears twice (also row {first})",
                        login = quote(&login)
                    ),
                );
            }
            if let Some(i) = existing
                && !claimed.insert(i)
            {
                bad(
                    "name",
                    format!("{} さんの行が複数あります", people[i].display_name),
                    format!("more than one row is about {}", people[i].username),
                );
            }
            if errors.len() > before {
                continue;
            }
            let base = existing.map(|i| people[i].clone());
            let keep = |f: fn(&StaffRecord) -> String, default: &str| {
                base.as_ref().map_or(default.to_string(), f)
            };
            let record = StaffRecord {
                id: base.as_ref().map_or(0, |b| b.id),
                username: login,
                staff_number: Some(number)
                    .filter(|n| !n.is_empty())
                    .or_else(|| base.as_ref().and_then(|b| b.staff_number.clone())),
                display_name: name,
                email: if t.has("email") {
                    Some(normalize(t.cell(cells, "email"))).filter(|e| !e.is_empty())
                } else {
                    base.as_ref().and_then(|b| b.email.clone())
                },
                unit_id: unit,
                position: if t.has("position") {
                    normalize(t.cell(cells, "position"))
                } else {
                    keep(|b| b.position.clone(), "")
                },
                employment_type: match employment {
                    Some(e) => e.code().to_string(),
                    None => keep(
                        |b| b.employment_type.clone(),
                        EmploymentType::Regular.code(),
                    ),
                },
                active: active.unwrap_or_else(|| base.as_ref().is_none_or(|b| b.active)),
            };
            planned.push((existing, record));
        }
        if !errors.is_empty() {
            return Ok(ImportReport {
                errors,
                ..ImportReport::default()
            });
        }
        self.write_staff(actor, &people, planned).await
    }

    async fn write_staff(
        &self,
        actor: &Actor,
        people: &[StaffRecord],
        planned: Vec<(Option<usize>, StaffRecord)>,
    ) -> Result<ImportReport, StoreError> {
        let now = now_rfc3339();
        let rows = planned.len();
        let mut creates = Vec::new();
        let mut updates = Vec::new();
        for (existing, record) in planned {
            match existing {
                None => creates.push(record),
                Some(i) if people[i] != record => updates.push((&people[i], record)),
                Some(_) => {}
            }
        }
        let mut tx = self.db.begin().await?;
        tx.lock_event_head().await?;
        for chunk in creates.chunks(BATCH) {
            tx_run!(&mut tx, |c| {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO users (username, display_name, email, unit_id, password_hash, active, must_change_password, \
                     employment_type, position, staff_number, created_at, updated_at) ",
                );
                qb.push_values(chunk, |mut b, p| {
                    b.push_bind(p.username.clone())
                        .push_bind(p.display_name.clone())
                        .push_bind(p.email.clone())
                        .push_bind(p.unit_id)
                        .push("NULL")
                        .push_bind(p.active)
                        .push("TRUE")
                        .push_bind(p.employment_type.clone())
                        .push_bind(p.position.clone())
                        .push_bind(p.staff_number.clone())
                        .push_bind(now.clone())
                        .push_bind(now.clone());
                });
                qb.build().execute(&mut *c).await?;
            });
        }
        let ids: HashMap<String, i64> = tx_run!(&mut tx, |c| {
            sqlx::query_as::<_, (String, i64)>("SELECT username, id FROM users")
                .fetch_all(&mut *c)
                .await?
        })
        .into_iter()
        .collect();
        for p in &mut creates {
            p.id = ids.get(&p.username).copied().unwrap_or_default();
        }
        for chunk in creates.chunks(BATCH) {
            tx_run!(&mut tx, |c| {
                let mut qb = QueryBuilder::new("INSERT INTO user_roles (user_id, role) ");
                qb.push_values(chunk, |mut b, p| {
                    b.push_bind(p.id).push_bind("staff");
                });
                qb.build().execute(&mut *c).await?;
            });
        }
        for chunk in updates.chunks(BATCH) {
            tx_run!(&mut tx, |c| {
                let mut qb = QueryBuilder::new(
                    "UPDATE users SET username = v.column2, display_name = v.column3, email = v.column4, unit_id = v.column5, \
                     active = v.column6, employment_type = v.column7, position = v.column8, staff_number = v.column9, \
                     updated_at = v.column10 FROM (",
                );
                qb.push_values(chunk, |mut b, (_, p)| {
                    b.push_bind(p.id)
                        .push_bind(p.username.clone())
                        .push_bind(p.display_name.clone())
                        .push_bind(p.email.clone())
                        .push_bind(p.unit_id)
                        .push_bind(p.active)
                        .push_bind(p.employment_type.clone())
                        .push_bind(p.position.clone())
                        .push_bind(p.staff_number.clone())
                        .push_bind(now.clone());
                });
                qb.push(") AS v WHERE users.id = v.column1");
                qb.build().execute(&mut *c).await?;
                // Deactivated: their API tokens end, as when an administrator does it.
                let ended: Vec<i64> = chunk
                    .iter()
                    .filter(|(b, p)| b.active && !p.active)
                    .map(|(_, p)| p.id)
                    .collect();
                if !ended.is_empty() {
                    let mut qb = QueryBuilder::new("DELETE FROM api_tokens WHERE user_id IN (");
                    let mut sep = qb.separated(", ");
                    for id in &ended {
                        sep.push_bind(*id);
                    }
                    qb.push(")");
                    qb.build().execute(&mut *c).await?;
                }
            });
        }
        let mut events = Vec::with_capacity(creates.len() + updates.len() + 1);
        for p in &creates {
            let after = serde_json::json!({"user": p, "roles": ["staff"], "password": "none"});
            events.push(EventInput::new(
                Entity::User,
                p.id,
                Verb::Create,
                None::<&()>,
                Some(&after),
            )?);
        }
        for (b, p) in &updates {
            events.push(EventInput::new(
                Entity::User,
                p.id,
                Verb::Update,
                Some(*b),
                Some(p),
            )?);
        }
        let (created, updated) = (creates.len(), updates.len());
        let unchanged = rows - created - updated;
        let summary = serde_json::json!({"kind": "staff", "rows": rows, "created": created, "updated": updated, "unchanged": unchanged});
        events.push(EventInput::new(
            Entity::OrgImport,
            "staff",
            Verb::Import,
            None::<&()>,
            Some(&summary),
        )?);
        tx.append_events(actor, &events).await?;
        tx.commit().await?;
        Ok(ImportReport {
            created,
            updated,
            unchanged,
            written: true,
            ..ImportReport::default()
        })
    }
}

/// Unit ids with every parent before its children.
fn tree_order(units: &HashMap<i64, Unit>) -> Vec<i64> {
    let mut children: HashMap<Option<i64>, Vec<i64>> = HashMap::new();
    for u in units.values() {
        let parent = u.parent_id.filter(|p| units.contains_key(p));
        children.entry(parent).or_default().push(u.id);
    }
    for list in children.values_mut() {
        list.sort_unstable();
    }
    let mut order = Vec::with_capacity(units.len());
    let mut stack: Vec<i64> = children.get(&None).cloned().unwrap_or_default();
    stack.reverse();
    while let Some(id) = stack.pop() {
        order.push(id);
        if let Some(kids) = children.get(&Some(id)) {
            stack.extend(kids.iter().rev());
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_of_the_hr_export_are_understood() {
        assert_eq!(parse_unit_kind("部局"), Some(UnitKind::Department));
        assert_eq!(parse_unit_kind("課"), Some(UnitKind::Section));
        assert_eq!(parse_unit_kind("係"), Some(UnitKind::Team));
        assert_eq!(parse_unit_kind("section"), Some(UnitKind::Section));
        assert_eq!(parse_unit_kind("組"), None);
        assert_eq!(parse_employment("正規職員"), Some(EmploymentType::Regular));
        assert_eq!(
            parse_employment("会計年度任用職員（パートタイム）"),
            Some(EmploymentType::FiscalYear)
        );
        assert_eq!(parse_employment("委託先"), Some(EmploymentType::Contractor));
        assert_eq!(
            parse_employment("fiscal_year"),
            Some(EmploymentType::FiscalYear)
        );
        assert_eq!(parse_employment("アルバイト"), None);
        assert_eq!(parse_active("可"), Some(true));
        assert_eq!(parse_active("否"), Some(false));
        assert_eq!(parse_active("退職"), Some(false));
        assert_eq!(parse_active("たぶん"), None);
        let header = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            detect_kind(&header(&["組織コード", "組織名", "上位組織コード"])),
            Some(OrgImportKind::Units)
        );
        assert_eq!(
            detect_kind(&header(&["職員番号", "氏名", "所属コード"])),
            Some(OrgImportKind::Staff)
        );
        assert_eq!(detect_kind(&header(&["a", "b"])), None);
    }
}
