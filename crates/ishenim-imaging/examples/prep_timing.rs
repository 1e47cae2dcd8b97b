//! Times each preprocessing step (`Prepared::steps_ms`) on pages:
//! `cargo run --release -p ishenim-imaging --example prep_timing -- PAGE...`
//! (`--save OUT.png` after a single page writes its prepared image).

use ishenim_imaging::*;
use std::collections::BTreeMap;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (pages, save) = match args.iter().position(|a| a == "--save") {
        Some(i) => (&args[..i], args.get(i + 1)),
        None => (&args[..], None),
    };
    if pages.is_empty() {
        return Err("usage: prep_timing PAGE... [--save OUT.png]".into());
    }
    let mut total: BTreeMap<&'static str, u64> = BTreeMap::new();
    for path in pages {
        let t = Instant::now();
        let img = image::open(path)?;
        let decode = t.elapsed().as_millis() as u64;
        let t = Instant::now();
        let p = prepare(&img, &PrepareOptions::default());
        let all = t.elapsed().as_millis();
        let steps: Vec<String> = p.steps_ms.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!(
            "{path}: decode {decode} prepare {all} ms [{}] scale {:.2} char_px {:.1} dewarp {}",
            steps.join(", "),
            p.scale,
            p.char_px,
            p.dewarp.is_some()
        );
        *total.entry("decode").or_default() += decode;
        for (k, v) in &p.steps_ms {
            *total.entry(k).or_default() += v;
        }
        if let Some(out) = save {
            p.image.save(out)?;
        }
    }
    println!("total ms: {total:?}");
    Ok(())
}
