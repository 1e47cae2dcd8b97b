//! One page through preprocessing, orientation and recognition.

use image::{DynamicImage, GrayImage};
use ishenim_imaging::orient::{sense, Verdict};
use ishenim_imaging::{prepare, PrepareOptions, Prepared};
use ishenim_ocr::digits::{has_digits, number_runs, settle, DigitReader};
use ishenim_ocr::normalize::normalize_word;
use ishenim_ocr::{mean_conf, words_to_text, Engine, Lexicon, RawWord, Segmentation};
use ishenim_page::{PageRecord, UnreadRegion, Word};
use std::collections::BTreeMap;
use std::time::Instant;

/// A decoded page waiting to be scanned.
pub struct PageInput {
    /// Input file as given.
    pub file: String,
    /// Page number in the file, from 1.
    pub page: u32,
    /// Output stem (`name` or `name-<page>`).
    pub stem: String,
    /// The pixels.
    pub image: DynamicImage,
    /// Declared resolution.
    pub dpi: Option<u32>,
    /// Milliseconds spent decoding.
    pub decode_ms: u64,
}

/// Settings shared by all pages.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// Confidence at or above which the strip test accepts the current orientation.
    pub upright_conf: f32,
    /// Mean confidence below which a page is flagged `low_confidence`.
    pub low_conf: f32,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            upright_conf: 80.0,
            low_conf: 60.0,
        }
    }
}

fn ms(t: Instant) -> u64 {
    t.elapsed().as_millis() as u64
}

/// The Tesseract engines of one worker thread.
pub struct Engines {
    /// The text engine (`kir`, or what the user asked for).
    pub text: Engine,
    /// Digits-only engines for re-reading numbers, when `eng` is installed.
    pub digits: Option<DigitReader>,
    /// The `eng` engine limited to the receipt-code alphabet, when `eng` is installed.
    pub codes: Option<crate::codes::CodeReader>,
}

/// Scans one page. Never fails: a recognition error yields an empty page with a warning,
/// so the page is kept and shown to a person.
pub fn scan_page(
    engines: &mut Engines,
    lex: &Lexicon,
    cfg: &ScanConfig,
    input: PageInput,
) -> PageRecord {
    let engine = &mut engines.text;
    let mut timings = BTreeMap::new();
    timings.insert("decode".to_string(), input.decode_ms);
    let (w, h) = (input.image.width(), input.image.height());
    let t = Instant::now();
    let mut prep = prepare(
        &input.image,
        &PrepareOptions {
            dpi_hint: input.dpi,
            ..PrepareOptions::default()
        },
    );
    timings.insert("preprocess".to_string(), ms(t));
    let t = Instant::now();
    let qr = crate::qr::find_receipt_qr(&input.image);
    timings.insert("qr".to_string(), ms(t));
    let t = Instant::now();
    // A dark photo's colour noise would pass for pen (its grain was smoothed, `smoothed`).
    let pen = if prep.blank || prep.smoothed {
        Vec::new()
    } else {
        crate::handline::pen_lines(&input.image, prep.char_px)
    };
    timings.insert("pen".to_string(), ms(t));
    drop(input.image);
    let mut rec = PageRecord {
        file: input.file,
        page: input.page,
        stem: input.stem,
        blank: prep.blank,
        rotation: 0,
        skew_deg: 0.0,
        dpi: prep.dpi,
        lang: engine.lang().to_string(),
        mean_conf: 0.0,
        text: String::new(),
        words: Vec::new(),
        timings_ms: timings,
        size: [w, h],
        warnings: Vec::new(),
        unread: Vec::new(),
        qr,
    };
    if prep.dpi_estimated {
        rec.warnings.push("dpi_estimated".into());
    }
    if prep.blank {
        return rec;
    }
    let ocr_dpi = ((prep.dpi as f32) * prep.scale).round() as u32;
    if prep.scale != 1.0 {
        rec.warnings.push(
            if prep.scale > 1.0 {
                "upscaled"
            } else {
                "downscaled"
            }
            .into(),
        );
    }
    let mut raw = read_upright(engine, cfg, &mut prep, ocr_dpi, &mut rec);
    rec.rotation = prep.rotation();
    rec.skew_deg = (prep.skew_deg() * 100.0).round() as f32 / 100.0;
    let t = Instant::now();
    check_unread(engine, &prep, &mut raw, ocr_dpi, &mut rec);
    rec.timings_ms.insert("unread_check".into(), ms(t));
    let t = Instant::now();
    if let Some(c) = engines.codes.as_mut() {
        rec.qr.extend(crate::codes::reread(c, &prep, &raw, ocr_dpi));
    }
    rec.timings_ms.insert("codes".into(), ms(t));
    let t = Instant::now();
    if let Some(d) = engines.digits.as_mut() {
        reread_numbers(d, &prep.image, &mut raw, ocr_dpi);
    }
    rec.timings_ms.insert("digits".into(), ms(t));
    let t = Instant::now();
    lower_small_capitals(&mut raw);
    finish(&mut rec, &prep, raw, lex);
    mark_pen_lines(&mut rec, &pen);
    rec.timings_ms.insert("post".into(), ms(t));
    if rec.mean_conf < cfg.low_conf {
        rec.warnings.push("low_confidence".into());
    }
    rec
}

