//! Never lose a line silently: after reading, the ink on the page is compared with the words
//! read. A stretch of text-like ink that produced no words, or only words far below the page's
//! confidence, is read again on its own, another way; what still fails is reported as an
//! unread region so that a person types it.
//!
//! Why this exists: Tesseract's layout analysis sometimes drops a whole line (a header line
//! touching a notebook rule, a date line next to a signature, a paragraph taken for a
//! picture) and says nothing. A dropped date line becomes a wrong deadline; a dropped
//! paragraph can be the accusation itself.

use image::GrayImage;
use ishenim_imaging::binarize::otsu;
use ishenim_imaging::components::{ink_marks, line_groups, InkMarks, LineMark};
use ishenim_ocr::{mean_conf, Engine, RawWord, Segmentation};

/// A stretch of text-like ink on one line of the prepared page, `[x0, y0, x1, y1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InkSegment {
    /// Box in prepared-image pixels.
    pub bbox: [i32; 4],
    /// Ink pixels of its character-like marks (in the analysis scale).
    pub area: u32,
    /// Number of character-like marks.
    pub marks: u32,
    /// Summed width of all its marks (prepared pixels).
    pub marks_width: u32,
    /// Summed width of its joined marks: marks much wider than tall, as whole words
    /// written in one stroke are (print separates its letters).
    pub joined_width: u32,
}

impl InkSegment {
    /// Share of the marks' width in joined marks: near 0 for print, most of it for cursive.
    pub fn joined_share(&self) -> f32 {
        self.joined_width as f32 / self.marks_width.max(1) as f32
    }
}

/// What the check did on one page.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outcome {
    /// Regions that were read again successfully (their words are now in the page).
    pub recovered: usize,
    /// Regions given up on: `(bbox in prepared pixels, reason)`.
    pub unread: Vec<([i32; 4], &'static str)>,
    /// True when the whole page was found handwritten.
    pub handwritten: bool,
}

/// Text-like ink of the prepared page grouped into line segments.
///
/// Marks are connected components of the binarised page whose size fits the page's
/// character height `ch` (prepared pixels); long thin marks (rules, underlines) and big
/// blobs (pictures, stamps that survived) are left out. Marks on the same line closer than
/// about two character heights form one segment.
pub fn ink_segments(img: &GrayImage, ch: f32) -> Vec<InkSegment> {
    if ch < 4.0 || img.width() < 16 || img.height() < 16 {
        return Vec::new();
    }
    segments_of(&ink_marks(img, ch), ch)
}

/// [`ink_segments`] from the page's ink components (made by
/// [`ishenim_imaging::components::ink_marks`] for the same `ch`).
pub fn segments_of(ink: &InkMarks, ch: f32) -> Vec<InkSegment> {
    let f = ink.f;
    let c = ch / f as f32;
    let mut marks: Vec<[f32; 5]> = ink
        .components
        .iter()
        .filter(|k| {
            let (w, h) = (k.width() as f32, k.height() as f32);
            let rule = w > 6.0 * c && h < 0.6 * c;
            // A hand is larger than the print: its joined words reach 3 print heights.
            let char_like = (0.3 * c..=3.2 * c).contains(&h)
                && w <= 14.0 * c
                && k.area as f32 >= 0.04 * c * c
                && k.fill() > 0.06;
            char_like && !rule
        })
        .map(|k| {
            [
                k.x0 as f32,
                k.y0 as f32,
                k.x1 as f32,
                k.y1 as f32,
                k.area as f32,
            ]
        })
        .collect();
    // Group marks into line segments: sorted by vertical centre, a mark joins another when
    // their centres are within half a character height and the horizontal gap is small.
    marks.sort_by(|a, b| (a[1] + a[3]).total_cmp(&(b[1] + b[3])));
    let line_marks: Vec<LineMark> = marks
        .iter()
        .map(|m| LineMark {
            x0: m[0],
            x1: m[2],
            yc: (m[1] + m[3]) / 2.0,
        })
        .collect();
    let lines = line_groups(&line_marks, 0.5 * c, 2.0 * c);
    let mut segs: Vec<Option<InkSegment>> = vec![None; marks.len()];
    for (m, &line) in marks.iter().zip(&lines) {
        let b = [
            (m[0] as i32) * f as i32,
            (m[1] as i32) * f as i32,
            (m[2] as i32) * f as i32,
            (m[3] as i32) * f as i32,
        ];
        let s = segs[line].get_or_insert(InkSegment {
            bbox: b,
            area: 0,
            marks: 0,
            marks_width: 0,
            joined_width: 0,
        });
        let (mw, mh) = (m[2] - m[0] + 1.0, m[3] - m[1] + 1.0);
        s.marks_width += (mw as u32) * f;
        if mw > 1.5 * mh && mw > 1.2 * c {
            s.joined_width += (mw as u32) * f;
        }
        s.bbox = [
            s.bbox[0].min(b[0]),
            s.bbox[1].min(b[1]),
            s.bbox[2].max(b[2]),
            s.bbox[3].max(b[3]),
        ];
        s.area += m[4] as u32 * f * f;
        s.marks += 1;
    }
    segs.into_iter().flatten().collect()
}

