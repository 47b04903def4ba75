//! Information assets (情報資産, 第2(7)): their kinds, their lifecycle, the
//! validation of an asset against the active classification scheme, and the
//! columns of the asset ledger (情報資産管理台帳) that cities keep in Excel.
//!
//! Pure: the store resolves units, systems and segments; this module checks
//! everything that needs only the asset itself and the scheme.

use crate::classification::{AssetFacts, Axis, Scheme};
use crate::wareki::ERAS;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month};

/// The kinds of information asset that 第2(7) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    /// 情報システムを構成する機器
    Equipment,
    /// 情報システムに関する施設・設備
    Facility,
    /// 電子情報
    ElectronicInformation,
    /// システム関連文書
    SystemDocument,
    /// 行政情報
    AdministrativeInformation,
    /// 自己管理情報
    SelfManagedInformation,
}

impl AssetKind {
    pub const ALL: [AssetKind; 6] = [
        AssetKind::Equipment,
        AssetKind::Facility,
        AssetKind::ElectronicInformation,
        AssetKind::SystemDocument,
        AssetKind::AdministrativeInformation,
        AssetKind::SelfManagedInformation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AssetKind::Equipment => "equipment",
            AssetKind::Facility => "facility",
            AssetKind::ElectronicInformation => "electronic_information",
            AssetKind::SystemDocument => "system_document",
            AssetKind::AdministrativeInformation => "administrative_information",
            AssetKind::SelfManagedInformation => "self_managed_information",
        }
    }

    /// The name the ledger writes (the words of 第2(7)).
    pub fn name_ja(self) -> &'static str {
        match self {
            AssetKind::Equipment => "情報システムを構成する機器",
            AssetKind::Facility => "情報システムに関する施設・設備",
            AssetKind::ElectronicInformation => "電子情報",
            AssetKind::SystemDocument => "システム関連文書",
            AssetKind::AdministrativeInformation => "行政情報",
            AssetKind::SelfManagedInformation => "自己管理情報",
        }
    }

    /// A short name for tables and choosers.
    pub fn short_ja(self) -> &'static str {
        match self {
            AssetKind::Equipment => "機器",
            AssetKind::Facility => "施設・設備",
            AssetKind::ElectronicInformation => "電子情報",
            AssetKind::SystemDocument => "システム関連文書",
            AssetKind::AdministrativeInformation => "行政情報",
            AssetKind::SelfManagedInformation => "自己管理情報",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            AssetKind::Equipment => "Equipment of information systems",
            AssetKind::Facility => "Facilities and installations",
            AssetKind::ElectronicInformation => "Electronic information",
            AssetKind::SystemDocument => "System documents",
            AssetKind::AdministrativeInformation => "Administrative information",
            AssetKind::SelfManagedInformation => "Self-managed information",
        }
    }

    /// Reads a kind as a ledger writes it: the code, the Japanese name (long
    /// or short, with common variants), or the English name.
    pub fn parse(text: &str) -> Option<AssetKind> {
        let t = normalize(text);
        if t.is_empty() {
            return None;
        }
        let lower = t.to_lowercase();
        AssetKind::ALL
            .into_iter()
            .find(|k| {
                k.code() == lower
                    || k.name_ja() == t
                    || k.short_ja() == t
                    || k.name_en().eq_ignore_ascii_case(&t)
            })
            .or_else(|| {
                let kind = match t.as_str() {
                    "機器" | "情報機器" | "ハードウェア" | "端末" | "サーバ" | "サーバー" => {
                        AssetKind::Equipment
                    }
                    "施設" | "設備" | "施設設備" | "施設及び設備" => {
                        AssetKind::Facility
                    }
                    "電子データ" | "データ" => AssetKind::ElectronicInformation,
                    "システム文書" | "関連文書" | "システム関係文書" => {
                        AssetKind::SystemDocument
                    }
                    "行政文書" => AssetKind::AdministrativeInformation,
                    _ => return None,
                };
                Some(kind)
            })
    }
}

impl fmt::Display for AssetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Where an asset is in its life. A disposed asset stays on record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// 登録: recorded, not yet in use.
    Registered,
    /// 使用中
    InUse,
    /// 廃棄
    Disposed,
}

impl Lifecycle {
    pub const ALL: [Lifecycle; 3] = [Lifecycle::Registered, Lifecycle::InUse, Lifecycle::Disposed];

