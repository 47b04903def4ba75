//! The computation of one profile's risks: which threats apply (the rules,
//! then the decisions of the security office on the system and on the asset),
//! and for each its inherent and residual risk under the active matrix.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    Approach, Facts, Matrix, ThreatDecision, ThreatRules, control_effect, residual_likelihood,
};
use crate::control::Implementation;

/// Everything the computation needs besides the assets and the statuses.
#[derive(Debug, Clone)]
pub struct Model {
    pub rules: ThreatRules,
    pub matrix: Matrix,
    /// Threat code → the codes of the controls that counter it.
    pub countering: BTreeMap<String, Vec<String>>,
    /// The approach per asset group (asset kind); a kind not named is analysed in detail.
    pub approaches: BTreeMap<String, Approach>,
    /// `scheme/axis letter/level code` → (rank, highest rank of the axis).
    pub ranks: BTreeMap<String, (u32, u32)>,
}

/// One pair's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct PairFigures {
    pub threat: String,
    pub impact: u32,
    pub likelihood: u32,
    pub residual_likelihood: u32,
    pub inherent_value: u32,
    pub residual_value: u32,
    pub band: String,
    /// 0–100.
    pub control_effect: u32,
}

impl Model {
    /// The ranks of every level of every scheme, for [`Model::ranks`].
    pub fn ranks_of(
        schemes: &crate::classification::SchemeCatalog,
    ) -> BTreeMap<String, (u32, u32)> {
        let mut out = BTreeMap::new();
        for s in &schemes.schemes {
            for l in &s.levels {
                let max = s.top(l.axis).map_or(l.rank, |t| t.rank);
                out.insert(
                    format!("{}/{}/{}", s.code, l.axis.letter(), l.code),
                    (l.rank, max),
                );
            }
        }
        out
    }

    /// The importance (1–3) of levels of a scheme; an unknown level counts as the lowest.
    pub fn importance_of(
        &self,
        scheme: &str,
        levels: [&str; 3],
        personal_info: bool,
        my_number: bool,
    ) -> u8 {
        let get = |axis: char, code: &str| {
            self.ranks
                .get(&format!("{scheme}/{axis}/{code}"))
                .copied()
                .unwrap_or((1, 1))
        };
        super::importance(
            [
                get('C', levels[0]),
                get('I', levels[1]),
                get('A', levels[2]),
            ],
            personal_info,
            my_number,
        )
    }

    pub fn approach(&self, kind: &str) -> Approach {
        self.approaches
            .get(kind)
            .copied()
            .unwrap_or(Approach::Detailed)
    }

    /// The threats of an asset or profile: the rules' threats, then the
    /// decisions in order (a system's, then the asset's own), each adding or
    /// dismissing one.
    pub fn threats(
        &self,
        facts: &Facts<'_>,
        decisions: &[(String, ThreatDecision)],
    ) -> BTreeSet<String> {
        let mut set = self.rules.threats_for(facts);
        for (threat, d) in decisions {
            match d {
                ThreatDecision::Add | ThreatDecision::Confirm => {
                    if *d == ThreatDecision::Add {
                        set.insert(threat.clone());
                    }
                }
                ThreatDecision::Dismiss => {
                    set.remove(threat);
                }
            }
        }
        set
    }

    /// The controls countering a threat.
    pub fn controls_of(&self, threat: &str) -> &[String] {
        self.countering.get(threat).map_or(&[], Vec::as_slice)
    }

    /// The figures of one threat for an importance, given the status of each
    /// control where the asset is.
    pub fn figures(
        &self,
        threat: &str,
        importance: u8,
        status: impl Fn(&str) -> Option<Implementation>,
    ) -> PairFigures {
        let impact = self.matrix.impact_level(importance);
        let likelihood = self.matrix.likelihood_level(self.rules.frequency(threat));
        let states: Vec<Option<Implementation>> =
            self.controls_of(threat).iter().map(|c| status(c)).collect();
        let effect = control_effect(&states);
        let residual = residual_likelihood(likelihood, effect);
        let residual_value = residual * impact;
        PairFigures {
            threat: threat.to_string(),
            impact,
            likelihood,
            residual_likelihood: residual,
            inherent_value: likelihood * impact,
            residual_value,
            band: self
                .matrix
                .band(residual_value)
                .map(|b| b.code.clone())
                .unwrap_or_default(),
            control_effect: (effect * 100.0).round() as u32,
        }
    }
}
