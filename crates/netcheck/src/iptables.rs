//! `iptables-save` / `ip6tables-save` output, filter table.
//!
//! Understood: tables and `COMMIT`; chain lines `:NAME POLICY [p:b]`, `-P`,
//! `-N`, `-A`, `-I`, `-F`; `-s`/`-d` with lists, prefixes, dotted masks and
//! `!`; `-p` (names, numbers, `all`, `!`); `-i`/`-o` (with `+` wildcards and
//! `!`) through the segments' interface lists; `-m tcp|udp|sctp`
//! `--sport`/`--dport` (ranges, `!`), `--syn`; `-m multiport`
//! `--sports`/`--dports`/`--ports`; `-m iprange`; `-m conntrack --ctstate` and
//! `-m state --state`; `-m comment`; targets `ACCEPT`, `DROP`, `REJECT`,
//! `RETURN`, user chains with `-j` and `-g`, and the non-terminating `LOG`,
//! `NFLOG`, `ULOG`. Anything else (marks, strings, sets, limits, ICMP types,
//! TCP flags other than `--syn`, fragments…) makes the rule unsupported.

use crate::NetcheckError;
use crate::addr::{parse_net, parse_ports, proto_number};
use crate::ir::{Action, BaseChain, IfaceMap, IrConfig, IrRule, MatchBuilder};
use crate::report::RuleRef;
use crate::space::{DPORT, DST, Family, IntervalSet, PROTO, SPORT, SRC};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// The words of a line: inline up to the length of almost every rule.
pub(crate) type Words<'a> = SmallVec<[Cow<'a, str>; 24]>;

/// Splits a line into words, honouring double and single quotes.
pub(crate) fn words(line: &str) -> Words<'_> {
    if !line.contains(['"', '\'']) {
        return line.split_ascii_whitespace().map(Cow::Borrowed).collect();
    }
    let mut out = Words::new();
    let mut cur = String::new();
    let mut has = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) if c == '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                has = true;
            }
            None if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    out.push(Cow::Owned(std::mem::take(&mut cur)));
                    has = false;
                }
            }
            None => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        out.push(Cow::Owned(cur));
    }
    out
}

const BUILTIN_CHAINS: [&str; 3] = ["INPUT", "FORWARD", "OUTPUT"];

struct Chain {
    rules: Vec<IrRule>,
    policy: Option<(bool, usize)>,
}

fn family_of(text: &str) -> Result<[bool; 2], (u32, String)> {
    let head: String = text.lines().take(10).collect::<Vec<_>>().join("\n");
    if head.contains("ip6tables-save") || head.lines().any(|l| l.trim() == "# inet6") {
        return Ok([false, true]);
    }
    if head.contains("iptables-save") || head.lines().any(|l| l.trim() == "# inet") {
        return Ok([true, false]);
    }
    // The first line with an address of each family.
    let mut v4: Option<u32> = None;
    let mut v6: Option<u32> = None;
    for (n, l) in text.lines().enumerate() {
        let l = l.trim_start();
        if !(l.starts_with("-A ") || l.starts_with("-I ")) {
            continue;
        }
        let no = u32::try_from(n + 1).unwrap_or(u32::MAX);
        let w: Vec<&str> = l.split_ascii_whitespace().collect();
        for (i, t) in w.iter().enumerate() {
            if matches!(*t, "-s" | "-d" | "--source" | "--destination")
                && let Some(a) = w.get(i + 1)
            {
                let slot = if a.contains(':') { &mut v6 } else { &mut v4 };
                slot.get_or_insert(no);
            }
        }
    }
    match (v4, v6) {
        (Some(a), Some(b)) => Err((
            a.max(b),
            format!(
                "IPv4 と IPv6 のアドレスが一つの iptables ファイルに混在しています (IPv{} の最初の行は {}) / IPv4 and IPv6 addresses in one iptables file (the first IPv{} address is on line {})",
                if a < b { 4 } else { 6 },
                a.min(b),
                if a < b { 4 } else { 6 },
                a.min(b)
            ),
        )),
        (None, Some(_)) => Ok([false, true]),
        _ => Ok([true, false]),
    }
}

