//! Palo Alto PAN-OS running configuration: the XML file (`running-config.xml`,
//! `show config running` in XML) or the `set` commands (`set cli
//! config-output-format set`).
//!
//! Understood: zones (`zone` with their layer3/layer2/virtual-wire
//! interfaces), `address` (ip-netmask, ip-range; literal addresses in rules),
//! `address-group` (static, nested), `service` (tcp/udp/sctp with ports and
//! source ports), `service-group` (nested), the predefined `service-http` and
//! `service-https`, `application-default` for common applications, security
//! rules in order (`from`, `to`, `source`, `destination`, `negate-source`,
//! `negate-destination`, `service`, `application`, `action`, `disabled`,
//! `rule-type` universal/intrazone/interzone), objects of `shared` and of
//! each `vsys`, and the default rules (intrazone allow, interzone deny, as
//! overridden under `default-security-rules`). Zones map to segments through
//! the segments file: a segment lists the zone names (or the interfaces of
//! the zones) under `interfaces`.
//!
//! Over-approximated with the rule's line: an allow rule naming
//! applications is taken as allowing every packet on the applications'
//! default ports (or on its services), unknown applications with
//! `application-default` on any port; users, URL categories, HIP profiles,
//! schedules, FQDN, wildcard, dynamic and region addresses are taken as
//! matching everything. A deny rule that names any of these is left out
//! (later rules see its packets).
//!
//! The XML is read with `roxmltree`: a read-only tree with the byte position
//! of every node (so each rule is cited by line), no DTD (so no entity
//! expansion: a hostile file cannot grow in memory), and no dependencies.

use crate::NetcheckError;
use crate::addr::parse_net;
use crate::budget::Budget;
use crate::ir::{Action, BaseChain, IfaceMap, IrConfig, IrRule, Wide};
use crate::report::RuleRef;
use crate::space::{BoxSet, DPORT, DST, Family, IntervalSet, PBox, PROTO, PacketSet, SPORT, SRC};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// Deepest nesting of groups followed (a loop ends here too).
const MAX_GROUP_DEPTH: usize = 64;
/// Deepest XML nesting read (a PAN-OS configuration is about 12 deep).
const MAX_XML_DEPTH: usize = 256;

/// True for the PAN-OS XML configuration.
pub(crate) fn looks_like_xml(t: &str) -> bool {
    let head: String = t.chars().take(4096).collect();
    head.contains("<config")
        && (head.contains("<devices") || head.contains("<shared") || t.contains("<rulebase"))
}

/// True for PAN-OS `set` commands.
pub(crate) fn looks_like_set(t: &str) -> bool {
    let mut set = false;
    for l in t.lines().take(20_000) {
        if l.starts_with("config ") {
            return false;
        }
        let l = l.trim_start();
        for p in [
            "set rulebase security ",
            "set vsys ",
            "set zone ",
            "set deviceconfig ",
            "set shared address",
        ] {
            if l.starts_with(p) {
                set = true;
            }
        }
    }
    set
}

#[derive(Clone, Debug)]
enum AddrDef {
    Net(Result<(Family, IntervalSet), String>),
    Unmodelled(String),
}

#[derive(Clone, Debug, Default)]
struct SvcDef {
    /// (protocol, ports, source ports) as written.
    parts: Vec<(u128, String, Option<String>)>,
}

#[derive(Clone, Debug, Default)]
struct RuleDef {
    name: String,
    line: u32,
    vsys: String,
    from: Vec<String>,
    to: Vec<String>,
    source: Vec<String>,
    destination: Vec<String>,
    negate_source: bool,
    negate_destination: bool,
    service: Vec<String>,
    application: Vec<String>,
    action: String,
    disabled: bool,
    rule_type: String,
    /// Further conditions that are not modelled (users, categories, …).
    extra: Vec<String>,
}

/// What both formats are read into.
#[derive(Clone, Debug, Default)]
struct Conf {
    /// Zone name -> (vsys, line, interfaces).
    zones: Vec<(String, String, u32, Vec<String>)>,
    addrs: HashMap<String, (u32, AddrDef)>,
    /// Static members, or None for a dynamic group.
    groups: HashMap<String, (u32, Option<Vec<String>>)>,
    services: HashMap<String, (u32, SvcDef)>,
    svc_groups: HashMap<String, (u32, Vec<String>)>,
    rules: Vec<RuleDef>,
    /// Overrides of the default rules: (allow, line).
    intrazone: Option<(bool, u32)>,
    interzone: Option<(bool, u32)>,
    notes: Vec<String>,
}

fn conf_err(file: &str, line: u32, message: String) -> NetcheckError {
    NetcheckError::Config {
        file: file.to_string(),
        line,
        message,
    }
}

/// Line starts, for turning byte positions into line numbers.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        let mut v = vec![0];
        v.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines(v)
    }
    fn line(&self, pos: usize) -> u32 {
        let i = match self.0.binary_search(&pos) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        u32::try_from(i + 1).unwrap_or(u32::MAX)
    }
}

