//! End-to-end tests: run the real `ishenim` binary (real Tesseract) on `samples/` and on bad
//! files made at run time. One test binary, one module per area.

mod crash;
mod draft;
mod register;
mod scan;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// Runs `ishenim` with `args` in `cwd`, with Tesseract limited to one thread.
pub fn ishenim(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ishenim"))
        .args(args)
        .current_dir(cwd)
        .env("OMP_THREAD_LIMIT", "1")
        .output()
        .expect("run ishenim")
}
