//! `ishenim`: the command-line entry point. A thin shell: parse flags, call the library
//! crates, print, and turn the outcome into an exit code (0 ok, 1 some inputs failed,
//! 2 usage error).

mod cmd;
mod inputs;
mod score;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Ishenim: trust-box appeals from scanned letters to a numbered journal.
#[derive(Parser)]
#[command(name = "ishenim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    global: cmd::ctx::Global,
}

#[derive(Subcommand)]
enum Command {
    /// Read scanned pages (PNG, JPEG, TIFF, PDF; files or folders) and print or write their text.
    Scan(cmd::scan::Args),
    /// Compare `ishenim scan` with raw `tesseract -l kir` on a corpus with truth.jsonl.
    Bench(cmd::bench::Args),
    /// Scan pages and propose journal entries, one per letter (nothing is stored).
    Draft(cmd::draft::Args),
    /// Score drafting on a corpus with truth.jsonl (grouping, fields, corruption F1).
    Eval(cmd::eval::Args),
    /// Box openings: record one (prints its id), list them, print an act.
    #[command(subcommand)]
    Opening(cmd::opening::Command),
    /// Store, scan and draft the scans of an opening (resumable; rerun to continue).
    Ingest(cmd::ingest::Args),
    /// The review queue: list, show, approve (assigns serials), reject.
    #[command(subcommand)]
    Drafts(cmd::drafts::Command),
    /// The numbered journal: list, show, verify, export; amendments, follow-up, deadlines.
    #[command(subcommand)]
    Journal(cmd::journal::Command),
    /// The working-day calendar for deadlines: holidays and moved working days.
    #[command(subcommand)]
    Calendar(cmd::calendar::Command),
    /// Register settings: deadlines, anonymous appeals, backup folder (show, set).
    #[command(subcommand)]
    Settings(cmd::settings::Command),
    /// Users of the web queue.
    #[command(subcommand)]
    User(cmd::user::Command),
    /// Files that could not be read: list them with reasons, send them back for a retry.
    #[command(subcommand)]
    Quarantine(cmd::quarantine::Command),
    /// Receipt codes for anonymous follow-up: print slips, the notice-board list, link a code.
    #[command(subcommand)]
    Receipts(cmd::receipts::Command),
    /// What a receipt code's appeal has come to: box date, registration number, stage
    /// (exit 0 found, 1 nothing for this code, 2 not a valid code).
    Status(cmd::receipts::StatusArgs),
    /// The half-year analysis of appeals: charts and tables as a printable A4 page, CSV or Excel.
    Report(cmd::report::Args),
    /// Full-text search of the approved appeals (any Kyrgyz or Russian word form).
    Search(cmd::search::Args),
    /// Write a consistent backup archive of the register.
    Backup(cmd::backup::BackupArgs),
    /// Restore a backup archive into the data folder.
    Restore(cmd::backup::RestoreArgs),
    /// Check this PC and the register: Tesseract, OMP setting, disk, database, chain,
    /// originals, backups (exit 0 ok, 1 warnings, 2 failures).
    Doctor(cmd::doctor::Args),
    /// Serve the web queue (review, openings, journal) on 127.0.0.1:8080.
    Serve(cmd::serve::Args),
    /// Watch a scan folder: take complete files from DIR/<opening id>/ (or DIR/), store,
    /// scan and draft them, move them to DIR/done/ (or DIR/failed/ with the reason).
    Watch(cmd::watch::Args),
    /// The office scanner through SANE: list devices, scan a stack into an opening.
    #[command(subcommand)]
    Scanner(cmd::scanner::Command),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Scan(a) => cmd::scan::run(a),
        Command::Bench(a) => cmd::bench::run(a),
        Command::Draft(a) => cmd::draft::run(a, &cli.global),
        Command::Eval(a) => cmd::eval::run(a, &cli.global),
        Command::Opening(c) => cmd::opening::run(c, &cli.global),
        Command::Ingest(a) => cmd::ingest::run(a, &cli.global),
        Command::Drafts(c) => cmd::drafts::run(c, &cli.global),
        Command::Journal(c) => cmd::journal::run(c, &cli.global),
        Command::Calendar(c) => cmd::calendar::run(c, &cli.global),
        Command::Settings(c) => cmd::settings::run(c, &cli.global),
        Command::User(c) => cmd::user::run(c, &cli.global),
        Command::Quarantine(c) => cmd::quarantine::run(c, &cli.global),
        Command::Report(a) => cmd::report::run(a, &cli.global),
        Command::Receipts(c) => cmd::receipts::run(c, &cli.global),
        Command::Status(a) => cmd::receipts::status(a, &cli.global),
        Command::Search(a) => cmd::search::run(a, &cli.global),
        Command::Backup(a) => cmd::backup::backup(a, &cli.global),
        Command::Restore(a) => cmd::backup::restore(a, &cli.global),
        Command::Doctor(a) => cmd::doctor::run(a, &cli.global),
        Command::Serve(a) => cmd::serve::run(a, &cli.global),
        Command::Watch(a) => cmd::watch::run(a, &cli.global),
        Command::Scanner(c) => cmd::scanner::run(c, &cli.global),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ishenim: {e:#}");
            ExitCode::from(2)
        }
    }
}
