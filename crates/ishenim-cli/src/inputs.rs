//! Turning command-line paths into a lazy stream of input files.

use ishenim_scan::Input;
use std::path::{Path, PathBuf};

/// Extensions skipped when walking a folder (ground truth, notes, our own outputs). Files
/// named explicitly are always read, whatever their name.
const SKIP_IN_FOLDERS: &[&str] = &["jsonl", "json", "txt", "md", "py", "tsv", "csv"];

/// Expands files and folders (recursively, sorted, hidden entries skipped).
pub fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        out.push(dir.to_path_buf());
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for e in entries {
        let name = e
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if e.is_dir() {
            walk(&e, out);
            continue;
        }
        let ext = e
            .extension()
            .map(|x| x.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if SKIP_IN_FOLDERS.contains(&ext.as_str()) {
            continue;
        }
        out.push(e);
    }
}

/// Reads files one at a time as the scanner asks for them, refusing oversized files
/// before reading them.
pub fn reader(files: Vec<PathBuf>, max_bytes: u64) -> impl Iterator<Item = Input> + Send {
    files.into_iter().map(move |p| {
        let file = p.display().to_string();
        let bytes = match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => Err("is a folder".to_string()),
            Ok(m) if m.len() > max_bytes => Err(format!(
                "file is too large ({} MiB; the limit is {} MiB)",
                m.len() >> 20,
                max_bytes >> 20
            )),
            Ok(_) => std::fs::read(&p).map_err(|e| format!("cannot read: {e}")),
            Err(e) => Err(format!("cannot read: {e}")),
        };
        Input { file, bytes }
    })
}