/// Reads the page; a page read with low confidence may be upside down: a strip is compared
/// both ways and the page is read again, turned, if the turned strip reads clearly better.
fn read_upright(
    engine: &mut Engine,
    cfg: &ScanConfig,
    prep: &mut Prepared,
    ocr_dpi: u32,
    rec: &mut PageRecord,
) -> Vec<RawWord> {
    let t = Instant::now();
    let mut strip = Strip::default();
    let letters = letter_sense(prep);
    let turn = if !prep.rotation().is_multiple_of(180) {
        // Made upright one way or the other with even odds: the letters decide when they
        // are clear, else the strip does.
        match letters {
            Verdict::Upright => false,
            Verdict::Inverted => true,
            Verdict::Unclear => strip.sense_first(engine, prep, ocr_dpi),
        }
    } else {
        // Letters that look upside down are checked on the strip before the full reading,
        // which would otherwise be read, found unsure, and read again turned.
        letters == Verdict::Inverted && strip.clearly_turned(engine, prep, ocr_dpi)
    };
    if turn {
        prep.turn_180();
        strip.turn();
    }
    rec.timings_ms.insert("orient".into(), ms(t));
    let t = Instant::now();
    let mut raw = read(engine, prep, ocr_dpi, &mut rec.warnings);
    rec.timings_ms.insert("ocr".into(), ms(t));
    if mean_conf(&raw) < cfg.upright_conf {
        let t = Instant::now();
        let turned = strip.upside_down(engine, prep, ocr_dpi);
        *rec.timings_ms.entry("orient".into()).or_insert(0) += ms(t);
        if turned {
            prep.turn_180();
            let t = Instant::now();
            raw = read(engine, prep, ocr_dpi, &mut rec.warnings);
            rec.timings_ms.insert("ocr_turned".into(), ms(t));
        }
    }
    raw
}

/// What the shapes of the page's letters say about its sense (`orient`), from the ink
/// components it has; made here when it has none, and kept for the unread check.
fn letter_sense(prep: &mut Prepared) -> Verdict {
    let ch = prep.char_px * prep.scale;
    let marks = prep
        .marks
        .get_or_insert_with(|| ishenim_imaging::components::ink_marks(&prep.image, ch));
    sense(marks, ch).verdict()
}

/// Strip confidence a reading the right way up reaches on a printed page (a strip read
/// upside down stays below 30, the right way up above 55, on the turned pages of c1 and h1).
const SENSE_SURE: f32 = 50.0;
/// Lead of the better way over the other for the sense to count as clear.
const SENSE_LEAD: f32 = 25.0;

/// A band of a few text lines of the prepared page and its mean confidence read as the
/// page is now (`up`) and turned by 180° (`down`), each read at most once; cropped only
/// when first needed (most pages never need it).
#[derive(Default)]
struct Strip {
    image: Option<Option<GrayImage>>,
    up: Option<f32>,
    down: Option<f32>,
}

impl Strip {
    fn image(&mut self, prep: &Prepared) -> Option<&GrayImage> {
        self.image
            .get_or_insert_with(|| text_strip(&prep.image, prep.char_px * prep.scale))
            .as_ref()
    }

