//! One policy, many formats: the matrix must be the same in each.
//!
//! The committed fixtures in `tests/fixtures/generated` were made by
//! `tests/fixtures/regen.sh` from the aerleon policy in
//! `tests/fixtures/aerleon` and the hand-written `tests/fixtures/rich`
//! rules, through aerleon, iptables-restore/iptables-save,
//! iptables-restore-translate and nft in a network namespace. The fixture
//! comparisons always run; the live test regenerates everything with the
//! real tools when they are present (as root) and prints `skipped: …`
//! otherwise.

use crate::support::{Matrix, fixtures, input, matrix, report, segments};
use mamori_netcheck::{Family, SegmentsFile};
use std::path::Path;
use std::process::Command;

const AERLEON_V4: [&str; 5] = [
    "aerleon.iptables",
    "iptables-save.v4",
    "aerleon.nft.json",
    "translated.nft.json",
    "aerleon.fortigate.conf",
];
const AERLEON_V6: [&str; 5] = [
    "aerleon.ip6tables",
    "iptables-save.v6",
    "aerleon.nft.json",
    "translated.nft.json",
    "aerleon.fortigate.conf",
];
const RICH: [&str; 3] = [
    "rich.iptables-save.v4",
    "rich.translated.nft.json",
    "rules.v4",
];

fn family_eq(a: &Matrix, b: &Matrix, f: Family) -> Result<(), String> {
    for (k, sa) in a {
        let sb = &b[k];
        if !sa.get(f).same_points(sb.get(f)) {
            return Err(format!(
                "{} -> {} differs for {f:?}:\n  {:?}\nvs\n  {:?}",
                k.0,
                k.1,
                sa.get(f).boxes(),
                sb.get(f).boxes()
            ));
        }
    }
    Ok(())
}

fn compare_all(segs: &SegmentsFile, dir: &Path, files: &[&str], f: Family) -> Matrix {
    let first = matrix(segs, &input(&dir.join(files[0])));
    for other in &files[1..] {
        let m = matrix(segs, &input(&dir.join(other)));
        if let Err(e) = family_eq(&first, &m, f) {
            panic!("{} vs {other}: {e}", files[0]);
        }
    }
    first
}

fn has(m: &Matrix, from: &str, to: &str, f: Family, p: [u128; 5]) -> bool {
    m[&(from.to_string(), to.to_string())].get(f).contains(&p)
}

fn v4(a: [u8; 4]) -> u128 {
    u128::from(u32::from_be_bytes(a))
}

fn check_aerleon(dir: &Path) {
    let segs = segments("aerleon/segments.toml");
    let m4 = compare_all(&segs, dir, &AERLEON_V4, Family::Ipv4);
    let m6 = compare_all(&segs, dir, &AERLEON_V6, Family::Ipv6);
    // Not vacuous: the policy's flows are there, and only they.
    let (mn, lg, inet) = (v4([10, 10, 3, 4]), v4([10, 20, 1, 5]), v4([10, 30, 9, 9]));
    assert!(has(
        &m4,
        "mynumber",
        "lgwan",
        Family::Ipv4,
        [mn, lg, 6, 5000, 443]
    ));
    assert!(!has(
        &m4,
        "mynumber",
        "lgwan",
        Family::Ipv4,
        [mn, lg, 6, 5000, 444]
    ));
    assert!(!has(
        &m4,
        "mynumber",
        "internet",
        Family::Ipv4,
        [mn, inet, 6, 5000, 22]
    ));
    assert!(has(
        &m4,
        "lgwan",
        "internet",
        Family::Ipv4,
        [lg, inet, 17, 5000, 53]
    ));
    assert!(!has(
        &m4,
        "lgwan",
        "internet",
        Family::Ipv4,
        [lg, inet, 6, 5000, 53]
    ));
    let lg6 = u128::from(std::net::Ipv6Addr::new(0x2001, 0xdb8, 0x20, 0, 0, 0, 0, 1));
    let st6 = u128::from(std::net::Ipv6Addr::new(
        0x2001, 0xdb8, 0x30, 0, 0, 0, 0, 0x20,
    ));
    assert!(has(
        &m6,
        "lgwan",
        "internet",
        Family::Ipv6,
        [lg6, st6, 6, 5000, 3389]
    ));
    assert!(!has(
        &m6,
        "lgwan",
        "internet",
        Family::Ipv6,
        [lg6, st6, 6, 5000, 3390]
    ));
}

