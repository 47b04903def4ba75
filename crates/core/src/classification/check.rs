//! Consistency checks kept as data (`[[scheme.check]]`) and their evaluation
//! against what is known of one asset.

use super::{Axis, Scheme};
use serde::{Deserialize, Serialize};

/// A rule of the form "when the asset is …, it must …".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyCheck {
    pub code: String,
    /// Shown when the check fails.
    pub message: String,
    pub message_en: String,
    pub when: Condition,
    pub require: Requirement,
}

/// When a check applies: every field that is set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub my_number: Option<bool>,
    pub personal_info: Option<bool>,
    /// A confidentiality level code, or "top". An asset not yet classified
    /// does not meet it.
    pub confidentiality_at_least: Option<String>,
    pub segment_role: Option<String>,
}

/// What an asset the check applies to must satisfy: every field that is set.
/// A fact that is missing (no level, no segment) fails a requirement on it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// A confidentiality level code, or "top".
    pub confidentiality_at_least: Option<String>,
    pub segment_role_in: Option<Vec<String>>,
    pub segment_role_not_in: Option<Vec<String>>,
}

/// What the checks look at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetFacts {
    /// Holds My Number (個人番号) information (特定個人情報).
    pub my_number: bool,
    pub personal_info: bool,
    /// Confidentiality level code under the scheme, if classified.
    pub confidentiality: Option<String>,
    /// Role of the network segment the asset lives in (`mynumber`, `lgwan`,
    /// `internet`, or a city's own).
    pub segment_role: Option<String>,
}

impl Scheme {
    /// The checks that this asset fails, in catalogue order.
    pub fn evaluate(&self, facts: &AssetFacts) -> Vec<&ConsistencyCheck> {
        self.checks
            .iter()
            .filter(|check| {
                self.applies(&check.when, facts) && !self.satisfies(&check.require, facts)
            })
            .collect()
    }

    fn applies(&self, when: &Condition, facts: &AssetFacts) -> bool {
        when.my_number.is_none_or(|v| v == facts.my_number)
            && when.personal_info.is_none_or(|v| v == facts.personal_info)
            && when
                .confidentiality_at_least
                .as_deref()
                .is_none_or(|min| self.confidentiality_at_least(facts, min))
            && when
                .segment_role
                .as_deref()
                .is_none_or(|role| facts.segment_role.as_deref() == Some(role))
    }

    fn satisfies(&self, require: &Requirement, facts: &AssetFacts) -> bool {
        let role = facts.segment_role.as_deref();
        require
            .confidentiality_at_least
            .as_deref()
            .is_none_or(|min| self.confidentiality_at_least(facts, min))
            && require
                .segment_role_in
                .as_ref()
                .is_none_or(|roles| role.is_some_and(|r| roles.iter().any(|x| x == r)))
            && require
                .segment_role_not_in
                .as_ref()
                .is_none_or(|roles| role.is_some_and(|r| roles.iter().all(|x| x != r)))
    }

    /// Whether the asset's confidentiality is at least the level `min` names.
    /// False when either is unknown.
    fn confidentiality_at_least(&self, facts: &AssetFacts, min: &str) -> bool {
        let actual = facts
            .confidentiality
            .as_deref()
            .and_then(|code| self.level(Axis::Confidentiality, code));
        let min = self.resolve(Axis::Confidentiality, min);
        matches!((actual, min), (Some(a), Some(m)) if a.rank >= m.rank)
    }
}
