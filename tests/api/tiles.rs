//! GET /tiles/{layer}/{z}/{x}/{y}.mvt and /tiles/{layer}.json over the two_communes fixture
//! (tests/fixtures/two_communes.sql), tiles decoded with the `mvt-reader` crate.
//!
//! The tiles used, from the Web Mercator grid (computed by hand from the fixture's
//! coordinates with the formulas of `lon_to_x` and `lat_to_y` below):
//! - z10 812/456 (105.469-105.820 E, 18.979-19.311 N) holds both communes whole;
//! - z14 13002/7301 (105.68848-105.71045 E, 19.18668-19.20743 N) holds road 1
//!   (19.205 N) whole and the southern part of road 4 (the meridian 105.71, 19.20-19.22):
//!   road 2 (19.21 N) and road 3 (19.215 N) lie north of it beyond its 64-unit buffer
//!   (0.0003°), road 5 lies 0.09° to the east.

use crate::helpers::{Session, TestApp, app_with_editor, spawn_app, spawn_app_with_policy};
use mvt_reader::feature::{Feature, Value as MvtValue};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const Z10: &str = "10/812/456";
const Z14: &str = "14/13002/7301";

async fn app_with_fixture() -> TestApp {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    app
}

/// The one layer of an MVT: its name, its extent, and its features.
fn decode(bytes: Vec<u8>) -> (String, u32, Vec<Feature>) {
    let reader = mvt_reader::Reader::new(bytes).expect("a valid MVT");
    let layers = reader.get_layer_metadata().expect("layers");
    assert_eq!(layers.len(), 1, "one layer per tile");
    let features = reader.get_features(0).expect("features");
    assert_eq!(features.len(), layers[0].feature_count);
    (layers[0].name.clone(), layers[0].extent, features)
}

/// GET of a tile that must answer 200 with an MVT, decoded.
async fn tile(app: &TestApp, path: &str) -> (String, u32, Vec<Feature>) {
    let response = app.get(path).await;
    let status = response.status();
    assert_eq!(status, 200, "GET {path} answered {status}: {}", response.text().await.unwrap_or_default());
    assert_eq!(response.headers()["content-type"], "application/vnd.mapbox-vector-tile");
    decode(response.bytes().await.unwrap().to_vec())
}

/// The MVT feature ids of a tile of `path`, sorted.
async fn ids(app: &TestApp, path: &str) -> Vec<u64> {
    let (_, _, features) = tile(app, path).await;
    let mut ids: Vec<u64> = features.iter().map(|f| f.id.expect("integer-keyed layers carry MVT ids")).collect();
    ids.sort();
    ids
}

fn properties(feature: &Feature) -> &std::collections::HashMap<String, MvtValue> {
    feature.properties.as_ref().expect("properties")
}

/// A tile attribute as JSON, to compare with the database's `row_to_json`.
fn as_json(value: &MvtValue) -> Value {
    match value {
        MvtValue::String(s) => Value::String(s.clone()),
        MvtValue::Float(v) => serde_json::json!(v),
        MvtValue::Double(v) => serde_json::json!(v),
        MvtValue::Int(v) | MvtValue::SInt(v) => serde_json::json!(v),
        MvtValue::UInt(v) => serde_json::json!(v),
        MvtValue::Bool(v) => serde_json::json!(v),
        MvtValue::Null => Value::Null,
    }
}

fn same_value(tile: &Value, database: &Value) -> bool {
    match (tile.as_f64(), database.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        _ => tile == database,
    }
}

/// Web Mercator tile coordinates (4096 units a side) of a longitude and latitude in tile
/// (z, x, y): the formulas of the XYZ grid, written here independently of kheo.
fn lon_to_x(lon: f64, z: u32, x: u32) -> f64 {
    let world = (lon + 180.0) / 360.0 * f64::from(1u32 << z);
    (world - f64::from(x)) * 4096.0
}

fn lat_to_y(lat: f64, z: u32, y: u32) -> f64 {
    let phi = lat.to_radians();
    let world = (1.0 - (phi.tan() + 1.0 / phi.cos()).ln() / std::f64::consts::PI) / 2.0 * f64::from(1u32 << z);
    (world - f64::from(y)) * 4096.0
}