    fn conf(&mut self, engine: &mut Engine, prep: &Prepared, dpi: u32, turned: bool) -> f32 {
        let cached = if turned { self.down } else { self.up };
        if let Some(c) = cached {
            return c;
        }
        let Some(img) = self.image(prep) else {
            return 0.0;
        };
        let img = if turned {
            image::imageops::rotate180(img)
        } else {
            img.clone()
        };
        let c = engine
            .recognize(&img, dpi, Segmentation::SingleBlock)
            .map(|w| mean_conf(&w))
            .unwrap_or(0.0);
        if turned {
            self.down = Some(c);
        } else {
            self.up = Some(c);
        }
        c
    }

    /// The page was turned by 180° with it.
    fn turn(&mut self) {
        std::mem::swap(&mut self.up, &mut self.down);
        if let Some(Some(img)) = self.image.as_mut() {
            *img = image::imageops::rotate180(img);
        }
    }

    /// A page found turned by a quarter was made upright one way or the other with even
    /// odds (the text lines give the axis, not the sense), and one read the wrong way was
    /// read twice in full. Its sense is taken from the strip first: true when the strip
    /// reads clearly better turned. A strip that reads well as it is settles it with one
    /// reading; an unclear strip leaves the page as it is (the check after the full
    /// reading still applies).
    fn sense_first(&mut self, engine: &mut Engine, prep: &Prepared, dpi: u32) -> bool {
        let up = self.conf(engine, prep, dpi, false);
        if up >= SENSE_SURE {
            return false;
        }
        let down = self.conf(engine, prep, dpi, true);
        down >= SENSE_SURE && down - up >= SENSE_LEAD
    }

    /// True when the strip read both ways reads clearly better turned (the bar of
    /// [`Strip::sense_first`]); an unclear strip leaves the page to the check after the
    /// full reading, which reuses both readings.
    fn clearly_turned(&mut self, engine: &mut Engine, prep: &Prepared, dpi: u32) -> bool {
        if self.image(prep).is_none() {
            return false;
        }
        let up = self.conf(engine, prep, dpi, false);
        let down = self.conf(engine, prep, dpi, true);
        down >= SENSE_SURE && down - up >= SENSE_LEAD
    }

    /// True when the strip reads clearly better turned by 180°.
    fn upside_down(&mut self, engine: &mut Engine, prep: &Prepared, dpi: u32) -> bool {
        if self.image(prep).is_none() {
            return false;
        }
        let up = self.conf(engine, prep, dpi, false);
        let down = self.conf(engine, prep, dpi, true);
        down > up + 5.0
    }
}

/// Ink that produced no words is read again; what still fails is listed as an unread region
/// with its reason, never dropped. Handwriting is beyond Tesseract: the page goes to a person
/// to type (the draft's transcription mode), with its lines marked.
fn check_unread(
    engine: &mut Engine,
    prep: &Prepared,
    raw: &mut Vec<RawWord>,
    ocr_dpi: u32,
    rec: &mut PageRecord,
) {
    let ch = prep.char_px * prep.scale;
    let f = ((ch / 12.0).floor() as u32).clamp(1, 4);
    let made;
    let marks = match prep.marks.as_ref().filter(|m| m.f == f) {
        Some(m) => m,
        None => {
            made = ishenim_imaging::components::ink_marks(&prep.image, ch);
            &made
        }
    };
    // Margin marks go first: the unread check compares the ink with the words that stay.
    let margin = crate::margin::drop_margin_marks(raw, marks, prep.image.height(), ch);
    let mut checked = crate::unread::check(engine, &prep.image, Some(marks), raw, ch, ocr_dpi);
    checked
        .unread
        .extend(margin.into_iter().map(|b| (b, "low_confidence")));
    for (b, reason) in &checked.unread {
        let b = b.map(|v| v.max(0) as u32);
        rec.unread.push(UnreadRegion {
            bbox: prep.map_box(b),
            reason: (*reason).to_string(),
        });
    }
    if checked.recovered > 0 {
        rec.warnings.push("lines_reread".into());
    }
    if checked.handwritten {
        rec.warnings.push("handwritten".into());
    }
    if checked.unread.iter().any(|(_, r)| *r == "handwriting") {
        rec.warnings.push("handwriting".into());
    }
    if !rec.unread.is_empty() {
        rec.warnings.push("unread_regions".into());
    }
}

