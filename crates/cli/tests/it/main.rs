//! End-to-end tests of the `mamori` binary: the real server over HTTP, and the
//! commands' exit codes and messages.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

mod backup;
mod http;
mod imports;
mod netcheck;
mod org;
mod policy;
mod serve;
// Information systems (issue 13, part 1).
mod systems;
mod verify;

use std::path::PathBuf;
use std::process::{Command, Output};

pub fn mamori() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mamori"))
}

pub fn run(args: &[&str]) -> Output {
    mamori()
        .args(args)
        .env_remove("MAMORI_DATABASE_URL")
        .env_remove("MAMORI_DATA_DIR")
        .output()
        .expect("run mamori")
}

pub fn temp_dir() -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "mamori-cli-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
