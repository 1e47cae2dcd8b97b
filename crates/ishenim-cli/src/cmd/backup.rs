//! `ishenim backup FILE`, `ishenim backup --dir DIR [--keep N]` and
//! `ishenim restore FILE [--force]`.
//!
//! With `--dir` (or the `backup_dir` setting) the archive is named by its local time,
//! `ishenim-backup-YYYYMMDD-HHMMSS.tar`, and read back whole ([`Store::verify_backup`])
//! before anything else happens. Only then, with `--keep N`, the oldest archives of that
//! pattern beyond the newest N are deleted. The archive just written is never deleted
//! (even when a wrong clock makes its name sort first), and files that do not follow the
//! pattern are never touched.

use crate::cmd::ctx::{head_line, Global};
use anyhow::Context;
use chrono::NaiveDateTime;
use ishenim_store::Store;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// File name prefix of rotated archives.
pub const ARCHIVE_PREFIX: &str = "ishenim-backup-";
/// File name suffix of rotated archives.
pub const ARCHIVE_SUFFIX: &str = ".tar";
const STAMP: &str = "%Y%m%d-%H%M%S";

/// Flags of `ishenim backup`.
#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// Archive to write (replaced atomically if it exists).
    #[arg(conflicts_with = "dir")]
    pub file: Option<PathBuf>,
    /// Write a timestamped archive into this folder (default: the `backup_dir` setting).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Keep the newest N timestamped archives of the folder; older ones are deleted after
    /// the new archive is written and verified.
    #[arg(long, value_name = "N", conflicts_with = "file",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: Option<u32>,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Flags of `ishenim restore`.
#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// Archive written by `ishenim backup`.
    pub file: PathBuf,
    /// Replace an existing register (it is moved aside, never deleted).
    #[arg(long, conflicts_with = "check")]
    pub force: bool,
    /// Only check the archive (checksums, database integrity, journal chain, originals);
    /// restore nothing. Exit 0 when it is sound.
    #[arg(long)]
    pub check: bool,
}

/// A timestamped archive in a backup folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archive {
    /// Its path.
    pub path: PathBuf,
    /// The local time in its name.
    pub at: NaiveDateTime,
    /// The counter after the time (`-2`), 0 without one: archives of the same second.
    pub n: u32,
}

/// The time and counter in a rotated archive's name (`ishenim-backup-20260321-023000.tar`,
/// or with a `-N` counter before `.tar` for a second archive in the same second); `None`
/// for any other name.
pub fn archive_name(name: &str) -> Option<(NaiveDateTime, u32)> {
    let core = name
        .strip_prefix(ARCHIVE_PREFIX)?
        .strip_suffix(ARCHIVE_SUFFIX)?;
    let (stamp, counter) = match core.get(15..) {
        Some("") => (core, None),
        Some(rest) => (core.get(..15)?, Some(rest.strip_prefix('-')?)),
        None => return None,
    };
    let n = match counter {
        None => 0,
        Some(c) if !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()) => c.parse().ok()?,
        Some(_) => return None,
    };
    if !stamp.bytes().enumerate().all(|(i, b)| {
        if i == 8 {
            b == b'-'
        } else {
            b.is_ascii_digit()
        }
    }) {
        return None;
    }
    Some((NaiveDateTime::parse_from_str(stamp, STAMP).ok()?, n))
}

/// Timestamped archives in `dir`, oldest first (by the time in the name, then the counter).
/// A missing folder has none.
pub fn archives(dir: &Path) -> std::io::Result<Vec<Archive>> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for entry in rd {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some((at, n)) = archive_name(name) else {
            continue;
        };
        if entry.file_type()?.is_file() {
            out.push(Archive {
                path: entry.path(),
                at,
                n,
            });
        }
    }
    out.sort_by_key(|a| (a.at, a.n));
    Ok(out)
}

