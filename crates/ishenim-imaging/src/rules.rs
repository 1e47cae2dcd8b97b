//! Removes the printing of notebook paper — thin, long, horizontal rules and grid lines —
//! from a prepared page, keeping the strokes that touch or cross them.
//!
//! Why: grey rules have the hue of grey or black ink, so the colour conversion cannot drop
//! them. A handwritten line or a printed line sitting on a rule then joins it into one
//! page-wide blob: Tesseract's layout takes it for a rule or a picture, and the unread check
//! (which skips rules) never sees the line either.

use image::GrayImage;

/// Erases long thin horizontal runs of ink (value `<= t`) from `img`, a deskewed page whose
/// characters are about `ch` pixels high. A pixel of such a run goes only where the ink at
/// its column is thin (a stroke crossing or resting on the rule is kept). Returns the number
/// of rows holding rule pieces; nothing is changed unless there are at least `MIN_RULES`
/// distinct rules (a ruled sheet, not a letter with one underline or a table).
pub fn remove_rules(img: &mut GrayImage, t: u8, ch: f32) -> usize {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if ch < 4.0 || w < 64 || h < 64 {
        return 0;
    }
    let min_len = (3.0 * ch) as usize;
    let max_thick = ((0.15 * ch).round() as usize).max(3);
    let raw = img.as_raw();
    let ink = |x: usize, y: usize| raw[y * w + x] <= t;
    // Long runs, row by row.
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    for y in 0..h {
        let row = &raw[y * w..(y + 1) * w];
        let mut x = 0;
        while x < w {
            if row[x] <= t {
                let s = x;
                while x < w && row[x] <= t {
                    x += 1;
                }
                if x - s >= min_len {
                    runs.push((y, s, x));
                }
            } else {
                x += 1;
            }
        }
    }
    // Distinct rules: groups of rows with runs, separated by rows without.
    let mut rows: Vec<usize> = runs.iter().map(|r| r.0).collect();
    rows.dedup();
    let rules = rows.windows(2).filter(|p| p[1] > p[0] + max_thick).count() + 1;
    if runs.is_empty() || rules < MIN_RULES {
        return 0;
    }
    let mut erase: Vec<(usize, usize)> = Vec::new();
    for &(y, x0, x1) in &runs {
        for x in x0..x1 {
            let up = (1..=max_thick + 1)
                .take_while(|&d| y >= d && ink(x, y - d))
                .count();
            let down = (1..=max_thick + 1)
                .take_while(|&d| y + d < h && ink(x, y + d))
                .count();
            if up + down < max_thick {
                erase.push((x, y));
            }
        }
    }
    // On a ruled sheet the margin line and the grid's columns go too.
    erase.extend(vertical_lines(img, t, ch));
    let buf: &mut [u8] = img;
    for (x, y) in erase {
        buf[y * w + x] = 255;
    }
    rows.len()
}

/// Pixels of vertical lines on a ruled sheet — the margin line, the grid's columns: runs
/// of ink longer than any letter (5 character heights), thin across.
fn vertical_lines(img: &GrayImage, t: u8, ch: f32) -> Vec<(usize, usize)> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let max_thick = max_thick(ch);
    let raw = img.as_raw();
    let ink = |x: usize, y: usize| raw[y * w + x] <= t;
    let vmin = (5.0 * ch) as usize;
    let mut erase = Vec::new();
    for x in 0..w {
        let mut y = 0;
        while y < h {
            if !ink(x, y) {
                y += 1;
                continue;
            }
            let s = y;
            while y < h && ink(x, y) {
                y += 1;
            }
            if y - s < vmin {
                continue;
            }
            for yy in s..y {
                let left = (1..=max_thick + 1)
                    .take_while(|&d| x >= d && ink(x - d, yy))
                    .count();
                let right = (1..=max_thick + 1)
                    .take_while(|&d| x + d < w && ink(x + d, yy))
                    .count();
                if left + right < max_thick {
                    erase.push((x, yy));
                }
            }
        }
    }
    erase
}

/// Fewest rules that make a page ruled.
pub const MIN_RULES: usize = 5;

/// A rule found from its pieces: its centre line is `y = y0 + slope * x`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DashedRule {
    /// Row of the centre line at x = 0.
    pub y0: f32,
    /// Rows per column.
    pub slope: f32,
    /// Thickness of its pieces (median, weighted by their width), in rows.
    pub thick: f32,
}

