//! Cisco ASA and Palo Alto PAN-OS (issue 16): the fixture configurations
//! with asserted flows and rules cited by line, the ASA's security levels,
//! outbound and global access lists and NAT, PAN-OS XML and `set` giving one
//! matrix, and hostile inputs refused or read fast.

use crate::support::{fixtures, input, matrix, read, report, segments, text_input};
use mamori_netcheck::{ConfigFormat, NetcheckError, builtin_model, check, detect_format};
use std::time::{Duration, Instant};

const MN: u128 = 0x0a0a_0214; // 10.10.2.20
const MN1: u128 = 0x0a0a_0105; // 10.10.1.5
const CHUKAN: u128 = 0x0a14_0105; // 10.20.1.5
const LG6: u128 = 0x0a14_0106; // 10.20.1.6
const SANITIZER: u128 = 0x0a14_050a; // 10.20.5.10
const UPD: u128 = 0x0a14_0805; // 10.20.8.5
const OUT: u128 = 0x0808_0808; // 8.8.8.8

fn k(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

fn asa() -> mamori_netcheck::ConfigInput {
    input(&fixtures().join("asa/city-fw.asa.txt"))
}

fn refused(segs_rel: &str, name: &str, text: &str) -> NetcheckError {
    let segs = segments(segs_rel);
    let model = builtin_model("alpha").unwrap().unwrap();
    match check(&segs, &model, &[text_input(name, text)]) {
        Ok(r) => panic!("{name} was not refused:\n{}", r.render_text()),
        Err(e) => e,
    }
}

#[test]
fn formats_are_detected() {
    let t = read(&fixtures().join("asa/city-fw.asa.txt"));
    assert_eq!(detect_format(&t), Some(ConfigFormat::CiscoAsa));
    let x = read(&fixtures().join("panos/city-pa.xml"));
    assert_eq!(detect_format(&x), Some(ConfigFormat::PanOs));
    let s = read(&fixtures().join("panos/city-pa.set"));
    assert_eq!(detect_format(&s), Some(ConfigFormat::PanOs));
    // FortiOS `set` lines inside `config` are not PAN-OS.
    assert_eq!(
        detect_format(
            "config firewall policy\n    edit 1\n        set action accept\n    next\nend\n"
        ),
        Some(ConfigFormat::FortiOs)
    );
    assert_eq!(detect_format("<html><body>hello</body></html>"), None);
}

#[test]
fn asa_fixture_flows_and_lines() {
    let segs = segments("asa/segments.toml");
    let cfg = asa();
    let m = matrix(&segs, &cfg);
    let v4 = |a: &str, b: &str| m[&k(a, b)].v4.clone();
    // Internet -> the sanitiser, SMTP only (object NAT: the ACL names the
    // real address).
    assert!(v4("internet", "lgwan").contains(&[OUT, SANITIZER, 6, 40000, 25]));
    assert!(!v4("internet", "lgwan").contains(&[OUT, SANITIZER, 6, 40000, 80]));
    assert!(!v4("internet", "lgwan").contains(&[OUT, CHUKAN, 6, 40000, 25]));
    assert!(m[&k("internet", "mynumber")].is_empty());
    // My Number -> the intermediate server on 443 (service object); the
    // inactive line opens nothing.
    assert!(v4("mynumber", "lgwan").contains(&[MN1, CHUKAN, 6, 40000, 443]));
    assert!(!v4("mynumber", "lgwan").contains(&[MN1, CHUKAN, 6, 40000, 80]));
    assert!(!v4("mynumber", "lgwan").contains(&[MN1, LG6, 6, 40000, 443]));
    assert!(m[&k("mynumber", "internet")].is_empty());
    // LGWAN servers (nested group, defined after its use) browse on 80
    // and 443 (port group), the update range sends mail, DNS and ping.
    let lo = v4("lgwan", "internet");
    for src in [CHUKAN, LG6, 0x0a14_0907] {
        assert!(lo.contains(&[src, OUT, 6, 40000, 80]), "{src:x}");
        assert!(lo.contains(&[src, OUT, 6, 40000, 443]));
        assert!(!lo.contains(&[src, OUT, 6, 40000, 22]));
    }
    assert!(lo.contains(&[UPD, OUT, 17, 40000, 53]));
    assert!(lo.contains(&[UPD, OUT, 6, 40000, 53]));
    assert!(lo.contains(&[UPD, OUT, 1, 8, 0]));
    assert!(!lo.contains(&[UPD, OUT, 1, 0, 0]));
    assert!(!lo.contains(&[UPD, OUT, 17, 40000, 25]));
    assert!(!lo.contains(&[0x0a14_0820, OUT, 6, 40000, 25])); // 10.20.8.32
    // RDP into My Number: the violation, cited by file and line.
    assert!(v4("lgwan", "mynumber").contains(&[0x0a14_6464, MN, 6, 40000, 3389]));
    let r = report(&segs, &[cfg]);
    assert!(r.complete, "{:?}", r.unsupported);
    // Every violation from LGWAN into My Number names its deciding line
    // (73: web to any4 includes My Number; 74: mail, DNS, ping; 75: RDP),
    // after the line of the interface the packets enter by (20).
    let mut lines: Vec<u32> = Vec::new();
    for v in r
        .violations
        .iter()
        .filter(|v| v.from == "lgwan" && v.to == "mynumber")
    {
        assert_eq!(v.rules.first().map(|x| x.line), Some(20), "{:?}", v.rules);
        assert!(v.rules.iter().all(|x| &*x.file == "city-fw.asa.txt"));
        lines.extend(v.rules.last().map(|x| x.line));
    }
    lines.sort_unstable();
    assert_eq!(lines, [73, 74, 75], "{}", r.render_text());
    assert_eq!(r.devices[0].format, ConfigFormat::CiscoAsa);
    // Internet -> the sanitiser conforms (relay); nothing from the
    // Internet into My Number.
    assert!(
        !r.violations
            .iter()
            .any(|v| v.from == "internet" && v.to == "lgwan"),
        "{}",
        r.render_text()
    );
}

const ASA_HEAD: &str = "ASA Version 9.16(2)
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address 203.0.113.2 255.255.255.0
interface GigabitEthernet0/1
 nameif lgwan
 security-level 50
 ip address 10.20.0.1 255.255.0.0
interface GigabitEthernet0/2
 nameif mynumber
 security-level 100
 ip address 10.10.0.1 255.255.0.0
";

#[test]
fn asa_security_levels_decide_without_an_access_list() {
    let segs = segments("asa/segments.toml");
    let m = matrix(&segs, &text_input("levels.txt", ASA_HEAD));
    // Higher to lower: permitted, every protocol.
    assert!(
        m[&k("mynumber", "lgwan")]
            .v4
            .contains(&[MN1, CHUKAN, 47, 0, 0])
    );
    assert!(
        m[&k("mynumber", "internet")]
            .v4
            .contains(&[MN1, OUT, 6, 1, 80])
    );
    assert!(
        m[&k("lgwan", "internet")]
            .v4
            .contains(&[CHUKAN, OUT, 17, 1, 53])
    );
    // Lower to higher: denied.
    assert!(m[&k("internet", "lgwan")].is_empty());
    assert!(m[&k("lgwan", "mynumber")].is_empty());
    let r = report(&segs, &[text_input("levels.txt", ASA_HEAD)]);
    let v = r
        .violations
        .iter()
        .find(|v| v.from == "mynumber" && v.to == "internet")
        .unwrap_or_else(|| panic!("{}", r.render_text()));
    assert!(
        v.rules
            .iter()
            .any(|x| x.text.contains("security-level 100")),
        "{:?}",
        v.rules
    );
    // Equal levels: only with same-security-traffic.
    let eq = ASA_HEAD.replace("security-level 50", "security-level 0");
    let m = matrix(&segs, &text_input("eq.txt", &eq));
    assert!(m[&k("lgwan", "internet")].is_empty());
    let eq2 = format!("{eq}same-security-traffic permit inter-interface\n");
    let m = matrix(&segs, &text_input("eq2.txt", &eq2));
    assert!(!m[&k("lgwan", "internet")].is_empty());
    assert!(!m[&k("internet", "lgwan")].is_empty());
}

#[test]
fn asa_global_and_outbound_access_lists() {
    let segs = segments("asa/segments.toml");
    // A global ACL applies to every interface after its own; the implicit
    // deny then replaces the security levels.
    let g = format!(
        "{ASA_HEAD}access-list GLOBAL extended permit udp any any eq domain
access-list LG_IN extended permit tcp any any eq https
access-group LG_IN in interface lgwan
access-group GLOBAL global
"
    );
    let m = matrix(&segs, &text_input("g.txt", &g));
    assert!(
        m[&k("lgwan", "internet")]
            .v4
            .contains(&[CHUKAN, OUT, 6, 1, 443])
    );
    assert!(
        m[&k("lgwan", "internet")]
            .v4
            .contains(&[CHUKAN, OUT, 17, 1, 53])
    );
    assert!(
        !m[&k("lgwan", "internet")]
            .v4
            .contains(&[CHUKAN, OUT, 6, 1, 80])
    );
    // mynumber has no ACL of its own but the global one: no more
    // security-level permits.
    assert!(
        m[&k("mynumber", "internet")]
            .v4
            .contains(&[MN1, OUT, 17, 1, 53])
    );
    assert!(
        !m[&k("mynumber", "internet")]
            .v4
            .contains(&[MN1, OUT, 6, 1, 80])
    );
    assert!(
        m[&k("internet", "lgwan")]
            .v4
            .contains(&[OUT, CHUKAN, 17, 1, 53])
    );
    // An outbound ACL on the egress interface must also permit.
    let o = format!(
        "{ASA_HEAD}access-list OUT_OUT extended permit tcp any any eq https
access-list OUT_OUT extended deny ip any any
access-group OUT_OUT out interface outside
"
    );
    let m = matrix(&segs, &text_input("o.txt", &o));
    assert!(
        m[&k("mynumber", "internet")]
            .v4
            .contains(&[MN1, OUT, 6, 1, 443])
    );
    assert!(
        !m[&k("mynumber", "internet")]
            .v4
            .contains(&[MN1, OUT, 6, 1, 80])
    );
    // Not leaving by outside: the security levels alone.
    assert!(
        m[&k("mynumber", "lgwan")]
            .v4
            .contains(&[MN1, CHUKAN, 6, 1, 80])
    );
}

#[test]
fn asa_nat_real_addresses_and_mapped_address_warning() {
    let segs = segments("asa/segments.toml");
    let t = format!(
        "{ASA_HEAD}object network WEB
 host 10.20.1.5
 nat (lgwan,outside) static 203.0.113.10
access-list OUTSIDE_IN extended permit tcp any object WEB eq https
access-list OUTSIDE_IN extended permit tcp any host 203.0.113.10 eq 80
access-group OUTSIDE_IN in interface outside
"
    );
    let m = matrix(&segs, &text_input("nat.txt", &t));
    // The real address is what the ACL and the matrix speak of.
    assert!(
        m[&k("internet", "lgwan")]
            .v4
            .contains(&[OUT, CHUKAN, 6, 1, 443])
    );
    assert!(
        !m[&k("internet", "lgwan")]
            .v4
            .contains(&[OUT, CHUKAN, 6, 1, 80])
    );
    let r = report(&segs, &[text_input("nat.txt", &t)]);
    let w = r
        .warnings
        .iter()
        .find(|w| w.text.contains("203.0.113.10 eq 80"))
        .unwrap_or_else(|| panic!("no warning: {:?}", r.warnings));
    assert_eq!(w.line, 18);
    assert!(w.message.contains("実アドレス"), "{}", w.message);
    // Pre-8.3 static: a permit of the mapped address also permits the
    // real one, reported as approximated on that pair.
    let legacy = format!(
        "{ASA_HEAD}static (lgwan,outside) 203.0.113.10 10.20.1.5 netmask 255.255.255.255
access-list OUTSIDE_IN extended permit tcp any host 203.0.113.10 eq 80
access-group OUTSIDE_IN in interface outside
"
    );
    let m = matrix(&segs, &text_input("legacy.txt", &legacy));
    assert!(
        m[&k("internet", "lgwan")]
            .v4
            .contains(&[OUT, CHUKAN, 6, 1, 80])
    );
    let r = report(&segs, &[text_input("legacy.txt", &legacy)]);
    assert!(!r.complete);
    let cell = r
        .matrix
        .iter()
        .find(|c| c.from == "internet" && c.to == "lgwan")
        .unwrap();
    assert!(!cell.warnings.is_empty(), "{:?}", cell);
}

#[test]
fn asa_unmodelled_entries_over_approximate() {
    let segs = segments("asa/segments.toml");
    // A deny by user identity is left out (the later permit then counts),
    // a permit with a time range counts always; both reported.
    let t = format!(
        "{ASA_HEAD}access-list LG_IN extended deny tcp user CITY\\\\bob any any eq 3389
access-list LG_IN extended permit tcp any any eq 3389
access-list LG_IN extended permit tcp any any eq 22 time-range WORKHOURS
access-group LG_IN in interface lgwan
"
    );
    let m = matrix(&segs, &text_input("u.txt", &t));
    assert!(
        m[&k("lgwan", "mynumber")]
            .v4
            .contains(&[CHUKAN, MN, 6, 1, 3389])
    );
    assert!(
        m[&k("lgwan", "mynumber")]
            .v4
            .contains(&[CHUKAN, MN, 6, 1, 22])
    );
    let r = report(&segs, &[text_input("u.txt", &t)]);
    assert!(!r.complete);
    let lines: Vec<u32> = r.unsupported.iter().map(|u| u.line).collect();
    assert!(
        lines.contains(&14) && lines.contains(&16),
        "{:?}",
        r.unsupported
    );
}

#[test]
fn panos_xml_and_set_agree_and_cite_lines() {
    let segs = segments("panos/segments.toml");
    let xml = input(&fixtures().join("panos/city-pa.xml"));
    let set = input(&fixtures().join("panos/city-pa.set"));
    let mx = matrix(&segs, &xml);
    let ms = matrix(&segs, &set);
    for (key, v) in &mx {
        assert!(v.same_points(&ms[key]), "{key:?} differs");
    }
    let v4 = |a: &str, b: &str| mx[&k(a, b)].v4.clone();
    assert!(v4("internet", "lgwan").contains(&[OUT, SANITIZER, 6, 1, 25]));
    assert!(!v4("internet", "lgwan").contains(&[OUT, SANITIZER, 6, 1, 80]));
    assert!(v4("mynumber", "lgwan").contains(&[MN1, CHUKAN, 6, 1, 443]));
    assert!(!v4("mynumber", "lgwan").contains(&[MN1, CHUKAN, 6, 1, 80]));
    // The disabled rule opens nothing; the interzone deny ends it.
    assert!(mx[&k("mynumber", "internet")].is_empty());
    for p in [80, 8080, 443] {
        assert!(
            v4("lgwan", "internet").contains(&[CHUKAN, OUT, 6, 1, p]),
            "{p}"
        );
        assert!(v4("lgwan", "internet").contains(&[0x0a14_0907, OUT, 6, 1, p]));
    }
    assert!(!v4("lgwan", "internet").contains(&[LG6, OUT, 6, 1, 80]));
    assert!(v4("lgwan", "mynumber").contains(&[CHUKAN, MN, 6, 1, 3389]));
    assert!(!v4("lgwan", "mynumber").contains(&[CHUKAN, MN1, 6, 1, 3389]));
    for (cfg, line) in [(xml, 227u32), (set, 50)] {
        let r = report(&segs, std::slice::from_ref(&cfg));
        assert_eq!(r.devices[0].format, ConfigFormat::PanOs);
        let v = r
            .violations
            .iter()
            .find(|v| v.from == "lgwan" && v.to == "mynumber")
            .unwrap_or_else(|| panic!("{}", r.render_text()));
        assert_eq!(v.rules.last().map(|x| x.line), Some(line), "{}", cfg.file);
        assert!(v.rules.iter().any(|x| x.text.contains("rdp-to-mn")));
        // The application-default rule is modelled on ssl's ports.
        assert!(r.complete, "{}: {:?}", cfg.file, r.unsupported);
    }
}

#[test]
fn panos_default_rules_and_overrides() {
    let segs = segments("panos/segments.toml");
    let base = "set zone untrust network layer3 ethernet1/1
set zone lgwan network layer3 ethernet1/2
set zone mynumber network layer3 ethernet1/3
";
    // No rule: interzone deny.
    let m = matrix(&segs, &text_input("d.set", base));
    assert!(m.values().all(mamori_netcheck::PacketSet::is_empty));
    // The interzone default overridden to allow.
    let t =
        format!("{base}set rulebase default-security-rules rules interzone-default action allow\n");
    let m = matrix(&segs, &text_input("o.set", &t));
    assert!(
        m[&k("mynumber", "internet")]
            .v4
            .contains(&[MN1, OUT, 6, 1, 80])
    );
    let r = report(&segs, &[text_input("o.set", &t)]);
    let v = r
        .violations
        .iter()
        .find(|v| v.from == "mynumber" && v.to == "internet")
        .unwrap();
    assert_eq!(v.rules.last().map(|x| x.line), Some(4));
    // An application deny is left out (it cannot be modelled by packets).
    let t = format!(
        "{base}set rulebase security rules no-bt from any to any source any destination any application bittorrent service any action deny
set rulebase security rules all from lgwan to untrust source any destination any application any service any action allow
"
    );
    let t = t
        .lines()
        .flat_map(|l| {
            // `set rulebase … rules NAME a b c d …` is one attribute a line.
            let w: Vec<&str> = l.split_whitespace().collect();
            if w.len() > 7 && w[1] == "rulebase" {
                w[5..]
                    .chunks(2)
                    .map(|c| format!("{} {}", w[..5].join(" "), c.join(" ")))
                    .collect::<Vec<_>>()
            } else {
                vec![l.to_string()]
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let m = matrix(&segs, &text_input("a.set", &t));
    assert!(
        m[&k("lgwan", "internet")]
            .v4
            .contains(&[CHUKAN, OUT, 6, 1, 6881])
    );
    let r = report(&segs, &[text_input("a.set", &t)]);
    assert!(!r.complete);
}

/// Each finishes (refused or read) well under a second.
fn fast<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    assert!(
        t.elapsed() < Duration::from_secs(1),
        "{what}: {:?}",
        t.elapsed()
    );
    out
}

#[test]
fn hostile_asa_inputs() {
    // Not a configuration at all.
    let e = fast("prose", || {
        refused(
            "asa/segments.toml",
            "p.txt",
            "Dear team, please find the firewall rules attached.\nRegards\n",
        )
    });
    assert!(matches!(e, NetcheckError::Config { .. }), "{e}");
    // Forced as ASA, prose is still refused.
    let segs = segments("asa/segments.toml");
    let model = builtin_model("alpha").unwrap().unwrap();
    let mut cfg = text_input("p.txt", "hello world\nthis is not a firewall\n");
    cfg.format = Some(ConfigFormat::CiscoAsa);
    assert!(check(&segs, &model, &[cfg]).is_err());
    // Groups nested 30 deep, each twice: memoised, fast.
    let mut t = String::from(ASA_HEAD);
    for i in 0..30 {
        t.push_str(&format!(
            "object-group network G{i}\n group-object G{}\n group-object G{}\n network-object host 10.20.{i}.1\n",
            i + 1,
            i + 1
        ));
    }
    t.push_str("object-group network G30\n network-object host 10.20.99.1\n");
    t.push_str("access-list LG_IN extended permit ip object-group G0 any\naccess-group LG_IN in interface lgwan\n");
    let m = fast("nested", || matrix(&segs, &text_input("n.txt", &t)));
    assert!(
        m[&k("lgwan", "internet")]
            .v4
            .contains(&[0x0a14_6301, OUT, 6, 1, 1])
    );
    // A loop of groups: reported, over-approximated (the permit counts
    // for any address), never a hang.
    let lp = format!(
        "{ASA_HEAD}object-group network A\n group-object B\nobject-group network B\n group-object A\naccess-list LG_IN extended permit ip object-group A any\naccess-group LG_IN in interface lgwan\n"
    );
    let r = fast("loop", || report(&segs, &[text_input("l.txt", &lp)]));
    assert!(!r.complete);
    assert!(
        r.unsupported.iter().any(|u| u.reason.contains("too deep")),
        "{:?}",
        r.unsupported
    );
    // Huge ranges and a thousand ACL lines.
    let mut big = format!(
        "{ASA_HEAD}object network ALL\n range 0.0.0.0 255.255.255.255\naccess-list LG_IN extended permit tcp object ALL any range 1 65535\n"
    );
    for i in 0..1000 {
        big.push_str(&format!(
            "access-list LG_IN extended deny tcp host 10.20.{}.{} any eq {}\n",
            i / 250,
            i % 250,
            1000 + i
        ));
    }
    big.push_str("access-group LG_IN in interface lgwan\n");
    let r = fast("big", || report(&segs, &[text_input("b.txt", &big)]));
    assert_eq!(r.shadowed.len(), 1000);
}

#[test]
fn hostile_panos_inputs() {
    let segs = segments("panos/segments.toml");
    // Entity expansion (a DTD) is refused outright.
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE config [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<config><devices><entry name="x"><vsys><entry name="vsys1"><address><entry name="&b;"><ip-netmask>1.1.1.1</ip-netmask></entry></address></entry></vsys></entry></devices></config>"#;
    let e = fast("dtd", || refused("panos/segments.toml", "l.xml", laughs));
    assert!(e.to_string().contains("XML"), "{e}");
    // Deep nesting is refused with its line.
    let deep = format!(
        "<config><devices>\n{}{}</devices></config>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    let e = fast("deep", || refused("panos/segments.toml", "d.xml", &deep));
    assert!(matches!(e, NetcheckError::Config { line: 2, .. }), "{e}");
    // Broken XML: refused with the line.
    let e = fast("broken", || {
        refused(
            "panos/segments.toml",
            "b.xml",
            "<config>\n<devices>\n<entry name=\"x\">\n</devices></config>",
        )
    });
    assert!(matches!(e, NetcheckError::Config { .. }), "{e}");
    // A set file with prose in it: refused at that line.
    let e = fast("prose", || {
        refused(
            "panos/segments.toml",
            "p.set",
            "set zone lgwan network layer3 ethernet1/2\nplease apply the following\n",
        )
    });
    assert!(matches!(e, NetcheckError::Config { line: 2, .. }), "{e}");
    // Group loops and deep nesting of groups: reported, fast.
    let mut t = String::from(
        "set zone untrust network layer3 ethernet1/1\nset zone lgwan network layer3 ethernet1/2\nset zone mynumber network layer3 ethernet1/3\n",
    );
    for i in 0..40 {
        t.push_str(&format!(
            "set address-group g{i} static [ g{} g{} ]\n",
            i + 1,
            i + 1
        ));
    }
    t.push_str("set address-group g40 static [ 10.20.7.7 ]\n");
    t.push_str("set address-group x static [ y ]\nset address-group y static [ x ]\n");
    for (n, src) in [("r1", "g0"), ("r2", "x")] {
        for kv in [
            "from lgwan",
            "to untrust",
            &format!("source {src}"),
            "destination any",
            "application any",
            "service any",
            "action allow",
        ] {
            t.push_str(&format!("set rulebase security rules {n} {kv}\n"));
        }
    }
    let r = fast("groups", || report(&segs, &[text_input("g.set", &t)]));
    assert!(!r.complete);
    assert!(r.unsupported.iter().any(|u| u.reason.contains("too deep")));
    let m = matrix(&segs, &text_input("g.set", &t));
    // The looped group counts as any source.
    assert!(
        m[&k("lgwan", "internet")]
            .v4
            .contains(&[CHUKAN, OUT, 6, 1, 1])
    );
}

#[test]
fn a_segments_file_for_another_device_is_refused() {
    // Segments naming none of the device's interfaces or zones would give
    // a clean verdict for traffic that was never judged: refused.
    let e = refused(
        "hostile/segments.toml",
        "city-fw.asa.txt",
        &read(&fixtures().join("asa/city-fw.asa.txt")),
    );
    assert!(e.to_string().contains("no interface of this ASA"), "{e}");
    let e = refused(
        "hostile/segments.toml",
        "city-pa.xml",
        &read(&fixtures().join("panos/city-pa.xml")),
    );
    assert!(e.to_string().contains("no zone"), "{e}");
    // One interface without a segment: noted.
    let t = format!("{ASA_HEAD}interface GigabitEthernet0/3\n nameif dmz\n security-level 20\n");
    let r = report(&segments("asa/segments.toml"), &[text_input("dmz.txt", &t)]);
    assert!(r.notes.iter().any(|n| n.contains("(dmz)")), "{:?}", r.notes);
}

#[test]
fn asa_access_lists_not_bound_are_not_read() {
    // A VPN access list in a syntax the checker does not read neither
    // filters traffic nor makes the verdict incomplete.
    let segs = segments("asa/segments.toml");
    let t = format!(
        "{ASA_HEAD}access-list VPN extended permit ip object-group-user STAFF any any\naccess-list VPN webtype permit url https://intranet.example\n"
    );
    let r = report(&segs, &[text_input("vpn.txt", &t)]);
    assert!(r.complete, "{:?}", r.unsupported);
    // The security levels still decide.
    let m = matrix(&segs, &text_input("vpn.txt", &t));
    assert!(!m[&k("mynumber", "internet")].is_empty());
}

#[test]
fn thousands_of_interfaces_or_zones_stay_fast() {
    // Security levels and interzone rules pair interfaces and zones: only
    // those facing a segment are paired, so 3,000 of them read at once.
    let segs = segments("asa/segments.toml");
    let mut t = String::from(ASA_HEAD);
    for i in 0..3000 {
        t.push_str(&format!(
            "interface Vlan{i}\n nameif v{i}\n security-level {}\n",
            i % 100
        ));
    }
    let m = fast("asa ifaces", || matrix(&segs, &text_input("i.txt", &t)));
    assert!(!m[&k("mynumber", "internet")].is_empty());
    let segs = segments("panos/segments.toml");
    let mut t = String::from(
        "set zone untrust network layer3 ethernet1/1\nset zone lgwan network layer3 ethernet1/2\nset zone mynumber network layer3 ethernet1/3\n",
    );
    for i in 0..3000 {
        t.push_str(&format!("set zone z{i} network layer3 ethernet2/{i}\n"));
    }
    for kv in [
        "from any",
        "to any",
        "source any",
        "destination any",
        "application any",
        "service any",
        "action allow",
        "rule-type interzone",
    ] {
        t.push_str(&format!("set rulebase security rules all {kv}\n"));
    }
    let m = fast("panos zones", || matrix(&segs, &text_input("z.set", &t)));
    assert!(!m[&k("mynumber", "internet")].is_empty());
}
