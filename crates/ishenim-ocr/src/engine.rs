//! A Tesseract engine: one per worker thread (it is `Send`, not `Sync`).

use image::GrayImage;
use std::ffi::{CStr, CString};
use std::os::raw::c_int;
use tesseract::plumbing::tesseract_sys as sys;

/// Errors from the engine.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// Tesseract could not load the language data.
    #[error("Tesseract could not load language '{lang}' (is tesseract-ocr-{first} installed?)")]
    Init {
        /// The language string asked for.
        lang: String,
        /// Its first component, for the hint.
        first: String,
    },
    /// A language or variable name contained a NUL byte.
    #[error("invalid argument: {0}")]
    BadArgument(String),
    /// Recognition failed.
    #[error("Tesseract failed to recognise the page")]
    Recognise,
    /// The image is too large or empty.
    #[error("image of {0}x{1} pixels cannot be recognised")]
    BadImage(u32, u32),
}

/// One recognised word in the coordinates of the image given to the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct RawWord {
    /// Text as Tesseract read it.
    pub text: String,
    /// Confidence 0–100.
    pub conf: f32,
    /// `[x0, y0, x1, y1]`.
    pub bbox: [i32; 4],
    /// Running line number on the page, in reading order.
    pub line: u32,
    /// True when the word starts a new paragraph.
    pub para_start: bool,
    /// Running number of Tesseract's layout block on the page: the reading-order pass
    /// (ishenim-scan) only moves a line between lines of *another* block.
    pub block: u32,
    /// For a word with digits: the box of each character of `text`, in order (empty for
    /// other words, or when Tesseract's symbols do not line up with the text).
    pub char_boxes: Vec<[i32; 4]>,
}

/// Page segmentation modes used here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segmentation {
    /// Full automatic layout analysis (page of a letter).
    Auto,
    /// One uniform block of text (a strip, for orientation tests).
    SingleBlock,
    /// One line of text (a word crop, for re-reading numbers).
    SingleLine,
    /// One word (a second way of re-reading a number).
    SingleWord,
}

/// Tesseract's two recognisers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recognizer {
    /// The neural line recogniser (Tesseract 4+): what reads the letters.
    Lstm,
    /// The older shape classifier: weaker on text, but its errors on digits are not the
    /// LSTM's, which makes it a useful second opinion on numbers.
    Legacy,
}

/// A Tesseract instance for one thread.
pub struct Engine {
    api: *mut sys::TessBaseAPI,
    lang: String,
}

// SAFETY: a TessBaseAPI may be moved between threads; it is only ever used by one
// thread at a time because `Engine` is not `Sync` and every method takes `&mut self`.
unsafe impl Send for Engine {}

impl Engine {
    /// Loads `lang` (e.g. `kir` or `kir+rus`) from `datapath` (or Tesseract's default)
    /// with the LSTM recogniser.
    pub fn new(datapath: Option<&str>, lang: &str) -> Result<Engine, OcrError> {
        Engine::with_recognizer(datapath, lang, Recognizer::Lstm)
    }

    /// Loads `lang` with the given recogniser. [`Recognizer::Legacy`] needs a model that
    /// carries the legacy classifier (the `tessdata` repository's, not Debian's `fast` ones).
    pub fn with_recognizer(
        datapath: Option<&str>,
        lang: &str,
        recognizer: Recognizer,
    ) -> Result<Engine, OcrError> {
        let oem = match recognizer {
            Recognizer::Lstm => sys::TessOcrEngineMode_OEM_LSTM_ONLY,
            Recognizer::Legacy => sys::TessOcrEngineMode_OEM_TESSERACT_ONLY,
        };
        let c_lang = CString::new(lang).map_err(|_| OcrError::BadArgument(lang.into()))?;
        let c_path = match datapath {
            Some(p) => Some(CString::new(p).map_err(|_| OcrError::BadArgument(p.into()))?),
            None => None,
        };
        // SAFETY: plain FFI calls on a handle we own; strings outlive the calls.
        unsafe {
            let api = sys::TessBaseAPICreate();
            let rc = sys::TessBaseAPIInit2(
                api,
                c_path.as_ref().map_or(std::ptr::null(), |p| p.as_ptr()),
                c_lang.as_ptr(),
                oem,
            );
            if rc != 0 {
                sys::TessBaseAPIDelete(api);
                return Err(OcrError::Init {
                    lang: lang.into(),
                    first: lang.split('+').next().unwrap_or(lang).into(),
                });
            }
            let mut e = Engine {
                api,
                lang: lang.into(),
            };
            // Inverted-text retries cost time and never help on letters.
            e.set_variable("tessedit_do_invert", "0")?;
            // Tesseract's own chatter ("Empty page!!") would mix with our output.
            e.set_variable("debug_file", "/dev/null")?;
            Ok(e)
        }
    }