impl DashedRule {
    /// Row of the centre line at column `x`.
    pub fn y_at(&self, x: usize) -> f32 {
        self.y0 + self.slope * x as f32
    }
}

/// Erases notebook rules that survive only as dashes, from `img`, a deskewed page whose
/// characters are about `ch` pixels high and whose ink is `<= t`. Returns the number of
/// rules erased.
///
/// Why: a heavy JPEG (or faint violet rules on grey paper) breaks the rules into pieces a
/// few characters long, so no long run exists for [`remove_rules`]; Tesseract then reads
/// every rule as a line of `———`, `_` and `=` between the real lines. The pieces give the
/// rules away by what no text does: they are thin loose marks lying on one row across the
/// page, and the rows repeat at the ruling's pitch (see [`find_dashed_rules`]).
pub fn remove_dashed_rules(img: &mut GrayImage, t: u8, ch: f32) -> usize {
    let rules = find_dashed_rules(img, t, ch);
    if rules.is_empty() {
        return 0;
    }
    // The margin line goes too: left alone beside a line of text it is read as `|`. It is
    // as light as the rules' pieces (red turns light grey), so it is sought at their limit.
    let w = img.width() as usize;
    for (x, y) in vertical_lines(img, ink_limit(t), ch) {
        img.as_mut()[y * w + x] = 255;
    }
    for r in &rules {
        erase_along(img, ink_limit(t), ch, r);
    }
    rules.len()
}

/// Grey values counted as ink when looking for rule pieces: the page's ink and the greys
/// halfway to white (a faint rule is lighter than the print).
fn ink_limit(t: u8) -> u8 {
    t.saturating_add((255 - t) / 2).min(254)
}

/// Thickest a rule is taken to be, in pixels.
fn max_thick(ch: f32) -> usize {
    ((0.15 * ch).round() as usize).max(3)
}

/// The ink (`<= lim`) of `img` at half its size, in one pass: a pixel is ink when any of
/// its 2×2 block is (a 1 px line stays a line).
fn ink_halved(img: &GrayImage, lim: u8) -> crate::components::Bitmap {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let (ow, oh) = (w.div_ceil(2), h.div_ceil(2));
    let raw = img.as_raw();
    let mut ink = vec![false; ow * oh];
    for (y, row) in raw.chunks_exact(w).enumerate() {
        let out = &mut ink[(y / 2) * ow..(y / 2 + 1) * ow];
        for (o, pair) in out.iter_mut().zip(row.chunks(2)) {
            *o |= pair.iter().any(|&v| v <= lim);
        }
    }
    crate::components::Bitmap {
        width: ow as u32,
        height: oh as u32,
        ink,
    }
}

/// Finds dashed rules: rows carrying thin loose horizontal pieces (taller than a rule
/// never, joined to no letter) over much of the page's width, of which at least
/// [`MIN_RULES`] lie at a regular pitch (1.2–10 character heights). Empty otherwise, so
/// a letter with hyphens, an underline or a table is left alone.
pub fn find_dashed_rules(img: &GrayImage, t: u8, ch: f32) -> Vec<DashedRule> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if ch < 4.0 || w < 64 || h < 64 {
        return Vec::new();
    }
    if !maybe_dashed(img, ink_limit(t), ch) {
        return Vec::new();
    }
    let dashes = rule_pieces(img, ink_limit(t), ch);
    let peaks = dash_rows(&dashes, w, h, ch, 0.1);
    let rows = regular_rows(&peaks, ch);
    if rows.len() < MIN_RULES {
        return Vec::new();
    }
    let reach = (max_thick(ch) as f32 + 2.0).max(0.3 * ch);
    rows.iter()
        .filter_map(|&y| fit_rule(&dashes, y as f32, reach))
        .collect()
}

/// A loose thin piece: centre column, centre row, width, height.
type Piece = (f32, f32, f32, f32);

