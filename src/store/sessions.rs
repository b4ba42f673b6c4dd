//! Sessions and sign-in attempts in PostgreSQL. A session row is keyed by the SHA-256 of the
//! cookie's token; the token itself is only ever in the cookie.

use crate::auth::User;
use crate::auth::password::token_digest;
use sqlx::PgPool;
use std::time::Duration;

/// How long a session lasts after signing in.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Failed attempts allowed per user name and per address within [`ATTEMPT_WINDOW`].
pub const MAX_FAILED_ATTEMPTS: i64 = 5;
pub const ATTEMPT_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Opens a session for `username`; the caller sets `token` in the cookie.
pub async fn create(pool: &PgPool, username: &str, token: &str, csrf_token: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO user_session (token_sha256, username, csrf_token, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4))",
    )
    .bind(token_digest(token))
    .bind(username)
    .bind(csrf_token)
    .bind(SESSION_LIFETIME.as_secs_f64())
    .execute(pool)
    .await?;
    // Expired sessions are cleared here rather than by a timer: signing in is rare enough.
    sqlx::query("DELETE FROM user_session WHERE expires_at < now()").execute(pool).await?;
    Ok(())
}

/// The account and CSRF token of a live session.
pub async fn find(pool: &PgPool, token: &str) -> sqlx::Result<Option<(User, String)>> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT username, csrf_token FROM user_session WHERE token_sha256 = $1 AND expires_at > now()")
            .bind(token_digest(token))
            .fetch_optional(pool)
            .await?;
    let Some((username, csrf)) = row else { return Ok(None) };
    Ok(super::users::find(pool, &username).await?.map(|account| (account.user, csrf)))
}

/// Ends a session.
pub async fn delete(pool: &PgPool, token: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM user_session WHERE token_sha256 = $1").bind(token_digest(token)).execute(pool).await?;
    Ok(())
}

/// What the sign-in limit says about a new attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The attempt is counted (as a failure until [`attempt_succeeded`] says otherwise);
    /// the id of its row.
    Admitted(i64),
    /// Too many failures for this name or from this address: the seconds until the oldest
    /// of them leaves the window (for `Retry-After`).
    Refused { retry_after_s: i64 },
}

/// Advisory lock namespaces (the first key of `pg_advisory_xact_lock(int, int)`), so that a
/// name and an address whose hashes collide never share a lock.
const LOCK_USERNAME: i32 = 0x6b68_0001;
const LOCK_ADDRESS: i32 = 0x6b68_0002;

/// Counts a sign-in attempt BEFORE its password is checked, atomically with the check of
/// the limit: concurrent attempts for one name or from one address are serialised by
/// transaction-scoped advisory locks in PostgreSQL, so that the limit holds for a burst of
/// simultaneous guesses and across several kheo processes sharing the database. The attempt
/// is stored as failed; a good password turns it into a success afterwards, so a burst of
/// N guesses runs at most [`MAX_FAILED_ATTEMPTS`] password checks that fail.
pub async fn begin_attempt(pool: &PgPool, username: &str, address: &str) -> sqlx::Result<Admission> {
    let mut tx = pool.begin().await?;
    // Always the name first, then the address: every transaction takes them in the same
    // order, so two attempts never wait on each other in a cycle.
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .bind(LOCK_USERNAME)
        .bind(username)
        .execute(&mut *tx)
        .await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .bind(LOCK_ADDRESS)
        .bind(address)
        .execute(&mut *tx)
        .await?;
    let (failures, retry_after_s): (i64, i64) = sqlx::query_as(
        "SELECT greatest(count(*) FILTER (WHERE username = $1), count(*) FILTER (WHERE address = $2)),
                coalesce(ceil(extract(epoch FROM min(at) + make_interval(secs => $3) - now())), 0)::bigint
           FROM login_attempt
          WHERE NOT succeeded AND at > now() - make_interval(secs => $3) AND (username = $1 OR address = $2)",
    )
    .bind(username)
    .bind(address)
    .bind(ATTEMPT_WINDOW.as_secs_f64())
    .fetch_one(&mut *tx)
    .await?;
    if failures >= MAX_FAILED_ATTEMPTS {
        tx.rollback().await?;
        return Ok(Admission::Refused { retry_after_s: retry_after_s.max(1) });
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO login_attempt (username, address, succeeded) VALUES ($1, $2, false) RETURNING id",
    )
    .bind(username)
    .bind(address)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Admission::Admitted(id))
}

/// The attempt's password was right: it no longer counts against the limit. Day-old
/// attempts are dropped on the way.
pub async fn attempt_succeeded(pool: &PgPool, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE login_attempt SET succeeded = true WHERE id = $1").bind(id).execute(pool).await?;
    sqlx::query("DELETE FROM login_attempt WHERE at < now() - interval '1 day'").execute(pool).await?;
    Ok(())
}

/// The attempt's password was never checked (the server was too busy): it does not count.
pub async fn attempt_abandoned(pool: &PgPool, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_attempt WHERE id = $1").bind(id).execute(pool).await?;
    Ok(())
}
