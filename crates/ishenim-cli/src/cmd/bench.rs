//! `ishenim bench CORPUS...`: raw `tesseract -l kir` against `ishenim scan` on the same
//! pages, with wall time, peak memory and accuracy per degradation level.

use crate::inputs;
use crate::score::{lost_lines, score_page, Score};
use anyhow::{bail, Context};
use ishenim_intake::Limits;
use ishenim_ocr::Lexicon;
use ishenim_scan::{run_batch, BatchEvent, BatchOptions};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Flags of `ishenim bench`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Corpus folders made by make_corpus.py / make_hard.py (each with truth.jsonl).
    #[arg(required = true)]
    pub corpora: Vec<PathBuf>,
    /// Parallel pages for both contenders.
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// Where to write both outputs and bench.json.
    #[arg(long, default_value = "bench-out")]
    pub out: PathBuf,
    /// Skip the raw Tesseract run (accuracy of ishenim only).
    #[arg(long)]
    pub no_raw: bool,
}

struct Page {
    key: String,
    path: PathBuf,
    level: String,
    blank: bool,
    turned: u32,
    text: String,
}

#[derive(Default)]
struct Outcome {
    text: String,
    blank: bool,
    rotation: u32,
    /// Regions the reader said it could not read (`PageRecord::unread`; 0 for raw).
    unread: u32,
    /// Time spent on this page in milliseconds (ishenim: the sum of its step timings; raw:
    /// the wall time of its `tesseract` process), for time ratios per kind.
    ms: u64,
    /// Ishenim's step timings of this page (empty for raw), to show where the time goes.
    steps: BTreeMap<String, u64>,
    /// CPU time (user + system, ms) spent on this page: the raw `tesseract` process's own;
    /// for ishenim the process's CPU time since the previous page (with `--jobs 1` the
    /// page's, give or take the next page's decoding, which runs ahead). Unlike wall time
    /// it does not grow when other work shares the machine.
    cpu_ms: u64,
}

fn load(corpora: &[PathBuf]) -> anyhow::Result<Vec<Page>> {
    let mut pages = Vec::new();
    for (ci, dir) in corpora.iter().enumerate() {
        let truth = dir.join("truth.jsonl");
        let body = std::fs::read_to_string(&truth)
            .with_context(|| format!("reading {}", truth.display()))?;
        for line in body.lines().filter(|l| !l.trim().is_empty()) {
            let truth_line: Value = serde_json::from_str(line)
                .with_context(|| format!("bad line in {}", truth.display()))?;
            let field = |k: &str| {
                truth_line
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let id = field("id");
            pages.push(Page {
                key: format!("{ci}/{id}"),
                path: dir.join(field("file")),
                level: field("level"),
                blank: truth_line
                    .get("blank")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                turned: truth_line
                    .get("turned")
                    .and_then(Value::as_u64)
                    .unwrap_or(0) as u32,
                text: field("text"),
            });
        }
    }
    if pages.is_empty() {
        bail!("no pages in the corpora");
    }
    Ok(pages)
}

/// The 1, 5 and 15 minute load averages (Linux), or an empty string.
fn load_avg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// User + system CPU time of `who` (`RUSAGE_SELF`), ms.
fn cpu_ms(who: i32) -> u64 {
    // SAFETY: getrusage writes into the struct we pass.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(who, &mut ru) == 0 {
            tv_ms(&ru.ru_utime) + tv_ms(&ru.ru_stime)
        } else {
            0
        }
    }
}

fn tv_ms(t: &libc::timeval) -> u64 {
    t.tv_sec as u64 * 1000 + t.tv_usec as u64 / 1000
}

/// Runs `cmd` to its end: success and the child's own CPU time (ms), from `wait4`.
fn run_timed(cmd: &mut Command) -> (bool, u64) {
    let Ok(child) = cmd.spawn() else {
        return (false, 0);
    };
    // SAFETY: wait4 on our own child's pid, writing into the structs we pass; the child
    // is reaped here, and `Child` never waits on drop.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        let mut status: libc::c_int = 0;
        let pid = child.id() as libc::pid_t;
        if libc::wait4(pid, &mut status, 0, &mut ru) != pid {
            return (false, 0);
        }
        let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
        (ok, tv_ms(&ru.ru_utime) + tv_ms(&ru.ru_stime))
    }
}

