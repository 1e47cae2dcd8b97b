//! TIFF: multi-page, read page by page with the `tiff` crate. The page chain
//! is walked (and the page count bounded) by our own small IFD walker before
//! the decoder sees the file.

use std::collections::HashSet;
use std::io::{Cursor, ErrorKind};
use std::sync::Mutex;

use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, ImageBuffer, Luma, LumaA, Rgb, RgbImage, Rgba};
use tiff::decoder::{Decoder, DecodingResult};
use tiff::tags::Tag;
use tiff::{ColorType, TiffError};

use crate::{convert, meta, DecodedPage, IntakeError, Limits};

type Dec<'a> = Decoder<Cursor<&'a [u8]>>;

pub(crate) struct TiffDoc<'a> {
    bytes: &'a [u8],
    pages: usize,
    limits: Limits,
    /// One decoder reused across pages, so page `i+1` after page `i` does
    /// not re-walk the chain. `None` after an error (rebuilt on next use).
    dec: Mutex<Option<Dec<'a>>>,
}

impl<'a> TiffDoc<'a> {
    pub(crate) fn open(bytes: &'a [u8], limits: Limits) -> Result<Self, IntakeError> {
        let pages = count_pages(bytes, limits.max_pages)?;
        let dec = new_decoder(bytes, &limits)?;
        Ok(TiffDoc {
            bytes,
            pages,
            limits,
            dec: Mutex::new(Some(dec)),
        })
    }

    pub(crate) fn page_count(&self) -> usize {
        self.pages
    }

    pub(crate) fn page(&self, index: usize) -> Result<DecodedPage, IntakeError> {
        let mut slot = match self.dec.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut dec = match slot.take() {
            Some(d) => d,
            None => new_decoder(self.bytes, &self.limits)?,
        };
        let result = decode_page(&mut dec, index, &self.limits, self.bytes);
        if result.is_ok() {
            *slot = Some(dec);
        }
        result
    }
}

fn new_decoder<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Dec<'a>, IntakeError> {
    let mut tl = tiff::decoder::Limits::default();
    // Largest buffer: the page at up to 4 bytes a pixel (RGBA8, or RGB16
    // at 3/4 of the pixel limit).
    tl.decoding_buffer_size =
        usize::try_from(limits.max_pixels.saturating_mul(4)).unwrap_or(usize::MAX);
    tl.intermediate_buffer_size = 128 * 1024 * 1024;
    tl.ifd_value_size = 4 * 1024 * 1024;
    Decoder::new(Cursor::new(bytes))
        .map(|d| d.with_limits(tl))
        .map_err(map_tiff_error)
}

/// Walks the IFD chain without interpreting it: counts pages, refuses loops,
/// out-of-file offsets and more than `max_pages` pages.
fn count_pages(b: &[u8], max_pages: usize) -> Result<usize, IntakeError> {
    let le = match b.get(0..2) {
        Some(b"II") => true,
        Some(b"MM") => false,
        _ => return Err(IntakeError::corrupt("TIFF", "bad byte-order mark")),
    };
    let rd = |p: usize, n: usize| -> Result<u64, IntakeError> {
        let s = p
            .checked_add(n)
            .and_then(|e| b.get(p..e))
            .ok_or(IntakeError::Truncated { format: "TIFF" })?;
        let mut v = 0u64;
        for i in 0..n {
            let byte = if le { s[n - 1 - i] } else { s[i] };
            v = (v << 8) | u64::from(byte);
        }
        Ok(v)
    };
    let magic = rd(2, 2)?;
    let big = match magic {
        42 => false,
        43 => {
            if rd(4, 2)? != 8 || rd(6, 2)? != 0 {
                return Err(IntakeError::corrupt("TIFF", "bad BigTIFF header"));
            }
            true
        }
        _ => return Err(IntakeError::corrupt("TIFF", "bad header")),
    };
    let (count_size, entry_size, off_size) = if big { (8, 20, 8) } else { (2, 12, 4) };
    let mut next = if big { rd(8, 8)? } else { rd(4, 4)? };
    let mut seen = HashSet::new();
    let mut pages = 0usize;
    while next != 0 {
        if !seen.insert(next) {
            return Err(IntakeError::corrupt("TIFF", "the page chain loops"));
        }
        if pages == max_pages {
            return Err(IntakeError::TooManyPages { max: max_pages });
        }
        let off = usize::try_from(next).map_err(|_| IntakeError::Truncated { format: "TIFF" })?;
        let n = rd(off, count_size)?;
        if n == 0 {
            return Err(IntakeError::corrupt("TIFF", "empty page directory"));
        }
        let n = usize::try_from(n).map_err(|_| IntakeError::Truncated { format: "TIFF" })?;
        let next_at = n
            .checked_mul(entry_size)
            .and_then(|x| x.checked_add(off + count_size))
            .ok_or(IntakeError::Truncated { format: "TIFF" })?;
        next = rd(next_at, off_size)?;
        pages += 1;
    }
    if pages == 0 {
        return Err(IntakeError::corrupt("TIFF", "no pages"));
    }
    Ok(pages)
}

