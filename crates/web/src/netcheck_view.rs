//! Running a firewall check for the page and the API, and turning a stored report
//! into lines to show.

use mamori_netcheck::{
    ConfigInput, ModelRef, Report, SegmentModel, ServiceRanges, builtin_model, parse_model,
    parse_segments_with,
};
use mamori_store::assets::{NewSegment, Segment, SegmentSync};
use serde_json::Value;

use crate::error::AppError;
pub use crate::netcheck_report::{Partial, Want, read_blocking, window};

/// The segments file shown when the city has none and no segments are on
/// record: the three segments of the policy.
pub const EXAMPLE_SEGMENTS: &str = include_str!("../templates/netcheck_example.toml");

/// What a check needs.
pub struct CheckInput {
    pub segments_toml: String,
    /// A built-in model name overriding the segments file's, if any.
    pub model: Option<String>,
    /// A city's own model (TOML), if any: overrides both.
    pub model_toml: Option<String>,
    pub configs: Vec<ConfigInput>,
    /// The address ranges of the external services the file names, resolved
    /// against the register by the app (`NetcheckScope::resolve_services`).
    pub services: ServiceRanges,
}

fn unprocessable(message: String) -> AppError {
    AppError::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "MAMORI-NETCHECK-INPUT",
        message,
    )
}

/// Parses the inputs and runs the checker (on a blocking thread: a large ruleset
/// takes CPU). Errors name the file and line.
pub async fn run_check(input: CheckInput) -> Result<(Report, String), AppError> {
    tokio::task::spawn_blocking(move || {
        let segments = parse_segments_with(&input.segments_toml, &input.services).map_err(|e| unprocessable(format!("区分定義 / segments: {e}")))?;
        let model: SegmentModel = match (&input.model_toml, &input.model) {
            (Some(text), _) if !text.trim().is_empty() => {
                parse_model(text).map_err(|e| unprocessable(format!("モデル / model: {e}")))?
            }
            (_, Some(name)) if !name.is_empty() => builtin_model(name)
                .ok_or_else(|| unprocessable(format!("モデル '{name}' はありません / no built-in model '{name}'")))?
                .map_err(|e| unprocessable(e.to_string()))?,
            _ => match segments.model_ref() {
                ModelRef::Builtin(name) => builtin_model(&name)
                    .ok_or_else(|| unprocessable(format!("モデル '{name}' はありません / no built-in model '{name}'")))?
                    .map_err(|e| unprocessable(e.to_string()))?,
                ModelRef::File(path) => {
                    return Err(unprocessable(format!(
                        "区分定義がモデルファイル {path} を指しています。モデルの内容を貼り付けてください / the segments file names the model file {path}: paste the model's text"
                    )));
                }
            },
        };
        if input.configs.is_empty() {
            return Err(unprocessable("設定ファイルがありません / no configuration was given".into()));
        }
        let report = mamori_netcheck::check(&segments, &model, &input.configs).map_err(|e| unprocessable(e.to_string()))?;
        let name = report.model.clone();
        Ok((report, name))
    })
    .await
    .map_err(|e| AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "MAMORI-INTERNAL", e.to_string()))?
}

/// One packet range in words (as the CLI prints it).
fn packet(v: &Value) -> String {
    let list = |k: &str| {
        v[k].as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default()
    };
    let mut s = format!(
        "{} {} → {} proto {}",
        v["family"].as_str().unwrap_or(""),
        list("src"),
        list("dst"),
        v["protocol"].as_str().unwrap_or("")
    );
    for (k, label) in [("src_ports", "sport"), ("dst_ports", "dport")] {
        if let Some(p) = v[k].as_str().filter(|p| *p != "any") {
            s.push_str(&format!(" {label} {p}"));
        }
    }
    if let Some(i) = v["icmp"].as_str() {
        s.push_str(&format!(" {i}"));
    }
    s
}

fn packets(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(packet).collect())
        .unwrap_or_default()
}

