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
mod scan_killed;
mod scan_live;
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

/// The standard output of a run that must exit 0 (both outputs in the failure).
pub fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

/// [`ok`], and the output must be valid UTF-8 (CSV, JSON and HTML the CLI prints).
pub fn ok_utf8(o: &Output) -> String {
    ok(o);
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

/// A run's standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A run's standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A path as a command-line argument (the test folders are UTF-8).
pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The `opening new` of a test: who opened the box, the two seal numbers, how many letters,
/// and when (`None`: now). [`NewOpening::args`] for a module's own runner,
/// [`NewOpening::record`] for the common one.
pub struct NewOpening<'a> {
    pub members: &'a str,
    pub seal_removed: &'a str,
    pub seal_applied: &'a str,
    pub letters: &'a str,
    pub at: Option<&'a str>,
}

impl<'a> NewOpening<'a> {
    /// `opening new --members … --seal-removed … --seal-applied … --letters … [--at …]`.
    pub fn args(&self) -> Vec<&'a str> {
        let mut a = vec![
            "opening",
            "new",
            "--members",
            self.members,
            "--seal-removed",
            self.seal_removed,
            "--seal-applied",
            self.seal_applied,
            "--letters",
            self.letters,
        ];
        if let Some(at) = self.at {
            a.extend(["--at", at]);
        }
        a
    }

    /// Records the opening in `data` through [`run`] and returns its id (the command
    /// prints just the id).
    pub fn record(&self, data: &Path) -> String {
        let id = ok(&run(data, &self.args())).trim().to_string();
        assert!(
            id.parse::<i64>().is_ok(),
            "opening new prints just the id: {id:?}"
        );
        id
    }
}

/// Starts `ishenim` in the background with its output discarded (for kill -9 tests).
pub fn spawn_quiet<S: AsRef<OsStr>>(cwd: &Path, args: impl IntoIterator<Item = S>) -> Child {
    command(cwd, args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn ishenim")
}
