//! Shows what the dashed-rule pass finds on a prepared page (as `prep_timing --save`
//! writes it): `cargo run --release -p ishenim-imaging --example dashed_rules -- IN.png
//! CHAR_PX [OUT.png]`. The ink threshold is taken from the page itself.

use ishenim_imaging::binarize::ink_threshold;
use ishenim_imaging::rules::{find_dashed_rules, remove_dashed_rules};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        return Err("usage: dashed_rules IN.png CHAR_PX [OUT.png]".into());
    }
    let mut img = image::open(&args[0])?.to_luma8();
    let ch: f32 = args[1].parse()?;
    let t = ink_threshold(&img);
    let clock = Instant::now();
    let rules = find_dashed_rules(&img, t, ch);
    let found_ms = clock.elapsed().as_millis();
    for r in &rules {
        println!("rule y0 {:.1} slope {:.4}", r.y0, r.slope);
    }
    let n = remove_dashed_rules(&mut img, t, ch);
    println!(
        "t {t}: {} rules ({found_ms} ms to find), {n} erased",
        rules.len()
    );
    if let Some(out) = args.get(2) {
        img.save(out)?;
    }
    Ok(())
}
