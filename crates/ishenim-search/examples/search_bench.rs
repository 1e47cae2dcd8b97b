//! Search benchmark: a synthetic register of N approved appeals (default 100,000), then the
//! index build time, the index size, an incremental sync, query latency over 36 varied
//! queries and the "similar appeals" lookup.
//!
//! ```text
//! cargo run --release -p ishenim-search --example search_bench -- DIR [--n 100000] [--runs 5] [--keep-index]
//! ```
//!
//! DIR receives the register (`DIR/data`); an existing register with at least N entries is
//! reused, so the generation (minutes) is paid once. Put DIR on tmpfs (`/dev/shm/...`) to
//! generate quickly: every approval is its own `synchronous=FULL` transaction, as in the
//! office, and only the generation pays for it (the index measurements do not depend on it).
//!
//! Letters are made from the project's 54 seed letters (`data/seed_letters.json`, exported
//! from `tests/corpus/letters_more.py` and `shared/corpus/letters_dev.py`): a base letter,
//! often with paragraphs of other letters of the same language, sometimes long (2–3 pages),
//! with a header (addressee, village, applicant) and a signature line; names, villages,
//! streets, phones, officials and dates vary; about 30 % are "OCR-read" (ө ү ң written о у н
//! in half of the words). Registration goes through the store's public API
//! (`ishenim_search::seed`, then `approve_draft_at` per letter, dates spread over 2.5 years;
//! 60 % get an official at approval, 10 % a reply event).

use chrono::{Duration, NaiveDate, NaiveDateTime};
use ishenim_search::seed::{register, SeedLetter};
use ishenim_search::{Index, Query};
use ishenim_store::{ApprovedFields, Serial, Store};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Instant;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 1_000_000) as f64 / 1_000_000.0 < p
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

const SURNAMES: &[&str] = &[
    "Асанов",
    "Токтогулов",
    "Жумабеков",
    "Осмонов",
    "Абдыкадыров",
    "Сыдыков",
    "Мамытов",
    "Бакиров",
    "Турдубаев",
    "Эсенбаев",
    "Кадыров",
    "Алыбаев",
    "Өмүрбеков",
    "Үсөнов",
    "Карабаев",
    "Ибраимов",
    "Жээнбеков",
    "Султанов",
    "Шаршеев",
    "Касымов",
    "Исаев",
    "Молдокулов",
    "Токтосунов",
    "Жусупов",
    "Рысбеков",
    "Иванов",
    "Петренко",
    "Ким",
    "Ли",
    "Нурматов",
];
const GIVEN_M: &[&str] = &[
    "Бакыт",
    "Азамат",
    "Нурлан",
    "Эрлан",
    "Таалай",
    "Мирлан",
    "Айбек",
    "Кубанычбек",
    "Үмөт",
    "Өмүр",
    "Руслан",
    "Сергей",
    "Марат",
    "Талант",
    "Бекжан",
];
const GIVEN_F: &[&str] = &[
    "Айгүл",
    "Гүлзат",
    "Нургүл",
    "Жылдыз",
    "Айжан",
    "Мээрим",
    "Чолпон",
    "Бермет",
    "Анара",
    "Динара",
    "Елена",
    "Гүлнара",
    "Асель",
];
const VILLAGES: &[&str] = &[
    "Кара-Суу",
    "Ак-Суу",
    "Көк-Жар",
    "Манас",
    "Жаңы-Жол",
    "Кызыл-Кыя",
    "Ак-Башат",
    "Чон-Таш",
    "Кең-Булуң",
    "Сары-Өзөн",
    "Ак-Талаа",
    "Кара-Булак",
    "Тогуз-Булак",
    "Байтик",
    "Орто-Сай",
    "Кашка-Суу",
    "Арашан",
    "Таш-Дөбө",
    "Ала-Тоо",
    "Эркин-Тоо",
];
const STREETS: &[&str] = &[
    "Достук",
    "Ленин",
    "Манас",
    "Токтогул",
    "Жибек Жолу",
    "Мира",
    "Садовая",
    "Айтматов",
    "Кыргызстан",
    "Фрунзе",
    "Жеңиш",
];
const OFFICIALS: &[&str] = &[
    "Токтогулов Н.",
    "Сыдыкова А.",
    "Мамытов Б.",
    "Касымова Г.",
    "Жусупов Т.",
    "Исаева Д.",
    "Рысбеков К.",
    "Ли Е.",
];

fn category(topic: &str) -> &'static str {
    match topic {
        "жер" | "земля" | "жайыт" => "land",
        "сугат суусу" | "ичүүчү суу" => "water",
        "жол" | "дорога" | "көпүрө" | "коомдук транспорт" => "roads",
        "электр" | "жарык" | "освещение" | "газ" | "отопление" | "жылуулук" | "көмүр" => {
            "utilities"
        }
        "мектеп" | "школа" | "билим берүү" | "бала бакча" => {
            "education"
        }
        "саламаттык" | "медицина" => "health",
        "социалдык жардам" | "гуманитардык жардам" | "гуманитарная помощь" => {
            "social"
        }
        "документ" | "документы" | "маалымкат" => "documents",
        _ => "other",
    }
}

