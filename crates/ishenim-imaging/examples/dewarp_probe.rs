//! Why a page is or is not flattened: its baselines (count, span, bend against a straight
//! line) on the cleaned page before flattening, and whether `measure` flattens it.
//! `cargo run --release -p ishenim-imaging --example dewarp_probe -- PAGE...`

use ishenim_imaging::dewarp::{baselines, measure};
use ishenim_imaging::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for path in std::env::args().skip(1) {
        let img = image::open(&path)?;
        let p = prepare(&img, &PrepareOptions::default());
        let ch = p.char_px * p.scale;
        let lines = baselines(&p.image, ch);
        println!(
            "{path}: ch {ch:.1} size {:?} dewarp {} lines {} (measure again: {})",
            p.image.dimensions(),
            p.dewarp.is_some(),
            lines.len(),
            measure(&p.image, ch).is_some()
        );
        let mut bends: Vec<f32> = lines.iter().map(|b| bend(b) / ch).collect();
        bends.sort_by(|a, b| a.total_cmp(b));
        let bs: Vec<String> = bends.iter().map(|v| format!("{v:.2}")).collect();
        println!("  bends/ch {}", bs.join(" "));
        if std::env::var("PROBE_LINES").is_err() {
            continue;
        }
        for b in &lines {
            let ys: Vec<String> = b.iter().map(|q| format!("{:.0}", q.1)).collect();
            println!(
                "  x {:.0}-{:.0} n {} ys {}",
                b[0].0,
                b[b.len() - 1].0,
                b.len(),
                ys.join(" ")
            );
        }
    }
    Ok(())
}

/// Max minus min residual of the baseline from its least-squares line.
fn bend(b: &[(f32, f32)]) -> f32 {
    let n = b.len() as f32;
    let mx = b.iter().map(|p| p.0).sum::<f32>() / n;
    let my = b.iter().map(|p| p.1).sum::<f32>() / n;
    let sxx: f32 = b.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    let sxy: f32 = b.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let k = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let r: Vec<f32> = b.iter().map(|p| p.1 - (my + k * (p.0 - mx))).collect();
    r.iter().cloned().fold(f32::MIN, f32::max) - r.iter().cloned().fold(f32::MAX, f32::min)
}
