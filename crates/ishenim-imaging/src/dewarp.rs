//! Flattening of curled and folded pages by the curvature of their text lines.
//!
//! Sheet rectification (`sheet`) straightens the outline of a photographed page, but a page
//! lifted at the binding or bent across keeps curved text lines inside a straight outline:
//! Tesseract then splits lines at the bend, reads the halves in the wrong order or drops
//! the curved part. Here the baselines are found (character marks chained into lines,
//! median bottoms in short bins), and every column of the page is shifted vertically so
//! that each line becomes straight; between lines the shift is interpolated.
//!
//! Only vertical displacement is corrected: a bend also compresses the characters
//! horizontally, which Tesseract tolerates.

use crate::components::{ink_marks, line_groups, InkMarks, LineMark};
use image::GrayImage;

/// A vertical displacement field: an output pixel `(x, y)` takes its value from
/// `(x, y + d(x, y))` of the image before flattening.
#[derive(Debug, Clone, PartialEq)]
pub struct Dewarp {
    /// Column width in pixels; column `k` is centred at `(k + 0.5) * step`.
    step: f32,
    /// For each column: `(target y, displacement)` of each line crossing it, by target y.
    cols: Vec<Vec<(f32, f32)>>,
    /// Size of the image the field applies to.
    size: (u32, u32),
}

impl Dewarp {
    /// Displacement at an output point.
    pub fn d(&self, x: f32, y: f32) -> f32 {
        let n = self.cols.len();
        if n == 0 {
            return 0.0;
        }
        let u = (x / self.step - 0.5).clamp(0.0, (n - 1) as f32);
        let k = (u.floor() as usize).min(n - 1);
        let t = u - k as f32;
        let a = col_d(&self.cols[k], y);
        if k + 1 < n {
            a * (1.0 - t) + col_d(&self.cols[k + 1], y) * t
        } else {
            a
        }
    }

    /// The source point (before flattening) of an output point.
    pub fn source(&self, x: f32, y: f32) -> (f32, f32) {
        (x, y + self.d(x, y))
    }

    /// The same field for the image turned by 180°.
    pub fn turned_180(&self) -> Dewarp {
        let h = self.size.1 as f32;
        let n = self.cols.len();
        // The columns tile the width exactly: column k of the turned page is column n-1-k.
        let cols = (0..n)
            .map(|k| {
                let mut c: Vec<(f32, f32)> = self.cols[n - 1 - k]
                    .iter()
                    .map(|&(y, d)| (h - y, -d))
                    .collect();
                c.reverse();
                c
            })
            .collect();
        Dewarp {
            step: self.step,
            cols,
            size: self.size,
        }
    }

    /// Resamples `img` (the image the field was measured on) into the flattened page.
    pub fn apply(&self, img: &GrayImage) -> GrayImage {
        let (w, h) = img.dimensions();
        let raw = img.as_raw();
        let n = self.cols.len();
        // Displacement of every column at every row, then linear between columns.
        let table: Vec<Vec<f32>> = self
            .cols
            .iter()
            .map(|c| (0..h).map(|y| col_d(c, y as f32)).collect())
            .collect();
        let mut out = vec![255u8; (w * h) as usize];
        for x in 0..w {
            let u = (x as f32 / self.step - 0.5).clamp(0.0, (n - 1) as f32);
            let k = (u.floor() as usize).min(n - 1);
            let t = u - k as f32;
            let (a, b) = (&table[k], &table[(k + 1).min(n - 1)]);
            for y in 0..h {
                let d = a[y as usize] * (1.0 - t) + b[y as usize] * t;
                let sy = y as f32 + d;
                if sy < 0.0 || sy > (h - 1) as f32 {
                    continue;
                }
                let y0 = sy.floor() as u32;
                let y1 = (y0 + 1).min(h - 1);
                let f = sy - y0 as f32;
                let p0 = raw[(y0 * w + x) as usize] as f32;
                let p1 = raw[(y1 * w + x) as usize] as f32;
                out[(y * w + x) as usize] = (p0 * (1.0 - f) + p1 * f + 0.5) as u8;
            }
        }
        GrayImage::from_raw(w, h, out).unwrap_or_else(|| img.clone())
    }
}

/// Piecewise-linear displacement along one column, held beyond the first and last line.
fn col_d(c: &[(f32, f32)], y: f32) -> f32 {
    match c {
        [] => 0.0,
        [only] => only.1,
        _ => {
            if y <= c[0].0 {
                return c[0].1;
            }
            for p in c.windows(2) {
                if y <= p[1].0 {
                    let t = (y - p[0].0) / (p[1].0 - p[0].0).max(1e-3);
                    return p[0].1 * (1.0 - t) + p[1].1 * t;
                }
            }
            c[c.len() - 1].1
        }
    }
}

