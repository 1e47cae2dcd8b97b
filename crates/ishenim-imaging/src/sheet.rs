//! Finding the sheet of paper in a photo and blanking what lies around it (desk, floor,
//! fingers), and softening dithered bilevel scans.

use crate::binarize::{otsu, shrink_mean};
use crate::components::{label, Bitmap};
use crate::geometry::Homography;
use crate::prepare::sample_bilinear;
use image::GrayImage;

/// A convex polygon in full-resolution pixel coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Hull vertices, counter-clockwise.
    pub hull: Vec<(f64, f64)>,
    /// Share of the image covered by the sheet.
    pub coverage: f64,
}

fn cross(o: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
}

/// Convex hull (Andrew's monotone chain).
pub fn convex_hull(mut pts: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let mut lower: Vec<(f64, f64)> = Vec::new();
    for &p in &pts {
        while lower.len() >= 2 && cross(lower[lower.len() - 2], lower[lower.len() - 1], p) <= 0.0 {
            lower.pop();
        }
        lower.push(p);
    }
    let mut upper: Vec<(f64, f64)> = Vec::new();
    for &p in pts.iter().rev() {
        while upper.len() >= 2 && cross(upper[upper.len() - 2], upper[upper.len() - 1], p) <= 0.0 {
            upper.pop();
        }
        upper.push(p);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

/// Finds the sheet: the largest bright region, made convex. Returns `None` when the image
/// is all paper (an ordinary scan) or no clear sheet stands out.
pub fn find_sheet(gray: &GrayImage) -> Option<Sheet> {
    let (w, h) = gray.dimensions();
    let f = (w.max(h) / 800).max(1);
    let small = shrink_mean(gray, f);
    let t = otsu(&small);
    // Dark surroundings must be clearly darker than the paper.
    let (mut dark_sum, mut dark_n, mut light_sum, mut light_n) = (0u64, 0u64, 0u64, 0u64);
    for &v in small.as_raw() {
        if v > t {
            light_sum += v as u64;
            light_n += 1;
        } else {
            dark_sum += v as u64;
            dark_n += 1;
        }
    }
    let total = (small.width() * small.height()) as f64;
    // Scanner bands are narrow; a desk around a photographed sheet is not.
    if dark_n as f64 / total < 0.08 || light_n == 0 || dark_n == 0 {
        return None;
    }
    let (dark, light) = (dark_sum / dark_n, light_sum / light_n);
    if light < dark + 60 {
        return None;
    }
    // Paper in a shadow is darker than lit paper but still lighter than the desk: cut low.
    let cut = (dark + (light - dark) * 3 / 10) as u8;
    let bright = Bitmap {
        width: small.width(),
        height: small.height(),
        ink: small.as_raw().iter().map(|&v| v > cut).collect(),
    };
    let labels = label(&bright);
    let (best, comp) = labels
        .components
        .iter()
        .enumerate()
        .max_by_key(|(_, c)| c.area)?;
    let coverage = comp.area as f64 / total;
    if !(0.15..0.97).contains(&coverage) {
        return None;
    }
    let mut pts = Vec::new();
    for (i, &(y, x0, x1)) in labels.runs.iter().enumerate() {
        if labels.run_comp[i] as usize == best {
            let (yy, ff) = (y as f64 * f as f64, f as f64);
            pts.push((x0 as f64 * ff, yy));
            pts.push((x1 as f64 * ff, yy));
            pts.push((x0 as f64 * ff, yy + ff));
            pts.push((x1 as f64 * ff, yy + ff));
        }
    }
    let hull = convex_hull(pts);
    if hull.len() < 3 {
        return None;
    }
    // The sheet must stand out: what lies outside the hull is much darker than inside
    // (a desk), not more paper (a table cell, a frame).
    let small_hull: Vec<(f64, f64)> = hull
        .iter()
        .map(|&(x, y)| (x / f as f64, y / f as f64))
        .collect();
    let (mut in_sum, mut in_n, mut out_sum, mut out_n) = (0u64, 0u64, 0u64, 0u64);
    for y in 0..small.height() {
        for x in 0..small.width() {
            let v = small.get_pixel(x, y).0[0] as u64;
            if inside(&small_hull, x as f64 + 0.5, y as f64 + 0.5) {
                in_sum += v;
                in_n += 1;
            } else {
                out_sum += v;
                out_n += 1;
            }
        }
    }
    let hull_cover = in_n as f64 / total;
    if hull_cover >= 0.97 || out_n == 0 || in_n == 0 || out_sum / out_n + 60 > in_sum / in_n {
        return None;
    }
    let _ = coverage;
    Some(Sheet {
        hull,
        coverage: hull_cover,
    })
}

/// Point in a counter-clockwise convex polygon.
fn inside(poly: &[(f64, f64)], x: f64, y: f64) -> bool {
    let n = poly.len();
    (0..n).all(|i| cross(poly[i], poly[(i + 1) % n], (x, y)) >= 0.0)
}

/// The sheet's four corners (top-left, top-right, bottom-right, bottom-left) when the hull
/// is close to a quadrilateral, as a photographed sheet is.
pub fn corners(sheet: &Sheet) -> Option<[(f64, f64); 4]> {
    let h = &sheet.hull;
    let by = |f: &dyn Fn(&(f64, f64)) -> f64, max: bool| {
        h.iter().copied().max_by(|a, b| {
            let (x, y) = (f(a), f(b));
            if max {
                x.total_cmp(&y)
            } else {
                y.total_cmp(&x)
            }
        })
    };
    let tl = by(&|p| p.0 + p.1, false)?;
    let br = by(&|p| p.0 + p.1, true)?;
    let tr = by(&|p| p.0 - p.1, true)?;
    let bl = by(&|p| p.0 - p.1, false)?;
    let quad = [tl, tr, br, bl];
    let area = |pts: &[(f64, f64)]| {
        let n = pts.len();
        (0..n)
            .map(|i| pts[i].0 * pts[(i + 1) % n].1 - pts[(i + 1) % n].0 * pts[i].1)
            .sum::<f64>()
            .abs()
            / 2.0
    };
    let (qa, ha) = (area(&quad), area(h));
    (ha > 0.0 && qa / ha > 0.93).then_some(quad)
}

/// Straightens the photographed sheet: returns the sheet alone, as a rectangle, and the
/// map from its pixels to the photo's.
pub fn rectify(gray: &GrayImage, quad: [(f64, f64); 4]) -> Option<(GrayImage, Homography)> {
    let d = |a: (f64, f64), b: (f64, f64)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    let [tl, tr, br, bl] = quad;
    let w = d(tl, tr).max(d(bl, br));
    let h = d(tl, bl).max(d(tr, br));
    if w < 50.0 || h < 50.0 || w * h > 2.0 * gray.width() as f64 * gray.height() as f64 {
        return None;
    }
    // Stay a little inside the sheet: its edge is often shaded.
    let m = 0.006 * w.min(h);
    let rect = [(-m, -m), (w + m, -m), (w + m, h + m), (-m, h + m)];
    let rect = rect.map(|(x, y)| (x + m, y + m));
    let hm = Homography::from_points(rect, quad)?;
    let (ow, oh) = (w as u32, h as u32);
    let (sw, sh) = (gray.width() as i64, gray.height() as i64);
    let raw = gray.as_raw();
    let mut out = vec![255u8; ow as usize * oh as usize];
    // Along a row the homography's numerators and denominator grow linearly: step them
    // instead of evaluating the matrix at every pixel (one division pair per pixel).
    let m = &hm.0;
    for (y, row) in out.chunks_exact_mut(ow as usize).enumerate() {
        let (x0, yc) = (0.5, y as f64 + 0.5);
        let mut nx = m[0] * x0 + m[1] * yc + m[2];
        let mut ny = m[3] * x0 + m[4] * yc + m[5];
        let mut nw = m[6] * x0 + m[7] * yc + m[8];
        for px in row.iter_mut() {
            let w = if nw.abs() < 1e-12 { 1e-12 } else { nw };
            if let Some(v) = sample_bilinear(raw, sw, sh, nx / w - 0.5, ny / w - 0.5) {
                *px = v;
            }
            nx += m[0];
            ny += m[3];
            nw += m[6];
        }
    }
    Some((GrayImage::from_raw(ow, oh, out)?, hm))
}

/// Paints everything outside the sheet white.
pub fn blank_outside(gray: &mut GrayImage, sheet: &Sheet) {
    let (w, h) = gray.dimensions();
    let n = sheet.hull.len();
    let buf: &mut [u8] = gray;
    for y in 0..h {
        let yc = y as f64 + 0.5;
        let (mut lo, mut hi) = (f64::MAX, f64::MIN);
        for i in 0..n {
            let (a, b) = (sheet.hull[i], sheet.hull[(i + 1) % n]);
            if (a.1 <= yc && b.1 >= yc) || (b.1 <= yc && a.1 >= yc) {
                let x = if (b.1 - a.1).abs() < 1e-9 {
                    lo = lo.min(a.0.min(b.0));
                    a.0.max(b.0)
                } else {
                    a.0 + (yc - a.1) * (b.0 - a.0) / (b.1 - a.1)
                };
                lo = lo.min(x);
                hi = hi.max(x);
            }
        }
        let row = &mut buf[(y * w) as usize..((y + 1) * w) as usize];
        if lo > hi {
            row.fill(255);
            continue;
        }
        let (l, r) = (lo.max(0.0) as usize, (hi.max(0.0) as usize).min(w as usize));
        row[..l.min(w as usize)].fill(255);
        row[r..].fill(255);
    }
}

/// Share of ink pixels that stand alone (no ink among their four neighbours): high for
/// dithered grey backgrounds, low for ordinary print.
pub fn isolated_ink_ratio(gray: &GrayImage) -> f64 {
    let (w, h) = (gray.width() as usize, gray.height() as usize);
    let raw = gray.as_raw();
    let (mut ink, mut alone) = (0u64, 0u64);
    for y in (1..h.saturating_sub(1)).step_by(2) {
        for x in (1..w.saturating_sub(1)).step_by(2) {
            let i = y * w + x;
            if raw[i] < 128 {
                ink += 1;
                if raw[i - 1] >= 128 && raw[i + 1] >= 128 && raw[i - w] >= 128 && raw[i + w] >= 128
                {
                    alone += 1;
                }
            }
        }
    }
    if ink == 0 {
        0.0
    } else {
        alone as f64 / ink as f64
    }
}

/// Share of dark pixels (sampled).
pub fn ink_fraction(gray: &GrayImage) -> f64 {
    let raw = gray.as_raw();
    let n = raw.iter().step_by(5).count().max(1);
    raw.iter().step_by(5).filter(|&&v| v < 128).count() as f64 / n as f64
}

/// True when every pixel is pure black or pure white.
pub fn is_bilevel(gray: &GrayImage) -> bool {
    gray.as_raw().iter().step_by(7).all(|&v| v == 0 || v == 255)
}

/// Box blur with radius `r` (separable, running sums).
pub fn box_blur(gray: &GrayImage, r: u32) -> GrayImage {
    let (w, h) = (gray.width() as usize, gray.height() as usize);
    let r = r as usize;
    let src = gray.as_raw();
    let mut tmp = vec![0u8; w * h];
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        let mut sum: u32 = row[..(r + 1).min(w)].iter().map(|&v| v as u32).sum();
        let mut n: u32 = (r + 1).min(w) as u32;
        for x in 0..w {
            tmp[y * w + x] = (sum / n.max(1)) as u8;
            if x + r + 1 < w {
                sum += row[x + r + 1] as u32;
                n += 1;
            }
            if x >= r {
                sum -= row[x - r] as u32;
                n -= 1;
            }
        }
    }
    // Down the columns, all columns at once, row by row: the same sums as walking each
    // column, without striding through memory a row apart (the slow part on a photo).
    let mut out = vec![0u8; w * h];
    let mut sums = vec![0u32; w];
    let add = |sums: &mut [u32], y: usize, sign: bool| {
        for (s, &v) in sums.iter_mut().zip(&tmp[y * w..(y + 1) * w]) {
            if sign {
                *s += v as u32;
            } else {
                *s -= v as u32;
            }
        }
    };
    for y in 0..(r + 1).min(h) {
        add(&mut sums, y, true);
    }
    let mut n: u32 = (r + 1).min(h) as u32;
    for y in 0..h {
        for (o, &s) in out[y * w..(y + 1) * w].iter_mut().zip(&sums) {
            *o = (s / n.max(1)) as u8;
        }
        if y + r + 1 < h {
            add(&mut sums, y + r + 1, true);
            n += 1;
        }
        if y >= r {
            add(&mut sums, y - r, false);
            n -= 1;
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).unwrap_or_else(|| gray.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn box_blur_is_the_mean_of_each_clipped_window_twice() {
        let img = GrayImage::from_fn(23, 17, |x, y| {
            image::Luma([((x * 37 + y * 91) % 251) as u8])
        });
        for r in 1..=3usize {
            let (w, h) = (23usize, 17usize);
            let src = img.as_raw();
            let mut tmp = vec![0u8; w * h];
            for y in 0..h {
                for x in 0..w {
                    let (a, b) = (x.saturating_sub(r), (x + r + 1).min(w));
                    let s: u32 = (a..b).map(|i| src[y * w + i] as u32).sum();
                    tmp[y * w + x] = (s / (b - a) as u32) as u8;
                }
            }
            let mut want = vec![0u8; w * h];
            for y in 0..h {
                for x in 0..w {
                    let (a, b) = (y.saturating_sub(r), (y + r + 1).min(h));
                    let s: u32 = (a..b).map(|i| tmp[i * w + x] as u32).sum();
                    want[y * w + x] = (s / (b - a) as u32) as u8;
                }
            }
            assert_eq!(box_blur(&img, r as u32).as_raw(), &want, "radius {r}");
        }
    }

    #[test]
    fn sheet_on_a_dark_desk_is_found_and_the_desk_blanked() {
        // A tilted bright quadrilateral on a dark background with a dark "shadow" notch.
        let mut img = GrayImage::from_fn(600, 800, |x, y| {
            let (xf, yf) = (x as f64, y as f64);
            let inside =
                yf > 80.0 + 0.1 * xf && yf < 720.0 + 0.1 * xf - 60.0 && xf > 60.0 && xf < 540.0;
            Luma([if inside { 225 } else { 50 }])
        });
        for y in 300..360 {
            for x in 500..540 {
                img.put_pixel(x, y, Luma([90]));
            }
        }
        let sheet = find_sheet(&img).expect("sheet");
        assert!(
            sheet.coverage > 0.5 && sheet.coverage < 0.9,
            "{}",
            sheet.coverage
        );
        blank_outside(&mut img, &sheet);
        assert_eq!(img.get_pixel(10, 10).0[0], 255, "desk blanked");
        assert_eq!(
            img.get_pixel(520, 330).0[0],
            90,
            "shadow inside the hull is kept"
        );
        assert_eq!(img.get_pixel(300, 400).0[0], 225, "paper kept");
    }

    #[test]
    fn writing_in_a_shadow_on_the_sheet_is_kept() {
        // Paper on a dark desk, the top of the sheet in a hand's shadow (half as bright as
        // the lit paper) with writing in it: the sheet must include the shadowed part.
        let mut img = GrayImage::from_fn(800, 1000, |x, y| {
            let paper = (100..700).contains(&x) && (100..900).contains(&y);
            let shadow = paper && y < 300;
            Luma([if shadow {
                115
            } else if paper {
                230
            } else {
                40
            }])
        });
        for line in 0..4u32 {
            for k in 0..20u32 {
                for y in 150 + line * 35..165 + line * 35 {
                    for x in 150 + k * 25..160 + k * 25 {
                        img.put_pixel(x, y, Luma([5]));
                    }
                }
            }
        }
        if let Some(sheet) = find_sheet(&img) {
            let mut copy = img.clone();
            blank_outside(&mut copy, &sheet);
            assert_eq!(
                copy.get_pixel(155, 155).0[0],
                5,
                "writing in the shadow must survive"
            );
        }
    }

    #[test]
    fn an_ordinary_scan_has_no_sheet_to_find() {
        let img = GrayImage::from_fn(600, 800, |x, y| {
            Luma([if (x / 7 + y / 11) % 9 == 0 { 20 } else { 245 }])
        });
        assert!(find_sheet(&img).is_none());
    }

    #[test]
    fn dither_is_detected_and_blurred_to_grey() {
        let dither = GrayImage::from_fn(100, 100, |x, y| {
            Luma([if x % 3 == 0 && y % 3 == 0 { 0 } else { 255 }])
        });
        assert!(is_bilevel(&dither));
        assert!(isolated_ink_ratio(&dither) > 0.5);
        let b = box_blur(&dither, 2);
        let v = b.get_pixel(50, 50).0[0];
        assert!(v > 150 && v < 250, "{v}");
        let print = GrayImage::from_fn(100, 100, |x, y| {
            Luma([if y % 10 < 3 && x % 12 < 8 { 0 } else { 255 }])
        });
        assert!(isolated_ink_ratio(&print) < 0.05);
    }
}
