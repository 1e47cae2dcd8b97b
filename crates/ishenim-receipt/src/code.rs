//! The receipt code: 11 random Crockford base32 symbols (55 bits from the OS random
//! generator) and one check symbol, written `XXXX-XXXX-XXXX`.
//!
//! ## The check symbol
//!
//! Symbols are read as elements of GF(32) (5-bit values, arithmetic modulo the primitive
//! polynomial x⁵ + x² + 1). A code `d₀ … d₁₁` is valid when Σ wᵢ·dᵢ = 0 with the weights
//! wᵢ = αⁱ (α = x, a generator of the field), so all twelve weights are distinct and non-zero.
//! The code is linear, so:
//!
//! * one wrong symbol at position i changes the sum by wᵢ·e with e ≠ 0: never zero (a
//!   field has no zero divisors), so **every single substitution is caught**;
//! * swapping neighbours a ≠ b at i, i+1 changes it by (wᵢ + wᵢ₊₁)·(a + b), a product of two
//!   non-zero elements (weights distinct, symbols distinct): **every adjacent swap is caught**,
//!   including a swap with the check symbol itself.
//!
//! Unlike Crockford's own mod-37 check, the check symbol stays inside the 32-symbol
//! alphabet, so the slip never shows `*`, `~`, `$`, `=` or `U`. Both properties are tested
//! exhaustively below.
//!
//! ## Reading
//!
//! [`Code::parse`] is for typed codes: case, separators and the unambiguous look-alikes are
//! folded (O→0, I/L→1, Cyrillic О С В Е К М Н Р Т Х А → Latin), then the check must hold;
//! nothing is guessed, so a code with one wrong symbol is always refused. [`Code::repair`]
//! is for OCR text: where the folded code fails the check it also tries the ambiguous
//! readings (B/8, S/5, Z/2, G/6, D/0) and accepts a repair only when exactly one reading
//! makes the check hold.

use rand::TryRngCore;
use std::fmt;
use std::str::FromStr;

/// Crockford's base32 alphabet (no I, L, O, U).
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Symbols in a code, check symbol included.
pub const LEN: usize = 12;
/// Random symbols (the rest is the check symbol): 11 × 5 = 55 bits.
pub const DATA_LEN: usize = LEN - 1;
/// Random bits in a code.
pub const BITS: u32 = DATA_LEN as u32 * 5;
/// Symbols per printed group.
pub const GROUP: usize = 4;

/// Why text is not a receipt code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Not twelve symbols once separators are removed.
    #[error("a receipt code has {LEN} symbols, this has {0}")]
    Length(usize),
    /// A character outside the alphabet and its look-alikes.
    #[error("{0:?} is not a receipt code symbol")]
    Symbol(char),
    /// Twelve symbols, but the check symbol does not match: one is wrong.
    #[error("the check symbol does not match: a symbol is wrong or two are swapped")]
    Check,
    /// The OS random generator failed.
    #[error("the OS random generator failed: {0}")]
    Random(String),
}

/// A valid receipt code (the check holds). Displays as `XXXX-XXXX-XXXX`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code([u8; LEN]);

/// How a code was read from OCR text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repaired {
    /// The code.
    pub code: Code,
    /// Symbols changed between ambiguous readings (B/8, S/5, Z/2, G/6, D/0) to make the
    /// check hold; 0 when the text was right as read.
    pub changed: usize,
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the whole code in debug output (logs): only the board prefix.
        write!(f, "Code({}…)", self.prefix())
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &v) in self.0.iter().enumerate() {
            if i > 0 && i % GROUP == 0 {
                f.write_str("-")?;
            }
            write!(f, "{}", ALPHABET[v as usize] as char)?;
        }
        Ok(())
    }
}

impl FromStr for Code {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, CodeError> {
        Code::parse(s)
    }
}

// ---- GF(32) ----

/// x⁵ + x² + 1, primitive over GF(2).
const POLY: u8 = 0b10_0101;

fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0x20 != 0 {
            a ^= POLY;
        }
    }
    p
}

fn gf_inv(a: u8) -> u8 {
    // a^(32-2) = a^30 is the inverse in GF(32) for a ≠ 0.
    let mut r = 1u8;
    for _ in 0..30 {
        r = gf_mul(r, a);
    }
    r
}

/// Weight of position i: αⁱ.
fn weight(i: usize) -> u8 {
    let mut w = 1u8;
    for _ in 0..i {
        w = gf_mul(w, 2);
    }
    w
}

