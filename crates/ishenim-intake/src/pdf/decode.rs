//! Decoding one image XObject or inline image into Luma8/Rgb8 pixels. The
//! declared size is checked against the limits and the page's pixel budget
//! before any stream is inflated, so a small file cannot claim gigabytes.

use std::io::Cursor;

use image::codecs::jpeg::JpegDecoder;
use image::{DynamicImage, GrayImage, ImageDecoder, RgbImage};
use lopdf::{Dictionary, Object, Stream};

use super::bilevel::{ccitt, jbig2};
use super::colour::ColourSpace;
use super::objects::{apply_generic, num};
use super::{PdfDoc, MAX_STREAM};
use crate::{convert, IntakeError, Limits};

/// A decoded image: Luma8 or Rgb8, or a stencil mask (Luma8 where 0 means
/// "paint black here").
pub(super) struct PdfImage {
    pub(super) img: DynamicImage,
    pub(super) stencil: bool,
}

/// The error for an image codec we do not decode, naming it (cut short) so the
/// operator knows which scanner setting to change.
fn unsupported_codec(name: &[u8]) -> IntakeError {
    let compression = match name {
        b"JPXDecode" => "JPEG 2000".to_string(),
        other => format!(
            "an unknown ({})",
            crate::raster::short(&String::from_utf8_lossy(&other[..other.len().min(40)]))
        ),
    };
    IntakeError::UnsupportedCompression {
        container: "PDF",
        compression,
    }
}

/// Decodes one image XObject (or inline image) after checking its declared
/// size against the limits and the per-page pixel budget.
pub(super) fn decode_image(
    doc: &PdfDoc,
    s: &Stream,
    resources: Option<&Dictionary>,
    limits: &Limits,
    budget: &mut u64,
) -> Result<PdfImage, IntakeError> {
    let d = &s.dict;
    let int = |k1: &[u8], k2: &[u8]| doc.get(d, k1).or_else(|| doc.get(d, k2)).and_then(num);
    let w = int(b"Width", b"W").unwrap_or(0.0);
    let h = int(b"Height", b"H").unwrap_or(0.0);
    if !(w >= 1.0 && h >= 1.0) {
        return Err(IntakeError::corrupt("PDF", "image without a size"));
    }
    let (w, h) = (w.min(1e12) as u64, h.min(1e12) as u64);
    limits.check_page(w, h)?;
    let px = w * h;
    if px > *budget {
        return Err(IntakeError::limit("the images on this page together"));
    }
    *budget -= px;
    let (wu, hu) = (w as usize, h as usize);
    let is_mask = matches!(
        doc.get(d, b"ImageMask").or_else(|| doc.get(d, b"IM")),
        Some(Object::Boolean(true))
    );
    let decode_inverted = doc
        .get(d, b"Decode")
        .or_else(|| doc.get(d, b"D"))
        .and_then(|o| o.as_array().ok())
        .and_then(|a| Some((num(a.first()?)?, num(a.get(1)?)?)))
        .is_some_and(|(lo, hi)| lo > hi);
    let bpc = int(b"BitsPerComponent", b"BPC").unwrap_or(if is_mask { 1.0 } else { 8.0 }) as usize;

    let cs = if is_mask {
        ColourSpace::Gray
    } else {
        match doc.get(d, b"ColorSpace").or_else(|| doc.get(d, b"CS")) {
            Some(o) => doc.colour_space(o, resources, 0)?,
            None => ColourSpace::Gray,
        }
    };

    let filters = doc.filters(d);
    let ends_in_codec = filters
        .last()
        .is_some_and(|(n, _)| apply_generic(n, None, &[], 0) == Ok(None));
    // Output cap of the generic filters: the raw pixel size (plus PNG
    // predictor bytes) when they produce pixels, else the file-size limit
    // (the input of an image codec is never bigger than a file).
    let cap = if ends_in_codec {
        usize::try_from(limits.max_bytes).unwrap_or(usize::MAX)
    } else {
        let bits = (wu as u64) * (cs.components() as u64) * (bpc.clamp(1, 16) as u64);
        let raw = bits.div_ceil(8).saturating_add(1).saturating_mul(h);
        usize::try_from(raw.saturating_add(65536)).unwrap_or(usize::MAX)
    };
    let (data, codec) = unfilter(&s.content, &filters, cap)?;

    let img: DynamicImage = match codec.as_ref().map(|(n, p)| (n.as_slice(), p.as_ref())) {
        Some((b"DCTDecode", _)) => decode_jpeg(&data, limits, decode_inverted)?,
        Some((b"CCITTFaxDecode", p)) => {
            let bits = ccitt(&data, p, wu, hu)?;
            let mut g = GrayImage::from_raw(w as u32, h as u32, bits)
                .ok_or_else(|| IntakeError::corrupt("PDF", "fax image size mismatch"))?;
            if decode_inverted {
                image::imageops::invert(&mut g);
            }
            return finish(g, is_mask, &cs);
        }
        Some((b"JBIG2Decode", p)) => {
            let globals = match p
                .and_then(|p| p.get(b"JBIG2Globals").ok())
                .and_then(|o| doc.deref(o))
            {
                Some(Object::Stream(g)) => Some(doc.decode_generic(g, MAX_STREAM)?),
                _ => None,
            };
            let mut g = jbig2(&data, globals.as_deref(), wu, hu)?;
            if decode_inverted {
                image::imageops::invert(&mut g);
            }
            return finish(g, is_mask, &cs);
        }
        Some((other, _)) => return Err(unsupported_codec(other)),
        None => return decode_raw(&data, (w, h), &cs, bpc, decode_inverted, is_mask),
    };
    Ok(PdfImage {
        img: convert::normalize(img),
        stencil: false,
    })
}

