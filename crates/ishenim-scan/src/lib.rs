//! The scan pipeline: bytes of scanned files in, one [`PageRecord`] per page out.
//!
//! Invariants: no file or network I/O (callers hand in bytes); pages are streamed — at most
//! `2 × jobs` decoded pages are in memory; one Tesseract [`Engine`] per worker thread;
//! results come back in input order; a bad file or page never stops the batch.

mod batch;
pub mod codes;
pub mod handline;
mod margin;
mod order;
mod page;
pub mod qr;
pub mod unread;

pub use batch::{run_batch, BatchEvent, BatchOptions, Input};
pub use page::{scan_page, Engines, PageInput, ScanConfig};
