//! `ishenim receipts new|board|link` and `ishenim status CODE`: receipt codes for anonymous
//! follow-up. The codes are printed once and kept nowhere; the register knows their keyed
//! hashes (see `ishenim_web::receipts`).

use crate::cmd::ctx::Global;
use anyhow::Context;
use ishenim_receipt::sheet::{self, Css};
use ishenim_receipt::{Code, CodeError};
use ishenim_store::{ReceiptStatus, Serial};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// `ishenim receipts ...`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Print new tear-off slips (A4 HTML print page, 10 slips a sheet, two halves each
    /// with the same code and QR); the register records only the codes' keyed hashes.
    New {
        /// How many slips (1–1000).
        #[arg(long, default_value_t = 10)]
        count: usize,
        /// The HTML file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Address of the public status page to name on the slips (e.g.
        /// http://aiyl.local/status).
        #[arg(long, value_name = "URL")]
        status_url: Option<String>,
    },
    /// The notice-board list: the stage of every coded appeal by the code's first symbols
    /// only (HTML print page; stdout without --out).
    Board {
        /// The HTML file to write.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Link a receipt code to an entry registered without it.
    Link {
        /// Serial, e.g. 2026-0001.
        serial: Serial,
        /// The code, XXXX-XXXX-XXXX.
        code: String,
    },
}

/// `ishenim status CODE [--json]`.
#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// The receipt code (XXXX-XXXX-XXXX; case, spaces and look-alike letters are folded).
    pub code: String,
    /// One JSON object: {"found", "appeals": [{"box_date", "registration_number",
    /// "stage", "until", "answered_on", "outgoing_no", "text_ky", "text_ru"}]}.
    #[arg(long)]
    pub json: bool,
}

/// A typed code, or the reason it is refused (in both languages).
pub fn parse_code(s: &str) -> anyhow::Result<Code> {
    Code::parse(s).map_err(|e| match e {
        CodeError::Check => anyhow::anyhow!(
            "код туура эмес: текшерүү белгиси дал келбейт (бир белги ката же экөө алмашкан) / \
             код неверен: контрольный знак не совпадает (ошибка в знаке или перестановка)"
        ),
        other => anyhow::anyhow!("код туура эмес / код неверен: {other}"),
    })
}

/// Runs `ishenim receipts ...`.
pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    let user = global.user();
    match cmd {
        Command::New {
            count,
            out,
            status_url,
        } => {
            let store = global.store()?;
            let codes = ishenim_web::receipts::issue(&store, count, &user)
                .context("issuing receipt codes")?;
            let html = sheet::slips_html(&codes, status_url.as_deref(), Css::Inline);
            std::fs::write(&out, html).with_context(|| format!("writing {}", out.display()))?;
            eprintln!(
                "{} slips on {} sheets: {}",
                codes.len(),
                codes.len().div_ceil(sheet::SLIPS_PER_SHEET),
                out.display()
            );
        }
        Command::Board { out } => {
            let store = global.existing_store()?;
            let today = chrono::Local::now().date_naive();
            let rows = ishenim_web::receipts::board_rows(&store, today)?;
            store.audit(&user, "receipts_board", &format!("{} lines", rows.len()))?;
            let html = sheet::board_html(&rows, &today.format("%d.%m.%Y").to_string(), Css::Inline);
            match out {
                Some(p) => {
                    std::fs::write(&p, html).with_context(|| format!("writing {}", p.display()))?
                }
                None => std::io::stdout().lock().write_all(html.as_bytes())?,
            }
        }
        Command::Link { serial, code } => {
            let store = global.existing_store()?;
            let code = parse_code(&code)?;
            for (k, v) in ishenim_web::receipts::warnings(&store, &code)? {
                eprintln!("{}", warning_text(&k, &v));
            }
            let link = ishenim_web::receipts::link_for(&store, &code)?;
            store.link_receipt(serial, &link.hash, &link.prefix, &user)?;
            println!("{serial}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A reviewer's warning about a code, in both languages.
pub fn warning_text(key: &str, value: &str) -> String {
    match key {
        "receipt_not_issued" => "эскертүү: бул код бул реестрде басылган эмес / \
             внимание: этот код не печатался в этом реестре"
            .to_string(),
        _ => format!(
            "эскертүү: бул код башка кайрылууда колдонулган / внимание: код уже указан в обращении {value}"
        ),
    }
}

fn status_json(s: &ReceiptStatus) -> serde_json::Value {
    json!({
        "box_date": s.box_date,
        "registration_number": s.registration_number,
        "stage": s.stage,
        "until": s.until,
        "answered_on": s.answered_on,
        "outgoing_no": s.outgoing_no,
        "text_ky": s.stage_text("ky"),
        "text_ru": s.stage_text("ru"),
    })
}

/// Runs `ishenim status CODE`: exit 0 found, 1 nothing for this code, 2 not a valid code.
pub fn status(a: StatusArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let code = parse_code(&a.code)?;
    let store = global.existing_store()?;
    let today = chrono::Local::now().date_naive();
    let link = ishenim_web::receipts::link_for(&store, &code)?;
    let found = store.receipt_lookup(&link.hash, &global.user(), today)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        let appeals: Vec<_> = found.iter().map(status_json).collect();
        serde_json::to_writer(
            &mut out,
            &json!({ "found": !found.is_empty(), "appeals": appeals }),
        )?;
        writeln!(out)?;
    } else if found.is_empty() {
        writeln!(
            out,
            "Бул код боюнча маалымат жок / По этому коду сведений нет"
        )?;
    }
    if !a.json {
        for s in &found {
            writeln!(
                out,
                "Кутуча ачылган күн / Дата вскрытия ящика: {}",
                s.box_date.format("%d.%m.%Y")
            )?;
            writeln!(out, "Каттоо номери / Рег. номер: {}", s.registration_number)?;
            writeln!(
                out,
                "Абалы / Статус: {} / {}",
                s.stage_text("ky"),
                s.stage_text("ru")
            )?;
        }
    }
    Ok(ExitCode::from(if found.is_empty() { 1 } else { 0 }))
}
