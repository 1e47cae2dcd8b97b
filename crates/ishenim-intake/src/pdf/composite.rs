//! Painting a page's images onto its page box. Scanners often split a page
//! into strips or tiles; one upright full-page image is passed through as
//! is, anything else is composited at the finest image's resolution, with
//! the canvas and the painted area kept within the limits.

use image::{DynamicImage, GrayImage, RgbImage};

use super::decode::PdfImage;
use super::Matrix;
use crate::{IntakeError, Limits};

/// Paints the images onto the page box. Returns the page image, its dpi and
/// whether compositing (rather than passing one full-page image through)
/// happened.
pub(super) fn composite(
    images: &[(Matrix, PdfImage)],
    bbox: [f64; 4],
    limits: &Limits,
) -> Result<(DynamicImage, Option<f64>, bool), IntakeError> {
    if let Some((img, dpi)) = full_page(images, bbox) {
        return Ok((img, Some(dpi), false));
    }
    let [x0, y0, x1, y1] = bbox;
    let (bw, bh) = (x1 - x0, y1 - y0);
    let s = canvas_scale(images, bw, bh, limits)?;
    let cw = ((bw * s).round() as u32).max(1);
    let ch = ((bh * s).round() as u32).max(1);
    limits.check_page(u64::from(cw), u64::from(ch))?;
    let colour = images
        .iter()
        .any(|(_, pi)| !pi.stencil && matches!(pi.img, DynamicImage::ImageRgb8(_)));
    let mut canvas: DynamicImage = if colour {
        DynamicImage::ImageRgb8(RgbImage::from_pixel(cw, ch, image::Rgb([255, 255, 255])))
    } else {
        DynamicImage::ImageLuma8(GrayImage::from_pixel(cw, ch, image::Luma([255])))
    };
    // Bound the work: the painted area of all images together.
    let mut rects = Vec::with_capacity(images.len());
    let mut area = 0u64;
    for (m, _) in images {
        let r = canvas_rect(m, bbox, s, cw, ch);
        if let Some(r) = r {
            area += u64::from(r[1] - r[0]) * u64::from(r[3] - r[2]);
        }
        rects.push(r);
    }
    if area > limits.max_pixels.saturating_mul(4) {
        return Err(IntakeError::limit("the image area painted on the page"));
    }
    for ((m, pi), rect) in images.iter().zip(rects) {
        let Some(rect) = rect else { continue };
        paint_one(m, pi, rect, bbox, s, &mut canvas);
    }
    Ok((canvas, Some(s * 72.0), true))
}

/// The fast path: one upright image covering the page (within 1 %) is the page
/// itself, passed through with its own dpi instead of being resampled.
fn full_page(images: &[(Matrix, PdfImage)], bbox: [f64; 4]) -> Option<(DynamicImage, f64)> {
    let [x0, y0, x1, y1] = bbox;
    let (bw, bh) = (x1 - x0, y1 - y0);
    if let [(m, pi)] = images {
        let [a, b, c, d, e, f] = *m;
        let tol_x = bw * 0.01 + 1.0;
        let tol_y = bh * 0.01 + 1.0;
        if !pi.stencil
            && a > 0.0
            && d > 0.0
            && b.abs() < 1e-6 * a
            && c.abs() < 1e-6 * d
            && (e - x0).abs() < tol_x
            && (f - y0).abs() < tol_y
            && (a - bw).abs() < tol_x
            && (d - bh).abs() < tol_y
        {
            let dpi = f64::from(pi.img.width()) / (a / 72.0);
            return Some((pi.img.clone(), dpi));
        }
    }
    None
}

/// Canvas pixels per PDF point: the finest image on the page, so no image
/// loses detail, but never above 1200 dpi and within the limits' side and
/// pixel count (a tiny placement must not blow up the canvas).
fn canvas_scale(
    images: &[(Matrix, PdfImage)],
    bw: f64,
    bh: f64,
    limits: &Limits,
) -> Result<f64, IntakeError> {
    // Resolution: the finest image on the page.
    let mut s: f64 = 0.0;
    for (m, pi) in images {
        let [a, b, c, d, ..] = *m;
        let (pw, ph) = ((a * a + b * b).sqrt(), (c * c + d * d).sqrt());
        if pw > 1e-6 && ph > 1e-6 {
            s = s
                .max(f64::from(pi.img.width()) / pw)
                .max(f64::from(pi.img.height()) / ph);
        }
    }
    if !(s.is_finite() && s > 0.0) {
        return Err(IntakeError::corrupt(
            "PDF",
            "images are placed with zero size",
        ));
    }
    // No scan is finer than 1200 dpi; a tiny placement must not blow up
    // the canvas.
    s = s.min(1200.0 / 72.0);
    // Keep the canvas within the limits.
    let max_side = f64::from(limits.max_side);
    s = s.min(max_side / bw).min(max_side / bh);
    let area = bw * bh * s * s;
    if area > limits.max_pixels as f64 {
        s *= (limits.max_pixels as f64 / area).sqrt();
    }
    Ok(s)
}

