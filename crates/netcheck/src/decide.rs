//! First-match decision over an ordered list of boxes.
//!
//! The space is split one dimension at a time at the boundaries of the
//! candidate rules; points whose candidate lists agree are kept together, and
//! a region is settled as soon as its first candidate covers it whole. Every
//! point of the space ends up in exactly one leaf, decided by the first entry
//! that contains it: the result is exact, and the work follows how much the
//! rules overlap rather than the square of their number.

use crate::space::{DIMS, Family, IntervalSet, PBox};
use std::collections::{BTreeMap, BTreeSet};

/// A region of packets decided by one entry.
#[derive(Clone, Debug)]
pub(crate) struct Leaf {
    pub region: PBox,
    /// The owner of the deciding entry.
    pub owner: usize,
}

/// `entries` are `(owner, box)` in first-match order. Points that no entry
/// holds are left out of the result.
pub(crate) fn decide(family: Family, entries: &[(usize, PBox)]) -> Vec<Leaf> {
    let cands: Vec<u32> = (0..entries.len())
        .filter(|&i| !entries[i].1.is_empty())
        .filter_map(|i| u32::try_from(i).ok())
        .collect();
    let mut out = Vec::new();
    go(0, PBox::universe(family), &cands, entries, &mut out);
    out
}

fn covers_from(b: &PBox, region: &PBox, d: usize) -> bool {
    (d..DIMS).all(|k| b.dims[k].covers(&region.dims[k]))
}

fn go(d: usize, region: PBox, cands: &[u32], entries: &[(usize, PBox)], out: &mut Vec<Leaf>) {
    let Some(&first) = cands.first() else {
        return;
    };
    let fb = &entries[first as usize].1;
    if covers_from(fb, &region, d) {
        out.push(Leaf {
            region,
            owner: entries[first as usize].0,
        });
        return;
    }
    if d >= DIMS {
        // Unreachable: at the last level every candidate covers the region.
        return;
    }
    // Boundary events on dimension d, clipped to the region.
    let mut events: Vec<(u128, bool, u32)> = Vec::new();
    let mut stopper: Vec<bool> = Vec::with_capacity(cands.len());
    for (pos, &c) in cands.iter().enumerate() {
        let b = &entries[c as usize].1;
        stopper.push(covers_from(b, &region, d + 1));
        let clipped = b.dims[d].intersect(&region.dims[d]);
        let pos = u32::try_from(pos).unwrap_or(u32::MAX);
        for &(lo, hi) in clipped.intervals() {
            events.push((lo, true, pos));
            if let Some(end) = hi.checked_add(1) {
                events.push((end, false, pos));
            }
        }
    }
    events.sort_unstable_by_key(|e| (e.0, e.1));
    let mut groups: BTreeMap<Vec<u32>, Vec<(u128, u128)>> = BTreeMap::new();
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
            None => region.dims[d]
                .intervals()
                .last()
                .map(|iv| iv.1)
                .unwrap_or(x),
        };
        let mut key = Vec::new();
        for &p in &active {
            key.push(cands[p as usize]);
            if stopper[p as usize] {
                break;
            }
        }
        groups.entry(key).or_default().push((x, hi));
    }
    for (key, ivs) in groups {
        let mut sub = region.clone();
        sub.dims[d] = IntervalSet::from_intervals(ivs).intersect(&region.dims[d]);
        go(d + 1, sub, &key, entries, out);
    }
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
        let leaves = decide(f, &[(0, a.clone()), (1, b.clone()), (2, u)]);
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
