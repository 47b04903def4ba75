//! From parsed configurations to the report.

use crate::decide::{Sink, decide, decide_into};
use crate::ir::{FlatRule, IrConfig, Wide, flatten};
use crate::model::{PairPolicy, SegmentModel};
use crate::report::{
    BlockedFlow, CELL_LIMIT, CellStatus, Device, Finding, MatrixCell, Report, RuleRef, Unsupported,
    Violation, describe, describe_boxes, describe_owned,
};
use crate::segments::SegmentsFile;
use crate::space::{BoxSet, DST, Family, IntervalSet, PBox, PacketSet, SRC};
use crate::{ConfigInput, NetcheckError};
use smallvec::SmallVec;
use std::collections::BTreeMap;

/// The role whose segments get the "any" finding.
const MYNUMBER: &str = "mynumber";

/// Ordered pairs of distinct segments.
fn pairs(segs: &SegmentsFile) -> Vec<(usize, usize)> {
    let n = segs.segments.len();
    (0..n)
        .flat_map(|a| (0..n).filter(move |&b| b != a).map(move |b| (a, b)))
        .collect()
}

/// Packets of family `f` from segment `a` to segment `b` that a device
/// permits, each with the rules that permit it (an index into
/// [`Analysis::traces`]: a rule's trace is shared by all its pieces).
pub(crate) struct PairPieces {
    pub pieces: Vec<(Family, PBox, usize)>,
}

impl PairPieces {
    /// The pieces come from the leaves of first-match decisions, which
    /// partition the space, so they are pairwise disjoint.
    pub fn set(&self) -> PacketSet {
        PacketSet {
            v4: self.family_set(Family::Ipv4),
            v6: self.family_set(Family::Ipv6),
        }
    }

    /// The non-empty boxes of family `f`, in order.
    fn family_boxes(&self, f: Family) -> Vec<&PBox> {
        self.pieces
            .iter()
            .filter(|(g, b, _)| *g == f && !b.is_empty())
            .map(|(_, b, _)| b)
            .collect()
    }

    /// The packets of `want` that no piece of family `f` holds.
    fn missing(&self, f: Family, want: PBox) -> BoxSet {
        let hits: Vec<PBox> = self
            .pieces
            .iter()
            .filter(|(g, _, _)| *g == f)
            .filter_map(|(_, b, _)| b.intersect(&want))
            .collect();
        // The pieces are disjoint: when their parts add up to the whole
        // (and the count is exact), nothing is missing.
        let whole = want.volume();
        if whole < u128::MAX
            && hits
                .iter()
                .try_fold(0u128, |acc, b| acc.checked_add(b.volume()))
                == Some(whole)
        {
            return BoxSet::empty();
        }
        BoxSet::from_box(want).difference(&BoxSet::from_disjoint(hits))
    }

    fn family_set(&self, f: Family) -> BoxSet {
        BoxSet::from_disjoint(
            self.pieces
                .iter()
                .filter(|(g, _, _)| *g == f)
                .map(|(_, b, _)| b.clone())
                .collect(),
        )
    }
}

pub(crate) struct Analysis {
    pub pairs: Vec<((usize, usize), PairPieces)>,
    /// The rules that let a piece through (jumps first, the deciding rule
    /// last, one run per base chain).
    pub traces: Vec<Vec<usize>>,
    /// By rule id: the rule decided some packet.
    pub decided: Vec<bool>,
    /// By rule id: the rule ends a decision (accept, drop, policy).
    pub terminal: Vec<bool>,
    pub problems: Vec<(usize, String)>,
    pub notes: Vec<String>,
}

fn clip(region: &PBox, a: &IntervalSet, b: &IntervalSet) -> Option<PBox> {
    if !region.dims[SRC].intersects(a) || !region.dims[DST].intersects(b) {
        return None;
    }
    let mut p = region.clone();
    p.dims[SRC] = p.dims[SRC].intersect(a);
    p.dims[DST] = p.dims[DST].intersect(b);
    Some(p)
}

