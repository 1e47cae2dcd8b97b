//! QR codes: drawn on the slips (inline SVG) and found on scanned page images.

use crate::Code;
use qrcode::{EcLevel, QrCode};

/// A code found in a QR symbol on a page image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundQr {
    /// The code (its check holds).
    pub code: Code,
    /// `[x0, y0, x1, y1]` of the symbol in pixels of the image given.
    pub bbox: [u32; 4],
}

/// The QR symbol of a code as an inline `<svg>` element (no XML prolog), `size` CSS
/// millimetres wide. Error correction level Q (25 %): a slip survives a fold, a stain or
/// a staple.
pub fn svg(code: &Code, size_mm: u32) -> String {
    let text = code.to_string();
    // 14 alphanumeric characters always fit a version-1 symbol at level Q.
    let Ok(q) = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q) else {
        return String::new();
    };
    let full = q
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .module_dimensions(4, 4)
        .build();
    let body = full.find("<svg").map_or(full.as_str(), |i| &full[i..]);
    // Fixed physical size for printing, whatever the module count (attributes, not a
    // style: the web pages' Content-Security-Policy allows no inline style).
    let mut out = body.replacen("<svg ", "<svg role=\"img\" aria-label=\"QR\" ", 1);
    for attr in ["width", "height"] {
        if let Some(i) = out.find(&format!(" {attr}=\"")) {
            let start = i + attr.len() + 3;
            if let Some(len) = out[start..].find('"') {
                out.replace_range(start..start + len, &format!("{size_mm}mm"));
            }
        }
    }
    out
}

/// The modules of a code's QR symbol (true = dark), with the side length: for drawing it
/// on a raster image (test pages, benchmarks).
pub fn modules(code: &Code) -> (usize, Vec<bool>) {
    match QrCode::with_error_correction_level(code.to_string().as_bytes(), EcLevel::Q) {
        Ok(q) => (
            q.width(),
            q.to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        ),
        Err(_) => (0, Vec::new()),
    }
}

/// Longest side, in pixels, at which a page is searched for QR symbols. A slip's symbol
/// (version 1, 21 modules over about 22 mm) keeps more than 3 pixels a module on an A4
/// page at this size, and the search stays well under the time of OCR.
pub const SEARCH_SIDE: u32 = 2000;

/// Every receipt code in a QR symbol on a grey image (`gray` row-major, 0 = black). Other
/// QR symbols, and symbols whose text is not a valid code, are ignored. Never panics on
/// odd images.
pub fn find(width: u32, height: u32, gray: &[u8]) -> Vec<FoundQr> {
    if width == 0 || height == 0 || gray.len() < (width as usize) * (height as usize) {
        return Vec::new();
    }
    let scale = (width.max(height) as f32 / SEARCH_SIDE as f32).max(1.0);
    let (w, h) = (
        ((width as f32 / scale) as usize).max(1),
        ((height as f32 / scale) as usize).max(1),
    );
    let px = |x: usize, y: usize| -> u8 {
        let sx = ((x as f32 * scale) as usize).min(width as usize - 1);
        let sy = ((y as f32 * scale) as usize).min(height as usize - 1);
        gray[sy * width as usize + sx]
    };
    let found = std::panic::catch_unwind(|| {
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, px);
        let mut out = Vec::new();
        for g in img.detect_grids() {
            let Ok((_, text)) = g.decode() else { continue };
            let Ok(code) = Code::parse(&text) else {
                continue;
            };
            let xs = g.bounds.iter().map(|p| p.x.max(0) as f32 * scale);
            let ys = g.bounds.iter().map(|p| p.y.max(0) as f32 * scale);
            let (x0, x1) = xs.fold((f32::MAX, 0f32), |(a, b), v| (a.min(v), b.max(v)));
            let (y0, y1) = ys.fold((f32::MAX, 0f32), |(a, b), v| (a.min(v), b.max(v)));
            out.push(FoundQr {
                code,
                bbox: [
                    x0 as u32,
                    y0 as u32,
                    (x1 as u32).min(width),
                    (y1 as u32).min(height),
                ],
            });
        }
        out
    });
    let mut v = found.unwrap_or_default();
    v.dedup_by_key(|f| f.code);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws a code's symbol at `(ox, oy)` with `m` pixels a module on a white page.
    fn page_with(codes: &[(Code, u32, u32, u32)], w: u32, h: u32) -> Vec<u8> {
        let mut g = vec![255u8; (w * h) as usize];
        for &(c, ox, oy, m) in codes {
            let (side, mods) = modules(&c);
            for (i, &dark) in mods.iter().enumerate() {
                if !dark {
                    continue;
                }
                let (mx, my) = ((i % side) as u32, (i / side) as u32);
                for y in 0..m {
                    for x in 0..m {
                        g[((oy + my * m + y) * w + ox + mx * m + x) as usize] = 0;
                    }
                }
            }
        }
        g
    }

    #[test]
    fn symbols_on_a_page_are_found_with_their_box() {
        let (a, b) = (Code::generate().unwrap(), Code::generate().unwrap());
        let (w, h) = (1240, 1754);
        let g = page_with(&[(a, 100, 1400, 6), (b, 900, 200, 4)], w, h);
        let mut found = find(w, h, &g);
        found.sort_by_key(|f| f.bbox[1]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].code, b);
        assert_eq!(found[1].code, a);
        let [x0, y0, x1, y1] = found[1].bbox;
        assert!(
            (95..=110).contains(&x0) && (1395..=1410).contains(&y0),
            "{x0},{y0}"
        );
        assert!(x1 > x0 + 100 && y1 > y0 + 100);
    }

    #[test]
    fn large_pages_are_searched_downscaled() {
        let a = Code::generate().unwrap();
        let (w, h) = (2480, 3508);
        let g = page_with(&[(a, 300, 3000, 12)], w, h);
        let found = find(w, h, &g);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, a);
        assert!(found[0].bbox[0] >= 290 && found[0].bbox[0] <= 320);
    }

    #[test]
    fn odd_images_give_nothing() {
        assert!(find(0, 0, &[]).is_empty());
        assert!(find(10, 10, &[0; 5]).is_empty());
        assert!(find(64, 64, &[0; 64 * 64]).is_empty());
        let noise: Vec<u8> = (0..200 * 200u32)
            .map(|i| ((i * 7919) % 251) as u8)
            .collect();
        assert!(find(200, 200, &noise).is_empty());
    }

    #[test]
    fn svg_is_inline_and_sized() {
        let c = Code::generate().unwrap();
        let s = svg(&c, 22);
        assert!(s.starts_with("<svg "));
        assert!(s.contains("width=\"22mm\"") && s.contains("height=\"22mm\""));
        assert!(!s.contains("<?xml"));
        assert!(
            !s.contains(&c.compact()),
            "the code is in the modules, not the markup"
        );
    }
}
