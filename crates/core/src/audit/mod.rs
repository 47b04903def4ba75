//! Audits and self-inspections (第10): the answers a unit gives to a checklist
//! item, how an item is checked, the state of a unit's questionnaire, and the
//! scoring of answers. Pure: the store keeps them as their codes.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::org::UnknownCode;

pub mod finding;

#[cfg(test)]
mod tests;

/// A small enum kept as a code, with its Japanese and English words.
macro_rules! coded {
    ($(#[$m:meta])* $name:ident, $what:literal { $($(#[$vm:meta])* $variant:ident => ($code:literal, $ja:literal, $en:literal),)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }

            pub fn name_ja(self) -> &'static str {
                match self { $($name::$variant => $ja,)* }
            }

            pub fn name_en(self) -> &'static str {
                match self { $($name::$variant => $en,)* }
            }

            /// Reads a code or the Japanese word (as a sheet filled in by hand
            /// has it).
            pub fn parse_loose(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.code() == s || v.name_ja() == s)
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code() == s)
                    .ok_or_else(|| UnknownCode { what: $what, code: s.to_string() })
            }
        }
    };
}

coded! {
    /// A unit's answer to one checklist item.
    Answer, "inspection answer" {
        Done => ("done", "実施", "Done"),
        Partial => ("partial", "一部実施", "Partly done"),
        NotDone => ("not_done", "未実施", "Not done"),
        NotApplicable => ("not_applicable", "対象外", "Not applicable"),
    }
}

coded! {
    /// How an item is checked.
    Method, "check method" {
        Interview => ("interview", "聞き取り", "Interview"),
        Document => ("document", "書類確認", "Document review"),
        OnSite => ("on_site", "現地確認", "On-site check"),
        Technical => ("technical", "技術的検証", "Technical test"),
    }
}

coded! {
    /// Where a unit's questionnaire stands.
    TargetState, "questionnaire state" {
        NotStarted => ("not_started", "未着手", "Not started"),
        InProgress => ("in_progress", "回答中", "In progress"),
        Submitted => ("submitted", "提出済", "Submitted"),
    }
}

coded! {
    /// What a campaign covers.
    TargetKind, "inspection target kind" {
        Unit => ("unit", "課室", "Units"),
        System => ("system", "情報システム", "Information systems"),
    }
}

coded! {
    /// What a checklist's items were drawn from.
    ChecklistSource, "checklist source" {
        Controls => ("controls", "対策カタログ", "Control catalogue"),
        Policy => ("policy", "対策基準", "Standards document"),
    }
}

impl Answer {
    /// The points of an answer out of [`MAX_POINTS`]; None for 対象外 (left
    /// out of the score).
    pub fn points(self) -> Option<i64> {
        match self {
            Answer::Done => Some(2),
            Answer::Partial => Some(1),
            Answer::NotDone => Some(0),
            Answer::NotApplicable => None,
        }
    }
}

/// The points of an item answered 実施.
pub const MAX_POINTS: i64 = 2;

/// The answers every item allows unless a template says otherwise.
pub fn default_answers() -> Vec<Answer> {
    Answer::ALL.to_vec()
}

/// Reads the stored list of allowed answers (space separated codes); unknown
/// codes are skipped, an empty list allows every answer.
pub fn parse_answers(text: &str) -> Vec<Answer> {
    let found: Vec<Answer> = text
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .collect();
    if found.is_empty() {
        default_answers()
    } else {
        found
    }
}

/// The stored form of a list of allowed answers.
pub fn answers_text(answers: &[Answer]) -> String {
    answers
        .iter()
        .map(|a| a.code())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A score as a percentage (0–100, one decimal), None when nothing applicable
/// was answered.
pub fn percent(points: i64, applicable: i64) -> Option<f64> {
    if applicable <= 0 {
        return None;
    }
    let p = points as f64 * 100.0 / (applicable * MAX_POINTS) as f64;
    Some((p * 10.0).round() / 10.0)
}

/// A score as the pages and the reports write it: `83.3%`, or `—` when
/// nothing applicable was answered.
pub fn score_text(points: i64, applicable: i64) -> String {
    match percent(points, applicable) {
        Some(p) => format!("{p:.1}%"),
        None => "—".to_string(),
    }
}

/// The change of a score since a previous one, in percentage points, as the
/// pages and the reports write it: `＋3.2pt`, `−1.0pt`, `±0.0pt` (full-width
/// plus and the minus sign, so that no spreadsheet takes it for a formula);
/// None when either score is missing.
pub fn delta_text(now: Option<f64>, before: Option<f64>) -> Option<String> {
    let (now, before) = (now?, before?);
    let d = ((now - before) * 10.0).round() / 10.0;
    Some(if d > 0.0 {
        format!("＋{d:.1}pt")
    } else if d < 0.0 {
        format!("−{:.1}pt", -d)
    } else {
        "±0.0pt".to_string()
    })
}

/// The share of `done` in `of` as a percentage with one decimal (`—` when
/// `of` is 0): the completion of a questionnaire.
pub fn share_text(done: i64, of: i64) -> String {
    if of <= 0 {
        return "—".to_string();
    }
    let p = (done as f64 * 1000.0 / of as f64).round() / 10.0;
    format!("{p:.1}%")
}

/// The words (Japanese, English) of an audit's status.
pub fn audit_status_name(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "planned" => ("計画", "Planned"),
        "in_progress" => ("実施中", "In progress"),
        "reported" => ("報告済", "Reported"),
        "closed" => ("完了", "Closed"),
        _ => return None,
    })
}

/// The words (Japanese, English) of an audit item's result.
pub fn audit_result_name(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "conforming" => ("適合", "Conforming"),
        "nonconforming" => ("不適合", "Nonconforming"),
        "observation" => ("観察事項", "Observation"),
        "not_applicable" => ("対象外", "Not applicable"),
        _ => return None,
    })
}

/// The running totals of a questionnaire: answered items, points and the
/// number of items answered other than 対象外.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub answered: i64,
    pub points: i64,
    pub applicable: i64,
}

impl Tally {
    pub fn add(&mut self, answer: Answer) {
        self.answered += 1;
        if let Some(p) = answer.points() {
            self.points += p;
            self.applicable += 1;
        }
    }

    pub fn of(answers: impl IntoIterator<Item = Answer>) -> Tally {
        let mut t = Tally::default();
        for a in answers {
            t.add(a);
        }
        t
    }

    pub fn percent(&self) -> Option<f64> {
        percent(self.points, self.applicable)
    }
}

/// The provision an item drawn from the control catalogue names.
pub fn control_provision(code: &str) -> String {
    format!("control:{code}")
}