/// Computes, for every ordered pair of segments, the exact packets a
/// configuration permits.
pub(crate) fn analyse(
    cfg: &mut IrConfig,
    segs: &SegmentsFile,
    file: &str,
    budget: &crate::budget::Budget,
) -> Result<Analysis, NetcheckError> {
    let prs = pairs(segs);
    let mut out: Vec<PairPieces> = prs
        .iter()
        .map(|_| PairPieces { pieces: Vec::new() })
        .collect();
    let mut decided: Vec<bool> = Vec::new();
    let mut terminal: Vec<bool> = Vec::new();
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut traces: Vec<Vec<usize>> = Vec::new();
    for f in Family::ALL {
        if !cfg.families[f.index()] {
            continue;
        }
        let mut bases: Vec<_> = cfg
            .bases
            .iter()
            .filter(|b| b.families[f.index()])
            .cloned()
            .collect();
        bases.sort_by_key(|b| b.prio);
        if bases.is_empty() {
            notes.push(format!(
                "{file}: no forwarding filter for {f:?}: every {f:?} packet is forwarded"
            ));
            let id = cfg.add_rule(
                RuleRef {
                    file: file.into(),
                    line: 0,
                    text: format!("(no forward chain for {f:?})").into(),
                    vdom: None,
                },
                Wide {
                    src_any: true,
                    dst_any: true,
                    dport_any: true,
                },
                true,
            );
            bases.push(crate::ir::BaseChain {
                name: String::new(),
                families: [true, true],
                prio: 0,
                accept_by_default: true,
                policy_rule: id,
            });
        }
        let mut fam_pieces: Vec<Vec<(Family, PBox, usize)>> =
            prs.iter().map(|_| Vec::new()).collect();
        for (k, base) in bases.iter().enumerate() {
            let (flat, probs): (Vec<FlatRule>, _) = flatten(cfg, base, f, budget)?;
            problems.extend(probs);
            let entries: Vec<(usize, &PBox)> = flat
                .iter()
                .enumerate()
                .flat_map(|(i, fr)| fr.set.get(f).boxes().iter().map(move |b| (i, b)))
                .collect();
            for fr in &flat {
                if let Some(&last) = fr.trace.last() {
                    set_flag(&mut terminal, last);
                }
            }
            // Only accepted packets are needed as regions; for the other
            // rules it is enough to know that they decided something.
            let keep: Vec<bool> = flat.iter().map(|fr| fr.accept).collect();
            let mark = |decided_by: &[bool], flags: &mut Vec<bool>| {
                for (i, fr) in flat.iter().enumerate() {
                    if decided_by[i]
                        && let Some(&last) = fr.trace.last()
                    {
                        set_flag(flags, last);
                    }
                }
            };
            if k == 0 {
                // Each accepted region goes straight to the pairs of
                // segments it touches (on the core that decided it).
                let cuts: Vec<Option<(&IntervalSet, &IntervalSet)>> = prs
                    .iter()
                    .map(|&(a, b)| {
                        let (sa, sb) = (segs.segments[a].addrs(f), segs.segments[b].addrs(f));
                        (!sa.is_empty() && !sb.is_empty()).then_some((sa, sb))
                    })
                    .collect();
                let sink = PairSink {
                    cuts: &cuts,
                    pieces: prs.iter().map(|_| Vec::new()).collect(),
                };
                let out = decide_into(f, &entries, &keep, sink);
                budget.check_time()?;
                mark(&out.decided, &mut decided);
                // One shared trace per accepting rule, made when first used.
                let mut trace_of: Vec<usize> = vec![usize::MAX; flat.len()];
                for (pi, pieces) in out.leaves.pieces.into_iter().enumerate() {
                    fam_pieces[pi] = pieces
                        .into_iter()
                        .map(|(p, owner)| {
                            if trace_of[owner] == usize::MAX {
                                traces.push(flat[owner].trace.to_vec());
                                trace_of[owner] = traces.len() - 1;
                            }
                            (f, p, trace_of[owner])
                        })
                        .collect();
                }
                continue;
            }
            let out = decide(f, &entries, &keep);
            budget.check_time()?;
            mark(&out.decided, &mut decided);
            // The leaves hold only kept (accepting) owners.
            let accepts: Vec<&crate::decide::Leaf> =
                out.leaves.iter().filter(|l| flat[l.owner].accept).collect();
            // A later base chain: a piece passes when this chain accepts
            // it too.
            for pieces in &mut fam_pieces {
                let prev = std::mem::take(pieces);
                for (_, piece, tr) in prev {
                    for l in &accepts {
                        if let Some(p) = piece.intersect(&l.region) {
                            let mut t = traces[tr].clone();
                            t.extend(flat[l.owner].trace.iter().copied());
                            traces.push(t);
                            pieces.push((f, p, traces.len() - 1));
                        }
                    }
                }
            }
        }
        for (pi, mut v) in fam_pieces.into_iter().enumerate() {
            if out[pi].pieces.is_empty() {
                out[pi].pieces = v;
            } else {
                out[pi].pieces.append(&mut v);
            }
        }
    }
    Ok(Analysis {
        pairs: prs.into_iter().zip(out).collect(),
        traces,
        decided,
        terminal,
        problems,
        notes,
    })
}

