//! File type from content (magic bytes), never from the file name.

use crate::IntakeError;

/// A file type that intake accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// PNG (first frame only if animated).
    Png,
    /// JPEG / JFIF / EXIF.
    Jpeg,
    /// TIFF, classic or BigTIFF, possibly multi-page.
    Tiff,
    /// PDF; pages are read from their embedded scan images.
    Pdf,
}

impl Format {
    /// A short human name: "PNG", "JPEG", "TIFF", "PDF".
    pub fn name(self) -> &'static str {
        match self {
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::Tiff => "TIFF",
            Format::Pdf => "PDF",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

const SCAN_ADVICE: &str = "scan or save the page as PDF, TIFF, PNG or JPEG";

fn refused(format: &'static str, reason: &'static str) -> IntakeError {
    IntakeError::UnsupportedFormat { format, reason }
}

/// Detects the type of a file from its first bytes (the name and extension
/// are never consulted, so `letter.png` holding a PDF is read as a PDF).
///
/// Accepted: PNG, JPEG, TIFF (`II*\0`, `MM\0*`, and BigTIFF `II+\0`,
/// `MM\0+`), PDF (`%PDF-` within the first 1024 bytes, as readers allow).
///
/// Recognised and refused with a reason ([`IntakeError::UnsupportedFormat`]):
/// GIF (still or animated: a 256-colour graphics format no scanner produces),
/// WebP, BMP, HEIC/HEIF/AVIF (phone photos: export as JPEG), JPEG 2000, DjVu,
/// SVG, ZIP/Office documents, old Office (OLE) documents, archives.
///
/// Refused as [`IntakeError::NotAnImage`]: plain text, HTML/XML and unknown
/// binary data; [`IntakeError::Empty`] for zero bytes.
///
/// Never panics; looks at no more than the first 4 KiB.
pub fn sniff(bytes: &[u8]) -> Result<Format, IntakeError> {
    if bytes.is_empty() {
        return Err(IntakeError::Empty);
    }
    if let Some(format) = accepted(bytes) {
        return Ok(format);
    }
    if let Some(refusal) = refused_binary(bytes) {
        return Err(refusal);
    }
    Err(not_an_image(bytes))
}

/// The formats a page is read from, by their signatures (PDF anywhere in the first KiB,
/// as readers allow).
fn accepted(b: &[u8]) -> Option<Format> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Format::Png);
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Format::Jpeg);
    }
    if b.starts_with(b"II*\0")
        || b.starts_with(b"MM\0*")
        || b.starts_with(b"II+\0")
        || b.starts_with(b"MM\0+")
    {
        return Some(Format::Tiff);
    }
    let head = &b[..b.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        return Some(Format::Pdf);
    }
    None
}

/// A known binary format that is not a page image we read, refused with what to do
/// instead (`None`: not one of them).
fn refused_binary(b: &[u8]) -> Option<IntakeError> {
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Some(refused(
            "GIF",
            "GIF is a 256-colour graphics format; scan or save the page as PDF, TIFF, PNG or JPEG",
        ));
    }
    if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Some(refused("WebP", SCAN_ADVICE));
    }
    if is_bmp(b) {
        return Some(refused("BMP", SCAN_ADVICE));
    }
    if b.len() >= 12 && &b[4..8] == b"ftyp" {
        let brand = &b[8..12];
        return Some(match brand {
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                refused("HEIC/HEIF", "export the photo as JPEG")
            }
            b"avif" | b"avis" => refused("AVIF", "export the photo as JPEG"),
            _ => refused("video/ISO media", SCAN_ADVICE),
        });
    }
    if b.starts_with(&[0x00, 0x00, 0x00, 0x0C, b'j', b'P', b' ', b' '])
        || b.starts_with(&[0xFF, 0x4F, 0xFF, 0x51])
    {
        return Some(refused("JPEG 2000", SCAN_ADVICE));
    }
    if b.starts_with(b"AT&TFORM") {
        return Some(refused("DjVu", SCAN_ADVICE));
    }
    if b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") {
        let head = &b[..b.len().min(4096)];
        if find(head, b"word/").is_some()
            || find(head, b"xl/").is_some()
            || find(head, b"ppt/").is_some()
            || find(head, b"[Content_Types].xml").is_some()
        {
            return Some(refused(
                "Office document (DOCX/XLSX)",
                "print it to PDF or scan the paper letter",
            ));
        }
        if find(head, b"opendocument").is_some() {
            return Some(refused(
                "OpenDocument",
                "print it to PDF or scan the paper letter",
            ));
        }
        return Some(refused(
            "ZIP archive",
            "unpack it and add the scans one by one",
        ));
    }
    if b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(refused(
            "Office document (DOC/XLS)",
            "print it to PDF or scan the paper letter",
        ));
    }
    if b.starts_with(&[0x1F, 0x8B])
        || b.starts_with(b"7z\xBC\xAF\x27\x1C")
        || b.starts_with(b"Rar!\x1A\x07")
    {
        return Some(refused(
            "compressed archive",
            "unpack it and add the scans one by one",
        ));
    }
    if b.starts_with(b"8BPS") {
        return Some(refused("Photoshop (PSD)", SCAN_ADVICE));
    }
    None
}

