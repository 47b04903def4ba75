//! FortiOS configuration (`show full-configuration`, backups, aerleon output).
//!
//! Understood: `firewall address` / `address6` (ipmask, iprange, ipprefix),
//! `addrgrp` / `addrgrp6` (nested, with `exclude-member`), `firewall service
//! custom` (TCP/UDP/SCTP port ranges with optional source ranges, ICMP and
//! ICMP6 without type, IP with a protocol number), `firewall service group`,
//! the usual predefined services when the configuration does not define
//! them, `system zone` (zones resolve to their interfaces and back), and
//! `firewall policy` / `policy6` in configuration order with `srcintf`,
//! `dstintf`, `srcaddr(6)`, `dstaddr(6)`, the three `-negate` switches,
//! `service`, `action` (default deny), `status` and `schedule "always"`; an
//! implicit deny ends the list. FQDN, geography, wildcard and dynamic
//! addresses, ICMP types, internet services, other schedules and IPsec
//! actions make the policy unsupported.

use crate::NetcheckError;
use crate::addr::{parse_net, parse_ports, proto_number};
use crate::iptables::words;
use crate::ir::{Action, BaseChain, IfaceMap, IrConfig, IrRule, MatchBuilder, Wide};
use crate::report::RuleRef;
use crate::space::{BoxSet, DPORT, DST, Family, IntervalSet, PBox, PROTO, SPORT, SRC};
use std::collections::HashMap;

/// One `edit` entry of a `config` section.
#[derive(Clone, Debug, Default)]
struct Entry {
    name: String,
    line: u32,
    sets: HashMap<String, Vec<String>>,
}

impl Entry {
    fn get(&self, k: &str) -> Option<&Vec<String>> {
        self.sets.get(k)
    }
    fn one(&self, k: &str) -> Option<&str> {
        self.sets.get(k).and_then(|v| v.first()).map(String::as_str)
    }
    fn enabled(&self, k: &str) -> bool {
        self.one(k) == Some("enable")
    }
}

/// Sections by path (`firewall policy`), each a list of entries in order.
fn sections(text: &str) -> HashMap<String, Vec<Entry>> {
    let mut out: HashMap<String, Vec<Entry>> = HashMap::new();
    // Stack of (section path, current entry).
    let mut stack: Vec<(String, Option<Entry>)> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = u32::try_from(n + 1).unwrap_or(u32::MAX);
        let w: Vec<String> = words(raw.trim())
            .into_iter()
            .map(|x| x.into_owned())
            .collect();
        let Some(cmd) = w.first() else {
            continue;
        };
        match cmd.as_str() {
            "config" => {
                let path = w[1..].join(" ");
                // Nested sections get the path of the outer entry too.
                let full = match stack.last() {
                    Some((p, Some(e))) => format!("{p}/{}/{path}", e.name),
                    _ => path,
                };
                stack.push((full, None));
            }
            "edit" => {
                if let Some(top) = stack.last_mut() {
                    top.1 = Some(Entry {
                        name: w.get(1).cloned().unwrap_or_default(),
                        line,
                        sets: HashMap::new(),
                    });
                }
            }
            "set" | "append" | "unset" => {
                if let Some((_, Some(e))) = stack.last_mut() {
                    let k = w.get(1).cloned().unwrap_or_default();
                    let v: Vec<String> = w[2.min(w.len())..].to_vec();
                    match cmd.as_str() {
                        "set" => {
                            e.sets.insert(k, v);
                        }
                        "append" => e.sets.entry(k).or_default().extend(v),
                        _ => {
                            e.sets.remove(&k);
                        }
                    }
                }
            }
            "next" => {
                if let Some((p, e)) = stack.last_mut()
                    && let Some(e) = e.take()
                {
                    out.entry(p.clone()).or_default().push(e);
                }
            }
            "end" => {
                if let Some((p, Some(e))) = stack.pop() {
                    out.entry(p).or_default().push(e);
                }
            }
            _ => {}
        }
    }
    out
}

struct Objects {
    addr: [HashMap<String, Entry>; 2],
    grp: [HashMap<String, Entry>; 2],
    svc: HashMap<String, Entry>,
    svcgrp: HashMap<String, Entry>,
    zones: HashMap<String, Vec<String>>,
}

fn by_name(s: Option<&Vec<Entry>>) -> HashMap<String, Entry> {
    s.map(|v| v.iter().map(|e| (e.name.clone(), e.clone())).collect())
        .unwrap_or_default()
}

