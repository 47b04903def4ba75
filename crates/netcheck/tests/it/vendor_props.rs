//! Property tests of the ASA and PAN-OS pipelines: random configurations,
//! rendered as text and checked, against a brute-force evaluator of the
//! same rules (written here from the vendors' documented semantics) over
//! sample packets. PAN-OS is rendered both as XML and as `set` commands.

use crate::support::{matrix, segments, text_input};
use proptest::prelude::*;

/// Sample addresses: My Number, LGWAN and Internet hosts.
const ADDRS: [u32; 6] = [
    0x0a0a_0105, // 10.10.1.5
    0x0a0a_0214, // 10.10.2.20
    0x0a14_0105, // 10.20.1.5
    0x0a14_0909, // 10.20.9.9
    0x0808_0808, // 8.8.8.8
    0xcb00_7105, // 203.0.113.5
];
const PORTS: [u16; 5] = [22, 53, 80, 443, 3389];
const PROTOS: [u8; 3] = [6, 17, 1];

/// Address conditions: 0 any, 1..=6 host ADDRS[i-1], 7 10.10.0.0/16,
/// 8 10.20.0.0/16, 9 the group {10.10.1.0/24, 10.20.9.9}.
fn addr_ok(c: u8, a: u32) -> bool {
    match c {
        0 => true,
        1..=6 => ADDRS[usize::from(c - 1)] == a,
        7 => a >> 16 == 0x0a0a,
        8 => a >> 16 == 0x0a14,
        _ => a >> 8 == 0x0a0a01 || a == 0x0a14_0909,
    }
}

/// Segment of an address: 0 mynumber, 1 lgwan, 2 internet.
fn seg(a: u32) -> usize {
    match a >> 16 {
        0x0a0a => 0,
        0x0a14 => 1,
        _ => 2,
    }
}
const SEGS: [&str; 3] = ["mynumber", "lgwan", "internet"];

/// Service: 0 any protocol, 1 tcp any port, 2 tcp eq P, 3 udp eq P,
/// 4 tcp range 80-443, 5 icmp.
#[derive(Clone, Debug)]
struct Ace {
    permit: bool,
    src: u8,
    dst: u8,
    svc: u8,
    port: u16,
}

fn svc_ok(a: &Ace, proto: u8, port: u16) -> bool {
    match a.svc {
        0 => true,
        1 => proto == 6,
        2 => proto == 6 && port == a.port,
        3 => proto == 17 && port == a.port,
        4 => proto == 6 && (80..=443).contains(&port),
        _ => proto == 1,
    }
}

fn ace_ok(a: &Ace, p: (u32, u32, u8, u16)) -> bool {
    addr_ok(a.src, p.0) && addr_ok(a.dst, p.1) && svc_ok(a, p.2, p.3)
}

fn first(aces: &[Ace], p: (u32, u32, u8, u16)) -> Option<bool> {
    aces.iter().find(|a| ace_ok(a, p)).map(|a| a.permit)
}

fn arb_ace() -> impl Strategy<Value = Ace> {
    (any::<bool>(), 0u8..10, 0u8..10, 0u8..6, 0usize..PORTS.len()).prop_map(
        |(permit, src, dst, svc, pi)| Ace {
            permit,
            src,
            dst,
            svc,
            port: PORTS[pi],
        },
    )
}

// ------------------------------------------------------------------ ASA

#[derive(Clone, Debug)]
struct Asa {
    levels: [u8; 3],
    inter: bool,
    acl_in: [Option<Vec<Ace>>; 3],
    global: Option<Vec<Ace>>,
    acl_out: [Option<Vec<Ace>>; 3],
}

fn asa_addr(c: u8, net_obj: bool) -> String {
    match c {
        0 => "any".into(),
        1..=6 => {
            let a = std::net::Ipv4Addr::from(ADDRS[usize::from(c - 1)]);
            format!("host {a}")
        }
        7 if net_obj => "object MN-NET".into(),
        7 => "10.10.0.0 255.255.0.0".into(),
        8 => "10.20.0.0 255.255.0.0".into(),
        _ => "object-group G".into(),
    }
}

