//! `ishenim journal list|show|verify|export|pdf|redact|history|due|overdue` and the follow-up commands
//! `amend|assign|measures|reply|status|extend`: the numbered registration journal.
//!
//! Every printout and export carries the chain head (label + SHA-256 of the last chained
//! row) so that a later rewrite of the whole file can be detected against paper with
//! `ishenim journal verify --head HASH`.

use crate::cmd::ctx::{cell, head_line, pad, Global};
use crate::cmd::followup::{self, human, Change};
use anyhow::Context;
use chrono::NaiveDate;
use ishenim_export::{row_of, COLUMNS};
use ishenim_store::{ChainHead, EntryField, EntryStatus, EntryView, Serial, Store};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `ishenim journal ...`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// The journal as it reads now (amendments and events folded in), by serial.
    List {
        /// One JSON object per entry (with a "serial" key); the head goes to stderr.
        #[arg(long)]
        json: bool,
        /// Only this registration year.
        #[arg(long)]
        year: Option<i32>,
    },
    /// One entry with its amendments, events and act of receipt.
    Show {
        /// Serial, e.g. 2026-0001.
        serial: Serial,
        /// As one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Recompute the hash chain; exit 1 naming the first broken row.
    Verify {
        /// A head hash printed earlier (on paper or an export) that must still be in the chain.
        #[arg(long, value_name = "HASH")]
        head: Option<String>,
        /// Also run SQLite's integrity check and check every stored original.
        #[arg(long)]
        full: bool,
    },
    /// Write the journal to a CSV or Excel file, with the chain head as the last row.
    Export {
        /// CSV file (UTF-8, comma-separated, header row).
        #[arg(
            long,
            value_name = "FILE",
            required_unless_present = "xlsx",
            conflicts_with = "xlsx"
        )]
        csv: Option<PathBuf>,
        /// Excel workbook.
        #[arg(long, value_name = "FILE")]
        xlsx: Option<PathBuf>,
        /// Only this registration year.
        #[arg(long)]
        year: Option<i32>,
    },
    /// One appeal as a searchable PDF: cover page with the registration fields, the
    /// original page images with an invisible text layer, journal data as metadata.
    Pdf {
        /// Serial, e.g. 2026-0001.
        serial: Serial,
        /// The PDF file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// A copy for forwarding: the applicant's name, address, phone and receipt code
        /// blacked out on the images and left out of the text, cover and metadata.
        #[arg(long)]
        redact: bool,
    },
    /// The boxes a redacted PDF blacks out on a page (the reviewer's box editor of the
    /// web, for the command line). Without `--box`/`--automatic`: shows each page's boxes.
    Redact {
        /// Serial, e.g. 2026-0001.
        serial: Serial,
        /// The page (id as `journal show` and the web give it).
        #[arg(long)]
        page: Option<i64>,
        /// A box `x0,y0,x1,y1` in pixels of the original (repeat for more). The given
        /// boxes replace the page's boxes.
        #[arg(long = "box", value_name = "X0,Y0,X1,Y1", value_parser = parse_box)]
        boxes: Vec<[u32; 4]>,
        /// Save the page without boxes (nothing blacked out on it).
        #[arg(long, conflicts_with_all = ["boxes", "automatic"])]
        none: bool,
        /// Back to the automatic boxes (from the field boxes).
        #[arg(long, conflicts_with = "boxes")]
        automatic: bool,
    },
    /// Correct a registration field (an amendment: who, when, why, old → new).
    Amend {
        /// Serial, e.g. 2026-0001.
        serial: Serial,
        /// applicant_name, anonymous, address, phone, brief, category, corruption or box_date.
        #[arg(long, value_parser = followup::parse_field)]
        field: EntryField,
        /// The corrected value (true/false for flags; a date for box_date; "" clears an
        /// optional field).
        #[arg(long, allow_hyphen_values = true)]
        value: String,
        /// Why (kept in the journal).
        #[arg(long)]
        reason: String,
    },
    /// Assign (or reassign) the official responsible.
    Assign {
        /// Serial, e.g. 2026-0001.
        serial: Serial,
        /// Name of the official.
        #[arg(long)]
        official: String,
    },
    /// Record measures taken (added to the "measures taken" column).
    Measures {
        /// Serial, e.g. 2026-0001.
        serial: Serial,
        /// What was done.
        #[arg(long)]
        text: String,
    },
    /// Record the outgoing reply (number and date); the appeal becomes answered.
    Reply {
        /// Serial, e.g. 2026-0001.
        serial: Serial,
        /// Outgoing number.
        #[arg(long)]
        number: String,
        /// Date of the reply (YYYY-MM-DD or dd.mm.yyyy).
        #[arg(long, value_parser = followup::parse_date)]
        date: NaiveDate,
    },
    /// Change the status.
    Status {
        /// Serial, e.g. 2026-0001.
        serial: Serial,
        /// registered, assigned, answered, redirected or closed.
        #[arg(long = "set", value_parser = followup::parse_status)]
        set: EntryStatus,
        /// Why (optional).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Extend the consideration deadline, with a reason.
    Extend {
        /// Serial, e.g. 2026-0001.
        serial: Serial,
        /// Days added to the current deadline (counted like the consideration period;
        /// a non-working due date moves to the next working day).
        #[arg(long)]
        days: u32,
        /// Why (kept in the journal).
        #[arg(long)]
        reason: String,
    },
    /// Amendments and events of one entry, oldest first, with old → new values.
    History {
        /// Serial, e.g. 2026-0001.
        serial: Serial,
        /// One JSON object per amendment or event.
        #[arg(long)]
        json: bool,
    },
    /// Open appeals whose consideration deadline falls within the next days.
    Due {
        /// How many days ahead (0 = due today).
        #[arg(long, default_value_t = 3)]
        days: u32,
        /// One JSON object per entry (with "serial" and "days_left").
        #[arg(long)]
        json: bool,
        /// Count from this date instead of today (YYYY-MM-DD or dd.mm.yyyy).
        #[arg(long, value_parser = followup::parse_date, value_name = "DATE")]
        today: Option<NaiveDate>,
    },
    /// Open appeals past their consideration deadline.
    Overdue {
        /// One JSON object per entry (with "serial" and "days_left", negative).
        #[arg(long)]
        json: bool,
        /// Count from this date instead of today (YYYY-MM-DD or dd.mm.yyyy).
        #[arg(long, value_parser = followup::parse_date, value_name = "DATE")]
        today: Option<NaiveDate>,
    },
}

