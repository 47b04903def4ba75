//! Information security incidents (情報セキュリティインシデント): their kinds,
//! severities, the reporting line they climb and whether the city must report
//! a breach of personal information to the Personal Information Protection
//! Commission.

use super::coded;

coded! {
    /// What happened.
    IncidentKind {
        Leak => ("leak", "漏えい", "Leak"),
        LossTheft => ("loss_theft", "紛失・盗難", "Loss or theft"),
        Tampering => ("tampering", "改ざん", "Tampering"),
        Malware => ("malware", "不正プログラム感染", "Malware"),
        UnauthorisedAccess => ("unauthorised_access", "不正アクセス", "Unauthorised access"),
        Outage => ("outage", "システム障害", "Outage"),
        Disaster => ("disaster", "災害", "Disaster"),
        Missending => ("missending", "誤送付・誤送信", "Mis-sending"),
        Other => ("other", "その他", "Other"),
    }
}

coded! {
    /// How serious it is.
    Severity {
        Low => ("low", "低", "Low"),
        Medium => ("medium", "中", "Medium"),
        High => ("high", "高", "High"),
        Critical => ("critical", "重大", "Critical"),
    }
}

impl Severity {
    /// High or critical: the prefecture and the ministry hear of it.
    pub fn is_severe(self) -> bool {
        matches!(self, Severity::High | Severity::Critical)
    }
}

coded! {
    /// The steps of the reporting line (第5 の体制): a report reaches the
    /// unit's 情報セキュリティ管理者 at once and is escalated step by step.
    Step {
        Administrator => ("administrator", "情報セキュリティ管理者", "Information security administrator"),
        Manager => ("manager", "情報セキュリティ責任者", "Information security manager"),
        Chief => ("chief", "統括情報セキュリティ責任者・CSIRT", "Chief information security manager and CSIRT"),
        Ciso => ("ciso", "最高情報セキュリティ責任者（CISO）", "Chief information security officer (CISO)"),
    }
}

impl Step {
    /// The next step up the line (None at the CISO).
    pub fn next(self) -> Option<Step> {
        match self {
            Step::Administrator => Some(Step::Manager),
            Step::Manager => Some(Step::Chief),
            Step::Chief => Some(Step::Ciso),
            Step::Ciso => None,
        }
    }
}

coded! {
    /// What an entry of an incident's timeline records.
    TimelineKind {
        Reported => ("reported", "報告", "Reported"),
        Escalated => ("escalated", "上位への報告", "Escalated"),
        Action => ("action", "対応", "Action"),
        Assessed => ("assessed", "評価の変更", "Assessment changed"),
        ReportSent => ("report_sent", "外部への報告・通知", "Report sent"),
        Closed => ("closed", "終結", "Closed"),
    }
}

coded! {
    /// The decision on publishing the incident.
    Publication {
        Undecided => ("undecided", "未決定", "Undecided"),
        Publish => ("publish", "公表する", "Publish"),
        NotPublish => ("not_publish", "公表しない", "Do not publish"),
    }
}

/// What is known of the personal information involved, for the
/// Commission's criteria.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PersonalData {
    /// Personal information is involved.
    pub personal_info: bool,
    /// My Number (特定個人情報) data is involved.
    pub my_number: bool,
    /// 要配慮個人情報 (sensitive data).
    pub sensitive: bool,
    /// Data open to financial misuse (財産的被害のおそれ).
    pub financial: bool,
    /// A wrongful purpose (不正の目的によるおそれ).
    pub wrongful: bool,
    /// How many people are affected, when known.
    pub affected: Option<i64>,
}

/// More people than this affected makes a report owed.
pub const PPC_PEOPLE_THRESHOLD: i64 = 100;

impl PersonalData {
    /// Personal information or My Number data is involved.
    pub fn involved(&self) -> bool {
        self.personal_info || self.my_number
    }

    /// Which of the Commission's criteria hold (codes: sensitive, financial,
    /// wrongful, over_100).
    pub fn criteria(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.sensitive {
            out.push("sensitive");
        }
        if self.financial {
            out.push("financial");
        }
        if self.wrongful {
            out.push("wrongful");
        }
        if self.affected.is_some_and(|n| n > PPC_PEOPLE_THRESHOLD) {
            out.push("over_100");
        }
        out
    }

    /// A report to the Commission (and notification of the persons) is
    /// required: the data is involved and one criterion holds.
    pub fn ppc_required(&self) -> bool {
        self.involved() && !self.criteria().is_empty()
    }
}
