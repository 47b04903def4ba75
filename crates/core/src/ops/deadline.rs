//! The reports and notifications the city owes after an incident, and their
//! deadlines, as data (`catalogs/reporting-deadlines.toml`; a city replaces
//! it with its own copy in the data folder).

use serde::{Deserialize, Serialize};

use super::incident::{PersonalData, Severity};

/// The file as shipped.
pub const REPORTING_DEADLINES_FILE: &str = "catalogs/reporting-deadlines.toml";
pub const REPORTING_DEADLINES: &str = include_str!("../../../../catalogs/reporting-deadlines.toml");

/// The rules of reporting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRules {
    #[serde(default, rename = "rule")]
    pub rules: Vec<DeadlineRule>,
}

/// One report owed: to whom, when it applies, within how many days of the
/// incident being noticed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub destination: String,
    pub destination_en: String,
    /// ppc_required, personal_info, severe or always.
    pub applies: String,
    pub days: i64,
    #[serde(default)]
    pub days_wrongful: Option<i64>,
}

/// When a rule applies.
pub const APPLIES: [&str; 4] = ["ppc_required", "personal_info", "severe", "always"];

impl DeadlineRules {
    /// The built-in rules.
    pub fn builtin() -> Result<DeadlineRules, String> {
        DeadlineRules::parse(REPORTING_DEADLINES_FILE, REPORTING_DEADLINES)
    }

    /// Reads and checks a rules file: every problem named (a negative count of
    /// days, an unknown condition, a code given twice, no rule at all).
    pub fn parse(file: &str, text: &str) -> Result<DeadlineRules, String> {
        let rules: DeadlineRules = crate::catalog::parse(file, text).map_err(|e| e.to_string())?;
        let problems = rules.problems();
        if problems.is_empty() {
            Ok(rules)
        } else {
            Err(format!("{file}: {}", problems.join("; ")))
        }
    }

    /// What is wrong with the rules (empty: nothing).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for r in &self.rules {
            if r.code.trim().is_empty() {
                out.push("a rule has no code".to_string());
            } else if !seen.insert(r.code.as_str()) {
                out.push(format!("the rule {} is given twice", r.code));
            }
            if r.days < 0 || r.days_wrongful.is_some_and(|d| d < 0) {
                out.push(format!(
                    "the rule {} counts a negative number of days",
                    r.code
                ));
            }
            if !APPLIES.contains(&r.applies.as_str()) {
                out.push(format!(
                    "the rule {} applies '{}', not one of {}",
                    r.code,
                    r.applies,
                    APPLIES.join(", ")
                ));
            }
        }
        out
    }

    /// The rule with this code.
    pub fn rule(&self, code: &str) -> Option<&DeadlineRule> {
        self.rules.iter().find(|r| r.code == code)
    }

    /// The reports owed for an incident of this severity and personal data,
    /// with their deadlines counted from `noticed_on`.
    pub fn owed(
        &self,
        noticed_on: time::Date,
        severity: Severity,
        data: &PersonalData,
    ) -> Vec<(&DeadlineRule, time::Date)> {
        self.rules
            .iter()
            .filter(|r| match r.applies.as_str() {
                "ppc_required" => data.ppc_required(),
                "personal_info" => data.involved(),
                "severe" => severity.is_severe(),
                "always" => true,
                _ => false,
            })
            .map(|r| {
                let days = match (data.wrongful, r.days_wrongful) {
                    (true, Some(d)) => d,
                    _ => r.days,
                };
                (r, noticed_on + time::Duration::days(days))
            })
            .collect()
    }
}