/// Lines written in ballpoint on a printed page (invisible to the reader, see
/// [`crate::handline::pen_lines`]) become unread regions with reason `handwriting`; an
/// unread region already over one takes that reason. A pen line under confidently read
/// words is ink over print (an underline, a tick), not a line of its own.
fn mark_pen_lines(rec: &mut PageRecord, pen: &[[i32; 4]]) {
    let mut added = false;
    for b in pen {
        let bu = b.map(|v| v.max(0) as u32);
        let inter = |o: &[u32; 4]| {
            let w = bu[2].min(o[2]).saturating_sub(bu[0].max(o[0])) as u64;
            let h = bu[3].min(o[3]).saturating_sub(bu[1].max(o[1])) as u64;
            w * h
        };
        let area = ((bu[2] - bu[0]) as u64 * (bu[3] - bu[1]) as u64).max(1);
        let read: u64 = rec
            .words
            .iter()
            .filter(|w| w.conf >= 80.0)
            .map(|w| inter(&w.bbox))
            .sum();
        if 2 * read > area {
            continue;
        }
        added = true;
        match rec.unread.iter_mut().find(|u| 3 * inter(&u.bbox) > area) {
            Some(u) => u.reason = "handwriting".into(),
            None => rec.unread.push(UnreadRegion {
                bbox: bu,
                reason: "handwriting".into(),
            }),
        }
    }
    if added {
        for w in ["handwriting", "unread_regions"] {
            if !rec.warnings.iter().any(|x| x == w) {
                rec.warnings.push(w.into());
            }
        }
    }
}

/// Maps words back to the original image, normalises them and builds the text.
fn finish(rec: &mut PageRecord, prep: &Prepared, raw: Vec<RawWord>, lex: &Lexicon) {
    rec.mean_conf = (mean_conf(&raw) * 10.0).round() / 10.0;
    let mut parts = Vec::with_capacity(raw.len());
    let mut sentence_start = true;
    let mut prev_line = u32::MAX;
    for w in raw {
        let line_start = w.line != prev_line;
        prev_line = w.line;
        let Some(text) = normalize_word(&w.text, lex, sentence_start || line_start) else {
            continue;
        };
        sentence_start = text.ends_with(['.', '!', '?']);
        let b = w.bbox.map(|v| v.max(0) as u32);
        let bbox = prep.map_box(b);
        parts.push((text.clone(), w.line, w.para_start));
        rec.words.push(Word {
            text,
            conf: (w.conf * 10.0).round() / 10.0,
            bbox,
            line: w.line,
        });
    }
    rec.text = words_to_text(&parts);
}

/// Lowercase Cyrillic letters that keep to the x-height (no ascender, descender or mark).
const X_HEIGHT_LETTERS: &str = "авгежзиклмнопстхчшъыьэюяө";

/// Words read in capitals whose ink is no taller than the page's lowercase: in many fonts
/// Cyrillic lowercase is the capitals' shape made small (к о м и с ю п н т), and Tesseract
/// reads a short line of it in capitals (seed 11 H040: "В комиссию по" read "В КОМИССИЮ
/// ПО", a header line counted lost). The x-height is the median height of the page's sure
/// words made only of x-height letters; a word within 15 % of it has no capital.
fn lower_small_capitals(words: &mut [RawWord]) {
    let is_x = |w: &RawWord| w.conf >= 80.0 && w.text.chars().all(|c| X_HEIGHT_LETTERS.contains(c));
    let mut xs: Vec<i32> = words
        .iter()
        .filter(|w| w.text.chars().count() >= 3 && is_x(w))
        .map(|w| w.bbox[3] - w.bbox[1])
        .collect();
    if xs.len() < 3 {
        return;
    }
    xs.sort_unstable();
    let x_height = xs[xs.len() / 2] as f32;
    for w in words.iter_mut() {
        let lower = w.text.to_lowercase();
        let small = (w.bbox[3] - w.bbox[1]) as f32 <= 1.15 * x_height;
        // Only words read wholly in capitals: a capital starting a word is a real one.
        let letters = w.text.chars().count() >= 2 && w.text.chars().all(|c| !c.is_lowercase());
        if small
            && letters
            && lower != w.text
            && lower.chars().all(|c| X_HEIGHT_LETTERS.contains(c))
        {
            w.text = lower;
        }
    }
}