/// Share of a segment's height that a box covers vertically.
fn v_overlap(a: &[i32; 4], b: &[i32; 4]) -> f32 {
    let o = (a[3].min(b[3]) - a[1].max(b[1])).max(0) as f32;
    o / (a[3] - a[1]).max(1) as f32
}

/// Width of `a` covered by `b`.
fn h_cover(a: &[i32; 4], b: &[i32; 4]) -> i32 {
    (a[2].min(b[2]) - a[0].max(b[0])).max(0)
}

/// Parts of the segments not covered by words, as `(box, reason)`: a segment with less than
/// half of its width under word boxes is `no_words`; one covered only by words far below
/// the page's confidence is `low_confidence`; a line written by hand (cursive, or leaning
/// strokes where the page's print reads well, see [`crate::handline`]) read below the page
/// is `handwriting`, even when Tesseract made something of it.
pub fn unread_candidates(
    img: &GrayImage,
    segs: &[InkSegment],
    words: &[RawWord],
    ch: f32,
) -> Vec<([i32; 4], &'static str)> {
    let page_conf = mean_conf(words);
    // A printed line read far below the page (a handwritten date on a printed letter reads
    // at 0–49 where the print reads at 87–96; bad print lines of the tuning pages at 56+).
    let low = (page_conf - 40.0).min(52.0);
    let mut out = Vec::new();
    for s in segs {
        let w = s.bbox[2] - s.bbox[0];
        // Too little to be a word: a speck, a lone letter, a stroke of a signature. A word
        // written in one stroke is one mark.
        if (s.marks < 3 && (s.joined_width as f32) < 3.0 * ch) || (w as f32) < 1.5 * ch {
            continue;
        }
        let over = words_over(s, words);
        let conf = mean_conf_of(&over);
        let tall = (s.bbox[3] - s.bbox[1]) as f32 >= 0.7 * ch;
        // Cursive joins its letters, and Tesseract reads it as noise with some confidence.
        // Only on a page whose print reads well: blur and JPEG blocks join printed letters
        // too, and those pages read lower.
        let uncov = uncovered(s, &over, low);
        // Read below the page's print: a hand's separate letters and digits read at 15–86
        // where the print of the same page reads at 87–96 (only measured then: print
        // that reads as well as the page is never taken for a hand).
        let middling = conf.is_some_and(|c| c < (page_conf - 6.0).min(90.0));
        let joined = page_conf >= 85.0 && s.joined_share() >= HAND_JOINED && tall;
        let traits = (page_conf >= 80.0 && tall && (uncov.is_some() || middling || joined))
            .then(|| crate::handline::measure(img, s.bbox, ch));
        let leaning = traits.is_some_and(|t| t.handwritten());
        // Large printed digits can join too ("88" in a serif font); a hand also leans.
        let hand = joined && traits.is_some_and(|t| t.slant.abs() >= 0.15);
        if leaning {
            out.push((s.bbox, "handwriting"));
        } else if let Some(r) = uncov {
            let hand = hand && conf.is_none_or(|c| c < 70.0);
            out.push((s.bbox, if hand { "handwriting" } else { r }));
        } else if hand && conf.is_some_and(|c| c < low + 15.0) {
            out.push((s.bbox, "handwriting"));
        } else {
            out.extend(lone_low_words(&over, low, page_conf, ch).map(|b| (b, LOW_WORD)));
        }
    }
    out
}

/// Internal reason of a [`lone_low_words`] candidate: reported as `low_confidence`
/// without a second reading.
pub const LOW_WORD: &str = "low_word";

/// Share of a line's other words' confidence, below the page's, that still makes it sure.
const SURE_LINE_GAP: f32 = 10.0;

