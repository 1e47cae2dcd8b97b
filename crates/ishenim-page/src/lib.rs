//! The page record that flows from the scanner to drafting and the store.
//!
//! This is the `ishenim scan --json` output contract: one [`PageRecord`] per input
//! page, or one [`FileError`] per input file that could not be read. Keys are part of
//! a public contract that other tools rely on; only add keys, never rename them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One recognised word with its confidence and box on the *original* image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    /// The word as recognised (after look-alike normalisation).
    pub text: String,
    /// Tesseract confidence, 0–100.
    pub conf: f32,
    /// `[x0, y0, x1, y1]` in pixels of the original page image as stored.
    pub bbox: [u32; 4],
    /// Index of the text line on the page (0-based, reading order); words on the
    /// same line share it. Lines of `text` are in the same order.
    #[serde(default)]
    pub line: u32,
}

/// Everything the scanner learned about one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRecord {
    /// Input file path as given on the command line (or the stored name).
    pub file: String,
    /// Page number inside the file, from 1.
    pub page: u32,
    /// Output stem: file name without extension, plus `-<page>` for multi-page files.
    pub stem: String,
    /// True when the page carries no text (duplex backside); `text` is then empty.
    pub blank: bool,
    /// Clockwise rotation in degrees (0, 90, 180, 270) applied to make the page upright.
    pub rotation: u32,
    /// Residual skew corrected, in degrees (positive = counter-clockwise text).
    pub skew_deg: f32,
    /// Resolution of the original image in dots per inch (declared or estimated).
    pub dpi: u32,
    /// Tesseract language string used, e.g. `kir+rus`.
    pub lang: String,
    /// Mean word confidence, 0–100 (0 for blank pages).
    pub mean_conf: f32,
    /// Page text, lines separated by `\n`, paragraphs by an empty line.
    pub text: String,
    /// Words in reading order.
    pub words: Vec<Word>,
    /// Time spent per stage in milliseconds (`decode`, `preprocess`, `ocr`, ...).
    pub timings_ms: BTreeMap<String, u64>,
    /// Width and height of the original image in pixels.
    #[serde(default)]
    pub size: [u32; 2],
    /// Non-fatal observations (e.g. `low_confidence`, `upscaled`), machine-readable codes.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Regions with text-like ink that the reader gave up on after reading them again
    /// another way: the words there are missing from `text` and a person must type them.
    /// Empty when everything that looks like writing produced words (and in records
    /// written before this key existed).
    #[serde(default)]
    pub unread: Vec<UnreadRegion>,
    /// Receipt codes found on the page, with their boxes: QR symbols on the page image (a
    /// slip's stub attached to the letter) and printed codes read again in Latin (see
    /// [`QrMark::kind`]). Left out of the JSON when there is none (and empty in records
    /// written before this key existed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qr: Vec<QrMark>,
}

impl PageRecord {
    /// A page known only by its text (no words, boxes or timings), as a clean 300 dpi A4
    /// scan read with confidence 90: what tests, seeds and fixtures build records from.
    /// Blank when the text is. Change a field with `PageRecord { .., ..synthetic(..) }`.
    pub fn synthetic(file: &str, page: u32, stem: &str, text: &str) -> PageRecord {
        PageRecord {
            file: file.to_string(),
            page,
            stem: stem.to_string(),
            blank: text.trim().is_empty(),
            rotation: 0,
            skew_deg: 0.0,
            dpi: 300,
            lang: "kir".into(),
            mean_conf: 90.0,
            text: text.to_string(),
            words: Vec::new(),
            timings_ms: BTreeMap::new(),
            size: [2480, 3508],
            warnings: Vec::new(),
            unread: Vec::new(),
            qr: Vec::new(),
        }
    }
}

/// A receipt code read on the page image: a QR symbol, or the printed code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrMark {
    /// The text the symbol carries (a receipt code, `XXXX-XXXX-XXXX`).
    pub text: String,
    /// `[x0, y0, x1, y1]` in pixels of the original page image as stored.
    pub bbox: [u32; 4],
    /// How it was read. Left out for a QR symbol, so records written before this key
    /// existed (all QR) load unchanged.
    #[serde(default, skip_serializing_if = "MarkKind::is_qr")]
    pub kind: MarkKind,
}

/// How a receipt code on the page was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarkKind {
    /// Decoded from a QR symbol (error-corrected).
    #[default]
    Qr,
    /// The code printed (or written) in the text, read again by a Latin engine limited to
    /// the code alphabet; its check symbol holds.
    Printed,
}

impl MarkKind {
    /// True for [`MarkKind::Qr`].
    pub fn is_qr(&self) -> bool {
        *self == MarkKind::Qr
    }
}

/// A part of the page that looks like writing but produced no usable words.
///
/// Listed so that nothing is lost silently: the review screen draws it and drafting
/// warns about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnreadRegion {
    /// `[x0, y0, x1, y1]` in pixels of the original page image as stored.
    pub bbox: [u32; 4],
    /// Machine-readable reason: `no_words` (ink, nothing read), `low_confidence` (only
    /// words far below the page's confidence), `handwriting` (writing that looks
    /// handwritten, beyond the printed-text reader).
    pub reason: String,
}

/// An input file that could not be read at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileError {
    /// Input file path as given.
    pub file: String,
    /// The page that failed, when the file itself could be opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// One-line human-readable reason.
    pub error: String,
    /// Stable machine-readable reason code (e.g. `empty`, `truncated`, `too_large`).
    #[serde(default)]
    pub code: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records stored before `unread` existed must still load, with no regions.
    #[test]
    fn old_records_load_without_unread() {
        let old = r#"{"file":"a.png","page":1,"stem":"a","blank":false,"rotation":0,
            "skew_deg":0.0,"dpi":300,"lang":"kir","mean_conf":90.0,"text":"x",
            "words":[],"timings_ms":{}}"#;
        let r: PageRecord = serde_json::from_str(old).expect("old record");
        assert!(r.unread.is_empty());
        assert!(r.qr.is_empty());
        assert!(serde_json::to_value(&r).expect("json").get("qr").is_none());
        let mut r2 = r.clone();
        r2.unread.push(UnreadRegion {
            bbox: [1, 2, 3, 4],
            reason: "no_words".into(),
        });
        let v = serde_json::to_value(&r2).expect("json");
        assert_eq!(v["unread"][0]["bbox"], serde_json::json!([1, 2, 3, 4]));
        assert_eq!(v["unread"][0]["reason"], "no_words");
    }

    /// A QR mark stored before `kind` existed loads as a QR symbol; a printed one says so.
    #[test]
    fn qr_marks_keep_their_kind() {
        let old: QrMark =
            serde_json::from_str(r#"{"text":"B9HV-PTX4-4MZV","bbox":[1,2,3,4]}"#).expect("old");
        assert_eq!(old.kind, MarkKind::Qr);
        assert!(serde_json::to_value(&old)
            .expect("json")
            .get("kind")
            .is_none());
        let printed = QrMark {
            kind: MarkKind::Printed,
            ..old
        };
        let v = serde_json::to_value(&printed).expect("json");
        assert_eq!(v["kind"], "printed");
        let back: QrMark = serde_json::from_value(v).expect("back");
        assert_eq!(back, printed);
    }
}
