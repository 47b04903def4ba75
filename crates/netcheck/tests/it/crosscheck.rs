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
    let missing: Vec<&str> = [
        "ip",
        "iptables-restore",
        "ip6tables-restore",
        "nft",
        "iptables-restore-translate",
        "python3",
    ]
    .into_iter()
    .filter(|t| !tool(t))
    .collect();
    if !missing.is_empty() {
        println!(
            "skipped: live cross-check needs {} (run tests/setup-tools.sh)",
            missing.join(", ")
        );
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
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false);
    if !is_root {
        println!("skipped: live cross-check needs root for ip netns");
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
