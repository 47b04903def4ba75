//! The register's benchmark, the files' half: a 100,000-row ledger of new
//! assets imported as CSV and as .xlsx (read with `mamori-sheet`, checked and
//! written by the store, as an upload is), a department's export and its
//! re-import, and the export of the whole register. The store's half (filling
//! the store, the register's pages) is `mamori_store::assets::bench`. Built
//! with the `demo` feature (the command line's `mamori bench`, and
//! `cargo bench -p mamori-app --bench assets`); see BENCHMARKS.md.

use std::time::{Duration, Instant};

use mamori_core::table::{ImportLimits, LedgerFormat};
use mamori_store::StoreError;
use mamori_store::assets::AssetFilter;
use mamori_store::assets::bench::{BenchReport, bench_fill, bench_ledger_rows, bench_pages};

use crate::access::App;
use crate::error::{Error, Result};

/// Rows of the ledger the import is measured with.
pub const IMPORT_ROWS: usize = 100_000;

/// The benchmark re-imports whole exports of a large store, beyond what an
/// upload may be: its imports are held to wider limits than the defaults.
fn bench_limits() -> ImportLimits {
    ImportLimits {
        max_upload_bytes: 4 << 30,
        max_xlsx_unpacked_bytes: 16 << 30,
        max_rows: 1_048_576,
        max_cells: 100_000_000,
        ..ImportLimits::default()
    }
}

fn internal(what: impl std::fmt::Display) -> Error {
    Error::Store(StoreError::Internal(what.to_string()))
}

impl App {
    /// Fills the store to `n` assets, measures the register's pages and, when
    /// `bulk`, the imports and exports (which add 200,000 assets).
    pub async fn bench_assets(&self, n: usize, bulk: bool) -> Result<BenchReport> {
        let app = self.clone().with_import_limits(bench_limits());
        let mut report = bench_pages(app.system("bench").store(), n).await?;
        if bulk {
            app.bench_bulk(&mut report, true).await?;
        }
        Ok(report)
    }

    /// Only the imports: the store filled to `n` assets, then the two ledgers
    /// of [`IMPORT_ROWS`] new assets (CSV, .xlsx).
    pub async fn bench_imports(&self, n: usize) -> Result<BenchReport> {
        let app = self.clone().with_import_limits(bench_limits());
        let mut report = bench_fill(app.system("bench").store(), n).await?;
        app.bench_bulk(&mut report, false).await?;
        Ok(report)
    }

    async fn bench_bulk(&self, report: &mut BenchReport, exports: bool) -> Result<()> {
        for (format, seed) in [(LedgerFormat::Csv, 101), (LedgerFormat::Xlsx, 202)] {
            report.bulk.push(self.measure_import(format, seed).await?);
        }
        if !exports {
            return Ok(());
        }
        // Export of a department's view, and the re-import of that export (no change).
        let dept = self
            .system("bench")
            .store()
            .unit_by_code("D04")
            .await?
            .map(|u| u.id)
            .unwrap_or(1);
        let dept_filter = AssetFilter {
            unit_id: Some(dept),
            include_subunits: true,
            ..Default::default()
        };
        for format in [LedgerFormat::Csv, LedgerFormat::Xlsx] {
            let mut out = Vec::new();
            let started = Instant::now();
            let rows = self
                .operator_export_ledger(&dept_filter, format, &mut out)
                .await?;
            report.bulk.push((
                format!("export of one department, {}", format.extension()),
                rows as usize,
                started.elapsed(),
            ));
            if format == LedgerFormat::Csv {
                let started = Instant::now();
                let imported = self
                    .operator_import_ledger(
                        &out,
                        format,
                        None,
                        mamori_store::assets::ImportMode::Commit,
                    )
                    .await?;
                report.bulk.push((
                    "re-import of that export (all rows unchanged), csv".to_string(),
                    imported.unchanged,
                    started.elapsed(),
                ));
            }
        }
        let started = Instant::now();
        let rows = self
            .operator_export_ledger(&AssetFilter::default(), LedgerFormat::Csv, std::io::sink())
            .await?;
        report.bulk.push((
            "export of the whole register, csv".to_string(),
            rows as usize,
            started.elapsed(),
        ));
        Ok(())
    }

