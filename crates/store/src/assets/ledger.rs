//! The ledger (情報資産管理台帳) as rows of text: the export of the register,
//! read in batches and handed row by row to a [`RowSink`] (the app's
//! spreadsheet writer), so that a register of any size never sits in memory.

use std::collections::HashMap;

use mamori_core::asset::{LedgerColumn, flag_ja};
use sqlx::QueryBuilder;

use super::{
    ASSET_COLUMNS, ASSET_JOINS, Asset, AssetFilter, AssetRow, AssetScope, push_conditions,
};
use crate::{Actor, Store, StoreError, db_run};

pub use mamori_core::table::LedgerFormat;

/// Rows an export reads per query.
const EXPORT_BATCH: i64 = 2000;

/// Where the rows of an export go as the store reads them: the app holds the
/// spreadsheet writer behind it. `finish` is called once every row is handed
/// over, before the export is logged, so that a file that could not be
/// completed is not recorded as exported.
pub trait RowSink: Send {
    /// One asset's row, its number first.
    fn row(&mut self, id: i64, cells: &[String]) -> Result<(), StoreError>;
    /// Completes the file; returns the rows written.
    fn finish(&mut self) -> Result<u64, StoreError>;
}

/// How the export names units and systems: by name where the name is unique,
/// by code otherwise, so that the import finds the same one again.
pub(crate) struct Names {
    unit_name_count: HashMap<String, usize>,
    system_name_count: HashMap<String, usize>,
}

impl Names {
    pub(crate) fn new<'a>(
        unit_names: impl Iterator<Item = &'a str>,
        system_names: impl Iterator<Item = &'a str>,
    ) -> Names {
        let count = |names: &mut dyn Iterator<Item = &'a str>| {
            let mut m: HashMap<String, usize> = HashMap::new();
            for n in names {
                *m.entry(n.to_string()).or_default() += 1;
            }
            m
        };
        Names {
            unit_name_count: count(&mut unit_names.into_iter()),
            system_name_count: count(&mut system_names.into_iter()),
        }
    }

    fn unit(&self, a: &Asset) -> String {
        if self.unit_name_count.get(&a.owner_unit_name) == Some(&1) {
            a.owner_unit_name.clone()
        } else {
            a.owner_unit_code.clone()
        }
    }

    fn system(&self, a: &Asset) -> String {
        match (&a.system_name, &a.system_code) {
            (Some(name), _) if self.system_name_count.get(name) == Some(&1) => name.clone(),
            (_, Some(code)) => code.clone(),
            _ => String::new(),
        }
    }

    /// The cells of one asset, in the order of [`LedgerColumn::ALL`].
    pub(crate) fn cells(&self, a: &Asset) -> Vec<String> {
        let r = &a.record;
        LedgerColumn::ALL
            .iter()
            .map(|column| match column {
                LedgerColumn::Id => a.id.to_string(),
                LedgerColumn::Name => r.name.clone(),
                LedgerColumn::Kind => r.kind.name_ja().to_string(),
                LedgerColumn::Description => r.description.clone(),
                LedgerColumn::OwnerUnit => self.unit(a),
                LedgerColumn::Administrator => r.administrator.clone(),
                LedgerColumn::Location => r.location.clone(),
                LedgerColumn::System => self.system(a),
                LedgerColumn::Segment => a.segment_name.clone().unwrap_or_default(),
                LedgerColumn::Confidentiality => r.confidentiality.clone(),
                LedgerColumn::Integrity => r.integrity.clone(),
                LedgerColumn::Availability => r.availability.clone(),
                LedgerColumn::Label => a.label.clone(),
                LedgerColumn::PersonalInfo => flag_ja(r.personal_info).to_string(),
                LedgerColumn::MyNumber => flag_ja(r.my_number).to_string(),
                LedgerColumn::Retention => r.retention.clone(),
                LedgerColumn::State => r.lifecycle.name_ja().to_string(),
                LedgerColumn::DisposedOn => r.disposed_on.clone().unwrap_or_default(),
                LedgerColumn::DisposalMethod => r.disposal_method.clone().unwrap_or_default(),
                LedgerColumn::DisposalConfirmedBy => {
                    r.disposal_confirmed_by.clone().unwrap_or_default()
                }
                LedgerColumn::Notes => r.notes.clone(),
            })
            .collect()
    }
}

impl Store {
    /// Hands the register (or the part of it that `filter` and `scope` let
    /// through) to `out` row by row as a ledger, reading it in batches of a few
    /// thousand assets so that a register of any size never sits in memory at
    /// once. Once `out` is finished, the export is an event of the log
    /// (format, filters, rows), whoever asked: page, API or command line.
    /// Returns the number of assets written.
    pub async fn export_ledger(
        &self,
        actor: &Actor,
        filter: &AssetFilter,
        scope: &AssetScope,
        format: LedgerFormat,
        out: &mut dyn RowSink,
    ) -> Result<u64, StoreError> {
        let (units, systems): (Vec<String>, Vec<String>) = db_run!(&self.db, |pool| {
            let units: Vec<String> = sqlx::query_scalar("SELECT name FROM units")
                .fetch_all(pool)
                .await?;
            let systems: Vec<String> = sqlx::query_scalar("SELECT name FROM information_systems")
                .fetch_all(pool)
                .await?;
            (units, systems)
        });
        let names = Names::new(
            units.iter().map(String::as_str),
            systems.iter().map(String::as_str),
        );
        let mut last_id = 0_i64;
        loop {
            let rows: Vec<AssetRow> = db_run!(&self.db, |pool| {
                let mut qb = QueryBuilder::new(format!(
                    "SELECT {ASSET_COLUMNS} FROM (SELECT * FROM assets a WHERE a.id > "
                ));
                qb.push_bind(last_id);
                if !push_conditions(&mut qb, filter, scope) {
                    break;
                }
                qb.push(" ORDER BY a.id LIMIT ")
                    .push_bind(EXPORT_BATCH)
                    .push(format_args!(") a {ASSET_JOINS} ORDER BY a.id"));
                qb.build_query_as().fetch_all(pool).await?
            });
            let done = (rows.len() as i64) < EXPORT_BATCH;
            for row in rows {
                let asset = Asset::try_from(row)?;
                last_id = asset.id;
                let cells = names.cells(&asset);
                out.row(asset.id, &cells)?;
            }
            if done {
                break;
            }
        }
        let written = out.finish()?;
        self.record_export(
            actor,
            "assets",
            &serde_json::json!({"format": format, "filter": filter, "rows": written}),
        )
        .await?;
        Ok(written)
    }
}
