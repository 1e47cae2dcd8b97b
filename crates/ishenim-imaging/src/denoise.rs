//! Sensor noise of dark phone photos: measured, and smoothed away before anything else looks
//! at the page.
//!
//! Why: a photo taken in poor light carries grain several grey levels strong on every pixel.
//! Thresholded as it is, the grain becomes thousands of specks: the text direction is taken
//! from them (a page read sideways), Tesseract reads the specks as letters, and the unread
//! check takes them for lines without words. Smoothing a clean scan would only soften its
//! letters, so the page is smoothed only when its grain is measured to be strong.

use crate::sheet::box_blur;
use image::{DynamicImage, GrayImage};

/// Grain of a page: the noise's standard deviation relative to the paper's brightness,
/// in grey levels of a page whose paper is white (255).
///
/// Measured robustly from the difference between each sampled pixel and the mean of the
/// pixels two to its left and right (a phone's own denoiser and JPEG make next neighbours
/// alike, which hides the grain): letters' edges are a small share of the page, so the median
/// absolute difference is the paper's grain. For Gaussian noise of deviation s this
/// difference has deviation s·√1.5, and the median absolute value of a Gaussian is 0.674 s.
pub fn grain(img: &GrayImage) -> f32 {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w < 8 || h < 8 {
        return 0.0;
    }
    let raw = img.as_raw();
    let mut diff = [0u64; 256];
    let mut level = [0u64; 256];
    let step = (w * h / 200_000).max(1);
    let mut i = w + 2;
    while i < raw.len() - w - 2 {
        let v = raw[i] as i32;
        let m = (raw[i - 2] as i32 + raw[i + 2] as i32) / 2;
        diff[(v - m).unsigned_abs().min(255) as usize] += 1;
        level[raw[i] as usize] += 1;
        // An odd stride samples every column over the rows.
        i += step * 2 + 1;
    }
    let median = quantile(&diff, 0.5) as f32 + 0.5;
    let paper = quantile(&level, 0.8).max(16) as f32;
    median / 0.674 / 1.2247 * 255.0 / paper
}

/// The value below which `q` of the histogram's mass lies.
fn quantile(hist: &[u64; 256], q: f64) -> u8 {
    let total: u64 = hist.iter().sum();
    let target = (total as f64 * q) as u64;
    let mut acc = 0;
    for (v, &c) in hist.iter().enumerate() {
        acc += c;
        if acc > target {
            return v as u8;
        }
    }
    255
}

/// Grain above which a page is smoothed (grey levels on white paper). Scans and good
/// photos measure 0–6 (make_hard.py seeds 1–2: at most 5.7); dark photos 9.8–28.
pub const GRAINY: f32 = 7.5;

/// Smooths a grainy page and returns whether it did; pages below [`GRAINY`] are left
/// untouched. A colour photo is first made grey again as the mean of its channels (the
/// channels' grain is independent, so the mean halves it, where the maximum used for clean
/// pages keeps it), then blurred by two passes of a box filter (close to a Gaussian), wider
/// for stronger grain on a large photo.
pub fn smooth_grain(img: &mut GrayImage, src: &DynamicImage) -> bool {
    let g = grain(img);
    if g < GRAINY {
        return false;
    }
    if src.color().has_color() {
        let owned;
        let rgb = match src.as_rgb8() {
            Some(r) => r,
            None => {
                owned = src.to_rgb8();
                &owned
            }
        };
        let data = rgb
            .as_raw()
            .chunks_exact(3)
            .map(|p| ((p[0] as u16 + p[1] as u16 + p[2] as u16) / 3) as u8)
            .collect();
        if let Some(m) = GrayImage::from_raw(rgb.width(), rgb.height(), data) {
            if m.dimensions() == img.dimensions() {
                *img = m;
            }
        }
    }
    let large = img.width().min(img.height()) >= 1800;
    let r = if g > 12.0 && large { 2 } else { 1 };
    *img = box_blur(&box_blur(img, r), r);
    true
}