fn parse_box(s: &str) -> Result<[u32; 4], String> {
    let coords: Vec<u32> = s
        .split(',')
        .map(|part| part.trim().parse::<u32>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("not x0,y0,x1,y1: {s}"))?;
    <[u32; 4]>::try_from(coords).map_err(|_| format!("not x0,y0,x1,y1: {s}"))
}

/// `journal redact`: saves one page's boxes (checked and audited by the store), or lists
/// every page's boxes as JSON lines `{page, size, boxes, automatic, saved}`.
fn redact(
    store: &Store,
    user: &str,
    serial: Serial,
    page: Option<i64>,
    choice: Option<Option<Vec<[u32; 4]>>>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if let Some(boxes) = choice {
        let page = ishenim_store::PageId(page.context("--page is needed to save boxes")?);
        store.save_redaction(serial, page, boxes.as_deref(), user)?;
        match boxes {
            Some(b) => writeln!(out, "entry {serial} page {page}: {} box(es) saved", b.len())?,
            None => writeln!(out, "entry {serial} page {page}: automatic boxes")?,
        }
        return Ok(());
    }
    store.audit(user, "view_redaction", &format!("entry {serial}"))?;
    for p in ishenim_export::redaction_view(store, serial)? {
        if page.is_none_or(|id| id == p.page.0) {
            serde_json::to_writer(&mut *out, &p)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// `journal pdf`: writes the file (temporary name, then renamed) and prints what is in it.
fn pdf(
    store: &Store,
    user: &str,
    serial: Serial,
    file: &Path,
    redact: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let font = ishenim_export::load_font()?;
    let opts = ishenim_export::AppealPdfOptions {
        redact,
        boxes: None,
        user: user.to_string(),
    };
    let made = ishenim_export::appeal_pdf(store, serial, &opts, &font)
        .with_context(|| format!("PDF of entry {serial}"))?;
    let tmp = file.with_extension("pdf.part");
    std::fs::write(&tmp, &made.bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, file).with_context(|| format!("writing {}", file.display()))?;
    writeln!(
        out,
        "{}: entry {serial}, {} page(s), {} bytes{}",
        file.display(),
        made.pages,
        made.bytes.len(),
        if redact {
            format!(", {} box(es) blacked out", made.boxes)
        } else {
            String::new()
        }
    )?;
    Ok(())
}

/// Runs the command.
pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    let store = global.existing_store()?;
    let user = global.user();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        Command::List { json, year } => list(&store, &user, year, json, &mut out)?,
        Command::Show { serial, json } => show(&store, &user, serial, json, &mut out)?,
        Command::Verify { head, full } => return verify(&store, head, full, &mut out),
        Command::Pdf {
            serial,
            out: file,
            redact,
        } => pdf(&store, &user, serial, &file, redact, &mut out)?,
        Command::Redact {
            serial,
            page,
            boxes,
            none,
            automatic,
        } => {
            let choice = if automatic {
                Some(None)
            } else if none || !boxes.is_empty() {
                Some(Some(boxes))
            } else {
                None
            };
            redact(&store, &user, serial, page, choice, &mut out)?
        }
        Command::Amend {
            serial,
            field,
            value,
            reason,
        } => {
            global.tell_categories(&store)?;
            followup::amend(&store, &user, serial, field, &value, &reason, &mut out)?
        }
        Command::Assign { serial, official } => {
            followup::change(&store, &user, serial, Change::Assign(official), &mut out)?
        }
        Command::Measures { serial, text } => {
            followup::change(&store, &user, serial, Change::Measures(text), &mut out)?
        }
        Command::Reply {
            serial,
            number,
            date,
        } => followup::change(&store, &user, serial, Change::Reply(number, date), &mut out)?,
        Command::Status {
            serial,
            set,
            reason,
        } => followup::change(&store, &user, serial, Change::Status(set, reason), &mut out)?,
        Command::Extend {
            serial,
            days,
            reason,
        } => followup::change(
            &store,
            &user,
            serial,
            Change::Extend(days, reason),
            &mut out,
        )?,
        Command::History { serial, json } => history(&store, &user, serial, json, &mut out)?,
        Command::Due { days, json, today } => {
            let today = today.unwrap_or_else(followup::today);
            let list = store.due_soon(today, days)?;
            store.audit(&user, "view_due", &format!("{} entries", list.len()))?;
            deadline_list(&mut out, &list, today, json, "due within", days)?;
        }
        Command::Overdue { json, today } => {
            let today = today.unwrap_or_else(followup::today);
            let list = store.overdue(today)?;
            store.audit(&user, "view_overdue", &format!("{} entries", list.len()))?;
            deadline_list(&mut out, &list, today, json, "overdue", 0)?;
        }
        Command::Export { csv, xlsx, year } => export(&store, &user, year, csv, xlsx, &mut out)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `journal list`: the journal as it reads now, with the chain head.
fn list(
    store: &Store,
    user: &str,
    year: Option<i32>,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let list = store.journal_list(year)?;
    let head = store.chain_head()?;
    store.audit(user, "view_journal", &format!("{} entries", list.len()))?;
    if json {
        for e in &list {
            serde_json::to_writer(&mut *out, e)?;
            writeln!(out)?;
        }
        eprintln!("{}", head_line(&head));
    } else {
        print_list(out, &list)?;
        writeln!(out, "{} entries; {}", list.len(), head_line(&head))?;
    }
    Ok(())
}

/// `journal show`: one entry with its amendments, events and act of receipt.
fn show(
    store: &Store,
    user: &str,
    serial: Serial,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let entry = store.entry_current_view(serial)?;
    let (amendments, events) = store.entry_history(serial)?;
    let act = store.act_of_receipt(serial)?;
    let head = store.chain_head()?;
    store.audit(user, "view_entry", &format!("entry {serial}"))?;
    if json {
        let shown = json!({"entry": entry, "amendments": amendments, "events": events,
            "act_of_receipt": act, "head": head});
        serde_json::to_writer(&mut *out, &shown)?;
        writeln!(out)?;
    } else {
        print_entry(out, &entry)?;
        for amendment in &amendments {
            writeln!(
                out,
                "amendment {} {} by {}: {} «{}» → «{}» ({})",
                amendment.id,
                amendment.at.format("%d.%m.%Y %H:%M"),
                amendment.user,
                amendment.field.as_str(),
                amendment.old_value.as_deref().unwrap_or(""),
                amendment.new_value.as_deref().unwrap_or(""),
                amendment.reason
            )?;
        }
        for event in &events {
            writeln!(
                out,
                "event {} {} by {}: {}",
                event.id,
                event.at.format("%d.%m.%Y %H:%M"),
                event.user,
                serde_json::to_string(&event.kind)?.trim_matches('"')
            )?;
        }
        writeln!(out, "{}", head_line(&head))?;
    }
    Ok(())
}

/// `journal history`: amendments and events of one entry, oldest first.
fn history(
    store: &Store,
    user: &str,
    serial: Serial,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let (amendments, events) = store.entry_history(serial)?;
    let head = store.chain_head()?;
    store.audit(user, "view_history", &format!("entry {serial}"))?;
    let registered = store.entry_as_registered(serial)?;
    let items = followup::history(&registered, &amendments, &events);
    if json {
        for i in &items {
            serde_json::to_writer(&mut *out, &i.json)?;
            writeln!(out)?;
        }
    } else {
        writeln!(
            out,
            "{serial}: {} amendments, {} events / {} оңдоо, {} окуя",
            amendments.len(),
            events.len(),
            amendments.len(),
            events.len()
        )?;
        for i in &items {
            writeln!(out, "{}", i.line)?;
        }
        writeln!(out, "{}", head_line(&head))?;
    }
    Ok(())
}

/// `journal export`: the journal as a CSV or Excel file with the chain head.
fn export(
    store: &Store,
    user: &str,
    year: Option<i32>,
    csv: Option<PathBuf>,
    xlsx: Option<PathBuf>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let list = store.journal_list(year)?;
    let head = store.chain_head()?;
    let (path, kind) = match (csv, xlsx) {
        (Some(p), _) => {
            write_csv(&p, &list, &head)?;
            (p, "csv")
        }
        (None, Some(p)) => {
            write_xlsx(&p, &list, &head)?;
            (p, "xlsx")
        }
        (None, None) => anyhow::bail!("give --csv FILE or --xlsx FILE"),
    };
    store.audit(
        user,
        &format!("export_{kind}"),
        &format!("{} entries", list.len()),
    )?;
    writeln!(
        out,
        "{} entries written to {}; {}",
        list.len(),
        path.display(),
        head_line(&head)
    )?;
    Ok(())
}

fn deadline_list(
    out: &mut impl Write,
    list: &[EntryView],
    today: NaiveDate,
    json: bool,
    what: &str,
    days: u32,
) -> anyhow::Result<()> {
    if json {
        for e in list {
            serde_json::to_writer(&mut *out, &followup::deadline_json(e, today)?)?;
            writeln!(out)?;
        }
        return Ok(());
    }
    followup::print_deadlines(out, list, today)?;
    let title = if what == "overdue" {
        "overdue / мөөнөтү өтүп кеткен".to_string()
    } else {
        format!("due within {days} days / {days} күндүн ичинде мөөнөтү бүтөт")
    };
    writeln!(
        out,
        "{} entries {title} (as of {})",
        list.len(),
        human(today)
    )?;
    Ok(())
}

fn verify(
    store: &Store,
    head: Option<String>,
    full: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let rep = match &head {
        Some(h) => store.verify_against(h)?,
        None => store.verify()?,
    };
    let mut ok = rep.ok;
    if rep.ok {
        writeln!(
            out,
            "journal ok / журнал бүтүн: {} rows checked; {}",
            rep.rows_checked,
            head_line(&rep.head)
        )?;
    } else {
        let (row, reason) = rep
            .first_broken
            .as_ref()
            .map(|b| (b.row.as_str(), b.reason.as_str()))
            .unwrap_or(("?", "unknown"));
        writeln!(
            out,
            "JOURNAL BROKEN / ЖУРНАЛ БУЗУЛГАН at {row}: {reason} ({} rows checked)",
            rep.rows_checked
        )?;
        eprintln!("ishenim: journal verify failed at {row}");
    }
    if full {
        let problems = store.integrity_check()?;
        if problems.is_empty() {
            writeln!(out, "database integrity ok")?;
        } else {
            ok = false;
            for p in problems.iter().take(20) {
                writeln!(out, "DATABASE: {p}")?;
            }
        }
        let bad = store.check_blobs()?;
        if bad.is_empty() {
            writeln!(out, "stored originals ok")?;
        } else {
            ok = false;
            for id in bad {
                writeln!(out, "ORIGINAL MISSING OR DAMAGED: file {id}")?;
            }
        }
    }
    Ok(ExitCode::from(if ok { 0 } else { 1 }))
}

fn write_csv(path: &Path, list: &[EntryView], head: &Option<ChainHead>) -> anyhow::Result<()> {
    let bytes = ishenim_export::to_csv(list, head)?;
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

fn write_xlsx(path: &Path, list: &[EntryView], head: &Option<ChainHead>) -> anyhow::Result<()> {
    let bytes = ishenim_export::to_xlsx(list, head)?;
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

fn print_list(out: &mut impl Write, list: &[EntryView]) -> anyhow::Result<()> {
    writeln!(
        out,
        "{:<10} {:<10} {} {} {:<14} {:<13} {:<4} {:<10} {:<10} brief",
        "serial",
        "box date",
        pad("applicant", 28),
        pad("address", 30),
        "phone",
        "category",
        "corr",
        "deadline",
        "status"
    )?;
    for e in list {
        writeln!(
            out,
            "{:<10} {:<10} {} {} {:<14} {:<13} {:<4} {:<10} {:<10} {}",
            e.serial.to_string(),
            human(e.box_date),
            pad(&cell(&e.applicant, 28), 28),
            pad(&cell(e.fields.address.as_deref().unwrap_or("—"), 30), 30),
            e.fields.phone.as_deref().unwrap_or("—"),
            cell(&e.fields.category, 13),
            if e.fields.corruption { "YES" } else { "" },
            human(e.deadline),
            e.status.as_str(),
            cell(&e.fields.brief, 60)
        )?;
    }
    Ok(())
}

fn print_entry(out: &mut impl Write, e: &EntryView) -> anyhow::Result<()> {
    let rows = row_of(e, true);
    for (title, v) in COLUMNS.iter().zip(rows) {
        writeln!(out, "{}: {}", pad(title, 38), v)?;
    }
    writeln!(
        out,
        "{}: {}",
        pad("Каттоо мөөнөтү / Срок регистрации", 38),
        human(e.registration_due)
    )?;
    writeln!(
        out,
        "{}: opening {}, draft {}, pages {:?}",
        pad("Булак / Источник", 38),
        e.opening_id,
        e.draft_id,
        e.page_ids.iter().map(|p| p.0).collect::<Vec<_>>()
    )?;
    Ok(())
}
