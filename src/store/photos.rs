//! The `photo` table: photos of work features, their metadata, their bytes.
//!
//! Listing never reads the images: their sizes come from the TOAST pointers
//! (`octet_length` of an uncompressed external value), so a list of a hundred photos costs
//! no more than a list of their captions.

use crate::layers::Layer;
use crate::store::sql::quote_ident;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};

/// A photo's metadata, as the API answers it (without its URLs, which the HTTP layer adds).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PhotoInfo {
    pub id: i64,
    /// The catalogue id of the feature's layer.
    pub layer: String,
    pub feature_id: i64,
    pub commune: String,
    /// `image/jpeg` or `image/png`.
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    /// The stored image's size in bytes.
    pub bytes: i64,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub thumb_bytes: i64,
    pub caption: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub taken_on: Option<NaiveDate>,
    /// `[lon, lat]`, only when the editor kept the GPS position.
    pub position: Option<Vec<f64>>,
    pub created_by: String,
    /// The uploader's display name, else their user name.
    pub created_by_name: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
    /// Whether the photo's commune is published (anonymous readers see only those).
    #[serde(skip)]
    pub published: bool,
}

const SELECT_INFO: &str = "SELECT p.id, p.layer, p.feature_id, p.commune_code AS commune, p.content_type,
        p.width, p.height, octet_length(p.image)::bigint AS bytes,
        p.thumb_width, p.thumb_height, octet_length(p.thumbnail)::bigint AS thumb_bytes,
        p.caption, p.taken_on,
        CASE WHEN p.position IS NOT NULL THEN ARRAY[ST_X(p.position), ST_Y(p.position)] END AS position,
        p.created_by, coalesce(nullif(u.display_name, ''), p.created_by) AS created_by_name,
        p.created_at, p.updated_at, c.published
   FROM photo p JOIN commune c ON c.code = p.commune_code LEFT JOIN app_user u ON u.username = p.created_by";

/// The commune of feature `id` of the work layer `layer`, if it exists; with `lock`, the
/// feature cannot be deleted until the transaction ends (so a photo is never added to a
/// feature being deleted: its delete trigger would miss it).
pub async fn feature_commune(
    conn: &mut PgConnection,
    layer: &Layer,
    id: i64,
    lock: bool,
) -> sqlx::Result<Option<(String, bool)>> {
    let sql = format!(
        "SELECT t.{commune}, c.published FROM {table} t JOIN commune c ON c.code = t.{commune}
          WHERE t.{key} = $1 {lock}",
        commune = quote_ident(layer.commune_column),
        table = quote_ident(layer.table),
        key = quote_ident(layer.key),
        lock = if lock { "FOR KEY SHARE OF t" } else { "" },
    );
    sqlx::query_as(&sql).bind(id).fetch_optional(conn).await
}

/// A photo to insert, as `crate::photos::process` made it.
pub struct NewPhoto<'a> {
    pub layer: &'a str,
    pub feature_id: i64,
    pub commune: &'a str,
    pub content_type: &'a str,
    pub image: &'a [u8],
    pub width: u32,
    pub height: u32,
    pub thumbnail: &'a [u8],
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub caption: Option<&'a str>,
    pub taken_on: Option<NaiveDate>,
    pub position: Option<(f64, f64)>,
    pub created_by: &'a str,
}

