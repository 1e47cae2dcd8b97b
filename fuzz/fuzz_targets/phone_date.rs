//! The phone and date parsers of `ishenim-draft` (`contacts.rs`, reached through the
//! crate's `fuzzing` module) on arbitrary text, whole and line by line.
//!
//! Properties: never panics; an E.164 phone is `+996` and 9 digits starting 2–9; a phone
//! that is not E.164 is a 5–6-digit village number, as written in the input, never
//! "repaired"; every date is a real calendar date in 1990–2100 and covers 0–1 of its line.
#![no_main]

use ishenim_draft::fuzzing::{find_dates, find_loose_phone, parse_phone};
use libfuzzer_sys::fuzz_target;

fn e164(p: &str) -> bool {
    p.strip_prefix("+996").is_some_and(|r| {
        r.len() == 9
            && r.bytes().all(|c| c.is_ascii_digit())
            && matches!(r.as_bytes()[0], b'2'..=b'9')
    })
}

fn real_date(d: &str) -> bool {
    let b = d.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| d.get(r).and_then(|s| s.parse::<u32>().ok());
    let (Some(y), Some(m), Some(day)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (1990..=2100).contains(&y) && (1..=12).contains(&m) && day >= 1 && day <= days[(m - 1) as usize]
}

fn check(s: &str) {
    if let Some((value, repaired, is_e164)) = parse_phone(s) {
        if is_e164 {
            assert!(e164(&value), "parse_phone gave {value:?} as E.164");
        } else {
            assert!(!repaired, "a landline was repaired");
            let digits = value.chars().filter(char::is_ascii_digit).count();
            assert!((5..=6).contains(&digits), "landline {value:?}");
            assert!(s.contains(&value), "landline {value:?} is not as written");
        }
    }
    if let Some(v) = find_loose_phone(s) {
        assert!(e164(&v), "find_loose_phone gave {v:?}");
    }
    for (iso, coverage) in find_dates(s) {
        assert!(real_date(&iso), "find_dates gave {iso:?}");
        assert!((0.0..=1.0).contains(&coverage), "coverage {coverage}");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check(&text);
    for line in text.lines().take(64) {
        check(line);
    }
});
