//! The tiles resource, generic over the catalogue: `GET /tiles/{layer}/{z}/{x}/{y}.mvt`
//! (Mapbox Vector Tiles built by PostGIS, see `store::tiles`) and their TileJSON 3.0.0 at
//! `GET /tiles/{layer}.json`, with the filters of `/api/layers/{layer}/features` but for
//! `bbox`, `limit` and `offset`, which a tile has no use for.

use super::AppContext;
use super::error::{ApiError, ApiResult};
use super::etag;
use super::layers::{layer_or_404, prepare};
use super::params;
use super::session::Viewer;
use crate::layers::Layer;
use crate::store::tiles::{self, DETAIL_ZOOM, MAX_ZOOM, TileId};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Router, routing::get};
use serde_json::{Value, json};

pub fn router() -> Router<AppContext> {
    // One catch-all: the router cannot match `{y}.mvt` within a segment, and every path
    // under /tiles/ gets a JSON answer this way, even a wrong one.
    Router::new().route("/tiles/{*path}", get(tiles))
}

const MVT: &str = "application/vnd.mapbox-vector-tile";
/// How long a browser or shared cache may keep a public tile before it revalidates (with
/// the ETag: a 304 costs one index read). Edits, and a commune being unpublished, reach
/// anonymous readers behind a cache at most this late.
const PUBLIC_MAX_AGE_S: u32 = 60;
/// Parameters of the features endpoint that a tile refuses: it is its own box, and holds
/// every feature that falls in it.
const NOT_FOR_TILES: [&str; 3] = ["bbox", "limit", "offset"];

/// What a path under /tiles/ names.
#[derive(Debug)]
enum Resource {
    Tile(&'static Layer, TileId),
    TileJson(&'static Layer),
}

const PATHS: &str = "tiles are at /tiles/{layer}/{z}/{x}/{y}.mvt, their TileJSON at /tiles/{layer}.json";

/// Reads `{layer}.json` or `{layer}/{z}/{x}/{y}.mvt`: 404 for an unknown layer or another
/// path, 400 naming `z`, `x` or `y` when it is not a tile of the grid.
fn resource(path: &str) -> ApiResult<Resource> {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        [file] => match file.strip_suffix(".json") {
            Some(id) => Ok(Resource::TileJson(layer_or_404(id)?)),
            None => Err(ApiError::not_found(format!("no tile resource /tiles/{path}: {PATHS}"))),
        },
        [id, z, x, file] => {
            let layer = layer_or_404(id)?;
            let Some(y) = file.strip_suffix(".mvt") else {
                return Err(ApiError::not_found(format!("no tile resource /tiles/{path}: {PATHS}")));
            };
            let z = match z.parse::<u8>() {
                Ok(z) if z <= MAX_ZOOM => z,
                _ => return Err(ApiError::bad("z", format!("must be a whole number from 0 to {MAX_ZOOM}"))),
            };
            let side = TileId::tiles_a_side(z);
            let coordinate = |name: &str, value: &str| match value.parse::<u64>() {
                Ok(v) if v < side => Ok(v as u32),
                _ => Err(ApiError::bad(name, format!("must be a whole number from 0 to {} at zoom {z}", side - 1))),
            };
            Ok(Resource::Tile(layer, TileId { z, x: coordinate("x", x)?, y: coordinate("y", y)? }))
        }
        _ => Err(ApiError::not_found(format!("no tile resource /tiles/{path}: {PATHS}"))),
    }
}

async fn tiles(
    State(ctx): State<AppContext>,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    viewer: Viewer,
) -> ApiResult<Response> {
    if viewer.is_anonymous() && !ctx.policy.anonymous_read {
        return Err(ApiError::unauthorized("this server does not serve anonymous visitors: sign in first"));
    }
    let resource = resource(&path)?;
    let pairs = params::pairs(query.as_deref())?;
    hide_unpublished_commune(&ctx, &viewer, &pairs).await?;
    if let Some((name, _)) = pairs.iter().find(|(name, _)| NOT_FOR_TILES.contains(&name.as_str())) {
        return Err(ApiError::bad(
            name,
            "makes no sense for a tile: a tile is its own box and holds every feature in it \
             (use commune, region, as_of or a field)",
        ));
    }
    match resource {
        Resource::Tile(layer, tile) => one_tile(&ctx, &viewer, &headers, layer, tile, query.as_deref()).await,
        Resource::TileJson(layer) => tilejson(&ctx, &viewer, &headers, layer, &pairs, query.as_deref()).await,
    }
}

/// An unpublished commune is unknown to anonymous readers (404), as `session::guard_reads`
/// makes it for /api/ reads, which /tiles/ is outside of (the handler above does its 401).
async fn hide_unpublished_commune(ctx: &AppContext, viewer: &Viewer, pairs: &[(String, String)]) -> ApiResult<()> {
    if !viewer.is_anonymous() {
        return Ok(());
    }
    if let Some((_, code)) = pairs.iter().find(|(name, _)| name == "commune")
        && crate::store::communes::published(&ctx.pool, code).await? == Some(false)
    {
        return Err(ApiError::not_found(format!("unknown commune `{code}`")));
    }
    Ok(())
}

async fn one_tile(
    ctx: &AppContext,
    viewer: &Viewer,
    headers: &HeaderMap,
    layer: &'static Layer,
    tile: TileId,
    query: Option<&str>,
) -> ApiResult<Response> {
    let variant = format!("mvt {}/{}/{}", tile.z, tile.x, tile.y);
    let (filter, tag) = prepare(ctx, viewer, layer, query, &variant).await?;
    if etag::matches(headers, &tag) {
        return Ok(cacheable(etag::not_modified(&tag), viewer, &tag));
    }
    let bytes = tiles::tile(&ctx.pool, layer, &filter, tile).await?;
    let response = if bytes.is_empty() {
        StatusCode::NO_CONTENT.into_response()
    } else {
        let mut response = (StatusCode::OK, bytes).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
        response
    };
    Ok(cacheable(response, viewer, &tag))
}

/// The ETag, and caching by audience: public answers may be kept by shared caches for
/// [`PUBLIC_MAX_AGE_S`]; a signed-in reader's (which may hold unpublished communes) only
/// by that reader's browser, revalidated every time; `Vary: Cookie` keeps a shared cache
/// from handing a public answer to a signed-in reader or the reverse.
fn cacheable(mut response: Response, viewer: &Viewer, tag: &str) -> Response {
    let h = response.headers_mut();
    let control = if viewer.is_anonymous() {
        format!("public, max-age={PUBLIC_MAX_AGE_S}, must-revalidate")
    } else {
        "private, no-cache".to_string()
    };
    if let Ok(v) = HeaderValue::from_str(&control) {
        h.insert(header::CACHE_CONTROL, v);
    }
    h.append(header::VARY, HeaderValue::from_static("cookie"));
    if let Ok(v) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, v);
    }
    response
}

