//! The PDF file itself: objects, content streams, cross-reference table (PDF 1.7).

use crate::font::Subset;
use crate::{Cover, Document, ImagePage, Info, PdfError, TextLayer, TextWord};
use flate2::write::ZlibEncoder;
use flate2::Compression;
use std::fmt::Write as _;
use std::io::Write as _;

/// A4 in points.
const A4: (f32, f32) = (595.28, 841.89);
const MARGIN: f32 = 56.0;

struct Out {
    buf: Vec<u8>,
    offsets: Vec<usize>,
}

impl Out {
    fn obj(&mut self, id: usize, body: &str) {
        self.start(id);
        self.buf.extend_from_slice(body.as_bytes());
        self.buf.extend_from_slice(b"\nendobj\n");
    }

    fn start(&mut self, id: usize) {
        if self.offsets.len() <= id {
            self.offsets.resize(id + 1, 0);
        }
        self.offsets[id] = self.buf.len();
        let _ = writeln!(self.buf, "{id} 0 obj");
    }

    /// A stream object; `dict` is the dictionary without `/Length`.
    fn stream(&mut self, id: usize, dict: &str, data: &[u8]) {
        self.start(id);
        let _ = write!(self.buf, "<< {dict} /Length {} >>\nstream\n", data.len());
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(b"\nendstream\nendobj\n");
    }
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, PdfError> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(data)?;
    Ok(z.finish()?)
}

/// A text string for the Info dictionary: UTF-16BE with a byte-order mark, in hex.
fn text_string(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        let _ = write!(out, "{u:04X}");
    }
    out.push('>');
    out
}

fn name(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// Writes the whole document.
pub fn write_pdf(doc: &Document, ttf: &[u8]) -> Result<Vec<u8>, PdfError> {
    let font = Subset::build(ttf, all_chars(doc))?;
    let cover_pages = layout_cover(&doc.cover, &font);
    let mut o = Out {
        buf: b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(),
        offsets: vec![0],
    };
    // 1 catalog, 2 pages, 3 info, 4..=8 font; then 3 objects per page.
    let first_page = 9;
    let n_pages = cover_pages.len() + doc.pages.len();
    let kids: String = (0..n_pages)
        .map(|i| format!("{} 0 R ", first_page + 3 * i))
        .collect();
    // After the pages: the XMP metadata and the output intent's ICC profile.
    let metadata = first_page + 3 * n_pages;
    o.obj(
        1,
        &format!(
            "<< /Type /Catalog /Pages 2 0 R /Lang {} /ViewerPreferences << /DisplayDocTitle true >> \
             /Metadata {metadata} 0 R /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 \
             /OutputConditionIdentifier (sRGB IEC61966-2.1) /Info (sRGB IEC61966-2.1) \
             /DestOutputProfile {} 0 R >>] >>",
            text_string(&doc.lang),
            metadata + 1
        ),
    );
    o.obj(
        2,
        &format!("<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>"),
    );
    o.obj(3, &info_dict(&doc.info));
    write_font(&mut o, &font)?;
    let mut id = first_page;
    for content in &cover_pages {
        let data = deflate(content.as_bytes())?;
        o.obj(
            id,
            &format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Resources << /Font << /F1 4 0 R >> >> /Contents {} 0 R >>",
                A4.0,
                A4.1,
                id + 1
            ),
        );
        o.stream(id + 1, "/Filter /FlateDecode", &data);
        // Keep the numbering regular: an empty object in the image's slot.
        o.obj(id + 2, "null");
        id += 3;
    }
    for p in &doc.pages {
        write_image_page(&mut o, id, p, &font)?;
        id += 3;
    }
    // Uncompressed, so that archive tools read it without inflating.
    o.stream(
        metadata,
        "/Type /Metadata /Subtype /XML",
        crate::xmp::packet(&doc.info).as_bytes(),
    );
    o.stream(metadata + 1, "/N 3", SRGB);
    let xref = o.buf.len();
    let _ = write!(o.buf, "xref\n0 {}\n0000000000 65535 f \n", o.offsets.len());
    for off in &o.offsets[1..] {
        let _ = writeln!(o.buf, "{off:010} 00000 n ");
    }
    let _ = write!(
        o.buf,
        "trailer\n<< /Size {} /Root 1 0 R /Info 3 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{xref}\n%%EOF\n",
        o.offsets.len(),
        id = file_id(&o.buf[..xref])
    );
    Ok(o.buf)
}

