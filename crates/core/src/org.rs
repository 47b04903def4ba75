//! The organisation: kinds of units and the system roles a user may hold.
//!
//! The guideline's security roles (CISO, 統括情報セキュリティ責任者 …) are data and
//! come with the organisation module; the system roles here decide what a user
//! may do in Mamori itself.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The level of a unit in the organisation tree (部局 → 課 → 係).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 部局
    Department,
    /// 課・室
    Section,
    /// 係・担当
    Team,
    /// Any other kind of body (委員会, 事務局 …).
    Other,
}

impl UnitKind {
    pub const ALL: [UnitKind; 4] = [
        UnitKind::Department,
        UnitKind::Section,
        UnitKind::Team,
        UnitKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            UnitKind::Department => "department",
            UnitKind::Section => "section",
            UnitKind::Team => "team",
            UnitKind::Other => "other",
        }
    }

    pub fn name_ja(self) -> &'static str {
        match self {
            UnitKind::Department => "部局",
            UnitKind::Section => "課",
            UnitKind::Team => "係",
            UnitKind::Other => "その他",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            UnitKind::Department => "Department",
            UnitKind::Section => "Section",
            UnitKind::Team => "Team",
            UnitKind::Other => "Other",
        }
    }
}

impl FromStr for UnitKind {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UnitKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| UnknownCode {
                what: "unit kind",
                code: s.to_string(),
            })
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What a user may do in Mamori itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum SystemRole {
    /// システム管理者: users, settings, everything.
    Admin,
    /// 情報セキュリティ担当 (the security office): sees and manages every register.
    SecurityOfficer,
    /// 監査人: reads everything, changes nothing but audit records.
    Auditor,
    /// 職員: sees the policy and the catalogues, and the records of their own unit.
    Staff,
}

impl SystemRole {
    pub const ALL: [SystemRole; 4] = [
        SystemRole::Admin,
        SystemRole::SecurityOfficer,
        SystemRole::Auditor,
        SystemRole::Staff,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SystemRole::Admin => "admin",
            SystemRole::SecurityOfficer => "security_officer",
            SystemRole::Auditor => "auditor",
            SystemRole::Staff => "staff",
        }
    }

    pub fn name_ja(self) -> &'static str {
        match self {
            SystemRole::Admin => "システム管理者",
            SystemRole::SecurityOfficer => "情報セキュリティ担当",
            SystemRole::Auditor => "監査人",
            SystemRole::Staff => "職員",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            SystemRole::Admin => "Administrator",
            SystemRole::SecurityOfficer => "Security office",
            SystemRole::Auditor => "Auditor",
            SystemRole::Staff => "Staff",
        }
    }
}

impl FromStr for SystemRole {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SystemRole::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| UnknownCode {
                what: "role",
                code: s.to_string(),
            })
    }
}

impl fmt::Display for SystemRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A code that names nothing known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{code}'")]
pub struct UnknownCode {
    pub what: &'static str,
    pub code: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in SystemRole::ALL {
            assert_eq!(r.code().parse::<SystemRole>(), Ok(r));
        }
        for k in UnitKind::ALL {
            assert_eq!(k.code().parse::<UnitKind>(), Ok(k));
        }
        assert!("root".parse::<SystemRole>().is_err());
    }
}
