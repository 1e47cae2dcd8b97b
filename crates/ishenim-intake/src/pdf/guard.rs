//! Checks before and right after lopdf loads the file: lopdf parses nested
//! objects recursively and inflates streams without bound, so deep nesting
//! and stream bombs are refused here first, and its errors are mapped to
//! ours.

use std::collections::BTreeMap;

use lopdf::{Object, ObjectId};

use super::objects::{apply_generic, expand_filter};
use super::{MAX_NESTING, MAX_STREAM, MAX_STRUCT_TOTAL};
use crate::pdf_filter::{self, FilterError};
use crate::sniff::find;
use crate::IntakeError;

/// Refuses what would make lopdf recurse too deep or inflate without bound:
/// nesting of arrays/dictionaries beyond [`MAX_NESTING`] and object or xref
/// streams that inflate beyond [`MAX_STREAM`] (or [`MAX_STRUCT_TOTAL`]
/// together).
pub(super) fn prescan(b: &[u8]) -> Result<(), IntakeError> {
    let mut i = 0usize;
    let mut depth = 0usize;
    let mut last_obj = 0usize;
    let mut total = 0usize;
    while i < b.len() {
        match b[i] {
            b'%' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'(' => {
                i = skip_literal(b, i);
                continue;
            }
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'<' => {
                if b.get(i + 1) == Some(&b'<') {
                    depth += 1;
                    i += 1;
                } else {
                    while i < b.len() && b[i] != b'>' {
                        i += 1;
                    }
                }
            }
            b'>' if b.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'o' if b[i..].starts_with(b"obj") && (i == 0 || !b[i - 1].is_ascii_alphabetic()) => {
                last_obj = i;
                depth = 0;
            }
            b's' if b[i..].starts_with(b"stream")
                && (i == 0 || !b[i - 1].is_ascii_alphabetic()) =>
            {
                i = past_stream(b, i, last_obj, &mut total)?;
                depth = 0;
                continue;
            }
            _ => {}
        }
        if depth > MAX_NESTING {
            return Err(IntakeError::limit("object nesting in the PDF"));
        }
        i += 1;
    }
    Ok(())
}

/// The pre-scan at the `stream` keyword at `i` (its dictionary starts at `last_obj`):
/// checks a structural stream (object or cross-reference stream, see [`check_structural`])
/// and returns where the scan goes on, just past the stream's data.
fn past_stream(
    b: &[u8],
    i: usize,
    last_obj: usize,
    total: &mut usize,
) -> Result<usize, IntakeError> {
    let mut start = i + 6;
    if b.get(start) == Some(&b'\r') {
        start += 1;
    }
    if b.get(start) == Some(&b'\n') {
        start += 1;
    }
    let dict = &b[last_obj..i];
    let structural = find(dict, b"/ObjStm").is_some() || find(dict, b"/XRef").is_some();
    let body = &b[start.min(b.len())..];
    if structural {
        check_structural(dict, body, total)?;
    }
    // Skip the data: by a direct /Length when it checks out,
    // else to the next "endstream".
    let by_length = direct_length(dict)
        .and_then(|n| start.checked_add(n))
        .filter(|&end| {
            let rest = b.get(end..).unwrap_or(&[]);
            let pos = rest
                .iter()
                .take(4)
                .take_while(|c| c.is_ascii_whitespace())
                .count();
            rest[pos..].starts_with(b"endstream")
        });
    Ok(match (by_length, find(body, b"endstream")) {
        (Some(end), _) => end,
        (None, Some(p)) => start + p + 9,
        (None, None) => b.len(),
    })
}

/// An object or cross-reference stream is decoded here, before lopdf does: its decoded
/// size counts towards `total` (all such streams of the file, capped) and its nesting is
/// checked, so a bomb or a deeply nested object never reaches the parser.
fn check_structural(dict: &[u8], body: &[u8], total: &mut usize) -> Result<(), IntakeError> {
    let out = if find(dict, b"Flate").is_some() {
        pdf_filter::inflate(body, MAX_STREAM).ok()
    } else if find(dict, b"LZW").is_some() {
        pdf_filter::lzw(body, true, MAX_STREAM).ok()
    } else {
        None
    };
    // `inflate` reports TooLarge as an error; re-run to tell it
    // apart from damage only when needed.
    match out {
        Some(out) => {
            *total += out.len();
            if *total > MAX_STRUCT_TOTAL {
                return Err(IntakeError::limit("the PDF's compressed object streams"));
            }
            if !nesting_ok(&out) {
                return Err(IntakeError::limit("object nesting in the PDF"));
            }
        }
        None => {
            if find(dict, b"Flate").is_some()
                && pdf_filter::inflate(body, MAX_STREAM) == Err(FilterError::TooLarge)
            {
                return Err(IntakeError::limit("a compressed PDF object stream"));
            }
        }
    }
    Ok(())
}