/// For a number followed by letters ("2023-жылдын", "5-үй"), the width of the number part,
/// estimated from character counts with one character to spare; the whole width otherwise.
/// The digits engine is forced to read letters as digits, so they are better left out.
fn numeric_prefix_width(text: &str, width: i32) -> i32 {
    let n = text.chars().count() as i32;
    let starts_with_digit = text.chars().next().is_some_and(|c| c.is_ascii_digit());
    let Some(&(_, end)) = number_runs(text).last() else {
        return width;
    };
    let last = text[..end].chars().count() as i32;
    let letters_after = text[end..].chars().filter(|c| c.is_alphabetic()).count();
    if !starts_with_digit || letters_after < 2 || n == 0 {
        return width;
    }
    (width * (last + 1) / n).min(width)
}

/// Reads every word with digits again with the digit readers and takes the number runs
/// they agree on (see `ishenim_ocr::digits`).
fn reread_numbers(digits: &mut DigitReader, img: &GrayImage, words: &mut [RawWord], dpi: u32) {
    let (w, h) = (img.width() as i32, img.height() as i32);
    for word in words.iter_mut().filter(|w| has_digits(&w.text)) {
        let [_, y0, _, y1] = word.bbox;
        let pad = ((y1 - y0) / 4).max(3);
        let (x0, x1) = number_span(word, pad);
        let (cx0, cy0) = (x0.max(0), (y0 - pad).max(0));
        let (cx1, cy1) = (x1.min(w), (y1 + pad).min(h));
        if cx1 - cx0 < 4 || cy1 - cy0 < 4 {
            continue;
        }
        let crop = image::imageops::crop_imm(
            img,
            cx0 as u32,
            cy0 as u32,
            (cx1 - cx0) as u32,
            (cy1 - cy0) as u32,
        )
        .to_image();
        let readings = digits.readings(&crop, dpi);
        if let Some(fixed) = settle(&word.text, word.conf, &readings) {
            word.text = fixed;
        }
    }
}

/// The x range to read again: the word's number runs with `pad` on each side, reaching
/// over number punctuation and over a single character before the number (a digit misread
/// as a letter: "т1-үй" for "71-үй") but never into the letters around it (the digit
/// readers would read them as digits). Without character boxes, an estimate from character
/// counts.
fn number_span(word: &RawWord, pad: i32) -> (i32, i32) {
    let [x0, _, x1, _] = word.bbox;
    let chars: Vec<char> = word.text.chars().collect();
    let runs = number_runs(&word.text);
    let (Some(&(first, _)), Some(&(_, last_end))) = (runs.first(), runs.last()) else {
        return (x0 - pad, x1 + pad);
    };
    if word.char_boxes.len() != chars.len() {
        return (
            x0 - pad,
            x0 + numeric_prefix_width(&word.text, x1 - x0) + pad,
        );
    }
    let a = word.text[..first].chars().count();
    let b = word.text[..last_end].chars().count();
    let a = if a == 1 { 0 } else { a };
    let b = b + chars[b..]
        .iter()
        .take_while(|c| !c.is_alphanumeric())
        .count();
    let boxes = &word.char_boxes;
    let left = boxes[a..b].iter().map(|bx| bx[0]).min().unwrap_or(x0);
    let right = boxes[a..b].iter().map(|bx| bx[2]).max().unwrap_or(x1);
    let left_limit = a.checked_sub(1).map_or(i32::MIN, |k| boxes[k][2] + 1);
    let right_limit = boxes.get(b).map_or(i32::MAX, |bx| bx[0] - 1);
    (
        (left - pad).max(left_limit.min(left)),
        (right + pad).min(right_limit.max(right)),
    )
}

