//! Hostile and broken files (issue 16): each is refused with its line,
//! warned about, or read exactly and fast; and unmodelled constructs only
//! ever widen what the verdict counts as permitted.

use crate::support::{fixtures, input, matrix, read, report, segments, text_input};
use mamori_netcheck::{
    Limits, NetcheckError, SegmentsFile, builtin_model, check, check_with, permitted_matrix,
};
use proptest::prelude::*;
use std::time::{Duration, Instant};

const SEGS: &str = "hostile/segments.toml";

fn hostile(name: &str) -> mamori_netcheck::ConfigInput {
    input(&fixtures().join("hostile").join(name))
}

fn err(segs: &SegmentsFile, name: &str) -> NetcheckError {
    let model = builtin_model("alpha").unwrap().unwrap();
    match check(segs, &model, &[hostile(name)]) {
        Ok(r) => panic!("{name} was not refused:\n{}", r.render_text()),
        Err(e) => e,
    }
}

fn config_line(e: &NetcheckError) -> u32 {
    match e {
        NetcheckError::Config { line, .. } => *line,
        other => panic!("not a configuration error: {other}"),
    }
}

const LG: u128 = 0x0a14_0105; // 10.20.1.5
const MN: u128 = 0x0a0a_0105; // 10.10.1.5
const OUT: u128 = 0x0808_0808; // 8.8.8.8

#[test]
fn fortios_icmp_type_keeps_the_policys_other_services() {
    let segs = segments(SEGS);
    let cfg = hostile("fortios-icmptype.conf");
    let r = report(&segs, std::slice::from_ref(&cfg));
    assert!(r.complete, "{:?}", r.unsupported);
    let m = matrix(&segs, &cfg);
    let v4 = &m[&("lgwan".to_string(), "internet".to_string())].v4;
    // SSH is still permitted, and ICMP echo request (type 8) only.
    assert!(v4.contains(&[LG, OUT, 6, 40000, 22]));
    assert!(!v4.contains(&[LG, OUT, 6, 40000, 23]));
    assert!(v4.contains(&[LG, OUT, 1, 8, 0]));
    assert!(!v4.contains(&[LG, OUT, 1, 0, 0]));
    let text = r.render_text();
    assert!(text.contains("icmp-type 8 code any"), "{text}");
}

#[test]
fn fortios_multi_vdom_reads_every_vdom_and_names_it() {
    let segs = segments(SEGS);
    for (name, rules) in [("fortios-vdom.conf", 2), ("fortios-vdom-end.conf", 1)] {
        let r = report(&segs, &[hostile(name)]);
        assert_eq!(r.devices[0].rules, rules, "{name}: {}", r.render_text());
        let v = r
            .violations
            .iter()
            .find(|v| v.from == "lgwan" && v.to == "internet")
            .unwrap_or_else(|| panic!("{name}: no violation\n{}", r.render_text()));
        assert_eq!(v.rules[0].vdom.as_deref(), Some("lg"), "{name}");
        assert!(r.to_json().contains("\"vdom\":\"lg\""), "{name}");
    }
    // Two VDOMs with policies and no interface assignment: refused.
    let text = read(&fixtures().join("hostile/fortios-vdom.conf"));
    let cut: String = text.replace("set vdom \"root\"", "");
    let model = builtin_model("alpha").unwrap().unwrap();
    let e = check(&segs, &model, &[text_input("v.conf", &cut)]).unwrap_err();
    assert!(e.to_string().contains("VDOM \"root\""), "{e}");
}

#[test]
fn fortios_quoted_strings_span_lines() {
    let segs = segments(SEGS);
    let cfg = hostile("fortios-multiline.conf");
    let r = report(&segs, std::slice::from_ref(&cfg));
    // Policies 1 and 2 only: no phantom policy 99 from the script, and the
    // "end" inside the comment does not close the section before policy 2.
    assert_eq!(r.devices[0].rules, 2, "{}", r.render_text());
    let m = matrix(&segs, &cfg);
    let v4 = &m[&("mynumber".to_string(), "internet".to_string())].v4;
    assert!(v4.contains(&[MN, OUT, 6, 40000, 443]));
    assert!(!v4.contains(&[MN, OUT, 6, 40000, 80]));
    // A quote never closed: refused at the line that opens it.
    let model = builtin_model("alpha").unwrap().unwrap();
    let e = check(
        &segs,
        &model,
        &[text_input(
            "q.conf",
            "config firewall policy\n    edit 1\n        set comments \"open\n    next\nend\n",
        )],
    )
    .unwrap_err();
    assert_eq!(config_line(&e), 3, "{e}");
}

