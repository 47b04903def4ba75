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
use crate::addr::{parse_net, parse_ports};
use crate::budget::Budget;
use crate::ir::{Action, BaseChain, IfaceMap, IrConfig, IrRule, MatchBuilder, Wide};
use crate::report::RuleRef;
use crate::space::{BoxSet, DPORT, DST, Family, IntervalSet, PBox, PROTO, SPORT, SRC};
use std::cell::RefCell;
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

/// Commands a FortiOS configuration is made of.
const COMMANDS: [&str; 14] = [
    "config", "edit", "set", "unset", "append", "select", "unselect", "next", "end", "delete",
    "purge", "rename", "move", "clone",
];

/// Splits the text into logical lines: the line number where each starts
/// and its words. A double-quoted string may span lines (comments,
/// automation scripts, replacement messages) and holds `\"` escapes: an
/// `end` inside quotes closes nothing. `#` starts a comment line.
/// Logical lines (first line number, words), or the line and reason the
/// text cannot be read.
type Lines = Result<Vec<(u32, Vec<String>)>, (u32, String)>;

fn logical_lines(text: &str) -> Lines {
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut line: u32 = 1;
    let mut start: u32 = 1;
    let mut quote_line: Option<u32> = None;
    let mut comment = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            line = line.saturating_add(1);
        }
        if comment {
            if c == '\n' {
                comment = false;
                start = line;
            }
            continue;
        }
        if quote_line.is_some() {
            match c {
                '"' => quote_line = None,
                '\\' => {
                    if let Some(n) = chars.next() {
                        if n == '\n' {
                            line = line.saturating_add(1);
                        }
                        cur.push(n);
                    }
                }
                _ => cur.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                quote_line = Some(line);
                has = true;
            }
            '\n' => {
                if has || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    has = false;
                }
                if !words.is_empty() {
                    out.push((start, std::mem::take(&mut words)));
                }
                start = line;
            }
            '#' if words.is_empty() && cur.is_empty() && !has => comment = true,
            '\\' => {
                if let Some(&n) = chars.peek()
                    && n != '\n'
                {
                    chars.next();
                    cur.push(n);
                }
            }
            c if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            c => cur.push(c),
        }
    }
    if let Some(q) = quote_line {
        return Err((
            q,
            "引用符 (\") が閉じられていません / a quoted string is never closed".into(),
        ));
    }
    if has || !cur.is_empty() {
        words.push(cur);
    }
    if !words.is_empty() {
        out.push((start, words));
    }
    Ok(out)
}

/// Sections by VDOM (None outside `config vdom`, and in `config global`)
/// and path (`firewall policy`), each a list of entries in order.
type Sections = HashMap<(Option<String>, String), Vec<Entry>>;

struct Frame {
    path: String,
    entry: Option<Entry>,
    /// `config vdom`: its entries are virtual domains.
    vdom_list: bool,
    /// The VDOM whose sections this frame's nested sections belong to.
    vdom: Option<String>,
}

