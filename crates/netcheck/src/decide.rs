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
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// A region of packets decided by one entry.
#[derive(Clone, Debug)]
pub(crate) struct Leaf {
    pub region: PBox,
    /// The owner of the deciding entry.
    pub owner: usize,
}

/// Where the leaves of kept owners go.
pub(crate) trait Sink: Send + Sync {
    fn leaf(&mut self, region: PBox, owner: usize);
    /// Appends what another sink (of a later part of the space) holds.
    fn join(&mut self, later: Self);
    /// An empty sink for a part of the space with about `leaves` leaves.
    fn part(&self, leaves: usize) -> Self;
}

impl Sink for Vec<Leaf> {
    fn leaf(&mut self, region: PBox, owner: usize) {
        self.push(Leaf { region, owner });
    }

    fn join(&mut self, later: Self) {
        self.extend(later);
    }

    fn part(&self, leaves: usize) -> Self {
        Vec::with_capacity(leaves)
    }
}

/// Where decisions go: leaves for the owners the caller keeps, and for every
/// owner whether it decided anything at all.
pub(crate) struct Out<'k, S> {
    pub leaves: S,
    pub decided: Vec<bool>,
    keep: &'k [bool],
}

impl<S: Sink> Out<'_, S> {
    fn emit(&mut self, region: PBox, owner: usize) {
        if let Some(d) = self.decided.get_mut(owner) {
            *d = true;
        }
        if self.keep.get(owner).copied().unwrap_or(true) {
            self.leaves.leaf(region, owner);
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
pub(crate) fn decide<'k>(
    family: Family,
    entries: &[(usize, &PBox)],
    keep: &'k [bool],
) -> Out<'k, Vec<Leaf>> {
    decide_into(family, entries, keep, Vec::new())
}

/// [`decide`], the leaves going to `sink` (and to parts made from it, joined
/// in order of the space).
pub(crate) fn decide_into<'k, S: Sink>(
    family: Family,
    entries: &[(usize, &PBox)],
    keep: &'k [bool],
    sink: S,
) -> Out<'k, S> {
    let cands: Vec<u32> = (0..entries.len())
        .filter(|&i| !entries[i].1.is_empty())
        .filter_map(|i| u32::try_from(i).ok())
        .collect();
    let mut out = Out {
        leaves: sink,
        decided: vec![false; keep.len()],
        keep,
    };
    // The first dimension that splits the whole space: its pieces are
    // independent, so they are decided on all cores and joined in order.
    let region = PBox::universe(family);
    let mut d = 0;
    while d < DIMS
        && cands.len() >= PARALLEL_FROM
        && !cands
            .first()
            .is_some_and(|&c| covers_from(entries[c as usize].1, &region, d))
        && cands
            .iter()
            .all(|&c| entries[c as usize].1.dims[d].covers(&region.dims[d]))
    {
        d += 1;
    }
    if d >= DIMS || cands.len() < PARALLEL_FROM || crate::par::threads() < 2 {
        out.leaves = out.leaves.part(kept_count(&cands, entries, keep));
        go(0, region, &cands, entries, &mut out);
        return out;
    }
    if cands
        .first()
        .is_some_and(|&c| covers_from(entries[c as usize].1, &region, d))
    {
        out.emit(region, entries[cands[0] as usize].0);
        return out;
    }
    let groups = split(d, &region, &cands, entries);
    let proto = &out.leaves;
    let parts = crate::par::chunks(
        &groups.list,
        2,
        |g| (g.end - g.start) as usize,
        |chunk| {
            let keys: Vec<u32> = chunk
                .iter()
                .flat_map(|g| groups.key(g).iter().copied())
                .collect();
            let mut part = Out {
                leaves: proto.part(kept_count(&keys, entries, keep)),
                decided: vec![false; keep.len()],
                keep,
            };
            for g in chunk {
                let mut sub = region.clone();
                sub.dims[d] =
                    IntervalSet::from_intervals(g.ivs.iter().copied()).intersect(&region.dims[d]);
                go(d + 1, sub, groups.key(g), entries, &mut part);
            }
            (part.leaves, part.decided)
        },
    );
    for (leaves, decided) in parts {
        out.leaves.join(leaves);
        for (o, x) in out.decided.iter_mut().zip(decided) {
            *o |= x;
        }
    }
    out
}

/// Below this many candidates the decision runs on one thread.
const PARALLEL_FROM: usize = 4096;

/// About one leaf per kept entry, often more: start there rather than
/// growing (and copying) a vector of large boxes from nothing.
fn kept_count(cands: &[u32], entries: &[(usize, &PBox)], keep: &[bool]) -> usize {
    cands
        .iter()
        .filter(|&&i| keep.get(entries[i as usize].0).copied().unwrap_or(true))
        .count()
}

