//! Segment models: for each ordered pair of roles, what traffic may cross.

use crate::NetcheckError;
use crate::segments::line_of;
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// What a model allows from one role to another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PairPolicy {
    /// No traffic.
    Deny,
    /// Only the specific flows (特定通信) that the segments file lists.
    SpecificFlows,
    /// Only traffic whose destination (or, for the reverse leg, source) is a
    /// relay of one of the model's kinds.
    Relay,
    /// Listed specific flows, and traffic through a relay.
    SpecificFlowsOrRelay,
    /// Anything.
    Allow,
}

impl PairPolicy {
    pub fn allows_flows(&self) -> bool {
        matches!(
            self,
            PairPolicy::SpecificFlows | PairPolicy::SpecificFlowsOrRelay
        )
    }

    pub fn allows_relays(&self) -> bool {
        matches!(self, PairPolicy::Relay | PairPolicy::SpecificFlowsOrRelay)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Role {
    pub id: String,
    pub name_ja: String,
    pub name_en: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct PairRule {
    pub from: String,
    pub to: String,
    pub policy: PairPolicy,
    /// Relay kinds, for the relay policies.
    pub relays: Vec<String>,
    pub note_ja: String,
    pub note_en: String,
}

/// A segment model (α, α', β, β', or a city's own).
#[derive(Clone, Debug, Serialize)]
pub struct SegmentModel {
    pub id: String,
    pub name_ja: String,
    pub name_en: String,
    pub description_ja: String,
    pub description_en: String,
    pub roles: Vec<Role>,
    pub pairs: Vec<PairRule>,
    /// Policy for pairs of different roles that no rule names.
    pub default: PairPolicy,
}

impl SegmentModel {
    /// The rule for traffic from role `from` to role `to`. Traffic inside
    /// one role is allowed unless a pair names it.
    pub fn rule(&self, from: &str, to: &str) -> Option<&PairRule> {
        self.pairs.iter().find(|p| p.from == from && p.to == to)
    }

    pub fn policy(&self, from: &str, to: &str) -> (PairPolicy, Vec<String>) {
        match self.rule(from, to) {
            Some(r) => (r.policy.clone(), r.relays.clone()),
            None if from == to => (PairPolicy::Allow, Vec::new()),
            None => (self.default.clone(), Vec::new()),
        }
    }

    pub fn has_role(&self, id: &str) -> bool {
        self.roles.iter().any(|r| r.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    id: Spanned<String>,
    #[serde(default)]
    extends: Option<Spanned<String>>,
    #[serde(default)]
    name_ja: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    description_ja: String,
    #[serde(default)]
    description_en: String,
    #[serde(default)]
    default: Option<PairPolicy>,
    #[serde(default)]
    role: Vec<RawRole>,
    #[serde(default)]
    pair: Vec<Spanned<RawPair>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    id: String,
    #[serde(default)]
    name_ja: String,
    #[serde(default)]
    name_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPair {
    from: String,
    to: String,
    policy: PairPolicy,
    #[serde(default)]
    relays: Vec<String>,
    #[serde(default)]
    note_ja: String,
    #[serde(default)]
    note_en: String,
}

const BUILTIN: &[(&str, &str)] = &[
    (
        "alpha",
        include_str!("../../../catalogs/segment-models/alpha.toml"),
    ),
    (
        "alpha-prime",
        include_str!("../../../catalogs/segment-models/alpha-prime.toml"),
    ),
    (
        "beta",
        include_str!("../../../catalogs/segment-models/beta.toml"),
    ),
    (
        "beta-prime",
        include_str!("../../../catalogs/segment-models/beta-prime.toml"),
    ),
];

/// Names of the built-in models.
pub fn builtin_model_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

/// A built-in model by name (`alpha`, `alpha-prime`, `beta`, `beta-prime`;
/// `α` and friends are accepted too). None when there is no such model.
pub fn builtin_model(name: &str) -> Option<Result<SegmentModel, NetcheckError>> {
    let key = match name.trim() {
        "α" => "alpha",
        "α'" | "α’" => "alpha-prime",
        "β" => "beta",
        "β'" | "β’" => "beta-prime",
        other => other,
    };
    let key = key.to_ascii_lowercase().replace('_', "-");
    BUILTIN
        .iter()
        .find(|(n, _)| *n == key)
        .map(|(_, text)| parse_model(text))
}

fn model_err(name: &str, line: u32, field: &str, message: String) -> NetcheckError {
    NetcheckError::Model {
        name: name.to_string(),
        line,
        field: field.to_string(),
        message,
    }
}

/// Parses a model file. A city model may say `extends = "alpha"` and then
/// add roles and override pairs.
pub fn parse_model(text: &str) -> Result<SegmentModel, NetcheckError> {
    let raw: RawModel = toml::from_str(text).map_err(|e| NetcheckError::Model {
        name: String::new(),
        line: e.span().map(|s| line_of(text, s.start)).unwrap_or(0),
        field: String::new(),
        message: e.message().to_string(),
    })?;
    let id = raw.id.get_ref().clone();
    let mut model = match &raw.extends {
        Some(base) => match builtin_model(base.get_ref()) {
            Some(m) => m?,
            None => {
                return Err(model_err(
                    &id,
                    line_of(text, base.span().start),
                    "extends",
                    format!(
                        "no built-in model {:?} (known: {})",
                        base.get_ref(),
                        builtin_model_names().join(", ")
                    ),
                ));
            }
        },
        None => SegmentModel {
            id: String::new(),
            name_ja: String::new(),
            name_en: String::new(),
            description_ja: String::new(),
            description_en: String::new(),
            roles: Vec::new(),
            pairs: Vec::new(),
            default: PairPolicy::Deny,
        },
    };
    model.id = id.clone();
    for (dst, src) in [
        (&mut model.name_ja, raw.name_ja),
        (&mut model.name_en, raw.name_en),
        (&mut model.description_ja, raw.description_ja),
        (&mut model.description_en, raw.description_en),
    ] {
        if !src.is_empty() {
            *dst = src;
        }
    }
    if let Some(d) = raw.default {
        model.default = d;
    }
    for r in raw.role {
        if r.id.trim().is_empty() {
            return Err(model_err(&id, 0, "role.id", "empty role id".into()));
        }
        model.roles.retain(|x| x.id != r.id);
        model.roles.push(Role {
            id: r.id,
            name_ja: r.name_ja,
            name_en: r.name_en,
        });
    }
    for p in raw.pair {
        let line = line_of(text, p.span().start);
        let p = p.into_inner();
        for role in [&p.from, &p.to] {
            if !model.has_role(role) {
                return Err(model_err(
                    &id,
                    line,
                    "pair",
                    format!("unknown role {role:?}"),
                ));
            }
        }
        if p.policy.allows_relays() && p.relays.is_empty() {
            return Err(model_err(
                &id,
                line,
                "pair.relays",
                "a relay policy needs at least one relay kind".into(),
            ));
        }
        model.pairs.retain(|x| !(x.from == p.from && x.to == p.to));
        model.pairs.push(PairRule {
            from: p.from,
            to: p.to,
            policy: p.policy,
            relays: p.relays,
            note_ja: p.note_ja,
            note_en: p.note_en,
        });
    }
    if model.roles.is_empty() {
        return Err(model_err(&id, 0, "role", "a model needs roles".into()));
    }
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse() {
        for n in builtin_model_names() {
            let m = builtin_model(n)
                .unwrap_or_else(|| panic!("{n} missing"))
                .unwrap_or_else(|e| panic!("{n}: {e}"));
            assert_eq!(m.id, n);
            assert_eq!(m.policy("mynumber", "internet").0, PairPolicy::Deny);
            assert_eq!(m.policy("internet", "mynumber").0, PairPolicy::Deny);
            assert!(m.policy("mynumber", "lgwan").0.allows_flows());
        }
        assert!(builtin_model("gamma").is_none());
        assert!(builtin_model("α'").is_some());
    }

    #[test]
    fn city_model_extends() {
        let text = r#"
id = "city-four"
extends = "alpha"
[[role]]
id = "internal"
name_ja = "内部情報系"
name_en = "Internal information"
[[pair]]
from = "internal"
to = "lgwan"
policy = "specific-flows"
"#;
        let m = parse_model(text).unwrap_or_else(|e| panic!("{e}"));
        assert!(m.has_role("internal"));
        assert_eq!(m.policy("internal", "internet").0, PairPolicy::Deny);
        let bad = text.replace("to = \"lgwan\"", "to = \"nowhere\"");
        assert!(matches!(
            parse_model(&bad),
            Err(NetcheckError::Model { line: 8, .. })
        ));
    }
}