/// Σ wᵢ·dᵢ over all positions: zero for a valid code.
fn syndrome(v: &[u8; LEN]) -> u8 {
    v.iter()
        .enumerate()
        .fold(0, |acc, (i, &d)| acc ^ gf_mul(weight(i), d))
}

/// The check symbol that makes the syndrome zero.
fn check_symbol(data: &[u8]) -> u8 {
    let s = data
        .iter()
        .enumerate()
        .fold(0, |acc, (i, &d)| acc ^ gf_mul(weight(i), d));
    gf_mul(s, gf_inv(weight(LEN - 1)))
}

fn value_of(c: u8) -> Option<u8> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u8)
}

/// The unambiguous folding of one character to an alphabet symbol: case, Crockford's
/// O→0 and I/L→1, and Cyrillic letters that look like Latin ones (a typed code on a
/// Kyrgyz or Russian keyboard, or OCR of the printed code with the kir/rus models).
/// `None`: not a code character.
pub fn fold_char(c: char) -> Option<u8> {
    let c = match c {
        'О' | 'о' | 'O' | 'o' | 'Ө' | 'ө' => '0',
        'I' | 'i' | 'L' | 'l' | '|' | 'І' | 'і' | 'Ӏ' => '1',
        'С' | 'с' => 'C',
        'В' | 'в' => 'B',
        'Е' | 'е' => 'E',
        'К' | 'к' => 'K',
        'М' | 'м' => 'M',
        'Н' | 'н' => 'H',
        'Р' | 'р' => 'P',
        'Т' | 'т' => 'T',
        'Х' | 'х' => 'X',
        'А' | 'а' => 'A',
        'З' | 'з' => '3',
        'У' | 'у' | 'Ү' | 'ү' => 'Y',
        c => c.to_ascii_uppercase(),
    };
    if c.is_ascii() {
        value_of(c as u8)
    } else {
        None
    }
}

/// Characters that separate groups (ignored when reading).
pub fn is_separator(c: char) -> bool {
    matches!(
        c,
        '-' | '‐' | '‑' | '–' | '—' | ' ' | '\u{a0}' | '_' | '.' | '·'
    )
}

impl Code {
    /// A new random code from the OS random generator. Codes with fewer than two digits
    /// are drawn again, so a code never reads like a word (a reader of OCR text can then
    /// ignore letter-only tokens); this costs about 0.1 of the 55 bits.
    pub fn generate() -> Result<Code, CodeError> {
        loop {
            let mut b = [0u8; 8];
            rand::rngs::OsRng
                .try_fill_bytes(&mut b)
                .map_err(|e| CodeError::Random(e.to_string()))?;
            let mut n = u64::from_le_bytes(b);
            let mut v = [0u8; LEN];
            for d in v.iter_mut().take(DATA_LEN) {
                *d = (n & 31) as u8;
                n >>= 5;
            }
            v[DATA_LEN] = check_symbol(&v[..DATA_LEN]);
            let code = Code(v);
            if code.digits() >= 2 {
                return Ok(code);
            }
        }
    }

    fn digits(&self) -> usize {
        self.0.iter().filter(|&&d| d < 10).count()
    }

    /// Strictly reads a typed code (see the module docs): folds, then the check must hold.
    pub fn parse(s: &str) -> Result<Code, CodeError> {
        let v = Self::fold(s)?;
        if syndrome(&v) != 0 {
            return Err(CodeError::Check);
        }
        Ok(Code(v))
    }

    /// Folds text to twelve symbol values without checking.
    fn fold(s: &str) -> Result<[u8; LEN], CodeError> {
        let mut out = Vec::with_capacity(LEN);
        for c in s.trim().chars() {
            if is_separator(c) {
                continue;
            }
            out.push(fold_char(c).ok_or(CodeError::Symbol(c))?);
        }
        <[u8; LEN]>::try_from(out.as_slice()).map_err(|_| CodeError::Length(out.len()))
    }

