//! The register's benchmark, the store's half: a store filled to `n` assets
//! and the first page of the register under typical filters and scopes, and
//! the rows of a generated ledger. The bulk half (a 100,000-row ledger
//! imported as CSV and as .xlsx, exports) is the app's (`mamori_app::bench`),
//! since reading and writing files is. Not a timed test: run it with
//! `cargo bench -p mamori-app --bench assets` (see BENCHMARKS.md) or from the
//! command line, and read the figures. Built with the `demo` feature only.

use std::fmt;
use std::time::{Duration, Instant};

use mamori_core::asset::LedgerColumn;
use mamori_core::classification::Axis;

use super::demo::{Generator, ensure_reference_data, generate_assets};
use super::ledger::Names;
use super::write::Context;
use super::{AssetFilter, AssetScope, AssetSort, AssetSortKey};
use crate::{Actor, Db, PageRequest, Store, StoreError, db_run};

/// One measured query.
#[derive(Debug, Clone)]
pub struct BenchFigure {
    pub name: String,
    /// Median with the count bounded at [`COUNT_LIMIT`], in milliseconds.
    pub bounded_ms: f64,
    /// Median of the runs, in milliseconds.
    pub median_ms: f64,
    /// Slowest run, in milliseconds.
    pub max_ms: f64,
    /// The total the page reported (matching assets).
    pub total: i64,
}

/// What the benchmark measured.
#[derive(Debug, Clone)]
pub struct BenchReport {
    pub backend: &'static str,
    pub assets: i64,
    /// Time to add the assets that were missing, and how many.
    pub load: Option<(usize, Duration)>,
    pub pages: Vec<BenchFigure>,
    /// (what, rows, time)
    pub bulk: Vec<(String, usize, Duration)>,
}

const RUNS: usize = 7;