/// The output intent's profile: sRGB from Debian's `icc-profiles-free` (zlib licence,
/// `assets/README.md`): says how the device colours of the page images are meant
/// (sRGB), so that a reader years from now renders them the same. One RGB intent
/// covers the grey pages too.
const SRGB: &[u8] = include_bytes!("../assets/sRGB.icc");

/// The trailer's file identifier (archive tools and PDF/A expect one): 16 bytes derived
/// from the document's bytes, so the same document gets the same id.
fn file_id(bytes: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let mut out = String::new();
    for seed in [0x49_73_68_65u64, 0x6e_69_6d_21] {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        seed.hash(&mut h);
        bytes.hash(&mut h);
        let _ = write!(out, "{:016X}", h.finish());
    }
    out
}

fn all_chars(doc: &Document) -> impl Iterator<Item = char> + '_ {
    let cover = doc
        .cover
        .title
        .iter()
        .chain(doc.cover.footer.iter())
        .chain(doc.cover.rows.iter().flat_map(|(a, b)| [a, b]))
        .flat_map(|s| s.chars());
    let pages = doc.pages.iter().flat_map(|p| {
        let v: Vec<char> = match &p.text {
            TextLayer::Words(w) => w.iter().flat_map(|w| w.text.chars()).collect(),
            TextLayer::Lines(l) => l.iter().flat_map(|l| l.chars()).collect(),
        };
        v.into_iter()
    });
    cover.chain(pages)
}

fn info_dict(i: &Info) -> String {
    let mut s = format!(
        "<< /Title {} /Subject {} /Keywords {} /Creator (Ishenim) /Producer (Ishenim)",
        text_string(&i.title),
        text_string(&i.subject),
        text_string(&i.keywords)
    );
    if i.created.len() == 14 && i.created.bytes().all(|b| b.is_ascii_digit()) {
        let _ = write!(
            s,
            " /CreationDate (D:{}Z) /ModDate (D:{}Z)",
            i.created, i.created
        );
    }
    for (k, v) in &i.custom {
        let _ = write!(s, " /{} {}", name(k), text_string(v));
    }
    s.push_str(" >>");
    s
}

fn write_font(o: &mut Out, f: &Subset) -> Result<(), PdfError> {
    let [asc, desc, cap, x0, y0, x1, y1] = f.metrics;
    o.obj(
        4,
        &format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{} /Encoding /Identity-H /DescendantFonts [5 0 R] /ToUnicode 8 0 R >>",
            f.name
        ),
    );
    o.obj(
        5,
        &format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 6 0 R /DW 1000 /W {} /CIDToGIDMap /Identity >>",
            f.name,
            f.w_array()
        ),
    );
    o.obj(
        6,
        &format!(
            "<< /Type /FontDescriptor /FontName /{} /Flags 32 /FontBBox [{x0} {y0} {x1} {y1}] /ItalicAngle 0 /Ascent {asc} /Descent {desc} /CapHeight {cap} /StemV 80 /FontFile2 7 0 R >>",
            f.name
        ),
    );
    let prog = deflate(&f.program)?;
    o.stream(
        7,
        &format!("/Filter /FlateDecode /Length1 {}", f.program.len()),
        &prog,
    );
    let cmap = deflate(f.to_unicode().as_bytes())?;
    o.stream(8, "/Filter /FlateDecode", &cmap);
    Ok(())
}

/// Splits `text` into lines no wider than `width` at `size` (by words; an over-long word
/// is cut by characters).
fn wrap(font: &Subset, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut cur = String::new();
        for word in para.split_whitespace() {
            let cand = if cur.is_empty() {
                word.to_string()
            } else {
                format!("{cur} {word}")
            };
            if font.width(&cand, size) <= width || cur.is_empty() && font.width(word, size) <= width
            {
                cur = cand;
                continue;
            }
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            for c in word.chars() {
                if !cur.is_empty() && font.width(&format!("{cur}{c}"), size) > width {
                    lines.push(std::mem::take(&mut cur));
                }
                cur.push(c);
            }
        }
        lines.push(cur);
    }
    lines
}

