//! `ishenim serve --inbox DIR`: the watched scan folder beside the web queue. A thread
//! looks at the folder every [`crate::Config::inbox_poll_ms`]; complete files are stored
//! (the upload path), moved to `DIR/done/`, and their opening is queued for the ingest
//! worker, so the opening's page shows their progress like an upload's. Files the scan
//! quarantines move on to `DIR/failed/` with the reason (see `ishenim-inbox`), also those a
//! stopped server had left in `done/` ([`Inbox::resume`] at start).

use crate::AppState;
use ishenim_inbox::{Event, Inbox, InboxOptions};
use ishenim_ingest::Summary;
use std::time::Duration;

/// Starts the inbox thread when `--inbox` was given.
pub fn start(state: &AppState) {
    let Some(dir) = state.config.inbox.clone() else {
        return;
    };
    let mut inbox = match Inbox::new(&dir, InboxOptions::default()) {
        Ok(i) => i,
        Err(e) => {
            tracing::error!("scan folder {} unusable: {e}", dir.display());
            return;
        }
    };
    tracing::info!(
        "watching the scan folder {} (done/, failed/ inside)",
        dir.display()
    );
    // Files a stopped server moved to done/ but did not see through to the end.
    match inbox.resume(&state.store) {
        Ok(events) => log(&events),
        Err(e) => tracing::error!("scan folder: resume: {e}"),
    }
    let state = state.clone();
    let poll = Duration::from_millis(state.config.inbox_poll_ms.max(50));
    let spawned = std::thread::Builder::new()
        .name("inbox".into())
        .spawn(move || loop {
            if let Err(e) = round(&state, &mut inbox) {
                tracing::error!("scan folder: {e}");
            }
            std::thread::sleep(poll);
        });
    if let Err(e) = spawned {
        tracing::error!("cannot start the scan folder thread: {e}");
    }
}

fn round(state: &AppState, inbox: &mut Inbox) -> Result<(), ishenim_inbox::InboxError> {
    let mut sum = Summary::default();
    let polled = inbox.poll(&state.store, None, &mut sum)?;
    log(&polled.events);
    for &opening in &polled.openings {
        state.jobs.enqueue(opening);
    }
    if inbox.unsettled() > 0 {
        log(&inbox.settle(&state.store)?);
    }
    Ok(())
}

/// The folder's events as log lines (the CLI's `watch` prints them as its own output lines
/// instead, see `print_events` there).
fn log(events: &[Event]) {
    for e in events {
        match e {
            Event::Taken {
                name,
                file,
                opening,
                new,
            } => tracing::info!(
                "scan folder: {name} taken as file {file} of opening {opening}{}",
                if *new {
                    ""
                } else {
                    " (already in the register)"
                }
            ),
            Event::Failed { name, reason } => {
                tracing::warn!("scan folder: {name} moved to failed/: {reason}")
            }
            Event::Waiting { name, why } => tracing::info!("scan folder: {name}: {why}"),
        }
    }
}
