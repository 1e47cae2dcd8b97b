//! `ishenim drafts list|show|approve|reject`: the review queue.

use crate::cmd::ctx::{cell, pad, Global};
use anyhow::Context;
use ishenim_store::{ApprovedFields, Draft, DraftId, DraftStatus, Lang, Store};
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;

/// `ishenim drafts ...`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// List drafts (pending ones unless --status says otherwise).
    List {
        /// One JSON object per draft.
        #[arg(long)]
        json: bool,
        /// pending, approved, rejected, superseded or all.
        #[arg(long, default_value = "pending")]
        status: String,
    },
    /// Show one draft with its reasons and confidences.
    Show {
        /// Draft id.
        id: DraftId,
        /// The stored draft as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Register drafts in the journal as proposed; prints one serial per approved draft.
    Approve {
        /// Draft ids.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        ids: Vec<DraftId>,
        /// Every pending draft, oldest first, in one transaction.
        #[arg(long)]
        all: bool,
        /// The receipt code the reviewer confirmed (one draft only): linked to the entry in
        /// the same transaction. A code never issued here or already used is a warning.
        #[arg(long, value_name = "CODE", conflicts_with = "all")]
        receipt: Option<String>,
    },
    /// Reject a draft (not an appeal, duplicate, ...); it never gets a serial.
    Reject {
        /// Draft id.
        id: DraftId,
        /// Why (kept in the register and the audit log).
        #[arg(long, required = true)]
        reason: String,
    },
}

fn parse_status(s: &str) -> anyhow::Result<Option<DraftStatus>> {
    match s.trim() {
        "all" => Ok(None),
        other => DraftStatus::parse(other).map(Some).map_err(|_| {
            let known: Vec<&str> = DraftStatus::ALL.iter().map(|s| s.as_str()).collect();
            anyhow::anyhow!(
                "--status must be {} or all, not {other:?}",
                known.join(", ")
            )
        }),
    }
}

