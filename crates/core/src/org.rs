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

/// How a member of staff is employed (第2: 職員 includes 会計年度任用職員 and others).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentType {
    /// 正規職員
    Regular,
    /// 会計年度任用職員
    FiscalYear,
    /// 再任用職員
    Reappointed,
    /// 任期付職員
    FixedTerm,
    /// 派遣職員
    Dispatched,
    /// 委託先従事者
    Contractor,
    /// その他
    Other,
}

impl EmploymentType {
    pub const ALL: [EmploymentType; 7] = [
        EmploymentType::Regular,
        EmploymentType::FiscalYear,
        EmploymentType::Reappointed,
        EmploymentType::FixedTerm,
        EmploymentType::Dispatched,
        EmploymentType::Contractor,
        EmploymentType::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EmploymentType::Regular => "regular",
            EmploymentType::FiscalYear => "fiscal_year",
            EmploymentType::Reappointed => "reappointed",
            EmploymentType::FixedTerm => "fixed_term",
            EmploymentType::Dispatched => "dispatched",
            EmploymentType::Contractor => "contractor",
            EmploymentType::Other => "other",
        }
    }

    pub fn name_ja(self) -> &'static str {
        match self {
            EmploymentType::Regular => "正規職員",
            EmploymentType::FiscalYear => "会計年度任用職員",
            EmploymentType::Reappointed => "再任用職員",
            EmploymentType::FixedTerm => "任期付職員",
            EmploymentType::Dispatched => "派遣職員",
            EmploymentType::Contractor => "委託先従事者",
            EmploymentType::Other => "その他",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            EmploymentType::Regular => "Regular staff",
            EmploymentType::FiscalYear => "Fiscal-year appointee",
            EmploymentType::Reappointed => "Re-appointed staff",
            EmploymentType::FixedTerm => "Fixed-term staff",
            EmploymentType::Dispatched => "Agency worker",
            EmploymentType::Contractor => "Contractor staff",
            EmploymentType::Other => "Other",
        }
    }
}

impl FromStr for EmploymentType {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EmploymentType::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| UnknownCode {
                what: "employment type",
                code: s.to_string(),
            })
    }
}

/// What a guideline role is held for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// The whole organisation (CISO, CSIRT, 委員会).
    Organisation,
    /// A unit of the organisation and everything below it.
    Unit,
    /// One information system (its id in the asset register).
    System,
}

impl ScopeKind {
    pub fn code(self) -> &'static str {
        match self {
            ScopeKind::Organisation => "organisation",
            ScopeKind::Unit => "unit",
            ScopeKind::System => "system",
        }
    }
}

/// The guideline role 情報システム管理者: the one system-scoped role that keeps
/// its system's register entry and control status (担当者 read them).
pub const SYSTEM_MANAGER_ROLE: &str = "system_manager";

/// One role of the guideline's model (第5 組織及び体制). The catalogue is data:
/// a code, names, and what the role is held for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GuidelineRole {
    pub code: &'static str,
    pub name_ja: &'static str,
    pub name_en: &'static str,
    pub scope: ScopeKind,
    /// For unit-scoped roles, the kind of unit the role is held for.
    pub unit_kind: Option<UnitKind>,
}

/// The guideline's roles. Cities that use other names rename them on the page; the
/// codes stay.
pub const GUIDELINE_ROLES: [GuidelineRole; 9] = [
    GuidelineRole {
        code: "ciso",
        name_ja: "最高情報セキュリティ責任者",
        name_en: "Chief Information Security Officer (CISO)",
        scope: ScopeKind::Organisation,
        unit_kind: None,
    },
    GuidelineRole {
        code: "chief_security_manager",
        name_ja: "統括情報セキュリティ責任者",
        name_en: "Chief information security manager",
        scope: ScopeKind::Organisation,
        unit_kind: None,
    },
    GuidelineRole {
        code: "security_manager",
        name_ja: "情報セキュリティ責任者",
        name_en: "Information security manager (department)",
        scope: ScopeKind::Unit,
        unit_kind: Some(UnitKind::Department),
    },
    GuidelineRole {
        code: "security_administrator",
        name_ja: "情報セキュリティ管理者",
        name_en: "Information security administrator (section)",
        scope: ScopeKind::Unit,
        unit_kind: Some(UnitKind::Section),
    },
    GuidelineRole {
        code: "system_manager",
        name_ja: "情報システム管理者",
        name_en: "Information system manager",
        scope: ScopeKind::System,
        unit_kind: None,
    },
    GuidelineRole {
        code: "system_operator",
        name_ja: "情報システム担当者",
        name_en: "Information system operator",
        scope: ScopeKind::System,
        unit_kind: None,
    },
    GuidelineRole {
        code: "csirt",
        name_ja: "CSIRT要員",
        name_en: "CSIRT member",
        scope: ScopeKind::Organisation,
        unit_kind: None,
    },
    GuidelineRole {
        code: "committee",
        name_ja: "情報セキュリティ委員会委員",
        name_en: "Information security committee member",
        scope: ScopeKind::Organisation,
        unit_kind: None,
    },
    GuidelineRole {
        code: "adviser",
        name_ja: "最高情報セキュリティアドバイザー",
        name_en: "Chief information security adviser",
        scope: ScopeKind::Organisation,
        unit_kind: None,
    },
];

/// The guideline role with this code.
pub fn guideline_role(code: &str) -> Result<&'static GuidelineRole, UnknownCode> {
    GUIDELINE_ROLES
        .iter()
        .find(|r| r.code == code)
        .ok_or_else(|| UnknownCode {
            what: "guideline role",
            code: code.to_string(),
        })
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
        for e in EmploymentType::ALL {
            assert_eq!(e.code().parse::<EmploymentType>(), Ok(e));
        }
        for r in GUIDELINE_ROLES {
            assert_eq!(guideline_role(r.code).map(|g| g.code), Ok(r.code));
            assert_eq!(r.unit_kind.is_some(), r.scope == ScopeKind::Unit);
        }
        assert!(guideline_role("mayor").is_err());
    }
}
