//! Times each preprocessing step on one image: `cargo run --release -p ishenim-imaging --example prep_timing -- PAGE`

use ishenim_imaging::*;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: prep_timing PAGE")?;
    let img = image::open(&path)?;
    for _ in 0..2 {
        let t = Instant::now();
        let g = gray::to_gray(&img);
        let t1 = t.elapsed();
        let f = flatten::flatten_background(&g);
        let t2 = t.elapsed();
        let s = binarize::shrink_mean(&f, 2);
        let b = binarize::threshold(&s, binarize::ink_threshold(&s));
        let t3 = t.elapsed();
        let l = components::label(&b);
        let t4 = t.elapsed();
        let p = prepare(&img, &PrepareOptions::default());
        let t5 = t.elapsed();
        println!(
            "gray {:?} flatten {:?} shrink+bin {:?} label {:?} ({} comps) prepare-total {:?} skew {:?}",
            t1,
            t2 - t1,
            t3 - t2,
            t4 - t3,
            l.components.len(),
            t5 - t4,
            p.skew
        );
    }
    let p = prepare(&img, &PrepareOptions::default());
    if let Some(out) = std::env::args().nth(2) {
        p.image.save(&out)?;
        println!(
            "blank={} content={:?} junk={} scale={} char_px={}",
            p.blank, p.content, p.junk_removed, p.scale, p.char_px
        );
    }
    Ok(())
}
