//! The whole preprocessing of one page, from decoded pixels to an upright, deskewed,
//! cleaned grey image ready for OCR.

use crate::binarize::{ink_threshold, shrink_mean, threshold};
use crate::blank::{is_blank, Content};
use crate::border::{is_border_junk, Scale};
use crate::components::{ink_marks, label, InkMarks, Labels};
use crate::denoise::{smooth_grain, stretch_faint, whiten_grain};
use crate::dewarp::{measure_marks, Dewarp};
use crate::flatten::flatten_background;
use crate::geometry::{rotation_to_source, Affine, Homography};
use crate::gray::to_gray;
use crate::sheet::{
    blank_outside, box_blur, corners, find_sheet, ink_fraction, is_bilevel, isolated_ink_ratio,
    rectify,
};
use crate::skew::{estimate, SkewEstimate};
use image::{DynamicImage, GrayImage};

/// Knobs for [`prepare`].
#[derive(Debug, Clone, Copy)]
pub struct PrepareOptions {
    /// Resolution declared by the file, if any.
    pub dpi_hint: Option<u32>,
    /// Largest skew searched, degrees.
    pub max_skew_deg: f64,
    /// Median character height (pixels) the output is scaled towards.
    pub target_char_px: f32,
    /// Skews smaller than this (degrees) are left to Tesseract, saving a resample.
    pub min_deskew_deg: f64,
}

impl Default for PrepareOptions {
    fn default() -> Self {
        PrepareOptions {
            dpi_hint: None,
            max_skew_deg: 20.0,
            target_char_px: 30.0,
            min_deskew_deg: 0.5,
        }
    }
}

/// A page ready for recognition.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Cleaned, upright (up to a possible 180° turn), deskewed, rescaled grey page.
    pub image: GrayImage,
    /// Maps pixel coordinates of `image` to the original image.
    pub to_original: Homography,
    /// Size of the original image.
    pub original_size: (u32, u32),
    /// True when the page holds no writing.
    pub blank: bool,
    /// Text direction found, if the page is not blank.
    pub skew: Option<SkewEstimate>,
    /// Resolution used (declared, or estimated from the page size).
    pub dpi: u32,
    /// True when `dpi` was estimated rather than declared.
    pub dpi_estimated: bool,
    /// Scale applied (output pixels per original pixel).
    pub scale: f32,
    /// Median character height in original pixels (0 when blank).
    pub char_px: f32,
    /// Evidence behind the blank verdict.
    pub content: Content,
    /// Components removed as borders, bands or holes.
    pub junk_removed: usize,
    /// True when a dithered (fax-like) background was smoothed.
    pub dithered: bool,
    /// Share of the image covered by the sheet when a photo's surroundings were blanked.
    pub sheet_coverage: Option<f64>,
    /// True when the page's sensor grain was smoothed before analysis (a dark photo).
    pub smoothed: bool,
    /// The flattening of curled text lines applied after deskewing, if the page was bent.
    /// `to_original` maps the coordinates from before it; use [`Prepared::map_box`].
    pub dewarp: Option<Dewarp>,
    /// Milliseconds spent in each step, in order (`gray`, `sheet`, `flatten`, `analyse`,
    /// `warp`, `clean`, `dewarp`): where preprocessing time goes (the `prep_timing` example).
    pub steps_ms: Vec<(&'static str, u64)>,
    /// The ink components of `image` as it is (see [`crate::components::ink_marks`]), for
    /// the unread check; `None` once `image` changed after they were made (flattened,
    /// turned) or when the page was not analysed.
    pub marks: Option<InkMarks>,
}

impl Prepared {
    /// Text direction in degrees (image coordinates, y down) currently made horizontal.
    pub fn text_angle(&self) -> f64 {
        self.skew.map(|s| s.angle_deg).unwrap_or(0.0)
    }

    /// Turns the prepared page by 180° (when the recogniser finds it upside down).
    pub fn turn_180(&mut self) {
        let (w, h) = self.image.dimensions();
        self.image = image::imageops::rotate180(&self.image);
        let flip = Homography::from_affine(&Affine {
            a: -1.0,
            b: 0.0,
            c: 0.0,
            d: -1.0,
            e: w as f64,
            f: h as f64,
        });
        self.to_original = self.to_original.then_from(&flip);
        self.dewarp = self.dewarp.as_ref().map(Dewarp::turned_180);
        self.marks = None;
        if let Some(s) = self.skew.as_mut() {
            s.angle_deg = normalise_deg(s.angle_deg + 180.0);
        }
    }

