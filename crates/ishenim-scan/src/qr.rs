//! Receipt codes in QR symbols on the original image, found only where a symbol can be.
//!
//! Why: the QR search (`ishenim_receipt::qr::find`) labels every region of a page at up to
//! 2000 pixels a side: 40–110 ms a page, about a tenth of raw Tesseract's time, spent on
//! every page although few carry a slip's stub. A symbol always has three finder patterns
//! (a dark square in a light ring in a dark ring: 1:1:3:1:1 across, both ways), which a
//! run-length pass over the same grey samples finds in a few milliseconds. The search runs
//! only when two such patterns lie as a symbol's corners do (one of three may be damaged), on
//! exactly the samples it would have taken itself, so its results are unchanged.

use image::{DynamicImage, GrayImage, Pixel};
use ishenim_page::{MarkKind, QrMark};
use ishenim_receipt::qr::{find, SEARCH_SIDE};

/// Receipt codes in QR symbols on the original image (a slip's stub attached to the
/// letter): found before anything else changes the pixels, boxes on the image as stored.
pub fn find_receipt_qr(image: &DynamicImage) -> Vec<QrMark> {
    let (small, scale) = search_samples(image);
    // One pair is enough: the third finder may be damaged.
    if finder_pairs(&small) == 0 {
        return Vec::new();
    }
    find(small.width(), small.height(), small.as_raw())
        .into_iter()
        .map(|f| QrMark {
            text: f.code.to_string(),
            bbox: f.bbox.map(|v| (v as f32 * scale) as u32),
            kind: MarkKind::Qr,
        })
        .map(|mut m| {
            m.bbox[2] = m.bbox[2].min(image.width());
            m.bbox[3] = m.bbox[3].min(image.height());
            m
        })
        .collect()
}

/// The grey samples the QR search takes of a page (nearest pixel at most [`SEARCH_SIDE`]
/// a side, luma as `to_luma8` computes it) and the scale back to the page. Only the
/// sampled pixels are converted: a 12-megapixel photo is not turned grey as a whole.
pub fn search_samples(image: &DynamicImage) -> (GrayImage, f32) {
    let (width, height) = (image.width(), image.height());
    let scale = (width.max(height) as f32 / SEARCH_SIDE as f32).max(1.0);
    let (w, h) = (
        ((width as f32 / scale) as u32).max(1),
        ((height as f32 / scale) as u32).max(1),
    );
    let sx: Vec<usize> = (0..w)
        .map(|x| ((x as f32 * scale) as u32).min(width.saturating_sub(1)) as usize)
        .collect();
    let sy = |y: u32| ((y as f32 * scale) as u32).min(height.saturating_sub(1)) as usize;
    let mut data = Vec::with_capacity(w as usize * h as usize);
    let rows = |raw: &[u8], data: &mut Vec<u8>, px: &dyn Fn(&[u8], usize) -> u8, stride: usize| {
        for y in 0..h {
            let row = &raw[sy(y) * stride..(sy(y) + 1) * stride];
            data.extend(sx.iter().map(|&x| px(row, x)));
        }
    };
    let wu = width as usize;
    match image {
        DynamicImage::ImageLuma8(g) => rows(g.as_raw(), &mut data, &|r, x| r[x], wu),
        DynamicImage::ImageRgb8(rgb) => rows(
            rgb.as_raw(),
            &mut data,
            &|r, x| {
                image::Rgb::<u8>::from_slice(&r[3 * x..3 * x + 3])
                    .to_luma()
                    .0[0]
            },
            3 * wu,
        ),
        other => rows(other.to_luma8().as_raw(), &mut data, &|r, x| r[x], wu),
    }
    let small = GrayImage::from_raw(w, h, data).unwrap_or_else(|| GrayImage::new(1, 1));
    (small, scale)
}

/// Dark pixels of `img` by a local threshold: below 95 % of the mean of the row's
/// neighbourhood (an eighth of the width), as a QR reader binarises, so shadows and grey
/// paper do not hide a symbol.
fn dark_map(img: &GrayImage) -> Vec<bool> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let r = (w / 16).max(1);
    let raw = img.as_raw();
    let mut out = vec![false; w * h];
    let mut prefix = vec![0u32; w + 1];
    for (row, dst) in raw.chunks_exact(w).zip(out.chunks_exact_mut(w)) {
        for (x, &v) in row.iter().enumerate() {
            prefix[x + 1] = prefix[x] + v as u32;
        }
        // v < 0.95 × (sum / n), without a division per pixel.
        for (x, (d, &v)) in dst.iter_mut().zip(row).enumerate() {
            let (a, b) = (x.saturating_sub(r), (x + r + 1).min(w));
            *d = (v as u64) * 100 * ((b - a) as u64) < (prefix[b] - prefix[a]) as u64 * 95;
        }
    }
    out
}

