//! Cisco ASA (`show running-config`, ASA 8.3 and later).
//!
//! Understood: `interface` with `nameif`, `security-level`, `ip address`,
//! `ipv6 address` and `shutdown`; `object network` (host, subnet, range),
//! `object-group network` (network-object host / net mask / IPv6 prefix /
//! object, group-object, nested); `object service` and `object-group
//! service` (service-object and port-object with eq/neq/lt/gt/range, port
//! names such as www, https, ssh, domain, tcp-udp, ICMP types), `object-group
//! protocol` and `icmp-type`; `access-list NAME extended` (permit/deny,
//! any/any4/any6/host/mask/prefix/object/object-group/interface, ports, ICMP
//! type and code, `inactive`, `log`), `access-group NAME in|out interface
//! IF` and `access-group NAME global`; `same-security-traffic permit
//! inter-interface|intra-interface`.
//!
//! What the ASA does with a packet entering interface I for interface E:
//! the inbound ACL of I, then the global ACL, then the implicit deny; with
//! neither, the security levels decide (higher to lower permitted, equal
//! only with `same-security-traffic`). A packet so permitted must then pass
//! the outbound ACL of E, if there is one. Interfaces map to segments
//! through the segments file: a segment lists the `nameif` (or the physical
//! name) of the interfaces facing it.
//!
//! NAT: since 8.3 access lists name real (untranslated) addresses, and the
//! checker judges packets by their real addresses, so object NAT and twice
//! NAT leave the verdict exact. A line naming a *mapped* address of a static
//! NAT is warned about (it matches no translated traffic). The pre-8.3
//! `static` command, whose access lists name mapped addresses, is modelled
//! by taking a permit that names the mapped address as also permitting the
//! real one (over-approximated and reported).

use crate::NetcheckError;
use crate::addr::{parse_ip, proto_number};
use crate::budget::Budget;
use crate::ir::{Action, BaseChain, IfaceMap, IrConfig, IrRule, Wide};
use crate::report::RuleRef;
use crate::space::{BoxSet, DPORT, DST, Family, IntervalSet, PBox, PROTO, PacketSet, SPORT, SRC};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// Deepest nesting of object groups followed (a loop ends here too).
const MAX_GROUP_DEPTH: usize = 64;

const PORT_MAX: u128 = 65535;

/// Well-known port names the ASA prints instead of numbers.
pub(crate) fn port_name(name: &str) -> Option<u16> {
    Some(match name {
        "aol" => 5190,
        "bgp" => 179,
        "biff" => 512,
        "bootpc" => 68,
        "bootps" => 67,
        "chargen" => 19,
        "cifs" => 3020,
        "citrix-ica" => 1494,
        "cmd" => 514,
        "ctiqbe" => 2748,
        "daytime" => 13,
        "discard" => 9,
        "dnsix" => 195,
        "domain" => 53,
        "echo" => 7,
        "exec" => 512,
        "finger" => 79,
        "ftp" => 21,
        "ftp-data" => 20,
        "gopher" => 70,
        "h323" => 1720,
        "hostname" => 101,
        "http" | "www" => 80,
        "https" => 443,
        "ident" => 113,
        "imap4" => 143,
        "irc" => 194,
        "isakmp" => 500,
        "kerberos" => 750,
        "klogin" => 543,
        "kshell" => 544,
        "ldap" => 389,
        "ldaps" => 636,
        "login" => 513,
        "lotusnotes" => 1352,
        "lpd" => 515,
        "mobile-ip" => 434,
        "nameserver" => 42,
        "netbios-dgm" => 138,
        "netbios-ns" => 137,
        "netbios-ssn" => 139,
        "nfs" => 2049,
        "nntp" => 119,
        "ntp" => 123,
        "pcanywhere-data" => 5631,
        "pcanywhere-status" => 5632,
        "pim-auto-rp" => 496,
        "pop2" => 109,
        "pop3" => 110,
        "pptp" => 1723,
        "radius" => 1645,
        "radius-acct" => 1646,
        "rip" => 520,
        "rsh" => 514,
        "rtsp" => 554,
        "secureid-udp" => 5510,
        "sip" => 5060,
        "smtp" => 25,
        "snmp" => 161,
        "snmptrap" => 162,
        "sqlnet" => 1521,
        "ssh" => 22,
        "sunrpc" => 111,
        "syslog" => 514,
        "tacacs" => 49,
        "talk" => 517,
        "telnet" => 23,
        "tftp" => 69,
        "time" => 37,
        "uucp" => 540,
        "vxlan" => 4789,
        "who" => 513,
        "whois" => 43,
        "xdmcp" => 177,
        _ => return name.parse().ok(),
    })
}

/// ICMP type names of the ASA.
fn icmp_type(name: &str) -> Option<u8> {
    Some(match name {
        "echo-reply" => 0,
        "unreachable" => 3,
        "source-quench" => 4,
        "redirect" => 5,
        "alternate-address" => 6,
        "echo" => 8,
        "router-advertisement" => 9,
        "router-solicitation" => 10,
        "time-exceeded" => 11,
        "parameter-problem" => 12,
        "timestamp-request" => 13,
        "timestamp-reply" => 14,
        "information-request" => 15,
        "information-reply" => 16,
        "mask-request" => 17,
        "mask-reply" => 18,
        "traceroute" => 30,
        "conversion-error" => 31,
        "mobile-redirect" => 32,
        // ICMPv6
        "packet-too-big" => 2,
        "echo-request" => 128,
        "membership-query" => 130,
        "membership-report" => 131,
        "membership-reduction" => 132,
        "neighbor-solicitation" => 135,
        "neighbor-advertisement" => 136,
        "neighbor-redirect" => 137,
        _ => return name.parse().ok(),
    })
}

/// Protocol names of the ASA (`ip` is every protocol).
fn protocol(name: &str) -> Option<IntervalSet> {
    Some(match name {
        "ip" => IntervalSet::range(0, 255),
        "tcp-udp" => IntervalSet::from_intervals([(6, 6), (17, 17)]),
        "icmp6" => IntervalSet::single(58),
        "eigrp" => IntervalSet::single(88),
        "igrp" => IntervalSet::single(9),
        "ipinip" => IntervalSet::single(4),
        "nos" => IntervalSet::single(94),
        "pcp" => IntervalSet::single(108),
        "pim" => IntervalSet::single(103),
        "pptp" => IntervalSet::single(47),
        "snp" => IntervalSet::single(109),
        _ => IntervalSet::single(u128::from(proto_number(name)?)),
    })
}

fn any_ports() -> IntervalSet {
    IntervalSet::range(0, PORT_MAX)
}

fn is_icmp(p: &IntervalSet) -> bool {
    !p.is_empty()
        && p.intervals()
            .iter()
            .all(|&(a, b)| a == b && (a == 1 || a == 58))
}

fn has_port_proto(p: &IntervalSet) -> bool {
    p.intersects(&crate::addr::port_protocols())
}

