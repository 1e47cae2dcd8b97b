//! Affine maps between the processed page and the original image.

/// `p_src = M * p_dst + t`, with `M = [[a, b], [c, d]]` and `t = [e, f]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine {
    /// Row 1, column 1.
    pub a: f64,
    /// Row 1, column 2.
    pub b: f64,
    /// Row 2, column 1.
    pub c: f64,
    /// Row 2, column 2.
    pub d: f64,
    /// Translation x.
    pub e: f64,
    /// Translation y.
    pub f: f64,
}

impl Affine {
    /// The identity map.
    pub const IDENTITY: Affine = Affine {
        a: 1.0,
        b: 0.0,
        c: 0.0,
        d: 1.0,
        e: 0.0,
        f: 0.0,
    };

    /// Maps a point.
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.a * x + self.b * y + self.e,
            self.c * x + self.d * y + self.f,
        )
    }

    /// `self ∘ other`: first `other`, then `self`.
    pub fn then_from(&self, other: &Affine) -> Affine {
        Affine {
            a: self.a * other.a + self.b * other.c,
            b: self.a * other.b + self.b * other.d,
            c: self.c * other.a + self.d * other.c,
            d: self.c * other.b + self.d * other.d,
            e: self.a * other.e + self.b * other.f + self.e,
            f: self.c * other.e + self.d * other.f + self.f,
        }
    }

    /// Maps an axis-aligned box and returns the axis-aligned box around its image,
    /// clamped to `[0, w) x [0, h)`.
    pub fn map_box(&self, bx: [u32; 4], w: u32, h: u32) -> [u32; 4] {
        let corners = [
            (bx[0] as f64, bx[1] as f64),
            (bx[2] as f64, bx[1] as f64),
            (bx[0] as f64, bx[3] as f64),
            (bx[2] as f64, bx[3] as f64),
        ];
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (x, y) in corners {
            let (u, v) = self.apply(x, y);
            x0 = x0.min(u);
            y0 = y0.min(v);
            x1 = x1.max(u);
            y1 = y1.max(v);
        }
        let cl = |v: f64, m: u32| v.round().clamp(0.0, m as f64) as u32;
        [cl(x0, w), cl(y0, h), cl(x1, w), cl(y1, h)]
    }
}

