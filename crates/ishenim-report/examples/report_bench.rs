//! Benchmark: time to build the half-year report on a register of 100,000 appeals.
//!
//! ```text
//! cargo run --release -p ishenim-report --example report_bench [-- --entries N] [--dir DIR] [--runs R] [--write OUTDIR]
//! ```
//!
//! Builds its own register through the store's public API — weekly box openings (one
//! scanned batch file each), one page and one draft per letter, then one
//! `approve_draft_at` per letter with registration dates spread over the working days of
//! 2026, then follow-up events (assignments, replies with dates before or after the
//! deadline, measures for corruption cases, a few closures and redirections). Letters vary:
//! 11 categories with a skewed spread, 14 villages written in Kyrgyz and Russian forms with
//! OCR-like spelling variants, missing and junk addresses, ~15 % anonymous, ~8 % corruption,
//! officials with spelling variants, page texts of 600–1,800 characters.
//!
//! `approve_drafts` (the bulk call) stamps every entry with the current time, which would
//! put the whole year in one month, so the dated single approval is used. With
//! `synchronous=FULL` each of the ~250,000 transactions fsyncs; the register is therefore
//! built on tmpfs (`/dev/shm`) when it exists (`--dir` to choose; an existing register there
//! is reused), which makes the fsyncs free without changing the SQL the report runs.
//!
//! Prints the build time of the register, then `Report::build` for 2026H1 and 2026H2
//! (min and median of `--runs`, default 5), its parts, and the rendering times; `--write`
//! saves the rendered HTML (Kyrgyz), CSV (Russian) and XLSX of each half for a look.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, Weekday};
use ishenim_page::PageRecord;
use ishenim_report::{HalfYear, Lang, Report, ReportOptions};
use ishenim_store::{ApprovedFields, DraftScope, EntryStatus, NewDraft, NewOpening, Store};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 1_000_000) as f64 / 1_000_000.0 < p
    }
    fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())]
    }
}

const CATEGORIES: &[(&str, u32)] = &[
    ("land", 26),
    ("water", 14),
    ("roads", 12),
    ("utilities", 11),
    ("social_aid", 10),
    ("education", 6),
    ("health", 5),
    ("documents", 6),
    ("staff_conduct", 4),
    ("other", 5),
    ("pasture", 1),
];

const VILLAGES: &[&str] = &[
    "Манас",
    "Ак-Суу",
    "Көк-Жар",
    "Кара-Суу",
    "Жаңы-Жер",
    "Беш-Күнгөй",
    "Талды-Булак",
    "Кызыл-Туу",
    "Чоң-Таш",
    "Ортосай",
    "Байтик",
    "Арашан",
    "Таш-Дөбө",
    "Орто-Алыш",
];

const STREETS: &[&str] = &["Ленин", "Токтогул", "Манас", "Достук", "Жибек Жолу", "Мира"];

const OFFICIALS: &[&[&str]] = &[
    &["Осмонов Б.", "Осмонов Б.", "осмонов б."],
    &["Асанова А.", "Асанова А.", "Асанова  А."],
    &["Токтогулов Н."],
    &["Бейшеналиева Г.", "Бейшеналиева Г"],
    &["Жумабаев К."],
    &["Сариева Ж."],
];

const OPENINGS: &[&str] = &[
    "Урматтуу айыл өкмөтүнүн башчысы!",
    "Мен сизге төмөнкү маселе боюнча кайрылып жатам.",
    "Айылыбыздын тургундары атынан кайрылабыз.",
    "Главе айыл окмоту от жителя села.",
];