/// What the file is when it is none of the binary formats: SVG (refused with advice),
/// HTML, XML, RTF, plain text or unknown binary data.
fn not_an_image(b: &[u8]) -> IntakeError {
    // Text-like content: SVG, HTML/XML, plain text.
    let head = &b[..b.len().min(4096)];
    let text = strip_bom_ws(head);
    let lower: Vec<u8> = text.iter().take(512).map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"<svg")
        || (lower.starts_with(b"<") && find(&lower_all(head), b"<svg").is_some())
    {
        return refused(
            "SVG",
            "vector drawings are not read; scan or save the page as PDF, TIFF, PNG or JPEG",
        );
    }
    if lower.starts_with(b"<!doctype html") || lower.starts_with(b"<html") {
        return IntakeError::NotAnImage { what: "HTML page" };
    }
    if lower.starts_with(b"<?xml") {
        return IntakeError::NotAnImage {
            what: "XML document",
        };
    }
    if lower.starts_with(b"{\\rtf") {
        return IntakeError::NotAnImage {
            what: "RTF document",
        };
    }
    if looks_like_text(head, head.len() < b.len()) {
        return IntakeError::NotAnImage { what: "plain text" };
    }
    IntakeError::NotAnImage {
        what: "unknown binary data",
    }
}

fn lower_all(b: &[u8]) -> Vec<u8> {
    b.iter().map(u8::to_ascii_lowercase).collect()
}

fn strip_bom_ws(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(b);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[start..]
}

fn is_bmp(b: &[u8]) -> bool {
    if b.len() < 18 || !b.starts_with(b"BM") {
        return false;
    }
    let reserved = &b[6..10];
    let dib = u32::from_le_bytes([b[14], b[15], b[16], b[17]]);
    reserved == [0, 0, 0, 0] && matches!(dib, 12 | 16 | 40 | 52 | 56 | 64 | 108 | 124)
}

/// UTF-8 (or UTF-16 with BOM) without control characters other than
/// whitespace. `cut` says the sample was cut from a longer file, so a split
/// multi-byte character at its end is tolerated.
fn looks_like_text(head: &[u8], cut: bool) -> bool {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if cut && e.error_len().is_none() => {
            // Only the last character is incomplete.
            match std::str::from_utf8(&head[..e.valid_up_to()]) {
                Ok(s) => s,
                Err(_) => return false,
            }
        }
        Err(_) => return false,
    };
    valid
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\x0C'))
}

/// Position of `needle` in `hay`, if any.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::find(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(b: &[u8]) -> &'static str {
        match sniff(b) {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn accepted_formats() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Ok(Format::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok(Format::Jpeg));
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Ok(Format::Tiff));
        assert_eq!(sniff(b"MM\0*\0\0\0\x08"), Ok(Format::Tiff));
        assert_eq!(sniff(b"II+\0\x08\0\0\0"), Ok(Format::Tiff));
        assert_eq!(sniff(b"%PDF-1.4\n"), Ok(Format::Pdf));
        assert_eq!(sniff(b"garbage\n%PDF-1.7\n"), Ok(Format::Pdf));
    }

    #[test]
    fn refused_formats() {
        assert_eq!(code(b""), "empty");
        assert_eq!(code(b"GIF89a\x01\0\x01\0"), "unsupported_format");
        assert_eq!(code(b"RIFF\0\0\0\0WEBPVP8 "), "unsupported_format");
        let mut bmp = b"BM\0\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0".to_vec();
        bmp.extend_from_slice(&[0; 20]);
        assert_eq!(code(&bmp), "unsupported_format");
        assert_eq!(code(b"\0\0\0\x18ftypheic\0\0\0\0"), "unsupported_format");
        assert_eq!(
            code(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"x\"/>"),
            "unsupported_format"
        );
        assert_eq!(code(b"  <svg width=\"10\"/>"), "unsupported_format");
        assert_eq!(
            code(b"PK\x03\x04....word/document.xml"),
            "unsupported_format"
        );
        assert_eq!(code(b"PK\x03\x04...."), "unsupported_format");
        assert_eq!(
            code("Саламатсызбы, урматтуу аким!\n".as_bytes()),
            "not_an_image"
        );
        assert_eq!(code(b"BM is not a bitmap here, just text"), "not_an_image");
        assert_eq!(code(&[0u8, 1, 2, 3, 250, 251]), "not_an_image");
        assert_eq!(code(b"<html><body>x</body></html>"), "not_an_image");
    }

    #[test]
    fn text_cut_mid_character_is_still_text() {
        let mut s = "ө".repeat(3000).into_bytes();
        s.truncate(4097);
        assert!(looks_like_text(&s[..4095], true));
    }
}
