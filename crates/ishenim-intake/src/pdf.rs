//! PDF made by scanners: each page's embedded raster image(s), composited
//! onto the page box when there are several (strips, tiles), plus the text
//! layer. Nothing in the PDF is executed: JavaScript, actions, forms and
//! annotations are never looked at.
//!
//! Safety measures on top of `lopdf`, which itself decompresses without
//! bounds and parses nested objects recursively:
//! - a byte pre-scan refuses object nesting deeper than [`MAX_NESTING`] and
//!   object/xref streams that inflate beyond [`MAX_STREAM`] before `lopdf`
//!   sees the file;
//! - after loading, every non-image stream with generic filters is
//!   trial-decoded under the same cap before `lopdf` may decompress it (for
//!   text extraction);
//! - image streams are decoded only by this module, with a cap computed
//!   from the image's declared size, which is checked against [`Limits`]
//!   first.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use image::codecs::jpeg::JpegDecoder;
use image::{DynamicImage, GrayImage, ImageDecoder, RgbImage};
use lopdf::{Dictionary, Object, ObjectId, Stream};

use crate::pdf_filter::{self, FilterError};
use crate::sniff::find;
use crate::{convert, meta, DecodedPage, IntakeError, Limits};

/// Cap for any decompressed non-image stream (content, object streams,
/// fonts, CMaps).
const MAX_STREAM: usize = 32 * 1024 * 1024;
/// Cap for the sum of decompressed object/xref streams in one file.
const MAX_STRUCT_TOTAL: usize = 256 * 1024 * 1024;
/// Deepest accepted nesting of arrays and dictionaries.
const MAX_NESTING: usize = 64;
/// Most image placements on one page.
const MAX_IMAGES_PER_PAGE: usize = 256;
/// Most text kept per page, in bytes.
const MAX_TEXT_PER_PAGE: usize = 1024 * 1024;
/// Most text kept for the whole file, in bytes.
const MAX_TEXT_TOTAL: usize = 32 * 1024 * 1024;
/// Deepest Form XObject nesting followed.
const MAX_FORM_DEPTH: usize = 8;
/// Longest reference chain followed.
const MAX_DEREF: usize = 32;

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

pub(crate) struct PdfDoc {
    objects: BTreeMap<ObjectId, Object>,
    pages: Vec<ObjectId>,
    texts: Vec<Option<String>>,
    limits: Limits,
}

impl PdfDoc {
    pub(crate) fn open(bytes: &[u8], limits: Limits) -> Result<Self, IntakeError> {
        prescan(bytes)?;
        let loaded = catch_unwind(AssertUnwindSafe(|| lopdf::Document::load_mem(bytes)))
            .map_err(|_| IntakeError::DecoderFault { format: "PDF" })?;
        let mut doc = loaded.map_err(|e| {
            // A PDF ends with %%EOF (possibly followed by a little junk);
            // without it a load failure is most likely a cut-off copy.
            let tail = &bytes[bytes.len().saturating_sub(1024)..];
            if find(tail, b"%%EOF").is_none() {
                IntakeError::Truncated { format: "PDF" }
            } else {
                map_lopdf_error(e)
            }
        })?;
        if doc.trailer.get(b"Encrypt").is_ok() && doc.encryption_state.is_none() {
            return Err(IntakeError::EncryptedPdf);
        }
        check_streams(&doc.objects)?;
        let pages: Vec<ObjectId> = catch_unwind(AssertUnwindSafe(|| doc.get_pages()))
            .map_err(|_| IntakeError::DecoderFault { format: "PDF" })?
            .into_values()
            .collect();
        if pages.is_empty() {
            return Err(IntakeError::corrupt(
                "PDF",
                "no pages found (broken page tree or cross-reference table)",
            ));
        }
        if pages.len() > limits.max_pages {
            return Err(IntakeError::TooManyPages {
                max: limits.max_pages,
            });
        }
        let mut this = PdfDoc {
            objects: std::mem::take(&mut doc.objects),
            pages,
            texts: Vec::new(),
            limits,
        };
        // Text is extracted now, while we still hold the lopdf document (it
        // is not Send/Sync); the objects are kept for page images.
        let mut total = 0usize;
        let mut texts = Vec::with_capacity(this.pages.len());
        for (i, &page_id) in this.pages.iter().enumerate() {
            let safe = this.page_content(page_id).is_ok_and(|c| nesting_ok(&c));
            let text = if safe && total < MAX_TEXT_TOTAL {
                doc.objects = std::mem::take(&mut this.objects);
                let t = extract_text(&doc, i as u32 + 1);
                this.objects = std::mem::take(&mut doc.objects);
                t
            } else {
                None
            };
            total += text.as_ref().map_or(0, String::len);
            texts.push(text);
        }
        this.texts = texts;
        Ok(this)
    }

    pub(crate) fn page_count(&self) -> usize {
        self.pages.len()
    }

    pub(crate) fn page_text(&self, index: usize) -> Result<Option<String>, IntakeError> {
        Ok(self.texts.get(index).cloned().flatten())
    }

    pub(crate) fn page(&self, index: usize) -> Result<DecodedPage, IntakeError> {
        let page_id = self.pages[index];
        let page = self
            .objects
            .get(&page_id)
            .and_then(|o| o.as_dict().ok())
            .ok_or_else(|| IntakeError::corrupt("PDF", "page object missing"))?;
        let bbox = self.page_box(page);
        let rotate = self
            .inherited(page, b"Rotate")
            .and_then(num)
            .map_or(0, |r| ((r as i64 / 90).rem_euclid(4) * 90) as u32);
        let resources = self
            .inherited(page, b"Resources")
            .and_then(|o| o.as_dict().ok());

        let mut placements = Vec::new();
        let content = self.page_content(page_id)?;
        let parsed = if nesting_ok(&content) {
            self.collect(&content, resources, IDENTITY, 0, &mut placements)
        } else {
            Err(IntakeError::limit("nesting in the page content"))
        };
        let mut notes = Vec::new();
        if parsed.is_err() || placements.is_empty() {
            // Fall back to the page's only image XObject, assumed full page.
            let imgs = self.resource_images(resources);
            if imgs.len() == 1 {
                let [x0, y0, x1, y1] = bbox;
                placements.clear();
                placements.push(Placement {
                    m: [x1 - x0, 0.0, 0.0, y1 - y0, x0, y0],
                    src: ImgSrc::Ref(imgs[0]),
                });
                notes.push(if parsed.is_ok() {
                    "the page draws no image; its only image resource was used".to_string()
                } else {
                    "page content unreadable; its only image was used".to_string()
                });
            } else {
                parsed?;
            }
        }
        if placements.is_empty() {
            return Err(IntakeError::NoImage { page: index + 1 });
        }

        let mut images = Vec::with_capacity(placements.len());
        let mut budget = self.limits.max_pixels.saturating_mul(2);
        for p in &placements {
            let stream = match &p.src {
                ImgSrc::Ref(s) => *s,
                ImgSrc::Inline(s) => s,
            };
            let img = decode_image(self, stream, resources, &self.limits, &mut budget)?;
            images.push((p.m, img));
        }
        let (mut image, dpi, composited) = composite(&images, bbox, &self.limits)?;
        if composited && images.len() > 1 {
            notes.push(format!("{} images composited onto the page", images.len()));
        }
        if rotate != 0 {
            image = match rotate {
                90 => image.rotate90(),
                180 => image.rotate180(),
                _ => image.rotate270(),
            };
            notes.push(format!("page /Rotate {rotate} applied"));
        }
        let dpi = dpi.and_then(|d| meta::plausible_dpi(d, image.width(), image.height()));
        Ok(DecodedPage {
            image,
            dpi,
            text_layer: self.texts.get(index).cloned().flatten(),
            notes,
        })
    }

