//! Mamori netcheck: firewall configuration parsers, exact packet-set algebra
//! and segment-model verdicts (基本方針 第2(14), 第8(3) 強靱性の向上).
//!
//! Pure: no file or network I/O, no async. The caller reads the files and
//! hands their text in. A large check runs on the machine's cores (scoped
//! threads, results joined in input order: the report does not depend on
//! the number of threads); `MAMORI_NETCHECK_THREADS` limits them.
//!
//! * [`parse_segments`] reads the segments file (segments, relays, specific
//!   flows); [`builtin_model`] / [`parse_model`] give the segment model.
//! * [`check`] parses each configuration ([`ConfigFormat`]: `iptables-save`,
//!   `nft -j list ruleset`, FortiOS), computes exactly which packets it
//!   forwards between every ordered pair of segments, and compares them with
//!   the model.
//!
//! Decisions worth knowing:
//! * Only forwarded traffic is judged: the iptables `FORWARD` chain, nftables
//!   base chains on the `forward` hook, FortiOS firewall policies.
//! * Connection tracking: a rule that matches only `ESTABLISHED`, `RELATED`
//!   (or `INVALID`, `UNTRACKED`) packets lets return traffic through and opens
//!   no new flow, so it is left out; a rule whose states include `NEW` is
//!   taken without the state condition. The matrix is therefore the set of
//!   flows that can be *started*.
//! * Interfaces (`-i`/`-o`, `iifname`/`oifname`, FortiOS `srcintf`/`dstintf`)
//!   stand for the addresses of the segments that list them under
//!   `interfaces`: traffic of a segment is assumed to arrive and leave only
//!   through its interfaces. An interface match when some segment lists no
//!   interfaces cannot be resolved and is reported as unsupported.
//! * Anything the parsers cannot model exactly is reported with its line and
//!   over-approximated: a rule that might accept is taken as accepting every
//!   packet its understood conditions allow, a rule that cannot accept is
//!   left out; the pairs of segments it touches carry a warning and the
//!   report is marked incomplete. An unmodelled construct never makes the
//!   verdict cleaner than the device.

pub mod addr;
mod asa;
mod budget;
mod check;
mod decide;
mod fortios;
mod iptables;
mod ir;
pub mod model;
mod nftables;
mod panos;
mod par;
mod reason;
pub mod report;
pub mod segments;
pub mod space;

pub use budget::Limits;
pub use model::{
    PairPolicy, PairRule, Role, SegmentModel, builtin_model, builtin_model_names, parse_model,
};
pub use report::{
    BlockedFlow, CellStatus, Device, Finding, MatrixCell, PacketRange, Report, RuleRef,
    Unsupported, Violation,
};
pub use segments::{
    Flow, ModelRef, Relay, SERVICE_PREFIX, Segment, SegmentsFile, ServiceRanges, ServiceRef,
    parse_segments, parse_segments_with, service_name, service_refs,
};
pub use space::{Family, PacketSet};

use serde::{Deserialize, Serialize};

/// Errors with stable codes (`NC1xx`) that a help desk can look up.
#[derive(Debug, thiserror::Error)]
pub enum NetcheckError {
    /// NC101: the segments file is wrong.
    #[error("NC101 segments file, line {line}{}: {message}", if field.is_empty() { String::new() } else { format!(", field {field}") })]
    Segments {
        line: u32,
        field: String,
        message: String,
    },
    /// NC102: a model file is wrong.
    #[error("NC102 model {name:?}, line {line}{}: {message}", if field.is_empty() { String::new() } else { format!(", field {field}") })]
    Model {
        name: String,
        line: u32,
        field: String,
        message: String,
    },
    /// NC103: a configuration cannot be read at all.
    #[error("NC103 {file}, line {line}: {message}")]
    Config {
        file: String,
        line: u32,
        message: String,
    },
    /// NC104: segments and model do not fit together.
    #[error("NC104 {message}")]
    Check { message: String },
    /// NC105: the check went over its budget of work or time ([`Limits`]).
    #[error("NC105 {message} / {message_en}")]
    Budget { message: String, message_en: String },
}

/// Formats the checker reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigFormat {
    /// `iptables-save` / `ip6tables-save` output (also the `-P`/`-N`/`-A`
    /// command form without table markers).
    Iptables,
    /// `nft -j list ruleset`.
    NftablesJson,
    /// FortiOS configuration (`show full-configuration` or a backup).
    FortiOs,
    /// Cisco ASA `show running-config` (8.3 and later).
    CiscoAsa,
    /// Palo Alto PAN-OS running configuration: the XML file or the `set`
    /// commands (`show config running` in set format).
    PanOs,
}