/// The count limit measured with [`Store::list_assets_bounded`].
pub const COUNT_LIMIT: i64 = 10_000;

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "### {} — {} assets", self.backend, self.assets)?;
        writeln!(f)?;
        if let Some((n, t)) = self.load {
            writeln!(
                f,
                "Loaded {n} assets (with one event each) in {:.1} s ({:.0} assets/s).",
                t.as_secs_f64(),
                n as f64 / t.as_secs_f64().max(1e-9)
            )?;
            writeln!(f)?;
        }
        writeln!(
            f,
            "| first page of the register (50 rows) | matching | exact count: median | max | count up to {COUNT_LIMIT}: median |"
        )?;
        writeln!(f, "|---|---:|---:|---:|---:|")?;
        for p in &self.pages {
            writeln!(
                f,
                "| {} | {} | {:.1} ms | {:.1} ms | {:.1} ms |",
                p.name, p.total, p.median_ms, p.max_ms, p.bounded_ms
            )?;
        }
        writeln!(f)?;
        writeln!(f, "| bulk operation | rows | time | rows/s |")?;
        writeln!(f, "|---|---:|---:|---:|")?;
        for (what, rows, t) in &self.bulk {
            writeln!(
                f,
                "| {what} | {rows} | {:.2} s | {:.0} |",
                t.as_secs_f64(),
                *rows as f64 / t.as_secs_f64().max(1e-9)
            )?;
        }
        Ok(())
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Fills the store to `n` assets (the demo city first when there are no
/// units) and brings the planner's statistics up to date. Returns how many
/// assets were added and how long it took (`None` when none were missing).
async fn fill(store: &Store, n: usize) -> Result<Option<(usize, Duration)>, StoreError> {
    let actor = Actor::System("bench");
    if store.unit_by_code("D01-S01").await?.is_none() {
        crate::demo::load_demo(store).await?;
    }
    ensure_reference_data(store, &actor).await?;
    let have = count_assets(&store.db).await?;
    let load = if (have as usize) < n {
        let missing = n - have as usize;
        let started = Instant::now();
        generate_assets(store, &actor, missing, 7 + have as u64).await?;
        Some((missing, started.elapsed()))
    } else {
        None
    };
    analyze(&store.db).await?;
    Ok(load)
}

/// Fills the store to `n` assets (the demo city first when there are no
/// units) and measures nothing else: the report has no figures yet.
pub async fn bench_fill(store: &Store, n: usize) -> Result<BenchReport, StoreError> {
    let load = fill(store, n).await?;
    Ok(BenchReport {
        backend: store.db.backend(),
        assets: count_assets(&store.db).await?,
        load,
        pages: Vec::new(),
        bulk: Vec::new(),
    })
}

/// Fills the store to `n` assets (the demo city is loaded first when there
/// are no units) and measures the register's first page under typical
/// filters and scopes. Writes through the same batched path as imports,
/// events included.
pub async fn bench_pages(store: &Store, n: usize) -> Result<BenchReport, StoreError> {
    let load = fill(store, n).await?;
    let assets = count_assets(&store.db).await?;

    let scheme = store.active_scheme().await?;
    let top = scheme
        .top(Axis::Confidentiality)
        .map(|l| l.code.clone())
        .unwrap_or_default();
    let two = scheme
        .levels_of(Axis::Confidentiality)
        .iter()
        .rev()
        .nth(1)
        .map(|l| l.code.clone())
        .unwrap_or_default();
    let unit = store
        .unit_by_code("D02-S01")
        .await?
        .map(|u| u.id)
        .unwrap_or(1);
    let dept = store.unit_by_code("D04").await?.map(|u| u.id).unwrap_or(1);
    let staff = AssetScope::units(vec![unit]);
    let auditor = AssetScope {
        units: None,
        top_units: Some(vec![]),
    };
    let all = AssetScope::unrestricted();
    let by_id = AssetSort::default();
    let first = PageRequest::new(Some(1), Some(50));
    // A word that names one asset: the serial number in a name from the middle.
    let middle = store
        .asset((assets / 2).max(1), &AssetScope::unrestricted())
        .await;
    let rare = middle
        .ok()
        .and_then(|a| a.record.name.split_whitespace().last().map(str::to_string))
        .unwrap_or_else(|| "第1号".to_string());

    type Case = (String, AssetFilter, AssetSort, PageRequest, AssetScope);
    let cases: Vec<Case> = vec![
        (
            "security office, no filter".into(),
            AssetFilter::default(),
            by_id,
            first,
            all.clone(),
        ),
        (
            "staff of one section (own unit scope)".into(),
            AssetFilter::default(),
            by_id,
            first,
            staff.clone(),
        ),
        (
            "filter by unit".into(),
            AssetFilter {
                unit_id: Some(unit),
                ..Default::default()
            },
            by_id,
            first,
            all.clone(),
        ),
        (
            "filter by department with its sections".into(),
            AssetFilter {
                unit_id: Some(dept),
                include_subunits: true,
                ..Default::default()
            },
            by_id,
            first,
            all.clone(),
        ),
        (
            format!("filter by confidentiality {top} (top)"),
            AssetFilter {
                confidentiality: Some(top.clone()),
                ..Default::default()
            },
            by_id,
            first,
            all.clone(),
        ),
        (
            format!("filter by confidentiality {two}"),
            AssetFilter {
                confidentiality: Some(two.clone()),
                ..Default::default()
            },
            by_id,
            first,
            all.clone(),
        ),
        (
            "flagged".into(),
            AssetFilter {
                flagged: Some(true),
                ..Default::default()
            },
            by_id,
            first,
            all.clone(),
        ),
        (
            "flagged, staff scope".into(),
            AssetFilter {
                flagged: Some(true),
                ..Default::default()
            },
            by_id,
            first,
            staff.clone(),
        ),
        (
            "text, common word (運用手順書)".into(),
            AssetFilter {
                text: Some("運用手順書".into()),
                ..Default::default()
            },
            by_id,
            first,
            all.clone(),
        ),
        (
            format!("text, one asset ({rare})"),
            AssetFilter {
                text: Some(rare.clone()),
                ..Default::default()
            },
            by_id,
            first,
            all.clone(),
        ),
        (
            "text within own unit, staff scope".into(),
            AssetFilter {
                text: Some("申請書".into()),
                ..Default::default()
            },
            by_id,
            first,
            staff.clone(),
        ),
        (
            "auditor scope (no top level)".into(),
            AssetFilter::default(),
            by_id,
            first,
            auditor,
        ),
        (
            "unit, sorted by name".into(),
            AssetFilter {
                unit_id: Some(unit),
                ..Default::default()
            },
            AssetSort {
                key: AssetSortKey::Name,
                descending: false,
            },
            first,
            all.clone(),
        ),
        (
            "unit, page 100".into(),
            AssetFilter {
                unit_id: Some(unit),
                ..Default::default()
            },
            by_id,
            PageRequest::new(Some(100), Some(50)),
            all.clone(),
        ),
    ];
    let mut pages = Vec::new();
    for (name, filter, sort, page, scope) in cases {
        let mut times = Vec::with_capacity(RUNS);
        let mut total = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let result = store.list_assets(&filter, sort, page, &scope).await?;
            times.push(started.elapsed());
            total = result.total;
        }
        times.sort();
        let mut bounded = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let started = Instant::now();
            store
                .list_assets_bounded(&filter, sort, page, &scope, COUNT_LIMIT)
                .await?;
            bounded.push(started.elapsed());
        }
        bounded.sort();
        pages.push(BenchFigure {
            bounded_ms: ms(bounded[RUNS / 2]),
            name,
            median_ms: ms(times[RUNS / 2]),
            max_ms: ms(times[RUNS - 1]),
            total,
        });
    }

    Ok(BenchReport {
        backend: store.db.backend(),
        assets,
        load,
        pages,
        bulk: Vec::new(),
    })
}

