//! The report: what the checker found, serialisable for the web page and API.

use crate::addr::{fmt_addrs, fmt_ports, fmt_protos};
use crate::model::PairPolicy;
use crate::space::{BoxSet, DPORT, DST, Family, PBox, PROTO, SPORT, SRC};
use serde::Serialize;
use std::fmt::Write as _;
use std::sync::Arc;

/// Where a rule is. Shared text: a rule is named in every violation it
/// causes, and copying the reference only counts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RuleRef {
    pub file: Arc<str>,
    pub line: u32,
    pub text: Arc<str>,
    /// The FortiOS virtual domain the rule is in (multi-VDOM files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vdom: Option<Arc<str>>,
}

/// Something in a configuration that is read, but may not say what its
/// author meant (e.g. an address with host bits set under its prefix).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    pub file: String,
    pub line: u32,
    pub text: String,
    /// In Japanese.
    pub message: String,
    pub message_en: String,
}

/// A construct the checker cannot model exactly.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unsupported {
    pub file: String,
    pub line: u32,
    pub text: String,
    /// Why, in English.
    pub reason: String,
    /// Why, in Japanese.
    pub reason_ja: String,
}

/// One box of packets in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PacketRange {
    pub family: Family,
    pub src: Vec<String>,
    pub dst: Vec<String>,
    pub protocol: String,
    pub src_ports: String,
    pub dst_ports: String,
    /// ICMP (ICMPv6) type and code, when the range is ICMP of some types
    /// only (ICMP has no ports: the checker keeps the type where a source
    /// port would be and the code where a destination port would be).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icmp: Option<String>,
}

impl PacketRange {
    pub fn render(&self) -> String {
        let mut s = format!(
            "{} {} -> {} proto {}",
            match self.family {
                Family::Ipv4 => "ipv4",
                Family::Ipv6 => "ipv6",
            },
            self.src.join(","),
            self.dst.join(","),
            self.protocol
        );
        if self.src_ports != "any" {
            let _ = write!(s, " sport {}", self.src_ports);
        }
        if self.dst_ports != "any" {
            let _ = write!(s, " dport {}", self.dst_ports);
        }
        if let Some(i) = &self.icmp {
            let _ = write!(s, " {i}");
        }
        s
    }
}

/// Describes a set of packets, merged for reading.
pub fn describe(f: Family, set: &BoxSet) -> Vec<PacketRange> {
    describe_some(f, set, usize::MAX).0
}

/// [`describe`] of a set the caller no longer needs: merged in place.
pub(crate) fn describe_owned(f: Family, mut set: BoxSet) -> Vec<PacketRange> {
    set.coalesce();
    first(f, set.boxes().iter(), usize::MAX).0
}

/// Describes at most `limit` ranges of a set; also says how many more there
/// are.
pub fn describe_some(f: Family, set: &BoxSet, limit: usize) -> (Vec<PacketRange>, usize) {
    // Merging costs a sort per dimension and pass; past a few times the
    // limit the list is cut anyway, so large sets are shown as they are.
    if set.boxes().len() <= limit.saturating_mul(4) {
        let mut s = set.clone();
        s.coalesce();
        return first(f, s.boxes().iter(), limit);
    }
    first(f, set.boxes().iter(), limit)
}

/// [`describe_some`] of the set made of pairwise disjoint, non-empty boxes,
/// without copying them when the list is only cut.
pub(crate) fn describe_boxes(
    f: Family,
    boxes: &[&PBox],
    limit: usize,
) -> (Vec<PacketRange>, usize) {
    if boxes.len() <= limit.saturating_mul(4) {
        let set = BoxSet::from_disjoint(boxes.iter().map(|b| (*b).clone()).collect());
        return describe_some(f, &set, limit);
    }
    first(f, boxes.iter().copied(), limit)
}

/// ICMP or ICMPv6 alone: type and code live in the port dimensions.
fn icmp_only(b: &PBox) -> bool {
    b.dims[PROTO]
        .intervals()
        .iter()
        .all(|&(lo, hi)| lo == hi && (lo == 1 || lo == 58))
        && !b.dims[PROTO].is_empty()
}

fn ports_or_any(b: &PBox, dim: usize) -> String {
    if icmp_only(b) {
        "any".into()
    } else {
        fmt_ports(&b.dims[dim])
    }
}

fn icmp_of(b: &PBox) -> Option<String> {
    if !icmp_only(b) || (b.dims[SPORT].is_full(65535) && b.dims[DPORT].is_full(65535)) {
        return None;
    }
    let part = |dim: usize| {
        if b.dims[dim].is_full(65535) {
            "any".to_string()
        } else {
            fmt_ports(&b.dims[dim])
        }
    };
    Some(format!("icmp-type {} code {}", part(SPORT), part(DPORT)))
}