    /// Maps a box of `image` to the original image (clamped to its size): through the
    /// flattening of a curled page, if any, then the rectification, deskew and scaling.
    pub fn map_box(&self, b: [u32; 4]) -> [u32; 4] {
        let (ow, oh) = self.original_size;
        let Some(dw) = &self.dewarp else {
            return self.to_original.map_box(b, ow, oh);
        };
        // The box's edges, sampled, in the coordinates before flattening.
        let (x0, y0, x1, y1) = (b[0] as f32, b[1] as f32, b[2] as f32, b[3] as f32);
        let (mut top, mut bot) = (f32::MAX, f32::MIN);
        for i in 0..=4 {
            let x = x0 + (x1 - x0) * i as f32 / 4.0;
            top = top.min(dw.source(x, y0).1);
            bot = bot.max(dw.source(x, y1).1);
        }
        let nb = [x0, top.max(0.0), x1, bot.max(top)].map(|v| v.round().max(0.0) as u32);
        self.to_original.map_box(nb, ow, oh)
    }

    /// Clockwise rotation in whole quarter turns applied to make the page upright.
    pub fn rotation(&self) -> u32 {
        let quarter = (self.text_angle() / 90.0).round() as i64 * 90;
        ((360 - quarter.rem_euclid(360)) % 360) as u32
    }

    /// Remaining skew corrected, degrees, positive when the text was turned counter-clockwise.
    pub fn skew_deg(&self) -> f64 {
        let a = self.text_angle();
        -(a - (a / 90.0).round() * 90.0)
    }
}

/// Step timings of one call of [`prepare`].
struct Clock {
    last: std::time::Instant,
    steps: Vec<(&'static str, u64)>,
}

impl Clock {
    fn new() -> Self {
        Clock {
            last: std::time::Instant::now(),
            steps: Vec::new(),
        }
    }

