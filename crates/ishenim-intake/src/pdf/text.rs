//! The text layer: what a scanner's own OCR (or a born-digital PDF) put
//! there, tidied and capped, so the pipeline can compare it with Tesseract.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::MAX_TEXT_PER_PAGE;

/// Text of page `number` (1-based) via lopdf, concatenating the chunks that
/// decoded; `None` when there is no letter or digit in it.
pub(super) fn extract_text(doc: &lopdf::Document, number: u32) -> Option<String> {
    let chunks = catch_unwind(AssertUnwindSafe(|| doc.extract_text_chunks(&[number]))).ok()?;
    let mut s = String::new();
    for c in chunks.into_iter().flatten() {
        if s.len() + c.len() > MAX_TEXT_PER_PAGE {
            break;
        }
        s.push_str(&c);
    }
    let t = tidy_text(&s);
    t.chars().any(char::is_alphanumeric).then_some(t)
}

/// Collapses runs of spaces and tabs, trims every line and drops blank
/// lines at both ends (text layers often pad words with extra spaces).
fn tidy_text(s: &str) -> String {
    let lines: Vec<String> = s
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let first = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let last = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(first, |i| i + 1);
    lines[first..last.max(first)].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_tidied() {
        assert_eq!(
            tidy_text("\n  Салам   дүйнө \n\n x\t y  \n\n"),
            "Салам дүйнө\n\nx y"
        );
        assert_eq!(tidy_text("   "), "");
    }
}