/// One service: protocols, source ports (ICMP: types), destination ports
/// (ICMP: codes).
#[derive(Clone, Debug, PartialEq)]
struct Svc {
    proto: IntervalSet,
    sport: IntervalSet,
    dport: IntervalSet,
}

impl Svc {
    fn proto(p: IntervalSet) -> Self {
        Svc {
            proto: p,
            sport: any_ports(),
            dport: any_ports(),
        }
    }
}

/// Addresses of both families.
type Addrs = [IntervalSet; 2];

fn full_addrs() -> Addrs {
    [
        IntervalSet::range(0, Family::Ipv4.addr_max()),
        IntervalSet::range(0, Family::Ipv6.addr_max()),
    ]
}

fn one_addr(f: Family, s: IntervalSet) -> Addrs {
    let mut out = [IntervalSet::empty(), IntervalSet::empty()];
    out[f.index()] = s;
    out
}

fn union_addrs(a: &Addrs, b: &Addrs) -> Addrs {
    [a[0].union(&b[0]), a[1].union(&b[1])]
}

/// A configuration line with its number and words.
#[derive(Clone, Debug)]
struct Line {
    no: u32,
    words: Vec<String>,
    text: String,
}

/// A top-level command with its indented sub-commands.
#[derive(Clone, Debug)]
struct Block {
    head: Line,
    subs: Vec<Line>,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let t = raw.trim_end();
        let trimmed = t.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('!') || trimmed.starts_with(':') {
            continue;
        }
        let line = Line {
            no,
            words: trimmed.split_whitespace().map(str::to_string).collect(),
            text: trimmed.to_string(),
        };
        let indented = t.starts_with(' ') || t.starts_with('\t');
        match out.last_mut() {
            Some(b) if indented => b.subs.push(line),
            _ => out.push(Block {
                head: line,
                subs: Vec::new(),
            }),
        }
    }
    out
}

#[derive(Clone, Debug, Default)]
struct Iface {
    phys: String,
    line: u32,
    nameif: Option<String>,
    level: Option<u8>,
    addr4: Option<u128>,
    addr6: Vec<u128>,
    shutdown: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GroupKind {
    Network,
    /// A service group; with a protocol keyword (`tcp`, `udp`, `tcp-udp`)
    /// it holds ports (`port-object`).
    Service,
    Ports,
    Protocol,
    IcmpType,
    Other,
}

#[derive(Clone, Debug)]
struct Group {
    kind: GroupKind,
    /// The protocols of a port group.
    protos: IntervalSet,
    items: Vec<Line>,
}

/// A static NAT's mapped and real addresses (for warnings or, pre-8.3, to
/// widen permits).
#[derive(Clone, Debug)]
struct StaticNat {
    line: u32,
    mapped: Addrs,
    real: Addrs,
    what: String,
}

/// Parsed objects and groups, expanded on demand with memos.
struct Objects<'b> {
    net_objs: HashMap<String, (u32, Vec<Line>)>,
    svc_objs: HashMap<String, (u32, Vec<Line>)>,
    groups: HashMap<String, Group>,
    ifaces: Vec<Iface>,
    addr_memo: RefCell<HashMap<String, Result<Addrs, String>>>,
    svc_memo: RefCell<HashMap<String, Result<Vec<Svc>, String>>>,
    port_memo: RefCell<HashMap<String, Result<IntervalSet, String>>>,
    budget: &'b Budget,
    over: RefCell<Option<NetcheckError>>,
}

fn too_deep(e: &str) -> bool {
    e.contains("too deep") || e == "budget"
}

/// A mask or prefix after an address: `10.0.0.0 255.0.0.0`.
fn net_with_mask(a: &str, m: &str) -> Result<(Family, IntervalSet), String> {
    crate::addr::parse_net(&format!("{a}/{m}"))
}

/// A single address or IPv6 prefix token (`10.1.1.1`, `2001:db8::/32`).
fn net_token(a: &str) -> Result<(Family, IntervalSet), String> {
    crate::addr::parse_net(a)
}