    /// Imports a generated ledger of [`IMPORT_ROWS`] new assets and times it
    /// (reading the file included).
    async fn measure_import(
        &self,
        format: LedgerFormat,
        seed: u64,
    ) -> Result<(String, usize, Duration)> {
        let (headers, rows) =
            bench_ledger_rows(self.system("bench").store(), IMPORT_ROWS, seed).await?;
        let bytes = mamori_sheet::status::plain_table(format, &headers, rows)
            .map_err(|e| internal(format!("benchmark ledger: {e}")))?;
        let cpu = process_cpu();
        let started = Instant::now();
        let report = self
            .operator_import_ledger(
                &bytes,
                format,
                None,
                mamori_store::assets::ImportMode::Commit,
            )
            .await?;
        let took = started.elapsed();
        let cpu = match (cpu, process_cpu()) {
            (Some(a), Some(b)) => format!(
                " (this process's CPU {:.1} s)",
                b.saturating_sub(a).as_secs_f64()
            ),
            _ => String::new(),
        };
        if !report.written {
            return Err(internal(format!(
                "the benchmark ledger did not import: {report}"
            )));
        }
        let name = match format {
            LedgerFormat::Csv => "import of a new-asset ledger, CSV",
            LedgerFormat::Xlsx => "import of a new-asset ledger, .xlsx",
        };
        Ok((format!("{name}{cpu}"), report.created, took))
    }
}

/// The CPU time this process has used (user and system), where Linux tells
/// it: on a shared machine it says what the import cost apart from waiting
/// for a core. (PostgreSQL's own work is in its server processes.)
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which is in parentheses).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // Clock ticks of 1/100 s on Linux.
    Some(Duration::from_millis((utime + stime) * 10))
}

// --- Risk register (issue 13, part 2) ---------------------------------------

impl App {
    /// The risk register's benchmark: the store filled to `n` assets, one
    /// recomputation of every profile and pair (with control statuses for
    /// half the controls city-wide), then the register's pages as the
    /// security office and as one unit's staff see them, and the heat map.
    /// Each figure is (what, rows, time).
    pub async fn bench_risks(&self, n: usize) -> Result<Vec<(String, usize, Duration)>> {
        use mamori_store::assets::AssetScope;
        use mamori_store::risk::{RiskFilter, RiskSortKey};
        let permit = self.system("bench");
        let store = permit.store();
        bench_fill(store, n).await?;
        let mut out = Vec::new();
        let b = mamori_core::catalog::builtin().map_err(internal)?;
        for (i, c) in b.controls.controls.iter().enumerate() {
            if i % 2 == 0 {
                let state = if i % 4 == 0 {
                    mamori_core::control::Implementation::Implemented
                } else {
                    mamori_core::control::Implementation::Partial
                };
                mamori_store::testing::put_control_status(
                    store,
                    &c.code,
                    mamori_core::control::StatusScope::City,
                    state,
                )
                .await?;
            }
        }
        let started = Instant::now();
        let s = self.recompute_risks_now(permit.actor()).await?;
        out.push((
            format!(
                "recompute: {} assets → {} profiles, {} pairs",
                s.assets, s.profiles, s.pairs
            ),
            s.pairs as usize,
            started.elapsed(),
        ));
        let unit = store
            .all_units()
            .await?
            .into_iter()
            .next_back()
            .map(|u| u.id)
            .unwrap_or(1);
        let scopes = [
            ("security office", AssetScope::unrestricted()),
            ("one unit's staff", AssetScope::units(vec![unit])),
        ];
        for (who, scope) in &scopes {
            for (what, filter, key, page) in [
                (
                    "first page by residual risk",
                    RiskFilter::default(),
                    RiskSortKey::Residual,
                    1,
                ),
                (
                    "page 20 by residual risk",
                    RiskFilter::default(),
                    RiskSortKey::Residual,
                    20,
                ),
                (
                    "sorted by threat",
                    RiskFilter::default(),
                    RiskSortKey::Threat,
                    1,
                ),
                (
                    "filtered: untreated, threat T1-01",
                    RiskFilter {
                        threat: Some("T1-01".into()),
                        treatment: Some("none".into()),
                        ..RiskFilter::default()
                    },
                    RiskSortKey::Residual,
                    1,
                ),
            ] {
                let started = Instant::now();
                let (p, _) = store
                    .list_risks(
                        &filter,
                        key,
                        true,
                        mamori_store::PageRequest::new(Some(page), Some(50)),
                        scope,
                    )
                    .await?;
                out.push((format!("{who}: {what}"), p.items.len(), started.elapsed()));
            }
            let started = Instant::now();
            let heat = store.risk_heat(&RiskFilter::default(), scope).await?;
            out.push((format!("{who}: heat map"), heat.len(), started.elapsed()));
        }
        Ok(out)
    }
}