fn check_rich(dir: &Path) {
    let segs = segments("rich/segments.toml");
    let files: Vec<std::path::PathBuf> = RICH
        .iter()
        .map(|f| {
            if *f == "rules.v4" {
                fixtures().join("rich").join(f)
            } else {
                dir.join(f)
            }
        })
        .collect();
    let first = matrix(&segs, &input(&files[0]));
    for other in &files[1..] {
        let m = matrix(&segs, &input(other));
        if let Err(e) = family_eq(&first, &m, Family::Ipv4) {
            panic!("{} vs {}: {e}", files[0].display(), other.display());
        }
    }
    let (mn, lg, inet) = (v4([10, 10, 0, 7]), v4([10, 20, 1, 5]), v4([8, 8, 8, 8]));
    // CHECK_MN: 443 to the intermediate server; 22 returns and is then
    // accepted by the catch-all ssh rule; everything else from mn0 drops.
    assert!(has(
        &first,
        "mynumber",
        "lgwan",
        Family::Ipv4,
        [mn, lg, 6, 5000, 443]
    ));
    assert!(has(
        &first,
        "mynumber",
        "internet",
        Family::Ipv4,
        [mn, inet, 6, 5000, 22]
    ));
    assert!(!has(
        &first,
        "mynumber",
        "internet",
        Family::Ipv4,
        [mn, inet, 1, 0, 0]
    ));
    // WEB: 8080-8090 goes to LOGDROP and drops, 443 except 10.20.7.0/24.
    let lg7 = v4([10, 20, 7, 1]);
    assert!(has(
        &first,
        "lgwan",
        "internet",
        Family::Ipv4,
        [lg, inet, 6, 5000, 443]
    ));
    assert!(!has(
        &first,
        "lgwan",
        "internet",
        Family::Ipv4,
        [lg7, inet, 6, 5000, 443]
    ));
    assert!(!has(
        &first,
        "lgwan",
        "internet",
        Family::Ipv4,
        [lg, inet, 6, 5000, 8080]
    ));
    assert!(has(
        &first,
        "lgwan",
        "internet",
        Family::Ipv4,
        [lg, v4([10, 30, 5, 20]), 6, 5000, 8080]
    ));
    // iprange + sport: syslog from 10.30.1.1-20 into LGWAN.
    assert!(has(
        &first,
        "internet",
        "lgwan",
        Family::Ipv4,
        [v4([10, 30, 1, 20]), lg, 17, 1024, 514]
    ));
    assert!(!has(
        &first,
        "internet",
        "lgwan",
        Family::Ipv4,
        [v4([10, 30, 1, 21]), lg, 17, 1024, 514]
    ));
    assert!(!has(
        &first,
        "internet",
        "lgwan",
        Family::Ipv4,
        [v4([10, 30, 1, 20]), lg, 17, 1023, 514]
    ));
}

#[test]
fn committed_fixtures_give_the_same_matrix_in_every_format() {
    let dir = fixtures().join("generated");
    check_aerleon(&dir);
    check_rich(&dir);
}

