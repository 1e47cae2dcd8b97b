//! Background flattening: divides the page by a smooth estimate of its paper brightness.
//!
//! Uneven light, a hand's shadow, yellowed paper and a dark desk around the sheet all become
//! white paper; ink stays dark. Broad uniform dark areas (scanner bands, the desk) turn into
//! paper too because their local "background" is themselves.

use image::GrayImage;

/// Returns a copy of `img` with the background brought to white.
pub fn flatten_background(img: &GrayImage) -> GrayImage {
    let (w, h) = img.dimensions();
    if w < 8 || h < 8 {
        return img.clone();
    }
    let cell = (w.min(h) / 80).clamp(8, 64);
    let (gw, gh) = (w.div_ceil(cell), h.div_ceil(cell));
    // Brightest value per cell (paper shows through between letters).
    let raw = img.as_raw();
    let (wu, gwu) = (w as usize, gw as usize);
    let mut grid = vec![0u8; gwu * gh as usize];
    for y in 0..h as usize {
        let row = &raw[y * wu..(y + 1) * wu];
        let g = &mut grid[(y / cell as usize) * gwu..(y / cell as usize + 1) * gwu];
        for (cx, chunk) in row.chunks(cell as usize).enumerate() {
            let m = chunk.iter().copied().max().unwrap_or(0);
            if m > g[cx] {
                g[cx] = m;
            }
        }
    }
    // A 3x3 max then a 3x3 mean so cells full of ink take their neighbours' paper value.
    let grid = filter3(&grid, gw, gh, |vals| {
        *vals.iter().max().unwrap_or(&255) as f32
    });
    let grid = filter3(&grid, gw, gh, |vals| {
        vals.iter().map(|&v| v as f32).sum::<f32>() / vals.len().max(1) as f32
    });
    // Background per column for the current row, then a per-pixel gain.
    let mut out = vec![0u8; raw.len()];
    let half = cell as f32 / 2.0;
    let col: Vec<(usize, usize, f32)> = (0..w)
        .map(|x| {
            let gx = ((x as f32 - half) / cell as f32).clamp(0.0, (gw - 1) as f32);
            let x0 = gx.floor() as usize;
            (x0, (x0 + 1).min(gwu - 1), gx.fract())
        })
        .collect();
    let mut bg_row = vec![0f32; gwu];
    for y in 0..h as usize {
        let gy = ((y as f32 - half) / cell as f32).clamp(0.0, (gh - 1) as f32);
        let (y0, fy) = (gy.floor() as usize, gy.fract());
        let y1 = (y0 + 1).min(gh as usize - 1);
        for (gx, b) in bg_row.iter_mut().enumerate() {
            *b = grid[y0 * gwu + gx] as f32 * (1.0 - fy) + grid[y1 * gwu + gx] as f32 * fy;
        }
        let src = &raw[y * wu..(y + 1) * wu];
        let dst = &mut out[y * wu..(y + 1) * wu];
        for ((d, &v), &(x0, x1, fx)) in dst.iter_mut().zip(src).zip(&col) {
            let bg = (bg_row[x0] * (1.0 - fx) + bg_row[x1] * fx).max(1.0);
            *d = (v as f32 * 255.0 / bg).min(255.0) as u8;
        }
    }
    GrayImage::from_raw(w, h, out).unwrap_or_else(|| img.clone())
}

fn filter3(grid: &[u8], w: u32, h: u32, f: impl Fn(&[u8]) -> f32) -> Vec<u8> {
    let mut out = vec![0u8; grid.len()];
    let mut vals = Vec::with_capacity(9);
    for y in 0..h as i64 {
        for x in 0..w as i64 {
            vals.clear();
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let (xx, yy) = (x + dx, y + dy);
                    if xx >= 0 && yy >= 0 && xx < w as i64 && yy < h as i64 {
                        vals.push(grid[(yy * w as i64 + xx) as usize]);
                    }
                }
            }
            out[(y * w as i64 + x) as usize] = f(&vals).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn gradient_and_shadow_become_white_while_ink_stays() {
        // Paper brightness falls from 250 to 110 across the page; ink is 40% of paper.
        let img = GrayImage::from_fn(800, 600, |x, y| {
            let paper = 250.0 - 140.0 * x as f32 / 800.0;
            let ink = y % 40 < 4 && x % 30 < 20;
            Luma([if ink { paper * 0.35 } else { paper } as u8])
        });
        let f = flatten_background(&img);
        assert!(f.get_pixel(700, 20).0[0] > 235, "dim paper -> white");
        assert!(f.get_pixel(50, 20).0[0] > 235);
        assert!(
            f.get_pixel(705, 1).0[0] < 120,
            "ink stays dark in the shadow"
        );
    }

    #[test]
    fn dark_desk_band_turns_to_paper() {
        let img = GrayImage::from_fn(800, 600, |x, _| Luma([if x < 150 { 30 } else { 240 }]));
        let f = flatten_background(&img);
        assert!(f.get_pixel(40, 300).0[0] > 200);
    }
}
