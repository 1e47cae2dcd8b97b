//! Text-line direction from projection profiles of character centres.
//!
//! For a candidate angle the character centres are projected onto the normal of that
//! direction; when the direction matches the text lines the projection collapses into
//! sharp peaks (one per line) and the sum of squared bin counts is largest. Both axes
//! (0° and 90°) are searched, so a page turned by a quarter is recognised too; the 0°/180°
//! ambiguity is left to the recogniser.

/// Result of [`estimate`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SkewEstimate {
    /// Direction of the text lines in image coordinates (degrees, y down): `axis + skew`.
    pub angle_deg: f64,
    /// 0 when lines run roughly left–right, 90 when they run top–bottom.
    pub axis: u32,
    /// Deviation from the axis, degrees (positive = lines descend to the right).
    pub skew_deg: f64,
    /// Peak sharpness on the chosen axis divided by that of the other axis (> 1).
    pub axis_ratio: f64,
}

fn score(points: &[(f32, f32)], angle_deg: f64, bin: f32, buf: &mut Vec<u32>) -> f64 {
    let r = angle_deg.to_radians();
    let (s, c) = (r.sin() as f32, r.cos() as f32);
    let mut lo = f32::MAX;
    let mut hi = f32::MIN;
    for &(x, y) in points {
        let p = -x * s + y * c;
        lo = lo.min(p);
        hi = hi.max(p);
    }
    if points.is_empty() {
        return 0.0;
    }
    let n = ((hi - lo) / bin) as usize + 2;
    buf.clear();
    buf.resize(n, 0);
    for &(x, y) in points {
        let p = -x * s + y * c;
        buf[((p - lo) / bin) as usize] += 1;
    }
    buf.iter().map(|&k| (k as f64) * (k as f64)).sum::<f64>() / points.len() as f64
}

fn search(points: &[(f32, f32)], center: f64, half: f64, step: f64, bin: f32) -> (f64, f64) {
    let mut buf = Vec::new();
    let (mut best_a, mut best_s) = (center, f64::MIN);
    let n = (2.0 * half / step).round() as i64;
    for i in 0..=n {
        let a = center - half + i as f64 * step;
        let s = score(points, a, bin, &mut buf);
        if s > best_s {
            best_s = s;
            best_a = a;
        }
    }
    (best_a, best_s)
}

/// Estimates the text direction from character centres (`points`), given a typical
/// character height `char_h` in the same units, searching skews up to `max_skew` degrees.
pub fn estimate(points: &[(f32, f32)], char_h: f32, max_skew: f64) -> SkewEstimate {
    let bin = (char_h * 0.35).max(1.0);
    let mut best = [(0.0, 0.0); 2];
    for (i, axis) in [0.0, 90.0].into_iter().enumerate() {
        let (a, _) = search(points, axis, max_skew, 0.5, bin * 3.0);
        let (a, _) = search(points, a, 0.6, 0.1, bin * 1.5);
        best[i] = search(points, a, 0.12, 0.02, bin);
    }
    // Compare the axes at the same (coarse) bin so the ratio is fair.
    let mut buf = Vec::new();
    let s0 = score(points, best[0].0, bin * 1.5, &mut buf);
    let s1 = score(points, best[1].0, bin * 1.5, &mut buf);
    let (k, ratio) = if s0 >= s1 {
        (0, s0 / s1.max(1e-9))
    } else {
        (1, s1 / s0.max(1e-9))
    };
    let axis = if k == 0 { 0 } else { 90 };
    let angle = best[k].0;
    SkewEstimate {
        angle_deg: angle,
        axis,
        skew_deg: angle - axis as f64,
        axis_ratio: ratio,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Character centres of a page of text lines, rotated by `deg` about (500, 700).
    fn page(deg: f64) -> Vec<(f32, f32)> {
        let r = deg.to_radians();
        let mut pts = Vec::new();
        let mut seed = 7u32;
        for line in 0..30 {
            let len = 40 + (line * 7 % 25);
            for k in 0..len {
                seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
                let jitter = (seed >> 16) % 5;
                let (x, y) = (
                    100.0 + k as f64 * 16.0 + jitter as f64,
                    150.0 + line as f64 * 40.0 + ((seed >> 8) % 4) as f64,
                );
                let (dx, dy) = (x - 500.0, y - 700.0);
                pts.push((
                    (500.0 + dx * r.cos() - dy * r.sin()) as f32,
                    (700.0 + dx * r.sin() + dy * r.cos()) as f32,
                ));
            }
        }
        pts
    }

    #[test]
    fn finds_skew_within_a_tenth_of_a_degree() {
        for deg in [-15.0, -7.3, -1.2, 0.0, 0.4, 3.5, 11.0, 15.0] {
            let e = estimate(&page(deg), 20.0, 20.0);
            assert_eq!(e.axis, 0, "{deg}");
            assert!((e.skew_deg - deg).abs() < 0.1, "{deg} -> {e:?}");
        }
    }

    #[test]
    fn finds_quarter_turns_with_skew() {
        for deg in [90.0 - 12.0, 90.0, 90.0 + 4.0, -90.0 + 9.0] {
            let e = estimate(&page(deg), 20.0, 20.0);
            assert_eq!(e.axis, 90, "{deg}");
            // -90 + 9 is the same axis as 90 + 9 (the 180° part is left to OCR).
            let diff = (e.angle_deg - deg).rem_euclid(180.0);
            let diff = diff.min(180.0 - diff);
            assert!(diff < 0.1, "{deg} -> {e:?}");
            assert!(e.axis_ratio > 1.5);
        }
    }
}