/// True when five runs (dark, light, dark, light, dark) have the proportions 1:1:3:1:1 of
/// a finder pattern, with a generous tolerance (blur and perspective distort them).
fn finder_ratio(runs: &[usize; 5]) -> bool {
    let total: usize = runs.iter().sum();
    if total < 7 * 2 {
        return false;
    }
    let u = total as f32 / 7.0;
    let one = |v: usize| (0.4 * u..=1.9 * u).contains(&(v as f32));
    one(runs[0])
        && one(runs[1])
        && (1.8 * u..=4.6 * u).contains(&(runs[2] as f32))
        && one(runs[3])
        && one(runs[4])
}

/// The five runs crossing `(x, y)` vertically, centred on the dark run holding it.
/// Also the row in the middle of the dark run.
fn vertical_runs(
    dark: &[bool],
    w: usize,
    h: usize,
    x: usize,
    y: usize,
) -> Option<([usize; 5], usize)> {
    let at = |yy: usize| dark[yy * w + x];
    if !at(y) {
        return None;
    }
    // Centre run, then outwards: light, dark on each side.
    let mut up = y;
    while up > 0 && at(up - 1) {
        up -= 1;
    }
    let mut down = y;
    while down + 1 < h && at(down + 1) {
        down += 1;
    }
    let mut runs = [0usize; 5];
    runs[2] = down - up + 1;
    let mid = (up + down) / 2;
    let (mut top, mut bottom) = (up, down);
    for (k, want) in [(1usize, false), (0, true)] {
        let start = top;
        while top > 0 && at(top - 1) == want {
            top -= 1;
        }
        runs[k] = start - top;
    }
    for (k, want) in [(3usize, false), (4, true)] {
        let start = bottom;
        while bottom + 1 < h && at(bottom + 1) == want {
            bottom += 1;
        }
        runs[k] = bottom - start;
    }
    Some((runs, mid))
}

/// True when the row `y` has a dark run around `cx` as wide as a finder's core (`3u`,
/// loosely): the core is a solid square, not a stroke.
fn core_row(dark: &[bool], w: usize, y: usize, cx: usize, u: f32) -> bool {
    let row = &dark[y * w..(y + 1) * w];
    if !row[cx] {
        return false;
    }
    let (mut a, mut b) = (cx, cx);
    while a > 0 && row[a - 1] {
        a -= 1;
    }
    while b + 1 < w && row[b + 1] {
        b += 1;
    }
    ((1.8 * u)..=(4.6 * u)).contains(&((b - a + 1) as f32))
}

/// Places on `img` that look like a QR finder pattern across and down, with a solid core:
/// `(x, y, module)`.
fn finder_centres(img: &GrayImage) -> Vec<(f32, f32, f32)> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut centres: Vec<(f32, f32, f32)> = Vec::new();
    if w < 21 || h < 21 {
        return centres;
    }
    let dark = dark_map(img);
    // A finder's core is at least 3 modules of 2+ pixels: every other row meets it.
    for y in (0..h).step_by(2) {
        let row = &dark[y * w..(y + 1) * w];
        // Run lengths with the start of each run.
        let mut runs: Vec<(usize, usize, bool)> = Vec::new();
        let mut x = 0;
        while x < w {
            let v = row[x];
            let s = x;
            while x < w && row[x] == v {
                x += 1;
            }
            runs.push((s, x - s, v));
        }
        for win in runs.windows(5) {
            if !win[0].2 {
                continue;
            }
            let lens = [win[0].1, win[1].1, win[2].1, win[3].1, win[4].1];
            if !finder_ratio(&lens) {
                continue;
            }
            let cx = win[2].0 + win[2].1 / 2;
            let Some((v, mid)) = vertical_runs(&dark, w, h, cx, y) else {
                continue;
            };
            let (across, down): (usize, usize) = (lens.iter().sum(), v.iter().sum());
            if !finder_ratio(&v) || 10 * down < 7 * across || 10 * down > 14 * across {
                continue;
            }
            let u = across as f32 / 7.0;
            // The core's rows a module above and below its middle are solid too.
            let mid = mid as isize;
            let off = u.round().max(1.0) as isize;
            let solid = [mid - off, mid + off]
                .iter()
                .all(|&yy| yy >= 0 && (yy as usize) < h && core_row(&dark, w, yy as usize, cx, u));
            if !solid {
                continue;
            }
            let (fx, fy) = (cx as f32, mid as f32);
            if !centres
                .iter()
                .any(|&(x0, y0, u0)| (x0 - fx).abs() < 4.0 * u0 && (y0 - fy).abs() < 4.0 * u0)
            {
                centres.push((fx, fy, u));
            }
        }
    }
    centres
}