#[test]
fn aerleon_report_names_violations_shadowed_rules_and_blocked_flows() {
    let dir = fixtures().join("generated");
    let segs = segments("aerleon/segments.toml");
    let r = report(&segs, &[input(&dir.join("iptables-save.v4"))]);
    assert!(r.complete, "{:?}", r.unsupported);
    assert!(!r.is_clean());
    // Direct web and DNS from LGWAN to the Internet segment, each with the
    // jump and the accepting rule.
    let lines: Vec<Vec<u32>> = r
        .violations
        .iter()
        .map(|v| v.rules.iter().map(|x| x.line).collect())
        .collect();
    assert_eq!(
        lines,
        vec![vec![18, 23], vec![19, 25]],
        "{}",
        r.render_text()
    );
    assert!(
        r.violations
            .iter()
            .all(|v| v.from == "lgwan" && v.to == "internet")
    );
    assert_eq!(
        r.shadowed.iter().map(|s| s.line).collect::<Vec<_>>(),
        vec![30]
    );
    assert_eq!(r.blocked_flows.len(), 1);
    assert_eq!(r.blocked_flows[0].flow_line, 37);
    let json = r.render_json();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["violations"][0]["rules"][1]["line"], 23);
    assert_eq!(v["violations"][0]["from"], "lgwan");
    assert!(
        v["violations"][0]["packets"][0]["dst_ports"]
            .as_str()
            .is_some()
    );
    assert_eq!(v["shadowed"][0]["file"], "iptables-save.v4");
}

#[test]
fn rich_report_has_mynumber_any_finding() {
    let segs = segments("rich/segments.toml");
    let r = report(&segs, &[input(&fixtures().join("rich/rules.v4"))]);
    assert!(r.complete, "{:?}", r.unsupported);
    let f: Vec<u32> = r.findings.iter().map(|f| f.rule.line).collect();
    // Catch-all ssh and ICMP rules reach My Number with any address.
    assert_eq!(f, vec![14, 16], "{}", r.render_text());
    // The ssh rule for 10.20.9.0/24 comes after the catch-all ssh rule.
    assert!(
        r.shadowed.iter().any(|s| s.line == 15),
        "{}",
        r.render_text()
    );
}