    /// The language string this engine was loaded with.
    pub fn lang(&self) -> &str {
        &self.lang
    }

    /// Sets a Tesseract variable.
    pub fn set_variable(&mut self, name: &str, value: &str) -> Result<(), OcrError> {
        let n = CString::new(name).map_err(|_| OcrError::BadArgument(name.into()))?;
        let v = CString::new(value).map_err(|_| OcrError::BadArgument(value.into()))?;
        // SAFETY: valid handle and NUL-terminated strings.
        let ok = unsafe { sys::TessBaseAPISetVariable(self.api, n.as_ptr(), v.as_ptr()) };
        if ok == 0 {
            return Err(OcrError::BadArgument(format!("unknown variable {name}")));
        }
        Ok(())
    }

    /// Recognises a grey image and returns its words in reading order.
    pub fn recognize(
        &mut self,
        img: &GrayImage,
        dpi: u32,
        seg: Segmentation,
    ) -> Result<Vec<RawWord>, OcrError> {
        let (w, h) = img.dimensions();
        if w < 3 || h < 3 || w > 32000 || h > 32000 {
            return Err(OcrError::BadImage(w, h));
        }
        let psm = match seg {
            Segmentation::Auto => sys::TessPageSegMode_PSM_AUTO,
            Segmentation::SingleBlock => sys::TessPageSegMode_PSM_SINGLE_BLOCK,
            Segmentation::SingleLine => sys::TessPageSegMode_PSM_SINGLE_LINE,
            Segmentation::SingleWord => sys::TessPageSegMode_PSM_SINGLE_WORD,
        };
        // SAFETY: the buffer lives until Clear() below; Tesseract copies it on SetImage.
        unsafe {
            sys::TessBaseAPISetPageSegMode(self.api, psm);
            sys::TessBaseAPISetImage(
                self.api,
                img.as_raw().as_ptr(),
                w as c_int,
                h as c_int,
                1,
                w as c_int,
            );
            sys::TessBaseAPISetSourceResolution(self.api, dpi.clamp(70, 1200) as c_int);
            if sys::TessBaseAPIRecognize(self.api, std::ptr::null_mut()) != 0 {
                sys::TessBaseAPIClear(self.api);
                return Err(OcrError::Recognise);
            }
            let words = self.collect_words();
            sys::TessBaseAPIClear(self.api);
            Ok(words)
        }
    }

    /// Walks the result iterator. Caller must have run Recognize.
    unsafe fn collect_words(&mut self) -> Vec<RawWord> {
        let mut out = Vec::new();
        let it = sys::TessBaseAPIGetIterator(self.api);
        if it.is_null() {
            return out;
        }
        let pit = sys::TessResultIteratorGetPageIterator(it);
        let mut line: i64 = -1;
        let mut block: i64 = -1;
        loop {
            if sys::TessPageIteratorIsAtBeginningOf(pit, sys::TessPageIteratorLevel_RIL_BLOCK) != 0
                || block < 0
            {
                block += 1;
            }
            let new_line =
                sys::TessPageIteratorIsAtBeginningOf(pit, sys::TessPageIteratorLevel_RIL_TEXTLINE)
                    != 0;
            let new_para =
                sys::TessPageIteratorIsAtBeginningOf(pit, sys::TessPageIteratorLevel_RIL_PARA) != 0;
            if new_line || line < 0 {
                line += 1;
            }
            let ptr = sys::TessResultIteratorGetUTF8Text(it, sys::TessPageIteratorLevel_RIL_WORD);
            if !ptr.is_null() {
                let text = CStr::from_ptr(ptr).to_string_lossy().into_owned();
                sys::TessDeleteText(ptr);
                let conf =
                    sys::TessResultIteratorConfidence(it, sys::TessPageIteratorLevel_RIL_WORD);
                let (mut l, mut t, mut r, mut b) = (0, 0, 0, 0);
                sys::TessPageIteratorBoundingBox(
                    pit,
                    sys::TessPageIteratorLevel_RIL_WORD,
                    &mut l,
                    &mut t,
                    &mut r,
                    &mut b,
                );
                let text = text.trim();
                if !text.is_empty() {
                    let char_boxes = if text.bytes().any(|b| b.is_ascii_digit()) {
                        char_boxes(it, text)
                    } else {
                        Vec::new()
                    };
                    out.push(RawWord {
                        text: text.to_string(),
                        conf,
                        bbox: [l, t, r, b],
                        line: line.max(0) as u32,
                        para_start: new_para,
                        block: block.max(0) as u32,
                        char_boxes,
                    });
                }
            }
            if sys::TessResultIteratorNext(it, sys::TessPageIteratorLevel_RIL_WORD) == 0 {
                break;
            }
        }
        sys::TessResultIteratorDelete(it);
        out
    }
}