/// Number of pairs of finder-like places on `img` that could be two corners of one
/// symbol: modules of about the same size, 10–40 modules apart (a version-1 symbol's
/// finders are 14 apart, 20 across its diagonal). Noise and print make lone look-alikes,
/// rarely such pairs.
pub fn finder_pairs(img: &GrayImage) -> usize {
    let c = finder_centres(img);
    let mut pairs = 0;
    for (i, a) in c.iter().enumerate() {
        for b in &c[i + 1..] {
            let (ua, ub) = (a.2, b.2);
            if ua > 1.4 * ub || ub > 1.4 * ua {
                continue;
            }
            let u = (ua + ub) / 2.0;
            let d = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
            if (10.0 * u..=40.0 * u).contains(&d) {
                pairs += 1;
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;
    use ishenim_receipt::qr::modules;
    use ishenim_receipt::Code;

    /// A grey page of `w`×`h` with `code`'s symbol at `(ox, oy)`, `m` pixels a module.
    fn page(code: &Code, w: u32, h: u32, ox: u32, oy: u32, m: u32) -> GrayImage {
        let mut g = GrayImage::from_pixel(w, h, Luma([235]));
        let (side, mods) = modules(code);
        for (i, &d) in mods.iter().enumerate() {
            if d {
                let (mx, my) = ((i % side) as u32, (i / side) as u32);
                for y in 0..m {
                    for x in 0..m {
                        g.put_pixel(ox + mx * m + x, oy + my * m + y, Luma([30]));
                    }
                }
            }
        }
        g
    }

    fn code() -> Code {
        Code::generate().expect("a code")
    }

    #[test]
    fn a_symbol_shows_its_finders_and_is_read() {
        let c = code();
        for m in [2u32, 3, 5, 9] {
            let g = page(&c, 1200, 1600, 300, 900, m);
            assert!(finder_pairs(&g) >= 1, "module {m} px");
            let found = find_receipt_qr(&DynamicImage::ImageLuma8(g));
            assert_eq!(found.len(), 1, "module {m} px");
            assert_eq!(found[0].text, c.to_string());
        }
    }

    #[test]
    fn a_large_photo_is_searched_on_the_same_samples() {
        // 4000 px: searched at half size, boxes mapped back to the photo.
        let g = page(&code(), 3000, 4000, 1000, 2500, 12);
        let found = find_receipt_qr(&DynamicImage::ImageLuma8(g));
        assert_eq!(found.len(), 1);
        let b = found[0].bbox;
        assert!(
            b[0] >= 990 && b[0] <= 1010 && b[1] >= 2490 && b[1] <= 2510,
            "{b:?}"
        );
    }

    #[test]
    fn printed_text_has_no_finders() {
        let mut g = GrayImage::from_pixel(800, 600, Luma([240]));
        // Letter-like strokes: bars and rings of text size.
        for line in 0..12u32 {
            for k in 0..40u32 {
                let (x0, y0) = (20 + k * 19, 30 + line * 45);
                for y in y0..y0 + 22 {
                    for x in x0..x0 + 13 {
                        let ring = x == x0 || x == x0 + 12 || y == y0 || y == y0 + 21;
                        let bar = (k % 3 == 0) && (x - x0) % 6 < 2;
                        if ring || bar {
                            g.put_pixel(x, y, Luma([20]));
                        }
                    }
                }
            }
        }
        assert_eq!(finder_pairs(&g), 0);
        assert!(find_receipt_qr(&DynamicImage::ImageLuma8(g)).is_empty());
    }
}
