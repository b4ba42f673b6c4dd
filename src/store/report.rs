//! What the council report's map draws, at a date: the commune's outline, its groups with
//! a label point, its roads with their surface at the date, its model sites. PostGIS
//! projects every geometry to the UTM zone of the commune (metres, north up to within the
//! zone's grid convergence, under 0.4° in Vietnam), so the map and its scale bar need no
//! projection code of kheo's own.

use crate::store::features::{road_rules, site_existed};
use chrono::NaiveDate;
use sqlx::PgPool;

/// A geometry as GeoJSON text, in the commune's UTM zone (metres).
pub type ProjectedGeoJson = String;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupShape {
    pub id: i64,
    pub geometry: ProjectedGeoJson,
    /// The centre of the largest circle inside the group: where its label goes.
    pub label_x: f64,
    pub label_y: f64,
    /// That circle's radius, metres: the room the label has.
    pub label_room: f64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoadShape {
    pub class: String,
    /// The surface at the date.
    pub surface: String,
    pub geometry: ProjectedGeoJson,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SiteShape {
    pub field: String,
    pub recognition: Option<String>,
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone)]
pub struct MapShapes {
    /// The EPSG code of the UTM zone the coordinates are in.
    pub srid: i32,
    pub commune: ProjectedGeoJson,
    pub groups: Vec<GroupShape>,
    pub roads: Vec<RoadShape>,
    pub sites: Vec<SiteShape>,
}

/// The UTM zone (WGS 84, EPSG:326NN north, 327NN south) of the point `c` (an SQL
/// expression, evaluated twice): the zone the report's maps are drawn in.
const UTM_ZONE: &str =
    "(CASE WHEN ST_Y(c) >= 0 THEN 32600 ELSE 32700 END + least(60, floor((ST_X(c) + 180) / 6)::int + 1))";

/// The UTM zone of commune `$1`'s centroid.
fn commune_srid() -> String {
    format!("(SELECT {UTM_ZONE} FROM (SELECT ST_Centroid(geom) AS c FROM commune WHERE code = $1) s)")
}

/// The shapes of commune `code` at `as_of`; `None` when there is no such commune.
pub async fn map_shapes(pool: &PgPool, code: &str, as_of: NaiveDate) -> Result<Option<MapShapes>, sqlx::Error> {
    let commune: Option<(i32, String)> = sqlx::query_as(&format!(
        "SELECT {srid}, ST_AsGeoJSON(ST_Transform(geom, {srid}), 1) FROM commune WHERE code = $1",
        srid = commune_srid()
    ))
    .bind(code)
    .fetch_optional(pool)
    .await?;
    let Some((srid, outline)) = commune else { return Ok(None) };

    let groups = sqlx::query_as(
        "SELECT id, ST_AsGeoJSON(g, 1) AS geometry,
                ST_X(c.center) AS label_x, ST_Y(c.center) AS label_y, c.radius AS label_room
           FROM (SELECT id, ST_Transform(geom, $2) AS g FROM residential_group WHERE commune_code = $1) t
           CROSS JOIN LATERAL ST_MaximumInscribedCircle(g) c
          ORDER BY id",
    )
    .bind(code)
    .bind(srid)
    .fetch_all(pool)
    .await?;

    let (existed, surface) = road_rules("$3");
    let roads = sqlx::query_as(&format!(
        "SELECT t.class, {surface} AS surface, ST_AsGeoJSON(ST_Transform(t.geom, $2), 1) AS geometry
           FROM road t WHERE t.commune_code = $1 AND {existed} ORDER BY t.id"
    ))
    .bind(code)
    .bind(srid)
    .bind(as_of)
    .fetch_all(pool)
    .await?;

    let existed = site_existed("$3");
    let sites = sqlx::query_as(&format!(
        "SELECT t.field, t.recognition, ST_X(p) AS x, ST_Y(p) AS y
           FROM model_site t CROSS JOIN LATERAL (SELECT ST_Transform(t.geom, $2) AS p) q
          WHERE t.commune_code = $1 AND {existed} ORDER BY t.id"
    ))
    .bind(code)
    .bind(srid)
    .bind(as_of)
    .fetch_all(pool)
    .await?;

    Ok(Some(MapShapes { srid, commune: outline, groups, roads, sites }))
}

/// What a region's report map draws: its communes (as the groups of a commune's map, in
/// the order of `codes`' sorted codes, `GroupShape::id` their index in [`RegionShapes::codes`])
/// and their union as the outline; no works, which a province's map could not show legibly.
#[derive(Debug, Clone)]
pub struct RegionShapes {
    pub shapes: MapShapes,
    /// The code of each commune, by its `GroupShape::id`.
    pub codes: Vec<String>,
}

/// The shapes of the communes `codes` in the UTM zone of their centre, simplified to a
/// three-thousandth of their extent (a twentieth of a millimetre on the printed map);
/// `None` when none of them exists. A simplified shape is made valid again, and the union
/// is computed on a grid of a tenth of that (GEOS's fixed-precision overlay, which cannot
/// fail on a topology exception), so that no boundary file can make a report fail.
pub async fn region_shapes(pool: &PgPool, codes: &[String]) -> Result<Option<RegionShapes>, sqlx::Error> {
    let zone: Option<(Option<i32>, Option<f64>)> = sqlx::query_as(&format!(
        "WITH z AS (SELECT {UTM_ZONE} AS srid
                      FROM (SELECT ST_Centroid(ST_Collect(geom)) AS c FROM commune WHERE code = ANY($1)) s
                     WHERE c IS NOT NULL)
         SELECT z.srid, (SELECT greatest(ST_XMax(e) - ST_XMin(e), ST_YMax(e) - ST_YMin(e)) / 3000
                           FROM (SELECT ST_Extent(ST_Transform(geom, z.srid))::geometry AS e
                                   FROM commune WHERE code = ANY($1)) x)
           FROM z"
    ))
    .bind(codes)
    .fetch_optional(pool)
    .await?;
    let Some((Some(srid), Some(tolerance))) = zone else { return Ok(None) };

    #[derive(sqlx::FromRow)]
    struct Row {
        code: String,
        geometry: ProjectedGeoJson,
        label_x: f64,
        label_y: f64,
        label_room: f64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT code, ST_AsGeoJSON(g, 1) AS geometry,
                ST_X(c.center) AS label_x, ST_Y(c.center) AS label_y, c.radius AS label_room
           FROM (SELECT code, ST_MakeValid(ST_SimplifyPreserveTopology(ST_Transform(geom, $2), $3)) AS g
                   FROM commune WHERE code = ANY($1)) t
           CROSS JOIN LATERAL ST_MaximumInscribedCircle(g) c
          ORDER BY code",
    )
    .bind(codes)
    .bind(srid)
    .bind(tolerance)
    .fetch_all(pool)
    .await?;
    let outline: (String,) = sqlx::query_as(
        "SELECT ST_AsGeoJSON(ST_Union(ST_MakeValid(ST_SimplifyPreserveTopology(ST_Transform(geom, $2), $3)), $3 / 10), 1)
           FROM commune WHERE code = ANY($1)",
    )
    .bind(codes)
    .bind(srid)
    .bind(tolerance)
    .fetch_one(pool)
    .await?;

    let mut groups = Vec::with_capacity(rows.len());
    let mut ordered = Vec::with_capacity(rows.len());
    for (index, row) in rows.into_iter().enumerate() {
        groups.push(GroupShape {
            id: index as i64,
            geometry: row.geometry,
            label_x: row.label_x,
            label_y: row.label_y,
            label_room: row.label_room,
        });
        ordered.push(row.code);
    }
    let shapes = MapShapes { srid, commune: outline.0, groups, roads: Vec::new(), sites: Vec::new() };
    Ok(Some(RegionShapes { shapes, codes: ordered }))
}

