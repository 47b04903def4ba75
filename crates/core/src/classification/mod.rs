//! Classification (第6 格付け): schemes of levels per axis (機密性, 完全性,
//! 可用性), the handling rules (取扱制限) each level carries, labels such as
//! `C3A-I2-A2`, and consistency checks kept as data.
//!
//! The levels are data: two schemes ship in `catalogs/classification.toml`
//! and a city may define its own.

mod check;
mod label;

pub use check::{AssetFacts, Condition, ConsistencyCheck, Requirement};
pub use label::{LabelError, LabelLevels};

use serde::{Deserialize, Serialize};
use std::fmt;

/// All the schemes a deployment knows, and which one is active by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemeCatalog {
    pub default_active: String,
    #[serde(default, alias = "scheme")]
    pub schemes: Vec<Scheme>,
}

impl SchemeCatalog {
    pub fn scheme(&self, code: &str) -> Option<&Scheme> {
        self.schemes.iter().find(|s| s.code == code)
    }

    /// The scheme named by `default_active`.
    pub fn default_scheme(&self) -> Option<&Scheme> {
        self.scheme(&self.default_active)
    }
}

/// A classification scheme: the levels of each axis and the checks that
/// apply to assets classified under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    #[serde(default)]
    pub description_en: String,
    #[serde(default, alias = "level")]
    pub levels: Vec<Level>,
    #[serde(default, alias = "check")]
    pub checks: Vec<ConsistencyCheck>,
}

/// The three axes of 第2(8)–(10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    Confidentiality,
    Integrity,
    Availability,
}

impl Axis {
    pub const ALL: [Axis; 3] = [Axis::Confidentiality, Axis::Integrity, Axis::Availability];

    /// The letter used in labels: C, I, A.
    pub fn letter(self) -> char {
        match self {
            Axis::Confidentiality => 'C',
            Axis::Integrity => 'I',
            Axis::Availability => 'A',
        }
    }

    pub fn from_letter(letter: char) -> Option<Axis> {
        match letter.to_ascii_uppercase() {
            'C' => Some(Axis::Confidentiality),
            'I' => Some(Axis::Integrity),
            'A' => Some(Axis::Availability),
            _ => None,
        }
    }

    /// 機密性, 完全性, 可用性.
    pub fn name_ja(self) -> &'static str {
        match self {
            Axis::Confidentiality => "機密性",
            Axis::Integrity => "完全性",
            Axis::Availability => "可用性",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Axis::Confidentiality => "confidentiality",
            Axis::Integrity => "integrity",
            Axis::Availability => "availability",
        }
    }
}

impl fmt::Display for Axis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_ja())
    }
}

/// One level of one axis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub axis: Axis,
    /// The code in labels: "3A", "2".
    pub code: String,
    /// Higher is stricter.
    pub rank: u32,
    /// 機密性3A, 完全性2 …
    pub name: String,
    pub name_en: String,
    /// One yes/no question; "yes" picks this level (asked from the top down).
    pub question: String,
    #[serde(default)]
    pub question_en: String,
    pub description: String,
    #[serde(default)]
    pub description_en: String,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub examples_en: Vec<String>,
    /// The handling rules (取扱制限) of this level, complete in themselves.
    #[serde(default)]
    pub handling: Handling,
    #[serde(default)]
    pub handling_en: Handling,
    /// Short tags for labels and mail subjects (関係者限り, 複製禁止 …).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Handling rules (取扱制限) of a level, one text per topic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handling {
    pub storage: Option<String>,
    pub copying: Option<String>,
    pub sending: Option<String>,
    pub taking_out: Option<String>,
    pub encryption: Option<String>,
    pub backup: Option<String>,
    pub recovery: Option<String>,
    pub disposal: Option<String>,
    pub labelling: Option<String>,
}

impl Handling {
    /// The rule on one topic, if the level has one.
    pub fn get(&self, topic: HandlingTopic) -> Option<&str> {
        let rule = match topic {
            HandlingTopic::Storage => &self.storage,
            HandlingTopic::Copying => &self.copying,
            HandlingTopic::Sending => &self.sending,
            HandlingTopic::TakingOut => &self.taking_out,
            HandlingTopic::Encryption => &self.encryption,
            HandlingTopic::Backup => &self.backup,
            HandlingTopic::Recovery => &self.recovery,
            HandlingTopic::Disposal => &self.disposal,
            HandlingTopic::Labelling => &self.labelling,
        };
        rule.as_deref().filter(|r| !r.trim().is_empty())
    }

    /// The rules it has, in topic order.
    pub fn rules(&self) -> impl Iterator<Item = (HandlingTopic, &str)> + '_ {
        HandlingTopic::ALL
            .into_iter()
            .filter_map(|t| self.get(t).map(|r| (t, r)))
    }

    pub fn is_empty(&self) -> bool {
        self.rules().next().is_none()
    }
}

/// The topics of the handling rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlingTopic {
    Storage,
    Copying,
    Sending,
    TakingOut,
    Encryption,
    Backup,
    Recovery,
    Disposal,
    Labelling,
}

