//! `nft -j list ruleset` (JSON schema 1).
//!
//! Understood: tables of families `ip`, `ip6`, `inet`; base chains of type
//! filter on the `forward` hook (several are combined by priority: a packet
//! must be accepted by each); regular chains; named sets of addresses,
//! protocols, ports and interface names; matches on `ip`/`ip6`
//! `saddr`/`daddr`, `ip protocol`, `ip6 nexthdr`, `meta l4proto`,
//! `meta nfproto`, `tcp`/`udp`/`sctp`/`dccp`/`udplite`/`th` ports,
//! `iifname`/`oifname`/`iif`/`oif` (through the segments' interface lists),
//! `ct state`; with `==`, `!=` and `in`, against values, prefixes, ranges and
//! sets; verdicts `accept`, `drop`, `reject`, `return`, `jump`, `goto`;
//! `counter`, `log` and comments are ignored. Everything else (marks, ICMP
//! types, TCP flags, limits, quotas, maps, `xt` compatibility expressions…)
//! makes the rule unsupported. The line of a rule is the line where its JSON
//! object starts (one line for `nft -j`, one per rule after `jq .`).

use crate::NetcheckError;
use crate::addr::{parse_ip, parse_net, port_protocols, proto_number};
use crate::ir::{Action, BaseChain, IfaceMap, IrConfig, IrRule, MatchBuilder};
use crate::report::RuleRef;
use crate::space::{DPORT, DST, Family, IntervalSet, PROTO, SPORT, SRC};
use serde_json::Value;
use std::collections::HashMap;

/// Line numbers of the elements of the top-level `nftables` array.
fn element_lines(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let Some(start) = text.find("\"nftables\"") else {
        return out;
    };
    let bytes = text.as_bytes();
    let mut i = start + "\"nftables\"".len();
    while i < bytes.len() && bytes[i] != b'[' {
        i += 1;
    }
    let mut line: u32 =
        1 + u32::try_from(text[..i.min(text.len())].matches('\n').count()).unwrap_or(0);
    let mut depth = 0usize;
    let mut in_str = false;
    let mut esc = false;
    let mut expect = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\n' {
            line += 1;
        }
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => {
                if expect && depth == 1 {
                    out.push(line);
                    expect = false;
                }
                in_str = true;
            }
            b'[' | b'{' => {
                if expect && depth == 1 {
                    out.push(line);
                    expect = false;
                }
                depth += 1;
                if depth == 1 {
                    expect = true;
                }
            }
            b']' | b'}' => {
                if depth == 1 {
                    return out;
                }
                depth = depth.saturating_sub(1);
            }
            b',' if depth == 1 => expect = true,
            c if !c.is_ascii_whitespace() && expect && depth == 1 => {
                out.push(line);
                expect = false;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn fam_flags(family: &str) -> Option<[bool; 2]> {
    match family {
        "ip" => Some([true, false]),
        "ip6" => Some([false, true]),
        "inet" => Some([true, true]),
        _ => None,
    }
}

fn key(family: &str, table: &str, chain: &str) -> String {
    format!("{family} {table} {chain}")
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// A set of values on the right of a match.
enum Vals {
    Addrs([IntervalSet; 2]),
    Ints(IntervalSet),
    Names(Vec<String>),
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Addr,
    Proto,
    Port,
    Iface,
    State,
    NfProto,
}

fn one_value(kind: Kind, v: &Value, out: &mut Vec<Value>) {
    let _ = kind;
    out.push(v.clone());
}

fn flatten_right<'a>(
    v: &'a Value,
    sets: &'a HashMap<String, Vec<Value>>,
    prefix: &str,
) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    match v {
        Value::String(x) if x.starts_with('@') => {
            let name = format!("{prefix} {}", &x[1..]);
            let elems = sets.get(&name).ok_or_else(|| format!("unknown set {x}"))?;
            for e in elems {
                out.extend(flatten_right(e, sets, prefix)?);
            }
        }
        Value::Object(o) if o.contains_key("set") => {
            if let Some(Value::Array(items)) = o.get("set") {
                for it in items {
                    out.extend(flatten_right(it, sets, prefix)?);
                }
            } else if let Some(single) = o.get("set") {
                out.extend(flatten_right(single, sets, prefix)?);
            }
        }
        Value::Object(o) if o.contains_key("elem") => {
            let val = o
                .get("elem")
                .and_then(|e| e.get("val"))
                .ok_or("set element without a value")?;
            out.extend(flatten_right(val, sets, prefix)?);
        }
        Value::Array(items) => {
            for it in items {
                out.extend(flatten_right(it, sets, prefix)?);
            }
        }
        other => one_value(Kind::Addr, other, &mut out),
    }
    Ok(out)
}

