//! Page image preprocessing for OCR.
//!
//! Pure functions over pixel buffers: no file or network I/O, no OCR. The scan crate
//! strings them together; each step is small and separately tested.
//!
//! Data flow for one page (see [`prepare`]):
//! colour/grey input → [`gray::to_gray`] (suppresses coloured stamps and pen when the page is
//! printed in black) → [`flatten::flatten_background`] (uneven light, shadows, dark desk) →
//! [`border::clean_borders`] (scanner bands, punch holes, desk edges) → [`blank::is_blank`] →
//! [`skew::estimate`] (text axis 0°/90° and skew ±20°) → rotate + deskew + rescale so the text
//! x-height suits Tesseract. The result carries the [`geometry::Transform`] that maps
//! coordinates back to the original image.

pub mod binarize;
pub mod blank;
pub mod border;
pub mod components;
pub mod denoise;
pub mod dewarp;
pub mod flatten;
pub mod geometry;
pub mod gray;
pub mod orient;
pub mod prepare;
pub mod rules;
pub mod sheet;
pub mod skew;

pub use prepare::{prepare, PrepareOptions, Prepared};
