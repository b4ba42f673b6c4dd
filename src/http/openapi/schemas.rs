//! Named schemas of the answers and bodies that the handlers build as JSON values (GeoJSON,
//! coverage reports, import reports...) rather than as one Rust type, and the query
//! parameters that the handlers read from the raw query string. They document; the
//! handlers do not use them. Each says what the handler's code writes, and the schemathesis
//! run (tests/api/schemathesis.rs) checks the answers against them.

use serde::Serialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// The error answer of every endpoint: what is wrong, and where (`detail.parameter`,
/// `detail.field`, `detail.geometry`, `detail.header`; `detail.retry_after_s` with 429 and
/// 503), or `null` when there is nothing to point at.
#[derive(Serialize, ToSchema)]
#[schema(as = Error, example = json!({"error": "parameter `limit` must be a whole number from 1 to 1000000", "detail": {"parameter": "limit"}}))]
pub struct ErrorBody {
    pub error: String,
    #[schema(value_type = Option<Object>, required = true)]
    pub detail: Value,
}

/// A GeoJSON Feature (RFC 7946) in WGS 84: the layer's attributes and `commune` as
/// properties.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"type": "Feature", "id": 15, "geometry": {"type": "Point", "coordinates": [105.7121096, 19.2535581]},
    "properties": {"commune": "17131", "name": "Mô hình nuôi tôm", "status": "existing", "field": "economy"}}))]
pub struct GeoJsonFeature {
    #[serde(rename = "type")]
    #[schema(pattern = "^Feature$")]
    pub kind: String,
    /// A whole number, or the statistics code for communes.
    pub id: Value,
    #[schema(value_type = Option<Object>)]
    pub geometry: Value,
    #[schema(value_type = Object)]
    pub properties: Value,
}

/// A GeoJSON FeatureCollection (RFC 7946) in WGS 84, streamed.
#[derive(Serialize, ToSchema)]
pub struct GeoJsonFeatureCollection {
    #[serde(rename = "type")]
    #[schema(pattern = "^FeatureCollection$")]
    pub kind: String,
    pub features: Vec<GeoJsonFeature>,
}

/// A feature to write: a GeoJSON Feature whose properties are the layer's fields (see
/// `GET /api/layers`) and, on create, `commune`. PATCH takes any part of it.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[105.712, 19.253], [105.713, 19.254]]},
    "properties": {"commune": "17131", "name": "Ngõ 5", "class": "alley", "surface": "concrete"}}))]
pub struct FeatureInput {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub geometry: Value,
    #[schema(value_type = Option<Object>)]
    pub properties: Value,
}

/// What the page needs to start.
#[derive(Serialize, ToSchema)]
pub struct Config {
    /// The online basemap, when the server has one (`KHEO_BASEMAP_TILES`).
    pub basemap: Option<Basemap>,
    /// The commune the page opens on.
    pub default_commune: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Basemap {
    /// XYZ tile URL templates.
    pub tiles: Vec<String>,
    pub attribution: String,
}

/// The signed-in account and the CSRF token to send as `X-CSRF-Token` with writes; `user`
/// is `null` (and no token) for a visitor who is not signed in.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"user": {"username": "lan", "display_name": "Nguyễn Thị Lan", "role": "editor", "communes": ["17131"]},
    "csrf_token": "3f1c…"}))]
