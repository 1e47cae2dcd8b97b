//! Marks at the page's outer margin that Tesseract reads as characters.
//!
//! A torn sheet's teeth, the dark desk beyond them and specks of dirt outside the text
//! come out as short words (`›`, `/'`, `һ,`) on lines of their own or at the start of a
//! body line. They are dropped here, but never silently: a dropped word whose ink has the
//! size and shape of a character (the same test the unread check uses for text-like ink) is
//! reported as an unread region for a person to look at; only words whose ink is specks,
//! blobs or part of the dark edge itself go without a word.

use ishenim_imaging::components::{Component, InkMarks};
use ishenim_ocr::{mean_conf, RawWord};

/// A word this short (letters and digits) can be a misread speck; longer ones are text.
const MAX_ALNUM: usize = 2;
/// …and no more than this many characters in all (`/'` and `һ,` are teeth, `1999` is not).
const MAX_CHARS: usize = 3;
/// A speck word is made of at most this many ink components.
const MAX_COMPONENTS: usize = 3;
/// Words read at least this surely are kept whatever they look like.
const SURE: f32 = 75.0;
/// A word counts as aligned with a text line when it is at most this many times as tall as
/// the line's words (a tooth of a torn edge is much taller than the letters beside it).
const MAX_LINE_HEIGHT_RATIO: f32 = 1.6;

/// A line of confidently read words: what the text block is made of.
#[derive(Debug, Clone, Copy)]
struct TextLine {
    top: i32,
    bottom: i32,
    x0: i32,
    x1: i32,
}

fn alnum(w: &RawWord) -> usize {
    w.text.chars().filter(|c| c.is_alphanumeric()).count()
}

/// The lines carrying at least one confidently read word of three or more letters; their
/// top and bottom are the medians of those words'.
fn text_lines(words: &[RawWord]) -> Vec<TextLine> {
    let mut by_line: std::collections::BTreeMap<u32, Vec<&RawWord>> = Default::default();
    for w in words.iter().filter(|w| w.conf >= SURE && alnum(w) >= 3) {
        by_line.entry(w.line).or_default().push(w);
    }
    by_line
        .values()
        .map(|ws| {
            let median = |k: usize| {
                let mut v: Vec<i32> = ws.iter().map(|w| w.bbox[k]).collect();
                v.sort_unstable();
                v[v.len() / 2]
            };
            TextLine {
                top: median(1),
                bottom: median(3).max(median(1) + 1),
                x0: ws.iter().map(|w| w.bbox[0]).min().unwrap_or(0),
                x1: ws.iter().map(|w| w.bbox[2]).max().unwrap_or(0),
            }
        })
        .collect()
}

/// What the ink under a word is, from the page's components.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct InkKind {
    /// Components whose centre lies in the word's box.
    components: usize,
    /// Of those, components of a character's size and shape.
    text_like: usize,
    /// Ink under the word belongs to a component touching the page's edge (a torn edge's
    /// teeth, the desk beyond the sheet).
    edge: bool,
}

/// Same test as the unread check's (`segments_of`): the size and shape of a character of
/// height `c` (analysis pixels), print or hand.
fn char_like(k: &Component, c: f32) -> bool {
    let (w, h) = (k.width() as f32, k.height() as f32);
    let rule = w > 6.0 * c && h < 0.6 * c;
    (0.3 * c..=3.2 * c).contains(&h)
        && w <= 14.0 * c
        && k.area as f32 >= 0.04 * c * c
        && k.fill() > 0.06
        && !rule
}

fn ink_under(b: &[i32; 4], marks: &InkMarks, height: u32, ch: f32) -> InkKind {
    let f = marks.f as i32;
    let c = ch / f as f32;
    let r = [b[0] / f, b[1] / f, (b[2] + f - 1) / f, (b[3] + f - 1) / f];
    let mut kind = InkKind::default();
    for k in &marks.components {
        let (x0, y0, x1, y1) = (k.x0 as i32, k.y0 as i32, k.x1 as i32, k.y1 as i32);
        if x1 <= r[0] || x0 >= r[2] || y1 <= r[1] || y0 >= r[3] {
            continue;
        }
        let on_edge = k.touches_edge(marks.width, height);
        kind.edge |= on_edge;
        let (cx, cy) = ((x0 + x1) / 2, (y0 + y1) / 2);
        if (r[0]..r[2]).contains(&cx) && (r[1]..r[3]).contains(&cy) {
            kind.components += 1;
            if char_like(k, c) && !on_edge {
                kind.text_like += 1;
            }
        }
    }
    kind
}