fn int_of(v: &Value, kind: Kind) -> Result<u128, String> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .map(u128::from)
            .ok_or_else(|| format!("bad number {n}")),
        Value::String(x) => {
            if kind == Kind::Proto {
                proto_number(x)
                    .map(u128::from)
                    .ok_or_else(|| format!("unknown protocol {x:?}"))
            } else {
                x.parse::<u16>()
                    .map(u128::from)
                    .map_err(|_| format!("port name {x:?} (numbers only)"))
            }
        }
        other => Err(format!("unexpected value {other}")),
    }
}

fn vals(
    kind: Kind,
    right: &Value,
    sets: &HashMap<String, Vec<Value>>,
    prefix: &str,
) -> Result<Vals, String> {
    let items = flatten_right(right, sets, prefix)?;
    match kind {
        Kind::Addr => {
            let mut out = [IntervalSet::empty(), IntervalSet::empty()];
            for it in &items {
                let (f, set) = match it {
                    Value::String(a) => parse_net(a)?,
                    Value::Object(o) if o.contains_key("prefix") => {
                        let p = &o["prefix"];
                        let addr = s(p, "addr");
                        let len = p.get("len").and_then(Value::as_u64).unwrap_or(0);
                        parse_net(&format!("{addr}/{len}"))?
                    }
                    Value::Object(o) if o.contains_key("range") => {
                        let r = o["range"].as_array().ok_or("bad range")?;
                        let a = r.first().and_then(Value::as_str).ok_or("bad range")?;
                        let b = r.get(1).and_then(Value::as_str).ok_or("bad range")?;
                        let (fa, lo) = parse_ip(a).ok_or("bad range")?;
                        let (_, hi) = parse_ip(b).ok_or("bad range")?;
                        (fa, IntervalSet::range(lo, hi))
                    }
                    other => return Err(format!("unexpected address value {other}")),
                };
                out[f.index()] = out[f.index()].union(&set);
            }
            Ok(Vals::Addrs(out))
        }
        Kind::Proto | Kind::Port => {
            let mut ivs = Vec::new();
            for it in &items {
                match it {
                    Value::Object(o) if o.contains_key("range") => {
                        let r = o["range"].as_array().ok_or("bad range")?;
                        let a = int_of(r.first().ok_or("bad range")?, kind)?;
                        let b = int_of(r.get(1).ok_or("bad range")?, kind)?;
                        ivs.push((a, b));
                    }
                    other => {
                        let v = int_of(other, kind)?;
                        ivs.push((v, v));
                    }
                }
            }
            Ok(Vals::Ints(IntervalSet::from_intervals(ivs)))
        }
        Kind::Iface | Kind::State | Kind::NfProto => {
            let mut names = Vec::new();
            for it in &items {
                match it {
                    Value::String(x) => names.push(x.clone()),
                    other => return Err(format!("unexpected value {other}")),
                }
            }
            Ok(Vals::Names(names))
        }
    }
}

fn port_proto(p: &str) -> Option<IntervalSet> {
    match p {
        "th" => Some(port_protocols()),
        other => proto_number(other).map(|n| IntervalSet::single(u128::from(n))),
    }
}

