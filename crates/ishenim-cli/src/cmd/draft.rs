//! `ishenim draft [--json] PATH...`: scan, group pages into letters and propose journal
//! entries (nothing is stored).

use crate::cmd::ctx::{self, cell, pad, Global, ScanFlags};
use crate::inputs;
use ishenim_draft::{draft_letters, Lang, LetterDraft};
use ishenim_page::FileError;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `ishenim draft`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print one JSON object per letter on stdout.
    #[arg(long)]
    pub json: bool,
    /// Scanner flags.
    #[command(flatten)]
    pub scan: ScanFlags,
    /// Files or folders (folders are read recursively, in name order: one stack of pages).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Runs the command: exit 0 when every input was read, 1 when some were not.
pub fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let models = global.models()?;
    let files = inputs::expand(&args.paths);
    let (pages, errors) = ctx::scan_files(files, &args.scan, !args.json)?;
    let drafts = draft_letters(&pages, &models);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        for d in &drafts {
            serde_json::to_writer(&mut out, d)?;
            writeln!(out)?;
        }
        for e in &errors {
            serde_json::to_writer(&mut out, e)?;
            writeln!(out)?;
        }
    } else {
        print_table(&mut out, &drafts, &errors, pages.len())?;
    }
    Ok(ExitCode::from(if errors.is_empty() { 0 } else { 1 }))
}

/// The readable table: one block per letter.
fn print_table(
    out: &mut impl Write,
    drafts: &[LetterDraft],
    errors: &[FileError],
    pages: usize,
) -> anyhow::Result<()> {
    for (i, d) in drafts.iter().enumerate() {
        let applicant = match (&d.applicant.name, d.applicant.anonymous) {
            (_, true) => ishenim_store::ANONYMOUS.to_string(),
            (Some(n), false) => n.clone(),
            (None, false) => "?".to_string(),
        };
        writeln!(
            out,
            "#{:<3} {} [{}]{}",
            i + 1,
            d.pages.join(", "),
            d.lang.map_or("", Lang::code),
            if d.needs_transcription {
                "  NEEDS TRANSCRIPTION / КОЛ МЕНЕН ТЕРҮҮ КЕРЕК"
            } else {
                ""
            }
        )?;
        let row = |k: &str, v: &str, c: f32| format!("     {} {} ({:.2})", pad(k, 11), v, c);
        writeln!(
            out,
            "{}",
            row("applicant", &applicant, d.confidence.applicant)
        )?;
        let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        writeln!(
            out,
            "{}",
            row("address", &dash(&d.address), d.confidence.address)
        )?;
        writeln!(out, "{}", row("phone", &dash(&d.phone), d.confidence.phone))?;
        writeln!(out, "{}", row("date", &dash(&d.date), d.confidence.date))?;
        writeln!(
            out,
            "{}",
            row(
                "category",
                &format!("{} ({})", d.category, d.category_detail.label),
                d.confidence.category
            )
        )?;
        let phrases: Vec<String> = d
            .corruption
            .reasons
            .iter()
            .take(3)
            .map(|r| format!("«{}» {}", cell(&r.phrase, 30), r.page))
            .collect();
        writeln!(
            out,
            "{}",
            row(
                "corruption",
                &format!(
                    "{} score {:.2}{}{}",
                    if d.corruption.flag { "YES" } else { "no" },
                    d.corruption.score,
                    if phrases.is_empty() { "" } else { ": " },
                    phrases.join("; ")
                ),
                d.confidence.corruption
            )
        )?;
        writeln!(
            out,
            "{}",
            row("summary", &cell(&d.summary, 200), d.confidence.summary)
        )?;
    }
    for e in errors {
        match e.page {
            Some(p) => writeln!(out, "ERROR {} page {}: {}", e.file, p, e.error)?,
            None => writeln!(out, "ERROR {}: {}", e.file, e.error)?,
        }
    }
    writeln!(
        out,
        "{} letters from {} pages, {} errors",
        drafts.len(),
        pages,
        errors.len()
    )?;
    Ok(())
}