/// True when the word sits on one of the text lines: its centre within the line's band and
/// not much taller than the line's words.
fn aligned(b: &[i32; 4], lines: &[TextLine]) -> bool {
    let cy = (b[1] + b[3]) / 2;
    let h = (b[3] - b[1]) as f32;
    lines.iter().any(|l| {
        (l.top..=l.bottom).contains(&cy) && h <= MAX_LINE_HEIGHT_RATIO * (l.bottom - l.top) as f32
    })
}

/// Outside the text block: left or right of every text line's column, above the first or
/// below the last.
fn outside_block(b: &[i32; 4], lines: &[TextLine]) -> bool {
    let x0 = lines.iter().map(|l| l.x0).min().unwrap_or(i32::MIN);
    let x1 = lines.iter().map(|l| l.x1).max().unwrap_or(i32::MAX);
    let y0 = lines.iter().map(|l| l.top).min().unwrap_or(i32::MIN);
    let y1 = lines.iter().map(|l| l.bottom).max().unwrap_or(i32::MAX);
    b[2] <= x0 || b[0] >= x1 || b[3] <= y0 || b[1] >= y1
}

/// What to do with one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Keep,
    /// Not text: dropped without a word.
    Drop,
    /// Dropped from the text, its box reported as unread.
    DropReported,
}

fn verdict(w: &RawWord, lines: &[TextLine], page_conf: f32, ink: InkKind) -> Verdict {
    let short = alnum(w) <= MAX_ALNUM && w.text.chars().count() <= MAX_CHARS;
    let unsure = w.conf < SURE.min(page_conf - 10.0);
    if !short || !unsure || ink.components > MAX_COMPONENTS {
        return Verdict::Keep;
    }
    let on_line = !ink.edge && aligned(&w.bbox, lines);
    let margin = ink.edge || outside_block(&w.bbox, lines);
    match (on_line, margin, ink.text_like > 0) {
        (true, _, _) => Verdict::Keep,
        (false, true, true) => Verdict::DropReported,
        (false, _, false) => Verdict::Drop,
        // Character-like ink inside the text block, off every line: the unread check's
        // business (it reads such ink again), not a margin mark.
        (false, false, true) => Verdict::Keep,
    }
}