fn max_rss_kib(who: i32) -> u64 {
    // SAFETY: getrusage writes into the struct we pass.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(who, &mut ru) == 0 {
            ru.ru_maxrss as u64
        } else {
            0
        }
    }
}

fn run_ishenim(pages: &[Page], jobs: usize) -> anyhow::Result<HashMap<String, Outcome>> {
    let by_path: HashMap<String, String> = pages
        .iter()
        .map(|p| (p.path.display().to_string(), p.key.clone()))
        .collect();
    let files: Vec<PathBuf> = pages.iter().map(|p| p.path.clone()).collect();
    let opts = BatchOptions {
        jobs,
        ..BatchOptions::default()
    };
    let lex = Lexicon::kyrgyz();
    let mut out = HashMap::new();
    let mut last_cpu = cpu_ms(libc::RUSAGE_SELF);
    run_batch(
        inputs::reader(files, Limits::default().max_bytes),
        &opts,
        &lex,
        |ev| {
            if let BatchEvent::Page(scanned) = ev {
                let now = cpu_ms(libc::RUSAGE_SELF);
                let cpu = now.saturating_sub(last_cpu);
                last_cpu = now;
                if let Some(key) = by_path.get(&scanned.file) {
                    out.insert(
                        key.clone(),
                        Outcome {
                            text: scanned.text.clone(),
                            blank: scanned.blank,
                            rotation: scanned.rotation,
                            unread: scanned.unread.len() as u32,
                            ms: scanned.timings_ms.values().sum(),
                            steps: scanned.timings_ms.clone(),
                            cpu_ms: cpu,
                        },
                    );
                }
            }
        },
    )?;
    Ok(out)
}

fn run_raw(pages: &[Page], jobs: usize, dir: &Path) -> anyhow::Result<HashMap<String, Outcome>> {
    std::fs::create_dir_all(dir)?;
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let times: Vec<std::sync::atomic::AtomicU64> = pages
        .iter()
        .map(|_| std::sync::atomic::AtomicU64::new(0))
        .collect();
    let cpus: Vec<std::sync::atomic::AtomicU64> = pages
        .iter()
        .map(|_| std::sync::atomic::AtomicU64::new(0))
        .collect();
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(page) = pages.get(i) else { break };
                let base = dir.join(page.key.replace('/', "_"));
                let started = Instant::now();
                let (ok, cpu) = run_timed(
                    Command::new("tesseract")
                        .arg(&page.path)
                        .arg(&base)
                        .args(["-l", "kir"])
                        .env("OMP_THREAD_LIMIT", "1")
                        .stdout(Stdio::null())
                        .stderr(Stdio::null()),
                );
                times[i].store(started.elapsed().as_millis() as u64, Ordering::SeqCst);
                cpus[i].store(cpu, Ordering::SeqCst);
                if !ok {
                    failed.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
    });
    if failed.load(Ordering::SeqCst) == pages.len() {
        bail!("tesseract failed on every page (is tesseract-ocr-kir installed?)");
    }
    Ok(pages
        .iter()
        .zip(times.iter().zip(&cpus))
        .map(|(page, (ms, cpu))| {
            let text_file = dir.join(format!("{}.txt", page.key.replace('/', "_")));
            let text = std::fs::read_to_string(text_file).unwrap_or_default();
            (
                page.key.clone(),
                Outcome {
                    blank: text.trim().is_empty(),
                    text,
                    rotation: 0,
                    unread: 0,
                    ms: ms.load(Ordering::SeqCst),
                    steps: BTreeMap::new(),
                    cpu_ms: cpu.load(Ordering::SeqCst),
                },
            )
        })
        .collect())
}

/// Lines and time of one kind of page.
#[derive(Default, Clone, Copy)]
struct Extra {
    /// Truth lines with no counterpart in the output.
    lost: u32,
    /// Lost lines beyond the unread regions of their page (`max(0, lost - unread)` per
    /// page): lines lost without the reader saying so, at best.
    silent: u32,
    /// Truth lines counted.
    lines: u32,
    /// Unread regions reported.
    unread: u32,
    /// Summed page time, ms.
    ms: u64,
    /// Summed CPU time, ms (see [`Outcome::cpu_ms`]).
    cpu: u64,
}