fn compression_name(c: u16) -> Option<&'static str> {
    Some(match c {
        1 | 4 | 5 | 7 | 8 | 32946 | 32773 => return None,
        2 => "CCITT modified Huffman (RLE)",
        6 => "old-style JPEG",
        9 | 10 => "JBIG",
        32771 => "CCITT RLEW",
        32809 => "ThunderScan",
        32895..=32898 => "IT8",
        32908 | 32909 => "Pixar",
        34661 => "JBIG",
        34676 | 34677 => "SGI LogLuv",
        34712 | 33003 | 33004 | 33005 | 34713 => "JPEG 2000",
        34925 => "LZMA",
        50000 => "Zstandard",
        50001 => "WebP",
        50002 => "JPEG XL",
        _ => "an unknown",
    })
}

fn decode_page(
    dec: &mut Dec<'_>,
    index: usize,
    limits: &Limits,
    bytes: &[u8],
) -> Result<DecodedPage, IntakeError> {
    dec.seek_to_image(index).map_err(map_tiff_error)?;
    let (w, h) = dec.dimensions().map_err(map_tiff_error)?;
    limits.check_page(u64::from(w), u64::from(h))?;
    let compression: u16 = dec
        .find_tag_unsigned(Tag::Compression)
        .map_err(map_tiff_error)?
        .unwrap_or(1);
    let mut notes = Vec::new();
    let img = if compression == 3 {
        notes.push("CCITT Group 3 page".to_string());
        decode_fax(dec, w, h, bytes, false)?
    } else if compression == 4 && dec.get_chunk_type() == tiff::decoder::ChunkType::Strip {
        // Our own strip loop is about twice as fast as the tiff crate's
        // bit-packed G4 reader; fall back to it if ours fails.
        match decode_fax(dec, w, h, bytes, true) {
            Ok(img) => img,
            Err(_) => decode_generic(dec, w, h)?,
        }
    } else if let Some(name) = compression_name(compression) {
        return Err(IntakeError::UnsupportedCompression {
            container: "TIFF",
            compression: if name == "an unknown" {
                format!("an unknown ({compression})")
            } else {
                name.to_string()
            },
        });
    } else {
        decode_generic(dec, w, h)?
    };

    let mut img = img;
    if let Ok(Some(o)) = dec.find_tag_unsigned::<u8>(Tag::Orientation) {
        if let Some(o) = Orientation::from_exif(o).filter(|o| *o != Orientation::NoTransforms) {
            img.apply_orientation(o);
            notes.push(format!("TIFF orientation applied ({o:?})"));
        }
    }
    let img = convert::normalize(img);
    let dpi = tiff_dpi(dec).and_then(|d| meta::plausible_dpi(d, img.width(), img.height()));
    Ok(DecodedPage {
        image: img,
        dpi,
        text_layer: None,
        notes,
    })
}

/// Any page the `tiff` crate decodes itself.
fn decode_generic(dec: &mut Dec<'_>, w: u32, h: u32) -> Result<DynamicImage, IntakeError> {
    let photometric: u16 = dec
        .find_tag_unsigned(Tag::PhotometricInterpretation)
        .map_err(map_tiff_error)?
        .unwrap_or(1);
    if photometric == 3 {
        // The tiff crate does not decode palette images.
        return Err(IntakeError::UnsupportedFeature(
            "palette (indexed-colour) TIFF".into(),
        ));
    }
    let ct = dec.colortype().map_err(map_tiff_error)?;
    let data = dec.read_image().map_err(map_tiff_error)?;
    to_image(w, h, ct, data)
}