fn line(feature: &Feature) -> Vec<(f64, f64)> {
    match &feature.geometry {
        geo::Geometry::LineString(l) => l.coords().map(|c| (f64::from(c.x), f64::from(c.y))).collect(),
        geo::Geometry::MultiLineString(m) if m.0.len() == 1 => {
            m.0[0].coords().map(|c| (f64::from(c.x), f64::from(c.y))).collect()
        }
        other => panic!("not a line: {other:?}"),
    }
}

fn close(actual: (f64, f64), expected: (f64, f64)) -> bool {
    (actual.0 - expected.0).abs() <= 1.0 && (actual.1 - expected.1).abs() <= 1.0
}

#[tokio::test]
async fn a_tile_holds_the_features_in_it_with_their_ids_and_every_catalogue_field_from_the_database() {
    let app = app_with_fixture().await;

    let (name, extent, features) = tile(&app, &format!("/tiles/roads/{Z14}.mvt")).await;

    assert_eq!(name, "roads");
    assert_eq!(extent, 4096);
    // Roads 1 and 4 (see the head of this file).
    let mut ids: Vec<u64> = features.iter().map(|f| f.id.unwrap()).collect();
    ids.sort();
    assert_eq!(ids, [1, 4]);
    let roads = kheo::layers::find("roads").unwrap();
    for feature in &features {
        let id = feature.id.unwrap() as i64;
        let row: Value = sqlx::query_scalar("SELECT row_to_json(t) FROM road t WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        let props = properties(feature);
        assert_eq!(as_json(&props["commune"]), row["commune_code"], "road {id}");
        for field in roads.fields() {
            match props.get(field.name) {
                // NULL values are left out of the tile.
                None => assert_eq!(row[field.name], Value::Null, "road {id}: {} is missing", field.name),
                Some(value) => assert!(
                    same_value(&as_json(value), &row[field.name]),
                    "road {id}: {} is {value:?} in the tile, {} in the database",
                    field.name,
                    row[field.name]
                ),
            }
        }
        assert_eq!(props.len(), 1 + roads.fields().filter(|f| !row[f.name].is_null()).count(), "road {id}");
    }
    // Typed values: numbers as numbers, dates as YYYY-MM-DD.
    let road1 = features.iter().find(|f| f.id == Some(1)).unwrap();
    assert!(matches!(properties(road1)["people_vnd"], MvtValue::Int(150_000_000) | MvtValue::UInt(150_000_000)));
    assert_eq!(properties(road1)["width_m"], MvtValue::Double(5.0));
    assert_eq!(properties(road1)["paved_on"], MvtValue::String("2020-06-01".into()));
}

#[tokio::test]
async fn geometries_are_in_tile_coordinates_and_clipped_to_the_buffer() {
    let app = app_with_fixture().await;

    let (_, _, features) = tile(&app, &format!("/tiles/roads/{Z14}.mvt")).await;

    // Road 1: LINESTRING(105.702 19.205, 105.708 19.205), whole.
    let road1 = line(features.iter().find(|f| f.id == Some(1)).unwrap());
    let y = lat_to_y(19.205, 14, 7301);
    assert_eq!(road1.len(), 2, "{road1:?}");
    assert!(close(road1[0], (lon_to_x(105.702, 14, 13002), y)), "{road1:?}");
    assert!(close(road1[1], (lon_to_x(105.708, 14, 13002), y)), "{road1:?}");
    // Road 4 runs north from 19.20 out of the tile: clipped at the buffer, 64 units above
    // the tile's top edge.
    let road4 = line(features.iter().find(|f| f.id == Some(4)).unwrap());
    let x = lon_to_x(105.71, 14, 13002);
    let ys: Vec<f64> = road4.iter().map(|p| p.1).collect();
    assert!(road4.iter().all(|p| (p.0 - x).abs() <= 1.0), "{road4:?}");
    assert!(ys.iter().any(|y| (y - lat_to_y(19.20, 14, 7301)).abs() <= 1.0), "{road4:?}");
    assert!(ys.iter().any(|y| (y + 64.0).abs() <= 1.0), "{road4:?}");
}

#[tokio::test]
async fn every_catalogue_layer_has_tiles() {
    let app = app_with_fixture().await;

    for layer in kheo::layers::LAYERS {
        let path = format!("/tiles/{}/{Z10}.mvt", layer.id);
        // Every feature of the fixture lies in the z10 tile; it has no drains.
        let count: i64 =
            sqlx::query_scalar(&format!("SELECT count(*) FROM {}", layer.table)).fetch_one(&app.pool).await.unwrap();
        if count == 0 {
            assert_eq!(app.get(&path).await.status(), 204, "{path}");
            continue;
        }
        let (name, _, features) = tile(&app, &path).await;
        assert_eq!(name, layer.id);
        assert_eq!(features.len() as i64, count, "layer {}", layer.id);
        for feature in &features {
            let props = properties(feature);
            assert!(props.contains_key("commune"), "layer {}: {props:?}", layer.id);
        }
    }
    // The communes are keyed by code: no MVT id, the code is an attribute.
    let (_, _, communes) = tile(&app, &format!("/tiles/communes/{Z10}.mvt")).await;
    let codes: BTreeSet<String> = communes.iter().map(|f| as_json(&properties(f)["code"]).to_string()).collect();
    assert_eq!(codes, BTreeSet::from(["\"99001\"".to_string(), "\"99002\"".to_string()]));
    assert!(communes.iter().all(|f| f.id.is_none()));
}

#[tokio::test]
async fn as_of_and_field_filters_change_the_tile_as_they_change_the_features() {
    let app = app_with_fixture().await;

    // Road 3 was built in 2022; road 1 was concreted in 2020, gravel before.
    assert_eq!(ids(&app, &format!("/tiles/roads/{Z10}.mvt")).await, [1, 2, 3, 4, 5]);
    let path = format!("/tiles/roads/{Z10}.mvt?as_of=2019-12-31");
    let (_, _, before) = tile(&app, &path).await;
    let surfaces: BTreeMap<u64, Value> =
        before.iter().map(|f| (f.id.unwrap(), as_json(&properties(f)["surface"]))).collect();
    assert_eq!(
        surfaces,
        BTreeMap::from([(1, "gravel".into()), (2, "asphalt".into()), (4, "asphalt".into()), (5, "concrete".into())])
    );
    // The features endpoint says the same.
    let collection = app.get_json("/api/layers/roads/features?as_of=2019-12-31").await;
    let expected: BTreeMap<u64, Value> = collection["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_u64().unwrap(), f["properties"]["surface"].clone()))
        .collect();
    assert_eq!(surfaces, expected);

    for (query, expected) in [
        ("surface=asphalt", vec![2, 4]),
        ("surface=concrete", vec![1, 5]),
        ("as_of=2019-12-31&surface=gravel", vec![1]),
        ("as_of=2019-12-31&surface=concrete", vec![5]),
        ("class=alley", vec![3]),
        ("commune=99002", vec![5]),
        ("commune=99001&as_of=2021-01-01", vec![1, 2, 4]),
    ] {
        assert_eq!(ids(&app, &format!("/tiles/roads/{Z10}.mvt?{query}")).await, expected, "{query}");
        let features: Vec<u64> = app
            .feature_ids(&format!("/api/layers/roads/features?{query}"))
            .await
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(features, expected, "features endpoint, {query}");
    }
}

#[tokio::test]
async fn features_smaller_than_a_pixel_are_left_out_below_the_detail_zoom() {
    let app = app_with_fixture().await;
    // A 3.2 m stub (0.00003° of longitude): a CSS pixel is 4.7 m at z14 and 1.2 m at z16.
    sqlx::query(
        "INSERT INTO road (id, commune_code, name, status, class, surface, geom) VALUES
           (6, '99001', 'Ngõ cụt', 'existing', 'alley', 'earth',
            ST_GeomFromText('LINESTRING(105.703 19.203, 105.70303 19.203)', 4326))",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (x16, y16) = ((lon_to_x(105.703, 16, 0) / 4096.0) as u32, (lat_to_y(19.203, 16, 0) / 4096.0) as u32);

    assert_eq!(ids(&app, &format!("/tiles/roads/{Z14}.mvt")).await, [1, 4]);
    // The z16 tile of the stub (105.69946-105.70496 E, 19.20224-19.20743 N) also holds
    // road 1 (19.205 N from 105.702 E).
    assert_eq!(ids(&app, &format!("/tiles/roads/16/{x16}/{y16}.mvt")).await, [1, 6]);
    // Points are never left out: model site 1 (105.703, 19.203) is in the z14 tile.
    assert_eq!(ids(&app, &format!("/tiles/model_sites/{Z14}.mvt")).await, [1]);
}

#[tokio::test]
async fn a_line_whose_box_covers_the_tile_but_which_passes_outside_it_is_not_in_it() {
    let app = app_with_fixture().await;
    // An L round the z14 tile's north-east corner, beyond its buffer: north along 19.21 N,
    // then south along 105.72 E.
    sqlx::query(
        "INSERT INTO road (id, commune_code, name, status, class, surface, geom) VALUES
           (7, '99001', 'Đường vòng', 'existing', 'commune', 'earth',
            ST_GeomFromText('LINESTRING(105.68 19.21, 105.72 19.21, 105.72 19.18)', 4326))",
    )
    .execute(&app.pool)
    .await
    .unwrap();

    assert_eq!(ids(&app, &format!("/tiles/roads/{Z14}.mvt")).await, [1, 4]);
    assert_eq!(ids(&app, &format!("/tiles/roads/{Z10}.mvt")).await, [1, 2, 3, 4, 5, 7]);
}

#[tokio::test]
async fn an_empty_tile_is_a_204() {
    let app = app_with_fixture().await;

    for path in [
        "/tiles/roads/14/0/0.mvt".to_string(),
        format!("/tiles/roads/{Z14}.mvt?commune=99002"),
        format!("/tiles/roads/{Z14}.mvt?as_of=2000-01-01&class=alley"),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), 204, "{path}");
        assert!(response.headers().contains_key("etag"), "{path}");
        assert!(response.bytes().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn bad_tile_requests_are_refused_naming_the_parameter() {
    let app = app_with_fixture().await;

    for (path, parameter) in [
        ("/tiles/roads/23/0/0.mvt", "z"),
        ("/tiles/roads/-1/0/0.mvt", "z"),
        ("/tiles/roads/a/0/0.mvt", "z"),
        ("/tiles/roads/2/4/0.mvt", "x"),
        ("/tiles/roads/2/0/4.mvt", "y"),
        ("/tiles/roads/0/0/1.mvt", "y"),
        ("/tiles/roads/14/13002/7301.mvt?bbox=105,19,106,20", "bbox"),
        ("/tiles/roads/14/13002/7301.mvt?limit=10", "limit"),
        ("/tiles/roads/14/13002/7301.mvt?offset=0", "offset"),
        ("/tiles/roads/14/13002/7301.mvt?as_of=2019", "as_of"),
        ("/tiles/roads/14/13002/7301.mvt?surface=marble", "surface"),
        ("/tiles/roads/14/13002/7301.mvt?colour=red", "colour"),
        ("/tiles/roads/14/13002/7301.mvt?class=alley&class=commune", "class"),
        ("/tiles/roads.json?limit=5", "limit"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 400, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["detail"]["parameter"], parameter, "{path}: {body}");
        assert!(body["error"].as_str().unwrap().contains(parameter), "{path}: {body}");
    }
    for path in [
        "/tiles/nope/0/0/0.mvt",
        "/tiles/nope.json",
        "/tiles/roads/0/0/0.pbf",
        "/tiles/roads/0/0",
        "/tiles/roads",
        "/tiles/roads/14/13002/7301.mvt?commune=00000",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].is_string(), "{path}: {body}");
    }
}

#[tokio::test]
async fn a_repeated_tile_request_is_a_304_until_the_layer_changes() {
    let app = app_with_fixture().await;
    let path = format!("/tiles/roads/{Z14}.mvt");
    let first = app.get(&path).await;
    assert_eq!(first.status(), 200);
    let tag = first.headers()["etag"].to_str().unwrap().to_string();
    assert!(tag.starts_with("W/\""), "{tag}");

    let again = app.client.get(app.url(&path)).header("If-None-Match", &tag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], tag.as_str());
    assert_eq!(again.headers()["cache-control"], first.headers()["cache-control"]);
    // Another tile of the same data has its own tag.
    let other = app.get(&format!("/tiles/roads/{Z10}.mvt")).await;
    assert_ne!(other.headers()["etag"].to_str().unwrap(), tag);

    sqlx::query("UPDATE road SET surface = 'asphalt' WHERE id = 1").execute(&app.pool).await.unwrap();
    let changed = app.client.get(app.url(&path)).header("If-None-Match", &tag).send().await.unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), tag);
    let (_, _, features) = decode(changed.bytes().await.unwrap().to_vec());
    let road1 = features.iter().find(|f| f.id == Some(1)).unwrap();
    assert_eq!(properties(road1)["surface"], MvtValue::String("asphalt".into()));
}

