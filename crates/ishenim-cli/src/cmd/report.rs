//! `ishenim report --half 2026H1 [--format html|csv|xlsx|json] [--lang ky|ru] [--out FILE]`:
//! the half-year analysis of appeals (`ishenim-report`) as a printable A4 HTML page, CSV,
//! an Excel workbook or JSON data. Audited as `report` with the half-year; nothing of the
//! appeals' content goes to stderr.

use crate::cmd::ctx::{head_line, Global};
use crate::cmd::followup;
use anyhow::Context;
use chrono::NaiveDate;
use ishenim_report::{HalfYear, Lang, Report, ReportOptions};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Output format.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A standalone printable A4 page with charts (open in a browser and print).
    Html,
    /// CSV, one section per table.
    Csv,
    /// Excel workbook (needs --out, or a redirected stdout).
    Xlsx,
    /// The report's data as one JSON object.
    Json,
}

/// `ishenim report`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Half-year: 2026H1 (January–June) or 2026H2 (July–December).
    #[arg(long, value_name = "YYYYH1|YYYYH2", value_parser = parse_half)]
    pub half: HalfYear,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Html)]
    pub format: Format,
    /// Language of labels: ky (Kyrgyz) or ru (Russian).
    #[arg(long, default_value = "ky", value_parser = parse_lang)]
    pub lang: Lang,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Judge statuses and deadlines as of this date instead of today (YYYY-MM-DD or
    /// dd.mm.yyyy).
    #[arg(long, value_parser = followup::parse_date, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
}

fn parse_half(s: &str) -> Result<HalfYear, String> {
    s.parse()
        .map_err(|e: ishenim_report::ReportError| e.to_string())
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse()
        .map_err(|e: ishenim_report::ReportError| e.to_string())
}

/// Runs the command.
pub fn run(a: Args, global: &Global) -> anyhow::Result<ExitCode> {
    if a.format == Format::Xlsx && a.out.is_none() && std::io::stdout().is_terminal() {
        anyhow::bail!("--format xlsx writes a binary file: give --out FILE");
    }
    let store = global.existing_store()?;
    let models = global.models()?;
    let as_of = a.as_of.unwrap_or_else(followup::today);
    let opts = ReportOptions::with_models(as_of, &models);
    let report = Report::build(&store, a.half, &opts)
        .with_context(|| format!("building the report for {}", a.half))?;
    let bytes = match a.format {
        Format::Html => report.html_document(a.lang).into_bytes(),
        Format::Csv => report.to_csv(a.lang).into_bytes(),
        Format::Xlsx => report.to_xlsx(a.lang)?,
        Format::Json => {
            let mut json = serde_json::to_vec(&report)?;
            json.push(b'\n');
            json
        }
    };
    store.audit(&global.user(), "report", &a.half.to_string())?;
    match &a.out {
        Some(p) => {
            std::fs::write(p, &bytes).with_context(|| format!("writing {}", p.display()))?;
            eprintln!(
                "report {} ({} appeals) written to {}; {}",
                a.half,
                report.total,
                p.display(),
                head_line(&report.chain_head)
            );
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
