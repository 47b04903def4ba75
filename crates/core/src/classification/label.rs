//! Labels such as `C3-I2-A2` and `C3A-I2-A2`, parsed against a scheme.

use super::{Axis, Scheme};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The three level codes of a label, each known to be a level of the scheme
/// it was parsed against, spelled as the scheme spells it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LabelLevels {
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
}

impl LabelLevels {
    pub fn code(&self, axis: Axis) -> &str {
        match axis {
            Axis::Confidentiality => &self.confidentiality,
            Axis::Integrity => &self.integrity,
            Axis::Availability => &self.availability,
        }
    }
}

impl fmt::Display for LabelLevels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "C{}-I{}-A{}",
            self.confidentiality, self.integrity, self.availability
        )
    }
}

/// Why a label does not parse; each names the bad part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("label is empty")]
    Empty,
    #[error("label '{label}' must have three parts such as C3-I2-A2, found {found}")]
    PartCount { label: String, found: usize },
    #[error("part '{part}' of label '{label}' does not start with C, I or A")]
    UnknownAxis { label: String, part: String },
    #[error("{} appears twice in label '{label}'", .axis.name_ja())]
    DuplicateAxis { label: String, axis: Axis },
    #[error("{} has no level in label '{label}'", .axis.name_ja())]
    MissingLevel { label: String, axis: Axis },
    #[error("{} '{code}' is not a level of scheme {scheme}", .axis.name_ja())]
    UnknownLevel {
        axis: Axis,
        code: String,
        scheme: String,
    },
}

impl Scheme {
    /// Parses a label such as `C3A-I2-A2` against this scheme. Parts may come
    /// in any order and in either case (`c3a-i2-a2`); each axis exactly once.
    pub fn parse_label(&self, label: &str) -> Result<LabelLevels, LabelError> {
        let text = label.trim();
        if text.is_empty() {
            return Err(LabelError::Empty);
        }
        let parts: Vec<&str> = text.split('-').map(str::trim).collect();
        if parts.len() != 3 {
            return Err(LabelError::PartCount {
                label: text.to_owned(),
                found: parts.len(),
            });
        }
        let mut found: [Option<String>; 3] = [None, None, None];
        for part in parts {
            let mut chars = part.chars();
            let axis = chars.next().and_then(Axis::from_letter).ok_or_else(|| {
                LabelError::UnknownAxis {
                    label: text.to_owned(),
                    part: part.to_owned(),
                }
            })?;
            let code = chars.as_str();
            if code.is_empty() {
                return Err(LabelError::MissingLevel {
                    label: text.to_owned(),
                    axis,
                });
            }
            let level = self
                .level(axis, code)
                .ok_or_else(|| LabelError::UnknownLevel {
                    axis,
                    code: code.to_owned(),
                    scheme: self.code.clone(),
                })?;
            let slot = &mut found[axis as usize];
            if slot.is_some() {
                return Err(LabelError::DuplicateAxis {
                    label: text.to_owned(),
                    axis,
                });
            }
            *slot = Some(level.code.clone());
        }
        let [c, i, a] = found;
        let missing = |axis: Axis| LabelError::MissingLevel {
            label: text.to_owned(),
            axis,
        };
        Ok(LabelLevels {
            confidentiality: c.ok_or_else(|| missing(Axis::Confidentiality))?,
            integrity: i.ok_or_else(|| missing(Axis::Integrity))?,
            availability: a.ok_or_else(|| missing(Axis::Availability))?,
        })
    }
}
