//! First-match decision over an ordered list of boxes.
//!
//! The space is split one dimension at a time at the boundaries of the
//! candidate rules; points whose candidate lists agree are kept together, and
//! a region is settled as soon as its first candidate covers it whole. Every
//! point of the space ends up in exactly one leaf, decided by the first entry
//! that contains it: the result is exact, and the work follows how much the
//! rules overlap rather than the square of their number.

use crate::space::{DIMS, Family, IntervalSet, PBox};
use smallvec::{SmallVec, smallvec};
use std::collections::{BTreeMap, BTreeSet};

/// A region of packets decided by one entry.
#[derive(Clone, Debug)]
pub(crate) struct Leaf {
    pub region: PBox,
    /// The owner of the deciding entry.
    pub owner: usize,
}

/// Where decisions go: leaves for the owners the caller keeps, and for every
/// owner whether it decided anything at all.
pub(crate) struct Out<'k> {
    pub leaves: Vec<Leaf>,
    pub decided: Vec<bool>,
    keep: &'k [bool],
}

impl Out<'_> {
    fn emit(&mut self, region: PBox, owner: usize) {
        if let Some(d) = self.decided.get_mut(owner) {
            *d = true;
        }
        if self.keep.get(owner).copied().unwrap_or(true) {
            self.leaves.push(Leaf { region, owner });
        }
    }

    /// Records that `owner` decided something, without a leaf.
    fn mark(&mut self, owner: usize) {
        if let Some(d) = self.decided.get_mut(owner) {
            *d = true;
        }
    }

    fn kept(&self, owner: usize) -> bool {
        self.keep.get(owner).copied().unwrap_or(true)
    }
}

/// `entries` are `(owner, box)` in first-match order; `keep[owner]` says
/// whether that owner's leaves are wanted (the others are only marked in
/// `decided`). Points that no entry holds are left out of the result.
pub(crate) fn decide<'k>(family: Family, entries: &[(usize, &PBox)], keep: &'k [bool]) -> Out<'k> {
    let cands: Vec<u32> = (0..entries.len())
        .filter(|&i| !entries[i].1.is_empty())
        .filter_map(|i| u32::try_from(i).ok())
        .collect();
    // About one leaf per kept entry, often more: start there rather than
    // growing (and copying) a vector of large boxes from nothing.
    let kept = cands
        .iter()
        .filter(|&&i| keep.get(entries[i as usize].0).copied().unwrap_or(true))
        .count();
    let mut out = Out {
        leaves: Vec::with_capacity(kept),
        decided: vec![false; keep.len()],
        keep,
    };
    go(0, PBox::universe(family), &cands, entries, &mut out);
    out
}

fn covers_from(b: &PBox, region: &PBox, d: usize) -> bool {
    (d..DIMS).all(|k| b.dims[k].covers(&region.dims[k]))
}

fn go(d: usize, region: PBox, cands: &[u32], entries: &[(usize, &PBox)], out: &mut Out) {
    let Some(&first) = cands.first() else {
        return;
    };
    let fb = &entries[first as usize].1;
    if covers_from(fb, &region, d) {
        out.emit(region, entries[first as usize].0);
        return;
    }
    if d >= DIMS {
        // Unreachable: at the last level every candidate covers the region.
        return;
    }
    if cands.len() <= SUBTRACT {
        subtract(region, cands, entries, out);
        return;
    }
    // No boundary on this dimension: go on without splitting.
    if cands
        .iter()
        .all(|&c| entries[c as usize].1.dims[d].covers(&region.dims[d]))
    {
        go(d + 1, region, cands, entries, out);
        return;
    }
    let stopper: SmallVec<[bool; 32]> = cands
        .iter()
        .map(|&c| covers_from(entries[c as usize].1, &region, d + 1))
        .collect();
    let clipped: SmallVec<[IntervalSet; 16]> = cands
        .iter()
        .map(|&c| entries[c as usize].1.dims[d].intersect(&region.dims[d]))
        .collect();
    let groups = if cands.len() <= SMALL {
        split_small(cands, &stopper, &clipped)
    } else {
        split_large(cands, &stopper, &clipped, &region.dims[d])
    };
    let whole = region.dims[d].clone();
    let n = groups.len();
    let mut region = region;
    for (i, (key, ivs)) in groups.into_iter().enumerate() {
        // The last group takes the region itself, the others a copy.
        let mut sub = if i + 1 == n {
            std::mem::take(&mut region)
        } else {
            region.clone()
        };
        sub.dims[d] = IntervalSet::from_intervals(ivs).intersect(&whole);
        go(d + 1, sub, &key, entries, out);
    }
}

/// Candidate lists up to this length are settled by subtracting boxes in
/// order, without further splitting.
const SUBTRACT: usize = 6;