/// Guesses the format of a configuration.
pub fn detect_format(text: &str) -> Option<ConfigFormat> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') && t.contains("\"nftables\"") {
        return Some(ConfigFormat::NftablesJson);
    }
    if t.starts_with('<') {
        return panos::looks_like_xml(t).then_some(ConfigFormat::PanOs);
    }
    if panos::looks_like_set(t) {
        return Some(ConfigFormat::PanOs);
    }
    if asa::looks_like(t) {
        return Some(ConfigFormat::CiscoAsa);
    }
    let mut ipt = false;
    for line in t.lines().map(str::trim) {
        if line.starts_with("config firewall ") || line.starts_with("config system ") {
            return Some(ConfigFormat::FortiOs);
        }
        if line == "*filter"
            || line.starts_with("-A ")
            || line.starts_with("-P ")
            || line.starts_with(":FORWARD ")
        {
            ipt = true;
        }
    }
    ipt.then_some(ConfigFormat::Iptables)
}

/// One configuration to check: the device's file name (for reports), its
/// text, and its format (None: detect).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ConfigInput {
    pub file: String,
    pub text: String,
    pub format: Option<ConfigFormat>,
}

pub(crate) fn parse_config(
    input: &ConfigInput,
    segs: &SegmentsFile,
    budget: &budget::Budget,
) -> Result<(ConfigFormat, ir::IrConfig), NetcheckError> {
    let format = match input.format.or_else(|| detect_format(&input.text)) {
        Some(f) => f,
        None => {
            return Err(NetcheckError::Config {
                file: input.file.clone(),
                line: 0,
                message: "設定ファイルとして読めません (iptables-save, nft -j, FortiOS, Cisco ASA, PAN-OS のいずれでもありません) / not an iptables-save, nft -j, FortiOS, Cisco ASA or PAN-OS configuration".into(),
            });
        }
    };
    let ifaces = ir::IfaceMap::new(segs);
    let cfg = match format {
        ConfigFormat::Iptables => iptables::parse(&input.file, &input.text, &ifaces)?,
        ConfigFormat::NftablesJson => nftables::parse(&input.file, &input.text, &ifaces)?,
        ConfigFormat::FortiOs => fortios::parse(&input.file, &input.text, &ifaces, budget)?,
        ConfigFormat::CiscoAsa => asa::parse(&input.file, &input.text, &ifaces, budget)?,
        ConfigFormat::PanOs => panos::parse(&input.file, &input.text, &ifaces, budget)?,
    };
    Ok((format, cfg))
}

/// Checks configurations against a model. Each configuration is one device
/// that sits between the segments; each is judged on its own.
pub fn check(
    segments: &SegmentsFile,
    model: &SegmentModel,
    configs: &[ConfigInput],
) -> Result<Report, NetcheckError> {
    check_with(segments, model, configs, &Limits::default())
}

/// [`check`] under explicit limits of work and time: a check that goes
/// over them ends with [`NetcheckError::Budget`] (NC105).
pub fn check_with(
    segments: &SegmentsFile,
    model: &SegmentModel,
    configs: &[ConfigInput],
    limits: &Limits,
) -> Result<Report, NetcheckError> {
    let bytes = configs.iter().map(|c| c.text.len()).sum();
    let budget = budget::Budget::new(limits, bytes);
    check::check_all(segments, model, configs, &budget)
}

/// The exact packets one configuration forwards from segment to segment, for
/// comparing configurations with each other: `(from, to, packets)` for every
/// ordered pair of distinct segments.
pub fn permitted_matrix(
    segments: &SegmentsFile,
    config: &ConfigInput,
) -> Result<Vec<(String, String, PacketSet)>, NetcheckError> {
    let budget = budget::Budget::new(&Limits::default(), config.text.len());
    let (_, mut cfg) = parse_config(config, segments, &budget)?;
    let an = check::analyse(&mut cfg, segments, &config.file, &budget)?;
    Ok(an
        .pairs
        .iter()
        .map(|((a, b), pp)| {
            (
                segments.segments[*a].name.clone(),
                segments.segments[*b].name.clone(),
                pp.set(),
            )
        })
        .collect())
}
