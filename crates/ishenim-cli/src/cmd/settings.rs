//! `ishenim settings show|set KEY VALUE`: the register settings kept in the database
//! (deadlines of law No. 67, the anonymous-appeal policy, the backup folder).
//!
//! Changing a setting is an admin action: the store validates the value and writes the
//! audit record (`settings`, with the key) in the same transaction. When `--user` names an
//! account of the register, that account must be an active admin; the command line itself
//! is the machine administrator's console, so an operator name that is not an account
//! (`root`, `ishenim`) is recorded as given.

use crate::cmd::ctx::{pad, Global};
use anyhow::Context;
use ishenim_store::{Role, SettingValue};
use std::io::Write;
use std::process::ExitCode;

/// `ishenim settings ...`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Every setting with its value, default and last change.
    Show {
        /// One JSON object per setting.
        #[arg(long)]
        json: bool,
    },
    /// Change one setting (admin; audited). Keys: registration_working_days,
    /// consideration_days, consideration_unit (calendar|working), anonymous_policy
    /// (register_and_consider|register_only), backup_dir (full path; empty to unset).
    Set {
        /// Setting key.
        key: String,
        /// New value.
        value: String,
        /// Print the changed setting as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// Refuses a `--user` that is a register account without the admin role.
fn check_admin(store: &ishenim_store::Store, user: &str) -> anyhow::Result<()> {
    if let Some(account) = store.get_user(user)? {
        if account.role != Role::Admin || !account.active {
            anyhow::bail!(
                "{user} is not an admin: only an admin changes settings / \
                 жөндөөлөрдү администратор гана өзгөртөт / настройки меняет только администратор"
            );
        }
    }
    Ok(())
}

fn human_value(v: &SettingValue) -> String {
    v.value.clone().unwrap_or_else(|| "—".to_string())
}

fn print_one(out: &mut impl Write, v: &SettingValue) -> anyhow::Result<()> {
    let changed = match (&v.updated_at, &v.updated_by) {
        (Some(at), Some(by)) => format!("{} {by}", at.format("%d.%m.%Y %H:%M")),
        (Some(at), None) => at.format("%d.%m.%Y %H:%M").to_string(),
        _ => String::new(),
    };
    writeln!(
        out,
        "{} {} {} {}",
        pad(&v.key, 26),
        pad(&human_value(v), 24),
        pad(
            if v.is_default {
                "(демейки / по умолчанию)"
            } else {
                "(өзгөртүлгөн / изменено)"
            },
            26
        ),
        changed
    )?;
    writeln!(out, "    {} / {}", v.help_ky, v.help_ru)?;
    Ok(())
}

/// Runs the command.
pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        Command::Show { json } => {
            let store = global.existing_store()?;
            let all = store.settings()?;
            if json {
                for v in &all {
                    serde_json::to_writer(&mut out, v)?;
                    writeln!(out)?;
                }
            } else {
                writeln!(
                    out,
                    "Settings / Жөндөөлөр / Настройки ({})",
                    global.data.display()
                )?;
                for v in &all {
                    print_one(&mut out, v)?;
                }
            }
        }
        Command::Set { key, value, json } => {
            let store = global.store()?;
            let user = global.user();
            check_admin(&store, &user)?;
            let key = key.trim().replace('-', "_");
            let saved = store
                .set_setting(&key, &value, &user)
                .with_context(|| format!("setting {key}"))?;
            if json {
                serde_json::to_writer(&mut out, &saved)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{} = {} (saved / сакталды / сохранено)",
                    saved.key,
                    human_value(&saved)
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