pub struct SessionAnswer {
    pub user: Option<SessionUser>,
    pub csrf_token: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionUser {
    pub username: String,
    pub display_name: String,
    /// `admin` or `editor`.
    pub role: String,
    /// The communes an editor writes in; empty for admins, who write in all.
    pub communes: Vec<String>,
}

/// A sign-in.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"username": "lan", "password": "a long passphrase"}))]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// Which history entry to restore.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"audit_id": 42}))]
pub struct RestoreRequest {
    pub audit_id: i64,
}

/// A photo's new caption (`null` removes it).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"caption": "Đoạn đường sau khi đổ bê tông"}))]
pub struct CaptionChange {
    pub caption: Option<String>,
}

/// A photo's metadata with the URLs of its image and thumbnail.
#[derive(Serialize, ToSchema)]
pub struct Photo {
    #[serde(flatten)]
    pub info: crate::store::photos::PhotoInfo,
    pub url: String,
    pub thumb_url: String,
    /// After an upload: whether the GPS position was `kept`, `removed` or there was `none`.
    pub gps: Option<String>,
    /// After an upload: the format the file came in (`jpeg`, `png`, `heic`...).
    pub source_format: Option<String>,
}

/// A photo upload (`multipart/form-data`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PhotoUpload {
    /// The image: JPEG, PNG, WebP or HEIC, at most `KHEO_MAX_PHOTO_MB`.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
    pub caption: Option<String>,
    /// `true` keeps the photo's GPS position (it is removed otherwise).
    pub keep_gps: Option<bool>,
}

/// An import (`multipart/form-data`): the file and how to read it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// GeoJSON, KML/KMZ, GPX, zipped Shapefile or CSV (WKT), or a commune dump (zip).
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
    /// The layer to import into (not for `/api/communes/import`).
    pub layer: Option<String>,
    /// The commune's statistics code (not for `/api/communes/import`).
    pub commune: Option<String>,
    /// The file's CRS when it does not say, e.g. `EPSG:9208`.
    pub crs: Option<String>,
    /// JSON object `{"source field": "layer field"}`.
    pub mapping: Option<String>,
    /// JSON object `{"field": value}` for fields the file lacks.
    pub defaults: Option<String>,
    /// The province of the communes (`/api/communes/import`).
    pub province: Option<String>,
    /// The text encoding of a Shapefile's DBF or a CSV.
    pub encoding: Option<String>,
    /// `true` checks everything and writes nothing.
    pub dry_run: Option<bool>,
    /// `true` mends broken shapes.
    pub repair: Option<bool>,
}

/// What an import read, checked and wrote; with 422 also `error`, and per feature what
/// is wrong.
#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: Option<bool>,
    /// `{"read", "valid", "invalid", "skipped", "inserted"}`.
    #[schema(value_type = Option<Object>)]
    pub counts: Value,
    /// The mapping used: source field -> layer field.
    #[schema(value_type = Option<Object>)]
    pub mapping: Value,
    /// When the import wrote nothing: why.
    pub error: Option<String>,
}

/// A coverage answer: for a commune (`commune`, `groups`) or a region (`region`,
/// `communes`), the indicators of `GET /api/indicators` as of a date.
#[derive(Serialize, ToSchema)]
pub struct CoverageAnswer {
    /// `YYYY-MM-DD`.
    pub as_of: String,
    /// The commune's indicators (for `?commune=`).
    #[schema(value_type = Option<Object>)]
    pub commune: Value,
    /// Its groups' indicators (for `?commune=`).
    #[schema(value_type = Option<Vec<Object>>)]
    pub groups: Value,
    /// The region's indicators (for `?region=`).
    #[schema(value_type = Option<Object>)]
    pub region: Value,
    /// Its communes' indicators (for `?region=`).
    #[schema(value_type = Option<Vec<Object>>)]
    pub communes: Value,
}

/// The indicators year by year (`years`), for a commune (with its `settings`) or a region.
#[derive(Serialize, ToSchema)]
pub struct CoverageTimeline {
    pub as_of: String,
    pub commune: Option<String>,
    pub region: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub settings: Value,
    #[schema(value_type = Vec<Object>)]
    pub years: Value,
}

/// The roads of a commune still to concrete, by group, with their estimated cost.
#[derive(Serialize, ToSchema)]
pub struct WorkList {
    pub commune: String,
    pub as_of: String,
    /// The unit costs and surface the estimate is based on.
    #[schema(value_type = Object)]
    pub basis: Value,
    #[schema(value_type = Vec<Object>)]
    pub groups: Value,
    pub left_m: f64,
    pub cost_vnd: i64,
    pub people_vnd: i64,
}

/// `{"status": "ok"}`, or `"unavailable"` with 503.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    pub status: String,
}

