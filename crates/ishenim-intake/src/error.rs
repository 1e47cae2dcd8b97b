//! The one error type of the crate: a short English sentence for people plus a
//! stable machine code for programs.

use thiserror::Error;

/// Why a file (or one page of it) could not be turned into a page image.
///
/// `Display` gives a short one-line English reason meant to be printed as is by
/// the CLI or stored with a quarantined file. [`IntakeError::code`] gives a
/// stable lower-case identifier for programs, tests and statistics.
///
/// No message ever contains text read from the document itself (appeal text
/// must never reach logs); messages only carry numbers, format names and
/// fixed phrases.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum IntakeError {
    /// The input has zero bytes.
    #[error("the file is empty (0 bytes)")]
    Empty,

    /// The input is bigger than [`crate::Limits::max_bytes`].
    #[error("the file is {size} bytes, more than the {max}-byte limit")]
    FileTooLarge {
        /// Size of the input in bytes.
        size: u64,
        /// The limit in bytes.
        max: u64,
    },

    /// A page's declared pixel size exceeds the limits; refused before any
    /// pixel memory was allocated (decompression-bomb guard).
    #[error("page is {width}×{height} px, over the limit ({limit})")]
    PageTooLarge {
        /// Declared width in pixels.
        width: u64,
        /// Declared height in pixels.
        height: u64,
        /// Which limit was hit, e.g. "20000 px a side" or "100 Mpx a page".
        limit: String,
    },

    /// Some other resource (decompressed stream, number of images on a page,
    /// nesting) went past a safety bound.
    #[error("{what} is too large to process safely")]
    ResourceLimit {
        /// A short description of what was too large, without document text.
        what: String,
    },

    /// The document has more pages than [`crate::Limits::max_pages`].
    #[error("the file has more than {max} pages")]
    TooManyPages {
        /// The page limit.
        max: usize,
    },

    /// The content is of a recognised type that intake does not accept
    /// (GIF, WebP, BMP, HEIC, SVG, ZIP/Office, BigTIFF, ...).
    #[error("{format} files are not accepted: {reason}")]
    UnsupportedFormat {
        /// Human name of the detected format, e.g. "GIF".
        format: &'static str,
        /// What to do instead, e.g. "scan to PDF, TIFF, PNG or JPEG".
        reason: &'static str,
    },

    /// The content is not an image or PDF at all (text, unknown binary).
    #[error("not an image or PDF ({what})")]
    NotAnImage {
        /// What it looks like, e.g. "plain text".
        what: &'static str,
    },

    /// The container is fine but the pixel data uses a compression intake
    /// cannot decode (e.g. TIFF with OJPEG, PDF with JBIG2 or JPEG 2000).
    #[error("{container} uses {compression} compression, which is not supported")]
    UnsupportedCompression {
        /// "TIFF" or "PDF".
        container: &'static str,
        /// Name of the compression, e.g. "JBIG2".
        compression: String,
    },

    /// A pixel layout or feature that intake does not convert (float samples,
    /// Lab colour, ...).
    #[error("{0} is not supported")]
    UnsupportedFeature(String),

    /// The file ends before its data does (cut-off upload or copy).
    #[error("the {format} file is truncated (cut short)")]
    Truncated {
        /// Detected format name.
        format: &'static str,
    },

    /// The file is damaged or not what its header claims.
    #[error("the {format} file is damaged: {detail}")]
    Corrupt {
        /// Detected format name.
        format: &'static str,
        /// A short, fixed-vocabulary detail (never document text).
        detail: String,
    },

    /// The PDF needs a password to open.
    #[error("PDF is password-protected; save an unprotected copy and try again")]
    EncryptedPdf,

    /// A PDF page has no raster image to read (a born-digital, vector-only
    /// page). Its text layer, if any, is still available from
    /// [`crate::Document::page_text`].
    #[error("PDF page {page} has no scanned image (vector-only pages are not rendered)")]
    NoImage {
        /// 1-based page number.
        page: usize,
    },

    /// A page index outside `0..page_count()` was asked for.
    #[error("page index {index} is out of range (the file has {count} pages)")]
    NoSuchPage {
        /// The 0-based index asked for.
        index: usize,
        /// Number of pages in the document.
        count: usize,
    },

    /// A third-party decoder failed in an unexpected way (it panicked); the
    /// panic was contained.
    #[error("the {format} decoder failed on this file")]
    DecoderFault {
        /// Detected format name.
        format: &'static str,
    },
}

impl IntakeError {
    /// A stable machine-readable code for this error, one of: `empty`,
    /// `too_large`, `too_many_pages`, `unsupported_format`, `not_an_image`,
    /// `unsupported_compression`, `unsupported_feature`, `truncated`,
    /// `corrupt`, `encrypted_pdf`, `no_image`, `no_such_page`.
    ///
    /// Size-related refusals (file too big, page too big, decompression bomb,
    /// too many images) all map to `too_large`; a contained decoder panic maps
    /// to `corrupt`.
    pub fn code(&self) -> &'static str {
        match self {
            IntakeError::Empty => "empty",
            IntakeError::FileTooLarge { .. }
            | IntakeError::PageTooLarge { .. }
            | IntakeError::ResourceLimit { .. } => "too_large",
            IntakeError::TooManyPages { .. } => "too_many_pages",
            IntakeError::UnsupportedFormat { .. } => "unsupported_format",
            IntakeError::NotAnImage { .. } => "not_an_image",
            IntakeError::UnsupportedCompression { .. } => "unsupported_compression",
            IntakeError::UnsupportedFeature(_) => "unsupported_feature",
            IntakeError::Truncated { .. } => "truncated",
            IntakeError::Corrupt { .. } | IntakeError::DecoderFault { .. } => "corrupt",
            IntakeError::EncryptedPdf => "encrypted_pdf",
            IntakeError::NoImage { .. } => "no_image",
            IntakeError::NoSuchPage { .. } => "no_such_page",
        }
    }

    pub(crate) fn corrupt(format: &'static str, detail: impl Into<String>) -> Self {
        IntakeError::Corrupt {
            format,
            detail: detail.into(),
        }
    }

    pub(crate) fn limit(what: impl Into<String>) -> Self {
        IntakeError::ResourceLimit { what: what.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line_and_codes_stable() {
        let all = [
            IntakeError::Empty,
            IntakeError::FileTooLarge { size: 5, max: 4 },
            IntakeError::PageTooLarge {
                width: 60000,
                height: 60000,
                limit: "20000 px a side".into(),
            },
            IntakeError::TooManyPages { max: 1000 },
            IntakeError::EncryptedPdf,
            IntakeError::Truncated { format: "PNG" },
        ];
        for e in &all {
            let m = e.to_string();
            assert!(!m.contains('\n'), "{m}");
            assert!(!e.code().is_empty());
        }
        assert_eq!(IntakeError::EncryptedPdf.code(), "encrypted_pdf");
        assert!(IntakeError::EncryptedPdf
            .to_string()
            .contains("password-protected"));
        assert_eq!(all[2].code(), "too_large");
    }
}
