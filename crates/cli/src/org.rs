//! `mamori org …`: the organisation and its staff from the HR system's export.

use std::path::PathBuf;

use anyhow::{Context, bail};
use mamori_core::table::ImportLimits;
use mamori_store::Store;
use mamori_store::assets::LedgerFormat;
use mamori_store::org_import::OrgImportKind;

#[derive(Debug, clap::Subcommand)]
pub enum OrgCommand {
    /// Import units (組織) or staff (職員) from a .csv or .xlsx file (see
    /// docs/org-import.md). Every row is checked first; then all rows are written,
    /// or none. Exit 0 when written, 1 when nothing was, 2 when unreadable.
    Import {
        /// The file; its extension (.xlsx, .csv) says the format.
        file: PathBuf,
        /// units or staff; told by the header row when left out.
        #[arg(long)]
        kind: Option<String>,
    },
}

/// Runs the command; returns the exit code.
pub async fn run(cmd: OrgCommand, store: &Store, limits: ImportLimits) -> anyhow::Result<i32> {
    match cmd {
        OrgCommand::Import { file, kind } => {
            let Some(format) = LedgerFormat::from_path(&file) else {
                bail!(
                    "{}: 拡張子は .xlsx か .csv にしてください / the file name must end in .xlsx or .csv",
                    file.display()
                );
            };
            let kind = kind
                .as_deref()
                .map(str::parse::<OrgImportKind>)
                .transpose()?;
            let bytes = tokio::fs::read(&file)
                .await
                .with_context(|| format!("cannot read {}", file.display()))?;
            let report = crate::operator(store, limits)?
                .operator_import_org(&bytes, format, kind)
                .await?;
            print!("{report}");
            Ok(crate::assets::exit_code(
                report.report.written,
                report.report.unreadable,
            ))
        }
    }
}
