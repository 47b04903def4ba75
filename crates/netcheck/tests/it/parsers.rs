//! What each parser understands, rejects, and where it says so.

use crate::support::{report, segments, text_input};
use mamori_netcheck::{ConfigFormat, detect_format, parse_segments};

const SEGS: &str = "rich/segments.toml";

#[test]
fn formats_are_detected() {
    assert_eq!(
        detect_format("*filter\n:FORWARD DROP [0:0]\nCOMMIT\n"),
        Some(ConfigFormat::Iptables)
    );
    assert_eq!(
        detect_format("-P FORWARD DROP\n-A FORWARD -j ACCEPT\n"),
        Some(ConfigFormat::Iptables)
    );
    assert_eq!(
        detect_format("{\"nftables\": []}"),
        Some(ConfigFormat::NftablesJson)
    );
    assert_eq!(
        detect_format("config firewall policy\nend\n"),
        Some(ConfigFormat::FortiOs)
    );
    assert_eq!(detect_format("hello"), None);
}

#[test]
fn iptables_unsupported_constructs_are_reported_with_their_line() {
    let segs = segments(SEGS);
    let text = "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -m string --string x --algo bm -j ACCEPT\n-A FORWARD -m mark --mark 1 -j ACCEPT\n-A FORWARD -p tcp --tcp-flags SYN SYN -j ACCEPT\n-A FORWARD -j LOOP\n-A LOOP -j LOOP2\n-A LOOP2 -j LOOP\n-A INPUT -m string --string y --algo bm -j DROP\nCOMMIT\n";
    let r = report(&segs, &[text_input("x.rules", text)]);
    assert!(!r.complete);
    let lines: Vec<u32> = r.unsupported.iter().map(|u| u.line).collect();
    // INPUT is not forwarding traffic and is not reached: line 9 is absent.
    assert_eq!(lines, vec![3, 4, 5, 8], "{:?}", r.unsupported);
    assert!(r.unsupported.iter().any(|u| u.reason.contains("loop")));
    assert!(r.render_text().contains("INCOMPLETE"));
}

#[test]
fn iptables_established_only_rules_open_no_flow() {
    let segs = segments(SEGS);
    let text = "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A FORWARD -m state ! --state NEW -j ACCEPT\n-A FORWARD -p tcp ! --syn -j ACCEPT\nCOMMIT\n";
    let r = report(&segs, &[text_input("ct.rules", text)]);
    assert!(
        r.complete && r.is_clean() && r.shadowed.is_empty(),
        "{}",
        r.render_text()
    );
}

#[test]
fn interface_matches_need_interfaces_on_every_segment() {
    let segs = parse_segments(
        "model = \"alpha\"\n[[segment]]\nname = \"m\"\nrole = \"mynumber\"\nranges = [\"10.10.0.0/16\"]\ninterfaces = [\"mn0\"]\n[[segment]]\nname = \"i\"\nrole = \"internet\"\nranges = [\"0.0.0.0/0\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let r = report(
        &segs,
        &[text_input(
            "if.rules",
            "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -i mn0 -j ACCEPT\nCOMMIT\n",
        )],
    );
    assert!(!r.complete);
    assert!(r.unsupported[0].reason.contains("lists no interfaces"));
}

