//! Property tests: the packet-set algebra against a brute-force model on a
//! small universe (the real IPv4 bounds stay in place; all points are drawn
//! from a 4×4×3×3×3 corner of the space so that every set can be listed).

use mamori_netcheck::space::{BoxSet, DIMS, Family, IntervalSet, PBox};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// Small coordinates per dimension; the real maximum is also included so
/// that edges of the space are exercised.
const SIZES: [u128; DIMS] = [4, 4, 3, 3, 3];

fn coord(d: usize, i: u128) -> u128 {
    let max = Family::Ipv4.maxima()[d];
    if i + 1 == SIZES[d] { max } else { i }
}

fn points() -> Vec<[u128; DIMS]> {
    let mut out = vec![[0u128; DIMS]];
    for d in 0..DIMS {
        out = out
            .into_iter()
            .flat_map(|p| {
                (0..SIZES[d]).map(move |i| {
                    let mut q = p;
                    q[d] = coord(d, i);
                    q
                })
            })
            .collect();
    }
    out
}

fn interval_set(d: usize) -> impl Strategy<Value = IntervalSet> {
    prop::collection::vec((0..SIZES[d], 0..SIZES[d]), 0..3).prop_map(move |v| {
        IntervalSet::from_intervals(v.into_iter().map(|(a, b)| {
            let (a, b) = (a.min(b), a.max(b));
            (coord(d, a), coord(d, b))
        }))
    })
}

fn pbox() -> impl Strategy<Value = PBox> {
    (
        interval_set(0),
        interval_set(1),
        interval_set(2),
        interval_set(3),
        interval_set(4),
    )
        .prop_map(|(a, b, c, d, e)| PBox {
            dims: [a, b, c, d, e],
        })
}

fn boxset() -> impl Strategy<Value = BoxSet> {
    prop::collection::vec(pbox(), 0..4).prop_map(BoxSet::from_boxes)
}

fn listed(s: &BoxSet, pts: &[[u128; DIMS]]) -> BTreeSet<[u128; DIMS]> {
    pts.iter().filter(|p| s.contains(p)).copied().collect()
}

fn disjoint(s: &BoxSet) -> bool {
    let b = s.boxes();
    (0..b.len()).all(|i| (i + 1..b.len()).all(|j| !b[i].intersects(&b[j])))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn difference_of_many_boxes_matches_brute_force(
        a in boxset(),
        many in prop::collection::vec(pbox(), 17..40).prop_map(BoxSet::from_boxes),
    ) {
        // More than 16 boxes to subtract: the partition path.
        let pts = points();
        let d = a.difference(&many);
        let want: BTreeSet<_> = listed(&a, &pts).difference(&listed(&many, &pts)).copied().collect();
        prop_assert_eq!(listed(&d, &pts), want);
        prop_assert!(disjoint(&d));
    }

    #[test]
    fn union_intersection_difference_match_brute_force(a in boxset(), b in boxset()) {
        let pts = points();
        let (la, lb) = (listed(&a, &pts), listed(&b, &pts));
        let u = a.union(&b);
        let i = a.intersect(&b);
        let d = a.difference(&b);
        prop_assert_eq!(listed(&u, &pts), la.union(&lb).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(listed(&i, &pts), la.intersection(&lb).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(listed(&d, &pts), la.difference(&lb).copied().collect::<BTreeSet<_>>());
        prop_assert!(disjoint(&u) && disjoint(&i) && disjoint(&d));
    }

    #[test]
    fn laws(a in boxset(), b in boxset(), c in boxset()) {
        // De Morgan, distributivity, and difference as intersection with
        // the complement, as point sets.
        let f = Family::Ipv4;
        prop_assert!(a.union(&b).complement(f).same_points(&a.complement(f).intersect(&b.complement(f))));
        prop_assert!(a.intersect(&b.union(&c)).same_points(&a.intersect(&b).union(&a.intersect(&c))));
        prop_assert!(a.difference(&b).same_points(&a.intersect(&b.complement(f))));
        prop_assert!(a.union(&b).same_points(&b.union(&a)));
        prop_assert!(a.difference(&a).is_empty());
        prop_assert!(a.complement(f).complement(f).same_points(&a));
    }

    #[test]
    fn coalesce_keeps_points(a in boxset()) {
        let pts = points();
        let mut c = a.clone();
        c.coalesce();
        prop_assert_eq!(listed(&c, &pts), listed(&a, &pts));
        prop_assert!(disjoint(&c));
    }

    #[test]
    fn interval_sets_match_brute_force(a in interval_set(0), b in interval_set(0)) {
        let max = Family::Ipv4.addr_max();
        let pts: Vec<u128> = (0..SIZES[0]).map(|i| coord(0, i)).collect();
        for &p in &pts {
            prop_assert_eq!(a.union(&b).contains(p), a.contains(p) || b.contains(p));
            prop_assert_eq!(a.intersect(&b).contains(p), a.contains(p) && b.contains(p));
            prop_assert_eq!(a.difference(&b).contains(p), a.contains(p) && !b.contains(p));
            prop_assert_eq!(a.complement(max).contains(p), !a.contains(p));
        }
        prop_assert_eq!(a.covers(&b), a.union(&b) == a);
        prop_assert_eq!(a.intersects(&b), !a.intersect(&b).is_empty());
    }
}
