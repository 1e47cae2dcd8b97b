//! Removes the printing of notebook paper — thin, long, horizontal rules and grid lines —
//! from a prepared page, keeping the strokes that touch or cross them.
//!
//! Why: grey rules have the hue of grey or black ink, so the colour conversion cannot drop
//! them. A handwritten line or a printed line sitting on a rule then joins it into one
//! page-wide blob: Tesseract's layout takes it for a rule or a picture, and the unread check
//! (which skips rules) never sees the line either.

use image::GrayImage;

/// Erases long thin horizontal runs of ink (value `<= t`) from `img`, a deskewed page whose
/// characters are about `ch` pixels high. A pixel of such a run goes only where the ink at
/// its column is thin (a stroke crossing or resting on the rule is kept). Returns the number
/// of rows holding rule pieces; nothing is changed unless there are at least `MIN_RULES`
/// distinct rules (a ruled sheet, not a letter with one underline or a table).
pub fn remove_rules(img: &mut GrayImage, t: u8, ch: f32) -> usize {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if ch < 4.0 || w < 64 || h < 64 {
        return 0;
    }
    let min_len = (3.0 * ch) as usize;
    let max_thick = ((0.15 * ch).round() as usize).max(3);
    let raw = img.as_raw();
    let ink = |x: usize, y: usize| raw[y * w + x] <= t;
    // Long runs, row by row.
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    for y in 0..h {
        let row = &raw[y * w..(y + 1) * w];
        let mut x = 0;
        while x < w {
            if row[x] <= t {
                let s = x;
                while x < w && row[x] <= t {
                    x += 1;
                }
                if x - s >= min_len {
                    runs.push((y, s, x));
                }
            } else {
                x += 1;
            }
        }
    }
    // Distinct rules: groups of rows with runs, separated by rows without.
    let mut rows: Vec<usize> = runs.iter().map(|r| r.0).collect();
    rows.dedup();
    let rules = rows.windows(2).filter(|p| p[1] > p[0] + max_thick).count() + 1;
    if runs.is_empty() || rules < MIN_RULES {
        return 0;
    }
    let mut erase: Vec<(usize, usize)> = Vec::new();
    for &(y, x0, x1) in &runs {
        for x in x0..x1 {
            let up = (1..=max_thick + 1)
                .take_while(|&d| y >= d && ink(x, y - d))
                .count();
            let down = (1..=max_thick + 1)
                .take_while(|&d| y + d < h && ink(x, y + d))
                .count();
            if up + down < max_thick {
                erase.push((x, y));
            }
        }
    }
    // On a ruled sheet the margin line and the grid's columns go too: vertical runs longer
    // than any letter (5 character heights), thin across.
    let vmin = (5.0 * ch) as usize;
    for x in 0..w {
        let mut y = 0;
        while y < h {
            if !ink(x, y) {
                y += 1;
                continue;
            }
            let s = y;
            while y < h && ink(x, y) {
                y += 1;
            }
            if y - s < vmin {
                continue;
            }
            for yy in s..y {
                let left = (1..=max_thick + 1)
                    .take_while(|&d| x >= d && ink(x - d, yy))
                    .count();
                let right = (1..=max_thick + 1)
                    .take_while(|&d| x + d < w && ink(x + d, yy))
                    .count();
                if left + right < max_thick {
                    erase.push((x, yy));
                }
            }
        }
    }
    let buf: &mut [u8] = img;
    for (x, y) in erase {
        buf[y * w + x] = 255;
    }
    rows.len()
}

/// Fewest rules that make a page ruled.
pub const MIN_RULES: usize = 5;

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// Rules every 60 px, 2 px thick, a margin line, and one vertical stroke crossing a rule.
    fn ruled() -> GrayImage {
        let mut img = GrayImage::from_pixel(600, 400, Luma([255]));
        for k in 0..6u32 {
            for y in 30 + 60 * k..32 + 60 * k {
                for x in 10..590 {
                    img.put_pixel(x, y, Luma([60]));
                }
            }
        }
        for y in 70..100 {
            for x in 200..204 {
                img.put_pixel(x, y, Luma([0]));
            }
        }
        for y in 5..395 {
            img.put_pixel(500, y, Luma([50]));
            img.put_pixel(501, y, Luma([50]));
        }
        img
    }

    #[test]
    fn rules_go_and_a_crossing_stroke_stays_whole() {
        let mut img = ruled();
        assert!(remove_rules(&mut img, 128, 30.0) > 0);
        assert_eq!(img.get_pixel(100, 30).0[0], 255, "rule erased");
        assert_eq!(img.get_pixel(100, 331).0[0], 255, "rule erased");
        assert_eq!(img.get_pixel(500, 200).0[0], 255, "margin line erased");
        for y in 70..100 {
            assert_eq!(img.get_pixel(201, y).0[0], 0, "stroke kept at {y}");
        }
    }

    #[test]
    fn one_underline_is_not_a_ruled_sheet() {
        let mut img = GrayImage::from_pixel(600, 400, Luma([255]));
        for x in 10..590 {
            img.put_pixel(x, 200, Luma([0]));
        }
        assert_eq!(remove_rules(&mut img, 128, 30.0), 0);
        assert_eq!(img.get_pixel(100, 200).0[0], 0);
    }
}
