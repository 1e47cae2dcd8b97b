//! The text toolkit shared by drafting and search: look-alike folding ([`text`]), the
//! [`text::Lang`] of a document, tokenising, and the Kyrgyz/Russian stemmer ([`stem`]).
//!
//! One analyser on purpose: the corruption flag of a draft and a commission member's search
//! must agree on what counts as the same word (`пара`, `парасын`, `паралар`), so both stem
//! through [`stem::Analyzer`]. Pure functions over strings; no I/O.

pub mod stem;
pub mod text;
