//! The stable identity of provisions. A key is given once, when a provision
//! first appears, and carried: a new draft made from the version in force keeps
//! every key; a file imported as an amendment is matched to the version before
//! it by kind, label, heading and the similarity of the text, so that a
//! renumbered article keeps its key and the 新旧対照表 follows it.

use super::{Body, Flat, Kind, Provision};
use std::collections::{HashMap, HashSet};

/// How similar two texts are (0 to 1), character by character.
pub fn similarity(a: &str, b: &str) -> f32 {
    if a == b {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .timeout(std::time::Duration::from_millis(50))
        .diff_chars(a, b)
        .ratio()
}

/// Texts at least this similar are the same provision amended.
pub const SAME_PROVISION: f32 = 0.6;

/// Gives every provision of `body` without a key one: the key of its match in
/// `previous` (the version it amends) where there is one, else a new key from
/// `new_key`. Keys already set are kept (and not given twice).
pub fn assign(body: &mut Body, previous: Option<&Body>, new_key: &mut dyn FnMut() -> String) {
    let old: Vec<Flat> = previous.map(Body::flatten).unwrap_or_default();
    let mut taken: HashSet<String> = HashSet::new();
    collect_keys(&body.provisions, &mut taken);
    let mut new_flat = body.flatten();
    // Pass 1: the same kind, label, heading and text.
    let mut by_whole: HashMap<(Kind, &str, &str, &str), Vec<&Flat>> = HashMap::new();
    for f in &old {
        by_whole
            .entry((f.kind, &f.label, &f.heading, &f.text))
            .or_default()
            .push(f);
    }
    let mut assigned: Vec<Option<String>> = vec![None; new_flat.len()];
    for (i, f) in new_flat.iter().enumerate() {
        if !f.key.is_empty() {
            continue;
        }
        if let Some(list) = by_whole.get_mut(&(f.kind, &f.label, &f.heading, &f.text)) {
            while let Some(candidate) = list.first() {
                let key = candidate.key.clone();
                list.remove(0);
                if taken.insert(key.clone()) {
                    assigned[i] = Some(key);
                    break;
                }
            }
        }
    }
    // Pass 2: the same kind and heading (an article's 見出し), or the same kind
    // and label, and a similar text; else the most similar text of its kind.
    for (i, f) in new_flat.iter().enumerate() {
        if !f.key.is_empty() || assigned[i].is_some() {
            continue;
        }
        let mut best: Option<(f32, &Flat)> = None;
        for o in old
            .iter()
            .filter(|o| o.kind == f.kind && !taken.contains(&o.key))
        {
            let mut score = similarity(&o.text, &f.text);
            if !f.heading.is_empty() && o.heading == f.heading {
                score += 0.5;
            }
            if o.label == f.label {
                score += 0.2;
            }
            if score >= SAME_PROVISION && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, o));
            }
        }
        if let Some((_, o)) = best {
            taken.insert(o.key.clone());
            assigned[i] = Some(o.key.clone());
        }
    }
    for (i, f) in new_flat.iter_mut().enumerate() {
        if f.key.is_empty() {
            f.key = match assigned[i].take() {
                Some(k) => k,
                None => loop {
                    let k = new_key();
                    if taken.insert(k.clone()) {
                        break k;
                    }
                },
            };
        }
    }
    let mut keys = new_flat.into_iter().map(|f| f.key);
    set_keys(&mut body.provisions, &mut keys);
}

fn collect_keys(list: &[Provision], out: &mut HashSet<String>) {
    for p in list {
        if !p.key.is_empty() {
            out.insert(p.key.clone());
        }
        collect_keys(&p.children, out);
    }
}

fn set_keys(list: &mut [Provision], keys: &mut impl Iterator<Item = String>) {
    for p in list {
        if let Some(k) = keys.next() {
            p.key = k;
        }
        set_keys(&mut p.children, keys);
    }
}
