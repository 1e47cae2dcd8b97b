//! Is this line written by hand? Traits of one line of ink measured on the prepared page, at
//! full resolution: the slant of its strokes and how irregularly its letters sit on the line.
//!
//! Why this exists: a handwritten date or signature line on a printed letter, written in
//! separate letters and digits, is not joined like cursive, and Tesseract reads it with
//! middling confidence (a plausible but wrong date). Print stands upright on a ruler-straight
//! baseline; a hand leans and its letters wander around the line.

use image::GrayImage;
use ishenim_imaging::binarize::{otsu, threshold};
use ishenim_imaging::components::label;

/// Measured traits of one line.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HandTraits {
    /// Shear of the strokes (horizontal shift per pixel up): 0 for upright print,
    /// 0.2–0.6 for a right-leaning hand.
    pub slant: f32,
    /// How much the columns sharpen when the slant is undone (projection energy at the best
    /// shear over the energy upright): ≈ 1 for print.
    pub slant_gain: f32,
    /// Median distance of the letters' bottoms from the fitted baseline, in character
    /// heights (descenders left out): ≈ 0.02 for print.
    pub base_dev: f32,
    /// Letter-like marks measured.
    pub marks: usize,
}

impl HandTraits {
    /// True when the line looks written by hand: its strokes clearly lean, and undoing the
    /// lean sharpens its columns. Print measures 0 (−0.25 at most, gain ≤ 1.06) on the tuning
    /// seeds, hands 0.4–0.6 with gains 1.1–1.4. The baseline's wander does not tell them apart
    /// (print up to 0.15 on short lines of large digits), so it is only reported.
    pub fn handwritten(&self) -> bool {
        if self.marks < 4 {
            return false;
        }
        self.slant.abs() >= SLANT_HAND && self.slant_gain >= SLANT_GAIN
    }
}

/// Shear from which strokes count as leaning by hand (≈ 17°).
pub const SLANT_HAND: f32 = 0.3;
/// How much sharper the columns must get when the lean is undone.
pub const SLANT_GAIN: f32 = 1.1;

/// Measures the traits of the line in `bx` (prepared pixels) of `img`, whose characters are
/// about `ch` pixels high.
pub fn measure(img: &GrayImage, bx: [i32; 4], ch: f32) -> HandTraits {
    let (w, h) = (img.width() as i32, img.height() as i32);
    let pad = (0.3 * ch) as i32;
    let (x0, y0) = ((bx[0] - pad).max(0), (bx[1] - pad).max(0));
    let (x1, y1) = ((bx[2] + pad).min(w), (bx[3] + pad).min(h));
    if x1 - x0 < 8 || y1 - y0 < 8 {
        return HandTraits::default();
    }
    let crop = image::imageops::crop_imm(
        img,
        x0 as u32,
        y0 as u32,
        (x1 - x0) as u32,
        (y1 - y0) as u32,
    )
    .to_image();
    let t = otsu(&crop).clamp(60, 200);
    let bm = threshold(&crop, t);
    let labels = label(&bm);
    let marks: Vec<[f32; 4]> = labels
        .components
        .iter()
        .filter(|k| {
            let (mw, mh) = (k.width() as f32, k.height() as f32);
            (0.35 * ch..=2.2 * ch).contains(&mh) && mw <= 3.0 * ch && mw >= 0.08 * ch
        })
        .map(|k| [k.x0 as f32, k.y0 as f32, k.x1 as f32, k.y1 as f32])
        .collect();
    let (slant, slant_gain) = slant_of(&labels.runs, crop.height());
    HandTraits {
        slant,
        slant_gain,
        base_dev: baseline_dev(&marks, ch),
        marks: marks.len(),
    }
}