#[test]
fn nftables_named_sets_inet_and_two_base_chains() {
    let segs = segments(SEGS);
    // Two forward base chains: a packet must pass both. The second one only
    // lets 443 through, so the first chain's ssh accept does not open ssh.
    let text = r#"{"nftables": [
 {"table": {"family": "inet", "name": "a", "handle": 1}},
 {"set": {"family": "inet", "name": "web", "table": "a", "type": "inet_service", "handle": 2, "elem": [443, {"range": [8000, 8010]}]}},
 {"set": {"family": "inet", "name": "lg", "table": "a", "type": "ipv4_addr", "handle": 3, "flags": ["interval"], "elem": [{"prefix": {"addr": "10.20.0.0", "len": 16}}]}},
 {"chain": {"family": "inet", "table": "a", "name": "fwd", "handle": 4, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
 {"chain": {"family": "inet", "table": "a", "name": "late", "handle": 5, "type": "filter", "hook": "forward", "prio": 10, "policy": "accept"}},
 {"rule": {"family": "inet", "table": "a", "chain": "fwd", "handle": 6, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@lg"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": "@web"}}, {"counter": null}, {"accept": null}]}},
 {"rule": {"family": "inet", "table": "a", "chain": "fwd", "handle": 7, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "lg0"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"accept": null}]}},
 {"rule": {"family": "inet", "table": "a", "chain": "fwd", "handle": 8, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": 1}}, {"accept": null}]}},
 {"rule": {"family": "inet", "table": "a", "chain": "fwd", "handle": 10, "expr": [{"limit": {"rate": 10, "per": "second"}}, {"accept": null}]}},
 {"rule": {"family": "inet", "table": "a", "chain": "late", "handle": 9, "expr": [{"match": {"op": "!=", "left": {"payload": {"protocol": "th", "field": "dport"}}, "right": {"set": [443, {"range": [8000, 8010]}]}}}, {"drop": null}]}}
]}"#;
    let r = report(&segs, &[text_input("two.json", text)]);
    // meta mark and limit are unsupported, on the lines of their rules.
    assert_eq!(
        r.unsupported.iter().map(|u| u.line).collect::<Vec<_>>(),
        vec![9, 10],
        "{:?}",
        r.unsupported
    );
    assert!(
        r.unsupported[1].reason.contains("limit"),
        "{:?}",
        r.unsupported
    );
    let cell = r
        .matrix
        .iter()
        .find(|c| c.from == "lgwan" && c.to == "internet")
        .unwrap_or_else(|| panic!("no cell"));
    let shown: Vec<String> = cell.permitted.iter().map(|p| p.render()).collect();
    // The mark and limit rules accept: what they might accept (everything,
    // as far as the understood conditions say) is counted as permitted,
    // and the second chain still drops other tcp/udp ports.
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(shown[1].contains("dport 443,8000-8010"), "{shown:?}");
    assert!(shown[0].contains("proto 0-5,7-16"), "{shown:?}");
    assert_eq!(
        cell.warnings.iter().map(|w| w.line).collect::<Vec<_>>(),
        vec![9, 10],
        "{:?}",
        cell.warnings
    );
    // Each violation names the accepting rule of each base chain.
    assert!(r.violations.iter().all(|v| v.rules.len() == 2));
}

