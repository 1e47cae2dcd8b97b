//! The embedded font: a subset of a TrueType font holding only the glyphs of the text
//! written, addressed by CID (= glyph id in the subset) through `Identity-H`, with the
//! widths (`/W`) and a `ToUnicode` CMap so that text extraction gives back the characters.

use crate::PdfError;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The subset font and its character mapping.
pub(crate) struct Subset {
    /// char → CID.
    cids: BTreeMap<char, u16>,
    /// CID → width in 1/1000 em.
    widths: BTreeMap<u16, u32>,
    /// The subset font program (`/FontFile2`).
    pub program: Vec<u8>,
    /// PostScript-style name with a subset tag (`ABCDEF+DejaVuSans`).
    pub name: String,
    /// Ascent, descent, cap height (1/1000 em) and bounding box.
    pub metrics: [i32; 7],
}

fn scale(v: i32, upem: u16) -> i32 {
    v * 1000 / i32::from(upem.max(1))
}

impl Subset {
    /// Subsets `ttf` to the glyphs of `chars` (plus `.notdef` and the space). A character
    /// the font lacks is written with the glyph of `?`.
    pub fn build(ttf: &[u8], chars: impl Iterator<Item = char>) -> Result<Subset, PdfError> {
        let face = ttf_parser::Face::parse(ttf, 0).map_err(|e| PdfError::Font(e.to_string()))?;
        let upem = face.units_per_em();
        let fallback = face.glyph_index('?').map(|g| g.0).unwrap_or(0);
        let mut remap = subsetter::GlyphRemapper::new();
        let mut cids = BTreeMap::new();
        let mut widths = BTreeMap::new();
        for c in chars.chain([' ', '?']) {
            if c.is_control() || cids.contains_key(&c) {
                continue;
            }
            let gid = face.glyph_index(c).map(|g| g.0).unwrap_or(fallback);
            let cid = remap.remap(gid);
            let adv = face
                .glyph_hor_advance(ttf_parser::GlyphId(gid))
                .unwrap_or(upem / 2);
            widths.insert(cid, scale(i32::from(adv), upem).max(0) as u32);
            cids.insert(c, cid);
        }
        let program =
            subsetter::subset(ttf, 0, &remap).map_err(|e| PdfError::Font(format!("{e:?}")))?;
        let base = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| "Font".into())
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>();
        let tag: String = {
            // A subset tag derived from the glyphs used (six capitals, as the spec asks).
            let mut h: u32 = 2166136261;
            for (c, cid) in &cids {
                h = (h ^ (*c as u32) ^ u32::from(*cid)).wrapping_mul(16777619);
            }
            (0..6)
                .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
                .collect()
        };
        let bb = face.global_bounding_box();
        let metrics = [
            scale(i32::from(face.ascender()), upem),
            scale(i32::from(face.descender()), upem),
            scale(i32::from(face.capital_height().unwrap_or(700)), upem),
            scale(i32::from(bb.x_min), upem),
            scale(i32::from(bb.y_min), upem),
            scale(i32::from(bb.x_max), upem),
            scale(i32::from(bb.y_max), upem),
        ];
        Ok(Subset {
            cids,
            widths,
            program,
            name: format!("{tag}+{base}"),
            metrics,
        })
    }

    fn cid(&self, c: char) -> u16 {
        self.cids
            .get(&c)
            .or_else(|| self.cids.get(&'?'))
            .copied()
            .unwrap_or(0)
    }

    /// `s` as a hex string of CIDs for `Tj`.
    pub fn hex(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len() * 4 + 2);
        out.push('<');
        for c in s.chars().filter(|c| !c.is_control()) {
            let _ = write!(out, "{:04X}", self.cid(c));
        }
        out.push('>');
        out
    }

    /// Width of `s` at `size` points.
    pub fn width(&self, s: &str, size: f32) -> f32 {
        let units: u32 = s
            .chars()
            .filter(|c| !c.is_control())
            .map(|c| self.widths.get(&self.cid(c)).copied().unwrap_or(500))
            .sum();
        units as f32 * size / 1000.0
    }

    /// The `/W` array.
    pub fn w_array(&self) -> String {
        let mut s = String::from("[");
        for (cid, w) in &self.widths {
            let _ = write!(s, "{cid} [{w}] ");
        }
        s.push(']');
        s
    }

    /// The `ToUnicode` CMap (UTF-16BE, surrogate pairs beyond the BMP).
    pub fn to_unicode(&self) -> String {
        let mut by_cid: BTreeMap<u16, char> = BTreeMap::new();
        for (c, cid) in &self.cids {
            by_cid.entry(*cid).or_insert(*c);
        }
        let mut s = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        let entries: Vec<(u16, char)> = by_cid.into_iter().collect();
        for chunk in entries.chunks(100) {
            let _ = writeln!(s, "{} beginbfchar", chunk.len());
            for (cid, c) in chunk {
                let mut buf = [0u16; 2];
                let units: String = c
                    .encode_utf16(&mut buf)
                    .iter()
                    .map(|u| format!("{u:04X}"))
                    .collect();
                let _ = writeln!(s, "<{cid:04X}> <{units}>");
            }
            s.push_str("endbfchar\n");
        }
        s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        s
    }
}
