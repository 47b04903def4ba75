//! Coverage between the three levels (第9): the articles of the basic policy
//! that no standard implements, the articles of the standards that no procedure
//! follows, and the controls that belong to no provision of the standards.
//!
//! A provision names what it implements or follows in its links: `CODE#KEY`
//! for a provision of another document, `control:CODE` for a control of the
//! catalogue. A link to an article, or to anything under it, covers the article.

use super::{Kind, Level};
use std::collections::{HashMap, HashSet};

/// The prefix of a link that names a control rather than a provision.
pub const CONTROL_LINK: &str = "control:";

/// One provision of a version in force, as coverage reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedProvision {
    pub code: String,
    pub title: String,
    pub level: Level,
    pub key: String,
    pub parent: Option<String>,
    pub kind: Kind,
    pub label: String,
    pub heading: String,
    pub links: Vec<String>,
}

/// An article that lacks what should name it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Uncovered {
    pub code: String,
    pub title: String,
    pub key: String,
    pub label: String,
    pub heading: String,
}

/// The three lists of the coverage page.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Coverage {
    /// Articles of the basic policy that no provision of a standard links to.
    pub policy_without_standard: Vec<Uncovered>,
    /// Articles of the standards that no provision of a procedure links to.
    pub standard_without_procedure: Vec<Uncovered>,
    /// Controls (codes) that no provision of a standard names.
    pub controls_without_provision: Vec<String>,
    /// How many articles and controls were looked at: basic, standards, controls.
    pub counted: (usize, usize, usize),
}

/// The control code a link names, if it names a control.
pub fn control_of(link: &str) -> Option<&str> {
    link.strip_prefix(CONTROL_LINK)
}

