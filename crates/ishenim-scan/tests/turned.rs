//! Turned pages with the real Tesseract: the sample page turned by a quarter either way, or
//! by a half, comes out upright and is read once (the letters' shapes or the strip decide
//! the sense before the full reading), as the page read as it is.

use image::DynamicImage;
use ishenim_ocr::{Engine, Lexicon};
use ishenim_scan::{scan_page, Engines, PageInput, ScanConfig};
use std::path::Path;

fn scan(image: DynamicImage) -> ishenim_page::PageRecord {
    std::env::set_var("OMP_THREAD_LIMIT", "1");
    let mut engines = Engines {
        text: Engine::new(None, "kir").expect("kir installed"),
        digits: None,
        codes: None,
    };
    let input = PageInput {
        file: "L003p1.png".into(),
        page: 1,
        stem: "L003p1".into(),
        image,
        dpi: Some(300),
        decode_ms: 0,
    };
    scan_page(
        &mut engines,
        &Lexicon::kyrgyz(),
        &ScanConfig::default(),
        input,
    )
}

#[test]
fn a_quarter_turned_page_is_read_once_the_right_way_up() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/L003p1.png");
    let img = image::open(&p).expect("sample page");
    let upright = scan(img.clone());
    for (turned, rotation) in [(img.rotate90(), 270), (img.rotate270(), 90)] {
        let rec = scan(turned);
        assert_eq!(rec.rotation, rotation);
        assert!(
            !rec.timings_ms.contains_key("ocr_turned"),
            "read twice: {:?}",
            rec.timings_ms
        );
        assert!(rec.mean_conf > 85.0, "{}", rec.mean_conf);
        assert_eq!(rec.words.len(), upright.words.len());
    }
}

#[test]
fn an_upside_down_page_is_read_once_the_right_way_up() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/L003p1.png");
    let img = image::open(&p).expect("sample page");
    let upright = scan(img.clone());
    // Its letters look upside down: the strip confirms it before the full reading.
    let rec = scan(img.rotate180());
    assert_eq!(rec.rotation, 180);
    assert!(
        !rec.timings_ms.contains_key("ocr_turned"),
        "read twice: {:?}",
        rec.timings_ms
    );
    assert!(rec.mean_conf > 85.0, "{}", rec.mean_conf);
    assert_eq!(rec.words.len(), upright.words.len());
}
