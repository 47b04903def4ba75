//! `mamori systems …`: the information systems register (第2(2)) in and out of
//! the store, as .xlsx or .csv (the same sheet as the pages and the API).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use mamori_app::Error;
use mamori_core::problem::Lang;
use mamori_core::table::ImportLimits;
use mamori_store::Store;
use mamori_store::assets::LedgerFormat;

#[derive(Debug, clap::Subcommand)]
pub enum SystemsCommand {
    /// Import systems (created or updated by code). Every row is checked
    /// first; then all rows are written, or none. Exit 0 when written, 1 when
    /// a row was refused (each named by its row and column), nothing written.
    Import {
        /// The file; its extension (.xlsx, .csv) says the format.
        file: PathBuf,
    },
    /// Export the register (retired systems too).
    Export {
        /// The file to write; its extension (.xlsx, .csv) says the format.
        file: PathBuf,
    },
}

fn format_of(path: &Path) -> anyhow::Result<LedgerFormat> {
    match LedgerFormat::from_path(path) {
        Some(f) => Ok(f),
        None => bail!(
            "{}: 拡張子は .xlsx か .csv にしてください / the file name must end in .xlsx or .csv",
            path.display()
        ),
    }
}

/// Runs the command; returns the exit code.
pub async fn run(cmd: SystemsCommand, store: &Store, limits: ImportLimits) -> anyhow::Result<i32> {
    let app = crate::operator(store, limits)?;
    match cmd {
        SystemsCommand::Import { file } => {
            let format = format_of(&file)?;
            let bytes = tokio::fs::read(&file)
                .await
                .with_context(|| format!("cannot read {}", file.display()))?;
            match app.operator_import_systems(&bytes, format).await {
                Ok((created, updated)) => {
                    println!(
                        "登録 {created} 件、更新 {updated} 件 / {created} created, {updated} updated"
                    );
                    Ok(0)
                }
                Err(e @ Error::Rejected(_)) => {
                    for p in e.problems() {
                        let at = match (p.row, p.field.as_deref()) {
                            (Some(r), Some(f)) => format!("{r}行 {f}: "),
                            (Some(r), None) => format!("{r}: "),
                            _ => String::new(),
                        };
                        eprintln!("{at}{}", p.message(Lang::Ja));
                        eprintln!("{at}{}", p.message(Lang::En));
                    }
                    eprintln!("何も登録していません / nothing was written");
                    Ok(1)
                }
                Err(e) => Err(e.into()),
            }
        }
        SystemsCommand::Export { file } => {
            let format = format_of(&file)?;
            let bytes = app.operator_export_systems(format).await?;
            tokio::fs::write(&file, &bytes)
                .await
                .with_context(|| format!("cannot write {}", file.display()))?;
            println!("{}", file.display());
            Ok(0)
        }
    }
}