/// The left side of a match.
#[derive(Clone, Copy)]
enum Left<'a> {
    Payload(&'a str, &'a str),
    Meta(&'a str),
    Ct(&'a str),
    Other(&'a str),
}

impl Left<'_> {
    fn describe(&self) -> String {
        match self {
            Left::Payload(p, f) => format!("payload {p} {f}"),
            Left::Meta(k) => format!("meta {k}"),
            Left::Ct(k) => format!("ct {k}"),
            Left::Other(t) => (*t).to_string(),
        }
    }
}

fn left_of(v: &Value) -> Left<'_> {
    if let Some(p) = v.get("payload") {
        return Left::Payload(s(p, "protocol"), s(p, "field"));
    }
    if let Some(m) = v.get("meta") {
        return Left::Meta(s(m, "key"));
    }
    if let Some(c) = v.get("ct") {
        return Left::Ct(s(c, "key"));
    }
    Left::Other(
        v.as_object()
            .and_then(|o| o.keys().next())
            .map(String::as_str)
            .unwrap_or("?"),
    )
}

/// Typed forms of the common expressions, read without building a
/// `serde_json::Value` for each (a large ruleset has millions of them).
/// Anything else falls back to the general path.
mod typed {
    use serde::{Deserialize, Deserializer, de::IgnoredAny};
    use serde_json::Value;
    use std::borrow::Cow;

    fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        IgnoredAny::deserialize(d)?;
        Ok(true)
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Expr<'a> {
        #[serde(rename = "match", borrow, default)]
        pub m: Option<Match<'a>>,
        #[serde(default, deserialize_with = "present")]
        pub accept: bool,
        #[serde(default, deserialize_with = "present")]
        pub drop: bool,
        #[serde(default, deserialize_with = "present")]
        pub reject: bool,
        #[serde(rename = "return", default, deserialize_with = "present")]
        pub ret: bool,
        #[serde(borrow, default)]
        pub jump: Option<Target<'a>>,
        #[serde(borrow, default)]
        pub goto: Option<Target<'a>>,
        // Counters and logging do not change what is matched.
        #[serde(rename = "counter", default, deserialize_with = "present")]
        _counter: bool,
        #[serde(rename = "log", default, deserialize_with = "present")]
        _log: bool,
    }

    #[derive(Deserialize)]
    pub struct Target<'a> {
        #[serde(borrow)]
        pub target: Cow<'a, str>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Match<'a> {
        #[serde(borrow)]
        pub op: Cow<'a, str>,
        #[serde(borrow)]
        pub left: LeftObj<'a>,
        pub right: Value,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct LeftObj<'a> {
        #[serde(borrow, default)]
        pub payload: Option<Payload<'a>>,
        #[serde(borrow, default)]
        pub meta: Option<Key<'a>>,
        #[serde(borrow, default)]
        pub ct: Option<Key<'a>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Payload<'a> {
        #[serde(borrow)]
        pub protocol: Cow<'a, str>,
        #[serde(borrow)]
        pub field: Cow<'a, str>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Key<'a> {
        #[serde(borrow)]
        pub key: Cow<'a, str>,
    }

    #[derive(Deserialize)]
    pub struct Rule<'a> {
        #[serde(borrow, default)]
        pub family: Cow<'a, str>,
        #[serde(borrow, default)]
        pub table: Cow<'a, str>,
        #[serde(borrow, default)]
        pub chain: Cow<'a, str>,
        #[serde(default)]
        pub handle: Option<u64>,
        #[serde(default)]
        pub comment: Option<String>,
        #[serde(borrow, default)]
        pub expr: Vec<&'a serde_json::value::RawValue>,
    }

    /// One item of the document; `R` is how a rule is read.
    #[derive(Deserialize)]
    #[serde(bound(deserialize = "R: Deserialize<'de>"))]
    pub struct Item<'a, R> {
        #[serde(borrow, default)]
        pub table: Option<&'a serde_json::value::RawValue>,
        #[serde(borrow, default)]
        pub chain: Option<&'a serde_json::value::RawValue>,
        #[serde(borrow, default)]
        pub set: Option<&'a serde_json::value::RawValue>,
        #[serde(default)]
        pub rule: Option<R>,
    }

    #[derive(Deserialize)]
    #[serde(bound(deserialize = "R: Deserialize<'de>"))]
    pub struct Doc<'a, R> {
        #[serde(borrow)]
        pub nftables: Vec<Item<'a, R>>,
    }
}