// ---------------------------------------------------------------- XML

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.has_tag_name(name))
}

fn path<'a, 'i>(n: roxmltree::Node<'a, 'i>, names: &[&str]) -> Option<roxmltree::Node<'a, 'i>> {
    let mut cur = n;
    for p in names {
        cur = child(cur, p)?;
    }
    Some(cur)
}

fn entries<'a, 'i>(n: Option<roxmltree::Node<'a, 'i>>) -> Vec<roxmltree::Node<'a, 'i>> {
    n.map(|n| n.children().filter(|c| c.has_tag_name("entry")).collect())
        .unwrap_or_default()
}

fn text_of(n: Option<roxmltree::Node>) -> Option<String> {
    n.and_then(|n| n.text()).map(|t| t.trim().to_string())
}

/// `<x><member>a</member>…</x>`, or `<x>a</x>`.
fn members(n: Option<roxmltree::Node>) -> Vec<String> {
    let Some(n) = n else {
        return Vec::new();
    };
    let m: Vec<String> = n
        .children()
        .filter(|c| c.has_tag_name("member"))
        .filter_map(|c| c.text().map(|t| t.trim().to_string()))
        .collect();
    if m.is_empty() {
        n.text()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .map(|t| vec![t.to_string()])
            .unwrap_or_default()
    } else {
        m
    }
}

fn yes(n: Option<roxmltree::Node>) -> bool {
    text_of(n).as_deref() == Some("yes")
}

fn read_xml(file: &str, text: &str, budget: &Budget) -> Result<Conf, NetcheckError> {
    let lines = Lines::new(text);
    // Nesting checked before the tree is built.
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'<' {
            match bytes.get(i + 1) {
                Some(b'/') => depth = depth.saturating_sub(1),
                Some(b'?' | b'!') => {}
                _ => {
                    depth += 1;
                    if depth > MAX_XML_DEPTH {
                        return Err(conf_err(
                            file,
                            lines.line(i),
                            format!(
                                "XML の入れ子が深すぎます ({MAX_XML_DEPTH} 超) / XML nested deeper than {MAX_XML_DEPTH}"
                            ),
                        ));
                    }
                }
            }
        } else if b == b'/' && bytes.get(i + 1) == Some(&b'>') {
            depth = depth.saturating_sub(1);
        }
    }
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 5_000_000,
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| {
        let p = e.pos();
        conf_err(
            file,
            p.row,
            format!("PAN-OS の XML として読めません / not readable as PAN-OS XML: {e}"),
        )
    })?;
    let root = doc.root_element();
    if !root.has_tag_name("config") {
        return Err(conf_err(
            file,
            1,
            "PAN-OS の設定 (<config>) ではありません / not a PAN-OS configuration (<config>)"
                .into(),
        ));
    }
    let line = |n: roxmltree::Node| lines.line(n.range().start);
    let mut conf = Conf::default();
    // Objects of `shared`, then of each vsys.
    let mut scopes: Vec<(String, roxmltree::Node)> = Vec::new();
    if let Some(s) = child(root, "shared") {
        scopes.push(("shared".into(), s));
    }
    for dev in entries(child(root, "devices")) {
        for v in entries(child(dev, "vsys")) {
            scopes.push((v.attribute("name").unwrap_or("vsys1").to_string(), v));
        }
        if child(dev, "device-group").is_some() {
            conf.notes.push(format!(
                "{file}: Panorama のデバイスグループは読んでいません / Panorama device groups are not read"
            ));
        }
    }
    for (vsys, s) in &scopes {
        budget.spend(1)?;
        for z in entries(child(*s, "zone")) {
            let mut ifs = Vec::new();
            if let Some(net) = child(z, "network") {
                for kind in net.children().filter(|c| c.is_element()) {
                    ifs.extend(members(Some(kind)));
                }
            }
            conf.zones.push((
                z.attribute("name").unwrap_or_default().to_string(),
                vsys.clone(),
                line(z),
                ifs,
            ));
        }
        for a in entries(child(*s, "address")) {
            budget.spend(1)?;
            let name = a.attribute("name").unwrap_or_default().to_string();
            let def = if let Some(v) = text_of(child(a, "ip-netmask")) {
                AddrDef::Net(parse_net(&v))
            } else if let Some(v) = text_of(child(a, "ip-range")) {
                AddrDef::Net(parse_net(&v))
            } else if child(a, "fqdn").is_some() {
                AddrDef::Unmodelled(format!("address {name:?} is an FQDN"))
            } else if child(a, "ip-wildcard").is_some() {
                AddrDef::Unmodelled(format!("address {name:?} is a wildcard mask"))
            } else {
                AddrDef::Unmodelled(format!("address {name:?} of an unknown type"))
            };
            conf.addrs.insert(name, (line(a), def));
        }
        for g in entries(child(*s, "address-group")) {
            budget.spend(1)?;
            let name = g.attribute("name").unwrap_or_default().to_string();
            let m = child(g, "static").map(|st| members(Some(st)));
            conf.groups.insert(name, (line(g), m));
        }
        for sv in entries(child(*s, "service")) {
            budget.spend(1)?;
            let name = sv.attribute("name").unwrap_or_default().to_string();
            let mut def = SvcDef::default();
            if let Some(p) = child(sv, "protocol") {
                for (tag, num) in [("tcp", 6u128), ("udp", 17), ("sctp", 132)] {
                    if let Some(t) = child(p, tag) {
                        def.parts.push((
                            num,
                            text_of(child(t, "port")).unwrap_or_default(),
                            text_of(child(t, "source-port")),
                        ));
                    }
                }
            }
            conf.services.insert(name, (line(sv), def));
        }
        for g in entries(child(*s, "service-group")) {
            budget.spend(1)?;
            let name = g.attribute("name").unwrap_or_default().to_string();
            conf.svc_groups
                .insert(name, (line(g), members(child(g, "members"))));
        }
        if child(*s, "pre-rulebase").is_some() || child(*s, "post-rulebase").is_some() {
            conf.notes.push(format!(
                "{file}: Panorama の pre/post ルールは読んでいません / Panorama pre- and post-rules are not read"
            ));
        }
        let rb = child(*s, "rulebase");
        for r in entries(rb.and_then(|rb| path(rb, &["security", "rules"]))) {
            budget.spend(1)?;
            let mut extra = Vec::new();
            for k in ["source-user", "category", "source-hip", "destination-hip"] {
                let m = members(child(r, k));
                if !m.is_empty() && m.iter().any(|x| x != "any") {
                    extra.push(format!("{k} {}", m.join(",")));
                }
            }
            if let Some(s) = text_of(child(r, "schedule")) {
                extra.push(format!("schedule {s:?}"));
            }
            conf.rules.push(RuleDef {
                name: r.attribute("name").unwrap_or_default().to_string(),
                line: line(r),
                vsys: vsys.clone(),
                from: members(child(r, "from")),
                to: members(child(r, "to")),
                source: members(child(r, "source")),
                destination: members(child(r, "destination")),
                negate_source: yes(child(r, "negate-source")),
                negate_destination: yes(child(r, "negate-destination")),
                service: members(child(r, "service")),
                application: members(child(r, "application")),
                action: text_of(child(r, "action")).unwrap_or_else(|| "allow".into()),
                disabled: yes(child(r, "disabled")),
                rule_type: text_of(child(r, "rule-type")).unwrap_or_else(|| "universal".into()),
                extra,
            });
        }
        for r in entries(rb.and_then(|rb| path(rb, &["default-security-rules", "rules"]))) {
            let allow = text_of(child(r, "action")).map(|a| a == "allow");
            let l = line(r);
            match (r.attribute("name"), allow) {
                (Some("intrazone-default"), Some(a)) => conf.intrazone = Some((a, l)),
                (Some("interzone-default"), Some(a)) => conf.interzone = Some((a, l)),
                _ => {}
            }
        }
    }
    if scopes.is_empty() {
        return Err(conf_err(
            file,
            1,
            "PAN-OS の設定に shared も vsys もありません / a PAN-OS configuration without shared or vsys".into(),
        ));
    }
    Ok(conf)
}