impl Extra {
    fn add(&mut self, o: &Extra) {
        self.lost += o.lost;
        self.silent += o.silent;
        self.lines += o.lines;
        self.unread += o.unread;
        self.ms += o.ms;
        self.cpu += o.cpu;
    }
}

struct Report {
    by_level: BTreeMap<String, Score>,
    all: Score,
    extra: BTreeMap<String, Extra>,
    extra_all: Extra,
    /// Summed step timings (ms) of the text pages of each kind.
    steps: BTreeMap<String, BTreeMap<String, u64>>,
    blank_tp: u32,
    blank_fp: u32,
    blank_fn: u32,
    turned_ok: u32,
    turned_total: u32,
}

fn evaluate(pages: &[Page], got: &HashMap<String, Outcome>) -> Report {
    let mut report = Report {
        by_level: BTreeMap::new(),
        all: Score::default(),
        extra: BTreeMap::new(),
        extra_all: Extra::default(),
        steps: BTreeMap::new(),
        blank_tp: 0,
        blank_fp: 0,
        blank_fn: 0,
        turned_ok: 0,
        turned_total: 0,
    };
    let empty = Outcome::default();
    for truth in pages {
        let outcome = got.get(&truth.key).unwrap_or(&empty);
        match (truth.blank, outcome.blank) {
            (true, true) => report.blank_tp += 1,
            (false, true) => report.blank_fp += 1,
            (true, false) => report.blank_fn += 1,
            _ => {}
        }
        if truth.blank {
            continue;
        }
        if truth.turned != 0 {
            report.turned_total += 1;
            if outcome.rotation == truth.turned {
                report.turned_ok += 1;
            }
        }
        let score = score_page(&truth.text, &outcome.text);
        report
            .by_level
            .entry(truth.level.clone())
            .or_default()
            .add(&score);
        report.all.add(&score);
        let (lost, lines) = lost_lines(&truth.text, &outcome.text);
        let extra = Extra {
            lost,
            silent: lost.saturating_sub(outcome.unread),
            lines,
            unread: outcome.unread,
            ms: outcome.ms,
            cpu: outcome.cpu_ms,
        };
        report
            .extra
            .entry(truth.level.clone())
            .or_default()
            .add(&extra);
        report.extra_all.add(&extra);
        let kind = report.steps.entry(truth.level.clone()).or_default();
        for (k, v) in &outcome.steps {
            *kind.entry(k.clone()).or_default() += v;
        }
    }
    report
}

/// Where ishenim's time goes, per kind: each step's share of raw Tesseract's time on the
/// same pages (the steps add up to the kind's time ratio).
fn print_steps(ro: &Report, rr: Option<&Report>) {
    println!("step timings per kind, as a share of raw tesseract's time (ms/page in brackets):");
    for (kind, steps) in &ro.steps {
        let pages = ro.by_level.get(kind).map_or(1, |s| s.pages.max(1));
        let raw = rr.and_then(|r| r.extra.get(kind)).map_or(0, |e| e.ms);
        let mut parts: Vec<String> = Vec::new();
        let mut sorted: Vec<(&String, &u64)> = steps.iter().collect();
        sorted.sort_by(|a, b| b.1.cmp(a.1));
        for (k, v) in sorted {
            let share = if raw > 0 {
                format!("{:.2}", *v as f64 / raw as f64)
            } else {
                "-".into()
            };
            parts.push(format!("{k} {share} ({})", v / pages));
        }
        println!(
            "  {kind:<12} raw {} ms/page: {}",
            raw / pages,
            parts.join(", ")
        );
    }
}

fn level_json(s: &Score) -> Value {
    serde_json::json!({"pages": s.pages, "cer": s.cer(), "wer": s.wer(), "kyletters": s.ky_recall()})
}