/// Whether the page may carry dashed rules: the same search on the page shrunk by two
/// (each 2×2 block as dark as its darkest pixel, so a 1 px rule stays), with every limit
/// loosened (pieces wider than tall rather than 1.5 times, a few rows thicker, 7 % of the
/// width instead of 10 %), meant to pass every page on which the full search finds rules
/// (on the issue-14 corpora it passes all of them: same texts on all 217 pages).
///
/// Why: labelling the whole page at full resolution cost 20–50 ms on every page, and
/// almost no page is ruled with dashes; a quarter of the pixels is labelled instead, and
/// the full search runs only where this one finds rows at a pitch.
fn maybe_dashed(img: &GrayImage, lim: u8, ch: f32) -> bool {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let bm = ink_halved(img, lim);
    let max_h = max_thick(ch) as u32 / 2 + 3;
    let pieces: Vec<Piece> = crate::components::label(&bm)
        .components
        .iter()
        .filter(|c| c.height() <= max_h && c.width() >= 2 && c.width() > c.height())
        .map(|c| {
            let cx = (c.x0 + c.x1) as f32;
            let cy = (c.y0 + c.y1) as f32 - 1.0;
            (cx, cy, 2.0 * c.width() as f32, 2.0 * c.height() as f32)
        })
        .collect();
    regular_rows(&dash_rows(&pieces, w, h, ch, 0.07), ch).len() >= MIN_RULES
}

/// Components of ink no taller than a rule and wider than tall: candidate rule pieces.
fn rule_pieces(img: &GrayImage, lim: u8, ch: f32) -> Vec<Piece> {
    let bm = crate::binarize::threshold(img, lim);
    let max_h = max_thick(ch) as u32 + 3;
    crate::components::label(&bm)
        .components
        .iter()
        .filter(|c| c.height() <= max_h && c.width() >= 3 && 2 * c.width() >= 3 * c.height())
        .map(|c| {
            let cx = (c.x0 + c.x1) as f32 / 2.0;
            let cy = (c.y0 + c.y1 - 1) as f32 / 2.0;
            (cx, cy, c.width() as f32, c.height() as f32)
        })
        .collect()
}

/// Rows where the pieces add up to a rule: at least `share` of the page's width (a tenth)
/// within a few rows, spread over at least half of eight columns of the page, and the most
/// of their neighbourhood (within 0.6 character heights).
fn dash_rows(dashes: &[Piece], w: usize, h: usize, ch: f32, share: f32) -> Vec<usize> {
    let r = max_thick(ch) / 2 + 1;
    let mut prof = vec![0f32; h];
    let mut bins = vec![0u8; h];
    for &(cx, cy, dw, _) in dashes {
        let y = (cy.round() as usize).min(h - 1);
        prof[y] += dw;
        bins[y] |= 1 << ((cx as usize * 8 / w).min(7));
    }
    let lo = |y: usize| y.saturating_sub(r);
    let hi = |y: usize| (y + r + 1).min(h);
    let win: Vec<f32> = (0..h).map(|y| prof[lo(y)..hi(y)].iter().sum()).collect();
    let spread = |y: usize| {
        let m = bins[lo(y)..hi(y)].iter().fold(0u8, |a, &b| a | b);
        m.count_ones()
    };
    let min_total = share * w as f32;
    let sep = (0.6 * ch) as usize;
    (0..h)
        .filter(|&y| win[y] >= min_total && spread(y) >= 4)
        .filter(|&y| {
            let (a, b) = (y.saturating_sub(sep), (y + sep + 1).min(h));
            (a..b).all(|z| win[z] < win[y] || (win[z] == win[y] && z >= y))
        })
        .collect()
}

/// The rows among `peaks` that lie at the pitch most often seen between neighbours (or at
/// twice or three times it: a rule hidden under a text line), within 6 %.
fn regular_rows(peaks: &[usize], ch: f32) -> Vec<usize> {
    let diffs: Vec<f32> = peaks.windows(2).map(|p| (p[1] - p[0]) as f32).collect();
    let near = |d: f32, p: f32| (d - p).abs() <= (0.06 * p).max(3.0);
    let pitch = diffs
        .iter()
        .filter(|&&d| d >= 1.2 * ch && d <= 10.0 * ch)
        .map(|&p| (diffs.iter().filter(|&&d| near(d, p)).count(), p))
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let Some((n, p)) = pitch else {
        return Vec::new();
    };
    if n + 1 < MIN_RULES {
        return Vec::new();
    }
    let on_pitch = |a: usize, b: usize| {
        let d = a.abs_diff(b) as f32;
        (1..=3).any(|k| near(d, k as f32 * p))
    };
    peaks
        .iter()
        .copied()
        .filter(|&y| peaks.iter().any(|&z| z != y && on_pitch(y, z)))
        .collect()
}

