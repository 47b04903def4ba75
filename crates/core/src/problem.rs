//! One vocabulary of problems for every area: each condition a user can meet
//! has a stable code (listed once, in `problems.toml` beside this crate, with its
//! wording in Japanese and English and what to do about it), the field or the
//! row and column it concerns, and its parameters. The store and the operation
//! layer return problems; pages, API and CLI word them in the reader's language.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The catalogue of problems: code → class, wording and advice.
pub const PROBLEMS_TOML: &str = include_str!("../problems.toml");

/// How a problem is answered: the HTTP status class and the CLI exit code follow
/// from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// The input is wrong (422; the CLI exits 2).
    Invalid,
    /// What was asked for does not exist, or the reader may not know of it (404).
    NotFound,
    /// The input is fine but the record's state forbids it (409).
    Conflict,
    /// The person may not do this (403).
    Forbidden,
    /// The request is larger than a budget allows (413).
    TooLarge,
    /// A fault of Mamori or its database (500).
    Internal,
}

impl Class {
    /// The general code of the class, kept as `error.code` in API answers.
    pub fn code(self) -> &'static str {
        match self {
            Class::Invalid => "MAMORI-INVALID",
            Class::NotFound => "MAMORI-NOT-FOUND",
            Class::Conflict => "MAMORI-CONFLICT",
            Class::Forbidden => "MAMORI-FORBIDDEN",
            Class::TooLarge => "MAMORI-TOO-LARGE",
            Class::Internal => "MAMORI-INTERNAL",
        }
    }
}

/// One entry of the catalogue.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    pub class: Class,
    pub ja: String,
    pub en: String,
    /// What to do about it, or whom to ask (Japanese, English).
    #[serde(default)]
    pub hint_ja: String,
    #[serde(default)]
    pub hint_en: String,
}

/// Every problem code with its entry, read once from [`PROBLEMS_TOML`].
pub fn catalogue() -> &'static BTreeMap<String, Entry> {
    static CATALOGUE: OnceLock<BTreeMap<String, Entry>> = OnceLock::new();
    // The catalogue is part of the binary and checked by the unit tests below.
    CATALOGUE.get_or_init(|| toml::from_str(PROBLEMS_TOML).unwrap_or_default())
}

/// The entry of a code; an unknown code is a programming error caught by the
/// tests, answered as the generic internal problem.
pub fn entry(code: &str) -> &'static Entry {
    static FALLBACK: OnceLock<Entry> = OnceLock::new();
    catalogue().get(code).unwrap_or_else(|| {
        FALLBACK.get_or_init(|| Entry {
            class: Class::Internal,
            ja: "内部エラーが発生しました".into(),
            en: "an internal error occurred".into(),
            hint_ja: "管理者に連絡してください".into(),
            hint_en: "please tell the administrator".into(),
        })
    })
}

/// The language a problem is worded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

/// A condition met by a request: its code, where it is, and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A code of [`PROBLEMS_TOML`], e.g. `MAMORI-TEXT-TOO-LONG`.
    pub code: &'static str,
    /// The field as the request names it (`name`, `owner_unit_id`, …).
    pub field: Option<String>,
    /// The row of a file (1-based, as a spreadsheet numbers it).
    pub row: Option<u64>,
    /// The parameters its wording uses (`{max}`, `{value}`, …). A parameter
    /// `x` may have an English form `x_en`.
    pub params: Vec<(&'static str, String)>,
}

impl Problem {
    pub fn new(code: &'static str) -> Problem {
        Problem {
            code,
            field: None,
            row: None,
            params: Vec::new(),
        }
    }

    /// The field it concerns.
    pub fn field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }

    /// The row of a file it concerns.
    pub fn row(mut self, row: u64) -> Problem {
        self.row = Some(row);
        self
    }

    /// A parameter of its wording.
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Problem {
        self.params.push((name, value.to_string()));
        self
    }

    pub fn class(&self) -> Class {
        entry(self.code).class
    }

    fn param(&self, name: &str, lang: Lang) -> Option<&str> {
        if lang == Lang::En {
            let en = format!("{name}_en");
            if let Some((_, v)) = self.params.iter().find(|(n, _)| *n == en) {
                return Some(v);
            }
        }
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    fn fill(&self, template: &str, lang: Lang) -> String {
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let name = &after[..close];
                    match self.param(name, lang) {
                        Some(v) => out.push_str(v),
                        None => {
                            out.push('{');
                            out.push_str(name);
                            out.push('}');
                        }
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// What is wrong, in the reader's language.
    pub fn message(&self, lang: Lang) -> String {
        let e = entry(self.code);
        self.fill(if lang == Lang::En { &e.en } else { &e.ja }, lang)
    }

    /// What to do about it, or whom to ask, in the reader's language (may be empty).
    pub fn hint(&self, lang: Lang) -> String {
        let e = entry(self.code);
        self.fill(
            if lang == Lang::En {
                &e.hint_en
            } else {
                &e.hint_ja
            },
            lang,
        )
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        write!(f, "{} / {}", self.message(Lang::Ja), self.message(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_reads_and_every_code_is_well_formed() {
        let c: BTreeMap<String, Entry> = toml::from_str(PROBLEMS_TOML).unwrap();
        assert!(c.len() > 10);
        for (code, e) in &c {
            assert!(code.starts_with("MAMORI-"), "{code}");
            assert!(
                code.chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '-'),
                "{code}"
            );
            assert!(!e.ja.is_empty() && !e.en.is_empty(), "{code}");
            // Every placeholder of one language is in the other.
            let names = |t: &str| {
                let mut v: Vec<String> = t
                    .split('{')
                    .skip(1)
                    .filter_map(|s| {
                        s.split_once('}')
                            .map(|(n, _)| n.trim_end_matches("_en").to_string())
                    })
                    .collect();
                v.sort();
                v.dedup();
                v
            };
            assert_eq!(names(&e.ja), names(&e.en), "{code}");
        }
    }

    #[test]
    fn a_problem_is_worded_with_its_parameters_in_each_language() {
        let p = Problem::new("MAMORI-TEXT-TOO-LONG")
            .field("name")
            .with("label", "名称")
            .with("label_en", "name")
            .with("max", 200);
        assert_eq!(p.class(), Class::Invalid);
        assert_eq!(p.message(Lang::Ja), "名称は200文字以内にしてください");
        assert_eq!(
            p.message(Lang::En),
            "the name is longer than 200 characters"
        );
    }

    #[test]
    fn the_readme_lists_every_code() {
        let readme = include_str!("../../../README.md");
        let section = readme
            .split("## Error codes")
            .nth(1)
            .expect("README has an Error codes section");
        let missing: Vec<&String> = catalogue()
            .keys()
            .filter(|code| !section.contains(&format!("`{code}`")))
            .collect();
        assert!(missing.is_empty(), "README's Error codes lack {missing:?}");
    }

    #[test]
    fn an_unknown_code_is_an_internal_problem() {
        assert_eq!(Problem::new("MAMORI-NO-SUCH").class(), Class::Internal);
    }
}
