//! Paper: the A4 sheet of tear-off slips and the notice-board list. Standalone HTML pages
//! with print CSS (no script, nothing fetched), every text in Kyrgyz and Russian.

use crate::{qr, Code};

/// Slips on one A4 sheet (two columns of five).
pub const SLIPS_PER_SHEET: usize = 10;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Print CSS of the slip sheet (inline in the command's file, `/static/receipts.css` on the web).
pub const SLIP_CSS: &str = "@page{size:A4;margin:8mm}*{box-sizing:border-box}\
body{margin:0;font-family:'DejaVu Sans','Liberation Sans',sans-serif;color:#000}\
.sheet{display:grid;grid-template-columns:1fr 1fr;grid-auto-rows:55.5mm;gap:0;width:194mm;\
page-break-after:always}.sheet:last-child{page-break-after:auto}\
.slip{display:grid;grid-template-columns:1fr 1fr;border:1px dashed #555}\
.half{padding:2mm 2.5mm;display:flex;flex-direction:column;align-items:center;gap:1mm;overflow:hidden}\
.half+.half{border-left:1px dashed #555}\
.t{font-size:7.5pt;font-weight:bold;text-align:center;line-height:1.15}\
.code{font-family:'DejaVu Sans Mono','Liberation Mono',monospace;font-size:12pt;font-weight:bold;\
letter-spacing:.5mm;white-space:nowrap}\
.i{font-size:5.6pt;line-height:1.2;text-align:left;width:100%}.i p{margin:0 0 .8mm}\
.cut{font-size:6pt;color:#555}@media screen{body{background:#eee}.sheet{background:#fff;\
margin:4mm auto;padding:0}}";

/// The half attached to (or copied onto) the letter.
fn letter_half(code: &Code) -> String {
    format!(
        "<div class=\"half letter\"><div class=\"t\">Катка тиркеңиз<br>Приложите к письму</div>\
         {}<div class=\"code\">{}</div><div class=\"cut\">✂ ← кесиңиз / отрежьте</div></div>",
        qr::svg(code, 22),
        code
    )
}

/// The half the writer keeps, with the instructions.
fn keep_half(code: &Code, where_ky: &str, where_ru: &str) -> String {
    format!(
        "<div class=\"half keep\"><div class=\"t\">Өзүңүздө сактаңыз<br>Оставьте себе</div>\
         <div class=\"code\">{code}</div><div class=\"i\">\
         <p lang=\"ky\">Бул кодду сактаңыз. Кайрылууңуздун абалын {wk} ушул код менен билсеңиз болот. \
         Код сиз жөнүндө эч нерсе айтпайт: аты-жөнүңүз эч жерде жазылбайт.</p>\
         <p lang=\"ru\">Сохраните этот код. Статус обращения можно узнать {wr} по этому коду. \
         Код ничего не говорит о вас: ваше имя нигде не записывается.</p></div></div>",
        wk = esc(where_ky),
        wr = esc(where_ru),
    )
}

/// How a page gets its CSS: inline (a standalone file) or a stylesheet link (web pages,
/// whose Content-Security-Policy refuses inline styles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Css<'a> {
    /// A `<style>` element.
    Inline,
    /// `<link rel="stylesheet" href=…>`.
    Link(&'a str),
}

fn style(css: Css<'_>, text: &str) -> String {
    match css {
        Css::Inline => format!("<style>{text}</style>"),
        Css::Link(href) => format!("<link rel=\"stylesheet\" href=\"{}\">", esc(href)),
    }
}

/// Where the status can be checked, in each language, for the instructions.
pub fn where_to_check(status_url: Option<&str>) -> (String, String) {
    match status_url {
        Some(u) => (
            format!("айыл өкмөтүнөн, кулактандыруу тактасынан же {u} дарегинен"),
            format!("в айыл окмоту, на доске объявлений или по адресу {u}"),
        ),
        None => (
            "айыл өкмөтүнөн же кулактандыруу тактасынан".to_string(),
            "в айыл окмоту или на доске объявлений".to_string(),
        ),
    }
}

/// The print page of `codes`: [`SLIPS_PER_SHEET`] slips per A4 sheet, each with two halves
/// carrying the same code and QR symbol. `status_url` (e.g. `http://aiyl.local/status`) is
/// named in the instructions when given.
pub fn slips_html(codes: &[Code], status_url: Option<&str>, css: Css<'_>) -> String {
    let (wk, wr) = where_to_check(status_url);
    let mut body = String::new();
    for sheet in codes.chunks(SLIPS_PER_SHEET) {
        body.push_str("<section class=\"sheet\">");
        for c in sheet {
            body.push_str("<div class=\"slip\">");
            body.push_str(&letter_half(c));
            body.push_str(&keep_half(c, &wk, &wr));
            body.push_str("</div>");
        }
        body.push_str("</section>");
    }
    format!(
        "<!DOCTYPE html><html lang=\"ky\"><head><meta charset=\"utf-8\">\
         <title>Ишеним: текшерүү коддору / коды для проверки</title>{}\
         </head><body>{body}</body></html>",
        style(css, SLIP_CSS)
    )
}

/// One line of the notice board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    /// First symbols of the code ([`Code::prefix`]).
    pub prefix: String,
    /// The stage in Kyrgyz.
    pub stage_ky: String,
    /// The stage in Russian.
    pub stage_ru: String,
}

