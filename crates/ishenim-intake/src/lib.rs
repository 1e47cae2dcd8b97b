//! # ishenim-intake — from the bytes of one file to page images, safely
//!
//! The first step of the scan pipeline: the CLI (or the web upload handler)
//! reads a file into memory and hands the bytes to this crate, which
//!
//! 1. [`sniff`]s the type from the content (magic bytes; never the name),
//! 2. [`open`]s the document, reading only headers: page count and each
//!    page's declared size, refusing decompression bombs *before* any pixel
//!    memory is allocated,
//! 3. decodes **one page at a time** with [`Document::page`], so a 500-page
//!    TIFF or PDF is never held decoded in memory.
//!
//! ```no_run
//! # fn demo(bytes: &[u8]) -> Result<(), ishenim_intake::IntakeError> {
//! use ishenim_intake::{open, Limits};
//! let doc = open(bytes, &Limits::default())?;
//! for i in 0..doc.page_count() {
//!     match doc.page(i) {
//!         Ok(page) => { /* page.image: Luma8 or Rgb8, page.dpi, page.text_layer */ }
//!         Err(e) => eprintln!("page {}: {} [{}]", i + 1, e, e.code()),
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! ## Invariants
//! - No file or network I/O: input is `&[u8]`, output is pixels and text.
//! - Never panics on any input. Third-party decoders are additionally run
//!   under `catch_unwind`, so a decoder bug becomes [`IntakeError::DecoderFault`]
//!   (code `corrupt`) instead of a crash (with the default `panic = "unwind"`).
//! - Bounded memory: the input size, every page's width, height and pixel
//!   count, the page count, decompressed PDF streams and the number of images
//!   per PDF page are all capped by [`Limits`] or fixed internal bounds, and
//!   checked before allocating.
//! - Never executes anything: PDF JavaScript, actions and forms are ignored;
//!   only page images and the text layer are read.
//! - Error messages never contain document text (appeal text must not reach
//!   logs).
//!
//! ## Formats
//! PNG, JPEG (EXIF orientation applied), TIFF (multi-page; CCITT Group 4 and
//! Group 3 (1-D) bilevel, LZW, Deflate, PackBits, JPEG; 1/2/4/8/16-bit gray,
//! palette, RGB, CMYK, YCbCr, with or without alpha; classic and BigTIFF), PDF
//! made by scanners (DCT, Flate, LZW, RunLength, ASCII85/Hex and CCITT G3/G4
//! images; strips or tiles are composited onto the page; text layer
//! returned). See [`sniff`] for what is refused and why.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod convert;
mod error;
mod meta;
mod pdf;
mod pdf_filter;
mod raster;
mod sniff;
mod tiffdoc;

use std::panic::{catch_unwind, AssertUnwindSafe};

pub use error::IntakeError;
pub use sniff::{sniff, Format};

/// Re-export of the `image` crate version this crate produces pages with.
pub use image;

/// Safety limits for one file. All are checked before the corresponding
/// memory is allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes. Default 200 MiB.
    pub max_bytes: u64,
    /// Largest page, in pixels (width × height). Default 100 Mpx, enough
    /// for A3 at 600 dpi (70 Mpx). A decoded page costs 1 byte per pixel
    /// (gray) or 3 (colour).
    pub max_pixels: u64,
    /// Longest accepted side of a page, in pixels. Default 20 000.
    pub max_side: u32,
    /// Most pages accepted in one file. Default 1000.
    pub max_pages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 200 * 1024 * 1024,
            max_pixels: 100_000_000,
            max_side: 20_000,
            max_pages: 1000,
        }
    }
}

impl Limits {
    /// Refuses a file of `len` bytes over [`Limits::max_bytes`]. Callers
    /// that read files should check the size from the file's metadata with
    /// this *before* reading it into memory; [`open`] checks again.
    pub fn check_file_size(&self, len: u64) -> Result<(), IntakeError> {
        if len == 0 {
            return Err(IntakeError::Empty);
        }
        if len > self.max_bytes {
            return Err(IntakeError::FileTooLarge {
                size: len,
                max: self.max_bytes,
            });
        }
        Ok(())
    }

    /// Refuses a page of `width`×`height` pixels that breaks the limits (or
    /// has a zero side). Call this before allocating the page.
    pub fn check_page(&self, width: u64, height: u64) -> Result<(), IntakeError> {
        if width == 0 || height == 0 {
            return Err(IntakeError::PageTooLarge {
                width,
                height,
                limit: "a page must be at least 1×1 px".into(),
            });
        }
        if width > u64::from(self.max_side) || height > u64::from(self.max_side) {
            return Err(IntakeError::PageTooLarge {
                width,
                height,
                limit: format!("{} px a side", self.max_side),
            });
        }
        if width.saturating_mul(height) > self.max_pixels {
            return Err(IntakeError::PageTooLarge {
                width,
                height,
                limit: format!("{} Mpx a page", self.max_pixels / 1_000_000),
            });
        }
        Ok(())
    }
}

