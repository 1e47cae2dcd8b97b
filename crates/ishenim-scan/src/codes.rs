//! Printed receipt codes read again in Latin.
//!
//! The text engine (`kir`, `kir+rus`) reads a Latin code such as `B9HV-PTX4-4MZV` as
//! Cyrillic look-alikes and garbage (`ВӨНУ-РТХ4-4М/ХУ`), so the code printed on a slip's
//! stub (or copied by hand onto the letter) is rarely found in the page text. Words whose
//! reading is *shaped* like a code (three dash-separated groups of three to five capitals
//! or digits, one word of about twelve, or the line under the stub's label) are cropped
//! from the prepared image and read again by the `eng` model as one line, restricted to
//! the code alphabet. Only a reading whose check symbol holds ([`Code::repair`]) is kept,
//! as a [`QrMark`] of kind [`MarkKind::Printed`], where drafting already looks for codes.
//!
//! Pages without a code-shaped line cost one pass over their words: no engine runs.

use image::GrayImage;
use ishenim_imaging::Prepared;
use ishenim_ocr::{Engine, OcrError, RawWord, Segmentation};
use ishenim_page::{MarkKind, QrMark};
use ishenim_receipt::{Code, ALPHABET};

/// Words the slip sheet prints just above the code on the stub (`Катка тиркеңиз /
/// Приложите к письму`, see `ishenim_receipt::sheet`), folded to lower case. A line under
/// one of them is read again whatever its shape: the code may be read as anything.
const LABELS: &[&str] = &["тиркеңиз", "тиркениз", "письму", "код", "код:"];

/// The `eng` engine limited to the code alphabet: one per worker thread, like the others.
pub struct CodeReader {
    eng: Engine,
}

impl CodeReader {
    /// Loads `eng` from `datapath` (or Tesseract's default) with the whitelist of the
    /// Crockford alphabet and `-`.
    pub fn new(datapath: Option<&str>) -> Result<CodeReader, OcrError> {
        let mut eng = Engine::new(datapath, "eng")?;
        let mut white = String::from_utf8_lossy(ALPHABET).into_owned();
        white.push('-');
        eng.set_variable("tessedit_char_whitelist", &white)?;
        // Codes are random: a dictionary only pulls readings towards words.
        eng.set_variable("load_system_dawg", "0").ok();
        eng.set_variable("load_freq_dawg", "0").ok();
        Ok(CodeReader { eng })
    }

    /// The valid code in a crop of one line, if any: read as a line, then as a word.
    fn read(&mut self, crop: &GrayImage, dpi: u32) -> Option<(Code, usize)> {
        for seg in [Segmentation::SingleLine, Segmentation::SingleWord] {
            let Ok(words) = self.eng.recognize(crop, dpi, seg) else {
                continue;
            };
            let text: String = words.iter().map(|w| w.text.as_str()).collect();
            // Digits read as a code (a number next to a label) are not one.
            let letters = text.chars().filter(|c| c.is_ascii_uppercase()).count();
            if letters < 2 {
                continue;
            }
            if let Ok(r) = Code::repair(&text) {
                return Some((r.code, r.changed));
            }
        }
        None
    }
}

/// True for a character a code's symbol may be read as by a Cyrillic engine: a capital
/// (Latin or Cyrillic), a digit, or the strokes `/|\` a Z or V falls apart into.
fn code_char(c: char) -> bool {
    c.is_uppercase() || c.is_ascii_digit() || matches!(c, '/' | '|' | '\\')
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '_' | '−')
}

/// True when `text` (one word or neighbouring words joined by `-`) looks like a code as a
/// Cyrillic engine reads it: three groups of 3–5 code characters (10–15 in all, at most
/// two lower case), or one group of 11–13; letters and digits mixed (a code has at least
/// two digits and, but for a 1-in-10⁴ chance, letters), so phone numbers (`+996555838637`)
/// and dates are never read again.
pub fn code_shaped(text: &str) -> bool {
    let text = text.rsplit([':', '№']).next().unwrap_or(text);
    if text.starts_with('+') {
        return false;
    }
    let text = text.trim_matches(|c: char| !c.is_alphanumeric() && !matches!(c, '/' | '|'));
    let groups: Vec<&str> = text.split(is_dash).collect();
    let lower = text.chars().filter(|c| c.is_lowercase()).count();
    let ok_char = |c: char| code_char(c) || c.is_lowercase();
    if lower > 2 || !groups.iter().all(|g| g.chars().all(ok_char)) {
        return false;
    }
    let n: Vec<usize> = groups.iter().map(|g| g.chars().count()).collect();
    let total: usize = n.iter().sum();
    let digits = text.chars().filter(|c| c.is_ascii_digit()).count();
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let shape = match n.len() {
        3 => n.iter().all(|k| (3..=5).contains(k)) && (10..=15).contains(&total),
        1 => (11..=13).contains(&total) && digits >= 2,
        _ => false,
    };
    shape && digits >= 1 && letters >= 2
}

