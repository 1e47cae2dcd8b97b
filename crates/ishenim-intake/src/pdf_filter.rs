//! Bounded PDF stream filters: every decoder stops at a caller-given output
//! cap, so a small compressed stream can never expand without limit.

use std::io::Read;

use crate::IntakeError;

/// Why a bounded decode stopped early.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FilterError {
    /// The output would exceed the cap.
    TooLarge,
    /// The data is damaged.
    Corrupt(&'static str),
}

impl FilterError {
    pub(crate) fn into_intake(self, what: &str) -> IntakeError {
        match self {
            FilterError::TooLarge => IntakeError::limit(format!("a compressed PDF {what}")),
            FilterError::Corrupt(d) => IntakeError::corrupt("PDF", d),
        }
    }
}

/// Inflates zlib (or, failing that, raw deflate) data, up to `cap` bytes.
/// Damaged data yields what could be decoded before the damage.
pub(crate) fn inflate(input: &[u8], cap: usize) -> Result<Vec<u8>, FilterError> {
    let zlib_header = input.len() >= 2
        && (input[0] & 0x0F) == 8
        && (u16::from(input[0]) << 8 | u16::from(input[1])) % 31 == 0;
    let mut out = Vec::new();
    let limit = cap as u64 + 1;
    let res = if zlib_header {
        flate2::read::ZlibDecoder::new(input)
            .take(limit)
            .read_to_end(&mut out)
    } else {
        flate2::read::DeflateDecoder::new(input)
            .take(limit)
            .read_to_end(&mut out)
    };
    if out.len() > cap {
        return Err(FilterError::TooLarge);
    }
    if res.is_err() && out.is_empty() {
        return Err(FilterError::Corrupt(
            "a compressed stream could not be inflated",
        ));
    }
    Ok(out)
}

/// LZW as used by PDF (MSB-first, 8-bit codes, early change by default).
pub(crate) fn lzw(input: &[u8], early_change: bool, cap: usize) -> Result<Vec<u8>, FilterError> {
    use weezl::{decode::Decoder, BitOrder, LzwStatus};
    let mut d = if early_change {
        Decoder::with_tiff_size_switch(BitOrder::Msb, 8)
    } else {
        Decoder::new(BitOrder::Msb, 8)
    };
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut inp = input;
    loop {
        let r = d.decode_bytes(inp, &mut buf);
        inp = &inp[r.consumed_in..];
        out.extend_from_slice(&buf[..r.consumed_out]);
        if out.len() > cap {
            return Err(FilterError::TooLarge);
        }
        match r.status {
            Ok(LzwStatus::Done) => break,
            Ok(LzwStatus::NoProgress) => break,
            Ok(LzwStatus::Ok) => {
                if r.consumed_in == 0 && r.consumed_out == 0 {
                    break;
                }
            }
            Err(_) => {
                if out.is_empty() {
                    return Err(FilterError::Corrupt("LZW data could not be decoded"));
                }
                break;
            }
        }
    }
    Ok(out)
}

/// RunLengthDecode (PackBits-like), up to `cap` bytes.
pub(crate) fn run_length(input: &[u8], cap: usize) -> Result<Vec<u8>, FilterError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < input.len() {
        let n = input[i];
        i += 1;
        match n {
            128 => break,
            0..=127 => {
                let len = usize::from(n) + 1;
                let end = (i + len).min(input.len());
                out.extend_from_slice(&input[i..end]);
                i = end;
            }
            _ => {
                let len = 257 - usize::from(n);
                if let Some(&b) = input.get(i) {
                    out.extend(std::iter::repeat_n(b, len));
                }
                i += 1;
            }
        }
        if out.len() > cap {
            return Err(FilterError::TooLarge);
        }
    }
    Ok(out)
}

/// ASCIIHexDecode. Output is at most half the input.
pub(crate) fn ascii_hex(input: &[u8]) -> Result<Vec<u8>, FilterError> {
    let mut out = Vec::with_capacity(input.len() / 2);
    let mut hi: Option<u8> = None;
    for &c in input {
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            b'>' => break,
            c if c.is_ascii_whitespace() || c == 0 => continue,
            _ => return Err(FilterError::Corrupt("bad ASCIIHex data")),
        };
        match hi.take() {
            Some(h) => out.push(h << 4 | v),
            None => hi = Some(v),
        }
    }
    if let Some(h) = hi {
        out.push(h << 4);
    }
    Ok(out)
}

