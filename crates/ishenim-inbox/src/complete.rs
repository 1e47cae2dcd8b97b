//! When is a file in the scan folder complete? Scanners and network shares write a file in
//! pieces, often under its final name, so the name alone says nothing. A file is taken only
//! when all of these hold:
//!
//! - its name is not a temporary one (`*.part`, `*.tmp`, dotfiles, …: [`is_temporary`]);
//! - size, modification time and inode are the same at two polls in a row, and it is not
//!   empty ([`Seen`]);
//! - no process of this machine has it open for writing and no lock is held on it
//!   ([`busy`], Linux `/proc`; a writer on another machine of a network share is only
//!   seen through the size and time).

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Names scanners, browsers, editors and copy tools give a file while it is being written.
pub fn is_temporary(name: &str) -> bool {
    let lower = name.to_lowercase();
    const ENDINGS: &[&str] = &[
        ".part",
        ".partial",
        ".tmp",
        ".temp",
        ".crdownload",
        ".download",
        ".filepart",
        ".swp",
        ".lock",
        "~",
    ];
    lower.starts_with('.') || lower.starts_with('~') || ENDINGS.iter().any(|e| lower.ends_with(e))
}

/// One look at a file: what must not change between two polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// Size in bytes.
    pub size: u64,
    /// Last modification.
    pub mtime: SystemTime,
    /// Inode (a file replaced under the same name is another file).
    pub ino: u64,
}

impl Seen {
    /// Looks at `m` (metadata of a regular file, not followed through a link).
    pub fn of(m: &std::fs::Metadata) -> Seen {
        Seen {
            size: m.len(),
            mtime: m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            ino: m.ino(),
        }
    }
}

/// The files of `candidates` that a process has open for writing or that carry a lock
/// (POSIX, flock or lease in `/proc/locks`). Processes of other users are invisible
/// unless we run as root; what cannot be read is skipped (the size check still holds).
pub fn busy(candidates: &[PathBuf]) -> HashSet<PathBuf> {
    let mut out = HashSet::new();
    if candidates.is_empty() {
        return out;
    }
    let canon: Vec<(PathBuf, PathBuf, u64)> = candidates
        .iter()
        .filter_map(|p| {
            let c = p.canonicalize().ok()?;
            let ino = std::fs::symlink_metadata(p).ok()?.ino();
            Some((c, p.clone(), ino))
        })
        .collect();
    let locked = locked_inodes();
    for (_, p, ino) in &canon {
        if locked.contains(ino) {
            out.insert(p.clone());
        }
    }
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return out;
    };
    for pid in procs.flatten() {
        let name = pid.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let fd_dir = pid.path().join("fd");
        let Ok(fds) = std::fs::read_dir(&fd_dir) else {
            continue;
        };
        for fd in fds.flatten() {
            let Ok(target) = std::fs::read_link(fd.path()) else {
                continue;
            };
            let Some((_, p, _)) = canon.iter().find(|(c, _, _)| *c == target) else {
                continue;
            };
            let info = pid.path().join("fdinfo").join(fd.file_name());
            if writes(&info) {
                out.insert(p.clone());
            }
        }
    }
    out
}

/// True when `/proc/PID/fdinfo/FD` says the descriptor was opened for writing
/// (`O_WRONLY` or `O_RDWR`); unreadable means unknown, taken as writing (wait).
fn writes(fdinfo: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(fdinfo) else {
        return true;
    };
    text.lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
        .is_none_or(|flags| flags & 0o3 != 0)
}

/// Inode numbers with a lock in `/proc/locks` (lines like
/// `1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 EOF`; blocked waiters start with `->`).
fn locked_inodes() -> HashSet<u64> {
    let Ok(text) = std::fs::read_to_string("/proc/locks") else {
        return HashSet::new();
    };
    parse_locks(&text)
}

fn parse_locks(text: &str) -> HashSet<u64> {
    text.lines()
        .filter_map(|l| {
            let id = l
                .split_whitespace()
                .find(|w| w.matches(':').count() == 2 && !w.ends_with(':'))?;
            id.rsplit(':').next()?.parse().ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn temporary_names_are_skipped() {
        for n in [
            "scan.pdf.part",
            "a.TMP",
            ".hidden.png",
            "~$doc.pdf",
            "x.crdownload",
            "page.png~",
        ] {
            assert!(is_temporary(n), "{n}");
        }
        for n in ["scan0001.pdf", "L003p1.png", "part.png", "tmp.jpg"] {
            assert!(!is_temporary(n), "{n}");
        }
    }

    #[test]
    fn lock_lines_give_inodes() {
        let text = "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 EOF\n\
                    2: FLOCK  ADVISORY  WRITE 99 00:1f:42 0 EOF\n\
                    2: -> FLOCK  ADVISORY  WRITE 98 00:1f:42 0 EOF\n";
        let got = parse_locks(text);
        assert!(got.contains(&5678) && got.contains(&42) && got.len() == 2);
    }

    #[test]
    fn a_file_open_for_writing_is_busy_and_a_closed_one_is_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.png");
        let mut f = std::fs::File::create(&p).expect("create");
        f.write_all(b"half").expect("write");
        assert!(busy(std::slice::from_ref(&p)).contains(&p));
        drop(f);
        assert!(busy(std::slice::from_ref(&p)).is_empty());
        let _reader = std::fs::File::open(&p).expect("open");
        assert!(
            busy(std::slice::from_ref(&p)).is_empty(),
            "readers do not count"
        );
    }
}