fn asa_line(name: &str, a: &Ace, i: usize) -> String {
    let act = if a.permit { "permit" } else { "deny" };
    let (proto, port) = match a.svc {
        0 => ("ip".to_string(), String::new()),
        1 => ("tcp".into(), String::new()),
        2 if i.is_multiple_of(2) => ("tcp".into(), format!(" eq {}", a.port)),
        2 => ("object-group SVC".into(), String::new()),
        3 => ("udp".into(), format!(" eq {}", a.port)),
        4 => ("tcp".into(), " range www https".into()),
        _ => ("icmp".into(), String::new()),
    };
    let mut l = format!(
        "access-list {name} extended {act} {proto} {} {}{port}",
        asa_addr(a.src, i.is_multiple_of(3)),
        asa_addr(a.dst, i % 3 == 1)
    );
    if a.svc == 2 && i % 2 == 1 {
        // The service group holds exactly the one port.
        l = l.replace("SVC", &format!("SVC{}", a.port));
    }
    l
}

fn asa_text(c: &Asa) -> String {
    let names = ["mynumber", "lgwan", "outside"];
    let mut t = String::from("ASA Version 9.16(2)\n");
    for (i, n) in names.iter().enumerate() {
        t.push_str(&format!(
            "interface GigabitEthernet0/{i}\n nameif {n}\n security-level {}\n",
            c.levels[i]
        ));
    }
    if c.inter {
        t.push_str("same-security-traffic permit inter-interface\n");
    }
    t.push_str("object network MN-NET\n subnet 10.10.0.0 255.255.0.0\n");
    t.push_str("object-group network G\n network-object 10.10.1.0 255.255.255.0\n group-object G2\nobject-group network G2\n network-object host 10.20.9.9\n");
    for p in PORTS {
        t.push_str(&format!(
            "object-group service SVC{p}\n service-object tcp destination eq {p}\n"
        ));
    }
    let mut n = 0;
    let mut acl = |t: &mut String, name: &str, aces: &[Ace]| {
        for a in aces {
            t.push_str(&asa_line(name, a, n));
            t.push('\n');
            n += 1;
        }
        if aces.is_empty() {
            // An empty access list exists through a remark.
            t.push_str(&format!("access-list {name} remark empty\n"));
        }
    };
    for (i, name) in names.iter().enumerate() {
        if let Some(a) = &c.acl_in[i] {
            acl(&mut t, &format!("IN{i}"), a);
            t.push_str(&format!("access-group IN{i} in interface {name}\n"));
        }
        if let Some(a) = &c.acl_out[i] {
            acl(&mut t, &format!("OUT{i}"), a);
            t.push_str(&format!("access-group OUT{i} out interface {name}\n"));
        }
    }
    if let Some(g) = &c.global {
        acl(&mut t, "GLOBAL", g);
        t.push_str("access-group GLOBAL global\n");
    }
    t
}

fn asa_eval(c: &Asa, p: (u32, u32, u8, u16)) -> bool {
    let (i, e) = (seg(p.0), seg(p.1));
    let mut aces: Vec<Ace> = Vec::new();
    aces.extend(c.acl_in[i].iter().flatten().cloned());
    aces.extend(c.global.iter().flatten().cloned());
    let inbound = if c.acl_in[i].is_some() || c.global.is_some() {
        first(&aces, p).unwrap_or(false)
    } else {
        c.levels[i] > c.levels[e] || (c.levels[i] == c.levels[e] && c.inter)
    };
    inbound
        && match &c.acl_out[e] {
            Some(o) => first(o, p).unwrap_or(false),
            None => true,
        }
}

