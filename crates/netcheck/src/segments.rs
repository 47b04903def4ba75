//! The segments file: segments, relays and the specific flows a city allows.

use crate::NetcheckError;
use crate::addr::{parse_net, parse_ports, proto_number};
use crate::space::{DPORT, DST, Family, IntervalSet, PBox, PROTO, SRC};
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// A parsed and validated segments file.
#[derive(Clone, Debug, Serialize)]
pub struct SegmentsFile {
    /// `alpha`, `alpha-prime`, `beta`, `beta-prime`, or a model file path.
    pub model: String,
    pub segments: Vec<Segment>,
    pub relays: Vec<Relay>,
    pub flows: Vec<Flow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Segment {
    pub name: String,
    pub role: String,
    pub ranges: Vec<String>,
    pub interfaces: Vec<String>,
    pub line: u32,
    /// The addresses that belong to this segment once more specific ranges
    /// of other segments are carved out, per family.
    #[serde(skip)]
    pub(crate) addrs: [IntervalSet; 2],
}

impl Segment {
    pub(crate) fn addrs(&self, f: Family) -> &IntervalSet {
        &self.addrs[f.index()]
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Relay {
    pub name: String,
    /// `sanitizer`, `screen-transfer`, or a kind the city's model names.
    pub kind: String,
    pub addresses: Vec<String>,
    pub line: u32,
    #[serde(skip)]
    pub(crate) addrs: [IntervalSet; 2],
}

/// A specific flow (特定通信) that the city allows.
#[derive(Clone, Debug, Serialize)]
pub struct Flow {
    /// Segment name (or a role: every segment of that role).
    pub from: String,
    pub to: String,
    pub source: Option<String>,
    pub destination: Option<String>,
    pub protocol: String,
    pub ports: Option<String>,
    pub purpose: String,
    pub line: u32,
    #[serde(skip)]
    pub(crate) from_idx: Vec<usize>,
    #[serde(skip)]
    pub(crate) to_idx: Vec<usize>,
    /// The packets of the flow, per family, without the segment bounds.
    #[serde(skip)]
    pub(crate) boxes: [Option<PBox>; 2],
}

/// Which model a segments file names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ModelRef {
    Builtin(String),
    File(String),
}

impl SegmentsFile {
    /// A built-in name, or a file path (anything with `/`, `\` or `.toml`).
    pub fn model_ref(&self) -> ModelRef {
        model_ref_str(&self.model)
    }

    /// Index of the segment with this name.
    pub fn segment_index(&self, name: &str) -> Option<usize> {
        self.segments.iter().position(|s| s.name == name)
    }

    /// Segments a name refers to: the segment of that name, or else every
    /// segment of that role.
    fn resolve(&self, name: &str) -> Vec<usize> {
        match self.segment_index(name) {
            Some(i) => vec![i],
            None => (0..self.segments.len())
                .filter(|&i| self.segments[i].role == name)
                .collect(),
        }
    }