/// Works out the coverage from the provisions of the versions in force (of the
/// documents the reader may read) and every control code.
pub fn coverage(provisions: &[LinkedProvision], controls: &[String]) -> Coverage {
    // The article each provision stands in (itself, for an article).
    let by_key: HashMap<(&str, &str), &LinkedProvision> = provisions
        .iter()
        .map(|p| ((p.code.as_str(), p.key.as_str()), p))
        .collect();
    let article_of = |code: &str, key: &str| -> Option<String> {
        let mut at = by_key.get(&(code, key)).copied();
        let mut steps = 0;
        while let Some(p) = at {
            if p.kind == Kind::Article {
                return Some(p.key.clone());
            }
            steps += 1;
            if steps > 64 {
                return None;
            }
            at = p
                .parent
                .as_deref()
                .and_then(|parent| by_key.get(&(code, parent)).copied());
        }
        None
    };
    // What the standards and the procedures name, as (document, article).
    let mut named_by_standards: HashSet<(String, String)> = HashSet::new();
    let mut named_by_procedures: HashSet<(String, String)> = HashSet::new();
    let mut placed_controls: HashSet<&str> = HashSet::new();
    for p in provisions {
        for link in &p.links {
            if let Some(control) = control_of(link) {
                if p.level == Level::Standard {
                    placed_controls.insert(control);
                }
                continue;
            }
            let Some((code, key)) = link.split_once('#') else {
                continue;
            };
            let Some(article) = article_of(code, key) else {
                continue;
            };
            match p.level {
                Level::Standard => named_by_standards.insert((code.to_string(), article)),
                Level::Procedure => named_by_procedures.insert((code.to_string(), article)),
                Level::Basic => false,
            };
        }
    }
    let uncovered = |level: Level, named: &HashSet<(String, String)>| {
        let articles: Vec<&LinkedProvision> = provisions
            .iter()
            .filter(|p| p.level == level && p.kind == Kind::Article)
            .collect();
        let count = articles.len();
        let list = articles
            .into_iter()
            .filter(|p| !named.contains(&(p.code.clone(), p.key.clone())))
            .map(|p| Uncovered {
                code: p.code.clone(),
                title: p.title.clone(),
                key: p.key.clone(),
                label: p.label.clone(),
                heading: p.heading.clone(),
            })
            .collect::<Vec<_>>();
        (list, count)
    };
    let (policy_without_standard, basic) = uncovered(Level::Basic, &named_by_standards);
    let (standard_without_procedure, standards) = uncovered(Level::Standard, &named_by_procedures);
    Coverage {
        policy_without_standard,
        standard_without_procedure,
        controls_without_provision: controls
            .iter()
            .filter(|c| !placed_controls.contains(c.as_str()))
            .cloned()
            .collect(),
        counted: (basic, standards, controls.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(
        code: &str,
        level: Level,
        key: &str,
        parent: Option<&str>,
        kind: Kind,
        label: &str,
        links: &[&str],
    ) -> LinkedProvision {
        LinkedProvision {
            code: code.into(),
            title: code.into(),
            level,
            key: key.into(),
            parent: parent.map(str::to_string),
            kind,
            label: label.into(),
            heading: String::new(),
            links: links.iter().map(|l| l.to_string()).collect(),
        }
    }

    #[test]
    fn a_link_to_an_article_or_below_covers_it() {
        let provisions = vec![
            p("basic", Level::Basic, "b7", None, Kind::Article, "第7", &[]),
            p("basic", Level::Basic, "b8", None, Kind::Article, "第8", &[]),
            p(
                "basic",
                Level::Basic,
                "b8-1",
                Some("b8"),
                Kind::Item,
                "(1)",
                &[],
            ),
            p("basic", Level::Basic, "b9", None, Kind::Article, "第9", &[]),
            p(
                "std",
                Level::Standard,
                "c1",
                None,
                Kind::Chapter,
                "第1章",
                &[],
            ),
            p(
                "std",
                Level::Standard,
                "s1",
                Some("c1"),
                Kind::Article,
                "第1条",
                &["basic#b7"],
            ),
            p(
                "std",
                Level::Standard,
                "s2",
                Some("c1"),
                Kind::Article,
                "第2条",
                &["basic#b8-1", "control:S4-01"],
            ),
            p(
                "std",
                Level::Standard,
                "s2-2",
                Some("s2"),
                Kind::Paragraph,
                "2",
                &[],
            ),
            p(
                "proc",
                Level::Procedure,
                "q1",
                None,
                Kind::Article,
                "第1条",
                &["std#s2-2"],
            ),
            // A procedure naming a basic-policy article does not cover it.
            p(
                "proc",
                Level::Procedure,
                "q2",
                None,
                Kind::Article,
                "第2条",
                &["basic#b9", "control:S4-02"],
            ),
        ];
        let controls = vec![
            "S4-01".to_string(),
            "S4-02".to_string(),
            "S5-01".to_string(),
        ];
        let c = coverage(&provisions, &controls);
        let labels = |l: &[Uncovered]| l.iter().map(|u| u.label.clone()).collect::<Vec<_>>();
        assert_eq!(labels(&c.policy_without_standard), vec!["第9"]);
        assert_eq!(labels(&c.standard_without_procedure), vec!["第1条"]);
        // A control is placed only by a provision of the standards.
        assert_eq!(c.controls_without_provision, vec!["S4-02", "S5-01"]);
        assert_eq!(c.counted, (3, 2, 3));
    }

    #[test]
    fn links_to_nothing_known_cover_nothing() {
        let provisions = vec![
            p("basic", Level::Basic, "b1", None, Kind::Article, "第1", &[]),
            p(
                "std",
                Level::Standard,
                "s1",
                None,
                Kind::Article,
                "第1条",
                &["basic#gone", "nothing", "other#b1"],
            ),
        ];
        let c = coverage(&provisions, &[]);
        assert_eq!(c.policy_without_standard.len(), 1);
        assert_eq!(control_of("control:S1-01"), Some("S1-01"));
        assert_eq!(control_of("basic#b1"), None);
    }
}
