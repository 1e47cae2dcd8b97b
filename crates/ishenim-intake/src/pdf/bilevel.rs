//! The two bilevel fax codecs scanners put in PDFs (CCITT G3/G4 and
//! JBIG2), each decoded to one gray byte per pixel with PDF's sample
//! meaning, so the caller treats them like any other gray image.

use image::GrayImage;
use lopdf::Dictionary;

use super::objects::param;
use crate::IntakeError;

/// CCITTFaxDecode → one gray byte per pixel with PDF sample semantics:
/// sample 0 → 0 (black in DeviceGray), 1 → 255.
pub(super) fn ccitt(
    data: &[u8],
    p: Option<&Dictionary>,
    w: usize,
    h: usize,
) -> Result<Vec<u8>, IntakeError> {
    let k = param(p, b"K").unwrap_or(0.0) as i64;
    let columns = param(p, b"Columns").unwrap_or(1728.0);
    let black_is_1 = p
        .and_then(|p| p.get(b"BlackIs1").ok())
        .and_then(|o| o.as_bool().ok())
        .unwrap_or(false);
    if columns as usize != w {
        return Err(IntakeError::corrupt(
            "PDF",
            "fax image width differs from /Columns",
        ));
    }
    let width = u16::try_from(w)
        .map_err(|_| IntakeError::UnsupportedFeature("fax images wider than 65535 px".into()))?;
    let height = u16::try_from(h)
        .map_err(|_| IntakeError::UnsupportedFeature("fax images taller than 65535 px".into()))?;
    let (black, white) = if black_is_1 {
        (255u8, 0u8)
    } else {
        (0u8, 255u8)
    };
    let mut out = vec![white; w * h];
    let mut row = 0usize;
    let mut line = |transitions: &[u16]| {
        if row < h {
            let dst = &mut out[row * w..(row + 1) * w];
            for (px, c) in dst.iter_mut().zip(fax::decoder::pels(transitions, width)) {
                *px = if c == fax::Color::Black { black } else { white };
            }
            row += 1;
        }
    };
    let ok = if k < 0 {
        fax::decoder::decode_g4(data.iter().copied(), width, Some(height), &mut line)
    } else if k == 0 {
        fax::decoder::decode_g3(data.iter().copied(), &mut line)
    } else {
        return Err(IntakeError::UnsupportedCompression {
            container: "PDF",
            compression: "CCITT Group 3 2-D".into(),
        });
    };
    if ok.is_none() && row == 0 {
        return Err(IntakeError::corrupt(
            "PDF",
            "fax image data could not be decoded",
        ));
    }
    Ok(out)
}

/// JBIG2Decode (embedded organisation, optional /JBIG2Globals) → one gray
/// byte per pixel, black = 0. The page size in the JBIG2 data must match the
/// image dictionary, which was already checked against the limits.
pub(super) fn jbig2(
    data: &[u8],
    globals: Option<&[u8]>,
    w: usize,
    h: usize,
) -> Result<GrayImage, IntakeError> {
    use hayro_jbig2::{DecodeSettings, Globals, Page};
    let bad = || IntakeError::corrupt("PDF", "JBIG2 image data could not be decoded");
    let settings = DecodeSettings::default();
    let globals = match globals {
        Some(g) => Some(Globals::new(g, &settings).map_err(|_| bad())?),
        None => None,
    };
    let page = Page::new_embedded(data, globals.as_ref(), &settings).map_err(|_| bad())?;
    if page.width() as usize != w || page.height() as usize != h {
        return Err(IntakeError::corrupt(
            "PDF",
            "JBIG2 page size differs from the image size",
        ));
    }
    struct Sink {
        buf: Vec<u8>,
        w: usize,
        x: usize,
        row: usize,
    }
    impl hayro_jbig2::Decoder for Sink {
        fn push_pixel(&mut self, black: bool) {
            if self.x < self.w {
                if let Some(p) = self.buf.get_mut(self.row * self.w + self.x) {
                    *p = if black { 0 } else { 255 };
                }
            }
            self.x += 1;
        }
        fn push_pixel_chunk(&mut self, black: bool, chunk_count: u32) {
            for _ in 0..(chunk_count as usize).saturating_mul(8).min(self.w + 8) {
                self.push_pixel(black);
            }
        }
        fn next_line(&mut self) {
            self.row += 1;
            self.x = 0;
        }
    }
    let mut sink = Sink {
        buf: vec![255; w * h],
        w,
        x: 0,
        row: 0,
    };
    page.decode(&mut sink).map_err(|_| bad())?;
    GrayImage::from_raw(w as u32, h as u32, sink.buf).ok_or_else(bad)
}