/// Widest ink component, in character heights, taken as part of a text line (a word
/// whose letters merged when the page was reduced; wider ones are rules or scribbles).
const WORD_BLOB: f32 = 12.0;
/// Widest gap, in character heights, between neighbouring marks of one line.
const LINE_GAP: f32 = 2.0;

/// Bend, in character heights, of a line that is curled beyond doubt.
const BENT_LINE: f32 = 0.6;

/// One text line's baseline: points `(x, y)` in image pixels, left to right.
type Baseline = Vec<(f32, f32)>;

/// Baselines of the long text lines of an upright page whose characters are about `ch`
/// pixels tall.
pub fn baselines(img: &GrayImage, ch: f32) -> Vec<Baseline> {
    baselines_of(&ink_marks(img, ch), ch)
}

/// [`baselines`] from the page's ink components.
pub fn baselines_of(ink: &InkMarks, ch: f32) -> Vec<Baseline> {
    let f = ink.f;
    let c = ch / f as f32;
    // Character marks (x0, x1, top, bottom, centre y, whole word): letters of serif print
    // merge into word blobs once the page is reduced; a blob chains its line together but
    // gives no bottom (its lowest point is a descender's).
    let mut marks: Vec<(f32, f32, f32, f32, f32, bool)> = ink
        .components
        .iter()
        .filter(|k| {
            let (w, h) = (k.width() as f32, k.height() as f32);
            (0.4 * c..=2.2 * c).contains(&h) && w <= WORD_BLOB * c && w >= 0.15 * c
        })
        .map(|k| {
            (
                k.x0 as f32,
                k.x1 as f32,
                k.y0 as f32,
                k.y1 as f32,
                (k.y0 + k.y1) as f32 / 2.0,
                k.width() as f32 > 3.0 * c,
            )
        })
        .collect();
    marks.sort_by(|a, b| a.4.total_cmp(&b.4));
    // Neighbouring marks of one line: centres close vertically, a word space between at
    // most (a monospaced font's space is about 1.5 character heights).
    let line_marks: Vec<LineMark> = marks
        .iter()
        .map(|m| LineMark {
            x0: m.0,
            x1: m.1,
            yc: m.4,
        })
        .collect();
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (i, line) in line_groups(&line_marks, 0.45 * c, LINE_GAP * c)
        .into_iter()
        .enumerate()
    {
        groups.entry(line).or_default().push(i);
    }
    let width = ink.width as f32;
    let mut out = Vec::new();
    for idx in groups.values() {
        let x0 = idx.iter().map(|&i| marks[i].0).fold(f32::MAX, f32::min);
        let x1 = idx.iter().map(|&i| marks[i].1).fold(f32::MIN, f32::max);
        if idx.len() < 12 || x1 - x0 < 0.25 * width {
            continue;
        }
        // Median bottom in bins of two character heights: descenders are the minority.
        let bin = 2.0 * c;
        let nb = ((x1 - x0) / bin).ceil() as usize;
        let mut bins: Vec<Vec<f32>> = vec![Vec::new(); nb.max(1)];
        for &i in idx.iter().filter(|&&i| !marks[i].5) {
            let xc = (marks[i].0 + marks[i].1) / 2.0;
            let b = (((xc - x0) / bin) as usize).min(bins.len() - 1);
            bins[b].push(marks[i].3);
        }
        let mut pts: Baseline = Vec::new();
        for (b, v) in bins.iter_mut().enumerate() {
            if v.len() < 2 {
                continue;
            }
            v.sort_by(|a, b| a.total_cmp(b));
            let y = v[(v.len() - 1) / 2];
            pts.push(((x0 + (b as f32 + 0.5) * bin) * f as f32, y * f as f32));
        }
        if pts.len() < 4 {
            continue;
        }
        // A 3-point median smooths a stray bin; the end points stay (a curl is steepest there).
        let sm: Baseline = (0..pts.len())
            .map(|i| {
                if i == 0 || i + 1 == pts.len() {
                    return pts[i];
                }
                let (lo, hi) = (i - 1, i + 2);
                let mut ys: Vec<f32> = pts[lo..hi].iter().map(|p| p.1).collect();
                ys.sort_by(|a, b| a.total_cmp(b));
                (pts[i].0, ys[ys.len() / 2])
            })
            .collect();
        out.push(sm);
    }
    out.sort_by(|a, b| a[0].1.total_cmp(&b[0].1));
    out
}