/// Drops the margin marks read as words (see the module comment) and returns the boxes of
/// those whose ink might be text, to be listed as unread. `marks` are the components of the
/// prepared page (`height` pixels tall) for character height `ch`.
pub fn drop_margin_marks(
    words: &mut Vec<RawWord>,
    marks: &InkMarks,
    height: u32,
    ch: f32,
) -> Vec<[i32; 4]> {
    let lines = text_lines(words);
    if lines.is_empty() {
        return Vec::new();
    }
    let page_conf = mean_conf(words);
    let h = height / marks.f;
    let mut reported = Vec::new();
    words.retain(|w| {
        let ink = ink_under(&w.bbox, marks, h, ch);
        match verdict(w, &lines, page_conf, ink) {
            Verdict::Keep => true,
            Verdict::Drop => false,
            Verdict::DropReported => {
                reported.push(w.bbox);
                false
            }
        }
    });
    reported
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unread::tests::word;
    use image::{GrayImage, Luma};
    use ishenim_imaging::components::ink_marks;

    const CH: f32 = 24.0;

    fn fill(img: &mut GrayImage, x0: u32, y0: u32, x1: u32, y1: u32) {
        for y in y0..y1 {
            for x in x0..x1 {
                img.put_pixel(x, y, Luma([0]));
            }
        }
    }

    /// Three lines of letter-sized blobs (24 px tall) from x 150 to 450, read as three
    /// confident words each, and a torn edge: teeth of dark ink at the left border.
    fn page() -> (GrayImage, Vec<RawWord>) {
        let mut img = GrayImage::from_pixel(600, 400, Luma([255]));
        let mut words = Vec::new();
        for (line, y) in [100u32, 160, 220].into_iter().enumerate() {
            for k in 0..15u32 {
                fill(&mut img, 150 + 20 * k, y, 164 + 20 * k, y + 24);
            }
            for k in 0..3u32 {
                let x = 150 + 100 * k as i32;
                words.push(word(
                    "сөз",
                    [x, y as i32, x + 94, y as i32 + 24],
                    line as u32,
                    95.0,
                ));
            }
        }
        // Teeth: triangles of desk showing through the torn edge, 60 px tall, up to 40 wide.
        for (y0, h) in [(20u32, 50u32), (90, 70), (170, 60), (240, 90)] {
            let half = h as i32 / 2;
            for dy in 0..h {
                let w = 40 * (half - (dy as i32 - half).abs()).max(0) / half;
                fill(&mut img, 0, y0 + dy, 1 + w as u32, y0 + dy + 1);
            }
        }
        (img, words)
    }

    fn run(img: &GrayImage, words: &mut Vec<RawWord>) -> Vec<[i32; 4]> {
        drop_margin_marks(words, &ink_marks(img, CH), img.height(), CH)
    }

    fn texts(words: &[RawWord]) -> Vec<&str> {
        words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn teeth_of_a_torn_edge_go_without_a_region() {
        let (img, mut words) = page();
        words.insert(3, word("/'", [0, 90, 38, 160], 1, 12.0));
        words.insert(0, word("›", [0, 240, 40, 330], 3, 73.0));
        let reported = run(&img, &mut words);
        assert_eq!(texts(&words), vec!["сөз"; 9]);
        assert!(reported.is_empty(), "{reported:?}");
    }

    #[test]
    fn a_letter_sized_mark_in_the_margin_is_dropped_but_reported() {
        let (mut img, mut words) = page();
        fill(&mut img, 60, 300, 74, 324);
        words.push(word("ж", [58, 298, 76, 326], 3, 30.0));
        let reported = run(&img, &mut words);
        assert_eq!(texts(&words), vec!["сөз"; 9]);
        assert_eq!(reported, vec![[58, 298, 76, 326]]);
    }

    #[test]
    fn a_speck_between_lines_goes_without_a_region() {
        let (mut img, mut words) = page();
        fill(&mut img, 300, 140, 303, 143);
        words.insert(3, word("_", [300, 140, 303, 143], 1, 20.0));
        let reported = run(&img, &mut words);
        assert_eq!(texts(&words), vec!["сөз"; 9]);
        assert!(reported.is_empty());
    }

    #[test]
    fn marks_on_a_text_line_and_sure_or_long_words_are_kept() {
        let (mut img, mut words) = page();
        // A list number left of the column, on the second line, read unsurely.
        fill(&mut img, 110, 160, 122, 184);
        words.insert(3, word("1.", [110, 160, 126, 184], 1, 50.0));
        // A page number below the text, read surely.
        fill(&mut img, 290, 330, 304, 354);
        words.push(word("2", [290, 330, 304, 354], 3, 95.0));
        // Four marks below the text: more than a speck word is made of.
        for k in 0..4 {
            fill(&mut img, 150 + 20 * k, 370, 164 + 20 * k, 394);
        }
        words.push(word("ыы", [150, 370, 224, 394], 4, 30.0));
        let before = words.clone();
        let reported = run(&img, &mut words);
        assert_eq!(words, before);
        assert!(reported.is_empty());
    }

    #[test]
    fn a_page_without_confident_lines_is_left_alone() {
        let (img, mut words) = page();
        for w in &mut words {
            w.conf = 40.0;
        }
        words.push(word("/'", [0, 90, 38, 160], 1, 12.0));
        let before = words.clone();
        assert!(run(&img, &mut words).is_empty());
        assert_eq!(words, before);
    }
}