pub(crate) fn parse(file: &str, text: &str, ifaces: &IfaceMap) -> Result<IrConfig, NetcheckError> {
    let cerr = |line: u32, message: String| NetcheckError::Config {
        file: file.to_string(),
        line,
        message,
    };
    let families = family_of(text).map_err(|(l, m)| cerr(l, m))?;
    let fam = if families[1] {
        Family::Ipv6
    } else {
        Family::Ipv4
    };
    let mut cfg = IrConfig {
        families,
        ..IrConfig::default()
    };
    let file_rc: Arc<str> = file.into();
    let mut table = String::from("filter");
    let mut chains: HashMap<String, Chain> = HashMap::new();
    let mut other_tables: Vec<(String, u32)> = Vec::new();
    for name in BUILTIN_CHAINS {
        chains.insert(
            name.to_string(),
            Chain {
                rules: Vec::new(),
                policy: None,
            },
        );
    }
    // Each line is read on its own, on all cores; the commands then take
    // effect in order.
    let mut lines: Vec<Line<'_>> = Vec::new();
    let mut tbl = "filter";
    // The table opened by `*name` and not yet committed, with its line.
    let mut open: Option<(&str, u32)> = None;
    let mut last_line = 0;
    for (n, raw) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let line = raw.trim();
        let no = u32::try_from(n + 1).unwrap_or(u32::MAX);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        last_line = no;
        if let Some(t) = line.strip_prefix('*') {
            tbl = t.trim();
            if let Some((t0, l0)) = open {
                return Err(cerr(
                    no,
                    format!(
                        "テーブル *{t0} ({l0} 行目) が COMMIT で終わらないまま次のテーブルが始まっています (iptables-restore は読み込みません) / table *{t0} (line {l0}) has no COMMIT before the next table (iptables-restore would refuse the file)"
                    ),
                ));
            }
            open = Some((tbl, no));
        } else if line == "COMMIT" {
            open = None;
        } else if !line.starts_with(['-', ':', '[']) {
            return Err(cerr(
                no,
                format!(
                    "iptables-save の行ではありません: {:?} / not an iptables-save line: {:?}",
                    line.chars().take(60).collect::<String>(),
                    line.chars().take(60).collect::<String>()
                ),
            ));
        }
        lines.push(Line {
            no: u32::try_from(n + 1).unwrap_or(u32::MAX),
            text: line,
            table: tbl,
        });
    }
    if let Some((t0, l0)) = open {
        return Err(cerr(
            last_line,
            format!(
                "テーブル *{t0} ({l0} 行目) が COMMIT で終わっていません。ファイルが途中で切れている可能性があります (iptables-restore は読み込みません) / table *{t0} (line {l0}) ends without COMMIT: the file may be cut short (iptables-restore would refuse it)"
            ),
        ));
    }
    let pre: Vec<(Arc<str>, Option<Pre<'_>>)> = crate::par::chunks(
        &lines,
        PARALLEL_FROM,
        |_| 1,
        |part| {
            part.iter()
                .map(|l| (Arc::from(l.text), read_line(l, &cfg.families, fam, ifaces)))
                .collect::<Vec<_>>()
        },
    )
    .into_iter()
    .flatten()
    .collect();
    // Rules per chain, counted first: a chain of 100,000 rules is placed
    // without growing (and copying) its list on the way.
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for (_, p) in &pre {
        if let Some(Pre {
            w,
            rule: Some((_, Parsed::Rule { .. })),
            ..
        }) = p
            && let Some(chain) = w.get(1)
        {
            *sizes.entry(chain.as_ref()).or_default() += 1;
        }
    }
    for (chain, n) in sizes {
        chains
            .entry(chain.to_string())
            .or_insert(Chain {
                rules: Vec::new(),
                policy: None,
            })
            .rules
            .reserve(n);
    }
    for (l, (text, pre)) in lines.iter().zip(pre) {
        let (line_no, line) = (l.no, l.text);
        let rref = RuleRef {
            file: file_rc.clone(),
            line: line_no,
            text,
            vdom: None,
        };
        if let Some(t) = line.strip_prefix('*') {
            table = t.trim().to_string();
            continue;
        }
        if line == "COMMIT" {
            continue;
        }
        if table != "filter" {
            if !other_tables.iter().any(|(t, _)| *t == table) && !line.starts_with(':') {
                other_tables.push((table.clone(), line_no));
            }
            continue;
        }
        if let Some(decl) = line.strip_prefix(':') {
            let parts: Vec<&str> = decl.split_ascii_whitespace().collect();
            let name = parts.first().copied().unwrap_or_default().to_string();
            let pol = parts.get(1).copied().unwrap_or("-");
            set_policy(&mut cfg, &mut chains, &name, pol, &rref);
            continue;
        }
        let Some(Pre {
            w,
            rule: parsed,
            warn,
        }) = pre
        else {
            continue;
        };
        for (net, fixed) in warn {
            if cfg.warnings.len() >= crate::ir::WARNINGS_KEPT {
                cfg.warnings_more += 1;
                continue;
            }
            cfg.warn(
                &rref,
                format!("{net} はプレフィックスより下のビットが立っています。機器は {fixed} 全体として扱います (範囲が意図より広い可能性があります)"),
                format!("{net} has host bits set under its prefix: the device treats it as the whole of {fixed} (possibly wider than meant)"),
            );
        }
        let Some(cmd) = w.first().cloned() else {
            continue;
        };
        match cmd.as_ref() {
            "-P" | "--policy" => {
                let name = w.get(1).map(|x| x.to_string()).unwrap_or_default();
                let pol = w.get(2).map(|x| x.to_string()).unwrap_or_default();
                set_policy(&mut cfg, &mut chains, &name, &pol, &rref);
            }
            "-N" | "--new-chain" => {
                let name = w.get(1).map(|x| x.to_string()).unwrap_or_default();
                chains.entry(name).or_insert(Chain {
                    rules: Vec::new(),
                    policy: None,
                });
            }
            "-F" | "--flush" => match w.get(1) {
                Some(name) => {
                    if let Some(c) = chains.get_mut(name.as_ref()) {
                        c.rules.clear();
                    }
                }
                None => chains.values_mut().for_each(|c| c.rules.clear()),
            },
            "-X" | "--delete-chain" => {
                if let Some(name) = w.get(1)
                    && !BUILTIN_CHAINS.contains(&name.as_ref())
                {
                    chains.remove(name.as_ref());
                }
            }
            "-A" | "--append" | "-I" | "--insert" => {
                let (Some(chain), Some((pos, parsed))) = (w.get(1), parsed) else {
                    cfg.unsupported(
                        &rref,
                        "チェインが指定されていないルールです",
                        "rule without a chain",
                    );
                    continue;
                };
                // The rule that takes a place in its chain, if any.
                let placed = match parsed {
                    Parsed::NotNew => None,
                    Parsed::NoDecision { wide } => {
                        cfg.add_rule(rref, wide, false);
                        None
                    }
                    Parsed::Rule { set, action, wide } => {
                        let id = cfg.add_rule(rref, wide, false);
                        Some(IrRule { id, set, action })
                    }
                };
                if !chains.contains_key(chain.as_ref()) {
                    chains.insert(
                        chain.to_string(),
                        Chain {
                            rules: Vec::new(),
                            policy: None,
                        },
                    );
                }
                let Some(c) = chains.get_mut(chain.as_ref()) else {
                    continue;
                };
                if let Some(r) = placed {
                    match pos {
                        Some(p) => c.rules.insert(p.min(c.rules.len()), r),
                        None => c.rules.push(r),
                    }
                }
            }
            _ => cfg.unsupported(
                &rref,
                format!("未対応のコマンドです ({cmd:?})"),
                format!("unknown command {cmd:?}"),
            ),
        }
    }
    for (t, line) in other_tables {
        cfg.notes.push(format!(
            "{file}:{line}: table {t:?} is not analysed (only the filter table decides what is forwarded here)"
        ));
    }
    let fwd_policy = chains.get("FORWARD").and_then(|c| c.policy);
    let (accept, policy_rule) = match fwd_policy {
        Some(p) => p,
        None => {
            let id = cfg.add_rule(
                RuleRef {
                    file: file_rc.clone(),
                    line: 0,
                    text: "(FORWARD policy not given: ACCEPT)".into(),
                    vdom: None,
                },
                crate::ir::Wide::default(),
                true,
            );
            (true, id)
        }
    };
    cfg.bases.push(BaseChain {
        name: "FORWARD".into(),
        families,
        prio: 0,
        accept_by_default: accept,
        policy_rule,
    });
    cfg.chains = chains.into_iter().map(|(k, v)| (k, v.rules)).collect();
    Ok(cfg)
}