/// The number of assets in the store.
async fn count_assets(db: &Db) -> Result<i64, StoreError> {
    Ok(db_run!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM assets"
    )
    .fetch_one(pool)
    .await?))
}

/// Brings the planner's statistics up to date after a bulk load (autovacuum
/// would do it in time on PostgreSQL; the benchmark should not wait for it).
async fn analyze(db: &Db) -> Result<(), StoreError> {
    match db {
        Db::Sqlite(pool) => {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        Db::Pg(pool) => {
            sqlx::query("VACUUM ANALYZE assets").execute(pool).await?;
            sqlx::query("VACUUM ANALYZE events").execute(pool).await?;
        }
    }
    Ok(())
}

/// The rows of a ledger of `rows` new assets (no 資産番号), as a city would
/// import it, after its header (the ledger's columns).
pub async fn bench_ledger_rows(
    store: &Store,
    rows: usize,
    seed: u64,
) -> Result<(Vec<&'static str>, Vec<Vec<String>>), StoreError> {
    let scheme = store.active_scheme().await?;
    let ctx = &Context::load(store, &scheme).await?;
    let pairs = ensure_reference_data(store, &Actor::System("bench")).await?;
    let mut generator = Generator::new(ctx, &scheme, seed);
    generator.set_system_segments(&pairs);
    let names = Names::new(
        ctx.units.values().map(|u| u.name.as_str()),
        ctx.systems.values().map(|s| s.name.as_str()),
    );
    let headers: Vec<&'static str> = LedgerColumn::ALL.iter().map(|c| c.header()).collect();
    let cells_of = |_: usize| -> Vec<String> {
        let record = generator.record();
        let asset = super::Asset {
            id: 0,
            label: String::new(),
            confidentiality_rank: 0,
            is_top: false,
            flagged: false,
            flags: Vec::new(),
            owner_unit_code: ctx
                .units
                .get(&record.owner_unit_id)
                .map(|u| u.code.clone())
                .unwrap_or_default(),
            owner_unit_name: ctx
                .units
                .get(&record.owner_unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            system_code: record
                .system_id
                .and_then(|id| ctx.systems.get(&id))
                .map(|s| s.code.clone()),
            system_name: record
                .system_id
                .and_then(|id| ctx.systems.get(&id))
                .map(|s| s.name.clone()),
            segment_name: record
                .segment_id
                .and_then(|id| ctx.segments.get(&id))
                .map(|s| s.name.clone()),
            segment_role: None,
            created_at: String::new(),
            updated_at: String::new(),
            record,
        };
        let mut cells = names.cells(&asset);
        cells[0] = String::new();
        cells
    };
    Ok((headers, (0..rows).map(cells_of).collect()))
}