fn covers_from(b: &PBox, region: &PBox, d: usize) -> bool {
    (d..DIMS).all(|k| b.dims[k].covers(&region.dims[k]))
}

fn go<S: Sink>(
    d: usize,
    region: PBox,
    cands: &[u32],
    entries: &[(usize, &PBox)],
    out: &mut Out<S>,
) {
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
    let groups = split(d, &region, cands, entries);
    let whole = region.dims[d].clone();
    let n = groups.len();
    let mut region = region;
    for (i, g) in groups.list.iter().enumerate() {
        // The last group takes the region itself, the others a copy.
        let mut sub = if i + 1 == n {
            std::mem::take(&mut region)
        } else {
            region.clone()
        };
        sub.dims[d] = IntervalSet::from_intervals(g.ivs.iter().copied()).intersect(&whole);
        go(d + 1, sub, groups.key(g), entries, out);
    }
}

/// Splits dimension `d` of `region` at the candidates' boundaries: the
/// pieces whose candidate lists (cut after the first that covers the rest
/// of the region) agree form one group.
fn split(d: usize, region: &PBox, cands: &[u32], entries: &[(usize, &PBox)]) -> Groups {
    let stopper: SmallVec<[bool; 32]> = cands
        .iter()
        .map(|&c| covers_from(entries[c as usize].1, region, d + 1))
        .collect();
    let clipped: SmallVec<[IntervalSet; 16]> = cands
        .iter()
        .map(|&c| entries[c as usize].1.dims[d].intersect(&region.dims[d]))
        .collect();
    if cands.len() <= SMALL {
        split_small(cands, &stopper, &clipped)
    } else {
        split_large(cands, &stopper, &clipped, &region.dims[d])
    }
}

/// Candidate lists up to this length are settled by subtracting boxes in
/// order, without further splitting.
const SUBTRACT: usize = 6;

