//! Accounts in PostgreSQL: `app_user` and the communes of each editor (`user_commune`).

use crate::auth::{Role, User};
use sqlx::PgPool;

/// An account with its password hash, for signing in.
pub struct Account {
    pub user: User,
    pub password_hash: String,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    username: String,
    display_name: String,
    role: String,
    password_hash: String,
    communes: Vec<String>,
}

impl From<UserRow> for Account {
    fn from(row: UserRow) -> Account {
        Account {
            user: User {
                username: row.username,
                display_name: row.display_name,
                // The column's CHECK allows only the two roles.
                role: Role::parse(&row.role).unwrap_or(Role::Editor),
                communes: row.communes,
            },
            password_hash: row.password_hash,
        }
    }
}

const SELECT_USER: &str = "SELECT u.username, u.display_name, u.role, u.password_hash,
        coalesce(array_agg(c.commune_code ORDER BY c.commune_code) FILTER (WHERE c.commune_code IS NOT NULL), '{}') AS communes
   FROM app_user u LEFT JOIN user_commune c USING (username)";

/// The account called `username`, if any.
pub async fn find(pool: &PgPool, username: &str) -> sqlx::Result<Option<Account>> {
    let sql = format!("{SELECT_USER} WHERE u.username = $1 GROUP BY u.username");
    let row: Option<UserRow> = sqlx::query_as(&sql).bind(username).fetch_optional(pool).await?;
    Ok(row.map(Account::from))
}

/// Every account, by name.
pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<User>> {
    let sql = format!("{SELECT_USER} GROUP BY u.username ORDER BY u.username");
    let rows: Vec<UserRow> = sqlx::query_as(&sql).fetch_all(pool).await?;
    Ok(rows.into_iter().map(|r| Account::from(r).user).collect())
}

/// Creates an account, or replaces the role, name, communes and password of an existing one.
pub async fn upsert(pool: &PgPool, user: &User, password_hash: &str) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO app_user (username, display_name, role, password_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (username) DO UPDATE
            SET display_name = EXCLUDED.display_name, role = EXCLUDED.role,
                password_hash = EXCLUDED.password_hash, updated_at = now()",
    )
    .bind(&user.username)
    .bind(&user.display_name)
    .bind(user.role.as_str())
    .bind(password_hash)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM user_commune WHERE username = $1").bind(&user.username).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO user_commune (username, commune_code) SELECT $1, unnest($2::text[])")
        .bind(&user.username)
        .bind(&user.communes)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Removes an account, its communes and its sessions (its entries in the audit log stay,
/// under its name). False when there is no such account.
pub async fn remove(pool: &PgPool, username: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM app_user WHERE username = $1").bind(username).execute(pool).await?;
    Ok(done.rows_affected() == 1)
}

/// Sets a new password and signs the account out everywhere. False when there is no such account.
pub async fn set_password(pool: &PgPool, username: &str, password_hash: &str) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    let changed = sqlx::query("UPDATE app_user SET password_hash = $2, updated_at = now() WHERE username = $1")
        .bind(username)
        .bind(password_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM user_session WHERE username = $1").bind(username).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(changed == 1)
}