/// A rule of the document: read with the document, or kept as text to be
/// read (and reported) on its own.
enum RuleSrc<'a> {
    Read(typed::Rule<'a>),
    Raw(&'a serde_json::value::RawValue),
}

/// The document's items. Rules are read in the same pass when every rule
/// is well formed (one reading of the text instead of two); otherwise each
/// is read on its own, so that a bad one is reported and the others are
/// still checked.
fn items(text: &str) -> Result<Vec<typed::Item<'_, RuleSrc<'_>>>, serde_json::Error> {
    fn conv<'a, R>(
        doc: typed::Doc<'a, R>,
        f: fn(R) -> RuleSrc<'a>,
    ) -> Vec<typed::Item<'a, RuleSrc<'a>>> {
        doc.nftables
            .into_iter()
            .map(|it| typed::Item {
                table: it.table,
                chain: it.chain,
                set: it.set,
                rule: it.rule.map(f),
            })
            .collect()
    }
    if let Ok(doc) = serde_json::from_str::<typed::Doc<typed::Rule>>(text) {
        return Ok(conv(doc, RuleSrc::Read));
    }
    let doc: typed::Doc<&serde_json::value::RawValue> = serde_json::from_str(text)?;
    Ok(conv(doc, RuleSrc::Raw))
}

struct Rule<'a> {
    b: MatchBuilder,
    action: Option<Action>,
    problem: Option<String>,
    not_new: bool,
    ifaces: &'a IfaceMap<'a>,
}