/// Below this many lines a file is read on one thread.
const PARALLEL_FROM: usize = 4096;

/// A line of the file and the table it belongs to.
struct Line<'t> {
    no: u32,
    text: &'t str,
    table: &'t str,
}

/// A command line of the filter table, read on its own: its words and, for
/// a rule (`-A`, `-I`), its position and what it matches.
struct Pre<'t> {
    /// The command and its words (for a rule: the command and the chain).
    w: SmallVec<[Cow<'t, str>; 3]>,
    rule: Option<(Option<usize>, Parsed)>,
    /// Addresses with host bits set under their prefix, and what the
    /// device makes of them.
    warn: Vec<(String, String)>,
}

/// What a rule line says, before it has an id.
enum Parsed {
    Rule {
        set: crate::space::PacketSet,
        action: Action,
        wide: crate::ir::Wide,
    },
    /// A rule that decides nothing (no target, or `LOG`): counted, not
    /// kept in its chain.
    NoDecision { wide: crate::ir::Wide },
    /// Matches no new connection.
    NotNew,
}

fn read_line<'t>(
    l: &Line<'t>,
    families: &[bool; 2],
    fam: Family,
    ifaces: &IfaceMap,
) -> Option<Pre<'t>> {
    let line = l.text;
    if l.table != "filter" || line.starts_with(['*', ':']) || line == "COMMIT" {
        return None;
    }
    let mut w = words(line);
    // `[packets:bytes]` counters before the rule (iptables-save -c).
    if w.first().is_some_and(|x| x.starts_with('[')) {
        w.remove(0);
    }
    let cmd = w.first()?.as_ref();
    let mut warn = Vec::new();
    let rule = match cmd {
        "-A" | "--append" | "-I" | "--insert" if w.len() >= 2 => {
            let mut rest = &w[2..];
            let mut pos: Option<usize> = None;
            if cmd.starts_with("-I") || cmd == "--insert" {
                pos = Some(0);
                if let Some(k) = rest.first().and_then(|x| x.parse::<usize>().ok()) {
                    pos = Some(k.saturating_sub(1));
                    rest = &rest[1..];
                }
            }
            Some((pos, rule(*families, rest, fam, ifaces, &mut warn)))
        }
        _ => None,
    };
    // Only the command and the chain of a rule are needed from here on.
    let keep = if rule.is_some() { 2 } else { w.len() };
    Some(Pre {
        w: w.into_iter().take(keep).collect(),
        rule,
        warn,
    })
}

