//! Exact packet-set algebra.
//!
//! The packet space of one address family has five dimensions: source
//! address, destination address, protocol, source port and destination port.
//! A [`PBox`] is a product of one [`IntervalSet`] per dimension; a [`BoxSet`]
//! is a union of pairwise disjoint boxes; a [`PacketSet`] holds one
//! [`BoxSet`] per address family. Every operation is exact.

use serde::Serialize;

/// Address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Ipv4,
    Ipv6,
}

impl Family {
    pub const ALL: [Family; 2] = [Family::Ipv4, Family::Ipv6];

    /// The largest address of the family.
    pub fn addr_max(self) -> u128 {
        match self {
            Family::Ipv4 => u128::from(u32::MAX),
            Family::Ipv6 => u128::MAX,
        }
    }

    pub fn index(self) -> usize {
        match self {
            Family::Ipv4 => 0,
            Family::Ipv6 => 1,
        }
    }

    /// The upper bound of each dimension.
    pub fn maxima(self) -> [u128; DIMS] {
        let a = self.addr_max();
        [a, a, 255, 65535, 65535]
    }
}

/// Number of dimensions of a packet box.
pub const DIMS: usize = 5;
/// Dimension index of the source address.
pub const SRC: usize = 0;
/// Dimension index of the destination address.
pub const DST: usize = 1;
/// Dimension index of the protocol number.
pub const PROTO: usize = 2;
/// Dimension index of the source port.
pub const SPORT: usize = 3;
/// Dimension index of the destination port (for ICMP: type × 256 + code).
pub const DPORT: usize = 4;

/// Interval storage: no heap for the empty set and for one interval, which
/// is what almost every rule condition is. Always canonical: `Many` holds two
/// intervals or more.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Ivs {
    #[default]
    Empty,
    One((u128, u128)),
    Many(Vec<(u128, u128)>),
}

/// Builds an [`Ivs`] from intervals pushed in order.
#[derive(Default)]
struct Build(Ivs);

impl Build {
    fn with_capacity(_n: usize) -> Self {
        Build(Ivs::Empty)
    }

    fn push(&mut self, iv: (u128, u128)) {
        self.0 = match std::mem::take(&mut self.0) {
            Ivs::Empty => Ivs::One(iv),
            Ivs::One(a) => Ivs::Many(vec![a, iv]),
            Ivs::Many(mut v) => {
                v.push(iv);
                Ivs::Many(v)
            }
        };
    }

    fn last_mut(&mut self) -> Option<&mut (u128, u128)> {
        match &mut self.0 {
            Ivs::Empty => None,
            Ivs::One(a) => Some(a),
            Ivs::Many(v) => v.last_mut(),
        }
    }

    fn done(self) -> IntervalSet {
        IntervalSet { ivs: self.0 }
    }
}

/// A set of integers as sorted, disjoint, non-adjacent closed intervals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IntervalSet {
    ivs: Ivs,
}

impl IntervalSet {
    pub fn empty() -> Self {
        IntervalSet { ivs: Ivs::Empty }
    }

    /// The closed interval `[lo, hi]` (empty when `lo > hi`).
    pub fn range(lo: u128, hi: u128) -> Self {
        if lo > hi {
            Self::empty()
        } else {
            IntervalSet {
                ivs: Ivs::One((lo, hi)),
            }
        }
    }

    pub fn single(v: u128) -> Self {
        Self::range(v, v)
    }

    /// Builds a set from any intervals (overlapping, unordered, reversed
    /// pairs are dropped).
    pub fn from_intervals<I: IntoIterator<Item = (u128, u128)>>(it: I) -> Self {
        // Most calls pass one interval or a few: no heap for those.
        let mut v: smallvec::SmallVec<[(u128, u128); 8]> =
            it.into_iter().filter(|(a, b)| a <= b).collect();
        if v.len() == 1 {
            return IntervalSet {
                ivs: Ivs::One(v[0]),
            };
        }
        v.sort_unstable();
        let mut out = Build::with_capacity(v.len());
        for (a, b) in v {
            if let Some(last) = out.last_mut()
                && a <= last.1.saturating_add(1)
            {
                if b > last.1 {
                    last.1 = b;
                }
                continue;
            }
            out.push((a, b));
        }
        out.done()
    }