/// Inserts a photo and returns its metadata.
pub async fn insert(conn: &mut PgConnection, photo: &NewPhoto<'_>) -> sqlx::Result<PhotoInfo> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO photo (layer, feature_id, commune_code, content_type, image, image_sha256, width, height,
                            thumbnail, thumb_width, thumb_height, caption, taken_on, position, created_by)
         VALUES ($1, $2, $3, $4, $5, sha256($5), $6, $7, $8, $9, $10, $11, $12,
                 CASE WHEN $13::float8 IS NOT NULL THEN ST_SetSRID(ST_MakePoint($13, $14), 4326) END, $15)
         RETURNING id",
    )
    .bind(photo.layer)
    .bind(photo.feature_id)
    .bind(photo.commune)
    .bind(photo.content_type)
    .bind(photo.image)
    .bind(photo.width as i32)
    .bind(photo.height as i32)
    .bind(photo.thumbnail)
    .bind(photo.thumb_width as i32)
    .bind(photo.thumb_height as i32)
    .bind(photo.caption)
    .bind(photo.taken_on)
    .bind(photo.position.map(|p| p.0))
    .bind(photo.position.map(|p| p.1))
    .bind(photo.created_by)
    .fetch_one(&mut *conn)
    .await?;
    info(conn, id, false).await?.ok_or(sqlx::Error::RowNotFound)
}

/// Photo `id`'s metadata; with `lock`, the row is locked for the rest of the transaction.
pub async fn info(conn: &mut PgConnection, id: i64, lock: bool) -> sqlx::Result<Option<PhotoInfo>> {
    let lock = if lock { " FOR UPDATE OF p" } else { "" };
    sqlx::query_as(&format!("{SELECT_INFO} WHERE p.id = $1{lock}")).bind(id).fetch_optional(conn).await
}

/// The photos of one feature, oldest first.
pub async fn of_feature(pool: &PgPool, layer: &str, feature_id: i64) -> sqlx::Result<Vec<PhotoInfo>> {
    sqlx::query_as(&format!("{SELECT_INFO} WHERE p.layer = $1 AND p.feature_id = $2 ORDER BY p.id"))
        .bind(layer)
        .bind(feature_id)
        .fetch_all(pool)
        .await
}

/// A photo of a commune's feature with the feature's name, for a list of the commune's
/// photos of one layer.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CommunePhoto {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub info: PhotoInfo,
    pub feature_name: Option<String>,
}

/// The photos of commune `code`'s features of the work layer `layer`, by feature then
/// oldest first, at most `limit`.
pub async fn of_commune_layer(pool: &PgPool, code: &str, layer: &Layer, limit: i64) -> sqlx::Result<Vec<CommunePhoto>> {
    let sql = format!(
        "SELECT i.*, f.name AS feature_name
           FROM ({SELECT_INFO} WHERE p.commune_code = $1 AND p.layer = $2) i
           JOIN {table} f ON f.{key} = i.feature_id
          ORDER BY i.feature_id, i.id
          LIMIT $3",
        table = quote_ident(layer.table),
        key = quote_ident(layer.key),
    );
    sqlx::query_as(&sql).bind(code).bind(layer.id).bind(limit).fetch_all(pool).await
}

/// Which bytes of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Image,
    Thumbnail,
}

/// What serving a photo needs before its bytes: its type, its tag and whether its commune
/// is published.
#[derive(Debug, sqlx::FromRow)]
pub struct Served {
    pub content_type: String,
    /// Hex SHA-256 of the stored image.
    pub sha256: String,
    pub published: bool,
}

