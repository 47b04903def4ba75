//! The state of a control where it applies (第8): the four answers a city gives
//! for each control, city-wide, per unit or per information system. The same
//! four answers serve self-inspection (第10).

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::org::UnknownCode;

/// How far a control is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Implementation {
    /// 実施済
    Implemented,
    /// 一部実施
    Partial,
    /// 未実施
    NotImplemented,
    /// 対象外 (with a reason)
    NotApplicable,
}

impl Implementation {
    pub const ALL: [Implementation; 4] = [
        Implementation::Implemented,
        Implementation::Partial,
        Implementation::NotImplemented,
        Implementation::NotApplicable,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Implementation::Implemented => "implemented",
            Implementation::Partial => "partial",
            Implementation::NotImplemented => "not_implemented",
            Implementation::NotApplicable => "not_applicable",
        }
    }

    pub fn name_ja(self) -> &'static str {
        match self {
            Implementation::Implemented => "実施済",
            Implementation::Partial => "一部実施",
            Implementation::NotImplemented => "未実施",
            Implementation::NotApplicable => "対象外",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Implementation::Implemented => "Implemented",
            Implementation::Partial => "Partly implemented",
            Implementation::NotImplemented => "Not implemented",
            Implementation::NotApplicable => "Not applicable",
        }
    }

    /// Reads a code, or the Japanese word as a sheet filled in by hand has it
    /// (実施済, 一部実施, 未実施, 対象外).
    pub fn parse_loose(s: &str) -> Option<Implementation> {
        let s = s.trim();
        Implementation::ALL
            .into_iter()
            .find(|i| i.code() == s || i.name_ja() == s)
    }
}

impl FromStr for Implementation {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Implementation::ALL
            .into_iter()
            .find(|i| i.code() == s)
            .ok_or_else(|| UnknownCode {
                what: "implementation state",
                code: s.to_string(),
            })
    }
}

/// Where a control's status is kept: the whole city, a unit, or an
/// information system. Stored as `scope_kind` and `scope_id` (0 for the city).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum StatusScope {
    City,
    Unit(i64),
    System(i64),
}

impl StatusScope {
    pub fn kind(self) -> &'static str {
        match self {
            StatusScope::City => "city",
            StatusScope::Unit(_) => "unit",
            StatusScope::System(_) => "system",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            StatusScope::City => 0,
            StatusScope::Unit(id) | StatusScope::System(id) => id,
        }
    }

    /// Reads the stored pair back; None for a kind that is not one of the three.
    pub fn from_parts(kind: &str, id: i64) -> Option<StatusScope> {
        match kind {
            "city" => Some(StatusScope::City),
            "unit" => Some(StatusScope::Unit(id)),
            "system" => Some(StatusScope::System(id)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_japanese_words_read_back() {
        for i in Implementation::ALL {
            assert_eq!(i.code().parse::<Implementation>().ok(), Some(i));
            assert_eq!(Implementation::parse_loose(i.name_ja()), Some(i));
        }
        assert!("done".parse::<Implementation>().is_err());
        assert_eq!(
            Implementation::parse_loose(" 一部実施 "),
            Some(Implementation::Partial)
        );
        assert_eq!(Implementation::parse_loose("実施"), None);
    }

    #[test]
    fn scopes_round_trip() {
        for s in [
            StatusScope::City,
            StatusScope::Unit(5),
            StatusScope::System(7),
        ] {
            assert_eq!(StatusScope::from_parts(s.kind(), s.id()), Some(s));
        }
        assert_eq!(StatusScope::from_parts("dept", 1), None);
    }
}