impl Objects {
    fn address(&self, f: Family, name: &str, depth: usize) -> Result<IntervalSet, String> {
        if depth > 16 {
            return Err(format!("address groups nested too deep at {name:?}"));
        }
        let i = f.index();
        if let Some(g) = self.grp[i].get(name) {
            let mut s = IntervalSet::empty();
            for m in g.get("member").into_iter().flatten() {
                s = s.union(&self.address(f, m, depth + 1)?);
            }
            if g.enabled("exclude") {
                for m in g.get("exclude-member").into_iter().flatten() {
                    s = s.difference(&self.address(f, m, depth + 1)?);
                }
            }
            return Ok(s);
        }
        if let Some(a) = self.addr[i].get(name) {
            let ty = a.one("type").unwrap_or("ipmask");
            return match ty {
                "ipmask" | "ipprefix" => {
                    let v = match f {
                        Family::Ipv4 => a.get("subnet").map(|v| v.join("/")),
                        Family::Ipv6 => a.one("ip6").map(str::to_string),
                    };
                    match v {
                        Some(v) => parse_net(&v).map(|(_, s)| s),
                        None if name == "all" => Ok(IntervalSet::range(0, f.addr_max())),
                        None => Ok(IntervalSet::range(0, f.addr_max())),
                    }
                }
                "iprange" => {
                    let a1 = a.one("start-ip").unwrap_or_default();
                    let a2 = a.one("end-ip").unwrap_or(a1);
                    parse_net(&format!("{a1}-{a2}")).map(|(_, s)| s)
                }
                other => Err(format!("address {name:?} of type {other}")),
            };
        }
        match name {
            "all" => Ok(IntervalSet::range(0, f.addr_max())),
            "none" => Ok(IntervalSet::empty()),
            _ => Err(format!("unknown address {name:?}")),
        }
    }

    /// The packets of a service, per family.
    fn service(&self, f: Family, name: &str, depth: usize) -> Result<BoxSet, String> {
        if depth > 16 {
            return Err(format!("service groups nested too deep at {name:?}"));
        }
        if let Some(g) = self.svcgrp.get(name) {
            let mut s = BoxSet::empty();
            for m in g.get("member").into_iter().flatten() {
                s = s.union(&self.service(f, m, depth + 1)?);
            }
            return Ok(s);
        }
        if let Some(e) = self.svc.get(name) {
            return custom_service(f, e);
        }
        predefined(f, name).ok_or_else(|| format!("unknown service {name:?}"))
    }

    /// Names an interface or zone may appear under in a segments file.
    fn iface_names(&self, name: &str) -> Vec<String> {
        let mut out = vec![name.to_string()];
        if let Some(members) = self.zones.get(name) {
            out.extend(members.iter().cloned());
        }
        for (z, members) in &self.zones {
            if members.iter().any(|m| m == name) {
                out.push(z.clone());
            }
        }
        out
    }
}

fn pbox(f: Family, proto: IntervalSet, sport: IntervalSet, dport: IntervalSet) -> PBox {
    let mut b = PBox::universe(f);
    b.dims[PROTO] = proto;
    b.dims[SPORT] = sport;
    b.dims[DPORT] = dport;
    b
}

fn custom_service(f: Family, e: &Entry) -> Result<BoxSet, String> {
    if e.get("iprange")
        .is_some_and(|v| v.iter().any(|x| x != "0.0.0.0"))
        || e.get("fqdn").is_some_and(|v| !v.is_empty())
    {
        return Err(format!("service {:?} restricted to addresses", e.name));
    }
    let proto = e.one("protocol").unwrap_or("TCP/UDP/SCTP");
    let any_ports = || IntervalSet::range(0, 65535);
    match proto {
        "TCP/UDP/SCTP" | "TCP/UDP/UDP-Lite/SCTP" => {
            let mut out = BoxSet::empty();
            for (key, p) in [
                ("tcp-portrange", 6u128),
                ("udp-portrange", 17),
                ("sctp-portrange", 132),
                ("udplite-portrange", 136),
            ] {
                for r in e.get(key).into_iter().flatten() {
                    let (d, s) = match r.split_once(':') {
                        Some((d, s)) => (d, Some(s)),
                        None => (r.as_str(), None),
                    };
                    let dp = parse_ports(d)?;
                    let sp = match s {
                        Some(s) => parse_ports(s)?,
                        None => any_ports(),
                    };
                    out.add_box(pbox(f, IntervalSet::single(p), sp, dp));
                }
            }
            Ok(out)
        }
        "ICMP" | "ICMP6" => {
            if e.get("icmptype").is_some_and(|v| !v.is_empty()) {
                return Err(format!("service {:?}: ICMP types", e.name));
            }
            let want = if proto == "ICMP" {
                Family::Ipv4
            } else {
                Family::Ipv6
            };
            if f != want {
                return Ok(BoxSet::empty());
            }
            let p = if proto == "ICMP" { 1 } else { 58 };
            Ok(BoxSet::from_box(pbox(
                f,
                IntervalSet::single(p),
                any_ports(),
                any_ports(),
            )))
        }
        "IP" => {
            let n: u128 = e
                .one("protocol-number")
                .and_then(|x| x.parse().ok())
                .unwrap_or(0);
            let ps = if n == 0 {
                IntervalSet::range(0, 255)
            } else {
                IntervalSet::single(n)
            };
            Ok(BoxSet::from_box(pbox(f, ps, any_ports(), any_ports())))
        }
        "ALL" => Ok(BoxSet::universe(f)),
        other => Err(format!("service {:?} with protocol {other}", e.name)),
    }
}