/// How far a baseline departs from its best straight line (max minus min residual).
fn bend(b: &Baseline) -> f32 {
    let n = b.len() as f32;
    let (mx, my) = (
        b.iter().map(|p| p.0).sum::<f32>() / n,
        b.iter().map(|p| p.1).sum::<f32>() / n,
    );
    let sxx: f32 = b.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    let sxy: f32 = b.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let k = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let r: Vec<f32> = b.iter().map(|p| p.1 - (my + k * (p.0 - mx))).collect();
    r.iter().cloned().fold(f32::MIN, f32::max) - r.iter().cloned().fold(f32::MAX, f32::min)
}

/// The field that straightens the page's text lines, or `None` when they are straight
/// enough already (most pages: no resampling, no cost beyond the analysis) or too few to
/// trust.
pub fn measure(img: &GrayImage, ch: f32) -> Option<Dewarp> {
    if ch < 8.0 || img.width() < 100 || img.height() < 100 {
        return None;
    }
    measure_marks(&ink_marks(img, ch), img.dimensions(), ch)
}

/// [`measure`] from the ink components of an image of `size`.
pub fn measure_marks(ink: &InkMarks, size: (u32, u32), ch: f32) -> Option<Dewarp> {
    if ch < 8.0 || size.0 < 100 || size.1 < 100 {
        return None;
    }
    let lines = baselines_of(ink, ch);
    if lines.len() < 4 {
        return None;
    }
    let mut bends: Vec<f32> = lines.iter().map(bend).collect();
    bends.sort_by(|a, b| a.total_cmp(b));
    // Flat pages (scans, rectified photos) bend by a few pixels of noise; a curl by more
    // than half a character height on most lines. A curl at one edge bends only the lines
    // that reach it, and a trough only the long lines: two lines bent by more than
    // `BENT_LINE` character heights make a bent page too (no flat page of the corpora has
    // a second line bent by more than 0.45).
    let strongly_bent = bends.iter().filter(|&&b| b >= BENT_LINE * ch).count();
    if bends[bends.len() / 2] < 0.4 * ch && strongly_bent < 2 {
        return None;
    }
    let (w, h) = size;
    // Columns tile the width exactly, so the field turns with the page (`turned_180`).
    let n = ((w as f32 / (2.0 * ch)).ceil() as usize).max(1);
    let step = w as f32 / n as f32;
    let mut cols: Vec<Vec<(f32, f32)>> = vec![Vec::new(); n];
    for b in &lines {
        let mut ys: Vec<f32> = b.iter().map(|p| p.1).collect();
        ys.sort_by(|a, b| a.total_cmp(b));
        let target = ys[ys.len() / 2];
        let (bx0, bx1) = (b[0].0, b[b.len() - 1].0);
        for (k, col) in cols.iter_mut().enumerate() {
            let x = (k as f32 + 0.5) * step;
            if x < bx0 - step || x > bx1 + step {
                continue;
            }
            let y = along(b, x);
            col.push((target, y - target));
        }
    }
    // Columns without lines borrow from the nearest column that has some.
    let filled: Vec<usize> = (0..n).filter(|&k| !cols[k].is_empty()).collect();
    if filled.is_empty() {
        return None;
    }
    for k in 0..n {
        if cols[k].is_empty() {
            let near = *filled
                .iter()
                .min_by_key(|&&j| (j as i64 - k as i64).abs())
                .unwrap_or(&filled[0]);
            cols[k] = cols[near].clone();
        }
    }
    for col in &mut cols {
        col.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Lines must stay in order: a source position above its upper neighbour's means two
        // lines were chained into one; better not to flatten than to tear the page.
        if col
            .windows(2)
            .any(|p| p[1].0 + p[1].1 <= p[0].0 + p[0].1 + 0.5 * ch || p[1].0 - p[0].0 < 0.5 * ch)
        {
            return None;
        }
    }
    Some(Dewarp {
        step,
        cols,
        size: (w, h),
    })
}

