//! `mamori policy …`: policy documents (基本方針, 対策基準, 実施手順) in and out
//! of the store as text: the 例規集 layout, Markdown or .docx.

use std::path::PathBuf;

use anyhow::{Context, bail};
use mamori_app::Error;
use mamori_app::policy_docs::{ImportInput, PolicyFile};
use mamori_core::policy_doc::parse::Format;
use mamori_core::policy_doc::write;
use mamori_core::problem::Lang;
use mamori_store::Store;

#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Import a document as a new draft version of the document CODE (created
    /// if new). Exit 0 imported (prints the number of articles and provisions),
    /// 1 nothing written (each line that could not be placed, with its line
    /// number), 2 unreadable.
    Import {
        /// The file (例規集 text, Markdown or .docx).
        file: PathBuf,
        /// The document's code (e.g. basic_policy, standards).
        #[arg(long)]
        code: String,
        /// basic, standard or procedure.
        #[arg(long)]
        level: String,
        /// The title (default: the file's first line).
        #[arg(long)]
        title: Option<String>,
        /// reiki, markdown or docx (default: told by the extension: .md, .docx,
        /// anything else reiki).
        #[arg(long)]
        format: Option<String>,
    },
    /// Export a version (default: the one in force, else the latest).
    Export {
        /// The document's code.
        code: String,
        /// The file to write.
        file: PathBuf,
        /// The version's number.
        #[arg(long)]
        version: Option<i64>,
        /// reiki, markdown or docx (default: told by the extension).
        #[arg(long)]
        format: Option<String>,
    },
}

fn print_problems(e: &Error) {
    for p in e.problems() {
        let row = p.row.map(|r| format!("{r}: ")).unwrap_or_default();
        eprintln!("{row}{}", p.message(Lang::Ja));
        eprintln!("{row}{}", p.message(Lang::En));
    }
}

/// Runs the command; returns the exit code.
pub async fn run(
    cmd: PolicyCommand,
    store: &Store,
    limits: mamori_core::table::ImportLimits,
) -> anyhow::Result<i32> {
    let app = crate::operator(store, limits)?;
    match cmd {
        PolicyCommand::Import {
            file,
            code,
            level,
            title,
            format,
        } => {
            let file_name = file.to_string_lossy();
            let Some(kind) = PolicyFile::told(format.as_deref(), &file_name) else {
                eprintln!(
                    "形式は reiki、markdown、docx のいずれかです / the format is reiki, markdown or docx"
                );
                return Ok(2);
            };
            let bytes = match tokio::fs::read(&file).await {
                Ok(b) => b,
                Err(e) => {
                    eprintln!(
                        "{} を読めません / cannot read {}: {e}",
                        file.display(),
                        file.display()
                    );
                    return Ok(2);
                }
            };
            let (text, format) = match app.policy_file_text(kind, bytes) {
                Ok(read) => read,
                Err(e) => {
                    eprintln!("{}:", file.display());
                    print_problems(&e);
                    return Ok(2);
                }
            };
            let input = ImportInput {
                code,
                level,
                title,
                format,
                text,
            };
            match app.operator_import_policy_doc(&input).await {
                Ok(done) => {
                    println!(
                        "{}: 第{}版（案）を取り込みました: 条 {} / 条項 {} — imported version {} (draft): {} articles, {} provisions",
                        done.document.code,
                        done.version.number,
                        done.articles,
                        done.provisions,
                        done.version.number,
                        done.articles,
                        done.provisions
                    );
                    Ok(0)
                }
                Err(e @ Error::Rejected(_)) => {
                    print_problems(&e);
                    eprintln!("何も登録していません / nothing was written");
                    Ok(1)
                }
                Err(e) => Err(e.into()),
            }
        }
        PolicyCommand::Export {
            code,
            file,
            version,
            format,
        } => {
            let Some(format) = PolicyFile::told(format.as_deref(), &file.to_string_lossy()) else {
                bail!("the format is reiki, markdown or docx");
            };
            let (doc, version, body) = match app.operator_export_policy_doc(&code, version).await {
                Ok(found) => found,
                Err(e @ Error::Rejected(_)) => {
                    print_problems(&e);
                    return Ok(2);
                }
                Err(e) => return Err(e.into()),
            };
            let bytes = match format {
                PolicyFile::Text(Format::Reiki) => write::reiki(&body).into_bytes(),
                PolicyFile::Text(Format::Markdown) => write::markdown(&body).into_bytes(),
                PolicyFile::Docx => {
                    mamori_sheet::docx::write_paragraphs(write::reiki(&body).lines())?
                }
            };
            tokio::fs::write(&file, bytes)
                .await
                .with_context(|| format!("cannot write {}", file.display()))?;
            println!(
                "{}: 第{}版を {} に書き出しました / exported version {} to {}",
                doc.code,
                version.number,
                file.display(),
                version.number,
                file.display()
            );
            Ok(0)
        }
    }
}
