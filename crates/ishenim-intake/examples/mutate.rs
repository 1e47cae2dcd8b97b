//! A small mutation fuzzer (no cargo-fuzz needed): mutates every file of the
//! hostile corpus and the format fixtures many times and runs `open` plus
//! every `page` on each variant. Reports panics (even those contained by the
//! crate's guard, via a panic hook), slow inputs (> 2 s) and the outcome
//! codes. Saves offending inputs to `--out DIR` (default /tmp).
//!
//! `cargo run --release -p ishenim-intake --example mutate -- SECONDS [DIR...]`

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ishenim_intake::{open, Limits};

static PANICS: AtomicUsize = AtomicUsize::new(0);

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, src: &[u8]) -> Vec<u8> {
    let mut b = src.to_vec();
    for _ in 0..=rng.below(4) {
        if b.is_empty() {
            break;
        }
        let at = rng.below(b.len());
        match rng.below(7) {
            0 => b[at] ^= 1 << rng.below(8),
            1 => b[at] = rng.next() as u8,
            2 => b.truncate(at),
            3 => {
                let n = rng.below(16) + 1;
                for _ in 0..n {
                    b.insert(at, rng.next() as u8);
                }
            }
            4 => {
                // Interesting values: 0, 0xFF.., big 32-bit numbers.
                let v: [u8; 4] = match rng.below(4) {
                    0 => [0; 4],
                    1 => [0xFF; 4],
                    2 => [0x7F, 0xFF, 0xFF, 0xFF],
                    _ => [0, 0, 0xEA, 0x60],
                };
                for (i, x) in v.iter().enumerate() {
                    if let Some(p) = b.get_mut(at + i) {
                        *p = *x;
                    }
                }
            }
            5 => {
                // Duplicate a slice.
                let len = rng.below(64).min(b.len() - at);
                let piece = b[at..at + len].to_vec();
                let to = rng.below(b.len());
                b.splice(to..to, piece);
            }
            _ => {
                let len = rng.below(32).min(b.len() - at);
                b.drain(at..at + len);
            }
        }
    }
    b
}

fn main() {
    let mut args = std::env::args().skip(1);
    let secs: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(60);
    let mut dirs: Vec<String> = args.collect();
    if dirs.is_empty() {
        let root = env!("CARGO_MANIFEST_DIR");
        dirs = vec![
            format!("{root}/../../tests/hostile"),
            format!("{root}/tests/data"),
        ];
    }
    let mut seeds = Vec::new();
    for d in &dirs {
        for e in std::fs::read_dir(d).expect("dir").flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "py" || x == "tsv") {
                continue;
            }
            if let Ok(b) = std::fs::read(&p) {
                if b.len() < 400_000 {
                    seeds.push((p.display().to_string(), b));
                }
            }
        }
    }
    std::panic::set_hook(Box::new(|info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        eprintln!("PANIC: {info}");
    }));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut runs = 0u64;
    let mut codes: std::collections::BTreeMap<String, u64> = Default::default();
    let mut slowest = (Duration::ZERO, String::new());
    while Instant::now() < deadline {
        let (name, seed) = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed);
        let before = PANICS.load(Ordering::SeqCst);
        let t = Instant::now();
        let code = match open(&input, &Limits::default()) {
            Err(e) => e.code().to_string(),
            Ok(doc) => {
                let mut c = "ok".to_string();
                for i in 0..doc.page_count() {
                    if let Err(e) = doc.page(i) {
                        c = e.code().to_string();
                    }
                }
                c
            }
        };
        let took = t.elapsed();
        *codes.entry(code).or_default() += 1;
        runs += 1;
        if took > slowest.0 {
            slowest = (took, name.clone());
        }
        if PANICS.load(Ordering::SeqCst) != before || took > Duration::from_secs(2) {
            let out = format!("/tmp/intake-crash-{runs}.bin");
            let _ = std::fs::write(&out, &input);
            eprintln!("input from {name} saved to {out} ({took:?})");
        }
    }
    println!(
        "{runs} runs, {} panics, slowest {:?} ({}), outcomes {codes:?}",
        PANICS.load(Ordering::SeqCst),
        slowest.0,
        slowest.1
    );
}