fn extra_json(o: &Extra, r: Option<&Extra>) -> Value {
    serde_json::json!({
        "lines": o.lines, "lost": o.lost, "lost_silent": o.silent, "unread": o.unread,
        "raw_lost": r.map(|r| r.lost), "ishenim_page_ms": o.ms, "raw_page_ms": r.map(|r| r.ms),
        "time_ratio": r.filter(|r| r.ms > 0).map(|r| o.ms as f64 / r.ms as f64),
        "ishenim_cpu_ms": o.cpu, "raw_cpu_ms": r.map(|r| r.cpu),
        "cpu_ratio": r.filter(|r| r.cpu > 0).map(|r| o.cpu as f64 / r.cpu as f64),
    })
}

/// Per page: ishenim's steps and raw Tesseract's time (`timings.jsonl` in `out`), to find
/// the slow pages.
fn write_timings(
    pages: &[Page],
    ours: &HashMap<String, Outcome>,
    raw: Option<&HashMap<String, Outcome>>,
    out: &Path,
) -> anyhow::Result<()> {
    let mut timing_lines = String::new();
    for page in pages {
        let ours_page = ours.get(&page.key);
        let raw_page = raw.and_then(|r| r.get(&page.key));
        let row = serde_json::json!({
            "page": page.key, "kind": page.level, "ishenim_ms": ours_page.map(|o| o.ms),
            "raw_ms": raw_page.map(|r| r.ms), "steps": ours_page.map(|o| &o.steps),
            "ishenim_cpu_ms": ours_page.map(|o| o.cpu_ms), "raw_cpu_ms": raw_page.map(|r| r.cpu_ms),
        });
        timing_lines.push_str(&row.to_string());
        timing_lines.push('\n');
    }
    std::fs::write(out.join("timings.jsonl"), timing_lines)?;
    Ok(())
}

/// Prints the accuracy table and the lines table, one row a level and `all`; returns the
/// levels in the order printed.
fn print_tables<'a>(ro: &'a Report, rr: Option<&Report>) -> Vec<&'a String> {
    println!(
        "{:<12} {:>5} | {:>8} {:>8} {:>9} | {:>8} {:>8} {:>9}",
        "level", "pages", "raw CER", "raw WER", "raw өүң", "CER", "WER", "өүң"
    );
    let mut levels: Vec<&String> = ro.by_level.keys().collect();
    levels.sort();
    let line = |name: &str, o: &Score, r: Option<&Score>| {
        let (rc, rw, rk) = r
            .map(|s| {
                (
                    format!("{:.2}%", s.cer()),
                    format!("{:.2}%", s.wer()),
                    format!("{:.2}%", s.ky_recall()),
                )
            })
            .unwrap_or_default();
        println!(
            "{:<12} {:>5} | {:>8} {:>8} {:>9} | {:>7.2}% {:>7.2}% {:>8.2}%",
            name,
            o.pages,
            rc,
            rw,
            rk,
            o.cer(),
            o.wer(),
            o.ky_recall()
        );
    };
    for l in &levels {
        line(l, &ro.by_level[*l], rr.and_then(|r| r.by_level.get(*l)));
    }
    line("all", &ro.all, rr.map(|r| &r.all));
    println!(
        "{:<12} {:>6} | {:>9} | {:>9} {:>7} {:>7} | {:>10} {:>9}",
        "level", "lines", "raw lost", "lost", "silent", "unread", "time ratio", "cpu ratio"
    );
    let none = Extra::default();
    let lines_row = |name: &str, o: &Extra, r: Option<&Extra>| {
        let r = r.unwrap_or(&none);
        let ratio = if r.ms > 0 {
            format!("{:.2}", o.ms as f64 / r.ms as f64)
        } else {
            String::new()
        };
        let cpu = if r.cpu > 0 {
            format!("{:.2}", o.cpu as f64 / r.cpu as f64)
        } else {
            String::new()
        };
        println!(
            "{:<12} {:>6} | {:>9} | {:>9} {:>7} {:>7} | {:>10} {:>9}",
            name, o.lines, r.lost, o.lost, o.silent, o.unread, ratio, cpu
        );
    };
    for l in &levels {
        lines_row(l, &ro.extra[*l], rr.and_then(|r| r.extra.get(*l)));
    }
    lines_row("all", &ro.extra_all, rr.map(|r| &r.extra_all));
    levels
}