    pub fn code(self) -> &'static str {
        match self {
            Lifecycle::Registered => "registered",
            Lifecycle::InUse => "in_use",
            Lifecycle::Disposed => "disposed",
        }
    }

    pub fn name_ja(self) -> &'static str {
        match self {
            Lifecycle::Registered => "登録",
            Lifecycle::InUse => "使用中",
            Lifecycle::Disposed => "廃棄",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Lifecycle::Registered => "Registered",
            Lifecycle::InUse => "In use",
            Lifecycle::Disposed => "Disposed",
        }
    }

    /// Reads a state as a ledger writes it (登録, 使用中, 廃棄, variants, codes).
    pub fn parse(text: &str) -> Option<Lifecycle> {
        let t = normalize(text);
        let lower = t.to_lowercase();
        Lifecycle::ALL
            .into_iter()
            .find(|l| l.code() == lower || l.name_ja() == t || l.name_en().eq_ignore_ascii_case(&t))
            .or(match t.as_str() {
                "登録済" | "登録済み" | "新規" | "未使用" => {
                    Some(Lifecycle::Registered)
                }
                "運用中" | "利用中" | "使用" | "稼働中" => Some(Lifecycle::InUse),
                "廃棄済" | "廃棄済み" | "廃止" => Some(Lifecycle::Disposed),
                _ => None,
            })
    }
}

impl fmt::Display for Lifecycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Folds full-width ASCII (ＡＢＣ１２３) and the ideographic space to their
/// ASCII forms and trims: what a ledger typed on a Japanese keyboard needs.
pub fn normalize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// The lowercased, width-folded form that free-text search compares.
pub fn search_fold(text: &str) -> String {
    normalize(text).to_lowercase()
}

/// Reads a yes/no cell: 有/無, あり/なし, ○/×, はい/いいえ, TRUE/FALSE, 1/0,
/// yes/no. An empty cell is "no". `None` when the text is none of these.
pub fn parse_flag(text: &str) -> Option<bool> {
    let t = normalize(text).to_lowercase();
    match t.as_str() {
        "" | "無" | "なし" | "無し" | "×" | "✕" | "-" | "－" | "いいえ" | "否" | "false" | "0"
        | "no" | "n" | "off" => Some(false),
        "有" | "あり" | "有り" | "○" | "〇" | "◯" | "●" | "✓" | "✔" | "はい" | "要" | "true"
        | "1" | "yes" | "y" | "on" => Some(true),
        _ => None,
    }
}

/// How the ledger writes a yes/no value.
pub fn flag_ja(value: bool) -> &'static str {
    if value { "有" } else { "無" }
}

/// Reads a date as ledgers write it: 2024-04-01, 2024/4/1, 2024.4.1,
/// 2024年4月1日, 令和6年4月1日 (元年 too), R6.4.1.
pub fn parse_date(text: &str) -> Option<Date> {
    let t = normalize(text);
    if t.is_empty() {
        return None;
    }
    let (era_start, rest) = era_prefix(&t);
    let rest = rest.replace("元年", "1年");
    let parts: Vec<&str> = rest
        .split(['-', '/', '.', '年', '月', '日'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let (y, m, d): (i32, u8, u8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let year = match era_start {
        Some(start) if y >= 1 => start + y - 1,
        Some(_) => return None,
        None if y >= 1000 => y,
        None => return None,
    };
    Date::from_calendar_date(year, Month::try_from(m).ok()?, d).ok()
}

/// The first western year of the era a date text starts with, and the rest.
fn era_prefix(t: &str) -> (Option<i32>, &str) {
    for era in ERAS {
        if let Some(rest) = t.strip_prefix(era.name) {
            return (Some(era.start.0), rest);
        }
        let letter = &era.name_en[..1];
        if let Some(rest) = t
            .strip_prefix(letter)
            .or_else(|| t.strip_prefix(&letter.to_lowercase()))
            && rest.starts_with(|c: char| c.is_ascii_digit())
        {
            return (Some(era.start.0), rest);
        }
    }
    (None, t)
}

/// The three level codes of an asset.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Levels {
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
}

impl Levels {
    pub fn new(c: impl Into<String>, i: impl Into<String>, a: impl Into<String>) -> Levels {
        Levels {
            confidentiality: c.into(),
            integrity: i.into(),
            availability: a.into(),
        }
    }

    pub fn code(&self, axis: Axis) -> &str {
        match axis {
            Axis::Confidentiality => &self.confidentiality,
            Axis::Integrity => &self.integrity,
            Axis::Availability => &self.availability,
        }
    }

    /// `C3A-I2-A2`.
    pub fn label(&self) -> String {
        format!(
            "C{}-I{}-A{}",
            self.confidentiality, self.integrity, self.availability
        )
    }
}

/// How and when an asset was disposed of, and who confirmed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disposal {
    pub date: Date,
    /// 物理破壊, データ消去ソフトによる消去, 溶解 …
    pub method: String,
    pub confirmed_by: String,
}

/// What of an asset this module can check on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetDraft {
    pub name: String,
    pub levels: Levels,
    pub lifecycle: Lifecycle,
    /// Date, method and confirmer as entered; all three are needed for a
    /// disposed asset and none for another.
    pub disposal_date: Option<Date>,
    pub disposal_method: String,
    pub disposal_confirmed_by: String,
}

