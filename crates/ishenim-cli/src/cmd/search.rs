//! `ishenim search QUERY`: full-text search of the approved appeals, whatever the Kyrgyz or
//! Russian endings and whatever OCR did to ө/ү/ң. Brings the search index
//! (`<data>/search.sqlite`) up to date first, and records the query (never appeal text) in
//! the audit log under `--user`.
//!
//! `--json` prints one object per hit per line with the keys `"serial"`, `"snippet"` (plain
//! text) and `"score"`; these keys are a contract.

use crate::cmd::ctx::Global;
use anyhow::Context;
use ishenim_search::{plain, Index, Query, Segment};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// `ishenim search` flags.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Words (found in any inflected form), "phrases", prefix* and key:value filters, e.g.
    /// `парасын "жер тилкеси" кызмат* flag:yes`. May be empty when a filter flag is given.
    #[arg(value_name = "QUERY")]
    query: Vec<String>,
    /// One JSON object per hit: {"serial", "snippet", "score"}.
    #[arg(long)]
    json: bool,
    /// Registered on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Registered on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Status: registered, assigned, answered, redirected or closed.
    #[arg(long)]
    status: Option<String>,
    /// Category key (land, other, …).
    #[arg(long)]
    category: Option<String>,
    /// Corruption flag: yes or no.
    #[arg(long, value_name = "yes|no")]
    flag: Option<String>,
    /// Anonymous appeals only (yes) or signed ones only (no).
    #[arg(long, value_name = "yes|no")]
    anonymous: Option<String>,
    /// Assigned official (the name or its beginning).
    #[arg(long, value_name = "NAME")]
    official: Option<String>,
    /// Village, as in the address (`Кара-Суу` or `Кара-Суу айылы`).
    #[arg(long, value_name = "NAME")]
    village: Option<String>,
    /// Most hits shown.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Hits skipped (for paging).
    #[arg(long, default_value_t = 0)]
    offset: usize,
}

fn parse(args: &Args) -> anyhow::Result<Query> {
    let mut query = Query::parse_lenient(&args.query.join(" "))?;
    let flags = [
        ("from", &args.from),
        ("to", &args.to),
        ("status", &args.status),
        ("category", &args.category),
        ("flag", &args.flag),
        ("anonymous", &args.anonymous),
        ("official", &args.official),
        ("village", &args.village),
    ];
    for (key, value) in flags {
        if let Some(given) = value {
            query.filters.set(key, given)?;
        }
    }
    if !query.has_terms() && query.filters.is_empty() {
        return Err(ishenim_search::QueryError::Empty.into());
    }
    Ok(query)
}

/// The snippet for a terminal: hits in bold, or between `*` when not a terminal.
fn marked(segs: &[Segment], tty: bool) -> String {
    segs.iter()
        .map(|s| match (s.hit, tty) {
            (false, _) => s.text.clone(),
            (true, true) => format!("\x1b[1m{}\x1b[0m", s.text),
            (true, false) => format!("*{}*", s.text),
        })
        .collect()
}

/// Runs `ishenim search`.
pub fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let query = match parse(&args) {
        Ok(query) => query,
        Err(e) => {
            eprintln!("ishenim search: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let store = global.existing_store()?;
    let index = Index::open(&store).context("opening the search index")?;
    index.sync(&store).context("updating the search index")?;
    let hits = index
        .search(&query, args.limit, args.offset)
        .context("searching")?;
    let query_text = args.query.join(" ");
    store.audit(
        &global.user(),
        "search",
        &format!(
            "query {:?} filters {} ({} hits)",
            query_text,
            serde_json::to_string(&query.filters).unwrap_or_default(),
            hits.len()
        ),
    )?;
    let out = std::io::stdout();
    let mut out = out.lock();
    if args.json {
        for h in &hits {
            let line = json!({"serial": h.serial, "snippet": plain(&h.snippet), "score": h.score});
            writeln!(out, "{line}")?;
        }
    } else {
        let tty = std::io::stdout().is_terminal();
        for h in &hits {
            writeln!(
                out,
                "{}  {:>6.2}  {}",
                h.serial,
                h.score,
                marked(&h.snippet, tty)
            )?;
        }
        if hits.is_empty() {
            eprintln!("no matches / эч нерсе табылган жок");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn args(v: &[&str]) -> Args {
        Cli::try_parse_from(std::iter::once("search").chain(v.iter().copied()))
            .unwrap()
            .args
    }

    #[test]
    fn flags_become_filters_and_empty_is_refused() {
        let q = parse(&args(&["пара", "--flag", "yes", "--village", "Кара-Суу"])).unwrap();
        assert_eq!(q.filters.corruption, Some(true));
        assert_eq!(q.filters.village.as_deref(), Some("Кара-Суу"));
        assert!(q.has_terms());
        assert!(parse(&args(&["--status", "answered"])).is_ok());
        assert!(parse(&args(&[])).is_err());
        assert!(parse(&args(&["***"])).is_err());
        assert!(parse(&args(&["пара", "--from", "yesterday"])).is_err());
    }

    #[test]
    fn hits_are_marked_for_terminals_and_pipes() {
        let segs = vec![
            Segment {
                text: "a ".into(),
                hit: false,
            },
            Segment {
                text: "пара".into(),
                hit: true,
            },
        ];
        assert_eq!(marked(&segs, false), "a *пара*");
        assert_eq!(marked(&segs, true), "a \x1b[1mпара\x1b[0m");
    }
}
