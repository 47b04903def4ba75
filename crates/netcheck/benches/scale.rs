//! Scale benchmark: `cargo bench -p mamori-netcheck --bench scale`.
//!
//! Builds rule sets of 100,000 rules between three segments and times the
//! whole `check` (parsing included). Not a test: it only prints figures,
//! which go into BENCHMARKS.md.

use mamori_netcheck::{ConfigInput, builtin_model, check, parse_segments};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const SEGMENTS: &str = r#"
model = "alpha"
[[segment]]
name = "mynumber"
role = "mynumber"
ranges = ["10.10.0.0/16"]
[[segment]]
name = "lgwan"
role = "lgwan"
ranges = ["10.20.0.0/16"]
[[segment]]
name = "internet"
role = "internet"
ranges = ["0.0.0.0/0"]
[[relay]]
name = "st"
kind = "screen-transfer"
addresses = ["10.30.5.20/32"]
[[flow]]
from = "mynumber"
to = "lgwan"
destination = "10.20.1.5/32"
protocol = "tcp"
ports = "443"
"#;

/// A deterministic pseudo-random sequence (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn host(rng: &mut Rng) -> String {
    let net = [10, 20, 30, 40][rng.below(4) as usize];
    format!("10.{net}.{}.{}", rng.below(256), rng.below(256))
}