/// Whitens the paper of a smoothed, flattened page cell by cell: a pixel becomes white
/// unless it is darker than its cell's paper by more than four times the grain left there.
///
/// Why per cell: the grain left after smoothing is not even. Under a hand's shadow the
/// flattening divides by a dim background and so multiplies its grain; one page-wide cut
/// either keeps those blotches as ink (and the text direction is then taken from them) or
/// erases faint text in the light. Letters are far darker than their paper, so they stay.
pub fn whiten_grain(flat: &mut GrayImage) {
    let (w, h) = (flat.width() as usize, flat.height() as usize);
    let cell = (w.min(h) / 40).clamp(24, 96);
    let (gw, gh) = (w.div_ceil(cell), h.div_ceil(cell));
    // Per cell: the paper's upper levels and the grain, and whether the cell holds ink.
    let stats: Vec<CellStats> = (0..gw * gh)
        .map(|i| cell_stats(flat, (i % gw) * cell, (i / gw) * cell, cell))
        .collect();
    let all: Vec<f32> = stats
        .iter()
        .filter(|c| c.inkless)
        .map(|c| c.grain)
        .collect();
    let page_grain = median(all).unwrap_or(0.0);
    let cut: Vec<u8> = (0..gw * gh)
        .map(|i| {
            let (gx, gy) = ((i % gw) as i64, (i / gw) as i64);
            // The grain of the inkless cells around: letters would inflate a cell's own.
            let mut near = Vec::new();
            for dy in -2..=2 {
                for dx in -2..=2 {
                    let (x, y) = (gx + dx, gy + dy);
                    if x >= 0 && y >= 0 && (x as usize) < gw && (y as usize) < gh {
                        let c = &stats[y as usize * gw + x as usize];
                        if c.inkless {
                            near.push(c.grain);
                        }
                    }
                }
            }
            // Shadows hold more grain than the page, but not without bound; one or two
            // inkless cells (at the desk's edge) do not speak for a region.
            let g = if near.len() >= 3 {
                median(near).unwrap_or(page_grain)
            } else {
                page_grain
            }
            .min(2.5 * page_grain);
            let paper = stats[i].q90 - 1.28 * g;
            // Where a cell holds clear ink, the cut never erases more than half of the
            // contrast between its ink and its paper (a grain estimate misled by letters).
            let ink = stats[i].q02;
            let floor = if paper - ink > 4.0 * page_grain {
                (paper + ink) / 2.0
            } else {
                0.0
            };
            (paper - 4.0 * g).max(floor).clamp(0.0, 255.0) as u8
        })
        .collect();
    let buf: &mut [u8] = flat;
    for (y, row) in buf.chunks_exact_mut(w).enumerate() {
        let crow = &cut[(y / cell) * gw..(y / cell + 1) * gw];
        for (x, v) in row.iter_mut().enumerate() {
            if *v > crow[x / cell] {
                *v = 255;
            }
        }
    }
}

/// Levels of one cell of a flattened page.
struct CellStats {
    /// The 90th percentile: paper even when letters cover much of the cell.
    q90: f32,
    /// The 2nd percentile: the ink, if the cell holds any.
    q02: f32,
    /// Deviation of the grain, from the paper's upper quartile over its median.
    grain: f32,
    /// True when nothing in the cell is much darker than its paper.
    inkless: bool,
}

fn cell_stats(img: &GrayImage, x0: usize, y0: usize, cell: usize) -> CellStats {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    let mut level = [0u64; 256];
    for y in (y0..(y0 + cell).min(h)).step_by(2) {
        for &v in &raw[y * w + x0..y * w + (x0 + cell).min(w)] {
            level[v as usize] += 1;
        }
    }
    // Smoothed grain is correlated between neighbours, so its spread is read from the
    // levels rather than from neighbour differences.
    let q = |t| quantile(&level, t) as f32;
    let (q02, q25, q50, q75) = (q(0.02), q(0.25), q(0.5), q(0.75));
    let grain = (q75 - q50 + 0.5) / 0.674;
    // Grain alone is symmetric around the paper; letters lengthen the dark side only.
    let symmetric = q50 - q25 <= 1.5 * (q75 - q50) + 1.0;
    CellStats {
        q90: q(0.9),
        q02,
        grain,
        inkless: symmetric && q50 - q02 < 3.0 * grain,
    }
}

fn median(mut v: Vec<f32>) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    Some(v[v.len() / 2])
}