/// The first `limit` boxes in words, and how many are left out.
fn first<'a>(
    f: Family,
    boxes: impl ExactSizeIterator<Item = &'a PBox>,
    limit: usize,
) -> (Vec<PacketRange>, usize) {
    let more = boxes.len().saturating_sub(limit);
    let shown = boxes
        .take(limit)
        .map(|b| PacketRange {
            family: f,
            src: fmt_addrs(f, &b.dims[SRC]),
            dst: fmt_addrs(f, &b.dims[DST]),
            protocol: fmt_protos(&b.dims[PROTO]),
            src_ports: ports_or_any(b, SPORT),
            dst_ports: ports_or_any(b, DPORT),
            icmp: icmp_of(b),
        })
        .collect();
    (shown, more)
}

#[derive(Clone, Debug, Serialize)]
pub struct Device {
    pub file: String,
    pub format: crate::ConfigFormat,
    pub families: Vec<Family>,
    pub rules: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CellStatus {
    /// Nothing is permitted.
    None,
    /// Something is permitted, all of it within the model.
    Conforming,
    /// The configuration permits what the model forbids.
    Violation,
}

/// What one device permits from one segment to another.
#[derive(Clone, Debug, Serialize)]
pub struct MatrixCell {
    pub file: String,
    pub from: String,
    pub to: String,
    pub from_role: String,
    pub to_role: String,
    pub policy: PairPolicy,
    pub status: CellStatus,
    /// The permitted packets, merged for reading; at most
    /// [`CELL_LIMIT`] ranges (the violations list every forbidden one, and
    /// [`crate::permitted_matrix`] gives the exact sets).
    pub permitted: Vec<PacketRange>,
    /// Ranges left out of `permitted`.
    pub permitted_more: usize,
    /// Rules the checker could not model exactly whose packets touch this
    /// pair: the cell's verdict over-approximates them (counts what they
    /// might permit as permitted).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub warnings: Vec<Unsupported>,
}

/// Most ranges listed in one matrix cell.
pub const CELL_LIMIT: usize = 100;

/// Packets a device permits between two segments that the model forbids.
#[derive(Clone, Debug, Serialize)]
pub struct Violation {
    pub file: String,
    pub from: String,
    pub to: String,
    pub from_role: String,
    pub to_role: String,
    pub policy: PairPolicy,
    pub packets: Vec<PacketRange>,
    /// The rules that let the packets through: jumps first, the deciding
    /// rule last (one per base chain when several must all accept).
    pub rules: Vec<RuleRef>,
}

/// A listed specific flow that a device does not let through (in part or
/// whole).
#[derive(Clone, Debug, Serialize)]
pub struct BlockedFlow {
    pub file: String,
    pub flow_line: u32,
    pub from: String,
    pub to: String,
    pub purpose: String,
    pub blocked: Vec<PacketRange>,
}

/// A rule that deserves attention of its own.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub kind: String,
    pub message: String,
    pub rule: RuleRef,
}

/// The result of [`crate::check`].
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub model: String,
    pub devices: Vec<Device>,
    pub matrix: Vec<MatrixCell>,
    pub violations: Vec<Violation>,
    /// Accepting rules that touch a My Number segment with "any" as an
    /// address or destination port.
    pub findings: Vec<Finding>,
    pub blocked_flows: Vec<BlockedFlow>,
    /// Rules that can never match: earlier rules take all their packets.
    pub shadowed: Vec<RuleRef>,
    pub unsupported: Vec<Unsupported>,
    pub notes: Vec<String>,
    /// Lines that are read but may not mean what their author meant.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub warnings: Vec<Warning>,
    /// False when some construct could not be modelled: the verdict then
    /// covers only what was understood.
    pub complete: bool,
}

const TEXT_LIMIT: usize = 12;

impl Report {
    /// No violations and no My Number "any" findings. An incomplete report
    /// can still be clean; check [`Report::complete`] as well.
    pub fn is_clean(&self) -> bool {
        self.violations.is_empty() && self.findings.is_empty()
    }