/// Long words read far below the page (below `low`) on a line whose other words read as
/// surely as the page: the line counts as read, but such a word was not (seed 11 H040, a
/// header word on a ruled page read as garbage at 31 between two short words at 88–92:
/// the line was lost without a word of warning). Short words are left alone: a lone
/// letter, a number or punctuation often reads low and is no loss.
fn lone_low_words<'a>(
    over: &'a [&RawWord],
    low: f32,
    page_conf: f32,
    ch: f32,
) -> impl Iterator<Item = [i32; 4]> + 'a {
    let long = move |w: &RawWord| {
        (w.bbox[2] - w.bbox[0]) as f32 >= 3.0 * ch && w.text.chars().count() >= 4
    };
    let lone = move |w: &RawWord| w.conf < low && long(w);
    let others: Vec<f32> = over.iter().filter(|w| !lone(w)).map(|w| w.conf).collect();
    let sure = !others.is_empty()
        && others.iter().sum::<f32>() / others.len() as f32 >= page_conf - SURE_LINE_GAP;
    over.iter().filter(move |w| sure && lone(w)).map(|w| w.bbox)
}

/// Share of a segment's marks' width in joined marks above which it is taken for cursive.
/// Printed lines measure 0–0.25 (0.52 once, read at 96 %); handwritten lines 0.4–1.
pub const HAND_JOINED: f32 = 0.4;

/// The words over a segment.
fn words_over<'a>(s: &InkSegment, words: &'a [RawWord]) -> Vec<&'a RawWord> {
    words
        .iter()
        .filter(|wd| v_overlap(&s.bbox, &wd.bbox) > 0.3 && h_cover(&s.bbox, &wd.bbox) > 0)
        .collect()
}

fn mean_conf_of(words: &[&RawWord]) -> Option<f32> {
    (!words.is_empty()).then(|| words.iter().map(|w| w.conf).sum::<f32>() / words.len() as f32)
}

/// Why a segment counts as not read: `no_words` when less than half of its width lies under
/// words, `low_confidence` when every word over it is below `low`.
fn uncovered(s: &InkSegment, over: &[&RawWord], low: f32) -> Option<&'static str> {
    let w = s.bbox[2] - s.bbox[0];
    // Covered width, counted as a union of intervals.
    let mut spans: Vec<(i32, i32)> = over
        .iter()
        .map(|wd| (wd.bbox[0].max(s.bbox[0]), wd.bbox[2].min(s.bbox[2])))
        .collect();
    spans.sort();
    let (mut covered, mut end) = (0, i32::MIN);
    for (a, b) in spans {
        let a = a.max(end);
        if b > a {
            covered += b - a;
            end = b;
        }
    }
    if 2 * covered < w {
        Some("no_words")
    } else if !over.is_empty() && over.iter().all(|wd| wd.conf < low) {
        Some("low_confidence")
    } else {
        None
    }
}

/// True when the page as a whole is handwritten: it reads far below print (< 50) and most of
/// its lines are cursive or have no confident words at all. Printed pages of every tuning
/// kind read at 87 or more once prepared.
pub fn handwritten_page(img: &GrayImage, segs: &[InkSegment], words: &[RawWord], ch: f32) -> bool {
    let page = mean_conf(words);
    if page >= HAND_PAGE_JOINED {
        return false;
    }
    let lines: Vec<&InkSegment> = segs
        .iter()
        .filter(|s| (s.bbox[2] - s.bbox[0]) as f32 >= ch)
        .collect();
    let cursive = |s: &&&InkSegment| s.marks >= 3 && s.joined_share() >= HAND_JOINED;
    let unsure = |s: &&&InkSegment| mean_conf_of(&words_over(s, words)).is_none_or(|c| c < 50.0);
    if lines.len() < 3 {
        // A short page (a letter's last page: the date and the signature) is handwritten
        // when every line on it is cursive, leans as a hand does and is read as noise: with
        // so few lines a share says nothing, and such a page was otherwise passed on with no
        // region at all. Joined marks alone are not enough: print sitting on a notebook rule
        // is joined by it (seed 11 H057p2's printed signature line).
        // (Slant and gain alone: `handwritten()` also wants four separate letters, and a
        // cursive line's letters are joined.)
        let leans = |s: &&&InkSegment| {
            let t = crate::handline::measure(img, s.bbox, ch);
            t.slant.abs() >= crate::handline::SLANT_HAND
                && t.slant_gain >= crate::handline::SLANT_GAIN
        };
        return !lines.is_empty() && lines.iter().all(|s| cursive(&s) && unsure(&s) && leans(&s));
    }
    let joined = lines.iter().filter(cursive).count();
    if page >= 50.0 {
        // Read at 50–60, which no printed page of the corpora reaches (they read at 80 or
        // more, or below 40 when ruined): a neat upright hand that Tesseract half reads
        // (seed 11 H056p2, 55). Its joined letters tell it, as on a page read lower.
        return 10 * joined >= 3 * lines.len();
    }
    let unsure = lines.iter().filter(unsure).count();
    10 * joined >= 3 * lines.len() || 10 * unsure >= 6 * lines.len()
}

