//! The 新旧対照表: two versions compared provision by provision, by stable
//! identity, with the changed words marked. Characters are compared, not words:
//! Japanese is written without spaces between words, so a character-level diff
//! marks exactly the characters a committee sees changed.

use super::{Body, Flat, Kind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What happened to a provision between the two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    /// Its heading or text changed (it may also have moved).
    Changed,
    /// Renumbered or moved, its words unchanged.
    Moved,
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
            Change::Moved => "moved",
            Change::Unchanged => "unchanged",
        }
    }

    pub fn name_ja(self) -> &'static str {
        match self {
            Change::Added => "追加",
            Change::Removed => "削除",
            Change::Changed => "改正",
            Change::Moved => "移動・番号変更",
            Change::Unchanged => "変更なし",
        }
    }
}

/// A run of characters, marked when it differs from the other version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    pub changed: bool,
}

/// One side of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    pub label: String,
    pub heading: String,
    pub text: String,
    /// The heading with the changed characters marked.
    pub heading_spans: Vec<Span>,
    /// The text with the changed characters marked.
    pub text_spans: Vec<Span>,
}

/// One line of the 新旧対照表.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub key: String,
    pub kind: Kind,
    pub depth: usize,
    pub change: Change,
    /// 改正前 (None when added).
    pub old: Option<Side>,
    /// 改正後 (None when removed).
    pub new: Option<Side>,
}

/// Every provision of both versions, in the reading order of the new one (a
/// removed provision after the one it followed).
pub fn compare(old: &Body, new: &Body) -> Vec<Entry> {
    let old_flat = old.flatten();
    let new_flat = new.flatten();
    let old_index: HashMap<&str, usize> = old_flat
        .iter()
        .enumerate()
        .map(|(i, f)| (f.key.as_str(), i))
        .collect();
    let new_keys: std::collections::HashSet<&str> =
        new_flat.iter().map(|f| f.key.as_str()).collect();
    // Removed provisions, placed after the nearest earlier provision of the old
    // version that is still there (or at the start).
    let mut removed_after: HashMap<Option<&str>, Vec<&Flat>> = HashMap::new();
    let mut anchor: Option<&str> = None;
    for f in &old_flat {
        if new_keys.contains(f.key.as_str()) {
            anchor = Some(f.key.as_str());
        } else {
            removed_after.entry(anchor).or_default().push(f);
        }
    }
    let mut out = Vec::with_capacity(new_flat.len());
    let push_removed = |after: Option<&str>, out: &mut Vec<Entry>| {
        if let Some(list) = removed_after.get(&after) {
            for f in list {
                out.push(Entry {
                    key: f.key.clone(),
                    kind: f.kind,
                    depth: f.depth,
                    change: Change::Removed,
                    old: Some(side(f, None)),
                    new: None,
                });
            }
        }
    };
    push_removed(None, &mut out);
    for f in &new_flat {
        let entry = match old_index.get(f.key.as_str()).map(|&i| &old_flat[i]) {
            None => Entry {
                key: f.key.clone(),
                kind: f.kind,
                depth: f.depth,
                change: Change::Added,
                old: None,
                new: Some(side(f, None)),
            },
            Some(o) => {
                let words = o.heading != f.heading || o.text != f.text;
                let moved = o.label != f.label || o.parent != f.parent;
                let change = if words {
                    Change::Changed
                } else if moved {
                    Change::Moved
                } else {
                    Change::Unchanged
                };
                Entry {
                    key: f.key.clone(),
                    kind: f.kind,
                    depth: f.depth,
                    change,
                    old: Some(side(o, Some(f))),
                    new: Some(side(f, Some(o))),
                }
            }
        };
        out.push(entry);
        push_removed(Some(f.key.as_str()), &mut out);
    }
    out
}

fn side(this: &Flat, other: Option<&Flat>) -> Side {
    let (heading_spans, text_spans) = match other {
        Some(o) => (spans(&this.heading, &o.heading), spans(&this.text, &o.text)),
        None => (whole(&this.heading, true), whole(&this.text, true)),
    };
    Side {
        label: this.label.clone(),
        heading: this.heading.clone(),
        text: this.text.clone(),
        heading_spans,
        text_spans,
    }
}

fn whole(text: &str, changed: bool) -> Vec<Span> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![Span {
            text: text.to_string(),
            changed,
        }]
    }
}

/// `this` with the characters that `other` lacks marked.
fn spans(this: &str, other: &str) -> Vec<Span> {
    if this == other {
        return whole(this, false);
    }
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .timeout(std::time::Duration::from_millis(50))
        .diff_chars(other, this);
    let mut out: Vec<Span> = Vec::new();
    for change in diff.iter_all_changes() {
        let changed = match change.tag() {
            similar::ChangeTag::Equal => false,
            similar::ChangeTag::Insert => true,
            similar::ChangeTag::Delete => continue,
        };
        match out.last_mut() {
            Some(last) if last.changed == changed => last.text.push_str(change.value()),
            _ => out.push(Span {
                text: change.value().to_string(),
                changed,
            }),
        }
    }
    out
}

/// A row of the 新旧対照表 as printed: an entry, or a run of unchanged
/// provisions elided (（略）).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row<'a> {
    Entry(&'a Entry),
    Elided(usize),
}

/// The rows of the official form: every change, with the unchanged provisions
/// that contain a change kept as context (the article of a changed item), and
/// the other unchanged ones elided.
pub fn rows(entries: &[Entry]) -> Vec<Row<'_>> {
    let keep = context(entries);
    let mut out = Vec::new();
    let mut run = 0;
    for (e, k) in entries.iter().zip(keep) {
        if k {
            if run > 0 {
                out.push(Row::Elided(run));
                run = 0;
            }
            out.push(Row::Entry(e));
        } else {
            run += 1;
        }
    }
    if run > 0 {
        out.push(Row::Elided(run));
    }
    out
}

/// Which entries the comparison shows: the changes and their unchanged
/// ancestors.
pub fn context(entries: &[Entry]) -> Vec<bool> {
    let mut keep = vec![false; entries.len()];
    // Walking backwards, an entry is an ancestor of a later change when its
    // depth is lower than the shallowest depth seen since that change.
    let mut need_below: Option<usize> = None;
    for (i, e) in entries.iter().enumerate().rev() {
        if e.change != Change::Unchanged {
            keep[i] = true;
            need_below = Some(need_below.map_or(e.depth, |d| d.min(e.depth)));
        } else if let Some(d) = need_below
            && e.depth < d
        {
            keep[i] = true;
            need_below = if e.depth == 0 { None } else { Some(e.depth) };
        }
    }
    keep
}