// ---------------------------------------------------------------- set

/// Splits a `set` line into words: `"quoted words"` and `[ a b ]` lists
/// (a list is one word whose items are separated by spaces).
fn set_words(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut list: Option<Vec<String>> = None;
    let mut has = false;
    let flush = |cur: &mut String,
                 has: &mut bool,
                 list: &mut Option<Vec<String>>,
                 out: &mut Vec<String>| {
        if *has {
            let w = std::mem::take(cur);
            match list {
                Some(l) => l.push(w),
                None => out.push(w),
            }
            *has = false;
        }
    };
    for c in line.chars() {
        if quoted {
            if c == '"' {
                quoted = false;
            } else {
                cur.push(c);
            }
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                has = true;
            }
            '[' if !has => list = Some(Vec::new()),
            ']' if list.is_some() => {
                flush(&mut cur, &mut has, &mut list, &mut out);
                if let Some(l) = list.take() {
                    out.push(l.join(" "));
                }
            }
            c if c.is_whitespace() => flush(&mut cur, &mut has, &mut list, &mut out),
            c => {
                cur.push(c);
                has = true;
            }
        }
    }
    if quoted {
        return Err("引用符 (\") が閉じられていません / a quoted string is never closed".into());
    }
    if list.is_some() {
        return Err("[ ] のリストが閉じられていません / a [ ] list is never closed".into());
    }
    flush(&mut cur, &mut has, &mut list, &mut out);
    Ok(out)
}

fn split_list(v: &str) -> Vec<String> {
    v.split_whitespace().map(str::to_string).collect()
}