/// The baseline's y at `x`, linear between points and held beyond the ends.
fn along(b: &Baseline, x: f32) -> f32 {
    if x <= b[0].0 {
        return b[0].1;
    }
    for p in b.windows(2) {
        if x <= p[1].0 {
            let t = (x - p[0].0) / (p[1].0 - p[0].0).max(1e-3);
            return p[0].1 * (1.0 - t) + p[1].1 * t;
        }
    }
    b[b.len() - 1].1
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A page of "text": lines of letter-sized blocks whose baselines follow `curve(x)`.
    fn page(curve: impl Fn(f32) -> f32) -> GrayImage {
        let mut img = GrayImage::from_pixel(1200, 900, Luma([255]));
        for line in 0..8u32 {
            let base = 100.0 + line as f32 * 90.0;
            let mut x = 60u32;
            while x < 1100 {
                let b = (base + curve(x as f32)) as u32;
                for yy in b - 28..b {
                    for xx in x..x + 16 {
                        if xx - x < 4 || xx - x > 11 || yy < b - 24 {
                            img.put_pixel(xx, yy, Luma([10]));
                        }
                    }
                }
                x += if x.is_multiple_of(7) { 44 } else { 24 };
            }
        }
        img
    }

    #[test]
    fn straight_lines_are_left_alone() {
        assert!(measure(&page(|_| 0.0), 28.0).is_none());
        assert!(
            measure(&page(|x| x * 0.02), 28.0).is_none(),
            "a tilt is no curl"
        );
    }

    #[test]
    fn a_curl_at_the_edge_is_flattened() {
        let curl = |x: f32| {
            if x > 800.0 {
                -((x - 800.0) / 300.0).powi(2) * 45.0
            } else {
                0.0
            }
        };
        let img = page(curl);
        let dw = measure(&img, 28.0).expect("curl found");
        let flat = dw.apply(&img);
        let lines = baselines(&flat, 28.0);
        assert!(lines.len() >= 6, "{}", lines.len());
        for b in &lines {
            assert!(bend(b) < 8.0, "still bent by {}", bend(b));
        }
        // A point on the curled part maps back to where the ink is.
        let (_, sy) = dw.source(1050.0, 100.0);
        assert!(
            (sy - (100.0 + curl(1050.0))).abs() < 8.0,
            "{sy} {:?}",
            lines[0]
        );
    }

    /// Lines of words (letters 16 px wide, 8 px apart) from x 60 to `ends[line]`, words
    /// `space` px apart, every fourth word one merged blob; baselines follow `curve(x)`.
    fn words_page(ends: &[u32], space: u32, curve: impl Fn(f32) -> f32) -> GrayImage {
        let mut img = GrayImage::from_pixel(1200, 100 + 90 * ends.len() as u32, Luma([255]));
        for (line, &end) in ends.iter().enumerate() {
            let base = 100.0 + line as f32 * 90.0;
            let (mut x, mut word) = (60u32, 0u32);
            while x + 120 < end {
                for letter in 0..5u32 {
                    let lx = x + letter * 24;
                    let b = (base + curve(lx as f32)) as u32;
                    // A merged word's letters touch (its gaps are inked).
                    let w = if word % 4 == 3 && letter < 4 { 24 } else { 16 };
                    for yy in b - 28..b {
                        for xx in lx..lx + w {
                            img.put_pixel(xx, yy, Luma([10]));
                        }
                    }
                }
                x += 5 * 24 + space;
                word += 1;
            }
        }
        img
    }

    #[test]
    fn wide_word_spaces_and_merged_words_still_make_lines() {
        // A fold at x 700: the right part of every line runs down (as seed 1 H013).
        let fold = |x: f32| if x > 700.0 { (x - 700.0) * 0.12 } else { 0.0 };
        // Monospaced print: a word space of 1.6 character heights.
        let img = words_page(&[1100; 8], 45, fold);
        let lines = baselines(&img, 28.0);
        assert_eq!(lines.len(), 8, "every line whole");
        let dw = measure(&img, 28.0).expect("fold found");
        for b in &baselines(&dw.apply(&img), 28.0) {
            assert!(bend(b) < 8.0, "still bent by {}", bend(b));
        }
        // The same page flat is left alone.
        assert!(measure(&words_page(&[1100; 8], 45, |_| 0.0), 28.0).is_none());
    }

    #[test]
    fn two_strongly_bent_lines_make_a_bent_page() {
        // A trough: only the two long lines reach the part that rises (as seed 11 H028).
        let rise = |x: f32| {
            if x > 800.0 {
                -((x - 800.0) / 300.0).powi(2) * 70.0
            } else {
                0.0
            }
        };
        let ends = [1150, 1150, 700, 700, 700, 700, 700];
        assert!(measure(&words_page(&ends, 20, rise), 28.0).is_some());
        // One bent line among straight ones is no bent page.
        let one = [1150, 700, 700, 700, 700, 700, 700];
        assert!(measure(&words_page(&one, 20, rise), 28.0).is_none());
    }

    #[test]
    fn the_turned_field_maps_the_turned_page() {
        let img = page(|x| ((x - 600.0) / 600.0).powi(2) * 40.0);
        let dw = measure(&img, 28.0).expect("bend found");
        let t = dw.turned_180();
        let (w, h) = (1200.0, 900.0);
        let (_, sy) = dw.source(300.0, 400.0);
        let (_, ty) = t.source(w - 300.0, h - 400.0);
        assert!((ty - (h - sy)).abs() < 3.0, "{ty} vs {}", h - sy);
    }
}
