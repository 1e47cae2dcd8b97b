//! The letter-shape sense test (`orient::sense`) on prepared pages: one line a page with
//! the rotation preprocessing chose, the counts and the verdict.
//! `cargo run --release -p ishenim-imaging --example sense_probe -- PAGE...`

use ishenim_imaging::components::ink_marks;
use ishenim_imaging::orient::sense;
use ishenim_imaging::*;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for path in std::env::args().skip(1) {
        let img = image::open(&path)?;
        let p = prepare(&img, &PrepareOptions::default());
        if p.blank {
            println!("{path} blank");
            continue;
        }
        let ch = p.char_px * p.scale;
        let t = Instant::now();
        let ink = match &p.marks {
            Some(m) => m.clone(),
            None => ink_marks(&p.image, ch),
        };
        let s = sense(&ink, ch);
        println!(
            "{path} rot {} below {} above {} starts {} ends {} verdict {:?} ms {}",
            p.rotation(),
            s.below,
            s.above,
            s.starts,
            s.ends,
            s.verdict(),
            t.elapsed().as_millis()
        );
    }
    Ok(())
}