#[test]
fn nested_groups_and_double_jumps_are_linear() {
    let segs = segments(SEGS);
    for (name, from, to) in [
        ("fortios-nested-groups.conf", "internet", "mynumber"),
        ("iptables-jump-twice.rules", "lgwan", "mynumber"),
    ] {
        let t = Instant::now();
        let r = report(&segs, &[hostile(name)]);
        let took = t.elapsed();
        assert!(took < Duration::from_secs(1), "{name}: {took:?}");
        assert!(r.complete, "{name}: {:?}", r.unsupported);
        assert!(
            r.violations.iter().any(|v| v.from == from && v.to == to),
            "{name}: {}",
            r.render_text()
        );
    }
}

#[test]
fn the_budget_ends_a_check_with_a_clear_error() {
    let segs = segments(SEGS);
    let model = builtin_model("alpha").unwrap().unwrap();
    let limits = Limits {
        max_work: Some(20),
        deadline: None,
    };
    for name in ["fortios-nested-groups.conf", "iptables-jump-twice.rules"] {
        let t = Instant::now();
        let e = check_with(&segs, &model, &[hostile(name)], &limits).unwrap_err();
        assert!(t.elapsed() < Duration::from_secs(1));
        assert!(matches!(e, NetcheckError::Budget { .. }), "{name}: {e}");
        let s = e.to_string();
        assert!(
            s.starts_with("NC105 ") && s.contains("上限") && s.contains("limit"),
            "{s}"
        );
    }
    // A deadline already passed stops the check too.
    let limits = Limits {
        max_work: None,
        deadline: Some(Duration::ZERO),
    };
    let big: String = std::iter::once("*filter\n:FORWARD DROP [0:0]\n".to_string())
        .chain((0..5000).map(|i| {
            format!(
                "-A FORWARD -s 10.20.{}.{}/32 -d 10.10.0.0/16 -j ACCEPT\n",
                i / 250,
                i % 250
            )
        }))
        .chain(std::iter::once("COMMIT\n".to_string()))
        .collect();
    let e = check_with(&segs, &model, &[text_input("big.rules", &big)], &limits).unwrap_err();
    assert!(e.to_string().contains("制限時間"), "{e}");
}

#[test]
fn broken_files_are_refused_with_their_line() {
    let segs = segments(SEGS);
    // A pasted paragraph: not scored, refused at its first line.
    let e = err(&segs, "not-a-config.txt");
    assert_eq!(config_line(&e), 1, "{e}");
    assert!(e.to_string().contains("iptables-save"), "{e}");
    // Cut before COMMIT.
    let e = err(&segs, "iptables-cut.rules");
    assert_eq!(config_line(&e), 7, "{e}");
    assert!(e.to_string().contains("COMMIT"), "{e}");
    // IPv4 and IPv6 in one file: the first line of the second family.
    let e = err(&segs, "iptables-mixed.rules");
    assert_eq!(config_line(&e), 5, "{e}");
}

#[test]
fn host_bits_under_a_prefix_are_warned_about_with_the_line() {
    let segs = segments(SEGS);
    let r = report(&segs, &[hostile("iptables-hostbits.rules")]);
    assert_eq!(r.warnings.len(), 1, "{}", r.render_text());
    assert_eq!(r.warnings[0].line, 3);
    assert!(r.warnings[0].message_en.contains("10.10.0.0/15"));
    assert!(r.render_text().contains("10.10.128.0/15"));
    // FortiOS address objects too.
    let fw = "config firewall address\n    edit \"mn\"\n        set subnet 10.10.128.0 255.254.0.0\n    next\nend\n";
    let r = report(&segs, &[text_input("a.conf", fw)]);
    assert_eq!(
        r.warnings.iter().map(|w| w.line).collect::<Vec<_>>(),
        vec![2]
    );
}

// Unmodelled constructs only widen: for a rule with a condition the
// checker cannot read (`-m mark`), the device may treat the condition as
// always true or always false; the checker's permitted set must hold both.

