//! The office scanner through SANE's `scanimage`: the devices it sees (`scanimage -L`),
//! the paper sources of one device (`scanimage -A`), and a batch scan into a work folder
//! (`scanimage --batch`), one PNG per page. `scanimage` writes each page under a `.part`
//! name and renames it when whole, so the [`crate::Inbox`] over the work folder takes
//! pages as they come, through the same store path as uploads and the scan folder.
//!
//! A jam, an empty feeder, an open cover or a missing device end the batch with a
//! [`Problem`] that has a Kyrgyz and a Russian message; pages already written are kept.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The program (tests and odd installations can point `ISHENIM_SCANIMAGE` elsewhere).
fn scanimage() -> Command {
    Command::new(std::env::var_os("ISHENIM_SCANIMAGE").unwrap_or_else(|| "scanimage".into()))
}

/// A scanner SANE can see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// SANE name (`-d NAME`), e.g. `fujitsu:fi-7160:1234`.
    pub name: String,
    /// Vendor, model and kind as SANE says them.
    pub label: String,
}

/// What went wrong with the scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Paper jam.
    Jammed,
    /// The feeder is empty (no page was scanned).
    NoPaper,
    /// The cover is open.
    CoverOpen,
    /// No such device, unplugged, or `scanimage` missing.
    NoDevice,
    /// Another program uses the scanner.
    Busy,
    /// The connection broke.
    Io,
    /// The clerk cancelled the scan (pages stored before stay).
    Cancelled,
    /// `scanimage` wrote nothing for [`ScanSettings::stall_after`] and was stopped (pages
    /// stored before stay). Scanners and their drivers do hang; a scan must not.
    Stalled,
    /// Anything else, with `scanimage`'s last line.
    Other(String),
}

impl Problem {
    /// Stable key (web message catalogue, JSON).
    pub fn key(&self) -> &'static str {
        match self {
            Problem::Jammed => "scan_jammed",
            Problem::NoPaper => "scan_no_paper",
            Problem::CoverOpen => "scan_cover_open",
            Problem::NoDevice => "scan_no_device",
            Problem::Busy => "scan_busy",
            Problem::Io => "scan_io",
            Problem::Cancelled => "scan_cancelled",
            Problem::Stalled => "scan_stalled",
            Problem::Other(_) => "scan_failed",
        }
    }

    /// Kyrgyz and Russian, for the clerk.
    pub fn message(&self) -> String {
        match self {
            Problem::Jammed => "Сканерде кагаз тыгылып калды: кагазды чыгарып, калган барактарды кайра салыңыз \
                (сканерленгендер сакталды). / Замятие бумаги: извлеките лист и вложите оставшиеся страницы \
                снова (отсканированное сохранено).".into(),
            Problem::NoPaper => "Сканердин кагаз салгычында барак жок: барактарды салып, кайра баштаңыз. / \
                В податчике сканера нет бумаги: вложите листы и начните снова.".into(),
            Problem::CoverOpen => "Сканердин капкагы ачык: жаап, кайра баштаңыз. / Крышка сканера открыта: \
                закройте её и начните снова.".into(),
            Problem::NoDevice => "Сканер табылган жок: туташтырылганын жана күйгүзүлгөнүн текшериңиз. / \
                Сканер не найден: проверьте, что он подключён и включён.".into(),
            Problem::Busy => "Сканерди башка программа колдонуп жатат. / Сканер занят другой программой.".into(),
            Problem::Io => "Сканер менен байланыш үзүлдү: кабелин текшерип, кайра баштаңыз (сканерленгендер \
                сакталды). / Связь со сканером прервалась: проверьте кабель и начните снова \
                (отсканированное сохранено).".into(),
            Problem::Cancelled => "Сканерлөө токтотулду; ага чейин сканерленген барактар сакталды. / \
                Сканирование отменено; уже отсканированные страницы сохранены.".into(),
            Problem::Stalled => "Сканер жооп бербей калды, сканерлөө токтотулду; ага чейин сканерленген барактар \
                сакталды. Сканерди өчүрүп-күйгүзүп, калган барактарды кайра салыңыз. / Сканер перестал отвечать, \
                сканирование остановлено; отсканированные страницы сохранены. Перезапустите сканер и вложите \
                оставшиеся страницы.".into(),
            Problem::Other(d) => format!("Сканерлөө ишке ашкан жок / Сканирование не удалось: {d}"),
        }
    }

    /// Reads `scanimage`'s messages. `pages` is how many pages the batch produced: an
    /// empty feeder after some pages is the normal end of a feeder batch.
    pub fn classify(stderr: &str, success: bool, pages: usize) -> Option<Problem> {
        let s = stderr.to_lowercase();
        if s.contains("jammed") {
            return Some(Problem::Jammed);
        }
        if s.contains("cover is open") {
            return Some(Problem::CoverOpen);
        }
        if s.contains("out of documents") || s.contains("no documents") {
            return (pages == 0).then_some(Problem::NoPaper);
        }
        if s.contains("open of device") || s.contains("no sane devices") {
            return Some(Problem::NoDevice);
        }
        if s.contains("device busy") {
            return Some(Problem::Busy);
        }
        if s.contains("error during device i/o") {
            return Some(Problem::Io);
        }
        if success {
            return None;
        }
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty() && !l.starts_with("Scann"))
            .unwrap_or("scanimage failed");
        Some(Problem::Other(last.trim().chars().take(200).collect()))
    }
}