fn tiff_dpi(dec: &mut Dec<'_>) -> Option<f64> {
    use tiff::decoder::ifd::Value;
    let x = match dec.find_tag(Tag::XResolution).ok()?? {
        Value::Rational(n, d) if d != 0 => f64::from(n) / f64::from(d),
        Value::Float(f) => f64::from(f),
        Value::Double(f) => f,
        Value::Short(v) => f64::from(v),
        Value::Unsigned(v) => f64::from(v),
        _ => return None,
    };
    let unit: u16 = dec
        .find_tag_unsigned(Tag::ResolutionUnit)
        .ok()
        .flatten()
        .unwrap_or(2);
    match unit {
        2 => Some(x),
        3 => Some(x * 2.54),
        _ => None,
    }
}

fn bad_len() -> IntakeError {
    IntakeError::corrupt("TIFF", "pixel data has the wrong size")
}

/// Builds a `DynamicImage` from the decoder output (BlackIsZero semantics;
/// the `tiff` crate already inverts WhiteIsZero).
fn to_image(
    w: u32,
    h: u32,
    ct: ColorType,
    data: DecodingResult,
) -> Result<DynamicImage, IntakeError> {
    let (wu, hu) = (w as usize, h as usize);
    let px = wu * hu;
    let unsupported = |what: &str| IntakeError::UnsupportedFeature(format!("TIFF with {what}"));
    match data {
        DecodingResult::U8(v) => match ct {
            ColorType::Gray(8) => GrayImage::from_raw(w, h, v)
                .map(DynamicImage::ImageLuma8)
                .ok_or_else(bad_len),
            ColorType::Gray(bits @ (1 | 2 | 4)) => {
                let g = unpack_gray(&v, wu, hu, bits).ok_or_else(bad_len)?;
                GrayImage::from_raw(w, h, g)
                    .map(DynamicImage::ImageLuma8)
                    .ok_or_else(bad_len)
            }
            ColorType::RGB(8) | ColorType::YCbCr(8) => RgbImage::from_raw(w, h, v)
                .map(DynamicImage::ImageRgb8)
                .ok_or_else(bad_len),
            ColorType::RGBA(8) => ImageBuffer::<Rgba<u8>, _>::from_raw(w, h, v)
                .map(DynamicImage::ImageRgba8)
                .ok_or_else(bad_len),
            ColorType::GrayA(8)
            | ColorType::Multiband {
                bit_depth: 8,
                num_samples: 2,
            } => ImageBuffer::<LumaA<u8>, _>::from_raw(w, h, v)
                .map(DynamicImage::ImageLumaA8)
                .ok_or_else(bad_len),
            ColorType::CMYK(8) | ColorType::CMYKA(8) => {
                let spp = if matches!(ct, ColorType::CMYK(_)) {
                    4
                } else {
                    5
                };
                if v.len() < px * spp {
                    return Err(bad_len());
                }
                let mut out = Vec::with_capacity(px * 3);
                for p in v.chunks_exact(spp).take(px) {
                    out.extend_from_slice(&convert::cmyk_to_rgb(p[0], p[1], p[2], p[3]));
                }
                RgbImage::from_raw(w, h, out)
                    .map(DynamicImage::ImageRgb8)
                    .ok_or_else(bad_len)
            }
            other => Err(unsupported(&format!("{other:?} pixels"))),
        },
        DecodingResult::U16(v) => {
            let to8 = |s: u16| (s >> 8) as u8;
            match ct {
                ColorType::Gray(16) => ImageBuffer::<Luma<u16>, _>::from_raw(w, h, v)
                    .map(DynamicImage::ImageLuma16)
                    .ok_or_else(bad_len),
                ColorType::GrayA(16)
                | ColorType::Multiband {
                    bit_depth: 16,
                    num_samples: 2,
                } => ImageBuffer::<LumaA<u16>, _>::from_raw(w, h, v)
                    .map(DynamicImage::ImageLumaA16)
                    .ok_or_else(bad_len),
                ColorType::RGB(16) => ImageBuffer::<Rgb<u16>, _>::from_raw(w, h, v)
                    .map(DynamicImage::ImageRgb16)
                    .ok_or_else(bad_len),
                ColorType::RGBA(16) => ImageBuffer::<Rgba<u16>, _>::from_raw(w, h, v)
                    .map(DynamicImage::ImageRgba16)
                    .ok_or_else(bad_len),
                ColorType::CMYK(16) | ColorType::CMYKA(16) => {
                    let spp = if matches!(ct, ColorType::CMYK(_)) {
                        4
                    } else {
                        5
                    };
                    if v.len() < px * spp {
                        return Err(bad_len());
                    }
                    let mut out = Vec::with_capacity(px * 3);
                    for p in v.chunks_exact(spp).take(px) {
                        out.extend_from_slice(&convert::cmyk_to_rgb(
                            to8(p[0]),
                            to8(p[1]),
                            to8(p[2]),
                            to8(p[3]),
                        ));
                    }
                    RgbImage::from_raw(w, h, out)
                        .map(DynamicImage::ImageRgb8)
                        .ok_or_else(bad_len)
                }
                other => Err(unsupported(&format!("16-bit {other:?} pixels"))),
            }
        }
        _ => Err(unsupported("32/64-bit or floating-point samples")),
    }
}