/// Print CSS of the notice board.
pub const BOARD_CSS: &str =
    "@page{size:A4;margin:15mm}body{font-family:'DejaVu Sans','Liberation Sans',\
sans-serif;font-size:11pt;color:#000}h1{font-size:15pt;margin:0 0 2mm}p{margin:0 0 4mm}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #000;padding:1.5mm 2mm;\
text-align:left;vertical-align:top}td.p{font-family:'DejaVu Sans Mono','Liberation Mono',monospace;\
font-weight:bold;white-space:nowrap}thead{display:table-header-group}tr{page-break-inside:avoid}";

/// The notice-board page: one line per coded appeal, the code's first symbols only,
/// sorted by them, with the date the list was made.
pub fn board_html(rows: &[BoardRow], made_on: &str, css: Css<'_>) -> String {
    let mut sorted = rows.to_vec();
    sorted.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    let mut trs = String::new();
    for r in &sorted {
        trs.push_str(&format!(
            "<tr><td class=\"p\">{}…</td><td lang=\"ky\">{}</td><td lang=\"ru\">{}</td></tr>",
            esc(&r.prefix),
            esc(&r.stage_ky),
            esc(&r.stage_ru)
        ));
    }
    if sorted.is_empty() {
        trs.push_str("<tr><td colspan=\"3\">Азырынча жок / Пока нет</td></tr>");
    }
    format!(
        "<!DOCTYPE html><html lang=\"ky\"><head><meta charset=\"utf-8\">\
         <title>Кайрылуулардын абалы / Статус обращений</title>{st}</head><body>\
         <h1>Коддуу кайрылуулардын абалы / Статус обращений с кодом</h1>\
         <p>Кодуңуздун алгачкы белгилерин табыңыз. {d} абалы боюнча. / Найдите первые знаки \
         своего кода. По состоянию на {d}.</p>\
         <table><thead><tr><th>Код</th><th>Абалы</th><th>Статус</th></tr></thead><tbody>{trs}\
         </tbody></table></body></html>",
        d = esc(made_on),
        st = style(css, BOARD_CSS)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips_carry_each_code_twice_with_qr_and_both_languages() {
        let codes: Vec<Code> = (0..13).map(|_| Code::generate().unwrap()).collect();
        let h = slips_html(&codes, Some("http://aiyl.local/status"), Css::Inline);
        assert_eq!(h.matches("<section class=\"sheet\">").count(), 2);
        for c in &codes {
            assert_eq!(h.matches(&c.to_string()).count(), 2, "two halves");
        }
        assert_eq!(h.matches("<svg ").count(), 13);
        assert!(h.contains("Бул кодду сактаңыз") && h.contains("Сохраните этот код"));
        assert!(h.contains("http://aiyl.local/status"));
        assert!(!h.contains("<script"));
        assert!(!h.contains(" style=\""), "no inline style attributes (CSP)");
    }

    #[test]
    fn board_lists_prefixes_only_and_escapes() {
        let c = Code::generate().unwrap();
        let rows = vec![BoardRow {
            prefix: c.prefix(),
            stage_ky: "<b>x</b>".into(),
            stage_ru: "каралууда".into(),
        }];
        let h = board_html(&rows, "2026-12-05", Css::Link("/static/receipts.css"));
        assert!(h.contains(&format!("{}…", c.prefix())));
        assert!(!h.contains(&c.compact()));
        assert!(h.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(board_html(&[], "2026-12-05", Css::Inline).contains("Пока нет"));
    }
}