impl Rule<'_> {
    /// One expression from the text: the typed path, or the general one.
    fn expr_raw(
        &mut self,
        raw: &serde_json::value::RawValue,
        sets: &HashMap<String, Vec<Value>>,
        prefix: &str,
    ) -> Result<(), String> {
        let Ok(e) = serde_json::from_str::<typed::Expr>(raw.get()) else {
            let v: Value = serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
            return self.expr(&v, sets, prefix);
        };
        if let Some(m) = e.m {
            let left = match (&m.left.payload, &m.left.meta, &m.left.ct) {
                (Some(p), None, None) => Left::Payload(&p.protocol, &p.field),
                (None, Some(k), None) => Left::Meta(&k.key),
                (None, None, Some(k)) => Left::Ct(&k.key),
                _ => Left::Other("?"),
            };
            self.matcher(&m.op, left, &m.right, sets, prefix)?;
        }
        if e.accept {
            self.action = Some(Action::Accept);
        }
        if e.drop || e.reject {
            self.action = Some(Action::Drop);
        }
        if e.ret {
            self.action = Some(Action::Return);
        }
        if let Some(t) = e.jump {
            self.action = Some(Action::Jump(format!("{prefix} {}", t.target)));
        }
        if let Some(t) = e.goto {
            self.action = Some(Action::Goto(format!("{prefix} {}", t.target)));
        }
        Ok(())
    }

    fn expr(
        &mut self,
        e: &Value,
        sets: &HashMap<String, Vec<Value>>,
        prefix: &str,
    ) -> Result<(), String> {
        let Some(obj) = e.as_object() else {
            return Err(format!("unexpected expression {e}"));
        };
        let Some((name, body)) = obj.iter().next() else {
            return Ok(());
        };
        match name.as_str() {
            "counter" | "log" | "comment" => Ok(()),
            "accept" => {
                self.action = Some(Action::Accept);
                Ok(())
            }
            "drop" | "reject" => {
                self.action = Some(Action::Drop);
                Ok(())
            }
            "return" => {
                self.action = Some(Action::Return);
                Ok(())
            }
            "jump" | "goto" => {
                let t = s(body, "target");
                let k = format!("{prefix} {t}");
                self.action = Some(if name == "jump" {
                    Action::Jump(k)
                } else {
                    Action::Goto(k)
                });
                Ok(())
            }
            "match" => {
                let left = body.get("left").ok_or("match without left")?;
                let right = body.get("right").ok_or("match without right")?;
                self.matcher(s(body, "op"), left_of(left), right, sets, prefix)
            }
            other => Err(format!("expression {other:?}")),
        }
    }

    fn matcher(
        &mut self,
        op: &str,
        left: Left<'_>,
        right: &Value,
        sets: &HashMap<String, Vec<Value>>,
        prefix: &str,
    ) -> Result<(), String> {
        let neg = match op {
            "==" | "in" => false,
            "!=" => true,
            other => return Err(format!("match operator {other:?}")),
        };
        if let Left::Payload(proto, field) = left {
            match (proto, field) {
                ("ip" | "ip6", "saddr" | "daddr") => {
                    let f = if proto == "ip" {
                        Family::Ipv4
                    } else {
                        Family::Ipv6
                    };
                    self.b.only(f);
                    let Vals::Addrs(sets_) = vals(Kind::Addr, right, sets, prefix)? else {
                        return Err("bad address".into());
                    };
                    let dim = if field == "saddr" { SRC } else { DST };
                    self.b.restrict_addrs(dim, &sets_, neg);
                }
                ("ip", "protocol") | ("ip6", "nexthdr") => {
                    self.b.only(if proto == "ip" {
                        Family::Ipv4
                    } else {
                        Family::Ipv6
                    });
                    self.proto(right, sets, prefix, neg)?;
                }
                (_, "sport" | "dport") => {
                    let pp = port_proto(proto).ok_or_else(|| format!("ports of {proto:?}"))?;
                    self.b.restrict(PROTO, &pp);
                    let Vals::Ints(ports) = vals(Kind::Port, right, sets, prefix)? else {
                        return Err("bad port".into());
                    };
                    let ports = if neg { ports.complement(65535) } else { ports };
                    self.b
                        .restrict(if field == "sport" { SPORT } else { DPORT }, &ports);
                }
                _ => return Err(format!("match on {proto} {field}")),
            }
            return Ok(());
        }
        if let Left::Meta(key) = left {
            match key {
                "l4proto" => self.proto(right, sets, prefix, neg)?,
                "nfproto" => {
                    let Vals::Names(n) = vals(Kind::NfProto, right, sets, prefix)? else {
                        return Err("bad nfproto".into());
                    };
                    let v4 = n.iter().any(|x| x == "ipv4") != neg;
                    let v6 = n.iter().any(|x| x == "ipv6") != neg;
                    if !v4 {
                        self.b.only(Family::Ipv6);
                    }
                    if !v6 {
                        self.b.only(Family::Ipv4);
                    }
                }
                k @ ("iifname" | "oifname" | "iif" | "oif") => {
                    let Vals::Names(n) = vals(Kind::Iface, right, sets, prefix)? else {
                        return Err("bad interface".into());
                    };
                    let a = self.ifaces.addrs(&n)?;
                    self.b
                        .restrict_addrs(if k.starts_with('i') { SRC } else { DST }, &a, neg);
                }
                other => return Err(format!("meta {other}")),
            }
            return Ok(());
        }
        if let Left::Ct(key) = left {
            if key != "state" {
                return Err(format!("ct {key}"));
            }
            let Vals::Names(n) = vals(Kind::State, right, sets, prefix)? else {
                return Err("bad ct state".into());
            };
            if let Some(bad) = n.iter().find(|x| {
                !matches!(
                    x.as_str(),
                    "new" | "established" | "related" | "invalid" | "untracked"
                )
            }) {
                return Err(format!("ct state {bad}"));
            }
            if n.iter().any(|x| x == "new") == neg {
                self.not_new = true;
            }
            return Ok(());
        }
        Err(format!("match on {}", left.describe()))
    }

    fn proto(
        &mut self,
        right: &Value,
        sets: &HashMap<String, Vec<Value>>,
        prefix: &str,
        neg: bool,
    ) -> Result<(), String> {
        let Vals::Ints(p) = vals(Kind::Proto, right, sets, prefix)? else {
            return Err("bad protocol".into());
        };
        self.b
            .restrict(PROTO, &if neg { p.complement(255) } else { p });
        Ok(())
    }
}

/// Below this many rules a document's rules are read on one thread.
const PARALLEL_FROM: usize = 4096;