    /// Reads a code from OCR text: as [`Code::parse`], and when only the check fails, the
    /// ambiguous readings of [`TWINS`] (one or two of them) are tried; a repair
    /// is accepted only when exactly one reading makes the check hold.
    pub fn repair(s: &str) -> Result<Repaired, CodeError> {
        let v = Self::fold(s)?;
        if syndrome(&v) == 0 {
            return Ok(Repaired {
                code: Code(v),
                changed: 0,
            });
        }
        let alt: Vec<(usize, u8)> = v
            .iter()
            .enumerate()
            .flat_map(|(i, &d)| twins(d).map(move |t| (i, t)))
            .collect();
        for depth in 1..=2usize {
            let mut found: Vec<[u8; LEN]> = Vec::new();
            for (k, &(i, a)) in alt.iter().enumerate() {
                let mut w = v;
                w[i] = a;
                if depth == 1 {
                    if syndrome(&w) == 0 {
                        found.push(w);
                    }
                    continue;
                }
                for &(j, b) in alt[k + 1..].iter().filter(|&&(j, _)| j != i) {
                    let mut w2 = w;
                    w2[j] = b;
                    if syndrome(&w2) == 0 {
                        found.push(w2);
                    }
                }
            }
            match found.len() {
                0 => continue,
                1 => {
                    return Ok(Repaired {
                        code: Code(found[0]),
                        changed: depth,
                    })
                }
                _ => return Err(CodeError::Check),
            }
        }
        Err(CodeError::Check)
    }

    /// The twelve symbols without separators (the text that is hashed).
    pub fn compact(&self) -> String {
        self.0
            .iter()
            .map(|&v| ALPHABET[v as usize] as char)
            .collect()
    }

    /// The first four symbols: how the notice board lists a code. 20 bits: enough to find
    /// one's line among a council's few hundred coded appeals, far too few to look it up.
    pub fn prefix(&self) -> String {
        self.compact()[..GROUP].to_string()
    }
}

/// Symbols an OCR engine reads for one another: B/8, S/5, Z/2, G/6, 0 as D, and 0 or 9 as
/// Q (the slip's monospace zero has a dot inside; its 9 a closed loop over a short tail).
const TWINS: &[(u8, u8)] = &[
    (b'B', b'8'),
    (b'S', b'5'),
    (b'Z', b'2'),
    (b'G', b'6'),
    (b'D', b'0'),
    (b'Q', b'0'),
    (b'Q', b'9'),
];