/// Page confidence below which a page of cursive lines is handwritten (the other tests
/// apply below 50).
const HAND_PAGE_JOINED: f32 = 60.0;

/// Joins candidate boxes on the same line that touch or nearly touch.
fn merge_boxes(mut boxes: Vec<([i32; 4], &'static str)>, ch: f32) -> Vec<([i32; 4], &'static str)> {
    boxes.sort_by_key(|(b, _)| (b[1], b[0]));
    let mut out: Vec<([i32; 4], &'static str)> = Vec::new();
    for (b, r) in boxes {
        if let Some((m, mr)) = out.iter_mut().find(|(m, _)| {
            v_overlap(m, &b) > 0.5 && (b[0] - m[2]).max(m[0] - b[2]) < (2.0 * ch) as i32
        }) {
            *m = [
                m[0].min(b[0]),
                m[1].min(b[1]),
                m[2].max(b[2]),
                m[3].max(b[3]),
            ];
            // A garbled word joined to a region to read again is read with it.
            if r == "handwriting" || (r == "no_words" && *mr != "handwriting") || *mr == LOW_WORD {
                *mr = r;
            }
        } else {
            out.push((b, r));
        }
    }
    out
}

/// Crops `bx` padded by `pad` from `img` (clamped); the crop and its top-left corner.
fn crop(img: &GrayImage, bx: [i32; 4], pad: i32) -> Option<(GrayImage, i32, i32)> {
    let (w, h) = (img.width() as i32, img.height() as i32);
    let (x0, y0) = ((bx[0] - pad).max(0), (bx[1] - pad).max(0));
    let (x1, y1) = ((bx[2] + pad).min(w), (bx[3] + pad).min(h));
    if x1 - x0 < 8 || y1 - y0 < 8 {
        return None;
    }
    let c = image::imageops::crop_imm(
        img,
        x0 as u32,
        y0 as u32,
        (x1 - x0) as u32,
        (y1 - y0) as u32,
    )
    .to_image();
    Some((c, x0, y0))
}

/// The crop binarised at its own Otsu threshold: a faint or grey line the page-wide
/// threshold left half-erased comes back black.
fn binarised(img: &GrayImage) -> GrayImage {
    let t = otsu(img);
    let mut out = img.clone();
    for p in out.iter_mut() {
        *p = if *p <= t { 0 } else { 255 };
    }
    out
}

/// One reading of a crop: words shifted back to page coordinates (scaled crops are mapped
/// back), or nothing when Tesseract found nothing.
fn read_crop(
    engine: &mut Engine,
    img: &GrayImage,
    origin: (i32, i32),
    scale: f32,
    dpi: u32,
    seg: Segmentation,
) -> Vec<RawWord> {
    let Ok(mut words) = engine.recognize(img, dpi, seg) else {
        return Vec::new();
    };
    for w in &mut words {
        let m = |v: i32| (v as f32 / scale).round() as i32;
        w.bbox = [
            m(w.bbox[0]) + origin.0,
            m(w.bbox[1]) + origin.1,
            m(w.bbox[2]) + origin.0,
            m(w.bbox[3]) + origin.1,
        ];
        for b in &mut w.char_boxes {
            *b = [
                m(b[0]) + origin.0,
                m(b[1]) + origin.1,
                m(b[2]) + origin.0,
                m(b[3]) + origin.1,
            ];
        }
    }
    // Lone punctuation and one-letter noise are not a reading of a line.
    words.retain(|w| w.text.chars().any(char::is_alphanumeric));
    words
}

/// Reads a region again, up to three ways (the grey crop as one line or block; the crop
/// binarised on its own; enlarged when the characters are small), and returns the first
/// reading confident enough, or `None`.
fn reread(
    engine: &mut Engine,
    img: &GrayImage,
    bx: [i32; 4],
    ch: f32,
    dpi: u32,
    accept: f32,
) -> Option<Vec<RawWord>> {
    let pad = (0.6 * ch) as i32;
    let (c, x0, y0) = crop(img, bx, pad)?;
    let seg = if ((bx[3] - bx[1]) as f32) < 1.9 * ch {
        Segmentation::SingleLine
    } else {
        Segmentation::SingleBlock
    };
    let good = |w: &[RawWord]| !w.is_empty() && mean_conf(w) >= accept;
    let first = read_crop(engine, &c, (x0, y0), 1.0, dpi, seg);
    if good(&first) {
        return Some(first);
    }
    let b = binarised(&c);
    let second = read_crop(engine, &b, (x0, y0), 1.0, dpi, Segmentation::SingleBlock);
    if good(&second) {
        return Some(second);
    }
    if ch < 26.0 {
        let k = (30.0 / ch).clamp(1.2, 2.5);
        let big = image::imageops::resize(
            &c,
            (c.width() as f32 * k) as u32,
            (c.height() as f32 * k) as u32,
            image::imageops::FilterType::Triangle,
        );
        let third = read_crop(engine, &big, (x0, y0), k, (dpi as f32 * k) as u32, seg);
        if good(&third) {
            return Some(third);
        }
    }
    None
}

/// Puts recovered words into the page's word list in reading order: on the existing line
/// they sit on (by x), or as a new line before the first line that lies below them.
pub fn insert_words(words: &mut Vec<RawWord>, new: Vec<RawWord>) {
    if new.is_empty() {
        return;
    }
    let cy = |b: &[i32; 4]| (b[1] + b[3]) / 2;
    let nb = new
        .iter()
        .fold([i32::MAX, i32::MAX, i32::MIN, i32::MIN], |a, w| {
            [
                a[0].min(w.bbox[0]),
                a[1].min(w.bbox[1]),
                a[2].max(w.bbox[2]),
                a[3].max(w.bbox[3]),
            ]
        });
    // An existing line the new words sit on.
    let on_line = words
        .iter()
        .filter(|w| v_overlap(&nb, &w.bbox) > 0.5 && v_overlap(&w.bbox, &nb) > 0.5)
        .map(|w| w.line)
        .next();
    if let Some(line) = on_line {
        for mut n in new {
            n.line = line;
            n.para_start = false;
            let pos = words
                .iter()
                .position(|w| w.line == line && w.bbox[0] > n.bbox[0])
                .or_else(|| words.iter().rposition(|w| w.line == line).map(|p| p + 1))
                .unwrap_or(words.len());
            if pos < words.len() && words[pos].line == line && words[pos].para_start {
                words[pos].para_start = false;
                n.para_start = true;
            }
            words.insert(pos, n);
        }
        return;
    }
    // A new line: before the first line whose centre lies below the new words' centre.
    let y = cy(&nb);
    let pos = words
        .iter()
        .position(|w| cy(&w.bbox) > y)
        .map(|p| {
            // Back up to the start of that word's line.
            let l = words[p].line;
            words.iter().position(|w| w.line == l).unwrap_or(p)
        })
        .unwrap_or(words.len());
    let line = if pos < words.len() {
        words[pos].line
    } else {
        words.last().map_or(0, |w| w.line + 1)
    };
    for w in words.iter_mut().skip(pos) {
        w.line += 1;
    }
    for (i, mut n) in new.into_iter().enumerate() {
        n.line = line;
        n.para_start = i == 0;
        words.insert(pos + i, n);
    }
}

/// More candidate regions than this on one page are not read one by one.
const MAX_REREADS: usize = 24;

/// The whole check on one page: finds ink without (good) words, reads it again, puts what
/// was read into `words` and returns what could not be read.
///
/// `marks` are the page's ink components when preprocessing made them on this very image
/// (`Prepared::marks`): the page is then not labelled a second time.
pub fn check(
    engine: &mut Engine,
    img: &GrayImage,
    marks: Option<&InkMarks>,
    words: &mut Vec<RawWord>,
    ch: f32,
    dpi: u32,
) -> Outcome {
    let mut out = Outcome::default();
    let same_scale = |m: &&InkMarks| m.f == ((ch / 12.0).floor() as u32).clamp(1, 4);
    let segs = match marks.filter(same_scale) {
        Some(m) if ch >= 4.0 && img.width() >= 16 && img.height() >= 16 => segments_of(m, ch),
        _ => ink_segments(img, ch),
    };
    // A handwritten letter: Tesseract cannot read it, so nothing is read again; every line
    // of it is listed for a person to type.
    if handwritten_page(img, &segs, words, ch) {
        out.handwritten = true;
        let lines: Vec<([i32; 4], &'static str)> = segs
            .iter()
            .filter(|s| (s.bbox[2] - s.bbox[0]) as f32 >= ch)
            .map(|s| (s.bbox, "handwriting"))
            .collect();
        out.unread = merge_boxes(lines, ch);
        return out;
    }
    let cands = merge_boxes(unread_candidates(img, &segs, words, ch), ch);
    let page_conf = mean_conf(words);
    // A re-reading is taken when it is about as sure as the page, and never below 55.
    let accept = (page_conf - 20.0).clamp(55.0, 75.0);
    // Ink everywhere without words (sensor noise of a dark photo, handwriting): reading
    // hundreds of stretches one by one costs minutes and inserts garbage. Say once that the
    // whole area was not read instead.
    let to_read = |r: &&str| *r != "handwriting" && *r != LOW_WORD;
    if cands.iter().filter(|(_, r)| to_read(r)).count() > MAX_REREADS {
        let b = cands
            .iter()
            .fold([i32::MAX, i32::MAX, i32::MIN, i32::MIN], |a, (b, _)| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            });
        out.unread.push((b, "no_words"));
        return out;
    }
    for (bx, reason) in cands {
        // A garbled word on a line that reads well is not read again: a second reading
        // of a word changes sure-enough words too ("Ленин" → "Денин" on c3), so the word
        // stays as read and is shown to the reviewer.
        if reason == LOW_WORD {
            out.unread.push((bx, "low_confidence"));
            continue;
        }
        match reread(engine, img, bx, ch, dpi, accept) {
            Some(new) => {
                // Low-confidence words the new reading replaces go.
                if reason != "no_words" {
                    words.retain(|w| !(v_overlap(&bx, &w.bbox) > 0.3 && h_cover(&bx, &w.bbox) > 0));
                }
                // A hand's reading stays the reader's guess: a person checks it; read as
                // surely as the page's print, it was print after all (a lean measured on a
                // noisy photo).
                if reason == "handwriting" && mean_conf(&new) < page_conf - 5.0 {
                    out.unread.push((bx, reason));
                }
                insert_words(words, new);
                out.recovered += 1;
            }
            None => out.unread.push((bx, reason)),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::Luma;

    /// A word as Tesseract gives it: text, box, line and confidence (also used by the
    /// margin tests).
    pub(crate) fn word(text: &str, bbox: [i32; 4], line: u32, conf: f32) -> RawWord {
        RawWord {
            text: text.into(),
            conf,
            bbox,
            line,
            para_start: false,
            block: 0,
            char_boxes: Vec::new(),
        }
    }

    /// A page with three "lines" of letter-sized blobs, 30 px characters.
    fn page() -> GrayImage {
        let mut img = GrayImage::from_pixel(1000, 400, Luma([255]));
        for (ly, n) in [(50u32, 12u32), (150, 12), (250, 6)] {
            for k in 0..n {
                let x0 = 60 + k * 40;
                for y in ly..ly + 30 {
                    for x in x0..x0 + 18 {
                        if (x - x0) < 4 || (y - ly) < 4 || x - x0 > 13 {
                            img.put_pixel(x, y, Luma([0]));
                        }
                    }
                }
            }
        }
        img
    }

    #[test]
    fn a_line_without_words_is_a_candidate_and_read_lines_are_not() {
        let img = page();
        let segs = ink_segments(&img, 30.0);
        assert_eq!(segs.len(), 3, "{segs:?}");
        let words = vec![
            word("бир", [58, 48, 300, 82], 0, 90.0),
            word("эки", [300, 48, 540, 82], 0, 90.0),
            word("үч", [58, 248, 300, 282], 2, 90.0),
        ];
        let c = unread_candidates(&img, &segs, &words, 30.0);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].1, "no_words");
        assert!(c[0].0[1] >= 140 && c[0].0[3] <= 190);
    }

    #[test]
    fn only_very_unsure_words_make_a_low_confidence_candidate() {
        let img = page();
        let segs = ink_segments(&img, 30.0);
        let mut words = vec![
            word("бир", [58, 48, 540, 82], 0, 92.0),
            word("xx", [58, 148, 540, 182], 1, 20.0),
            word("үч", [58, 248, 300, 282], 2, 91.0),
        ];
        let c = unread_candidates(&img, &segs, &words, 30.0);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].1, "low_confidence");
        words[1].conf = 80.0;
        assert!(unread_candidates(&img, &segs, &words, 30.0).is_empty());
    }

    #[test]
    fn a_long_garbled_word_on_a_sure_line_is_a_candidate() {
        let img = page();
        let segs = ink_segments(&img, 30.0);
        // Seed 11 H040's header: "В <garbage at 31> по" between sure words.
        let mut words = vec![
            word("бир", [58, 48, 180, 82], 0, 92.0),
            word("КОМИССсИЮ", [180, 48, 420, 82], 0, 31.0),
            word("по", [420, 48, 540, 82], 0, 90.0),
            // The rest of the page reads well (the page's confidence counts letters).
            word("экинчисаптагысөздөр", [58, 148, 540, 182], 1, 92.0),
            word("үчүнчүсаптагы", [58, 248, 300, 282], 2, 91.0),
        ];
        let c = unread_candidates(&img, &segs, &words, 30.0);
        assert_eq!(c, vec![([180, 48, 420, 82], LOW_WORD)]);
        // Read as surely as the rest of the line: nothing.
        words[1].conf = 85.0;
        assert!(unread_candidates(&img, &segs, &words, 30.0).is_empty());
        // A short word (a letter, a number) read low: no loss.
        words[1].conf = 31.0;
        words[1].text = "сИ".into();
        assert!(unread_candidates(&img, &segs, &words, 30.0).is_empty());
        // The whole line unsure (a poor page's line): the line's own business, not a word's.
        words[1].text = "КОМИССсИЮ".into();
        words[1].conf = 15.0;
        words[0].conf = 55.0;
        words[2].conf = 50.0;
        assert!(unread_candidates(&img, &segs, &words, 30.0).is_empty());
    }

    /// Three lines: two printed (separate letters), the last one cursive (leaning letters
    /// joined into word-long marks of uneven height).
    fn page_with_cursive_line() -> GrayImage {
        let mut img = page();
        for y in 250..290 {
            for x in 40..900 {
                img.put_pixel(x, y, Luma([255]));
            }
        }
        for (k, len) in [(0u32, 140u32), (1, 120), (2, 140), (3, 90)] {
            let x0 = 60 + k * 170;
            let top = 250 + (k % 2) * 4;
            for y in top..top + 28 {
                for x in x0..x0 + len {
                    // Strokes leaning right, as a hand writes them.
                    let lean = (top + 28 - y) * 2 / 5;
                    if (x - x0 + 22 - lean) % 22 < 4 || (y - top) > 22 {
                        img.put_pixel(x, y, Luma([0]));
                    }
                }
            }
        }
        img
    }

    #[test]
    fn a_cursive_line_on_a_printed_page_is_handwriting() {
        let img = page_with_cursive_line();
        let segs = ink_segments(&img, 30.0);
        let hand: Vec<&InkSegment> = segs
            .iter()
            .filter(|s| s.joined_share() >= HAND_JOINED)
            .collect();
        assert_eq!(hand.len(), 1, "{segs:?}");
        assert!(hand[0].bbox[1] >= 240);
        // The print reads at 95, as a page of print does (many words).
        let mut words: Vec<RawWord> = (0..6)
            .map(|k| word("бир", [58 + 80 * k, 48, 130 + 80 * k, 82], 0, 95.0))
            .chain((0..6).map(|k| word("эки", [58 + 80 * k, 148, 130 + 80 * k, 182], 1, 95.0)))
            .collect();
        words.push(word("xq", [58, 248, 800, 282], 2, 30.0));
        let c = unread_candidates(&img, &segs, &words, 30.0);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].1, "handwriting");
        assert!(
            !handwritten_page(&img, &segs, &words, 30.0),
            "one line is not a handwritten page"
        );
        // Print read with confidence is never called handwriting.
        words[12].conf = 93.0;
        assert!(unread_candidates(&img, &segs, &words, 30.0).is_empty());
    }

    #[test]
    fn a_half_read_page_is_handwritten_only_with_cursive_lines() {
        // Seed 11 H056p2: a neat hand read at 55, its first words at 91.
        let half = |c: [f32; 3]| {
            vec![
                word("бир", [58, 48, 540, 82], 0, c[0]),
                word("эки", [58, 148, 540, 182], 1, c[1]),
                word("үч", [58, 248, 800, 282], 2, c[2]),
            ]
        };
        let img = page_with_cursive_line();
        let segs = ink_segments(&img, 30.0);
        assert!(handwritten_page(
            &img,
            &segs,
            &half([91.0, 45.0, 30.0]),
            30.0
        ));
        // Read at 65: above what a hand reads at here.
        assert!(!handwritten_page(
            &img,
            &segs,
            &half([91.0, 60.0, 45.0]),
            30.0
        ));
        // Print alone read at 55 (no joined letters): not a hand.
        let img = page();
        let segs = ink_segments(&img, 30.0);
        assert!(!handwritten_page(
            &img,
            &segs,
            &half([91.0, 45.0, 30.0]),
            30.0
        ));
    }

    #[test]
    fn a_page_read_as_noise_with_cursive_lines_is_handwritten() {
        let img = page_with_cursive_line();
        let segs = ink_segments(&img, 30.0);
        let words = vec![
            word("ыж", [58, 48, 540, 82], 0, 20.0),
            word("xq", [58, 248, 800, 282], 2, 15.0),
        ];
        assert!(handwritten_page(&img, &segs, &words, 30.0));
        let printed = vec![
            word("бир", [58, 48, 540, 82], 0, 95.0),
            word("эки", [58, 148, 540, 182], 1, 94.0),
            word("үч", [58, 248, 800, 282], 2, 90.0),
        ];
        assert!(!handwritten_page(&img, &segs, &printed, 30.0));
    }

    fn blank_rows(img: &mut GrayImage, rows: std::ops::Range<u32>) {
        for y in rows {
            for x in 0..img.width() {
                img.put_pixel(x, y, Luma([255]));
            }
        }
    }

    #[test]
    fn a_short_page_is_handwritten_only_when_every_line_is_cursive_noise() {
        // The last page of a handwritten letter: one cursive line, read as noise.
        let mut img = page_with_cursive_line();
        blank_rows(&mut img, 40..200);
        let segs = ink_segments(&img, 30.0);
        assert_eq!(segs.len(), 1, "{segs:?}");
        let noise = vec![word("xq", [58, 248, 800, 282], 0, 15.0)];
        assert!(handwritten_page(&img, &segs, &noise, 30.0));
        // Read as surely as print: not handwritten.
        let read = vec![word("xq", [58, 248, 800, 282], 0, 90.0)];
        assert!(!handwritten_page(&img, &segs, &read, 30.0));
        // One printed line read as noise (a bad scan of a printed last page): not a hand.
        let mut img = page();
        blank_rows(&mut img, 140..300);
        let segs = ink_segments(&img, 30.0);
        assert_eq!(segs.len(), 1, "{segs:?}");
        let noise = vec![word("xq", [58, 48, 540, 82], 0, 15.0)];
        assert!(!handwritten_page(&img, &segs, &noise, 30.0));
        // The same line with its letters joined in threes at the foot, as print sitting on a
        // notebook rule is: joined marks, but upright.
        for k in 0..4u32 {
            for x in 60 + 120 * k..60 + 120 * k + 98 {
                for y in 76..80 {
                    img.put_pixel(x, y, Luma([0]));
                }
            }
        }
        let segs = ink_segments(&img, 30.0);
        assert!(segs[0].joined_share() >= HAND_JOINED, "{segs:?}");
        assert!(!handwritten_page(&img, &segs, &noise, 30.0));
    }

    #[test]
    fn rules_and_specks_are_not_text() {
        let mut img = GrayImage::from_pixel(1000, 400, Luma([255]));
        for x in 20..980 {
            for y in 100..103 {
                img.put_pixel(x, y, Luma([0]));
            }
        }
        for k in 0..20 {
            img.put_pixel(50 + k * 37, 300, Luma([0]));
        }
        assert!(ink_segments(&img, 30.0).is_empty());
    }

    #[test]
    fn recovered_words_go_on_their_line_or_as_a_new_line() {
        let mut words = vec![
            word("a", [0, 0, 100, 30], 0, 90.0),
            word("c", [300, 0, 400, 30], 0, 90.0),
            word("d", [0, 100, 100, 130], 1, 90.0),
        ];
        insert_words(&mut words, vec![word("b", [150, 2, 250, 31], 9, 80.0)]);
        let t: Vec<(&str, u32)> = words.iter().map(|w| (w.text.as_str(), w.line)).collect();
        assert_eq!(t, [("a", 0), ("b", 0), ("c", 0), ("d", 1)]);
        insert_words(&mut words, vec![word("m", [0, 50, 100, 80], 9, 80.0)]);
        let t: Vec<(&str, u32)> = words.iter().map(|w| (w.text.as_str(), w.line)).collect();
        assert_eq!(t, [("a", 0), ("b", 0), ("c", 0), ("m", 1), ("d", 2)]);
        insert_words(&mut words, vec![word("z", [0, 200, 100, 230], 9, 80.0)]);
        assert_eq!(
            words.last().map(|w| (w.text.as_str(), w.line)),
            Some(("z", 3))
        );
    }
}
