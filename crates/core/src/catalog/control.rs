//! The control catalogue (第8): five categories of measures, the chapters of
//! the 対策基準, and the controls mapped to the threats they mitigate.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlCatalog {
    #[serde(default, alias = "category")]
    pub categories: Vec<ControlCategory>,
    #[serde(default, alias = "chapter")]
    pub chapters: Vec<StandardChapter>,
    #[serde(default, alias = "control")]
    pub controls: Vec<Control>,
}

impl ControlCatalog {
    pub fn category(&self, code: &str) -> Option<&ControlCategory> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn chapter(&self, number: u32) -> Option<&StandardChapter> {
        self.chapters.iter().find(|c| c.number == number)
    }

    pub fn control(&self, code: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.code == code)
    }

    /// The controls that mitigate the threat with this code.
    pub fn mitigating<'a>(&'a self, threat: &'a str) -> impl Iterator<Item = &'a Control> + 'a {
        self.controls
            .iter()
            .filter(move |c| c.threats.iter().any(|t| t == threat))
    }

    /// The controls of one 対策基準 chapter.
    pub fn in_chapter(&self, chapter: u32) -> impl Iterator<Item = &Control> + '_ {
        self.controls.iter().filter(move |c| c.chapter == chapter)
    }
}

/// A category of measures: one item of 第8.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlCategory {
    /// `physical`, `human`, `technical`, `operational`, `outsourcing`.
    pub code: String,
    /// The item of 第8 it comes from: 第8(n).
    pub article_item: u32,
    pub name: String,
    pub name_en: String,
    pub description: String,
    #[serde(default)]
    pub description_en: String,
}

/// A chapter of the 対策基準.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardChapter {
    pub number: u32,
    pub name: String,
    pub name_en: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub description_en: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// Stable code: `S<chapter>-<serial>`, e.g. `S4-01`.
    pub code: String,
    /// Code of its [`ControlCategory`].
    pub category: String,
    /// Number of its [`StandardChapter`].
    pub chapter: u32,
    pub name: String,
    pub name_en: String,
    pub description: String,
    #[serde(default)]
    pub description_en: String,
    /// Codes of the threats it mitigates.
    #[serde(default)]
    pub threats: Vec<String>,
}
