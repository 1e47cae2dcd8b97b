//! The digit readers on real crops from rendered letters (the real Tesseract): numbers whose
//! "3" the LSTM models read as "5" are put right by the vote, with the legacy classifier
//! that `make setup` fetches into `models/tessdata/`.

use ishenim_ocr::digits::{settle, DigitReader};
use std::path::{Path, PathBuf};

fn data(name: &str) -> image::GrayImage {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    image::open(&p).expect("test image").to_luma8()
}

fn legacy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/tessdata")
}

#[test]
fn the_vote_reads_the_threes_the_text_engine_missed() {
    let legacy = legacy_dir();
    assert!(
        legacy.join("eng.traineddata").is_file(),
        "models/tessdata/eng.traineddata is missing: run `make setup`"
    );
    let mut reader = DigitReader::new(None, Some(&legacy)).expect("eng and rus models");
    assert!(reader.has_legacy(), "the legacy classifier loads");

    // "(772) 73 98" in PT Sans: the kir model read "7598", so did eng as a line and rus.
    let readings = reader.readings(&data("number_7398_pt_sans.png"), 300);
    assert_eq!(readings.len(), 4, "{readings:?}");
    assert_eq!(
        settle("7598", 90.8, &readings).as_deref(),
        Some("7398"),
        "{readings:?}"
    );

    // "370" in a serif face read as "5370": three readers agree on 370.
    let readings = reader.readings(&data("number_370_serif.png"), 300);
    assert_eq!(
        settle("5370", 82.7, &readings).as_deref(),
        Some("370"),
        "{readings:?}"
    );
}

#[test]
fn without_the_legacy_model_the_lstm_readers_still_vote_but_cannot_settle_as_much() {
    let mut reader = DigitReader::new(None, Some(Path::new("/nonexistent"))).expect("eng");
    assert!(!reader.has_legacy());
    let readings = reader.readings(&data("number_370_serif.png"), 300);
    assert_eq!(readings.len(), 3, "{readings:?}");
    // Two LSTM readings say 370, one 3570: not enough to shorten a confident word.
    assert_eq!(settle("5370", 82.7, &readings), None, "{readings:?}");
    // For a word the text engine was unsure of, two are enough.
    assert_eq!(settle("5370", 60.0, &readings).as_deref(), Some("370"));
}