/// The image stream through its generic filters (output capped at `cap`); the image codec,
/// when the last filter is one, is returned with its parameters for the caller.
#[allow(clippy::type_complexity)]
fn unfilter(
    content: &[u8],
    filters: &[(Vec<u8>, Option<Dictionary>)],
    cap: usize,
) -> Result<(Vec<u8>, Option<(Vec<u8>, Option<Dictionary>)>), IntakeError> {
    let mut data: Vec<u8> = content.to_vec();
    let mut codec: Option<(Vec<u8>, Option<Dictionary>)> = None;
    for (i, (name, params)) in filters.iter().enumerate() {
        match apply_generic(name, params.as_ref(), &data, cap)
            .map_err(|e| e.into_intake("image"))?
        {
            Some(out) => data = out,
            None => {
                if i + 1 != filters.len() {
                    return Err(IntakeError::corrupt(
                        "PDF",
                        "image codec is not the last filter",
                    ));
                }
                codec = Some((name.clone(), params.clone()));
            }
        }
    }
    Ok((data, codec))
}

/// A DCT (JPEG) image, decoded within the page limits.
fn decode_jpeg(
    data: &[u8],
    limits: &Limits,
    decode_inverted: bool,
) -> Result<DynamicImage, IntakeError> {
    let mut dec = JpegDecoder::new(Cursor::new(data))
        .map_err(|e| crate::raster::map_image_error(e, "JPEG"))?;
    let (jw, jh) = dec.dimensions();
    limits.check_page(u64::from(jw), u64::from(jh))?;
    let mut il = image::Limits::default();
    il.max_image_width = Some(limits.max_side);
    il.max_image_height = Some(limits.max_side);
    il.max_alloc = Some(dec.total_bytes().saturating_add(64 * 1024 * 1024));
    dec.set_limits(il)
        .map_err(|e| crate::raster::map_image_error(e, "JPEG"))?;
    let mut img =
        DynamicImage::from_decoder(dec).map_err(|e| crate::raster::map_image_error(e, "JPEG"))?;
    if decode_inverted && img.color().channel_count() == 1 {
        img.invert();
    }
    Ok(img)
}

