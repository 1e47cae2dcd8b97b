//! Users (argon2id), web sessions and the append-only audit log.

use crate::{fmt_ts, now, parse_ts, required, Result, Store, StoreError, UserId};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{Duration, NaiveDateTime};
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Uploads scans, records follow-up.
    Clerk,
    /// Approves and rejects drafts, amends entries.
    Reviewer,
    /// Box-opening commission member.
    Commission,
    /// Manages users, calendar, settings.
    Admin,
}

impl Role {
    /// Database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Reviewer => "reviewer",
            Role::Commission => "commission",
            Role::Admin => "admin",
        }
    }

    /// Parse the database / command-line spelling.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s.trim() {
            "clerk" => Role::Clerk,
            "reviewer" => Role::Reviewer,
            "commission" => Role::Commission,
            "admin" => Role::Admin,
            other => {
                return Err(StoreError::Invalid(format!(
                    "unknown role {other:?} (clerk, reviewer, commission, admin)"
                )))
            }
        })
    }
}

/// A user account (never carries the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub login: String,
    /// Role.
    pub role: Role,
    /// Interface language (`ky` or `ru`).
    pub lang: String,
    /// False when disabled (cannot log in).
    pub active: bool,
    /// When created.
    pub created_at: NaiveDateTime,
}

/// A freshly created session: give `token` to the browser (cookie) and `csrf` to forms.
/// Only a hash of the token is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Session token (hex, 256 bits). Not stored; keep it secret.
    pub token: String,
    /// CSRF synchroniser token (hex, 256 bits).
    pub csrf: String,
    /// Expiry time.
    pub expires_at: NaiveDateTime,
}

/// A live session looked up by token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The logged-in user.
    pub user: User,
    /// CSRF token to compare (in constant time) with the form field.
    pub csrf: String,
    /// Expiry time.
    pub expires_at: NaiveDateTime,
}

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Id.
    pub id: i64,
    /// When.
    pub at: NaiveDateTime,
    /// Who (login).
    pub user: String,
    /// What (`approve`, `reject`, `amend`, `view`, `export`, `backup`, `login`, ...).
    pub action: String,
    /// On what (`entry 2026-0001`, `draft 12`, ...); never appeal text.
    pub object: String,
}

pub(crate) fn audit_tx(c: &Connection, user: &str, action: &str, object: &str) -> Result<()> {
    c.prepare_cached("INSERT INTO audit (at, user, action, object) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![fmt_ts(now()), user, action, object])?;
    Ok(())
}

fn random_hex() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Password(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Password(e.to_string()))
}

fn check_password(phc: &str, password: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

fn check_new_password(password: &str) -> Result<()> {
    if password.chars().count() < 8 {
        return Err(StoreError::Invalid(
            "the password must have at least 8 characters".into(),
        ));
    }
    Ok(())
}

/// Longest login in characters.
pub const MAX_LOGIN: usize = 64;

/// A login as it is stored and compared: trimmed, 1–[`MAX_LOGIN`] letters (any script),
/// digits, `.`, `_` and `-`. Every place that takes a login from a person (forms, URLs,
/// the command line) goes through this once, so a trailing space or a `/` can neither
/// name a second account nor slip past a comparison with the signed-in user.
pub fn normalize_login(login: &str) -> Result<String> {
    let l = login.trim();
    if l.is_empty() {
        return Err(StoreError::Invalid("login must not be empty".into()));
    }
    if l.chars().count() > MAX_LOGIN {
        return Err(StoreError::Invalid(format!(
            "a login has at most {MAX_LOGIN} characters"
        )));
    }
    if !l
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(StoreError::Invalid(
            "a login has only letters, digits, '.', '_' and '-'".into(),
        ));
    }
    Ok(l.to_string())
}

