//! Opens files with `ishenim-intake` and prints, per page, the outcome, size,
//! colour, dpi and decode time. `--save DIR` writes each page as PNG.
//!
//! `cargo run --release -p ishenim-intake --example probe -- [--save DIR] FILE...`

use std::time::Instant;

use ishenim_intake::{open, Limits};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut save = None;
    if args.first().map(String::as_str) == Some("--save") && args.len() >= 2 {
        save = Some(args[1].clone());
        args.drain(..2);
    }
    let mut per_format: std::collections::BTreeMap<String, (u32, f64)> = Default::default();
    for path in &args {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                println!("{path}\tread error: {e}");
                continue;
            }
        };
        let t0 = Instant::now();
        let doc = match open(&bytes, &Limits::default()) {
            Ok(d) => d,
            Err(e) => {
                println!("{path}\terr:{}\t{e}", e.code());
                continue;
            }
        };
        let open_ms = t0.elapsed().as_secs_f64() * 1e3;
        println!(
            "{path}\t{}\t{} pages\topen {open_ms:.1} ms",
            doc.format(),
            doc.page_count()
        );
        for i in 0..doc.page_count() {
            let t = Instant::now();
            match doc.page(i) {
                Ok(p) => {
                    let ms = t.elapsed().as_secs_f64() * 1e3;
                    let e = per_format.entry(doc.format().to_string()).or_default();
                    e.0 += 1;
                    e.1 += ms;
                    println!(
                        "  page {}\t{}x{}\t{:?}\tdpi={:?}\ttext={}\t{ms:.1} ms\t{:?}",
                        i + 1,
                        p.image.width(),
                        p.image.height(),
                        p.image.color(),
                        p.dpi,
                        p.text_layer.as_ref().map_or(0, |t| t.chars().count()),
                        p.notes
                    );
                    if let Some(dir) = &save {
                        let stem = std::path::Path::new(path)
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        let out = format!("{dir}/{stem}-{}.png", i + 1);
                        if let Err(e) = p.image.save(&out) {
                            println!("  save error: {e}");
                        }
                    }
                }
                Err(e) => println!("  page {}\terr:{}\t{e}", i + 1, e.code()),
            }
        }
    }
    for (f, (n, ms)) in per_format {
        println!(
            "mean decode {f}: {:.1} ms/page over {n} pages",
            ms / f64::from(n)
        );
    }
}