impl Objects<'_> {
    fn spend(&self) -> Result<(), String> {
        if let Err(e) = self.budget.spend(1) {
            let mut o = self.over.borrow_mut();
            if o.is_none() {
                *o = Some(e);
            }
            return Err("budget".into());
        }
        Ok(())
    }

    fn iface(&self, nameif: &str) -> Option<&Iface> {
        self.ifaces
            .iter()
            .find(|i| i.nameif.as_deref() == Some(nameif))
    }

    /// The addresses of a network object or group.
    fn network(&self, name: &str, depth: usize) -> Result<Addrs, String> {
        if let Some(r) = self.addr_memo.borrow().get(name) {
            return r.clone();
        }
        if depth > MAX_GROUP_DEPTH {
            return Err(format!(
                "object groups nested too deep (or in a loop) at {name:?}"
            ));
        }
        self.spend()?;
        let r = self.network_uncached(name, depth);
        if depth == 0 || !r.as_ref().is_err_and(|e| too_deep(e)) {
            self.addr_memo
                .borrow_mut()
                .insert(name.to_string(), r.clone());
        }
        r
    }

    fn network_uncached(&self, name: &str, depth: usize) -> Result<Addrs, String> {
        if let Some((_, items)) = self.net_objs.get(name) {
            let mut out = [IntervalSet::empty(), IntervalSet::empty()];
            for it in items {
                let w: Vec<&str> = it.words.iter().map(String::as_str).collect();
                let got = match w.as_slice() {
                    ["host", a] => net_token(a).map(|(f, s)| one_addr(f, s))?,
                    ["subnet", a, m] => net_with_mask(a, m).map(|(f, s)| one_addr(f, s))?,
                    ["subnet", a] => net_token(a).map(|(f, s)| one_addr(f, s))?,
                    ["range", a, b] => {
                        crate::addr::parse_net(&format!("{a}-{b}")).map(|(f, s)| one_addr(f, s))?
                    }
                    ["fqdn", ..] => return Err(format!("object {name:?} is an FQDN")),
                    _ => continue,
                };
                out = union_addrs(&out, &got);
            }
            return Ok(out);
        }
        if let Some(g) = self.groups.get(name) {
            if g.kind != GroupKind::Network {
                return Err(format!("object-group {name:?} is not a network group"));
            }
            let mut out = [IntervalSet::empty(), IntervalSet::empty()];
            for it in &g.items {
                let w: Vec<&str> = it.words.iter().map(String::as_str).collect();
                let got = match w.as_slice() {
                    ["network-object", "host", a] => net_token(a).map(|(f, s)| one_addr(f, s))?,
                    ["network-object", "object", o] => self.network(o, depth + 1)?,
                    ["network-object", a, m] => net_with_mask(a, m).map(|(f, s)| one_addr(f, s))?,
                    ["network-object", a] => net_token(a).map(|(f, s)| one_addr(f, s))?,
                    ["group-object", o] => self.network(o, depth + 1)?,
                    ["description", ..] => continue,
                    _ => return Err(format!("object-group {name:?}: {:?}", it.text)),
                };
                out = union_addrs(&out, &got);
            }
            return Ok(out);
        }
        Err(format!("unknown network object {name:?}"))
    }

    /// The services of a service object or group (or a protocol or
    /// ICMP-type group, as services).
    fn services(&self, name: &str, depth: usize) -> Result<Vec<Svc>, String> {
        if let Some(r) = self.svc_memo.borrow().get(name) {
            return r.clone();
        }
        if depth > MAX_GROUP_DEPTH {
            return Err(format!(
                "object groups nested too deep (or in a loop) at {name:?}"
            ));
        }
        self.spend()?;
        let r = self.services_uncached(name, depth);
        if depth == 0 || !r.as_ref().is_err_and(|e| too_deep(e)) {
            self.svc_memo
                .borrow_mut()
                .insert(name.to_string(), r.clone());
        }
        r
    }

    fn services_uncached(&self, name: &str, depth: usize) -> Result<Vec<Svc>, String> {
        if let Some((_, items)) = self.svc_objs.get(name) {
            let mut out = Vec::new();
            for it in items {
                if it.words.first().map(String::as_str) == Some("service") {
                    out.push(service_spec(&it.words[1..])?);
                }
            }
            return Ok(out);
        }
        let Some(g) = self.groups.get(name) else {
            return Err(format!("unknown service object {name:?}"));
        };
        let mut out = Vec::new();
        for it in &g.items {
            let w: Vec<&str> = it.words.iter().map(String::as_str).collect();
            match (g.kind, w.as_slice()) {
                (_, ["description", ..]) => {}
                (_, ["group-object", o]) => out.extend(self.services(o, depth + 1)?),
                (GroupKind::Service, ["service-object", "object", o]) => {
                    out.extend(self.services(o, depth + 1)?)
                }
                (GroupKind::Service, ["service-object", rest @ ..]) => {
                    out.push(service_spec(&it.words[1..=rest.len()])?)
                }
                (GroupKind::Ports, ["port-object", rest @ ..]) => {
                    let (ports, used) = port_op(rest)?;
                    if used != rest.len() {
                        return Err(format!("object-group {name:?}: {:?}", it.text));
                    }
                    out.push(Svc {
                        proto: g.protos.clone(),
                        sport: any_ports(),
                        dport: ports,
                    });
                }
                (GroupKind::Protocol, ["protocol-object", p]) => out.push(Svc::proto(
                    protocol(p).ok_or_else(|| format!("unknown protocol {p:?}"))?,
                )),
                (GroupKind::IcmpType, ["icmp-object", t]) => {
                    let n = icmp_type(t).ok_or_else(|| format!("unknown ICMP type {t:?}"))?;
                    out.push(Svc {
                        proto: IntervalSet::from_intervals([(1, 1), (58, 58)]),
                        sport: IntervalSet::single(u128::from(n)),
                        dport: any_ports(),
                    });
                }
                _ => return Err(format!("object-group {name:?}: {:?}", it.text)),
            }
        }
        Ok(out)
    }

    /// The ports of a port group (`object-group service NAME tcp`).
    fn ports(&self, name: &str) -> Result<IntervalSet, String> {
        if let Some(r) = self.port_memo.borrow().get(name) {
            return r.clone();
        }
        let r = self.services(name, 0).map(|v| {
            v.iter()
                .fold(IntervalSet::empty(), |acc, s| acc.union(&s.dport))
        });
        self.port_memo
            .borrow_mut()
            .insert(name.to_string(), r.clone());
        r
    }

    fn is_port_group(&self, name: &str) -> bool {
        self.groups
            .get(name)
            .is_some_and(|g| g.kind == GroupKind::Ports)
    }
}

/// A port operator at the start of `w`: the ports and the words used.
fn port_op(w: &[&str]) -> Result<(IntervalSet, usize), String> {
    let port = |s: &str| -> Result<u128, String> {
        port_name(s)
            .map(u128::from)
            .ok_or_else(|| format!("unknown port {s:?}"))
    };
    match w {
        ["eq", p, ..] => Ok((IntervalSet::single(port(p)?), 2)),
        ["neq", p, ..] => Ok((IntervalSet::single(port(p)?).complement(PORT_MAX), 2)),
        ["lt", p, ..] => {
            let n = port(p)?;
            Ok((
                if n == 0 {
                    IntervalSet::empty()
                } else {
                    IntervalSet::range(0, n - 1)
                },
                2,
            ))
        }
        ["gt", p, ..] => {
            let n = port(p)?;
            Ok((
                if n >= PORT_MAX {
                    IntervalSet::empty()
                } else {
                    IntervalSet::range(n + 1, PORT_MAX)
                },
                2,
            ))
        }
        ["range", a, b, ..] => {
            let (a, b) = (port(a)?, port(b)?);
            if a > b {
                return Err(format!("bad port range {a} {b}"));
            }
            Ok((IntervalSet::range(a, b), 3))
        }
        _ => Err(format!("no port operator in {:?}", w.join(" "))),
    }
}

fn is_port_op(w: &str) -> bool {
    matches!(w, "eq" | "neq" | "lt" | "gt" | "range")
}

/// `tcp [source OP P] [destination OP P]`, `tcp eq P` (destination),
/// `icmp [TYPE [CODE]]`, `ip`, a protocol number.
fn service_spec(w: &[String]) -> Result<Svc, String> {
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    let Some((p, rest)) = w.split_first() else {
        return Err("empty service".into());
    };
    let proto = protocol(p).ok_or_else(|| format!("unknown protocol {p:?}"))?;
    let mut svc = Svc::proto(proto.clone());
    if is_icmp(&proto) {
        if let Some(t) = rest.first() {
            let n = icmp_type(t).ok_or_else(|| format!("unknown ICMP type {t:?}"))?;
            svc.sport = IntervalSet::single(u128::from(n));
            if let Some(c) = rest.get(1) {
                let c: u8 = c.parse().map_err(|_| format!("bad ICMP code {c:?}"))?;
                svc.dport = IntervalSet::single(u128::from(c));
            }
        }
        return Ok(svc);
    }
    let mut i = 0;
    while i < rest.len() {
        let (dim_is_src, at) = match rest[i] {
            "source" => (true, i + 1),
            "destination" => (false, i + 1),
            x if is_port_op(x) => (false, i),
            "description" => break,
            other => return Err(format!("service {other:?} not understood")),
        };
        if !has_port_proto(&proto) {
            return Err(format!("ports on protocol {p:?}"));
        }
        let (ports, used) = port_op(&rest[at.min(rest.len())..])?;
        if dim_is_src {
            svc.sport = ports;
        } else {
            svc.dport = ports;
        }
        i = at + used;
    }
    Ok(svc)
}