/// One rule, read on its own.
enum Read {
    /// Not a rule of an analysed family, or it matches no new connection.
    Skip,
    /// Not understood at all: reported (why, in Japanese and in English),
    /// left out.
    Bad(RuleRef, String, String),
    Rule {
        chain: String,
        rref: RuleRef,
        wide: crate::ir::Wide,
        set: crate::space::PacketSet,
        /// None: the rule decides nothing (counted, not kept in its chain).
        action: Option<Action>,
    },
}

fn read_rule(
    src: &RuleSrc<'_>,
    line: u32,
    file: &std::sync::Arc<str>,
    sets: &HashMap<String, Vec<Value>>,
    ifaces: &IfaceMap,
) -> Read {
    let owned;
    let r: &typed::Rule = match src {
        RuleSrc::Read(r) => r,
        RuleSrc::Raw(raw) => match serde_json::from_str(raw.get()) {
            Ok(r) => {
                owned = r;
                &owned
            }
            Err(e) => {
                return Read::Bad(
                    RuleRef {
                        file: file.clone(),
                        line,
                        text: raw.get().chars().take(120).collect::<String>().into(),
                        vdom: None,
                    },
                    format!("このルールを解釈できません: {e}"),
                    format!("rule not understood: {e}"),
                );
            }
        },
    };
    let fam = r.family.as_ref();
    let Some(fl) = fam_flags(fam) else {
        return Read::Skip;
    };
    let prefix = format!("{fam} {}", r.table);
    let chain = format!("{prefix} {}", r.chain);
    let mut text_ = format!(
        "{} chain {} handle {}",
        prefix,
        r.chain,
        r.handle.map(|h| h.to_string()).unwrap_or_default()
    );
    if let Some(c) = &r.comment {
        text_.push_str(&format!(" comment {c:?}"));
    }
    let rref = RuleRef {
        file: file.clone(),
        line,
        text: text_.into(),
        vdom: None,
    };
    let mut rule = Rule {
        b: MatchBuilder::new(fl),
        action: None,
        problem: None,
        not_new: false,
        ifaces,
    };
    for e in &r.expr {
        if let Err(p) = rule.expr_raw(e, sets, &prefix) {
            rule.problem.get_or_insert(p);
        }
    }
    if rule.not_new {
        return Read::Skip;
    }
    let action = match (rule.problem, rule.action) {
        // The understood expressions hold a superset of the rule's
        // packets: a rule that may accept or jump is taken as accepting
        // them all, one that drops (or decides nothing) is left out.
        (Some(p), Some(Action::Drop) | None) => Some(Action::Unsupported(p)),
        (Some(p), Some(_)) => Some(Action::Approx(p)),
        (None, a) => a,
    };
    Read::Rule {
        chain,
        rref,
        wide: rule.b.wide,
        set: rule.b.set,
        action,
    }
}