/// Runs the command.
pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    let store = global.existing_store()?;
    let user = global.user();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        Command::List { json, status } => {
            let list = store.list_drafts(parse_status(&status)?)?;
            if json {
                for d in &list {
                    serde_json::to_writer(&mut out, &list_json(d))?;
                    writeln!(out)?;
                }
            } else {
                print_list(&mut out, &list)?;
            }
        }
        Command::Show { id, json } => {
            let draft = store.get_draft(id)?;
            store.audit(&user, "view_draft", &format!("draft {id}"))?;
            if json {
                serde_json::to_writer(&mut out, &draft)?;
                writeln!(out)?;
            } else {
                print_draft(&mut out, &draft)?;
            }
        }
        Command::Approve { ids, all, receipt } => {
            global.tell_categories(&store)?;
            if let Some(code) = receipt {
                return approve_coded(&store, &user, &ids, &code, &mut out);
            }
            return approve(&store, &user, ids, all, &mut out);
        }
        Command::Reject { id, reason } => {
            store
                .reject_draft(id, &user, &reason)
                .with_context(|| format!("rejecting draft {id}"))?;
            writeln!(out, "draft {id} rejected")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Approves one draft and links the receipt code the reviewer confirmed.
fn approve_coded(
    store: &Store,
    user: &str,
    ids: &[DraftId],
    code: &str,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let [id] = ids else {
        anyhow::bail!("--receipt goes with exactly one draft id");
    };
    let code = crate::cmd::receipts::parse_code(code)?;
    for (k, v) in ishenim_web::receipts::warnings(store, &code)? {
        eprintln!("{}", crate::cmd::receipts::warning_text(&k, &v));
    }
    let draft = store.get_draft(*id)?;
    let link = ishenim_web::receipts::link_for(store, &code)?;
    let serial = store
        .approve_draft_with_receipt(*id, user, &ApprovedFields::from_draft(&draft), Some(&link))
        .with_context(|| format!("approving draft {id}"))?;
    writeln!(out, "{serial}")?;
    Ok(ExitCode::SUCCESS)
}

/// Approves the given drafts (or every pending one) in one transaction; prints the serials
/// on stdout and the drafts that could not be approved on stderr (exit 1 then).
fn approve(
    store: &Store,
    user: &str,
    ids: Vec<DraftId>,
    all: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let drafts: Vec<Draft> = if all {
        store.pending_drafts()?
    } else {
        let mut picked = Vec::with_capacity(ids.len());
        for id in ids {
            picked.push(store.get_draft(id)?);
        }
        picked
    };
    if drafts.is_empty() {
        eprintln!("no pending drafts / каралбаган долбоор жок");
        return Ok(ExitCode::SUCCESS);
    }
    let items: Vec<(DraftId, ApprovedFields)> = drafts
        .iter()
        .map(|d| (d.id, ApprovedFields::from_draft(d)))
        .collect();
    let results = store
        .approve_drafts(&items, user)
        .context("approving drafts")?;
    let mut failed = 0usize;
    for ((id, _), r) in items.iter().zip(results) {
        match r {
            Ok(serial) => writeln!(out, "{serial}")?,
            Err(e) => {
                failed += 1;
                eprintln!("draft {id} not approved: {e}");
            }
        }
    }
    Ok(ExitCode::from(if failed > 0 { 1 } else { 0 }))
}

/// The object `drafts list --json` prints per draft.
fn list_json(d: &Draft) -> Value {
    json!({
        "id": d.id,
        "opening_id": d.opening_id,
        "status": d.status,
        "page_ids": d.page_ids,
        "pages": d.data.pages,
        "applicant": {"name": d.applicant_name, "anonymous": d.anonymous},
        "address": d.data.address,
        "phone": d.phone,
        "date": d.data.date,
        "summary": d.data.summary,
        "category": d.category,
        "corruption": d.corruption,
        "needs_transcription": d.data.needs_transcription,
        "serial": d.serial,
        "reason": d.reason,
    })
}

fn applicant(d: &Draft) -> String {
    if d.anonymous {
        ishenim_store::ANONYMOUS.to_string()
    } else {
        d.applicant_name.clone().unwrap_or_else(|| "?".into())
    }
}

fn print_list(out: &mut impl Write, list: &[Draft]) -> anyhow::Result<()> {
    writeln!(
        out,
        "{:>5} {:>4} {:<10} {:<18} {} {:<14} {:<13} {:>4} summary",
        "id",
        "open",
        "status",
        "pages",
        pad("applicant", 28),
        "phone",
        "category",
        "corr",
    )?;
    for d in list {
        writeln!(
            out,
            "{:>5} {:>4} {:<10} {:<18} {} {:<14} {:<13} {:>4} {}",
            d.id.0,
            d.opening_id.0,
            d.status.as_str(),
            cell(&d.data.pages.join(","), 18),
            pad(&cell(&applicant(d), 28), 28),
            d.phone.as_deref().unwrap_or("—"),
            d.category.as_deref().unwrap_or("—"),
            if d.corruption { "YES" } else { "" },
            cell(&d.data.summary, 60)
        )?;
    }
    writeln!(out, "{} drafts", list.len())?;
    Ok(())
}

fn print_draft(out: &mut impl Write, draft: &Draft) -> anyhow::Result<()> {
    writeln!(
        out,
        "draft {} (opening {}) — {}{}",
        draft.id,
        draft.opening_id,
        draft.status.as_str(),
        draft.serial.map(|s| format!(" as {s}")).unwrap_or_default()
    )?;
    let data = &draft.data;
    let confidence = &data.confidence;
    let conf = |v: f32| format!(" ({v:.2})");
    let opt = |v: Option<&str>| v.unwrap_or("—").to_string();
    let lang = data.lang.map(Lang::code);
    writeln!(out, "pages:      {}", data.pages.join(", "))?;
    writeln!(out, "lang:       {}{}", opt(lang), conf(confidence.lang))?;
    writeln!(
        out,
        "applicant:  {}{}",
        applicant(draft),
        conf(confidence.applicant)
    )?;
    writeln!(
        out,
        "address:    {}{}",
        opt(data.address.as_deref()),
        conf(confidence.address)
    )?;
    writeln!(
        out,
        "phone:      {}{}",
        opt(data.phone.as_deref()),
        conf(confidence.phone)
    )?;
    writeln!(
        out,
        "date:       {}{}",
        opt(data.date.as_deref()),
        conf(confidence.date)
    )?;
    if let Some(receipt) = &data.receipt_code {
        writeln!(
            out,
            "receipt:    {} ({:.2}, {} on {})",
            receipt.code, receipt.confidence, receipt.source, receipt.page
        )?;
    }
    writeln!(
        out,
        "category:   {}{}",
        draft.category.as_deref().unwrap_or("—"),
        conf(confidence.category)
    )?;
    writeln!(
        out,
        "corruption: {} (score {:.2}){}",
        if draft.corruption { "YES" } else { "no" },
        data.corruption.score,
        conf(confidence.corruption)
    )?;
    for reason in &data.corruption.reasons {
        writeln!(
            out,
            "  «{}» page {} box {}{}",
            reason.phrase,
            reason.page,
            serde_json::to_string(&reason.bbox)?,
            reason
                .note
                .as_deref()
                .map(|n| format!(" [{n}]"))
                .unwrap_or_default()
        )?;
    }
    writeln!(
        out,
        "summary:    {}{}",
        data.summary,
        conf(confidence.summary)
    )?;
    if data.needs_transcription {
        writeln!(
            out,
            "NEEDS TRANSCRIPTION / КОЛ МЕНЕН ТЕРҮҮ КЕРЕК / ТРЕБУЕТ РУЧНОГО ВВОДА"
        )?;
    }
    if let Some(reason) = &draft.reason {
        writeln!(out, "reason:     {reason}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_parse() {
        assert_eq!(parse_status("all").ok(), Some(None));
        assert_eq!(
            parse_status("pending").ok(),
            Some(Some(DraftStatus::Pending))
        );
        assert_eq!(
            parse_status("done")
                .map_err(|e| e.to_string())
                .err()
                .as_deref(),
            Some("--status must be pending, approved, rejected, superseded or all, not \"done\"")
        );
    }
}