    // ----- object helpers -------------------------------------------------

    fn deref<'o>(&'o self, mut o: &'o Object) -> Option<&'o Object> {
        for _ in 0..MAX_DEREF {
            match o {
                Object::Reference(id) => o = self.objects.get(id)?,
                _ => return Some(o),
            }
        }
        None
    }

    fn get<'o>(&'o self, d: &'o Dictionary, key: &[u8]) -> Option<&'o Object> {
        self.deref(d.get(key).ok()?)
    }

    /// A page attribute, inherited from parent page-tree nodes.
    fn inherited<'o>(&'o self, page: &'o Dictionary, key: &[u8]) -> Option<&'o Object> {
        let mut node = page;
        for _ in 0..64 {
            if let Some(v) = self.get(node, key) {
                return Some(v);
            }
            node = self.get(node, b"Parent")?.as_dict().ok()?;
        }
        None
    }

    /// CropBox ∩ MediaBox as [x0, y0, x1, y1]; US Letter if absent.
    fn page_box(&self, page: &Dictionary) -> [f64; 4] {
        let rect = |key: &[u8]| -> Option<[f64; 4]> {
            let a = self.inherited(page, key)?.as_array().ok()?;
            if a.len() != 4 {
                return None;
            }
            let v: Vec<f64> = a
                .iter()
                .filter_map(|o| self.deref(o).and_then(num))
                .collect();
            if v.len() != 4 || v.iter().any(|x| !x.is_finite()) {
                return None;
            }
            let r = [
                v[0].min(v[2]),
                v[1].min(v[3]),
                v[0].max(v[2]),
                v[1].max(v[3]),
            ];
            (r[2] - r[0] >= 1.0
                && r[3] - r[1] >= 1.0
                && r[2] - r[0] <= 20_000.0
                && r[3] - r[1] <= 20_000.0)
                .then_some(r)
        };
        let media = rect(b"MediaBox").unwrap_or([0.0, 0.0, 612.0, 792.0]);
        match rect(b"CropBox") {
            Some(c) => {
                let r = [
                    c[0].max(media[0]),
                    c[1].max(media[1]),
                    c[2].min(media[2]),
                    c[3].min(media[3]),
                ];
                if r[2] - r[0] >= 1.0 && r[3] - r[1] >= 1.0 {
                    r
                } else {
                    media
                }
            }
            None => media,
        }
    }

    /// The page's content streams, decoded under [`MAX_STREAM`] in total.
    fn page_content(&self, page_id: ObjectId) -> Result<Vec<u8>, IntakeError> {
        let page = self
            .objects
            .get(&page_id)
            .and_then(|o| o.as_dict().ok())
            .ok_or_else(|| IntakeError::corrupt("PDF", "page object missing"))?;
        let mut out = Vec::new();
        let streams: Vec<&Stream> = match self.get(page, b"Contents") {
            Some(Object::Stream(s)) => vec![s],
            Some(Object::Array(a)) => a
                .iter()
                .filter_map(|o| self.deref(o).and_then(|o| o.as_stream().ok()))
                .collect(),
            _ => Vec::new(),
        };
        for s in streams {
            let data = self.decode_generic(s, MAX_STREAM.saturating_sub(out.len()))?;
            out.extend_from_slice(&data);
            out.push(b'\n');
        }
        Ok(out)
    }

    /// Applies the stream's generic filters (Flate, LZW, RunLength,
    /// ASCIIHex, ASCII85) with an output cap; refuses image codecs.
    fn decode_generic(&self, s: &Stream, cap: usize) -> Result<Vec<u8>, IntakeError> {
        let filters = self.filters(&s.dict);
        let mut data = s.content.clone();
        for (name, params) in &filters {
            data = apply_generic(name, params.as_ref(), &data, cap)
                .map_err(|e| e.into_intake("stream"))?
                .ok_or_else(|| {
                    IntakeError::corrupt("PDF", "a non-image stream uses an image codec")
                })?;
        }
        Ok(data)
    }

    /// The stream's filter names (abbreviations expanded) with their
    /// parameter dictionaries.
    fn filters(&self, d: &Dictionary) -> Vec<(Vec<u8>, Option<Dictionary>)> {
        let names: Vec<Vec<u8>> = match self.get(d, b"Filter").or_else(|| self.get(d, b"F")) {
            Some(Object::Name(n)) => vec![n.clone()],
            Some(Object::Array(a)) => a
                .iter()
                .filter_map(|o| {
                    self.deref(o)
                        .and_then(|o| o.as_name().ok())
                        .map(<[u8]>::to_vec)
                })
                .collect(),
            _ => Vec::new(),
        };
        let params: Vec<Option<Dictionary>> =
            match self.get(d, b"DecodeParms").or_else(|| self.get(d, b"DP")) {
                Some(Object::Dictionary(p)) => vec![Some(p.clone())],
                Some(Object::Array(a)) => a
                    .iter()
                    .map(|o| self.deref(o).and_then(|o| o.as_dict().ok()).cloned())
                    .collect(),
                _ => Vec::new(),
            };
        names
            .into_iter()
            .take(8)
            .enumerate()
            .map(|(i, n)| (expand_filter(&n), params.get(i).cloned().flatten()))
            .collect()
    }