/// ASCII85Decode. Output is at most 4/5 of the input plus the `z`
/// shortcuts, each 4 bytes for 1; capped at `cap`.
pub(crate) fn ascii85(input: &[u8], cap: usize) -> Result<Vec<u8>, FilterError> {
    let mut out = Vec::with_capacity(input.len());
    let mut group = [0u8; 5];
    let mut n = 0;
    let data = input.strip_prefix(b"<~").unwrap_or(input);
    for &c in data {
        match c {
            b'~' => break,
            b'z' if n == 0 => out.extend_from_slice(&[0; 4]),
            b'!'..=b'u' => {
                group[n] = c - b'!';
                n += 1;
                if n == 5 {
                    let v = group.iter().fold(0u64, |a, &d| a * 85 + u64::from(d));
                    if v > u64::from(u32::MAX) {
                        return Err(FilterError::Corrupt("bad ASCII85 data"));
                    }
                    out.extend_from_slice(&(v as u32).to_be_bytes());
                    n = 0;
                }
            }
            c if c.is_ascii_whitespace() || c == 0 => {}
            _ => return Err(FilterError::Corrupt("bad ASCII85 data")),
        }
        if out.len() > cap {
            return Err(FilterError::TooLarge);
        }
    }
    if n > 1 {
        for g in group.iter_mut().skip(n) {
            *g = 84;
        }
        let v = group.iter().fold(0u64, |a, &d| a * 85 + u64::from(d));
        let bytes = (v.min(u64::from(u32::MAX)) as u32).to_be_bytes();
        out.extend_from_slice(&bytes[..n - 1]);
    }
    Ok(out)
}

/// Undoes a PNG (10..=15) or TIFF (2) predictor. `colors`, `bpc`, `columns`
/// come from /DecodeParms. Output size is at most the input size.
pub(crate) fn unpredict(
    data: Vec<u8>,
    predictor: i64,
    colors: usize,
    bpc: usize,
    columns: usize,
) -> Result<Vec<u8>, FilterError> {
    if predictor <= 1 {
        return Ok(data);
    }
    let bits_per_px = colors
        .checked_mul(bpc)
        .ok_or(FilterError::Corrupt("bad predictor parameters"))?;
    let row_len = columns
        .checked_mul(bits_per_px)
        .map(|b| b.div_ceil(8))
        .filter(|&r| r > 0)
        .ok_or(FilterError::Corrupt("bad predictor parameters"))?;
    let bpp = bits_per_px.div_ceil(8).max(1);
    if predictor == 2 {
        if bpc != 8 {
            return Ok(data); // rare; leave as is
        }
        let mut data = data;
        for row in data.chunks_mut(row_len) {
            for i in bpp..row.len() {
                row[i] = row[i].wrapping_add(row[i - bpp]);
            }
        }
        return Ok(data);
    }
    if predictor < 10 {
        return Err(FilterError::Corrupt("unknown predictor"));
    }
    let mut out = Vec::with_capacity(data.len() / (row_len + 1) * row_len);
    let mut prev = vec![0u8; row_len];
    for chunk in data.chunks(row_len + 1) {
        if chunk.len() < 2 {
            break;
        }
        let kind = chunk[0];
        let mut row = chunk[1..].to_vec();
        row.resize(row_len, 0);
        for i in 0..row_len {
            let a = if i >= bpp { row[i - bpp] } else { 0 };
            let b = prev[i];
            let c = if i >= bpp { prev[i - bpp] } else { 0 };
            row[i] = match kind {
                0 => row[i],
                1 => row[i].wrapping_add(a),
                2 => row[i].wrapping_add(b),
                3 => row[i].wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8),
                4 => row[i].wrapping_add(paeth(a, b, c)),
                _ => return Err(FilterError::Corrupt("bad PNG predictor row")),
            };
        }
        out.extend_from_slice(&row);
        prev = row;
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).expect("write");
        e.finish().expect("finish")
    }

    #[test]
    fn inflate_is_capped() {
        let bomb = zlib(&vec![0u8; 10_000_000]);
        assert!(bomb.len() < 20_000);
        assert_eq!(inflate(&bomb, 1_000_000), Err(FilterError::TooLarge));
        assert_eq!(inflate(&bomb, 10_000_000).map(|v| v.len()), Ok(10_000_000));
        assert!(inflate(b"\x78\x9c garbage", 100).is_err());
    }

    #[test]
    fn small_filters() {
        assert_eq!(ascii_hex(b"48 65 6c6C6f>"), Ok(b"Hello".to_vec()));
        assert_eq!(
            ascii85(b"87cURD]i,\"Ebo80~>", 100),
            Ok(b"Hello World!".to_vec())
        );
        assert_eq!(
            run_length(&[2, b'a', b'b', b'c', 253, b'x', 128], 100),
            Ok(b"abcxxxx".to_vec())
        );
        assert_eq!(
            run_length(&[129, 0, 129, 0], 100),
            Err(FilterError::TooLarge)
        );
        assert_eq!(ascii85(b"zzzzzzzzzz", 8), Err(FilterError::TooLarge));
    }

    #[test]
    fn png_up_predictor() {
        // Two rows of 3 bytes, second row uses "Up".
        let data = vec![0, 1, 2, 3, 2, 1, 1, 1];
        assert_eq!(unpredict(data, 12, 1, 8, 3), Ok(vec![1, 2, 3, 2, 3, 4]));
    }

    #[test]
    fn lzw_roundtrip() {
        let mut enc = weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
        let data = b"ABABABABABABABAB hello hello hello".to_vec();
        let packed = enc.encode(&data).expect("encode");
        assert_eq!(lzw(&packed, true, 1000), Ok(data));
        assert_eq!(lzw(&packed, true, 5), Err(FilterError::TooLarge));
    }
}