/// Reads the sections; a line that is no FortiOS command refuses the file.
fn sections(lines: &[(u32, Vec<String>)]) -> Result<(Sections, Vec<String>), (u32, String)> {
    let mut out: Sections = HashMap::new();
    let mut vdoms: Vec<String> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    for (line, w) in lines {
        let line = *line;
        let Some(cmd) = w.first() else {
            continue;
        };
        if !COMMANDS.contains(&cmd.as_str()) {
            return Err((
                line,
                format!(
                    "FortiOS の設定の行ではありません ({cmd:?}) / not a FortiOS configuration line ({cmd:?})"
                ),
            ));
        }
        match cmd.as_str() {
            "config" => {
                let path = w[1..].join(" ");
                let frame = match stack.last() {
                    None if path == "vdom" => Frame {
                        path,
                        entry: None,
                        vdom_list: true,
                        vdom: None,
                    },
                    None if path == "global" => Frame {
                        path: String::new(),
                        entry: None,
                        vdom_list: false,
                        vdom: None,
                    },
                    // A section of a VDOM (or of `config global`).
                    Some(f) if f.vdom_list || (f.path.is_empty() && f.entry.is_none()) => {
                        let vdom = if f.vdom_list {
                            f.entry.as_ref().map(|e| e.name.clone())
                        } else {
                            None
                        };
                        Frame {
                            path,
                            entry: None,
                            vdom_list: false,
                            vdom,
                        }
                    }
                    // Nested sections get the path of the outer entry too.
                    Some(f) => Frame {
                        path: match &f.entry {
                            Some(e) => format!("{}/{}/{path}", f.path, e.name),
                            None => format!("{}/{path}", f.path),
                        },
                        entry: None,
                        vdom_list: false,
                        vdom: f.vdom.clone(),
                    },
                    None => Frame {
                        path,
                        entry: None,
                        vdom_list: false,
                        vdom: None,
                    },
                };
                stack.push(frame);
            }
            "edit" => {
                if let Some(top) = stack.last_mut() {
                    let name = w.get(1).cloned().unwrap_or_default();
                    if top.vdom_list && !vdoms.contains(&name) {
                        vdoms.push(name.clone());
                    }
                    top.entry = Some(Entry {
                        name,
                        line,
                        sets: HashMap::new(),
                    });
                }
            }
            "set" | "append" | "unset" => {
                if let Some(Frame { entry: Some(e), .. }) = stack.last_mut() {
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
                if let Some(f) = stack.last_mut()
                    && let Some(e) = f.entry.take()
                    && !f.vdom_list
                {
                    out.entry((f.vdom.clone(), f.path.clone()))
                        .or_default()
                        .push(e);
                }
            }
            "end" => {
                if let Some(f) = stack.pop()
                    && let Some(e) = f.entry
                    && !f.vdom_list
                {
                    out.entry((f.vdom, f.path)).or_default().push(e);
                }
            }
            _ => {}
        }
    }
    Ok((out, vdoms))
}

struct Objects<'b> {
    addr: [HashMap<String, Entry>; 2],
    grp: [HashMap<String, Entry>; 2],
    svc: HashMap<String, Entry>,
    svcgrp: HashMap<String, Entry>,
    zones: HashMap<String, Vec<String>>,
    /// Expanded groups, so that nested groups cost their size, not the
    /// number of paths through them.
    addr_memo: RefCell<HashMap<(usize, String), Result<IntervalSet, String>>>,
    svc_memo: RefCell<HashMap<(usize, String), Result<BoxSet, String>>>,
    budget: &'b Budget,
    over: RefCell<Option<NetcheckError>>,
}

fn by_name(s: Option<&Vec<Entry>>) -> HashMap<String, Entry> {
    s.map(|v| v.iter().map(|e| (e.name.clone(), e.clone())).collect())
        .unwrap_or_default()
}

