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

/// Failed attempts for this name or from this address in the window, and the seconds until
/// the oldest of them leaves it (for `Retry-After`).
pub async fn recent_failures(pool: &PgPool, username: &str, address: &str) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT greatest(count(*) FILTER (WHERE username = $1), count(*) FILTER (WHERE address = $2)),
                coalesce(ceil(extract(epoch FROM min(at) + make_interval(secs => $3) - now())), 0)::bigint
           FROM login_attempt
          WHERE NOT succeeded AND at > now() - make_interval(secs => $3) AND (username = $1 OR address = $2)",
    )
    .bind(username)
    .bind(address)
    .bind(ATTEMPT_WINDOW.as_secs_f64())
    .fetch_one(pool)
    .await
}

/// Records an attempt; old ones are dropped on the way.
pub async fn record_attempt(pool: &PgPool, username: &str, address: &str, succeeded: bool) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO login_attempt (username, address, succeeded) VALUES ($1, $2, $3)")
        .bind(username)
        .bind(address)
        .bind(succeeded)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM login_attempt WHERE at < now() - interval '1 day'").execute(pool).await?;
    Ok(())
}