/// An asset draft that passed [`AssetDraft::validate`]: the name trimmed,
/// the level codes spelled as the scheme spells them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAsset {
    pub name: String,
    pub levels: Levels,
    pub lifecycle: Lifecycle,
    pub disposal: Option<Disposal>,
    /// Rank of the confidentiality level (higher is stricter).
    pub confidentiality_rank: u32,
    /// The confidentiality level is the strictest of the scheme.
    pub is_top: bool,
}

/// The longest name an asset may have, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// One problem with one field, in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub column: LedgerColumn,
    pub message: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(
        column: LedgerColumn,
        message: impl Into<String>,
        message_en: impl Into<String>,
    ) -> FieldError {
        FieldError {
            column,
            message: message.into(),
            message_en: message_en.into(),
        }
    }
}

impl AssetDraft {
    /// Checks the draft against the scheme and returns every problem found.
    pub fn validate(&self, scheme: &Scheme) -> Result<ValidAsset, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = normalize_spaces(&self.name);
        if name.is_empty() {
            errors.push(FieldError::new(
                LedgerColumn::Name,
                "資産名が空です",
                "the asset name is empty",
            ));
        } else if let Err(problem) = crate::text::check_line(&name, MAX_NAME_CHARS) {
            errors.push(FieldError::new(
                LedgerColumn::Name,
                problem.ja("資産名"),
                problem.en("asset name"),
            ));
        }
        let mut codes: [String; 3] = Default::default();
        let mut c_level = None;
        for (slot, axis) in codes.iter_mut().zip(Axis::ALL) {
            let given = normalize(self.levels.code(axis));
            match level_column_error(scheme, axis, &given) {
                Ok(level) => {
                    *slot = level.code.clone();
                    if axis == Axis::Confidentiality {
                        c_level = Some(level);
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        let disposal = self.validate_disposal(&mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let [c, i, a] = codes;
        let rank = c_level.map_or(0, |l| l.rank);
        let top_rank = scheme.top(Axis::Confidentiality).map_or(0, |l| l.rank);
        Ok(ValidAsset {
            name,
            levels: Levels::new(c, i, a),
            lifecycle: self.lifecycle,
            disposal,
            confidentiality_rank: rank,
            is_top: rank >= top_rank,
        })
    }

    fn validate_disposal(&self, errors: &mut Vec<FieldError>) -> Option<Disposal> {
        let method = normalize_spaces(&self.disposal_method);
        let confirmer = normalize_spaces(&self.disposal_confirmed_by);
        if self.lifecycle != Lifecycle::Disposed {
            let given = [
                (self.disposal_date.is_some(), LedgerColumn::DisposedOn),
                (!method.is_empty(), LedgerColumn::DisposalMethod),
                (!confirmer.is_empty(), LedgerColumn::DisposalConfirmedBy),
            ];
            for (present, column) in given {
                if present {
                    errors.push(FieldError::new(
                        column,
                        "廃棄していない資産に廃棄の記録があります（状態を「廃棄」にしてください）",
                        "an asset that is not disposed has a disposal record (set the state to disposed)",
                    ));
                }
            }
            return None;
        }
        if self.disposal_date.is_none() {
            errors.push(FieldError::new(
                LedgerColumn::DisposedOn,
                "廃棄した資産には廃棄日が必要です",
                "a disposed asset needs its disposal date",
            ));
        }
        if method.is_empty() {
            errors.push(FieldError::new(
                LedgerColumn::DisposalMethod,
                "廃棄した資産には廃棄方法が必要です",
                "a disposed asset needs its disposal method",
            ));
        }
        if confirmer.is_empty() {
            errors.push(FieldError::new(
                LedgerColumn::DisposalConfirmedBy,
                "廃棄した資産には廃棄を確認した者が必要です",
                "a disposed asset needs the person who confirmed the disposal",
            ));
        }
        let date = self.disposal_date?;
        (!method.is_empty() && !confirmer.is_empty()).then_some(Disposal {
            date,
            method,
            confirmed_by: confirmer,
        })
    }
}

/// The level of `axis` named by `code`, or the error the ledger reports.
pub fn level_column_error<'s>(
    scheme: &'s Scheme,
    axis: Axis,
    code: &str,
) -> Result<&'s crate::classification::Level, FieldError> {
    let column = LedgerColumn::for_axis(axis);
    let code = strip_axis_prefix(axis, code);
    if code.is_empty() {
        return Err(FieldError::new(
            column,
            format!("{}が空です", axis.name_ja()),
            format!("the {} level is empty", axis.name_en()),
        ));
    }
    scheme.level(axis, code).ok_or_else(|| {
        let known: Vec<&str> = scheme
            .levels_of(axis)
            .into_iter()
            .map(|l| l.code.as_str())
            .collect();
        FieldError::new(
            column,
            format!(
                "{}「{code}」は現在の格付け基準（{}）にありません（使える値: {}）",
                axis.name_ja(),
                scheme.name,
                known.join("、")
            ),
            format!(
                "{} level '{code}' is not a level of the active scheme {} (allowed: {})",
                axis.name_en(),
                scheme.code,
                known.join(", ")
            ),
        )
    })
}

/// Accepts "機密性3A", "C3A" and "3A" for the same level.
fn strip_axis_prefix(axis: Axis, code: &str) -> &str {
    let code = code.trim();
    let code = code.strip_prefix(axis.name_ja()).unwrap_or(code);
    let code = code.strip_prefix("自治体機密性").unwrap_or(code);
    let mut chars = code.chars();
    match chars.next() {
        Some(c) if c.to_ascii_uppercase() == axis.letter() => chars.as_str(),
        _ => code,
    }
    .trim()
}

/// Trims and collapses runs of white space inside to one space.
pub fn normalize_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The checks an asset fails, by code, for the `flags` column.
pub fn failed_checks(scheme: &Scheme, facts: &AssetFacts) -> Vec<String> {
    scheme
        .evaluate(facts)
        .into_iter()
        .map(|c| c.code.clone())
        .collect()
}

/// The flag set on an asset classified under a scheme that is no longer the
/// active one: it needs reclassifying.
pub const FLAG_OTHER_SCHEME: &str = "scheme-outdated";

/// The columns of the ledger (情報資産管理台帳), in the order an export writes
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerColumn {
    /// 資産番号: the register's id. Empty for a new asset; an existing id
    /// updates that asset (this is what makes an export import back unchanged).
    Id,
    Name,
    Kind,
    Description,
    OwnerUnit,
    Administrator,
    Location,
    System,
    Segment,
    Confidentiality,
    Integrity,
    Availability,
    /// 格付け (`C3A-I2-A2`): written by the export; read only when the three
    /// level columns are all empty.
    Label,
    PersonalInfo,
    MyNumber,
    Retention,
    State,
    DisposedOn,
    DisposalMethod,
    DisposalConfirmedBy,
    Notes,
}

impl LedgerColumn {
    pub const ALL: [LedgerColumn; 21] = [
        LedgerColumn::Id,
        LedgerColumn::Name,
        LedgerColumn::Kind,
        LedgerColumn::Description,
        LedgerColumn::OwnerUnit,
        LedgerColumn::Administrator,
        LedgerColumn::Location,
        LedgerColumn::System,
        LedgerColumn::Segment,
        LedgerColumn::Confidentiality,
        LedgerColumn::Integrity,
        LedgerColumn::Availability,
        LedgerColumn::Label,
        LedgerColumn::PersonalInfo,
        LedgerColumn::MyNumber,
        LedgerColumn::Retention,
        LedgerColumn::State,
        LedgerColumn::DisposedOn,
        LedgerColumn::DisposalMethod,
        LedgerColumn::DisposalConfirmedBy,
        LedgerColumn::Notes,
    ];

    /// The header in the ledger.
    pub fn header(self) -> &'static str {
        match self {
            LedgerColumn::Id => "資産番号",
            LedgerColumn::Name => "資産名",
            LedgerColumn::Kind => "種別",
            LedgerColumn::Description => "概要",
            LedgerColumn::OwnerUnit => "所管課",
            LedgerColumn::Administrator => "管理者",
            LedgerColumn::Location => "保管場所",
            LedgerColumn::System => "情報システム",
            LedgerColumn::Segment => "ネットワーク区分",
            LedgerColumn::Confidentiality => "機密性",
            LedgerColumn::Integrity => "完全性",
            LedgerColumn::Availability => "可用性",
            LedgerColumn::Label => "格付け",
            LedgerColumn::PersonalInfo => "個人情報",
            LedgerColumn::MyNumber => "特定個人情報",
            LedgerColumn::Retention => "保存期間",
            LedgerColumn::State => "状態",
            LedgerColumn::DisposedOn => "廃棄日",
            LedgerColumn::DisposalMethod => "廃棄方法",
            LedgerColumn::DisposalConfirmedBy => "廃棄確認者",
            LedgerColumn::Notes => "備考",
        }
    }

    pub fn header_en(self) -> &'static str {
        match self {
            LedgerColumn::Id => "Asset number",
            LedgerColumn::Name => "Asset name",
            LedgerColumn::Kind => "Kind",
            LedgerColumn::Description => "Description",
            LedgerColumn::OwnerUnit => "Owning unit",
            LedgerColumn::Administrator => "Administrator",
            LedgerColumn::Location => "Location or medium",
            LedgerColumn::System => "Information system",
            LedgerColumn::Segment => "Network segment",
            LedgerColumn::Confidentiality => "Confidentiality",
            LedgerColumn::Integrity => "Integrity",
            LedgerColumn::Availability => "Availability",
            LedgerColumn::Label => "Label",
            LedgerColumn::PersonalInfo => "Personal information",
            LedgerColumn::MyNumber => "My Number information",
            LedgerColumn::Retention => "Retention period",
            LedgerColumn::State => "State",
            LedgerColumn::DisposedOn => "Disposal date",
            LedgerColumn::DisposalMethod => "Disposal method",
            LedgerColumn::DisposalConfirmedBy => "Disposal confirmed by",
            LedgerColumn::Notes => "Notes",
        }
    }

