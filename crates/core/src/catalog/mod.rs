//! The built-in catalogues: the basic policy, threats, controls and
//! classification schemes, kept as TOML under `catalogs/` and embedded in the
//! binary. [`builtin`] parses and validates them.

mod control;
mod date;
mod policy;
mod threat;
mod validate;

pub use control::{Control, ControlCatalog, ControlCategory, StandardChapter};
pub use date::parse_iso as parse_iso_date;
pub use policy::{Article, DocumentLevel, Item, PolicyDocument, Revision};
pub use threat::{Threat, ThreatCatalog, ThreatCategory};
pub use validate::Problem;

pub use crate::classification::{
    AssetFacts, Axis, Condition, ConsistencyCheck, Handling, HandlingTopic, Level, Requirement,
    Scheme, SchemeCatalog,
};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// File names of the built-in catalogues, as named in errors.
pub const BASIC_POLICY_FILE: &str = "catalogs/basic-policy.toml";
pub const THREATS_FILE: &str = "catalogs/threats.toml";
pub const CONTROLS_FILE: &str = "catalogs/controls.toml";
pub const CLASSIFICATION_FILE: &str = "catalogs/classification.toml";

/// The text of the built-in catalogue files.
pub mod sources {
    pub const BASIC_POLICY: &str = include_str!("../../../../catalogs/basic-policy.toml");
    pub const THREATS: &str = include_str!("../../../../catalogs/threats.toml");
    pub const CONTROLS: &str = include_str!("../../../../catalogs/controls.toml");
    pub const CLASSIFICATION: &str = include_str!("../../../../catalogs/classification.toml");
}

/// Everything that ships built in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Builtin {
    pub basic_policy: PolicyDocument,
    pub threats: ThreatCatalog,
    pub controls: ControlCatalog,
    pub classification: SchemeCatalog,
}

/// Why a catalogue could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// The file is not valid TOML or does not fit the catalogue's shape.
    #[error("{file}{}: {message}", position(*.line, *.column))]
    Parse {
        file: String,
        /// 1-based line and column of the error, where toml gives a place.
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    /// The files parse but do not agree with themselves or each other.
    #[error("{} problem(s) in the catalogues: {}", .problems.len(), join(.problems))]
    Invalid { problems: Vec<Problem> },
}

fn position(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" line {l} column {c}"),
        (Some(l), None) => format!(" line {l}"),
        _ => String::new(),
    }
}

fn join(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Parses one catalogue file. `file` names it in errors.
pub fn parse<T: DeserializeOwned>(file: &str, source: &str) -> Result<T, CatalogError> {
    toml::from_str(source).map_err(|e| {
        let (line, column) = match e.span() {
            Some(span) => {
                let (l, c) = line_column(source, span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        CatalogError::Parse {
            file: file.to_owned(),
            line,
            column,
            message: e.message().trim().to_owned(),
        }
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(source.len());
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let before = &source[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Parses and validates the embedded catalogues.
pub fn builtin() -> Result<Builtin, CatalogError> {
    Builtin::from_sources(
        sources::BASIC_POLICY,
        sources::THREATS,
        sources::CONTROLS,
        sources::CLASSIFICATION,
    )
}

impl Builtin {
    /// Parses and validates catalogues given as text (the built-in ones, or a
    /// city's edited copies), in the shapes of the files under `catalogs/`.
    pub fn from_sources(
        basic_policy: &str,
        threats: &str,
        controls: &str,
        classification: &str,
    ) -> Result<Builtin, CatalogError> {
        let builtin = Builtin {
            basic_policy: parse(BASIC_POLICY_FILE, basic_policy)?,
            threats: parse(THREATS_FILE, threats)?,
            controls: parse(CONTROLS_FILE, controls)?,
            classification: parse(CLASSIFICATION_FILE, classification)?,
        };
        builtin.validate()?;
        Ok(builtin)
    }

    /// Checks that the catalogues agree: unique codes, every reference
    /// resolves, every scheme usable. Lists every problem found.
    pub fn validate(&self) -> Result<(), CatalogError> {
        let problems = validate::problems(self);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(CatalogError::Invalid { problems })
        }
    }

    /// The active classification scheme (`default_active`).
    pub fn active_scheme(&self) -> Option<&Scheme> {
        self.classification.default_scheme()
    }
}

#[cfg(test)]
mod tests;