impl HandlingTopic {
    pub const ALL: [HandlingTopic; 9] = [
        HandlingTopic::Storage,
        HandlingTopic::Copying,
        HandlingTopic::Sending,
        HandlingTopic::TakingOut,
        HandlingTopic::Encryption,
        HandlingTopic::Backup,
        HandlingTopic::Recovery,
        HandlingTopic::Disposal,
        HandlingTopic::Labelling,
    ];

    pub fn name_ja(self) -> &'static str {
        match self {
            HandlingTopic::Storage => "保管",
            HandlingTopic::Copying => "複製・配付",
            HandlingTopic::Sending => "送信",
            HandlingTopic::TakingOut => "持ち出し・運搬",
            HandlingTopic::Encryption => "暗号化",
            HandlingTopic::Backup => "バックアップ",
            HandlingTopic::Recovery => "復旧",
            HandlingTopic::Disposal => "廃棄",
            HandlingTopic::Labelling => "表示",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            HandlingTopic::Storage => "Storage",
            HandlingTopic::Copying => "Copying and distribution",
            HandlingTopic::Sending => "Sending",
            HandlingTopic::TakingOut => "Taking out and transport",
            HandlingTopic::Encryption => "Encryption",
            HandlingTopic::Backup => "Backup",
            HandlingTopic::Recovery => "Recovery",
            HandlingTopic::Disposal => "Disposal",
            HandlingTopic::Labelling => "Labelling",
        }
    }
}

impl Scheme {
    /// The level of `axis` with this code (codes compare without regard to
    /// ASCII case: "3a" finds "3A").
    pub fn level(&self, axis: Axis, code: &str) -> Option<&Level> {
        let code = code.trim();
        self.levels
            .iter()
            .find(|l| l.axis == axis && l.code.eq_ignore_ascii_case(code))
    }

    /// The levels of one axis, strictest first.
    pub fn levels_of(&self, axis: Axis) -> Vec<&Level> {
        let mut levels: Vec<&Level> = self.levels.iter().filter(|l| l.axis == axis).collect();
        levels.sort_by_key(|l| std::cmp::Reverse(l.rank));
        levels
    }

    /// The strictest level of `axis`.
    pub fn top(&self, axis: Axis) -> Option<&Level> {
        self.levels
            .iter()
            .filter(|l| l.axis == axis)
            .max_by_key(|l| l.rank)
    }

    /// The least strict level of `axis`.
    pub fn bottom(&self, axis: Axis) -> Option<&Level> {
        self.levels
            .iter()
            .filter(|l| l.axis == axis)
            .min_by_key(|l| l.rank)
    }

    /// The level a reference in a check names: a level code, or "top".
    pub fn resolve(&self, axis: Axis, reference: &str) -> Option<&Level> {
        if reference.trim().eq_ignore_ascii_case("top") {
            self.top(axis)
        } else {
            self.level(axis, reference)
        }
    }

    /// The label of an asset at these levels: `C3A-I2-A2`. The codes are
    /// written as the scheme spells them where it knows them.
    pub fn label(&self, c: &str, i: &str, a: &str) -> String {
        let spell = |axis: Axis, code: &str| {
            self.level(axis, code)
                .map_or_else(|| code.trim().to_owned(), |l| l.code.clone())
        };
        format!(
            "C{}-I{}-A{}",
            spell(Axis::Confidentiality, c),
            spell(Axis::Integrity, i),
            spell(Axis::Availability, a)
        )
    }

    /// The handling rules an asset at these levels must follow: each axis's
    /// level's rules, in the order C, I, A and topic by topic. A code that is
    /// not a level of the scheme contributes nothing (parse the label first
    /// with [`Scheme::parse_label`] to catch that).
    pub fn handling_for(&self, c: &str, i: &str, a: &str) -> Vec<(Axis, HandlingTopic, &str)> {
        self.handling_with(c, i, a, |l| &l.handling)
    }

    /// [`Scheme::handling_for`] in English.
    pub fn handling_for_en(&self, c: &str, i: &str, a: &str) -> Vec<(Axis, HandlingTopic, &str)> {
        self.handling_with(c, i, a, |l| &l.handling_en)
    }

    /// [`Scheme::handling_for`] for a parsed label.
    pub fn handling_for_label(&self, label: &LabelLevels) -> Vec<(Axis, HandlingTopic, &str)> {
        self.handling_for(
            &label.confidentiality,
            &label.integrity,
            &label.availability,
        )
    }

    fn handling_with<'a>(
        &'a self,
        c: &str,
        i: &str,
        a: &str,
        pick: impl Fn(&'a Level) -> &'a Handling,
    ) -> Vec<(Axis, HandlingTopic, &'a str)> {
        [
            (Axis::Confidentiality, c),
            (Axis::Integrity, i),
            (Axis::Availability, a),
        ]
        .into_iter()
        .filter_map(|(axis, code)| self.level(axis, code).map(|l| (axis, pick(l))))
        .flat_map(|(axis, handling)| {
            handling
                .rules()
                .map(move |(topic, rule)| (axis, topic, rule))
        })
        .collect()
    }
}

#[cfg(test)]
mod tests;