/// First match by subtraction: each candidate takes what is left of the
/// region inside its box. Exact; cheap when the list is short.
fn subtract<S: Sink>(region: PBox, cands: &[u32], entries: &[(usize, &PBox)], out: &mut Out<S>) {
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
        if i + 1 == cands.len() {
            // The last candidate: what it leaves is decided by nobody, so
            // only its part needs computing.
            for r in left {
                if b.covers(&r) {
                    out.emit(r, owner);
                } else if let Some(hit) = r.intersect(b) {
                    out.emit(hit, owner);
                }
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

type Ivl = SmallVec<[(u128, u128); 2]>;

/// The pieces of one dimension grouped by candidate list. The lists live
/// one after another in `keys`; a group names its part.
#[derive(Default)]
struct Groups {
    keys: Vec<u32>,
    list: Vec<Group>,
}

struct Group {
    /// `keys[start..end]`.
    start: u32,
    end: u32,
    ivs: Ivl,
    /// The next group whose key has the same hash (`u32::MAX`: none).
    next: u32,
}

impl Groups {
    fn key(&self, g: &Group) -> &[u32] {
        &self.keys[g.start as usize..g.end as usize]
    }

    fn len(&self) -> usize {
        self.list.len()
    }

    /// Starts a group with `key` and its first interval; returns its index.
    fn push(&mut self, key: &[u32], iv: (u128, u128)) -> u32 {
        let start = self.keys.len() as u32;
        self.keys.extend_from_slice(key);
        self.list.push(Group {
            start,
            end: self.keys.len() as u32,
            ivs: smallvec![iv],
            next: u32::MAX,
        });
        (self.list.len() - 1) as u32
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
    let mut groups = Groups::default();
    let mut key: SmallVec<[u32; 24]> = SmallVec::new();
    for (i, &x) in points.iter().enumerate() {
        let hi = match points.get(i + 1) {
            Some(&n) => n - 1,
            None if top == u128::MAX => u128::MAX,
            // Past the last end boundary nothing is active.
            None => continue,
        };
        key.clear();
        for (p, c) in clipped.iter().enumerate() {
            if c.contains(x) {
                key.push(cands[p]);
                if stopper[p] {
                    break;
                }
            }
        }
        if key.is_empty() {
            continue;
        }
        match groups
            .list
            .iter()
            .position(|g| groups.key(g) == key.as_slice())
        {
            Some(k) => groups.list[k].ivs.push((x, hi)),
            None => {
                groups.push(&key, (x, hi));
            }
        }
    }
    groups
}

/// The map of [`key_hash`]es: the keys are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

/// A hash of a candidate list (multiply-rotate, as in rustc's FxHash).
fn key_hash(key: &[u32]) -> u64 {
    key.iter().fold(key.len() as u64, |h, &x| {
        (h.rotate_left(5) ^ u64::from(x)).wrapping_mul(0x517c_c1b7_2722_0a95)
    })
}

/// Many candidates: a sweep over boundary events with the active set kept
/// in order. Groups come in the order of their first piece.
fn split_large(
    cands: &[u32],
    stopper: &[bool],
    clipped: &[IntervalSet],
    region_dim: &IntervalSet,
) -> Groups {
    // (coordinate, position × 2 + 1 for a start): all events at one
    // coordinate are applied before the piece that follows, so their
    // order among themselves does not matter.
    let mut events: Vec<(u128, u32)> = Vec::with_capacity(2 * clipped.len());
    for (pos, c) in clipped.iter().enumerate() {
        let tag = u32::try_from(pos).unwrap_or(u32::MAX >> 1) << 1;
        for &(lo, hi) in c.intervals() {
            events.push((lo, tag | 1));
            if let Some(end) = hi.checked_add(1) {
                events.push((end, tag));
            }
        }
    }
    events.sort_unstable_by_key(|e| e.0);
    // At most about one group per candidate: no growing on the way.
    let mut groups = Groups {
        keys: Vec::with_capacity(4 * clipped.len()),
        list: Vec::with_capacity(clipped.len()),
    };
    let mut index: HashMap<u64, u32, BuildHasherDefault<Prehashed>> =
        HashMap::with_capacity_and_hasher(clipped.len(), Default::default());
    let mut active: BTreeSet<u32> = BTreeSet::new();
    let mut key: SmallVec<[u32; 24]> = SmallVec::new();
    let mut last: Option<u32> = None;
    let mut i = 0;
    while i < events.len() {
        let x = events[i].0;
        while i < events.len() && events[i].0 == x {
            let (_, tag) = events[i];
            if tag & 1 == 1 {
                active.insert(tag >> 1);
            } else {
                active.remove(&(tag >> 1));
            }
            i += 1;
        }
        if active.is_empty() {
            last = None;
            continue;
        }
        let hi = match events.get(i) {
            Some(e) => e.0 - 1,
            None => region_dim.intervals().last().map(|iv| iv.1).unwrap_or(x),
        };
        key.clear();
        for &p in &active {
            key.push(cands[p as usize]);
            if stopper[p as usize] {
                break;
            }
        }
        // The piece right before with the same list: widen its interval.
        if let Some(g) = last
            && groups.key(&groups.list[g as usize]) == key.as_slice()
            && let Some(prev) = groups.list[g as usize].ivs.last_mut()
            && prev.1.checked_add(1) == Some(x)
        {
            prev.1 = hi;
            continue;
        }
        let h = key_hash(&key);
        let mut found = None;
        let mut at = index.get(&h).copied();
        while let Some(k) = at.filter(|&k| k != u32::MAX) {
            if groups.key(&groups.list[k as usize]) == key.as_slice() {
                found = Some(k);
                break;
            }
            at = Some(groups.list[k as usize].next);
        }
        let g = match found {
            Some(k) => {
                groups.list[k as usize].ivs.push((x, hi));
                k
            }
            None => {
                let k = groups.push(&key, (x, hi));
                if let Some(head) = index.insert(h, k) {
                    groups.list[k as usize].next = head;
                }
                k
            }
        };
        last = Some(g);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::{DPORT, SRC};

    /// The decision split over threads gives the leaves, in the same order,
    /// that one thread gives.
    #[test]
    fn parallel_decision_is_the_sequential_one() {
        let f = Family::Ipv4;
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            u128::from(x % n)
        };
        let mut boxes = Vec::new();
        for _ in 0..(PARALLEL_FROM + 500) {
            let mut b = PBox::universe(f);
            let s = next(20_000);
            b.dims[SRC] = IntervalSet::range(s, s + next(3) * 40);
            let d = next(20_000);
            b.dims[crate::space::DST] = IntervalSet::range(d, d + next(2) * 100);
            b.dims[DPORT] = IntervalSet::single(next(4));
            boxes.push(b);
        }
        boxes.push(PBox::universe(f));
        let entries: Vec<(usize, &PBox)> = boxes.iter().enumerate().collect();
        let keep: Vec<bool> = (0..boxes.len()).map(|i| i % 3 != 0).collect();
        let par = decide(f, &entries, &keep);
        let cands: Vec<u32> = (0..entries.len() as u32).collect();
        let mut seq = Out {
            leaves: Vec::<Leaf>::new(),
            decided: vec![false; keep.len()],
            keep: &keep,
        };
        go(0, PBox::universe(f), &cands, &entries, &mut seq);
        assert_eq!(par.decided, seq.decided);
        assert_eq!(par.leaves.len(), seq.leaves.len());
        for (a, b) in par.leaves.iter().zip(&seq.leaves) {
            assert_eq!((a.owner, &a.region), (b.owner, &b.region));
        }
        assert!(
            seq.decided.iter().filter(|d| !**d).count() > 0,
            "some rules shadowed"
        );
    }

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
