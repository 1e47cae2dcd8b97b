//! Builds `models/kir-words.fst` from plain word lists (one word per line).
//!
//! `cargo run -p ishenim-ocr --example build_lexicon -- OUT.fst WORDS.txt [NAMES.txt ...]`
//!
//! Lists whose file name contains `names` hold personal names and name elements: each is
//! also added with the surname and patronymic endings (-ов, -ова, -ович, -овна, -ев, ...).

const NAME_ENDINGS: &[&str] = &[
    "", "ов", "ова", "ович", "овна", "ев", "ева", "евич", "евна", "иев", "иева",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: build_lexicon OUT.fst WORDS.txt [NAMES.txt ...]".into());
    }
    let mut words: Vec<String> = Vec::new();
    for path in &args[2..] {
        let text = std::fs::read_to_string(path)?;
        let names = path.contains("names");
        for w in text
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty() && !w.starts_with('#'))
        {
            if names {
                for part in w.split(['-', ' ']).chain(std::iter::once(w)) {
                    for end in NAME_ENDINGS {
                        words.push(format!("{part}{end}"));
                    }
                }
            } else {
                words.push(w.to_string());
            }
        }
    }
    let lex = ishenim_ocr::Lexicon::from_words(&words);
    std::fs::write(&args[1], lex.to_bytes())?;
    println!("{} words -> {}", lex.len(), args[1]);
    Ok(())
}