/// Deepest nesting of groups followed (a loop ends here too).
const MAX_GROUP_DEPTH: usize = 64;

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

    fn address(&self, f: Family, name: &str, depth: usize) -> Result<IntervalSet, String> {
        let key = (f.index(), name.to_string());
        if let Some(r) = self.addr_memo.borrow().get(&key) {
            return r.clone();
        }
        if depth > MAX_GROUP_DEPTH {
            return Err(format!(
                "address groups nested too deep (or in a loop) at {name:?}"
            ));
        }
        self.spend()?;
        let r = self.address_uncached(f, name, depth);
        if depth == 0
            || !r
                .as_ref()
                .is_err_and(|e| e.contains("too deep") || e == "budget")
        {
            self.addr_memo.borrow_mut().insert(key, r.clone());
        }
        r
    }

    fn address_uncached(&self, f: Family, name: &str, depth: usize) -> Result<IntervalSet, String> {
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
        let key = (f.index(), name.to_string());
        if let Some(r) = self.svc_memo.borrow().get(&key) {
            return r.clone();
        }
        if depth > MAX_GROUP_DEPTH {
            return Err(format!(
                "service groups nested too deep (or in a loop) at {name:?}"
            ));
        }
        self.spend()?;
        let r = if let Some(g) = self.svcgrp.get(name) {
            (|| {
                let mut s = BoxSet::empty();
                for m in g.get("member").into_iter().flatten() {
                    s = s.union(&self.service(f, m, depth + 1)?);
                }
                Ok(s)
            })()
        } else if let Some(e) = self.svc.get(name) {
            custom_service(f, e)
        } else {
            predefined(f, name).ok_or_else(|| format!("unknown service {name:?}"))
        };
        if depth == 0
            || !r
                .as_ref()
                .is_err_and(|e| e.contains("too deep") || e == "budget")
        {
            self.svc_memo.borrow_mut().insert(key, r.clone());
        }
        r
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
        // Only the ports are modelled: wider than the service.
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
            let want = if proto == "ICMP" {
                Family::Ipv4
            } else {
                Family::Ipv6
            };
            if f != want {
                return Ok(BoxSet::empty());
            }
            let p = if proto == "ICMP" { 1 } else { 58 };
            // ICMP has no ports: a type is kept in the source-port
            // dimension and a code in the destination-port one (see
            // `space`); without them both stay whole.
            let num = |k: &str| -> Result<IntervalSet, String> {
                match e.one(k) {
                    None => Ok(any_ports()),
                    Some(v) => v
                        .parse::<u8>()
                        .map(|n| IntervalSet::single(u128::from(n)))
                        .map_err(|_| format!("service {:?}: {k} {v:?}", e.name)),
                }
            };
            Ok(BoxSet::from_box(pbox(
                f,
                IntervalSet::single(p),
                num("icmptype")?,
                num("icmpcode")?,
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
        "PING" if f == Family::Ipv4 => BoxSet::from_box(pbox(
            f,
            IntervalSet::single(1),
            IntervalSet::single(8),
            IntervalSet::range(0, 65535),
        )),
        "PING6" if f == Family::Ipv6 => BoxSet::from_box(pbox(
            f,
            IntervalSet::single(58),
            IntervalSet::single(128),
            IntervalSet::range(0, 65535),
        )),
        "PING" | "PING6" => BoxSet::empty(),
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

fn conf_err(file: &str, line: u32, message: String) -> NetcheckError {
    NetcheckError::Config {
        file: file.to_string(),
        line,
        message,
    }
}

pub(crate) fn parse(
    file: &str,
    text: &str,
    ifaces: &IfaceMap,
    budget: &Budget,
) -> Result<IrConfig, NetcheckError> {
    let file_rc: std::sync::Arc<str> = file.into();
    let text = text.trim_start_matches('\u{feff}');
    let lines = logical_lines(text).map_err(|(l, m)| conf_err(file, l, m))?;
    let (secs, vdom_names) = sections(&lines).map_err(|(l, m)| conf_err(file, l, m))?;
    let mut cfg = IrConfig {
        families: [true, true],
        ..IrConfig::default()
    };
    // The VDOMs that hold sections, in order of first mention (None: the
    // configuration is not in multi-VDOM mode).
    let mut vdoms: Vec<Option<String>> = Vec::new();
    for (v, _) in secs.keys() {
        if v.is_some() && !vdoms.contains(v) {
            vdoms.push(v.clone());
        }
    }
    vdoms.sort_by_key(|v| {
        v.as_ref()
            .and_then(|n| vdom_names.iter().position(|x| x == n))
            .unwrap_or(usize::MAX)
    });
    let multi = !vdoms.is_empty();
    if !multi {
        vdoms.push(None);
    }
    let has_policies = |v: &Option<String>| {
        ["firewall policy", "firewall policy6"]
            .iter()
            .any(|p| secs.contains_key(&(v.clone(), (*p).to_string())))
    };
    // Interfaces of each VDOM (`config global` / `config system interface`
    // / `set vdom`): with several VDOMs holding policies, each policy
    // speaks only for traffic between its own VDOM's interfaces.
    let mut vdom_ifaces: HashMap<String, Vec<String>> = HashMap::new();
    for e in secs
        .get(&(None, "system interface".to_string()))
        .into_iter()
        .flatten()
    {
        if let Some(v) = e.one("vdom") {
            vdom_ifaces
                .entry(v.to_string())
                .or_default()
                .push(e.name.clone());
        }
    }
    let with_policies: Vec<&Option<String>> = vdoms.iter().filter(|v| has_policies(v)).collect();
    let restrict_vdoms = with_policies.len() > 1;
    if restrict_vdoms {
        for v in with_policies.iter().copied().flatten() {
            if !vdom_ifaces.contains_key(v) {
                let line = secs
                    .get(&(Some(v.clone()), "firewall policy".to_string()))
                    .and_then(|p| p.first())
                    .map(|e| e.line)
                    .unwrap_or(0);
                return Err(conf_err(
                    file,
                    line,
                    format!(
                        "VDOM {v:?} のインタフェースが設定にない (config global の system interface に set vdom がない) ため、複数の VDOM のポリシーを正しく読めません。VDOM ごとに分けたファイルで検査してください / VDOM {v:?} has policies but no interface is assigned to it (config global / system interface / set vdom), so the policies of several VDOMs cannot be told apart: check each VDOM as its own file"
                    ),
                ));
            }
        }
    }
    // Host bits under a prefix: the device uses the whole network.
    for v in &vdoms {
        for sec in ["firewall address", "firewall address6"] {
            for a in secs
                .get(&(v.clone(), sec.to_string()))
                .into_iter()
                .flatten()
            {
                let net = match sec {
                    "firewall address" => a.get("subnet").map(|x| x.join("/")),
                    _ => a.one("ip6").map(str::to_string),
                };
                if let Some(net) = net
                    && let Some(fixed) = crate::addr::host_bits_set(&net)
                {
                    cfg.warn(
                        &RuleRef {
                            file: file_rc.clone(),
                            line: a.line,
                            text: format!("address {:?} {net}", a.name).into(),
                            vdom: v.as_deref().map(Into::into),
                        },
                        format!("{net} はプレフィックスより下のビットが立っています。機器は {fixed} 全体として扱います (範囲が意図より広い可能性があります)"),
                        format!("{net} has host bits set under its prefix: the device treats it as the whole of {fixed} (possibly wider than meant)"),
                    );
                }
            }
        }
    }
    let mut rules = Vec::new();
    for vdom in &vdoms {
        let sec = |p: &str| secs.get(&(vdom.clone(), p.to_string()));
        let objs = Objects {
            addr: [
                by_name(sec("firewall address")),
                by_name(sec("firewall address6")),
            ],
            grp: [
                by_name(sec("firewall addrgrp")),
                by_name(sec("firewall addrgrp6")),
            ],
            svc: by_name(sec("firewall service custom")),
            svcgrp: by_name(sec("firewall service group")),
            zones: sec("system zone")
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
            addr_memo: RefCell::new(HashMap::new()),
            svc_memo: RefCell::new(HashMap::new()),
            budget,
            over: RefCell::new(None),
        };
        // The VDOM's own interfaces and zones.
        let own: Option<Vec<String>> = match vdom {
            Some(v) if restrict_vdoms => {
                let mut names = vdom_ifaces.get(v).cloned().unwrap_or_default();
                names.extend(objs.zones.keys().cloned());
                Some(names)
            }
            _ => None,
        };
        let mut policies: Vec<(&Entry, bool)> = Vec::new();
        for (s, only6) in [("firewall policy", false), ("firewall policy6", true)] {
            for e in sec(s).into_iter().flatten() {
                policies.push((e, only6));
            }
        }
        // Configuration order is evaluation order; policy6 is a separate
        // list for IPv6 only, so the two never compete.
        policies.sort_by_key(|(e, _)| e.line);
        for (e, only6) in policies {
            let name = e.one("name").map(|n| format!(" {n:?}")).unwrap_or_default();
            let rref = RuleRef {
                file: file_rc.clone(),
                line: e.line,
                text: match vdom {
                    Some(v) => format!("vdom {v:?} policy {}{name}", e.name),
                    None => format!("policy {}{name}", e.name),
                }
                .into(),
                vdom: vdom.as_deref().map(Into::into),
            };
            if e.one("status") == Some("disable") {
                continue;
            }
            let p = policy(e, only6, &objs, ifaces, own.as_deref());
            if let Some(err) = objs.over.borrow_mut().take() {
                return Err(err);
            }
            let id = cfg.add_rule(rref, p.wide, false);
            let action = match (p.problems.is_empty(), p.accept) {
                (true, true) => Action::Accept,
                (true, false) => Action::Drop,
                (false, true) => Action::Approx(p.problems.join("; ")),
                (false, false) => Action::Unsupported(p.problems.join("; ")),
            };
            rules.push(IrRule {
                id,
                set: p.set,
                action,
            });
        }
    }
    if multi {
        cfg.notes.push(format!(
            "{file}: 複数の VDOM ({}) のポリシーを読みました / policies of several VDOMs read ({})",
            vdoms
                .iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            vdoms
                .iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let deny = cfg.add_rule(
        RuleRef {
            file: file_rc.clone(),
            line: 0,
            text: "(implicit deny after the last policy)".into(),
            vdom: None,
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

/// What a policy matches and does. When part of it cannot be modelled,
/// `problems` says what, and `set` is wider than the policy (each such part
/// taken as matching everything), so that an accepting policy is counted
/// as possibly permitting at least what it can.
struct Policy {
    set: crate::space::PacketSet,
    accept: bool,
    wide: Wide,
    problems: Vec<String>,
}

fn policy(
    e: &Entry,
    only6: bool,
    objs: &Objects,
    ifaces: &IfaceMap,
    own: Option<&[String]>,
) -> Policy {
    let mut wide = Wide {
        src_any: true,
        dst_any: true,
        dport_any: true,
    };
    let mut problems: Vec<String> = Vec::new();
    let accept = match e.one("action").unwrap_or("deny") {
        "accept" => true,
        "deny" => false,
        other => {
            problems.push(format!("action {other}"));
            true
        }
    };
    if let Some(s) = e.one("schedule")
        && s != "always"
    {
        problems.push(format!("schedule {s:?}"));
    }
    let inet_dst = e.enabled("internet-service");
    let inet_src = e.enabled("internet-service-src");
    if inet_dst || inet_src {
        problems.push("internet service".into());
    }
    let mut b = MatchBuilder::new([true, true]);
    for (key, dim) in [("srcintf", SRC), ("dstintf", DST)] {
        if let Some(own) = own {
            // Traffic of this VDOM enters and leaves by its interfaces.
            match ifaces.addrs(own) {
                Ok(sets) => b.restrict_addrs(dim, &sets, false),
                Err(p) => problems.push(p),
            }
        }
        let names = e.get(key).cloned().unwrap_or_default();
        if names.is_empty() || names.iter().any(|n| n == "any") {
            continue;
        }
        let all: Vec<String> = names.iter().flat_map(|n| objs.iface_names(n)).collect();
        match ifaces.addrs(&all) {
            Ok(sets) => b.restrict_addrs(dim, &sets, false),
            Err(p) => problems.push(p),
        }
    }
    for f in Family::ALL {
        let (sk, dk) = match (f, only6) {
            (Family::Ipv4, true) => continue,
            (Family::Ipv4, false) => ("srcaddr", "dstaddr"),
            (Family::Ipv6, true) => ("srcaddr", "dstaddr"),
            (Family::Ipv6, false) => ("srcaddr6", "dstaddr6"),
        };
        let (Some(sa), Some(da)) = (e.get(sk), e.get(dk)) else {
            // An internet service stands in for the missing side: the
            // policy may then match any address of the family.
            if !(inet_dst && e.get(sk).is_some() || inet_src && e.get(dk).is_some()) {
                b.only(match f {
                    Family::Ipv4 => Family::Ipv6,
                    Family::Ipv6 => Family::Ipv4,
                });
            }
            continue;
        };
        for (names, dim, neg_key, inet) in [
            (sa, SRC, "srcaddr-negate", inet_src),
            (da, DST, "dstaddr-negate", inet_dst),
        ] {
            let mut set = IntervalSet::empty();
            let mut unknown = inet;
            for n in names {
                match objs.address(f, n, 0) {
                    Ok(x) => set = set.union(&x),
                    Err(p) => {
                        problems.push(p);
                        unknown = true;
                    }
                }
            }
            if unknown {
                // Any address may be meant, negated or not.
                continue;
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
        let mut unknown = inet_dst;
        for n in e.get("service").into_iter().flatten() {
            match objs.service(f, n, 0) {
                Ok(x) => svc = svc.union(&x),
                Err(p) => {
                    problems.push(p);
                    unknown = true;
                }
            }
        }
        if unknown {
            svc = BoxSet::universe(f);
        } else if e.enabled("service-negate") {
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
    problems.dedup();
    Policy {
        set: b.set,
        accept,
        wide,
        problems,
    }
}
