//! `ishenim journal pdf` through the real binary on a real register: the PDF passes
//! `qpdf --check`, `pdftotext` finds the applicant in the full copy and none of the
//! applicant's words in the redacted one, the pixels under every field box are black as
//! a reader renders them (`pdftoppm`), and both exports are in the audit log.

use crate::pdf::{self, bbox, Gray};
use crate::{ok, root, run, s, NewOpening};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One clean letter (L003: Эсенгулова Гүлнара Таалайбековна, Чоң-Өрүк айылы, Үмөталиев
/// көчөсү, 107-үй, +996772534192) registered, then exported whole and redacted.
struct Fixture {
    dir: PathBuf,
    data: PathBuf,
    full: PathBuf,
    redacted: PathBuf,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-appeal-pdf");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let data = dir.join("data");
        let id = NewOpening {
            members: "A,B,C",
            seal_removed: "1",
            seal_applied: "2",
            letters: "1",
            at: Some("2026-03-02 10:15"),
        }
        .record(&data);
        let letter = root().join("samples/L003p1.png");
        ok(&run(&data, &["ingest", "--opening", id.trim(), s(&letter)]));
        ok(&run(
            &data,
            &["--user", "rev", "drafts", "approve", "--all"],
        ));
        let full = dir.join("full.pdf");
        let redacted = dir.join("redacted.pdf");
        ok(&run(
            &data,
            &[
                "--user",
                "comm",
                "journal",
                "pdf",
                "2026-0001",
                "--out",
                s(&full),
            ],
        ));
        let said = ok(&run(
            &data,
            &[
                "--user",
                "comm",
                "journal",
                "pdf",
                "2026-0001",
                "--out",
                s(&redacted),
                "--redact",
            ],
        ));
        assert!(said.contains("box(es) blacked out"), "{said}");
        Fixture {
            dir,
            data,
            full,
            redacted,
        }
    })
}

/// Words that name or locate the applicant (the distinctive ones of each field).
const APPLICANT_WORDS: &[&str] = &[
    "Эсенгулова",
    "Гүлнара",
    "Таалайбековна",
    "Үмөталиев",
    "Чоң-Өрүк",
    "107-үй",
];

#[test]
fn both_copies_are_valid_pdfs_with_a_cyrillic_text_layer() {
    let f = fixture();
    for pdf in [&f.full, &f.redacted] {
        pdf::assert_valid(pdf);
        let info = pdf::info(pdf);
        assert!(
            info.contains("Pages:           2"),
            "cover + one page: {info}"
        );
        assert!(info.contains("2026-0001"), "serial in the title: {info}");
    }
    let text = pdf::text(&f.full);
    // The page's own words (OCR layer) and the cover's fields.
    for w in [
        "бүтүрүүчүлөрдөн",
        "аттестат",
        "Кыскача мазмуну",
        "Обращение",
    ] {
        assert!(text.contains(w), "{w} not extracted from the full PDF");
    }
    for w in APPLICANT_WORDS {
        assert!(text.contains(w), "{w} missing from the full PDF");
    }
    assert!(
        text.contains("534192") || text.contains("554192"),
        "phone in the full PDF"
    );
    let meta = String::from_utf8_lossy(&std::fs::read(&f.full).expect("pdf")).into_owned();
    assert!(meta.contains("/IshenimSerial"), "journal data as metadata");
}

