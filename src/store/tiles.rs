//! Vector tiles (Mapbox Vector Tile 2.1) of any catalogue layer, built whole by PostGIS:
//! `ST_AsMVT` over `ST_AsMVTGeom` of the features whose boxes meet the tile's envelope,
//! with the same filters (and the same as-of rule) as the GeoJSON features.
//!
//! Below [`DETAIL_ZOOM`] a tile is generalised for the screen it is drawn on: lines and
//! polygons are simplified to about a device pixel before they are projected, and features
//! smaller than a CSS pixel are left out (they would draw as a dot, and at the zooms of a
//! whole province they are most of the bytes). From [`DETAIL_ZOOM`] on, tiles carry every
//! feature and every vertex, so that MapLibre can over-zoom them to any depth.

use crate::layers::{FieldType, GeometryKind, KeyType, Layer};
use crate::store::features::{self, Filter};
use crate::store::sql::{Arg, Sql, quote_ident};
use sqlx::PgPool;

/// Tile coordinates in the MVT grid (4096 units a side).
pub const EXTENT: u32 = 4096;
/// Grid units drawn around the tile, so that lines and points on its edge join up.
pub const BUFFER: u32 = 64;
/// The deepest zoom served (about 2 cm a grid unit).
pub const MAX_ZOOM: u8 = 22;
/// From this zoom on, tiles are not generalised: TileJSON's `maxzoom`, beyond which MapLibre
/// over-zooms instead of asking for deeper tiles (at 19° N a grid unit is then 0.14 m).
pub const DETAIL_ZOOM: u8 = 16;
/// MapLibre draws a vector tile over 512 CSS pixels.
const CSS_PIXELS_PER_TILE: f64 = 512.0;

/// A tile of the Web Mercator grid (EPSG:3857, XYZ scheme: y = 0 at the north).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// Tiles a side at zoom `z`.
    pub fn tiles_a_side(z: u8) -> u64 {
        1u64 << z
    }

    /// The tile's width in degrees of longitude.
    fn width_degrees(&self) -> f64 {
        360.0 / Self::tiles_a_side(self.z) as f64
    }

    /// The latitude of the tile's centre, degrees (inverse Web Mercator).
    fn centre_latitude(&self) -> f64 {
        let n = std::f64::consts::PI * (1.0 - 2.0 * (self.y as f64 + 0.5) / Self::tiles_a_side(self.z) as f64);
        n.sinh().atan().to_degrees()
    }

    /// How the tile is generalised, if it is (below [`DETAIL_ZOOM`]).
    pub fn generalisation(&self) -> Option<Generalisation> {
        if self.z >= DETAIL_ZOOM {
            return None;
        }
        let css_pixel = self.width_degrees() / CSS_PIXELS_PER_TILE;
        // On the map a degree of latitude is sec(latitude) times a degree of longitude.
        let cos_latitude = self.centre_latitude().to_radians().cos().max(0.01);
        Some(Generalisation {
            // Half a CSS pixel (a device pixel on the common 2x screens), in degrees of
            // latitude, the smaller of the two: simplification never shows.
            tolerance: css_pixel * cos_latitude / 2.0,
            smallest: css_pixel,
            cos_latitude,
        })
    }
}

/// What a tile below [`DETAIL_ZOOM`] leaves out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Generalisation {
    /// Simplification tolerance, degrees.
    pub tolerance: f64,
    /// Lines and polygons whose box is smaller than this on the map (degrees of longitude,
    /// a CSS pixel) are left out.
    pub smallest: f64,
    /// Of the tile's centre latitude: converts degrees of latitude to map lengths.
    pub cos_latitude: f64,
}

/// The SQL value of a field as the tile carries it: numbers as numbers (MVT doubles, where
/// `ST_AsMVT` would write `numeric` as text). Dates go as they are: `ST_AsMVT` writes them
/// as text, `YYYY-MM-DD` under the `DateStyle=ISO` that sqlx sets on every connection (and
/// a tenth cheaper than `to_char` on a tile of 30,000 roads).
fn attribute_expr(field: &crate::layers::Field, as_of: Option<&str>) -> String {
    let value = features::value_expr(field, as_of);
    match field.ty {
        FieldType::Number => format!("({value})::double precision"),
        FieldType::Text | FieldType::Integer | FieldType::Date | FieldType::Enum(_) => value,
    }
}