/// The shear that makes the ink's columns sharpest, and how much sharper than upright.
/// Each run of ink is spread over the columns it covers after shearing about the middle row.
fn slant_of(runs: &[(u32, u32, u32)], height: u32) -> (f32, f32) {
    if runs.is_empty() {
        return (0.0, 1.0);
    }
    let yc = height as f32 / 2.0;
    let width = runs.iter().map(|r| r.2).max().unwrap_or(0) as f32;
    let span = (0.7 * height as f32).ceil();
    let n = (width + 2.0 * span + 2.0) as usize;
    let mut hist = vec![0u32; n];
    let mut energy = |s: f32| -> f64 {
        hist.iter_mut().for_each(|v| *v = 0);
        for &(y, a, b) in runs {
            let d = s * (y as f32 - yc) + span;
            let (a, b) = ((a as f32 + d) as usize, (b as f32 + d) as usize);
            for v in &mut hist[a.min(n)..b.min(n)] {
                *v += 1;
            }
        }
        hist.iter().map(|&v| (v as f64) * (v as f64)).sum()
    };
    let upright = energy(0.0).max(1.0);
    let mut best = (0.0f32, upright);
    for k in -14..=14 {
        let s = k as f32 * 0.05;
        let e = energy(s);
        if e > best.1 {
            best = (s, e);
        }
    }
    (best.0, (best.1 / upright) as f32)
}

/// Median distance of the marks' bottoms from a straight baseline fitted through them,
/// in character heights. The line is fitted twice: the second time without the marks far
/// off the first fit (descenders, commas).
fn baseline_dev(marks: &[[f32; 4]], ch: f32) -> f32 {
    if marks.len() < 4 {
        return 0.0;
    }
    let pts: Vec<(f32, f32)> = marks.iter().map(|m| ((m[0] + m[2]) / 2.0, m[3])).collect();
    let med = {
        let mut b: Vec<f32> = pts.iter().map(|p| p.1).collect();
        b.sort_by(f32::total_cmp);
        b[b.len() / 2]
    };
    let near: Vec<(f32, f32)> = pts
        .iter()
        .copied()
        .filter(|p| (p.1 - med).abs() <= 0.3 * ch)
        .collect();
    let Some((a, k)) = fit(&near) else {
        return 0.0;
    };
    let near: Vec<(f32, f32)> = pts
        .iter()
        .copied()
        .filter(|p| (p.1 - (a + k * p.0)).abs() <= 0.25 * ch)
        .collect();
    let Some((a, k)) = fit(&near) else {
        return 0.0;
    };
    let mut dev: Vec<f32> = near.iter().map(|p| (p.1 - (a + k * p.0)).abs()).collect();
    dev.sort_by(f32::total_cmp);
    dev[dev.len() / 2] / ch
}

/// Least-squares line `y = a + k x`, or `None` for fewer than three points.
fn fit(p: &[(f32, f32)]) -> Option<(f32, f32)> {
    if p.len() < 3 {
        return None;
    }
    let n = p.len() as f32;
    let (mx, my) = (
        p.iter().map(|q| q.0).sum::<f32>() / n,
        p.iter().map(|q| q.1).sum::<f32>() / n,
    );
    let sxx: f32 = p.iter().map(|q| (q.0 - mx) * (q.0 - mx)).sum();
    let sxy: f32 = p.iter().map(|q| (q.0 - mx) * (q.1 - my)).sum();
    let k = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    Some((my - k * mx, k))
}

/// True for a pixel of blue or violet ballpoint: darker than printed rules (luma ≥ 132 at
/// full coverage, 147 typically) and bluer than they are (blue at least 1.5× the other
/// channels; ballpoint in a phone photo ≈ 1.7×, in a scan ≈ 2.5×); the red margin line is
/// red, black print has no chroma.
fn pen_pixel(p: &[u8]) -> bool {
    let (r, g, b) = (p[0] as i32, p[1] as i32, p[2] as i32);
    let luma = (299 * r + 587 * g + 114 * b) / 1000;
    let m = r.max(g);
    luma < 135 && b - m > 45 && 2 * b > 3 * m
}