#[derive(Clone, Debug)]
struct Rule {
    src: u8,
    dst: u8,
    port: Option<u16>,
    target: u8,
    mark: bool,
}

const NETS: [&str; 4] = ["10.10.0.0/16", "10.20.0.0/16", "8.0.0.0/8", "0.0.0.0/0"];
const TARGETS: [&str; 4] = ["ACCEPT", "DROP", "SUB", "RETURN"];

fn rules_text(rules: &[Rule], mode: u8) -> String {
    let mut s = String::from("*filter\n:FORWARD DROP [0:0]\n:SUB - [0:0]\n");
    for (i, r) in rules.iter().enumerate() {
        if r.mark && mode == 2 {
            continue; // the condition never holds: the rule never matches
        }
        let chain = if i % 3 == 2 { "SUB" } else { "FORWARD" };
        let target = match (chain, TARGETS[usize::from(r.target)]) {
            ("SUB", "SUB") | ("FORWARD", "RETURN") => "DROP",
            (_, t) => t,
        };
        s.push_str(&format!(
            "-A {chain} -s {} -d {}",
            NETS[usize::from(r.src)],
            NETS[usize::from(r.dst)]
        ));
        if r.mark && mode == 0 {
            s.push_str(" -m mark --mark 0x1");
        }
        if let Some(p) = r.port {
            s.push_str(&format!(" -p tcp -m tcp --dport {p}"));
        }
        s.push_str(&format!(" -j {target}\n"));
    }
    s.push_str("COMMIT\n");
    s
}

