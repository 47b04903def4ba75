//! `mamori assets …`: the asset ledger (情報資産管理台帳) in and out of the store.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use mamori_core::asset::{AssetKind, Lifecycle};
use mamori_core::table::ImportLimits;
use mamori_store::Store;
use mamori_store::assets::{AssetFilter, ImportMode, LedgerFormat};

#[derive(Debug, clap::Subcommand)]
pub enum AssetsCommand {
    /// Import a ledger (.xlsx or .csv). Every row is checked first; then all rows
    /// are written, or none. Exit 0 when written, 1 when nothing was, 2 when the
    /// file cannot be read (damaged, not a spreadsheet, or beyond an `[import]`
    /// limit of mamori.toml).
    Import {
        /// The ledger file; its extension (.xlsx, .csv) says the format.
        file: PathBuf,
        /// Why the file changes assets' classification (格付けの変更理由), kept
        /// in the log; a file that changes levels is refused without it.
        #[arg(long)]
        reason: Option<String>,
        /// Check the file and print what it would create and change (with
        /// the values read as something else and names already in use),
        /// writing nothing. Exit 0 when it would be taken, 1 when not.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export the register, or the part the filters select, as a ledger.
    Export {
        /// The file to write; its extension (.xlsx, .csv) says the format.
        file: PathBuf,
        /// Only the assets of this unit (code or name), and of the units below it.
        #[arg(long)]
        unit: Option<String>,
        /// Only this kind (e.g. 電子情報, equipment).
        #[arg(long)]
        kind: Option<String>,
        /// Only this confidentiality level (e.g. 3A).
        #[arg(long)]
        confidentiality: Option<String>,
        /// Only this integrity level.
        #[arg(long)]
        integrity: Option<String>,
        /// Only this availability level.
        #[arg(long)]
        availability: Option<String>,
        /// Only the assets in this network segment (its name).
        #[arg(long)]
        segment: Option<String>,
        /// Only this state (登録, 使用中, 廃棄).
        #[arg(long)]
        state: Option<String>,
        /// Only the assets some consistency check flags.
        #[arg(long)]
        flagged: bool,
        /// Only the assets whose texts contain all these words.
        #[arg(long)]
        text: Option<String>,
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

/// An import's exit code: 0 written, 1 checked and nothing written, 2 unreadable.
pub fn exit_code(written: bool, unreadable: bool) -> i32 {
    match (written, unreadable) {
        (true, _) => 0,
        (false, false) => 1,
        (false, true) => 2,
    }
}

/// Runs the command; returns the exit code.
pub async fn run(cmd: AssetsCommand, store: &Store, limits: ImportLimits) -> anyhow::Result<i32> {
    match cmd {
        AssetsCommand::Import {
            file,
            reason,
            dry_run,
        } => {
            let format = format_of(&file)?;
            let mode = if dry_run {
                ImportMode::Preview
            } else {
                ImportMode::Commit
            };
            let bytes = tokio::fs::read(&file)
                .await
                .with_context(|| format!("cannot read {}", file.display()))?;
            let report = crate::operator(store, limits)?
                .operator_import_ledger(&bytes, format, reason.as_deref(), mode)
                .await?;
            print!("{report}");
            let taken = report.written || (report.preview && report.errors.is_empty());
            Ok(exit_code(taken, report.unreadable))
        }
        AssetsCommand::Export {
            file,
            unit,
            kind,
            confidentiality,
            integrity,
            availability,
            segment,
            state,
            flagged,
            text,
        } => {
            let format = format_of(&file)?;
            let mut filter = AssetFilter {
                confidentiality,
                integrity,
                availability,
                flagged: flagged.then_some(true),
                text,
                ..AssetFilter::default()
            };
            if let Some(unit) = unit {
                let found = match store.unit_by_code(unit.trim()).await? {
                    Some(u) => Some(u),
                    None => store
                        .all_units()
                        .await?
                        .into_iter()
                        .find(|u| u.name == unit.trim()),
                };
                let Some(found) = found else {
                    bail!("所管課「{unit}」がありません / no unit '{unit}'");
                };
                filter.unit_id = Some(found.id);
                filter.include_subunits = true;
            }
            if let Some(kind) = kind {
                filter.kind = Some(AssetKind::parse(&kind).with_context(|| {
                    format!("種別「{kind}」は使えません / unknown kind '{kind}'")
                })?);
            }
            if let Some(state) = state {
                filter.lifecycle = Some(Lifecycle::parse(&state).with_context(|| {
                    format!("状態「{state}」は使えません / unknown state '{state}'")
                })?);
            }
            if let Some(segment) = segment {
                let Some(found) = store.segment_by_name(&segment).await? else {
                    bail!("ネットワーク区分「{segment}」がありません / no segment '{segment}'");
                };
                filter.segment_id = Some(found.id);
            }
            // Written to a temporary file first, so that a failed export never
            // leaves half a ledger under the asked-for name.
            let tmp = file.with_extension(format!("{}.part", format.extension()));
            let out = std::fs::File::create(&tmp)
                .with_context(|| format!("cannot create {}", tmp.display()))?;
            let mut out = BufWriter::new(out);
            let written = crate::operator(store, limits)?
                .operator_export_ledger(&filter, format, &mut out)
                .await;
            let written = match written {
                Ok(n) => n,
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(e.into());
                }
            };
            out.flush()?;
            drop(out);
            std::fs::rename(&tmp, &file)
                .with_context(|| format!("cannot write {}", file.display()))?;
            println!(
                "{}件の資産を {} に書き出しました / exported {written} assets to {}",
                written,
                file.display(),
                file.display()
            );
            Ok(0)
        }
    }
}
