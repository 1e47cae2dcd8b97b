//! `ishenim drafts list|show|approve|reject`: the review queue.

use crate::cmd::ctx::{cell, pad, Global};
use anyhow::Context;
use ishenim_store::{ApprovedFields, Draft, DraftId, DraftStatus, Store};
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
            anyhow::anyhow!(
                "--status must be pending, approved, rejected, superseded or all, not {other:?}"
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
            let d = store.get_draft(id)?;
            store.audit(&user, "view_draft", &format!("draft {id}"))?;
            if json {
                serde_json::to_writer(&mut out, &d)?;
                writeln!(out)?;
            } else {
                print_draft(&mut out, &d)?;
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
    let d = store.get_draft(*id)?;
    let link = ishenim_web::receipts::link_for(store, &code)?;
    let serial = store
        .approve_draft_with_receipt(*id, user, &ApprovedFields::from_draft(&d), Some(&link))
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
        let mut v = Vec::with_capacity(ids.len());
        for id in ids {
            v.push(store.get_draft(id)?);
        }
        v
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

/// The draft's receipt code (typed view of its one key).
fn receipt_code(d: &Draft) -> Option<ishenim_draft::ReceiptCode> {
    #[derive(serde::Deserialize)]
    struct Coded {
        #[serde(default)]
        receipt_code: Option<ishenim_draft::ReceiptCode>,
    }
    serde_json::from_value::<Coded>(d.data.clone())
        .ok()?
        .receipt_code
}

fn stems(d: &Draft) -> Vec<String> {
    d.data
        .get("pages")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn data_str<'a>(d: &'a Draft, key: &str) -> &'a str {
    d.data.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The object `drafts list --json` prints per draft.
fn list_json(d: &Draft) -> Value {
    json!({
        "id": d.id,
        "opening_id": d.opening_id,
        "status": d.status,
        "page_ids": d.page_ids,
        "pages": stems(d),
        "applicant": {"name": d.applicant_name, "anonymous": d.anonymous},
        "address": d.data.get("address").cloned().unwrap_or(Value::Null),
        "phone": d.phone,
        "date": d.data.get("date").cloned().unwrap_or(Value::Null),
        "summary": data_str(d, "summary"),
        "category": d.category,
        "corruption": d.corruption,
        "needs_transcription": d.data.get("needs_transcription").and_then(Value::as_bool).unwrap_or(false),
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
            cell(&stems(d).join(","), 18),
            pad(&cell(&applicant(d), 28), 28),
            d.phone.as_deref().unwrap_or("—"),
            d.category.as_deref().unwrap_or("—"),
            if d.corruption { "YES" } else { "" },
            cell(data_str(d, "summary"), 60)
        )?;
    }
    writeln!(out, "{} drafts", list.len())?;
    Ok(())
}

fn print_draft(out: &mut impl Write, d: &Draft) -> anyhow::Result<()> {
    writeln!(
        out,
        "draft {} (opening {}) — {}{}",
        d.id,
        d.opening_id,
        d.status.as_str(),
        d.serial.map(|s| format!(" as {s}")).unwrap_or_default()
    )?;
    let conf = |k: &str| {
        d.data
            .pointer(&format!("/confidence/{k}"))
            .and_then(Value::as_f64)
            .map(|c| format!(" ({c:.2})"))
            .unwrap_or_default()
    };
    let opt = |k: &str| {
        d.data
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("—")
            .to_string()
    };
    writeln!(out, "pages:      {}", stems(d).join(", "))?;
    writeln!(out, "lang:       {}{}", opt("lang"), conf("lang"))?;
    writeln!(out, "applicant:  {}{}", applicant(d), conf("applicant"))?;
    writeln!(out, "address:    {}{}", opt("address"), conf("address"))?;
    writeln!(out, "phone:      {}{}", opt("phone"), conf("phone"))?;
    writeln!(out, "date:       {}{}", opt("date"), conf("date"))?;
    if let Some(rc) = receipt_code(d) {
        writeln!(
            out,
            "receipt:    {} ({:.2}, {} on {})",
            rc.code, rc.confidence, rc.source, rc.page
        )?;
    }
    writeln!(
        out,
        "category:   {}{}",
        d.category.as_deref().unwrap_or("—"),
        conf("category")
    )?;
    let score = d
        .data
        .pointer("/corruption/score")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    writeln!(
        out,
        "corruption: {} (score {score:.2}){}",
        if d.corruption { "YES" } else { "no" },
        conf("corruption")
    )?;
    if let Some(rs) = d
        .data
        .pointer("/corruption/reasons")
        .and_then(Value::as_array)
    {
        for r in rs {
            writeln!(
                out,
                "  «{}» page {} box {}{}",
                r.get("phrase").and_then(Value::as_str).unwrap_or_default(),
                r.get("page").and_then(Value::as_str).unwrap_or_default(),
                r.get("bbox").map(|b| b.to_string()).unwrap_or_default(),
                r.get("note")
                    .and_then(Value::as_str)
                    .map(|n| format!(" [{n}]"))
                    .unwrap_or_default()
            )?;
        }
    }
    writeln!(
        out,
        "summary:    {}{}",
        data_str(d, "summary"),
        conf("summary")
    )?;
    if d.data.get("needs_transcription").and_then(Value::as_bool) == Some(true) {
        writeln!(
            out,
            "NEEDS TRANSCRIPTION / КОЛ МЕНЕН ТЕРҮҮ КЕРЕК / ТРЕБУЕТ РУЧНОГО ВВОДА"
        )?;
    }
    if let Some(r) = &d.reason {
        writeln!(out, "reason:     {r}")?;
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
        assert!(parse_status("done").is_err());
    }
}
