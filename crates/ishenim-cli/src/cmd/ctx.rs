//! What the drafting and register commands share: global flags (data folder, models, user),
//! scanner flags, opening the store, loading the models, scanning a list of files.

use crate::inputs;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ishenim_draft::Models;
use ishenim_intake::Limits;
use ishenim_ocr::Lexicon;
use ishenim_page::{FileError, PageRecord};
use ishenim_scan::{run_batch, BatchEvent, BatchOptions, Input};
use ishenim_store::{ChainHead, Store};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Flags every subcommand accepts (before or after the subcommand name).
#[derive(clap::Args, Debug, Clone)]
pub struct Global {
    /// Data folder holding the register (SQLite file and stored originals).
    #[arg(
        long,
        global = true,
        env = "ISHENIM_DATA",
        default_value = "ishenim-data",
        value_name = "DIR"
    )]
    pub data: PathBuf,
    /// Folder with `corruption.toml` and `categories.toml` (default: `./models` when it
    /// exists, else the built-in copy).
    #[arg(long, global = true, value_name = "DIR")]
    pub models: Option<PathBuf>,
    /// User name recorded in the audit log for approvals, rejections, views and exports.
    #[arg(
        long,
        global = true,
        env = "USER",
        default_value = "cli",
        value_name = "NAME"
    )]
    pub user: String,
}

impl Global {
    /// Opens (creating if needed) the store in the data folder; runs pending migrations.
    pub fn store(&self) -> anyhow::Result<Store> {
        Store::open(&self.data)
            .with_context(|| format!("opening the register in {}", self.data.display()))
    }

    /// Opens the store only if the data folder already holds one (read-only commands
    /// should not create an empty register by accident).
    pub fn existing_store(&self) -> anyhow::Result<Store> {
        if !self.data.join(ishenim_store::DB_FILE).is_file() {
            anyhow::bail!(
                "no register in {} (use --data DIR or ISHENIM_DATA; `ishenim opening new` creates one)",
                self.data.display()
            );
        }
        self.store()
    }

    /// The drafting models: `--models DIR`, else `./models` when present, else built in.
    pub fn models(&self) -> anyhow::Result<Models> {
        let dir = match &self.models {
            Some(d) => d.clone(),
            None if Path::new("models").is_dir() => PathBuf::from("models"),
            None => return Ok(Models::embedded()),
        };
        Models::load(&dir).with_context(|| format!("loading models from {}", dir.display()))
    }

    /// Gives the store the council's category keys (from the models, as the web server
    /// does), so approvals and amendments from the command line accept the same ones.
    pub fn tell_categories(&self, store: &Store) -> anyhow::Result<()> {
        let keys = self.models()?.categories().into_iter().map(|c| c.0);
        store.set_categories(keys.collect());
        Ok(())
    }

    /// The audit user name (never empty).
    pub fn user(&self) -> String {
        let user = self.user.trim();
        if user.is_empty() {
            "cli".to_string()
        } else {
            user.to_string()
        }
    }
}

/// Scanner flags shared by `draft`, `eval` and `ingest`.
#[derive(clap::Args, Debug, Clone)]
pub struct ScanFlags {
    /// Worker threads, each with its own Tesseract engine (default: number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Tesseract languages.
    #[arg(long, default_value = "kir")]
    pub lang: String,
    /// Tesseract data folder (default: the system's).
    #[arg(long, env = "TESSDATA_PREFIX")]
    pub tessdata: Option<String>,
}

impl ScanFlags {
    /// Batch options for `run_batch`.
    pub fn options(&self) -> BatchOptions {
        BatchOptions {
            jobs: self
                .jobs
                .unwrap_or_else(crate::cmd::scan::default_jobs)
                .max(1),
            lang: self.lang.clone(),
            datapath: self.tessdata.clone(),
            limits: Limits::default(),
            ..BatchOptions::default()
        }
    }
}

/// A progress bar on stderr when it is a terminal (hidden otherwise).
pub fn progress(len: u64, what: &str, show: bool) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if show && std::io::stderr().is_terminal() {
        let tpl = format!("{{bar:40}} {{pos}}/{{len}} {what} {{elapsed}} {{msg}}");
        bar.set_style(
            ProgressStyle::with_template(&tpl).unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}

/// Scans files from disk: the page records in input order and the files (or pages) that
/// could not be read.
pub fn scan_files(
    files: Vec<PathBuf>,
    flags: &ScanFlags,
    show_progress: bool,
) -> anyhow::Result<(Vec<PageRecord>, Vec<FileError>)> {
    let opts = flags.options();
    let bar = progress(files.len() as u64, "files", show_progress);
    let reader = inputs::reader(files, opts.limits.max_bytes);
    let out = scan_inputs(reader, &opts, |ev| match ev {
        BatchEvent::FileOpened { .. } => bar.inc(1),
        BatchEvent::Error(e) if e.page.is_none() => bar.inc(1),
        _ => {}
    });
    bar.finish_and_clear();
    out
}

/// Runs a batch, collecting pages and errors; `tick` sees every event first.
pub fn scan_inputs(
    inputs: impl Iterator<Item = Input> + Send,
    opts: &BatchOptions,
    mut tick: impl FnMut(&BatchEvent),
) -> anyhow::Result<(Vec<PageRecord>, Vec<FileError>)> {
    let lex = Lexicon::kyrgyz();
    let mut pages = Vec::new();
    let mut errors = Vec::new();
    run_batch(inputs, opts, &lex, |ev| {
        tick(&ev);
        match ev {
            BatchEvent::FileOpened { .. } => {}
            BatchEvent::Page(rec) => pages.push(*rec),
            BatchEvent::Error(e) => errors.push(e),
        }
    })
    .context("starting Tesseract")?;
    Ok((pages, errors))
}

/// One line describing a chain head for printouts: `serial 2026-0003 sha256 ab12…`.
pub fn head_line(head: &Option<ChainHead>) -> String {
    match head {
        Some(h) => format!(
            "chain head / чынжырдын башы: {} (position {}) sha256 {}",
            h.label, h.seq, h.hash
        ),
        None => "chain head / чынжырдын башы: (empty journal / журнал бош)".to_string(),
    }
}

/// Shortens `s` to at most `max` characters on one line, with `…` when cut.
pub fn cell(s: &str, max: usize) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= max {
        return one;
    }
    let mut cut: String = one.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Pads `s` with spaces to `width` characters (counting chars, not bytes).
pub fn pad(s: &str, width: usize) -> String {
    let chars = s.chars().count();
    if chars >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - chars))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_cuts_on_characters_and_flattens_lines() {
        assert_eq!(cell("Өмүр\nалиев", 20), "Өмүр алиев");
        assert_eq!(cell("ааааааааааа", 5), "аааа…");
        assert_eq!(cell("", 5), "");
    }

    #[test]
    fn pad_counts_characters() {
        assert_eq!(pad("өң", 4), "өң  ");
        assert_eq!(pad("abcdef", 3), "abcdef");
    }

    #[test]
    fn head_line_names_label_and_hash() {
        let h = Some(ChainHead {
            seq: 3,
            label: "serial 2026-0003".into(),
            hash: "ab".repeat(32),
        });
        let l = head_line(&h);
        assert!(l.contains("serial 2026-0003") && l.contains(&"ab".repeat(32)));
        assert!(head_line(&None).contains("empty"));
    }
}