/// The centre line through the pieces within `reach` rows of `y`, weighted by width;
/// pieces off the first line by more than a rule's thickness are dropped and the line
/// fitted again. `None` without pieces.
fn fit_rule(dashes: &[Piece], y: f32, reach: f32) -> Option<DashedRule> {
    let mut near: Vec<Piece> = dashes
        .iter()
        .copied()
        .filter(|d| (d.1 - y).abs() <= reach)
        .collect();
    let mut rule = weighted_line(&near)?;
    near.retain(|d| (d.1 - rule.y_at(d.0 as usize)).abs() <= reach / 2.0);
    if let Some(r) = weighted_line(&near) {
        rule = r;
    }
    near.sort_by(|a, b| a.3.total_cmp(&b.3));
    let half: f32 = near.iter().map(|p| p.2).sum::<f32>() / 2.0;
    let mut acc = 0.0;
    rule.thick = near
        .iter()
        .find(|p| {
            acc += p.2;
            acc >= half
        })
        .map_or(rule.thick, |p| p.3);
    Some(rule)
}

/// Least-squares line `y = y0 + slope x` through the pieces, weighted by width; level
/// when the pieces span too little width to give a slope (or tilt by more than 1°).
fn weighted_line(ps: &[Piece]) -> Option<DashedRule> {
    let sw: f32 = ps.iter().map(|p| p.2).sum();
    if ps.is_empty() || sw <= 0.0 {
        return None;
    }
    let mx = ps.iter().map(|p| p.0 * p.2).sum::<f32>() / sw;
    let my = ps.iter().map(|p| p.1 * p.2).sum::<f32>() / sw;
    let sxx: f32 = ps.iter().map(|p| p.2 * (p.0 - mx).powi(2)).sum();
    let sxy: f32 = ps.iter().map(|p| p.2 * (p.0 - mx) * (p.1 - my)).sum();
    let slope = if sxx > sw * 100.0 * 100.0 {
        (sxy / sxx).clamp(-0.0175, 0.0175)
    } else {
        0.0
    };
    Some(DashedRule {
        y0: my - slope * mx,
        slope,
        thick: 3.0,
    })
}

/// Whitens, along `rule`, the thin pieces lying wholly within the rule's band (a few rows
/// either side of its centre line): in each column the ink run no thicker than the rule's
/// pieces (plus one row; at least three: a rule split in two by JPEG ringing) that
/// neither enters nor leaves the band, taken where such runs follow one another over a
/// stretch wider than tall. Kept: ink going on beyond the band (a stem or descender crossing
/// the rule, a letter standing on it, with the rule's pixels in its columns), ink thicker
/// than the rule (a letter's foot or a descender's hook lying on it, with the rule beneath),
/// and small round marks (a full stop or the dot of a letter beside the rule).
fn erase_along(img: &mut GrayImage, lim: u8, ch: f32, rule: &DashedRule) {
    let w = img.width() as usize;
    let thick = (rule.thick.round() as usize + 1).clamp(3, max_thick(ch) + 1);
    let cols: Vec<Option<(usize, usize)>> = (0..w)
        .map(|x| thin_run(img, lim, ch, rule, x).filter(|r| r.1 - r.0 <= thick))
        .collect();
    let buf: &mut [u8] = img;
    let mut x = 0;
    while x < w {
        let Some(first) = cols[x] else {
            x += 1;
            continue;
        };
        let (s, mut tallest, mut prev) = (x, first.1 - first.0, first);
        x += 1;
        while let Some(run) = cols.get(x).copied().flatten() {
            if run.0 > prev.1 || prev.0 > run.1 {
                break;
            }
            tallest = tallest.max(run.1 - run.0);
            prev = run;
            x += 1;
        }
        if x - s >= 3 && 2 * (x - s) >= 3 * tallest {
            for (cx, run) in cols.iter().enumerate().take(x).skip(s) {
                if let Some((a, b)) = *run {
                    for y in a..b {
                        buf[y * w + cx] = 255;
                    }
                }
            }
        }
    }
}

