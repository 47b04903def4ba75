//! The policy documents' benchmark (issue: a standards document of 1,000
//! provisions with 30 versions compared in under 100 ms; a search across 500
//! documents in under 100 ms). Builds the documents through the operations
//! (import, submit, approve), then times the comparison and the search as a
//! security officer asks them. Built with the `demo` feature; run with
//! `cargo bench -p mamori-app --features demo --bench policy_docs`; figures in
//! BENCHMARKS.md.

use std::fmt;
use std::time::{Duration, Instant};

use mamori_core::org::SystemRole;
use mamori_core::policy_doc::parse::Format;
use mamori_store::org::NewRoleAssignment;
use mamori_store::policy_docs::today_jst;
use mamori_store::users::NewUser;
use mamori_store::{Actor, PageRequest};

use crate::access::{App, Caller};
use crate::error::{Error, Result};
use crate::policy_docs::{ApprovalInput, ImportInput};

/// What was measured.
#[derive(Debug, Default)]
pub struct PolicyBenchReport {
    pub provisions: usize,
    pub versions: usize,
    pub documents: usize,
    pub build: Duration,
    /// (what, median of the runs)
    pub timings: Vec<(String, Duration)>,
}

impl fmt::Display for PolicyBenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "policy documents: {} provisions × {} versions, {} documents in force (built in {:.1} s)",
            self.provisions,
            self.versions,
            self.documents,
            self.build.as_secs_f64()
        )?;
        for (what, t) in &self.timings {
            writeln!(f, "  {what:<58} {:>8.2} ms", t.as_secs_f64() * 1000.0)?;
        }
        Ok(())
    }
}

/// The text of version `v` of the large standards: chapters of 50 articles,
/// each with a paragraph and two items (four provisions an article); version
/// `v` rewords ten articles of the one before.
fn standards_text(provisions: usize, v: usize) -> String {
    let articles = provisions.div_ceil(4);
    let mut text = String::from("情報セキュリティ対策基準\n");
    for a in 1..=articles {
        if (a - 1) % 50 == 0 {
            text.push_str(&format!(
                "第{}章　第{}群の対策\n",
                (a - 1) / 50 + 1,
                (a - 1) / 50 + 1
            ));
        }
        let amended = (1..v)
            .filter(|k| (a + k * 7) % (articles / 10).max(1) == 0)
            .count();
        text.push_str(&format!("（対策{a}）\n"));
        text.push_str(&format!(
            "第{a}条　所管課は、対策{a}に係る情報資産を適切に管理し、改正{amended}回目の定めに従い記録しなければならない。\n"
        ));
        text.push_str(&format!("2　前項の記録は、{a}年間保存する。\n"));
        text.push_str("(1)　管理区域の入退室\n(2)　記録媒体の持出し\n");
    }
    text
}

async fn person(
    app: &App,
    name: &str,
    roles: Vec<SystemRole>,
    guideline: Option<&str>,
) -> Result<Caller> {
    let store = app.system("bench").store();
    let user = match store.user_by_name(name).await? {
        Some(u) => u,
        None => {
            store
                .create_user(
                    &Actor::System("bench"),
                    NewUser {
                        username: name.into(),
                        display_name: name.into(),
                        email: None,
                        unit_id: None,
                        roles,
                        password: "bench-password-2025".into(),
                        must_change_password: false,
                    },
                )
                .await?
        }
    };
    if let Some(role) = guideline {
        store
            .assign_role(
                &Actor::System("bench"),
                NewRoleAssignment {
                    user_id: user.id,
                    role: role.into(),
                    unit_id: None,
                    system_id: None,
                    starts_on: "2000-01-01".into(),
                    ends_on: None,
                    note: String::new(),
                },
            )
            .await?;
    }
    app.caller(user.id)
        .await?
        .ok_or_else(|| Error::not_found("user", name))
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs.get(runs.len() / 2).copied().unwrap_or_default()
}

impl App {
    /// Builds a standards document of `provisions` provisions in `versions`
    /// versions and `documents` documents in force, then times comparisons and
    /// searches (median of 11 runs each).
    pub async fn bench_policy_docs(
        &self,
        provisions: usize,
        versions: usize,
        documents: usize,
    ) -> Result<PolicyBenchReport> {
        let started = Instant::now();
        let office = person(
            self,
            "bench-office",
            vec![SystemRole::SecurityOfficer],
            None,
        )
        .await?;
        let ciso = person(self, "bench-ciso", vec![SystemRole::Staff], Some("ciso")).await?;
        let today = today_jst().to_string();
        let approval = ApprovalInput {
            body: "情報セキュリティ委員会".into(),
            decision_number: "bench".into(),
            approved_on: today.clone(),
            effective_on: today,
        };
        let enact = async |code: &str, level: &str, text: String| -> Result<()> {
            let done = self
                .operator_import_policy_doc(&ImportInput {
                    code: code.into(),
                    level: level.into(),
                    title: None,
                    format: Format::Reiki,
                    text,
                })
                .await?;
            self.submit_policy_doc(&office, code, done.version.number)
                .await?;
            self.approve_policy_doc(&ciso, code, done.version.number, &approval)
                .await?;
            Ok(())
        };
        for v in 1..=versions {
            enact("bench-standards", "standard", standards_text(provisions, v)).await?;
        }
        for d in 1..documents {
            let text = format!(
                "実施手順{d}\n第1章　総則\n（目的）\n第1条　この手順は、第{d}係の窓口端末の運用を定める。\n（管理）\n第2条　端末は、施錠された場所に保管する。\n2　鍵は係長が管理する。\n(1)　職員　本市職員をいう。\n"
            );
            enact(&format!("bench-proc-{d:04}"), "procedure", text).await?;
        }
        let build = started.elapsed();
        let mut timings = Vec::new();
        let n = i64::try_from(versions).unwrap_or(1);
        for (what, from, to) in [
            ("compare v1 → v30 (every provision changed or not)", 1, n),
            ("compare v29 → v30 (one amendment)", (n - 1).max(1), n),
        ] {
            let mut runs = Vec::new();
            for _ in 0..11 {
                let t = Instant::now();
                let c = self
                    .compare_policy_doc(&office, "bench-standards", from, to)
                    .await?;
                std::hint::black_box(mamori_core::policy_doc::compare::rows(&c.entries).len());
                runs.push(t.elapsed());
            }
            timings.push((what.to_string(), median(runs)));
        }
        for (what, needle) in [
            ("search 施錠 across the documents (first page)", "施錠"),
            ("search a word found nowhere", "存在しない語句"),
        ] {
            let mut runs = Vec::new();
            for _ in 0..11 {
                let t = Instant::now();
                let hits = self
                    .policy_doc_search(&office, needle, PageRequest::new(Some(1), Some(50)))
                    .await?;
                std::hint::black_box(hits.total);
                runs.push(t.elapsed());
            }
            timings.push((what.to_string(), median(runs)));
        }
        Ok(PolicyBenchReport {
            provisions,
            versions,
            documents,
            build,
            timings,
        })
    }
}
