//! Where images are painted: walks the page's content operators with the
//! transformation matrix, so strips, tiles and Form XObjects end up as
//! placements on the page box. Only `cm`, `q`/`Q`, `Do` and inline images
//! matter; everything else (text, vector art, actions) is skipped.

use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::{Dictionary, Object, Stream};

use super::guard::nesting_ok;
use super::objects::num;
use super::{Matrix, PdfDoc, IDENTITY, MAX_FORM_DEPTH, MAX_IMAGES_PER_PAGE, MAX_STREAM};
use crate::IntakeError;

impl PdfDoc {
    /// The page's image XObjects, for the fallback when the content stream
    /// cannot be read or draws nothing: a one-image page is still a scan.
    pub(super) fn resource_images<'o>(
        &'o self,
        resources: Option<&'o Dictionary>,
    ) -> Vec<&'o Stream> {
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
    pub(super) fn collect<'o>(
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
}

/// One image painted on the page, with the matrix that maps its unit square
/// to page space.
pub(super) struct Placement<'o> {
    pub(super) m: Matrix,
    pub(super) src: ImgSrc<'o>,
}

/// An image XObject borrowed from the document, or an inline image (`BI`)
/// owned because it lives only in the parsed content.
pub(super) enum ImgSrc<'o> {
    Ref(&'o Stream),
    Inline(Box<Stream>),
}

/// `m1 × m2` in PDF's row-vector convention: `m1` applies first, as a `cm`
/// does before the matrix already in force.
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
}