/// Unpacks 1/2/4-bit gray rows (each row starts on a byte) to 8-bit gray.
fn unpack_gray(v: &[u8], w: usize, h: usize, bits: u8) -> Option<Vec<u8>> {
    let max = (1u16 << bits) - 1;
    let idx = unpack_indices(v, w, h, bits)?;
    Some(
        idx.into_iter()
            .map(|s| (u16::from(s) * 255 / max) as u8)
            .collect(),
    )
}

/// Unpacks 1/2/4/8-bit samples, MSB first, rows byte-aligned.
fn unpack_indices(v: &[u8], w: usize, h: usize, bits: u8) -> Option<Vec<u8>> {
    if bits == 8 {
        return (v.len() >= w * h).then(|| v[..w * h].to_vec());
    }
    let bits = usize::from(bits);
    let row_bytes = (w * bits).div_ceil(8);
    if v.len() < row_bytes * h {
        return None;
    }
    let mask = (1u8 << bits) - 1;
    let mut out = Vec::with_capacity(w * h);
    for row in v.chunks_exact(row_bytes).take(h) {
        for x in 0..w {
            let bit = x * bits;
            let byte = row[bit / 8];
            let shift = 8 - bits - (bit % 8);
            out.push((byte >> shift) & mask);
        }
    }
    Some(out)
}

/// CCITT Group 3 (T.4) pages: 1-D coding with EOL codes, one strip at a
/// time, via the `fax` crate. 2-D coding is refused.
fn decode_fax(
    dec: &mut Dec<'_>,
    w: u32,
    h: u32,
    bytes: &[u8],
    group4: bool,
) -> Result<DynamicImage, IntakeError> {
    let t4: u32 = dec
        .find_tag_unsigned(Tag::Unknown(292))
        .map_err(map_tiff_error)?
        .unwrap_or(0);
    if !group4 && t4 & 1 != 0 {
        return Err(IntakeError::UnsupportedCompression {
            container: "TIFF",
            compression: "CCITT Group 3 2-D".into(),
        });
    }
    if dec.get_chunk_type() != tiff::decoder::ChunkType::Strip {
        return Err(IntakeError::UnsupportedFeature("tiled fax TIFF".into()));
    }
    let width = u16::try_from(w)
        .map_err(|_| IntakeError::UnsupportedFeature("fax page wider than 65535 px".into()))?;
    let fill_order: u16 = dec
        .find_tag_unsigned(Tag::FillOrder)
        .map_err(map_tiff_error)?
        .unwrap_or(1);
    let photometric: u16 = dec
        .find_tag_unsigned(Tag::PhotometricInterpretation)
        .map_err(map_tiff_error)?
        .unwrap_or(0);
    let offsets = dec
        .get_tag_u64_vec(Tag::StripOffsets)
        .map_err(map_tiff_error)?;
    let counts = dec
        .get_tag_u64_vec(Tag::StripByteCounts)
        .map_err(map_tiff_error)?;
    let rows_per_strip: u32 = dec
        .find_tag_unsigned(Tag::RowsPerStrip)
        .map_err(map_tiff_error)?
        .unwrap_or(h)
        .max(1);
    let (wu, hu) = (w as usize, h as usize);
    // Black = 0 on screen; with BlackIsZero photometric the fax "black"
    // bit is a 1 sample meaning white (same convention as libtiff).
    let (black, white) = if photometric == 1 {
        (255u8, 0u8)
    } else {
        (0u8, 255u8)
    };
    let mut out = vec![white; wu * hu];
    let mut row = 0usize;
    for (off, cnt) in offsets.iter().zip(counts.iter()) {
        if row >= hu {
            break;
        }
        let start = usize::try_from(*off).map_err(|_| IntakeError::Truncated { format: "TIFF" })?;
        let end = start
            .checked_add(usize::try_from(*cnt).unwrap_or(usize::MAX))
            .ok_or(IntakeError::Truncated { format: "TIFF" })?;
        let strip = bytes
            .get(start..end)
            .ok_or(IntakeError::Truncated { format: "TIFF" })?;
        let rows_here = (rows_per_strip as usize).min(hu - row);
        let mut done = 0usize;
        let iter = strip.iter().map(|b| {
            if fill_order == 2 {
                b.reverse_bits()
            } else {
                *b
            }
        });
        let line_cb = |transitions: &[u16]| {
            if done < rows_here {
                let line = &mut out[(row + done) * wu..(row + done + 1) * wu];
                for (px, c) in line.iter_mut().zip(fax::decoder::pels(transitions, width)) {
                    *px = if c == fax::Color::Black { black } else { white };
                }
                done += 1;
            }
        };
        let ok = if group4 {
            let rows = u16::try_from(rows_here).unwrap_or(u16::MAX);
            fax::decoder::decode_g4(iter, width, Some(rows), line_cb)
        } else {
            fax::decoder::decode_g3(iter, line_cb)
        };
        if ok.is_none() && done == 0 {
            return Err(IntakeError::corrupt(
                "TIFF",
                "fax data could not be decoded",
            ));
        }
        row += rows_here;
    }
    GrayImage::from_raw(w, h, out)
        .map(DynamicImage::ImageLuma8)
        .ok_or_else(bad_len)
}

