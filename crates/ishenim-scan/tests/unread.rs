//! The unread check with the real Tesseract on a real sample page: a clean page raises no
//! alarm, a line Tesseract's layout analysis dropped is read back, and writing-like ink that
//! cannot be read is reported instead of vanishing.

use image::{GrayImage, Luma};
use ishenim_imaging::{prepare, PrepareOptions, Prepared};
use ishenim_ocr::{Engine, RawWord, Segmentation};
use ishenim_scan::unread::{check, ink_segments, segments_of};
use std::path::Path;

fn sample() -> (Prepared, Engine, Vec<RawWord>, u32) {
    std::env::set_var("OMP_THREAD_LIMIT", "1");
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/L003p1.png");
    let img = image::open(&p).expect("sample page");
    let prep = prepare(&img, &PrepareOptions::default());
    let mut engine = Engine::new(None, "kir").expect("kir installed");
    let dpi = ((prep.dpi as f32) * prep.scale).round() as u32;
    let words = engine
        .recognize(&prep.image, dpi, Segmentation::Auto)
        .expect("read");
    (prep, engine, words, dpi)
}

fn ch(prep: &Prepared) -> f32 {
    prep.char_px * prep.scale
}

#[test]
fn a_clean_page_has_nothing_unread() {
    let (prep, mut engine, mut words, dpi) = sample();
    let n = words.len();
    // The marks preprocessing left are those of the page as it is.
    let marks = prep.marks.as_ref().expect("a flat page keeps its marks");
    assert_eq!(
        segments_of(marks, ch(&prep)),
        ink_segments(&prep.image, ch(&prep))
    );
    let out = check(
        &mut engine,
        &prep.image,
        Some(marks),
        &mut words,
        ch(&prep),
        dpi,
    );
    assert!(out.unread.is_empty(), "{:?}", out.unread);
    assert_eq!(out.recovered, 0);
    assert_eq!(words.len(), n);
}

#[test]
fn a_garbled_word_on_a_sure_line_is_reported_as_read() {
    let (prep, mut engine, mut words, dpi) = sample();
    // A long word in the middle of a line, its neighbours sure, read "as garbage".
    let k = (1..words.len() - 1)
        .find(|&k| {
            let same = |j: usize| words[j].line == words[k].line && words[j].conf > 85.0;
            words[k].text.chars().count() >= 6 && same(k - 1) && same(k + 1)
        })
        .expect("a long word inside a line");
    words[k].conf = 20.0;
    let before = words.clone();
    let out = check(&mut engine, &prep.image, None, &mut words, ch(&prep), dpi);
    // Reported, and the reading is left as it is (no second reading of one word).
    let hit: Vec<_> = out
        .unread
        .iter()
        .filter(|(b, _)| b[0] <= before[k].bbox[0] && b[2] >= before[k].bbox[2])
        .collect();
    assert_eq!(hit.len(), 1, "{:?}", out.unread);
    assert_eq!(hit[0].1, "low_confidence");
    assert_eq!(words, before);
}

#[test]
fn a_dropped_line_is_read_again_and_put_back_in_place() {
    let (prep, mut engine, mut words, dpi) = sample();
    // The longest line in the middle of the page, as if the layout analysis had lost it.
    let lines = words.last().map_or(0, |w| w.line + 1);
    let k = (lines / 3..2 * lines / 3)
        .max_by_key(|&l| words.iter().filter(|w| w.line == l).count())
        .expect("lines");
    let dropped: Vec<String> = words
        .iter()
        .filter(|w| w.line == k)
        .map(|w| w.text.clone())
        .collect();
    assert!(dropped.len() >= 3);
    words.retain(|w| w.line != k);
    for w in words.iter_mut().filter(|w| w.line > k) {
        w.line -= 1;
    }
    let marks = prep.marks.as_ref();
    let out = check(&mut engine, &prep.image, marks, &mut words, ch(&prep), dpi);
    assert!(out.unread.is_empty(), "{:?}", out.unread);
    assert!(out.recovered >= 1);
    let back: Vec<&str> = words
        .iter()
        .filter(|w| w.line == k)
        .map(|w| w.text.as_str())
        .collect();
    let same = dropped
        .iter()
        .filter(|d| back.contains(&d.as_str()))
        .count();
    assert!(
        5 * same >= 4 * dropped.len(),
        "dropped {dropped:?}, read back {back:?}"
    );
    let after: Vec<u32> = words.iter().map(|w| w.line).collect();
    assert!(after.windows(2).all(|p| p[0] <= p[1]), "reading order kept");
}

#[test]
fn writing_like_ink_that_cannot_be_read_is_reported() {
    let (mut prep, mut engine, mut words, dpi) = sample();
    let c = ch(&prep) as u32;
    // Below the last line: a row of letter-sized scrawls no reader can make sense of.
    let bottom = words.iter().map(|w| w.bbox[3]).max().unwrap_or(0) as u32 + 3 * c;
    assert!(bottom + 2 * c < prep.image.height());
    let mut x = 3 * c;
    let mut k = 0u32;
    while x + c < prep.image.width() / 2 {
        scrawl(&mut prep.image, x, bottom, c, k);
        x += c * 7 / 10 + (k % 3) * c / 4;
        k += 1;
    }
    // The scrawls changed the page: its marks are made anew.
    let out = check(&mut engine, &prep.image, None, &mut words, ch(&prep), dpi);
    assert_eq!(
        out.unread.len(),
        1,
        "{:?} (recovered {})",
        out.unread,
        out.recovered
    );
    let (b, _) = out.unread[0];
    assert!(b[1] as u32 <= bottom + c && b[3] as u32 >= bottom, "{b:?}");
}

/// A closed loop with a tail and a cross stroke: letter-sized, but no letter.
fn scrawl(img: &mut GrayImage, x0: u32, y0: u32, c: u32, k: u32) {
    let r = c as f32 / 2.5;
    let (cx, cy) = (x0 as f32 + r, y0 as f32 + c as f32 / 2.0);
    for i in 0..400 {
        let t = i as f32 / 400.0 * std::f32::consts::TAU * 1.6;
        let wob = 1.0 + 0.35 * (t * (2.0 + (k % 4) as f32)).sin();
        let (x, y) = (cx + r * wob * t.cos(), cy + r * 1.2 * t.sin() * wob);
        dot(img, x, y, c);
    }
    for i in 0..60 {
        let f = i as f32 / 60.0;
        dot(img, cx - r + 2.0 * r * f, cy - r * (1.0 - 2.0 * f) * 0.8, c);
    }
}

fn dot(img: &mut GrayImage, x: f32, y: f32, c: u32) {
    let s = (c / 10).max(2) as i32;
    for dy in 0..s {
        for dx in 0..s {
            let (px, py) = (x as i32 + dx, y as i32 + dy);
            if px >= 0 && py >= 0 && (px as u32) < img.width() && (py as u32) < img.height() {
                img.put_pixel(px as u32, py as u32, Luma([20]));
            }
        }
    }
}