const BODIES: &[&str] = &[
    "Жер тилкесин каттоо үчүн бир нече жолу кайрылдым, бирок жооп ала элекмин.",
    "Ичүүчү суу түтүгү эки жумадан бери бузук, тургундар суусуз калды.",
    "Көчөдөгү жол оңдолбой, жаан жааганда балдар мектепке бара албай калышат.",
    "Электр жарыгы күн сайын өчүп, трансформатор эскирип калды.",
    "Социалдык жардам тизмесине киргизүү үчүн документтерди тапшырдым.",
    "Бала бакчага орун берилбей жатат, кезекте бир жылдан бери турабыз.",
    "Фельдшердик пунктта дарыгер жок, дары-дармек жетишсиз.",
    "Маалымкат алуу үчүн кызматкер акча талап кылды, бул пара деп эсептейм.",
    "Жайыт бөлүштүрүүдө тууганчылык болду, кызматкер өз тууганына берди.",
    "Прошу разобраться с выделением земельного участка, документы поданы год назад.",
    "Сотрудник айыл окмоту потребовал деньги за справку, считаю это взяткой.",
    "Просим отремонтировать мост через канал, проезд опасен.",
];

fn category(rng: &mut Rng) -> &'static str {
    let total: u32 = CATEGORIES.iter().map(|c| c.1).sum();
    let mut x = rng.below(total as usize) as u32;
    for (k, w) in CATEGORIES {
        if x < *w {
            return k;
        }
        x -= w;
    }
    "other"
}

fn address(rng: &mut Rng) -> Option<String> {
    let r = rng.below(100);
    if r < 5 {
        return None;
    }
    if r < 7 {
        return Some(
            rng.pick(&["5-үй", "Ленин көчөсү", "~~ ,,", "үйүм жанында"])
                .to_string(),
        );
    }
    // Zipf-like: village i with weight 1/(i+1).
    let weights: Vec<f64> = (0..VILLAGES.len())
        .map(|i| 1.0 / (i as f64 + 1.0))
        .collect();
    let sum: f64 = weights.iter().sum();
    let mut x = (rng.next() % 1_000_000) as f64 / 1_000_000.0 * sum;
    let mut v = VILLAGES[0];
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            v = VILLAGES[i];
            break;
        }
        x -= w;
    }
    let mut name = v.to_string();
    if rng.chance(0.1) {
        // OCR or a Russian keyboard drops the Kyrgyz letters.
        name = name.replace('ө', "о").replace('ү', "у").replace('ң', "н");
    }
    let street = rng.pick(STREETS);
    let house = 1 + rng.below(150);
    Some(match rng.below(4) {
        0 | 1 => format!("{name} айылы, {street} көчөсү, {house}-үй"),
        2 => format!("с. {name}, ул. {street}, д. {house}"),
        _ => format!("{name} а., {street} {house}"),
    })
}

fn letter_text(rng: &mut Rng) -> String {
    let mut t = String::from(rng.pick(OPENINGS));
    let target = 600 + rng.below(1200);
    while t.chars().count() < target {
        t.push('\n');
        t.push_str(rng.pick(BODIES));
    }
    t
}

fn page(n: u32, text: String) -> PageRecord {
    PageRecord {
        file: "batch.pdf".into(),
        page: n,
        stem: format!("batch-{n}"),
        blank: false,
        rotation: 0,
        skew_deg: 0.0,
        dpi: 300,
        lang: "kir".into(),
        mean_conf: 88.0,
        text,
        words: Vec::new(),
        timings_ms: Default::default(),
        size: [2480, 3508],
        warnings: Vec::new(),
        unread: Vec::new(),
        qr: Vec::new(),
    }
}

fn working_days(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut v = Vec::new();
    let mut d = from;
    while d <= to {
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            v.push(d);
        }
        d = d + Days::new(1);
    }
    v
}