/// The query that builds tile `tile` of `layer` as one `bytea` (empty when no feature
/// falls in it): the features of `filter` whose box meets the tile and its buffer, their
/// key as the MVT feature id, `commune` and the catalogue's fields (as of the filter's
/// date) as attributes; generalised as `generalisation` says (the tile's own,
/// [`TileId::generalisation`], but for measuring what it buys).
pub fn tile_query(layer: &Layer, filter: &Filter, tile: TileId, generalisation: Option<Generalisation>) -> Sql {
    let mut sql = Sql::default();
    let as_of = features::as_of_arg(layer, filter.as_of, &mut sql);
    let (z, x, y) =
        (sql.arg(Arg::Int(tile.z.into())), sql.arg(Arg::Int(tile.x.into())), sql.arg(Arg::Int(tile.y.into())));
    // Points have no size and nothing to simplify.
    let generalisation = generalisation.filter(|_| layer.geometry != GeometryKind::Point);

    let mut geometry = "t.geom".to_string();
    let mut conditions = vec![
        // Box against box, on the stored lon/lat geometry: the GiST index answers it.
        "t.geom && bounds.search".to_string(),
    ];
    if let Some(g) = generalisation {
        let tolerance = sql.arg(Arg::Float(g.tolerance));
        geometry = match layer.geometry {
            // Lines keep at least their two ends (preserveCollapsed).
            GeometryKind::Line => format!("ST_Simplify(t.geom, {tolerance}, true)"),
            // Polygons keep valid rings.
            _ => format!("ST_SimplifyPreserveTopology(t.geom, {tolerance})"),
        };
        let (smallest, cos_latitude) = (sql.arg(Arg::Float(g.smallest)), sql.arg(Arg::Float(g.cos_latitude)));
        conditions.push(format!(
            "greatest(ST_XMax(t.geom) - ST_XMin(t.geom), (ST_YMax(t.geom) - ST_YMin(t.geom)) / {cos_latitude}) \
             >= {smallest}"
        ));
    }

    let mut columns = format!(
        "ST_AsMVTGeom(ST_Transform({geometry}, 3857), bounds.envelope, {EXTENT}, {BUFFER}, true) AS geom, \
         t.{} AS commune",
        quote_ident(layer.commune_column)
    );
    if layer.key_type == KeyType::Integer {
        columns.push_str(&format!(", t.{} AS mvt_id", quote_ident(layer.key)));
    }
    for field in layer.fields() {
        columns.push_str(&format!(", {} AS {}", attribute_expr(field, as_of.as_deref()), quote_ident(field.name)));
    }

    // `from_where` is " FROM <table> t[ WHERE <conditions>]": the filter's conditions join
    // the tile's.
    let from_where = features::from_where(layer, filter, &mut sql, as_of.as_deref());
    let (from, filter_conditions) = match from_where.split_once(" WHERE ") {
        Some((from, rest)) => (from.to_string(), Some(rest.to_string())),
        None => (from_where, None),
    };
    conditions.extend(filter_conditions.map(|c| format!("({c})")));
    let id_column = if layer.key_type == KeyType::Integer { ", 'mvt_id'" } else { "" };
    // The buffer in degrees of longitude, the larger measure of the two: expanding the
    // lon/lat envelope (rather than transforming a 3857 envelope with a margin, which
    // wraps at the antimeridian) keeps the search box whole on the edges of the world.
    let margin = sql.arg(Arg::Float(tile.width_degrees() * BUFFER as f64 / EXTENT as f64));
    sql.push(&format!(
        "WITH bounds AS MATERIALIZED (
           SELECT ST_TileEnvelope({z}::int, {x}::int, {y}::int) AS envelope,
                  ST_Expand(ST_Transform(ST_TileEnvelope({z}::int, {x}::int, {y}::int), 4326), {margin}) AS search)
         SELECT ST_AsMVT(mvt, '{name}', {EXTENT}, 'geom'{id_column})
           FROM (SELECT {columns}{from} CROSS JOIN bounds WHERE {conditions}) AS mvt",
        name = layer.id,
        conditions = conditions.join(" AND "),
    ));
    sql
}

