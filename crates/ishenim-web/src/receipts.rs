//! Receipt codes between the code crate and the register: issuing slips, the keyed hash
//! of a code, the reviewer's warnings, the status lookup, the notice board, and the rate
//! limit of the public status page. Shared by the web pages and the `ishenim` command.

use ishenim_receipt::sheet::BoardRow;
use ishenim_receipt::{Code, Secret};
use ishenim_store::{ReceiptLink, ReceiptStatus, Store, StoreError};
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most slips printed in one go (a box needs a few sheets; a typo of 100000 should not
/// fill the register).
pub const MAX_SLIPS: usize = 1000;

/// The register's secret as a key.
pub fn secret(store: &Store) -> Result<Secret, StoreError> {
    let bytes = store.receipt_secret()?;
    Secret::from_bytes(&bytes).ok_or_else(|| StoreError::Malformed("receipt secret length".into()))
}

/// What the register stores of a code when it is linked: keyed hash and board prefix.
pub fn link_for(store: &Store, code: &Code) -> Result<ReceiptLink, StoreError> {
    Ok(ReceiptLink {
        hash: secret(store)?.hash(code),
        prefix: code.prefix(),
    })
}

/// Makes `n` new codes from the OS random generator and records their hashes (one
/// transaction). The codes themselves are returned for printing and kept nowhere.
pub fn issue(store: &Store, n: usize, user: &str) -> Result<Vec<Code>, StoreError> {
    if n == 0 || n > MAX_SLIPS {
        return Err(StoreError::Invalid(format!(
            "slips: from 1 to {MAX_SLIPS}, not {n}"
        )));
    }
    let key = secret(store)?;
    let mut codes = Vec::with_capacity(n);
    while codes.len() < n {
        let code = Code::generate().map_err(|e| StoreError::Malformed(e.to_string()))?;
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    let hashes: Vec<String> = codes.iter().map(|c| key.hash(c)).collect();
    store.issue_receipts(&hashes, user)?;
    Ok(codes)
}

/// The reviewer's warnings about a code (message keys with a value): never issued here,
/// already linked to other entries. Neither stops the approval.
pub fn warnings(store: &Store, code: &Code) -> Result<Vec<(String, String)>, StoreError> {
    let check = store.receipt_check(&secret(store)?.hash(code))?;
    let mut out = Vec::new();
    if !check.issued {
        out.push(("receipt_not_issued".to_string(), String::new()));
    }
    for s in check.used_by {
        out.push(("receipt_used_by".to_string(), s.to_string()));
    }
    Ok(out)
}

/// The status lookup of a typed code. A text that is not a valid code is looked up as a
/// random code, so it costs the same time and leaves the same audit line as an unknown
/// code, and gets the same (empty) answer.
pub fn lookup(
    store: &Store,
    typed: &str,
    who: &str,
    today: chrono::NaiveDate,
) -> Result<Vec<ReceiptStatus>, StoreError> {
    let key = secret(store)?;
    let (code, real) = match Code::parse(typed) {
        Ok(c) => (c, true),
        Err(_) => (
            Code::generate().map_err(|e| StoreError::Malformed(e.to_string()))?,
            false,
        ),
    };
    let found = store.receipt_lookup(&key.hash(&code), who, today)?;
    Ok(if real { found } else { Vec::new() })
}

/// The notice board's lines: code prefix and stage in both languages.
pub fn board_rows(store: &Store, today: chrono::NaiveDate) -> Result<Vec<BoardRow>, StoreError> {
    Ok(store
        .receipt_board(today)?
        .into_iter()
        .map(|s| BoardRow {
            prefix: s.code_prefix.clone(),
            stage_ky: s.stage_text("ky"),
            stage_ru: s.stage_text("ru"),
        })
        .collect())
}

/// Limits of the public status page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusLimits {
    /// Lookups one client address (an IPv6 /64) may make per window.
    pub per_address: usize,
    /// Lookups all clients together may make per window.
    pub overall: usize,
    /// The window.
    pub window: Duration,
}

impl Default for StatusLimits {
    /// 10 per address and 200 in all per hour: a writer checks a few times, an office
    /// with a queue of people fits, and a guesser gets at most 4 800 tries a day against
    /// 2⁵⁵ codes.
    fn default() -> Self {
        StatusLimits {
            per_address: 10,
            overall: 200,
            window: Duration::from_secs(3600),
        }
    }
}

/// Counts lookups per address and overall in a sliding window. One mutex around both
/// counts: a lookup is allowed and counted in one step, so parallel requests can never
/// get past the limits together.
#[derive(Debug, Default)]
pub struct StatusLimiter {
    inner: Mutex<LimiterState>,
}

#[derive(Debug, Default)]
struct LimiterState {
    per: HashMap<String, VecDeque<Instant>>,
    all: VecDeque<Instant>,
}

/// The key of an address: IPv4 as is, IPv6 by its /64 (one household or phone gets a
/// whole /64 and could rotate through it).
fn addr_key(addr: Option<IpAddr>) -> String {
    match addr {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let segments = v6.segments();
            format!(
                "{:x}:{:x}:{:x}:{:x}::/64",
                segments[0], segments[1], segments[2], segments[3]
            )
        }
        None => "unknown".into(),
    }
}