    fn resource_images<'o>(&'o self, resources: Option<&'o Dictionary>) -> Vec<&'o Stream> {
        let Some(xobjects) = resources
            .and_then(|r| self.get(r, b"XObject"))
            .and_then(|o| o.as_dict().ok())
        else {
            return Vec::new();
        };
        xobjects
            .iter()
            .filter_map(|(_, o)| self.deref(o).and_then(|o| o.as_stream().ok()))
            .filter(|s| s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image"))
            .collect()
    }

    /// Walks content operators, tracking the transformation matrix, and
    /// records where each image is painted.
    fn collect<'o>(
        &'o self,
        content: &[u8],
        resources: Option<&'o Dictionary>,
        base: Matrix,
        depth: usize,
        out: &mut Vec<Placement<'o>>,
    ) -> Result<(), IntakeError> {
        let ops = catch_unwind(AssertUnwindSafe(|| {
            lopdf::content::Content::decode(content)
        }))
        .map_err(|_| IntakeError::DecoderFault { format: "PDF" })?
        .map_err(|_| IntakeError::corrupt("PDF", "page content could not be parsed"))?
        .operations;
        let mut ctm = base;
        let mut stack: Vec<Matrix> = Vec::new();
        for op in ops {
            match op.operator.as_str() {
                "q" if stack.len() < 1024 => stack.push(ctm),
                "Q" => {
                    if let Some(m) = stack.pop() {
                        ctm = m;
                    }
                }
                "cm" => {
                    let v: Vec<f64> = op.operands.iter().filter_map(num).collect();
                    if v.len() == 6 && v.iter().all(|x| x.is_finite()) {
                        ctm = mul(&[v[0], v[1], v[2], v[3], v[4], v[5]], &ctm);
                    }
                }
                "Do" => {
                    let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) else {
                        continue;
                    };
                    let Some(xobj) = resources
                        .and_then(|r| self.get(r, b"XObject"))
                        .and_then(|o| o.as_dict().ok())
                        .and_then(|x| self.get(x, name))
                        .and_then(|o| o.as_stream().ok())
                    else {
                        continue;
                    };
                    match xobj.dict.get(b"Subtype").and_then(Object::as_name).ok() {
                        Some(b"Image") => {
                            if out.len() >= MAX_IMAGES_PER_PAGE {
                                return Err(IntakeError::limit("the number of images on the page"));
                            }
                            out.push(Placement {
                                m: ctm,
                                src: ImgSrc::Ref(xobj),
                            });
                        }
                        Some(b"Form") if depth < MAX_FORM_DEPTH => {
                            let fm = self
                                .get(&xobj.dict, b"Matrix")
                                .and_then(|o| o.as_array().ok())
                                .map(|a| {
                                    a.iter()
                                        .filter_map(|o| self.deref(o).and_then(num))
                                        .collect::<Vec<_>>()
                                })
                                .filter(|v| v.len() == 6 && v.iter().all(|x| x.is_finite()))
                                .map_or(IDENTITY, |v| [v[0], v[1], v[2], v[3], v[4], v[5]]);
                            let form_res = self
                                .get(&xobj.dict, b"Resources")
                                .and_then(|o| o.as_dict().ok())
                                .or(resources);
                            let body = self.decode_generic(xobj, MAX_STREAM)?;
                            if nesting_ok(&body) {
                                self.collect(&body, form_res, mul(&fm, &ctm), depth + 1, out)?;
                            }
                        }
                        _ => {}
                    }
                }
                "BI" => {
                    if let Some(Object::Stream(s)) = op.operands.into_iter().next() {
                        if out.len() >= MAX_IMAGES_PER_PAGE {
                            return Err(IntakeError::limit("the number of images on the page"));
                        }
                        out.push(Placement {
                            m: ctm,
                            src: ImgSrc::Inline(Box::new(s)),
                        });
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Resolves a colour space object (possibly a resource name for inline
    /// images).
    fn colour_space(
        &self,
        o: &Object,
        resources: Option<&Dictionary>,
        depth: usize,
    ) -> Result<ColourSpace, IntakeError> {
        let unsupported =
            |what: &str| IntakeError::UnsupportedFeature(format!("PDF images in {what} colour"));
        if depth > 4 {
            return Err(unsupported("deeply nested"));
        }
        let o = self
            .deref(o)
            .ok_or_else(|| IntakeError::corrupt("PDF", "missing colour space"))?;
        match o {
            Object::Name(n) => match n.as_slice() {
                b"DeviceGray" | b"G" | b"CalGray" => Ok(ColourSpace::Gray),
                b"DeviceRGB" | b"RGB" | b"CalRGB" => Ok(ColourSpace::Rgb),
                b"DeviceCMYK" | b"CMYK" => Ok(ColourSpace::Cmyk),
                b"Pattern" => Err(unsupported("pattern")),
                other => {
                    let named = resources
                        .and_then(|r| self.get(r, b"ColorSpace"))
                        .and_then(|o| o.as_dict().ok())
                        .and_then(|d| self.get(d, other))
                        .ok_or_else(|| IntakeError::corrupt("PDF", "unknown colour space"))?;
                    self.colour_space(named, resources, depth + 1)
                }
            },
            Object::Array(a) => {
                let kind = a
                    .first()
                    .and_then(|o| self.deref(o))
                    .and_then(|o| o.as_name().ok());
                match kind {
                    Some(b"ICCBased") => {
                        let n = a
                            .get(1)
                            .and_then(|o| self.deref(o))
                            .and_then(|o| o.as_stream().ok())
                            .and_then(|s| self.get(&s.dict, b"N"))
                            .and_then(num)
                            .unwrap_or(3.0) as i64;
                        match n {
                            1 => Ok(ColourSpace::Gray),
                            3 => Ok(ColourSpace::Rgb),
                            4 => Ok(ColourSpace::Cmyk),
                            _ => Err(unsupported("unusual ICC")),
                        }
                    }
                    Some(b"CalGray") => Ok(ColourSpace::Gray),
                    Some(b"CalRGB") => Ok(ColourSpace::Rgb),
                    Some(b"Indexed") | Some(b"I") => {
                        let base = a.get(1).ok_or_else(|| {
                            IntakeError::corrupt("PDF", "bad indexed colour space")
                        })?;
                        let base = self.colour_space(base, resources, depth + 1)?;
                        let ncomp = base.components();
                        if matches!(base, ColourSpace::Indexed { .. }) {
                            return Err(unsupported("nested indexed"));
                        }
                        let hival = a
                            .get(2)
                            .and_then(|o| self.deref(o))
                            .and_then(num)
                            .map_or(0, |v| v.clamp(0.0, 255.0) as usize);
                        let lookup = match a.get(3).and_then(|o| self.deref(o)) {
                            Some(Object::String(s, _)) => s.clone(),
                            Some(Object::Stream(s)) => self.decode_generic(s, 4 * 256 + 16)?,
                            _ => {
                                return Err(IntakeError::corrupt("PDF", "bad indexed colour space"))
                            }
                        };
                        let mut lookup = lookup;
                        lookup.resize((hival + 1) * ncomp, 0);
                        Ok(ColourSpace::Indexed {
                            base: Box::new(base),
                            lookup,
                        })
                    }
                    Some(b"Separation") => Ok(ColourSpace::Separation),
                    Some(b"DeviceN") => {
                        let n = a
                            .get(1)
                            .and_then(|o| self.deref(o))
                            .and_then(|o| o.as_array().ok())
                            .map_or(0, Vec::len);
                        if n == 1 {
                            Ok(ColourSpace::Separation)
                        } else {
                            Err(unsupported("DeviceN"))
                        }
                    }
                    Some(b"Lab") => Err(unsupported("Lab")),
                    Some(b"Pattern") => Err(unsupported("pattern")),
                    Some(other) if a.len() == 1 => {
                        self.colour_space(&Object::Name(other.to_vec()), resources, depth + 1)
                    }
                    _ => Err(unsupported("an unknown")),
                }
            }
            _ => Err(IntakeError::corrupt("PDF", "bad colour space")),
        }
    }
}

struct Placement<'o> {
    m: Matrix,
    src: ImgSrc<'o>,
}

enum ImgSrc<'o> {
    Ref(&'o Stream),
    Inline(Box<Stream>),
}

#[derive(Debug, Clone, PartialEq)]
enum ColourSpace {
    Gray,
    Rgb,
    Cmyk,
    Indexed {
        base: Box<ColourSpace>,
        lookup: Vec<u8>,
    },
    /// One ink: 0 = no ink (white), max = full ink (black).
    Separation,
}

impl ColourSpace {
    fn components(&self) -> usize {
        match self {
            ColourSpace::Gray | ColourSpace::Indexed { .. } | ColourSpace::Separation => 1,
            ColourSpace::Rgb => 3,
            ColourSpace::Cmyk => 4,
        }
    }
}

/// A decoded image: Luma8 or Rgb8, or a stencil mask (Luma8 where 0 means
/// "paint black here").
struct PdfImage {
    img: DynamicImage,
    stencil: bool,
}

fn num(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

fn mul(m1: &Matrix, m2: &Matrix) -> Matrix {
    let [a1, b1, c1, d1, e1, f1] = *m1;
    let [a2, b2, c2, d2, e2, f2] = *m2;
    [
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    ]
}

fn expand_filter(n: &[u8]) -> Vec<u8> {
    match n {
        b"AHx" => b"ASCIIHexDecode".to_vec(),
        b"A85" => b"ASCII85Decode".to_vec(),
        b"LZW" => b"LZWDecode".to_vec(),
        b"Fl" => b"FlateDecode".to_vec(),
        b"RL" => b"RunLengthDecode".to_vec(),
        b"CCF" => b"CCITTFaxDecode".to_vec(),
        b"DCT" => b"DCTDecode".to_vec(),
        other => other.to_vec(),
    }
}

fn param(p: Option<&Dictionary>, key: &[u8]) -> Option<f64> {
    p.and_then(|p| p.get(key).ok()).and_then(num)
}

/// Applies one generic filter; `Ok(None)` for an image codec (DCT, CCITT,
/// JPX, JBIG2), which the caller handles.
fn apply_generic(
    name: &[u8],
    params: Option<&Dictionary>,
    data: &[u8],
    cap: usize,
) -> Result<Option<Vec<u8>>, FilterError> {
    let predict = |out: Vec<u8>| -> Result<Vec<u8>, FilterError> {
        let predictor = param(params, b"Predictor").unwrap_or(1.0) as i64;
        if predictor <= 1 {
            return Ok(out);
        }
        let colors = param(params, b"Colors").unwrap_or(1.0).clamp(1.0, 32.0) as usize;
        let bpc = param(params, b"BitsPerComponent")
            .unwrap_or(8.0)
            .clamp(1.0, 16.0) as usize;
        let columns = param(params, b"Columns")
            .unwrap_or(1.0)
            .clamp(1.0, 1_000_000.0) as usize;
        pdf_filter::unpredict(out, predictor, colors, bpc, columns)
    };
    Ok(Some(match name {
        b"FlateDecode" => predict(pdf_filter::inflate(data, cap)?)?,
        b"LZWDecode" => {
            let early = param(params, b"EarlyChange").unwrap_or(1.0) != 0.0;
            predict(pdf_filter::lzw(data, early, cap)?)?
        }
        b"RunLengthDecode" => pdf_filter::run_length(data, cap)?,
        b"ASCIIHexDecode" => pdf_filter::ascii_hex(data)?,
        b"ASCII85Decode" => pdf_filter::ascii85(data, cap)?,
        b"Crypt" => data.to_vec(),
        _ => return Ok(None),
    }))
}

fn unsupported_codec(name: &[u8]) -> IntakeError {
    let compression = match name {
        b"JPXDecode" => "JPEG 2000".to_string(),
        other => format!(
            "an unknown ({})",
            crate::raster::short(&String::from_utf8_lossy(&other[..other.len().min(40)]))
        ),
    };
    IntakeError::UnsupportedCompression {
        container: "PDF",
        compression,
    }
}

/// Decodes one image XObject (or inline image) after checking its declared
/// size against the limits and the per-page pixel budget.
fn decode_image(
    doc: &PdfDoc,
    s: &Stream,
    resources: Option<&Dictionary>,
    limits: &Limits,
    budget: &mut u64,
) -> Result<PdfImage, IntakeError> {
    let d = &s.dict;
    let int = |k1: &[u8], k2: &[u8]| doc.get(d, k1).or_else(|| doc.get(d, k2)).and_then(num);
    let w = int(b"Width", b"W").unwrap_or(0.0);
    let h = int(b"Height", b"H").unwrap_or(0.0);
    if !(w >= 1.0 && h >= 1.0) {
        return Err(IntakeError::corrupt("PDF", "image without a size"));
    }
    let (w, h) = (w.min(1e12) as u64, h.min(1e12) as u64);
    limits.check_page(w, h)?;
    let px = w * h;
    if px > *budget {
        return Err(IntakeError::limit("the images on this page together"));
    }
    *budget -= px;
    let (wu, hu) = (w as usize, h as usize);
    let is_mask = matches!(
        doc.get(d, b"ImageMask").or_else(|| doc.get(d, b"IM")),
        Some(Object::Boolean(true))
    );
    let decode_inverted = doc
        .get(d, b"Decode")
        .or_else(|| doc.get(d, b"D"))
        .and_then(|o| o.as_array().ok())
        .and_then(|a| Some((num(a.first()?)?, num(a.get(1)?)?)))
        .is_some_and(|(lo, hi)| lo > hi);
    let bpc = int(b"BitsPerComponent", b"BPC").unwrap_or(if is_mask { 1.0 } else { 8.0 }) as usize;

    let cs = if is_mask {
        ColourSpace::Gray
    } else {
        match doc.get(d, b"ColorSpace").or_else(|| doc.get(d, b"CS")) {
            Some(o) => doc.colour_space(o, resources, 0)?,
            None => ColourSpace::Gray,
        }
    };

    let filters = doc.filters(d);
    let ends_in_codec = filters
        .last()
        .is_some_and(|(n, _)| apply_generic(n, None, &[], 0) == Ok(None));
    // Output cap of the generic filters: the raw pixel size (plus PNG
    // predictor bytes) when they produce pixels, else the file-size limit
    // (the input of an image codec is never bigger than a file).
    let cap = if ends_in_codec {
        usize::try_from(limits.max_bytes).unwrap_or(usize::MAX)
    } else {
        let bits = (wu as u64) * (cs.components() as u64) * (bpc.clamp(1, 16) as u64);
        let raw = bits.div_ceil(8).saturating_add(1).saturating_mul(h);
        usize::try_from(raw.saturating_add(65536)).unwrap_or(usize::MAX)
    };
    let (data, codec) = unfilter(&s.content, &filters, cap)?;

    let img: DynamicImage = match codec.as_ref().map(|(n, p)| (n.as_slice(), p.as_ref())) {
        Some((b"DCTDecode", _)) => decode_jpeg(&data, limits, decode_inverted)?,
        Some((b"CCITTFaxDecode", p)) => {
            let bits = ccitt(&data, p, wu, hu)?;
            let mut g = GrayImage::from_raw(w as u32, h as u32, bits)
                .ok_or_else(|| IntakeError::corrupt("PDF", "fax image size mismatch"))?;
            if decode_inverted {
                image::imageops::invert(&mut g);
            }
            return finish(g, is_mask, &cs);
        }
        Some((b"JBIG2Decode", p)) => {
            let globals = match p
                .and_then(|p| p.get(b"JBIG2Globals").ok())
                .and_then(|o| doc.deref(o))
            {
                Some(Object::Stream(g)) => Some(doc.decode_generic(g, MAX_STREAM)?),
                _ => None,
            };
            let mut g = jbig2(&data, globals.as_deref(), wu, hu)?;
            if decode_inverted {
                image::imageops::invert(&mut g);
            }
            return finish(g, is_mask, &cs);
        }
        Some((other, _)) => return Err(unsupported_codec(other)),
        None => return decode_raw(&data, (w, h), &cs, bpc, decode_inverted, is_mask),
    };
    Ok(PdfImage {
        img: convert::normalize(img),
        stencil: false,
    })
}

/// The image stream through its generic filters (output capped at `cap`); the image codec,
/// when the last filter is one, is returned with its parameters for the caller.
#[allow(clippy::type_complexity)]
fn unfilter(
    content: &[u8],
    filters: &[(Vec<u8>, Option<Dictionary>)],
    cap: usize,
) -> Result<(Vec<u8>, Option<(Vec<u8>, Option<Dictionary>)>), IntakeError> {
    let mut data: Vec<u8> = content.to_vec();
    let mut codec: Option<(Vec<u8>, Option<Dictionary>)> = None;
    for (i, (name, params)) in filters.iter().enumerate() {
        match apply_generic(name, params.as_ref(), &data, cap)
            .map_err(|e| e.into_intake("image"))?
        {
            Some(out) => data = out,
            None => {
                if i + 1 != filters.len() {
                    return Err(IntakeError::corrupt(
                        "PDF",
                        "image codec is not the last filter",
                    ));
                }
                codec = Some((name.clone(), params.clone()));
            }
        }
    }
    Ok((data, codec))
}

/// A DCT (JPEG) image, decoded within the page limits.
fn decode_jpeg(
    data: &[u8],
    limits: &Limits,
    decode_inverted: bool,
) -> Result<DynamicImage, IntakeError> {
    let mut dec = JpegDecoder::new(Cursor::new(data))
        .map_err(|e| crate::raster::map_image_error(e, "JPEG"))?;
    let (jw, jh) = dec.dimensions();
    limits.check_page(u64::from(jw), u64::from(jh))?;
    let mut il = image::Limits::default();
    il.max_image_width = Some(limits.max_side);
    il.max_image_height = Some(limits.max_side);
    il.max_alloc = Some(dec.total_bytes().saturating_add(64 * 1024 * 1024));
    dec.set_limits(il)
        .map_err(|e| crate::raster::map_image_error(e, "JPEG"))?;
    let mut img =
        DynamicImage::from_decoder(dec).map_err(|e| crate::raster::map_image_error(e, "JPEG"))?;
    if decode_inverted && img.color().channel_count() == 1 {
        img.invert();
    }
    Ok(img)
}

/// Pixels stored without an image codec: unpacked by bits per component and converted
/// from the colour space to grey (with the mask/stencil rule) or RGB.
fn decode_raw(
    data: &[u8],
    (w, h): (u64, u64),
    cs: &ColourSpace,
    bpc: usize,
    decode_inverted: bool,
    is_mask: bool,
) -> Result<PdfImage, IntakeError> {
    let (wu, hu) = (w as usize, h as usize);
    if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
        return Err(IntakeError::corrupt("PDF", "bad bits per component"));
    }
    let ncomp = cs.components();
    let row_bytes = (wu * ncomp * bpc).div_ceil(8);
    if data.len() < row_bytes * hu {
        return Err(IntakeError::Truncated { format: "PDF" });
    }
    let indexed = matches!(cs, ColourSpace::Indexed { .. });
    let samples = unpack(data, wu, hu, ncomp, bpc, !indexed);
    let img = match cs {
        ColourSpace::Gray | ColourSpace::Separation => {
            let mut g = GrayImage::from_raw(w as u32, h as u32, samples)
                .ok_or_else(|| IntakeError::corrupt("PDF", "image size mismatch"))?;
            if decode_inverted != matches!(cs, ColourSpace::Separation) {
                image::imageops::invert(&mut g);
            }
            return finish(g, is_mask, cs);
        }
        ColourSpace::Rgb => {
            let mut img = DynamicImage::ImageRgb8(
                RgbImage::from_raw(w as u32, h as u32, samples)
                    .ok_or_else(|| IntakeError::corrupt("PDF", "image size mismatch"))?,
            );
            if decode_inverted {
                img.invert();
            }
            img
        }
        ColourSpace::Cmyk => {
            let mut rgb = Vec::with_capacity(wu * hu * 3);
            for p in samples.chunks_exact(4) {
                let p = if decode_inverted {
                    [255 - p[0], 255 - p[1], 255 - p[2], 255 - p[3]]
                } else {
                    [p[0], p[1], p[2], p[3]]
                };
                rgb.extend_from_slice(&convert::cmyk_to_rgb(p[0], p[1], p[2], p[3]));
            }
            DynamicImage::ImageRgb8(
                RgbImage::from_raw(w as u32, h as u32, rgb)
                    .ok_or_else(|| IntakeError::corrupt("PDF", "image size mismatch"))?,
            )
        }
        ColourSpace::Indexed { base, lookup } => {
            let n = base.components();
            let mut rgb = Vec::with_capacity(wu * hu * 3);
            for &i in &samples {
                let at = usize::from(i) * n;
                let c = lookup.get(at..at + n).unwrap_or(&[0, 0, 0, 0][..n]);
                rgb.extend_from_slice(&match **base {
                    ColourSpace::Gray => [c[0]; 3],
                    ColourSpace::Separation => [255 - c[0]; 3],
                    ColourSpace::Rgb => [c[0], c[1], c[2]],
                    _ => convert::cmyk_to_rgb(c[0], c[1], c[2], c[3]),
                });
            }
            DynamicImage::ImageRgb8(
                RgbImage::from_raw(w as u32, h as u32, rgb)
                    .ok_or_else(|| IntakeError::corrupt("PDF", "image size mismatch"))?,
            )
        }
    };
    Ok(PdfImage {
        img: convert::normalize(img),
        stencil: false,
    })
}

fn finish(g: GrayImage, is_mask: bool, _cs: &ColourSpace) -> Result<PdfImage, IntakeError> {
    Ok(PdfImage {
        img: DynamicImage::ImageLuma8(g),
        stencil: is_mask,
    })
}

/// Unpacks `ncomp` components of `bpc` bits per pixel into one byte per
/// component; `scale` stretches small bit depths to 0..=255 (off for
/// palette indices).
fn unpack(data: &[u8], w: usize, h: usize, ncomp: usize, bpc: usize, scale: bool) -> Vec<u8> {
    let per_row = w * ncomp;
    let row_bytes = (per_row * bpc).div_ceil(8);
    let mut out = Vec::with_capacity(per_row * h);
    match bpc {
        8 => {
            for row in data.chunks(row_bytes).take(h) {
                out.extend_from_slice(&row[..per_row.min(row.len())]);
            }
        }
        16 => {
            for row in data.chunks(row_bytes).take(h) {
                out.extend(row.chunks_exact(2).take(per_row).map(|p| p[0]));
            }
        }
        _ => {
            let max = (1u16 << bpc) - 1;
            let mask = max as u8;
            for row in data.chunks(row_bytes).take(h) {
                for i in 0..per_row {
                    let bit = i * bpc;
                    let v = (row.get(bit / 8).copied().unwrap_or(0) >> (8 - bpc - bit % 8)) & mask;
                    out.push(if scale {
                        (u16::from(v) * 255 / max) as u8
                    } else {
                        v
                    });
                }
            }
        }
    }
    out.resize(per_row * h, 0);
    out
}

/// CCITTFaxDecode → one gray byte per pixel with PDF sample semantics:
/// sample 0 → 0 (black in DeviceGray), 1 → 255.
fn ccitt(data: &[u8], p: Option<&Dictionary>, w: usize, h: usize) -> Result<Vec<u8>, IntakeError> {
    let k = param(p, b"K").unwrap_or(0.0) as i64;
    let columns = param(p, b"Columns").unwrap_or(1728.0);
    let black_is_1 = p
        .and_then(|p| p.get(b"BlackIs1").ok())
        .and_then(|o| o.as_bool().ok())
        .unwrap_or(false);
    if columns as usize != w {
        return Err(IntakeError::corrupt(
            "PDF",
            "fax image width differs from /Columns",
        ));
    }
    let width = u16::try_from(w)
        .map_err(|_| IntakeError::UnsupportedFeature("fax images wider than 65535 px".into()))?;
    let height = u16::try_from(h)
        .map_err(|_| IntakeError::UnsupportedFeature("fax images taller than 65535 px".into()))?;
    let (black, white) = if black_is_1 {
        (255u8, 0u8)
    } else {
        (0u8, 255u8)
    };
    let mut out = vec![white; w * h];
    let mut row = 0usize;
    let mut line = |transitions: &[u16]| {
        if row < h {
            let dst = &mut out[row * w..(row + 1) * w];
            for (px, c) in dst.iter_mut().zip(fax::decoder::pels(transitions, width)) {
                *px = if c == fax::Color::Black { black } else { white };
            }
            row += 1;
        }
    };
    let ok = if k < 0 {
        fax::decoder::decode_g4(data.iter().copied(), width, Some(height), &mut line)
    } else if k == 0 {
        fax::decoder::decode_g3(data.iter().copied(), &mut line)
    } else {
        return Err(IntakeError::UnsupportedCompression {
            container: "PDF",
            compression: "CCITT Group 3 2-D".into(),
        });
    };
    if ok.is_none() && row == 0 {
        return Err(IntakeError::corrupt(
            "PDF",
            "fax image data could not be decoded",
        ));
    }
    Ok(out)
}

/// JBIG2Decode (embedded organisation, optional /JBIG2Globals) → one gray
/// byte per pixel, black = 0. The page size in the JBIG2 data must match the
/// image dictionary, which was already checked against the limits.
fn jbig2(
    data: &[u8],
    globals: Option<&[u8]>,
    w: usize,
    h: usize,
) -> Result<GrayImage, IntakeError> {
    use hayro_jbig2::{DecodeSettings, Globals, Page};
    let bad = || IntakeError::corrupt("PDF", "JBIG2 image data could not be decoded");
    let settings = DecodeSettings::default();
    let globals = match globals {
        Some(g) => Some(Globals::new(g, &settings).map_err(|_| bad())?),
        None => None,
    };
    let page = Page::new_embedded(data, globals.as_ref(), &settings).map_err(|_| bad())?;
    if page.width() as usize != w || page.height() as usize != h {
        return Err(IntakeError::corrupt(
            "PDF",
            "JBIG2 page size differs from the image size",
        ));
    }
    struct Sink {
        buf: Vec<u8>,
        w: usize,
        x: usize,
        row: usize,
    }
    impl hayro_jbig2::Decoder for Sink {
        fn push_pixel(&mut self, black: bool) {
            if self.x < self.w {
                if let Some(p) = self.buf.get_mut(self.row * self.w + self.x) {
                    *p = if black { 0 } else { 255 };
                }
            }
            self.x += 1;
        }
        fn push_pixel_chunk(&mut self, black: bool, chunk_count: u32) {
            for _ in 0..(chunk_count as usize).saturating_mul(8).min(self.w + 8) {
                self.push_pixel(black);
            }
        }
        fn next_line(&mut self) {
            self.row += 1;
            self.x = 0;
        }
    }
    let mut sink = Sink {
        buf: vec![255; w * h],
        w,
        x: 0,
        row: 0,
    };
    page.decode(&mut sink).map_err(|_| bad())?;
    GrayImage::from_raw(w as u32, h as u32, sink.buf).ok_or_else(bad)
}

/// Paints the images onto the page box. Returns the page image, its dpi and
/// whether compositing (rather than passing one full-page image through)
/// happened.
fn composite(
    images: &[(Matrix, PdfImage)],
    bbox: [f64; 4],
    limits: &Limits,
) -> Result<(DynamicImage, Option<f64>, bool), IntakeError> {
    let [x0, y0, x1, y1] = bbox;
    let (bw, bh) = (x1 - x0, y1 - y0);
    // Fast path: one upright image covering the page.
    if let [(m, pi)] = images {
        let [a, b, c, d, e, f] = *m;
        let tol_x = bw * 0.01 + 1.0;
        let tol_y = bh * 0.01 + 1.0;
        if !pi.stencil
            && a > 0.0
            && d > 0.0
            && b.abs() < 1e-6 * a
            && c.abs() < 1e-6 * d
            && (e - x0).abs() < tol_x
            && (f - y0).abs() < tol_y
            && (a - bw).abs() < tol_x
            && (d - bh).abs() < tol_y
        {
            let dpi = f64::from(pi.img.width()) / (a / 72.0);
            return Ok((pi.img.clone(), Some(dpi), false));
        }
    }
    // Resolution: the finest image on the page.
    let mut s: f64 = 0.0;
    for (m, pi) in images {
        let [a, b, c, d, ..] = *m;
        let (pw, ph) = ((a * a + b * b).sqrt(), (c * c + d * d).sqrt());
        if pw > 1e-6 && ph > 1e-6 {
            s = s
                .max(f64::from(pi.img.width()) / pw)
                .max(f64::from(pi.img.height()) / ph);
        }
    }
    if !(s.is_finite() && s > 0.0) {
        return Err(IntakeError::corrupt(
            "PDF",
            "images are placed with zero size",
        ));
    }
    // No scan is finer than 1200 dpi; a tiny placement must not blow up
    // the canvas.
    s = s.min(1200.0 / 72.0);
    // Keep the canvas within the limits.
    let max_side = f64::from(limits.max_side);
    s = s.min(max_side / bw).min(max_side / bh);
    let area = bw * bh * s * s;
    if area > limits.max_pixels as f64 {
        s *= (limits.max_pixels as f64 / area).sqrt();
    }
    let cw = ((bw * s).round() as u32).max(1);
    let ch = ((bh * s).round() as u32).max(1);
    limits.check_page(u64::from(cw), u64::from(ch))?;
    let colour = images
        .iter()
        .any(|(_, pi)| !pi.stencil && matches!(pi.img, DynamicImage::ImageRgb8(_)));
    let mut canvas: DynamicImage = if colour {
        DynamicImage::ImageRgb8(RgbImage::from_pixel(cw, ch, image::Rgb([255, 255, 255])))
    } else {
        DynamicImage::ImageLuma8(GrayImage::from_pixel(cw, ch, image::Luma([255])))
    };
    // Bound the work: the painted area of all images together.
    let mut rects = Vec::with_capacity(images.len());
    let mut area = 0u64;
    for (m, _) in images {
        let r = canvas_rect(m, bbox, s, cw, ch);
        if let Some(r) = r {
            area += u64::from(r[1] - r[0]) * u64::from(r[3] - r[2]);
        }
        rects.push(r);
    }
    if area > limits.max_pixels.saturating_mul(4) {
        return Err(IntakeError::limit("the image area painted on the page"));
    }
    for ((m, pi), rect) in images.iter().zip(rects) {
        let Some(rect) = rect else { continue };
        let dims = (pi.img.width(), pi.img.height());
        match (&pi.img, &mut canvas) {
            (DynamicImage::ImageLuma8(src), DynamicImage::ImageLuma8(dst)) => {
                let (sw, dst) = (src.width() as usize, &mut **dst);
                let src = src.as_raw();
                paint(m, rect, dims, bbox, s, cw, |i, col, row| {
                    let g = src[row as usize * sw + col as usize];
                    if !pi.stencil {
                        dst[i] = g;
                    } else if g == 0 {
                        dst[i] = 0;
                    }
                });
            }
            (DynamicImage::ImageLuma8(src), DynamicImage::ImageRgb8(dst)) => {
                let (sw, dst) = (src.width() as usize, &mut **dst);
                let src = src.as_raw();
                paint(m, rect, dims, bbox, s, cw, |i, col, row| {
                    let g = src[row as usize * sw + col as usize];
                    if !pi.stencil || g == 0 {
                        dst[3 * i..3 * i + 3].copy_from_slice(&[g, g, g]);
                    }
                });
            }
            (DynamicImage::ImageRgb8(src), DynamicImage::ImageRgb8(dst)) => {
                let (sw, dst) = (src.width() as usize, &mut **dst);
                let src = src.as_raw();
                paint(m, rect, dims, bbox, s, cw, |i, col, row| {
                    let at = 3 * (row as usize * sw + col as usize);
                    dst[3 * i..3 * i + 3].copy_from_slice(&src[at..at + 3]);
                });
            }
            _ => {}
        }
    }
    Ok((canvas, Some(s * 72.0), true))
}

/// Canvas rectangle `[x0, x1) × [y0, y1)` covered by an image placed with
/// `m`, clipped to the canvas; `None` for a degenerate placement.
fn canvas_rect(m: &Matrix, bbox: [f64; 4], s: f64, cw: u32, ch: u32) -> Option<[u32; 4]> {
    let [a, b, c, d, e, f] = *m;
    let det = a * d - b * c;
    if !det.is_finite() || det.abs() < 1e-9 {
        return None;
    }
    let [x0, _, _, y1] = bbox;
    let (mut minx, mut miny, mut maxx, mut maxy) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (u, v) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)] {
        let px = (a * u + c * v + e - x0) * s;
        let py = (y1 - (b * u + d * v + f)) * s;
        minx = minx.min(px);
        maxx = maxx.max(px);
        miny = miny.min(py);
        maxy = maxy.max(py);
    }
    let (cw, ch) = (f64::from(cw), f64::from(ch));
    let r = [
        minx.floor().clamp(0.0, cw) as u32,
        maxx.ceil().clamp(0.0, cw) as u32,
        miny.floor().clamp(0.0, ch) as u32,
        maxy.ceil().clamp(0.0, ch) as u32,
    ];
    (r[1] > r[0] && r[3] > r[2]).then_some(r)
}

/// Nearest-neighbour paint of one image through its placement matrix.
/// `put(canvas_index, col, row)` copies one source pixel.
fn paint(
    m: &Matrix,
    rect: [u32; 4],
    (iw, ih): (u32, u32),
    bbox: [f64; 4],
    s: f64,
    cw: u32,
    mut put: impl FnMut(usize, u32, u32),
) {
    let [a, b, c, d, e, f] = *m;
    let det = a * d - b * c;
    let [x0, _, _, y1] = bbox;
    let (iwf, ihf) = (f64::from(iw), f64::from(ih));
    // u, v (unit-square coordinates) are affine in the canvas x: step per px.
    let du = d / (s * det);
    let dv = -b / (s * det);
    for cy in rect[2]..rect[3] {
        let y = y1 - (f64::from(cy) + 0.5) / s;
        let x = x0 + (f64::from(rect[0]) + 0.5) / s;
        let (dx, dy) = (x - e, y - f);
        let mut u = (d * dx - c * dy) / det;
        let mut v = (-b * dx + a * dy) / det;
        let row_start = cy as usize * cw as usize;
        for cx in rect[0]..rect[1] {
            if (0.0..1.0).contains(&u) && v > 0.0 && v <= 1.0 {
                let col = ((u * iwf) as u32).min(iw - 1);
                let row = (((1.0 - v) * ihf) as u32).min(ih - 1);
                put(row_start + cx as usize, col, row);
            }
            u += du;
            v += dv;
        }
    }
}

/// Text of page `number` (1-based) via lopdf, concatenating the chunks that
/// decoded; `None` when there is no letter or digit in it.
fn extract_text(doc: &lopdf::Document, number: u32) -> Option<String> {
    let chunks = catch_unwind(AssertUnwindSafe(|| doc.extract_text_chunks(&[number]))).ok()?;
    let mut s = String::new();
    for c in chunks.into_iter().flatten() {
        if s.len() + c.len() > MAX_TEXT_PER_PAGE {
            break;
        }
        s.push_str(&c);
    }
    let t = tidy_text(&s);
    t.chars().any(char::is_alphanumeric).then_some(t)
}

/// Collapses runs of spaces and tabs, trims every line and drops blank
/// lines at both ends (text layers often pad words with extra spaces).
fn tidy_text(s: &str) -> String {
    let lines: Vec<String> = s
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let first = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let last = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(first, |i| i + 1);
    lines[first..last.max(first)].join("\n")
}

/// Refuses what would make lopdf recurse too deep or inflate without bound:
/// nesting of arrays/dictionaries beyond [`MAX_NESTING`] and object or xref
/// streams that inflate beyond [`MAX_STREAM`] (or [`MAX_STRUCT_TOTAL`]
/// together).
fn prescan(b: &[u8]) -> Result<(), IntakeError> {
    let mut i = 0usize;
    let mut depth = 0usize;
    let mut last_obj = 0usize;
    let mut total = 0usize;
    while i < b.len() {
        match b[i] {
            b'%' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'(' => {
                i = skip_literal(b, i);
                continue;
            }
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'<' => {
                if b.get(i + 1) == Some(&b'<') {
                    depth += 1;
                    i += 1;
                } else {
                    while i < b.len() && b[i] != b'>' {
                        i += 1;
                    }
                }
            }
            b'>' if b.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'o' if b[i..].starts_with(b"obj") && (i == 0 || !b[i - 1].is_ascii_alphabetic()) => {
                last_obj = i;
                depth = 0;
            }
            b's' if b[i..].starts_with(b"stream")
                && (i == 0 || !b[i - 1].is_ascii_alphabetic()) =>
            {
                let mut start = i + 6;
                if b.get(start) == Some(&b'\r') {
                    start += 1;
                }
                if b.get(start) == Some(&b'\n') {
                    start += 1;
                }
                let dict = &b[last_obj..i];
                let structural = find(dict, b"/ObjStm").is_some() || find(dict, b"/XRef").is_some();
                let body = &b[start.min(b.len())..];
                if structural {
                    let out = if find(dict, b"Flate").is_some() {
                        pdf_filter::inflate(body, MAX_STREAM).ok()
                    } else if find(dict, b"LZW").is_some() {
                        pdf_filter::lzw(body, true, MAX_STREAM).ok()
                    } else {
                        None
                    };
                    // `inflate` reports TooLarge as an error; re-run to tell it
                    // apart from damage only when needed.
                    match out {
                        Some(out) => {
                            total += out.len();
                            if total > MAX_STRUCT_TOTAL {
                                return Err(IntakeError::limit(
                                    "the PDF's compressed object streams",
                                ));
                            }
                            if !nesting_ok(&out) {
                                return Err(IntakeError::limit("object nesting in the PDF"));
                            }
                        }
                        None => {
                            if find(dict, b"Flate").is_some()
                                && pdf_filter::inflate(body, MAX_STREAM)
                                    == Err(FilterError::TooLarge)
                            {
                                return Err(IntakeError::limit("a compressed PDF object stream"));
                            }
                        }
                    }
                }
                // Skip the data: by a direct /Length when it checks out,
                // else to the next "endstream".
                let by_length = direct_length(dict)
                    .and_then(|n| start.checked_add(n))
                    .filter(|&end| {
                        let rest = b.get(end..).unwrap_or(&[]);
                        let pos = rest
                            .iter()
                            .take(4)
                            .take_while(|c| c.is_ascii_whitespace())
                            .count();
                        rest[pos..].starts_with(b"endstream")
                    });
                i = match (by_length, find(body, b"endstream")) {
                    (Some(end), _) => end,
                    (None, Some(p)) => start + p + 9,
                    (None, None) => b.len(),
                };
                depth = 0;
                continue;
            }
            _ => {}
        }
        if depth > MAX_NESTING {
            return Err(IntakeError::limit("object nesting in the PDF"));
        }
        i += 1;
    }
    Ok(())
}

/// The value of `/Length` in a stream dictionary when it is a direct
/// integer (not `n 0 R`).
fn direct_length(dict: &[u8]) -> Option<usize> {
    let at = find(dict, b"/Length")? + 7;
    let rest = &dict[at..];
    let rest = &rest[rest.iter().take_while(|c| c.is_ascii_whitespace()).count()..];
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 12 {
        return None;
    }
    let after = &rest[digits..];
    let after = &after[after.iter().take_while(|c| c.is_ascii_whitespace()).count()..];
    // "12 0 R" is a reference, not a length.
    if after.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
}

/// Skips a literal string starting at `b[i] == '('`, honouring escapes and
/// balanced parentheses; returns the index after it.
fn skip_literal(b: &[u8], mut i: usize) -> usize {
    let mut level = 0usize;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'(' => level += 1,
            b')' => {
                level = level.saturating_sub(1);
                if level == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// Nesting of arrays and dictionaries in content or object text stays
/// within [`MAX_NESTING`] (inline image data may contain any bytes, so this
/// may refuse some odd-but-valid content; that costs only the fallback).
fn nesting_ok(b: &[u8]) -> bool {
    let mut depth = 0usize;
    let mut i = 0usize;
    while i < b.len() {
        match b[i] {
            b'(' => {
                i = skip_literal(b, i);
                continue;
            }
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'<' if b.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 1;
            }
            b'>' if b.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'I' if b[i..].starts_with(b"ID") => {
                // Inline image data: skip to EI.
                if let Some(p) = find(&b[i..], b"EI") {
                    i += p + 2;
                    continue;
                }
            }
            _ => {}
        }
        if depth > MAX_NESTING {
            return false;
        }
        i += 1;
    }
    true
}

/// Trial-decodes every non-image stream with generic filters under
/// [`MAX_STREAM`], so that lopdf's own unbounded decompression (text
/// extraction, fonts) can never be a bomb.
fn check_streams(objects: &BTreeMap<ObjectId, Object>) -> Result<(), IntakeError> {
    for o in objects.values() {
        let Object::Stream(s) = o else { continue };
        if s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image") {
            continue;
        }
        let filters = match s.dict.get(b"Filter") {
            Ok(Object::Name(n)) => vec![n.clone()],
            Ok(Object::Array(a)) => a
                .iter()
                .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
                .collect(),
            _ => continue,
        };
        let mut data = s.content.clone();
        for f in filters.iter().take(8) {
            match apply_generic(&expand_filter(f), None, &data, MAX_STREAM) {
                Ok(Some(out)) => data = out,
                Ok(None) => break,
                Err(FilterError::TooLarge) => {
                    return Err(IntakeError::limit("a compressed PDF stream"));
                }
                Err(FilterError::Corrupt(_)) => break,
            }
        }
    }
    Ok(())
}

fn map_lopdf_error(e: lopdf::Error) -> IntakeError {
    use lopdf::Error as E;
    match e {
        E::Decryption(_) => IntakeError::EncryptedPdf,
        E::IO(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            IntakeError::Truncated { format: "PDF" }
        }
        E::Xref(_) | E::MissingXrefEntry | E::InvalidOffset(_) => {
            IntakeError::corrupt("PDF", "broken cross-reference table")
        }
        E::Parse(_) => IntakeError::corrupt("PDF", "the file structure could not be parsed"),
        other => IntakeError::corrupt("PDF", crate::raster::short(&other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_product_applies_left_first() {
        let scale = [2.0, 0.0, 0.0, 3.0, 0.0, 0.0];
        let shift = [1.0, 0.0, 0.0, 1.0, 10.0, 20.0];
        // cm scale then (outer) shift: point (1,1) → (2,3) → (12,23).
        let m = mul(&scale, &shift);
        assert_eq!(m, [2.0, 0.0, 0.0, 3.0, 10.0, 20.0]);
    }

    #[test]
    fn nesting_guard() {
        let deep = "[".repeat(1000);
        assert!(!nesting_ok(deep.as_bytes()));
        assert!(nesting_ok(
            b"q 100 0 0 200 0 0 cm /Im0 Do Q [(a[[[[) 1 (b)] TJ"
        ));
        let pdf = format!("%PDF-1.4\n1 0 obj\n{}\nendobj\n", "<<".repeat(500));
        assert_eq!(prescan(pdf.as_bytes()).unwrap_err().code(), "too_large");
    }

    #[test]
    fn stream_length_parsing() {
        assert_eq!(
            direct_length(b"<< /Length 42 /Filter /FlateDecode >>"),
            Some(42)
        );
        assert_eq!(direct_length(b"<< /Length 7 0 R >>"), None);
        assert_eq!(direct_length(b"<< /Length1 5 >>"), None);
        assert_eq!(direct_length(b"<< /Filter /X >>"), None);
    }

    #[test]
    fn text_is_tidied() {
        assert_eq!(
            tidy_text("\n  Салам   дүйнө \n\n x\t y  \n\n"),
            "Салам дүйнө\n\nx y"
        );
        assert_eq!(tidy_text("   "), "");
    }

    #[test]
    fn unpack_bits() {
        assert_eq!(unpack(&[0b1010_0000], 3, 1, 1, 1, true), vec![255, 0, 255]);
        assert_eq!(unpack(&[0x12, 0x34], 1, 1, 1, 16, true), vec![0x12]);
        assert_eq!(unpack(&[0b0001_1011], 4, 1, 1, 2, false), vec![0, 1, 2, 3]);
    }
}
