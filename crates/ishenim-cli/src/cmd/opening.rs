//! `ishenim opening new|list|show`: the journal of box openings.

use crate::cmd::ctx::{cell, Global};
use anyhow::Context;
use chrono::{NaiveDateTime, Timelike};
use ishenim_store::{NewOpening, Opening, OpeningId};
use std::io::Write;
use std::process::ExitCode;

/// `ishenim opening ...`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Record a box opening and print its id (just the id).
    New(NewArgs),
    /// List the openings.
    List {
        /// One JSON object per opening.
        #[arg(long)]
        json: bool,
    },
    /// Print the opening act of one opening.
    Show {
        /// Opening id.
        id: OpeningId,
        /// As one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// Flags of `ishenim opening new`.
#[derive(clap::Args, Debug)]
pub struct NewArgs {
    /// Commission members present, comma-separated: "A,B,C".
    #[arg(long, required = true)]
    pub members: String,
    /// Number of the seal found on the box and removed.
    #[arg(long, required = true)]
    pub seal_removed: String,
    /// Number of the new seal applied.
    #[arg(long, required = true)]
    pub seal_applied: String,
    /// Number of letters found in the box.
    #[arg(long, required = true)]
    pub letters: u32,
    /// Free notes for the act.
    #[arg(long, default_value = "")]
    pub notes: String,
    /// When the box was opened, "YYYY-MM-DD HH:MM" local time (default: now).
    #[arg(long, value_parser = parse_at)]
    pub at: Option<NaiveDateTime>,
}

/// Parses "YYYY-MM-DD HH:MM" (also with seconds or a `T`).
fn parse_at(s: &str) -> Result<NaiveDateTime, String> {
    let trimmed = s.trim();
    for format in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(trimmed, format) {
            return Ok(at);
        }
    }
    Err(format!("expected \"YYYY-MM-DD HH:MM\", got {s:?}"))
}

/// Runs the command.
pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        Command::New(a) => {
            let store = global.store()?;
            let at = a.at.unwrap_or_else(|| {
                let now = chrono::Local::now().naive_local();
                now.with_nanosecond(0).unwrap_or(now)
            });
            let id = store
                .new_opening(NewOpening {
                    opened_at: at,
                    members: a.members.split(',').map(|m| m.trim().to_string()).collect(),
                    seal_removed: a.seal_removed,
                    seal_applied: a.seal_applied,
                    letters_found: a.letters,
                    notes: a.notes,
                })
                .context("recording the opening")?;
            writeln!(out, "{id}")?;
        }
        Command::List { json } => {
            let store = global.existing_store()?;
            let list = store.list_openings()?;
            if json {
                for o in &list {
                    serde_json::to_writer(&mut out, o)?;
                    writeln!(out)?;
                }
            } else {
                writeln!(
                    out,
                    "{:>4}  {:<16}  {:>7}  {:>5}  {:>6}  {:>7}  {:<20}  members",
                    "id", "opened at", "letters", "files", "drafts", "entries", "seals"
                )?;
                for o in &list {
                    writeln!(
                        out,
                        "{:>4}  {:<16}  {:>7}  {:>5}  {:>6}  {:>7}  {:<20}  {}",
                        o.id.0,
                        o.opened_at.format("%Y-%m-%d %H:%M"),
                        o.letters_found,
                        o.files,
                        o.drafts,
                        o.entries,
                        cell(&format!("{} → {}", o.seal_removed, o.seal_applied), 20),
                        o.members.join(", ")
                    )?;
                }
            }
        }
        Command::Show { id, json } => {
            let store = global.existing_store()?;
            let opening = store.get_opening(id)?;
            store.audit(&global.user(), "view_opening", &format!("opening {id}"))?;
            if json {
                serde_json::to_writer(&mut out, &opening)?;
                writeln!(out)?;
            } else {
                print_act(&mut out, &opening)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The opening act, in Kyrgyz with Russian labels.
fn print_act(out: &mut impl Write, o: &Opening) -> anyhow::Result<()> {
    writeln!(
        out,
        "Ишеним кутучасын ачуу актысы № {} / Акт вскрытия ящика доверия № {}",
        o.id, o.id
    )?;
    writeln!(
        out,
        "Ачылган убакыт / Дата и время: {}",
        o.opened_at.format("%Y-%m-%d %H:%M")
    )?;
    writeln!(
        out,
        "Комиссиянын мүчөлөрү / Члены комиссии: {}",
        o.members.join(", ")
    )?;
    writeln!(out, "Алынган пломба / Снятая пломба: {}", o.seal_removed)?;
    writeln!(
        out,
        "Коюлган пломба / Наложенная пломба: {}",
        o.seal_applied
    )?;
    writeln!(
        out,
        "Табылган каттар / Обнаружено писем: {}",
        o.letters_found
    )?;
    if !o.notes.is_empty() {
        writeln!(out, "Эскертүү / Примечания: {}", o.notes)?;
    }
    writeln!(
        out,
        "Файлдар / Файлы: {}, долбоорлор / черновики: {}, катталган / зарегистрировано: {}",
        o.files, o.drafts, o.entries
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_accepts_minutes_and_seconds() {
        assert_eq!(
            parse_at("2026-03-02 10:15")
                .map(|d| d.to_string())
                .as_deref(),
            Ok("2026-03-02 10:15:00")
        );
        assert!(parse_at("2026-03-02T10:15:30").is_ok());
        assert!(parse_at("02.03.2026").is_err());
        assert!(parse_at("").is_err());
    }
}
