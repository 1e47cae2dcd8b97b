//! From the journal to a [`Report`]: one pass over the half-year's entries.

use crate::village::{kyrgyz_letters, village_key, village_of};
use crate::{
    Bucket, CategoryCount, CorruptionCase, DeadlineCounts, HalfYear, MonthCount, OfficialRow,
    Report, ReportError, ReportOptions, Timeliness, VillageCount,
};
use chrono::{Datelike, NaiveDate};
use ishenim_store::stats::EntryFacts;
use ishenim_store::{ChainHead, Store};
use std::collections::HashMap;

/// Deadline outcome of `e` as of `as_of`. A closed, answered or redirected appeal counts
/// from its reply date, or, without one, from the day its status last changed.
pub fn timeliness(e: &EntryFacts, as_of: NaiveDate) -> Timeliness {
    if e.status.is_open() {
        if e.deadline < as_of {
            Timeliness::OpenOverdue
        } else {
            Timeliness::OpenInTime
        }
    } else {
        let done = e
            .reply_date
            .or(e.status_at.map(|t| t.date()))
            .unwrap_or(as_of);
        if done <= e.deadline {
            Timeliness::OnTime
        } else {
            Timeliness::Late
        }
    }
}

/// Groups spellings under a key and remembers how often each spelling was seen.
#[derive(Default)]
struct Names {
    count: HashMap<String, u64>,
    spellings: HashMap<String, HashMap<String, u64>>,
}

impl Names {
    fn add(&mut self, key: String, spelling: &str) {
        *self.count.entry(key.clone()).or_default() += 1;
        *self
            .spellings
            .entry(key)
            .or_default()
            .entry(spelling.to_string())
            .or_default() += 1;
    }

    /// The most frequent spelling of `key` (ties: more Kyrgyz letters, then alphabetical).
    fn display(&self, key: &str) -> String {
        self.spellings
            .get(key)
            .and_then(|m| {
                m.iter()
                    .max_by(|a, b| {
                        a.1.cmp(b.1)
                            .then(kyrgyz_letters(a.0).cmp(&kyrgyz_letters(b.0)))
                            .then(b.0.cmp(a.0))
                    })
                    .map(|(s, _)| s.clone())
            })
            .unwrap_or_else(|| key.to_string())
    }

    /// Keys by count (descending), then by display name.
    fn ranked(&self) -> Vec<(String, String, u64)> {
        let mut v: Vec<_> = self
            .count
            .iter()
            .map(|(k, n)| (k.clone(), self.display(k), *n))
            .collect();
        v.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
        v
    }
}

fn official_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Report {
    /// The half-year analysis of the journal in `store`: the entries registered in the
    /// half ([`Store::entry_facts_between`], amendments and follow-up events folded in) and
    /// the chain head.
    pub fn build(
        store: &Store,
        half: HalfYear,
        opts: &ReportOptions,
    ) -> Result<Report, ReportError> {
        let entries = store.entry_facts_between(half.first_day(), half.last_day())?;
        let head = store.chain_head()?;
        Ok(Report::from_entries(half, opts, &entries, head))
    }

    /// The analysis of `entries` (any list; those registered outside `half` are skipped).
    pub fn from_entries(
        half: HalfYear,
        opts: &ReportOptions,
        entries: &[EntryFacts],
        chain_head: Option<ChainHead>,
    ) -> Report {
        let months = half.months();
        let mut by_month: Vec<MonthCount> = months
            .iter()
            .map(|&month| MonthCount {
                month,
                total: 0,
                corruption: 0,
            })
            .collect();
        let mut categories: HashMap<&str, u64> = HashMap::new();
        let mut villages = Names::default();
        let mut village_unknown = 0u64;
        let mut officials = Names::default();
        let mut official_deadlines: HashMap<String, DeadlineCounts> = HashMap::new();
        let mut unassigned = DeadlineCounts::default();
        let mut deadlines = DeadlineCounts::default();
        let mut cases = Vec::new();
        let (mut total, mut signed, mut anonymous, mut corruption) = (0u64, 0u64, 0u64, 0u64);

        for e in entries {
            let day = e.registered_at.date();
            if !half.contains(day) {
                continue;
            }
            total += 1;
            let m = &mut by_month[(day.month0() % 6) as usize];
            m.total += 1;
            if e.corruption {
                m.corruption += 1;
                corruption += 1;
            }
            if e.anonymous {
                anonymous += 1;
            } else {
                signed += 1;
            }
            *categories.entry(e.category.as_str()).or_default() += 1;
            let village = e.address.as_deref().and_then(village_of);
            match &village {
                Some(v) => villages.add(village_key(v), v),
                None => village_unknown += 1,
            }
            let t = timeliness(e, opts.as_of);
            deadlines.add(t);
            match e
                .official
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                Some(o) => {
                    let key = official_key(o);
                    let shown = o.split_whitespace().collect::<Vec<_>>().join(" ");
                    officials.add(key.clone(), &shown);
                    official_deadlines.entry(key).or_default().add(t);
                }
                None => unassigned.add(t),
            }
            if e.corruption {
                cases.push(corruption_case(e, day, village, t));
            }
        }

        let by_category = rank_categories(categories, opts);
        let by_village = village_rows(villages, village_unknown, opts.max_villages);
        let by_official = official_rows(officials, &official_deadlines, unassigned);
        cases.sort_by_key(|c| c.serial);

        Report {
            half,
            from: half.first_day(),
            to: half.last_day(),
            as_of: opts.as_of,
            total,
            signed,
            anonymous,
            corruption,
            by_month,
            by_category,
            by_village,
            deadlines,
            by_official,
            corruption_cases: cases,
            chain_head,
        }
    }
}