/// One access-list entry as parsed.
#[derive(Clone, Debug)]
struct Ace {
    line: u32,
    text: String,
    permit: bool,
    set: PacketSet,
    wide: Wide,
    problems: Vec<String>,
    /// The explicit addresses (host, mask) named, for NAT warnings.
    literal: Vec<(usize, Addrs)>,
}

/// Reads an address at `w[*i..]`; `Err` is a construct that cannot be
/// modelled (taken as any address).
fn address(
    w: &[&str],
    i: &mut usize,
    objs: &Objects,
    literal: &mut Vec<Addrs>,
) -> Result<Addrs, String> {
    let tok = *w.get(*i).ok_or("address missing")?;
    *i += 1;
    let take = |i: &mut usize| -> Result<&str, String> {
        let t = w.get(*i).copied().ok_or("address missing")?;
        *i += 1;
        Ok(t)
    };
    match tok {
        "any" => Ok(full_addrs()),
        "any4" => Ok(one_addr(
            Family::Ipv4,
            IntervalSet::range(0, Family::Ipv4.addr_max()),
        )),
        "any6" => Ok(one_addr(
            Family::Ipv6,
            IntervalSet::range(0, Family::Ipv6.addr_max()),
        )),
        "host" => {
            let a = take(i)?;
            let (f, s) = net_token(a)?;
            let r = one_addr(f, s);
            literal.push(r.clone());
            Ok(r)
        }
        "object" | "object-group" => {
            let n = take(i)?;
            objs.network(n, 0)
        }
        "interface" => {
            let n = take(i)?;
            let ifc = objs
                .iface(n)
                .ok_or_else(|| format!("unknown interface {n:?}"))?;
            let mut out = [IntervalSet::empty(), IntervalSet::empty()];
            if let Some(a) = ifc.addr4 {
                out[0] = IntervalSet::single(a);
            }
            for a in &ifc.addr6 {
                out[1] = out[1].union(&IntervalSet::single(*a));
            }
            Ok(out)
        }
        "user" | "user-group" | "object-group-user" | "object-group-security" => {
            take(i)?;
            Err(format!("identity match {tok:?}"))
        }
        "security-group" => {
            take(i)?;
            take(i)?;
            Err("security-group match".into())
        }
        a if a.contains(':') => {
            let (f, s) = net_token(a)?;
            let r = one_addr(f, s);
            literal.push(r.clone());
            Ok(r)
        }
        a if parse_ip(a).is_some() => {
            let m = take(i)?;
            let (f, s) = net_with_mask(a, m)?;
            let r = one_addr(f, s);
            literal.push(r.clone());
            Ok(r)
        }
        other => Err(format!("address {other:?} not understood")),
    }
}

/// Identity matches may stand before a source address.
fn skip_identity(w: &[&str], i: &mut usize, problems: &mut Vec<String>) {
    while let Some(&t) = w.get(*i) {
        match t {
            "user" | "user-group" | "object-group-user" | "object-group-security" => {
                problems.push(format!("identity match {t:?}"));
                *i += 2;
            }
            "security-group" => {
                problems.push("security-group match".into());
                *i += 3;
            }
            _ => break,
        }
    }
}

fn parse_ace(l: &Line, objs: &Objects) -> Option<Ace> {
    let w: Vec<&str> = l.words.iter().map(String::as_str).collect();
    // access-list NAME [line N] [extended] permit|deny ...
    let mut i = 2;
    if w.get(i) == Some(&"line") {
        i += 2;
    }
    match w.get(i).copied() {
        Some("extended") => i += 1,
        Some("permit" | "deny") => {}
        _ => return None,
    }
    let permit = match w.get(i).copied() {
        Some("permit") => true,
        Some("deny") => false,
        _ => return None,
    };
    i += 1;
    let mut problems: Vec<String> = Vec::new();
    let mut literal: Vec<(usize, Addrs)> = Vec::new();
    // Protocol: a name or number, or a service object or group.
    let mut svcs: Vec<Svc> = Vec::new();
    let mut svc_named = false;
    match w.get(i).copied() {
        Some(k @ ("object" | "object-group")) => {
            let n = w.get(i + 1).copied().unwrap_or_default();
            i += 2;
            svc_named = true;
            match objs.services(n, 0) {
                Ok(v) => svcs = v,
                Err(e) => {
                    problems.push(format!("{k} {n}: {e}"));
                    svcs = vec![Svc::proto(IntervalSet::range(0, 255))];
                }
            }
        }
        Some(p) => {
            i += 1;
            match protocol(p) {
                Some(ps) => svcs.push(Svc::proto(ps)),
                None => {
                    problems.push(format!("unknown protocol {p:?}"));
                    svcs.push(Svc::proto(IntervalSet::range(0, 255)));
                }
            }
        }
        None => return None,
    }
    let port_capable = !svc_named && svcs.iter().any(|s| has_port_proto(&s.proto));
    let icmp = !svc_named && svcs.iter().all(|s| is_icmp(&s.proto));
    skip_identity(&w, &mut i, &mut problems);
    let mut lit = Vec::new();
    let src = address(&w, &mut i, objs, &mut lit).unwrap_or_else(|e| {
        problems.push(e);
        full_addrs()
    });
    literal.extend(lit.drain(..).map(|a| (SRC, a)));
    // A source port, unless the next words are the destination.
    let mut sport = any_ports();
    if port_capable {
        match w.get(i).copied() {
            Some(op) if is_port_op(op) => match port_op(&w[i..]) {
                Ok((p, used)) => {
                    sport = p;
                    i += used;
                }
                Err(e) => {
                    problems.push(e);
                    i += 2;
                }
            },
            Some("object-group") if objs.is_port_group(w.get(i + 1).copied().unwrap_or("")) => {
                match objs.ports(w[i + 1]) {
                    Ok(p) => sport = p,
                    Err(e) => problems.push(e),
                }
                i += 2;
            }
            _ => {}
        }
    }
    let dst = address(&w, &mut i, objs, &mut lit).unwrap_or_else(|e| {
        problems.push(e);
        full_addrs()
    });
    literal.extend(lit.drain(..).map(|a| (DST, a)));
    let mut dport = any_ports();
    let mut icmp_t = any_ports();
    let mut icmp_c = any_ports();
    let mut inactive = false;
    let mut time_range = None;
    while i < w.len() {
        let t = w[i];
        match t {
            op if is_port_op(op) && port_capable => match port_op(&w[i..]) {
                Ok((p, used)) => {
                    dport = p;
                    i += used;
                }
                Err(e) => {
                    problems.push(e);
                    i += 2;
                }
            },
            "object-group" if port_capable || icmp => {
                let n = w.get(i + 1).copied().unwrap_or_default();
                if icmp {
                    match objs.services(n, 0) {
                        Ok(v) => {
                            icmp_t = v
                                .iter()
                                .fold(IntervalSet::empty(), |a, s| a.union(&s.sport))
                        }
                        Err(e) => problems.push(e),
                    }
                } else {
                    match objs.ports(n) {
                        Ok(p) => dport = p,
                        Err(e) => problems.push(e),
                    }
                }
                i += 2;
            }
            "log" => {
                i += 1;
                // log [level] [interval N] | log disable | log default
                while let Some(&x) = w.get(i) {
                    match x {
                        "interval" => i += 2,
                        "disable" | "default" | "emergencies" | "alerts" | "critical"
                        | "errors" | "warnings" | "notifications" | "informational"
                        | "debugging" => i += 1,
                        x if x.parse::<u8>().is_ok() => i += 1,
                        _ => break,
                    }
                }
            }
            "inactive" => {
                inactive = true;
                i += 1;
            }
            "time-range" => {
                time_range = w.get(i + 1).map(|s| s.to_string());
                i += 2;
            }
            x if icmp && icmp_t.is_full(PORT_MAX) && icmp_type(x).is_some() => {
                icmp_t = IntervalSet::single(u128::from(icmp_type(x).unwrap_or(0)));
                i += 1;
                if let Some(c) = w.get(i).and_then(|c| c.parse::<u8>().ok()) {
                    icmp_c = IntervalSet::single(u128::from(c));
                    i += 1;
                }
            }
            other => {
                problems.push(format!("{other:?} not understood"));
                break;
            }
        }
    }
    if inactive {
        return None;
    }
    if let Some(tr) = time_range {
        problems.push(format!("time-range {tr:?}"));
    }
    let mut set = PacketSet::empty();
    for f in Family::ALL {
        let (s, d) = (&src[f.index()], &dst[f.index()]);
        if s.is_empty() || d.is_empty() {
            continue;
        }
        let mut bs = BoxSet::empty();
        for sv in &svcs {
            let mut b = PBox::universe(f);
            b.dims[SRC] = s.clone();
            b.dims[DST] = d.clone();
            b.dims[PROTO] = sv.proto.clone();
            if is_icmp(&sv.proto) && !svc_named {
                b.dims[SPORT] = icmp_t.clone();
                b.dims[DPORT] = icmp_c.clone();
            } else {
                b.dims[SPORT] = sv.sport.intersect(&sport);
                b.dims[DPORT] = sv.dport.intersect(&dport);
            }
            if !b.is_empty() {
                bs.add_box(b);
            }
        }
        *set.get_mut(f) = bs;
    }
    let full_src =
        src[0].is_full(Family::Ipv4.addr_max()) || src[1].is_full(Family::Ipv6.addr_max());
    let full_dst =
        dst[0].is_full(Family::Ipv4.addr_max()) || dst[1].is_full(Family::Ipv6.addr_max());
    let dport_any = dport.is_full(PORT_MAX)
        && svcs
            .iter()
            .any(|s| has_port_proto(&s.proto) && s.dport.is_full(PORT_MAX));
    problems.dedup();
    Some(Ace {
        line: l.no,
        text: l.text.clone(),
        permit,
        set,
        wide: Wide {
            src_any: full_src,
            dst_any: full_dst,
            dport_any,
        },
        problems,
        literal,
    })
}

