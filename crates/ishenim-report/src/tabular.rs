//! The report as tables — one model shared by the HTML page, CSV and XLSX, so the three
//! always agree — and the CSV and XLSX writers.

use crate::lang::{messages, Messages};
use crate::{Bucket, Lang, Report, ReportError, Timeliness};
use chrono::NaiveDate;

/// One table cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Text (possibly attacker-controlled).
    Text(String),
    /// A count.
    Int(u64),
    /// A percentage, 0–100.
    Pct(f64),
}

/// A titled table.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// Stable id (HTML section id, chart selection).
    pub id: &'static str,
    pub title: String,
    pub note: Option<String>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// `dd.mm.yyyy`.
pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// `37,5 %` (decimal comma in both languages).
pub(crate) fn pct(p: f64) -> String {
    format!("{p:.1} %").replace('.', ",")
}

impl Cell {
    /// As shown in HTML and CSV.
    pub(crate) fn shown(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Pct(p) => pct(*p),
        }
    }
}

pub(crate) fn half_name(r: &Report, m: &Messages) -> String {
    m.half_name
        .replace("{year}", &r.half.year.to_string())
        .replace("{half}", r.half.roman())
}

pub(crate) fn timeliness_name(t: Timeliness, m: &Messages) -> &str {
    match t {
        Timeliness::OnTime => &m.on_time,
        Timeliness::Late => &m.late,
        Timeliness::OpenOverdue => &m.open_overdue,
        Timeliness::OpenInTime => &m.open_in_time,
    }
}

pub(crate) fn bucket_name(b: &Bucket, other: &str, unknown: &str) -> String {
    match b {
        Bucket::Named(s) => s.clone(),
        Bucket::Other => other.to_string(),
        Bucket::Unknown => unknown.to_string(),
    }
}

fn count_rows(r: &Report, items: Vec<(String, u64)>) -> Vec<Vec<Cell>> {
    items
        .into_iter()
        .map(|(name, n)| vec![Cell::Text(name), Cell::Int(n), Cell::Pct(r.percent(n))])
        .collect()
}

/// Every table of the report, in page order: summary, months, categories, villages,
/// deadlines, officials, corruption cases.
pub(crate) fn tables(r: &Report, lang: Lang) -> Vec<Table> {
    let m = messages(lang);
    let count_header = || vec![m.col_item.clone(), m.col_count.clone(), m.col_share.clone()];
    let mut out = Vec::new();

    out.push(Table {
        id: "summary",
        title: m.summary.clone(),
        note: None,
        header: count_header(),
        rows: count_rows(
            r,
            vec![
                (m.total.clone(), r.total),
                (m.signed.clone(), r.signed),
                (m.anonymous.clone(), r.anonymous),
                (m.corruption.clone(), r.corruption),
            ],
        ),
    });

    out.push(months_table(r, m));

    out.push(Table {
        id: "categories",
        title: m.by_category.clone(),
        note: None,
        header: vec![
            m.col_category.clone(),
            m.col_count.clone(),
            m.col_share.clone(),
        ],
        rows: count_rows(
            r,
            r.by_category
                .iter()
                .map(|c| {
                    let l = match lang {
                        Lang::Ky => &c.label_ky,
                        Lang::Ru => &c.label_ru,
                    };
                    (l.clone(), c.count)
                })
                .collect(),
        ),
    });

    out.push(Table {
        id: "villages",
        title: m.by_village.clone(),
        note: Some(m.village_note.clone()),
        header: vec![
            m.col_village.clone(),
            m.col_count.clone(),
            m.col_share.clone(),
        ],
        rows: count_rows(
            r,
            r.by_village
                .iter()
                .map(|v| {
                    (
                        bucket_name(&v.village, &m.village_other, &m.village_unknown),
                        v.count,
                    )
                })
                .collect(),
        ),
    });

    let d = &r.deadlines;
    out.push(Table {
        id: "deadlines",
        title: m.deadlines.clone(),
        note: Some(m.deadlines_note.clone()),
        header: count_header(),
        rows: count_rows(
            r,
            vec![
                (m.on_time.clone(), d.on_time),
                (m.late.clone(), d.late),
                (m.open_overdue.clone(), d.open_overdue),
                (m.open_in_time.clone(), d.open_in_time),
            ],
        ),
    });

    out.push(officials_table(r, m));
    out.push(cases_table(r, m, lang));
    out
}