fn rule(v: &Value) -> String {
    format!(
        "{}:{}  {}",
        v["file"].as_str().unwrap_or(""),
        v["line"],
        v["text"].as_str().unwrap_or("")
    )
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub struct CellLine {
    pub file: String,
    pub from: String,
    pub to: String,
    pub policy: String,
    pub status: String,
    pub bad: bool,
    pub permitted: Vec<String>,
    /// Rules the checker could not model exactly, counted as possibly
    /// permitting traffic on this pair (file:line, the rule, why).
    pub assumed: Vec<UnsupportedLine>,
}

pub struct ViolationLine {
    pub file: String,
    pub from: String,
    pub to: String,
    pub policy: String,
    pub packets: Vec<String>,
    pub rules: Vec<String>,
}

pub struct ReportView {
    pub model: String,
    pub complete: bool,
    pub cells: Vec<CellLine>,
    /// One page of the violations, and how many there are.
    pub violations: Vec<ViolationLine>,
    pub violations_total: usize,
    pub blocked: Vec<String>,
    pub findings: Vec<String>,
    /// One page of the never-matching rules, and how many there are.
    pub shadowed: Vec<String>,
    pub shadowed_total: usize,
    pub unsupported: Vec<UnsupportedLine>,
    pub notes: Vec<String>,
    /// Warnings with their lines (host bits set in a range, …).
    pub warnings: Vec<String>,
    /// Items of the shorter lists (blocked flows, findings, unsupported,
    /// notes) left out of the page: the JSON report has them all.
    pub more: usize,
}

/// One page of a stored report (read with the slices of violations and
/// never-matching rules the page shows, the first items of the other lists)
/// as lines for the page.
pub fn view(r: Partial) -> ReportView {
    let more = [
        &r.blocked_flows,
        &r.findings,
        &r.unsupported,
        &r.notes,
        &r.warnings,
    ]
    .iter()
    .map(|s| s.total - s.items.len())
    .sum();
    ReportView {
        model: r.model,
        complete: r.complete,
        cells: r
            .matrix
            .iter()
            .map(|c| CellLine {
                file: text(&c["file"]),
                from: format!("{} ({})", text(&c["from"]), text(&c["from_role"])),
                to: format!("{} ({})", text(&c["to"]), text(&c["to_role"])),
                policy: text(&c["policy"]),
                status: text(&c["status"]),
                bad: c["status"] == "violation",
                permitted: packets(&c["permitted"]),
                assumed: c["warnings"]
                    .as_array()
                    .map(|a| a.iter().map(unsupported_line).collect())
                    .unwrap_or_default(),
            })
            .collect(),
        violations: r
            .violations
            .items
            .iter()
            .map(|v| ViolationLine {
                file: text(&v["file"]),
                from: format!("{} ({})", text(&v["from"]), text(&v["from_role"])),
                to: format!("{} ({})", text(&v["to"]), text(&v["to_role"])),
                policy: text(&v["policy"]),
                packets: packets(&v["packets"]),
                rules: v["rules"]
                    .as_array()
                    .map(|a| a.iter().map(rule).collect())
                    .unwrap_or_default(),
            })
            .collect(),
        violations_total: r.violations.total,
        blocked: r
            .blocked_flows
            .items
            .iter()
            .map(|b| {
                format!(
                    "{}: {} → {} ({}): {}",
                    text(&b["file"]),
                    text(&b["from"]),
                    text(&b["to"]),
                    text(&b["purpose"]),
                    packets(&b["blocked"]).join("; ")
                )
            })
            .collect(),
        findings: r
            .findings
            .items
            .iter()
            .map(|f| format!("{} — {}", text(&f["message"]), rule(&f["rule"])))
            .collect(),
        shadowed: r.shadowed.items.iter().map(rule).collect(),
        shadowed_total: r.shadowed.total,
        unsupported: r.unsupported.items.iter().map(unsupported_line).collect(),
        notes: r.notes.items.iter().map(text).collect(),
        warnings: r
            .warnings
            .items
            .iter()
            .map(|w| {
                format!(
                    "{}:{}  {} — {} / {}",
                    text(&w["file"]),
                    w["line"],
                    text(&w["text"]),
                    text(&w["message"]),
                    text(&w["message_en"])
                )
            })
            .collect(),
        more,
    }
}

/// A construct the checker could not model: where, what, and why in each
/// language (the page shows the reader's: `chrome.t.pick(u.ja, u.en)`).
pub struct UnsupportedLine {
    pub ja: String,
    pub en: String,
}

/// Reports stored before the checker gave its reasons in Japanese have only
/// the English `reason`: the Japanese line then shows that.
fn unsupported_line(u: &Value) -> UnsupportedLine {
    let head = format!("{}:{}  {}", text(&u["file"]), u["line"], text(&u["text"]));
    let en = text(&u["reason"]);
    let ja = match u["reason_ja"].as_str() {
        Some(ja) if !ja.is_empty() => ja.to_string(),
        _ => en.clone(),
    };
    UnsupportedLine {
        ja: format!("{head} — {ja}"),
        en: format!("{head} — {en}"),
    }
}

/// Keeps the segments file of a successful check as the city's current one,
/// and brings the record of segments (which assets and systems refer to) in
/// line with the segments it declares.
pub async fn remember_segments(
    state: &crate::state::AppState,
    user: &mamori_app::Caller,
    segments_toml: &str,
) -> Result<SegmentSync, AppError> {
    // Refused before the file is read.
    let scope = state.app.netcheck_scope(user)?;
    let services = scope.resolve_services(segments_toml).await?;
    let declared = declared_segments(segments_toml, &services.ranges)?;
    Ok(scope.save_segments_file(segments_toml, &declared).await?)
}

/// The segments a segments file declares, as the record keeps them.
pub fn declared_segments(
    segments_toml: &str,
    services: &ServiceRanges,
) -> Result<Vec<NewSegment>, AppError> {
    let file = parse_segments_with(segments_toml, services)
        .map_err(|e| unprocessable(format!("区分定義 / segments: {e}")))?;
    Ok(file
        .segments
        .iter()
        .map(|s| NewSegment {
            name: s.name.clone(),
            name_en: String::new(),
            role: s.role.clone(),
            ranges: s.ranges.join("\n"),
            description: String::new(),
            interfaces: s.interfaces.join("\n"),
        })
        .collect())
}

/// The city's segments file: the one last saved, or else one written from the
/// record of segments (with the α model and no relays or flows yet); `None`
/// when there is neither.
pub async fn city_segments_file(
    state: &crate::state::AppState,
    user: &mamori_app::Caller,
) -> Result<Option<String>, AppError> {
    let source = state.app.segments_source(user).await?;
    if let Some(saved) = source.saved {
        return Ok(Some(saved));
    }
    Ok((!source.record.is_empty()).then(|| segments_file_of(&source.record)))
}

/// The segments file to show on the page: the city's, or the example.
pub async fn current_segments_file(
    state: &crate::state::AppState,
    user: &mamori_app::Caller,
) -> Result<String, AppError> {
    Ok(city_segments_file(state, user)
        .await?
        .unwrap_or_else(|| EXAMPLE_SEGMENTS.to_string()))
}

/// A segments file declaring the recorded segments.
pub fn segments_file_of(record: &[Segment]) -> String {
    let lines = |text: &str| -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    };
    let quoted = |items: Vec<String>| {
        let items: Vec<String> = items.iter().map(|i| toml_string(i)).collect();
        format!("[{}]", items.join(", "))
    };
    let mut out = String::from(
        "# 区分の記録から作成 / written from the record of segments. Add relays and flows as needed.\nmodel = \"alpha\"\n",
    );
    for s in record {
        out.push_str(&format!(
            "\n[[segment]]\nname = {}\nrole = {}\nranges = {}\n",
            toml_string(&s.name),
            toml_string(&s.role),
            quoted(lines(&s.ranges))
        ));
        let interfaces = lines(&s.interfaces);
        if !interfaces.is_empty() {
            out.push_str(&format!("interfaces = {}\n", quoted(interfaces)));
        }
    }
    out
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// What saving a segments file changed, in a sentence.
pub fn sync_message(sync: &SegmentSync, lang: crate::i18n::Lang) -> String {
    let list = |names: &[String]| {
        if names.is_empty() {
            "—".to_string()
        } else {
            names.join(", ")
        }
    };
    let mut text = match lang {
        crate::i18n::Lang::Ja => format!(
            "区分定義を保存しました。追加: {} / 変更: {}",
            list(&sync.created),
            list(&sync.updated)
        ),
        crate::i18n::Lang::En => format!(
            "Segments file saved. Added: {}; changed: {}",
            list(&sync.created),
            list(&sync.updated)
        ),
    };
    if !sync.not_in_file.is_empty() {
        text.push_str(&match lang {
            crate::i18n::Lang::Ja => format!(
                "。定義にない区分（記録に残しています）: {}",
                list(&sync.not_in_file)
            ),
            crate::i18n::Lang::En => format!(
                ". On record but not in the file (kept): {}",
                list(&sync.not_in_file)
            ),
        });
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsupported_line_has_each_language_and_old_reports_fall_back() {
        let u = serde_json::json!({"file": "a.rules", "line": 3, "text": "-Z", "reason": "unknown command \"-Z\"", "reason_ja": "未対応のコマンドです (\"-Z\")"});
        let l = unsupported_line(&u);
        assert_eq!(l.ja, "a.rules:3  -Z — 未対応のコマンドです (\"-Z\")");
        assert_eq!(l.en, "a.rules:3  -Z — unknown command \"-Z\"");
        // Stored before the Japanese reason existed: the English one shows.
        let old = serde_json::json!({"file": "a.rules", "line": 3, "text": "-Z", "reason": "unknown command \"-Z\""});
        let l = unsupported_line(&old);
        assert_eq!(l.ja, l.en);
        assert_eq!(l.ja, "a.rules:3  -Z — unknown command \"-Z\"");
    }
}
