//! Each preprocessing step on synthetic pages: a page of "writing" (letter-sized blobs in
//! lines, with word gaps and paragraph indents) is turned, skewed, framed by a scanner band
//! and punch holes, and `prepare` must undo it.

use image::{DynamicImage, GrayImage, Luma};
use ishenim_imaging::geometry::rotation_to_source;
use ishenim_imaging::prepare::warp_bilinear;
use ishenim_imaging::{prepare, PrepareOptions};

const DPI: u32 = 150;

/// An A4 page at 150 dpi with 30 lines of letter-like marks.
fn page() -> GrayImage {
    let (w, h) = (1240, 1754);
    let mut img = GrayImage::from_pixel(w, h, Luma([250]));
    let mut seed = 12345u32;
    let mut rnd = |n: u32| {
        seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
        (seed >> 16) % n
    };
    for line in 0..30u32 {
        let y = 160 + line * 45;
        let mut x = if line % 6 == 0 { 200 } else { 130 };
        let end = if line % 6 == 5 { 600 } else { 1100 };
        while x < end {
            let word = 3 + rnd(7);
            for _ in 0..word {
                let (cw, ch) = (9 + rnd(5), if rnd(5) == 0 { 20 } else { 14 });
                for yy in y + 20 - ch..y + 20 {
                    for xx in x..x + cw {
                        // Hollow-ish letters: strokes 3 px wide.
                        let edge =
                            xx < x + 3 || xx >= x + cw - 3 || yy < y + 23 - ch || yy >= y + 17;
                        if edge {
                            img.put_pixel(xx, yy, Luma([25]));
                        }
                    }
                }
                x += cw + 3;
            }
            x += 14;
        }
    }
    img
}

fn turn(img: &GrayImage, angle_deg: f64) -> GrayImage {
    // Output axis x runs along source direction -angle: the content appears turned by angle.
    let (m, size) = rotation_to_source(img.dimensions(), -angle_deg, 1.0);
    warp_bilinear(img, &m, size)
}

fn opts() -> PrepareOptions {
    PrepareOptions {
        dpi_hint: Some(DPI),
        ..PrepareOptions::default()
    }
}

#[test]
fn skewed_pages_are_measured_within_half_a_degree() {
    let base = page();
    for skew in [-15.0, -9.0, -4.0, -1.0, 0.0, 2.5, 7.0, 12.0, 15.0] {
        let p = prepare(&DynamicImage::ImageLuma8(turn(&base, skew)), &opts());
        assert!(!p.blank);
        assert_eq!(p.rotation() % 180, 0, "skew {skew}: stays on its axis");
        // Content turned counter-clockwise by `skew` in image terms = lines at -skew.
        let err = (p.skew_deg() - skew).abs().min((p.skew_deg() + skew).abs());
        assert!(err < 0.5, "skew {skew}: measured {}", p.skew_deg());
    }
}

#[test]
fn quarter_turned_pages_are_put_on_their_axis() {
    let base = page();
    for (turned, skew) in [(90.0, 0.0), (270.0, 0.0), (90.0, 8.0), (270.0, -11.0)] {
        let p = prepare(
            &DynamicImage::ImageLuma8(turn(&base, turned + skew)),
            &opts(),
        );
        // Lines are horizontal after preparation (up to the 180° left to the recogniser).
        assert_eq!(
            p.rotation() % 180,
            90,
            "turned {turned}+{skew}: rotation {}",
            p.rotation()
        );
        let (w, h) = p.image.dimensions();
        assert!(h > w, "turned {turned}: portrait again, got {w}x{h}");
    }
}

#[test]
fn scanner_band_and_punch_holes_are_removed() {
    let mut img = page();
    let h = img.height();
    for y in 0..h {
        for x in 0..40 {
            img.put_pixel(x, y, Luma([15]));
        }
    }
    for cy in [h / 3, 2 * h / 3] {
        for y in cy - 18..cy + 18 {
            for x in 60..96 {
                let (dx, dy) = (x as i32 - 78, y as i32 - cy as i32);
                if dx * dx + dy * dy < 18 * 18 {
                    img.put_pixel(x, y, Luma([10]));
                }
            }
        }
    }
    let p = prepare(&DynamicImage::ImageLuma8(img), &opts());
    assert!(p.junk_removed >= 1);
    let dark = |x0: u32, x1: u32, y0: u32, y1: u32| {
        (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| p.image.get_pixel(x, y).0[0] < 128)
            .count()
    };
    assert_eq!(dark(0, 40, 0, h), 0, "band gone");
    assert_eq!(dark(60, 96, h / 3 - 18, h / 3 + 18), 0, "punch hole gone");
    assert!(dark(130, 1100, 150, 1500) > 10_000, "writing kept");
}

#[test]
fn blank_and_nearly_blank_pages() {
    let mut blank = GrayImage::from_pixel(1240, 1754, Luma([245]));
    // Paper grain and a few specks.
    for i in 0..4000u32 {
        let (x, y) = ((i * 7919) % 1240, (i * 104729) % 1754);
        blank.put_pixel(x, y, Luma([180]));
    }
    let p = prepare(&DynamicImage::ImageLuma8(blank.clone()), &opts());
    assert!(p.blank, "grain and specks only: blank");

    // One short handwritten-sized line is not blank.
    let mut one_line = blank;
    for k in 0..12u32 {
        let x = 300 + k * 22;
        for y in 800..822 {
            for xx in x..x + 4 {
                one_line.put_pixel(xx, y, Luma([30]));
            }
        }
    }
    let p = prepare(&DynamicImage::ImageLuma8(one_line), &opts());
    assert!(!p.blank, "a single line of writing is kept for reading");
}

#[test]
fn low_resolution_pages_are_upscaled() {
    let small = image::imageops::resize(&page(), 620, 877, image::imageops::FilterType::Triangle);
    let p = prepare(
        &DynamicImage::ImageLuma8(small),
        &PrepareOptions {
            dpi_hint: Some(75),
            ..PrepareOptions::default()
        },
    );
    assert!(p.scale > 1.5, "scale {}", p.scale);
}

#[test]
fn word_boxes_map_back_to_the_original() {
    let base = page();
    let turned = turn(&base, 90.0);
    let p = prepare(&DynamicImage::ImageLuma8(turned.clone()), &opts());
    // The top-left text corner of the prepared page lies on ink of the original.
    let (w, h) = turned.dimensions();
    let b = p
        .to_original
        .map_box([0, 0, p.image.width(), p.image.height()], w, h);
    assert_eq!(
        b,
        [0, 0, w, h],
        "the whole prepared page covers the whole original"
    );
}