#[tokio::test]
async fn tiles_are_compressed_when_the_client_accepts_it() {
    let app = app_with_fixture().await;
    let raw = reqwest::Client::builder().no_gzip().no_brotli().build().unwrap();

    let path = format!("/tiles/roads/{Z10}.mvt");
    let gzip = raw.get(app.url(&path)).header("Accept-Encoding", "gzip").send().await.unwrap();

    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let vary: Vec<&str> = gzip.headers().get_all("vary").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(vary.iter().any(|v| v.eq_ignore_ascii_case("cookie")), "{vary:?}");
    assert!(vary.iter().any(|v| v.eq_ignore_ascii_case("accept-encoding")), "{vary:?}");
}

/// A signed-in GET.
async fn get_as(app: &TestApp, path: &str, session: &Session) -> reqwest::Response {
    app.client.get(app.url(path)).header("cookie", &session.cookie).send().await.unwrap()
}

#[tokio::test]
async fn anonymous_readers_get_no_work_of_an_unpublished_commune_and_no_tile_is_shared_with_them() {
    let (app, session) = app_with_editor().await;
    kheo::store::communes::set_published(&app.pool, "99001", false).await.unwrap();
    let path = format!("/tiles/roads/{Z10}.mvt");

    // Anonymous: only the road of the published commune, and a tile any cache may keep.
    let public = app.get(&path).await;
    assert_eq!(public.headers()["cache-control"], "public, max-age=60, must-revalidate");
    let (_, _, features) = decode(public.bytes().await.unwrap().to_vec());
    assert_eq!(features.iter().map(|f| f.id.unwrap()).collect::<Vec<_>>(), [5]);
    assert_eq!(app.get(&format!("/tiles/roads/{Z14}.mvt")).await.status(), 204);
    assert_eq!(app.get(&format!("{path}?commune=99001")).await.status(), 404);
    assert_eq!(app.get("/tiles/roads.json?commune=99001").await.status(), 404);

    // Signed in: every road, in an answer for that reader's browser only.
    let private = get_as(&app, &path, &session).await;
    assert_eq!(private.status(), 200);
    assert_eq!(private.headers()["cache-control"], "private, no-cache");
    let (_, _, features) = decode(private.bytes().await.unwrap().to_vec());
    assert_eq!(features.len(), 5);
    assert_eq!(get_as(&app, &format!("{path}?commune=99001"), &session).await.status(), 200);

    // Publishing it changes the anonymous tile's tag.
    let tag = app.get(&path).await.headers()["etag"].to_str().unwrap().to_string();
    kheo::store::communes::set_published(&app.pool, "99001", true).await.unwrap();
    let now = app.client.get(app.url(&path)).header("If-None-Match", &tag).send().await.unwrap();
    assert_eq!(now.status(), 200);
    assert_eq!(decode(now.bytes().await.unwrap().to_vec()).2.len(), 5);
}

