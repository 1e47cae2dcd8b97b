//! Builds `models/kir-words.fst` from a plain word list (one word per line).
//!
//! `cargo run -p ishenim-ocr --example build_lexicon -- WORDS.txt OUT.fst`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        return Err("usage: build_lexicon WORDS.txt OUT.fst".into());
    }
    let text = std::fs::read_to_string(&args[1])?;
    let lex = ishenim_ocr::Lexicon::from_words(text.lines());
    std::fs::write(&args[2], lex.to_bytes())?;
    println!("{} words -> {}", lex.len(), args[2]);
    Ok(())
}