fn read_set(file: &str, text: &str, budget: &Budget) -> Result<Conf, NetcheckError> {
    let mut conf = Conf::default();
    let mut rule_at: HashMap<(String, String), usize> = HashMap::new();
    let mut zone_at: HashMap<(String, String), usize> = HashMap::new();
    let mut addr_entries: HashMap<String, (u32, Option<AddrDef>)> = HashMap::new();
    let mut seen_set = false;
    for (i, raw) in text.lines().enumerate() {
        budget.spend(1)?;
        let no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let w = set_words(t).map_err(|m| conf_err(file, no, m))?;
        let ws: Vec<&str> = w.iter().map(String::as_str).collect();
        let Some((&"set", rest)) = ws.split_first() else {
            if ws.first().is_some_and(|c| {
                matches!(
                    *c,
                    "delete" | "edit" | "up" | "top" | "exit" | "quit" | "configure" | "commit"
                )
            }) {
                continue;
            }
            return Err(conf_err(
                file,
                no,
                format!(
                    "PAN-OS の set コマンドではありません / not a PAN-OS set command: {:?}",
                    t.chars().take(60).collect::<String>()
                ),
            ));
        };
        seen_set = true;
        // Scope: `set vsys vsys1 …`, `set shared …`, or none (vsys1).
        let (vsys, rest) = match rest {
            ["vsys", v, r @ ..] => ((*v).to_string(), r),
            ["shared", r @ ..] => ("shared".to_string(), r),
            r => ("vsys1".to_string(), r),
        };
        match rest {
            ["zone", z, rest @ ..] => {
                let key = (vsys.clone(), (*z).to_string());
                let idx = *zone_at.entry(key).or_insert_with(|| {
                    conf.zones
                        .push(((*z).to_string(), vsys.clone(), no, Vec::new()));
                    conf.zones.len() - 1
                });
                if let ["network", _kind, ifs] = rest {
                    conf.zones[idx].3.extend(split_list(ifs));
                }
            }
            ["address", name, kind, v, ..] => {
                let def = match *kind {
                    "ip-netmask" | "ip-range" => Some(AddrDef::Net(parse_net(v))),
                    "fqdn" => Some(AddrDef::Unmodelled(format!("address {name:?} is an FQDN"))),
                    "ip-wildcard" => Some(AddrDef::Unmodelled(format!(
                        "address {name:?} is a wildcard mask"
                    ))),
                    _ => None,
                };
                let e = addr_entries
                    .entry((*name).to_string())
                    .or_insert((no, None));
                if def.is_some() {
                    e.1 = def;
                }
            }
            ["address-group", name, "static", m] => {
                conf.groups
                    .insert((*name).to_string(), (no, Some(split_list(m))));
            }
            ["address-group", name, "dynamic", ..] => {
                conf.groups.insert((*name).to_string(), (no, None));
            }
            ["service", name, "protocol", p, rest @ ..] => {
                let num = match *p {
                    "tcp" => 6u128,
                    "udp" => 17,
                    "sctp" => 132,
                    _ => continue,
                };
                let e = conf
                    .services
                    .entry((*name).to_string())
                    .or_insert((no, SvcDef::default()));
                let idx = match e.1.parts.iter().position(|x| x.0 == num) {
                    Some(i) => i,
                    None => {
                        e.1.parts.push((num, String::new(), None));
                        e.1.parts.len() - 1
                    }
                };
                match rest {
                    ["port", v, ..] => e.1.parts[idx].1 = (*v).to_string(),
                    ["source-port", v, ..] => e.1.parts[idx].2 = Some((*v).to_string()),
                    _ => {}
                }
            }
            ["service-group", name, "members", m] => {
                conf.svc_groups
                    .insert((*name).to_string(), (no, split_list(m)));
            }
            ["rulebase", "security", "rules", name, key, v @ ..] => {
                let k = (vsys.clone(), (*name).to_string());
                let idx = *rule_at.entry(k).or_insert_with(|| {
                    conf.rules.push(RuleDef {
                        name: (*name).to_string(),
                        line: no,
                        vsys: vsys.clone(),
                        action: "allow".into(),
                        rule_type: "universal".into(),
                        ..RuleDef::default()
                    });
                    conf.rules.len() - 1
                });
                let r = &mut conf.rules[idx];
                let val = v.first().copied().unwrap_or_default();
                let list = split_list(val);
                match *key {
                    "from" => r.from.extend(list),
                    "to" => r.to.extend(list),
                    "source" => r.source.extend(list),
                    "destination" => r.destination.extend(list),
                    "service" => r.service.extend(list),
                    "application" => r.application.extend(list),
                    "negate-source" => r.negate_source = val == "yes",
                    "negate-destination" => r.negate_destination = val == "yes",
                    "action" => r.action = val.to_string(),
                    "disabled" => r.disabled = val == "yes",
                    "rule-type" => r.rule_type = val.to_string(),
                    "schedule" => r.extra.push(format!("schedule {val:?}")),
                    "source-user" | "category" | "source-hip" | "destination-hip"
                        if list.iter().any(|x| x != "any") =>
                    {
                        r.extra.push(format!("{key} {}", list.join(",")));
                    }
                    _ => {}
                }
            }
            [
                "rulebase",
                "default-security-rules",
                "rules",
                name,
                "action",
                a,
                ..,
            ] => {
                let v = Some((*a == "allow", no));
                match *name {
                    "intrazone-default" => conf.intrazone = v,
                    "interzone-default" => conf.interzone = v,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if !seen_set {
        return Err(conf_err(
            file,
            1,
            "PAN-OS の set コマンドがありません / no PAN-OS set command".into(),
        ));
    }
    for (name, (no, def)) in addr_entries {
        let def = def
            .unwrap_or_else(|| AddrDef::Unmodelled(format!("address {name:?} of an unknown type")));
        conf.addrs.insert(name, (no, def));
    }
    Ok(conf)
}

// ---------------------------------------------------------------- model

/// Common applications and the ports they use by default.
fn app_default(app: &str) -> Option<Vec<(u128, &'static str)>> {
    Some(match app {
        "web-browsing" => vec![(6, "80")],
        "ssl" => vec![(6, "443")],
        "ssh" => vec![(6, "22")],
        "telnet" => vec![(6, "23")],
        "ftp" => vec![(6, "21")],
        "dns" => vec![(6, "53"), (17, "53")],
        "ntp" => vec![(17, "123")],
        "smtp" => vec![(6, "25")],
        "pop3" => vec![(6, "110")],
        "imap" => vec![(6, "143")],
        "ms-rdp" => vec![(6, "3389")],
        "ms-ds-smb" => vec![(6, "139,445")],
        "ldap" => vec![(6, "389"), (17, "389")],
        "kerberos" => vec![(6, "88"), (17, "88")],
        "snmp" => vec![(17, "161")],
        "syslog" => vec![(17, "514")],
        "ping" | "icmp" => vec![(1, ""), (58, "")],
        _ => return None,
    })
}

/// One service: protocol, source ports, destination ports.
type Service = (u128, IntervalSet, IntervalSet);

struct Objs<'a> {
    conf: &'a Conf,
    budget: &'a Budget,
    addr_memo: RefCell<HashMap<String, Result<[IntervalSet; 2], String>>>,
    svc_memo: RefCell<HashMap<String, Result<Vec<Service>, String>>>,
    over: RefCell<Option<NetcheckError>>,
}

impl Objs<'_> {
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

    fn address(&self, name: &str, depth: usize) -> Result<[IntervalSet; 2], String> {
        if let Some(r) = self.addr_memo.borrow().get(name) {
            return r.clone();
        }
        if depth > MAX_GROUP_DEPTH {
            return Err(format!(
                "address groups nested too deep (or in a loop) at {name:?}"
            ));
        }
        self.spend()?;
        let r = (|| {
            if let Some((_, def)) = self.conf.addrs.get(name) {
                return match def {
                    AddrDef::Net(Ok((f, s))) => {
                        let mut o = [IntervalSet::empty(), IntervalSet::empty()];
                        o[f.index()] = s.clone();
                        Ok(o)
                    }
                    AddrDef::Net(Err(e)) => Err(format!("address {name:?}: {e}")),
                    AddrDef::Unmodelled(e) => Err(e.clone()),
                };
            }
            if let Some((_, m)) = self.conf.groups.get(name) {
                let Some(m) = m else {
                    return Err(format!("address group {name:?} is dynamic"));
                };
                let mut o = [IntervalSet::empty(), IntervalSet::empty()];
                for x in m {
                    let a = self.address(x, depth + 1)?;
                    o = [o[0].union(&a[0]), o[1].union(&a[1])];
                }
                return Ok(o);
            }
            if name == "any" {
                return Ok([
                    IntervalSet::range(0, Family::Ipv4.addr_max()),
                    IntervalSet::range(0, Family::Ipv6.addr_max()),
                ]);
            }
            match parse_net(name) {
                Ok((f, s)) => {
                    let mut o = [IntervalSet::empty(), IntervalSet::empty()];
                    o[f.index()] = s;
                    Ok(o)
                }
                Err(_) => Err(format!("unknown address {name:?}")),
            }
        })();
        if depth == 0
            || !r
                .as_ref()
                .is_err_and(|e| e.contains("too deep") || e == "budget")
        {
            self.addr_memo
                .borrow_mut()
                .insert(name.to_string(), r.clone());
        }
        r
    }

    /// (protocol, source ports, destination ports) of a service or group.
    fn service(&self, name: &str, depth: usize) -> Result<Vec<Service>, String> {
        if let Some(r) = self.svc_memo.borrow().get(name) {
            return r.clone();
        }
        if depth > MAX_GROUP_DEPTH {
            return Err(format!(
                "service groups nested too deep (or in a loop) at {name:?}"
            ));
        }
        self.spend()?;
        let r = (|| {
            if let Some((_, def)) = self.conf.services.get(name) {
                let mut out = Vec::new();
                for (p, ports, sports) in &def.parts {
                    let d = crate::addr::parse_ports(ports)?;
                    let s = match sports {
                        Some(s) => crate::addr::parse_ports(s)?,
                        None => IntervalSet::range(0, 65535),
                    };
                    out.push((*p, s, d));
                }
                return Ok(out);
            }
            if let Some((_, m)) = self.conf.svc_groups.get(name) {
                let mut out = Vec::new();
                for x in m {
                    out.extend(self.service(x, depth + 1)?);
                }
                return Ok(out);
            }
            let any = IntervalSet::range(0, 65535);
            match name {
                "service-http" => Ok(vec![(
                    6,
                    any,
                    IntervalSet::from_intervals([(80, 80), (8080, 8080)]),
                )]),
                "service-https" => Ok(vec![(6, any, IntervalSet::single(443))]),
                _ => Err(format!("unknown service {name:?}")),
            }
        })();
        if depth == 0
            || !r
                .as_ref()
                .is_err_and(|e| e.contains("too deep") || e == "budget")
        {
            self.svc_memo
                .borrow_mut()
                .insert(name.to_string(), r.clone());
        }
        r
    }
}

pub(crate) fn parse(
    file: &str,
    text: &str,
    ifaces: &IfaceMap,
    budget: &Budget,
) -> Result<IrConfig, NetcheckError> {
    let text = text.trim_start_matches('\u{feff}');
    let conf = if text.trim_start().starts_with('<') {
        read_xml(file, text, budget)?
    } else {
        read_set(file, text, budget)?
    };
    build(file, &conf, ifaces, budget)
}

fn full() -> [IntervalSet; 2] {
    [
        IntervalSet::range(0, Family::Ipv4.addr_max()),
        IntervalSet::range(0, Family::Ipv6.addr_max()),
    ]
}

fn build(
    file: &str,
    conf: &Conf,
    ifaces: &IfaceMap,
    budget: &Budget,
) -> Result<IrConfig, NetcheckError> {
    let file_rc: Arc<str> = file.into();
    let rref = |line: u32, text: String| RuleRef {
        file: file_rc.clone(),
        line,
        text: text.into(),
        vdom: None,
    };
    let mut cfg = IrConfig {
        families: [true, true],
        ..IrConfig::default()
    };
    cfg.notes.extend(conf.notes.iter().cloned());
    // The addresses behind each zone.
    let mut zone_addrs: Vec<(String, String, [IntervalSet; 2])> = Vec::new();
    for (z, vsys, line, ifs) in &conf.zones {
        let mut names = vec![z.clone()];
        names.extend(ifs.iter().cloned());
        let a = ifaces.addrs(&names).map_err(|p| {
            conf_err(
                file,
                *line,
                format!("PAN-OS の通信はゾーンで区別されるため、セグメントファイルの各セグメントに interfaces (ゾーン名) が必要です / PAN-OS traffic is told apart by zone: every segment of the segments file must list its zones under interfaces: {p}"),
            )
        })?;
        zone_addrs.push((z.clone(), vsys.clone(), a));
    }
    // Zones that face no segment: their traffic is not judged. None at all
    // is a segments file written for another device: refused, not a clean
    // verdict.
    let unmapped: Vec<String> = zone_addrs
        .iter()
        .filter(|z| z.2.iter().all(IntervalSet::is_empty))
        .map(|z| z.0.clone())
        .collect();
    if !zone_addrs.is_empty() && unmapped.len() == zone_addrs.len() {
        return Err(conf_err(
            file,
            conf.zones.first().map(|z| z.2).unwrap_or(0),
            format!(
                "ゾーン ({}) はどれもセグメントファイルの interfaces にありません / no zone ({}) is listed under a segment's interfaces in the segments file",
                unmapped.join(", "),
                unmapped.join(", ")
            ),
        ));
    }
    if !unmapped.is_empty() {
        cfg.notes.push(format!(
            "{file}: セグメントに対応しないゾーン ({}) の通信は判定していません / zones facing no segment ({}) are not judged",
            unmapped.join(", "),
            unmapped.join(", ")
        ));
    }
    // Only zones facing a segment can share one (the others are empty).
    let facing: Vec<&(String, String, [IntervalSet; 2])> = zone_addrs
        .iter()
        .filter(|z| z.2.iter().any(|a| !a.is_empty()))
        .collect();
    let overlap = facing.iter().enumerate().any(|(i, a)| {
        facing
            .iter()
            .skip(i + 1)
            .any(|b| (0..2).any(|x| a.2[x].intersects(&b.2[x])))
    });
    if overlap {
        cfg.notes.push(format!(
            "{file}: 一つのセグメントが複数のゾーンの背後にあるため、拒否ルールは考慮していません (許可は多めに数えます) / a segment sits behind several zones: deny rules are left out (more is counted as permitted, never less)"
        ));
    }
    // Zones facing no segment carry no traffic between segments: left out
    // of every rule, so that thousands of zones stay linear in the
    // segments file.
    let mapped = |i: usize| zone_addrs[i].2.iter().any(|a| !a.is_empty());
    let zones_of = |names: &[String], vsys: &str| -> Result<Vec<usize>, String> {
        let mut out = Vec::new();
        let own = |z: &(String, String, [IntervalSet; 2])| z.1 == vsys || vsys == "shared";
        if names.is_empty() || names.iter().any(|n| n == "any") {
            out.extend(
                zone_addrs
                    .iter()
                    .enumerate()
                    .filter(|(_, z)| own(z))
                    .map(|(i, _)| i),
            );
            out.retain(|&i| mapped(i));
            return Ok(out);
        }
        for n in names {
            match zone_addrs.iter().position(|z| &z.0 == n && own(z)) {
                Some(i) => out.push(i),
                None => return Err(format!("unknown zone {n:?}")),
            }
        }
        out.retain(|&i| mapped(i));
        Ok(out)
    };
    let objs = Objs {
        conf,
        budget,
        addr_memo: RefCell::new(HashMap::new()),
        svc_memo: RefCell::new(HashMap::new()),
        over: RefCell::new(None),
    };
    let pair_set = |a: &[IntervalSet; 2], b: &[IntervalSet; 2]| -> PacketSet {
        let mut s = PacketSet::empty();
        for f in Family::ALL {
            let mut bx = PBox::universe(f);
            bx.dims[SRC] = a[f.index()].clone();
            bx.dims[DST] = b[f.index()].clone();
            if !bx.is_empty() {
                *s.get_mut(f) = BoxSet::from_box(bx);
            }
        }
        s
    };
    let mut rules = Vec::new();
    for r in &conf.rules {
        budget.spend(1)?;
        if r.disabled {
            continue;
        }
        let mut problems: Vec<String> = r.extra.clone();
        let allow = r.action == "allow";
        // Zones.
        let (from, to) = match (zones_of(&r.from, &r.vsys), zones_of(&r.to, &r.vsys)) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                problems.extend(a.err());
                problems.extend(b.err());
                let all: Vec<usize> = (0..zone_addrs.len()).collect();
                (all.clone(), all)
            }
        };
        let mut zset = PacketSet::empty();
        match r.rule_type.as_str() {
            "intrazone" => {
                for &z in &from {
                    zset = zset.union(&pair_set(&zone_addrs[z].2, &zone_addrs[z].2));
                }
            }
            "interzone" => {
                for &a in &from {
                    for &b in &to {
                        if a != b {
                            zset = zset.union(&pair_set(&zone_addrs[a].2, &zone_addrs[b].2));
                        }
                    }
                }
            }
            _ => {
                let mut fa = [IntervalSet::empty(), IntervalSet::empty()];
                let mut ta = [IntervalSet::empty(), IntervalSet::empty()];
                for &z in &from {
                    fa = [
                        fa[0].union(&zone_addrs[z].2[0]),
                        fa[1].union(&zone_addrs[z].2[1]),
                    ];
                }
                for &z in &to {
                    ta = [
                        ta[0].union(&zone_addrs[z].2[0]),
                        ta[1].union(&zone_addrs[z].2[1]),
                    ];
                }
                zset = pair_set(&fa, &ta);
            }
        }
        // Addresses.
        let mut wide = Wide::default();
        let mut sides: Vec<[IntervalSet; 2]> = Vec::new();
        for (names, neg, is_src) in [
            (&r.source, r.negate_source, true),
            (&r.destination, r.negate_destination, false),
        ] {
            let mut a = [IntervalSet::empty(), IntervalSet::empty()];
            let mut unknown = false;
            for n in names
                .iter()
                .chain(names.is_empty().then_some(&"any".to_string()))
            {
                match objs.address(n, 0) {
                    Ok(x) => a = [a[0].union(&x[0]), a[1].union(&x[1])],
                    Err(e) => {
                        problems.push(e);
                        unknown = true;
                    }
                }
            }
            if unknown {
                a = full();
            } else if neg {
                a = [
                    a[0].complement(Family::Ipv4.addr_max()),
                    a[1].complement(Family::Ipv6.addr_max()),
                ];
            }
            let any =
                a[0].is_full(Family::Ipv4.addr_max()) && a[1].is_full(Family::Ipv6.addr_max());
            if is_src {
                wide.src_any = any;
            } else {
                wide.dst_any = any;
            }
            sides.push(a);
        }
        // Services (and applications).
        let apps: Vec<&String> = r.application.iter().filter(|a| *a != "any").collect();
        let mut svcs: Vec<(IntervalSet, IntervalSet, IntervalSet)> = Vec::new();
        let any_ports = IntervalSet::range(0, 65535);
        let mut any_service = false;
        let mut app_default_used = false;
        for s in r
            .service
            .iter()
            .chain(r.service.is_empty().then_some(&"any".to_string()))
        {
            match s.as_str() {
                "any" => any_service = true,
                "application-default" => app_default_used = true,
                n => match objs.service(n, 0) {
                    Ok(v) => svcs.extend(
                        v.into_iter()
                            .map(|(p, sp, dp)| (IntervalSet::single(p), sp, dp)),
                    ),
                    Err(e) => {
                        problems.push(e);
                        any_service = true;
                    }
                },
            }
        }
        if app_default_used {
            if apps.is_empty() {
                // application any + application-default: any port the
                // device knows an application on.
                problems.push("application-default with application any".into());
                any_service = true;
            }
            for a in &apps {
                match app_default(a) {
                    Some(v) => {
                        for (p, ports) in v {
                            let d = if ports.is_empty() {
                                any_ports.clone()
                            } else {
                                crate::addr::parse_ports(ports)
                                    .unwrap_or_else(|_| any_ports.clone())
                            };
                            svcs.push((IntervalSet::single(p), any_ports.clone(), d));
                        }
                    }
                    None => {
                        problems.push(format!("default ports of application {a:?}"));
                        any_service = true;
                    }
                }
            }
        }
        if !apps.is_empty() && !allow {
            problems.push(format!(
                "deny of applications {}",
                apps.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        }
        if overlap && !allow {
            problems.push("the segment sits behind several zones: this deny is not taken".into());
        }
        let mut set = PacketSet::empty();
        for f in Family::ALL {
            let x = f.index();
            if sides[0][x].is_empty() || sides[1][x].is_empty() {
                continue;
            }
            let mut bs = BoxSet::empty();
            if any_service {
                let mut b = PBox::universe(f);
                b.dims[SRC] = sides[0][x].clone();
                b.dims[DST] = sides[1][x].clone();
                bs.add_box(b);
            } else {
                for (p, sp, dp) in &svcs {
                    let mut b = PBox::universe(f);
                    b.dims[SRC] = sides[0][x].clone();
                    b.dims[DST] = sides[1][x].clone();
                    b.dims[PROTO] = p.clone();
                    b.dims[SPORT] = sp.clone();
                    b.dims[DPORT] = dp.clone();
                    if !b.is_empty() {
                        bs.add_box(b);
                    }
                }
            }
            *set.get_mut(f) = bs.intersect(zset.get(f));
        }
        wide.dport_any = any_service;
        // A zone stands for its segments' addresses (as an interface does
        // for FortiOS): only `any` zone leaves a side open.
        let any_zone = |z: &[String]| z.is_empty() || z.iter().any(|n| n == "any");
        wide.src_any &= any_zone(&r.from);
        wide.dst_any &= any_zone(&r.to);
        if let Some(e) = objs.over.borrow_mut().take() {
            return Err(e);
        }
        problems.dedup();
        let id = cfg.add_rule(
            rref(
                r.line,
                if r.vsys == "vsys1" || r.vsys == "shared" {
                    format!("security rule {:?}", r.name)
                } else {
                    format!("{} security rule {:?}", r.vsys, r.name)
                },
            ),
            wide,
            false,
        );
        let action = match (problems.is_empty(), allow) {
            (true, true) => Action::Accept,
            (true, false) => Action::Drop,
            (false, true) => Action::Approx(problems.join("; ")),
            (false, false) => Action::Unsupported(problems.join("; ")),
        };
        rules.push(IrRule { id, set, action });
    }
    // The default rules: intrazone allow and interzone deny, unless
    // overridden.
    let (intra_allow, intra_line) = conf.intrazone.unwrap_or((true, 0));
    let (inter_allow, inter_line) = conf.interzone.unwrap_or((false, 0));
    let intra_id = cfg.add_rule(
        rref(
            intra_line,
            format!(
                "intrazone-default ({})",
                if intra_allow { "allow" } else { "deny" }
            ),
        ),
        Wide::default(),
        true,
    );
    let mut intra_set = PacketSet::empty();
    for z in zone_addrs
        .iter()
        .filter(|z| z.2.iter().any(|a| !a.is_empty()))
    {
        intra_set = intra_set.union(&pair_set(&z.2, &z.2));
    }
    rules.push(IrRule {
        id: intra_id,
        set: intra_set,
        action: if intra_allow {
            Action::Accept
        } else if overlap {
            Action::Unsupported("intrazone deny with a segment behind several zones".into())
        } else {
            Action::Drop
        },
    });
    let inter_id = cfg.add_rule(
        rref(
            inter_line,
            format!(
                "interzone-default ({})",
                if inter_allow { "allow" } else { "deny" }
            ),
        ),
        Wide::default(),
        true,
    );
    if inter_allow {
        let mut inter = PacketSet::empty();
        let faced: Vec<_> = zone_addrs
            .iter()
            .filter(|z| z.2.iter().any(|a| !a.is_empty()))
            .collect();
        for a in &faced {
            for b in &faced {
                inter = inter.union(&pair_set(&a.2, &b.2));
            }
        }
        rules.push(IrRule {
            id: inter_id,
            set: inter,
            action: Action::Accept,
        });
    }
    cfg.chains.insert("security".into(), rules);
    cfg.bases.push(BaseChain {
        name: "security".into(),
        families: [true, true],
        prio: 0,
        accept_by_default: false,
        policy_rule: inter_id,
    });
    Ok(cfg)
}
