//! One appeal as a searchable PDF, written object by object.
//!
//! A [`Document`] is a cover page (title and label/value rows, visible text) followed by the
//! letter's page images (JPEG, grey when the scan is grey) with an invisible text layer
//! (text render mode 3) placed at the words' boxes, so that selecting and searching work in
//! any reader while the reader sees the original scan. Document metadata go into the Info
//! dictionary.
//!
//! Text is set in one embedded font: a TrueType font given as bytes (the system's DejaVu
//! Sans in practice), subset to the glyphs used, embedded as a CID font (`Identity-H`) with
//! a `ToUnicode` map, so Cyrillic including ө ү ң extracts correctly (`pdftotext`).
//!
//! [`encode_page`] destroys the pixels under redaction boxes *before* JPEG encoding, so a
//! redacted copy does not hold the hidden content under a drawing.
//!
//! No I/O: bytes in, bytes out.

mod font;
mod image_enc;
mod writer;
mod xmp;

pub use image_enc::{encode_page, EncodedImage, MAX_PAGE_BYTES};
pub use writer::write_pdf;

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The font bytes are not a usable TrueType/OpenType font.
    #[error("font: {0}")]
    Font(String),
    /// JPEG encoding failed.
    #[error("image: {0}")]
    Image(#[from] image::ImageError),
    /// Compression of a stream failed.
    #[error("compression: {0}")]
    Io(#[from] std::io::Error),
}

/// A word of the invisible text layer, with its box in pixels of the page image.
#[derive(Debug, Clone, PartialEq)]
pub struct TextWord {
    /// The word.
    pub text: String,
    /// `[x0, y0, x1, y1]` in image pixels.
    pub bbox: [u32; 4],
    /// Line index on the page: words of one line share a baseline.
    pub line: u32,
}

/// The text layer of an image page.
#[derive(Debug, Clone, PartialEq)]
pub enum TextLayer {
    /// Words at their boxes (OCR).
    Words(Vec<TextWord>),
    /// Lines typed by a person (no boxes): spread down the page, top to bottom.
    Lines(Vec<String>),
}

/// A page image with its text layer.
#[derive(Debug, Clone)]
pub struct ImagePage {
    /// The encoded image.
    pub image: EncodedImage,
    /// Resolution of the image (sets the page size).
    pub dpi: u32,
    /// Invisible text.
    pub text: TextLayer,
}

/// The cover page: a title and rows of registration fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Cover {
    /// Heading lines (bigger type).
    pub title: Vec<String>,
    /// Label and value per field; long values wrap.
    pub rows: Vec<(String, String)>,
    /// Small print at the bottom (chain hash, generator).
    pub footer: Vec<String>,
}

/// Document information (Info dictionary).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Info {
    /// `/Title`.
    pub title: String,
    /// `/Subject`.
    pub subject: String,
    /// `/Keywords`.
    pub keywords: String,
    /// `/CreationDate` as `YYYYMMDDHHmmSS` (UTC).
    pub created: String,
    /// Further keys (ASCII names without the slash, e.g. `IshenimSerial`) and values.
    pub custom: Vec<(String, String)>,
}

/// A whole PDF: cover first, then the pages.
#[derive(Debug, Clone)]
pub struct Document {
    /// Metadata.
    pub info: Info,
    /// Cover page.
    pub cover: Cover,
    /// Page images.
    pub pages: Vec<ImagePage>,
    /// Document language (`ky`, `ru`): `/Lang` of the catalog.
    pub lang: String,
}
