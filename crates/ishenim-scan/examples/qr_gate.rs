//! How the QR gate behaves on pages: finder pairs patterns found, time of the gate and of
//! the full search. `cargo run --release -p ishenim-scan --example qr_gate -- PAGE...`

use ishenim_scan::qr::{finder_pairs, search_samples};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut sample_ms = 0u128;
    let (mut gate_ms, mut full_ms, mut searched) = (0u128, 0u128, 0);
    let pages: Vec<String> = std::env::args().skip(1).collect();
    for path in &pages {
        let img = image::open(path)?;
        let t = Instant::now();
        let (small, _) = search_samples(&img);
        sample_ms += t.elapsed().as_millis();
        let n = finder_pairs(&small);
        gate_ms += t.elapsed().as_millis();
        let t = Instant::now();
        let g = img.to_luma8();
        let found = ishenim_receipt::qr::find(g.width(), g.height(), g.as_raw());
        full_ms += t.elapsed().as_millis();
        searched += usize::from(n >= 1);
        if n >= 1 || !found.is_empty() {
            println!("{path}: {n} finder pairs, {} codes", found.len());
        }
    }
    println!(
        "{} pages: gate {gate_ms} ms (sampling {sample_ms}), full search {full_ms} ms, gate passes {searched}",
        pages.len()
    );
    Ok(())
}