/// Per ordered pair of segments (in [`pairs`] order): the rules that could
/// not be modelled exactly and whose packets (as over-approximated) touch
/// the pair.
fn pair_warnings(
    cfg: &IrConfig,
    segs: &SegmentsFile,
    problems: &[(usize, String)],
) -> Vec<Vec<Unsupported>> {
    let prs = pairs(segs);
    let mut out: Vec<Vec<Unsupported>> = prs.iter().map(|_| Vec::new()).collect();
    if problems.is_empty() {
        return out;
    }
    let mut sets: std::collections::HashMap<usize, &PacketSet> = Default::default();
    for rules in cfg.chains.values() {
        for r in rules {
            sets.insert(r.id, &r.set);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for (id, reason) in problems {
        if !seen.insert((*id, reason.as_str())) {
            continue;
        }
        let Some(set) = sets.get(id) else {
            continue;
        };
        let r = &cfg.rules[*id].rref;
        let reason_ja = crate::reason::ja(reason);
        for (pi, &(a, b)) in prs.iter().enumerate() {
            let touches = Family::ALL.into_iter().any(|f| {
                let (sa, sb) = (segs.segments[a].addrs(f), segs.segments[b].addrs(f));
                set.get(f)
                    .boxes()
                    .iter()
                    .any(|x| x.dims[SRC].intersects(sa) && x.dims[DST].intersects(sb))
            });
            if touches {
                out[pi].push(Unsupported {
                    file: r.file.to_string(),
                    line: r.line,
                    text: r.text.to_string(),
                    reason: reason.clone(),
                    reason_ja: reason_ja.clone(),
                });
            }
        }
    }
    out
}

/// Cuts each accepted region into the pairs of segments it touches.
struct PairSink<'s> {
    /// Per pair: the source and destination addresses (None: a segment
    /// without addresses of this family).
    cuts: &'s [Option<(&'s IntervalSet, &'s IntervalSet)>],
    /// Per pair: the pieces and the rule (flattened entry) that accepts them.
    pieces: Vec<Vec<(PBox, usize)>>,
}

impl Sink for PairSink<'_> {
    fn leaf(&mut self, region: PBox, owner: usize) {
        let hits: SmallVec<[usize; 4]> = self
            .cuts
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.is_some_and(|(a, b)| {
                    region.dims[SRC].intersects(a) && region.dims[DST].intersects(b)
                })
            })
            .map(|(i, _)| i)
            .collect();
        let Some((&last, rest)) = hits.split_last() else {
            return;
        };
        for &i in rest {
            if let Some((a, b)) = self.cuts[i]
                && let Some(p) = clip(&region, a, b)
            {
                self.pieces[i].push((p, owner));
            }
        }
        if let Some((a, b)) = self.cuts[last] {
            // The last pair takes the region itself.
            let mut p = region;
            p.dims[SRC] = p.dims[SRC].intersect(a);
            p.dims[DST] = p.dims[DST].intersect(b);
            self.pieces[last].push((p, owner));
        }
    }

    fn join(&mut self, later: Self) {
        for (mine, theirs) in self.pieces.iter_mut().zip(later.pieces) {
            mine.extend(theirs);
        }
    }

    fn part(&self, _leaves: usize) -> Self {
        PairSink {
            cuts: self.cuts,
            pieces: self.cuts.iter().map(|_| Vec::new()).collect(),
        }
    }
}

