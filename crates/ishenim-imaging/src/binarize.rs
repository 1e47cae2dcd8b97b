//! Global thresholding (Otsu) and down-scaling helpers.

use crate::components::Bitmap;
use image::GrayImage;

/// Otsu's threshold of a grey image: pixels `<=` the value are ink.
pub fn otsu(img: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for p in img.pixels() {
        hist[p.0[0] as usize] += 1;
    }
    otsu_hist(&hist)
}

/// Otsu's threshold from a histogram.
pub fn otsu_hist(hist: &[u64; 256]) -> u8 {
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return 127;
    }
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w0, mut sum0, mut best, mut best_t) = (0f64, 0f64, -1f64, 127u8);
    for (t, &c) in hist.iter().enumerate() {
        w0 += c as f64;
        if w0 == 0.0 {
            continue;
        }
        let w1 = total as f64 - w0;
        if w1 == 0.0 {
            break;
        }
        sum0 += t as f64 * c as f64;
        let m0 = sum0 / w0;
        let m1 = (sum_all - sum0) / w1;
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// Threshold for ink on a flattened page: Otsu, but never above `max` so that a page of
/// mostly paper noise does not turn its noise into ink.
pub fn ink_threshold(img: &GrayImage) -> u8 {
    otsu(img).min(200)
}

/// Binarises `img`: ink where the value is `<= t`.
pub fn threshold(img: &GrayImage, t: u8) -> Bitmap {
    Bitmap {
        width: img.width(),
        height: img.height(),
        ink: img.as_raw().iter().map(|&p| p <= t).collect(),
    }
}

/// Shrinks a grey image by an integer factor taking the *minimum* of each block, so thin
/// strokes survive the reduction.
pub fn shrink_min(img: &GrayImage, f: u32) -> GrayImage {
    shrink(img, f, u32::MAX, |acc, v| acc.min(v), |acc, _| acc)
}

/// Shrinks a grey image by an integer factor averaging each block.
pub fn shrink_mean(img: &GrayImage, f: u32) -> GrayImage {
    let fu = f.max(1) as usize;
    let (w, h) = (img.width() as usize, img.height() as usize);
    let (ow, oh) = (w.div_ceil(fu), h.div_ceil(fu));
    if fu == 1 || w == 0 || h == 0 {
        return img.clone();
    }
    // Column sums over each band of `f` rows first (a plain vectorisable add of rows),
    // then sums of `f` columns: the same integer means as block-by-block, several times
    // faster on a 12-megapixel photo.
    let raw = img.as_raw();
    let mut cols = vec![0u32; w];
    let mut data = Vec::with_capacity(ow * oh);
    for by in 0..oh {
        cols.iter_mut().for_each(|c| *c = 0);
        let rows = (by * fu..((by + 1) * fu).min(h)).collect::<Vec<_>>();
        for &y in &rows {
            for (c, &v) in cols.iter_mut().zip(&raw[y * w..(y + 1) * w]) {
                *c += v as u32;
            }
        }
        let n_rows = rows.len() as u32;
        for chunk in cols.chunks(fu) {
            let sum: u32 = chunk.iter().sum();
            data.push((sum / (n_rows * chunk.len() as u32)).min(255) as u8);
        }
    }
    GrayImage::from_raw(ow as u32, oh as u32, data).unwrap_or_else(|| GrayImage::new(1, 1))
}

fn shrink(
    img: &GrayImage,
    f: u32,
    init: u32,
    fold: impl Fn(u32, u32) -> u32,
    done: impl Fn(u32, u32) -> u32,
) -> GrayImage {
    let f = f.max(1) as usize;
    let (w, h) = (img.width() as usize, img.height() as usize);
    let (ow, oh) = (w.div_ceil(f), h.div_ceil(f));
    let mut acc = vec![init; ow * oh];
    let mut cnt = vec![0u32; ow * oh];
    let raw = img.as_raw();
    for y in 0..h {
        let row = &raw[y * w..(y + 1) * w];
        let base = (y / f) * ow;
        for (bx, chunk) in row.chunks(f).enumerate() {
            let a = &mut acc[base + bx];
            for &v in chunk {
                *a = fold(*a, v as u32);
            }
            cnt[base + bx] += chunk.len() as u32;
        }
    }
    let data: Vec<u8> = acc
        .iter()
        .zip(&cnt)
        .map(|(&a, &n)| done(a, n).min(255) as u8)
        .collect();
    GrayImage::from_raw(ow as u32, oh as u32, data).unwrap_or_else(|| GrayImage::new(1, 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn otsu_splits_two_levels() {
        let img = GrayImage::from_fn(10, 10, |x, _| Luma([if x < 3 { 20 } else { 230 }]));
        let t = otsu(&img);
        assert!((20..230).contains(&t));
        let b = threshold(&img, t);
        assert_eq!(b.count(), 30);
    }

    #[test]
    fn shrink_mean_is_the_block_mean() {
        // Odd sizes: the last blocks are partial and averaged over what they hold.
        let img = GrayImage::from_fn(7, 5, |x, y| Luma([(x * 31 + y * 17) as u8]));
        for f in 1..=4 {
            let fast = shrink_mean(&img, f);
            let slow = shrink(&img, f, 0, |a, v| a + v, |a, n| a / n.max(1));
            assert_eq!(fast, slow, "factor {f}");
        }
    }

    #[test]
    fn shrink_min_keeps_thin_lines() {
        let mut img = GrayImage::from_pixel(8, 8, Luma([255]));
        img.put_pixel(5, 3, Luma([0]));
        let s = shrink_min(&img, 4);
        assert_eq!(s.dimensions(), (2, 2));
        assert_eq!(s.get_pixel(1, 0).0[0], 0);
    }
}