/// The other readings of an ambiguous symbol's value `d`.
fn twins(d: u8) -> impl Iterator<Item = u8> {
    TWINS.iter().filter_map(move |&(a, b)| {
        let (va, vb) = (value_of(a)?, value_of(b)?);
        if d == va {
            Some(vb)
        } else if d == vb {
            Some(va)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_codes(n: usize) -> Vec<Code> {
        (0..n).map(|_| Code::generate().unwrap()).collect()
    }

    #[test]
    fn field_is_sound() {
        // α generates the multiplicative group: its 31 powers are all distinct.
        let mut seen = std::collections::HashSet::new();
        for i in 0..31 {
            assert!(seen.insert(weight(i)), "α^{i} repeats");
        }
        for a in 1..32u8 {
            assert_eq!(gf_mul(a, gf_inv(a)), 1, "inverse of {a}");
        }
    }

    #[test]
    fn generated_codes_are_valid_random_and_formatted() {
        let codes = random_codes(2000);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(
            distinct.len(),
            codes.len(),
            "no repeats among 2000 codes of 55 bits"
        );
        for c in &codes {
            let s = c.to_string();
            assert_eq!(s.len(), 14);
            assert_eq!(&s[4..5], "-");
            assert_eq!(Code::parse(&s).unwrap(), *c);
            assert!(c.digits() >= 2);
        }
        // Every symbol value shows up at every data position (not sequential, not biased
        // to a few symbols).
        for pos in 0..DATA_LEN {
            let used: std::collections::HashSet<u8> = codes.iter().map(|c| c.0[pos]).collect();
            assert_eq!(used.len(), 32, "position {pos}");
        }
        const { assert!(BITS >= 50) };
    }

    /// Exhaustive over the linear property: every position, every non-zero error value.
    #[test]
    fn every_single_substitution_is_caught_exhaustively() {
        for i in 0..LEN {
            for e in 1..32u8 {
                assert_ne!(gf_mul(weight(i), e), 0, "position {i} error {e}");
            }
        }
        // And on real codes, through the parser: every position, every other symbol.
        for c in random_codes(300) {
            let s = c.compact();
            for i in 0..LEN {
                for &other in ALPHABET.iter() {
                    if other == s.as_bytes()[i] {
                        continue;
                    }
                    let mut b = s.clone().into_bytes();
                    b[i] = other;
                    let t = String::from_utf8(b).unwrap();
                    assert_eq!(Code::parse(&t), Err(CodeError::Check), "{t} from {s}");
                }
            }
        }
    }

    /// Exhaustive: every adjacent pair of positions, every pair of distinct symbols there,
    /// in otherwise random valid codes.
    #[test]
    fn every_adjacent_swap_is_caught_exhaustively() {
        for i in 0..LEN - 1 {
            let wsum = weight(i) ^ weight(i + 1);
            for a in 0..32u8 {
                for b in 0..32u8 {
                    if a == b {
                        continue;
                    }
                    // The change a swap makes to the syndrome.
                    assert_ne!(gf_mul(wsum, a ^ b), 0, "pos {i} {a}/{b}");
                }
            }
        }
        for c in random_codes(300) {
            let s = c.compact().into_bytes();
            for i in 0..LEN - 1 {
                if s[i] == s[i + 1] {
                    continue;
                }
                let mut b = s.clone();
                b.swap(i, i + 1);
                let t = String::from_utf8(b).unwrap();
                assert_eq!(Code::parse(&t), Err(CodeError::Check), "{t}");
            }
        }
    }

    #[test]
    fn typed_code_folds_case_separators_and_lookalikes() {
        let c = Code::generate().unwrap();
        let s = c.to_string();
        assert_eq!(Code::parse(&s.to_lowercase()).unwrap(), c);
        assert_eq!(Code::parse(&c.compact()).unwrap(), c);
        assert_eq!(Code::parse(&s.replace('-', " ")).unwrap(), c);
        let letters = s.replace('0', "O").replace('1', "I");
        assert_eq!(Code::parse(&letters).unwrap(), c);
        let cyr: String = s
            .chars()
            .map(|ch| match ch {
                'C' => 'С',
                'B' => 'В',
                'E' => 'Е',
                'K' => 'К',
                'M' => 'М',
                'H' => 'Н',
                'P' => 'Р',
                'T' => 'Т',
                'X' => 'Х',
                'A' => 'А',
                '0' => 'О',
                x => x,
            })
            .collect();
        assert_eq!(Code::parse(&cyr).unwrap(), c);
        assert_eq!(Code::parse("ABC"), Err(CodeError::Length(3)));
        assert_eq!(Code::parse("ABCD-EFGH-JKU!"), Err(CodeError::Symbol('U')));
    }

    #[test]
    fn ocr_confusions_are_repaired_only_when_the_check_then_holds() {
        let mut repaired = 0;
        for c in random_codes(400) {
            let s = c.compact();
            for (i, ch) in s.char_indices() {
                let wrong = match ch {
                    'B' => '8',
                    '8' => 'B',
                    'S' => '5',
                    '5' => 'S',
                    'Z' => '2',
                    '2' => 'Z',
                    _ => continue,
                };
                let mut t: Vec<char> = s.chars().collect();
                t[i] = wrong;
                let t: String = t.into_iter().collect();
                // A typed code is never guessed.
                assert_eq!(Code::parse(&t), Err(CodeError::Check));
                // OCR text: the one reading that checks is taken, or none.
                match Code::repair(&t) {
                    Ok(r) => {
                        assert_eq!(r.code, c, "{t}");
                        assert_eq!(r.changed, 1);
                        repaired += 1;
                    }
                    Err(e) => assert_eq!(e, CodeError::Check),
                }
            }
        }
        assert!(repaired > 100, "repairs happen: {repaired}");
        let c = Code::generate().unwrap();
        assert_eq!(Code::repair(&c.to_string()).unwrap().changed, 0);
    }

    #[test]
    fn repair_never_accepts_a_code_whose_check_fails() {
        for c in random_codes(200) {
            let s = c.compact();
            let mut b = s.clone().into_bytes();
            b[3] = if b[3] == b'7' { b'9' } else { b'7' };
            let t = String::from_utf8(b).unwrap();
            if let Ok(r) = Code::repair(&t) {
                assert_eq!(syndrome(&r.code.0), 0);
            }
        }
    }

    #[test]
    fn a_zero_read_as_q_is_repaired() {
        // The slip's monospace zero has a dot inside: `eng` reads F0KH-… as FQKH-….
        let c = Code::parse("F0KH-TGGW-1N8W").unwrap();
        let r = Code::repair("FQKH-TGGW-1N8W").unwrap();
        assert_eq!((r.code, r.changed), (c, 1));
        let c = Code::parse("A9TY-VFD2-S2MH").unwrap();
        assert_eq!(Code::repair("AQTY-VFD2-S2MH").unwrap().code, c);
    }

    #[test]
    fn debug_output_hides_the_code() {
        let c = Code::generate().unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains(&c.compact()));
        assert!(d.contains(&c.prefix()));
    }
}