/// Refuses a change that would leave no active admin (nobody could manage users any
/// more), whoever asks: `login` is about to lose the admin role or be disabled.
fn keep_an_admin(tx: &Connection, login: &str) -> Result<()> {
    let others: i64 = tx.query_row(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active AND login <> ?1",
        [login],
        |r| r.get(0),
    )?;
    let is_admin: bool = tx
        .query_row(
            "SELECT role = 'admin' AND active FROM users WHERE login = ?1",
            [login],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    if is_admin && others == 0 {
        return Err(StoreError::Conflict(
            "the last active admin cannot be demoted or disabled".into(),
        ));
    }
    Ok(())
}

const USER_SELECT: &str = "SELECT id, login, role, lang, active, created_at FROM users";

fn user_row(r: &Row<'_>) -> rusqlite::Result<(User, String, String)> {
    Ok((
        User {
            id: UserId(r.get(0)?),
            login: r.get(1)?,
            role: Role::Clerk,
            lang: r.get(3)?,
            active: r.get(4)?,
            created_at: NaiveDateTime::default(),
        },
        r.get(2)?,
        r.get(5)?,
    ))
}

fn finish_user(t: (User, String, String)) -> Result<User> {
    let (mut u, role, created) = t;
    u.role = Role::parse(&role).map_err(|_| StoreError::Malformed(format!("role {role:?}")))?;
    u.created_at = parse_ts(&created)?;
    Ok(u)
}

impl Store {
    /// Create a user with an Argon2id (default parameters) password hash stored as a PHC
    /// string. `lang` is `ky` or `ru`. Hashing takes tens of milliseconds: call it from
    /// `spawn_blocking` in async code.
    pub fn add_user(&self, login: &str, password: &str, role: Role, lang: &str) -> Result<UserId> {
        let login = normalize_login(login)?;
        let lang = match lang.trim() {
            "ky" | "ru" => lang.trim().to_string(),
            other => {
                return Err(StoreError::Invalid(format!(
                    "language must be ky or ru, not {other:?}"
                )))
            }
        };
        check_new_password(password)?;
        let phc = hash_password(password)?;
        let c = self.conn()?;
        let res = c.execute(
            "INSERT INTO users (login, phc, role, lang, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![login, phc, role.as_str(), lang, fmt_ts(now())],
        );
        match res {
            Ok(_) => Ok(UserId(c.last_insert_rowid())),
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(StoreError::Conflict(format!("user {login} already exists")))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Check a login and password. Returns the user when they match and the account is
    /// active, `None` otherwise (unknown login, wrong password, disabled). Takes the same
    /// time for unknown logins (a dummy hash is checked).
    pub fn verify_password(&self, login: &str, password: &str) -> Result<Option<User>> {
        let row = {
            let c = self.conn()?;
            c.query_row(
                "SELECT phc, id, login, role, lang, active, created_at FROM users WHERE login = ?1",
                [login.trim()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        User {
                            id: UserId(r.get(1)?),
                            login: r.get(2)?,
                            role: Role::Clerk,
                            lang: r.get(4)?,
                            active: r.get(5)?,
                            created_at: NaiveDateTime::default(),
                        },
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(6)?,
                    ))
                },
            )
            .optional()?
        };
        match row {
            None => {
                // Same work as a real check, so timing does not reveal logins.
                let _ = check_password(DUMMY_PHC, password);
                Ok(None)
            }
            Some((phc, user, role, created)) => {
                if !check_password(&phc, password) || !user.active {
                    return Ok(None);
                }
                Ok(Some(finish_user((user, role, created))?))
            }
        }
    }

    /// Change a user's password. Every session of the account ends: whoever knew the old
    /// password (or held a session opened with it) is signed out.
    pub fn set_password(&self, login: &str, password: &str) -> Result<()> {
        check_new_password(password)?;
        let phc = hash_password(password)?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE users SET phc = ?2 WHERE login = ?1",
            params![login.trim(), phc],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("user {login}")));
        }
        tx.execute(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE login = ?1)",
            [login.trim()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Change a user's interface language (`ky` or `ru`).
    pub fn set_user_lang(&self, login: &str, lang: &str) -> Result<()> {
        let lang = match lang.trim() {
            l @ ("ky" | "ru") => l,
            other => {
                return Err(StoreError::Invalid(format!(
                    "language must be ky or ru, not {other:?}"
                )))
            }
        };
        let c = self.conn()?;
        let n = c.execute(
            "UPDATE users SET lang = ?2 WHERE login = ?1",
            params![login.trim(), lang],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("user {login}")));
        }
        Ok(())
    }

    /// Change a user's role (their sessions end, so the new role applies at once). The
    /// last active admin keeps the role ([`StoreError::Conflict`]).
    pub fn set_user_role(&self, login: &str, role: Role) -> Result<()> {
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if role != Role::Admin {
            keep_an_admin(&tx, login.trim())?;
        }
        let n = tx.execute(
            "UPDATE users SET role = ?2 WHERE login = ?1",
            params![login.trim(), role.as_str()],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("user {login}")));
        }
        tx.execute(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE login = ?1)",
            [login.trim()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Enable or disable a user; disabling also ends their sessions. The last active
    /// admin cannot be disabled ([`StoreError::Conflict`]).
    pub fn set_user_active(&self, login: &str, active: bool) -> Result<()> {
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if !active {
            keep_an_admin(&tx, login.trim())?;
        }
        let n = tx.execute(
            "UPDATE users SET active = ?2 WHERE login = ?1",
            params![login.trim(), active],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("user {login}")));
        }
        if !active {
            tx.execute(
                "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE login = ?1)",
                [login.trim()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// All users by login.
    pub fn list_users(&self) -> Result<Vec<User>> {
        let c = self.conn()?;
        let mut st = c.prepare(&format!("{USER_SELECT} ORDER BY login"))?;
        let rows = st.query_map([], user_row)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(finish_user(r?)?);
        }
        Ok(out)
    }

    /// One user by login.
    pub fn get_user(&self, login: &str) -> Result<Option<User>> {
        let c = self.conn()?;
        let t = c
            .query_row(
                &format!("{USER_SELECT} WHERE login = ?1"),
                [login.trim()],
                user_row,
            )
            .optional()?;
        t.map(finish_user).transpose()
    }

    /// Start a session for `user` lasting `ttl`. Call after a successful login (this also
    /// gives a fresh id, so the id is rotated on login).
    pub fn create_session(&self, user: UserId, ttl: Duration) -> Result<NewSession> {
        let token = random_hex();
        let csrf = random_hex();
        let created = now();
        let expires_at = created
            .checked_add_signed(ttl)
            .ok_or_else(|| StoreError::Invalid("session lifetime too long".into()))?;
        let c = self.conn()?;
        c.execute(
            "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash(&token), user.0, csrf, fmt_ts(created), fmt_ts(expires_at)],
        )
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                StoreError::NotFound(format!("user {user}"))
            }
            e => e.into(),
        })?;
        Ok(NewSession {
            token,
            csrf,
            expires_at,
        })
    }

    /// Look up a live session by its token; expired sessions and disabled users give `None`.
    pub fn session(&self, token: &str) -> Result<Option<SessionInfo>> {
        let c = self.conn()?;
        let row = c
            .query_row(
                "SELECT u.id, u.login, u.role, u.lang, u.active, u.created_at, s.csrf, s.expires_at
                 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?1",
                [token_hash(token)],
                |r| Ok((user_row(r)?, r.get::<_, String>(6)?, r.get::<_, String>(7)?)),
            )
            .optional()?;
        let Some((u, csrf, exp)) = row else {
            return Ok(None);
        };
        let user = finish_user(u)?;
        let expires_at = parse_ts(&exp)?;
        if expires_at <= now() || !user.active {
            return Ok(None);
        }
        Ok(Some(SessionInfo {
            user,
            csrf,
            expires_at,
        }))
    }

    /// End a session (logout).
    pub fn delete_session(&self, token: &str) -> Result<()> {
        let c = self.conn()?;
        c.execute(
            "DELETE FROM sessions WHERE id_hash = ?1",
            [token_hash(token)],
        )?;
        Ok(())
    }

    /// Delete expired sessions; returns how many.
    pub fn purge_sessions(&self) -> Result<usize> {
        let c = self.conn()?;
        Ok(c.execute(
            "DELETE FROM sessions WHERE expires_at <= ?1",
            [fmt_ts(now())],
        )?)
    }

    /// Append an audit record: `user` did `action` on `object` (ids only, never appeal text).
    pub fn audit(&self, user: &str, action: &str, object: &str) -> Result<()> {
        let user = required("user", user)?;
        let action = required("action", action)?;
        let c = self.conn()?;
        audit_tx(&c, &user, &action, object.trim())
    }

    /// The latest `limit` audit records, newest first.
    pub fn list_audit(&self, limit: u32) -> Result<Vec<AuditRecord>> {
        let c = self.conn()?;
        let mut st =
            c.prepare("SELECT id, at, user, action, object FROM audit ORDER BY id DESC LIMIT ?1")?;
        let rows = st.query_map([limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (id, at, user, action, object) = r?;
            out.push(AuditRecord {
                id,
                at: parse_ts(&at)?,
                user,
                action,
                object,
            });
        }
        Ok(out)
    }
}

