//! The common form every parser produces: chains of rules, each with an exact
//! packet set and an action, and the flattening of jumps into one ordered
//! list of accept/drop decisions.

use crate::report::{RuleRef, Unsupported};
use crate::segments::SegmentsFile;
use crate::space::{DPORT, DST, Family, IntervalSet, PBox, PROTO, PacketSet, SRC};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::collections::HashMap;

/// Deepest chain nesting followed before a jump is reported.
pub const MAX_DEPTH: usize = 64;

/// Warnings kept per configuration (the rest are counted in a note).
pub(crate) const WARNINGS_KEPT: usize = 100;

/// Most guards remembered per chain (see `Flattener::walked`).
const MEMO_PER_CHAIN: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Accept,
    Drop,
    Return,
    Jump(String),
    Goto(String),
    /// A rule the parser cannot model exactly and that cannot accept (a
    /// drop, or a rule deciding nothing): reported where reached and left
    /// out, so that later rules see its packets (more is permitted, never
    /// less).
    Unsupported(String),
    /// A rule the parser cannot model exactly and that might accept (or
    /// jump to rules that do): reported where reached and taken as
    /// accepting its whole set, which the parser makes a superset of what
    /// the rule can match.
    Approx(String),
}

/// Whether the rule as written leaves a side or the destination port open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Wide {
    pub src_any: bool,
    pub dst_any: bool,
    pub dport_any: bool,
}

/// One source rule: where it is and what it says.
#[derive(Clone, Debug)]
pub(crate) struct RuleInfo {
    pub rref: RuleRef,
    pub wide: Wide,
    /// A chain policy or implicit default, not a rule a person wrote.
    pub is_policy: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct IrRule {
    pub id: usize,
    pub set: PacketSet,
    pub action: Action,
}

#[derive(Clone, Debug)]
pub(crate) struct BaseChain {
    pub name: String,
    pub families: [bool; 2],
    pub prio: i64,
    pub accept_by_default: bool,
    /// The rule id of the policy line.
    pub policy_rule: usize,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct IrConfig {
    pub rules: Vec<RuleInfo>,
    pub chains: HashMap<String, Vec<IrRule>>,
    pub bases: Vec<BaseChain>,
    pub unsupported: Vec<Unsupported>,
    pub notes: Vec<String>,
    /// Lines read that may not mean what their author meant.
    pub warnings: Vec<crate::report::Warning>,
    /// Warnings past [`WARNINGS_KEPT`], counted only.
    pub warnings_more: usize,
    /// Families the configuration speaks for.
    pub families: [bool; 2],
}

impl IrConfig {
    pub fn add_rule(&mut self, rref: RuleRef, wide: Wide, is_policy: bool) -> usize {
        self.rules.push(RuleInfo {
            rref,
            wide,
            is_policy,
        });
        self.rules.len() - 1
    }

    /// A problem outside any chain (a line that is not a rule), said in
    /// Japanese and in English.
    pub fn unsupported(&mut self, rref: &RuleRef, ja: impl Into<String>, en: impl Into<String>) {
        self.unsupported.push(Unsupported {
            file: rref.file.to_string(),
            line: rref.line,
            text: rref.text.to_string(),
            reason: en.into(),
            reason_ja: ja.into(),
        });
    }
}

impl IrConfig {
    /// Warns about a line that is read but may not mean what it says.
    pub fn warn(&mut self, rref: &RuleRef, message: String, message_en: String) {
        if self.warnings.len() >= WARNINGS_KEPT {
            self.warnings_more += 1;
            return;
        }
        self.warnings.push(crate::report::Warning {
            file: rref.file.to_string(),
            line: rref.line,
            text: rref.text.to_string(),
            message,
            message_en,
        });
    }
}

/// A flattened decision: the trace is the jump rules followed by the rule
/// that decides.
#[derive(Clone, Debug)]
pub(crate) struct FlatRule<'a> {
    /// Inline: almost every trace is a rule or a jump and a rule.
    pub trace: SmallVec<[usize; 4]>,
    /// Borrowed from the rule when the rule's set is what reaches it.
    pub set: Cow<'a, PacketSet>,
    pub accept: bool,
}

struct Flattener<'a> {
    cfg: &'a IrConfig,
    family: Family,
    out: Vec<FlatRule<'a>>,
    problems: Vec<(usize, String)>,
    stack: Vec<String>,
    accept_by_default: bool,
    /// Per chain: the guards it has been walked with (without loops or
    /// too-deep nesting).
    /// A later jump into the chain with one of these guards adds only
    /// decisions that the earlier walk's (earlier in first-match order)
    /// already take, so it is skipped: chains that jump twice to the next
    /// stay linear instead of doubling at every level.
    walked: HashMap<&'a str, std::collections::HashSet<PacketSet>>,
    /// Loops and too-deep nesting met so far: a walk that met one depends
    /// on the jumps that led to it and is not reused.
    stack_problems: usize,
    budget: &'a crate::budget::Budget,
    err: Option<crate::NetcheckError>,
}