fn arb_acl() -> impl Strategy<Value = Option<Vec<Ace>>> {
    prop::option::of(prop::collection::vec(arb_ace(), 0..6))
}

fn arb_asa() -> impl Strategy<Value = Asa> {
    (
        prop::array::uniform3(prop::sample::select(vec![0u8, 50, 100])),
        any::<bool>(),
        prop::array::uniform3(arb_acl()),
        prop::option::weighted(0.3, prop::collection::vec(arb_ace(), 0..4)),
        prop::array::uniform3(prop::option::weighted(
            0.25,
            prop::collection::vec(arb_ace(), 0..4),
        )),
    )
        .prop_map(|(levels, inter, acl_in, global, acl_out)| Asa {
            levels,
            inter,
            acl_in,
            global,
            acl_out,
        })
}

fn packets() -> Vec<(u32, u32, u8, u16)> {
    let mut out = Vec::new();
    for &s in &ADDRS {
        for &d in &ADDRS {
            if seg(s) == seg(d) {
                continue;
            }
            for &pr in &PROTOS {
                for &po in &PORTS {
                    out.push((s, d, pr, if pr == 1 { 0 } else { po }));
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn point(p: (u32, u32, u8, u16)) -> [u128; 5] {
    if p.2 == 1 {
        // ICMP echo request: type 8 where the source port would be.
        [p.0.into(), p.1.into(), 1, 8, 0]
    } else {
        [p.0.into(), p.1.into(), p.2.into(), 40000, p.3.into()]
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn asa_matches_brute_force(c in arb_asa()) {
        let segs = segments("asa/segments.toml");
        let text = asa_text(&c);
        let m = matrix(&segs, &text_input("r.asa", &text));
        for p in packets() {
            let key = (SEGS[seg(p.0)].to_string(), SEGS[seg(p.1)].to_string());
            let got = m[&key].v4.contains(&point(p));
            prop_assert_eq!(got, asa_eval(&c, p), "packet {:?}\n{}", p, text);
        }
    }

    #[test]
    fn panos_matches_brute_force(c in arb_pan()) {
        let segs = segments("panos/segments.toml");
        let set = pan_set(&c);
        let xml = pan_xml(&c);
        let ms = matrix(&segs, &text_input("r.set", &set));
        let mx = matrix(&segs, &text_input("r.xml", &xml));
        for p in packets() {
            let key = (SEGS[seg(p.0)].to_string(), SEGS[seg(p.1)].to_string());
            let want = pan_eval(&c, p);
            prop_assert_eq!(ms[&key].v4.contains(&point(p)), want, "set {:?}\n{}", p, set);
            prop_assert_eq!(mx[&key].v4.contains(&point(p)), want, "xml {:?}\n{}", p, xml);
        }
    }
}

// ---------------------------------------------------------------- PAN-OS

#[derive(Clone, Debug)]
struct PanRule {
    ace: Ace,
    /// Zone masks (bit i: zone of segment i); 0 is any.
    from: u8,
    to: u8,
    /// 0 universal, 1 intrazone, 2 interzone.
    kind: u8,
    disabled: bool,
}

#[derive(Clone, Debug)]
struct Pan {
    rules: Vec<PanRule>,
    intra_allow: bool,
    inter_allow: bool,
}

const ZONES: [&str; 3] = ["mynumber", "lgwan", "untrust"];

fn zone_ok(mask: u8, z: usize) -> bool {
    mask == 0 || mask & (1 << z) != 0
}

fn pan_eval(c: &Pan, p: (u32, u32, u8, u16)) -> bool {
    let (a, b) = (seg(p.0), seg(p.1));
    for r in &c.rules {
        if r.disabled || !zone_ok(r.from, a) || !zone_ok(r.to, b) {
            continue;
        }
        // A deny by application (ICMP is only reachable through the
        // `ping` application) cannot be modelled: it is left out.
        if r.ace.svc == 5 && !r.ace.permit {
            continue;
        }
        if (r.kind == 1 && a != b) || (r.kind == 2 && a == b) {
            continue;
        }
        if ace_ok(&r.ace, p) {
            return r.ace.permit;
        }
    }
    if a == b { c.intra_allow } else { c.inter_allow }
}

fn arb_pan() -> impl Strategy<Value = Pan> {
    (
        prop::collection::vec(
            (
                arb_ace(),
                0u8..8,
                0u8..8,
                0u8..3,
                prop::bool::weighted(0.15),
            )
                .prop_map(|(ace, from, to, kind, disabled)| PanRule {
                    ace,
                    from,
                    to,
                    kind,
                    disabled,
                }),
            0..8,
        ),
        prop::bool::weighted(0.8),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(rules, intra_allow, inter_allow)| Pan {
            rules,
            intra_allow,
            inter_allow,
        })
}

fn zones(mask: u8) -> Vec<String> {
    if mask == 0 {
        return vec!["any".into()];
    }
    (0..3)
        .filter(|z| mask & (1 << z) != 0)
        .map(|z| ZONES[z].to_string())
        .collect()
}

fn pan_addr(c: u8) -> String {
    match c {
        0 => "any".into(),
        1..=6 => format!("h{c}"),
        7 => "10.10.0.0/16".into(),
        8 => "lg-net".into(),
        _ => "grp".into(),
    }
}

fn pan_service(a: &Ace) -> (String, String) {
    // (application, service)
    match a.svc {
        0 => ("any".into(), "any".into()),
        1 => ("any".into(), "tcp-all".into()),
        2 => ("any".into(), format!("tcp-{}", a.port)),
        3 => ("any".into(), format!("udp-{}", a.port)),
        4 => ("any".into(), "web-range".into()),
        // ICMP by application (ping on its default "ports").
        _ => ("ping".into(), "application-default".into()),
    }
}

fn objects_set() -> String {
    let mut t = String::new();
    for (i, z) in ZONES.iter().enumerate() {
        t.push_str(&format!(
            "set zone {z} network layer3 ethernet1/{}\n",
            i + 1
        ));
    }
    for (i, a) in ADDRS.iter().enumerate() {
        t.push_str(&format!(
            "set address h{} ip-netmask {}\n",
            i + 1,
            std::net::Ipv4Addr::from(*a)
        ));
    }
    t.push_str("set address lg-net ip-netmask 10.20.0.0/16\n");
    t.push_str("set address mn1 ip-range 10.10.1.0-10.10.1.255\n");
    t.push_str("set address-group grp static [ mn1 h4 ]\n");
    t.push_str("set service tcp-all protocol tcp port 0-65535\n");
    t.push_str("set service web-range protocol tcp port 80-443\n");
    for p in PORTS {
        t.push_str(&format!("set service tcp-{p} protocol tcp port {p}\n"));
        t.push_str(&format!("set service udp-{p} protocol udp port {p}\n"));
    }
    t
}

fn pan_set(c: &Pan) -> String {
    let mut t = objects_set();
    for (i, r) in c.rules.iter().enumerate() {
        let (app, svc) = pan_service(&r.ace);
        let n = format!("r{i}");
        let kv = [
            ("from", zones(r.from).join(" ")),
            ("to", zones(r.to).join(" ")),
            ("source", pan_addr(r.ace.src)),
            ("destination", pan_addr(r.ace.dst)),
            ("application", app),
            ("service", svc),
            (
                "action",
                if r.ace.permit { "allow" } else { "deny" }.to_string(),
            ),
            (
                "rule-type",
                ["universal", "intrazone", "interzone"][usize::from(r.kind)].to_string(),
            ),
        ];
        for (k, v) in kv {
            let v = if v.contains(' ') {
                format!("[ {v} ]")
            } else {
                v
            };
            t.push_str(&format!("set rulebase security rules {n} {k} {v}\n"));
        }
        if r.disabled {
            t.push_str(&format!("set rulebase security rules {n} disabled yes\n"));
        }
    }
    for (name, allow) in [
        ("intrazone-default", c.intra_allow),
        ("interzone-default", c.inter_allow),
    ] {
        t.push_str(&format!(
            "set rulebase default-security-rules rules {name} action {}\n",
            if allow { "allow" } else { "deny" }
        ));
    }
    t
}

fn members(tag: &str, v: &[String]) -> String {
    let m: String = v.iter().map(|x| format!("<member>{x}</member>")).collect();
    format!("<{tag}>{m}</{tag}>")
}

fn pan_xml(c: &Pan) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\"?>\n<config version=\"11.0.0\">\n<devices>\n<entry name=\"localhost.localdomain\">\n<vsys>\n<entry name=\"vsys1\">\n<zone>\n",
    );
    for (i, z) in ZONES.iter().enumerate() {
        x.push_str(&format!(
            "<entry name=\"{z}\"><network><layer3><member>ethernet1/{}</member></layer3></network></entry>\n",
            i + 1
        ));
    }
    x.push_str("</zone>\n<address>\n");
    for (i, a) in ADDRS.iter().enumerate() {
        x.push_str(&format!(
            "<entry name=\"h{}\"><ip-netmask>{}</ip-netmask></entry>\n",
            i + 1,
            std::net::Ipv4Addr::from(*a)
        ));
    }
    x.push_str("<entry name=\"lg-net\"><ip-netmask>10.20.0.0/16</ip-netmask></entry>\n");
    x.push_str("<entry name=\"mn1\"><ip-range>10.10.1.0-10.10.1.255</ip-range></entry>\n");
    x.push_str("</address>\n<address-group>\n<entry name=\"grp\"><static><member>mn1</member><member>h4</member></static></entry>\n</address-group>\n<service>\n");
    let svc = |name: &str, proto: &str, port: &str| {
        format!(
            "<entry name=\"{name}\"><protocol><{proto}><port>{port}</port></{proto}></protocol></entry>\n"
        )
    };
    x.push_str(&svc("tcp-all", "tcp", "0-65535"));
    x.push_str(&svc("web-range", "tcp", "80-443"));
    for p in PORTS {
        x.push_str(&svc(&format!("tcp-{p}"), "tcp", &p.to_string()));
        x.push_str(&svc(&format!("udp-{p}"), "udp", &p.to_string()));
    }
    x.push_str("</service>\n<rulebase>\n<security>\n<rules>\n");
    for (i, r) in c.rules.iter().enumerate() {
        let (app, svc) = pan_service(&r.ace);
        x.push_str(&format!("<entry name=\"r{i}\">"));
        x.push_str(&members("from", &zones(r.from)));
        x.push_str(&members("to", &zones(r.to)));
        x.push_str(&members("source", &[pan_addr(r.ace.src)]));
        x.push_str(&members("destination", &[pan_addr(r.ace.dst)]));
        x.push_str(&members("application", &[app]));
        x.push_str(&members("service", &[svc]));
        x.push_str(&format!(
            "<action>{}</action><rule-type>{}</rule-type>",
            if r.ace.permit { "allow" } else { "deny" },
            ["universal", "intrazone", "interzone"][usize::from(r.kind)]
        ));
        if r.disabled {
            x.push_str("<disabled>yes</disabled>");
        }
        x.push_str("</entry>\n");
    }
    x.push_str("</rules>\n</security>\n<default-security-rules><rules>\n");
    for (name, allow) in [
        ("intrazone-default", c.intra_allow),
        ("interzone-default", c.inter_allow),
    ] {
        x.push_str(&format!(
            "<entry name=\"{name}\"><action>{}</action></entry>\n",
            if allow { "allow" } else { "deny" }
        ));
    }
    x.push_str("</rules></default-security-rules>\n</rulebase>\n</entry>\n</vsys>\n</entry>\n</devices>\n</config>\n");
    x
}