/// The box of each character of the word at `it` (a copy of the iterator walks its symbols);
/// empty when the symbols do not spell `text`.
///
/// # Safety
/// `it` must be a live result iterator positioned at a word.
unsafe fn char_boxes(it: *mut sys::TessResultIterator, text: &str) -> Vec<[i32; 4]> {
    let c = sys::TessResultIteratorCopy(it);
    if c.is_null() {
        return Vec::new();
    }
    let pit = sys::TessResultIteratorGetPageIterator(c);
    let (mut spelled, mut boxes) = (String::new(), Vec::new());
    loop {
        let ptr = sys::TessResultIteratorGetUTF8Text(c, sys::TessPageIteratorLevel_RIL_SYMBOL);
        if !ptr.is_null() {
            let sym = CStr::from_ptr(ptr).to_string_lossy().into_owned();
            sys::TessDeleteText(ptr);
            let (mut l, mut t, mut r, mut b) = (0, 0, 0, 0);
            sys::TessPageIteratorBoundingBox(
                pit,
                sys::TessPageIteratorLevel_RIL_SYMBOL,
                &mut l,
                &mut t,
                &mut r,
                &mut b,
            );
            boxes.extend(sym.chars().map(|_| [l, t, r, b]));
            spelled.push_str(&sym);
        }
        let last = sys::TessPageIteratorIsAtFinalElement(
            pit,
            sys::TessPageIteratorLevel_RIL_WORD,
            sys::TessPageIteratorLevel_RIL_SYMBOL,
        ) != 0;
        if last
            || spelled.len() > text.len()
            || sys::TessResultIteratorNext(c, sys::TessPageIteratorLevel_RIL_SYMBOL) == 0
        {
            break;
        }
    }
    sys::TessResultIteratorDelete(c);
    if spelled == text {
        boxes
    } else {
        Vec::new()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: the handle was created by TessBaseAPICreate and is deleted once.
        unsafe {
            sys::TessBaseAPIEnd(self.api);
            sys::TessBaseAPIDelete(self.api);
        }
    }
}

/// Mean confidence of a set of words (0 when empty), weighted by word length.
pub fn mean_conf(words: &[RawWord]) -> f32 {
    let (mut s, mut n) = (0f32, 0f32);
    for w in words {
        let k = w.text.chars().count() as f32;
        s += w.conf * k;
        n += k;
    }
    if n == 0.0 {
        0.0
    } else {
        s / n
    }
}

/// Joins words into page text: one line per text line, an empty line between paragraphs.
pub fn words_to_text(words: &[(String, u32, bool)]) -> String {
    let mut out = String::new();
    let mut cur_line = None;
    for (text, line, para) in words {
        if cur_line != Some(*line) {
            if cur_line.is_some() {
                out.push('\n');
                if *para {
                    out.push('\n');
                }
            }
            cur_line = Some(*line);
        } else {
            out.push(' ');
        }
        out.push_str(text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_assembly_keeps_lines_and_paragraphs() {
        let w = |t: &str, l, p| (t.to_string(), l, p);
        let t = words_to_text(&[
            w("Арыз", 0, true),
            w("Урматтуу", 1, true),
            w("комиссия", 1, false),
            w("мен", 2, false),
        ]);
        assert_eq!(t, "Арыз\n\nУрматтуу комиссия\nмен");
    }
}