#[tokio::test]
async fn a_server_closed_to_anonymous_readers_does_not_serve_them_tiles() {
    let policy = kheo::http::Policy { anonymous_read: false, ..kheo::http::Policy::default() };
    let app = spawn_app_with_policy(policy).await;
    app.load_fixture("two_communes.sql").await;

    assert_eq!(app.get(&format!("/tiles/roads/{Z10}.mvt")).await.status(), 401);
    assert_eq!(app.get("/tiles/roads.json").await.status(), 401);
}

#[tokio::test]
async fn tilejson_describes_the_tiles_of_a_layer_with_the_filter_kept() {
    let app = app_with_fixture().await;

    let response = app.get("/tiles/roads.json?commune=99001&as_of=2021-01-01").await;

    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("etag"));
    let doc: Value = response.json().await.unwrap();
    assert_eq!(doc["tilejson"], "3.0.0");
    assert!(doc["name"].is_string() && doc["description"].is_string() && doc["attribution"].is_string());
    assert_eq!(
        doc["tiles"],
        serde_json::json!([format!(
            "{}/tiles/roads/{{z}}/{{x}}/{{y}}.mvt?commune=99001&as_of=2021-01-01",
            app.address
        )])
    );
    assert_eq!(doc["minzoom"], 0);
    assert_eq!(doc["maxzoom"], 16);
    // Roads 1, 2 and 4 of commune 99001 existed on 2021-01-01: 105.702-105.715 E,
    // 19.20-19.22 N.
    let bounds: Vec<f64> = serde_json::from_value(doc["bounds"].clone()).unwrap();
    let expected = [105.702, 19.20, 105.715, 19.22];
    assert!(bounds.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-9), "{bounds:?}");
    let center: Vec<f64> = serde_json::from_value(doc["center"].clone()).unwrap();
    assert!((center[0] - 105.7085).abs() < 1e-9 && (center[1] - 19.21).abs() < 1e-9, "{center:?}");
    assert!((0.0..=16.0).contains(&center[2]));

    let layers = doc["vector_layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0]["id"], "roads");
    let fields = layers[0]["fields"].as_object().unwrap();
    let roads = kheo::layers::find("roads").unwrap();
    assert_eq!(fields.len(), 1 + roads.fields().count());
    assert_eq!(fields["commune"], "text");
    assert_eq!(fields["surface"], "enum");
    assert_eq!(fields["people_vnd"], "integer");
    assert_eq!(fields["width_m"], "number");
    assert_eq!(fields["paved_on"], "date");

    // And its template gives the tiles of that filter.
    let template = doc["tiles"][0].as_str().unwrap();
    let url = template.replace("{z}", "10").replace("{x}", "812").replace("{y}", "456");
    let path = url.strip_prefix(&app.address).unwrap();
    assert_eq!(ids(&app, path).await, [1, 2, 4]);
}

