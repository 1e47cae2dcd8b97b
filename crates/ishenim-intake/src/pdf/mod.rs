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
//!
//! One job per module, in the order a page goes through them:
//! - [`guard`]: the checks before and right after lopdf loads the file;
//! - [`objects`]: references, inherited page attributes, the page box and
//!   the generic stream filters;
//! - [`text`]: the text layer, extracted while the lopdf document is held;
//! - [`content`]: where the page content paints its images;
//! - [`colour`] and [`decode`] (with [`bilevel`] for the fax codecs): one
//!   image's pixels;
//! - [`composite`](mod@composite): the images painted onto the page box.

mod bilevel;
mod colour;
mod composite;
mod content;
mod decode;
mod guard;
mod objects;
mod text;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::{Object, ObjectId};

use self::composite::composite;
use self::content::{ImgSrc, Placement};
use self::decode::decode_image;
use self::guard::{check_streams, map_lopdf_error, nesting_ok, prescan};
use self::objects::num;
use self::text::extract_text;
use crate::sniff::find;
use crate::{meta, DecodedPage, IntakeError, Limits};

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
}