pub async fn served(pool: &PgPool, id: i64) -> sqlx::Result<Option<Served>> {
    sqlx::query_as(
        "SELECT p.content_type, encode(p.image_sha256, 'hex') AS sha256, c.published
           FROM photo p JOIN commune c ON c.code = p.commune_code WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The bytes of photo `id`.
pub async fn bytes(pool: &PgPool, id: i64, variant: Variant) -> sqlx::Result<Option<Vec<u8>>> {
    let column = match variant {
        Variant::Image => "image",
        Variant::Thumbnail => "thumbnail",
    };
    sqlx::query_scalar(&format!("SELECT {column} FROM photo WHERE id = $1")).bind(id).fetch_optional(pool).await
}

/// Changes a photo's caption (`None` removes it).
pub async fn set_caption(conn: &mut PgConnection, id: i64, caption: Option<&str>) -> sqlx::Result<PhotoInfo> {
    sqlx::query("UPDATE photo SET caption = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(caption)
        .execute(&mut *conn)
        .await?;
    info(conn, id, false).await?.ok_or(sqlx::Error::RowNotFound)
}

pub async fn delete(conn: &mut PgConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM photo WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}

/// A photo as a commune dump lists it (`photos.json`): everything but the bytes, which
/// are files of their own in the dump.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct DumpedPhoto {
    pub id: i64,
    pub layer: String,
    pub feature_id: i64,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub caption: Option<String>,
    pub taken_on: Option<NaiveDate>,
    /// `[lon, lat]` at full precision.
    pub position: Option<Vec<f64>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Hex SHA-256 of the image file, checked on restore.
    pub sha256: String,
    /// The image's file in the dump (`photos/17.jpg`).
    #[sqlx(default)]
    #[serde(default)]
    pub file: String,
    /// The thumbnail's file in the dump (`photos/17-thumb.jpg`).
    #[sqlx(default)]
    #[serde(default)]
    pub thumb_file: String,
}

/// The photos of commune `code`, in id order, for a dump.
pub async fn of_commune(conn: &mut PgConnection, code: &str) -> sqlx::Result<Vec<DumpedPhoto>> {
    sqlx::query_as(
        "SELECT id, layer, feature_id, content_type, width, height, thumb_width, thumb_height, caption, taken_on,
                CASE WHEN position IS NOT NULL THEN ARRAY[ST_X(position), ST_Y(position)] END AS position,
                created_by, created_at, updated_at, encode(image_sha256, 'hex') AS sha256
           FROM photo WHERE commune_code = $1 ORDER BY id",
    )
    .bind(code)
    .fetch_all(conn)
    .await
}

/// The image and thumbnail of photo `id`, for a dump.
pub async fn both_bytes(conn: &mut PgConnection, id: i64) -> sqlx::Result<(Vec<u8>, Vec<u8>)> {
    sqlx::query_as("SELECT image, thumbnail FROM photo WHERE id = $1").bind(id).fetch_one(conn).await
}

/// The commune photo `id` belongs to, if it exists.
pub async fn commune_of(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT commune_code FROM photo WHERE id = $1").bind(id).fetch_optional(conn).await
}

/// Writes a dumped photo of commune `code` back (insert, or update when anything differs);
/// true when a row was written. The caller has checked the bytes against the metadata
/// and that the photo's id is not another commune's.
pub async fn restore(
    conn: &mut PgConnection,
    code: &str,
    photo: &DumpedPhoto,
    image: &[u8],
    thumbnail: &[u8],
) -> sqlx::Result<bool> {
    let (lon, lat) = match photo.position.as_deref() {
        Some([lon, lat]) => (Some(*lon), Some(*lat)),
        _ => (None, None),
    };
    let written = sqlx::query(include_str!("photo_restore.sql"))
        .bind(photo.id)
        .bind(&photo.layer)
        .bind(photo.feature_id)
        .bind(code)
        .bind(&photo.content_type)
        .bind(image)
        .bind(photo.width)
        .bind(photo.height)
        .bind(thumbnail)
        .bind(photo.thumb_width)
        .bind(photo.thumb_height)
        .bind(&photo.caption)
        .bind(photo.taken_on)
        .bind(lon)
        .bind(lat)
        .bind(&photo.created_by)
        .bind(photo.created_at)
        .bind(photo.updated_at)
        .execute(conn)
        .await?;
    Ok(written.rows_affected() > 0)
}

/// Deletes the photos of commune `code` whose ids are not in `keep`; returns how many.
pub async fn delete_others(conn: &mut PgConnection, code: &str, keep: &[i64]) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM photo WHERE commune_code = $1 AND id <> ALL($2)")
        .bind(code)
        .bind(keep)
        .execute(&mut *conn)
        .await?;
    // Restored ids: keep the identity past them, so that new photos do not collide.
    sqlx::query(
        "SELECT setval(pg_get_serial_sequence('photo', 'id'),
                       greatest((SELECT max(id) FROM photo), pg_sequence_last_value(pg_get_serial_sequence('photo', 'id')::regclass), 1))",
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