    pub fn intervals(&self) -> &[(u128, u128)] {
        match &self.ivs {
            Ivs::Empty => &[],
            Ivs::One(a) => std::slice::from_ref(a),
            Ivs::Many(v) => v,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ivs == Ivs::Empty
    }

    pub fn contains(&self, v: u128) -> bool {
        match self.intervals().binary_search_by(|&(a, _)| a.cmp(&v)) {
            Ok(_) => true,
            Err(0) => false,
            Err(i) => self.intervals()[i - 1].1 >= v,
        }
    }

    /// True when the set is exactly `[0, max]`.
    pub fn is_full(&self, max: u128) -> bool {
        self.ivs == Ivs::One((0, max))
    }

    /// True when `other` holds all of this set (intersecting changes nothing).
    fn is_full_of(&self, other: &Self) -> bool {
        other.covers(self)
    }

    /// Number of members (saturating).
    pub fn count(&self) -> u128 {
        self.intervals().iter().fold(0u128, |acc, (a, b)| {
            acc.saturating_add((b - a).saturating_add(1))
        })
    }

    pub fn union(&self, other: &Self) -> Self {
        if other.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return other.clone();
        }
        // Both lists are sorted: merge them in one pass.
        let (x, y) = (self.intervals(), other.intervals());
        let (mut i, mut j) = (0, 0);
        let mut out = Build::default();
        while i < x.len() || j < y.len() {
            let next = match (x.get(i), y.get(j)) {
                (Some(a), Some(b)) if a <= b => {
                    i += 1;
                    *a
                }
                (Some(_), Some(b)) | (None, Some(b)) => {
                    j += 1;
                    *b
                }
                (Some(a), None) => {
                    i += 1;
                    *a
                }
                (None, None) => break,
            };
            if let Some(last) = out.last_mut()
                && next.0 <= last.1.saturating_add(1)
            {
                if next.1 > last.1 {
                    last.1 = next.1;
                }
                continue;
            }
            out.push(next);
        }
        out.done()
    }

    pub fn intersect(&self, other: &Self) -> Self {
        if let (Ivs::One((a1, b1)), Ivs::One((a2, b2))) = (&self.ivs, &other.ivs) {
            return Self::range((*a1).max(*a2), (*b1).min(*b2));
        }
        let (x, y) = (self.intervals(), other.intervals());
        let (mut i, mut j) = (0, 0);
        let mut out = Build::default();
        while i < x.len() && j < y.len() {
            let (a1, b1) = x[i];
            let (a2, b2) = y[j];
            let lo = a1.max(a2);
            let hi = b1.min(b2);
            if lo <= hi {
                out.push((lo, hi));
            }
            if b1 < b2 {
                i += 1;
            } else {
                j += 1;
            }
        }
        out.done()
    }