fn conf_err(file: &str, line: u32, message: String) -> NetcheckError {
    NetcheckError::Config {
        file: file.to_string(),
        line,
        message,
    }
}

/// True when the text looks like an ASA running configuration.
pub(crate) fn looks_like(text: &str) -> bool {
    let mut acl = false;
    let mut iface = false;
    for l in text.lines().take(20_000) {
        let t = l.trim_start();
        if t.starts_with("ASA Version ")
            || (t.starts_with(": Saved") && text.contains("ASA Version"))
        {
            return true;
        }
        if t.starts_with("access-group ")
            || (t.starts_with("access-list ") && t.contains(" extended "))
        {
            acl = true;
        }
        if t.starts_with("nameif ") || t.starts_with("security-level ") {
            iface = true;
        }
        if acl && iface {
            return true;
        }
    }
    false
}

struct Binding {
    acl: String,
    line: u32,
    text: String,
}

pub(crate) fn parse(
    file: &str,
    text: &str,
    ifmap: &IfaceMap,
    budget: &Budget,
) -> Result<IrConfig, NetcheckError> {
    let file_rc: Arc<str> = file.into();
    let text = text.trim_start_matches('\u{feff}');
    let bl = blocks(text);
    let mut ifaces: Vec<Iface> = Vec::new();
    let mut net_objs = HashMap::new();
    let mut svc_objs = HashMap::new();
    let mut groups: HashMap<String, Group> = HashMap::new();
    let mut acls: HashMap<String, Vec<Line>> = HashMap::new();
    let mut acl_order: Vec<String> = Vec::new();
    let mut bind_in: HashMap<String, Binding> = HashMap::new();
    let mut bind_out: HashMap<String, Binding> = HashMap::new();
    let mut global: Option<Binding> = None;
    let mut inter = false;
    let mut intra = false;
    let mut nats: Vec<StaticNat> = Vec::new();
    let mut legacy: Vec<StaticNat> = Vec::new();
    let mut obj_nat: Vec<(String, u32, String)> = Vec::new();
    let mut recognised = 0usize;
    let rref = |no: u32, t: &str| RuleRef {
        file: file_rc.clone(),
        line: no,
        text: t.into(),
        vdom: None,
    };
    let mut cfg = IrConfig {
        families: [true, true],
        ..IrConfig::default()
    };
    for b in &bl {
        budget.spend(1)?;
        let w: Vec<&str> = b.head.words.iter().map(String::as_str).collect();
        match w.as_slice() {
            ["ASA", "Version", ..] | ["hostname", ..] => recognised += 1,
            ["interface", name, ..] => {
                recognised += 1;
                let mut ifc = Iface {
                    phys: (*name).to_string(),
                    line: b.head.no,
                    ..Iface::default()
                };
                for s in &b.subs {
                    let sw: Vec<&str> = s.words.iter().map(String::as_str).collect();
                    match sw.as_slice() {
                        ["nameif", n] => ifc.nameif = Some((*n).to_string()),
                        ["security-level", n] => {
                            ifc.level = Some(n.parse().map_err(|_| {
                                conf_err(
                                    file,
                                    s.no,
                                    format!("security-level {n:?} / bad security level"),
                                )
                            })?)
                        }
                        ["ip", "address", a, ..] => {
                            ifc.addr4 = parse_ip(a).map(|(_, v)| v);
                        }
                        ["ipv6", "address", a, ..] => {
                            if let Ok((Family::Ipv6, s)) =
                                crate::addr::parse_net(a.split('/').next().unwrap_or(a))
                                && let Some(&(lo, _)) = s.intervals().first()
                            {
                                ifc.addr6.push(lo);
                            }
                        }
                        ["shutdown"] => ifc.shutdown = true,
                        _ => {}
                    }
                }
                ifaces.push(ifc);
            }
            ["object", "network", name] => {
                recognised += 1;
                for s in &b.subs {
                    if s.words.first().map(String::as_str) == Some("nat") {
                        obj_nat.push(((*name).to_string(), s.no, s.text.clone()));
                    }
                }
                net_objs.insert((*name).to_string(), (b.head.no, b.subs.clone()));
            }
            ["object", "service", name] => {
                recognised += 1;
                svc_objs.insert((*name).to_string(), (b.head.no, b.subs.clone()));
            }
            ["object-group", kind, name, rest @ ..] => {
                recognised += 1;
                let (kind, protos) = match (*kind, rest) {
                    ("network", _) => (GroupKind::Network, IntervalSet::empty()),
                    ("service", [p, ..]) => (
                        GroupKind::Ports,
                        protocol(p).unwrap_or_else(|| IntervalSet::range(0, 255)),
                    ),
                    ("service", []) => (GroupKind::Service, IntervalSet::empty()),
                    ("protocol", _) => (GroupKind::Protocol, IntervalSet::empty()),
                    ("icmp-type", _) => (GroupKind::IcmpType, IntervalSet::empty()),
                    _ => (GroupKind::Other, IntervalSet::empty()),
                };
                groups.insert(
                    (*name).to_string(),
                    Group {
                        kind,
                        protos,
                        items: b.subs.clone(),
                    },
                );
            }
            ["access-list", name, ..] => {
                recognised += 1;
                if !acls.contains_key(*name) {
                    acl_order.push((*name).to_string());
                }
                acls.entry((*name).to_string())
                    .or_default()
                    .push(b.head.clone());
            }
            ["access-group", acl, "global"] => {
                recognised += 1;
                global = Some(Binding {
                    acl: (*acl).to_string(),
                    line: b.head.no,
                    text: b.head.text.clone(),
                });
            }
            [
                "access-group",
                acl,
                dir @ ("in" | "out"),
                "interface",
                ifn,
                rest @ ..,
            ] => {
                recognised += 1;
                if rest.contains(&"control-plane") {
                    continue;
                }
                let bind = Binding {
                    acl: (*acl).to_string(),
                    line: b.head.no,
                    text: b.head.text.clone(),
                };
                if *dir == "in" {
                    bind_in.insert((*ifn).to_string(), bind);
                } else {
                    bind_out.insert((*ifn).to_string(), bind);
                }
            }
            ["same-security-traffic", "permit", "inter-interface"] => inter = true,
            ["same-security-traffic", "permit", "intra-interface"] => intra = true,
            ["nat", ..] => {
                recognised += 1;
                nats_of_twice(&w, b.head.no, &b.head.text, &mut nats);
            }
            ["static", ..] => {
                recognised += 1;
                if let Some(n) = legacy_static(&w, b.head.no, &b.head.text) {
                    legacy.push(n);
                } else {
                    cfg.unsupported(
                        &rref(b.head.no, &b.head.text),
                        "8.3 より前の static NAT を解釈できません。変換後のアドレスを指すアクセスリストは書かれたとおりに読みます",
                        "pre-8.3 static NAT not understood: access lists naming its mapped addresses are read as written",
                    );
                }
            }
            _ => {}
        }
    }
    if recognised == 0 || (ifaces.iter().all(|i| i.nameif.is_none()) && acls.is_empty()) {
        return Err(conf_err(
            file,
            bl.first().map(|b| b.head.no).unwrap_or(0),
            "Cisco ASA の設定として読めません (interface / nameif も access-list もありません) / not a Cisco ASA configuration (no interface with nameif, no access-list)".into(),
        ));
    }
    for i in &mut ifaces {
        if i.level.is_none() {
            // The ASA gives `inside` 100 and every other name 0.
            i.level = Some(if i.nameif.as_deref() == Some("inside") {
                100
            } else {
                0
            });
        }
    }
    let objs = Objects {
        net_objs,
        svc_objs,
        groups,
        ifaces,
        addr_memo: RefCell::new(HashMap::new()),
        svc_memo: RefCell::new(HashMap::new()),
        port_memo: RefCell::new(HashMap::new()),
        budget,
        over: RefCell::new(None),
    };
    // Object NAT: the object's real addresses and the mapped ones.
    for (name, no, text) in &obj_nat {
        let w: Vec<&str> = text.split_whitespace().collect();
        if let Some(pos) = w.iter().position(|x| *x == "static")
            && let Some(m) = w.get(pos + 1)
            && let Ok(real) = objs.network(name, 0)
        {
            let mapped = match objs.network(m, 0) {
                Ok(a) => Some(a),
                Err(_) => net_token(m).ok().map(|(f, s)| one_addr(f, s)),
            };
            if let Some(mapped) = mapped {
                nats.push(StaticNat {
                    line: *no,
                    mapped,
                    real,
                    what: format!("object {name}"),
                });
            }
        }
    }
    // Twice NAT names objects: resolve them now.
    let nats: Vec<StaticNat> = nats
        .into_iter()
        .filter_map(|n| resolve_nat(n, &objs))
        .collect();
    let legacy: Vec<StaticNat> = legacy
        .into_iter()
        .filter_map(|n| resolve_nat(n, &objs))
        .collect();

    // The named interfaces and the addresses behind each.
    let named: Vec<&Iface> = objs
        .ifaces
        .iter()
        .filter(|i| i.nameif.is_some() && !i.shutdown)
        .collect();
    let mut behind: Vec<Addrs> = Vec::new();
    for i in &named {
        let mut names = vec![i.phys.clone()];
        names.extend(i.nameif.clone());
        match ifmap.addrs(&names) {
            Ok(a) => behind.push(a),
            Err(p) => {
                return Err(conf_err(
                    file,
                    i.line,
                    format!(
                        "ASA の通信はインタフェースで区別されるため、セグメントファイルの各セグメントに interfaces (nameif) が必要です / ASA traffic is told apart by interface: every segment of the segments file must list its interfaces (nameif): {p}"
                    ),
                ));
            }
        }
    }

    // Interfaces that face no segment: their traffic is not judged. None
    // at all is a segments file written for another device: refused, not
    // a clean verdict.
    let unmapped: Vec<String> = named
        .iter()
        .zip(&behind)
        .filter(|(_, a)| a.iter().all(IntervalSet::is_empty))
        .filter_map(|(i, _)| i.nameif.clone())
        .collect();
    if !named.is_empty() && unmapped.len() == named.len() {
        return Err(conf_err(
            file,
            named.first().map(|i| i.line).unwrap_or(0),
            format!(
                "この ASA のインタフェース ({}) はどれもセグメントファイルの interfaces にありません / no interface of this ASA ({}) is listed under a segment's interfaces in the segments file",
                unmapped.join(", "),
                unmapped.join(", ")
            ),
        ));
    }
    if !unmapped.is_empty() {
        cfg.notes.push(format!(
            "{file}: セグメントに対応しないインタフェース ({}) の通信は判定していません / interfaces facing no segment ({}) are not judged",
            unmapped.join(", "),
            unmapped.join(", ")
        ));
    }

    // Every access list, parsed once.
    let mut parsed: HashMap<String, Vec<Ace>> = HashMap::new();
    // Only access lists bound by access-group filter traffic (others
    // serve NAT, VPN, class maps… and are not read).
    let bound: Vec<&str> = bind_in
        .values()
        .chain(bind_out.values())
        .chain(global.iter())
        .map(|b| b.acl.as_str())
        .collect();
    for name in acl_order.iter().filter(|n| bound.contains(&n.as_str())) {
        let mut v = Vec::new();
        for l in acls.get(name).into_iter().flatten() {
            budget.spend(1)?;
            if let Some(mut ace) = parse_ace(l, &objs) {
                if let Some(e) = objs.over.borrow_mut().take() {
                    return Err(e);
                }
                apply_nat(&mut ace, &nats, &legacy, &mut cfg, &file_rc);
                v.push(ace);
            } else if matches!(
                l.words.get(2).map(String::as_str),
                Some("extended" | "permit" | "deny")
            ) {
                // An entry not read at all (inactive entries are left
                // out without a word: the ASA ignores them).
                if !l.words.iter().any(|x| x == "inactive") {
                    cfg.unsupported(
                        &rref(l.no, &l.text),
                        "このアクセスリストの行を解釈できません",
                        "access-list entry not understood",
                    );
                }
            }
        }
        parsed.insert(name.clone(), v);
    }
    if let Some(e) = objs.over.borrow_mut().take() {
        return Err(e);
    }

    let any_out = named
        .iter()
        .any(|i| i.nameif.as_ref().is_some_and(|n| bind_out.contains_key(n)));
    let mut chains: HashMap<String, Vec<IrRule>> = HashMap::new();
    let accept_action = |any_out: bool| {
        if any_out {
            Action::Jump("out".into())
        } else {
            Action::Accept
        }
    };
    let guard = |dim: usize, a: &Addrs| -> PacketSet {
        let mut s = PacketSet::empty();
        for f in Family::ALL {
            let mut b = BoxSet::universe(f);
            b.restrict_dim(dim, &a[f.index()]);
            *s.get_mut(f) = b;
        }
        s
    };
    // Interfaces whose segments also sit behind another interface: their
    // refusals cannot be told apart from the other's, so they are left
    // out (more is permitted, never less) and the rest goes on.
    let overlaps = |k: usize, dim_addrs: &[Addrs]| -> bool {
        dim_addrs
            .iter()
            .enumerate()
            .any(|(j, a)| j != k && (0..2).any(|x| a[x].intersects(&dim_addrs[k][x])))
    };
    let push_ace = |cfg: &mut IrConfig,
                    rules: &mut Vec<IrRule>,
                    ace: &Ace,
                    restrict: Option<&PacketSet>,
                    shared: bool,
                    any_out: bool| {
        let id = cfg.add_rule(rref(ace.line, &ace.text), ace.wide, false);
        let set = match restrict {
            Some(r) => ace.set.intersect(r),
            None => ace.set.clone(),
        };
        let mut problems = ace.problems.clone();
        if shared && !ace.permit {
            problems
                .push("the segment sits behind several interfaces: this deny is not taken".into());
        }
        let action = match (problems.is_empty(), ace.permit) {
            (true, true) => accept_action(any_out),
            (true, false) => Action::Drop,
            (false, true) => Action::Approx(problems.join("; ")),
            (false, false) => Action::Unsupported(problems.join("; ")),
        };
        rules.push(IrRule { id, set, action });
    };

    // The base chain: by ingress interface.
    let mut base = Vec::new();
    // Interfaces facing no segment carry no traffic between segments:
    // left out, so that a file of thousands of interfaces stays linear in
    // the segments file.
    let faces = |k: usize| behind[k].iter().any(|a| !a.is_empty());
    for (k, i) in named.iter().enumerate() {
        let Some(nameif) = i.nameif.as_deref() else {
            continue;
        };
        if !faces(k) {
            continue;
        }
        budget.spend(1)?;
        let level = i.level.unwrap_or(0);
        let jid = cfg.add_rule(
            rref(
                i.line,
                &format!(
                    "interface {} nameif {nameif} security-level {level}",
                    i.phys
                ),
            ),
            Wide::default(),
            true,
        );
        let chain = format!("in {nameif}");
        base.push(IrRule {
            id: jid,
            set: guard(SRC, &behind[k]),
            action: Action::Jump(chain.clone()),
        });
        let shared = overlaps(k, &behind);
        let mut rules = Vec::new();
        let in_acl = bind_in.get(nameif);
        for b in in_acl.into_iter().chain(global.as_ref()) {
            match parsed.get(&b.acl) {
                Some(aces) => {
                    for ace in aces {
                        push_ace(&mut cfg, &mut rules, ace, None, shared, any_out);
                    }
                }
                None => cfg.unsupported(
                    &rref(b.line, &b.text),
                    format!("アクセスリスト {:?} は定義されていません", b.acl),
                    format!("access-list {:?} is not defined", b.acl),
                ),
            }
        }
        if let Some(b) = in_acl.or(global.as_ref()) {
            let id = cfg.add_rule(
                rref(b.line, &format!("{} (implicit deny)", b.text)),
                Wide::default(),
                true,
            );
            rules.push(IrRule {
                id,
                set: PacketSet::universe(),
                action: if shared { Action::Return } else { Action::Drop },
            });
        } else {
            // No access list: the security levels decide.
            for (m, e) in named.iter().enumerate() {
                if !faces(m) {
                    continue;
                }
                budget.spend(1)?;
                let el = e.level.unwrap_or(0);
                let same = m == k;
                let ok = if same {
                    intra
                } else {
                    level > el || (level == el && inter)
                };
                if !ok {
                    continue;
                }
                let id = cfg.add_rule(
                    rref(
                        i.line,
                        &format!(
                            "security-level {level} ({nameif}) -> {el} ({}): permitted without an access list",
                            e.nameif.as_deref().unwrap_or_default()
                        ),
                    ),
                    Wide {
                        src_any: true,
                        dst_any: true,
                        dport_any: true,
                    },
                    false,
                );
                rules.push(IrRule {
                    id,
                    set: guard(DST, &behind[m]),
                    action: accept_action(any_out),
                });
            }
            let id = cfg.add_rule(
                rref(
                    i.line,
                    &format!("security-level {level} ({nameif}): lower or equal levels denied"),
                ),
                Wide::default(),
                true,
            );
            rules.push(IrRule {
                id,
                set: PacketSet::universe(),
                action: if shared { Action::Return } else { Action::Drop },
            });
        }
        chains.insert(chain, rules);
    }
    // Outbound access lists, by egress interface.
    if any_out {
        let mut rules = Vec::new();
        for (m, e) in named.iter().enumerate() {
            let Some(b) = e.nameif.as_ref().and_then(|n| bind_out.get(n)) else {
                continue;
            };
            if !faces(m) {
                continue;
            }
            let g = guard(DST, &behind[m]);
            let shared = overlaps(m, &behind);
            for ace in parsed.get(&b.acl).into_iter().flatten() {
                push_ace(&mut cfg, &mut rules, ace, Some(&g), shared, false);
            }
            let id = cfg.add_rule(
                rref(b.line, &format!("{} (implicit deny)", b.text)),
                Wide::default(),
                true,
            );
            if !shared {
                rules.push(IrRule {
                    id,
                    set: g,
                    action: Action::Drop,
                });
            }
        }
        let id = cfg.add_rule(
            rref(0, "(no outbound access-list on the egress interface)"),
            Wide::default(),
            true,
        );
        rules.push(IrRule {
            id,
            set: PacketSet::universe(),
            action: Action::Accept,
        });
        chains.insert("out".into(), rules);
    }
    let deny = cfg.add_rule(
        rref(0, "(traffic not arriving on a named interface)"),
        Wide::default(),
        true,
    );
    chains.insert("asa".into(), base);
    cfg.chains = chains;
    cfg.bases.push(BaseChain {
        name: "asa".into(),
        families: [true, true],
        prio: 0,
        accept_by_default: false,
        policy_rule: deny,
    });
    if !legacy.is_empty() {
        cfg.notes.push(format!(
            "{file}: ASA 8.3 より前の static NAT を読みました。マップ先アドレスを許可する行は実アドレスも許可するものとして扱います / pre-8.3 static NAT read: a permit naming a mapped address is taken as permitting the real one too"
        ));
    }
    Ok(cfg)
}

