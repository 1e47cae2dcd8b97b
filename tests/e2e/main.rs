//! End-to-end tests: run the real `ishenim` binary (real Tesseract) on `samples/` and on bad
//! files made at run time. One test binary, one module per area.

mod appeal_pdf;
mod browser;
mod crash;
mod draft;
mod faults;
mod hostile;
mod inbox;
mod ops;
mod pdf;
mod receipts;
mod redaction;
mod register;
mod report;
mod scan;
mod scanner;
mod search;
mod web;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// The `ishenim` command with `args` in `cwd`, with Tesseract limited to one thread.
pub fn command<S: AsRef<OsStr>>(cwd: &Path, args: impl IntoIterator<Item = S>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ishenim"));
    c.args(args).current_dir(cwd).env("OMP_THREAD_LIMIT", "1");
    c
}

/// Runs `ishenim` with `args` in `cwd` and waits for it.
pub fn ishenim(cwd: &Path, args: &[&str]) -> Output {
    command(cwd, args).output().expect("run ishenim")
}

/// Runs `ishenim --data <data> <args>` from the repository root (sample paths are
/// relative to it) and waits for it: the one runner of the e2e modules.
pub fn run(data: &Path, args: &[&str]) -> Output {
    run_in(&root(), data, args)
}

/// [`run`] from another folder (`data` may then be relative to it).
pub fn run_in(cwd: &Path, data: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--data", data.to_str().expect("utf-8 path")];
    all.extend_from_slice(args);
    ishenim(cwd, &all)
}

/// The standard output of a run that must exit 0 (its standard error in the failure).
pub fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Starts `ishenim` in the background with its output discarded (for kill -9 tests).
pub fn spawn_quiet<S: AsRef<OsStr>>(cwd: &Path, args: impl IntoIterator<Item = S>) -> Child {
    command(cwd, args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn ishenim")
}