/// The cover's content streams (one per A4 page it takes).
fn layout_cover(c: &Cover, font: &Subset) -> Vec<String> {
    let width = A4.0 - 2.0 * MARGIN;
    // (size, grey, indent, text, gap before)
    let mut items: Vec<(f32, bool, f32, String, f32)> = Vec::new();
    for t in &c.title {
        for l in wrap(font, t, 15.0, width) {
            items.push((15.0, false, 0.0, l, 4.0));
        }
    }
    items.push((6.0, false, 0.0, String::new(), 6.0));
    for (label, value) in &c.rows {
        items.push((8.5, true, 0.0, label.clone(), 7.0));
        for l in wrap(font, value, 11.0, width - 12.0) {
            items.push((11.0, false, 12.0, l, 2.0));
        }
    }
    items.push((6.0, false, 0.0, String::new(), 10.0));
    for f in &c.footer {
        for l in wrap(font, f, 7.5, width) {
            items.push((7.5, true, 0.0, l, 2.0));
        }
    }
    let mut pages = Vec::new();
    let mut s = String::new();
    let mut y = A4.1 - MARGIN;
    for (size, grey, indent, text, gap) in items {
        y -= gap + size * 1.2;
        if y < MARGIN {
            pages.push(std::mem::take(&mut s));
            y = A4.1 - MARGIN - size * 1.2;
        }
        if text.is_empty() {
            continue;
        }
        let g = if grey { 0.35 } else { 0.0 };
        let _ = writeln!(
            s,
            "BT {g} g /F1 {size} Tf 1 0 0 1 {:.2} {y:.2} Tm {} Tj ET",
            MARGIN + indent,
            font.hex(&text)
        );
    }
    pages.push(s);
    pages
}

fn write_image_page(o: &mut Out, id: usize, p: &ImagePage, font: &Subset) -> Result<(), PdfError> {
    let dpi = if p.dpi >= 50 { p.dpi } else { 300 } as f32;
    let k = 72.0 / dpi;
    let (w, h) = (p.image.width as f32 * k, p.image.height as f32 * k);
    let mut s = format!("q {w:.3} 0 0 {h:.3} 0 0 cm /Im1 Do Q\n");
    match &p.text {
        TextLayer::Words(words) => words_layer(&mut s, words, k, h, font),
        TextLayer::Lines(lines) => lines_layer(&mut s, lines, w, h, font),
    }
    o.obj(
        id,
        &format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w:.3} {h:.3}] /Resources << /Font << /F1 4 0 R >> /XObject << /Im1 {} 0 R >> >> /Contents {} 0 R >>",
            id + 2,
            id + 1
        ),
    );
    o.stream(id + 1, "/Filter /FlateDecode", &deflate(s.as_bytes())?);
    let cs = if p.image.grey {
        "/DeviceGray"
    } else {
        "/DeviceRGB"
    };
    o.stream(
        id + 2,
        &format!(
            "/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace {cs} /BitsPerComponent 8 /Filter /DCTDecode",
            p.image.width, p.image.height
        ),
        &p.image.jpeg,
    );
    Ok(())
}