impl<'a> Flattener<'a> {
    /// Packets `m` (matched by `rule_set`) leave the current chain: in a
    /// base chain the policy decides them, elsewhere they go back to the
    /// caller, so the rest of this chain no longer sees them.
    fn leave_chain(
        &mut self,
        top: bool,
        trace: SmallVec<[usize; 4]>,
        m: Cow<'a, PacketSet>,
        rule_set: &PacketSet,
        guard: &mut PacketSet,
    ) {
        if top {
            self.out.push(FlatRule {
                trace,
                set: m,
                accept: self.accept_by_default,
            });
        } else {
            *guard = guard.difference(rule_set);
        }
    }

    /// True when `set` holds only packets of the family being flattened,
    /// in non-empty boxes: intersecting it with that family's universe
    /// changes nothing.
    fn only_family(&self, set: &PacketSet) -> bool {
        Family::ALL.into_iter().all(|g| {
            let b = set.get(g);
            if g == self.family {
                b.boxes().iter().all(|x| !x.is_empty())
            } else {
                b.is_empty()
            }
        })
    }

    fn walk(&mut self, chain: &str, guard: PacketSet, trace: &[usize], top: bool) {
        let cfg = self.cfg;
        let Some(rules) = cfg.chains.get(chain) else {
            return;
        };
        let mut g = guard;
        for r in rules {
            if self.err.is_some() {
                return;
            }
            if let Err(e) = self.budget.spend(1) {
                self.err = Some(e);
                return;
            }
            if g.is_empty() {
                // Nothing reaches the rest of the chain; the remaining
                // terminal rules are recorded with empty sets (shadowed).
                let mut t = SmallVec::from_slice(trace);
                t.push(r.id);
                if matches!(r.action, Action::Accept | Action::Drop) {
                    self.out.push(FlatRule {
                        trace: t,
                        set: Cow::Owned(PacketSet::empty()),
                        accept: r.action == Action::Accept,
                    });
                }
                continue;
            }
            // The base chain's guard stays the family's universe: a rule
            // of that family alone reaches it as it is, without a copy.
            let m = if top && self.only_family(&r.set) {
                Cow::Borrowed(&r.set)
            } else {
                Cow::Owned(r.set.intersect(&g))
            };
            let mut t = SmallVec::from_slice(trace);
            t.push(r.id);
            match &r.action {
                Action::Unsupported(reason) => self.problems.push((r.id, reason.clone())),
                Action::Approx(reason) => {
                    self.problems.push((r.id, reason.clone()));
                    self.out.push(FlatRule {
                        trace: t,
                        set: m,
                        accept: true,
                    });
                }
                Action::Accept | Action::Drop => self.out.push(FlatRule {
                    trace: t,
                    set: m,
                    accept: r.action == Action::Accept,
                }),
                Action::Return => self.leave_chain(top, t, m, &r.set, &mut g),
                Action::Jump(target) | Action::Goto(target) => {
                    let problem = if !self.cfg.chains.contains_key(target) {
                        Some(format!("jump to unknown chain {target:?}"))
                    } else if self.stack.iter().any(|c| c == target) {
                        Some(format!(
                            "jump loop: {} -> {target}",
                            self.stack.join(" -> ")
                        ))
                    } else if self.stack.len() >= MAX_DEPTH {
                        Some(format!("chains nested deeper than {MAX_DEPTH}"))
                    } else {
                        None
                    };
                    if let Some(p) = problem {
                        // What the chain would do is not followed: its
                        // packets count as possibly accepted.
                        self.stack_problems += 1;
                        self.problems.push((r.id, p));
                        self.out.push(FlatRule {
                            trace: t,
                            set: m,
                            accept: true,
                        });
                        continue;
                    }
                    if m.is_empty() {
                        continue;
                    }
                    let seen = self
                        .walked
                        .get(target.as_str())
                        .is_some_and(|gs| gs.contains(m.as_ref()));
                    if !seen {
                        let probs = self.stack_problems;
                        self.stack.push(target.clone());
                        self.walk(target, m.as_ref().clone(), &t, false);
                        self.stack.pop();
                        if self.stack_problems == probs
                            && let Some((name, _)) = cfg.chains.get_key_value(target.as_str())
                        {
                            // A few hundred guards a chain catch the
                            // repeated jumps; more only fill memory.
                            let gs = self.walked.entry(name.as_str()).or_default();
                            if gs.len() < MEMO_PER_CHAIN {
                                gs.insert(m.as_ref().clone());
                            }
                        }
                    }
                    if matches!(r.action, Action::Goto(_)) {
                        // Falling off a goto'd chain leaves this chain too.
                        self.leave_chain(top, t, m, &r.set, &mut g);
                    }
                }
            }
        }
    }
}

/// The flattened decisions and the problems met (rule id, reason).
pub(crate) type Flat<'a> = (Vec<FlatRule<'a>>, Vec<(usize, String)>);