/// The map from a rotated, scaled output of size `out` back to a source of size `src`:
/// output axis x runs along source direction `angle_deg` (image coordinates, y down),
/// one output pixel is `1/scale` source pixels, and the centres coincide.
pub fn rotation_to_source(src: (u32, u32), angle_deg: f64, scale: f64) -> (Affine, (u32, u32)) {
    let r = angle_deg.to_radians();
    let (cs, sn) = (r.cos(), r.sin());
    let (w, h) = (src.0 as f64, src.1 as f64);
    let ow = ((w * cs.abs() + h * sn.abs()) * scale).round().max(1.0);
    let oh = ((w * sn.abs() + h * cs.abs()) * scale).round().max(1.0);
    let (a, b, c, d) = (cs / scale, -sn / scale, sn / scale, cs / scale);
    let (cx, cy) = (ow / 2.0, oh / 2.0);
    let e = w / 2.0 - (a * cx + b * cy);
    let f = h / 2.0 - (c * cx + d * cy);
    (Affine { a, b, c, d, e, f }, (ow as u32, oh as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_turn_maps_corners() {
        // Output x runs along source +y: the source was turned 90° clockwise.
        let (m, size) = rotation_to_source((100, 50), 90.0, 1.0);
        assert_eq!(size, (50, 100));
        let (x, y) = m.apply(0.0, 0.0);
        assert!((x - 100.0).abs() < 1e-9 && y.abs() < 1e-9, "{x},{y}");
    }

    #[test]
    fn composition_matches_sequential_application() {
        let (m1, _) = rotation_to_source((300, 200), 7.0, 1.5);
        let (m2, _) = rotation_to_source((400, 300), -3.0, 0.5);
        let (x, y) = m1.apply(m2.apply(10.0, 20.0).0, m2.apply(10.0, 20.0).1);
        let (u, v) = m1.then_from(&m2).apply(10.0, 20.0);
        assert!((x - u).abs() < 1e-9 && (y - v).abs() < 1e-9);
    }
}

/// A projective map `p_src = H * p_dst` (homogeneous coordinates), row-major 3×3.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homography(pub [f64; 9]);

impl Homography {
    /// The identity map.
    pub const IDENTITY: Homography = Homography([1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);

    /// The same map as an affine one.
    pub fn from_affine(a: &Affine) -> Homography {
        Homography([a.a, a.b, a.e, a.c, a.d, a.f, 0.0, 0.0, 1.0])
    }

    /// Maps a point.
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let m = &self.0;
        let w = m[6] * x + m[7] * y + m[8];
        let w = if w.abs() < 1e-12 { 1e-12 } else { w };
        (
            (m[0] * x + m[1] * y + m[2]) / w,
            (m[3] * x + m[4] * y + m[5]) / w,
        )
    }

    /// `self ∘ other`: first `other`, then `self`.
    pub fn then_from(&self, other: &Homography) -> Homography {
        let (a, b) = (&self.0, &other.0);
        let mut m = [0.0; 9];
        for r in 0..3 {
            for c in 0..3 {
                m[r * 3 + c] = (0..3).map(|k| a[r * 3 + k] * b[k * 3 + c]).sum();
            }
        }
        Homography(m)
    }

    /// Maps an axis-aligned box and returns the box around its image, clamped to `w × h`.
    pub fn map_box(&self, bx: [u32; 4], w: u32, h: u32) -> [u32; 4] {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (x, y) in [
            (bx[0], bx[1]),
            (bx[2], bx[1]),
            (bx[0], bx[3]),
            (bx[2], bx[3]),
        ] {
            let (u, v) = self.apply(x as f64, y as f64);
            x0 = x0.min(u);
            y0 = y0.min(v);
            x1 = x1.max(u);
            y1 = y1.max(v);
        }
        let cl = |v: f64, m: u32| v.round().clamp(0.0, m as f64) as u32;
        [cl(x0, w), cl(y0, h), cl(x1, w), cl(y1, h)]
    }

    /// The map taking the four `from` points onto the four `to` points, if they are in
    /// general position.
    pub fn from_points(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> Option<Homography> {
        // Solve the 8 unknowns h0..h7 (h8 = 1) by Gaussian elimination.
        let mut a = [[0.0f64; 9]; 8];
        for i in 0..4 {
            let ((x, y), (u, v)) = (from[i], to[i]);
            a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
            a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
        }
        for col in 0..8 {
            let piv = (col..8).max_by(|&r1, &r2| a[r1][col].abs().total_cmp(&a[r2][col].abs()))?;
            if a[piv][col].abs() < 1e-9 {
                return None;
            }
            a.swap(col, piv);
            let pivot_row = a[col];
            for (r, row) in a.iter_mut().enumerate() {
                if r != col {
                    let f = row[col] / pivot_row[col];
                    for (v, p) in row.iter_mut().zip(pivot_row.iter()).skip(col) {
                        *v -= f * p;
                    }
                }
            }
        }
        let mut h = [0.0; 9];
        for (i, row) in a.iter().enumerate() {
            h[i] = row[8] / row[i];
        }
        h[8] = 1.0;
        Some(Homography(h))
    }
}

#[cfg(test)]
mod homography_tests {
    use super::*;

    #[test]
    fn four_points_map_exactly() {
        let from = [(0.0, 0.0), (100.0, 0.0), (100.0, 150.0), (0.0, 150.0)];
        let to = [(12.0, 30.0), (118.0, 22.0), (125.0, 190.0), (5.0, 170.0)];
        let h = Homography::from_points(from, to).expect("solvable");
        for (p, q) in from.iter().zip(&to) {
            let (x, y) = h.apply(p.0, p.1);
            assert!((x - q.0).abs() < 1e-6 && (y - q.1).abs() < 1e-6);
        }
        let (a, _) = rotation_to_source((50, 60), 10.0, 1.0);
        let ha = Homography::from_affine(&a);
        let (x, y) = h.then_from(&ha).apply(3.0, 4.0);
        let (u, v) = a.apply(3.0, 4.0);
        let (x2, y2) = h.apply(u, v);
        assert!((x - x2).abs() < 1e-9 && (y - y2).abs() < 1e-9);
    }
}