/// FortiOS's predefined services, for configurations that do not list them.
fn predefined(f: Family, name: &str) -> Option<BoxSet> {
    let tcp_udp = |ports: &[(u128, u128)], protos: &[u128]| {
        let mut s = BoxSet::empty();
        for &p in protos {
            s.add_box(pbox(
                f,
                IntervalSet::single(p),
                IntervalSet::range(0, 65535),
                IntervalSet::from_intervals(ports.iter().copied()),
            ));
        }
        s
    };
    Some(match name {
        "ALL" => BoxSet::universe(f),
        "ALL_TCP" => tcp_udp(&[(1, 65535)], &[6]),
        "ALL_UDP" => tcp_udp(&[(1, 65535)], &[17]),
        "ALL_ICMP" if f == Family::Ipv4 => BoxSet::from_box(pbox(
            f,
            IntervalSet::single(1),
            IntervalSet::range(0, 65535),
            IntervalSet::range(0, 65535),
        )),
        "ALL_ICMP6" if f == Family::Ipv6 => BoxSet::from_box(pbox(
            f,
            IntervalSet::single(58),
            IntervalSet::range(0, 65535),
            IntervalSet::range(0, 65535),
        )),
        "ALL_ICMP" | "ALL_ICMP6" => BoxSet::empty(),
        "HTTP" => tcp_udp(&[(80, 80)], &[6]),
        "HTTPS" => tcp_udp(&[(443, 443)], &[6]),
        "SSH" => tcp_udp(&[(22, 22)], &[6]),
        "TELNET" => tcp_udp(&[(23, 23)], &[6]),
        "FTP" => tcp_udp(&[(21, 21)], &[6]),
        "SMTP" => tcp_udp(&[(25, 25)], &[6]),
        "SMTPS" => tcp_udp(&[(465, 465)], &[6]),
        "POP3" => tcp_udp(&[(110, 110)], &[6]),
        "POP3S" => tcp_udp(&[(995, 995)], &[6]),
        "IMAP" => tcp_udp(&[(143, 143)], &[6]),
        "IMAPS" => tcp_udp(&[(993, 993)], &[6]),
        "RDP" => tcp_udp(&[(3389, 3389)], &[6]),
        "SMB" => tcp_udp(&[(445, 445)], &[6]),
        "SAMBA" => tcp_udp(&[(139, 139)], &[6]),
        "LDAP" => tcp_udp(&[(389, 389)], &[6]),
        "MYSQL" => tcp_udp(&[(3306, 3306)], &[6]),
        "MS-SQL" => tcp_udp(&[(1433, 1434)], &[6]),
        "DNS" => tcp_udp(&[(53, 53)], &[6, 17]),
        "NTP" => tcp_udp(&[(123, 123)], &[6, 17]),
        "KERBEROS" => tcp_udp(&[(88, 88)], &[6, 17]),
        "SNMP" => tcp_udp(&[(161, 162)], &[6, 17]),
        "SYSLOG" => tcp_udp(&[(514, 514)], &[17]),
        _ => return None,
    })
}