/// A path for a new archive in `dir` named by `now` that does not exist yet.
fn new_archive_path(dir: &Path, now: NaiveDateTime) -> PathBuf {
    let stamp = now.format(STAMP);
    let first = dir.join(format!("{ARCHIVE_PREFIX}{stamp}{ARCHIVE_SUFFIX}"));
    if !first.exists() {
        return first;
    }
    (1..)
        .map(|i| dir.join(format!("{ARCHIVE_PREFIX}{stamp}-{i}{ARCHIVE_SUFFIX}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// The archives to delete so that `keep` remain, the one just written (`new`) always
/// among them: the oldest of the others go first.
pub fn to_delete(list: &[Archive], new: &Path, keep: usize) -> Vec<PathBuf> {
    let others: Vec<&Archive> = list.iter().filter(|a| a.path != new).collect();
    let keep_others = keep.saturating_sub(1);
    let excess = others.len().saturating_sub(keep_others);
    others[..excess].iter().map(|a| a.path.clone()).collect()
}

fn local_now() -> NaiveDateTime {
    chrono::Local::now().naive_local()
}

/// Writes a consistent backup (safe while another process ingests or approves).
pub fn backup(args: BackupArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let store = global.existing_store()?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Some(file) = args.file {
        let rep = store
            .backup(&file, &global.user())
            .with_context(|| format!("writing the backup {}", file.display()))?;
        if args.json {
            serde_json::to_writer(&mut out, &rep)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "backup {}: {} entries, {} originals, {} bytes; {}",
                rep.path.display(),
                rep.entries,
                rep.files,
                rep.bytes,
                head_line(&rep.head)
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let dir = match args.dir {
        Some(d) => d,
        None => store.backup_dir()?.ok_or_else(|| {
            anyhow::anyhow!(
                "give FILE or --dir DIR, or set the folder once: ishenim settings set backup_dir /var/backups/ishenim"
            )
        })?,
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = new_archive_path(&dir, local_now());
    let rep = store
        .backup(&path, &global.user())
        .with_context(|| format!("writing the backup {}", path.display()))?;
    let check = match Store::verify_backup(&path) {
        Ok(c) if c.head == rep.head && c.entries == rep.entries => c,
        Ok(_) => {
            let _ = std::fs::remove_file(&path);
            anyhow::bail!(
                "the new archive {} does not match the register; it was removed and older archives were kept",
                path.display()
            );
        }
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            return Err(anyhow::Error::new(e).context(format!(
                "verifying the new archive {} (removed; older archives were kept)",
                path.display()
            )));
        }
    };
    let mut deleted = Vec::new();
    if let Some(keep) = args.keep {
        let list = archives(&dir).with_context(|| format!("listing {}", dir.display()))?;
        for old in to_delete(&list, &path, keep as usize) {
            std::fs::remove_file(&old).with_context(|| format!("deleting {}", old.display()))?;
            deleted.push(old);
        }
    }
    if args.json {
        let report = serde_json::json!({
            "path": rep.path,
            "entries": rep.entries,
            "files": rep.files,
            "bytes": rep.bytes,
            "head": rep.head,
            "verified": true,
            "schema_version": check.schema_version,
            "deleted": deleted,
        });
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "backup {}: {} entries, {} originals, {} bytes, verified / текшерилди / проверено; {}",
            rep.path.display(),
            rep.entries,
            rep.files,
            rep.bytes,
            head_line(&rep.head)
        )?;
        for d in &deleted {
            writeln!(
                out,
                "deleted old backup / эски көчүрмө өчүрүлдү / удалена старая копия: {}",
                d.display()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Restores an archive into the data folder after checking it whole.
pub fn restore(args: RestoreArgs, global: &Global) -> anyhow::Result<ExitCode> {
    if args.check {
        let checked = Store::verify_backup(&args.file)
            .with_context(|| format!("checking {}", args.file.display()))?;
        println!(
            "{}: sound / бүтүн / исправен: written {}, schema {}, {} entries, {} originals; {}",
            args.file.display(),
            checked.created_at,
            checked.schema_version,
            checked.entries,
            checked.files,
            head_line(&checked.head)
        );
        return Ok(ExitCode::SUCCESS);
    }
    let rep = Store::restore(&args.file, &global.data, args.force)
        .with_context(|| format!("restoring {}", args.file.display()))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "restored into {}: {} entries, {} originals; {}",
        rep.data_dir.display(),
        rep.entries,
        rep.files,
        head_line(&rep.head)
    )?;
    if let Some(old) = rep.replaced {
        writeln!(out, "the previous register was moved to {}", old.display())?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("time")
    }

    #[test]
    fn archive_names() {
        let cases: &[(&str, Option<(&str, u32)>)] = &[
            (
                "ishenim-backup-20260321-023000.tar",
                Some(("2026-03-21 02:30:00", 0)),
            ),
            (
                "ishenim-backup-20260321-023000-12.tar",
                Some(("2026-03-21 02:30:00", 12)),
            ),
            ("ishenim-backup-20260321-023000-.tar", None),
            ("ishenim-backup-20260321-023000-x.tar", None),
            ("ishenim-backup-20261321-023000.tar", None),
            ("ishenim-backup-20260321-023000.tar.part", None),
            ("ishenim-backup-2026032-1023000.tar", None),
            ("notes.tar", None),
            ("ishenim-backup-.tar", None),
            ("ishenim-backup-20260321_023000.tar", None),
        ];
        for (name, want) in cases {
            assert_eq!(archive_name(name), want.map(|(w, n)| (t(w), n)), "{name}");
        }
    }

    fn a(name: &str) -> Archive {
        let (at, n) = archive_name(name).expect("name");
        Archive {
            path: PathBuf::from("/b").join(name),
            at,
            n,
        }
    }

    #[test]
    fn rotation_keeps_the_newest_and_always_the_new_one() {
        let list = vec![
            a("ishenim-backup-20260101-023000.tar"),
            a("ishenim-backup-20260102-023000.tar"),
            a("ishenim-backup-20260103-023000.tar"),
            a("ishenim-backup-20260104-023000.tar"),
        ];
        let new = PathBuf::from("/b/ishenim-backup-20260104-023000.tar");
        assert_eq!(
            to_delete(&list, &new, 2),
            vec![
                PathBuf::from("/b/ishenim-backup-20260101-023000.tar"),
                PathBuf::from("/b/ishenim-backup-20260102-023000.tar")
            ]
        );
        assert!(to_delete(&list, &new, 4).is_empty());
        assert!(to_delete(&list, &new, 10).is_empty());
        assert_eq!(to_delete(&list, &new, 1).len(), 3);
        // The clock was reset to 2000 after a power cut: the new archive sorts first but
        // is kept; the oldest of the others go.
        let mut list2 = list.clone();
        list2.insert(0, a("ishenim-backup-20000101-000100.tar"));
        let new2 = PathBuf::from("/b/ishenim-backup-20000101-000100.tar");
        let del = to_delete(&list2, &new2, 2);
        assert!(!del.contains(&new2));
        assert_eq!(del.len(), 3);
        assert!(!del.contains(&PathBuf::from("/b/ishenim-backup-20260104-023000.tar")));
    }

    #[test]
    fn listing_ignores_other_files_and_new_names_never_clash() {
        let d = tempfile::tempdir().expect("tmp");
        for n in [
            "ishenim-backup-20260102-023000-10.tar",
            "ishenim-backup-20260102-023000.tar",
            "ishenim-backup-20260102-023000-2.tar",
            "ishenim-backup-20260101-023000.tar",
            "keep-me.tar",
            "ishenim-backup-20260103-023000.tar.part",
        ] {
            std::fs::write(d.path().join(n), b"x").expect("write");
        }
        std::fs::create_dir(d.path().join("ishenim-backup-20260104-023000.tar")).expect("dir");
        let names: Vec<String> = archives(d.path())
            .expect("list")
            .iter()
            .map(|a| a.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "ishenim-backup-20260101-023000.tar",
                "ishenim-backup-20260102-023000.tar",
                "ishenim-backup-20260102-023000-2.tar",
                "ishenim-backup-20260102-023000-10.tar",
            ]
        );
        let p = new_archive_path(d.path(), t("2026-01-02 02:30:00"));
        assert!(p.ends_with("ishenim-backup-20260102-023000-1.tar"), "{p:?}");
        assert!(archives(&d.path().join("missing"))
            .expect("none")
            .is_empty());
    }
}
