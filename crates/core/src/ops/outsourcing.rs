//! Contractors and external services (第8(6) 外部委託): the criteria a
//! contractor is chosen by and the clauses a contract must contain, as data
//! (`catalogs/contractor-criteria.toml`, `catalogs/contract-requirements.toml`;
//! a city replaces either with its own copy in the data folder).

use serde::{Deserialize, Serialize};

/// The files as shipped.
pub const CONTRACTOR_CRITERIA_FILE: &str = "catalogs/contractor-criteria.toml";
pub const CONTRACTOR_CRITERIA: &str = include_str!("../../../../catalogs/contractor-criteria.toml");
pub const CONTRACT_REQUIREMENTS_FILE: &str = "catalogs/contract-requirements.toml";
pub const CONTRACT_REQUIREMENTS: &str =
    include_str!("../../../../catalogs/contract-requirements.toml");

/// One item of either list: a criterion or a contract requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutsourcingItem {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    #[serde(default)]
    pub description_en: String,
    /// Not yet checked against the current guideline (要確認).
    #[serde(default)]
    pub unverified: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CriteriaFile {
    #[serde(default)]
    criterion: Vec<OutsourcingItem>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequirementsFile {
    #[serde(default)]
    requirement: Vec<OutsourcingItem>,
}

/// The criteria and the contract requirements in force.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutsourcingRules {
    pub criteria: Vec<OutsourcingItem>,
    pub requirements: Vec<OutsourcingItem>,
}

fn problems(file: &str, items: &[OutsourcingItem]) -> Result<(), String> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    if items.is_empty() {
        out.push("there is no item".to_string());
    }
    for i in items {
        let code = i.code.trim();
        if code.is_empty() || code.chars().any(char::is_whitespace) {
            out.push(format!("the code '{}' is empty or has a space", i.code));
        } else if !seen.insert(code) {
            out.push(format!("the code {code} is given twice"));
        }
        if i.name.trim().is_empty() {
            out.push(format!("{code} has no name"));
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(format!("{file}: {}", out.join("; ")))
    }
}

impl OutsourcingRules {
    /// The built-in lists.
    pub fn builtin() -> Result<OutsourcingRules, String> {
        Ok(OutsourcingRules {
            criteria: Self::parse_criteria(CONTRACTOR_CRITERIA_FILE, CONTRACTOR_CRITERIA)?,
            requirements: Self::parse_requirements(
                CONTRACT_REQUIREMENTS_FILE,
                CONTRACT_REQUIREMENTS,
            )?,
        })
    }

    /// Reads and checks a criteria file (codes unique and without spaces, names given).
    pub fn parse_criteria(file: &str, text: &str) -> Result<Vec<OutsourcingItem>, String> {
        let f: CriteriaFile = crate::catalog::parse(file, text).map_err(|e| e.to_string())?;
        problems(file, &f.criterion)?;
        Ok(f.criterion)
    }

    /// Reads and checks a contract requirements file.
    pub fn parse_requirements(file: &str, text: &str) -> Result<Vec<OutsourcingItem>, String> {
        let f: RequirementsFile = crate::catalog::parse(file, text).map_err(|e| e.to_string())?;
        problems(file, &f.requirement)?;
        Ok(f.requirement)
    }

    /// The requirement with this code.
    pub fn requirement(&self, code: &str) -> Option<&OutsourcingItem> {
        self.requirements.iter().find(|r| r.code == code)
    }

    /// The requirements a contract with these clauses lacks, in the list's order.
    pub fn missing<'a>(&'a self, clauses: &[&str]) -> Vec<&'a OutsourcingItem> {
        self.requirements
            .iter()
            .filter(|r| !clauses.contains(&r.code.as_str()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_lists_parse_and_a_contract_lacks_what_it_does_not_name() {
        let r = OutsourcingRules::builtin().unwrap();
        assert!(r.criteria.len() >= 5);
        assert!(r.requirement("no_subcontracting").is_some());
        assert!(r.requirements.iter().any(|i| i.unverified));
        let missing = r.missing(&["confidentiality", "audit_rights"]);
        assert_eq!(missing.len(), r.requirements.len() - 2);
        assert!(missing.iter().all(|m| m.code != "confidentiality"));
    }

    #[test]
    fn a_city_file_with_a_code_twice_or_unknown_fields_is_refused() {
        let twice = "[[requirement]]\ncode = \"a\"\nname = \"A\"\nname_en = \"A\"\ndescription = \"\"\n\
                     [[requirement]]\ncode = \"a\"\nname = \"B\"\nname_en = \"B\"\ndescription = \"\"\n";
        let e = OutsourcingRules::parse_requirements("x.toml", twice).unwrap_err();
        assert!(e.contains("given twice"), "{e}");
        let unknown = "[[criterion]]\ncode = \"a\"\nname = \"A\"\nname_en = \"A\"\ndescription = \"\"\ncolour = 1\n";
        assert!(OutsourcingRules::parse_criteria("x.toml", unknown).is_err());
    }
}
