//! Password hashing with argon2id (PHC strings), and password rules.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::sync::OnceLock;

use crate::StoreError;
use mamori_core::problem::Problem;

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 12;

/// Hashes a password with argon2id and a fresh random salt. CPU-heavy: call it from
/// a blocking task.
pub fn hash(password: &str) -> Result<String, StoreError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored hash. When there is no stored hash (unknown
/// user), a dummy hash is checked instead so that timing does not reveal which
/// user names exist.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let dummy = dummy_hash();
    let (candidate, real) = match stored {
        Some(h) => (h, true),
        None => (dummy, false),
    };
    let ok = match PasswordHash::new(candidate) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    };
    ok && real
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash("mamori-dummy-password-for-timing").unwrap_or_default())
}

/// Checks a new password against the rules; the message names what is wrong.
pub fn check_strength(password: &str, username: &str) -> Result<(), StoreError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(Problem::new("MAMORI-PASSWORD-TOO-SHORT")
            .field("password")
            .with("min", MIN_LENGTH)
            .into());
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(Problem::new("MAMORI-PASSWORD-HAS-USERNAME")
            .field("password")
            .into());
    }
    Ok(())
}

/// A random password for a new account, printed once.
pub fn random_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", Some(&h)));
        assert!(!verify("wrong horse battery", Some(&h)));
        assert!(!verify("correct horse battery", None));
    }

    #[test]
    fn strength_rules() {
        assert!(check_strength("short", "admin").is_err());
        assert!(check_strength("admin-admin-admin", "admin").is_err());
        assert!(check_strength("a long enough passphrase", "admin").is_ok());
        assert_eq!(random_password().len(), 20);
    }
}
