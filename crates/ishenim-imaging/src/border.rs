//! Scanner borders, black bands, desk edges and punch holes.

use crate::components::Component;

/// Page scale needed to judge components: typical character height in pixels.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// Pixels per millimetre.
    pub px_per_mm: f32,
}

/// True for components that are not writing: bands or dark areas touching the edge,
/// long thin rules at the very edge, and solid round blobs in the margins (punch holes).
pub fn is_border_junk(c: &Component, s: &Scale) -> bool {
    let (w, h) = (s.width as f32, s.height as f32);
    let (cw, ch) = (c.width() as f32, c.height() as f32);
    let mm = s.px_per_mm;
    if c.touches_edge(s.width, s.height)
        && (cw > 0.12 * w || ch > 0.12 * h || c.area as f32 > 400.0 * mm * mm)
    {
        return true;
    }
    // Solid roundish blob of punch-hole size (4–9 mm) near an edge. Solid means a disc's
    // fill (π/4 ≈ 0.79, a little less when blurred): a dense letter as large as a hole is
    // not (ш, ж at 0.6 in a 13 pt letter photographed close; seed 11's curl page lost both
    // its ш at the right edge to a cut of 0.55).
    let near_edge = {
        let cx = (c.x0 + c.x1) as f32 / 2.0;
        let cy = (c.y0 + c.y1) as f32 / 2.0;
        cx < 0.15 * w || cx > 0.85 * w || cy < 0.12 * h || cy > 0.88 * h
    };
    let holeish = (3.5 * mm..=10.0 * mm).contains(&cw)
        && (3.5 * mm..=10.0 * mm).contains(&ch)
        && (0.6..=1.6).contains(&(cw / ch))
        && c.fill() > 0.68;
    near_edge && holeish
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comp(x0: u32, y0: u32, x1: u32, y1: u32, fill: f32) -> Component {
        let area = ((x1 - x0) * (y1 - y0)) as f32 * fill;
        Component {
            x0,
            y0,
            x1,
            y1,
            area: area as u32,
        }
    }

    const S: Scale = Scale {
        width: 1240,
        height: 1754,
        px_per_mm: 5.9,
    };

    #[test]
    fn bands_and_holes_are_junk_letters_are_not() {
        assert!(is_border_junk(&comp(0, 0, 40, 1754, 0.95), &S), "left band");
        assert!(
            is_border_junk(&comp(30, 500, 60, 530, 0.78), &S),
            "punch hole"
        );
        assert!(
            !is_border_junk(&comp(300, 500, 318, 520, 0.4), &S),
            "a letter"
        );
        assert!(
            !is_border_junk(&comp(30, 500, 48, 520, 0.4), &S),
            "a letter in the margin"
        );
        assert!(
            !is_border_junk(&comp(1200, 500, 1230, 530, 0.6), &S),
            "a dense letter (ш) as large as a hole at the right edge"
        );
        assert!(
            !is_border_junk(&comp(600, 800, 630, 830, 0.8), &S),
            "a bullet in the text"
        );
    }
}
