//! Colour spaces of scanned images, reduced to what a page image needs:
//! gray, RGB, CMYK, a palette over one of those, or one ink (Separation).
//! Anything else is refused as corrupt rather than guessed.

use lopdf::{Dictionary, Object};

use super::objects::num;
use super::PdfDoc;
use crate::IntakeError;

impl PdfDoc {
    /// Resolves a colour space object (possibly a resource name for inline
    /// images).
    pub(super) fn colour_space(
        &self,
        o: &Object,
        resources: Option<&Dictionary>,
        depth: usize,
    ) -> Result<ColourSpace, IntakeError> {
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
                    Some(b"ICCBased") => self.icc_based(a),
                    Some(b"CalGray") => Ok(ColourSpace::Gray),
                    Some(b"CalRGB") => Ok(ColourSpace::Rgb),
                    Some(b"Indexed") | Some(b"I") => self.indexed(a, resources, depth),
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

    /// An `[/ICCBased stream]` space: gray, RGB or CMYK by the profile's `/N` (3 when it
    /// has none).
    fn icc_based(&self, a: &[Object]) -> Result<ColourSpace, IntakeError> {
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

    /// An `[/Indexed base hival lookup]` space: a palette over a base that is not itself
    /// indexed, its lookup table padded with zeros to `hival + 1` entries.
    fn indexed(
        &self,
        a: &[Object],
        resources: Option<&Dictionary>,
        depth: usize,
    ) -> Result<ColourSpace, IntakeError> {
        let base = a
            .get(1)
            .ok_or_else(|| IntakeError::corrupt("PDF", "bad indexed colour space"))?;
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
            _ => return Err(IntakeError::corrupt("PDF", "bad indexed colour space")),
        };
        let mut lookup = lookup;
        lookup.resize((hival + 1) * ncomp, 0);
        Ok(ColourSpace::Indexed {
            base: Box::new(base),
            lookup,
        })
    }
}

/// The refusal of a colour space this reader does not decode.
fn unsupported(what: &str) -> IntakeError {
    IntakeError::UnsupportedFeature(format!("PDF images in {what} colour"))
}

#[derive(Debug, Clone, PartialEq)]
/// The colour spaces a scanned page image can use, resolved from the PDF's
/// names and arrays by [`PdfDoc::colour_space`].
pub(super) enum ColourSpace {
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
    /// Samples per pixel in the stream, which sizes the decode buffer.
    pub(super) fn components(&self) -> usize {
        match self {
            ColourSpace::Gray | ColourSpace::Indexed { .. } | ColourSpace::Separation => 1,
            ColourSpace::Rgb => 3,
            ColourSpace::Cmyk => 4,
        }
    }
}