/// Flattens one base chain for the given family into first-match decisions,
/// ending with the chain policy. Problems name the rule and what went wrong.
pub(crate) fn flatten<'a>(
    cfg: &'a IrConfig,
    base: &BaseChain,
    family: Family,
    budget: &'a crate::budget::Budget,
) -> Result<Flat<'a>, crate::NetcheckError> {
    let mut universe = PacketSet::empty();
    *universe.get_mut(family) = crate::space::BoxSet::universe(family);
    let mut f = Flattener {
        cfg,
        family,
        // About one decision per rule: no growing (and copying) on the way.
        out: Vec::with_capacity(cfg.chains.values().map(Vec::len).sum::<usize>() + 1),
        problems: Vec::new(),
        stack: vec![base.name.clone()],
        accept_by_default: base.accept_by_default,
        walked: HashMap::new(),
        stack_problems: 0,
        budget,
        err: None,
    };
    f.walk(&base.name, universe.clone(), &[], true);
    if let Some(e) = f.err {
        return Err(e);
    }
    f.out.push(FlatRule {
        trace: smallvec::smallvec![base.policy_rule],
        set: Cow::Owned(universe),
        accept: base.accept_by_default,
    });
    Ok((f.out, f.problems))
}

/// Resolves interface names to the addresses of the segments that face them.
pub(crate) struct IfaceMap<'a> {
    segs: &'a SegmentsFile,
}

impl<'a> IfaceMap<'a> {
    pub fn new(segs: &'a SegmentsFile) -> Self {
        IfaceMap { segs }
    }

    /// Addresses behind any of the named interfaces (a trailing `+` or `*`
    /// matches a prefix, as in iptables and nftables).
    pub fn addrs(&self, names: &[String]) -> Result<[IntervalSet; 2], String> {
        if let Some(s) = self.segs.segments.iter().find(|s| s.interfaces.is_empty()) {
            return Err(format!(
                "segment {:?} lists no interfaces, so an interface match cannot be resolved",
                s.name
            ));
        }
        let mut out = [IntervalSet::empty(), IntervalSet::empty()];
        for seg in &self.segs.segments {
            let hit = seg.interfaces.iter().any(|i| {
                names.iter().any(|n| match n.strip_suffix(['+', '*']) {
                    Some(prefix) => i.starts_with(prefix),
                    None => i == n,
                })
            });
            if hit {
                for f in Family::ALL {
                    out[f.index()] = out[f.index()].union(seg.addrs(f));
                }
            }
        }
        Ok(out)
    }
}

/// Builds the packet set of one rule from its conditions.
pub(crate) struct MatchBuilder {
    pub set: PacketSet,
    pub wide: Wide,
}

impl MatchBuilder {
    pub fn new(families: [bool; 2]) -> Self {
        let mut set = PacketSet::empty();
        for f in Family::ALL {
            if families[f.index()] {
                *set.get_mut(f) = crate::space::BoxSet::universe(f);
            }
        }
        MatchBuilder {
            set,
            wide: Wide {
                src_any: true,
                dst_any: true,
                dport_any: true,
            },
        }
    }

    /// Keeps only one family.
    pub fn only(&mut self, f: Family) {
        for g in Family::ALL {
            if g != f {
                *self.set.get_mut(g) = crate::space::BoxSet::empty();
            }
        }
    }

    /// Restricts dimension `dim` of family `f` to `s`.
    pub fn restrict_family(&mut self, f: Family, dim: usize, s: &IntervalSet) {
        self.set.get_mut(f).restrict_dim(dim, s);
    }

    /// Restricts a dimension of both families (ports, protocol).
    pub fn restrict(&mut self, dim: usize, s: &IntervalSet) {
        for f in Family::ALL {
            self.restrict_family(f, dim, s);
        }
        if dim == DPORT {
            self.wide.dport_any = false;
        }
        if dim == PROTO
            && !s
                .intervals()
                .iter()
                .any(|&(lo, hi)| (lo..=hi.min(255)).any(crate::addr::has_ports))
        {
            self.wide.dport_any = false;
        }
    }

    /// Restricts an address dimension with per-family sets; a family whose
    /// set is empty drops out.
    pub fn restrict_addrs(&mut self, dim: usize, sets: &[IntervalSet; 2], negate: bool) {
        for f in Family::ALL {
            let s = if negate {
                sets[f.index()].complement(f.addr_max())
            } else {
                sets[f.index()].clone()
            };
            self.restrict_family(f, dim, &s);
        }
        if dim == SRC {
            self.wide.src_any = false;
        } else if dim == DST {
            self.wide.dst_any = false;
        }
    }

    /// Either the source or the destination port is in `s` (multiport
    /// `--ports`).
    pub fn restrict_either_port(&mut self, s: &IntervalSet) {
        for f in Family::ALL {
            let mut a = PBox::universe(f);
            a.dims[crate::space::SPORT] = s.clone();
            let mut b = PBox::universe(f);
            b.dims[DPORT] = s.clone();
            let either = crate::space::BoxSet::from_boxes([a, b]);
            let cur = self.set.get(f).intersect(&either);
            *self.set.get_mut(f) = cur;
        }
        self.wide.dport_any = false;
    }
}