    /// Records the time since the previous lap under `name`.
    fn lap(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.steps
            .push((name, (now - self.last).as_millis() as u64));
        self.last = now;
    }
}

/// Brings an angle into (-180, 180].
fn normalise_deg(a: f64) -> f64 {
    let mut a = a.rem_euclid(360.0);
    if a > 180.0 {
        a -= 360.0;
    }
    a
}

/// Guesses the resolution from the page size assuming an A4-ish sheet fills the image.
fn estimate_dpi(w: u32, h: u32) -> u32 {
    let short = w.min(h) as f32;
    (short / 8.27).round().clamp(72.0, 1200.0) as u32
}

/// The page as grey paper with dark ink, before any analysis: the output of the
/// [`grey_page`] step.
struct Flat {
    /// Background flattened, faint ink stretched (or grain whitened).
    image: GrayImage,
    /// Maps the flat page to the original (the sheet's rectification, if any).
    pre: Homography,
    original_size: (u32, u32),
    /// Resolution declared or estimated, and whether it was estimated.
    dpi: u32,
    dpi_estimated: bool,
    dithered: bool,
    sheet_coverage: Option<f64>,
    smoothed: bool,
}

/// What the analysis at about 150 dpi found: the ink threshold, the reduction factor and
/// the text-like marks that decide blankness, size and skew.
struct Analysis {
    /// Reduction factor of the analysis image.
    f: u32,
    /// Ink threshold.
    t: u8,
    content: Content,
    junk_removed: usize,
    /// Heights (analysis pixels) and centres of the text-like marks.
    heights: Vec<f32>,
    points: Vec<(f32, f32)>,
}

/// Runs the whole preprocessing of one page. Never fails: odd pages come back marked
/// (blank, no skew found) rather than as errors.
///
/// The steps, in order: [`grey_page`], [`analyse`] (which also erases border junk), then
/// for a page with text [`turn_upright`] and [`clean_and_dewarp`].
pub fn prepare(img: &DynamicImage, opts: &PrepareOptions) -> Prepared {
    let mut clock = Clock::new();
    let Flat {
        image: mut flat,
        pre,
        original_size,
        dpi,
        dpi_estimated,
        dithered,
        sheet_coverage,
        smoothed,
    } = grey_page(img, opts, &mut clock);
    let a = analyse(&mut flat, dpi);
    let blank = is_blank(&a.content);
    let mut out = Prepared {
        image: GrayImage::new(1, 1),
        to_original: pre,
        original_size,
        blank,
        skew: None,
        dpi,
        dpi_estimated,
        scale: 1.0,
        char_px: 0.0,
        content: a.content,
        junk_removed: a.junk_removed,
        dithered,
        sheet_coverage,
        smoothed,
        dewarp: None,
        steps_ms: Vec::new(),
        marks: None,
    };
    if blank || a.heights.len() < 3 {
        out.image = flat;
        clock.lap("analyse");
        out.steps_ms = clock.steps;
        return out;
    }
    let mut heights = a.heights;
    heights.sort_by(|x, y| x.total_cmp(y));
    let median_small = heights[heights.len() / 2];
    let char_px = median_small * a.f as f32;
    let est = estimate(&a.points, median_small, opts.max_skew_deg);
    let (scale, angle, quarter) = scale_and_angle(char_px, est.angle_deg, opts);
    clock.lap("analyse");
    let (image, m) = turn_upright(flat, angle, quarter, scale);
    out.image = image;
    out.to_original = pre.then_from(&Homography::from_affine(&m));
    clock.lap("warp");
    clean_and_dewarp(&mut out, a.t, scale, char_px * scale, &mut clock);
    out.steps_ms = clock.steps;
    out.skew = Some(est);
    out.scale = scale;
    out.char_px = char_px;
    out
}

/// The steps `gray`, `sheet` and `flatten`: grey pixels, the sheet of a photo straightened
/// (or its surroundings blanked), the resolution, a dithered scan made grey again, and the
/// background flattened.
fn grey_page(img: &DynamicImage, opts: &PrepareOptions, clock: &mut Clock) -> Flat {
    let mut gray = to_gray(img);
    let original_size = gray.dimensions();
    // A dark photo's grain would pass for ink everywhere below: smooth it first.
    let smoothed = smooth_grain(&mut gray, img);
    clock.lap("gray");
    // A photo of a sheet on a desk: straighten the sheet (or at least blank the desk).
    let mut pre = Homography::IDENTITY;
    let sheet = find_sheet(&gray);
    if let Some(s) = &sheet {
        match corners(s).and_then(|q| rectify(&gray, q)) {
            Some((g, hm)) => {
                gray = g;
                pre = hm;
            }
            None => blank_outside(&mut gray, s),
        }
    }
    clock.lap("sheet");
    let (w, h) = gray.dimensions();
    let (dpi, dpi_estimated) = match opts.dpi_hint {
        Some(d) if (72..=2400).contains(&d) && sheet.is_none() => (d, false),
        _ => (estimate_dpi(w, h), true),
    };
    // Dithered bilevel scans (fax-like grey) become grey again before anything else.
    let mut dithered = false;
    if is_bilevel(&gray) && (isolated_ink_ratio(&gray) > 0.15 || ink_fraction(&gray) > 0.15) {
        gray = box_blur(&gray, (dpi / 100).max(1));
        dithered = true;
    }
    let mut flat = flatten_background(&gray);
    drop(gray);
    if smoothed {
        whiten_grain(&mut flat);
    } else {
        stretch_faint(&mut flat);
    }
    clock.lap("flatten");
    Flat {
        image: flat,
        pre,
        original_size,
        dpi,
        dpi_estimated,
        dithered,
        sheet_coverage: sheet.map(|s| s.coverage),
        smoothed,
    }
}

/// Analyses the flat page at about 150 dpi (enough for 0.1° skew and cheap to label):
/// erases the border junk (bands, holes, edges) from `flat` itself and collects the
/// text-like marks.
fn analyse(flat: &mut GrayImage, dpi: u32) -> Analysis {
    let (w, h) = flat.dimensions();
    let f = (dpi / 150).max(1);
    let small = shrink_mean(flat, f);
    let t = ink_threshold(&small);
    let bm = threshold(&small, t);
    let labels = label(&bm);
    let scale_info = Scale {
        width: bm.width,
        height: bm.height,
        px_per_mm: dpi as f32 / f as f32 / 25.4,
    };
    let junk: Vec<bool> = labels
        .components
        .iter()
        .map(|c| is_border_junk(c, &scale_info))
        .collect();
    let junk_removed = junk.iter().filter(|&&j| j).count();
    if junk_removed > 0 {
        erase_runs(flat, &labels, &junk, f, (w, h));
    }
    let (heights, points, ink) = text_like_marks(&labels, &junk, scale_info.px_per_mm);
    let content = Content {
        text_like: heights.len(),
        ink_ratio: ink as f32 / (bm.width as f32 * bm.height as f32).max(1.0),
    };
    Analysis {
        f,
        t,
        content,
        junk_removed,
        heights,
        points,
    }
}

/// Whitens, on the full page, the runs of the analysis components picked by `pick`
/// (each run widened by one analysis pixel around it).
fn erase_runs(flat: &mut GrayImage, labels: &Labels, pick: &[bool], f: u32, (w, h): (u32, u32)) {
    labels.for_runs_of(pick, |y, x0, x1| {
        let (ys, ye) = ((y * f).saturating_sub(f), ((y + 2) * f).min(h));
        let (xs, xe) = ((x0 * f).saturating_sub(f), ((x1 + 1) * f).min(w));
        let fw = w as usize;
        let buf: &mut [u8] = flat;
        for yy in ys..ye {
            buf[yy as usize * fw + xs as usize..yy as usize * fw + xe as usize].fill(255);
        }
    });
}

/// The heights and centres of the marks the size of handwriting or print (1–10 mm tall,
/// at most 30 mm wide, not hairlines), and the ink area of every mark that is not junk.
fn text_like_marks(labels: &Labels, junk: &[bool], mm: f32) -> (Vec<f32>, Vec<(f32, f32)>, u64) {
    let mut heights = Vec::new();
    let mut points = Vec::new();
    let mut ink: u64 = 0;
    for (c, &j) in labels.components.iter().zip(junk) {
        if j {
            continue;
        }
        ink += c.area as u64;
        let (cw, ch) = (c.width() as f32, c.height() as f32);
        let text_like = (1.0 * mm..=10.0 * mm).contains(&ch)
            && cw <= 30.0 * mm
            && c.area as f32 >= 0.5 * mm * mm
            && c.fill() > 0.08;
        if text_like {
            heights.push(ch);
            points.push(((c.x0 + c.x1) as f32 / 2.0, (c.y0 + c.y1) as f32 / 2.0));
        }
    }
    (heights, points, ink)
}

/// The scale and the turn of the page: `(scale, angle, quarter)`, where `quarter` is the
/// nearest quarter turn of the text direction `angle_deg` and `angle` the turn applied.
fn scale_and_angle(char_px: f32, angle_deg: f64, opts: &PrepareOptions) -> (f32, f64, f64) {
    // Scale so that characters are comfortably tall for Tesseract, without wasting time
    // on very high resolution pages.
    let target = opts.target_char_px;
    let scale = if char_px < target * 0.8 || char_px > target * 2.0 {
        (target / char_px).clamp(0.4, 3.0)
    } else {
        1.0
    };
    // Tesseract copes with a small skew itself; resample only when it pays.
    let quarter = (angle_deg / 90.0).round() * 90.0;
    let residual = angle_deg - quarter;
    let angle = if residual.abs() < opts.min_deskew_deg && scale == 1.0 {
        quarter
    } else {
        angle_deg
    };
    (scale, angle, quarter)
}

/// The page turned by `angle` and scaled: a lossless quarter turn when that is all it
/// takes, else a bilinear warp. Returns the page and its map to `flat`'s pixels.
fn turn_upright(flat: GrayImage, angle: f64, quarter: f64, scale: f32) -> (GrayImage, Affine) {
    let (m, size) = rotation_to_source(flat.dimensions(), angle, scale as f64);
    let image = match (
        angle == quarter && scale == 1.0,
        quarter.rem_euclid(360.0) as u32,
    ) {
        (true, 0) => flat,
        (true, 90) => image::imageops::rotate270(&flat),
        (true, 180) => image::imageops::rotate180(&flat),
        (true, 270) => image::imageops::rotate90(&flat),
        _ => warp_bilinear(&flat, &m, size),
    };
    (image, m)
}

/// The steps `clean` and `dewarp` of a page with text whose characters are `ch` pixels
/// tall. The page is cleaned first and its ink labelled once: the flattening decides on
/// those marks, and when the page is not bent they are the final page's marks, which the
/// unread check takes over instead of labelling the page again.
fn clean_and_dewarp(out: &mut Prepared, t: u8, scale: f32, ch: f32, clock: &mut Clock) {
    let mut cleaned = out.image.clone();
    clean(&mut cleaned, t, scale, ch);
    clock.lap("clean");
    let marks = ink_marks(&cleaned, ch);
    // Curled or folded sheets: straighten the text lines themselves (then clean the
    // flattened page: its rules are straight now).
    match measure_marks(&marks, cleaned.dimensions(), ch) {
        Some(dw) => {
            out.image = dw.apply(&out.image);
            clean(&mut out.image, t, scale, ch);
            out.dewarp = Some(dw);
        }
        None => {
            out.image = cleaned;
            out.marks = Some(marks);
        }
    }
    clock.lap("dewarp");
}

/// The last cleaning of a prepared page: paper to white, notebook rules erased.
fn clean(img: &mut GrayImage, t: u8, scale: f32, ch: f32) {
    whiten_background(img, t, scale);
    // Grey rules survive the colour conversion; lines written on them would join them.
    crate::rules::remove_rules(img, t, ch);
    // Rules broken into dashes (heavy JPEG, faint rules) have no long run left.
    crate::rules::remove_dashed_rules(img, t, ch);
}

/// Sets everything lighter than the ink threshold to white: residual shadows, paper grain
/// and stains stop looking like picture regions to Tesseract's layout analysis, while the
/// grey edges of the letters keep their detail.
pub fn whiten_background(img: &mut GrayImage, t: u8, scale: f32) {
    // Where the paper is not clean (shadow, dither, grain) cut at the ink threshold; on a
    // clean page only the lightest greys go, so thin strokes keep their anti-aliased edges.
    // A page enlarged a lot (150 dpi) has wide grey edges that carry the letter shapes: leave
    // a clean one as it is.
    let cut = if grey_share(img, t) > 0.03 {
        t
    } else if scale > 1.6 {
        return;
    } else {
        t + (255 - t) / 2
    };
    let buf: &mut [u8] = img;
    for v in buf.iter_mut() {
        if *v > cut {
            *v = 255;
        }
    }
}

/// Share of pixels between the ink threshold and near-white: paper that is not clean.
pub fn grey_share(img: &GrayImage, t: u8) -> f64 {
    let raw = img.as_raw();
    let n = raw.len().div_ceil(3).max(1);
    raw.iter().step_by(3).filter(|&&v| v > t && v < 225).count() as f64 / n as f64
}

/// The grey value at a fractional source position (pixel centres at integers), or `None`
/// outside the image.
#[inline]
pub fn sample_bilinear(raw: &[u8], sw: i64, sh: i64, sx: f64, sy: f64) -> Option<u8> {
    // Negative positions are outside; for the others truncation is the floor, without
    // the libm `floor` call that cost more than the interpolation (NaN fails both tests).
    if !(sx >= 0.0 && sy >= 0.0) {
        return None;
    }
    let (x0, y0) = (sx as i64, sy as i64);
    if x0 + 1 >= sw || y0 + 1 >= sh {
        return None;
    }
    let (fx, fy) = ((sx - x0 as f64) as f32, (sy - y0 as f64) as f32);
    let i = (y0 * sw + x0) as usize;
    let s = sw as usize;
    let top = raw[i] as f32 * (1.0 - fx) + raw[i + 1] as f32 * fx;
    let bot = raw[i + s] as f32 * (1.0 - fx) + raw[i + s + 1] as f32 * fx;
    Some((top * (1.0 - fy) + bot * fy + 0.5) as u8)
}

/// Resamples `src` into an image of `size` where output pixel centres map through `m`.
pub fn warp_bilinear(src: &GrayImage, m: &Affine, size: (u32, u32)) -> GrayImage {
    let (sw, sh) = (src.width() as i64, src.height() as i64);
    let raw = src.as_raw();
    let (ow, oh) = (size.0 as usize, size.1 as usize);
    let mut out = vec![255u8; ow * oh];
    // Fixed-point stepping along each output row.
    for oy in 0..oh {
        let (mut sx, mut sy) = m.apply(0.5, oy as f64 + 0.5);
        sx -= 0.5;
        sy -= 0.5;
        let row = &mut out[oy * ow..(oy + 1) * ow];
        for px in row.iter_mut() {
            if let Some(v) = sample_bilinear(raw, sw, sh, sx, sy) {
                *px = v;
            }
            sx += m.a;
            sy += m.c;
        }
    }
    GrayImage::from_raw(size.0, size.1, out).unwrap_or_else(|| GrayImage::new(1, 1))
}