#[tokio::test]
async fn tilejson_re_encodes_the_kept_query_so_that_no_value_reads_as_a_template() {
    let app = app_with_fixture().await;

    let doc = app.get_json("/tiles/roads.json?name=%7Bz%7D%20x").await;

    let template = doc["tiles"][0].as_str().unwrap();
    assert_eq!(template.matches("{z}").count(), 1, "{template}");
    assert!(template.ends_with(".mvt?name=%7Bz%7D+x"), "{template}");
    // No road is called that: the bounds are the server's extent.
    assert_eq!(doc["bounds"], serde_json::json!([102.0, 6.0, 118.0, 24.0]));
}

#[tokio::test]
async fn tilejson_refuses_a_host_header_that_is_not_a_host() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = app_with_fixture().await;
    let address = app.address.strip_prefix("http://").unwrap();

    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /tiles/roads.json HTTP/1.1\r\nHost: evil\"><script>\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();

    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("\"header\":\"host\""), "{answer}");
    assert!(!answer.contains("<script>"), "{answer}");
}

#[tokio::test]
async fn a_tile_over_100_000_roads_reads_the_spatial_index_and_is_served_at_once() {
    let app = spawn_app().await;
    // 100 synthetic communes of 1,000 roads, from 104° E 19° N (see src/pipeline/synthetic.rs).
    kheo::synthetic::province(&app.pool, 100).await.unwrap();
    let roads = kheo::layers::find("roads").unwrap();
    // z14 12947/7306: 104.4800-104.5020 E, 19.0829-19.1036 N, over the corners of four
    // communes (S00034, S00035, S00059, S00060) and the gaps between them.
    let tile = kheo::store::tiles::TileId { z: 14, x: 12947, y: 7306 };
    let query = kheo::store::tiles::tile_query(roads, &kheo::store::features::Filter::default(), tile, None);

    let plan: Value = sqlx::query_scalar_with(&format!("EXPLAIN (FORMAT JSON) {}", query.text), query.arguments())
        .fetch_one(&app.pool)
        .await
        .unwrap();

    let plan = plan.to_string();
    assert!(plan.contains("\"Index Name\":\"road_geom_idx\""), "the tile does not read the spatial index: {plan}");
    let started = std::time::Instant::now();
    let response = app.get("/tiles/roads/14/12947/7306.mvt").await;
    assert_eq!(response.status(), 200);
    let (_, _, features) = decode(response.bytes().await.unwrap().to_vec());
    // Served, not starved (a generous bound; the speed is measured in bench/tiles.sh).
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "{:?}", started.elapsed());
    // The roads that meet the tile and its buffer of 64 of its 4096 units a side.
    let expected: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM road
          WHERE ST_Intersects(geom, ST_Transform(ST_TileEnvelope(14, 12947, 7306, margin => 64.0 / 4096), 4326))",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(expected > 0);
    assert_eq!(features.len() as i64, expected);
}