pub(crate) fn parse(file: &str, text: &str, ifaces: &IfaceMap) -> Result<IrConfig, NetcheckError> {
    let file_rc: std::sync::Arc<str> = file.into();
    let cerr = |line: u32, message: String| NetcheckError::Config {
        file: file.to_string(),
        line,
        message,
    };
    // Finding each element's line is a scan of its own: on another core
    // while the document is read. `nft -j` prints the whole document on
    // one line: then every element is on line 1 and there is nothing to scan.
    let (items, lines) = if !text.trim_end().contains('\n') {
        (items(text), Vec::new())
    } else if crate::par::threads() > 1 {
        std::thread::scope(|sc| {
            let h = sc.spawn(|| element_lines(text));
            let items = items(text);
            let lines = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            (items, lines)
        })
    } else {
        (items(text), element_lines(text))
    };
    let items = items.map_err(|e| {
        cerr(
            u32::try_from(e.line()).unwrap_or(0),
            format!("not nft JSON: {e}"),
        )
    })?;
    let small = |raw: Option<&serde_json::value::RawValue>| -> Option<Value> {
        raw.and_then(|r| serde_json::from_str(r.get()).ok())
    };
    let line_at = |i: usize| lines.get(i).copied().unwrap_or(1);
    let mut cfg = IrConfig::default();
    let mut sets: HashMap<String, Vec<Value>> = HashMap::new();
    // Chains and sets first: rules may name them before they appear.
    for (i, it) in items.iter().enumerate() {
        if let Some(t) = small(it.table).as_ref() {
            match fam_flags(s(t, "family")) {
                Some(fl) => {
                    cfg.families[0] |= fl[0];
                    cfg.families[1] |= fl[1];
                }
                None => cfg.notes.push(format!(
                    "{file}:{}: table {} {} is not analysed (family {})",
                    line_at(i),
                    s(t, "family"),
                    s(t, "name"),
                    s(t, "family")
                )),
            }
        }
        if let Some(st) = small(it.set).as_ref() {
            let k = key(s(st, "family"), s(st, "table"), s(st, "name"));
            let elems = match st.get("elem") {
                Some(Value::Array(a)) => a.clone(),
                Some(other) => vec![other.clone()],
                None => Vec::new(),
            };
            sets.insert(k, elems);
        }
        if let Some(ch) = small(it.chain).as_ref() {
            let fam = s(ch, "family");
            if fam_flags(fam).is_none() {
                continue;
            }
            let k = key(fam, s(ch, "table"), s(ch, "name"));
            cfg.chains.entry(k.clone()).or_default();
            if ch.get("hook").and_then(Value::as_str) == Some("forward") {
                if s(ch, "type") != "filter" {
                    continue;
                }
                let policy = ch.get("policy").and_then(Value::as_str).unwrap_or("accept");
                let rref = RuleRef {
                    file: file_rc.clone(),
                    line: line_at(i),
                    text: format!(
                        "chain {} {} {} (hook forward, policy {policy})",
                        fam,
                        s(ch, "table"),
                        s(ch, "name")
                    )
                    .into(),
                    vdom: None,
                };
                let id = cfg.add_rule(rref, crate::ir::Wide::default(), true);
                cfg.bases.push(BaseChain {
                    name: k,
                    families: fam_flags(fam).unwrap_or([true, true]),
                    prio: ch.get("prio").and_then(Value::as_i64).unwrap_or(0),
                    accept_by_default: policy != "drop",
                    policy_rule: id,
                });
            }
        }
    }
    // Rules are read on all cores; they take their ids and places in order.
    let rules: Vec<(usize, RuleSrc<'_>)> = items
        .into_iter()
        .enumerate()
        .filter_map(|(i, it)| it.rule.map(|r| (i, r)))
        .collect();
    let read = crate::par::chunks(
        &rules,
        PARALLEL_FROM,
        |_| 1,
        |part| {
            part.iter()
                .map(|(i, r)| read_rule(r, line_at(*i), &file_rc, &sets, ifaces))
                .collect::<Vec<_>>()
        },
    );
    // Each chain's rules are counted first: 100,000 rules are placed
    // without growing (and copying) their chain's list on the way.
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for got in read.iter().flatten() {
        if let Read::Rule {
            chain,
            action: Some(_),
            ..
        } = got
        {
            *sizes.entry(chain.as_str()).or_default() += 1;
        }
    }
    for (chain, n) in sizes {
        cfg.chains.entry(chain.to_string()).or_default().reserve(n);
    }
    for got in read.into_iter().flatten() {
        match got {
            Read::Skip => {}
            Read::Bad(rref, ja, en) => cfg.unsupported(&rref, ja, en),
            Read::Rule {
                chain,
                rref,
                wide,
                set,
                action,
            } => {
                let id = cfg.add_rule(rref, wide, false);
                if let Some(action) = action {
                    cfg.chains
                        .entry(chain)
                        .or_default()
                        .push(IrRule { id, set, action });
                }
            }
        }
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_elements() {
        let t = "{\"nftables\": [\n {\"a\": 1},\n {\"b\": [1,2]},\n\n {\"c\": {}}\n]}";
        assert_eq!(element_lines(t), vec![2, 3, 5]);
        let one = "{\"nftables\": [{\"a\": 1}, {\"b\": 2}]}";
        assert_eq!(element_lines(one), vec![1, 1]);
    }
}