/// Categories, most frequent first; ties in catalogue order.
fn rank_categories(categories: HashMap<&str, u64>, opts: &ReportOptions) -> Vec<CategoryCount> {
    let order = |k: &str| {
        opts.categories
            .iter()
            .position(|c| c.key == k)
            .unwrap_or(usize::MAX)
    };
    let mut by_category: Vec<CategoryCount> = categories
        .into_iter()
        .map(|(key, count)| {
            let label = opts.categories.iter().find(|c| c.key == key);
            CategoryCount {
                key: key.to_string(),
                label_ky: label.map_or_else(|| key.to_string(), |l| l.ky.clone()),
                label_ru: label.map_or_else(|| key.to_string(), |l| l.ru.clone()),
                count,
            }
        })
        .collect();
    by_category.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(order(&a.key).cmp(&order(&b.key)))
            .then_with(|| a.key.cmp(&b.key))
    });
    by_category
}

/// The villages with most appeals (at most `max`), then "other" and "unknown".
fn village_rows(villages: Names, village_unknown: u64, max: usize) -> Vec<VillageCount> {
    let mut by_village = Vec::new();
    let mut other = 0u64;
    for (i, (_, name, n)) in villages.ranked().into_iter().enumerate() {
        if i < max {
            by_village.push(VillageCount {
                village: Bucket::Named(name),
                count: n,
            });
        } else {
            other += n;
        }
    }
    if other > 0 {
        by_village.push(VillageCount {
            village: Bucket::Other,
            count: other,
        });
    }
    if village_unknown > 0 {
        by_village.push(VillageCount {
            village: Bucket::Unknown,
            count: village_unknown,
        });
    }
    by_village
}

/// Officials by appeals assigned, with their deadline counts; unassigned last.
fn official_rows(
    officials: Names,
    official_deadlines: &HashMap<String, DeadlineCounts>,
    unassigned: DeadlineCounts,
) -> Vec<OfficialRow> {
    let mut by_official: Vec<OfficialRow> = officials
        .ranked()
        .into_iter()
        .map(|(key, name, n)| OfficialRow {
            official: Bucket::Named(name),
            total: n,
            deadlines: official_deadlines.get(&key).copied().unwrap_or_default(),
        })
        .collect();
    if unassigned.total() > 0 {
        by_official.push(OfficialRow {
            official: Bucket::Unknown,
            total: unassigned.total(),
            deadlines: unassigned,
        });
    }
    by_official
}