/// A commune's coverage settings to change: any of those `GET` answers; the others stay.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"targets": {"concrete_pct": 90.0}, "lit_buffer_m": 30.0}))]
pub struct SettingsChange {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub settings: Value,
}

/// The filters of a layer's features (`/api/layers/{layer}/features` and its downloads),
/// all optional and combinable. Any field of the layer (see `GET /api/layers`) is also an
/// equality filter, e.g. `surface=concrete`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct FeatureFilters {
    /// The features of one commune (statistics code).
    #[param(example = "17131", min_length = 1, max_length = 16)]
    pub commune: Option<String>,
    /// The features of the communes of a region.
    #[param(example = "nghe-an", pattern = "^[a-z0-9_-]{1,40}$")]
    pub region: Option<String>,
    /// With `commune`: works that intersect the group, or the group polygon itself.
    #[param(example = "TDP04")]
    pub group: Option<String>,
    /// `west,south,east,north` in degrees.
    #[param(example = "105.70,19.24,105.73,19.27")]
    pub bbox: Option<String>,
    /// Leave out works done after that date (`YYYY-MM-DD`).
    #[param(example = "2019-12-31", format = Date)]
    pub as_of: Option<String>,
    /// A page of at most this many features, in id order.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// The filters of a tile or a TileJSON: those of the features but for `bbox`, `limit` and
/// `offset`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TileFilters {
    #[param(example = "17131", min_length = 1, max_length = 16)]
    pub commune: Option<String>,
    #[param(example = "nghe-an", pattern = "^[a-z0-9_-]{1,40}$")]
    pub region: Option<String>,
    #[param(example = "TDP04")]
    pub group: Option<String>,
    #[param(example = "2019-12-31", format = Date)]
    pub as_of: Option<String>,
}

/// The area of a coverage answer: `commune` or `region`, exactly one, and the date.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct CoverageArea {
    /// A commune's statistics code (its groups' coverage).
    #[param(example = "17131", min_length = 1, max_length = 16)]
    pub commune: Option<String>,
    /// A region's code (its communes' coverage), instead of `commune`.
    #[param(example = "nghe-an", pattern = "^[a-z0-9_-]{1,40}$")]
    pub region: Option<String>,
    /// The date of the figures, today in Vietnam when absent.
    #[param(example = "2023-12-31", format = Date)]
    pub as_of: Option<String>,
}

/// How a table is written: the decimal mark (CSV) and the language of its headers.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct CsvOptions {
    /// `point` (default) or `comma`, as Vietnamese spreadsheets read numbers.
    #[param(inline)]
    pub decimal: Option<DecimalMark>,
    /// `vi` (default) or `en`.
    #[param(inline)]
    pub lang: Option<Lang>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DecimalMark {
    Point,
    Comma,
}

/// The language of headers and labels.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Vi,
    En,
}

/// The council report's file format.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Docx,
    Pdf,
}

/// The language of a sheet's headers.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct Language {
    /// `vi` (default) or `en`.
    #[param(inline)]
    pub lang: Option<Lang>,
}

/// The council report: its commune or region (exactly one), date, format and language.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ReportQuery {
    /// A commune's statistics code: its groups' figures, map and work list.
    #[param(example = "17131", min_length = 1, max_length = 16)]
    pub commune: Option<String>,
    /// A region's code, instead of `commune`: its communes' figures side by side.
    #[param(example = "nghe-an", pattern = "^[a-z0-9_-]{1,40}$")]
    pub region: Option<String>,
    #[param(example = "2023-12-31", format = Date)]
    pub as_of: Option<String>,
    /// `docx` (default) or `pdf`.
    #[param(inline)]
    pub format: Option<ReportFormat>,
    /// `vi` (default) or `en`.
    #[param(inline)]
    pub lang: Option<Lang>,
}

/// The commune of a work list, and optionally one of its groups, as of a date.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct WorkListArea {
    #[param(example = "17131", min_length = 1, max_length = 16)]
    pub commune: String,
    #[param(example = "TDP04")]
    pub group: Option<String>,
    #[param(example = "2023-12-31", format = Date)]
    pub as_of: Option<String>,
}
