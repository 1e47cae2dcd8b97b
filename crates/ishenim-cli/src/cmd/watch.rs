//! `ishenim watch DIR [--opening ID] [--once]`: the watched scan folder from the command
//! line (see the `ishenim-inbox` crate for when a file counts as complete).
//!
//! Files in `DIR/<opening id>/` go to that opening, files directly in `DIR/` to `--opening`
//! (default: the newest opening). Each poll stores the complete files through the upload
//! path, moves them to `DIR/done/`, then scans and drafts them like `ishenim ingest`; a
//! file that cannot be stored or is quarantined goes to `DIR/failed/` with
//! `NAME.reason.txt`. `--once` looks twice (one poll apart), handles what is complete and
//! exits: 0 all taken files read, 1 some failed, 2 usage or store error.

use crate::cmd::ctx::{Global, ScanFlags};
use anyhow::Context;
use ishenim_inbox::{Event, Inbox, InboxOptions};
use ishenim_ingest::{draft_scanned, scan_pending, Summary};
use ishenim_store::{OpeningId, Store};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Flags of `ishenim watch`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scan folder: `DIR/<opening id>/` for each opening, or files straight in `DIR/`.
    pub dir: PathBuf,
    /// Opening of the files straight in `DIR/` (default: the newest opening).
    #[arg(long)]
    pub opening: Option<OpeningId>,
    /// Handle what is complete now and exit (two looks one poll apart).
    #[arg(long)]
    pub once: bool,
    /// Milliseconds between two looks at the folder.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    pub poll_ms: u64,
    /// Scanner flags.
    #[command(flatten)]
    pub scan: ScanFlags,
}

/// Runs the command.
pub fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let models = global.models()?;
    let store = global.store()?;
    if let Some(opening) = args.opening {
        store
            .get_opening(opening)
            .with_context(|| format!("opening {opening}"))?;
    }
    let mut inbox = Inbox::new(&args.dir, InboxOptions::default())
        .with_context(|| format!("scan folder {}", args.dir.display()))?;
    let poll = Duration::from_millis(args.poll_ms.max(50));
    let mut failed = 0usize;
    println!(
        "ishenim: watching {} (done: {}/done, failed: {}/failed)",
        args.dir.display(),
        args.dir.display(),
        args.dir.display()
    );
    resume(&store, &args.scan, &models)?;
    // Files a stopped run moved to done/ and the resume just read (or quarantined before).
    print_events(&inbox.resume(&store)?, &mut failed);
    if args.once {
        // First look: remembers sizes; the second, one poll later, takes what held still.
        let mut sum = Summary::default();
        let first_look = inbox.poll(&store, args.opening, &mut sum)?;
        print_events(&first_look.events, &mut failed);
        std::thread::sleep(poll);
    }
    loop {
        let mut sum = Summary::default();
        let round = inbox.poll(&store, args.opening, &mut sum)?;
        print_events(&round.events, &mut failed);
        for &opening in &round.openings {
            ingest(&store, opening, &args.scan, &models, &mut sum)?;
        }
        print_events(&inbox.settle(&store)?, &mut failed);
        if args.once {
            if round.waiting > 0 {
                println!(
                    "ishenim: {} file(s) not complete yet, left in the folder",
                    round.waiting
                );
            }
            break;
        }
        std::thread::sleep(poll);
    }
    Ok(ExitCode::from(if failed == 0 { 0 } else { 1 }))
}

/// Finishes what a stopped run left: files stored (and moved) but not yet scanned or
/// drafted.
fn resume(store: &Store, scan: &ScanFlags, models: &ishenim_draft::Models) -> anyhow::Result<()> {
    for opening in store.list_openings()? {
        if !store.files_pending(opening.id)?.is_empty() {
            let mut sum = Summary::default();
            ingest(store, opening.id, scan, models, &mut sum)?;
        }
    }
    Ok(())
}

/// Scans and drafts the stored files of one opening (the stages of `ishenim ingest`).
fn ingest(
    store: &Store,
    opening: OpeningId,
    scan: &ScanFlags,
    models: &ishenim_draft::Models,
    sum: &mut Summary,
) -> anyhow::Result<()> {
    sum.opening = opening.0;
    scan_pending(store, opening, &scan.options(), sum, |_| {})?;
    draft_scanned(store, opening, models, sum)?;
    println!(
        "opening {opening}: {} files scanned ({} pages), {} quarantined, {} new drafts",
        sum.files_scanned, sum.pages_saved, sum.quarantined, sum.drafts_new
    );
    Ok(())
}

/// The folder's events as the command's output lines (`TAKEN`, `FAILED`, `WAITING`, which
/// scripts read), counting the failures for the exit code. The web's `inbox::log` matches
/// the same events but writes log lines in its own words and counts nothing, so the two
/// share the shape of the `match` only.
pub(crate) fn print_events(events: &[Event], failed: &mut usize) {
    for e in events {
        match e {
            Event::Taken {
                name,
                file,
                opening,
                new,
            } => println!(
                "TAKEN {name}: file {file} of opening {opening}{}",
                if *new {
                    ""
                } else {
                    " (already in the register)"
                }
            ),
            Event::Failed { name, reason } => {
                *failed += 1;
                println!("FAILED {name}: {reason}");
            }
            Event::Waiting { name, why } => println!("WAITING {name}: {why}"),
        }
    }
}