// --- h14: self-inspections at a prefecture's scale (issue 14, part 3) -------

/// The median of runs.
fn median_of(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs.get(runs.len() / 2).copied().unwrap_or_default()
}

impl App {
    /// The self-inspections' benchmark: `units` units answering an
    /// `items`-item checklist (the issue: 5,000 × 300), then, as the
    /// security office asks them, the results page (< 200 ms), the progress
    /// page and the report; and, as a unit's manager, an .xlsx questionnaire
    /// of every item uploaded and checked (< 1 s). Each figure is (what,
    /// rows, time: the median of `runs`).
    pub async fn bench_inspections(
        &self,
        units: usize,
        items: usize,
        runs: usize,
    ) -> Result<Vec<(String, usize, Duration)>> {
        use mamori_core::org::SystemRole;
        use mamori_store::org::NewRoleAssignment;
        use mamori_store::users::NewUser;
        let store = self.system("bench").store().clone();
        let mut out = Vec::new();
        let started = Instant::now();
        let fill = mamori_store::audit_bench::fill_inspection(&store, units, items).await?;
        out.push((
            format!(
                "fill: {} units × {} items ({} answers)",
                fill.units, fill.items, fill.answers
            ),
            fill.answers as usize,
            started.elapsed(),
        ));
        let person = |name: &'static str, roles: Vec<SystemRole>, unit: Option<i64>| {
            let store = store.clone();
            async move {
                let user = match store.user_by_name(name).await? {
                    Some(u) => u,
                    None => {
                        store
                            .create_user(
                                &mamori_store::Actor::System("bench"),
                                NewUser {
                                    username: name.into(),
                                    display_name: name.into(),
                                    email: None,
                                    unit_id: unit,
                                    roles,
                                    password: "bench-password-2025".into(),
                                    must_change_password: false,
                                },
                            )
                            .await?
                    }
                };
                Ok::<_, Error>(user.id)
            }
        };
        let office_id = person("bench-office", vec![SystemRole::SecurityOfficer], None).await?;
        let office = self
            .caller(office_id)
            .await?
            .ok_or_else(|| internal("no office"))?;
        let manager_id = person(
            "bench-manager",
            vec![SystemRole::Staff],
            Some(fill.open_unit),
        )
        .await?;
        store
            .assign_role(
                &mamori_store::Actor::System("bench"),
                NewRoleAssignment {
                    user_id: manager_id,
                    role: "security_administrator".into(),
                    unit_id: Some(fill.open_unit),
                    system_id: None,
                    starts_on: "2000-01-01".into(),
                    ends_on: None,
                    note: String::new(),
                },
            )
            .await?;
        let manager = self
            .caller(manager_id)
            .await?
            .ok_or_else(|| internal("no manager"))?;
        let id = fill.inspection;
        let runs = runs.max(1);

        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let v = self.inspection_results(&office, id).await?;
            times.push(t.elapsed());
            rows = v.totals.targets as usize;
        }
        out.push((
            "results page: totals, chapters, weakest, previous, trend".into(),
            rows,
            median_of(times),
        ));
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let v = self
                .inspection_view(
                    &office,
                    id,
                    None,
                    mamori_store::PageRequest::new(Some(1), Some(50)),
                )
                .await?;
            times.push(t.elapsed());
            rows = v.targets.items.len();
        }
        out.push((
            "progress page: first 50 units".into(),
            rows,
            median_of(times),
        ));
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let r = self.inspection_report(&office, id).await?;
            times.push(t.elapsed());
            rows = r.units.len() + r.items.len();
        }
        out.push((
            "report: every unit and every item".into(),
            rows,
            median_of(times),
        ));
        let t = Instant::now();
        let (book, _) = self.inspection_report_workbook(&office, id).await?;
        out.push(("report as .xlsx".into(), book.len(), t.elapsed()));

        let (sheet, _) = self
            .questionnaire_workbook(&manager, id, fill.open_unit)
            .await?;
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let saved = self
                .upload_questionnaire(&manager, id, fill.open_unit, &sheet)
                .await?;
            times.push(t.elapsed());
            rows = saved.answered as usize;
        }
        out.push((
            format!(
                ".xlsx questionnaire upload ({} bytes), checked and saved",
                sheet.len()
            ),
            rows,
            median_of(times),
        ));
        Ok(out)
    }
}
