//! `ishenim doctor`: is this PC fit to keep the register? One line per check, `ok`, `WARN`
//! or `FAIL`, each labelled in Kyrgyz and Russian; `--json` for scripts and monitoring.
//! Exit code: 0 all ok, 1 warnings only, 2 at least one failure.
//!
//! Checks: Tesseract and its `kir` (required), `eng` (number re-reading) and `rus`
//! (mixed-language letters) models; `OMP_THREAD_LIMIT=1` in the environment; free space in
//! the data folder; the schema version; `PRAGMA integrity_check`; the journal's hash chain;
//! every stored original present with its SHA-256; the age of the newest timestamped backup
//! in the backup folder (`--backup-dir`, else the `backup_dir` setting). Nothing is written
//! except what opening the register does (pending schema migrations run, as on any start).

use crate::cmd::backup::archives;
use crate::cmd::ctx::Global;
use chrono::NaiveDateTime;
use ishenim_store::{Store, SCHEMA_VERSION};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `ishenim doctor`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// One JSON object: overall status and every check.
    #[arg(long)]
    pub json: bool,
    /// Folder of the timestamped backups (default: the `backup_dir` setting).
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
    /// Tesseract data folder (default: the system's).
    #[arg(long, env = "TESSDATA_PREFIX")]
    pub tessdata: Option<String>,
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Fine.
    Ok,
    /// Works, but needs attention soon.
    Warn,
    /// Broken: the register is at risk or cannot work.
    Fail,
}

