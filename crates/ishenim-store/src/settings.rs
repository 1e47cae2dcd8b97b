//! Register settings: the admin-edited `settings` key/value table.
//!
//! | key | default | meaning |
//! | --- | --- | --- |
//! | `registration_working_days` | `1` | working days from receipt (box opening) to registration (law No. 67) |
//! | `consideration_days` | `14` | length of the consideration period |
//! | `consideration_unit` | `calendar` | `calendar` days (law No. 67) or `working` days (the proposed "10 working days") |
//! | `anonymous_policy` | `register_and_consider` | anonymous appeals: `register_and_consider`, or `register_only` (registered, then closed without consideration) |
//! | `receipt_expiry_months` | `6` | receipt-code status lookups stop this many months after an appeal left consideration (schema version 3) |
//! | `backup_dir` | unset | folder of the nightly backups (`ishenim backup --dir`, `ishenim doctor`) |
//! | `scanner_device` | unset | SANE name of the office scanner (chosen from `scanimage -L`) |
//! | `scanner_source` | `auto` | paper source: `auto` (duplex feeder, else feeder, else flatbed) or the device's own name |
//! | `scanner_mode` | unset | colour mode as the device names it (`Gray`, `Color`; unset: the device's default) |
//! | `scanner_resolution` | `300` | dots per inch |
//!
//! Every value is validated before it is written; a change records who and when (schema
//! version 2) and goes to the audit log. Deadline settings apply to entries approved
//! afterwards: an existing deadline only changes by an extension event.

use crate::calendar::load_settings;
use crate::users::audit_tx;
use crate::{fmt_ts, now, parse_ts, required, Result, Store, StoreError};
use chrono::NaiveDateTime;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What happens to an anonymous appeal when it is approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AnonymousPolicy {
    /// Registered and considered like any other appeal (the default).
    #[default]
    RegisterAndConsider,
    /// Registered (it gets a serial), then closed at once without consideration by a
    /// status event that names the setting; no deadline applies.
    RegisterOnly,
}

impl AnonymousPolicy {
    /// Database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AnonymousPolicy::RegisterAndConsider => "register_and_consider",
            AnonymousPolicy::RegisterOnly => "register_only",
        }
    }

    /// Parse the database spelling (dashes allowed; the schema-1 spelling `register` means
    /// register and consider).
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().replace('-', "_").as_str() {
            "register_and_consider" | "register" => Ok(AnonymousPolicy::RegisterAndConsider),
            "register_only" => Ok(AnonymousPolicy::RegisterOnly),
            _ => Err(StoreError::Invalid(format!(
                "anonymous_policy must be register_and_consider or register_only, not {s:?}"
            ))),
        }
    }
}

/// A setting this build knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingSpec {
    /// Key in the `settings` table.
    pub key: &'static str,
    /// Value used when the row is missing (`None`: unset).
    pub default: Option<&'static str>,
    /// What it means, in Kyrgyz.
    pub help_ky: &'static str,
    /// What it means, in Russian.
    pub help_ru: &'static str,
}

/// Every known setting, in display order.
pub const SETTINGS: &[SettingSpec] = &[
    SettingSpec {
        key: "registration_working_days",
        default: Some("1"),
        help_ky: "Каттоо мөөнөтү: кабыл алгандан тартып иш күндөрү",
        help_ru: "Срок регистрации: рабочих дней с момента получения",
    },
    SettingSpec {
        key: "consideration_days",
        default: Some("14"),
        help_ky: "Кароо мөөнөтү: күндөрдүн саны",
        help_ru: "Срок рассмотрения: число дней",
    },
    SettingSpec {
        key: "consideration_unit",
        default: Some("calendar"),
        help_ky: "Кароо мөөнөтүнүн бирдиги: calendar (календардык) же working (иш күндөрү)",
        help_ru: "Единица срока рассмотрения: calendar (календарные) или working (рабочие дни)",
    },
    SettingSpec {
        key: "anonymous_policy",
        default: Some("register_and_consider"),
        help_ky: "Анонимдүү кайрылуулар: register_and_consider (каттоо жана кароо) же register_only (каттоо гана)",
        help_ru: "Анонимные обращения: register_and_consider (регистрировать и рассматривать) или register_only (только регистрировать)",
    },
    SettingSpec {
        key: "backup_dir",
        default: None,
        help_ky: "Камдык көчүрмөлөрдүн папкасы (толук жол)",
        help_ru: "Папка резервных копий (полный путь)",
    },
    SettingSpec {
        key: "receipt_expiry_months",
        default: Some("6"),
        help_ky: "Текшерүү коду менен абалды билүү кайрылуу жабылгандан кийин канча ай иштейт",
        help_ru: "Сколько месяцев после закрытия обращения работает проверка статуса по коду",
    },
    SettingSpec {
        key: "scanner_device",
        default: None,
        help_ky: "Сканер (SANE аты, `scanimage -L` тизмесинен)",
        help_ru: "Сканер (имя SANE из списка `scanimage -L`)",
    },
    SettingSpec {
        key: "scanner_source",
        default: Some("auto"),
        help_ky: "Кагаз булагы: auto (эки тараптуу же жөнөкөй салгыч, болбосо планшет) же сканердин өз аты",
        help_ru: "Источник бумаги: auto (дуплекс или податчик, иначе планшет) или название самого сканера",
    },
    SettingSpec {
        key: "scanner_mode",
        default: None,
        help_ky: "Түс режими (Gray — боз, Color — түстүү)",
        help_ru: "Цветовой режим (Gray — оттенки серого, Color — цветной)",
    },
    SettingSpec {
        key: "scanner_resolution",
        default: Some("300"),
        help_ky: "Сканердин тактыгы, dpi",
        help_ru: "Разрешение сканирования, dpi",
    },
];

