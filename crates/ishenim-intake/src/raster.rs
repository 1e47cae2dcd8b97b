//! Single-page PNG and JPEG, decoded with the `image` crate under explicit
//! limits after the header has been checked.

use std::io::{Cursor, ErrorKind};

use image::codecs::jpeg::JpegDecoder;
use image::codecs::png::PngDecoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError};

use crate::{convert, meta, DecodedPage, Format, IntakeError, Limits};

/// Slack for decoder-internal buffers on top of the output image.
const DECODER_SLACK: u64 = 64 * 1024 * 1024;

pub(crate) struct RasterDoc<'a> {
    bytes: &'a [u8],
    format: Format,
    limits: Limits,
}

impl<'a> RasterDoc<'a> {
    /// Reads the header only and checks the page size.
    pub(crate) fn open(
        bytes: &'a [u8],
        format: Format,
        limits: Limits,
    ) -> Result<Self, IntakeError> {
        let doc = RasterDoc {
            bytes,
            format,
            limits,
        };
        if format == Format::Jpeg {
            let info = meta::jpeg_info(bytes);
            if !info.has_sos || !info.has_eoi {
                return Err(IntakeError::Truncated { format: "JPEG" });
            }
        }
        let (w, h) = match format {
            Format::Png => PngDecoder::new(Cursor::new(bytes))
                .map_err(|e| map_image_error(e, "PNG"))?
                .dimensions(),
            _ => JpegDecoder::new(Cursor::new(bytes))
                .map_err(|e| map_image_error(e, "JPEG"))?
                .dimensions(),
        };
        limits.check_page(u64::from(w), u64::from(h))?;
        Ok(doc)
    }

    pub(crate) fn page(&self) -> Result<DecodedPage, IntakeError> {
        match self.format {
            Format::Png => {
                let d = PngDecoder::new(Cursor::new(self.bytes))
                    .map_err(|e| map_image_error(e, "PNG"))?;
                let dpi = meta::png_dpi(self.bytes);
                decode(d, "PNG", dpi, &self.limits)
            }
            _ => {
                let d = JpegDecoder::new(Cursor::new(self.bytes))
                    .map_err(|e| map_image_error(e, "JPEG"))?;
                let info = meta::jpeg_info(self.bytes);
                decode(d, "JPEG", info.jfif_dpi.or(info.exif_dpi), &self.limits)
            }
        }
    }
}

/// Checks the size, sets explicit limits, decodes, applies the orientation
/// and converts to Luma8/Rgb8.
pub(crate) fn decode(
    mut d: impl ImageDecoder,
    format: &'static str,
    dpi: Option<f64>,
    limits: &Limits,
) -> Result<DecodedPage, IntakeError> {
    let (w, h) = d.dimensions();
    limits.check_page(u64::from(w), u64::from(h))?;
    let mut il = image::Limits::default();
    il.max_image_width = Some(limits.max_side);
    il.max_image_height = Some(limits.max_side);
    il.max_alloc = Some(d.total_bytes().saturating_add(DECODER_SLACK));
    d.set_limits(il).map_err(|e| map_image_error(e, format))?;
    let orientation = d.orientation().unwrap_or(Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(d).map_err(|e| map_image_error(e, format))?;
    let mut notes = Vec::new();
    if orientation != Orientation::NoTransforms {
        img.apply_orientation(orientation);
        notes.push(format!("EXIF orientation applied ({orientation:?})"));
    }
    let img = convert::normalize(img);
    // The density describes the stored pixels; a 90° turn swaps the axes
    // but we only use one value, so it stays valid.
    let dpi = dpi.and_then(|d| meta::plausible_dpi(d, img.width(), img.height()));
    Ok(DecodedPage {
        image: img,
        dpi,
        text_layer: None,
        notes,
    })
}

/// Maps an `image` error to an intake error with a fixed-vocabulary detail.
pub(crate) fn map_image_error(e: ImageError, format: &'static str) -> IntakeError {
    match e {
        ImageError::IoError(io) if io.kind() == ErrorKind::UnexpectedEof => {
            IntakeError::Truncated { format }
        }
        ImageError::Limits(_) => IntakeError::limit(format!("the {format} image")),
        ImageError::Unsupported(_) => {
            IntakeError::UnsupportedFeature(format!("this kind of {format} image"))
        }
        other => {
            let msg = other.to_string();
            let lower = msg.to_ascii_lowercase();
            if lower.contains("eof")
                || lower.contains("end of file")
                || lower.contains("truncat")
                || lower.contains("not enough data")
                || lower.contains("no more data")
                || lower.contains("unexpected end")
            {
                IntakeError::Truncated { format }
            } else {
                // Decoder messages may quote bytes of the file: use a fixed text.
                IntakeError::corrupt(format, "the image data could not be decoded")
            }
        }
    }
}

/// Reduces a third-party diagnostic to one short line of plain ASCII
/// (letters, digits, spaces and a little punctuation), so that bytes quoted
/// from the file cannot smuggle document text, control characters or markup
/// into messages and logs.
pub(crate) fn short(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .,:;()_/-".contains(c) {
                c
            } else {
                ' '
            }
        })
        .take(100)
        .collect();
    clean.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, ImageFormat, Luma, Rgb, RgbImage};

    fn encode(img: &DynamicImage, f: ImageFormat) -> Vec<u8> {
        let mut v = Vec::new();
        img.write_to(&mut Cursor::new(&mut v), f).expect("encode");
        v
    }

    #[test]
    fn png_gray_roundtrip() {
        let g = GrayImage::from_fn(40, 30, |x, _| Luma([(x * 6) as u8]));
        let bytes = encode(&DynamicImage::ImageLuma8(g.clone()), ImageFormat::Png);
        let doc = crate::open(&bytes, &Limits::default()).expect("open");
        assert_eq!(doc.page_count(), 1);
        let p = doc.page(0).expect("page");
        assert_eq!(p.image.as_luma8(), Some(&g));
        assert_eq!(p.dpi, None);
    }

    #[test]
    fn jpeg_colour_kept_and_truncation_detected() {
        let c = RgbImage::from_fn(64, 64, |x, _| {
            if x < 32 {
                Rgb([200, 30, 30])
            } else {
                Rgb([250, 250, 250])
            }
        });
        let bytes = encode(&DynamicImage::ImageRgb8(c), ImageFormat::Jpeg);
        let doc = crate::open(&bytes, &Limits::default()).expect("open");
        let p = doc.page(0).expect("page");
        assert!(p.image.as_rgb8().is_some());
        let cut = &bytes[..bytes.len() / 2];
        assert_eq!(
            crate::open(cut, &Limits::default()).unwrap_err().code(),
            "truncated"
        );
    }

    #[test]
    fn diagnostics_are_sanitised() {
        assert_eq!(short("bad <chunk>\n «IDA» Салам  x"), "bad chunk IDA x");
    }

    #[test]
    fn truncated_png() {
        let g = GrayImage::from_fn(200, 200, |x, y| Luma([((x * y) % 251) as u8]));
        let bytes = encode(&DynamicImage::ImageLuma8(g), ImageFormat::Png);
        let cut = &bytes[..bytes.len() * 2 / 3];
        let r = crate::open(cut, &Limits::default()).and_then(|d| d.page(0));
        assert_eq!(r.unwrap_err().code(), "truncated");
    }
}
