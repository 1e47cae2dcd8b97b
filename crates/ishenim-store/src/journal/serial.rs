//! The journal serial (`2026-0001`).

use super::*;

/// A journal serial: one journal per calendar year, numbers from 1, gap-free.
/// Displayed and serialised as `2026-0001`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Serial {
    /// Registration year.
    pub year: i32,
    /// Number within the year, from 1.
    pub number: u32,
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:04}", self.year, self.number)
    }
}

impl FromStr for Serial {
    type Err = StoreError;
    /// Parses `2026-0001` (also `2026-1`, `2026/1`, `2026-00001`).
    fn from_str(s: &str) -> Result<Self> {
        let bad = || StoreError::Invalid(format!("not a serial (expected like 2026-0001): {s:?}"));
        let t = s.trim();
        let (y, n) = t.split_once(['-', '/']).ok_or_else(bad)?;
        let year: i32 = y.trim().parse().map_err(|_| bad())?;
        let number: u32 = n.trim().parse().map_err(|_| bad())?;
        if !(1000..=9999).contains(&year) || number == 0 {
            return Err(bad());
        }
        Ok(Serial { year, number })
    }
}

impl Serialize for Serial {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Serial {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
