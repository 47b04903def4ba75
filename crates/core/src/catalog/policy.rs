//! Policy documents (第9 体系): 基本方針, 対策基準 and 実施手順, clause by clause,
//! with the 附則 that give each version its effective date.

use serde::{Deserialize, Serialize};

/// The three levels of the policy system (第9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentLevel {
    /// 基本方針
    BasicPolicy,
    /// 対策基準
    Standard,
    /// 実施手順
    Procedure,
}

impl DocumentLevel {
    /// Japanese name of the level.
    pub fn name_ja(self) -> &'static str {
        match self {
            DocumentLevel::BasicPolicy => "基本方針",
            DocumentLevel::Standard => "対策基準",
            DocumentLevel::Procedure => "実施手順",
        }
    }

    /// English name of the level.
    pub fn name_en(self) -> &'static str {
        match self {
            DocumentLevel::BasicPolicy => "Basic policy",
            DocumentLevel::Standard => "Standards",
            DocumentLevel::Procedure => "Procedures",
        }
    }
}

/// One policy document: its articles and its revision history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    pub code: String,
    pub level: DocumentLevel,
    pub title: String,
    pub title_en: String,
    #[serde(default, alias = "article")]
    pub articles: Vec<Article>,
    #[serde(default, alias = "revision")]
    pub revisions: Vec<Revision>,
}

impl PolicyDocument {
    /// The article with this number (第n).
    pub fn article(&self, number: u32) -> Option<&Article> {
        self.articles.iter().find(|a| a.number == number)
    }

    /// The revision in force on `date`: the latest one whose effective date is
    /// on or before it.
    pub fn revision_in_force(&self, date: time::Date) -> Option<&Revision> {
        self.revisions
            .iter()
            .filter(|r| r.effective <= date)
            .max_by_key(|r| r.effective)
    }

    /// The latest revision.
    pub fn latest_revision(&self) -> Option<&Revision> {
        self.revisions.iter().max_by_key(|r| r.effective)
    }
}

/// An article (第n) of a policy document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    /// As printed: "第1".
    pub label: String,
    pub number: u32,
    pub heading: String,
    pub heading_en: String,
    /// The article's own text, before its items (may be empty).
    #[serde(default)]
    pub body: String,
    #[serde(default, alias = "item")]
    pub items: Vec<Item>,
}

impl Article {
    /// The item with this number ((n)).
    pub fn item(&self, number: u32) -> Option<&Item> {
        self.items.iter().find(|i| i.number == number)
    }
}

/// A numbered item ((n)) of an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// As printed: "(1)".
    pub label: String,
    pub number: u32,
    /// The defined term (第2) or the item's heading (第8, 第9), where it has one.
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub heading_en: Option<String>,
    pub body: String,
}

/// A supplementary provision (附則) that puts a version into force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    /// As printed: "附則".
    pub label: String,
    #[serde(with = "super::date")]
    pub effective: time::Date,
    pub text: String,
}
