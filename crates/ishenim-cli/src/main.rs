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
}

#[derive(Subcommand)]
enum Command {
    /// Read scanned pages (PNG, JPEG, TIFF, PDF; files or folders) and print or write their text.
    Scan(cmd::scan::Args),
    /// Compare `ishenim scan` with raw `tesseract -l kir` on a corpus with truth.jsonl.
    Bench(cmd::bench::Args),
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
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ishenim: {e:#}");
            ExitCode::from(2)
        }
    }
}
