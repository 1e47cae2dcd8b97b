//! The keyed hash under which the register knows a code: HMAC-SHA-256 with a secret of
//! the register. The register never stores a code, so whoever copies the database cannot
//! read the codes off it, and without the secret cannot test guesses against it either.

use crate::Code;
use hmac::{Hmac, Mac};
use rand::TryRngCore;
use sha2::Sha256;

/// Bytes of a register secret.
pub const SECRET_LEN: usize = 32;

/// A register's secret key (random, made once per register, kept in the register).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; SECRET_LEN]);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// A new secret from the OS random generator.
    pub fn generate() -> Result<Secret, crate::CodeError> {
        let mut b = [0u8; SECRET_LEN];
        rand::rngs::OsRng
            .try_fill_bytes(&mut b)
            .map_err(|e| crate::CodeError::Random(e.to_string()))?;
        Ok(Secret(b))
    }

    /// A secret from its stored bytes; `None` unless exactly [`SECRET_LEN`] bytes.
    pub fn from_bytes(b: &[u8]) -> Option<Secret> {
        <[u8; SECRET_LEN]>::try_from(b).ok().map(Secret)
    }

    /// The bytes to store.
    pub fn as_bytes(&self) -> &[u8; SECRET_LEN] {
        &self.0
    }

    /// The keyed hash of a code (hex, 64 characters): what the register stores.
    pub fn hash(&self, code: &Code) -> String {
        // new_from_slice accepts any key length; 32 bytes never fails.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(b"ishenim-receipt\0");
        mac.update(code.compact().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// What the audit log records of a lookup: the first 8 hex digits of the keyed hash (32
/// bits): enough to tell repeated lookups of one code apart, useless for finding the code.
pub fn audit_prefix(hash: &str) -> &str {
    hash.get(..8).unwrap_or(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_hash_depends_on_code_and_secret() {
        let (a, b) = (Secret::generate().unwrap(), Secret::generate().unwrap());
        let c = Code::generate().unwrap();
        let h = a.hash(&c);
        assert_eq!(h.len(), 64);
        assert_eq!(
            h,
            a.hash(&Code::parse(&c.to_string().to_lowercase()).unwrap())
        );
        assert_ne!(h, b.hash(&c));
        assert_ne!(h, a.hash(&Code::generate().unwrap()));
        assert!(!h.contains(&c.compact().to_lowercase()));
        assert_eq!(audit_prefix(&h).len(), 8);
        let again = Secret::from_bytes(a.as_bytes()).unwrap();
        assert_eq!(again.hash(&c), h);
        assert!(Secret::from_bytes(&[1, 2, 3]).is_none());
        assert_eq!(format!("{a:?}"), "Secret(…)");
    }

    /// RFC 4231 test case 2: the HMAC is the standard one.
    #[test]
    fn hmac_is_standard() {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
