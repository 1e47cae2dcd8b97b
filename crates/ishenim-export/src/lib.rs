//! The journal as a table: the paper register's columns (Kyrgyz / Russian titles), one
//! row per entry, and the hash-chain head as the last row, so that a printout or an export
//! can later be checked against the database (`ishenim journal verify --head`).

mod appeal;

pub use appeal::{
    appeal_pdf, load_font, redaction_boxes, redaction_view, AppealPdf, AppealPdfOptions, PageBoxes,
    PageRedaction,
};

use chrono::NaiveDate;
use ishenim_store::{ChainHead, EntryView};

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// CSV writer failure.
    #[error("csv: {0}")]
    Csv(String),
    /// XLSX writer failure.
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The register refused a read (or the audit record).
    #[error("store: {0}")]
    Store(#[from] ishenim_store::StoreError),
    /// A stored page could not be decoded again.
    #[error("{0}")]
    Page(String),
    /// No usable font for the PDF text.
    #[error("{0}")]
    Font(String),
    /// The PDF writer failed.
    #[error("pdf: {0}")]
    Pdf(#[from] ishenim_pdf::PdfError),
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        ExportError::Csv(e.to_string())
    }
}

/// `dd.mm.yyyy`, as dates are written here.
pub fn human(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// Column titles (Kyrgyz / Russian), one per value of [`row_of`].
pub const COLUMNS: &[&str] = &[
    "Каттоо № / Рег. №",
    "Катталган күнү / Дата регистрации",
    "Кутучадан алынган күнү / Дата изъятия",
    "Арыз ээси / Заявитель",
    "Дареги / Адрес",
    "Телефон / Телефон",
    "Кыскача мазмуну / Краткое содержание",
    "Категория / Категория",
    "Коррупция / Коррупция",
    "Жооптуу адам / Исполнитель",
    "Мөөнөтү / Срок",
    "Көрүлгөн чаралар / Принятые меры",
    "Жооптун № / Исх. №",
    "Жооптун күнү / Дата ответа",
    "Абалы / Статус",
    "Бекиткен / Утвердил",
    "SHA-256",
];

/// One journal row; `human` writes dates as dd.mm.yyyy (printouts), else ISO (exports).
pub fn row_of(e: &EntryView, human_dates: bool) -> Vec<String> {
    let date = |d: NaiveDate| {
        if human_dates {
            human(d)
        } else {
            d.to_string()
        }
    };
    let ts_fmt = if human_dates {
        "%d.%m.%Y %H:%M"
    } else {
        "%Y-%m-%d %H:%M"
    };
    vec![
        e.serial.to_string(),
        e.registered_at.format(ts_fmt).to_string(),
        date(e.box_date),
        e.applicant.clone(),
        e.fields.address.clone().unwrap_or_default(),
        e.fields.phone.clone().unwrap_or_default(),
        e.fields.brief.clone(),
        e.fields.category.clone(),
        if e.fields.corruption { "да" } else { "" }.to_string(),
        e.fields.official.clone().unwrap_or_default(),
        format!(
            "{}{}",
            date(e.deadline),
            if e.deadline_extended { " (+)" } else { "" }
        ),
        e.measures.join("; "),
        e.reply_no.clone().unwrap_or_default(),
        e.reply_date.map(date).unwrap_or_default(),
        e.status.as_str().to_string(),
        e.approved_by.clone(),
        e.hash.clone(),
    ]
}

/// The footer row: `chain head`, label, hash, position.
pub fn head_row(head: &Option<ChainHead>) -> Vec<String> {
    match head {
        Some(h) => vec![
            "Чынжырдын башы / Вершина цепочки (chain head)".into(),
            h.label.clone(),
            h.hash.clone(),
            format!("position {}", h.seq),
        ],
        None => vec![
            "Чынжырдын башы / Вершина цепочки (chain head)".into(),
            "empty journal".into(),
        ],
    }
}

/// A cell a spreadsheet could take for a formula (`=…`, `@…`, `+SUM(…)`, `-1+…`) gets a
/// leading `'` so that letter text can never run as a formula when the CSV is opened.
/// Phone numbers (`+996 555 12-34-56`) and plain numbers are left alone.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let mut chars = cell.chars();
    let risky = match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !chars.all(|c| c.is_ascii_digit() || " ()-".contains(c)),
        _ => false,
    };
    if risky {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The journal as CSV (UTF-8, header row, ISO dates, chain head as the last row).
pub fn to_csv(list: &[EntryView], head: &Option<ChainHead>) -> Result<Vec<u8>, ExportError> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for e in list {
        w.write_record(row_of(e, false).iter().map(|c| neutralise(c).into_owned()))?;
    }
    w.write_record(head_row(head))?;
    w.into_inner()
        .map_err(|e| ExportError::Csv(e.error().to_string()))
}

/// The journal as an XLSX workbook (one sheet «Журнал», frozen header, chain head below).
pub fn to_xlsx(list: &[EntryView], head: &Option<ChainHead>) -> Result<Vec<u8>, ExportError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let ws = wb.add_worksheet();
    ws.set_name("Журнал")?;
    for (c, title) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *title, &bold)?;
    }
    for (c, w) in [
        11.0, 16.0, 12.0, 28.0, 30.0, 15.0, 50.0, 12.0, 8.0, 18.0, 12.0, 30.0, 10.0, 12.0, 10.0,
        12.0, 20.0,
    ]
    .iter()
    .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let mut r = 1u32;
    for e in list {
        for (c, v) in row_of(e, false).iter().enumerate() {
            ws.write_string_with_format(r, c as u16, v, &wrap)?;
        }
        r += 1;
    }
    r += 1;
    for (c, v) in head_row(head).iter().enumerate() {
        ws.write_string_with_format(r, c as u16, v, &bold)?;
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_row_names_the_hash() {
        let h = Some(ChainHead {
            seq: 2,
            label: "serial 2026-0002".into(),
            hash: "cd".repeat(32),
        });
        let r = head_row(&h);
        assert!(r.contains(&"serial 2026-0002".to_string()));
        assert!(r.contains(&"cd".repeat(32)));
        assert_eq!(head_row(&None).len(), 2);
    }

    #[test]
    fn formulas_are_neutralised_but_phones_are_not() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("+SUM(A1)"), "'+SUM(A1)");
        assert_eq!(neutralise("-1+2"), "'-1+2");
        assert_eq!(neutralise("+996 555 12-34-56"), "+996 555 12-34-56");
        assert_eq!(neutralise("Асанов"), "Асанов");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn empty_journal_exports_header_and_head() {
        let csv = to_csv(&[], &None).expect("csv");
        let text = String::from_utf8(csv).expect("utf8");
        assert!(text.starts_with("Каттоо № / Рег. №"));
        assert!(text.contains("empty journal"));
        let x = to_xlsx(&[], &None).expect("xlsx");
        assert_eq!(&x[..2], b"PK");
    }
}