/// Reason written on the status event that closes an anonymous appeal under
/// [`AnonymousPolicy::RegisterOnly`].
pub const REGISTER_ONLY_REASON: &str = "Анонимдүү кайрылуу катталды, каралбайт / \
    Анонимное обращение зарегистрировано без рассмотрения (anonymous_policy = register_only)";

/// One setting as it reads now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingValue {
    /// Key.
    pub key: String,
    /// Current value (`None`: unset).
    pub value: Option<String>,
    /// The built-in default.
    pub default: Option<String>,
    /// True when the value equals the default.
    pub is_default: bool,
    /// When it was last changed (`None`: never changed since installation).
    pub updated_at: Option<NaiveDateTime>,
    /// Who changed it last.
    pub updated_by: Option<String>,
    /// Meaning in Kyrgyz.
    pub help_ky: String,
    /// Meaning in Russian.
    pub help_ru: String,
}

fn spec(key: &str) -> Result<&'static SettingSpec> {
    SETTINGS.iter().find(|s| s.key == key).ok_or_else(|| {
        let known: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
        StoreError::Invalid(format!(
            "unknown setting {key:?}; one of {}",
            known.join(", ")
        ))
    })
}

/// Check and normalise a value for `key`. `Ok(None)` unsets the key (only `backup_dir`,
/// with an empty value).
pub fn validate_setting(key: &str, value: &str) -> Result<Option<String>> {
    let sp = spec(key)?;
    let v = value.trim();
    let number = |lo: u32, hi: u32| -> Result<Option<String>> {
        match v.parse::<u32>() {
            Ok(n) if (lo..=hi).contains(&n) => Ok(Some(n.to_string())),
            _ => Err(StoreError::Invalid(format!(
                "{} must be a whole number from {lo} to {hi}, not {value:?}",
                sp.key
            ))),
        }
    };
    match sp.key {
        "registration_working_days" => number(0, 60),
        "consideration_days" => number(1, 366),
        "consideration_unit" => match v.to_ascii_lowercase().as_str() {
            "calendar" => Ok(Some("calendar".into())),
            "working" => Ok(Some("working".into())),
            _ => Err(StoreError::Invalid(format!(
                "consideration_unit must be calendar or working, not {value:?}"
            ))),
        },
        "anonymous_policy" => {
            if v == "register" {
                // Accepted when reading an old database, not as new input.
                return Err(StoreError::Invalid(
                    "anonymous_policy must be register_and_consider or register_only".into(),
                ));
            }
            Ok(Some(AnonymousPolicy::parse(v)?.as_str().to_string()))
        }
        "receipt_expiry_months" => number(1, 120),
        "scanner_resolution" => number(75, 1200),
        "scanner_device" | "scanner_source" | "scanner_mode" => {
            // Passed to `scanimage` as one argument each: never an option of its own.
            if v.starts_with('-') || v.chars().any(char::is_control) || v.len() > 200 {
                return Err(StoreError::Invalid(format!(
                    "{} must be a name as `scanimage` shows it, not {value:?}",
                    sp.key
                )));
            }
            Ok((!v.is_empty()).then(|| v.to_string()))
        }
        "backup_dir" => {
            if v.is_empty() {
                return Ok(None);
            }
            if !std::path::Path::new(v).is_absolute() {
                return Err(StoreError::Invalid(format!(
                    "backup_dir must be a full path (like /var/backups/ishenim), not {value:?}"
                )));
            }
            Ok(Some(v.to_string()))
        }
        _ => Err(StoreError::Invalid(format!("unknown setting {key:?}"))),
    }
}

