//! Risk matrices the city configures: levels of likelihood and impact with
//! Japanese labels, and bands of the risk value (likelihood × impact) with a
//! label, a colour and the threshold above which accepting needs approval.

use serde::{Deserialize, Serialize};

use crate::problem::Problem;

pub const RISK_MATRICES_FILE: &str = "catalogs/risk-matrices.toml";
pub const RISK_MATRICES: &str = include_str!("../../../../catalogs/risk-matrices.toml");

/// The most levels an axis may have.
pub const MAX_LEVELS: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixCatalog {
    #[serde(default, alias = "matrix")]
    pub matrices: Vec<Matrix>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matrix {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    /// Accepting a risk whose value is above this needs approval.
    pub approval_above: u32,
    /// From the lowest level (1) up.
    pub likelihood: Vec<LevelLabel>,
    pub impact: Vec<LevelLabel>,
    pub bands: Vec<Band>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelLabel {
    pub label: String,
    #[serde(default)]
    pub label_en: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub code: String,
    pub label: String,
    #[serde(default)]
    pub label_en: String,
    /// `#rrggbb`.
    pub colour: String,
    pub min: u32,
    pub max: u32,
}

/// The built-in matrices (3×3 and 5×5).
pub fn builtin_matrices() -> Result<MatrixCatalog, crate::catalog::CatalogError> {
    crate::catalog::parse(RISK_MATRICES_FILE, RISK_MATRICES)
}

fn is_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Matrix {
    /// The highest risk value.
    pub fn max_value(&self) -> u32 {
        (self.likelihood.len() * self.impact.len()) as u32
    }

    /// Every problem of the matrix, each with its field: a bad code, too few
    /// or too many levels, a missing label, a bad colour, bands that leave a
    /// gap or overlap, an approval threshold outside the values.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        if !is_code(&self.code) {
            out.push(Problem::new("MAMORI-RISK-MATRIX-CODE").field("code"));
        }
        if self.name.trim().is_empty() {
            out.push(Problem::new("MAMORI-RISK-MATRIX-LABEL").field("name"));
        }
        for (axis, levels) in [("likelihood", &self.likelihood), ("impact", &self.impact)] {
            if !(2..=MAX_LEVELS).contains(&levels.len()) {
                out.push(
                    Problem::new("MAMORI-RISK-MATRIX-SIZE")
                        .field(axis)
                        .with("count", levels.len())
                        .with("max", MAX_LEVELS),
                );
            }
            for (i, l) in levels.iter().enumerate() {
                if l.label.trim().is_empty() {
                    out.push(
                        Problem::new("MAMORI-RISK-MATRIX-LABEL")
                            .field(format!("{axis}[{i}].label")),
                    );
                }
            }
        }
        let max = self.max_value();
        // Which band covers each value 1..=max.
        let mut cover: Vec<u32> = vec![0; max as usize + 1];
        for (i, b) in self.bands.iter().enumerate() {
            let f = |name: &str| format!("bands[{i}].{name}");
            if b.label.trim().is_empty() {
                out.push(Problem::new("MAMORI-RISK-MATRIX-LABEL").field(f("label")));
            }
            if !is_code(&b.code) {
                out.push(Problem::new("MAMORI-RISK-MATRIX-CODE").field(f("code")));
            }
            if !is_colour(&b.colour) {
                out.push(
                    Problem::new("MAMORI-RISK-MATRIX-COLOUR")
                        .field(f("colour"))
                        .with("value", &b.colour),
                );
            }
            if b.min < 1 || b.min > b.max || b.max > max {
                out.push(
                    Problem::new("MAMORI-RISK-MATRIX-RANGE")
                        .field(f("min"))
                        .with("min", b.min)
                        .with("max", b.max)
                        .with("top", max),
                );
                continue;
            }
            for v in b.min..=b.max {
                cover[v as usize] += 1;
            }
        }
        if self.bands.is_empty() {
            out.push(
                Problem::new("MAMORI-RISK-MATRIX-GAP")
                    .field("bands")
                    .with("from", 1)
                    .with("to", max),
            );
        } else if max > 0 {
            // Report each run of uncovered values once, and each overlapping value run once.
            let mut v = 1;
            while v <= max {
                let c = cover[v as usize];
                if c == 1 {
                    v += 1;
                    continue;
                }
                let start = v;
                while v <= max && cover[v as usize] == c {
                    v += 1;
                }
                let code = if c == 0 {
                    "MAMORI-RISK-MATRIX-GAP"
                } else {
                    "MAMORI-RISK-MATRIX-OVERLAP"
                };
                out.push(
                    Problem::new(code)
                        .field("bands")
                        .with("from", start)
                        .with("to", v - 1),
                );
            }
        }
        if self.approval_above < 1 || self.approval_above > max {
            out.push(
                Problem::new("MAMORI-RISK-MATRIX-THRESHOLD")
                    .field("approval_above")
                    .with("value", self.approval_above)
                    .with("top", max),
            );
        }
        out
    }

    /// The band of a risk value (None outside the bands: a matrix that was not validated).
    pub fn band(&self, value: u32) -> Option<&Band> {
        self.bands.iter().find(|b| (b.min..=b.max).contains(&value))
    }

    /// The impact level (1-based) of an importance 1–3.
    pub fn impact_level(&self, importance: u8) -> u32 {
        scale(importance, self.impact.len())
    }

    /// The likelihood level (1-based) of a frequency 1–3.
    pub fn likelihood_level(&self, frequency: u8) -> u32 {
        scale(frequency, self.likelihood.len())
    }

    /// Whether accepting a risk of this value needs approval.
    pub fn needs_approval(&self, value: u32) -> bool {
        value > self.approval_above
    }
}

/// Spreads 1–3 over 1–n: 1 → the lowest third's top, 3 → n.
fn scale(x: u8, n: usize) -> u32 {
    let x = u32::from(x.clamp(1, 3));
    let n = n.max(1) as u32;
    (x * n).div_ceil(3).max(1)
}

/// Likelihood left once the controls that counter a threat are in place:
/// `effect` is the share of the controls carried out (0.0–1.0, a partial one
/// counting half); full effect lowers the likelihood to the lowest level.
pub fn residual_likelihood(inherent: u32, effect: f64) -> u32 {
    let e = effect.clamp(0.0, 1.0);
    let drop = (f64::from(inherent.saturating_sub(1)) * e).round() as u32;
    inherent.saturating_sub(drop).max(1)
}
