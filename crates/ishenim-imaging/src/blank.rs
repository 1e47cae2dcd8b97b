//! Blank-page detection.
//!
//! A page is blank when, after border clean-up, it holds almost no character-like marks.
//! The rule errs towards "not blank": a page with a single short handwritten line is kept
//! for reading, because a blank verdict means no OCR.

/// Evidence about a page's content, gathered by [`crate::prepare`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Content {
    /// Components sized like characters (1–10 mm high).
    pub text_like: usize,
    /// Share of the page area covered by ink after clean-up.
    pub ink_ratio: f32,
}

/// Fewest character-like marks a page with writing has.
pub const MIN_MARKS: usize = 6;

/// The verdict.
pub fn is_blank(c: &Content) -> bool {
    c.text_like < MIN_MARKS && c.ink_ratio < 0.002
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        assert!(is_blank(&Content {
            text_like: 0,
            ink_ratio: 0.0
        }));
        assert!(is_blank(&Content {
            text_like: 3,
            ink_ratio: 0.0005
        }));
        assert!(
            !is_blank(&Content {
                text_like: 12,
                ink_ratio: 0.0008
            }),
            "one short line"
        );
        assert!(
            !is_blank(&Content {
                text_like: 2,
                ink_ratio: 0.01
            }),
            "a drawing or big mark"
        );
    }
}