/// Darkens very faint print (toner running out, light grey print) so that its strokes fall
/// below the ink threshold, which is capped for the sake of noisy pages: the page's darkest
/// thousandth is brought to about 40 by stretching the distance from white (at most 4x).
/// Pages whose darkest ink is already dark, or that hold no ink clearly darker than paper
/// (a blank sheet), are left alone. Returns whether it stretched.
pub fn stretch_faint(flat: &mut GrayImage) -> bool {
    let mut hist = [0u64; 256];
    for &v in flat.as_raw().iter().step_by(3) {
        hist[v as usize] += 1;
    }
    let dark = quantile(&hist, 0.001);
    if !(150..=215).contains(&dark) {
        return false;
    }
    let k = (215.0 / (255.0 - dark as f32)).min(4.0);
    let buf: &mut [u8] = flat;
    for v in buf.iter_mut() {
        *v = (255.0 - (255.0 - *v as f32) * k).max(0.0) as u8;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A deterministic pseudo-random grain of about `s` grey levels.
    fn noisy(paper: f32, s: f32) -> GrayImage {
        let mut seed: u32 = 12345;
        GrayImage::from_fn(400, 300, |x, y| {
            let mut n = 0.0;
            for _ in 0..12 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                n += (seed >> 16) as f32 / 65536.0;
            }
            let ink = y % 40 < 6 && x % 30 < 20;
            let base = if ink { paper * 0.3 } else { paper };
            Luma([(base + (n - 6.0) * s).clamp(0.0, 255.0) as u8])
        })
    }

    #[test]
    fn faint_print_is_darkened_and_dark_print_left_alone() {
        let mut faint = GrayImage::from_fn(200, 100, |x, y| {
            Luma([if y % 20 < 4 && x % 10 < 6 { 195 } else { 252 }])
        });
        assert!(stretch_faint(&mut faint));
        assert!(faint.get_pixel(1, 1).0[0] < 60);
        assert!(faint.get_pixel(1, 10).0[0] > 235);
        let mut dark = GrayImage::from_fn(200, 100, |x, y| {
            Luma([if y % 20 < 4 && x % 10 < 6 { 40 } else { 252 }])
        });
        assert!(!stretch_faint(&mut dark));
        let mut blank = GrayImage::from_pixel(200, 100, Luma([250]));
        assert!(!stretch_faint(&mut blank));
    }

    #[test]
    fn grain_is_measured_relative_to_the_paper() {
        assert!(grain(&noisy(240.0, 0.0)) < 2.0);
        let g = grain(&noisy(240.0, 12.0));
        assert!((9.0..16.0).contains(&g), "{g}");
        // The same grain on dim paper counts for more once the paper is made white.
        assert!(grain(&noisy(120.0, 12.0)) > 1.6 * g);
    }

    #[test]
    fn only_grainy_pages_are_smoothed() {
        let mut clean = noisy(240.0, 1.0);
        let before = clean.clone();
        assert!(!smooth_grain(
            &mut clean,
            &DynamicImage::ImageLuma8(before.clone())
        ));
        assert_eq!(clean, before);
        let mut grainy = noisy(200.0, 20.0);
        let src = DynamicImage::ImageLuma8(grainy.clone());
        assert!(smooth_grain(&mut grainy, &src));
        assert!(grain(&grainy) < GRAINY, "{}", grain(&grainy));
        // The ink bars are still much darker than the paper.
        assert!(grainy.get_pixel(10, 3).0[0] < 120);
        assert!(grainy.get_pixel(25, 20).0[0] > 160);
    }

    #[test]
    fn grain_left_after_smoothing_turns_white_and_ink_stays() {
        let src = noisy(200.0, 20.0);
        let mut g = src.clone();
        smooth_grain(&mut g, &DynamicImage::ImageLuma8(src));
        let mut g = crate::flatten::flatten_background(&g);
        whiten_grain(&mut g);
        let paper = g.as_raw().iter().enumerate().filter(|(i, _)| {
            let (x, y) = (i % 400, i / 400);
            y % 40 > 12 && x % 30 > 24
        });
        let (n, white) = paper.fold((0, 0), |(n, w), (_, &v)| (n + 1, w + (v == 255) as u32));
        assert!(white * 100 >= n * 99, "{white}/{n} paper pixels white");
        assert!(g.get_pixel(10, 3).0[0] < 120, "ink stays");
    }
}
