//! Cross-checks of the catalogues.

use super::{BASIC_POLICY_FILE, Builtin, CLASSIFICATION_FILE, CONTROLS_FILE, THREATS_FILE};
use crate::classification::{Axis, Scheme};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One inconsistency, with the file it is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub file: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, file: &str, message: String) {
        self.0.push(Problem {
            file: file.to_owned(),
            message,
        });
    }

    /// Reports a reference to something that does not exist.
    fn dangling(
        &mut self,
        file: &str,
        kind: &str,
        code: &str,
        what: &str,
        value: &dyn fmt::Display,
    ) {
        self.add(
            file,
            format!("{kind} {code} names {what} '{value}', which does not exist"),
        );
    }

    /// Reports every value that occurs more than once.
    fn unique<'a, T: Ord + fmt::Display + 'a>(
        &mut self,
        file: &str,
        what: &str,
        values: impl IntoIterator<Item = T>,
    ) {
        let mut seen = BTreeSet::new();
        let mut reported = BTreeSet::new();
        for value in values {
            if seen.contains(&value) {
                if !reported.contains(&value) {
                    self.add(file, format!("{what} '{value}' appears more than once"));
                    reported.insert(value);
                }
            } else {
                seen.insert(value);
            }
        }
    }
}

pub(super) fn problems(b: &Builtin) -> Vec<Problem> {
    let mut p = Problems(Vec::new());
    policy(&mut p, b);
    threats(&mut p, b);
    controls(&mut p, b);
    classification(&mut p, b);
    p.0
}

fn policy(p: &mut Problems, b: &Builtin) {
    let doc = &b.basic_policy;
    let f = BASIC_POLICY_FILE;
    p.unique(f, "article number", doc.articles.iter().map(|a| a.number));
    for article in &doc.articles {
        p.unique(
            f,
            &format!("item number in {}", article.label),
            article.items.iter().map(|i| i.number),
        );
    }
}

fn threats(p: &mut Problems, b: &Builtin) {
    let t = &b.threats;
    let f = THREATS_FILE;
    p.unique(
        f,
        "threat category code",
        t.categories.iter().map(|c| c.code.as_str()),
    );
    p.unique(f, "threat code", t.threats.iter().map(|x| x.code.as_str()));
    for threat in &t.threats {
        if t.category(&threat.category).is_none() {
            p.dangling(f, "threat", &threat.code, "category", &threat.category);
        }
    }
}

fn controls(p: &mut Problems, b: &Builtin) {
    let c = &b.controls;
    let f = CONTROLS_FILE;
    p.unique(
        f,
        "control category code",
        c.categories.iter().map(|x| x.code.as_str()),
    );
    p.unique(f, "chapter number", c.chapters.iter().map(|x| x.number));
    p.unique(
        f,
        "control code",
        c.controls.iter().map(|x| x.code.as_str()),
    );
    for control in &c.controls {
        if c.category(&control.category).is_none() {
            p.dangling(f, "control", &control.code, "category", &control.category);
        }
        if c.chapter(control.chapter).is_none() {
            p.dangling(f, "control", &control.code, "chapter", &control.chapter);
        }
        for threat in &control.threats {
            if b.threats.threat(threat).is_none() {
                p.dangling(f, "control", &control.code, "threat", threat);
            }
        }
    }
}

fn classification(p: &mut Problems, b: &Builtin) {
    let s = &b.classification;
    let f = CLASSIFICATION_FILE;
    p.unique(f, "scheme code", s.schemes.iter().map(|x| x.code.as_str()));
    if s.scheme(&s.default_active).is_none() {
        p.add(
            f,
            format!(
                "default_active names scheme '{}', which does not exist",
                s.default_active
            ),
        );
    }
    for scheme in &s.schemes {
        scheme_problems(p, f, scheme);
    }
}

fn scheme_problems(p: &mut Problems, f: &str, scheme: &Scheme) {
    let name = &scheme.code;
    for axis in Axis::ALL {
        let levels: Vec<_> = scheme.levels.iter().filter(|l| l.axis == axis).collect();
        if levels.is_empty() {
            p.add(
                f,
                format!("scheme {name} has no level of {}", axis.name_en()),
            );
        }
        let mut codes: BTreeMap<String, usize> = BTreeMap::new();
        for level in &levels {
            *codes.entry(level.code.to_ascii_uppercase()).or_default() += 1;
        }
        for (code, n) in codes {
            if n > 1 {
                p.add(
                    f,
                    format!(
                        "scheme {name}: {} level '{code}' appears {n} times",
                        axis.name_en()
                    ),
                );
            }
        }
        p.unique(
            f,
            &format!("scheme {name}: {} rank", axis.name_en()),
            levels.iter().map(|l| l.rank),
        );
        for level in &levels {
            if level.code.trim().is_empty() || level.code.contains('-') {
                p.add(
                    f,
                    format!(
                        "scheme {name}: {} level code '{}' must be non-empty and without '-'",
                        axis.name_en(),
                        level.code
                    ),
                );
            }
        }
    }
    p.unique(
        f,
        &format!("scheme {name}: check code"),
        scheme.checks.iter().map(|c| c.code.as_str()),
    );
    for check in &scheme.checks {
        let refs = [
            check.when.confidentiality_at_least.as_deref(),
            check.require.confidentiality_at_least.as_deref(),
        ];
        for reference in refs.into_iter().flatten() {
            if scheme.resolve(Axis::Confidentiality, reference).is_none() {
                p.add(
                    f,
                    format!(
                        "scheme {name}: check {} names confidentiality level '{reference}', which is not a level of the scheme",
                        check.code
                    ),
                );
            }
        }
    }
}