fn set_flag(flags: &mut Vec<bool>, id: usize) {
    if flags.len() <= id {
        flags.resize(id + 1, false);
    }
    flags[id] = true;
}

/// Packets the model allows from segment `a` to segment `b`.
fn allowed(segs: &SegmentsFile, model: &SegmentModel, a: usize, b: usize, f: Family) -> BoxSet {
    let (sa, sb) = (segs.segments[a].addrs(f), segs.segments[b].addrs(f));
    let (policy, kinds) = model.policy(&segs.segments[a].role, &segs.segments[b].role);
    let mut within = PBox::universe(f);
    within.dims[SRC] = sa.clone();
    within.dims[DST] = sb.clone();
    let mut out = BoxSet::empty();
    if policy == PairPolicy::Allow {
        out.add_box(within.clone());
    }
    if policy.allows_flows() {
        for fl in &segs.flows {
            if fl.from_idx.contains(&a)
                && fl.to_idx.contains(&b)
                && let Some(fb) = &fl.boxes[f.index()]
                && let Some(x) = fb.intersect(&within)
            {
                out.add_box(x);
            }
        }
    }
    if policy.allows_relays() {
        let mut r = IntervalSet::empty();
        for rl in segs.relays.iter().filter(|r| kinds.contains(&r.kind)) {
            r = r.union(&rl.addrs[f.index()]);
        }
        let mut to_relay = within.clone();
        to_relay.dims[DST] = sb.intersect(&r);
        out.add_box(to_relay);
        let mut from_relay = within;
        from_relay.dims[SRC] = sa.intersect(&r);
        out.add_box(from_relay);
    }
    out
}

fn wide_of(cfg: &IrConfig, trace: &[usize]) -> Wide {
    let mut w = Wide {
        src_any: true,
        dst_any: true,
        dport_any: true,
    };
    for &id in trace {
        let x = cfg.rules[id].wide;
        w.src_any &= x.src_any;
        w.dst_any &= x.dst_any;
        w.dport_any &= x.dport_any;
    }
    w
}

