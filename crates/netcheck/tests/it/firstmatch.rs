//! Property test of the whole pipeline: random iptables rule sets (with a
//! user chain, RETURN and negation) against a brute-force first-match
//! evaluation of sample packets.

use crate::support::{matrix, text_input};
use mamori_netcheck::parse_segments;
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct R {
    src: Option<(bool, u8, u8)>, // negated, last octet, prefix bits within /30
    dst: Option<(bool, u8, u8)>,
    proto: Option<u8>,
    dport: Option<(u16, u16)>,
    target: u8, // 0 accept, 1 drop, 2 jump SUB, 3 return (SUB only)
}

const ADDRS: [u32; 6] = [
    0x0a00_0000,
    0x0a00_0001,
    0x0a00_0002,
    0x0a00_0003,
    0,
    u32::MAX,
];
const PROTOS: [u8; 3] = [6, 17, 1];
const PORTS: [u16; 5] = [0, 22, 443, 444, 65535];

fn net(o: u8, len: u8) -> (u32, u32) {
    let base = 0x0a00_0000u32 | u32::from(o);
    let host = 32 - u32::from(len);
    let mask = if host == 0 { 0 } else { (1u32 << host) - 1 };
    (base & !mask, (base & !mask) | mask)
}

fn addr_match(c: &Option<(bool, u8, u8)>, a: u32) -> bool {
    match c {
        None => true,
        Some((neg, o, len)) => {
            let (lo, hi) = net(*o, *len);
            (lo <= a && a <= hi) != *neg
        }
    }
}

fn rule_match(r: &R, p: (u32, u32, u8, u16)) -> bool {
    addr_match(&r.src, p.0)
        && addr_match(&r.dst, p.1)
        && r.proto.is_none_or(|x| x == p.2)
        && r.dport.is_none_or(|(a, b)| a <= p.3 && p.3 <= b)
}

/// First-match with one user chain; Some(accept) or None for fall-through.
fn eval(rules: &[R], p: (u32, u32, u8, u16), sub: &[R], in_sub: bool) -> Option<bool> {
    for r in rules {
        if !rule_match(r, p) {
            continue;
        }
        match r.target {
            0 => return Some(true),
            1 => return Some(false),
            2 if !in_sub => {
                if let Some(v) = eval(sub, p, &[], true) {
                    return Some(v);
                }
            }
            _ => {
                if in_sub {
                    return None;
                }
            }
        }
    }
    None
}

fn render(r: &R, chain: &str) -> String {
    let mut s = format!("-A {chain}");
    for (flag, c) in [("-s", &r.src), ("-d", &r.dst)] {
        if let Some((neg, o, len)) = c {
            let (lo, _) = net(*o, *len);
            let ip = std::net::Ipv4Addr::from(lo);
            s.push_str(&format!(
                "{} {flag} {ip}/{len}",
                if *neg { " !" } else { "" }
            ));
        }
    }
    if let Some(p) = r.proto {
        s.push_str(&format!(" -p {p}"));
    }
    if let Some((a, b)) = r.dport {
        s.push_str(&format!(" -m tcp --dport {a}:{b}"));
    }
    let t = match r.target {
        0 => "ACCEPT",
        1 => "DROP",
        2 if chain == "FORWARD" => "SUB",
        _ if chain == "SUB" => "RETURN",
        _ => "ACCEPT",
    };
    s.push_str(&format!(" -j {t}"));
    s
}

fn rule() -> impl Strategy<Value = R> {
    let addr = prop::option::of((any::<bool>(), 0u8..4, 30u8..=32));
    (
        addr.clone(),
        addr,
        prop::option::of(prop::sample::select(vec![6u8, 17])),
        prop::option::of((0u16..500, 0u16..500)),
        0u8..4,
    )
        .prop_map(|(src, dst, proto, dport, target)| R {
            src,
            dst,
            // Ports need a port protocol.
            proto: if dport.is_some() {
                Some(proto.unwrap_or(6))
            } else {
                proto
            },
            dport: dport.map(|(a, b)| (a.min(b), a.max(b))),
            target,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    #[test]
    fn matrix_matches_brute_force_first_match(
        // Up to 40 rules: long candidate lists take the sweep path of the
        // decision procedure, short ones the subtraction path.
        main in prop::collection::vec(rule(), 0..40),
        sub in prop::collection::vec(rule(), 0..5),
        policy_accept in any::<bool>(),
    ) {
        // Targets in main: 3 (return) means accept; in sub: 2 (jump) means accept.
        let fix = |v: &[R], in_sub: bool| -> Vec<R> {
            v.iter().cloned().map(|mut r| {
                if (!in_sub && r.target == 3) || (in_sub && r.target == 2) { r.target = 0; }
                r
            }).collect()
        };
        let main = fix(&main, false);
        let sub = fix(&sub, true);
        let mut text = format!("*filter\n:FORWARD {} [0:0]\n:SUB - [0:0]\n", if policy_accept { "ACCEPT" } else { "DROP" });
        for r in &main { text.push_str(&render(r, "FORWARD")); text.push('\n'); }
        for r in &sub { text.push_str(&render(r, "SUB")); text.push('\n'); }
        text.push_str("COMMIT\n");
        let segs = parse_segments(r#"
model = "alpha"
[[segment]]
name = "a"
role = "mynumber"
ranges = ["10.0.0.0/31"]
[[segment]]
name = "b"
role = "lgwan"
ranges = ["10.0.0.2/31"]
[[segment]]
name = "rest"
role = "internet"
ranges = ["0.0.0.0/0"]
"#).unwrap_or_else(|e| panic!("{e}"));
        let m = matrix(&segs, &text_input("random.rules", &text));
        let seg_of = |a: u32| if a >> 1 == 0x0500_0000 { "a" } else if a >> 1 == 0x0500_0001 { "b" } else { "rest" };
        for &s in &ADDRS { for &d in &ADDRS { for &p in &PROTOS { for &port in &PORTS {
            let (fs, ts) = (seg_of(s), seg_of(d));
            if fs == ts { continue; }
            let want = eval(&main, (s, d, p, port), &sub, false).unwrap_or(policy_accept);
            let set = &m[&(fs.to_string(), ts.to_string())];
            let got = set.v4.contains(&[u128::from(s), u128::from(d), u128::from(p), 1000, u128::from(port)]);
            prop_assert_eq!(got, want, "packet {:x}->{:x} proto {} dport {}\n{}", s, d, p, port, text);
        }}}}
    }
}
