//! The receipt code of an anonymous writer's slip, found on the letter: a QR symbol on
//! the attached stub (read by the scanner) or the code printed or written in the text.

use ishenim_page::{MarkKind, PageRecord};
use ishenim_receipt::{find_in_text, Code};
use serde::{Deserialize, Serialize};

/// A receipt code found on the letter, for the reviewer to confirm (or type).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptCode {
    /// The code, `XXXX-XXXX-XXXX` (its check symbol holds).
    pub code: String,
    /// 0–1: high for a QR symbol, lower for OCR text, lower again when symbols were
    /// repaired or two readings disagree.
    pub confidence: f32,
    /// Where it was read: the stub's QR symbol or the text.
    pub source: CodeSource,
    /// Stem of the page it is on.
    pub page: String,
    /// `[x0, y0, x1, y1]` on the original page image.
    pub bbox: [u32; 4],
}

/// Where a receipt code was read. Stored drafts and `ishenim draft --json` hold it as the
/// string it always was (`"qr"`, `"text"`), so the enum is only a check on the spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeSource {
    /// The QR symbol on the slip's stub, read by the scanner.
    Qr,
    /// A code printed or written in the letter: read in the OCR text, or a printed code
    /// the scanner read again in Latin.
    Text,
}

impl CodeSource {
    /// The spelling in drafts and in the review screen: `qr` or `text`.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeSource::Qr => "qr",
            CodeSource::Text => "text",
        }
    }
}

impl std::fmt::Display for CodeSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Confidence of a code read from a QR symbol (error-corrected, check symbol holds).
const QR_CONFIDENCE: f32 = 0.98;
/// Confidence of a printed code the scanner read again in Latin (its check holds, but a
/// 1-in-32 chance remains that a misread line passes it): the top of the text range.
const PRINTED_CONFIDENCE: f32 = 0.9;

/// The codes of `p.qr` of one kind: QR symbols (source `qr`) or printed codes read again
/// in Latin by the scanner (source `text`, like codes found in the page text).
fn from_marks(p: &PageRecord, kind: MarkKind) -> Vec<ReceiptCode> {
    let (confidence, source) = match kind {
        MarkKind::Qr => (QR_CONFIDENCE, CodeSource::Qr),
        MarkKind::Printed => (PRINTED_CONFIDENCE, CodeSource::Text),
    };
    p.qr.iter()
        .filter(|m| m.kind == kind)
        .filter_map(|m| {
            let code = Code::parse(&m.text).ok()?;
            Some(ReceiptCode {
                code: code.to_string(),
                confidence,
                source,
                page: p.stem.clone(),
                bbox: m.bbox,
            })
        })
        .collect()
}

fn from_text(p: &PageRecord) -> Vec<ReceiptCode> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < p.words.len() {
        let line = p.words[start].line;
        let end = p.words[start..]
            .iter()
            .position(|w| w.line != line)
            .map_or(p.words.len(), |k| start + k);
        let words = &p.words[start..end];
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        for t in find_in_text(&texts) {
            let used = &words[t.first..=t.last];
            let conf = used.iter().map(|w| w.conf).fold(100.0f32, f32::min) / 100.0;
            let bbox = used.iter().skip(1).fold(used[0].bbox, |a, w| {
                [
                    a[0].min(w.bbox[0]),
                    a[1].min(w.bbox[1]),
                    a[2].max(w.bbox[2]),
                    a[3].max(w.bbox[3]),
                ]
            });
            let penalty = 0.15 * t.changed as f32;
            out.push(ReceiptCode {
                code: t.code.to_string(),
                confidence: ((0.4 + 0.5 * conf - penalty).clamp(0.2, 0.9) * 100.0).round() / 100.0,
                source: CodeSource::Text,
                page: p.stem.clone(),
                bbox,
            });
        }
        start = end;
    }
    out
}