/// A photo of a model site, for the report: the site, the caption and the thumbnail.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SitePhoto {
    pub site_id: i64,
    pub site_name: Option<String>,
    pub field: String,
    pub caption: Option<String>,
    pub taken_on: Option<NaiveDate>,
    /// JPEG, at most 360 px a side (`crate::photos`).
    pub thumbnail: Vec<u8>,
    pub thumb_width: i32,
    pub thumb_height: i32,
}

/// The photos of the model sites of commune `code` that existed at `as_of`: at most
/// `per_site` of each site (its oldest first) and `most` in all, sites in id order. The
/// thumbnails alone are read, so the memory a report takes stays bounded however many
/// photos the sites have.
pub async fn model_site_photos(
    pool: &PgPool,
    code: &str,
    as_of: NaiveDate,
    per_site: i64,
    most: i64,
) -> Result<Vec<SitePhoto>, sqlx::Error> {
    let existed = site_existed("$2");
    sqlx::query_as(&format!(
        "SELECT p.feature_id AS site_id, t.name AS site_name, t.field, p.caption, p.taken_on,
                p.thumbnail, p.thumb_width, p.thumb_height
           FROM (SELECT q.*, row_number() OVER (PARTITION BY q.feature_id ORDER BY q.id) AS n
                   FROM photo q WHERE q.layer = 'model_sites' AND q.commune_code = $1) p
           JOIN model_site t ON t.id = p.feature_id
          WHERE t.commune_code = $1 AND {existed} AND p.n <= $3
          ORDER BY p.feature_id, p.id
          LIMIT $4"
    ))
    .bind(code)
    .bind(as_of)
    .bind(per_site)
    .bind(most)
    .fetch_all(pool)
    .await
}