    pub fn intersects(&self, other: &Self) -> bool {
        if let (Ivs::One((a1, b1)), Ivs::One((a2, b2))) = (&self.ivs, &other.ivs) {
            return a1.max(a2) <= b1.min(b2);
        }
        let (x, y) = (self.intervals(), other.intervals());
        let (mut i, mut j) = (0, 0);
        while i < x.len() && j < y.len() {
            let (a1, b1) = x[i];
            let (a2, b2) = y[j];
            if a1.max(a2) <= b1.min(b2) {
                return true;
            }
            if b1 < b2 {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }

    /// True when every member of `other` is a member of `self`.
    pub fn covers(&self, other: &Self) -> bool {
        if let (Ivs::One((a1, b1)), Ivs::One((a2, b2))) = (&self.ivs, &other.ivs) {
            return a1 <= a2 && b2 <= b1;
        }
        let x = self.intervals();
        let mut i = 0;
        for &(a, b) in other.intervals() {
            while i < x.len() && x[i].1 < a {
                i += 1;
            }
            match x.get(i) {
                Some(&(lo, hi)) if lo <= a && hi >= b => {}
                _ => return false,
            }
        }
        true
    }

    /// Complement within `[0, max]`.
    pub fn complement(&self, max: u128) -> Self {
        let mut out = Build::default();
        let mut next: Option<u128> = Some(0);
        for &(a, b) in self.intervals() {
            if let Some(n) = next
                && a > n
            {
                out.push((n, a - 1));
            }
            next = b.checked_add(1);
        }
        if let Some(n) = next
            && n <= max
        {
            out.push((n, max));
        }
        out.done()
    }

    pub fn difference(&self, other: &Self) -> Self {
        if other.is_empty() || self.is_empty() {
            return self.clone();
        }
        if let (Ivs::One((a, b)), Ivs::One((oa, ob))) = (&self.ivs, &other.ivs) {
            let (a, b, oa, ob) = (*a, *b, *oa, *ob);
            if ob < a || oa > b {
                return self.clone();
            }
            let mut out = Build::default();
            if oa > a {
                out.push((a, oa - 1));
            }
            if ob < b {
                out.push((ob + 1, b));
            }
            return out.done();
        }
        let y = other.intervals();
        let mut out = Build::default();
        let mut j = 0;
        for &(a, b) in self.intervals() {
            let mut cur = a;
            let mut done = false;
            while j < y.len() && y[j].1 < cur {
                j += 1;
            }
            let mut k = j;
            while k < y.len() && y[k].0 <= b {
                let (oa, ob) = y[k];
                if oa > cur {
                    out.push((cur, oa - 1));
                }
                match ob.checked_add(1) {
                    Some(n) if n <= b => cur = cur.max(n),
                    _ => {
                        done = true;
                        break;
                    }
                }
                k += 1;
            }
            if !done {
                out.push((cur, b));
            }
        }
        out.done()
    }
}

/// A product of one interval set per dimension (the default is empty).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PBox {
    pub dims: [IntervalSet; DIMS],
}

impl PBox {
    pub fn universe(family: Family) -> Self {
        let m = family.maxima();
        PBox {
            dims: m.map(|max| IntervalSet::range(0, max)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.dims.iter().any(IntervalSet::is_empty)
    }

    pub fn intersect(&self, other: &PBox) -> Option<PBox> {
        let mut dims: [IntervalSet; DIMS] = Default::default();
        for (d, slot) in dims.iter_mut().enumerate() {
            let s = self.dims[d].intersect(&other.dims[d]);
            if s.is_empty() {
                return None;
            }
            *slot = s;
        }
        Some(PBox { dims })
    }

    pub fn intersects(&self, other: &PBox) -> bool {
        (0..DIMS).all(|d| self.dims[d].intersects(&other.dims[d]))
    }

    pub fn covers(&self, other: &PBox) -> bool {
        (0..DIMS).all(|d| self.dims[d].covers(&other.dims[d]))
    }

    /// `self \ other` as pairwise disjoint boxes (at most one per dimension).
    pub fn difference(&self, other: &PBox) -> Vec<PBox> {
        let mut out = Vec::new();
        self.difference_into(other, &mut out);
        out
    }

    /// [`PBox::difference`], added to `out`.
    pub fn difference_into(&self, other: &PBox, out: &mut impl Extend<PBox>) {
        if !self.intersects(other) {
            out.extend([self.clone()]);
            return;
        }
        let mut prefix = self.clone();
        for d in 0..DIMS {
            if other.dims[d].covers(&self.dims[d]) {
                continue;
            }
            let rest = self.dims[d].difference(&other.dims[d]);
            if !rest.is_empty() {
                let mut piece = prefix.clone();
                piece.dims[d] = rest;
                out.extend([piece]);
            }
            prefix.dims[d] = self.dims[d].intersect(&other.dims[d]);
        }
    }

    pub fn contains(&self, point: &[u128; DIMS]) -> bool {
        (0..DIMS).all(|d| self.dims[d].contains(point[d]))
    }

    /// Number of points (saturating).
    pub fn volume(&self) -> u128 {
        self.dims
            .iter()
            .fold(1u128, |acc, s| acc.saturating_mul(s.count()))
    }
}

/// Above this many boxes to subtract, [`BoxSet::difference`] partitions.
const PARTITION_FROM: usize = 16;

/// A union of pairwise disjoint boxes of one family.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct BoxSet {
    boxes: Vec<PBox>,
}

impl BoxSet {
    pub fn empty() -> Self {
        BoxSet { boxes: Vec::new() }
    }

    pub fn universe(family: Family) -> Self {
        BoxSet {
            boxes: vec![PBox::universe(family)],
        }
    }

    pub fn from_box(b: PBox) -> Self {
        if b.is_empty() {
            Self::empty()
        } else {
            BoxSet { boxes: vec![b] }
        }
    }

    /// Builds a set from boxes the caller knows to be pairwise disjoint
    /// (leaves of one decision, for example). Empty boxes are dropped.
    pub fn from_disjoint(boxes: Vec<PBox>) -> Self {
        BoxSet {
            boxes: boxes.into_iter().filter(|b| !b.is_empty()).collect(),
        }
    }