/// The archive metadata the tools at hand can see, and no PDF/A claim: no PDF/A validator
/// could be installed (docs/notes/issue-18.md, session 9), so the XMP packet that poppler
/// reads has the same title as the Info dictionary but no `pdfaid` identification; the
/// catalog has an output intent whose embedded ICC profile is a 3-channel (RGB) monitor
/// profile; the trailer has an id.
#[test]
fn both_copies_carry_xmp_metadata_and_an_srgb_intent_but_claim_no_pdfa() {
    let f = fixture();
    for pdf in [&f.full, &f.redacted] {
        let o = std::process::Command::new("pdfinfo")
            .arg("-meta")
            .arg(pdf)
            .output()
            .expect("pdfinfo -meta");
        let xmp = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(xmp.contains("<x:xmpmeta"), "an XMP packet: {xmp}");
        assert!(!xmp.contains("pdfaid"), "no unverified PDF/A claim: {xmp}");
        assert!(xmp.contains("2026-0001"), "the title in XMP too: {xmp}");
        let catalog = std::process::Command::new("qpdf")
            .args(["--show-object=1"])
            .arg(pdf)
            .output()
            .expect("qpdf");
        let catalog = String::from_utf8_lossy(&catalog.stdout).into_owned();
        assert!(catalog.contains("/S /GTS_PDFA1"), "{catalog}");
        let profile = catalog
            .split("/DestOutputProfile ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .expect("profile object");
        let icc = std::process::Command::new("qpdf")
            .args([&format!("--show-object={profile}"), "--raw-stream-data"])
            .arg(pdf)
            .output()
            .expect("qpdf");
        assert!(icc.stdout.len() > 128, "embedded profile");
        assert_eq!(&icc.stdout[12..20], b"mntrRGB ", "an RGB display profile");
        assert_eq!(&icc.stdout[36..40], b"acsp", "an ICC profile");
        let raw = std::fs::read(pdf).expect("pdf");
        let tail = String::from_utf8_lossy(&raw[raw.len().saturating_sub(300)..]).into_owned();
        assert!(tail.contains("/ID [<"), "trailer id: {tail}");
    }
}

#[test]
fn the_redacted_copy_has_none_of_the_applicants_words() {
    let f = fixture();
    let text = pdf::text(&f.redacted);
    for w in APPLICANT_WORDS {
        assert!(!text.contains(w), "{w} is in the redacted PDF");
    }
    for d in ["534192", "554192", "0772", "996772"] {
        assert!(!text.contains(d), "phone digits {d} in the redacted PDF");
    }
    // The letter itself is still there to be answered.
    assert!(text.contains("аттестат"), "the body stays searchable");
    assert!(text.contains("скрыто"), "the cover says what was hidden");
    let raw = String::from_utf8_lossy(&std::fs::read(&f.redacted).expect("pdf")).into_owned();
    assert!(
        raw.contains("/IshenimRedacted <FEFF0074007200750065>"),
        "marked redacted"
    );
}

#[test]
fn the_pixels_under_each_field_box_are_black() {
    let f = fixture();
    let draft: Value =
        serde_json::from_str(&ok(&run(&f.data, &["drafts", "show", "1", "--json"]))).expect("json");
    let spans = &draft["data"]["spans"];
    let redacted = Gray::render(&f.redacted, 2, &f.dir.join("page"));
    let mut checked = 0;
    for field in ["applicant", "address", "phone"] {
        for span in spans[field].as_array().expect("field has a box") {
            let b = bbox(&span["bbox"]);
            let light = redacted.light_in(b);
            assert_eq!(light, 0, "{field}: {light} light pixels under {b:?}");
            checked += 1;
        }
    }
    assert!(checked >= 3);
    // The full copy keeps the page as scanned: the same box has paper in it.
    let full = Gray::render(&f.full, 2, &f.dir.join("full"));
    let mean = full.mean_in(bbox(&spans["applicant"][0]["bbox"]));
    assert!(mean > 120, "mostly paper in the full copy: mean {mean}");
}

#[test]
fn every_export_is_audited() {
    let f = fixture();
    let db = rusqlite::Connection::open(f.data.join("ishenim.sqlite3")).expect("db");
    let actions: Vec<(String, String, String)> = db
        .prepare(
            "SELECT user, action, object FROM audit WHERE action LIKE 'export_pdf%' ORDER BY id",
        )
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(actions.len() >= 2, "{actions:?}");
    assert_eq!(actions[0].1, "export_pdf");
    assert_eq!(actions[1].1, "export_pdf_redacted");
    assert!(actions
        .iter()
        .all(|a| a.0 == "comm" && a.2.contains("entry 2026-0001")));
}

/// A box the reviewer adds (here through `journal redact`, the web editor's store call)
/// over a word of the body: the redacted copy has the pixels under it black and the word
/// gone from its text, while the automatic boxes still hide the applicant. Back to the
/// automatic boxes afterwards, so the other tests see the fixture as made.
#[test]
fn a_box_the_reviewer_adds_is_black_and_its_word_gone() {
    let f = fixture();
    let views: Vec<Value> = ok(&run(&f.data, &["journal", "redact", "2026-0001"]))
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(views.len(), 1, "one page");
    let page = views[0]["page"].as_i64().expect("page id");
    let auto: Vec<String> = views[0]["automatic"]
        .as_array()
        .expect("automatic")
        .iter()
        .map(|b| {
            b.as_array()
                .expect("box")
                .iter()
                .map(|v| v.as_u64().expect("n").to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    assert!(!auto.is_empty(), "the applicant's boxes");
    // Where Tesseract read «директору» (once in the letter, not a word of the applicant).
    let b = pdf::word_box(&f.data, page, "директор");
    let added = [b[0] - 4, b[1] - 4, b[2] + 4, b[3] + 4];
    let added_s = format!("{},{},{},{}", added[0], added[1], added[2], added[3]);
    let page_s = page.to_string();
    let mut args = vec![
        "--user",
        "rev",
        "journal",
        "redact",
        "2026-0001",
        "--page",
        &page_s,
    ];
    for a in &auto {
        args.extend(["--box", a.as_str()]);
    }
    args.extend(["--box", added_s.as_str()]);
    let said = ok(&run(&f.data, &args));
    assert!(
        said.contains(&format!("{} box(es) saved", auto.len() + 1)),
        "{said}"
    );

    let edited = f.dir.join("edited.pdf");
    ok(&run(
        &f.data,
        &[
            "--user",
            "comm",
            "journal",
            "pdf",
            "2026-0001",
            "--out",
            s(&edited),
            "--redact",
        ],
    ));
    pdf::assert_valid(&edited);
    let text = pdf::text(&edited);
    assert!(
        !text.contains("директор"),
        "the boxed word is out of the text"
    );
    assert!(text.contains("аттестат"), "the rest of the body stays");
    for w in APPLICANT_WORDS {
        assert!(
            !text.contains(w),
            "{w}: the kept automatic boxes still hide it"
        );
    }
    let light = Gray::render(&edited, 2, &f.dir.join("edited")).light_in(added);
    assert_eq!(
        light, 0,
        "{light} light pixels under the added box {added:?}"
    );
    // The full copy has paper there (the word is really on the page, not a black area).
    let paper = Gray::render(&f.full, 2, &f.dir.join("full-word")).paper_in(added);
    let [x0, y0, x1, y1] = added;
    assert!(
        paper * 2 > (x1 - x0) * (y1 - y0),
        "mostly paper in the full copy"
    );

    ok(&run(
        &f.data,
        &[
            "--user",
            "rev",
            "journal",
            "redact",
            "2026-0001",
            "--page",
            &page_s,
            "--automatic",
        ],
    ));
}
