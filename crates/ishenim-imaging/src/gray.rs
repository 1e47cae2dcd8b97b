//! Colour to grey conversion that keeps black print and drops coloured marks.

use image::{DynamicImage, GrayImage, RgbImage};

/// How much of the page's ink is coloured rather than neutral.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InkStats {
    /// Dark pixels that are roughly neutral (black/grey print or pencil).
    pub neutral: u64,
    /// Dark-ish pixels with strong chroma (blue pen, violet stamps, red marks).
    pub coloured: u64,
}

/// Converts any input to 8-bit grey.
///
/// For colour pages whose text is printed in black, the grey value is the *maximum* of the
/// three channels: blue pen and violet stamps become light and stop hiding the print.
/// When most of the ink is coloured (a letter handwritten in blue pen) the ordinary luma
/// is used instead, so the letter's own text is never erased.
pub fn to_gray(img: &DynamicImage) -> GrayImage {
    match img {
        DynamicImage::ImageLuma8(g) => g.clone(),
        DynamicImage::ImageRgb8(rgb) => rgb_to_gray(rgb),
        other => match other.color().has_color() {
            true => rgb_to_gray(&other.to_rgb8()),
            false => other.to_luma8(),
        },
    }
}

fn rgb_to_gray(rgb: &RgbImage) -> GrayImage {
    let stats = ink_stats(rgb);
    let keep_colour_ink = stats.coloured > stats.neutral / 2;
    let data: Vec<u8> = rgb
        .as_raw()
        .chunks_exact(3)
        .map(|p| {
            if keep_colour_ink {
                luma(p[0], p[1], p[2])
            } else {
                p[0].max(p[1]).max(p[2])
            }
        })
        .collect();
    GrayImage::from_raw(rgb.width(), rgb.height(), data)
        .unwrap_or_else(|| DynamicImage::ImageRgb8(rgb.clone()).to_luma8())
}

fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((r as u32 * 299 + g as u32 * 587 + b as u32 * 114) / 1000) as u8
}

/// Counts neutral and coloured ink on a sparse sample of the page.
pub fn ink_stats(rgb: &RgbImage) -> InkStats {
    let mut s = InkStats {
        neutral: 0,
        coloured: 0,
    };
    let step = 3;
    for y in (0..rgb.height()).step_by(step) {
        for x in (0..rgb.width()).step_by(step) {
            let [r, g, b] = rgb.get_pixel(x, y).0;
            let max = r.max(g).max(b) as i32;
            let min = r.min(g).min(b) as i32;
            let l = luma(r, g, b) as i32;
            let chroma = max - min;
            if chroma > 60 && l < 200 {
                s.coloured += 1;
            } else if max < 110 {
                s.neutral += 1;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn page_with(ink: Rgb<u8>, pen: Option<Rgb<u8>>) -> RgbImage {
        let mut img = RgbImage::from_pixel(200, 200, Rgb([250, 248, 240]));
        for y in 20..180 {
            if y % 10 < 3 {
                for x in 20..180 {
                    img.put_pixel(x, y, ink);
                }
            }
        }
        if let Some(p) = pen {
            for y in 50..60 {
                for x in 20..120 {
                    img.put_pixel(x, y, p);
                }
            }
        }
        img
    }

    #[test]
    fn blue_pen_over_black_print_is_dropped() {
        let img = page_with(Rgb([10, 10, 10]), Some(Rgb([20, 40, 200])));
        let g = to_gray(&DynamicImage::ImageRgb8(img));
        assert!(g.get_pixel(70, 55).0[0] > 180, "pen should fade");
        assert!(g.get_pixel(70, 21).0[0] < 40, "print stays black");
    }

    #[test]
    fn letter_written_in_blue_keeps_its_ink() {
        let img = page_with(Rgb([20, 40, 200]), None);
        let g = to_gray(&DynamicImage::ImageRgb8(img));
        assert!(
            g.get_pixel(70, 21).0[0] < 90,
            "handwriting must stay visible"
        );
    }
}