/// Index ranges (inclusive) of the words to read again: runs of one to three words of a
/// line that are code-shaped together, and the words of a line right under a label.
pub fn candidates(words: &[RawWord]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut after_label = false;
    let mut start = 0;
    while start < words.len() {
        let line = words[start].line;
        let end = words[start..]
            .iter()
            .position(|w| w.line != line)
            .map_or(words.len(), |k| start + k);
        let mut found = false;
        let mut i = start;
        while i < end {
            let hit = (i..end.min(i + 3)).find(|&j| {
                let joined: Vec<&str> = words[i..=j].iter().map(|w| w.text.as_str()).collect();
                code_shaped(&joined.join("-"))
            });
            if let Some(j) = hit {
                out.push((i, j));
                found = true;
                i = j + 1;
            } else {
                i += 1;
            }
        }
        if after_label && !found && end - start <= 4 {
            out.push((start, end - 1));
        }
        after_label = words[start..end]
            .iter()
            .any(|w| LABELS.contains(&w.text.to_lowercase().as_str()));
        start = end;
    }
    out
}

/// Every valid code printed on the page, re-read from `prep.image` (whose coordinates the
/// `words` are in); boxes on the original image. Codes found twice are kept once.
pub fn reread(
    reader: &mut CodeReader,
    prep: &Prepared,
    words: &[RawWord],
    dpi: u32,
) -> Vec<QrMark> {
    let img = &prep.image;
    let (w, h) = (img.width() as i32, img.height() as i32);
    let mut out: Vec<QrMark> = Vec::new();
    for (a, b) in candidates(words) {
        let bx = words[a + 1..=b].iter().fold(words[a].bbox, |u, w| {
            [
                u[0].min(w.bbox[0]),
                u[1].min(w.bbox[1]),
                u[2].max(w.bbox[2]),
                u[3].max(w.bbox[3]),
            ]
        });
        let pad = ((bx[3] - bx[1]) / 3).max(4);
        let (x0, y0) = ((bx[0] - pad).max(0), (bx[1] - pad).max(0));
        let (x1, y1) = ((bx[2] + pad).min(w), (bx[3] + pad).min(h));
        if x1 - x0 < 8 || y1 - y0 < 8 {
            continue;
        }
        let crop = image::imageops::crop_imm(
            img,
            x0 as u32,
            y0 as u32,
            (x1 - x0) as u32,
            (y1 - y0) as u32,
        )
        .to_image();
        let Some((code, _)) = reader.read(&crop, dpi) else {
            continue;
        };
        let text = code.to_string();
        if out.iter().any(|m| m.text == text) {
            continue;
        }
        out.push(QrMark {
            text,
            bbox: prep.map_box([x0 as u32, y0 as u32, x1 as u32, y1 as u32]),
            kind: MarkKind::Printed,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, line: u32, x: i32) -> RawWord {
        RawWord {
            text: text.into(),
            conf: 50.0,
            bbox: [x, 100 * line as i32, x + 80, 100 * line as i32 + 30],
            line,
            para_start: false,
            block: 0,
            char_boxes: Vec::new(),
        }
    }

    #[test]
    fn cyrillic_readings_of_codes_are_code_shaped() {
        for t in [
            "ВӨНУ-РТХ4-4М/ХУ",
            "B9HV-PTX4-4MZV",
            "Код:ВӨНУ-РТХ4-4МХУ",
            "К7Р2-МХ4Е-9ТНС.",
            "B9HVPTX44MZV",
        ] {
            assert!(code_shaped(t), "{t}");
        }
        for t in [
            "2026-жылдын",
            "Кара-Суу",
            "0555-12-34-56",
            "2026-12-01",
            "+996550669784",
            "996550669784",
            "0555-123-456",
            "1234-5678-9012",
            "ЖОЛДУН-ОҢДОО-ИШИ",
            "кат-жазуу-иши",
            "АРЫЗ",
            "Анонимдүү",
            "КЫРГЫЗСТАНДЫН",
            "ABCD-EFGH-JKMNPQ",
        ] {
            // ЖОЛДУН-ОҢДОО-ИШИ: a group of six; КЫРГЫЗСТАНДЫН: no digits.
            assert!(!code_shaped(t), "{t}");
        }
    }

    #[test]
    fn candidates_join_groups_and_follow_labels() {
        let words = [
            word("Биздин", 0, 0),
            word("көчөдөгү", 0, 100),
            word("ВӨНУ", 1, 0),
            word("РТХ4", 1, 100),
            word("4М/ХУ", 1, 200),
            word("Приложите", 2, 0),
            word("к", 2, 100),
            word("письму", 2, 200),
            word("8Э9НУ...", 3, 0),
            word("Анонимдүү", 4, 0),
        ];
        assert_eq!(candidates(&words), vec![(2, 4), (8, 8)]);
        let plain = [word("Биздин", 0, 0), word("2026-жылдын", 0, 100)];
        assert!(
            candidates(&plain).is_empty(),
            "no code-shaped line: no re-read"
        );
    }
}