/// Argon2id hash of a random password, used to equalise timing for unknown logins.
const DUMMY_PHC: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$J7zEmXy9KqfcJ3uS4Ot0pQGcCSkqf1S4Yz1BpPUpK6s";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::store;

    #[test]
    fn users_passwords_sessions_audit() {
        let (_d, s) = store();
        let id = s
            .add_user("aida", "correct horse", Role::Reviewer, "ky")
            .unwrap();
        assert!(matches!(
            s.add_user("aida", "another pw", Role::Clerk, "ru"),
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            s.add_user("bob", "short", Role::Clerk, "ru"),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            s.add_user("bob", "longenough", Role::Clerk, "en"),
            Err(StoreError::Invalid(_))
        ));
        let phc: String = s
            .conn()
            .unwrap()
            .query_row("SELECT phc FROM users", [], |r| r.get(0))
            .unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        let u = s.verify_password("aida", "correct horse").unwrap().unwrap();
        assert_eq!((u.id, u.role), (id, Role::Reviewer));
        assert!(s.verify_password("aida", "wrong").unwrap().is_none());
        assert!(s
            .verify_password("nobody", "correct horse")
            .unwrap()
            .is_none());
        let sess = s.create_session(id, Duration::hours(8)).unwrap();
        let info = s.session(&sess.token).unwrap().unwrap();
        assert_eq!(info.user.login, "aida");
        assert_eq!(info.csrf, sess.csrf);
        let stored: String = s
            .conn()
            .unwrap()
            .query_row("SELECT id_hash FROM sessions", [], |r| r.get(0))
            .unwrap();
        assert_ne!(stored, sess.token, "only the hash is stored");
        s.set_user_active("aida", false).unwrap();
        assert!(s.session(&sess.token).unwrap().is_none());
        assert!(s
            .verify_password("aida", "correct horse")
            .unwrap()
            .is_none());
        s.set_user_active("aida", true).unwrap();
        let expired = s.create_session(id, Duration::seconds(-1)).unwrap();
        assert!(s.session(&expired.token).unwrap().is_none());
        assert_eq!(s.purge_sessions().unwrap(), 1);
        s.set_password("aida", "new password").unwrap();
        assert!(s.verify_password("aida", "new password").unwrap().is_some());
        s.audit("aida", "export", "journal 2026").unwrap();
        let a = s.list_audit(10).unwrap();
        assert_eq!(a[0].action, "export");
        assert_eq!(Role::parse("admin").unwrap(), Role::Admin);
        assert!(Role::parse("root").is_err());
    }

    #[test]
    fn a_password_change_ends_every_session_of_the_account() {
        let (_d, s) = store();
        let a = s
            .add_user("aida", "correct horse", Role::Clerk, "ky")
            .unwrap();
        let b = s
            .add_user("bek", "correct horse", Role::Clerk, "ky")
            .unwrap();
        let (a1, a2) = (
            s.create_session(a, Duration::hours(8)).unwrap(),
            s.create_session(a, Duration::hours(8)).unwrap(),
        );
        let other = s.create_session(b, Duration::hours(8)).unwrap();
        s.set_password("aida ", "battery staple").unwrap();
        assert!(s.session(&a1.token).unwrap().is_none());
        assert!(s.session(&a2.token).unwrap().is_none());
        assert!(s.session(&other.token).unwrap().is_some(), "others stay");
    }

    #[test]
    fn logins_are_letters_digits_dot_underscore_dash_only() {
        assert_eq!(normalize_login("  aida.b_k-1 ").unwrap(), "aida.b_k-1");
        assert_eq!(normalize_login("Айгүл").unwrap(), "Айгүл");
        for bad in [
            "", "   ", "a/b", "a b", "a\\b", "a%2F", "a\tb", "a?b", "a#b",
        ] {
            assert!(normalize_login(bad).is_err(), "{bad:?}");
        }
        assert!(normalize_login(&"a".repeat(MAX_LOGIN)).is_ok());
        assert!(normalize_login(&"a".repeat(MAX_LOGIN + 1)).is_err());
        let (_d, s) = store();
        assert!(matches!(
            s.add_user("clerk/1", "correct horse", Role::Clerk, "ky"),
            Err(StoreError::Invalid(_))
        ));
        s.add_user(" aida ", "correct horse", Role::Clerk, "ky")
            .unwrap();
        assert!(s.get_user("aida").unwrap().is_some(), "stored trimmed");
    }

    #[test]
    fn the_last_active_admin_is_never_demoted_or_disabled() {
        let (_d, s) = store();
        s.add_user("root", "correct horse", Role::Admin, "ky")
            .unwrap();
        s.add_user("aida", "correct horse", Role::Clerk, "ky")
            .unwrap();
        for r in [
            s.set_user_role("root", Role::Clerk),
            s.set_user_role("root ", Role::Reviewer),
            s.set_user_active("root", false),
        ] {
            assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
        }
        s.set_user_role("root", Role::Admin).unwrap();
        s.set_user_role("aida", Role::Admin).unwrap();
        s.set_user_active("root", false).unwrap();
        assert!(matches!(
            s.set_user_role("aida", Role::Clerk),
            Err(StoreError::Conflict(_))
        ));
        s.set_user_active("root", true).unwrap();
        s.set_user_role("aida", Role::Clerk).unwrap();
        s.set_user_active("aida", false).unwrap();
    }
}
