//! `ishenim backup FILE` and `ishenim restore FILE [--force]`.

use crate::cmd::ctx::{head_line, Global};
use anyhow::Context;
use ishenim_store::Store;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `ishenim backup`.
#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// Archive to write (replaced atomically if it exists).
    pub file: PathBuf,
}

/// Flags of `ishenim restore`.
#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// Archive written by `ishenim backup`.
    pub file: PathBuf,
    /// Replace an existing register (it is moved aside, never deleted).
    #[arg(long)]
    pub force: bool,
}

/// Writes a consistent backup (safe while another process ingests or approves).
pub fn backup(args: BackupArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let store = global.existing_store()?;
    let rep = store
        .backup(&args.file, &global.user())
        .with_context(|| format!("writing the backup {}", args.file.display()))?;
    println!(
        "backup {}: {} entries, {} originals, {} bytes; {}",
        rep.path.display(),
        rep.entries,
        rep.files,
        rep.bytes,
        head_line(&rep.head)
    );
    Ok(ExitCode::SUCCESS)
}

/// Restores an archive into the data folder after checking it whole.
pub fn restore(args: RestoreArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let rep = Store::restore(&args.file, &global.data, args.force)
        .with_context(|| format!("restoring {}", args.file.display()))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "restored into {}: {} entries, {} originals; {}",
        rep.data_dir.display(),
        rep.entries,
        rep.files,
        head_line(&rep.head)
    )?;
    if let Some(old) = rep.replaced {
        writeln!(out, "the previous register was moved to {}", old.display())?;
    }
    Ok(ExitCode::SUCCESS)
}