fn tool(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn live_tools_regenerate_the_same_matrices() {
    if let Some(why) = live_unavailable(&[
        "ip",
        "iptables-restore",
        "ip6tables-restore",
        "nft",
        "iptables-restore-translate",
        "python3",
    ]) {
        println!("skipped: live cross-check {why}");
        return;
    }
    let aclgen_ok = tool("aclgen")
        || Command::new("python3")
            .args(["-c", "import aerleon"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
    if !aclgen_ok {
        println!("skipped: live cross-check needs aerleon (pip install aerleon)");
        return;
    }
    let out = std::env::temp_dir().join(format!("mamori-netcheck-live-{}", std::process::id()));
    let status = Command::new("bash")
        .arg(fixtures().join("regen.sh"))
        .arg(&out)
        .output();
    match status {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            if err.contains("netns")
                || err.contains("Operation not permitted")
                || err.contains("Permission denied")
            {
                println!(
                    "skipped: cannot make a network namespace here: {}",
                    err.trim()
                );
                return;
            }
            panic!("regen.sh failed: {err}");
        }
        Err(e) => panic!("cannot run regen.sh: {e}"),
    }
    check_aerleon(&out);
    check_rich(&out);
    // Fresh output against the committed fixtures, file by file.
    let committed = fixtures().join("generated");
    for (seg, files) in [
        ("aerleon/segments.toml", &AERLEON_V4[..]),
        ("rich/segments.toml", &RICH[..2]),
    ] {
        let segs = segments(seg);
        for f in files {
            let a = matrix(&segs, &input(&committed.join(f)));
            let b = matrix(&segs, &input(&out.join(f)));
            for fam in Family::ALL {
                if let Err(e) = family_eq(&a, &b, fam) {
                    panic!("{f}: committed and regenerated differ: {e}");
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    println!(
        "live cross-check: aerleon, iptables-restore/save, iptables-restore-translate and nft agree"
    );
}

/// Why the live tools cannot run here, if they cannot.
fn live_unavailable(tools: &[&str]) -> Option<String> {
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !tool(t)).collect();
    if !missing.is_empty() {
        return Some(format!(
            "needs {} (run tests/setup-tools.sh)",
            missing.join(", ")
        ));
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false);
    (!is_root).then(|| "needs root for ip netns".to_string())
}

/// A rule set large enough to be read and decided on several threads.
fn scale_rules(n: usize) -> String {
    use std::fmt::Write as _;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let mut s =
        String::from("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    for c in 0..4 {
        let _ = writeln!(s, ":CH{c} - [0:0]");
    }
    s.push_str("-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
    for c in 0..4 {
        let _ = writeln!(s, "-A FORWARD -s 10.20.{c}.0/24 -j CH{c}");
    }
    for i in 0..n {
        let chain = if i % 25 == 0 {
            format!("CH{}", next(4))
        } else {
            "FORWARD".to_string()
        };
        let mut host = || {
            format!(
                "10.{}.{}.{}",
                [10, 20, 30][next(3) as usize],
                next(8),
                next(256)
            )
        };
        let (src, dst) = (host(), host());
        let port = [22, 53, 443, 8080][next(4) as usize];
        let _ = match next(20) {
            0 => writeln!(s, "-A {chain} -s {src}/24 -d {dst}/16 -j DROP"),
            1 => writeln!(
                s,
                "-A {chain} -s {src}/32 -p tcp -m multiport --dports {port},{} -j ACCEPT",
                port + 1
            ),
            2 if chain != "FORWARD" => writeln!(s, "-A {chain} -d {dst}/32 -j RETURN"),
            _ => writeln!(
                s,
                "-A {chain} -s {src}/32 -d {dst}/32 -p tcp -m tcp --dport {port} -j ACCEPT"
            ),
        };
    }
    s.push_str("COMMIT\n");
    s
}

/// 6,000 rules through iptables-restore / iptables-save and
/// iptables-restore-translate / nft: the same matrix and the same
/// never-matching rules in all three forms (files this large are read and
/// decided on several threads).
#[test]
fn live_tools_agree_at_scale() {
    if let Some(why) = live_unavailable(&[
        "ip",
        "iptables-restore",
        "iptables-save",
        "iptables-restore-translate",
        "nft",
    ]) {
        println!("skipped: live cross-check at scale {why}");
        return;
    }
    let dir = std::env::temp_dir().join(format!("mamori-netcheck-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("rules.v4"), scale_rules(6000)).unwrap_or_else(|e| panic!("{e}"));
    let script = r#"set -euo pipefail
ns="mamori-scale-$$"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns add "$ns"
ip netns exec "$ns" iptables-restore < rules.v4
ip netns exec "$ns" iptables-save | grep -v '^#' > saved.v4
iptables-restore-translate -f saved.v4 | grep -v '^#' > translated.nft
ip netns del "$ns"; ip netns add "$ns"
ip netns exec "$ns" nft -f translated.nft
ip netns exec "$ns" nft -j list ruleset > translated.nft.json
"#;
    let out = Command::new("bash")
        .args(["-c", script])
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("bash: {e}"));
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("netns") || err.contains("Operation not permitted") {
            println!(
                "skipped: cannot make a network namespace here: {}",
                err.trim()
            );
            return;
        }
        panic!("tools failed: {err}");
    }
    let segs = mamori_netcheck::parse_segments(
        "model = \"alpha\"\n\
         [[segment]]\nname = \"mynumber\"\nrole = \"mynumber\"\nranges = [\"10.10.0.0/16\"]\n\
         [[segment]]\nname = \"lgwan\"\nrole = \"lgwan\"\nranges = [\"10.20.0.0/16\"]\n\
         [[segment]]\nname = \"internet\"\nrole = \"internet\"\nranges = [\"0.0.0.0/0\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let files = ["rules.v4", "saved.v4", "translated.nft.json"];
    let first = compare_all(&segs, &dir, &files, Family::Ipv4);
    assert!(
        first.values().filter(|s| !s.is_empty()).count() >= 6,
        "every pair permits something"
    );
    let shadowed: Vec<usize> = files
        .iter()
        .map(|f| report(&segs, &[input(&dir.join(f))]).shadowed.len())
        .collect();
    assert!(shadowed[0] > 0, "some rules never match");
    assert!(
        shadowed.iter().all(|&n| n == shadowed[0]),
        "never-matching rules differ between forms: {shadowed:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    println!("live cross-check at scale: 6,000 rules agree in iptables-save and nft -j");
}
