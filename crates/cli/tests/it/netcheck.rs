//! `mamori netcheck` on the hostile files of issue 16: exit codes 0 clean,
//! 1 violations, 2 unreadable (refused, or over the check's budget).

use crate::run;
use std::path::PathBuf;

fn hostile(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../netcheck/tests/fixtures/hostile")
        .join(name)
        .display()
        .to_string()
}

fn netcheck(file: &str, json: bool) -> (i32, String, String) {
    let segs = hostile("segments.toml");
    let mut args = vec!["netcheck", "--segments", segs.as_str()];
    if json {
        args.extend(["--format", "json"]);
    }
    let path = hostile(file);
    args.push(path.as_str());
    let out = run(&args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn hostile_files_give_the_right_exit_codes() {
    // Read, and the violations they open are found (exit 1).
    for f in [
        "fortios-icmptype.conf",
        "fortios-vdom.conf",
        "fortios-vdom-end.conf",
        "fortios-multiline.conf",
        "fortios-nested-groups.conf",
        "iptables-jump-twice.rules",
        "iptables-hostbits.rules",
    ] {
        let (code, out, err) = netcheck(f, false);
        assert_eq!(code, 1, "{f}: {out}{err}");
    }
    // Refused with the line (exit 2).
    for (f, line) in [
        ("not-a-config.txt", "line 1:"),
        ("iptables-cut.rules", "line 7:"),
        ("iptables-mixed.rules", "line 5:"),
    ] {
        let (code, out, err) = netcheck(f, false);
        assert_eq!(code, 2, "{f}: {out}{err}");
        assert!(err.contains(line), "{f}: {err}");
    }
}

#[test]
fn the_json_report_keeps_its_shape_and_adds_vdoms_and_warnings() {
    let (code, out, _) = netcheck("fortios-vdom.conf", true);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for k in [
        "model",
        "devices",
        "matrix",
        "violations",
        "findings",
        "blocked_flows",
        "shadowed",
        "unsupported",
        "notes",
        "complete",
    ] {
        assert!(v.get(k).is_some(), "{k} missing");
    }
    assert_eq!(v["violations"][0]["rules"][0]["vdom"], "lg");
    let (_, out, _) = netcheck("iptables-hostbits.rules", true);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["warnings"][0]["line"], 3);
}

#[test]
fn a_check_over_its_budget_exits_2_with_a_clear_message() {
    // 2,100 jumps, each with its own guard, into a 1,000-rule chain: more
    // work than the default budget allows.
    let mut s = String::from("*filter\n:FORWARD DROP [0:0]\n:BIG - [0:0]\n");
    for i in 0..2100u32 {
        s.push_str(&format!(
            "-A FORWARD -s 10.20.{}.{}/32 -j BIG\n",
            i / 250,
            i % 250
        ));
    }
    for p in 1..=1000u32 {
        s.push_str(&format!(
            "-A BIG -d 10.10.0.0/16 -p tcp --dport {p} -j ACCEPT\n"
        ));
    }
    s.push_str("COMMIT\n");
    let dir = crate::temp_dir();
    let path = dir.join("big.rules");
    std::fs::write(&path, s).unwrap();
    let segs = hostile("segments.toml");
    let out = run(&["netcheck", "--segments", &segs, path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("NC105") && err.contains("上限"), "{err}");
}