/// `scheme://host` of the request, for the absolute tile URLs of TileJSON. The Host header
/// goes into the answer, so it must be a host name or address with an optional port.
fn origin(ctx: &AppContext, headers: &HeaderMap) -> ApiResult<String> {
    let bad_host = || {
        ApiError::client(
            StatusCode::BAD_REQUEST,
            "the Host header must be a host name or address, with an optional port",
            json!({ "header": "host" }),
        )
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).ok_or_else(bad_host)?;
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    if host.is_empty() || host.len() > 255 || !host.chars().all(plain) {
        return Err(bad_host());
    }
    let forwarded_https = ctx.policy.trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    // Secure cookies are set when kheo is served over HTTPS (see `Policy`).
    let scheme = if ctx.policy.secure_cookies || forwarded_https { "https" } else { "http" };
    Ok(format!("{scheme}://{host}"))
}

async fn tilejson(
    ctx: &AppContext,
    viewer: &Viewer,
    headers: &HeaderMap,
    layer: &'static Layer,
    pairs: &[(String, String)],
    query: Option<&str>,
) -> ApiResult<Response> {
    let origin = origin(ctx, headers)?;
    let (filter, data_tag) = prepare(ctx, viewer, layer, query, "tilejson").await?;
    let tag = etag::weak(&[&data_tag, &origin]);
    if etag::matches(headers, &tag) {
        return Ok(cacheable(etag::not_modified(&tag), viewer, &tag));
    }
    let bounds = tiles::bounds(&ctx.pool, layer, &filter).await?.unwrap_or(ctx.policy.extent);
    // Re-encoded from the checked pairs: `{` and `}` in a value must not read as a template.
    let kept = serde_urlencoded::to_string(pairs).unwrap_or_default();
    let kept = if kept.is_empty() { String::new() } else { format!("?{kept}") };
    let body = tilejson_document(layer, &format!("{origin}/tiles/{}/{{z}}/{{x}}/{{y}}.mvt{kept}", layer.id), bounds);
    let mut response = axum::Json(body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(cacheable(response, viewer, &tag))
}

/// The TileJSON 3.0.0 document of `layer`'s tiles at `template`, over `bounds`.
fn tilejson_document(layer: &Layer, template: &str, bounds: [f64; 4]) -> Value {
    let mut fields = serde_json::Map::new();
    fields.insert("commune".into(), json!("text"));
    for field in layer.fields() {
        fields.insert(field.name.into(), json!(field.ty.name()));
    }
    let description = format!("{} ({}): kheo's `{}` layer", layer.title_en, layer.title_vi, layer.id);
    json!({
        "tilejson": "3.0.0",
        "name": layer.title_vi,
        "description": description,
        "attribution": "kheo",
        "scheme": "xyz",
        "tiles": [template],
        "minzoom": 0,
        "maxzoom": DETAIL_ZOOM,
        "bounds": bounds,
        "center": center(bounds),
        "vector_layers": [{
            "id": layer.id,
            "description": description,
            "minzoom": 0,
            "maxzoom": DETAIL_ZOOM,
            "fields": fields,
        }],
    })
}

/// `[longitude, latitude, zoom]`: the middle of `bounds`, at the deepest zoom at which they
/// fit in one 512-pixel tile.
fn center([w, s, e, n]: [f64; 4]) -> [f64; 3] {
    let latitude = (s + n) / 2.0;
    let span = (e - w).max((n - s) / latitude.to_radians().cos().max(0.01));
    let zoom =
        if span > 0.0 { (360.0 / span).log2().floor().clamp(0.0, DETAIL_ZOOM.into()) } else { DETAIL_ZOOM.into() };
    [(w + e) / 2.0, latitude, zoom]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile(path: &str) -> TileId {
        match resource(path) {
            Ok(Resource::Tile(_, tile)) => tile,
            other => panic!("{path}: {other:?}"),
        }
    }

    fn parameter(path: &str) -> String {
        match resource(path) {
            Err(ApiError::BadParameter { parameter, .. }) => parameter,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn a_tile_path_names_a_layer_and_a_tile_of_the_grid() {
        assert_eq!(tile("roads/0/0/0.mvt"), TileId { z: 0, x: 0, y: 0 });
        assert_eq!(tile("roads/14/13029/7165.mvt"), TileId { z: 14, x: 13029, y: 7165 });
        assert_eq!(tile("roads/22/4194303/4194303.mvt"), TileId { z: 22, x: 4_194_303, y: 4_194_303 });
        assert!(matches!(resource("roads.json"), Ok(Resource::TileJson(l)) if l.id == "roads"));
    }

    #[test]
    fn coordinates_off_the_grid_are_refused_naming_the_parameter() {
        assert_eq!(parameter("roads/23/0/0.mvt"), "z");
        assert_eq!(parameter("roads/-1/0/0.mvt"), "z");
        assert_eq!(parameter("roads/ten/0/0.mvt"), "z");
        assert_eq!(parameter("roads/1/2/0.mvt"), "x");
        assert_eq!(parameter("roads/1/0/2.mvt"), "y");
        assert_eq!(parameter("roads/0/0/-0.mvt"), "y");
        assert_eq!(parameter("roads/22/4194304/0.mvt"), "x");
        assert_eq!(parameter("roads/3/0/99999999999999999999.mvt"), "y");
    }

    #[test]
    fn other_paths_and_unknown_layers_are_not_found() {
        for path in ["nope/0/0/0.mvt", "nope.json", "roads", "roads/0/0/0.pbf", "roads/0/0", "roads/0/0/0/0.mvt", ""] {
            assert!(matches!(resource(path), Err(ApiError::NotFound(_))), "{path}");
        }
    }

    #[test]
    fn the_center_is_the_middle_at_a_zoom_where_the_bounds_fit() {
        let [lon, lat, zoom] = center([104.0, 19.0, 105.0, 19.2]);
        assert!((lon - 104.5).abs() < 1e-12 && (lat - 19.1).abs() < 1e-12);
        // 1° wide: 360 / 1 = 2^8.49, so zoom 8.
        assert_eq!(zoom, 8.0);
        assert_eq!(center([105.0, 19.0, 105.0, 19.0])[2], DETAIL_ZOOM as f64);
    }
}
