//! # ishenim-receipt — receipt codes for anonymous follow-up
//!
//! A writer who signs nothing can still learn what became of the letter: beside the trust
//! box lie tear-off slips; one half goes with the letter, the other stays with the writer.
//! This crate is everything about the code itself, and nothing about the register:
//!
//! * [`Code`]: 55 random bits from the OS random generator in Crockford base32 with a check
//!   symbol that catches every single wrong symbol and every swap of neighbours; strict
//!   reading of typed codes ([`Code::parse`]) and check-guarded OCR repair ([`Code::repair`]);
//! * [`Secret`]: the register's key and the HMAC-SHA-256 under which the register stores a
//!   code (never the code itself);
//! * [`qr`]: the QR symbol of a code as inline SVG, and the search for codes in QR symbols
//!   on scanned page images;
//! * [`find_in_text`]: a printed or handwritten code in OCR text;
//! * [`sheet`]: the A4 slip sheet and the notice-board list.
//!
//! Invariants: no I/O, no SQL; a code is never logged in full (`Debug` shows its prefix).

mod code;
mod hash;
pub mod qr;
pub mod sheet;
mod text;

pub use code::{fold_char, is_separator, Code, CodeError, Repaired, ALPHABET, BITS, GROUP, LEN};
pub use hash::{audit_prefix, Secret, SECRET_LEN};
pub use text::{find_in_text, TextCode};