/// Devices `scanimage -L` lists (empty when none; `Err` when `scanimage` cannot run).
pub fn devices() -> Result<Vec<Device>, Problem> {
    let out = scanimage()
        .args(["-f", "%d\t%v %m (%t)%n", "-L"])
        .stdin(Stdio::null())
        .output()
        .map_err(|_| Problem::NoDevice)?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (name, label) = l.split_once('\t')?;
            Some(Device {
                name: name.trim().to_string(),
                label: label.trim().to_string(),
            })
        })
        .collect())
}

/// The paper sources of a device (`--source A|B|C`), empty when it has no choice.
pub fn sources(device: &str) -> Result<Vec<String>, Problem> {
    let out = scanimage()
        .args(["-d", device, "-A"])
        .stdin(Stdio::null())
        .output()
        .map_err(|_| Problem::NoDevice)?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(Problem::classify(&err, false, 0).unwrap_or(Problem::NoDevice));
    }
    Ok(parse_sources(&String::from_utf8_lossy(&out.stdout)))
}

fn parse_sources(help: &str) -> Vec<String> {
    help.lines()
        .find_map(|l| l.trim().strip_prefix("--source "))
        .map(|rest| {
            let list = rest.split(" [").next().unwrap_or(rest);
            list.split('|').map(|s| s.trim().to_string()).collect()
        })
        .unwrap_or_default()
}

/// The source to use when the setting says `auto`: duplex feeder, else feeder, else the
/// device's default (flatbed).
pub fn pick_source(sources: &[String]) -> Option<String> {
    let has = |words: &[&str]| {
        sources
            .iter()
            .find(|s| words.iter().any(|w| s.to_lowercase().contains(w)))
            .cloned()
    };
    has(&["duplex"]).or_else(|| has(&["adf", "feeder", "automatic"]))
}

/// Is this source a feeder (several pages per batch)? A flatbed gives one page.
pub fn is_feeder(source: Option<&str>) -> bool {
    source.is_some_and(|s| {
        let s = s.to_lowercase();
        ["adf", "feeder", "automatic", "duplex"]
            .iter()
            .any(|w| s.contains(w))
    })
}

/// What to scan with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanSettings {
    /// SANE device name.
    pub device: String,
    /// Paper source (`None`: the device's default).
    pub source: Option<String>,
    /// Colour mode (`Gray`, `Color`, …; `None`: the device's default).
    pub mode: Option<String>,
    /// Dots per inch.
    pub resolution: u32,
    /// How long `scanimage` may write nothing before the scan is taken for hung and stopped.
    pub stall_after: Duration,
}

/// [`ScanSettings::stall_after`] unless `ISHENIM_SCAN_STALL_SECS` says otherwise: a slow
/// flatbed page at 600 dpi in colour takes about a minute, and a lamp warms up in half of
/// one; three minutes of nothing is a hung scanner or driver.
pub fn stall_after() -> Duration {
    let secs = std::env::var("ISHENIM_SCAN_STALL_SECS")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|&s| s > 0)
        .unwrap_or(180);
    Duration::from_secs(secs)
}

/// A running `scanimage --batch`.
pub struct Batch {
    child: Child,
    dir: PathBuf,
    prefix: String,
}

/// How a batch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Pages written by this batch.
    pub pages: usize,
    /// What went wrong, if anything.
    pub problem: Option<Problem>,
}