impl Level {
    fn word(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable id (`tesseract_kir`, `omp`, `disk`, `schema`, `integrity`, `chain`, `blobs`,
    /// `backup`).
    pub id: &'static str,
    /// Outcome.
    pub status: Level,
    /// What was checked, in Kyrgyz.
    pub label_ky: &'static str,
    /// What was checked, in Russian.
    pub label_ru: &'static str,
    /// What was found (numbers, paths; sentences in Kyrgyz / Russian).
    pub detail: String,
}

fn check(
    id: &'static str,
    (label_ky, label_ru): (&'static str, &'static str),
    status: Level,
    detail: impl Into<String>,
) -> Check {
    Check {
        id,
        status,
        label_ky,
        label_ru,
        detail: detail.into(),
    }
}

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;
/// Below this, free space is a warning.
pub const WARN_FREE: u64 = GIB;
/// Below this, free space is a failure (an ingest or a backup would not fit).
pub const FAIL_FREE: u64 = 100 * MIB;
/// A newest backup older than this (hours) is a warning (nightly backups, one missed night).
pub const WARN_BACKUP_HOURS: i64 = 48;
/// A newest backup older than this (hours) is a failure.
pub const FAIL_BACKUP_HOURS: i64 = 7 * 24;

/// Level of `free` bytes of free space.
pub fn disk_level(free: u64) -> Level {
    if free < FAIL_FREE {
        Level::Fail
    } else if free < WARN_FREE {
        Level::Warn
    } else {
        Level::Ok
    }
}

/// Level of the newest backup's age in hours (`None`: no backup found; negative: its
/// name is in the future, so this PC's clock is wrong).
pub fn backup_level(age_hours: Option<i64>) -> Level {
    match age_hours {
        None => Level::Warn,
        Some(h) if h < -1 => Level::Warn,
        Some(h) if h > FAIL_BACKUP_HOURS => Level::Fail,
        Some(h) if h > WARN_BACKUP_HOURS => Level::Warn,
        Some(_) => Level::Ok,
    }
}

/// Level of the `OMP_THREAD_LIMIT` value.
pub fn omp_level(value: Option<&str>) -> Level {
    match value.map(str::trim) {
        Some("1") => Level::Ok,
        _ => Level::Warn,
    }
}

/// Bytes available to an unprivileged user on the file system holding `path` (or its
/// nearest existing ancestor).
fn free_bytes(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let mut existing = path;
    while !existing.exists() {
        match existing.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => existing = parent,
            _ => {
                existing = Path::new(".");
                break;
            }
        }
    }
    let c_path = std::ffi::CString::new(existing.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: an all-zero `statvfs` is a valid value of this plain C struct.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c_path` is a NUL-terminated path and `st` a valid, writable struct.
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), &mut st) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    Ok((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / GIB as f64)
}

/// Where a language's model file is, when it can be told (for the report only; loading
/// the model is the real test).
fn traineddata(tessdata: Option<&str>, lang: &str) -> Option<PathBuf> {
    let file = format!("{lang}.traineddata");
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(dir) = tessdata {
        dirs.push(PathBuf::from(dir));
        dirs.push(Path::new(dir).join("tessdata"));
    }
    for d in [
        "/usr/share/tesseract-ocr/5/tessdata",
        "/usr/share/tesseract-ocr/4.00/tessdata",
        "/usr/share/tessdata",
        "/usr/local/share/tessdata",
    ] {
        dirs.push(PathBuf::from(d));
    }
    dirs.into_iter()
        .map(|d| d.join(&file))
        .find(|p| p.is_file())
}

fn tesseract_check(tessdata: Option<&str>, lang: &'static str) -> Check {
    let (id, label, missing) = match lang {
        "kir" => (
            "tesseract_kir",
            (
                "Tesseract: kir (кыргыз тили)",
                "Tesseract: kir (киргизский)",
            ),
            Level::Fail,
        ),
        "eng" => (
            "tesseract_eng",
            (
                "Tesseract: eng (сандарды кайра окуу)",
                "Tesseract: eng (перечитывание цифр)",
            ),
            Level::Warn,
        ),
        _ => (
            "tesseract_rus",
            ("Tesseract: rus (орус тили)", "Tesseract: rus (русский)"),
            Level::Warn,
        ),
    };
    match ishenim_ocr::Engine::new(tessdata, lang) {
        Ok(_) => {
            let at = traineddata(tessdata, lang)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| format!("{lang}.traineddata"));
            check(id, label, Level::Ok, at)
        }
        Err(_) => check(
            id,
            label,
            missing,
            format!("{lang}.traineddata жок / не найден: apt-get install tesseract-ocr-{lang}"),
        ),
    }
}

/// The legacy eng classifier that votes on numbers (optional: LSTM votes only without it).
fn legacy_digits_check() -> Check {
    let label = (
        "Tesseract: eng legacy (сандарды текшерүү)",
        "Tesseract: eng legacy (проверка цифр)",
    );
    let dir = ishenim_ocr::digits::legacy_model_dir();
    let loaded = dir.as_deref().and_then(|d| {
        ishenim_ocr::Engine::with_recognizer(d.to_str(), "eng", ishenim_ocr::Recognizer::Legacy)
            .ok()
    });
    match (dir, loaded) {
        (Some(d), Some(_)) => check(
            "tesseract_eng_legacy",
            label,
            Level::Ok,
            d.join("eng.traineddata").display().to_string(),
        ),
        _ => check(
            "tesseract_eng_legacy",
            label,
            Level::Warn,
            "жок / не найден: make setup (models/tessdata) же / или ISHENIM_LEGACY_TESSDATA"
                .to_string(),
        ),
    }
}

fn omp_check() -> Check {
    let value = std::env::var("OMP_THREAD_LIMIT").ok();
    let label = ("OMP_THREAD_LIMIT=1 коюлган", "OMP_THREAD_LIMIT=1 задан");
    let level = omp_level(value.as_deref());
    let detail = match (&value, level) {
        (_, Level::Ok) => "OMP_THREAD_LIMIT=1".to_string(),
        (Some(x), _) => format!(
            "OMP_THREAD_LIMIT={x}: 1 болушу керек / должно быть 1 (Tesseract жай иштейт / Tesseract работает медленно)"
        ),
        (None, _) => "коюлган эмес / не задан: Environment=OMP_THREAD_LIMIT=1".to_string(),
    };
    check("omp", label, level, detail)
}

fn disk_check(data: &Path) -> Check {
    let label = (
        "Бош орун (маалымат папкасы)",
        "Свободное место (папка данных)",
    );
    match free_bytes(data) {
        Ok(free) => {
            let level = disk_level(free);
            let detail = match level {
                Level::Ok => format!("{} бош / свободно", gib(free)),
                _ => format!(
                    "{} бош / свободно: орун бошотуңуз / освободите место (минимум {})",
                    gib(free),
                    gib(WARN_FREE)
                ),
            };
            check("disk", label, level, detail)
        }
        Err(e) => check(
            "disk",
            label,
            Level::Warn,
            format!("текшерилбеди / не проверено: {e}"),
        ),
    }
}

fn backup_check(dir: Option<&Path>, now: NaiveDateTime) -> Check {
    let label = ("Акыркы камдык көчүрмө", "Последняя резервная копия");
    let Some(dir) = dir else {
        return check(
            "backup",
            label,
            Level::Warn,
            "папка коюлган эмес / папка не задана: ishenim settings set backup_dir /var/backups/ishenim",
        );
    };
    let list = match archives(dir) {
        Ok(l) => l,
        Err(e) => {
            return check(
                "backup",
                label,
                Level::Fail,
                format!("{}: окулбады / не читается: {e}", dir.display()),
            )
        }
    };
    let Some(newest) = list.iter().max_by_key(|a| a.at) else {
        return check(
            "backup",
            label,
            backup_level(None),
            format!(
                "{}: көчүрмө жок / копий нет (ishenim backup --dir {})",
                dir.display(),
                dir.display()
            ),
        );
    };
    let hours = (now - newest.at).num_hours();
    let level = backup_level(Some(hours));
    let name = newest
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let detail = if hours < -1 {
        format!(
            "{name}: келечектен / из будущего — компьютердин сааты туурабы? / верны ли часы компьютера?"
        )
    } else {
        format!(
            "{name}: {hours} саат мурун / {hours} ч назад; {} көчүрмө / копий",
            list.len()
        )
    };
    check("backup", label, level, detail)
}

/// Checks on the register itself; the first one explains when it cannot be opened.
fn store_checks(global: &Global, backup_dir: Option<PathBuf>, now: NaiveDateTime) -> Vec<Check> {
    let schema = ("Маалымат базасынын схемасы", "Версия схемы базы данных");
    let integrity = ("Маалымат базасынын бүтүндүгү", "Целостность базы данных");
    let chain = ("Журналдын чынжыры", "Цепочка журнала");
    let blobs = ("Түп нуска файлдар", "Файлы оригиналов");
    let mut out = Vec::new();
    if !global.data.join(ishenim_store::DB_FILE).is_file() {
        out.push(check(
            "schema",
            schema,
            Level::Fail,
            format!(
                "{}: реестр жок / реестр не найден (--data DIR, ISHENIM_DATA)",
                global.data.display()
            ),
        ));
        out.push(backup_check(backup_dir.as_deref(), now));
        return out;
    }
    let store = match Store::open(&global.data) {
        Ok(s) => s,
        Err(e) => {
            out.push(check(
                "schema",
                schema,
                Level::Fail,
                format!("ачылбады / не открывается: {e}"),
            ));
            out.push(backup_check(backup_dir.as_deref(), now));
            return out;
        }
    };
    out.push(match store.schema_version() {
        Ok(v) if v == SCHEMA_VERSION => check(
            "schema",
            schema,
            Level::Ok,
            format!("{v} (бул программа / эта программа: {SCHEMA_VERSION})"),
        ),
        Ok(v) => check(
            "schema",
            schema,
            Level::Fail,
            format!("{v}, программа / программа: {SCHEMA_VERSION}"),
        ),
        Err(e) => check("schema", schema, Level::Fail, e.to_string()),
    });
    out.push(match store.integrity_check() {
        Ok(p) if p.is_empty() => check("integrity", integrity, Level::Ok, "integrity_check ok"),
        Ok(p) => check(
            "integrity",
            integrity,
            Level::Fail,
            format!(
                "{} маселе / проблем: {}; камдык көчүрмөдөн калыбына келтириңиз / восстановите из копии",
                p.len(),
                p.iter().take(3).cloned().collect::<Vec<_>>().join("; ")
            ),
        ),
        Err(e) => check("integrity", integrity, Level::Fail, e.to_string()),
    });
    out.push(match store.verify() {
        Ok(r) if r.ok => check(
            "chain",
            chain,
            Level::Ok,
            format!(
                "{} жазуу / записей; {}",
                r.rows_checked,
                r.head
                    .map(|h| format!("{} sha256 {}", h.label, h.hash))
                    .unwrap_or_else(|| "журнал бош / журнал пуст".into())
            ),
        ),
        Ok(r) => check(
            "chain",
            chain,
            Level::Fail,
            match r.first_broken {
                Some(b) => format!("үзүлгөн / нарушена: {} ({})", b.row, b.reason),
                None => "үзүлгөн / нарушена".to_string(),
            },
        ),
        Err(e) => check("chain", chain, Level::Fail, e.to_string()),
    });
    out.push(match store.check_blobs() {
        Ok(bad) if bad.is_empty() => check(
            "blobs",
            blobs,
            Level::Ok,
            "баары ордунда / все на месте (SHA-256)",
        ),
        Ok(bad) => check(
            "blobs",
            blobs,
            Level::Fail,
            format!(
                "{} жок же бузулган / отсутствуют или повреждены: file {}",
                bad.len(),
                bad.iter()
                    .take(10)
                    .map(|f| f.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Err(e) => check("blobs", blobs, Level::Fail, e.to_string()),
    });
    let dir = match backup_dir {
        Some(d) => Some(d),
        None => store.backup_dir().ok().flatten(),
    };
    out.push(backup_check(dir.as_deref(), now));
    out
}

/// Every check, in report order.
pub fn checks(args: &Args, global: &Global) -> Vec<Check> {
    let mut out = Vec::new();
    for lang in ["kir", "eng", "rus"] {
        out.push(tesseract_check(args.tessdata.as_deref(), lang));
    }
    out.push(legacy_digits_check());
    out.push(omp_check());
    out.push(disk_check(&global.data));
    out.extend(store_checks(
        global,
        args.backup_dir.clone(),
        chrono::Local::now().naive_local(),
    ));
    out
}

/// Runs the command.
pub fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let list = checks(&args, global);
    let worst = list.iter().map(|c| c.status).max().unwrap_or(Level::Ok);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let report = serde_json::json!({
            "status": worst,
            "data": global.data,
            "checks": list,
        });
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(out, "ishenim doctor: {}", global.data.display())?;
        for item in &list {
            writeln!(
                out,
                "{:<4}  {} / {}: {}",
                item.status.word(),
                item.label_ky,
                item.label_ru,
                item.detail
            )?;
        }
        let warns = list.iter().filter(|c| c.status == Level::Warn).count();
        let fails = list.iter().filter(|c| c.status == Level::Fail).count();
        writeln!(
            out,
            "{} эскертүү, {} ката / предупреждений: {}, ошибок: {}",
            warns, fails, warns, fails
        )?;
    }
    Ok(ExitCode::from(match worst {
        Level::Ok => 0,
        Level::Warn => 1,
        Level::Fail => 2,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        let cases: &[(u64, Level)] = &[
            (0, Level::Fail),
            (FAIL_FREE - 1, Level::Fail),
            (FAIL_FREE, Level::Warn),
            (WARN_FREE - 1, Level::Warn),
            (WARN_FREE, Level::Ok),
            (u64::MAX, Level::Ok),
        ];
        for (free, want) in cases {
            assert_eq!(disk_level(*free), *want, "{free}");
        }
        let cases: &[(Option<i64>, Level)] = &[
            (None, Level::Warn),
            (Some(-48), Level::Warn),
            (Some(0), Level::Ok),
            (Some(WARN_BACKUP_HOURS), Level::Ok),
            (Some(WARN_BACKUP_HOURS + 1), Level::Warn),
            (Some(FAIL_BACKUP_HOURS + 1), Level::Fail),
        ];
        for (h, want) in cases {
            assert_eq!(backup_level(*h), *want, "{h:?}");
        }
        assert_eq!(omp_level(Some("1")), Level::Ok);
        assert_eq!(omp_level(Some("4")), Level::Warn);
        assert_eq!(omp_level(None), Level::Warn);
        assert!(Level::Fail > Level::Warn && Level::Warn > Level::Ok);
    }

    #[test]
    fn free_space_of_a_missing_folder_is_its_parents() {
        let d = tempfile::tempdir().expect("tmp");
        let free = free_bytes(&d.path().join("not/yet")).expect("statvfs");
        assert!(free > 0);
    }

    #[test]
    fn backup_age_from_the_newest_name() {
        let d = tempfile::tempdir().expect("tmp");
        let now =
            NaiveDateTime::parse_from_str("2026-03-21 08:00:00", "%Y-%m-%d %H:%M:%S").expect("now");
        assert_eq!(backup_check(Some(d.path()), now).status, Level::Warn);
        std::fs::write(d.path().join("ishenim-backup-20260310-023000.tar"), b"x").expect("w");
        assert_eq!(backup_check(Some(d.path()), now).status, Level::Fail);
        std::fs::write(d.path().join("ishenim-backup-20260320-023000.tar"), b"x").expect("w");
        let c = backup_check(Some(d.path()), now);
        assert_eq!(c.status, Level::Ok, "{c:?}");
        assert!(c.detail.contains("29"), "{}", c.detail);
        std::fs::write(d.path().join("ishenim-backup-20300101-000000.tar"), b"x").expect("w");
        assert_eq!(backup_check(Some(d.path()), now).status, Level::Warn);
        assert_eq!(backup_check(None, now).status, Level::Warn);
    }
}
