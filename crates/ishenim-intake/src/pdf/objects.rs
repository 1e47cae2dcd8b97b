//! Reading the object graph: references followed a bounded number of times,
//! page attributes inherited from the page tree, the page box, and the
//! generic (non-image) stream filters, always decoded under an output cap
//! because lopdf itself would inflate without bound.

use lopdf::{Dictionary, Object, ObjectId, Stream};

use super::{PdfDoc, MAX_DEREF, MAX_STREAM};
use crate::pdf_filter::{self, FilterError};
use crate::IntakeError;

impl PdfDoc {
    /// Follows references at most [`MAX_DEREF`] times, so a reference cycle
    /// ends as `None` instead of a hang.
    pub(super) fn deref<'o>(&'o self, mut o: &'o Object) -> Option<&'o Object> {
        for _ in 0..MAX_DEREF {
            match o {
                Object::Reference(id) => o = self.objects.get(id)?,
                _ => return Some(o),
            }
        }
        None
    }

    /// A dictionary value with references followed.
    pub(super) fn get<'o>(&'o self, d: &'o Dictionary, key: &[u8]) -> Option<&'o Object> {
        self.deref(d.get(key).ok()?)
    }

    /// A page attribute, inherited from parent page-tree nodes.
    pub(super) fn inherited<'o>(&'o self, page: &'o Dictionary, key: &[u8]) -> Option<&'o Object> {
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
    pub(super) fn page_box(&self, page: &Dictionary) -> [f64; 4] {
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
    pub(super) fn page_content(&self, page_id: ObjectId) -> Result<Vec<u8>, IntakeError> {
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
    pub(super) fn decode_generic(&self, s: &Stream, cap: usize) -> Result<Vec<u8>, IntakeError> {
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
    pub(super) fn filters(&self, d: &Dictionary) -> Vec<(Vec<u8>, Option<Dictionary>)> {
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
}

/// A PDF number (integer or real) as `f64`.
pub(super) fn num(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// The full filter name for an inline image's abbreviation (`Fl`, `DCT`, …),
/// so one match handles both.
pub(super) fn expand_filter(n: &[u8]) -> Vec<u8> {
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

/// A numeric decode parameter, `None` when absent or not a number.
pub(super) fn param(p: Option<&Dictionary>, key: &[u8]) -> Option<f64> {
    p.and_then(|p| p.get(key).ok()).and_then(num)
}

/// Applies one generic filter; `Ok(None)` for an image codec (DCT, CCITT,
/// JPX, JBIG2), which the caller handles.
pub(super) fn apply_generic(
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