pub(crate) fn map_tiff_error(e: TiffError) -> IntakeError {
    use tiff::TiffUnsupportedError as U;
    match e {
        TiffError::IoError(io) if io.kind() == ErrorKind::UnexpectedEof => {
            IntakeError::Truncated { format: "TIFF" }
        }
        TiffError::LimitsExceeded | TiffError::IntSizeError => {
            IntakeError::limit("a TIFF page or tag")
        }
        TiffError::UnsupportedError(U::UnsupportedCompressionMethod(c)) => {
            IntakeError::UnsupportedCompression {
                container: "TIFF",
                compression: format!("{c:?}"),
            }
        }
        TiffError::UnsupportedError(u) => IntakeError::UnsupportedFeature(format!(
            "TIFF ({})",
            crate::raster::short(&u.to_string())
        )),
        other => {
            let msg = crate::raster::short(&other.to_string());
            if msg.to_ascii_lowercase().contains("eof") {
                IntakeError::Truncated { format: "TIFF" }
            } else {
                IntakeError::corrupt("TIFF", msg)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiff_header_chain(n_pages: usize) -> Vec<u8> {
        // Minimal little-endian chain of IFDs with one dummy entry each.
        let mut b = b"II*\0".to_vec();
        b.extend_from_slice(&8u32.to_le_bytes());
        for i in 0..n_pages {
            let here = b.len();
            b.extend_from_slice(&1u16.to_le_bytes());
            b.extend_from_slice(&[0; 12]);
            let next = if i + 1 == n_pages {
                0
            } else {
                (here + 18) as u32
            };
            b.extend_from_slice(&next.to_le_bytes());
        }
        b
    }

    #[test]
    fn page_chain_is_counted_and_bounded() {
        assert_eq!(count_pages(&tiff_header_chain(3), 10), Ok(3));
        assert_eq!(
            count_pages(&tiff_header_chain(11), 10).unwrap_err().code(),
            "too_many_pages"
        );
        let mut looped = tiff_header_chain(2);
        let n = looped.len();
        looped[n - 4..].copy_from_slice(&8u32.to_le_bytes());
        assert_eq!(count_pages(&looped, 10).unwrap_err().code(), "corrupt");
        let cut = tiff_header_chain(2);
        assert_eq!(
            count_pages(&cut[..cut.len() - 3], 10).unwrap_err().code(),
            "truncated"
        );
    }

    #[test]
    fn unpacking() {
        assert_eq!(
            unpack_gray(&[0b1010_0000], 3, 1, 1),
            Some(vec![255, 0, 255])
        );
        assert_eq!(
            unpack_indices(&[0b1110_0100], 4, 1, 2),
            Some(vec![3, 2, 1, 0])
        );
        assert_eq!(unpack_indices(&[0xAB], 3, 1, 4), None);
    }
}