    /// True when at least one segment lists interfaces.
    pub fn has_interfaces(&self) -> bool {
        self.segments.iter().any(|s| !s.interfaces.is_empty())
    }
}

/// Whether a model name is built in or a file path.
pub fn model_ref_str(m: &str) -> ModelRef {
    if m.contains('/') || m.contains('\\') || m.ends_with(".toml") {
        ModelRef::File(m.to_string())
    } else {
        ModelRef::Builtin(m.to_string())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    model: Spanned<String>,
    #[serde(default)]
    segment: Vec<Spanned<RawSegment>>,
    #[serde(default)]
    relay: Vec<Spanned<RawRelay>>,
    #[serde(default)]
    flow: Vec<Spanned<RawFlow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSegment {
    name: Spanned<String>,
    role: Spanned<String>,
    ranges: Vec<Spanned<String>>,
    #[serde(default)]
    interfaces: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelay {
    name: Spanned<String>,
    kind: Spanned<String>,
    addresses: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlow {
    from: Spanned<String>,
    to: Spanned<String>,
    #[serde(default)]
    source: Option<Spanned<String>>,
    #[serde(default)]
    destination: Option<Spanned<String>>,
    #[serde(default = "any_proto")]
    protocol: Spanned<String>,
    #[serde(default)]
    ports: Option<Spanned<String>>,
    #[serde(default)]
    purpose: String,
}

fn any_proto() -> Spanned<String> {
    Spanned::new(0..0, "any".to_string())
}

pub(crate) fn line_of(text: &str, offset: usize) -> u32 {
    let upto = text.get(..offset.min(text.len())).unwrap_or(text);
    u32::try_from(upto.matches('\n').count() + 1).unwrap_or(u32::MAX)
}

fn err(text: &str, span: std::ops::Range<usize>, field: &str, message: String) -> NetcheckError {
    NetcheckError::Segments {
        line: line_of(text, span.start),
        field: field.to_string(),
        message,
    }
}

/// Parses a set of networks; `what` names the field in errors.
fn nets(
    text: &str,
    items: &[Spanned<String>],
    field: &str,
) -> Result<[IntervalSet; 2], NetcheckError> {
    let mut out = [IntervalSet::empty(), IntervalSet::empty()];
    for it in items {
        let (f, s) = parse_net(it.get_ref()).map_err(|m| err(text, it.span(), field, m))?;
        out[f.index()] = out[f.index()].union(&s);
    }
    Ok(out)
}

/// How a flow's `destination` names an external service of the city's
/// register instead of an address range: `destination = "service:<name>"`.
pub const SERVICE_PREFIX: &str = "service:";

/// A flow's destination that names an external service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceRef {
    /// The service's name as written after `service:` (trimmed).
    pub name: String,
    /// The line of the `destination` key.
    pub line: u32,
}

/// The service named by a destination, if it names one.
pub fn service_name(destination: &str) -> Option<&str> {
    destination
        .trim()
        .strip_prefix(SERVICE_PREFIX)
        .map(str::trim)
}

/// The address ranges each named service is reached at (CIDR, v4 or v6),
/// resolved by the caller before the file is parsed.
pub type ServiceRanges = std::collections::BTreeMap<String, Vec<String>>;

fn raw_file(text: &str) -> Result<RawFile, NetcheckError> {
    toml::from_str(text).map_err(|e| NetcheckError::Segments {
        line: e.span().map(|s| line_of(text, s.start)).unwrap_or(0),
        field: String::new(),
        message: e.message().to_string(),
    })
}

/// The external services the flows of a segments file name as destinations
/// (`destination = "service:<name>"`), in the order they appear, each with
/// its line. The caller resolves them (e.g. against a register) and passes
/// their ranges to [`parse_segments_with`].
pub fn service_refs(text: &str) -> Result<Vec<ServiceRef>, NetcheckError> {
    let raw = raw_file(text)?;
    Ok(raw
        .flow
        .iter()
        .filter_map(|fl| {
            let d = fl.get_ref().destination.as_ref()?;
            let name = service_name(d.get_ref())?;
            Some(ServiceRef {
                name: name.to_string(),
                line: line_of(text, d.span().start),
            })
        })
        .collect())
}

/// Parses and validates a segments file. Errors name the line and field.
/// A flow naming a service (`service:<name>`) is refused: use
/// [`parse_segments_with`] and the service's ranges.
pub fn parse_segments(text: &str) -> Result<SegmentsFile, NetcheckError> {
    parse_segments_with(text, &ServiceRanges::new())
}

/// Parses and validates a segments file whose flows may name external
/// services as destinations, each resolved to its address ranges in
/// `services`. A service missing from `services`, or with no ranges, is an
/// error naming its line.
pub fn parse_segments_with(
    text: &str,
    services: &ServiceRanges,
) -> Result<SegmentsFile, NetcheckError> {
    let raw = raw_file(text)?;
    if raw.model.get_ref().trim().is_empty() {
        return Err(err(
            text,
            raw.model.span(),
            "model",
            "empty model name".into(),
        ));
    }
    if raw.segment.is_empty() {
        return Err(NetcheckError::Segments {
            line: 0,
            field: "segment".into(),
            message: "no [[segment]] entries".into(),
        });
    }
    let mut segments: Vec<Segment> = Vec::new();
    // Every range with its family, set and owner, for the carving below.
    let mut all_ranges: Vec<(usize, Family, IntervalSet, std::ops::Range<usize>)> = Vec::new();
    for s in &raw.segment {
        let line = line_of(text, s.span().start);
        let r = s.get_ref();
        let name = r.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(err(
                text,
                r.name.span(),
                "segment.name",
                "empty name".into(),
            ));
        }
        if segments.iter().any(|x| x.name == name) {
            return Err(err(
                text,
                r.name.span(),
                "segment.name",
                format!("segment {name:?} is defined twice"),
            ));
        }
        let role = r.role.get_ref().trim().to_string();
        if role.is_empty() {
            return Err(err(
                text,
                r.role.span(),
                "segment.role",
                "empty role".into(),
            ));
        }
        if r.ranges.is_empty() {
            return Err(err(
                text,
                s.span(),
                "segment.ranges",
                format!("segment {name:?} has no address ranges"),
            ));
        }
        let idx = segments.len();
        for rg in &r.ranges {
            let (f, set) =
                parse_net(rg.get_ref()).map_err(|m| err(text, rg.span(), "segment.ranges", m))?;
            all_ranges.push((idx, f, set, rg.span()));
        }
        segments.push(Segment {
            name,
            role,
            ranges: r.ranges.iter().map(|x| x.get_ref().clone()).collect(),
            interfaces: r.interfaces.clone(),
            line,
            addrs: [IntervalSet::empty(), IntervalSet::empty()],
        });
    }
    // An address belongs to the segment with the most specific range that
    // holds it, so that `internet = ["0.0.0.0/0"]` works beside the others.
    for (i, (owner, f, set, span)) in all_ranges.iter().enumerate() {
        let mut mine = set.clone();
        for (j, (o2, f2, s2, _)) in all_ranges.iter().enumerate() {
            if i == j || f != f2 || owner == o2 || !set.intersects(s2) {
                continue;
            }
            if s2 == set {
                return Err(err(
                    text,
                    span.clone(),
                    "segment.ranges",
                    format!(
                        "range {} is claimed by segments {:?} and {:?}",
                        segments[*owner].ranges.first().cloned().unwrap_or_default(),
                        segments[*owner].name,
                        segments[*o2].name
                    ),
                ));
            }
            if set.covers(s2) {
                mine = mine.difference(s2);
            } else if !s2.covers(set) {
                return Err(err(
                    text,
                    span.clone(),
                    "segment.ranges",
                    format!(
                        "ranges of segments {:?} and {:?} overlap without one holding the other",
                        segments[*owner].name, segments[*o2].name
                    ),
                ));
            }
        }
        // Ranges of the same segment nested inside a carved range come back
        // through their own entry.
        let seg = &mut segments[*owner];
        seg.addrs[f.index()] = seg.addrs[f.index()].union(&mine);
    }
    // Ranges of the same owner inside another owner's range inside ours:
    // the inner one was carved out by the middle one and re-added above.

    let mut relays = Vec::new();
    for r in &raw.relay {
        let x = r.get_ref();
        if x.kind.get_ref().trim().is_empty() {
            return Err(err(text, x.kind.span(), "relay.kind", "empty kind".into()));
        }
        if x.addresses.is_empty() {
            return Err(err(
                text,
                r.span(),
                "relay.addresses",
                "no addresses".into(),
            ));
        }
        relays.push(Relay {
            name: x.name.get_ref().clone(),
            kind: x.kind.get_ref().trim().to_string(),
            addresses: x.addresses.iter().map(|a| a.get_ref().clone()).collect(),
            line: line_of(text, r.span().start),
            addrs: nets(text, &x.addresses, "relay.addresses")?,
        });
    }

    let mut file = SegmentsFile {
        model: raw.model.get_ref().trim().to_string(),
        segments,
        relays,
        flows: Vec::new(),
    };
    let mut flows = Vec::new();
    for fl in &raw.flow {
        let x = fl.get_ref();
        let from_idx = file.resolve(x.from.get_ref());
        if from_idx.is_empty() {
            return Err(err(
                text,
                x.from.span(),
                "flow.from",
                format!("no segment or role named {:?}", x.from.get_ref()),
            ));
        }
        let to_idx = file.resolve(x.to.get_ref());
        if to_idx.is_empty() {
            return Err(err(
                text,
                x.to.span(),
                "flow.to",
                format!("no segment or role named {:?}", x.to.get_ref()),
            ));
        }
        let proto_s = x.protocol.get_ref().trim();
        let proto = if proto_s.eq_ignore_ascii_case("any") || proto_s.eq_ignore_ascii_case("all") {
            IntervalSet::range(0, 255)
        } else {
            let p = proto_number(proto_s).ok_or_else(|| {
                err(
                    text,
                    x.protocol.span(),
                    "flow.protocol",
                    format!("unknown protocol {proto_s:?}"),
                )
            })?;
            IntervalSet::single(u128::from(p))
        };
        let ports = match &x.ports {
            Some(p) => {
                parse_ports(p.get_ref()).map_err(|m| err(text, p.span(), "flow.ports", m))?
            }
            None => IntervalSet::range(0, 65535),
        };
        let src = match &x.source {
            Some(s) => Some(nets(text, std::slice::from_ref(s), "flow.source")?),
            None => None,
        };
        let dst = match &x.destination {
            Some(s) => match service_name(s.get_ref()) {
                Some(name) => {
                    let ranges = services
                        .get(name)
                        .filter(|r| !r.is_empty())
                        .ok_or_else(|| {
                            err(
                                text,
                                s.span(),
                                "flow.destination",
                                format!("service {name:?} has no address ranges resolved"),
                            )
                        })?;
                    let items: Vec<Spanned<String>> = ranges
                        .iter()
                        .map(|r| Spanned::new(s.span(), r.clone()))
                        .collect();
                    Some(nets(text, &items, "flow.destination")?)
                }
                None => Some(nets(text, std::slice::from_ref(s), "flow.destination")?),
            },
            None => None,
        };
        let mut boxes: [Option<PBox>; 2] = [None, None];
        for f in Family::ALL {
            let mut b = PBox::universe(f);
            if let Some(s) = &src {
                b.dims[SRC] = s[f.index()].clone();
            }
            if let Some(d) = &dst {
                b.dims[DST] = d[f.index()].clone();
            }
            b.dims[PROTO] = proto.clone();
            b.dims[DPORT] = ports.clone();
            if !b.is_empty() {
                boxes[f.index()] = Some(b);
            }
        }
        flows.push(Flow {
            from: x.from.get_ref().clone(),
            to: x.to.get_ref().clone(),
            source: x.source.as_ref().map(|s| s.get_ref().clone()),
            destination: x.destination.as_ref().map(|s| s.get_ref().clone()),
            protocol: proto_s.to_string(),
            ports: x.ports.as_ref().map(|s| s.get_ref().clone()),
            purpose: x.purpose.clone(),
            line: line_of(text, fl.span().start),
            from_idx,
            to_idx,
            boxes,
        });
    }
    file.flows = flows;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
model = "alpha"
[[segment]]
name = "mynumber"
role = "mynumber"
ranges = ["10.10.0.0/16"]
interfaces = ["port3"]
[[segment]]
name = "internet"
role = "internet"
ranges = ["0.0.0.0/0"]
[[relay]]
name = "sanitizer-1"
kind = "sanitizer"
addresses = ["10.20.5.10/32"]
[[flow]]
from = "mynumber"
to = "internet"
destination = "10.20.1.5/32"
protocol = "tcp"
ports = "443"
purpose = "中間サーバーへの連携"
"#;

    #[test]
    fn parses_and_carves() {
        let f = parse_segments(EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.model_ref(), ModelRef::Builtin("alpha".into()));
        let inet = &f.segments[1];
        assert!(!inet.addrs(Family::Ipv4).contains(0x0a0a_0001));
        assert!(inet.addrs(Family::Ipv4).contains(0x0a14_0001));
        assert_eq!(f.flows[0].line, 16, "the [[flow]] header");
    }

    #[test]
    fn errors_name_line_and_field() {
        let bad = EXAMPLE.replace("10.10.0.0/16", "10.10.0.0/33");
        match parse_segments(&bad) {
            Err(NetcheckError::Segments { line, field, .. }) => {
                assert_eq!(line, 6);
                assert_eq!(field, "segment.ranges");
            }
            other => panic!("unexpected {other:?}"),
        }
        let dup = EXAMPLE.replace("0.0.0.0/0", "10.10.0.0/16");
        assert!(parse_segments(&dup).is_err());
    }

    #[test]
    fn service_destinations_are_resolved_by_the_caller() {
        let text = EXAMPLE.replace("\"10.20.1.5/32\"", "\"service: クラウドA\"");
        let refs = service_refs(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            refs,
            vec![ServiceRef {
                name: "クラウドA".into(),
                line: 19
            }]
        );
        match parse_segments(&text) {
            Err(NetcheckError::Segments { line, field, .. }) => {
                assert_eq!((line, field.as_str()), (19, "flow.destination"));
            }
            other => panic!("unexpected {other:?}"),
        }
        let mut map = ServiceRanges::new();
        map.insert(
            "クラウドA".into(),
            vec!["203.0.113.0/24".into(), "2001:db8::/32".into()],
        );
        let f = parse_segments_with(&text, &map).unwrap_or_else(|e| panic!("{e}"));
        let b4 = f.flows[0].boxes[0].as_ref().map(|b| b.dims[DST].clone());
        assert!(b4.is_some_and(|d| d.contains(0xcb00_7101)));
        assert!(f.flows[0].boxes[1].is_some(), "the v6 range gives a v6 box");
        assert_eq!(
            f.flows[0].destination.as_deref(),
            Some("service: クラウドA")
        );
    }
}