    /// The report as compact JSON (for storing).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()))
    }

    /// The report as pretty-printed JSON, in the command line's fixed shape:
    /// the Japanese wording of unmodelled reasons (`reason_ja`, which the web
    /// pages show) is left out, so that the documented JSON keeps its keys.
    pub fn render_json(&self) -> String {
        fn strip(v: &mut serde_json::Value) {
            match v {
                serde_json::Value::Object(m) => {
                    m.remove("reason_ja");
                    m.values_mut().for_each(strip);
                }
                serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
                _ => {}
            }
        }
        let rendered = serde_json::to_value(self).and_then(|mut v| {
            strip(&mut v);
            serde_json::to_string_pretty(&v)
        });
        rendered.unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()))
    }

    pub fn render_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "model: {}", self.model);
        for d in &self.devices {
            let fams: Vec<&str> = d
                .families
                .iter()
                .map(|f| match f {
                    Family::Ipv4 => "ipv4",
                    Family::Ipv6 => "ipv6",
                })
                .collect();
            let _ = writeln!(
                s,
                "\n== {} ({:?}, {} rules, {})",
                d.file,
                d.format,
                d.rules,
                fams.join("+")
            );
            let _ = writeln!(s, "matrix (from -> to: status, permitted packets):");
            for c in self.matrix.iter().filter(|c| c.file == d.file) {
                let _ = writeln!(
                    s,
                    "  {} [{}] -> {} [{}]: {} (model: {:?})",
                    c.from,
                    c.from_role,
                    c.to,
                    c.to_role,
                    match c.status {
                        CellStatus::None => "nothing permitted",
                        CellStatus::Conforming => "conforming",
                        CellStatus::Violation => "VIOLATION",
                    },
                    c.policy
                );
                for p in c.permitted.iter().take(TEXT_LIMIT) {
                    let _ = writeln!(s, "      {}", p.render());
                }
                let hidden = c.permitted.len().saturating_sub(TEXT_LIMIT) + c.permitted_more;
                if hidden > 0 {
                    let _ = writeln!(s, "      … {hidden} more");
                }
            }
        }
        let _ = writeln!(s, "\nviolations: {}", self.violations.len());
        for v in &self.violations {
            let _ = writeln!(
                s,
                "- {}: {} [{}] -> {} [{}] (model: {:?})",
                v.file, v.from, v.from_role, v.to, v.to_role, v.policy
            );
            for p in v.packets.iter().take(TEXT_LIMIT) {
                let _ = writeln!(s, "    packets: {}", p.render());
            }
            if v.packets.len() > TEXT_LIMIT {
                let _ = writeln!(s, "    … {} more", v.packets.len() - TEXT_LIMIT);
            }
            for r in &v.rules {
                let _ = writeln!(s, "    rule {}:{}: {}", r.file, r.line, r.text);
            }
        }
        if !self.findings.is_empty() {
            let _ = writeln!(s, "\nfindings: {}", self.findings.len());
            for f in &self.findings {
                let _ = writeln!(
                    s,
                    "- {}:{}: {} ({})\n    {}",
                    f.rule.file, f.rule.line, f.message, f.kind, f.rule.text
                );
            }
        }
        if !self.blocked_flows.is_empty() {
            let _ = writeln!(s, "\nblocked specific flows: {}", self.blocked_flows.len());
            for b in &self.blocked_flows {
                let _ = writeln!(
                    s,
                    "- {}: flow at line {} ({} -> {}, {}) is blocked for:",
                    b.file, b.flow_line, b.from, b.to, b.purpose
                );
                for p in b.blocked.iter().take(TEXT_LIMIT) {
                    let _ = writeln!(s, "    {}", p.render());
                }
            }
        }
        if !self.shadowed.is_empty() {
            let _ = writeln!(s, "\nrules that can never match: {}", self.shadowed.len());
            for r in &self.shadowed {
                let _ = writeln!(s, "- {}:{}: {}", r.file, r.line, r.text);
            }
        }
        if !self.notes.is_empty() {
            let _ = writeln!(s, "\nnotes:");
            for n in &self.notes {
                let _ = writeln!(s, "- {n}");
            }
        }
        if !self.warnings.is_empty() {
            let _ = writeln!(s, "\nwarnings: {}", self.warnings.len());
            for w in &self.warnings {
                let _ = writeln!(
                    s,
                    "- {}:{}: {} / {}\n    {}",
                    w.file, w.line, w.message, w.message_en, w.text
                );
            }
        }
        if !self.complete {
            let _ = writeln!(
                s,
                "\nINCOMPLETE: {} construct(s) could not be modelled exactly; what they might permit is counted as permitted:",
                self.unsupported.len()
            );
            for u in &self.unsupported {
                let _ = writeln!(s, "- {}:{}: {} — {}", u.file, u.line, u.reason, u.text);
            }
        }
        let _ = writeln!(
            s,
            "\nverdict: {}{}",
            if self.is_clean() {
                "clean"
            } else {
                "NOT clean"
            },
            if self.complete { "" } else { " (incomplete)" }
        );
        s
    }
}
