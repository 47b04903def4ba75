//! Work split over the machine's cores, with results kept in input order so
//! that a check gives the same report however many cores ran it.
//!
//! Scoped standard threads, no pool: a check is one large piece of work,
//! and each split is a handful of contiguous chunks.

use std::num::NonZeroUsize;

/// Most threads one split uses.
const MAX_THREADS: usize = 8;

/// How many threads a split may use: the cores this process may run on
/// (at most [`MAX_THREADS`]), or `MAMORI_NETCHECK_THREADS` when set (1 turns
/// splitting off, for measuring one core).
pub(crate) fn threads() -> usize {
    if let Some(n) = OVERRIDE.with(std::cell::Cell::get) {
        return n.clamp(1, MAX_THREADS);
    }
    if let Some(n) = std::env::var("MAMORI_NETCHECK_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        return n.clamp(1, MAX_THREADS);
    }
    std::thread::available_parallelism()
        .map(NonZeroUsize::get)
        .unwrap_or(1)
        .min(MAX_THREADS)
}

thread_local! {
    static OVERRIDE: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with splits on this thread limited to `n` threads (tests
/// compare one thread with several).
#[cfg(test)]
pub(crate) fn with_threads<R>(n: usize, f: impl FnOnce() -> R) -> R {
    let before = OVERRIDE.with(|o| o.replace(Some(n)));
    let r = f();
    OVERRIDE.with(|o| o.set(before));
    r
}

/// Cuts `items` into at most `parts` contiguous chunks of about equal
/// weight; returns the chunk boundaries (`parts + 1` offsets or fewer).
fn bounds<T>(items: &[T], parts: usize, weight: &impl Fn(&T) -> usize) -> Vec<usize> {
    let total: usize = items.iter().map(weight).sum::<usize>().max(1);
    let mut out = vec![0];
    let mut acc = 0usize;
    let mut next = 1;
    for (i, it) in items.iter().enumerate() {
        acc += weight(it);
        if next < parts && acc * parts >= total * next && i + 1 < items.len() {
            out.push(i + 1);
            next += 1;
        }
    }
    out.push(items.len());
    out.dedup();
    out
}

/// Applies `f` to contiguous chunks of `items` of about equal weight, one
/// thread per chunk, and returns the results in order. Runs `f` once on the
/// whole slice when there is one thread or fewer than `min_items` items.
pub(crate) fn chunks<T, R, F>(
    items: &[T],
    min_items: usize,
    weight: impl Fn(&T) -> usize,
    f: F,
) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&[T]) -> R + Sync,
{
    let n = threads();
    if n <= 1 || items.len() < min_items.max(2) {
        return vec![f(items)];
    }
    let b = bounds(items, n, &weight);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = b
            .windows(2)
            .skip(1)
            .map(|w| {
                let part = &items[w[0]..w[1]];
                s.spawn(move || f(part))
            })
            .collect();
        // The first chunk runs on this thread.
        let mut out = vec![f(&items[b[0]..b.get(1).copied().unwrap_or(items.len())])];
        for h in handles {
            match h.join() {
                Ok(r) => out.push(r),
                // A panic in a worker is a bug; carry it on here.
                Err(p) => std::panic::resume_unwind(p),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_cover_everything_in_order() {
        let items: Vec<usize> = (0..100).collect();
        for parts in 1..6 {
            let b = bounds(&items, parts, &|_| 1);
            assert_eq!(b.first(), Some(&0));
            assert_eq!(b.last(), Some(&100));
            assert!(b.windows(2).all(|w| w[0] < w[1]));
            assert!(b.len() <= parts + 1);
        }
        // Heavy items early: the first chunk is short.
        let w = |x: &usize| if *x < 10 { 100 } else { 1 };
        let b = bounds(&items, 2, &w);
        assert!(b[1] <= 10, "{b:?}");
        assert_eq!(bounds::<usize>(&[], 3, &|_| 1), vec![0]);
    }

    /// Files large enough to be read and decided on several threads give
    /// the report that one thread gives.
    #[test]
    fn reports_do_not_depend_on_threads() {
        use crate::{ConfigInput, builtin_model, check, parse_segments};
        use std::fmt::Write as _;
        let segs = parse_segments(
            "model = \"alpha\"\n[[segment]]\nname = \"mn\"\nrole = \"mynumber\"\nranges = [\"10.10.0.0/16\"]\n\
             [[segment]]\nname = \"lg\"\nrole = \"lgwan\"\nranges = [\"10.20.0.0/16\"]\n\
             [[segment]]\nname = \"net\"\nrole = \"internet\"\nranges = [\"0.0.0.0/0\"]\n\
             [[flow]]\nfrom = \"mn\"\nto = \"lg\"\ndestination = \"10.20.1.5/32\"\nprotocol = \"tcp\"\nports = \"443\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let model = builtin_model("alpha")
            .unwrap_or_else(|| panic!("alpha"))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut ipt = String::from(
            "*filter\n:FORWARD DROP [0:0]\n:CH - [0:0]\n-A FORWARD -s 10.20.0.0/24 -j CH\n",
        );
        let mut nft = String::from(
            "{\"nftables\": [{\"table\": {\"family\": \"inet\", \"name\": \"f\", \"handle\": 1}}, {\"chain\": {\"family\": \"inet\", \"table\": \"f\", \"name\": \"fwd\", \"handle\": 2, \"type\": \"filter\", \"hook\": \"forward\", \"prio\": 0, \"policy\": \"drop\"}}",
        );
        for i in 0..5000 {
            let net = [10, 20, 30][next(3) as usize];
            let src = format!("10.{net}.{}.{}", next(4), next(256));
            let dst = format!(
                "10.{}.{}.{}",
                [10, 20, 30][next(3) as usize],
                next(4),
                next(256)
            );
            let port = [22, 443, 8080][next(3) as usize];
            let chain = if i % 40 == 0 { "CH" } else { "FORWARD" };
            if next(20) == 0 {
                let _ = writeln!(ipt, "-A {chain} -s {src}/24 -d {dst}/16 -j DROP");
            } else {
                let _ = writeln!(
                    ipt,
                    "-A {chain} -s {src} -d {dst} -p tcp --dport {port} -j ACCEPT"
                );
            }
            let _ = write!(
                nft,
                ", {{\"rule\": {{\"family\": \"inet\", \"table\": \"f\", \"chain\": \"fwd\", \"handle\": {}, \"expr\": [{{\"match\": {{\"op\": \"==\", \"left\": {{\"payload\": {{\"protocol\": \"ip\", \"field\": \"saddr\"}}}}, \"right\": \"{src}\"}}}}, {{\"match\": {{\"op\": \"==\", \"left\": {{\"payload\": {{\"protocol\": \"tcp\", \"field\": \"dport\"}}}}, \"right\": {port}}}}}, {{\"accept\": null}}]}}}}",
                i + 3
            );
        }
        ipt.push_str("COMMIT\n");
        nft.push_str("]}");
        for text in [ipt, nft] {
            let input = [ConfigInput {
                file: "fw".into(),
                text,
                format: None,
            }];
            let one = with_threads(1, || check(&segs, &model, &input))
                .unwrap_or_else(|e| panic!("{e}"))
                .render_json();
            let two = with_threads(2, || check(&segs, &model, &input))
                .unwrap_or_else(|e| panic!("{e}"))
                .render_json();
            assert!(one.contains("\"violations\": ["), "{}", &one[..200]);
            assert!(one.len() > 10_000);
            assert_eq!(one, two);
        }
    }

    #[test]
    fn chunks_keep_order() {
        let items: Vec<u32> = (0..1000).collect();
        let parts = chunks(&items, 10, |_| 1, |c| c.to_vec());
        let joined: Vec<u32> = parts.into_iter().flatten().collect();
        assert_eq!(joined, items);
        let none: Vec<Vec<u32>> = chunks(&[] as &[u32], 10, |_| 1, |c| c.to_vec());
        assert_eq!(none, vec![Vec::<u32>::new()]);
    }
}