impl Batch {
    /// Starts scanning into `dir` (pages `PREFIX-p0001.png`, …).
    pub fn start(s: &ScanSettings, dir: &Path, prefix: &str) -> Result<Batch, Problem> {
        std::fs::create_dir_all(dir).map_err(|e| Problem::Other(e.to_string()))?;
        let mut c = scanimage();
        c.arg("-d").arg(&s.device).arg("--format=png");
        c.arg(format!("--batch={}/{prefix}-p%04d.png", dir.display()));
        if let Some(src) = &s.source {
            c.arg("--source").arg(src);
        }
        if !is_feeder(s.source.as_deref()) {
            c.arg("--batch-count=1");
        }
        if let Some(m) = &s.mode {
            c.arg("--mode").arg(m);
        }
        c.arg("--resolution").arg(s.resolution.to_string());
        // A process group of its own, so that a cancel reaches scanimage and anything a
        // wrapper (`ISHENIM_SCANIMAGE`) started.
        // Being out of the terminal's group, scanimage would not get a Ctrl-C of the CLI:
        // it gets SIGTERM when the thread that started it (which waits for it) dies.
        c.process_group(0);
        // SAFETY: only prctl(2) runs between fork and exec (async-signal-safe).
        unsafe {
            c.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let child = c
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|_| Problem::NoDevice)?;
        Ok(Batch {
            child,
            dir: dir.to_path_buf(),
            prefix: prefix.to_string(),
        })
    }

    /// What this batch has written so far: the number of its files and their bytes. A
    /// page being scanned grows its `.part` file, so any change is progress.
    pub fn written(&self) -> (usize, u64) {
        let Ok(d) = std::fs::read_dir(&self.dir) else {
            return (0, 0);
        };
        d.flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(&self.prefix))
            .fold((0, 0), |(n, bytes), e| {
                (n + 1, bytes + e.metadata().map(|m| m.len()).unwrap_or(0))
            })
    }

    /// True once `scanimage` has ended.
    pub fn finished(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// Stops the scan: SIGTERM to scanimage's process group (scanimage then cancels the
    /// device, which lets a feeder eject the sheet), SIGKILL to the group if it is still
    /// there after `grace`. The page being written stays a `.part` file and is removed;
    /// whole pages already in the folder are left for the caller to store.
    pub fn cancel(&mut self, grace: Duration) {
        let Ok(pid) = i32::try_from(self.child.id()) else {
            return;
        };
        signal_group(pid, libc::SIGTERM);
        let t = Instant::now();
        while !self.finished() && t.elapsed() < grace {
            std::thread::sleep(Duration::from_millis(20));
        }
        // The group may outlive its leader (a wrapper's children): kill what is left.
        signal_group(pid, libc::SIGKILL);
        let _ = self.child.wait();
        if let Ok(d) = std::fs::read_dir(&self.dir) {
            for e in d.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.starts_with(&self.prefix) && !n.ends_with(".png") {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }

    /// Waits for the end and says how it went. `taken` is how many pages of this batch
    /// were already moved out of the folder.
    pub fn wait(mut self, taken: usize) -> Outcome {
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        let ok = self.child.wait().is_ok_and(|s| s.success());
        let left = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.flatten()
                    .filter(|e| {
                        let n = e.file_name().to_string_lossy().into_owned();
                        n.starts_with(&self.prefix) && n.ends_with(".png")
                    })
                    .count()
            })
            .unwrap_or(0);
        let pages = taken + left;
        Outcome {
            pages,
            problem: Problem::classify(&err, ok, pages),
        }
    }
}

/// Sends `sig` to the process group `pgid` (an error only means it is gone already).
fn signal_group(pgid: i32, sig: i32) {
    // SAFETY: kill(2) with a negative pid only sends a signal; no memory is involved.
    unsafe {
        libc::kill(-pgid, sig);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanimage_messages_become_problems() {
        let jam = "Scanning page 1\nscanimage: sane_read: Document feeder jammed\n";
        assert_eq!(Problem::classify(jam, false, 3), Some(Problem::Jammed));
        let end = "scanimage: sane_start: Document feeder out of documents\n";
        assert_eq!(Problem::classify(end, true, 10), None, "normal end");
        assert_eq!(Problem::classify(end, false, 0), Some(Problem::NoPaper));
        let gone = "scanimage: open of device x:1 failed: Invalid argument\n";
        assert_eq!(Problem::classify(gone, false, 0), Some(Problem::NoDevice));
        assert!(Problem::NoDevice.message().contains("Сканер не найден"));
    }

    #[test]
    fn sources_are_read_and_feeders_preferred() {
        let help = "    --source Flatbed|Automatic Document Feeder [Flatbed]\n";
        let s = parse_sources(help);
        assert_eq!(s, vec!["Flatbed", "Automatic Document Feeder"]);
        assert_eq!(
            pick_source(&s).as_deref(),
            Some("Automatic Document Feeder")
        );
        let d = vec!["Flatbed".into(), "ADF Front".into(), "ADF Duplex".into()];
        assert_eq!(pick_source(&d).as_deref(), Some("ADF Duplex"));
        assert_eq!(pick_source(&["Flatbed".into()]), None);
        assert!(!is_feeder(Some("Flatbed")) && is_feeder(Some("ADF Duplex")));
    }
}
