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