/// Pixels stored without an image codec: unpacked by bits per component and converted
/// from the colour space to grey (with the mask/stencil rule) or RGB.
fn decode_raw(
    data: &[u8],
    (w, h): (u64, u64),
    cs: &ColourSpace,
    bpc: usize,
    decode_inverted: bool,
    is_mask: bool,
) -> Result<PdfImage, IntakeError> {
    let (wu, hu) = (w as usize, h as usize);
    if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
        return Err(IntakeError::corrupt("PDF", "bad bits per component"));
    }
    let ncomp = cs.components();
    let row_bytes = (wu * ncomp * bpc).div_ceil(8);
    if data.len() < row_bytes * hu {
        return Err(IntakeError::Truncated { format: "PDF" });
    }
    let indexed = matches!(cs, ColourSpace::Indexed { .. });
    let samples = unpack(data, wu, hu, ncomp, bpc, !indexed);
    let img = match cs {
        ColourSpace::Gray | ColourSpace::Separation => {
            let mut g = GrayImage::from_raw(w as u32, h as u32, samples)
                .ok_or_else(|| IntakeError::corrupt("PDF", "image size mismatch"))?;
            if decode_inverted != matches!(cs, ColourSpace::Separation) {
                image::imageops::invert(&mut g);
            }
            return finish(g, is_mask, cs);
        }
        ColourSpace::Rgb => {
            let mut img = DynamicImage::ImageRgb8(
                RgbImage::from_raw(w as u32, h as u32, samples)
                    .ok_or_else(|| IntakeError::corrupt("PDF", "image size mismatch"))?,
            );
            if decode_inverted {
                img.invert();
            }
            img
        }
        ColourSpace::Cmyk => {
            let mut rgb = Vec::with_capacity(wu * hu * 3);
            for p in samples.chunks_exact(4) {
                let p = if decode_inverted {
                    [255 - p[0], 255 - p[1], 255 - p[2], 255 - p[3]]
                } else {
                    [p[0], p[1], p[2], p[3]]
                };
                rgb.extend_from_slice(&convert::cmyk_to_rgb(p[0], p[1], p[2], p[3]));
            }
            DynamicImage::ImageRgb8(
                RgbImage::from_raw(w as u32, h as u32, rgb)
                    .ok_or_else(|| IntakeError::corrupt("PDF", "image size mismatch"))?,
            )
        }
        ColourSpace::Indexed { base, lookup } => {
            let n = base.components();
            let mut rgb = Vec::with_capacity(wu * hu * 3);
            for &i in &samples {
                let at = usize::from(i) * n;
                let c = lookup.get(at..at + n).unwrap_or(&[0, 0, 0, 0][..n]);
                rgb.extend_from_slice(&match **base {
                    ColourSpace::Gray => [c[0]; 3],
                    ColourSpace::Separation => [255 - c[0]; 3],
                    ColourSpace::Rgb => [c[0], c[1], c[2]],
                    _ => convert::cmyk_to_rgb(c[0], c[1], c[2], c[3]),
                });
            }
            DynamicImage::ImageRgb8(
                RgbImage::from_raw(w as u32, h as u32, rgb)
                    .ok_or_else(|| IntakeError::corrupt("PDF", "image size mismatch"))?,
            )
        }
    };
    Ok(PdfImage {
        img: convert::normalize(img),
        stencil: false,
    })
}

/// A gray result as a page image, or as a stencil mask when the image is one.
fn finish(g: GrayImage, is_mask: bool, _cs: &ColourSpace) -> Result<PdfImage, IntakeError> {
    Ok(PdfImage {
        img: DynamicImage::ImageLuma8(g),
        stencil: is_mask,
    })
}

/// Unpacks `ncomp` components of `bpc` bits per pixel into one byte per
/// component; `scale` stretches small bit depths to 0..=255 (off for
/// palette indices).
fn unpack(data: &[u8], w: usize, h: usize, ncomp: usize, bpc: usize, scale: bool) -> Vec<u8> {
    let per_row = w * ncomp;
    let row_bytes = (per_row * bpc).div_ceil(8);
    let mut out = Vec::with_capacity(per_row * h);
    match bpc {
        8 => {
            for row in data.chunks(row_bytes).take(h) {
                out.extend_from_slice(&row[..per_row.min(row.len())]);
            }
        }
        16 => {
            for row in data.chunks(row_bytes).take(h) {
                out.extend(row.chunks_exact(2).take(per_row).map(|p| p[0]));
            }
        }
        _ => {
            let max = (1u16 << bpc) - 1;
            let mask = max as u8;
            for row in data.chunks(row_bytes).take(h) {
                for i in 0..per_row {
                    let bit = i * bpc;
                    let v = (row.get(bit / 8).copied().unwrap_or(0) >> (8 - bpc - bit % 8)) & mask;
                    out.push(if scale {
                        (u16::from(v) * 255 / max) as u8
                    } else {
                        v
                    });
                }
            }
        }
    }
    out.resize(per_row * h, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpack_bits() {
        assert_eq!(unpack(&[0b1010_0000], 3, 1, 1, 1, true), vec![255, 0, 255]);
        assert_eq!(unpack(&[0x12, 0x34], 1, 1, 1, 16, true), vec![0x12]);
        assert_eq!(unpack(&[0b0001_1011], 4, 1, 1, 2, false), vec![0, 1, 2, 3]);
    }
}
