//! Page images for the PDF: redaction by destroying pixels, then JPEG at the best quality
//! that keeps a page within [`MAX_PAGE_BYTES`].

use crate::PdfError;
use image::DynamicImage;

/// Size a page image should stay within: 300 KB, the target for a 300 dpi grey A4 page.
/// Quality is lowered step by step until the page fits (or the lowest step is reached).
pub const MAX_PAGE_BYTES: usize = 300 * 1000;

/// JPEG qualities tried in order.
const QUALITIES: [u8; 5] = [75, 62, 50, 40, 30];

/// A page image ready for the PDF.
#[derive(Debug, Clone)]
pub struct EncodedImage {
    /// JPEG bytes (`DCTDecode`).
    pub jpeg: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// One channel (DeviceGray) or three (DeviceRGB).
    pub grey: bool,
    /// The JPEG quality used.
    pub quality: u8,
}

/// Blacks out `boxes` (`[x0, y0, x1, y1]` in pixels, clipped to the image) in the pixel
/// buffer itself and encodes the page as JPEG: grey pages as one-channel JPEG, colour ones
/// as RGB. The hidden pixels are gone before encoding, so no layer of the file holds them.
pub fn encode_page(img: DynamicImage, boxes: &[[u32; 4]]) -> Result<EncodedImage, PdfError> {
    let grey = !img.color().has_color();
    let (width, height) = (img.width(), img.height());
    let clip = |b: &[u32; 4]| {
        let x0 = b[0].min(width);
        let y0 = b[1].min(height);
        (x0, y0, b[2].min(width).max(x0), b[3].min(height).max(y0))
    };
    if grey {
        let mut g = img.to_luma8();
        for b in boxes {
            let (x0, y0, x1, y1) = clip(b);
            for y in y0..y1 {
                for x in x0..x1 {
                    g.put_pixel(x, y, image::Luma([0]));
                }
            }
        }
        fit(width, height, true, |q, out| {
            let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(out, q);
            g.write_with_encoder(enc)
        })
    } else {
        let mut c = img.to_rgb8();
        for b in boxes {
            let (x0, y0, x1, y1) = clip(b);
            for y in y0..y1 {
                for x in x0..x1 {
                    c.put_pixel(x, y, image::Rgb([0, 0, 0]));
                }
            }
        }
        fit(width, height, false, |q, out| {
            let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(out, q);
            c.write_with_encoder(enc)
        })
    }
}

/// Encodes at falling qualities until the page fits.
fn fit(
    width: u32,
    height: u32,
    grey: bool,
    mut enc: impl FnMut(u8, &mut Vec<u8>) -> Result<(), image::ImageError>,
) -> Result<EncodedImage, PdfError> {
    let mut best = None;
    for q in QUALITIES {
        let mut out = Vec::new();
        enc(q, &mut out)?;
        let fits = out.len() <= MAX_PAGE_BYTES;
        best = Some(EncodedImage {
            jpeg: out,
            width,
            height,
            grey,
            quality: q,
        });
        if fits {
            break;
        }
    }
    best.ok_or_else(|| PdfError::Font("no JPEG quality configured".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_under_a_box_are_black_after_decoding() {
        let mut g = image::GrayImage::from_pixel(400, 300, image::Luma([255]));
        for x in 100..200 {
            g.put_pixel(x, 120, image::Luma([0]));
        }
        let e = encode_page(DynamicImage::ImageLuma8(g), &[[90, 100, 210, 140]]).expect("enc");
        assert!(e.grey);
        let back = image::load_from_memory(&e.jpeg).expect("decode").to_luma8();
        for y in 104..136 {
            for x in 94..206 {
                assert!(back.get_pixel(x, y).0[0] < 30, "({x},{y}) not black");
            }
        }
        assert!(back.get_pixel(20, 20).0[0] > 220, "outside stays white");
    }

    #[test]
    fn boxes_outside_the_image_are_clipped() {
        let g = image::GrayImage::from_pixel(50, 50, image::Luma([255]));
        let e = encode_page(DynamicImage::ImageLuma8(g), &[[40, 40, 900, 900]]).expect("enc");
        assert_eq!((e.width, e.height), (50, 50));
    }
}
