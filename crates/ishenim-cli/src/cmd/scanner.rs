//! `ishenim scanner devices`, `ishenim scanner scan --opening ID [--device NAME]
//! [--source NAME]` and `ishenim scanner store-left --opening ID`: the office scanner
//! through SANE (`scanimage`). Pages are stored as
//! they come (the upload path, see `ishenim_inbox::scan_into`), read while the scanner
//! feeds, then drafted. A jam, an empty feeder or a missing scanner is said in Kyrgyz and
//! Russian; pages scanned before it stay stored. Exit codes: 0 scanned and drafted,
//! 1 the scanner stopped with a problem (what was scanned is kept), 2 usage or store error.
//! `store-left` stores, without scanning, the pages a scan killed with its process left in
//! the opening's work folder (the web's "Store the pages now"), then reads and drafts them:
//! exit 0, or 1 when a page went to `scanner/failed/` or a scan is still writing there.

use crate::cmd::ctx::{Global, ScanFlags};
use anyhow::Context;
use ishenim_inbox::{sane, scan_into, scan_settings, ScanError};
use ishenim_ingest::{draft_scanned, scan_pending, Summary};
use ishenim_store::OpeningId;
use std::process::ExitCode;
use std::time::Duration;

/// `ishenim scanner ...`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Scanners SANE can see (`scanimage -L`), with their paper sources.
    Devices,
    /// Scan a stack into an opening (feeder and duplex when the device has them).
    Scan {
        /// The box opening the pages belong to.
        #[arg(long)]
        opening: OpeningId,
        /// SANE device (default: the register's `scanner_device` setting).
        #[arg(long)]
        device: Option<String>,
        /// Paper source (default: the `scanner_source` setting; `auto`).
        #[arg(long)]
        source: Option<String>,
        /// Print the summary as one JSON object.
        #[arg(long)]
        json: bool,
        /// Scanner flags (Tesseract).
        #[command(flatten)]
        scan: ScanFlags,
    },
    /// Store the pages a killed scan left in the opening's work folder, without scanning;
    /// half-written pages are removed; then read and draft them.
    StoreLeft {
        /// The box opening whose work folder is emptied.
        #[arg(long)]
        opening: OpeningId,
        /// Scanner flags (Tesseract).
        #[command(flatten)]
        scan: ScanFlags,
    },
}

/// Runs the command.
pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Devices => {
            let list = sane::devices().map_err(|p| anyhow::anyhow!(p.message()))?;
            if list.is_empty() {
                println!("{}", sane::Problem::NoDevice.message());
                return Ok(ExitCode::from(1));
            }
            for d in list {
                let sources = sane::sources(&d.name).unwrap_or_default();
                println!("{}\t{}\t{}", d.name, d.label, sources.join(" | "));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Scan {
            opening,
            device,
            source,
            json,
            scan,
        } => scan_cmd(global, opening, device, source, json, scan),
        Command::StoreLeft { opening, scan } => store_left(global, opening, &scan),
    }
}

/// `scanner store-left`: what the web's button does, for an office without the web or a
/// server that is down. Refused while a `scanimage` still writes into the folder (a scan
/// stores its own pages).
fn store_left(global: &Global, opening: OpeningId, scan: &ScanFlags) -> anyhow::Result<ExitCode> {
    let models = global.models()?;
    let store = global.store()?;
    store
        .get_opening(opening)
        .with_context(|| format!("opening {opening}"))?;
    if ishenim_inbox::scan_running_into(&store, opening) {
        println!("{}", sane::Problem::Busy.message());
        return Ok(ExitCode::from(1));
    }
    let parts = ishenim_inbox::left_pages(&store, opening).parts;
    let mut sum = Summary {
        opening: opening.0,
        ..Summary::default()
    };
    let round = ishenim_inbox::store_left_pages(&store, opening, &mut sum)?;
    let mut failed = 0;
    crate::cmd::watch::print_events(&round.events, &mut failed);
    let taken = round
        .events
        .iter()
        .filter(|e| matches!(e, ishenim_inbox::Event::Taken { .. }))
        .count();
    println!(
        "opening {opening}: {taken} page(s) stored, {failed} failed (kept in \
         scanner/failed/), {parts} half page(s) removed"
    );
    scan_pending(&store, opening, &scan.options(), &mut sum, |_| {})?;
    draft_scanned(&store, opening, &models, &mut sum)?;
    println!(
        "opening {opening}: {} files scanned ({} pages), {} quarantined, {} new drafts",
        sum.files_scanned, sum.pages_saved, sum.quarantined, sum.drafts_new
    );
    Ok(ExitCode::from(if failed > 0 { 1 } else { 0 }))
}

fn scan_cmd(
    global: &Global,
    opening: OpeningId,
    device: Option<String>,
    source: Option<String>,
    json: bool,
    scan: ScanFlags,
) -> anyhow::Result<ExitCode> {
    let models = global.models()?;
    let store = global.store()?;
    store
        .get_opening(opening)
        .with_context(|| format!("opening {opening}"))?;
    let settings = match scan_settings(&store, device.as_deref(), source.as_deref()) {
        Ok(s) => s,
        Err(ScanError::Scanner(p)) => return problem(&p, json),
        Err(e) => return Err(e.into()),
    };
    let mut sum = Summary {
        opening: opening.0,
        ..Summary::default()
    };
    let opts = scan.options();
    let mut failed = None;
    let outcome = scan_into(
        &store,
        opening,
        &settings,
        Duration::from_millis(300),
        &std::sync::atomic::AtomicBool::new(false),
        &mut Summary::default(),
        |r| {
            // Read the pages stored so far while the scanner goes on feeding.
            if failed.is_none() && !r.openings.is_empty() {
                failed = scan_pending(&store, opening, &opts, &mut sum, |_| {}).err();
            }
        },
    );
    let outcome = match outcome {
        Ok(o) => o,
        Err(ScanError::Scanner(p)) => return problem(&p, json),
        Err(e) => return Err(e.into()),
    };
    if let Some(e) = failed {
        return Err(e.into());
    }
    scan_pending(&store, opening, &opts, &mut sum, |_| {})?;
    draft_scanned(&store, opening, &models, &mut sum)?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "pages": outcome.pages,
                "problem": outcome.problem.as_ref().map(|p| p.key()),
                "message": outcome.problem.as_ref().map(|p| p.message()),
                "summary": sum,
            })
        );
    } else {
        println!(
            "opening {opening}: {} pages scanned, {} read, {} quarantined, {} new drafts",
            outcome.pages, sum.pages_saved, sum.quarantined, sum.drafts_new
        );
        if let Some(problem) = &outcome.problem {
            println!("{}", problem.message());
        }
    }
    Ok(ExitCode::from(if outcome.problem.is_some() {
        1
    } else {
        0
    }))
}

fn problem(p: &sane::Problem, json: bool) -> anyhow::Result<ExitCode> {
    if json {
        println!(
            "{}",
            serde_json::json!({"pages": 0, "problem": p.key(), "message": p.message()})
        );
    } else {
        println!("{}", p.message());
    }
    Ok(ExitCode::from(1))
}