/// Twice NAT: `nat (in,out) [after-auto] source static REAL MAPPED
/// [destination static MAPPED_D REAL_D] ...`: the static pairs, by name.
fn nats_of_twice(w: &[&str], line: u32, text: &str, out: &mut Vec<StaticNat>) {
    let mut i = 0;
    while i < w.len() {
        if let ("source" | "destination", Some(&"static"), Some(a), Some(b)) =
            (w[i], w.get(i + 1), w.get(i + 2), w.get(i + 3))
        {
            // source: real then mapped; destination: mapped then real.
            let (real, mapped) = if w[i] == "source" { (a, b) } else { (b, a) };
            out.push(StaticNat {
                line,
                mapped: [IntervalSet::empty(), IntervalSet::empty()],
                real: [IntervalSet::empty(), IntervalSet::empty()],
                what: format!("{real}\u{0}{mapped}\u{0}{text}"),
            });
            i += 4;
        } else {
            i += 1;
        }
    }
}

/// Pre-8.3 `static (in,out) [tcp|udp] MAPPED [P] REAL [P] [netmask M]`.
fn legacy_static(w: &[&str], line: u32, text: &str) -> Option<StaticNat> {
    let mut rest: Vec<&str> = w.get(2..)?.to_vec();
    let mut ports = false;
    if matches!(rest.first(), Some(&("tcp" | "udp"))) {
        ports = true;
        rest.remove(0);
    }
    let mask = rest
        .iter()
        .position(|x| *x == "netmask")
        .and_then(|p| rest.get(p + 1).copied())
        .unwrap_or("255.255.255.255");
    let (mapped, real) = if ports {
        (*rest.first()?, *rest.get(2)?)
    } else {
        (*rest.first()?, *rest.get(1)?)
    };
    Some(StaticNat {
        line,
        mapped: [IntervalSet::empty(), IntervalSet::empty()],
        real: [IntervalSet::empty(), IntervalSet::empty()],
        what: format!("{real}/{mask}\u{0}{mapped}/{mask}\u{0}{text}"),
    })
}