fn set_policy(
    cfg: &mut IrConfig,
    chains: &mut HashMap<String, Chain>,
    name: &str,
    pol: &str,
    rref: &RuleRef,
) {
    let c = chains.entry(name.to_string()).or_insert(Chain {
        rules: Vec::new(),
        policy: None,
    });
    match pol {
        "ACCEPT" | "DROP" => {
            let id = cfg.add_rule(rref.clone(), crate::ir::Wide::default(), true);
            c.policy = Some((pol == "ACCEPT", id));
        }
        "-" => {}
        other => cfg.unsupported(
            rref,
            format!("未対応のチェインポリシーです ({other:?})"),
            format!("chain policy {other:?}"),
        ),
    }
}

/// The addresses of a `-s`/`-d` list, per family; a part with host bits
/// set under its prefix goes to `warn` with the network the device uses.
fn addr_list(s: &str, warn: &mut Vec<(String, String)>) -> Result<[IntervalSet; 2], String> {
    let mut out = [IntervalSet::empty(), IntervalSet::empty()];
    for part in s.split(',') {
        let (f, set, host_bits) = crate::addr::parse_net_flagged(part)?;
        if host_bits && let Some(fixed) = crate::addr::host_bits_set(part) {
            warn.push((part.trim().to_string(), fixed));
        }
        out[f.index()] = out[f.index()].union(&set);
    }
    Ok(out)
}