/// Mostly host-to-host service rules (as a large city ruleset is), some
/// subnet rules and drops, a few user chains, conntrack first.
fn iptables(n: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut s =
        String::from("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    for c in 0..10 {
        let _ = writeln!(s, ":CH{c} - [0:0]");
    }
    s.push_str("-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
    for c in 0..10 {
        let _ = writeln!(s, "-A FORWARD -s 10.{}.{c}.0/24 -j CH{c}", [10, 20][c % 2]);
    }
    for i in 0..n {
        let chain = if i % 50 == 0 {
            format!("CH{}", rng.below(10))
        } else {
            "FORWARD".into()
        };
        let src = host(&mut rng);
        let dst = host(&mut rng);
        let port = [22, 53, 80, 443, 3389, 8080][rng.below(6) as usize];
        let proto = if port == 53 { "udp" } else { "tcp" };
        match rng.below(20) {
            0 => {
                let _ = writeln!(s, "-A {chain} -s {src}/24 -d {dst}/16 -j DROP");
            }
            1 => {
                let _ = writeln!(
                    s,
                    "-A {chain} -s {src}/32 -p {proto} -m multiport --dports {port},{} -j ACCEPT",
                    port + 1
                );
            }
            2 if chain != "FORWARD" => {
                let _ = writeln!(s, "-A {chain} -d {dst}/32 -j RETURN");
            }
            _ => {
                let _ = writeln!(
                    s,
                    "-A {chain} -s {src}/32 -d {dst}/32 -p {proto} -m {proto} --dport {port} -j ACCEPT"
                );
            }
        }
    }
    s.push_str("COMMIT\n");
    s
}

/// A rule set that keeps to the model: host rules inside a segment, LGWAN
/// hosts to the screen-transfer relay, My Number hosts to the listed flow.
fn conforming(n: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut s = String::from("*filter\n:FORWARD DROP [0:0]\n");
    s.push_str("-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
    for _ in 0..n {
        let (a, b) = (rng.below(256), rng.below(256));
        let (c, d) = (rng.below(256), rng.below(256));
        let port = [22, 80, 443, 3389, 8080][rng.below(5) as usize];
        let _ = match rng.below(3) {
            0 => writeln!(
                s,
                "-A FORWARD -s 10.20.{a}.{b}/32 -d 10.20.{c}.{d}/32 -p tcp -m tcp --dport {port} -j ACCEPT"
            ),
            1 => writeln!(
                s,
                "-A FORWARD -s 10.20.{a}.{b}/32 -d 10.30.5.20/32 -p tcp -m tcp --dport {port} -j ACCEPT"
            ),
            _ => writeln!(
                s,
                "-A FORWARD -s 10.10.{a}.{b}/32 -d 10.20.1.5/32 -p tcp -m tcp --dport 443 -j ACCEPT"
            ),
        };
    }
    s.push_str("COMMIT\n");
    s
}

fn nft_json(n: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut s = String::from(
        "{\"nftables\": [{\"table\": {\"family\": \"inet\", \"name\": \"f\", \"handle\": 1}}, {\"chain\": {\"family\": \"inet\", \"table\": \"f\", \"name\": \"fwd\", \"handle\": 2, \"type\": \"filter\", \"hook\": \"forward\", \"prio\": 0, \"policy\": \"drop\"}}",
    );
    for i in 0..n {
        let src = host(&mut rng);
        let dst = host(&mut rng);
        let port = [22, 80, 443, 3389, 8080][rng.below(5) as usize];
        let _ = write!(
            s,
            ", {{\"rule\": {{\"family\": \"inet\", \"table\": \"f\", \"chain\": \"fwd\", \"handle\": {}, \"expr\": [{{\"match\": {{\"op\": \"==\", \"left\": {{\"payload\": {{\"protocol\": \"ip\", \"field\": \"saddr\"}}}}, \"right\": \"{src}\"}}}}, {{\"match\": {{\"op\": \"==\", \"left\": {{\"payload\": {{\"protocol\": \"ip\", \"field\": \"daddr\"}}}}, \"right\": \"{dst}\"}}}}, {{\"match\": {{\"op\": \"==\", \"left\": {{\"payload\": {{\"protocol\": \"tcp\", \"field\": \"dport\"}}}}, \"right\": {port}}}}}, {{\"accept\": null}}]}}}}",
            i + 3
        );
    }
    s.push_str("]}");
    s
}

fn time(label: &str, input: &ConfigInput, runs: usize) {
    let segs = parse_segments(SEGMENTS).unwrap_or_else(|e| panic!("{e}"));
    let model = builtin_model("alpha")
        .unwrap_or_else(|| panic!("alpha"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut times: Vec<Duration> = Vec::new();
    let mut cpu: Vec<Duration> = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let c = process_cpu();
        let t = Instant::now();
        let r = check(&segs, &model, std::slice::from_ref(input)).unwrap_or_else(|e| panic!("{e}"));
        times.push(t.elapsed());
        if let (Some(a), Some(b)) = (c, process_cpu()) {
            cpu.push(b.saturating_sub(a));
        }
        last = Some(r);
    }
    cpu.sort();
    times.sort();
    let r = last.unwrap_or_else(|| panic!("no run"));
    println!(
        "{label}: min {:.1} ms, median {:.1} ms, max {:.1} ms over {runs} runs; CPU median {} ({} violations, {} shadowed, {} bytes of input)",
        times[0].as_secs_f64() * 1e3,
        times[runs / 2].as_secs_f64() * 1e3,
        times[runs - 1].as_secs_f64() * 1e3,
        cpu.get(cpu.len() / 2)
            .map_or("unknown".to_string(), |c| format!(
                "{:.0} ms",
                c.as_secs_f64() * 1e3
            )),
        r.violations.len(),
        r.shadowed.len(),
        input.text.len()
    );
}

/// The CPU time this process has used (user and system, in 1/100 s), where
/// Linux tells it: on a shared machine the wall clock includes waiting for a
/// core, the CPU time does not.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

fn main() {
    // `cargo test --benches` passes --bench-less flags; run quickly then.
    let quick =
        std::env::args().any(|a| a == "--quick") || !std::env::args().any(|a| a == "--bench");
    let n = std::env::var("MAMORI_BENCH_RULES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick { 2_000 } else { 100_000 });
    let runs = if quick {
        1
    } else {
        std::env::var("MAMORI_BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(7)
    };
    for (label, text) in [
        (
            format!("iptables-save, {n} rules"),
            iptables(n, 0x9e37_79b9_7f4a_7c15),
        ),
        (
            format!("nft -j, {n} rules"),
            nft_json(n, 0x2545_f491_4f6c_dd1d),
        ),
        (
            format!("conforming iptables-save, {n} rules"),
            conforming(n, 0x1234_5678_9abc_def1),
        ),
    ] {
        if let Ok(only) = std::env::var("MAMORI_BENCH_ONLY")
            && !label.starts_with(&only)
        {
            continue;
        }
        let input = ConfigInput {
            file: "bench".into(),
            text,
            format: None,
        };
        time(&label, &input, runs);
    }
}

/// The allocator of the mamori binary, so that the figures are its figures.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