/// Write one (already validated) setting with who and when, inside `tx`.
pub(crate) fn write_setting(
    c: &Connection,
    key: &str,
    value: Option<&str>,
    user: &str,
) -> Result<()> {
    match value {
        Some(v) => {
            c.execute(
                "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value,
                     updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                params![key, v, fmt_ts(now()), user],
            )?;
        }
        None => {
            c.execute("DELETE FROM settings WHERE key = ?1", [key])?;
        }
    }
    Ok(())
}

/// The anonymous-appeal policy (default when unset).
pub(crate) fn load_anonymous_policy(c: &Connection) -> Result<AnonymousPolicy> {
    let v: Option<String> = c
        .prepare_cached("SELECT value FROM settings WHERE key = 'anonymous_policy'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    match v {
        None => Ok(AnonymousPolicy::default()),
        Some(v) => AnonymousPolicy::parse(&v)
            .map_err(|_| StoreError::Malformed(format!("setting anonymous_policy = {v:?}"))),
    }
}

impl Store {
    /// Every known setting with its value, default and last change.
    pub fn settings(&self) -> Result<Vec<SettingValue>> {
        let c = self.conn()?;
        let mut st =
            c.prepare("SELECT value, updated_at, updated_by FROM settings WHERE key = ?1")?;
        let mut out = Vec::with_capacity(SETTINGS.len());
        for sp in SETTINGS {
            let row: Option<(String, Option<String>, Option<String>)> = st
                .query_row([sp.key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let (value, at, by) = match row {
                Some((v, at, by)) => (Some(v), at, by),
                None => (sp.default.map(str::to_string), None, None),
            };
            out.push(SettingValue {
                key: sp.key.to_string(),
                is_default: value.as_deref() == sp.default,
                value,
                default: sp.default.map(str::to_string),
                updated_at: at.as_deref().map(parse_ts).transpose()?,
                updated_by: by,
                help_ky: sp.help_ky.to_string(),
                help_ru: sp.help_ru.to_string(),
            });
        }
        Ok(out)
    }

    /// The raw value of a setting, if stored.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        let c = self.conn()?;
        Ok(
            c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?,
        )
    }

    /// Change one setting (admin; audited as `settings` with the key). The value is checked
    /// first ([`validate_setting`]); an unknown key or a bad value is
    /// [`StoreError::Invalid`] and nothing is written. Returns the setting as it now reads.
    pub fn set_setting(&self, key: &str, value: &str, user: &str) -> Result<SettingValue> {
        let key = required("setting key", key)?;
        let user = required("user", user)?;
        let value = validate_setting(&key, value)?;
        {
            let mut c = self.conn()?;
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            write_setting(&tx, &key, value.as_deref(), &user)?;
            // The deadline rules must still read back (belt and braces).
            load_settings(&tx)?;
            audit_tx(&tx, &user, "settings", &key)?;
            tx.commit()?;
        }
        self.settings()?
            .into_iter()
            .find(|s| s.key == key)
            .ok_or_else(|| StoreError::Malformed(format!("setting {key} vanished")))
    }

    /// How anonymous appeals are treated at approval.
    pub fn anonymous_policy(&self) -> Result<AnonymousPolicy> {
        let c = self.conn()?;
        load_anonymous_policy(&c)
    }

    /// The folder of the nightly backups, when the admin set one.
    pub fn backup_dir(&self) -> Result<Option<PathBuf>> {
        Ok(self
            .setting("backup_dir")?
            .filter(|s| !s.trim().is_empty())
            .map(PathBuf::from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{DeadlineSettings, DeadlineUnit};
    use crate::testutil::store;

    #[test]
    fn scanner_settings_are_names_never_options() {
        assert_eq!(
            validate_setting("scanner_device", " test:0 ").unwrap(),
            Some("test:0".into())
        );
        assert!(validate_setting("scanner_device", "--batch=/etc/x").is_err());
        assert!(validate_setting("scanner_source", "ADF Duplex").is_ok());
        assert!(validate_setting("scanner_source", "ADF\nDuplex").is_err());
        assert!(validate_setting("scanner_source", "ADF\u{7}").is_err());
        assert_eq!(validate_setting("scanner_mode", "").unwrap(), None);
        assert!(validate_setting("scanner_resolution", "50").is_err());
        assert_eq!(
            validate_setting("scanner_resolution", "300").unwrap(),
            Some("300".into())
        );
    }

    #[test]
    fn defaults_are_the_law() {
        let (_d, s) = store();
        let all = s.settings().unwrap();
        let keys: Vec<&str> = all.iter().map(|v| v.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "registration_working_days",
                "consideration_days",
                "consideration_unit",
                "anonymous_policy",
                "backup_dir",
                "receipt_expiry_months",
                "scanner_device",
                "scanner_source",
                "scanner_mode",
                "scanner_resolution"
            ]
        );
        assert!(all.iter().all(|v| v.is_default && v.updated_at.is_none()));
        assert_eq!(all[3].value.as_deref(), Some("register_and_consider"));
        assert_eq!(all[4].value, None);
        assert_eq!(s.deadline_settings().unwrap(), DeadlineSettings::default());
        assert_eq!(
            s.anonymous_policy().unwrap(),
            AnonymousPolicy::RegisterAndConsider
        );
        assert_eq!(s.backup_dir().unwrap(), None);
    }

    /// (key, value, normalised value or None when refused), one case a line.
    #[test]
    fn values_are_validated() {
        let cases: &[(&str, &str, Option<Option<&str>>)] = &[
            ("registration_working_days", "0", Some(Some("0"))),
            ("registration_working_days", " 2 ", Some(Some("2"))),
            ("registration_working_days", "61", None),
            ("registration_working_days", "-1", None),
            ("consideration_days", "10", Some(Some("10"))),
            ("consideration_days", "0", None),
            ("consideration_days", "367", None),
            ("consideration_days", "ten", None),
            ("consideration_unit", "Working", Some(Some("working"))),
            ("consideration_unit", "calendar", Some(Some("calendar"))),
            ("consideration_unit", "weeks", None),
            (
                "anonymous_policy",
                "register-only",
                Some(Some("register_only")),
            ),
            (
                "anonymous_policy",
                "register_and_consider",
                Some(Some("register_and_consider")),
            ),
            ("anonymous_policy", "register", None),
            ("anonymous_policy", "ignore", None),
            (
                "backup_dir",
                "/var/backups/ishenim",
                Some(Some("/var/backups/ishenim")),
            ),
            ("backup_dir", "", Some(None)),
            ("backup_dir", "backups", None),
            ("colour", "red", None),
        ];
        for (k, v, want) in cases {
            let got = validate_setting(k, v).ok();
            assert_eq!(got, want.map(|o| o.map(str::to_string)), "{k} = {v:?}");
        }
    }

    #[test]
    fn set_is_audited_with_who_and_when_and_refusals_write_nothing() {
        let (_d, s) = store();
        let v = s.set_setting("consideration_days", "10", "admin").unwrap();
        assert_eq!(v.value.as_deref(), Some("10"));
        assert!(!v.is_default);
        assert_eq!(v.updated_by.as_deref(), Some("admin"));
        assert!(v.updated_at.is_some());
        s.set_setting("consideration_unit", "working", "admin")
            .unwrap();
        assert_eq!(
            s.deadline_settings().unwrap(),
            DeadlineSettings {
                registration_working_days: 1,
                consideration_days: 10,
                consideration_unit: DeadlineUnit::Working,
            }
        );
        let audits_before = s.list_audit(100).unwrap().len();
        assert!(s.set_setting("consideration_days", "abc", "admin").is_err());
        assert!(s.set_setting("nonsense", "1", "admin").is_err());
        assert!(s.set_setting("consideration_days", "12", " ").is_err());
        assert_eq!(s.list_audit(100).unwrap().len(), audits_before);
        assert_eq!(s.deadline_settings().unwrap().consideration_days, 10);
        s.set_setting("backup_dir", "/srv/backup", "admin").unwrap();
        assert_eq!(s.backup_dir().unwrap(), Some(PathBuf::from("/srv/backup")));
        s.set_setting("backup_dir", "", "admin").unwrap();
        assert_eq!(s.backup_dir().unwrap(), None);
        s.set_setting("anonymous_policy", "register_only", "admin")
            .unwrap();
        assert_eq!(s.anonymous_policy().unwrap(), AnonymousPolicy::RegisterOnly);
        let audits: Vec<_> = s
            .list_audit(100)
            .unwrap()
            .into_iter()
            .filter(|a| a.action == "settings")
            .map(|a| a.object)
            .collect();
        assert!(
            audits.contains(&"consideration_days".to_string()),
            "{audits:?}"
        );
        assert!(
            audits.contains(&"anonymous_policy".to_string()),
            "{audits:?}"
        );
    }
}