/// The whole query of tile `tile` of `layer`, unfiltered, with its values written in: what
/// `kheo sql tile` prints, for psql, EXPLAIN and the benchmark.
pub fn tile_sql_text(layer: &Layer, tile: TileId, generalised: bool) -> String {
    let generalisation = if generalised { tile.generalisation() } else { None };
    let query = tile_query(layer, &Filter::default(), tile, generalisation);
    query.inline()
}

/// Tile `tile` of `layer` under `filter`, as MVT bytes; empty when no feature falls in it.
/// (`ST_AsMVT` skips the features that `ST_AsMVTGeom` clipped away, whose geometry is NULL:
/// a `WHERE geom IS NOT NULL` would have PostgreSQL compute every geometry twice.)
pub async fn tile(pool: &PgPool, layer: &Layer, filter: &Filter, tile: TileId) -> Result<Vec<u8>, sqlx::Error> {
    let query = tile_query(layer, filter, tile, tile.generalisation());
    let bytes: Option<Vec<u8>> = sqlx::query_scalar_with(&query.text, query.arguments()).fetch_one(pool).await?;
    Ok(bytes.unwrap_or_default())
}

/// `[west, south, east, north]` of the features of `filter`, degrees; `None` when there
/// are none.
pub async fn bounds(pool: &PgPool, layer: &Layer, filter: &Filter) -> Result<Option<[f64; 4]>, sqlx::Error> {
    let mut sql = Sql::default();
    let as_of = features::as_of_arg(layer, filter.as_of, &mut sql);
    let from_where = features::from_where(layer, filter, &mut sql, as_of.as_deref());
    sql.push(&format!(
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(t.geom) AS e{from_where}) AS s"
    ));
    let row: (Option<f64>, Option<f64>, Option<f64>, Option<f64>) =
        sqlx::query_as_with(&sql.text, sql.arguments()).fetch_one(pool).await?;
    Ok(match row {
        (Some(w), Some(s), Some(e), Some(n)) => Some([w, s, e, n]),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_centre_latitude_of_a_tile_is_the_inverse_mercator_of_its_middle() {
        assert!(TileId { z: 0, x: 0, y: 0 }.centre_latitude().abs() < 1e-9);
        // z1: the two northern tiles' centres lie at the latitude of y = 1/4 of the world.
        let north = TileId { z: 1, x: 0, y: 0 }.centre_latitude();
        assert!((north - 66.513_260_443_111_86).abs() < 1e-9, "{north}");
    }

    #[test]
    fn tiles_are_generalised_below_the_detail_zoom_only() {
        let z10 = TileId { z: 10, x: 808, y: 458 }.generalisation().unwrap();
        // A CSS pixel at z10: 360° / 1024 tiles / 512 pixels.
        assert!((z10.smallest - 360.0 / 1024.0 / 512.0).abs() < 1e-15);
        assert!(z10.tolerance < z10.smallest / 2.0 && z10.tolerance > z10.smallest * 0.4);
        assert_eq!(TileId { z: DETAIL_ZOOM, x: 0, y: 0 }.generalisation(), None);
        assert_eq!(TileId { z: MAX_ZOOM, x: 0, y: 0 }.generalisation(), None);
    }

    #[test]
    fn a_tile_query_binds_its_values_and_names_only_catalogue_identifiers() {
        let roads = crate::layers::find("roads").unwrap();
        let filter = Filter { commune: Some("x'; drop table road; --".into()), ..Filter::default() };
        let sql = tile_query(roads, &filter, TileId { z: 14, x: 13_000, y: 7_000 }, None);
        assert!(!sql.text.contains("drop table"));
        assert!(sql.text.contains("ST_AsMVT(mvt, 'roads', 4096, 'geom', 'mvt_id')"));
        assert!(sql.text.contains("t.geom && bounds.search"));
        // The communes layer is keyed by a code, which cannot be an MVT id.
        let communes = crate::layers::find("communes").unwrap();
        let z3 = TileId { z: 3, x: 6, y: 3 };
        let sql = tile_query(communes, &Filter::default(), z3, z3.generalisation());
        assert!(sql.text.contains("ST_AsMVT(mvt, 'communes', 4096, 'geom')"));
        assert!(sql.text.contains("ST_SimplifyPreserveTopology"));
    }
}