impl StatusLimiter {
    /// Takes one lookup for `addr` at `now` if both limits allow it.
    pub fn take(&self, limits: &StatusLimits, addr: Option<IpAddr>, now: Instant) -> bool {
        let mut lookups = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let drop_old = |times: &mut VecDeque<Instant>| {
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= limits.window)
            {
                times.pop_front();
            }
        };
        drop_old(&mut lookups.all);
        if lookups.per.len() > 10_000 {
            // Forget addresses whose window has passed (bounded memory).
            lookups.per.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < limits.window)
            });
        }
        let key = addr_key(addr);
        let mine = lookups.per.entry(key.clone()).or_default();
        drop_old(mine);
        if mine.len() >= limits.per_address {
            return false;
        }
        mine.push_back(now);
        if lookups.all.len() >= limits.overall {
            if let Some(times) = lookups.per.get_mut(&key) {
                times.pop_back();
            }
            return false;
        }
        lookups.all.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_address_and_overall_in_a_window() {
        let l = StatusLimiter::default();
        let lim = StatusLimits {
            per_address: 3,
            overall: 5,
            window: Duration::from_secs(60),
        };
        let t0 = Instant::now();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!((0..3).all(|_| l.take(&lim, Some(a), t0)));
        assert!(!l.take(&lim, Some(a), t0));
        assert!(l.take(&lim, Some(b), t0));
        assert!(l.take(&lim, Some(b), t0));
        assert!(
            !l.take(&lim, Some("10.0.0.3".parse().unwrap()), t0),
            "overall"
        );
        let later = t0 + Duration::from_secs(61);
        assert!(l.take(&lim, Some(a), later));
        // One IPv6 /64 is one client.
        let v6 = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let l = StatusLimiter::default();
        assert!(l.take(&lim, v6("2001:db8:1:2::1"), t0));
        assert!(l.take(&lim, v6("2001:db8:1:2::2"), t0));
        assert!(l.take(&lim, v6("2001:db8:1:2:ffff::3"), t0));
        assert!(!l.take(&lim, v6("2001:db8:1:2::4"), t0));
        assert!(l.take(&lim, v6("2001:db8:1:3::1"), t0));
    }

    #[test]
    fn parallel_takes_never_pass_the_limit() {
        let l = std::sync::Arc::new(StatusLimiter::default());
        let lim = StatusLimits {
            per_address: 7,
            overall: 100,
            window: Duration::from_secs(60),
        };
        let t0 = Instant::now();
        let a: IpAddr = "10.0.0.9".parse().unwrap();
        let ok: usize = (0..8)
            .map(|_| {
                let l = l.clone();
                std::thread::spawn(move || (0..50).filter(|_| l.take(&lim, Some(a), t0)).count())
            })
            .map(|h| h.join().unwrap())
            .sum();
        assert_eq!(ok, 7);
    }

    #[test]
    fn issue_link_lookup_and_board() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let codes = issue(&s, 3, "clerk").unwrap();
        assert_eq!(codes.len(), 3);
        assert!(issue(&s, 0, "clerk").is_err());
        assert_eq!(s.receipts_issued().unwrap(), 3);
        assert!(warnings(&s, &codes[0]).unwrap().is_empty());
        let other = Code::generate().unwrap();
        assert_eq!(warnings(&s, &other).unwrap()[0].0, "receipt_not_issued");
        let today = chrono::Local::now().date_naive();
        assert!(lookup(&s, &codes[0].to_string(), "public", today)
            .unwrap()
            .is_empty());
        assert!(lookup(&s, "nonsense", "public", today).unwrap().is_empty());
        assert!(board_rows(&s, today).unwrap().is_empty());
        let l = link_for(&s, &codes[0]).unwrap();
        assert_eq!(l.prefix, codes[0].prefix());
        assert_eq!(l.hash.len(), 64);
    }
}
