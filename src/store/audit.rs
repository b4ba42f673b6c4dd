//! The audit log: who changed which feature, when, how, and the feature before and after
//! (as the API's Feature JSON). Written in the same transaction as the change.

use crate::store::sql::quote_ident;
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use sqlx::{PgPool, Postgres, Transaction};

/// One change, as `GET .../history` lists it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = AuditEntry)]
pub struct Entry {
    pub id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: chrono::DateTime<chrono::Utc>,
    /// The account's user name (or `cli` and the like for imports from the command line).
    pub actor: String,
    /// The name to show: the account's display name, else the user name.
    pub actor_name: String,
    pub layer: String,
    pub feature_id: String,
    pub commune: Option<String>,
    pub action: String,
    /// The feature's version after the change (none after a delete).
    pub version: Option<i32>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// What happened to a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Insert,
    Update,
    Delete,
    Import,
    Restore,
}

impl Action {
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::Insert => "insert",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Import => "import",
            Action::Restore => "restore",
        }
    }
}

/// A change to record.
pub struct Change<'a> {
    pub actor: &'a str,
    pub layer: &'a str,
    pub feature_id: &'a str,
    pub commune: &'a str,
    pub action: Action,
    pub version: Option<i32>,
    pub before: Option<&'a RawValue>,
    pub after: Option<&'a RawValue>,
}

pub async fn record(tx: &mut Transaction<'_, Postgres>, change: Change<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO audit_log (actor, layer, feature_id, commune_code, action, version, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(change.actor)
    .bind(change.layer)
    .bind(change.feature_id)
    .bind(change.commune)
    .bind(change.action.as_str())
    .bind(change.version)
    .bind(change.before.map(sqlx::types::Json))
    .bind(change.after.map(sqlx::types::Json))
    .fetch_one(&mut **tx)
    .await
}

/// Records `action` for features just made (no `before`), reading each one's Feature from
/// its table in the same statement.
pub async fn record_new(
    tx: &mut Transaction<'_, Postgres>,
    actor: &str,
    layer: &crate::layers::Layer,
    keys: &[String],
    action: Action,
) -> sqlx::Result<u64> {
    let key_type = match layer.key_type {
        crate::layers::KeyType::Integer => "bigint",
        crate::layers::KeyType::Code => "text",
    };
    let sql = format!(
        "INSERT INTO audit_log (actor, layer, feature_id, commune_code, action, version, after)
         SELECT $1, $2, t.{key}::text, t.{commune}, $3, t.version, ({feature})::jsonb
           FROM {table} t WHERE t.{key} = ANY($4::{key_type}[]) ORDER BY t.{key}",
        key = quote_ident(layer.key),
        commune = quote_ident(layer.commune_column),
        feature = super::features::feature_expr(layer, None),
        table = quote_ident(layer.table),
    );
    let done = sqlx::query(&sql).bind(actor).bind(layer.id).bind(action.as_str()).bind(keys).execute(&mut **tx).await?;
    Ok(done.rows_affected())
}

/// The entries with the actor's display name when the account has one.
const SELECT: &str = "SELECT a.id, a.at, a.actor, coalesce(nullif(u.display_name, ''), a.actor) AS actor_name, a.layer,
        a.feature_id, a.commune_code AS commune, a.action, a.version, a.before, a.after
   FROM audit_log a LEFT JOIN app_user u ON u.username = a.actor";

/// The changes of one feature, newest first.
pub async fn history(pool: &PgPool, layer: &str, feature_id: &str) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(&format!("{SELECT} WHERE a.layer = $1 AND a.feature_id = $2 ORDER BY a.id DESC"))
        .bind(layer)
        .bind(feature_id)
        .fetch_all(pool)
        .await
}

/// The latest changes in a commune, newest first.
pub async fn recent(pool: &PgPool, commune: &str, limit: i64) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(&format!("{SELECT} WHERE a.commune_code = $1 ORDER BY a.id DESC LIMIT $2"))
        .bind(commune)
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// One entry by id.
pub async fn entry(pool: &PgPool, id: i64) -> sqlx::Result<Option<Entry>> {
    sqlx::query_as(&format!("{SELECT} WHERE a.id = $1")).bind(id).fetch_optional(pool).await
}
