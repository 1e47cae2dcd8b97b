//! `ishenim_intake::open` on arbitrary bytes with the default `Limits`, then every page
//! decoded (and its text layer read), as the scanner does.
//!
//! Properties: never panics in our code; `page_count() <= max_pages`; every decoded page is
//! Luma8 or Rgb8 and within the limits; every error has a stable code and a one-line
//! message.
//!
//! Panics: intake runs third-party decoders under `catch_unwind` (a decoder bug becomes
//! `IntakeError::DecoderFault`), which is part of its contract. libFuzzer's panic hook
//! would abort on those too, so the hook installed here lets a panic raised inside a
//! registry crate unwind to intake's guard (counted on stderr), and aborts — a finding —
//! on a panic anywhere else (our crates, the standard library).
#![no_main]

use ishenim_intake::image::DynamicImage;
use ishenim_intake::{open, Limits};
use libfuzzer_sys::fuzz_target;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

static HOOK: Once = Once::new();
static THIRD_PARTY_PANICS: AtomicU64 = AtomicU64::new(0);

fn install_hook() {
    HOOK.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let third_party = info.location().is_some_and(|l| {
                let f = l.file();
                f.contains("/.cargo/registry/") || f.contains("/.cargo/git/")
            });
            if third_party {
                let n = THIRD_PARTY_PANICS.fetch_add(1, Ordering::Relaxed);
                if n < 20 {
                    eprintln!("caught decoder panic (left to intake's guard): {info}");
                }
            } else {
                fuzzer_hook(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    install_hook();
    let limits = Limits::default();
    let doc = match open(data, &limits) {
        Ok(d) => d,
        Err(e) => {
            check_error(&e);
            return;
        }
    };
    let n = doc.page_count();
    assert!(n <= limits.max_pages, "{n} pages");
    for i in 0..n {
        match doc.page(i) {
            Ok(p) => {
                assert!(
                    matches!(
                        p.image,
                        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_)
                    ),
                    "page {i}: {:?}",
                    p.image.color()
                );
                let (w, h) = (p.image.width(), p.image.height());
                assert!(
                    limits.check_page(w.into(), h.into()).is_ok(),
                    "page {i}: {w}x{h} past the limits"
                );
                if let Some(t) = &p.text_layer {
                    assert!(!t.is_empty() && t.trim() == t, "text layer not trimmed");
                }
            }
            Err(e) => check_error(&e),
        }
        match doc.page_text(i) {
            Ok(_) => {}
            Err(e) => check_error(&e),
        }
    }
    assert!(doc.page(n).is_err());
});

fn check_error(e: &ishenim_intake::IntakeError) {
    assert!(!e.code().is_empty());
    let msg = e.to_string();
    assert!(
        !msg.contains('\n'),
        "multi-line error message [{}]",
        e.code()
    );
}