/// One decoded page.
#[derive(Debug, Clone)]
pub struct DecodedPage {
    /// The page pixels, always either `ImageLuma8` (gray or bilevel pages,
    /// black = 0, white = 255) or `ImageRgb8` (pages with colour, kept so
    /// that coloured stamps and pen marks can be recognised). 16-bit, CMYK,
    /// palette and alpha images are converted (alpha is flattened onto
    /// white); an RGB image whose pixels are all gray is returned as Luma8.
    /// EXIF / TIFF orientation and the PDF page `/Rotate` are already
    /// applied, so the image is upright as a viewer would show it.
    pub image: image::DynamicImage,
    /// Resolution in dots per inch, when the file states a plausible one
    /// (PNG pHYs, JPEG JFIF or EXIF density, TIFF X/YResolution, or for PDF
    /// the image size against the page size). `None` when absent or when the
    /// stated value would make the page smaller than 2 in or larger than
    /// 24 in on its long side (e.g. the 72 dpi default of cameras).
    pub dpi: Option<u32>,
    /// The PDF text layer of this page (e.g. from a scanner's own OCR or a
    /// born-digital PDF), trimmed; `None` when absent, empty or for image
    /// formats. Treat it as untrusted input.
    pub text_layer: Option<String>,
    /// Short English notes on what was done to the page, e.g. "EXIF
    /// orientation applied (Rotate90)" or "3 image strips composited";
    /// empty in the common case. Contains no document text.
    pub notes: Vec<String>,
}

/// An opened document: headers read and checked, pages not yet decoded.
///
/// Borrows the input bytes. `Document` is `Send + Sync`, so pages may be
/// decoded from several threads (TIFF pages share one decoder behind a lock;
/// PNG/JPEG/PDF pages decode independently).
pub struct Document<'a> {
    format: Format,
    inner: Inner<'a>,
}

enum Inner<'a> {
    Raster(raster::RasterDoc<'a>),
    Tiff(Box<tiffdoc::TiffDoc<'a>>),
    Pdf(Box<pdf::PdfDoc>),
}

impl std::fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("format", &self.format)
            .field("pages", &self.page_count())
            .finish()
    }
}

/// Opens one file from its bytes: checks the size limit, sniffs the type,
/// reads headers and counts pages. Every page's size is checked before that
/// page is decoded; for PNG and JPEG the single page's header is checked
/// here already, so a 60000×60000 PNG is refused by `open` itself.
///
/// Errors: see [`IntakeError`] and its [`code`](IntakeError::code).
pub fn open<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Document<'a>, IntakeError> {
    limits.check_file_size(bytes.len() as u64)?;
    let format = sniff(bytes)?;
    let inner = guarded(format, || match format {
        Format::Png | Format::Jpeg => {
            raster::RasterDoc::open(bytes, format, *limits).map(Inner::Raster)
        }
        Format::Tiff => tiffdoc::TiffDoc::open(bytes, *limits).map(|t| Inner::Tiff(Box::new(t))),
        Format::Pdf => pdf::PdfDoc::open(bytes, *limits).map(|d| Inner::Pdf(Box::new(d))),
    })?;
    Ok(Document { format, inner })
}

impl<'a> Document<'a> {
    /// The detected file type.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Number of pages (1 for PNG and JPEG). Never more than
    /// [`Limits::max_pages`].
    pub fn page_count(&self) -> usize {
        match &self.inner {
            Inner::Raster(_) => 1,
            Inner::Tiff(t) => t.page_count(),
            Inner::Pdf(p) => p.page_count(),
        }
    }

    /// Decodes page `index` (0-based; show people `index + 1`). Only this
    /// page is held in memory; call again for the next one. A failing page
    /// does not make the other pages fail.
    pub fn page(&self, index: usize) -> Result<DecodedPage, IntakeError> {
        let count = self.page_count();
        if index >= count {
            return Err(IntakeError::NoSuchPage { index, count });
        }
        guarded(self.format, || match &self.inner {
            Inner::Raster(r) => r.page(),
            Inner::Tiff(t) => t.page(index),
            Inner::Pdf(p) => p.page(index),
        })
    }

    /// The text layer of page `index` without decoding its image: `Some`
    /// only for PDF pages that carry text. Useful for vector-only PDF pages,
    /// whose [`page`](Self::page) fails with [`IntakeError::NoImage`].
    pub fn page_text(&self, index: usize) -> Result<Option<String>, IntakeError> {
        let count = self.page_count();
        if index >= count {
            return Err(IntakeError::NoSuchPage { index, count });
        }
        guarded(self.format, || match &self.inner {
            Inner::Pdf(p) => p.page_text(index),
            _ => Ok(None),
        })
    }

    /// Iterates over all pages in order, decoding each only when the
    /// iterator reaches it.
    pub fn pages(&self) -> impl Iterator<Item = Result<DecodedPage, IntakeError>> + use<'_, 'a> {
        (0..self.page_count()).map(move |i| self.page(i))
    }
}

/// Runs `f`, turning a panic inside a third-party decoder into an error.
fn guarded<T>(
    format: Format,
    f: impl FnOnce() -> Result<T, IntakeError>,
) -> Result<T, IntakeError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => Err(IntakeError::DecoderFault {
            format: format.name(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Document<'static>>();
        check::<DecodedPage>();
    }

    #[test]
    fn limits_refuse_before_decoding() {
        let l = Limits::default();
        assert!(l.check_page(2480, 3508).is_ok());
        assert_eq!(l.check_page(60000, 60000).unwrap_err().code(), "too_large");
        assert_eq!(l.check_page(20000, 200).map_err(|e| e.code()), Ok(()));
        assert_eq!(l.check_page(15000, 15000).unwrap_err().code(), "too_large");
        assert!(l.check_page(0, 5).is_err());
    }

    #[test]
    fn empty_and_oversized_input() {
        assert_eq!(open(b"", &Limits::default()).unwrap_err().code(), "empty");
        let small = Limits {
            max_bytes: 4,
            ..Limits::default()
        };
        assert_eq!(open(b"%PDF-1.4", &small).unwrap_err().code(), "too_large");
    }
}
