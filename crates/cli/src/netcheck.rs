//! `mamori netcheck`: checks firewall configurations against a segment model.
//!
//! Exit codes: 0 clean, 1 violations (or My Number "any" findings), 2 input
//! that cannot be read. An incomplete verdict (constructs the checker cannot
//! model) without violations exits 0 and prints a warning on stderr and in
//! the report: incompleteness is not a violation, but it is never silent.

use mamori_netcheck::{
    ConfigInput, ModelRef, SegmentModel, builtin_model, builtin_model_names, check, parse_model,
    parse_segments,
};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct NetcheckArgs {
    /// The segments file (TOML): segments, relays, specific flows.
    #[arg(long)]
    segments: PathBuf,
    /// Model: alpha, alpha-prime, beta, beta-prime, or a model file path
    /// (relative to the segments file). Overrides the segments file.
    #[arg(long)]
    model: Option<String>,
    /// Output: text or json.
    #[arg(long, default_value = "text")]
    format: String,
    /// Configurations: iptables-save output, `nft -j list ruleset`, FortiOS.
    #[arg(required = true, num_args = 1..)]
    configs: Vec<PathBuf>,
}

fn read(path: &Path, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read {what}: {e}", path.display()))
}

fn resolve_model(name: &str, base: &Path) -> Result<SegmentModel, String> {
    match mamori_netcheck::segments::model_ref_str(name) {
        ModelRef::Builtin(n) => match builtin_model(&n) {
            Some(m) => m.map_err(|e| format!("built-in model {n}: {e}")),
            None => Err(format!(
                "unknown model {n:?} (built-in: {}; or give a model file path)",
                builtin_model_names().join(", ")
            )),
        },
        ModelRef::File(p) => {
            let path = base.join(p);
            let text = read(&path, "model file")?;
            parse_model(&text).map_err(|e| format!("{}: {e}", path.display()))
        }
    }
}

fn prepare(
    args: &NetcheckArgs,
) -> Result<
    (
        mamori_netcheck::SegmentsFile,
        SegmentModel,
        Vec<ConfigInput>,
    ),
    String,
> {
    if args.format != "text" && args.format != "json" {
        return Err(format!(
            "--format must be text or json, not {:?}",
            args.format
        ));
    }
    let seg_text = read(&args.segments, "segments file")?;
    let segs =
        parse_segments(&seg_text).map_err(|e| format!("{}: {e}", args.segments.display()))?;
    let base = args.segments.parent().unwrap_or(Path::new("."));
    let model_name = args.model.clone().unwrap_or_else(|| segs.model.clone());
    let model = resolve_model(&model_name, base)?;
    let mut configs = Vec::new();
    for p in &args.configs {
        configs.push(ConfigInput {
            file: p.display().to_string(),
            text: read(p, "configuration")?,
            format: None,
        });
    }
    Ok((segs, model, configs))
}

/// Runs the command and returns the exit code.
pub fn run(args: &NetcheckArgs) -> i32 {
    let (segs, model, configs) = match prepare(args) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("mamori netcheck: {e}");
            return 2;
        }
    };
    let report = match check(&segs, &model, &configs) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mamori netcheck: {e}");
            return 2;
        }
    };
    if args.format == "json" {
        println!("{}", report.render_json());
    } else {
        print!("{}", report.render_text());
    }
    if !report.complete {
        eprintln!(
            "mamori netcheck: warning: incomplete verdict, {} construct(s) not modelled (see the report)",
            report.unsupported.len()
        );
    }
    if report.is_clean() { 0 } else { 1 }
}
