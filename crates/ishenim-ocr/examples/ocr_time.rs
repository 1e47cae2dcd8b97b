//! Times the engine's full-page reading (psm 3) on images as they are, for comparison with the
//! `tesseract` command on the same files:
//! `cargo run --release -p ishenim-ocr --example ocr_time -- DPI IMAGE...`

use ishenim_ocr::{Engine, Segmentation};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((dpi, pages)) = args.split_first() else {
        return Err("usage: ocr_time DPI IMAGE...".into());
    };
    let dpi: u32 = dpi.parse()?;
    let mut engine = Engine::new(None, "kir")?;
    for p in pages {
        let img = image::open(p)?.to_luma8();
        for round in 0..2 {
            let t = Instant::now();
            let words = engine.recognize(&img, dpi, Segmentation::Auto)?;
            println!(
                "{p} round {round}: {} ms, {} words",
                t.elapsed().as_millis(),
                words.len()
            );
        }
    }
    Ok(())
}