    /// Adds boxes the caller knows to be disjoint from this set's.
    pub fn extend_disjoint(&mut self, other: BoxSet) {
        self.boxes.extend(other.boxes);
    }

    /// Builds a set from boxes that may overlap.
    pub fn from_boxes<I: IntoIterator<Item = PBox>>(it: I) -> Self {
        let mut s = Self::empty();
        for b in it {
            s.add_box(b);
        }
        s
    }

    pub fn boxes(&self) -> &[PBox] {
        &self.boxes
    }

    pub fn into_boxes(self) -> Vec<PBox> {
        self.boxes
    }

    pub fn is_empty(&self) -> bool {
        self.boxes.is_empty()
    }

    pub fn contains(&self, point: &[u128; DIMS]) -> bool {
        self.boxes.iter().any(|b| b.contains(point))
    }

    /// Adds the points of `b` not yet in the set.
    pub fn add_box(&mut self, b: PBox) {
        if b.is_empty() {
            return;
        }
        let mut pieces = vec![b];
        for existing in &self.boxes {
            if pieces.is_empty() {
                break;
            }
            let mut next = Vec::with_capacity(pieces.len());
            for p in pieces {
                if p.intersects(existing) {
                    p.difference_into(existing, &mut next);
                } else {
                    next.push(p);
                }
            }
            pieces = next;
        }
        self.boxes.extend(pieces);
    }

    pub fn union(&self, other: &BoxSet) -> BoxSet {
        let mut out = self.clone();
        for b in &other.boxes {
            out.add_box(b.clone());
        }
        out
    }

    pub fn intersect(&self, other: &BoxSet) -> BoxSet {
        let mut boxes = Vec::new();
        for a in &self.boxes {
            for b in &other.boxes {
                if let Some(c) = a.intersect(b) {
                    boxes.push(c);
                }
            }
        }
        BoxSet { boxes }
    }

    /// Intersects one dimension of every box with `s`, in place.
    pub fn restrict_dim(&mut self, dim: usize, s: &IntervalSet) {
        for b in &mut self.boxes {
            if !b.dims[dim].is_full_of(s) {
                b.dims[dim] = b.dims[dim].intersect(s);
            }
        }
        self.boxes.retain(|b| !b.dims[dim].is_empty());
    }

    pub fn intersect_box(&self, other: &PBox) -> BoxSet {
        BoxSet {
            boxes: self
                .boxes
                .iter()
                .filter_map(|a| a.intersect(other))
                .collect(),
        }
    }

    pub fn difference(&self, other: &BoxSet) -> BoxSet {
        if other.boxes.len() > PARTITION_FROM && !self.is_empty() {
            return self.difference_by_partition(other);
        }
        let mut cur = self.boxes.clone();
        for o in &other.boxes {
            if cur.is_empty() {
                break;
            }
            let mut next = Vec::with_capacity(cur.len());
            for b in cur {
                if b.intersects(o) {
                    b.difference_into(o, &mut next);
                } else {
                    next.push(b);
                }
            }
            cur = next;
        }
        BoxSet { boxes: cur }
    }

    /// `self \ other` through the first-match decision procedure: the
    /// boxes of `other` first, then those of `self`; what `self` decides is
    /// the difference. Subtracting many boxes one at a time would cut the
    /// remainder into ever more pieces.
    fn difference_by_partition(&self, other: &BoxSet) -> BoxSet {
        let mut entries: Vec<(usize, &PBox)> = other.boxes.iter().map(|b| (0, b)).collect();
        entries.extend(self.boxes.iter().map(|b| (1, b)));
        let out = crate::decide::decide(Family::Ipv6, &entries, &[false, true]);
        BoxSet {
            boxes: out.leaves.into_iter().map(|l| l.region).collect(),
        }
    }

    pub fn complement(&self, family: Family) -> BoxSet {
        BoxSet::universe(family).difference(self)
    }

    /// True when both sets hold the same points.
    pub fn same_points(&self, other: &BoxSet) -> bool {
        self.difference(other).is_empty() && other.difference(self).is_empty()
    }

