//! The threat catalogue (第7): four categories, every threat the article names.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreatCatalog {
    #[serde(default, alias = "category")]
    pub categories: Vec<ThreatCategory>,
    #[serde(default, alias = "threat")]
    pub threats: Vec<Threat>,
}

impl ThreatCatalog {
    pub fn category(&self, code: &str) -> Option<&ThreatCategory> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn threat(&self, code: &str) -> Option<&Threat> {
        self.threats.iter().find(|t| t.code == code)
    }

    /// The threats of one category, in catalogue order.
    pub fn in_category<'a>(&'a self, category: &'a str) -> impl Iterator<Item = &'a Threat> + 'a {
        self.threats.iter().filter(move |t| t.category == category)
    }
}

/// A category of threats: one item of 第7.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreatCategory {
    /// `intentional`, `unintentional`, `disaster`, `infrastructure`.
    pub code: String,
    /// The item of 第7 it comes from: 第7(n).
    pub article_item: u32,
    pub name: String,
    pub name_en: String,
    pub description: String,
    #[serde(default)]
    pub description_en: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threat {
    /// Stable code: `T<article item>-<serial>`, e.g. `T1-01`.
    pub code: String,
    /// Code of its [`ThreatCategory`].
    pub category: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub description_en: String,
    /// True for the catch-all entry that stands for the article's umbrella
    /// term (サイバー攻撃, 規定違反, 災害, インフラの障害) and covers what the
    /// named threats do not.
    #[serde(default)]
    pub generic: bool,
}