fn read(
    engine: &mut Engine,
    prep: &Prepared,
    dpi: u32,
    warnings: &mut Vec<String>,
) -> Vec<RawWord> {
    match engine.recognize(&prep.image, dpi, Segmentation::Auto) {
        Ok(mut words) => {
            // Before the unread check, which puts recovered lines among these by position.
            crate::order::lift_line_tails(&mut words);
            crate::order::fix_reading_order(&mut words);
            crate::order::raise_blocks_above(&mut words);
            words
        }
        Err(_) => {
            warnings.push("ocr_failed".into());
            Vec::new()
        }
    }
}

/// Crops the band of about three text lines with the most ink, and the middle part of its
/// width, for a quick orientation reading.
fn text_strip(img: &GrayImage, char_px: f32) -> Option<GrayImage> {
    let (w, h) = img.dimensions();
    if char_px < 4.0 || w < 50 || h < 50 {
        return None;
    }
    let band = ((char_px * 7.0) as u32).clamp(40, h);
    let mut rows = vec![0u32; h as usize];
    for (y, row) in rows.iter_mut().enumerate() {
        let mut n = 0;
        for x in (0..w).step_by(3) {
            if img.get_pixel(x, y as u32).0[0] < 128 {
                n += 1;
            }
        }
        *row = n;
    }
    // Skip the top and bottom tenth (headers, footers, page edges).
    let (lo, hi) = (h / 10, h.saturating_sub(h / 10).saturating_sub(band));
    let mut best = (0u64, lo);
    let mut sum: u64 = rows[lo as usize..(lo + band).min(h) as usize]
        .iter()
        .map(|&v| v as u64)
        .sum();
    for y in lo..hi.max(lo) {
        if sum > best.0 {
            best = (sum, y);
        }
        sum -= rows[y as usize] as u64;
        if ((y + band) as usize) < rows.len() {
            sum += rows[(y + band) as usize] as u64;
        }
    }
    if best.0 == 0 {
        return None;
    }
    let x0 = w / 5;
    let cw = w - 2 * x0;
    Some(image::imageops::crop_imm(img, x0, best.1, cw, band.min(h - best.1)).to_image())
}

#[cfg(test)]
mod tests {
    use super::{lower_small_capitals, numeric_prefix_width, RawWord};

    fn wd(text: &str, y0: i32, y1: i32) -> RawWord {
        RawWord {
            text: text.into(),
            conf: 92.0,
            bbox: [0, y0, 100, y1],
            line: 0,
            para_start: false,
            block: 0,
            char_boxes: Vec::new(),
        }
    }

    #[test]
    fn capitals_of_lowercase_height_are_lowercase() {
        let mut w = vec![
            wd("В", 0, 42),
            wd("КОМИССИЮ", 8, 42),
            wd("ПО", 8, 42),
            wd("АРЫЗ", 100, 142),
            wd("комиссиясына", 208, 242),
            wd("алуу", 308, 350),
            wd("сизге", 408, 443),
            wd("жана", 508, 541),
            wd("КОМИССИЯ", 600, 634),
            wd("ДОМ", 700, 734),
            wd("Мектептин", 800, 838),
        ];
        lower_small_capitals(&mut w);
        let got: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        // A capital letter alone, a word in real capitals (taller), words with letters
        // outside the x-height ("Д" reaches below) and a word with a capital only at its
        // start (a curled photo's boxes vary in height) are kept.
        assert_eq!(
            got,
            vec![
                "В",
                "комиссию",
                "по",
                "АРЫЗ",
                "комиссиясына",
                "алуу",
                "сизге",
                "жана",
                "комиссия",
                "ДОМ",
                "Мектептин"
            ]
        );
        // Too few words to know the page's x-height: nothing changes.
        let mut few = vec![wd("КОМИССИЮ", 8, 42), wd("жана", 508, 541)];
        lower_small_capitals(&mut few);
        assert_eq!(few[0].text, "КОМИССИЮ");
    }

    #[test]
    fn number_part_of_mixed_tokens() {
        assert_eq!(numeric_prefix_width("2023-жылдын", 110), 50);
        assert_eq!(numeric_prefix_width("03.03.2024", 100), 100);
        assert_eq!(numeric_prefix_width("Тел.:0555", 90), 90);
        assert_eq!(numeric_prefix_width("5-үй", 40), 20);
        assert_eq!(
            numeric_prefix_width("98-06-Зә", 80),
            80,
            "misread digits stay in"
        );
    }
}