/// Appeals and corruption flags per month, with the half's total.
fn months_table(r: &Report, m: &Messages) -> Table {
    let mut months: Vec<Vec<Cell>> = r
        .by_month
        .iter()
        .map(|x| {
            vec![
                Cell::Text(m.month(x.month).to_string()),
                Cell::Int(x.total),
                Cell::Int(x.corruption),
            ]
        })
        .collect();
    months.push(vec![
        Cell::Text(m.col_total.clone()),
        Cell::Int(r.total),
        Cell::Int(r.corruption),
    ]);
    Table {
        id: "months",
        title: m.by_month.clone(),
        note: None,
        header: vec![
            m.col_month.clone(),
            m.col_count.clone(),
            m.corruption.clone(),
        ],
        rows: months,
    }
}

/// Appeals per official with their deadline counts.
fn officials_table(r: &Report, m: &Messages) -> Table {
    Table {
        id: "officials",
        title: m.by_official.clone(),
        note: None,
        header: vec![
            m.col_official.clone(),
            m.col_total.clone(),
            m.on_time.clone(),
            m.late.clone(),
            m.open_overdue.clone(),
            m.open_in_time.clone(),
        ],
        rows: r
            .by_official
            .iter()
            .map(|o| {
                let mut row = vec![
                    Cell::Text(bucket_name(&o.official, "", &m.not_assigned)),
                    Cell::Int(o.total),
                ];
                row.extend(o.deadlines.as_array().into_iter().map(Cell::Int));
                row
            })
            .collect(),
    }
}

/// The corruption-flagged appeals, one row each.
fn cases_table(r: &Report, m: &Messages, lang: Lang) -> Table {
    Table {
        id: "cases",
        title: m.corruption_cases.clone(),
        note: r
            .corruption_cases
            .is_empty()
            .then(|| m.no_corruption_cases.clone()),
        header: vec![
            m.col_serial.clone(),
            m.col_date.clone(),
            m.col_village.clone(),
            m.col_category.clone(),
            m.col_brief.clone(),
            m.col_official.clone(),
            m.col_status.clone(),
            m.col_deadline.clone(),
            m.col_measures.clone(),
            m.col_reply.clone(),
        ],
        rows: r
            .corruption_cases
            .iter()
            .map(|c| {
                let reply = match (&c.reply_no, c.reply_date) {
                    (Some(n), Some(d)) => format!("№ {n}, {}", date(d)),
                    (Some(n), None) => format!("№ {n}"),
                    (None, Some(d)) => date(d),
                    (None, None) => "—".to_string(),
                };
                vec![
                    Cell::Text(c.serial.to_string()),
                    Cell::Text(date(c.registered)),
                    Cell::Text(c.village.clone().unwrap_or_else(|| "—".into())),
                    Cell::Text(r.category_label(&c.category, lang)),
                    Cell::Text(c.brief.clone()),
                    Cell::Text(c.official.clone().unwrap_or_else(|| m.not_assigned.clone())),
                    Cell::Text(m.status(c.status).to_string()),
                    Cell::Text(format!(
                        "{} — {}",
                        date(c.deadline),
                        timeliness_name(c.timeliness, m)
                    )),
                    Cell::Text(if c.measures.is_empty() {
                        m.no_measures.clone()
                    } else {
                        c.measures.join("; ")
                    }),
                    Cell::Text(reply),
                ]
            })
            .collect(),
    }
}

/// The chain head as one line, in `lang`.
pub(crate) fn chain_line(r: &Report, m: &Messages) -> String {
    match &r.chain_head {
        Some(h) => format!(
            "{}: {} ({} {}), SHA-256 {}",
            m.chain_head, h.label, m.chain_position, h.seq, h.hash
        ),
        None => format!("{}: {}", m.chain_head, m.chain_empty),
    }
}