/// ө ү ң written о у н in about half of the words, as the kir model sometimes does.
fn ocr_read(text: &str, rng: &mut Rng) -> String {
    text.split(' ')
        .map(|w| {
            if rng.chance(0.5) {
                w.chars()
                    .map(|c| match c {
                        'ө' => 'о',
                        'ү' => 'у',
                        'ң' => 'н',
                        'Ө' => 'О',
                        'Ү' => 'У',
                        'Ң' => 'Н',
                        c => c,
                    })
                    .collect()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

struct Seed {
    lang: String,
    topic: String,
    corruption: bool,
    body: Vec<String>,
}

fn seeds() -> Vec<Seed> {
    let v: Vec<Value> =
        serde_json::from_str(include_str!("../data/seed_letters.json")).expect("seed letters");
    v.iter()
        .map(|l| Seed {
            lang: l["lang"].as_str().unwrap_or("ky").to_string(),
            topic: l["topic"].as_str().unwrap_or("").to_string(),
            corruption: l["corruption"].as_bool().unwrap_or(false),
            body: l["body"]
                .as_array()
                .map(|b| {
                    b.iter()
                        .filter_map(|p| p.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

fn make_letter(seeds: &[Seed], rng: &mut Rng, at: NaiveDateTime) -> SeedLetter {
    let base = rng.pick(seeds);
    let ru = base.lang == "ru";
    let same: Vec<&Seed> = seeds.iter().filter(|s| s.lang == base.lang).collect();
    let mut paras: Vec<String> = base.body.clone();
    if rng.chance(0.5) {
        for _ in 0..1 + rng.below(3) {
            let o = rng.pick(&same);
            paras.insert(rng.below(paras.len() + 1), rng.pick(&o.body).clone());
        }
    }
    if rng.chance(0.15) {
        for _ in 0..4 + rng.below(8) {
            let o = rng.pick(&same);
            paras.push(rng.pick(&o.body).clone());
        }
    }
    let female = rng.chance(0.45);
    let mut surname = rng.pick(SURNAMES).to_string();
    if female && (surname.ends_with("ов") || surname.ends_with("ев")) {
        surname.push('а');
    }
    let given = if female {
        rng.pick(GIVEN_F)
    } else {
        rng.pick(GIVEN_M)
    };
    let name = format!("{surname} {given}");
    let village = rng.pick(VILLAGES);
    let street = rng.pick(STREETS);
    let house = 1 + rng.below(150);
    let anonymous = rng.chance(0.15);
    let address = if ru {
        format!("с. {village}, ул. {street}, д. {house}")
    } else {
        format!("{village} айылы, {street} көчөсү, {house}-үй")
    };
    let phone = format!(
        "+996 {} {:03} {:03}",
        rng.pick(&["700", "555", "772", "221", "505"]),
        rng.below(1000),
        rng.below(1000)
    );
    let header = match (ru, anonymous) {
        (false, false) => format!(
            "Айыл өкмөтүнүн башчысына\n{address} дарегинде жашаган {name} тарабынан\n\nАРЫЗ"
        ),
        (false, true) => "Айыл өкмөтүнүн башчысына\n\nАРЫЗ".to_string(),
        (true, false) => {
            format!("Главе айыл окмоту\nот {name}, проживающего по адресу: {address}\n\nЗАЯВЛЕНИЕ")
        }
        (true, true) => "Главе айыл окмоту\n\nЗАЯВЛЕНИЕ".to_string(),
    };
    let date = at.date() - Duration::days(1 + rng.below(5) as i64);
    let footer = if ru {
        format!("{} г.    Подпись", date.format("%d.%m.%Y"))
    } else {
        format!("{}-ж.    Колу", date.format("%d.%m.%Y"))
    };
    let mut text_paras = vec![header];
    text_paras.extend(paras);
    text_paras.push(footer);
    if rng.chance(0.3) {
        for p in &mut text_paras {
            *p = ocr_read(p, rng);
        }
    }
    // Pages of about 1,600 characters.
    let mut pages: Vec<String> = vec![String::new()];
    for p in text_paras {
        if pages.last().is_some_and(|l| l.chars().count() > 1600) {
            pages.push(String::new());
        }
        let last = pages.last_mut().expect("one page");
        if !last.is_empty() {
            last.push_str("\n\n");
        }
        last.push_str(&p);
    }
    let brief: String = base.body[0].chars().take(120).collect();
    SeedLetter {
        pages,
        fields: ApprovedFields {
            applicant_name: (!anonymous).then(|| name.clone()),
            anonymous,
            address: (!anonymous).then_some(address),
            phone: (!anonymous && rng.chance(0.7)).then_some(phone),
            brief,
            category: category(&base.topic).to_string(),
            corruption: base.corruption,
            official: rng.chance(0.6).then(|| rng.pick(OFFICIALS).to_string()),
        },
        at: Some(at),
    }
}

fn generate(store: &Store, n: usize, rng: &mut Rng) -> Vec<Serial> {
    let seeds = seeds();
    let start = NaiveDate::from_ymd_opt(2024, 1, 8)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("date");
    let span_min = 900 * 24 * 60; // about 2.5 years
    let mut serials = Vec::with_capacity(n);
    let batch = 1000;
    let t0 = Instant::now();
    let mut i = 0;
    while i < n {
        let m = batch.min(n - i);
        let letters: Vec<SeedLetter> = (0..m)
            .map(|k| {
                let minute = ((i + k) as i64 * span_min) / n as i64;
                make_letter(&seeds, rng, start + Duration::minutes(minute))
            })
            .collect();
        let opened = letters[0].at.expect("at") - Duration::hours(20);
        let s = register(store, opened, &letters, "bench").expect("register");
        for serial in &s {
            if rng.chance(0.1) {
                let reply = serial_date(store, *serial) + Duration::days(7);
                store
                    .record_reply(
                        *serial,
                        "bench",
                        &format!("01-12/{}", rng.below(999)),
                        reply,
                    )
                    .expect("reply");
            }
        }
        serials.extend(s);
        i += m;
        if i % 10_000 == 0 {
            eprintln!("  generated {i} ({:.0} s)", t0.elapsed().as_secs_f64());
        }
    }
    serials
}

fn serial_date(store: &Store, s: Serial) -> NaiveDate {
    store
        .entry_current_view(s)
        .map(|v| v.registered_at.date())
        .unwrap_or_default()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// CPU time of this thread in milliseconds (`CLOCK_THREAD_CPUTIME_ID`), to tell work from
/// waiting on a machine shared with other jobs.
fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec we pass.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}

fn file_size(p: &std::path::Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: search_bench DIR [--n 100000] [--runs 5] [--keep-index]");
        std::process::exit(2);
    };
    let flag = |name: &str, default: usize| -> usize {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let n = flag("--n", 100_000);
    let runs = flag("--runs", 5).max(1);
    let data = dir.join("data");
    let store = Store::open(&data).expect("open store");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let have = store.journal_count().expect("count") as usize;
    if have < n {
        eprintln!("generating {} appeals in {}", n - have, data.display());
        let t = Instant::now();
        generate(&store, n - have, &mut rng);
        eprintln!("generated in {:.0} s", t.elapsed().as_secs_f64());
    }
    let total = store.journal_count().expect("count");

    // 1. Full build from nothing (`--keep-index`: reuse the index, to measure queries again).
    let idx_path = data.join(ishenim_search::INDEX_FILE);
    if !args.iter().any(|a| a == "--keep-index") {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", idx_path.display()));
        }
    }
    let t = Instant::now();
    let index = Index::open(&store).expect("open index");
    let st = index.sync(&store).expect("sync");
    let build = t.elapsed().as_secs_f64();
    drop(index);
    let index_bytes =
        file_size(&idx_path) + file_size(&PathBuf::from(format!("{}-wal", idx_path.display())));
    let store_bytes = file_size(store.db_path());
    let index = Index::open(&store).expect("reopen index");

    // 2. Incremental sync: 100 new appeals and 50 follow-up events.
    let t = Instant::now();
    let noop = index.sync(&store).expect("sync");
    let noop_ms = t.elapsed().as_secs_f64() * 1000.0;
    let seeds = seeds();
    let now = NaiveDate::from_ymd_opt(2026, 7, 1)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .expect("date");
    let letters: Vec<SeedLetter> = (0..100)
        .map(|_| make_letter(&seeds, &mut rng, now))
        .collect();
    let added = register(&store, now - Duration::hours(2), &letters, "bench").expect("register");
    for s in added.iter().take(50) {
        store
            .assign_official(*s, "bench", "Сыдыкова А.")
            .expect("assign");
    }
    let t = Instant::now();
    let inc = index.sync(&store).expect("sync");
    let inc_ms = t.elapsed().as_secs_f64() * 1000.0;

    // 3. Queries.
    let queries: &[(&str, &str)] = &[
        ("common word", "айыл"),
        ("common word", "акча"),
        ("common word", "жер"),
        ("common word", "суранам"),
        ("single word", "пара"),
        ("single word", "мектеп"),
        ("single word", "комиссия"),
        ("single word", "жайыт"),
        ("inflected form", "парасын"),
        ("inflected form", "жерлерин"),
        ("inflected form", "кызматкерлеринин"),
        ("inflected form", "катчысына"),
        ("inflected form", "өкмөтүнүн"),
        ("OCR reading", "окмотуно"),
        ("Russian inflected", "взятку"),
        ("Russian inflected", "дороги"),
        ("Russian word", "ремонт"),
        ("rare word", "канистрлерге"),
        ("rare word", "грант"),
        ("rare name", "Петренко"),
        ("name + word", "Токтосунов пара"),
        ("two words", "жер комиссия"),
        ("three words", "пара катчы жер"),
        ("phrase", "\"жер тилкеси\""),
        ("phrase", "\"айыл өкмөтү\""),
        ("phrase", "\"талап кылды\""),
        ("phrase (ru)", "\"требует взятку\""),
        ("prefix", "кызмат*"),
        ("prefix", "жайыт*"),
        ("prefix", "паракор*"),
        ("filter only", "flag:yes"),
        (
            "filter only",
            "status:answered from:2025-01-01 to:2025-06-30",
        ),
        ("filter only", "village:Кара-Суу"),
        ("filter only", "official:Токтогулов anonymous:no"),
        (
            "word + filters",
            "пара flag:yes from:2025-01-01 to:2025-12-31",
        ),
        ("word + filters", "айыл village:Манас status:assigned"),
        (
            "common word + rare filter",
            "айыл official:\"Ли\" category:health",
        ),
    ];
    let mut all: Vec<f64> = Vec::new();
    let mut all_cpu: Vec<f64> = Vec::new();
    let mut rows: Vec<(String, String, u64, f64, f64, f64)> = Vec::new();
    for (kind, q) in queries {
        let query = Query::parse(q).expect("query");
        let count = index.count(&query).expect("count");
        let _ = index.search(&query, 20, 0).expect("warm-up");
        let mut times = Vec::new();
        let mut cpus = Vec::new();
        for _ in 0..runs {
            let (t, cpu) = (Instant::now(), thread_cpu_ms());
            let hits = index.search(&query, 20, 0).expect("search");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            cpus.push(thread_cpu_ms() - cpu);
            std::hint::black_box(hits);
        }
        times.sort_by(f64::total_cmp);
        cpus.sort_by(f64::total_cmp);
        all.extend(&times);
        all_cpu.extend(&cpus);
        rows.push((
            kind.to_string(),
            q.to_string(),
            count,
            percentile(&times, 0.5),
            times[times.len() - 1],
            percentile(&cpus, 0.5),
        ));
    }
    all.sort_by(f64::total_cmp);
    all_cpu.sort_by(f64::total_cmp);

    // 4. Similar appeals for 20 entries.
    let journal: Vec<Serial> = store
        .journal_list(Some(2025))
        .expect("journal")
        .into_iter()
        .map(|v| v.serial)
        .collect();
    let mut sim_times = Vec::new();
    let mut sim_found = 0usize;
    for k in 0..20 {
        let s = journal[(k * 997) % journal.len()];
        let t = Instant::now();
        sim_found += index.similar(&store, s).expect("similar").len();
        sim_times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    sim_times.sort_by(f64::total_cmp);

    println!("## search benchmark");
    println!(
        "appeals in the register: {total} (register file {:.0} MB)",
        store_bytes as f64 / 1e6
    );
    println!(
        "full index build: {build:.1} s ({:.0} appeals/s), {} indexed; index file {:.0} MB",
        st.indexed as f64 / build,
        st.indexed,
        index_bytes as f64 / 1e6
    );
    println!(
        "sync with nothing new: {noop_ms:.1} ms ({} indexed); after 100 new appeals + 50 events: {inc_ms:.0} ms ({} indexed)",
        noop.indexed, inc.indexed
    );
    println!(
        "queries: {} queries × {runs} runs (limit 20, snippets included): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        queries.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        all[all.len() - 1]
    );
    println!(
        "  CPU time of the same calls: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (load average {})",
        percentile(&all_cpu, 0.5),
        percentile(&all_cpu, 0.95),
        all_cpu[all_cpu.len() - 1],
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .unwrap_or("?")
    );
    println!(
        "similar appeals (20 entries): p50 {:.1} ms, max {:.1} ms, {:.1} similar per entry",
        percentile(&sim_times, 0.5),
        sim_times[sim_times.len() - 1],
        sim_found as f64 / 20.0
    );
    println!();
    println!("| kind | query | matches | wall p50 ms | wall max ms | CPU p50 ms |");
    println!("| --- | --- | ---: | ---: | ---: | ---: |");
    for (kind, q, count, p50, max, cpu) in rows {
        println!("| {kind} | `{q}` | {count} | {p50:.1} | {max:.1} | {cpu:.1} |");
    }
}
