//! `ishenim user add|list`: accounts for the web queue. Passwords never come from the
//! command line (they would land in the shell history and `ps`).

use crate::cmd::ctx::Global;
use anyhow::Context;
use ishenim_store::Role;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

/// `ishenim user ...`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Create a user (password from --password-stdin or typed at the prompt).
    Add {
        /// Login (no spaces).
        login: String,
        /// clerk, reviewer, commission or admin.
        #[arg(long, required = true, value_parser = ["clerk", "reviewer", "commission", "admin"])]
        role: String,
        /// Interface language: ky or ru.
        #[arg(long, default_value = "ky", value_parser = ["ky", "ru"])]
        lang: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List {
        /// One JSON object per user.
        #[arg(long)]
        json: bool,
    },
}

/// The first line of `input` without its line ending.
fn first_line(input: &mut impl BufRead) -> anyhow::Result<String> {
    let mut line = String::new();
    input
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        return first_line(&mut std::io::stdin().lock());
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("no terminal to ask for the password: use --password-stdin");
    }
    let p1 = rpassword::prompt_password("Сырсөз / Пароль: ").context("reading the password")?;
    let p2 =
        rpassword::prompt_password("Кайталаңыз / Повторите: ").context("reading the password")?;
    if p1 != p2 {
        anyhow::bail!("the two passwords differ / сырсөздөр дал келбейт / пароли не совпадают");
    }
    Ok(p1)
}

/// Runs the command.
pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        Command::Add {
            login,
            role,
            lang,
            password_stdin,
        } => {
            let role = Role::parse(&role)?;
            let password = read_password(password_stdin)?;
            let store = global.store()?;
            let id = store
                .add_user(&login, &password, role, &lang)
                .with_context(|| format!("adding user {login}"))?;
            store.audit(&global.user(), "add_user", &format!("user {id}"))?;
            writeln!(out, "user {login} added (id {id}, {})", role.as_str())?;
        }
        Command::List { json } => {
            let store = global.existing_store()?;
            for u in store.list_users()? {
                if json {
                    serde_json::to_writer(&mut out, &u)?;
                    writeln!(out)?;
                } else {
                    writeln!(
                        out,
                        "{:>4} {:<20} {:<10} {} {}",
                        u.id.0,
                        u.login,
                        u.role.as_str(),
                        u.lang,
                        if u.active { "" } else { "disabled" }
                    )?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_line_keeps_spaces_and_drops_the_line_end() {
        let mut r = std::io::Cursor::new(b" s3cret pass \r\nnext\n".to_vec());
        assert_eq!(first_line(&mut r).ok().as_deref(), Some(" s3cret pass "));
        let mut empty = std::io::Cursor::new(Vec::new());
        assert_eq!(first_line(&mut empty).ok().as_deref(), Some(""));
    }
}