/// Lines of letter-like ballpoint ink on a colour page printed in black, as boxes in the
/// original image's pixels (`ch`: character height there).
///
/// Why: the grey conversion drops blue and violet ink so that pen marks and stamps do not
/// hide the print (see `ishenim_imaging::gray`), and with it a date or a signature line
/// written by hand on a printed letter — the reader never sees that line at all. Ink of a
/// round stamp (rings, and the letters around them) is left out.
pub fn pen_lines(img: &image::DynamicImage, ch: f32) -> Vec<[i32; 4]> {
    if !img.color().has_color() || ch < 4.0 {
        return Vec::new();
    }
    let owned;
    let rgb = match img.as_rgb8() {
        Some(r) => r,
        None => {
            owned = img.to_rgb8();
            &owned
        }
    };
    let stats = ishenim_imaging::gray::ink_stats(rgb);
    // Mostly coloured ink: the grey conversion kept it (a letter written or printed in
    // colour), so the reader saw it.
    if stats.coloured > stats.neutral / 2 {
        return Vec::new();
    }
    // Lamp light tints a photo: colours are judged against the paper's own colour.
    let gain = paper_gain(rgb);
    let pen = |p: &[u8]| {
        let q = [0, 1, 2].map(|i| ((p[i] as u32 * gain[i]) >> 8).min(255) as u8);
        pen_pixel(&q)
    };
    let sampled = rgb
        .as_raw()
        .chunks_exact(3)
        .step_by(7)
        .filter(|p| pen(p))
        .count();
    // Pen is a line or two beside the print; a page whose ink is mostly "pen" is printed
    // in a blue or navy colour (samples: pen every 7th pixel, neutral every 9th).
    if sampled < 10 || 3 * 7 * sampled > 9 * stats.neutral as usize {
        return Vec::new();
    }
    // The layer at about 12 pixels a character; a block is ink when any of its pixels is
    // pen, so thin and skipping ballpoint strokes stay joined.
    let f = ((ch / 12.0).floor() as u32).clamp(1, 4);
    let (w, h) = (rgb.width(), rgb.height());
    let (sw, sh) = (w.div_ceil(f), h.div_ceil(f));
    let mut small = GrayImage::from_pixel(sw, sh, image::Luma([255]));
    let raw = rgb.as_raw();
    // Every other pixel each way when blocks are 2+ pixels: a ballpoint stroke is 3–4
    // pixels wide at 300 dpi, and this pass over the whole photo is the step's cost.
    let step = if f >= 2 { 2 } else { 1 };
    for y in (0..h).step_by(step) {
        let row = &raw[(y * w * 3) as usize..((y + 1) * w * 3) as usize];
        for (x, p) in row.chunks_exact(3).enumerate().step_by(step) {
            if pen(p) {
                small.put_pixel(x as u32 / f, y / f, image::Luma([0]));
            }
        }
    }
    // One pixel of growth joins the pieces of a stroke that a phone photo left pale.
    let small = grow(&small);
    let c = ch / f as f32;
    let zones = stamp_zones(&small, c);
    let segs = crate::unread::ink_segments(&small, c);
    let lines: Vec<[i32; 4]> = segs
        .into_iter()
        .filter(|s| {
            let (w, h) = (
                (s.bbox[2] - s.bbox[0]) as f32,
                (s.bbox[3] - s.bbox[1]) as f32,
            );
            let (cx, cy) = ((s.bbox[0] + s.bbox[2]) / 2, (s.bbox[1] + s.bbox[3]) / 2);
            // Cursive joins a word into one mark: two marks can be a signature line.
            (s.marks >= 3 || s.joined_width as f32 >= 2.0 * c)
                && w >= 2.0 * c
                // As tall as letters: arcs of a circle drawn round a printed word are thin.
                && h >= 0.9 * c
                && h <= 4.0 * c
                && !zones
                    .iter()
                    .any(|z| cx >= z[0] && cx <= z[2] && cy >= z[1] && cy <= z[3])
        })
        .map(|s| s.bbox.map(|v| v * f as i32))
        .collect();
    // A printed letter carries a few lines by hand (a date, a signature, a note); pen-
    // coloured specks all over the page are colour noise of a photo.
    if lines.len() > MAX_PEN_LINES {
        return Vec::new();
    }
    lines
}

/// More pen lines than this on a printed page are colour noise, not writing.
const MAX_PEN_LINES: usize = 8;