/// Fills in the addresses of a NAT whose `what` holds "real\0mapped\0text".
fn resolve_nat(mut n: StaticNat, objs: &Objects) -> Option<StaticNat> {
    let mut parts = n.what.split('\u{0}');
    let (Some(r), Some(m), Some(text)) = (parts.next(), parts.next(), parts.next()) else {
        // Object NAT: already resolved.
        return Some(n);
    };
    let get = |x: &str| -> Option<Addrs> {
        if x == "interface" || x == "any" {
            return None;
        }
        objs.network(x, 0)
            .ok()
            .or_else(|| net_token(x).ok().map(|(f, s)| one_addr(f, s)))
    };
    let (real, mapped) = (get(r)?, get(m)?);
    if real == mapped {
        // Identity NAT changes nothing.
        return None;
    }
    n.real = real;
    n.mapped = mapped;
    n.what = text.to_string();
    Some(n)
}

/// NAT and one access-list entry: warns when an 8.3+ entry names a mapped
/// address; widens a permit naming a pre-8.3 mapped address to its real one.
fn apply_nat(
    ace: &mut Ace,
    nats: &[StaticNat],
    legacy: &[StaticNat],
    cfg: &mut IrConfig,
    file: &Arc<str>,
) {
    let rref = RuleRef {
        file: file.clone(),
        line: ace.line,
        text: ace.text.as_str().into(),
        vdom: None,
    };
    for (_, lit) in &ace.literal {
        for n in nats {
            let hit =
                (0..2).any(|x| lit[x].intersects(&n.mapped[x]) && !lit[x].intersects(&n.real[x]));
            if hit {
                cfg.warn(
                    &rref,
                    format!(
                        "この行は静的 NAT ({}, {} 行目) の変換後アドレスを指定しています。ASA 8.3 以降のアクセスリストは実アドレスで照合するため、変換される通信には一致しません",
                        n.what, n.line
                    ),
                    format!(
                        "this line names the mapped address of a static NAT ({}, line {}): since ASA 8.3 access lists match real addresses, so it matches no translated traffic",
                        n.what, n.line
                    ),
                );
            }
        }
    }
    if !ace.permit {
        return;
    }
    let mut widened = false;
    for n in legacy {
        for f in Family::ALL {
            let x = f.index();
            let cur = ace.set.get(f).clone();
            let mut add = BoxSet::empty();
            for b in cur.boxes() {
                for dim in [SRC, DST] {
                    if b.dims[dim].intersects(&n.mapped[x]) {
                        let mut nb = b.clone();
                        nb.dims[dim] = n.real[x].clone();
                        // Ports may be translated too: any port.
                        nb.dims[SPORT] = any_ports();
                        nb.dims[DPORT] = any_ports();
                        add.add_box(nb);
                        widened = true;
                    }
                }
            }
            if !add.is_empty() {
                *ace.set.get_mut(f) = cur.union(&add);
            }
        }
    }
    if widened {
        ace.problems.push(
            "pre-8.3 static NAT: the mapped address is taken as also meaning the real one, on any port".into(),
        );
    }
}