pub(crate) fn check_all(
    segs: &SegmentsFile,
    model: &SegmentModel,
    configs: &[ConfigInput],
    budget: &crate::budget::Budget,
) -> Result<Report, NetcheckError> {
    for s in &segs.segments {
        if !model.has_role(&s.role) {
            return Err(NetcheckError::Check {
                message: format!(
                    "segment {:?} (line {}) has role {:?}, which model {:?} does not define (roles: {}); use a city model file that adds it",
                    s.name,
                    s.line,
                    s.role,
                    model.id,
                    model
                        .roles
                        .iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    let mut report = Report {
        model: model.id.clone(),
        devices: Vec::new(),
        matrix: Vec::new(),
        violations: Vec::new(),
        findings: Vec::new(),
        blocked_flows: Vec::new(),
        shadowed: Vec::new(),
        unsupported: Vec::new(),
        notes: Vec::new(),
        warnings: Vec::new(),
        complete: true,
    };
    for fl in &segs.flows {
        for &a in &fl.from_idx {
            for &b in &fl.to_idx {
                let (p, _) = model.policy(&segs.segments[a].role, &segs.segments[b].role);
                if a != b && !p.allows_flows() {
                    report.notes.push(format!(
                        "specific flow at line {} ({} -> {}) is not counted: model {} says {:?} for {} -> {}",
                        fl.line,
                        segs.segments[a].name,
                        segs.segments[b].name,
                        model.id,
                        p,
                        segs.segments[a].role,
                        segs.segments[b].role
                    ));
                }
            }
        }
    }
    let has_v6 = segs
        .segments
        .iter()
        .any(|s| !s.addrs(Family::Ipv6).is_empty());
    let has_v4 = segs
        .segments
        .iter()
        .any(|s| !s.addrs(Family::Ipv4).is_empty());
    for input in configs {
        let (format, mut cfg) = crate::parse_config(input, segs, budget)?;
        let an = analyse(&mut cfg, segs, &input.file, budget)?;
        let cell_warnings = pair_warnings(&cfg, segs, &an.problems);
        report.warnings.append(&mut cfg.warnings);
        if cfg.warnings_more > 0 {
            report.notes.push(format!(
                "{}: ほかに {} 件の警告があります (最初の {} 件のみ表示) / {} more warnings (only the first {} are listed)",
                input.file,
                cfg.warnings_more,
                crate::ir::WARNINGS_KEPT,
                cfg.warnings_more,
                crate::ir::WARNINGS_KEPT
            ));
        }
        // The rules' packet sets are done with: their memory serves the
        // report rather than fresh pages.
        cfg.chains = Default::default();
        let file = input.file.clone();
        report.notes.extend(an.notes.iter().cloned());
        for (f, has) in [(Family::Ipv4, has_v4), (Family::Ipv6, has_v6)] {
            if has && !cfg.families[f.index()] {
                report.notes.push(format!(
                    "{file}: this configuration does not speak for {f:?}; {f:?} traffic between segments is not checked here"
                ));
            }
        }
        report.notes.extend(cfg.notes.iter().cloned());
        report.devices.push(Device {
            file: file.clone(),
            format,
            families: Family::ALL
                .into_iter()
                .filter(|f| cfg.families[f.index()])
                .collect(),
            rules: cfg.rules.iter().filter(|r| !r.is_policy).count(),
        });
        let mut unsup: BTreeMap<(u32, String), Unsupported> = BTreeMap::new();
        for u in &cfg.unsupported {
            unsup.insert((u.line, u.reason.clone()), u.clone());
        }
        for (id, reason) in &an.problems {
            let r = &cfg.rules[*id].rref;
            unsup.insert(
                (r.line, reason.clone()),
                Unsupported {
                    file: r.file.to_string(),
                    line: r.line,
                    text: r.text.to_string(),
                    reason: reason.clone(),
                    reason_ja: crate::reason::ja(reason),
                },
            );
        }
        report.unsupported.extend(unsup.into_values());
        let mut shadowed: Vec<RuleRef> = an
            .terminal
            .iter()
            .enumerate()
            .filter(|&(id, &t)| {
                t && !an.decided.get(id).copied().unwrap_or(false) && !cfg.rules[id].is_policy
            })
            .map(|(id, _)| cfg.rules[id].rref.clone())
            .collect();
        shadowed.sort();
        shadowed.dedup();
        report.shadowed.extend(shadowed);

        // The pairs are judged on all cores, their results joined in order.
        let judged = crate::par::chunks(
            &an.pairs,
            2,
            |(_, pp)| pp.pieces.len() + 1,
            |part| {
                part.iter()
                    .map(|((a, b), pp)| judge_pair(segs, model, &cfg, &an, &file, (*a, *b), pp))
                    .collect::<Vec<_>>()
            },
        );
        let mut findings: BTreeMap<usize, Finding> = BTreeMap::new();
        report.violations.reserve(
            judged
                .iter()
                .flatten()
                .map(|r| r.violations.len())
                .sum::<usize>(),
        );
        for (mut res, warn) in judged.into_iter().flatten().zip(cell_warnings) {
            if let Some(c) = res.cell.as_mut() {
                c.warnings = warn;
            }
            report.violations.extend(res.violations);
            report.matrix.extend(res.cell);
            report.blocked_flows.extend(res.blocked);
            for (k, f) in res.findings {
                findings.entry(k).or_insert(f);
            }
        }
        report.findings.extend(findings.into_values());
    }
    report.complete = report.unsupported.is_empty();
    Ok(report)
}

/// What one device does between one ordered pair of segments.
#[derive(Default)]
struct PairResult {
    violations: Vec<Violation>,
    cell: Option<MatrixCell>,
    blocked: Vec<BlockedFlow>,
    findings: BTreeMap<usize, Finding>,
}

fn judge_pair(
    segs: &SegmentsFile,
    model: &SegmentModel,
    cfg: &IrConfig,
    an: &Analysis,
    file: &str,
    (a, b): (usize, usize),
    pp: &PairPieces,
) -> PairResult {
    let file = file.to_string();
    let mut res = PairResult::default();
    let (sa, sb) = (&segs.segments[a], &segs.segments[b]);
    let (policy, _) = model.policy(&sa.role, &sb.role);
    let mut any_permitted = false;
    let mut cell_permitted = Vec::new();
    let mut cell_more = 0;
    let mut violating = false;
    let mut groups: BTreeMap<&[usize], [BoxSet; 2]> = BTreeMap::new();
    for f in Family::ALL {
        let perm = pp.family_boxes(f);
        if perm.is_empty() {
            continue;
        }
        any_permitted = true;
        let room = CELL_LIMIT.saturating_sub(cell_permitted.len());
        let (shown, more) = describe_boxes(f, &perm, room);
        cell_permitted.extend(shown);
        cell_more += more;
        let allow = allowed(segs, model, a, b, f);
        for (g, piece, trace) in &pp.pieces {
            if *g != f {
                continue;
            }
            let trace: &[usize] = &an.traces[*trace];
            // Most pieces lie inside one allowed box: nothing to cut.
            if !allow.boxes().iter().any(|x| x.covers(piece)) {
                let bad = BoxSet::from_box(piece.clone()).difference(&allow);
                if !bad.is_empty() {
                    violating = true;
                    let e = groups.entry(trace).or_default();
                    // Pieces of one trace are disjoint: no need to cut them.
                    e[f.index()].extend_disjoint(bad);
                }
            }
            if sa.role == MYNUMBER || sb.role == MYNUMBER {
                let last = trace.last().copied().unwrap_or(0);
                let w = wide_of(cfg, trace);
                if !cfg.rules[last].is_policy && (w.src_any || w.dst_any || w.dport_any) {
                    let mut what = Vec::new();
                    if w.src_any {
                        what.push("any source address");
                    }
                    if w.dst_any {
                        what.push("any destination address");
                    }
                    if w.dport_any {
                        what.push("any destination port");
                    }
                    res.findings.entry(last).or_insert_with(|| Finding {
                        kind: "mynumber-any".into(),
                        message: format!(
                            "accepts traffic {} a My Number segment with {}",
                            if sa.role == MYNUMBER { "from" } else { "to" },
                            what.join(", ")
                        ),
                        rule: cfg.rules[last].rref.clone(),
                    });
                }
            }
        }
    }
    for (trace, sets) in groups {
        let mut packets = Vec::new();
        for (f, set) in Family::ALL.into_iter().zip(sets) {
            packets.extend(describe_owned(f, set));
        }
        res.violations.push(Violation {
            file: file.clone(),
            from: sa.name.clone(),
            to: sb.name.clone(),
            from_role: sa.role.clone(),
            to_role: sb.role.clone(),
            policy: policy.clone(),
            packets,
            rules: trace.iter().map(|&id| cfg.rules[id].rref.clone()).collect(),
        });
    }
    res.cell = Some(MatrixCell {
        file: file.clone(),
        from: sa.name.clone(),
        to: sb.name.clone(),
        from_role: sa.role.clone(),
        to_role: sb.role.clone(),
        policy: policy.clone(),
        status: if violating {
            CellStatus::Violation
        } else if !any_permitted {
            CellStatus::None
        } else {
            CellStatus::Conforming
        },
        permitted: cell_permitted,
        permitted_more: cell_more,
        warnings: Vec::new(),
    });
    // Listed flows that this device does not let through.
    if policy.allows_flows() {
        for fl in &segs.flows {
            if !(fl.from_idx.contains(&a) && fl.to_idx.contains(&b)) {
                continue;
            }
            let mut blocked = Vec::new();
            for f in Family::ALL {
                if !cfg.families[f.index()] {
                    continue;
                }
                let Some(fb) = &fl.boxes[f.index()] else {
                    continue;
                };
                let mut within = fb.clone();
                within.dims[SRC] = within.dims[SRC].intersect(sa.addrs(f));
                within.dims[DST] = within.dims[DST].intersect(sb.addrs(f));
                let miss = pp.missing(f, within);
                blocked.extend(describe(f, &miss));
            }
            if !blocked.is_empty() {
                res.blocked.push(BlockedFlow {
                    file: file.clone(),
                    flow_line: fl.line,
                    from: sa.name.clone(),
                    to: sb.name.clone(),
                    purpose: fl.purpose.clone(),
                    blocked,
                });
            }
        }
    }
    res
}
