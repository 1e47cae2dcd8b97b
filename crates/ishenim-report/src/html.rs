//! The report as HTML: a fragment for the web crate's layout and a standalone printable
//! A4 page. Every string that did not come from this crate is escaped by [`esc`].

use crate::lang::messages;
use crate::svg::{self, Series};
use crate::tabular::{bucket_name, chain_line, date, half_name, tables, Cell, Table};
use crate::{Lang, Report};
use std::fmt::Write;

/// The report's stylesheet (classes under `.ishenim-report`, A4 print rules). Inlined by
/// [`Report::html_document`]; the web crate can serve it as a file so that its CSP needs
/// no `'unsafe-inline'`.
pub const STYLESHEET: &str = include_str!("report.css");

/// Escapes text for HTML and XML (elements and quoted attributes) and drops the characters
/// XML does not allow (most C0 controls, U+FFFE, U+FFFF), which OCR can produce.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            '\t' | '\n' | '\r' => o.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => o.push(c),
        }
    }
    o
}

fn table_html(out: &mut String, t: &Table) {
    let _ = write!(
        out,
        "<table class=\"report-table report-table-{}\"><thead><tr>",
        t.id
    );
    let numeric: Vec<bool> = (0..t.header.len())
        .map(|i| {
            !t.rows.is_empty()
                && t.rows
                    .iter()
                    .all(|r| matches!(r.get(i), Some(Cell::Int(_) | Cell::Pct(_))))
        })
        .collect();
    for (i, h) in t.header.iter().enumerate() {
        let class = if numeric[i] { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th scope=\"col\"{class}>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        out.push_str("<tr>");
        for c in row {
            let class = match c {
                Cell::Text(_) => "text",
                _ => "num",
            };
            let _ = write!(out, "<td class=\"{class}\">{}</td>", esc(&c.shown()));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

impl Report {
    fn chart(&self, id: &str, lang: Lang) -> Option<String> {
        let m = messages(lang);
        let one = [Series {
            name: &m.col_count,
            color: svg::BLUE,
        }];
        let deadline_series = [
            Series {
                name: &m.on_time,
                color: svg::GREEN,
            },
            Series {
                name: &m.late,
                color: svg::ORANGE,
            },
            Series {
                name: &m.open_overdue,
                color: svg::RED,
            },
            Series {
                name: &m.open_in_time,
                color: svg::LIGHT_BLUE,
            },
        ];
        match id {
            "summary" => Some(svg::hbars(
                &m.applicants,
                &[
                    (m.signed.clone(), vec![self.signed]),
                    (m.anonymous.clone(), vec![self.anonymous]),
                ],
                &one,
            )),
            "months" => Some(svg::vbars(
                &m.by_month,
                &self
                    .by_month
                    .iter()
                    .map(|x| {
                        (
                            m.month(x.month).to_string(),
                            vec![x.total - x.corruption, x.corruption],
                        )
                    })
                    .collect::<Vec<_>>(),
                &[
                    Series {
                        name: &m.other_appeals,
                        color: svg::BLUE,
                    },
                    Series {
                        name: &m.corruption,
                        color: svg::PURPLE,
                    },
                ],
            )),
            "categories" if !self.by_category.is_empty() => Some(svg::hbars(
                &m.by_category,
                &self
                    .by_category
                    .iter()
                    .map(|c| (self.category_label(&c.key, lang), vec![c.count]))
                    .collect::<Vec<_>>(),
                &one,
            )),
            "villages" if !self.by_village.is_empty() => Some(svg::hbars(
                &m.by_village,
                &self
                    .by_village
                    .iter()
                    .map(|v| {
                        (
                            bucket_name(&v.village, &m.village_other, &m.village_unknown),
                            vec![v.count],
                        )
                    })
                    .collect::<Vec<_>>(),
                &one,
            )),
            "deadlines" if self.total > 0 => Some(svg::hbars(
                &m.deadlines,
                &[(m.col_total.clone(), self.deadlines.as_array().to_vec())],
                &deadline_series,
            )),
            "officials" if !self.by_official.is_empty() => Some(svg::hbars(
                &m.by_official,
                &self
                    .by_official
                    .iter()
                    .map(|o| {
                        (
                            bucket_name(&o.official, "", &m.not_assigned),
                            o.deadlines.as_array().to_vec(),
                        )
                    })
                    .collect::<Vec<_>>(),
                &deadline_series,
            )),
            _ => None,
        }
    }

    /// The report as an HTML fragment (`<article class="ishenim-report">…</article>`) for
    /// the web crate to place inside its own layout: headings, inline SVG charts, tables and
    /// the chain head. No script, no inline style; all user/OCR text escaped. Style it with
    /// [`STYLESHEET`].
    pub fn html_fragment(&self, lang: Lang) -> String {
        let m = messages(lang);
        let mut out = String::with_capacity(16 * 1024 + self.corruption_cases.len() * 512);
        let _ = write!(
            out,
            "<article class=\"ishenim-report\" lang=\"{}\"><header><h1>{}</h1>\
             <p class=\"report-period\">{}: {} ({} – {}). {}: {}.</p>\
             <p class=\"note\">{}</p></header>",
            lang.code(),
            esc(&m.title),
            esc(&m.period),
            esc(&half_name(self, m)),
            date(self.from),
            date(self.to),
            esc(&m.as_of),
            date(self.as_of),
            esc(&m.dates_note)
        );
        for t in tables(self, lang) {
            let extra = if t.id == "cases" && !t.rows.is_empty() {
                " report-cases"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<section id=\"report-{}\" class=\"report-section{extra}\"><h2>{}</h2>",
                t.id,
                esc(&t.title)
            );
            if let Some(svg) = self.chart(t.id, lang) {
                let _ = write!(out, "<figure>{svg}</figure>");
            }
            if !t.rows.is_empty() {
                table_html(&mut out, &t);
            }
            if let Some(n) = &t.note {
                let _ = write!(out, "<p class=\"note\">{}</p>", esc(n));
            }
            out.push_str("</section>");
        }
        let _ = write!(
            out,
            "<footer class=\"report-chain\">{}</footer></article>",
            esc(&chain_line(self, m))
        );
        out
    }

    /// The report as a standalone HTML page for printing on A4 (print CSS inlined, chain
    /// head in the footer). Open it in a browser and print.
    pub fn html_document(&self, lang: Lang) -> String {
        let m = messages(lang);
        format!(
            "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{} — {}</title><style>{}</style></head>\
             <body class=\"report-page\">{}</body></html>\n",
            lang.code(),
            esc(&m.title),
            esc(&half_name(self, m)),
            STYLESHEET,
            self.html_fragment(lang)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{day, Fixture, HOSTILE_BRIEF};

    #[test]
    fn esc_covers_markup_quotes_and_xml_controls() {
        assert_eq!(
            esc("<a href='x' title=\"y\">&</a>"),
            "&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(esc("a\u{0}b\u{1b}c\u{FFFF}\nd"), "abc\nd");
        assert_eq!(esc("Көк-Жар"), "Көк-Жар");
    }

    #[test]
    fn hostile_text_is_escaped_everywhere() {
        let f = Fixture::new();
        let r = f.report("2026H1", day(2026, 7, 10));
        for lang in [Lang::Ky, Lang::Ru] {
            let html = r.html_fragment(lang);
            assert!(!html.contains("<script"), "raw script tag in {lang}");
            assert!(!html.contains("<img"), "raw img tag in {lang}");
            assert!(html.contains(&esc(HOSTILE_BRIEF)), "brief shown escaped");
            // The fragment is well-formed XML (XHTML-compatible), charts included.
            let doc = roxmltree::Document::parse(&html)
                .unwrap_or_else(|e| panic!("fragment not well-formed ({lang}): {e}"));
            assert!(!doc
                .descendants()
                .any(|n| matches!(n.tag_name().name(), "script" | "img" | "iframe" | "style")));
            assert!(!html.contains(" style="), "no inline CSS");
            let svgs = doc
                .descendants()
                .filter(|n| n.tag_name().name() == "svg")
                .count();
            assert_eq!(
                svgs, 6,
                "summary, months, categories, villages, deadlines, officials"
            );
        }
    }

    #[test]
    fn fragment_and_document_read_right() {
        let f = Fixture::new();
        let r = f.report("2026H1", day(2026, 7, 10));
        let ky = r.html_fragment(Lang::Ky);
        assert!(ky.starts_with("<article class=\"ishenim-report\" lang=\"ky\">"));
        assert!(ky.contains("2026-жылдын I жарым жылдыгы (01.01.2026 – 30.06.2026)"));
        assert!(ky.contains("Абалы боюнча: 10.07.2026."));
        assert!(ky.contains("<td class=\"text\">Көк-Жар</td><td class=\"num\">3</td>"));
        assert!(ky.contains("Текшерүү дайындалды; Эскертүү берилди"));
        let head = r.chain_head.as_ref().unwrap();
        let ru = r.html_document(Lang::Ru);
        assert!(ru.starts_with("<!DOCTYPE html>\n<html lang=\"ru\">"));
        assert!(ru.contains("@page { size: A4"));
        assert!(ru.contains(
            "<title>Полугодовой анализ обращений граждан — I полугодие 2026 года</title>"
        ));
        assert!(ru.contains("<footer class=\"report-chain\">Вершина хэш-цепочки журнала: "));
        assert!(ru.contains(&head.hash) && ru.contains(&head.label));
        assert!(ru.contains("Не назначен"));
    }

    #[test]
    fn an_empty_half_renders() {
        let f = Fixture::new();
        let r = f.report("2027H1", day(2027, 7, 1));
        let html = r.html_fragment(Lang::Ru);
        roxmltree::Document::parse(&html).expect("well-formed");
        assert!(html.contains("не было"));
        assert!(r
            .to_csv(Lang::Ky)
            .contains("Бардык кайрылуулар,0,\"0,0 %\""));
    }
}
