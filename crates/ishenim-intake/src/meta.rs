//! Small, bounded parsers for the metadata the image decoders do not expose:
//! PNG pHYs, JPEG JFIF density / EXIF resolution and the JPEG end marker.

/// Returns `dpi` only when it is plausible for a paper page of
/// `width`×`height` pixels: 50..=2400 dpi and a long side between 2 and 24
/// inches. Camera defaults such as 72 dpi on a 4000 px photo are dropped.
pub(crate) fn plausible_dpi(dpi: f64, width: u32, height: u32) -> Option<u32> {
    if !dpi.is_finite() || !(50.0..=2400.0).contains(&dpi) {
        return None;
    }
    let long_in = f64::from(width.max(height)) / dpi;
    if !(2.0..=24.0).contains(&long_in) {
        return None;
    }
    Some(dpi.round() as u32)
}

/// Resolution from a PNG `pHYs` chunk (only when its unit is the metre).
/// Walks chunks up to the first `IDAT`, at most 10 000 chunks.
pub(crate) fn png_dpi(b: &[u8]) -> Option<f64> {
    let mut pos = 8usize;
    for _ in 0..10_000 {
        let len = u32::from_be_bytes(b.get(pos..pos + 4)?.try_into().ok()?) as usize;
        let kind = b.get(pos + 4..pos + 8)?;
        let data = b.get(pos + 8..pos.checked_add(8)?.checked_add(len)?)?;
        match kind {
            b"pHYs" if len == 9 => {
                let x = u32::from_be_bytes(data[0..4].try_into().ok()?);
                let y = u32::from_be_bytes(data[4..8].try_into().ok()?);
                if data[8] != 1 || x == 0 {
                    return None;
                }
                let _ = y;
                return Some(f64::from(x) * 0.0254);
            }
            b"IDAT" | b"IEND" => return None,
            _ => {}
        }
        pos = pos.checked_add(12)?.checked_add(len)?;
    }
    None
}

/// What the JPEG marker walk found.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct JpegInfo {
    /// Density from the JFIF APP0 segment, in dpi.
    pub jfif_dpi: Option<f64>,
    /// Resolution from the EXIF APP1 segment, in dpi.
    pub exif_dpi: Option<f64>,
    /// Whether an EOI marker follows the first scan.
    pub has_eoi: bool,
    /// Whether a start-of-scan marker was found.
    pub has_sos: bool,
}

/// Walks JPEG marker segments up to the first SOS, then looks for EOI in the
/// entropy-coded data (where 0xFF is always stuffed, so FF D9 is a real
/// marker). Bounded by the input length.
pub(crate) fn jpeg_info(b: &[u8]) -> JpegInfo {
    let mut info = JpegInfo::default();
    let mut pos = 2usize;
    while pos + 4 <= b.len() {
        if b[pos] != 0xFF {
            return info;
        }
        let marker = b[pos + 1];
        if marker == 0xFF {
            pos += 1; // fill byte
            continue;
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            pos += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([b[pos + 2], b[pos + 3]]));
        if len < 2 {
            return info;
        }
        let seg_end = pos + 2 + len;
        let seg = match b.get(pos + 4..seg_end) {
            Some(s) => s,
            None => return info,
        };
        match marker {
            0xE0 if seg.starts_with(b"JFIF\0") && seg.len() >= 12 => {
                let unit = seg[7];
                let x = f64::from(u16::from_be_bytes([seg[8], seg[9]]));
                info.jfif_dpi = match unit {
                    1 => Some(x),
                    2 => Some(x * 2.54),
                    _ => None,
                };
            }
            0xE1 if seg.starts_with(b"Exif\0\0") => {
                info.exif_dpi = exif_dpi(&seg[6..]);
            }
            0xDA => {
                info.has_sos = true;
                // Entropy-coded data follows the SOS header.
                let data = &b[seg_end.min(b.len())..];
                info.has_eoi = data.windows(2).any(|w| w == [0xFF, 0xD9]);
                return info;
            }
            _ => {}
        }
        pos = seg_end;
    }
    info
}

/// XResolution (0x011A) and ResolutionUnit (0x0128) from IFD0 of a
/// TIFF-structured EXIF block.
pub(crate) fn exif_dpi(t: &[u8]) -> Option<f64> {
    let le = match t.get(0..4)? {
        b"II*\0" => true,
        b"MM\0*" => false,
        _ => return None,
    };
    let u16_at = |p: usize| -> Option<u16> {
        let s: [u8; 2] = t.get(p..p + 2)?.try_into().ok()?;
        Some(if le {
            u16::from_le_bytes(s)
        } else {
            u16::from_be_bytes(s)
        })
    };
    let u32_at = |p: usize| -> Option<u32> {
        let s: [u8; 4] = t.get(p..p + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(s)
        } else {
            u32::from_be_bytes(s)
        })
    };
    let ifd = u32_at(4)? as usize;
    let n = usize::from(u16_at(ifd)?).min(512);
    let mut xres = None;
    let mut unit = 2u16;
    for i in 0..n {
        let e = ifd + 2 + i * 12;
        let tag = u16_at(e)?;
        let typ = u16_at(e + 2)?;
        match (tag, typ) {
            (0x011A, 5) => {
                let off = u32_at(e + 8)? as usize;
                let (num, den) = (u32_at(off)?, u32_at(off + 4)?);
                if den != 0 {
                    xres = Some(f64::from(num) / f64::from(den));
                }
            }
            (0x0128, 3) => unit = u16_at(e + 8)?,
            _ => {}
        }
    }
    match unit {
        2 => xres,
        3 => xres.map(|x| x * 2.54),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpi_plausibility() {
        assert_eq!(plausible_dpi(300.0, 2480, 3508), Some(300));
        assert_eq!(plausible_dpi(72.0, 4000, 3000), None);
        assert_eq!(plausible_dpi(0.0, 100, 100), None);
        assert_eq!(plausible_dpi(f64::NAN, 100, 100), None);
        assert_eq!(plausible_dpi(299.9994, 2481, 3507), Some(300));
    }

    #[test]
    fn png_phys() {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.extend_from_slice(&[0, 0, 0, 9]);
        b.extend_from_slice(b"pHYs");
        b.extend_from_slice(&11811u32.to_be_bytes());
        b.extend_from_slice(&11811u32.to_be_bytes());
        b.push(1);
        b.extend_from_slice(&[0; 4]);
        let dpi = png_dpi(&b).map(|d| d.round());
        assert_eq!(dpi, Some(300.0));
        assert_eq!(png_dpi(&b[..20]), None);
    }

    #[test]
    fn jpeg_walk_is_bounded_on_garbage() {
        assert_eq!(jpeg_info(&[0xFF, 0xD8]), JpegInfo::default());
        let info = jpeg_info(&[0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF, 1, 2]);
        assert!(!info.has_sos);
        let exif = b"MM\0*\0\0\0\x08\0\x01\x01\x1A\0\x05\0\0\0\x01\0\0\0\x1A\0\0\0\0\0\0\x01\x2C\0\0\0\x01";
        assert_eq!(exif_dpi(exif), Some(300.0));
        assert_eq!(exif_dpi(&exif[..20]), None);
    }
}