/// Invisible words (render mode 3): one baseline and size per line, each word stretched
/// (`Tz`) to its box so a selection covers the word on the image.
fn words_layer(s: &mut String, words: &[TextWord], k: f32, page_h: f32, font: &Subset) {
    let mut lines: std::collections::BTreeMap<u32, Vec<&TextWord>> = Default::default();
    for w in words.iter().filter(|w| !w.text.trim().is_empty()) {
        lines.entry(w.line).or_default().push(w);
    }
    s.push_str("BT 3 Tr\n");
    for ws in lines.values() {
        let mut hs: Vec<u32> = ws
            .iter()
            .map(|w| w.bbox[3].saturating_sub(w.bbox[1]))
            .collect();
        hs.sort_unstable();
        let size = (hs[hs.len() / 2].max(4) as f32 * k).max(1.0);
        let bottom = ws.iter().map(|w| w.bbox[3]).max().unwrap_or(0) as f32 * k;
        let base = page_h - bottom + 0.2 * size;
        for w in ws {
            let text = w.text.trim();
            let natural = font.width(text, size).max(0.1);
            let boxw = (w.bbox[2].saturating_sub(w.bbox[0])) as f32 * k;
            let tz = (100.0 * boxw / natural).clamp(5.0, 2000.0);
            let _ = writeln!(
                s,
                "/F1 {size:.2} Tf {tz:.1} Tz 1 0 0 1 {:.2} {base:.2} Tm {} Tj",
                w.bbox[0] as f32 * k,
                font.hex(text)
            );
        }
    }
    s.push_str("ET\n");
}

/// Typed lines (no boxes) spread evenly down the page, invisible.
fn lines_layer(s: &mut String, lines: &[String], w: f32, h: f32, font: &Subset) {
    let n = lines.len().max(1) as f32;
    let step = ((h - 2.0 * 36.0) / n).min(24.0);
    let size = (step * 0.8).max(2.0);
    s.push_str("BT 3 Tr\n");
    for (i, l) in lines.iter().enumerate() {
        let natural = font.width(l, size).max(0.1);
        let tz = (100.0 * (w - 72.0) / natural).clamp(5.0, 100.0);
        let y = h - 36.0 - (i as f32 + 1.0) * step;
        let _ = writeln!(
            s,
            "/F1 {size:.2} Tf {tz:.1} Tz 1 0 0 1 36 {y:.2} Tm {} Tj",
            font.hex(l)
        );
    }
    s.push_str("ET\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{encode_page, EncodedImage};

    fn font() -> Option<Vec<u8>> {
        std::fs::read("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").ok()
    }

    fn doc(img: EncodedImage) -> Document {
        Document {
            info: Info {
                title: "Кайрылуу 2026-0001".into(),
                created: "20261205120000".into(),
                custom: vec![("IshenimSerial".into(), "2026-0001".into())],
                ..Info::default()
            },
            cover: Cover {
                title: vec!["Кайрылуу / Обращение 2026-0001".into()],
                rows: vec![("Арыз ээси / Заявитель".into(), "Өмүрбеков Үсөн Ңаа".into())],
                footer: vec!["SHA-256 ab".into()],
            },
            pages: vec![ImagePage {
                image: img,
                dpi: 300,
                text: TextLayer::Words(vec![TextWord {
                    text: "көпүрө".into(),
                    bbox: [10, 10, 200, 40],
                    line: 0,
                }]),
            }],
            lang: "ky".into(),
        }
    }

    #[test]
    fn the_pdf_has_its_objects_and_an_xref_that_points_at_them() {
        let Some(ttf) = font() else {
            eprintln!("DejaVu Sans missing (fonts-dejavu-core)");
            return;
        };
        let g = image::GrayImage::from_pixel(300, 400, image::Luma([250]));
        let img = encode_page(image::DynamicImage::ImageLuma8(g), &[]).expect("img");
        let pdf = write_pdf(&doc(img), &ttf).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let text = String::from_utf8_lossy(&pdf);
        let xref: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|t| t.parse().ok())
            .expect("startxref");
        assert_eq!(&pdf[xref..xref + 4], b"xref");
        for needle in [
            "/Identity-H",
            "/ToUnicode",
            "/FontFile2",
            "/DCTDecode",
            "/IshenimSerial",
        ] {
            assert!(text.contains(needle), "{needle} missing");
        }
        // 9 first page object: cover + image page = 2 pages.
        assert!(text.contains("/Count 2"));
    }

    #[test]
    fn long_values_wrap_within_the_page() {
        let Some(ttf) = font() else { return };
        let f = Subset::build(&ttf, "абвгд жзий ".chars()).expect("font");
        let lines = wrap(&f, &"абвгд жзий ".repeat(40), 11.0, 200.0);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| f.width(l, 11.0) <= 200.0));
    }
}
