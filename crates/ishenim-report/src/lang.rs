//! The interface language and the report's message catalogue: one TOML file per language
//! (`messages/ky.toml`, `messages/ru.toml`) compiled into the binary. Every label the report
//! shows comes from there; the typed [`Messages`] struct makes a missing or misspelt key a
//! test failure rather than a blank cell.

use crate::ReportError;
use ishenim_store::EntryStatus;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

/// The language people read the product in: the web interface (each user's choice) and
/// every report it renders, on screen, printed, CSV and XLSX. It is one type for both so
/// that a report opened from the web is in the language of the page with no mapping
/// between look-alike enums (duplicates D24). It is not [`ishenim_text::Lang`], the
/// language a letter is *written* in, which chooses a stemmer: the two lists happen to be
/// the same today but answer different questions (a letter in a third language would not
/// add an interface language, nor an interface language a stemmer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// Kyrgyz (`ky`).
    Ky,
    /// Russian (`ru`).
    Ru,
}

impl Lang {
    /// The language tag (`ky`, `ru`), as used in `<html lang>` and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ky => "ky",
            Lang::Ru => "ru",
        }
    }

    /// The language a web form, cookie or account names: `ru` (any case) is Russian,
    /// anything else Kyrgyz, the default, so a page is never refused for its language.
    /// (`str::parse` is the strict reading, for the command line.)
    pub fn or_kyrgyz(s: &str) -> Lang {
        if s.trim().eq_ignore_ascii_case("ru") {
            Lang::Ru
        } else {
            Lang::Ky
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = ReportError;
    /// `ky` or `ru` (any case).
    fn from_str(s: &str) -> Result<Self, ReportError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ky" => Ok(Lang::Ky),
            "ru" => Ok(Lang::Ru),
            _ => Err(ReportError::InvalidLang(s.chars().take(20).collect())),
        }
    }
}

/// Status names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatusNames {
    pub registered: String,
    pub assigned: String,
    pub answered: String,
    pub redirected: String,
    pub closed: String,
}

/// All labels of one language (see `messages/*.toml` for what each one says).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Messages {
    pub title: String,
    pub half_name: String,
    pub period: String,
    pub as_of: String,
    pub dates_note: String,
    pub months: Vec<String>,
    pub summary: String,
    pub total: String,
    pub signed: String,
    pub anonymous: String,
    pub corruption: String,
    pub other_appeals: String,
    pub by_month: String,
    pub by_category: String,
    pub by_village: String,
    pub village_other: String,
    pub village_unknown: String,
    pub village_note: String,
    pub applicants: String,
    pub deadlines: String,
    pub on_time: String,
    pub late: String,
    pub open_overdue: String,
    pub open_in_time: String,
    pub deadlines_note: String,
    pub by_official: String,
    pub not_assigned: String,
    pub corruption_cases: String,
    pub no_corruption_cases: String,
    pub no_measures: String,
    pub col_item: String,
    pub col_count: String,
    pub col_share: String,
    pub col_month: String,
    pub col_category: String,
    pub col_village: String,
    pub col_official: String,
    pub col_total: String,
    pub col_serial: String,
    pub col_date: String,
    pub col_brief: String,
    pub col_status: String,
    pub col_deadline: String,
    pub col_measures: String,
    pub col_reply: String,
    pub chain_head: String,
    pub chain_empty: String,
    pub chain_position: String,
    pub sheet_summary: String,
    pub sheet_cases: String,
    pub status: StatusNames,
}

const KY_TOML: &str = include_str!("../messages/ky.toml");
const RU_TOML: &str = include_str!("../messages/ru.toml");

fn parse(text: &str, name: &str) -> Result<Messages, String> {
    let m: Messages = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
    if m.months.len() != 12 {
        return Err(format!("{name}: months must list 12 names"));
    }
    Ok(m)
}

/// The catalogue of `lang`. The embedded files are checked by unit tests, so the parse
/// cannot fail in a released build; should it, the program stops with the file's error.
pub(crate) fn messages(lang: Lang) -> &'static Messages {
    static KY: OnceLock<Messages> = OnceLock::new();
    static RU: OnceLock<Messages> = OnceLock::new();
    let (cell, text, name) = match lang {
        Lang::Ky => (&KY, KY_TOML, "messages/ky.toml"),
        Lang::Ru => (&RU, RU_TOML, "messages/ru.toml"),
    };
    cell.get_or_init(|| parse(text, name).unwrap_or_else(|e| panic!("built-in catalogue {e}")))
}

impl Messages {
    /// Name of month `m` (1–12).
    pub fn month(&self, m: u32) -> &str {
        self.months
            .get((m as usize).wrapping_sub(1))
            .map(String::as_str)
            .unwrap_or("?")
    }

    /// Name of a status.
    pub fn status(&self, s: EntryStatus) -> &str {
        match s {
            EntryStatus::Registered => &self.status.registered,
            EntryStatus::Assigned => &self.status.assigned,
            EntryStatus::Answered => &self.status.answered,
            EntryStatus::Redirected => &self.status.redirected,
            EntryStatus::Closed => &self.status.closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        let v: toml::Table = toml::from_str(text).unwrap();
        let mut out = Vec::new();
        for (k, val) in &v {
            match val {
                toml::Value::Table(t) => out.extend(t.keys().map(|s| format!("{k}.{s}"))),
                _ => out.push(k.clone()),
            }
        }
        out.sort();
        out
    }

    #[test]
    fn both_catalogues_parse_and_have_the_same_keys() {
        parse(KY_TOML, "ky").unwrap();
        parse(RU_TOML, "ru").unwrap();
        assert_eq!(keys(KY_TOML), keys(RU_TOML));
        assert_eq!(messages(Lang::Ky).month(1), "Январь");
        assert_eq!(messages(Lang::Ru).status(EntryStatus::Closed), "Закрыто");
        assert_ne!(messages(Lang::Ky).title, messages(Lang::Ru).title);
    }

    #[test]
    fn a_missing_key_is_an_error() {
        let cut: String = RU_TOML
            .lines()
            .filter(|l| !l.starts_with("late ="))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(parse(&cut, "ru").is_err());
    }

    #[test]
    fn lang_parses() {
        assert_eq!("ky".parse::<Lang>().unwrap(), Lang::Ky);
        assert_eq!(" RU ".parse::<Lang>().unwrap(), Lang::Ru);
        assert!("en".parse::<Lang>().is_err());
        assert_eq!(Lang::Ru.to_string(), "ru");
        assert_eq!(Lang::or_kyrgyz(" RU "), Lang::Ru);
        assert_eq!(Lang::or_kyrgyz("en"), Lang::Ky);
        assert_eq!(Lang::or_kyrgyz(""), Lang::Ky);
    }
}