/// The corruption-flagged appeal as the report lists it.
fn corruption_case(
    e: &EntryFacts,
    day: NaiveDate,
    village: Option<String>,
    t: Timeliness,
) -> CorruptionCase {
    CorruptionCase {
        serial: e.serial,
        registered: day,
        village,
        category: e.category.clone(),
        brief: e.brief.clone(),
        official: e.official.clone(),
        status: e.status,
        deadline: e.deadline,
        timeliness: t,
        measures: e.measures.clone(),
        reply_no: e.reply_no.clone(),
        reply_date: e.reply_date,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{day, Fixture};
    use ishenim_store::EntryStatus;

    #[test]
    fn counts_on_a_small_store() {
        let f = Fixture::new();
        let r = f.report("2026H1", day(2026, 7, 10));
        assert_eq!(r.total, 8, "the 2025 and July entries are outside 2026H1");
        let months: Vec<u64> = r.by_month.iter().map(|m| m.total).collect();
        assert_eq!(months, vec![3, 2, 1, 0, 1, 1]);
        let corr: Vec<u64> = r.by_month.iter().map(|m| m.corruption).collect();
        assert_eq!(corr, vec![1, 0, 1, 0, 0, 1]);
        assert_eq!((r.signed, r.anonymous, r.corruption), (6, 2, 3));
        assert!((r.percent(r.corruption) - 37.5).abs() < 1e-9);
        let cats: Vec<(&str, u64)> = r
            .by_category
            .iter()
            .map(|c| (c.key.as_str(), c.count))
            .collect();
        assert_eq!(
            cats,
            vec![("land", 4), ("water", 2), ("roads", 1), ("mystery", 1)]
        );
        assert_eq!(r.by_category[0].label_ru, "Земельные вопросы");
        assert_eq!(r.by_category[3].label_ky, "mystery", "unknown key as is");
        let villages: Vec<(Bucket, u64)> = r
            .by_village
            .iter()
            .map(|v| (v.village.clone(), v.count))
            .collect();
        assert_eq!(
            villages,
            vec![
                (Bucket::Named("Көк-Жар".into()), 3),
                (Bucket::Named("Ак-Суу".into()), 2),
                (Bucket::Named("Манас".into()), 1),
                (Bucket::Unknown, 2),
            ]
        );
        assert_eq!(
            r.deadlines,
            DeadlineCounts {
                on_time: 2,
                late: 2,
                open_overdue: 3,
                open_in_time: 1
            }
        );
        let officials: Vec<(Bucket, u64, [u64; 4])> = r
            .by_official
            .iter()
            .map(|o| (o.official.clone(), o.total, o.deadlines.as_array()))
            .collect();
        assert_eq!(
            officials,
            vec![
                (Bucket::Named("Осмонов Б.".into()), 3, [1, 1, 1, 0]),
                (Bucket::Named("Асанова А.".into()), 1, [1, 0, 0, 0]),
                (Bucket::Unknown, 4, [0, 1, 2, 1]),
            ]
        );
        let cases: Vec<String> = r
            .corruption_cases
            .iter()
            .map(|c| c.serial.to_string())
            .collect();
        assert_eq!(cases, vec!["2026-0001", "2026-0006", "2026-0008"]);
        let first = &r.corruption_cases[0];
        assert_eq!(
            first.measures,
            vec!["Текшерүү дайындалды", "Эскертүү берилди"]
        );
        assert_eq!(first.timeliness, Timeliness::OnTime);
        assert_eq!(first.reply_no.as_deref(), Some("01-12/5"));
        assert_eq!(first.village.as_deref(), Some("Көк-Жар"));
        assert!(r.chain_head.is_some());
    }

    #[test]
    fn the_second_half_and_an_empty_half() {
        let f = Fixture::new();
        let h2 = f.report("2026H2", day(2026, 7, 15));
        assert_eq!(h2.total, 1);
        assert_eq!(h2.by_month[0].month, 7);
        assert_eq!(h2.by_month[0].total, 1);
        assert_eq!(h2.deadlines.open_in_time, 1);
        let empty = f.report("2027H1", day(2027, 7, 1));
        assert_eq!(empty.total, 0);
        assert_eq!(empty.by_month.len(), 6);
        assert!(empty.by_category.is_empty() && empty.by_village.is_empty());
        assert_eq!(empty.percent(0), 0.0);
    }

    #[test]
    fn as_of_moves_open_appeals_past_the_deadline() {
        let f = Fixture::new();
        // On 1 January 2026 nothing registered in January is overdue yet.
        let early = f.report("2026H1", day(2026, 1, 2));
        let late = f.report("2026H1", day(2027, 1, 1));
        assert_eq!(late.deadlines.open_in_time, 0);
        assert_eq!(
            early.deadlines.open_overdue + early.deadlines.open_in_time,
            late.deadlines.open_overdue
        );
    }

    #[test]
    fn rare_villages_become_other() {
        let f = Fixture::new();
        let mut opts = ReportOptions::new(day(2026, 7, 10));
        opts.max_villages = 1;
        let r = Report::build(&f.store, "2026H1".parse().unwrap(), &opts).unwrap();
        let v: Vec<(Bucket, u64)> = r
            .by_village
            .iter()
            .map(|v| (v.village.clone(), v.count))
            .collect();
        assert_eq!(
            v,
            vec![
                (Bucket::Named("Көк-Жар".into()), 3),
                (Bucket::Other, 3),
                (Bucket::Unknown, 2)
            ]
        );
    }

    #[test]
    fn timeliness_rules() {
        let f = Fixture::new();
        let e = f
            .store
            .entry_facts_between(day(2026, 1, 1), day(2026, 12, 31))
            .unwrap();
        let mut v = e[0].clone();
        v.status = EntryStatus::Assigned;
        v.deadline = day(2026, 3, 1);
        assert_eq!(timeliness(&v, day(2026, 3, 1)), Timeliness::OpenInTime);
        assert_eq!(timeliness(&v, day(2026, 3, 2)), Timeliness::OpenOverdue);
        v.status = EntryStatus::Answered;
        v.reply_date = Some(day(2026, 3, 1));
        assert_eq!(timeliness(&v, day(2027, 1, 1)), Timeliness::OnTime);
        v.reply_date = Some(day(2026, 3, 2));
        assert_eq!(timeliness(&v, day(2027, 1, 1)), Timeliness::Late);
        v.status = EntryStatus::Closed;
        v.reply_date = None;
        v.status_at = day(2026, 2, 27).and_hms_opt(16, 0, 0);
        assert_eq!(timeliness(&v, day(2027, 1, 1)), Timeliness::OnTime);
        v.status_at = day(2026, 3, 2).and_hms_opt(9, 0, 0);
        assert_eq!(timeliness(&v, day(2027, 1, 1)), Timeliness::Late);
    }
}
