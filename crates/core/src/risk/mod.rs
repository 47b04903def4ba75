//! Risk analysis (第7, 第11): threats extracted per asset by rules kept as
//! data, matrices the city configures, the impact of an asset (importance from
//! its classification levels and personal information, as the IPA risk sheet
//! has it), the likelihood of a threat (its frequency, lowered by the controls
//! that counter it where the asset is), and the treatment of each risk.

mod matrix;
mod model;
mod rules;

pub use matrix::{
    Band, LevelLabel, MAX_LEVELS, Matrix, MatrixCatalog, RISK_MATRICES_FILE, builtin_matrices,
    residual_likelihood,
};
pub use model::{Model, PairFigures};
pub use rules::{
    DEFAULT_FREQUENCY, Facts, Frequency, LocationKind, OFFICE, THREAT_RULES, THREAT_RULES_FILE,
    ThreatRule, ThreatRules,
};

use serde::{Deserialize, Serialize};

use crate::control::Implementation;

/// Importance (重要度) 1–3, as the IPA risk sheet derives it: the highest of
/// the three levels, each spread over 1–3 within its axis (`rank` of `max`);
/// personal information raises it by one, My Number to the top.
pub fn importance(levels: [(u32, u32); 3], personal_info: bool, my_number: bool) -> u8 {
    let base = levels
        .iter()
        .map(|&(rank, max)| {
            // The lowest rank of the axis is 1, its highest 3, the rest between.
            let max = max.max(1);
            if max == 1 {
                return 1;
            }
            let r = rank.clamp(1, max) - 1;
            (1 + (r * 2 + (max - 1) / 2) / (max - 1)).clamp(1, 3)
        })
        .max()
        .unwrap_or(1) as u8;
    if my_number {
        3
    } else if personal_info {
        (base + 1).min(3)
    } else {
        base
    }
}

/// How much of a threat the controls countering it take away (0.0–1.0):
/// implemented counts 1, partly implemented ½, not implemented 0; not
/// applicable and unknown (no status recorded) are left out of the count but
/// an unknown counts as not implemented.
pub fn control_effect(states: &[Option<Implementation>]) -> f64 {
    let mut n = 0.0;
    let mut done = 0.0;
    for s in states {
        match s {
            Some(Implementation::NotApplicable) => {}
            Some(Implementation::Implemented) => {
                n += 1.0;
                done += 1.0;
            }
            Some(Implementation::Partial) => {
                n += 1.0;
                done += 0.5;
            }
            Some(Implementation::NotImplemented) | None => n += 1.0,
        }
    }
    if n == 0.0 { 0.0 } else { done / n }
}

/// How the city analyses an asset group (asset kind): the guideline's
/// baseline approach (controls only, no pairs) or detailed risk analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approach {
    Baseline,
    Detailed,
}

impl Approach {
    pub fn code(self) -> &'static str {
        match self {
            Approach::Baseline => "baseline",
            Approach::Detailed => "detailed",
        }
    }
    pub fn parse(s: &str) -> Option<Approach> {
        match s {
            "baseline" => Some(Approach::Baseline),
            "detailed" => Some(Approach::Detailed),
            _ => None,
        }
    }
    pub fn name_ja(self) -> &'static str {
        match self {
            Approach::Baseline => "ベースラインアプローチ",
            Approach::Detailed => "詳細リスク分析",
        }
    }
}

/// What the security office decided about one threat for one asset or system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreatDecision {
    /// The rules' threat holds (confirmed).
    Confirm,
    /// A threat the rules did not give is added.
    Add,
    /// A threat the rules gave does not apply.
    Dismiss,
}

impl ThreatDecision {
    pub const ALL: [ThreatDecision; 3] = [
        ThreatDecision::Confirm,
        ThreatDecision::Add,
        ThreatDecision::Dismiss,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ThreatDecision::Confirm => "confirm",
            ThreatDecision::Add => "add",
            ThreatDecision::Dismiss => "dismiss",
        }
    }
    pub fn parse(s: &str) -> Option<ThreatDecision> {
        Self::ALL.into_iter().find(|d| d.code() == s)
    }
    pub fn name_ja(self) -> &'static str {
        match self {
            ThreatDecision::Confirm => "確認済",
            ThreatDecision::Add => "追加",
            ThreatDecision::Dismiss => "対象外",
        }
    }
}

/// The four treatments of a risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TreatmentOption {
    /// 低減
    Reduce,
    /// 受容
    Accept,
    /// 移転
    Transfer,
    /// 回避
    Avoid,
}

impl TreatmentOption {
    pub const ALL: [TreatmentOption; 4] = [
        TreatmentOption::Reduce,
        TreatmentOption::Accept,
        TreatmentOption::Transfer,
        TreatmentOption::Avoid,
    ];
    pub fn code(self) -> &'static str {
        match self {
            TreatmentOption::Reduce => "reduce",
            TreatmentOption::Accept => "accept",
            TreatmentOption::Transfer => "transfer",
            TreatmentOption::Avoid => "avoid",
        }
    }
    pub fn parse(s: &str) -> Option<TreatmentOption> {
        Self::ALL.into_iter().find(|d| d.code() == s)
    }
    pub fn name_ja(self) -> &'static str {
        match self {
            TreatmentOption::Reduce => "低減",
            TreatmentOption::Accept => "受容",
            TreatmentOption::Transfer => "移転",
            TreatmentOption::Avoid => "回避",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            TreatmentOption::Reduce => "Reduce",
            TreatmentOption::Accept => "Accept",
            TreatmentOption::Transfer => "Transfer",
            TreatmentOption::Avoid => "Avoid",
        }
    }
}

/// Where a treatment stands. Reduce, transfer and avoid are `planned`; an
/// acceptance is `accepted` at once when the risk is at or below the matrix's
/// threshold, else `pending` until approved (`accepted`), and `revoked` when
/// withdrawn. An accepted risk past its expiry counts as not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TreatmentState {
    Planned,
    Pending,
    Accepted,
    Revoked,
}

impl TreatmentState {
    pub const ALL: [TreatmentState; 4] = [
        TreatmentState::Planned,
        TreatmentState::Pending,
        TreatmentState::Accepted,
        TreatmentState::Revoked,
    ];
    pub fn code(self) -> &'static str {
        match self {
            TreatmentState::Planned => "planned",
            TreatmentState::Pending => "pending",
            TreatmentState::Accepted => "accepted",
            TreatmentState::Revoked => "revoked",
        }
    }
    pub fn parse(s: &str) -> Option<TreatmentState> {
        Self::ALL.into_iter().find(|d| d.code() == s)
    }
    pub fn name_ja(self) -> &'static str {
        match self {
            TreatmentState::Planned => "対応計画",
            TreatmentState::Pending => "受容承認待ち",
            TreatmentState::Accepted => "受容済",
            TreatmentState::Revoked => "受容取消",
        }
    }
}

#[cfg(test)]
mod tests;