    /// Merges boxes that differ in one dimension only, for display. The
    /// points do not change.
    pub fn coalesce(&mut self) {
        if self.boxes.len() < 2 {
            return;
        }
        for _pass in 0..2 {
            let before = self.boxes.len();
            for d in (0..DIMS).rev() {
                fn others_of(b: &PBox, d: usize) -> [&IntervalSet; DIMS - 1] {
                    let mut k: [&IntervalSet; DIMS - 1] = [&b.dims[0]; DIMS - 1];
                    let mut j = 0;
                    for (e, s) in b.dims.iter().enumerate() {
                        if e != d {
                            k[j] = s;
                            j += 1;
                        }
                    }
                    k
                }
                self.boxes.sort_unstable_by(|a, b| {
                    others_of(a, d)
                        .cmp(&others_of(b, d))
                        .then_with(|| a.dims[d].cmp(&b.dims[d]))
                });
                // Merge runs that agree outside `d`, in place: one sort of
                // all the run's intervals rather than a union per box.
                let mut w = 0;
                let mut r = 0;
                let n = self.boxes.len();
                while r < n {
                    let mut end = r + 1;
                    while end < n && others_of(&self.boxes[r], d) == others_of(&self.boxes[end], d)
                    {
                        end += 1;
                    }
                    if end - r > 1 {
                        let merged = IntervalSet::from_intervals(
                            self.boxes[r..end]
                                .iter()
                                .flat_map(|b| b.dims[d].intervals().iter().copied()),
                        );
                        self.boxes[r].dims[d] = merged;
                    }
                    self.boxes.swap(w, r);
                    w += 1;
                    r = end;
                }
                self.boxes.truncate(w);
            }
            if self.boxes.len() == before {
                break;
            }
        }
        self.boxes.sort();
    }
}

/// Packets of both families.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PacketSet {
    pub v4: BoxSet,
    pub v6: BoxSet,
}

impl PacketSet {
    pub fn empty() -> Self {
        PacketSet::default()
    }

    pub fn universe() -> Self {
        PacketSet {
            v4: BoxSet::universe(Family::Ipv4),
            v6: BoxSet::universe(Family::Ipv6),
        }
    }

    pub fn get(&self, f: Family) -> &BoxSet {
        match f {
            Family::Ipv4 => &self.v4,
            Family::Ipv6 => &self.v6,
        }
    }

    pub fn get_mut(&mut self, f: Family) -> &mut BoxSet {
        match f {
            Family::Ipv4 => &mut self.v4,
            Family::Ipv6 => &mut self.v6,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    fn zip(&self, other: &Self, f: impl Fn(&BoxSet, &BoxSet) -> BoxSet) -> Self {
        PacketSet {
            v4: f(&self.v4, &other.v4),
            v6: f(&self.v6, &other.v6),
        }
    }

    pub fn union(&self, other: &Self) -> Self {
        self.zip(other, BoxSet::union)
    }

    pub fn intersect(&self, other: &Self) -> Self {
        self.zip(other, BoxSet::intersect)
    }

    pub fn difference(&self, other: &Self) -> Self {
        self.zip(other, BoxSet::difference)
    }

    pub fn same_points(&self, other: &Self) -> bool {
        self.v4.same_points(&other.v4) && self.v6.same_points(&other.v6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_difference_edges() {
        let a = IntervalSet::from_intervals([(0, 10), (20, 30)]);
        let b = IntervalSet::from_intervals([(5, 25)]);
        assert_eq!(
            a.difference(&b),
            IntervalSet::from_intervals([(0, 4), (26, 30)])
        );
        let full = IntervalSet::range(0, u128::MAX);
        assert!(full.difference(&full).is_empty());
        assert_eq!(
            full.complement(u128::MAX),
            IntervalSet::empty(),
            "complement of full"
        );
        assert_eq!(
            IntervalSet::single(u128::MAX).complement(u128::MAX),
            IntervalSet::range(0, u128::MAX - 1)
        );
    }

    #[test]
    fn box_difference_is_disjoint_and_exact() {
        let u = PBox::universe(Family::Ipv4);
        let mut b = u.clone();
        b.dims[SRC] = IntervalSet::range(10, 20);
        b.dims[DPORT] = IntervalSet::single(443);
        let pieces = u.difference(&b);
        assert!(pieces.len() <= DIMS);
        for (i, p) in pieces.iter().enumerate() {
            assert!(!p.intersects(&b));
            for q in &pieces[i + 1..] {
                assert!(!p.intersects(q));
            }
        }
        let s = BoxSet::from_boxes(pieces).union(&BoxSet::from_box(b));
        assert!(s.same_points(&BoxSet::universe(Family::Ipv4)));
    }
}