/// First match by subtraction: each candidate takes what is left of the
/// region inside its box. Exact; cheap when the list is short.
fn subtract(region: PBox, cands: &[u32], entries: &[(usize, &PBox)], out: &mut Out) {
    // When the last candidate takes the whole region and its leaves are not
    // wanted (a drop policy, say), what the others leave need not be cut
    // into pieces: it only matters that something is left for it.
    let tail = match cands.last() {
        Some(&c) if cands.len() >= 2 => {
            let (o, b) = entries[c as usize];
            (!out.kept(o) && b.covers(&region)).then_some(o)
        }
        _ => None,
    };
    let mut left: SmallVec<[PBox; 4]> = smallvec![region];
    for (i, &c) in cands.iter().enumerate() {
        let (owner, b) = entries[c as usize];
        if let Some(t) = tail
            && i + 2 == cands.len()
        {
            let mut rest = false;
            for r in left {
                if b.covers(&r) {
                    out.emit(r, owner);
                    continue;
                }
                rest = true;
                if let Some(hit) = r.intersect(b) {
                    out.emit(hit, owner);
                }
            }
            if rest {
                out.mark(t);
            }
            return;
        }
        let mut next: SmallVec<[PBox; 4]> = SmallVec::new();
        for r in left {
            if b.covers(&r) {
                out.emit(r, owner);
                continue;
            }
            match r.intersect(b) {
                None => next.push(r),
                Some(hit) => {
                    r.difference_into(b, &mut next);
                    out.emit(hit, owner);
                }
            }
        }
        left = next;
        if left.is_empty() {
            return;
        }
    }
}

/// Candidate lists up to this length are split by scanning them directly.
const SMALL: usize = 24;

type Key = SmallVec<[u32; 8]>;
type Ivl = SmallVec<[(u128, u128); 4]>;
type Groups = SmallVec<[(Key, Ivl); 4]>;

fn add_group(groups: &mut Groups, key: Key, iv: (u128, u128)) {
    match groups.iter_mut().find(|(k, _)| *k == key) {
        Some((_, ivs)) => ivs.push(iv),
        None => groups.push((key, smallvec![iv])),
    }
}

/// Few candidates: elementary pieces from the sorted boundaries, each piece's
/// candidate list by a direct scan.
fn split_small(cands: &[u32], stopper: &[bool], clipped: &[IntervalSet]) -> Groups {
    let mut points: SmallVec<[u128; 32]> = SmallVec::new();
    let mut top: u128 = 0;
    for c in clipped {
        for &(lo, hi) in c.intervals() {
            points.push(lo);
            match hi.checked_add(1) {
                Some(e) => points.push(e),
                None => top = u128::MAX,
            }
        }
    }
    points.sort_unstable();
    points.dedup();
    let mut groups = Groups::new();
    for (i, &x) in points.iter().enumerate() {
        let hi = match points.get(i + 1) {
            Some(&n) => n - 1,
            None if top == u128::MAX => u128::MAX,
            // Past the last end boundary nothing is active.
            None => continue,
        };
        let mut key = Key::new();
        for (p, c) in clipped.iter().enumerate() {
            if c.contains(x) {
                key.push(cands[p]);
                if stopper[p] {
                    break;
                }
            }
        }
        if !key.is_empty() {
            add_group(&mut groups, key, (x, hi));
        }
    }
    groups
}

/// Many candidates: a sweep over boundary events with the active set kept
/// in order.
fn split_large(
    cands: &[u32],
    stopper: &[bool],
    clipped: &[IntervalSet],
    region_dim: &IntervalSet,
) -> Groups {
    let mut events: Vec<(u128, bool, u32)> = Vec::new();
    for (pos, c) in clipped.iter().enumerate() {
        let pos = u32::try_from(pos).unwrap_or(u32::MAX);
        for &(lo, hi) in c.intervals() {
            events.push((lo, true, pos));
            if let Some(end) = hi.checked_add(1) {
                events.push((end, false, pos));
            }
        }
    }
    events.sort_unstable_by_key(|e| (e.0, e.1));
    let mut groups: BTreeMap<Key, Vec<(u128, u128)>> = BTreeMap::new();
    let mut active: BTreeSet<u32> = BTreeSet::new();
    let mut i = 0;
    while i < events.len() {
        let x = events[i].0;
        while i < events.len() && events[i].0 == x {
            let (_, start, pos) = events[i];
            if start {
                active.insert(pos);
            } else {
                active.remove(&pos);
            }
            i += 1;
        }
        if active.is_empty() {
            continue;
        }
        let hi = match events.get(i) {
            Some(e) => e.0 - 1,
            None => region_dim.intervals().last().map(|iv| iv.1).unwrap_or(x),
        };
        let mut key = Key::new();
        for &p in &active {
            key.push(cands[p as usize]);
            if stopper[p as usize] {
                break;
            }
        }
        groups.entry(key).or_default().push((x, hi));
    }
    groups
        .into_iter()
        .map(|(k, v)| (k, Ivl::from_vec(v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::{DPORT, SRC};

    #[test]
    fn first_match_partition() {
        let f = Family::Ipv4;
        let mut a = PBox::universe(f);
        a.dims[SRC] = IntervalSet::range(10, 20);
        a.dims[DPORT] = IntervalSet::single(443);
        let mut b = PBox::universe(f);
        b.dims[SRC] = IntervalSet::range(15, 30);
        let u = PBox::universe(f);
        let leaves = decide(f, &[(0, &a), (1, &b), (2, &u)], &[true, true, true]).leaves;
        // Leaves are disjoint and cover the universe.
        let total: u128 = leaves.iter().map(|l| l.region.volume()).sum();
        assert_eq!(total, PBox::universe(f).volume());
        for l in &leaves {
            match l.owner {
                0 => assert!(a.covers(&l.region)),
                1 => assert!(b.covers(&l.region) && !a.intersects(&l.region)),
                _ => assert!(!a.intersects(&l.region) && !b.intersects(&l.region)),
            }
        }
    }
}