/// The ink of column `x` within the band of `rule` that touches neither of the band's
/// edges from outside, as rows `[start, end)`: all such runs together (a rule that JPEG
/// ringing split into two thin lines), or the one nearest the centre line when together
/// they are thicker than a rule. Columns thicker than a rule are kept by the caller (a full
/// stop merged with the rule).
fn thin_run(
    img: &GrayImage,
    lim: u8,
    ch: f32,
    rule: &DashedRule,
    x: usize,
) -> Option<(usize, usize)> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let half = max_thick(ch) / 2 + 2;
    let yc = rule.y_at(x).round();
    if yc < (half + 1) as f32 || yc + (half + 1) as f32 >= h as f32 {
        return None;
    }
    let (top, bot) = (yc as usize - half, yc as usize + half);
    let raw = img.as_raw();
    let ink = |y: usize| raw[y * w + x] <= lim;
    let dist = |r: (usize, usize)| (r.0 + r.1).abs_diff(2 * yc as usize);
    let mut best: Option<(usize, usize)> = None;
    let mut all: Option<(usize, usize)> = None;
    let mut y = top;
    while y <= bot {
        if !ink(y) {
            y += 1;
            continue;
        }
        let s = y;
        while y <= bot && ink(y) {
            y += 1;
        }
        if (s == top && ink(top - 1)) || (y > bot && ink(bot + 1)) {
            continue;
        }
        if best.is_none_or(|b| dist((s, y)) < dist(b)) {
            best = Some((s, y));
        }
        all = Some(all.map_or((s, y), |a| (a.0, y)));
    }
    match all {
        Some(a) if a.1 - a.0 <= max_thick(ch) + 1 => Some(a),
        _ => best,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// Rules every 60 px, 2 px thick, a margin line, and one vertical stroke crossing a rule.
    fn ruled() -> GrayImage {
        let mut img = GrayImage::from_pixel(600, 400, Luma([255]));
        for k in 0..6u32 {
            for y in 30 + 60 * k..32 + 60 * k {
                for x in 10..590 {
                    img.put_pixel(x, y, Luma([60]));
                }
            }
        }
        for y in 70..100 {
            for x in 200..204 {
                img.put_pixel(x, y, Luma([0]));
            }
        }
        for y in 5..395 {
            img.put_pixel(500, y, Luma([50]));
            img.put_pixel(501, y, Luma([50]));
        }
        img
    }

    #[test]
    fn rules_go_and_a_crossing_stroke_stays_whole() {
        let mut img = ruled();
        assert!(remove_rules(&mut img, 128, 30.0) > 0);
        assert_eq!(img.get_pixel(100, 30).0[0], 255, "rule erased");
        assert_eq!(img.get_pixel(100, 331).0[0], 255, "rule erased");
        assert_eq!(img.get_pixel(500, 200).0[0], 255, "margin line erased");
        for y in 70..100 {
            assert_eq!(img.get_pixel(201, y).0[0], 0, "stroke kept at {y}");
        }
    }

    /// A page of rules every 90 px (3 character heights of 30 px), 3 px thick and grey,
    /// broken into dashes 12–58 px long with gaps of 4–34 px (a heavy JPEG), the rule at
    /// y = 300 split into two 1 px lines (JPEG ringing).
    fn dashed() -> GrayImage {
        let mut img = GrayImage::from_pixel(1200, 900, Luma([255]));
        for k in 0..9u32 {
            let y = 60 + 90 * k;
            let mut x = 5 + 7 * k;
            let mut i = 0u32;
            while x < 1190 {
                let len = 12 + (i * 37 + k * 11) % 47;
                for xx in x..(x + len).min(1190) {
                    if y == 300 {
                        img.put_pixel(xx, y - 1, Luma([150]));
                        img.put_pixel(xx, y + 1, Luma([150]));
                    } else {
                        for yy in y - 1..=y + 1 {
                            img.put_pixel(xx, yy, Luma([150]));
                        }
                    }
                }
                x += len + 4 + (i * 13 + k * 5) % 31;
                i += 1;
            }
        }
        img
    }

    fn fill(img: &mut GrayImage, x: std::ops::Range<u32>, y: std::ops::Range<u32>, v: u8) {
        for yy in y {
            for xx in x.clone() {
                img.put_pixel(xx, yy, Luma([v]));
            }
        }
    }

    fn ink_in(img: &GrayImage, x: std::ops::Range<u32>, y: std::ops::Range<u32>) -> usize {
        y.flat_map(|yy| x.clone().map(move |xx| (xx, yy)))
            .filter(|&(xx, yy)| img.get_pixel(xx, yy).0[0] < 255)
            .count()
    }

    #[test]
    fn dashed_rules_go_and_text_on_them_stays() {
        let mut img = dashed();
        // A stem crossing the rule at 150, one standing on it, a full stop resting on it,
        // a descender with its hook lying on the rule at 240, a hyphen between the rules
        // and two margin lines, one lighter than the ink threshold (red).
        fill(&mut img, 300..304, 130..170, 30);
        fill(&mut img, 400..404, 120..151, 30);
        fill(&mut img, 410..416, 144..150, 30);
        fill(&mut img, 500..504, 215..241, 30);
        fill(&mut img, 486..504, 236..241, 30);
        fill(&mut img, 600..612, 195..198, 30);
        fill(&mut img, 100..102, 5..895, 60);
        fill(&mut img, 1150..1152, 5..895, 180);
        let before = img.clone();
        assert_eq!(find_dashed_rules(&img, 128, 30.0).len(), 9);
        assert_eq!(remove_dashed_rules(&mut img, 128, 30.0), 9);
        for k in 0..9u32 {
            let y = 60 + 90 * k;
            let left = ink_in(&img, 0..280, y - 3..y + 4);
            assert_eq!(left, 0, "rule at {y} erased left of the text");
        }
        assert_eq!(ink_in(&img, 700..1200, 290..311), 0, "split rule erased");
        assert_eq!(ink_in(&img, 100..102, 5..895), 0, "margin line erased");
        assert_eq!(
            ink_in(&img, 1150..1152, 5..895),
            0,
            "a light (red) line erased"
        );
        for (x, y) in [
            (300..304, 130..170),
            (400..404, 120..151),
            (410..416, 144..150),
        ] {
            assert_eq!(
                ink_in(&img, x.clone(), y.clone()),
                ink_in(&before, x, y),
                "stroke kept"
            );
        }
        assert_eq!(ink_in(&img, 500..504, 215..241), 4 * 26, "descender kept");
        assert_eq!(ink_in(&img, 486..500, 236..239), 14 * 3, "its hook kept");
        assert_eq!(ink_in(&img, 600..612, 195..198), 36, "hyphen kept");
    }

    #[test]
    fn the_half_resolution_search_passes_a_dashed_sheet() {
        let mut img = dashed();
        assert!(maybe_dashed(&img, ink_limit(128), 30.0));
        // Only three rules left: no ruled sheet at half resolution either.
        fill(&mut img, 0..1200, 250..900, 255);
        assert!(!maybe_dashed(&img, ink_limit(128), 30.0));
    }

    #[test]
    fn halving_keeps_a_one_pixel_line() {
        let mut img = GrayImage::from_pixel(5, 5, Luma([255]));
        fill(&mut img, 0..5, 3..4, 100);
        let bm = ink_halved(&img, 128);
        assert_eq!((bm.width, bm.height), (3, 3));
        assert_eq!(
            bm.ink,
            [false, false, false, true, true, true, false, false, false]
        );
    }

    #[test]
    fn lines_of_print_with_hyphens_are_not_rules() {
        // Ten text lines at a regular pitch: letters are stems and bowls joined by serifs
        // on the baseline, with a hyphen and a dash in every line and one underline.
        let mut img = GrayImage::from_pixel(1200, 900, Luma([255]));
        for k in 0..10u32 {
            let base = 70 + 80 * k;
            let mut x = 100;
            while x < 1100 {
                fill(&mut img, x..x + 4, base - 30..base, 20);
                fill(&mut img, x - 4..x + 8, base - 3..base, 20);
                x += 22 + (x * 7 + k) % 17;
            }
            fill(
                &mut img,
                300 + 13 * k..318 + 13 * k,
                base - 15..base - 12,
                20,
            );
            fill(&mut img, 700..730, base - 15..base - 12, 20);
        }
        fill(&mut img, 100..600, 153..155, 20);
        assert!(find_dashed_rules(&img, 128, 30.0).is_empty());
        let before = img.clone();
        assert_eq!(remove_dashed_rules(&mut img, 128, 30.0), 0);
        assert_eq!(img, before);
    }

    #[test]
    fn a_few_dashed_rows_are_not_a_ruled_sheet() {
        let mut img = dashed();
        fill(&mut img, 0..1200, 320..900, 255);
        assert!(find_dashed_rules(&img, 128, 30.0).is_empty());
    }

    #[test]
    fn one_underline_is_not_a_ruled_sheet() {
        let mut img = GrayImage::from_pixel(600, 400, Luma([255]));
        for x in 10..590 {
            img.put_pixel(x, 200, Luma([0]));
        }
        assert_eq!(remove_rules(&mut img, 128, 30.0), 0);
        assert_eq!(img.get_pixel(100, 200).0[0], 0);
    }
}
