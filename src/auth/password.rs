//! Password hashes (argon2id, PHC strings with their own salt and parameters) and random
//! session tokens.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Hashes `password` with argon2id and the crate's default cost (19 MiB, 2 passes): some
/// tens of milliseconds, so callers in async code run it on a blocking thread.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let hashed = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))?;
    Ok(hashed.to_string())
}

/// Whether `password` matches the PHC string `stored`. A malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Whether `password` matches the PHC string `stored`, computing the hash in `memory`
/// (resized to the hash's cost) instead of a fresh allocation: the same as [`verify`], for
/// [`PasswordChecks`], which keeps one such buffer per concurrent check.
pub fn verify_in(password: &str, stored: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    let (Ok(algorithm), Ok(params), Some(expected), Some(salt)) =
        (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed), parsed.hash, parsed.salt)
    else {
        return false;
    };
    let version = parsed.version.map(Version::try_from).unwrap_or(Ok(Version::default()));
    let Ok(version) = version else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    memory.resize(params.block_count(), Block::default());
    let mut computed = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut computed, &mut memory[..]).is_ok()
        && constant_time_eq(&computed, expected.as_bytes())
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The most password checks at once, whatever the CPUs: 4 × 19 MiB, and some 130 sign-ins a
/// second, far more than the planners of a province need.
pub const MAX_CONCURRENT_CHECKS: usize = 4;

/// The password checks a server runs at once, and their memory.
///
/// An argon2id check holds 19 MiB for some 30 ms: a hundred simultaneous sign-ins once took
/// the server to 2.4 GB, and the allocator kept most of it afterwards. Checks therefore
/// take one of a few permits (one per CPU: more would not run faster) and reuse one of as
/// many buffers, so their memory is bounded by `permits × 19 MiB` whatever arrives.
pub struct PasswordChecks {
    permits: Arc<Semaphore>,
    buffers: Arc<Mutex<Vec<Vec<Block>>>>,
}

impl PasswordChecks {
    pub fn new(concurrency: usize) -> PasswordChecks {
        PasswordChecks { permits: Arc::new(Semaphore::new(concurrency.max(1))), buffers: Arc::default() }
    }

    /// One check per CPU, at most [`MAX_CONCURRENT_CHECKS`].
    pub fn per_cpu() -> PasswordChecks {
        let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        PasswordChecks::new(cpus.min(MAX_CONCURRENT_CHECKS))
    }

    /// Checks `password` against `stored` on a blocking thread once a permit is free;
    /// `None` when none frees up within `wait` (then nothing was hashed).
    pub async fn verify(&self, password: String, stored: String, wait: Duration) -> Option<bool> {
        let permit = tokio::time::timeout(wait, self.permits.clone().acquire_owned()).await.ok()?.ok()?;
        let buffers = self.buffers.clone();
        let checked = tokio::task::spawn_blocking(move || {
            let mut memory = buffers.lock().map(|mut b| b.pop()).ok().flatten().unwrap_or_default();
            let matches = verify_in(&password, &stored, &mut memory);
            if let Ok(mut b) = buffers.lock() {
                b.push(memory);
            }
            drop(permit);
            matches
        })
        .await;
        // A panic in the hash is a refusal, never a way in.
        Some(checked.unwrap_or(false))
    }
}

/// A hash to verify against when the user does not exist, so that a wrong name costs as
/// long as a wrong password and timing does not tell which names exist.
// Hashing fails only on parameters Argon2 refuses, and ours are constants that every
// sign-in uses too (tested in this file).
#[allow(clippy::expect_used)]
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("not a password of anyone").expect("hashing a constant"))
}

/// 32 random bytes from the operating system, as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a session token: what the database keeps instead of the token.
pub fn token_digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_no_other() {
        let stored = hash("mật khẩu dài").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("mật khẩu dài", &stored));
        assert!(!verify("mat khau dai", &stored));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn checking_in_a_reused_buffer_agrees_with_the_crate() {
        let stored = hash("mật khẩu dài").unwrap();
        let mut memory = Vec::new();
        for _ in 0..2 {
            assert!(verify_in("mật khẩu dài", &stored, &mut memory));
            assert!(!verify_in("mat khau dai", &stored, &mut memory));
        }
        assert_eq!(memory.len(), Params::DEFAULT.block_count(), "19 MiB of 1 KiB blocks");
        assert!(!verify_in("anything", "not a phc string", &mut memory));
        assert!(!verify_in("anything", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ", &mut memory), "no hash part");
    }

    #[tokio::test]
    async fn a_busy_checker_answers_none_without_hashing() {
        let checks = PasswordChecks::new(1);
        let stored = hash("mật khẩu dài").unwrap();
        let held = checks.permits.clone().acquire_owned().await.unwrap();
        assert_eq!(checks.verify("mật khẩu dài".into(), stored.clone(), Duration::from_millis(20)).await, None);
        drop(held);
        assert_eq!(checks.verify("mật khẩu dài".into(), stored, Duration::from_millis(20)).await, Some(true));
    }

    #[test]
    fn tokens_are_64_hex_digits_and_differ() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(token_digest(&a).len(), 32);
    }
}
