//! The checks the tests make on an exported appeal PDF, with the tools a reader would use:
//! `qpdf --check` for its structure, `pdftotext` for its text layer, `pdftoppm` for what a
//! viewer draws; and where Tesseract read a word of a page (the box a redaction covers).

use crate::s;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// Runs one of poppler's or qpdf's tools and waits for it.
fn tool(name: &str, args: &[&str]) -> Output {
    std::process::Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} (make test installs qpdf and poppler-utils): {e}"))
}

/// The tool's standard output, after checking that it exited 0.
fn tool_ok(name: &str, args: &[&str]) -> String {
    let o = tool(name, args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{name}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Asserts that `qpdf --check` finds the file a valid PDF.
pub(crate) fn assert_valid(pdf: &Path) {
    let o = tool("qpdf", &["--check", s(pdf)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "qpdf --check {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&o.stdout)
    );
}

/// The text layer of every page, as `pdftotext` extracts it.
pub(crate) fn text(pdf: &Path) -> String {
    tool_ok("pdftotext", &[s(pdf), "-"])
}

/// What `pdfinfo` says of the file (pages, title, …).
pub(crate) fn info(pdf: &Path) -> String {
    tool_ok("pdfinfo", &[s(pdf)])
}

/// One page as a viewer draws it: 300 dpi, grey, one byte a pixel.
pub(crate) struct Gray {
    pub(crate) width: usize,
    pub(crate) pixels: Vec<u8>,
}

impl Gray {
    /// Page `page` of `pdf` rendered by `pdftoppm` to `PREFIX-PAGE.pgm` and read back.
    pub(crate) fn render(pdf: &Path, page: u32, prefix: &Path) -> Self {
        let n = page.to_string();
        tool_ok(
            "pdftoppm",
            &["-r", "300", "-f", &n, "-l", &n, "-gray", s(pdf), s(prefix)],
        );
        let mut name = prefix.as_os_str().to_owned();
        name.push(format!("-{page}.pgm"));
        Self::read_pgm(Path::new(&name))
    }

    /// A P5 (binary grey) PGM.
    fn read_pgm(p: &Path) -> Self {
        let b = std::fs::read(p).expect("pgm");
        let mut fields = Vec::new();
        let mut i = 0;
        while fields.len() < 4 {
            while b[i].is_ascii_whitespace() {
                i += 1;
            }
            let start = i;
            while !b[i].is_ascii_whitespace() {
                i += 1;
            }
            fields.push(String::from_utf8_lossy(&b[start..i]).into_owned());
        }
        assert_eq!(fields[0], "P5");
        let width: usize = fields[1].parse().expect("w");
        let _height: usize = fields[2].parse().expect("h");
        Gray {
            width,
            pixels: b[i + 1..].to_vec(),
        }
    }

    /// The pixels of box `[x0, y0, x1, y1]` shrunk by `inset` on every side.
    fn inside(&self, b: [usize; 4], inset: usize) -> impl Iterator<Item = u8> + '_ {
        (b[1] + inset..b[3] - inset).flat_map(move |y| {
            (b[0] + inset..b[2] - inset).map(move |x| self.pixels[y * self.width + x])
        })
    }

    /// How many pixels of the box (less a 2-pixel edge) are lighter than black (> 60):
    /// 0 where a redaction box blacks it out.
    pub(crate) fn light_in(&self, b: [usize; 4]) -> usize {
        self.inside(b, 2).filter(|&p| p > 60).count()
    }

    /// How many pixels of the box are paper (> 160).
    pub(crate) fn paper_in(&self, b: [usize; 4]) -> usize {
        self.inside(b, 0).filter(|&p| p > 160).count()
    }

    /// The mean grey of the box.
    pub(crate) fn mean_in(&self, b: [usize; 4]) -> usize {
        let (sum, n) = self
            .inside(b, 0)
            .fold((0usize, 0usize), |(s, n), p| (s + usize::from(p), n + 1));
        sum / n.max(1)
    }
}

/// A box `[x0, y0, x1, y1]` as JSON numbers (a `bbox`) in page pixels.
pub(crate) fn bbox(v: &Value) -> [usize; 4] {
    let n: Vec<usize> = v
        .as_array()
        .expect("bbox")
        .iter()
        .map(|x| x.as_u64().expect("n") as usize)
        .collect();
    [n[0], n[1], n[2], n[3]]
}

/// Where Tesseract read the first word containing `word` on page `page` of the register
/// in `data` (from the page record), in page pixels.
pub(crate) fn word_box(data: &Path, page: i64, word: &str) -> [usize; 4] {
    let db = rusqlite::Connection::open(data.join("ishenim.sqlite3")).expect("db");
    let record: String = db
        .query_row("SELECT record FROM pages WHERE id = ?1", [page], |r| {
            r.get(0)
        })
        .expect("page record");
    let record: Value = serde_json::from_str(&record).expect("record json");
    let found = record["words"]
        .as_array()
        .expect("words")
        .iter()
        .find(|w| w["text"].as_str().is_some_and(|t| t.contains(word)))
        .unwrap_or_else(|| panic!("{word} read"));
    bbox(&found["bbox"])
}