/// Paints one image into its canvas rectangle: gray onto gray, gray or RGB
/// onto RGB; a stencil mask paints only its black samples.
fn paint_one(
    m: &Matrix,
    pi: &PdfImage,
    rect: [u32; 4],
    bbox: [f64; 4],
    s: f64,
    canvas: &mut DynamicImage,
) {
    let cw = canvas.width();
    let dims = (pi.img.width(), pi.img.height());
    match (&pi.img, canvas) {
        (DynamicImage::ImageLuma8(src), DynamicImage::ImageLuma8(dst)) => {
            let (sw, dst) = (src.width() as usize, &mut **dst);
            let src = src.as_raw();
            paint(m, rect, dims, bbox, s, cw, |i, col, row| {
                let g = src[row as usize * sw + col as usize];
                if !pi.stencil {
                    dst[i] = g;
                } else if g == 0 {
                    dst[i] = 0;
                }
            });
        }
        (DynamicImage::ImageLuma8(src), DynamicImage::ImageRgb8(dst)) => {
            let (sw, dst) = (src.width() as usize, &mut **dst);
            let src = src.as_raw();
            paint(m, rect, dims, bbox, s, cw, |i, col, row| {
                let g = src[row as usize * sw + col as usize];
                if !pi.stencil || g == 0 {
                    dst[3 * i..3 * i + 3].copy_from_slice(&[g, g, g]);
                }
            });
        }
        (DynamicImage::ImageRgb8(src), DynamicImage::ImageRgb8(dst)) => {
            let (sw, dst) = (src.width() as usize, &mut **dst);
            let src = src.as_raw();
            paint(m, rect, dims, bbox, s, cw, |i, col, row| {
                let at = 3 * (row as usize * sw + col as usize);
                dst[3 * i..3 * i + 3].copy_from_slice(&src[at..at + 3]);
            });
        }
        _ => {}
    }
}

/// Canvas rectangle `[x0, x1) × [y0, y1)` covered by an image placed with
/// `m`, clipped to the canvas; `None` for a degenerate placement.
fn canvas_rect(m: &Matrix, bbox: [f64; 4], s: f64, cw: u32, ch: u32) -> Option<[u32; 4]> {
    let [a, b, c, d, e, f] = *m;
    let det = a * d - b * c;
    if !det.is_finite() || det.abs() < 1e-9 {
        return None;
    }
    let [x0, _, _, y1] = bbox;
    let (mut minx, mut miny, mut maxx, mut maxy) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (u, v) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)] {
        let px = (a * u + c * v + e - x0) * s;
        let py = (y1 - (b * u + d * v + f)) * s;
        minx = minx.min(px);
        maxx = maxx.max(px);
        miny = miny.min(py);
        maxy = maxy.max(py);
    }
    let (cw, ch) = (f64::from(cw), f64::from(ch));
    let r = [
        minx.floor().clamp(0.0, cw) as u32,
        maxx.ceil().clamp(0.0, cw) as u32,
        miny.floor().clamp(0.0, ch) as u32,
        maxy.ceil().clamp(0.0, ch) as u32,
    ];
    (r[1] > r[0] && r[3] > r[2]).then_some(r)
}

/// Nearest-neighbour paint of one image through its placement matrix.
/// `put(canvas_index, col, row)` copies one source pixel.
pub(super) fn paint(
    m: &Matrix,
    rect: [u32; 4],
    (iw, ih): (u32, u32),
    bbox: [f64; 4],
    s: f64,
    cw: u32,
    mut put: impl FnMut(usize, u32, u32),
) {
    let [a, b, c, d, e, f] = *m;
    let det = a * d - b * c;
    let [x0, _, _, y1] = bbox;
    let (iwf, ihf) = (f64::from(iw), f64::from(ih));
    // u, v (unit-square coordinates) are affine in the canvas x: step per px.
    let du = d / (s * det);
    let dv = -b / (s * det);
    for cy in rect[2]..rect[3] {
        let y = y1 - (f64::from(cy) + 0.5) / s;
        let x = x0 + (f64::from(rect[0]) + 0.5) / s;
        let (dx, dy) = (x - e, y - f);
        let mut u = (d * dx - c * dy) / det;
        let mut v = (-b * dx + a * dy) / det;
        let row_start = cy as usize * cw as usize;
        for cx in rect[0]..rect[1] {
            if (0.0..1.0).contains(&u) && v > 0.0 && v <= 1.0 {
                let col = ((u * iwf) as u32).min(iw - 1);
                let row = (((1.0 - v) * ihf) as u32).min(ih - 1);
                put(row_start + cx as usize, col, row);
            }
            u += du;
            v += dv;
        }
    }
}