/// Parses the words after `-A CHAIN`.
fn rule(
    families: [bool; 2],
    w: &[Cow<'_, str>],
    fam: Family,
    ifaces: &IfaceMap,
    warn: &mut Vec<(String, String)>,
) -> Parsed {
    let mut b = MatchBuilder::new(families);
    let mut action: Option<Action> = None;
    let mut problem: Option<String> = None;
    let mut not_new = false;
    let mut module = String::new();
    let mut negate = false;
    let mut i = 0;
    let mut in_target = false;
    let arg = |i: usize| -> &str { w.get(i + 1).map(|x| x.as_ref()).unwrap_or("") };
    while i < w.len() && problem.is_none() {
        let t: &str = w[i].as_ref();
        if t == "!" {
            negate = true;
            i += 1;
            continue;
        }
        let neg = std::mem::take(&mut negate);
        if in_target && t.starts_with("--") {
            // Options of LOG / REJECT / NFLOG: skip with their value.
            i += 1;
            if w.get(i).is_some_and(|x| !x.starts_with('-')) {
                i += 1;
            }
            continue;
        }
        match t {
            "-s" | "--source" | "--src" | "-d" | "--destination" | "--dst" => {
                let dim = if t.starts_with("-s") || t.starts_with("--s") {
                    SRC
                } else {
                    DST
                };
                match addr_list(arg(i), warn) {
                    Ok(sets) => b.restrict_addrs(dim, &sets, neg),
                    Err(e) => problem = Some(e),
                }
                i += 2;
            }
            "-p" | "--protocol" => {
                let p = arg(i).to_ascii_lowercase();
                let set = if p == "all" || p == "0" {
                    IntervalSet::range(0, 255)
                } else {
                    match proto_number(&p) {
                        Some(n) => IntervalSet::single(u128::from(n)),
                        None => {
                            problem = Some(format!("unknown protocol {p:?}"));
                            IntervalSet::empty()
                        }
                    }
                };
                let set = if neg { set.complement(255) } else { set };
                b.restrict(PROTO, &set);
                i += 2;
            }
            "-i" | "--in-interface" | "-o" | "--out-interface" => {
                let dim = if t == "-i" || t == "--in-interface" {
                    SRC
                } else {
                    DST
                };
                match ifaces.addrs(&[arg(i).to_string()]) {
                    Ok(sets) => {
                        b.restrict_addrs(dim, &sets, neg);
                        if dim == SRC {
                            b.wide.src_any = false;
                        } else {
                            b.wide.dst_any = false;
                        }
                    }
                    Err(e) => problem = Some(e),
                }
                i += 2;
            }
            "-m" | "--match" => {
                module = arg(i).to_string();
                match module.as_str() {
                    "tcp" | "udp" | "sctp" | "multiport" | "conntrack" | "state" | "comment"
                    | "iprange" => {}
                    other => problem = Some(format!("match module {other:?}")),
                }
                i += 2;
            }
            "--dport" | "--destination-port" | "--sport" | "--source-port" => {
                let dim = if t == "--dport" || t == "--destination-port" {
                    DPORT
                } else {
                    SPORT
                };
                match parse_ports(arg(i)) {
                    Ok(s) => b.restrict(dim, &if neg { s.complement(65535) } else { s }),
                    Err(e) => problem = Some(e),
                }
                i += 2;
            }
            "--dports" | "--destination-ports" | "--sports" | "--source-ports" | "--ports" => {
                match parse_ports(arg(i)) {
                    Ok(s) => {
                        let s = if neg { s.complement(65535) } else { s };
                        if t == "--ports" {
                            if neg {
                                problem = Some("negated multiport --ports".into());
                            } else {
                                b.restrict_either_port(&s);
                            }
                        } else if t.starts_with("--d") {
                            b.restrict(DPORT, &s);
                        } else {
                            b.restrict(SPORT, &s);
                        }
                    }
                    Err(e) => problem = Some(e),
                }
                i += 2;
            }
            "--syn" => {
                // New TCP connections start with SYN: `--syn` keeps them all,
                // `! --syn` keeps none of them.
                if neg {
                    not_new = true;
                }
                i += 1;
            }
            "--ctstate" | "--state" => {
                let states: Vec<String> =
                    arg(i).split(',').map(|s| s.to_ascii_uppercase()).collect();
                if let Some(bad) = states.iter().find(|s| {
                    !matches!(
                        s.as_str(),
                        "NEW" | "ESTABLISHED" | "RELATED" | "INVALID" | "UNTRACKED"
                    )
                }) {
                    problem = Some(format!("conntrack state {bad}"));
                }
                let has_new = states.iter().any(|s| s == "NEW");
                if has_new == neg {
                    not_new = true;
                }
                i += 2;
            }
            "--comment" => i += 2,
            "--src-range" | "--dst-range" => {
                match parse_net(arg(i)) {
                    Ok((f, s)) => {
                        let mut sets = [IntervalSet::empty(), IntervalSet::empty()];
                        sets[f.index()] = s;
                        b.restrict_addrs(if t == "--src-range" { SRC } else { DST }, &sets, neg);
                    }
                    Err(e) => problem = Some(e),
                }
                i += 2;
            }
            "-j" | "--jump" | "-g" | "--goto" => {
                let target = arg(i);
                action = match target {
                    "ACCEPT" => Some(Action::Accept),
                    "DROP" | "REJECT" => Some(Action::Drop),
                    "RETURN" => Some(Action::Return),
                    "LOG" | "NFLOG" | "ULOG" => None,
                    "" => {
                        problem = Some("empty target".into());
                        None
                    }
                    x if is_extension_target(x) => {
                        problem = Some(format!("target {x}"));
                        None
                    }
                    x if t == "-g" || t == "--goto" => Some(Action::Goto(x.to_string())),
                    x => Some(Action::Jump(x.to_string())),
                };
                in_target = true;
                i += 2;
            }
            "-f" | "--fragment" => {
                problem = Some("fragment match".into());
                i += 1;
            }
            other => {
                problem = Some(format!(
                    "option {other}{}",
                    if module.is_empty() {
                        String::new()
                    } else {
                        format!(" (module {module})")
                    }
                ));
                i += 1;
            }
        }
    }
    let _ = fam;
    if not_new {
        return Parsed::NotNew;
    }
    let wide = b.wide;
    let action = match (problem, action) {
        // The conditions read before the problem hold a superset of the
        // rule's packets: a rule that may accept (or jump, return, or
        // hand packets to an extension) is taken as accepting them all; a
        // rule that drops or decides nothing is left out. Either way the
        // verdict permits at least what the device does.
        (Some(p), _) => match target_of(w) {
            Some("DROP" | "REJECT" | "LOG" | "NFLOG" | "ULOG") | None => Action::Unsupported(p),
            Some(_) => Action::Approx(p),
        },
        (None, Some(a)) => a,
        // No target, or a non-terminating one: the rule decides nothing.
        (None, None) => return Parsed::NoDecision { wide },
    };
    Parsed::Rule {
        set: b.set,
        action,
        wide,
    }
}

/// The target named by `-j` / `-g`, if any.
fn target_of<'w>(w: &'w [Cow<'_, str>]) -> Option<&'w str> {
    w.iter()
        .position(|x| matches!(x.as_ref(), "-j" | "--jump" | "-g" | "--goto"))
        .and_then(|i| w.get(i + 1))
        .map(|x| x.as_ref())
}

/// Targets of iptables extensions (anything else is taken as a user chain).
fn is_extension_target(x: &str) -> bool {
    matches!(
        x,
        "MARK"
            | "CONNMARK"
            | "DNAT"
            | "SNAT"
            | "MASQUERADE"
            | "REDIRECT"
            | "TPROXY"
            | "NOTRACK"
            | "CT"
            | "TCPMSS"
            | "CLASSIFY"
            | "DSCP"
            | "TOS"
            | "TTL"
            | "HL"
            | "SET"
            | "AUDIT"
            | "CHECKSUM"
            | "NETMAP"
            | "NFQUEUE"
            | "QUEUE"
            | "TEE"
            | "SECMARK"
            | "CONNSECMARK"
            | "IDLETIMER"
            | "LED"
            | "RATEEST"
            | "SYNPROXY"
            | "TRACE"
            | "HMARK"
            | "CLUSTERIP"
    )
}
