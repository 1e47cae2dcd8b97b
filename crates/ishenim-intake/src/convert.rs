//! Conversion of decoded pixels to the two page layouts the pipeline uses:
//! `Luma8` (gray, bilevel) and `Rgb8` (colour).

use image::{DynamicImage, GrayImage, RgbImage};

/// A pixel counts as coloured when its channels differ by more than this.
/// JPEG chroma noise on gray scans stays well below it.
const COLOUR_SPREAD: u8 = 24;

/// Converts any decoded image to `Luma8` or `Rgb8`; alpha is flattened onto
/// white, 16-bit and float samples are scaled to 8 bits, and an RGB image
/// without real colour becomes `Luma8`.
pub(crate) fn normalize(img: DynamicImage) -> DynamicImage {
    match img {
        DynamicImage::ImageLuma8(_) => img,
        DynamicImage::ImageRgb8(rgb) => gray_if_colourless(rgb),
        DynamicImage::ImageLuma16(_) => DynamicImage::ImageLuma8(img.to_luma8()),
        DynamicImage::ImageLumaA8(_) | DynamicImage::ImageLumaA16(_) => {
            let la = img.to_luma_alpha8();
            let (w, h) = la.dimensions();
            let mut out = GrayImage::new(w, h);
            for (o, p) in out.pixels_mut().zip(la.pixels()) {
                o.0[0] = over_white(p.0[0], p.0[1]);
            }
            DynamicImage::ImageLuma8(out)
        }
        DynamicImage::ImageRgb16(_) | DynamicImage::ImageRgb32F(_) => {
            gray_if_colourless(img.to_rgb8())
        }
        _ => {
            // Anything with alpha (Rgba8/16/32F, and future layouts).
            let rgba = img.to_rgba8();
            let (w, h) = rgba.dimensions();
            let mut out = RgbImage::new(w, h);
            for (o, p) in out.pixels_mut().zip(rgba.pixels()) {
                let a = p.0[3];
                o.0 = [
                    over_white(p.0[0], a),
                    over_white(p.0[1], a),
                    over_white(p.0[2], a),
                ];
            }
            gray_if_colourless(out)
        }
    }
}

fn over_white(c: u8, a: u8) -> u8 {
    let (c, a) = (u32::from(c), u32::from(a));
    ((c * a + 255 * (255 - a) + 127) / 255) as u8
}

/// Returns `Luma8` when the RGB image has (almost) no coloured pixels:
/// fewer than max(16, pixels / 20000) pixels with a channel spread above
/// [`COLOUR_SPREAD`]. Otherwise keeps the colour.
pub(crate) fn gray_if_colourless(rgb: RgbImage) -> DynamicImage {
    let total = u64::from(rgb.width()) * u64::from(rgb.height());
    let allowed = (total / 20_000).max(16);
    let mut coloured = 0u64;
    for p in rgb.pixels() {
        let [r, g, b] = p.0;
        let spread = r.max(g).max(b) - r.min(g).min(b);
        if spread > COLOUR_SPREAD {
            coloured += 1;
            if coloured > allowed {
                return DynamicImage::ImageRgb8(rgb);
            }
        }
    }
    DynamicImage::ImageLuma8(DynamicImage::ImageRgb8(rgb).to_luma8())
}

/// Naive CMYK → RGB (no colour management; good enough for OCR and for
/// telling coloured ink from black).
pub(crate) fn cmyk_to_rgb(c: u8, m: u8, y: u8, k: u8) -> [u8; 3] {
    let k = 255 - u32::from(k);
    let f = |v: u8| (((255 - u32::from(v)) * k + 127) / 255) as u8;
    [f(c), f(m), f(y)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Luma, LumaA, Rgb, Rgba};

    #[test]
    fn gray_rgb_becomes_luma() {
        let img = RgbImage::from_fn(50, 50, |x, _| {
            let v = (x * 5) as u8;
            Rgb([v, v.saturating_add(3), v])
        });
        assert!(matches!(
            normalize(DynamicImage::ImageRgb8(img)),
            DynamicImage::ImageLuma8(_)
        ));
    }

    #[test]
    fn coloured_stamp_keeps_colour() {
        let img = RgbImage::from_fn(100, 100, |x, y| {
            if (40..60).contains(&x) && (40..60).contains(&y) {
                Rgb([120, 60, 200])
            } else {
                Rgb([250, 250, 250])
            }
        });
        assert!(matches!(
            normalize(DynamicImage::ImageRgb8(img)),
            DynamicImage::ImageRgb8(_)
        ));
    }

    #[test]
    fn alpha_is_flattened_on_white() {
        let la: ImageBuffer<LumaA<u8>, Vec<u8>> = ImageBuffer::from_pixel(2, 2, LumaA([0, 0]));
        let out = normalize(DynamicImage::ImageLumaA8(la)).to_luma8();
        assert_eq!(out.get_pixel(0, 0).0[0], 255);
        let rgba: ImageBuffer<Rgba<u8>, Vec<u8>> =
            ImageBuffer::from_pixel(2, 2, Rgba([0, 0, 0, 255]));
        let out = normalize(DynamicImage::ImageRgba8(rgba));
        assert_eq!(out.as_luma8().map(|g| g.get_pixel(0, 0).0[0]), Some(0));
    }

    #[test]
    fn sixteen_bit_is_scaled() {
        let g: ImageBuffer<Luma<u16>, Vec<u16>> = ImageBuffer::from_pixel(1, 1, Luma([0xFFFF]));
        let out = normalize(DynamicImage::ImageLuma16(g));
        assert_eq!(out.as_luma8().map(|g| g.get_pixel(0, 0).0[0]), Some(255));
    }

    #[test]
    fn cmyk() {
        assert_eq!(cmyk_to_rgb(0, 0, 0, 0), [255, 255, 255]);
        assert_eq!(cmyk_to_rgb(0, 0, 0, 255), [0, 0, 0]);
        assert_eq!(cmyk_to_rgb(255, 0, 0, 0), [0, 255, 255]);
    }
}
