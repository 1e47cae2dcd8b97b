//! `ishenim quarantine list|retry`: files that could not be read, with their reasons.
//! A retried file goes back into the pipeline; `ishenim ingest --opening ID` (with or
//! without paths) then scans and drafts it.

use crate::cmd::ctx::Global;
use anyhow::Context;
use ishenim_store::FileId;
use std::io::Write;
use std::process::ExitCode;

/// `ishenim quarantine ...`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Quarantined files, oldest first, with reason and retry count.
    List {
        /// One JSON object per file.
        #[arg(long)]
        json: bool,
    },
    /// Send files back into the pipeline (then rerun `ishenim ingest --opening ID`).
    Retry {
        /// File ids (as listed).
        #[arg(required = true)]
        ids: Vec<FileId>,
    },
}

/// Runs the command.
pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    let store = global.existing_store()?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        Command::List { json } => {
            let list = store.list_quarantine()?;
            for f in &list {
                if json {
                    serde_json::to_writer(&mut out, f)?;
                    writeln!(out)?;
                } else {
                    writeln!(
                        out,
                        "file {} (opening {}, {}, {} bytes, {} retries): {}",
                        f.id,
                        f.opening_id,
                        f.original_name,
                        f.size,
                        f.retries,
                        f.reason.as_deref().unwrap_or("")
                    )?;
                }
            }
            if !json {
                writeln!(out, "{} quarantined files", list.len())?;
            }
        }
        Command::Retry { ids } => {
            for id in ids {
                let status = store
                    .retry_quarantined(id)
                    .with_context(|| format!("retrying file {id}"))?;
                let file = store.get_file(id)?;
                writeln!(
                    out,
                    "file {id} is {} again; run `ishenim ingest --opening {}`",
                    status.as_str(),
                    file.opening_id
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