fn arb_rule() -> impl Strategy<Value = Rule> {
    (
        0u8..4,
        0u8..4,
        prop::option::of(prop::sample::select(vec![22u16, 443])),
        0u8..4,
        prop::bool::weighted(0.3),
    )
        .prop_map(|(src, dst, port, target, mark)| Rule {
            src,
            dst,
            port,
            target,
            mark,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn unmodelled_conditions_only_widen_the_permitted(rules in prop::collection::vec(arb_rule(), 1..9)) {
        let segs = segments(SEGS);
        let got = permitted_matrix(&segs, &text_input("u.rules", &rules_text(&rules, 0))).unwrap();
        for mode in [1u8, 2] {
            let real = permitted_matrix(&segs, &text_input("r.rules", &rules_text(&rules, mode))).unwrap();
            for ((a, b, g), (_, _, w)) in got.iter().zip(&real) {
                let missing = w.difference(g);
                prop_assert!(
                    missing.is_empty(),
                    "{a} -> {b}: mode {mode} permits {:?} that the checker does not\n{}",
                    missing,
                    rules_text(&rules, 0)
                );
            }
        }
    }
}

// The same for FortiOS: an FQDN address (not modelled) may resolve to any
// addresses, and a policy under a schedule may or may not be in force.

#[derive(Clone, Debug)]
struct Pol {
    src: u8,
    dst: u8,
    neg_dst: bool,
    accept: bool,
    svc: u8,
    scheduled: bool,
}

const FQDN_AS: [&str; 4] = ["10.10.0.0/16", "8.8.8.8/32", "0.0.0.0/0", ""];
const ADDRS: [&str; 4] = ["mn", "lg", "all", "cloud"];
const SVCS: [&str; 3] = ["HTTPS", "PING", "ALL"];

/// `cloud` is an FQDN (mode None) or the given subnet; scheduled policies
/// are under a recurring schedule (mode None), always in force, or off.
fn fortios_text(pols: &[Pol], cloud: Option<&str>, sched_on: bool) -> String {
    let mut s = String::from(
        "config firewall address\n edit \"mn\"\n  set subnet 10.10.0.0 255.255.0.0\n next\n edit \"lg\"\n  set subnet 10.20.0.0 255.255.0.0\n next\n",
    );
    match cloud {
        None => s.push_str(" edit \"cloud\"\n  set type fqdn\n  set fqdn \"example.jp\"\n next\n"),
        Some("") => {}
        Some(net) => s.push_str(&format!(" edit \"cloud\"\n  set subnet {net}\n next\n")),
    }
    s.push_str("end\nconfig firewall addrgrp\n");
    if cloud == Some("") {
        // An empty group stands for an FQDN that resolves to nothing.
        s.push_str(" edit \"cloud\"\n  set member \"none\"\n next\n");
    }
    s.push_str("end\nconfig firewall policy\n");
    for (i, p) in pols.iter().enumerate() {
        s.push_str(&format!(
            " edit {}\n  set srcintf \"any\"\n  set dstintf \"any\"\n  set srcaddr \"{}\"\n  set dstaddr \"{}\"\n  set action {}\n  set service \"{}\"\n",
            i + 1,
            ADDRS[usize::from(p.src)],
            ADDRS[usize::from(p.dst)],
            if p.accept { "accept" } else { "deny" },
            SVCS[usize::from(p.svc)]
        ));
        if p.neg_dst {
            s.push_str("  set dstaddr-negate enable\n");
        }
        if p.scheduled {
            if cloud.is_none() {
                s.push_str("  set schedule \"weekdays\"\n");
            } else if !sched_on {
                s.push_str("  set status disable\n");
            }
        }
        s.push_str(" next\n");
    }
    s.push_str("end\n");
    s
}

fn arb_pol() -> impl Strategy<Value = Pol> {
    (
        0u8..4,
        0u8..4,
        prop::bool::weighted(0.2),
        any::<bool>(),
        0u8..3,
        prop::bool::weighted(0.2),
    )
        .prop_map(|(src, dst, neg_dst, accept, svc, scheduled)| Pol {
            src,
            dst,
            neg_dst,
            accept,
            svc,
            scheduled,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn fortios_unmodelled_objects_only_widen_the_permitted(pols in prop::collection::vec(arb_pol(), 1..7)) {
        let segs = segments(SEGS);
        let got = permitted_matrix(&segs, &text_input("u.conf", &fortios_text(&pols, None, false))).unwrap();
        for net in FQDN_AS {
            for on in [false, true] {
                let text = fortios_text(&pols, Some(net), on);
                let real = permitted_matrix(&segs, &text_input("r.conf", &text)).unwrap();
                for ((a, b, g), (_, _, w)) in got.iter().zip(&real) {
                    let missing = w.difference(g);
                    prop_assert!(
                        missing.is_empty(),
                        "{a} -> {b}: cloud = {net:?}, schedule on {on}: {:?} permitted but not counted\n{}",
                        missing,
                        fortios_text(&pols, None, false)
                    );
                }
            }
        }
    }
}

#[test]
fn a_byte_order_mark_is_not_a_foreign_line() {
    let segs = segments(SEGS);
    let r = report(
        &segs,
        &[text_input(
            "bom.rules",
            "\u{feff}# Generated by iptables-save\n*filter\n:FORWARD DROP [0:0]\nCOMMIT\n",
        )],
    );
    assert!(r.is_clean() && r.complete, "{}", r.render_text());
    let r = report(
        &segs,
        &[text_input(
            "bom.conf",
            "\u{feff}#config-version=FGT60F\nconfig firewall policy\nend\n",
        )],
    );
    assert!(r.is_clean() && r.complete, "{}", r.render_text());
}

#[test]
fn jumps_with_distinct_guards_are_stopped_by_the_budget() {
    // 30 chains, each jumping twice to the next under conditions whose
    // combinations all differ (2^29 paths that no memo can merge): the
    // default budget ends the check with NC105 instead of a hang.
    let segs = segments(SEGS);
    let model = builtin_model("alpha").unwrap().unwrap();
    let t = Instant::now();
    let e = check(&segs, &model, &[hostile("iptables-jump-distinct.rules")]).unwrap_err();
    let took = t.elapsed();
    assert!(matches!(e, NetcheckError::Budget { .. }), "{e}");
    eprintln!("refused after {took:?}");
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[test]
fn host_bit_warnings_are_capped_with_a_count() {
    let segs = segments(SEGS);
    let mut text = String::from("*filter\n:FORWARD DROP [0:0]\n");
    for i in 0..150 {
        text.push_str(&format!("-A FORWARD -s 10.20.{i}.7/24 -j DROP\n"));
    }
    text.push_str("COMMIT\n");
    let r = report(&segs, &[text_input("many.rules", &text)]);
    assert_eq!(r.warnings.len(), 100);
    assert_eq!(r.warnings[0].line, 3);
    assert!(
        r.notes.iter().any(|n| n.contains("50 more warnings")),
        "{:?}",
        r.notes
    );
}

/// True when `s` holds kana or kanji.
fn has_japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

/// Every construct the checker cannot model is explained in Japanese as
/// well as in English (issue 16: the Japanese page shows only Japanese),
/// both in the report's list and in the matrix cells it touches.
#[test]
fn unmodelled_constructs_are_explained_in_japanese() {
    let segs = segments(SEGS);
    let iptables = "*filter\n:FORWARD DROP [0:0]\n:OTHER BOGUS [0:0]\n-A FORWARD -m string --string x --algo bm -j ACCEPT\n-A FORWARD -p tcp --tcp-flags SYN SYN -j ACCEPT\n-A FORWARD -f -j ACCEPT\n-A FORWARD -j NOWHERE\n-A FORWARD -j LOOP\n-A LOOP -j LOOP2\n-A LOOP2 -j LOOP\n-Z FORWARD\n-A\nCOMMIT\n";
    let fortios = "config firewall address\n edit \"mn\"\n  set subnet 10.10.0.0 255.255.0.0\n next\n edit \"cloud\"\n  set type fqdn\n  set fqdn \"example.jp\"\n next\nend\nconfig firewall policy\n edit 1\n  set srcintf \"any\"\n  set dstintf \"any\"\n  set srcaddr \"cloud\"\n  set dstaddr \"mn\"\n  set action accept\n  set service \"ALL\"\n  set schedule \"weekdays\"\n next\n edit 2\n  set srcintf \"any\"\n  set dstintf \"any\"\n  set srcaddr \"mn\"\n  set dstaddr \"nothing\"\n  set action accept\n  set service \"ALL\"\n next\nend\n";
    let nft = r#"{"nftables": [
 {"table": {"family": "inet", "name": "a", "handle": 1}},
 {"chain": {"family": "inet", "table": "a", "name": "fwd", "handle": 2, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
 {"rule": {"family": "inet", "table": "a", "chain": "fwd", "handle": 3, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": 1}}, {"accept": null}]}},
 {"rule": {"family": "inet", "table": "a", "chain": "fwd", "handle": 4, "expr": [{"limit": {"rate": 10, "per": "second"}}, {"accept": null}]}},
 {"rule": {"family": "inet", "table": "a", "chain": "fwd", "handle": 5, "expr": 7}}
]}"#;
    let mut seen = 0;
    let mut specific = 0;
    for (name, text) in [("x.rules", iptables), ("f.conf", fortios), ("n.json", nft)] {
        let r = report(&segs, &[text_input(name, text)]);
        assert!(!r.complete, "{name}: everything was modelled");
        // The command line's JSON keeps its documented keys; the pages' JSON
        // carries the Japanese wording too.
        assert!(!r.render_json().contains("reason_ja"), "{name}");
        assert!(r.to_json().contains("reason_ja"), "{name}");
        let cells = r.matrix.iter().flat_map(|c| c.warnings.iter());
        for u in r.unsupported.iter().chain(cells) {
            seen += 1;
            assert!(!u.reason.is_empty(), "{name}: {u:?}");
            assert!(!has_japanese(&u.reason), "{name}: English reason {u:?}");
            assert!(has_japanese(&u.reason_ja), "{name}: {u:?}");
            if !u.reason_ja.contains("正確に扱えない指定") {
                specific += 1;
            }
        }
    }
    assert!(seen >= 10, "only {seen} unmodelled constructs");
    // Most reasons have a wording of their own, not the general one.
    assert!(specific * 2 > seen, "{specific} of {seen} worded");

    // A few wordings checked word for word (quoted values kept).
    let r = report(&segs, &[text_input("x.rules", iptables)]);
    let ja = |en: &str| -> String {
        r.unsupported
            .iter()
            .find(|u| u.reason.contains(en))
            .map(|u| u.reason_ja.clone())
            .unwrap_or_else(|| panic!("no {en:?} in {:?}", r.unsupported))
    };
    assert_eq!(ja("unknown command"), "未対応のコマンドです (\"-Z\")");
    assert_eq!(
        ja("rule without a chain"),
        "チェインが指定されていないルールです"
    );
    assert_eq!(ja("fragment match"), "フラグメントによる条件は扱えません");
    assert_eq!(
        ja("NOWHERE"),
        "未定義のチェイン \"NOWHERE\" へのジャンプです"
    );
    assert!(ja("loop").starts_with("チェインのジャンプが循環しています: "));
}