#[test]
fn nftables_malformed_rule_is_reported_and_the_others_still_count() {
    let segs = segments(SEGS);
    let good = r#"{"rule": {"family": "inet", "table": "a", "chain": "fwd", "handle": 6, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"accept": null}]}}"#;
    let head = r#"{"nftables": [
 {"table": {"family": "inet", "name": "a", "handle": 1}},
 {"chain": {"family": "inet", "table": "a", "name": "fwd", "handle": 4, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},"#;
    // The handle is not a number: that rule alone cannot be read.
    let bad = r#"{"rule": {"family": "inet", "table": "a", "chain": "fwd", "handle": "x", "expr": [{"accept": null}]}}"#;
    let well = format!("{head}\n {good}\n]}}");
    let ill = format!("{head}\n {bad},\n {good}\n]}}");
    let r = report(&segs, &[text_input("well.json", &well)]);
    assert!(r.unsupported.is_empty(), "{:?}", r.unsupported);
    let s = report(&segs, &[text_input("ill.json", &ill)]);
    assert_eq!(
        s.unsupported.iter().map(|u| u.line).collect::<Vec<_>>(),
        vec![4],
        "{:?}",
        s.unsupported
    );
    assert!(s.unsupported[0].reason.contains("rule not understood"));
    // The well-formed rule is read the same way on both paths.
    let cells = |r: &mamori_netcheck::Report| -> Vec<(String, String, Vec<String>)> {
        r.matrix
            .iter()
            .map(|c| {
                let p = c.permitted.iter().map(|p| p.render()).collect();
                (c.from.clone(), c.to.clone(), p)
            })
            .collect()
    };
    assert_eq!(cells(&r), cells(&s));
    assert!(cells(&r).iter().any(|(_, _, p)| !p.is_empty()));
    assert_eq!(r.violations.len(), s.violations.len());
    assert!(!r.violations.is_empty());
}

#[test]
fn fortios_groups_zones_negation_and_status() {
    let segs = parse_segments(
        r#"model = "alpha"
[[segment]]
name = "mynumber"
role = "mynumber"
ranges = ["10.10.0.0/16"]
interfaces = ["z-mynumber"]
[[segment]]
name = "lgwan"
role = "lgwan"
ranges = ["10.20.0.0/16"]
interfaces = ["port2"]
[[segment]]
name = "internet"
role = "internet"
ranges = ["0.0.0.0/0"]
interfaces = ["wan1"]
[[flow]]
from = "mynumber"
to = "lgwan"
destination = "10.20.1.5/32"
protocol = "tcp"
ports = "443"
purpose = "中間サーバー"
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let text = r#"config system zone
    edit "z-mynumber"
        set interface "port3" "port4"
    next
end
config firewall address
    edit "chukan"
        set subnet 10.20.1.5 255.255.255.255
    next
    edit "lg-range"
        set type iprange
        set start-ip 10.20.0.1
        set end-ip 10.20.0.9
    next
    edit "cloud"
        set type fqdn
        set fqdn "example.com"
    next
end
config firewall addrgrp
    edit "lg-servers"
        set member "chukan" "lg-range"
    next
end
config firewall service custom
    edit "web-alt"
        set tcp-portrange 8443 8000-8010:1024-65535
    next
end
config firewall service group
    edit "webs"
        set member "HTTPS" "web-alt"
    next
end
config firewall policy
    edit 10
        set srcintf "port3"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "chukan"
        set action accept
        set service "HTTPS"
        set schedule "always"
    next
    edit 11
        set srcintf "port2"
        set dstintf "wan1"
        set srcaddr "lg-servers"
        set dstaddr "all"
        set dstaddr-negate enable
        set action accept
        set service "webs"
    next
    edit 12
        set status disable
        set srcintf "any"
        set dstintf "any"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "ALL"
    next
    edit 13
        set srcintf "port2"
        set dstintf "wan1"
        set srcaddr "all"
        set dstaddr "cloud"
        set action accept
        set service "HTTPS"
    next
    edit 14
        set srcintf "z-mynumber"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "chukan"
        set action accept
        set service "HTTPS"
    next
    edit 15
        set srcintf "port2"
        set dstintf "wan1"
        set srcaddr "lg-servers"
        set dstaddr "all"
        set action accept
        set service "webs"
    next
end
"#;
    let r = report(&segs, &[text_input("fw.conf", text)]);
    // fqdn address: unsupported, at the line of `edit 13`.
    assert_eq!(
        r.unsupported.iter().map(|u| u.line).collect::<Vec<_>>(),
        vec![63],
        "{:?}",
        r.unsupported
    );
    // Policy 11 negates "all": it matches nothing and so can never match;
    // policy 14 repeats policy 10 (port3 is in the zone).
    let shadowed: Vec<u32> = r.shadowed.iter().map(|s| s.line).collect();
    assert_eq!(shadowed, vec![45, 71], "{}", r.render_text());
    // The disabled policy opens nothing; mynumber -> lgwan is the listed flow.
    let mn = r
        .matrix
        .iter()
        .find(|c| c.from == "mynumber" && c.to == "lgwan")
        .unwrap_or_else(|| panic!("no cell"));
    assert_eq!(mn.status, mamori_netcheck::CellStatus::Conforming);
    assert!(r.blocked_flows.is_empty());
    // Policy 15: LGWAN servers to the Internet segment on 443 and web-alt;
    // policy 13 (FQDN destination, not modelled) is counted as possibly
    // permitting HTTPS to any address, and the pair says so.
    let mut v: Vec<u32> = r
        .violations
        .iter()
        .flat_map(|v| v.rules.iter().map(|x| x.line))
        .collect();
    v.sort();
    assert_eq!(v, vec![63, 79], "{}", r.render_text());
    let lgi = r
        .matrix
        .iter()
        .find(|c| c.from == "lgwan" && c.to == "internet")
        .unwrap_or_else(|| panic!("no cell"));
    assert_eq!(
        lgi.warnings.iter().map(|w| w.line).collect::<Vec<_>>(),
        vec![63]
    );
    let text_out = r.render_text();
    // The display merges boxes; the points are what the test pins down.
    let m = crate::support::matrix(&segs, &text_input("fw.conf", text));
    let lg_in = &m[&("lgwan".to_string(), "internet".to_string())].v4;
    let (lg, out) = (u128::from(0x0a14_0105u32), u128::from(0x0808_0808u32));
    assert!(lg_in.contains(&[lg, out, 6, 1024, 8005]));
    assert!(!lg_in.contains(&[lg, out, 6, 1023, 8005]));
    assert!(lg_in.contains(&[lg, out, 6, 1, 8443]) && lg_in.contains(&[lg, out, 6, 1, 443]));
    assert!(!lg_in.contains(&[lg, out, 17, 1, 443]));
    assert!(
        text_out.contains("sport 1024-65535 dport 8000-8010"),
        "{text_out}"
    );
}

#[test]
fn segments_errors_name_line_and_field() {
    let e = parse_segments("model = \"alpha\"\n[[segment]]\nname = \"a\"\nrole = \"mynumber\"\nranges = [\"10.0.0.0/8\", \"nonsense\"]\n")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("line 5") && e.contains("segment.ranges"), "{e}");
    let e = parse_segments("model = \"alpha\"\n[[segment]]\nname = \"a\"\nrole = \"mynumber\"\nranges = [\"10.0.0.0/8\"]\n[[flow]]\nfrom = \"a\"\nto = \"nowhere\"\n")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("line 8") && e.contains("flow.to"), "{e}");
}
