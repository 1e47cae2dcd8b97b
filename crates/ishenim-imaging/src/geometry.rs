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