/// Per-channel gains (×256) that make the paper white: the 90th percentile of each channel
/// over a sample of the page is taken for the paper.
fn paper_gain(rgb: &image::RgbImage) -> [u32; 3] {
    let mut hist = [[0u32; 256]; 3];
    let mut n = 0u32;
    for p in rgb.as_raw().chunks_exact(3).step_by(11) {
        for i in 0..3 {
            hist[i][p[i] as usize] += 1;
        }
        n += 1;
    }
    [0, 1, 2].map(|i| {
        let mut acc = 0;
        let level = (0..256)
            .find(|&v| {
                acc += hist[i][v];
                acc * 10 >= n * 9
            })
            .unwrap_or(255) as u32;
        (255 * 256 / level.max(64)).min(4 * 256)
    })
}

/// Boxes of round stamps in a pen layer: big, hollow components (rings), in its pixels
/// (`c`: character height there).
fn stamp_zones(layer: &GrayImage, c: f32) -> Vec<[i32; 4]> {
    let labels = label(&threshold(layer, 128));
    labels
        .components
        .iter()
        .filter(|k| {
            let (w, h) = (k.width() as f32, k.height() as f32);
            w > 5.0 * c && h > 5.0 * c && k.fill() < 0.3 && (0.6..1.7).contains(&(w / h))
        })
        .map(|k| [k.x0 as i32, k.y0 as i32, k.x1 as i32, k.y1 as i32])
        .collect()
}

/// Grows the dark pixels of a layer by one pixel (3×3 minimum).
fn grow(img: &GrayImage) -> GrayImage {
    let (w, h) = img.dimensions();
    let mut out = img.clone();
    for y in 0..h {
        for x in 0..w {
            if img.get_pixel(x, y).0[0] == 0 {
                for yy in y.saturating_sub(1)..(y + 2).min(h) {
                    for xx in x.saturating_sub(1)..(x + 2).min(w) {
                        out.put_pixel(xx, yy, image::Luma([0]));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, Luma, Rgb, RgbImage};

    /// A line of eight letter-like bars 30 px high at `x0 + 40 k`, sheared by `s`.
    fn bars(img: &mut GrayImage, y0: u32, s: f32) {
        for k in 0..8u32 {
            for y in y0..y0 + 30 {
                let dx = (s * (y0 + 30 - y) as f32) as u32;
                for x in 0..4 {
                    img.put_pixel(60 + 40 * k + dx + x, y, Luma([0]));
                }
            }
        }
    }

    #[test]
    fn leaning_strokes_are_a_hand_and_upright_ones_are_not() {
        let mut img = GrayImage::from_pixel(500, 200, Luma([255]));
        bars(&mut img, 20, 0.0);
        bars(&mut img, 120, 0.45);
        let upright = measure(&img, [50, 15, 420, 55], 30.0);
        let leaning = measure(&img, [50, 115, 440, 155], 30.0);
        assert!(!upright.handwritten(), "{upright:?}");
        assert!(leaning.handwritten(), "{leaning:?}");
        assert!((leaning.slant - 0.45).abs() < 0.1, "{leaning:?}");
    }

    /// Black print on ten lines and, when `pen`, one line in blue ballpoint.
    fn page(print: Rgb<u8>, pen: bool) -> DynamicImage {
        let mut img = RgbImage::from_pixel(900, 700, Rgb([250, 250, 248]));
        let mut line = |y0: u32, ink: Rgb<u8>, n: u32| {
            for k in 0..n {
                for y in y0..y0 + 24 {
                    for x in 40 + 30 * k..52 + 30 * k {
                        if (x + y) % 5 != 0 {
                            img.put_pixel(x, y, ink);
                        }
                    }
                }
            }
        };
        for i in 0..10 {
            line(30 + 50 * i, print, 25);
        }
        if pen {
            line(600, Rgb([30, 50, 170]), 10);
        }
        DynamicImage::ImageRgb8(img)
    }

    #[test]
    fn a_line_in_ballpoint_on_a_printed_page_is_found() {
        let found = pen_lines(&page(Rgb([20, 20, 20]), true), 24.0);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0][1] >= 590 && found[0][3] <= 640, "{found:?}");
        assert!(pen_lines(&page(Rgb([20, 20, 20]), false), 24.0).is_empty());
    }

    #[test]
    fn print_in_navy_is_not_pen() {
        assert!(pen_lines(&page(Rgb([30, 45, 120]), false), 24.0).is_empty());
    }
}