fn build_register(store: &Store, entries: usize, rng: &mut Rng) -> (usize, Duration) {
    let t0 = Instant::now();
    let days = working_days(
        NaiveDate::from_ymd_opt(2026, 1, 5).expect("date"),
        NaiveDate::from_ymd_opt(2026, 11, 20).expect("date"),
    );
    let last_reply = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    // Letters per working day, the remainder spread over the first days.
    let per_day = entries / days.len();
    let extra = entries % days.len();
    let mut events = 0usize;
    let mut done = 0usize;
    // One opening per week (Monday's working day), letters registered that week.
    let mut week_start = 0;
    while week_start < days.len() {
        let week_end = (week_start + 5).min(days.len());
        let week = &days[week_start..week_end];
        let letters: Vec<NaiveDateTime> = week
            .iter()
            .enumerate()
            .flat_map(|(i, d)| {
                let n = per_day + usize::from(week_start + i < extra);
                (0..n).map(move |k| {
                    d.and_hms_opt(9, 0, 0).expect("time")
                        + chrono::Duration::seconds((k * 20) as i64)
                })
            })
            .collect();
        week_start = week_end;
        if letters.is_empty() {
            continue;
        }
        let opening = store
            .new_opening(NewOpening {
                opened_at: week[0].and_hms_opt(8, 30, 0).expect("time"),
                members: vec!["Асанов Бакыт".into(), "Токтогулова Айгүл".into()],
                seal_removed: format!("{:04}", done),
                seal_applied: format!("{:04}", done + 1),
                letters_found: letters.len() as u32,
                notes: String::new(),
            })
            .expect("opening");
        let file = store
            .add_file(
                opening,
                "batch.pdf",
                format!("bench batch {} {}", week[0], done).as_bytes(),
            )
            .expect("file")
            .id();
        let pages: Vec<PageRecord> = (1..=letters.len() as u32)
            .map(|n| page(n, letter_text(rng)))
            .collect();
        let page_ids = store.save_pages(file, &pages).expect("pages");
        let drafts: Vec<NewDraft> = page_ids
            .iter()
            .map(|p| NewDraft {
                page_ids: vec![*p],
                data: ishenim_store::LetterDraft {
                    category: "other".into(),
                    ..Default::default()
                },
            })
            .collect();
        let saved = store
            .save_drafts(DraftScope::File(file), &drafts)
            .expect("drafts");
        for (at, d) in letters.iter().zip(&saved) {
            let anonymous = rng.chance(0.15);
            let corruption = rng.chance(0.08);
            let fields = ApprovedFields {
                applicant_name: (!anonymous).then(|| {
                    rng.pick(&["Асанов Бакыт", "Бекова Айгүл", "Иванов Пётр", "Садыков Т."])
                        .to_string()
                }),
                anonymous,
                address: address(rng),
                phone: None,
                brief: rng.pick(BODIES).to_string(),
                category: category(rng).to_string(),
                corruption,
                official: None,
            };
            let serial = store
                .approve_draft_at(d.id(), "reviewer", &fields, *at)
                .expect("approve");
            done += 1;
            if rng.chance(0.8) {
                let o: &[&str] = rng.pick(OFFICIALS);
                store
                    .assign_official(serial, "clerk", rng.pick(o))
                    .expect("assign");
                events += 1;
                if corruption && rng.chance(0.7) {
                    store
                        .record_measures(serial, "clerk", "Кызматтык текшерүү дайындалды")
                        .expect("measures");
                    events += 1;
                }
                let reply = at.date() + Days::new(1 + rng.below(24) as u64);
                if rng.chance(0.75) && reply <= last_reply {
                    store
                        .record_reply(serial, "clerk", &format!("01-12/{done}"), reply)
                        .expect("reply");
                    events += 1;
                    continue;
                }
            }
            if rng.chance(0.06) {
                let s = if rng.chance(0.5) {
                    EntryStatus::Closed
                } else {
                    EntryStatus::Redirected
                };
                store
                    .set_status(serial, "clerk", s, Some("bench"))
                    .expect("status");
                events += 1;
            }
        }
        eprint!("\rregister: {done}/{entries} entries, {events} events");
    }
    eprintln!();
    (events, t0.elapsed())
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn main() {
    let mut entries = 100_000usize;
    let mut runs = 5usize;
    let mut dir: Option<PathBuf> = None;
    let mut write: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--entries" => entries = args.next().and_then(|v| v.parse().ok()).unwrap_or(entries),
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(runs)
                    .max(1)
            }
            "--dir" => dir = args.next().map(PathBuf::from),
            "--write" => write = args.next().map(PathBuf::from),
            other => {
                eprintln!(
                    "unknown argument {other:?}; use --entries N --runs R --dir DIR --write OUTDIR"
                );
                std::process::exit(2);
            }
        }
    }
    let _tmp;
    let dir = match dir {
        Some(d) => d,
        None => {
            let base = if std::path::Path::new("/dev/shm").is_dir() {
                PathBuf::from("/dev/shm")
            } else {
                std::env::temp_dir()
            };
            _tmp = tempfile::Builder::new()
                .prefix("ishenim-report-bench")
                .tempdir_in(base)
                .expect("temp dir");
            _tmp.path().join("data")
        }
    };
    let store = Store::open(&dir).expect("open store");
    let have = store.journal_count().expect("count") as usize;
    if have == 0 {
        let mut rng = Rng(0x5EED_1234_ABCD_0001);
        let (events, took) = build_register(&store, entries, &mut rng);
        let size = std::fs::metadata(store.db_path())
            .map(|m| m.len())
            .unwrap_or(0);
        println!(
            "register: {entries} entries, {events} events built in {} ({:.0} entries/s); \
             database {:.1} MiB at {}",
            secs(took),
            entries as f64 / took.as_secs_f64(),
            size as f64 / 1048576.0,
            dir.display()
        );
    } else {
        println!("register: reusing {have} entries at {}", dir.display());
    }

    let as_of = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
    let opts = ReportOptions::new(as_of);
    for half in ["2026H1", "2026H2"] {
        let half: HalfYear = half.parse().expect("half");
        let mut times = Vec::new();
        let mut report = None;
        for _ in 0..runs {
            let t = Instant::now();
            let r = Report::build(&store, half, &opts).expect("report");
            times.push(t.elapsed());
            report = Some(r);
        }
        times.sort();
        let r = report.expect("at least one run");
        // Parts of one build: the store read, then the aggregation; and, for comparison,
        // the full journal read (`journal_list`) the report does not use.
        let t = Instant::now();
        let facts = store
            .entry_facts_between(half.first_day(), half.last_day())
            .expect("facts");
        let t_facts = t.elapsed();
        let t = Instant::now();
        let _ = Report::from_entries(half, &opts, &facts, None);
        let t_agg = t.elapsed();
        let t = Instant::now();
        let list = store.journal_list(Some(half.year)).expect("journal");
        let t_list = t.elapsed();
        println!(
            "Report::build {half} ({} appeals; {} in the year's journal): min {}, median {}, \
             max {} over {runs} runs [entry_facts_between {}, aggregation {}; \
             for comparison journal_list(year) {}]",
            r.total,
            list.len(),
            secs(times[0]),
            secs(times[times.len() / 2]),
            secs(times[times.len() - 1]),
            secs(t_facts),
            secs(t_agg),
            secs(t_list),
        );
        let t = Instant::now();
        let html = r.html_document(Lang::Ky);
        let t_html = t.elapsed();
        let t = Instant::now();
        let csv = r.to_csv(Lang::Ru);
        let t_csv = t.elapsed();
        let t = Instant::now();
        let xlsx = r.to_xlsx(Lang::Ky).expect("xlsx");
        let t_xlsx = t.elapsed();
        println!(
            "  render: html_document {} ({} KiB, {} corruption cases), to_csv {} ({} KiB), \
             to_xlsx {} ({} KiB)",
            secs(t_html),
            html.len() / 1024,
            r.corruption_cases.len(),
            secs(t_csv),
            csv.len() / 1024,
            secs(t_xlsx),
            xlsx.len() / 1024
        );
        if let Some(out) = &write {
            std::fs::create_dir_all(out).expect("output folder");
            std::fs::write(out.join(format!("{half}.html")), &html).expect("write html");
            std::fs::write(out.join(format!("{half}.csv")), &csv).expect("write csv");
            std::fs::write(out.join(format!("{half}.xlsx")), &xlsx).expect("write xlsx");
        }
    }
}