/// The value of `/Length` in a stream dictionary when it is a direct
/// integer (not `n 0 R`).
fn direct_length(dict: &[u8]) -> Option<usize> {
    let at = find(dict, b"/Length")? + 7;
    let rest = &dict[at..];
    let rest = &rest[rest.iter().take_while(|c| c.is_ascii_whitespace()).count()..];
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 12 {
        return None;
    }
    let after = &rest[digits..];
    let after = &after[after.iter().take_while(|c| c.is_ascii_whitespace()).count()..];
    // "12 0 R" is a reference, not a length.
    if after.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
}

/// Skips a literal string starting at `b[i] == '('`, honouring escapes and
/// balanced parentheses; returns the index after it.
fn skip_literal(b: &[u8], mut i: usize) -> usize {
    let mut level = 0usize;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'(' => level += 1,
            b')' => {
                level = level.saturating_sub(1);
                if level == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// Nesting of arrays and dictionaries in content or object text stays
/// within [`MAX_NESTING`] (inline image data may contain any bytes, so this
/// may refuse some odd-but-valid content; that costs only the fallback).
pub(super) fn nesting_ok(b: &[u8]) -> bool {
    let mut depth = 0usize;
    let mut i = 0usize;
    while i < b.len() {
        match b[i] {
            b'(' => {
                i = skip_literal(b, i);
                continue;
            }
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'<' if b.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 1;
            }
            b'>' if b.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'I' if b[i..].starts_with(b"ID") => {
                // Inline image data: skip to EI.
                if let Some(p) = find(&b[i..], b"EI") {
                    i += p + 2;
                    continue;
                }
            }
            _ => {}
        }
        if depth > MAX_NESTING {
            return false;
        }
        i += 1;
    }
    true
}

/// Trial-decodes every non-image stream with generic filters under
/// [`MAX_STREAM`], so that lopdf's own unbounded decompression (text
/// extraction, fonts) can never be a bomb.
pub(super) fn check_streams(objects: &BTreeMap<ObjectId, Object>) -> Result<(), IntakeError> {
    for o in objects.values() {
        let Object::Stream(s) = o else { continue };
        if s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image") {
            continue;
        }
        let filters = match s.dict.get(b"Filter") {
            Ok(Object::Name(n)) => vec![n.clone()],
            Ok(Object::Array(a)) => a
                .iter()
                .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
                .collect(),
            _ => continue,
        };
        let mut data = s.content.clone();
        for f in filters.iter().take(8) {
            match apply_generic(&expand_filter(f), None, &data, MAX_STREAM) {
                Ok(Some(out)) => data = out,
                Ok(None) => break,
                Err(FilterError::TooLarge) => {
                    return Err(IntakeError::limit("a compressed PDF stream"));
                }
                Err(FilterError::Corrupt(_)) => break,
            }
        }
    }
    Ok(())
}

/// lopdf's load errors as ours: its messages are English and technical, and
/// the codes (`encrypted_pdf`, `truncated`, `corrupt`) are what callers act on.
pub(super) fn map_lopdf_error(e: lopdf::Error) -> IntakeError {
    use lopdf::Error as E;
    match e {
        E::Decryption(_) => IntakeError::EncryptedPdf,
        E::IO(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            IntakeError::Truncated { format: "PDF" }
        }
        E::Xref(_) | E::MissingXrefEntry | E::InvalidOffset(_) => {
            IntakeError::corrupt("PDF", "broken cross-reference table")
        }
        E::Parse(_) => IntakeError::corrupt("PDF", "the file structure could not be parsed"),
        other => IntakeError::corrupt("PDF", crate::raster::short(&other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_guard() {
        let deep = "[".repeat(1000);
        assert!(!nesting_ok(deep.as_bytes()));
        assert!(nesting_ok(
            b"q 100 0 0 200 0 0 cm /Im0 Do Q [(a[[[[) 1 (b)] TJ"
        ));
        let pdf = format!("%PDF-1.4\n1 0 obj\n{}\nendobj\n", "<<".repeat(500));
        assert_eq!(prescan(pdf.as_bytes()).unwrap_err().code(), "too_large");
    }

    #[test]
    fn stream_length_parsing() {
        assert_eq!(
            direct_length(b"<< /Length 42 /Filter /FlateDecode >>"),
            Some(42)
        );
        assert_eq!(direct_length(b"<< /Length 7 0 R >>"), None);
        assert_eq!(direct_length(b"<< /Length1 5 >>"), None);
        assert_eq!(direct_length(b"<< /Filter /X >>"), None);
    }
}