/// A CSV field: quoted when needed; text a spreadsheet would run as a formula gets a `'`.
fn csv_field(s: &str, text: bool) -> String {
    let guarded;
    let s = if text && s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        guarded = format!("'{s}");
        guarded.as_str()
    } else {
        s
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_row(out: &mut String, cells: &[Cell]) {
    let line: Vec<String> = cells
        .iter()
        .map(|c| csv_field(&c.shown(), matches!(c, Cell::Text(_))))
        .collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

fn texts(v: &[String]) -> Vec<Cell> {
    v.iter().cloned().map(Cell::Text).collect()
}

impl Report {
    /// The report as CSV (UTF-8, comma-separated, CRLF): a title block, then each table
    /// (title row, header row, data rows, blank row), then the chain head. Dates dd.mm.yyyy.
    pub fn to_csv(&self, lang: Lang) -> String {
        let m = messages(lang);
        let mut out = String::new();
        csv_row(&mut out, &texts(std::slice::from_ref(&m.title)));
        csv_row(
            &mut out,
            &texts(&[
                m.period.clone(),
                half_name(self, m),
                format!("{} – {}", date(self.from), date(self.to)),
            ]),
        );
        csv_row(&mut out, &texts(&[m.as_of.clone(), date(self.as_of)]));
        out.push_str("\r\n");
        for t in tables(self, lang) {
            csv_row(&mut out, &texts(std::slice::from_ref(&t.title)));
            if let Some(n) = &t.note {
                csv_row(&mut out, &texts(std::slice::from_ref(n)));
            }
            csv_row(&mut out, &texts(&t.header));
            for row in &t.rows {
                csv_row(&mut out, row);
            }
            out.push_str("\r\n");
        }
        csv_row(&mut out, &texts(&[chain_line(self, m)]));
        out
    }

    /// The report as an XLSX workbook: a summary sheet with every table (counts as numbers,
    /// shares as percentages) and a sheet of corruption-related appeals; the chain head under
    /// both. Text cells are strings, never formulas.
    pub fn to_xlsx(&self, lang: Lang) -> Result<Vec<u8>, ReportError> {
        use rust_xlsxwriter::{Format, FormatAlign, Workbook};
        let m = messages(lang);
        let mut wb = Workbook::new();
        let title = Format::new().set_bold().set_font_size(14);
        let bold = Format::new().set_bold();
        let head = Format::new()
            .set_bold()
            .set_background_color("#EEEEEE")
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        let percent = Format::new().set_num_format("0.0%");
        let all = tables(self, lang);
        let (cases, summary): (Vec<_>, Vec<_>) = all.into_iter().partition(|t| t.id == "cases");

        let ws = wb.add_worksheet();
        ws.set_name(&m.sheet_summary)?;
        ws.set_column_width(0, 44)?;
        for c in 1..=5u16 {
            ws.set_column_width(c, 14)?;
        }
        ws.write_string_with_format(0, 0, &m.title, &title)?;
        ws.write_string(1, 0, &m.period)?;
        ws.write_string(
            1,
            1,
            format!(
                "{} ({} – {})",
                half_name(self, m),
                date(self.from),
                date(self.to)
            ),
        )?;
        ws.write_string(2, 0, &m.as_of)?;
        ws.write_string(2, 1, date(self.as_of))?;
        let mut row = 4u32;
        for t in &summary {
            ws.write_string_with_format(row, 0, &t.title, &bold)?;
            row += 1;
            if let Some(n) = &t.note {
                ws.write_string(row, 0, n)?;
                row += 1;
            }
            for (c, h) in t.header.iter().enumerate() {
                ws.write_string_with_format(row, c as u16, h, &head)?;
            }
            row += 1;
            for r in &t.rows {
                for (c, cell) in r.iter().enumerate() {
                    let c = c as u16;
                    match cell {
                        Cell::Text(s) => {
                            ws.write_string(row, c, s)?;
                        }
                        Cell::Int(n) => {
                            ws.write_number(row, c, *n as f64)?;
                        }
                        Cell::Pct(p) => {
                            ws.write_number_with_format(row, c, p / 100.0, &percent)?;
                        }
                    }
                }
                row += 1;
            }
            row += 1;
        }
        ws.write_string_with_format(row, 0, chain_line(self, m), &bold)?;

        let ws = wb.add_worksheet();
        ws.set_name(&m.sheet_cases)?;
        for (c, w) in [11.0, 12.0, 16.0, 18.0, 50.0, 18.0, 16.0, 24.0, 40.0, 20.0]
            .iter()
            .enumerate()
        {
            ws.set_column_width(c as u16, *w)?;
        }
        let mut row = 0u32;
        for t in &cases {
            ws.write_string_with_format(row, 0, &t.title, &bold)?;
            row += 1;
            for (c, h) in t.header.iter().enumerate() {
                ws.write_string_with_format(row, c as u16, h, &head)?;
            }
            ws.set_freeze_panes(row + 1, 0)?;
            row += 1;
            for r in &t.rows {
                for (c, cell) in r.iter().enumerate() {
                    ws.write_string_with_format(row, c as u16, cell.shown(), &wrap)?;
                }
                row += 1;
            }
            if let Some(n) = &t.note {
                ws.write_string(row, 0, n)?;
                row += 1;
            }
        }
        row += 1;
        ws.write_string_with_format(row, 0, chain_line(self, m), &bold)?;
        Ok(wb.save_to_buffer()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{day, Fixture, HOSTILE_BRIEF};
    use std::io::Read;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("a,b", true), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\"", true), "\"say \"\"hi\"\"\"");
        assert_eq!(
            csv_field("=HYPERLINK(\"x\")", true),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(csv_field("+996", true), "'+996");
        assert_eq!(
            csv_field("-5", false),
            "-5",
            "numbers we write are left alone"
        );
        assert_eq!(pct(37.5), "37,5 %");
        assert_eq!(date(day(2026, 1, 5)), "05.01.2026");
    }

    #[test]
    fn csv_has_every_section_in_both_languages() {
        let f = Fixture::new();
        let r = f.report("2026H1", day(2026, 7, 10));
        let ky = r.to_csv(Lang::Ky);
        let ru = r.to_csv(Lang::Ru);
        assert!(ky.starts_with("Кайрылуулардын жарым жылдык талдоосу\r\n"));
        assert!(ru.contains("Период,I полугодие 2026 года,01.01.2026 – 30.06.2026\r\n"));
        assert!(ky.contains("Январь,3,1\r\n"), "{ky}");
        assert!(ru.contains("Земельные вопросы,4,\"50,0 %\"\r\n"), "{ru}");
        assert!(ky.contains("Көк-Жар,3,\"37,5 %\"\r\n"));
        assert!(ru.contains("Отвечено в срок,2,\"25,0 %\"\r\n"));
        assert!(ru.contains("Осмонов Б.,3,1,1,1,0\r\n"), "{ru}");
        assert!(ru.contains("Не назначен,4,0,1,2,1\r\n"));
        assert!(ky.contains("2026-0001,12.01.2026,Көк-Жар,Жер маселеси,"));
        assert!(ky.contains("Текшерүү дайындалды; Эскертүү берилди"));
        assert!(ky.contains("\"№ 01-12/5, 15.01.2026\""));
        // The hostile brief is data: quoted, intact, and not a formula.
        let quoted = format!("\"{}\"", HOSTILE_BRIEF.replace('"', "\"\""));
        assert!(ky.contains(&quoted), "{ky}");
        let head = r.chain_head.as_ref().unwrap();
        assert!(ru.contains(&head.hash));
        // Every line parses back to the same number of cells it was written with.
        assert!(!ky.contains("\n\n\n"));
    }

    #[test]
    fn xlsx_opens_and_holds_the_strings() {
        let f = Fixture::new();
        let r = f.report("2026H1", day(2026, 7, 10));
        let x = r.to_xlsx(Lang::Ru).unwrap();
        assert_eq!(&x[..2], b"PK");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(x)).unwrap();
        let mut strings = String::new();
        zip.by_name("xl/sharedStrings.xml")
            .unwrap()
            .read_to_string(&mut strings)
            .unwrap();
        roxmltree::Document::parse(&strings).expect("well-formed shared strings");
        assert!(strings.contains("Полугодовой анализ обращений граждан"));
        assert!(strings.contains("Осмонов Б."));
        assert!(
            strings.contains("&lt;script&gt;"),
            "hostile text stored as text"
        );
        let mut wb = String::new();
        zip.by_name("xl/workbook.xml")
            .unwrap()
            .read_to_string(&mut wb)
            .unwrap();
        assert!(wb.contains("Итоги") && wb.contains("Коррупция"));
        let mut sheet = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut sheet)
            .unwrap();
        assert!(!sheet.contains("<f>"), "no formulas");
    }
}