/// `bench.json`: every figure printed, by level. `ours` is ishenim's wall seconds and
/// peak RSS (KiB); `raw` raw Tesseract's results, wall seconds and peak RSS.
fn summary_json(
    pages: &[Page],
    levels: &[&String],
    ro: &Report,
    rr: Option<&Report>,
    (ours_s, ours_rss): (f64, u64),
    raw: &Option<(HashMap<String, Outcome>, f64, u64)>,
) -> Value {
    let mut by_level = serde_json::Map::new();
    for l in levels {
        by_level.insert(
            (*l).clone(),
            serde_json::json!({
                "ishenim": level_json(&ro.by_level[*l]),
                "raw": rr.and_then(|r| r.by_level.get(*l)).map(level_json),
                "lines": extra_json(&ro.extra[*l], rr.and_then(|r| r.extra.get(*l))),
            }),
        );
    }
    serde_json::json!({
        "pages": pages.len(),
        "levels": by_level,
        "all": {"ishenim": level_json(&ro.all), "raw": rr.map(|r| level_json(&r.all)),
                "lines": extra_json(&ro.extra_all, rr.map(|r| &r.extra_all))},
        "blank": {"found": ro.blank_tp, "missed": ro.blank_fn, "false": ro.blank_fp},
        "turned": {"ok": ro.turned_ok, "total": ro.turned_total},
        "ishenim_s": ours_s, "ishenim_rss_mib": ours_rss / 1024,
        "raw_s": raw.as_ref().map(|r| r.1), "raw_rss_mib": raw.as_ref().map(|r| r.2 / 1024),
    })
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let pages = load(&args.corpora)?;
    std::fs::create_dir_all(&args.out)?;
    // The machine may be shared: the load says how far wall times can be trusted.
    let load_start = load_avg();
    let ocr_pages = pages.iter().filter(|p| !p.blank).count();
    eprintln!(
        "{} pages ({} with text) in {} corpora; jobs={}",
        pages.len(),
        ocr_pages,
        args.corpora.len(),
        args.jobs
    );

    // Raw Tesseract first: a child forked later would inherit (and report) our own memory.
    let raw = if args.no_raw {
        None
    } else {
        let started = Instant::now();
        let raw_pages = run_raw(&pages, args.jobs, &args.out.join("raw"))?;
        Some((
            raw_pages,
            started.elapsed().as_secs_f64(),
            max_rss_kib(libc::RUSAGE_CHILDREN),
        ))
    };

    let started = Instant::now();
    let ours = run_ishenim(&pages, args.jobs)?;
    let ours_s = started.elapsed().as_secs_f64();
    let ours_rss = max_rss_kib(libc::RUSAGE_SELF);
    let ours_dir = args.out.join("ishenim");
    std::fs::create_dir_all(&ours_dir)?;
    for (k, o) in &ours {
        std::fs::write(
            ours_dir.join(format!("{}.txt", k.replace('/', "_"))),
            &o.text,
        )?;
    }

    write_timings(&pages, &ours, raw.as_ref().map(|r| &r.0), &args.out)?;
    let ro = evaluate(&pages, &ours);
    let rr = raw.as_ref().map(|(r, _, _)| evaluate(&pages, r));
    let levels = print_tables(&ro, rr.as_ref());
    print_steps(&ro, rr.as_ref());
    println!(
        "blank pages: {} found, {} missed, {} false blanks; turned pages upright: {}/{}",
        ro.blank_tp, ro.blank_fn, ro.blank_fp, ro.turned_ok, ro.turned_total
    );
    println!(
        "ishenim: {:.1} s wall, {:.2} s/page, peak RSS {} MiB",
        ours_s,
        ours_s / pages.len() as f64,
        ours_rss / 1024
    );
    if let Some((_, raw_s, raw_rss)) = &raw {
        println!(
            "raw tesseract: {:.1} s wall, {:.2} s/page, peak RSS {} MiB (largest process)",
            raw_s,
            raw_s / pages.len() as f64,
            raw_rss / 1024
        );
        println!("time ratio ishenim/raw: {:.2}", ours_s / raw_s);
    }
    println!(
        "load average at start: {load_start}, at the end: {}",
        load_avg()
    );
    let summary = summary_json(&pages, &levels, &ro, rr.as_ref(), (ours_s, ours_rss), &raw);
    std::fs::write(
        args.out.join("bench.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    Ok(ExitCode::SUCCESS)
}
