//! Training (第8(2) 人的セキュリティ: 教育・訓練): the kinds of course, who an
//! assignment is for, and how an e-learning system's completion dates are read.

use serde::{Deserialize, Serialize};
use std::str::FromStr;
use time::Date;

use crate::org::UnknownCode;

/// What a course is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CourseKind {
    /// 年次の情報セキュリティ研修
    Yearly,
    /// 新規採用職員研修
    NewStaff,
    /// 個人番号利用事務従事者研修 (My Number work)
    MyNumber,
    /// 管理者向け研修 (情報セキュリティ責任者・管理者)
    Managers,
    /// 標的型メール訓練などの訓練
    Drill,
    Other,
}

impl CourseKind {
    pub const ALL: [CourseKind; 6] = [
        CourseKind::Yearly,
        CourseKind::NewStaff,
        CourseKind::MyNumber,
        CourseKind::Managers,
        CourseKind::Drill,
        CourseKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CourseKind::Yearly => "yearly",
            CourseKind::NewStaff => "new_staff",
            CourseKind::MyNumber => "my_number",
            CourseKind::Managers => "managers",
            CourseKind::Drill => "drill",
            CourseKind::Other => "other",
        }
    }

    pub fn name_ja(self) -> &'static str {
        match self {
            CourseKind::Yearly => "年次研修",
            CourseKind::NewStaff => "新規採用職員研修",
            CourseKind::MyNumber => "個人番号利用事務研修",
            CourseKind::Managers => "管理者研修",
            CourseKind::Drill => "訓練",
            CourseKind::Other => "その他",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            CourseKind::Yearly => "Yearly training",
            CourseKind::NewStaff => "New staff",
            CourseKind::MyNumber => "My Number work",
            CourseKind::Managers => "Managers",
            CourseKind::Drill => "Drill",
            CourseKind::Other => "Other",
        }
    }
}

impl FromStr for CourseKind {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CourseKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| UnknownCode {
                what: "course kind",
                code: s.to_string(),
            })
    }
}

/// Who an assignment of a course is for. The target's value is a guideline
/// role code, a unit id (the unit and the units below it) or an employment
/// type code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Everyone,
    Role,
    Unit,
    EmploymentType,
}

impl TargetKind {
    pub const ALL: [TargetKind; 4] = [
        TargetKind::Everyone,
        TargetKind::Role,
        TargetKind::Unit,
        TargetKind::EmploymentType,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TargetKind::Everyone => "everyone",
            TargetKind::Role => "role",
            TargetKind::Unit => "unit",
            TargetKind::EmploymentType => "employment_type",
        }
    }
}

impl FromStr for TargetKind {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TargetKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| UnknownCode {
                what: "assignment target",
                code: s.to_string(),
            })
    }
}

/// The first day a completion counts for an assignment due on `due`: with a
/// validity of `months`, a completion older than that many months before the
/// due date no longer counts; without one, any completion counts (`None`).
pub fn counts_from(due: Date, valid_months: Option<u32>) -> Option<Date> {
    let months = valid_months?;
    let total = due.year() * 12 + i32::from(u8::from(due.month())) - 1 - months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = time::Month::try_from(month0 as u8 + 1).ok()?;
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, due.day().min(last)).ok()
}

/// A completion date as e-learning systems export it: a date in any form the
/// ledger reads (2026-04-01, 2026/4/1, 令和8年4月1日 …), optionally followed by
/// a time ("2026/04/01 10:15:00", "2026-04-01T10:15:00+09:00").
pub fn parse_completion_date(text: &str) -> Option<Date> {
    let t = text.trim();
    let date_part = t.split(['T', ' ', '\u{3000}']).next().unwrap_or(t);
    crate::asset::parse_date(date_part)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn codes_round_trip() {
        for k in CourseKind::ALL {
            assert_eq!(k.code().parse::<CourseKind>(), Ok(k));
        }
        for k in TargetKind::ALL {
            assert_eq!(k.code().parse::<TargetKind>(), Ok(k));
        }
        assert!("weekly".parse::<CourseKind>().is_err());
    }

    #[test]
    fn validity_window() {
        assert_eq!(counts_from(date!(2026 - 12 - 31), None), None);
        assert_eq!(
            counts_from(date!(2026 - 12 - 31), Some(12)),
            Some(date!(2025 - 12 - 31))
        );
        assert_eq!(
            counts_from(date!(2026 - 03 - 31), Some(1)),
            Some(date!(2026 - 02 - 28))
        );
        assert_eq!(
            counts_from(date!(2026 - 01 - 15), Some(1)),
            Some(date!(2025 - 12 - 15))
        );
    }

    #[test]
    fn completion_dates() {
        let d = Some(date!(2026 - 04 - 01));
        assert_eq!(parse_completion_date("2026-04-01"), d);
        assert_eq!(parse_completion_date("2026/4/1 10:15:00"), d);
        assert_eq!(parse_completion_date("2026-04-01T10:15:00+09:00"), d);
        assert_eq!(parse_completion_date("令和8年4月1日"), d);
        assert_eq!(parse_completion_date("2026-13-01"), None);
        assert_eq!(parse_completion_date("昨日"), None);
        assert_eq!(parse_completion_date(""), None);
    }
}
