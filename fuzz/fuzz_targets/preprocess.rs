//! `ishenim_imaging::prepare` on a small page built from the input.
//!
//! Input layout: bytes 0–1 width, 2–3 height (each 1..=600), byte 4 flags (bits 0–1: how the
//! pixels are drawn, bit 2: colour instead of grey, bits 3–5: the declared dpi), then the
//! pixel data:
//! - mode 0: the data tiled over the page row by row;
//! - mode 1: the data as a small square image scaled up (nearest neighbour);
//! - mode 2/3: on a white page, rectangles of 5 bytes each (x, y, width, height, grey), which
//!   look like characters, rules, bands and holes to the analysis.
//!
//! Properties: never panics; the output is not empty, at most 3× the page's diagonal on a
//! side (the scale is clamped to 0.4–3), the recorded original size is the input's, the
//! numbers are finite, and the centre of the output maps back inside the original page.
#![no_main]

use ishenim_imaging::{prepare, PrepareOptions};
use ishenim_intake::image::{DynamicImage, GrayImage, RgbImage};
use libfuzzer_sys::fuzz_target;

const MAX_SIDE: u32 = 600;
const DPIS: [Option<u32>; 8] = [
    None,
    Some(0),
    Some(71),
    Some(72),
    Some(150),
    Some(300),
    Some(2400),
    Some(u32::MAX),
];

fn pixels(w: u32, h: u32, mode: u8, data: &[u8]) -> Vec<u8> {
    let n = (w * h) as usize;
    if data.is_empty() {
        return vec![255; n];
    }
    match mode {
        0 => data.iter().copied().cycle().take(n).collect(),
        1 => {
            let side = (data.len() as f64).sqrt().max(1.0) as u32;
            let mut v = Vec::with_capacity(n);
            for y in 0..h {
                for x in 0..w {
                    let (sx, sy) = (x * side / w, y * side / h);
                    v.push(data[((sy * side + sx) as usize).min(data.len() - 1)]);
                }
            }
            v
        }
        _ => {
            let mut v = vec![255u8; n];
            for r in data.chunks_exact(5) {
                let x0 = u32::from(r[0]) * w / 256;
                let y0 = u32::from(r[1]) * h / 256;
                let x1 = (x0 + 1 + u32::from(r[2]) * w / 512).min(w);
                let y1 = (y0 + 1 + u32::from(r[3]) * h / 512).min(h);
                for y in y0..y1 {
                    v[(y * w + x0) as usize..(y * w + x1) as usize].fill(r[4]);
                }
            }
            v
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
    }
    let w = u32::from(u16::from_le_bytes([data[0], data[1]])) % MAX_SIDE + 1;
    let h = u32::from(u16::from_le_bytes([data[2], data[3]])) % MAX_SIDE + 1;
    let flags = data[4];
    let px = pixels(w, h, flags & 3, &data[5..]);
    let img = if flags & 4 == 0 {
        DynamicImage::ImageLuma8(GrayImage::from_raw(w, h, px).expect("size"))
    } else {
        // Colour: the grey value goes to one channel more than the others (a coloured
        // stamp or pen), so grey conversion's colour handling is exercised.
        let rgb: Vec<u8> = px
            .iter()
            .enumerate()
            .flat_map(|(i, &g)| match i % 3 {
                0 => [g, g, g],
                1 => [255, g, g],
                _ => [g, g / 2, 255],
            })
            .collect();
        DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, rgb).expect("size"))
    };
    let opts = PrepareOptions {
        dpi_hint: DPIS[usize::from(flags >> 3 & 7)],
        ..PrepareOptions::default()
    };
    let p = prepare(&img, &opts);
    let (ow, oh) = p.image.dimensions();
    assert_eq!(p.original_size, (w, h));
    assert!(ow > 0 && oh > 0, "empty output");
    let limit = 3 * (w + h) + 4;
    assert!(ow <= limit && oh <= limit, "{w}x{h} became {ow}x{oh}");
    assert!(p.scale.is_finite() && p.scale > 0.0, "scale {}", p.scale);
    assert!(p.dpi > 0);
    assert!(p.text_angle().is_finite());
    let (cx, cy) = p
        .to_original
        .apply(f64::from(ow) / 2.0, f64::from(oh) / 2.0);
    let slack = 2.0 + 0.02 * f64::from(w.max(h));
    assert!(
        (-slack..=f64::from(w) + slack).contains(&cx)
            && (-slack..=f64::from(h) + slack).contains(&cy),
        "centre of the {ow}x{oh} output maps to ({cx:.1}, {cy:.1}) outside {w}x{h}"
    );
});
