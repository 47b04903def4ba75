//! Threat extraction (第7): rules kept as data (`catalogs/threat-rules.toml`)
//! that derive, from what is known of an asset or system, which threats of the
//! catalogue apply, and the frequency of each threat.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::catalog::ThreatCatalog;

/// The rules file as shipped (a city may replace it, see [`ThreatRules::parse`]).
pub const THREAT_RULES_FILE: &str = "catalogs/threat-rules.toml";
pub const THREAT_RULES: &str = include_str!("../../../../catalogs/threat-rules.toml");

/// A threat's frequency when the rules name none (1 low – 3 high).
pub const DEFAULT_FREQUENCY: u8 = 2;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreatRules {
    #[serde(default, alias = "location")]
    pub locations: Vec<LocationKind>,
    #[serde(default, alias = "rule")]
    pub rules: Vec<ThreatRule>,
    #[serde(default, alias = "frequency")]
    pub frequencies: Vec<Frequency>,
}

/// A kind of location recognised in an asset's free-text location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationKind {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub contains: Vec<String>,
}

/// One rule: when every condition it names holds, its threats apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreatRule {
    pub code: String,
    pub name: String,
    pub name_en: String,
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub min_importance: Option<u8>,
    #[serde(default)]
    pub segments: Vec<String>,
    #[serde(default)]
    pub personal_info: Option<bool>,
    #[serde(default)]
    pub my_number: Option<bool>,
    #[serde(default)]
    pub locations: Vec<String>,
    #[serde(default)]
    pub system: Option<bool>,
    pub threats: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frequency {
    pub threat: String,
    pub frequency: u8,
}

/// What the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts<'a> {
    pub kind: &'a str,
    /// 1–3, see [`super::importance`].
    pub importance: u8,
    /// The role of the segment (mynumber, lgwan, internet, …), if any.
    pub segment_role: Option<&'a str>,
    pub personal_info: bool,
    pub my_number: bool,
    /// A [`LocationKind`] code, or `office`.
    pub location: &'a str,
    pub has_system: bool,
}

/// The location kind of places that match none of the rules' kinds.
pub const OFFICE: &str = "office";

impl ThreatRule {
    fn applies(&self, f: &Facts<'_>) -> bool {
        (self.kinds.is_empty() || self.kinds.iter().any(|k| k == f.kind))
            && self.min_importance.is_none_or(|m| f.importance >= m)
            && (self.segments.is_empty()
                || f.segment_role
                    .is_some_and(|r| self.segments.iter().any(|s| s == r)))
            && self.personal_info.is_none_or(|p| p == f.personal_info)
            && self.my_number.is_none_or(|m| m == f.my_number)
            && (self.locations.is_empty() || self.locations.iter().any(|l| l == f.location))
            && self.system.is_none_or(|s| s == f.has_system)
    }
}

impl ThreatRules {
    /// The rules that ship built in.
    pub fn builtin() -> Result<ThreatRules, crate::catalog::CatalogError> {
        Self::parse(THREAT_RULES_FILE, THREAT_RULES)
    }

    /// Reads a rules file (the built-in one or a city's copy); `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<ThreatRules, crate::catalog::CatalogError> {
        crate::catalog::parse(file, text)
    }

    /// Every reference that does not resolve: unknown threats and location
    /// kinds, frequencies outside 1–3 (empty when the rules are sound).
    pub fn problems(&self, threats: &ThreatCatalog) -> Vec<String> {
        let mut out = Vec::new();
        for r in &self.rules {
            for t in &r.threats {
                if threats.threat(t).is_none() {
                    out.push(format!("rule {}: unknown threat {t}", r.code));
                }
            }
            for l in &r.locations {
                if l != OFFICE && !self.locations.iter().any(|k| &k.code == l) {
                    out.push(format!("rule {}: unknown location kind {l}", r.code));
                }
            }
        }
        for f in &self.frequencies {
            if threats.threat(&f.threat).is_none() {
                out.push(format!("frequency: unknown threat {}", f.threat));
            }
            if !(1..=3).contains(&f.frequency) {
                out.push(format!(
                    "frequency of {}: {} is not 1–3",
                    f.threat, f.frequency
                ));
            }
        }
        out
    }

    /// The location kind of a free-text location.
    pub fn location_kind<'a>(&'a self, location: &str) -> &'a str {
        self.locations
            .iter()
            .find(|k| {
                k.contains
                    .iter()
                    .any(|c| !c.is_empty() && location.contains(c.as_str()))
            })
            .map_or(OFFICE, |k| k.code.as_str())
    }

    /// The threats that apply, by code (sorted).
    pub fn threats_for(&self, facts: &Facts<'_>) -> BTreeSet<String> {
        self.rules
            .iter()
            .filter(|r| r.applies(facts))
            .flat_map(|r| r.threats.iter().cloned())
            .collect()
    }

    /// How often the threat occurs, 1–3.
    pub fn frequency(&self, threat: &str) -> u8 {
        self.frequencies
            .iter()
            .find(|f| f.threat == threat)
            .map_or(DEFAULT_FREQUENCY, |f| f.frequency)
    }
}