pub(crate) fn parse(file: &str, text: &str, ifaces: &IfaceMap) -> Result<IrConfig, NetcheckError> {
    let file_rc: std::sync::Arc<str> = file.into();
    let secs = sections(text);
    let objs = Objects {
        addr: [
            by_name(secs.get("firewall address")),
            by_name(secs.get("firewall address6")),
        ],
        grp: [
            by_name(secs.get("firewall addrgrp")),
            by_name(secs.get("firewall addrgrp6")),
        ],
        svc: by_name(secs.get("firewall service custom")),
        svcgrp: by_name(secs.get("firewall service group")),
        zones: secs
            .get("system zone")
            .map(|v| {
                v.iter()
                    .map(|e| {
                        (
                            e.name.clone(),
                            e.get("interface").cloned().unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let mut cfg = IrConfig {
        families: [true, true],
        ..IrConfig::default()
    };
    let mut rules = Vec::new();
    let mut policies: Vec<(&Entry, bool)> = Vec::new();
    for (sec, only6) in [("firewall policy", false), ("firewall policy6", true)] {
        for e in secs.get(sec).into_iter().flatten() {
            policies.push((e, only6));
        }
    }
    // Configuration order is evaluation order; policy6 is a separate list
    // for IPv6 only, so the two never compete.
    policies.sort_by_key(|(e, _)| e.line);
    for (e, only6) in policies {
        let name = e.one("name").map(|n| format!(" {n:?}")).unwrap_or_default();
        let rref = RuleRef {
            file: file_rc.clone(),
            line: e.line,
            text: format!("policy {}{name}", e.name).into(),
        };
        if e.one("status") == Some("disable") {
            continue;
        }
        let (rule, wide) = policy(e, only6, &objs, ifaces);
        let id = cfg.add_rule(rref, wide, false);
        let action = match rule {
            Ok((set, accept)) => {
                rules.push(IrRule {
                    id,
                    set,
                    action: if accept { Action::Accept } else { Action::Drop },
                });
                continue;
            }
            Err(reason) => Action::Unsupported(reason),
        };
        rules.push(IrRule {
            id,
            set: crate::space::PacketSet::empty(),
            action,
        });
    }
    let deny = cfg.add_rule(
        RuleRef {
            file: file_rc.clone(),
            line: 0,
            text: "(implicit deny after the last policy)".into(),
        },
        Wide::default(),
        true,
    );
    cfg.chains.insert("policy".into(), rules);
    cfg.bases.push(BaseChain {
        name: "policy".into(),
        families: [true, true],
        prio: 0,
        accept_by_default: false,
        policy_rule: deny,
    });
    Ok(cfg)
}

type PolicyResult = (Result<(crate::space::PacketSet, bool), String>, Wide);

fn policy(e: &Entry, only6: bool, objs: &Objects, ifaces: &IfaceMap) -> PolicyResult {
    let mut wide = Wide {
        src_any: true,
        dst_any: true,
        dport_any: true,
    };
    let r = (|| {
        let accept = match e.one("action").unwrap_or("deny") {
            "accept" => true,
            "deny" => false,
            other => return Err(format!("action {other}")),
        };
        if let Some(s) = e.one("schedule")
            && s != "always"
        {
            return Err(format!("schedule {s:?}"));
        }
        if e.enabled("internet-service") || e.enabled("internet-service-src") {
            return Err("internet service".into());
        }
        let mut b = MatchBuilder::new([true, true]);
        for (key, dim) in [("srcintf", SRC), ("dstintf", DST)] {
            let names = e.get(key).cloned().unwrap_or_default();
            if names.is_empty() || names.iter().any(|n| n == "any") {
                continue;
            }
            let all: Vec<String> = names.iter().flat_map(|n| objs.iface_names(n)).collect();
            let sets = ifaces.addrs(&all)?;
            b.restrict_addrs(dim, &sets, false);
        }
        for f in Family::ALL {
            let (sk, dk) = match (f, only6) {
                (Family::Ipv4, true) => continue,
                (Family::Ipv4, false) => ("srcaddr", "dstaddr"),
                (Family::Ipv6, true) => ("srcaddr", "dstaddr"),
                (Family::Ipv6, false) => ("srcaddr6", "dstaddr6"),
            };
            let (Some(sa), Some(da)) = (e.get(sk), e.get(dk)) else {
                b.only(match f {
                    Family::Ipv4 => Family::Ipv6,
                    Family::Ipv6 => Family::Ipv4,
                });
                continue;
            };
            for (names, dim, neg_key) in [(sa, SRC, "srcaddr-negate"), (da, DST, "dstaddr-negate")]
            {
                let mut set = IntervalSet::empty();
                for n in names {
                    set = set.union(&objs.address(f, n, 0)?);
                }
                if e.enabled(neg_key) {
                    set = set.complement(f.addr_max());
                }
                if set.is_full(f.addr_max()) {
                    continue;
                }
                b.restrict_family(f, dim, &set);
                if dim == SRC {
                    wide.src_any = false;
                } else {
                    wide.dst_any = false;
                }
            }
            let mut svc = BoxSet::empty();
            for n in e.get("service").into_iter().flatten() {
                svc = svc.union(&objs.service(f, n, 0)?);
            }
            if e.enabled("service-negate") {
                svc = svc.complement(f);
            }
            if !svc.same_points(&BoxSet::universe(f)) {
                let all_dport = svc.boxes().iter().all(|x| x.dims[DPORT].is_full(65535));
                let has_port_proto = svc
                    .boxes()
                    .iter()
                    .any(|x| x.dims[PROTO].intersects(&crate::addr::port_protocols()));
                if !(all_dport && has_port_proto) {
                    wide.dport_any = false;
                }
            }
            let cur = b.set.get(f).intersect(&svc);
            *b.set.get_mut(f) = cur;
        }
        if !b.wide.src_any {
            wide.src_any = false;
        }
        if !b.wide.dst_any {
            wide.dst_any = false;
        }
        let _ = proto_number;
        Ok((b.set, accept))
    })();
    (r, wide)
}