/// The code of a letter and the warnings about it: a QR symbol wins over text; text that
/// names another code than the symbol, or several different codes, is a warning and lowers
/// the confidence.
pub(crate) fn find(pages: &[&PageRecord]) -> (Option<ReceiptCode>, Vec<String>) {
    let qr: Vec<ReceiptCode> = pages
        .iter()
        .flat_map(|p| from_marks(p, MarkKind::Qr))
        .collect();
    // A printed code read in Latin comes before the same code found in the Cyrillic text.
    let text: Vec<ReceiptCode> = pages
        .iter()
        .flat_map(|p| {
            from_marks(p, MarkKind::Printed)
                .into_iter()
                .chain(from_text(p))
        })
        .collect();
    let mut all: Vec<&ReceiptCode> = qr.iter().chain(text.iter()).collect();
    let Some(first) = all.first().map(|c| (*c).clone()) else {
        return (None, Vec::new());
    };
    all.dedup_by(|a, b| a.code == b.code);
    let distinct: std::collections::BTreeSet<&str> = all.iter().map(|c| c.code.as_str()).collect();
    let mut warnings = Vec::new();
    let mut best = first;
    if distinct.len() > 1 {
        warnings.push("receipt_code_several".to_string());
        best.confidence = (best.confidence * 0.6 * 100.0).round() / 100.0;
    } else if best.source == CodeSource::Qr && text.iter().any(|t| t.code == best.code) {
        // The printed code agrees with the symbol.
        best.confidence = 0.99;
    }
    (Some(best), warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ishenim_page::{QrMark, Word};

    fn page(words: &[(&str, u32)], qr: &[&str]) -> PageRecord {
        let mut p = crate::eval::page_from_text("p1", "");
        p.words = words
            .iter()
            .enumerate()
            .map(|(i, (t, line))| Word {
                text: t.to_string(),
                conf: 90.0,
                bbox: [
                    10 + 100 * i as u32,
                    50 * line,
                    90 + 100 * i as u32,
                    50 * line + 30,
                ],
                line: *line,
            })
            .collect();
        p.qr = qr
            .iter()
            .map(|t| QrMark {
                text: t.to_string(),
                bbox: [1, 2, 3, 4],
                kind: MarkKind::Qr,
            })
            .collect();
        p
    }

    #[test]
    fn text_code_has_its_box_and_qr_wins() {
        let c = Code::generate().unwrap().to_string();
        let g: Vec<&str> = c.split('-').collect();
        let p = page(
            &[("Кат", 0), ("Код:", 1), (g[0], 1), (g[1], 1), (g[2], 1)],
            &[],
        );
        let (found, w) = find(&[&p]);
        let f = found.unwrap();
        assert_eq!((f.code.as_str(), f.source), (c.as_str(), CodeSource::Text));
        assert_eq!(f.bbox, [210, 50, 490, 80]);
        assert!(w.is_empty());
        let p2 = page(&[("Код:", 1), (g[0], 1), (g[1], 1), (g[2], 1)], &[&c]);
        let f = find(&[&p2]).0.unwrap();
        assert_eq!(f.source, CodeSource::Qr);
        assert_eq!(f.confidence, 0.99);
    }

    #[test]
    fn two_codes_warn_and_bad_symbols_are_ignored() {
        let a = Code::generate().unwrap().to_string();
        let b = Code::generate().unwrap().to_string();
        let p = page(&[(&b, 0)], &[&a, "http://example.org"]);
        let (f, w) = find(&[&p]);
        assert_eq!(f.unwrap().code, a);
        assert_eq!(w, ["receipt_code_several"]);
        let none = page(&[("Асанов", 0), ("2026-жылы", 0)], &["ABCD-EFGH-JKMN"]);
        assert_eq!(find(&[&none]), (None, vec![]));
    }

    #[test]
    fn printed_code_read_in_latin_is_a_text_code() {
        let c = Code::generate().unwrap().to_string();
        let mut p = page(&[("Код:", 0), ("ВӨНУ-РТХ4-4М/ХУ", 0)], &[]);
        p.qr.push(QrMark {
            text: c.clone(),
            bbox: [5, 6, 7, 8],
            kind: MarkKind::Printed,
        });
        let (f, w) = find(&[&p]);
        let f = f.unwrap();
        assert_eq!(
            (f.code.as_str(), f.source, f.bbox),
            (c.as_str(), CodeSource::Text, [5, 6, 7, 8])
        );
        assert_eq!(f.confidence, PRINTED_CONFIDENCE);
        assert!(w.is_empty());
        // With the stub's QR symbol too: the QR wins and the printed code confirms it.
        p.qr.insert(
            0,
            QrMark {
                text: c.clone(),
                bbox: [1, 2, 3, 4],
                kind: MarkKind::Qr,
            },
        );
        let f = find(&[&p]).0.unwrap();
        assert_eq!((f.source, f.confidence), (CodeSource::Qr, 0.99));
    }
}