    /// Other headers that mean the same column in ledgers seen in practice.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            LedgerColumn::Id => &["番号", "ID", "管理番号", "資産ID"],
            LedgerColumn::Name => &["情報資産名", "名称"],
            LedgerColumn::Kind => &["資産種別", "分類", "資産の種類"],
            LedgerColumn::Description => &["説明", "内容"],
            LedgerColumn::OwnerUnit => &["所管課室", "所属", "担当課", "所管部署", "所管"],
            LedgerColumn::Administrator => &["管理責任者", "情報資産管理者"],
            LedgerColumn::Location => &["保管場所・媒体", "媒体", "保存場所", "媒体・保管場所"],
            LedgerColumn::System => &["システム", "システム名", "情報システム名"],
            LedgerColumn::Segment => &["ネットワーク", "セグメント", "系", "区分"],
            LedgerColumn::Confidentiality => &["機密性格付け", "自治体機密性"],
            LedgerColumn::Integrity => &["完全性格付け"],
            LedgerColumn::Availability => &["可用性格付け"],
            LedgerColumn::Label => &["格付ラベル", "ラベル", "表示"],
            LedgerColumn::PersonalInfo => &["個人情報の有無", "個人情報有無"],
            LedgerColumn::MyNumber => &["特定個人情報の有無", "マイナンバー", "個人番号"],
            LedgerColumn::Retention => &["保存年限"],
            LedgerColumn::State => &["ライフサイクル", "ステータス"],
            LedgerColumn::DisposedOn => &["廃棄年月日"],
            LedgerColumn::DisposalMethod => &[],
            LedgerColumn::DisposalConfirmedBy => &["廃棄確認"],
            LedgerColumn::Notes => &["摘要"],
        }
    }

    /// A column an import cannot do without. The level columns may be
    /// replaced by the label column.
    pub fn required(self) -> bool {
        matches!(
            self,
            LedgerColumn::Name | LedgerColumn::Kind | LedgerColumn::OwnerUnit
        )
    }

    /// The column a header names: the Japanese header, an alias, or the
    /// English header (any case, full-width letters folded).
    pub fn from_header(header: &str) -> Option<LedgerColumn> {
        let h = normalize(header).replace([' ', '\n', '\r'], "");
        if h.is_empty() {
            return None;
        }
        LedgerColumn::ALL.into_iter().find(|c| {
            c.header() == h
                || c.aliases().contains(&h.as_str())
                || c.header_en().replace(' ', "").eq_ignore_ascii_case(&h)
        })
    }

    pub fn for_axis(axis: Axis) -> LedgerColumn {
        match axis {
            Axis::Confidentiality => LedgerColumn::Confidentiality,
            Axis::Integrity => LedgerColumn::Integrity,
            Axis::Availability => LedgerColumn::Availability,
        }
    }
}

/// The letters of a zero-based column index as Excel shows them (0 → A, 26 → AA).
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests;
