//! Recognition with Tesseract and clean-up of its Kyrgyz output.
//!
//! Invariants: no file or network I/O of its own (Tesseract reads its traineddata and the
//! lexicon is handed in as bytes); one [`Engine`] per thread.

pub mod digits;
pub mod engine;
pub mod lexicon;
pub mod normalize;

pub use engine::{mean_conf, words_to_text, Engine, OcrError, RawWord, Recognizer, Segmentation};
pub use lexicon::Lexicon;
