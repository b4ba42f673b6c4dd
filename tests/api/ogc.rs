//! OGC API - Features under /ogc over tests/fixtures/two_communes.sql, whose expected
//! answers are read off the fixture's coordinates and dates (see its comments): five
//! roads, 1-4 in commune 99001 (the square 105.70-105.72 E x 19.20-19.22 N, road 4 on the
//! meridian 105.71 that splits it), road 5 in 99002 further east.

use crate::helpers::{TestApp, spawn_app, spawn_app_with_policy};
use serde_json::Value;

async fn fixture_app() -> TestApp {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    app
}

/// The ids of a FeatureCollection answered by `path`.
async fn ids(app: &TestApp, path: &str) -> Vec<i64> {
    app.feature_ids(path).await.iter().map(|id| id.as_i64().expect("integer ids")).collect()
}

fn link<'a>(doc: &'a Value, rel: &str) -> Option<&'a str> {
    doc["links"].as_array()?.iter().find(|l| l["rel"] == rel).and_then(|l| l["href"].as_str())
}

/// A 400 answer's body, checked to name `parameter`.
async fn bad(app: &TestApp, path: &str, parameter: &str) -> Value {
    let response = app.get(path).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 400, "{path}: {body}");
    assert_eq!(body["detail"]["parameter"], parameter, "{path}: {body}");
    body
}

#[tokio::test]
async fn landing_page_and_conformance_link_everything_a_client_needs() {
    let app = fixture_app().await;
    let landing = app.get_json("/ogc").await;
    for rel in ["self", "service-desc", "service-doc", "conformance", "data"] {
        let href = link(&landing, rel).unwrap_or_else(|| panic!("no {rel} link: {landing}"));
        assert!(href.starts_with(&app.address), "{rel}: {href} is not absolute on {}", app.address);
    }
    assert_eq!(link(&landing, "data").unwrap(), app.url("/ogc/collections"));
    assert_eq!(app.get_json("/ogc/").await["title"], landing["title"]);

    let conformance = app.get_json("/ogc/conformance").await;
    let classes: Vec<&str> =
        conformance["conformsTo"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    for class in
        ["ogcapi-features-1/1.0/conf/core", "ogcapi-features-2/1.0/conf/crs", "ogcapi-features-3/1.0/conf/filter"]
    {
        assert!(classes.iter().any(|c| c.ends_with(class)), "{class} missing from {classes:?}");
    }

    let openapi = app.get("/ogc/api").await;
    assert!(openapi.headers()["content-type"].to_str().unwrap().starts_with("application/vnd.oai.openapi+json"));
    let openapi: Value = openapi.json().await.unwrap();
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3.1"), "{}", openapi["openapi"]);
    let items = &openapi["paths"]["/ogc/collections/{collectionId}/items"]["get"];
    let limit =
        items["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "limit").expect("limit documented");
    assert_eq!(limit["schema"]["maximum"], 10000);
    assert!(items["responses"]["200"]["headers"]["Content-Crs"].is_object(), "{items}");
    for path in ["/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/{collectionId}/queryables"] {
        assert!(openapi["paths"][path]["get"].is_object(), "{path} undocumented");
    }
}

#[tokio::test]
async fn every_catalogue_layer_is_a_collection_with_its_extent_from_the_data() {
    let app = fixture_app().await;
    let all = app.get_json("/ogc/collections").await;
    let ids: Vec<&str> = all["collections"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    let catalogue: Vec<&str> = kheo::layers::LAYERS.iter().map(|l| l.id).collect();
    assert_eq!(ids, catalogue);

    let roads = app.get_json("/ogc/collections/roads").await;
    // West end of road 1, south and north ends of road 4, east end of road 5.
    assert_eq!(roads["extent"]["spatial"]["bbox"][0], serde_json::json!([105.702, 19.2, 105.808, 19.22]));
    // Dated roads: 2 (2018-03-01) and 3 (2022-01-10); the others are undated.
    let interval = &roads["extent"]["temporal"]["interval"][0];
    assert_eq!(interval[0], "2018-03-01T00:00:00+07:00");
    assert_eq!(interval[1], "2022-01-10T00:00:00+07:00");
    assert_eq!(roads["storageCrs"], "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
    let crs: Vec<&str> = roads["crs"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(crs[0], "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
    for code in [4326, 4756, 3405, 3406, 5896, 5899, 9205, 9208, 9218] {
        assert!(
            crs.contains(&format!("http://www.opengis.net/def/crs/EPSG/0/{code}").as_str()),
            "{code} not in {crs:?}"
        );
    }
    assert_eq!(crs.len(), 1 + 2 + 2 + 4 + 14);
    assert!(link(&roads, "items").is_some());
    // Boundaries are not dated: no temporal extent.
    let groups = app.get_json("/ogc/collections/groups").await;
    assert!(groups["extent"]["temporal"].is_null(), "{groups}");

    let response = app.get("/ogc/collections/road").await;
    assert_eq!(response.status(), 404);
    assert_eq!(app.get("/ogc/collections/roads/items/999").await.status(), 404);
    assert_eq!(app.get("/ogc/collections/roads/items/abc").await.status(), 404);
    assert_eq!(app.get("/ogc/nothing/here").await.status(), 404);
}

#[tokio::test]
async fn items_come_in_keyset_pages_with_next_and_prev_links() {
    let app = fixture_app().await;
    let first = app.get("/ogc/collections/roads/items?limit=2").await;
    assert_eq!(first.headers()["content-type"], "application/geo+json");
    assert_eq!(first.headers()["content-crs"], "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["numberMatched"], 5);
    assert_eq!(first["numberReturned"], 2);
    assert!(first["timeStamp"].as_str().unwrap().ends_with('Z'));
    assert!(link(&first, "prev").is_none());
    let next = link(&first, "next").expect("a next link").to_string();
    assert!(next.starts_with(&app.address), "{next}");
    let path = |href: &str| href.trim_start_matches(&app.address).to_string();
    assert_eq!(ids(&app, &path(&next)).await, [3, 4]);
    let second = app.get_json(&path(&next)).await;
    let last = app.get_json(&path(link(&second, "next").unwrap())).await;
    assert_eq!(last["features"].as_array().unwrap().len(), 1);
    assert_eq!(last["features"][0]["id"], 5);
    assert!(link(&last, "next").is_none(), "{last}");
    // Back again: prev of the last page is the second, whose prev is the first.
    let back = app.get_json(&path(link(&last, "prev").unwrap())).await;
    assert_eq!(
        back["features"].as_array().unwrap().iter().map(|f| f["id"].as_i64().unwrap()).collect::<Vec<_>>(),
        [3, 4]
    );
    let front = app.get_json(&path(link(&back, "prev").unwrap())).await;
    assert_eq!(front["features"][0]["id"], 1);
    assert!(link(&front, "prev").is_none(), "{front}");
    assert_eq!(link(&front, "next").map(path), Some(path(&next)));

    // The default page is 100; 10,000 at most.
    assert_eq!(ids(&app, "/ogc/collections/roads/items").await, [1, 2, 3, 4, 5]);
    assert_eq!(ids(&app, "/ogc/collections/roads/items?limit=10000").await.len(), 5);
    bad(&app, "/ogc/collections/roads/items?limit=10001", "limit").await;
    bad(&app, "/ogc/collections/roads/items?limit=0", "limit").await;
    // Codes as keys page the same way.
    let communes = app.get_json("/ogc/collections/communes/items?limit=1").await;
    assert_eq!(communes["features"][0]["id"], "99001");
    let next = app.get_json(&path(link(&communes, "next").unwrap())).await;
    assert_eq!(next["features"][0]["id"], "99002");
}

#[tokio::test]
async fn bbox_datetime_and_attribute_parameters_filter() {
    let app = fixture_app().await;
    let items = "/ogc/collections/roads/items";
    // The west half of 99001: roads 1 and 2, and road 4 on its east edge.
    assert_eq!(ids(&app, &format!("{items}?bbox=105.70,19.20,105.71,19.22")).await, [1, 2, 4]);
    // The same box latitude first, as EPSG:4326 orders it.
    let lat_first = "bbox=19.20,105.70,19.22,105.71&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326";
    assert_eq!(ids(&app, &format!("{items}?{lat_first}")).await, [1, 2, 4]);
    // Given longitude first in a latitude-first CRS, it is refused rather than misread.
    bad(
        &app,
        &format!("{items}?bbox=105.70,19.20,105.71,19.22&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326"),
        "bbox",
    )
    .await;

    // An instant: the roads as they were, undated ones included; road 1, concreted on
    // 2020-06-01, shows its earlier surface.
    let then = app.get_json(&format!("{items}?datetime=2019-12-31")).await;
    let got: Vec<i64> = then["features"].as_array().unwrap().iter().map(|f| f["id"].as_i64().unwrap()).collect();
    assert_eq!(got, [1, 2, 4, 5]);
    assert_eq!(then["features"][0]["properties"]["surface"], "gravel");
    assert_eq!(then["numberMatched"], 4);
    // Intervals: the roads dated in them (2 on 2018-03-01, 3 on 2022-01-10).
    assert_eq!(ids(&app, &format!("{items}?datetime=2018-01-01/2021-12-31")).await, [2]);
    assert_eq!(ids(&app, &format!("{items}?datetime=../2022-12-31")).await, [2, 3]);
    assert_eq!(ids(&app, &format!("{items}?datetime=2022-01-10/..")).await, [3]);
    assert_eq!(ids(&app, &format!("{items}?datetime=../..")).await, [1, 2, 3, 4, 5]);
    // 2022-01-09T20:00Z is already 2022-01-10 in Vietnam.
    assert_eq!(ids(&app, &format!("{items}?datetime=2022-01-09T20:00:00Z/..")).await, [3]);
    bad(&app, &format!("{items}?datetime=2019"), "datetime").await;
    bad(&app, &format!("{items}?datetime=2022-01-01/2021-01-01"), "datetime").await;

    // Attributes of the catalogue as equality filters.
    assert_eq!(ids(&app, &format!("{items}?surface=asphalt")).await, [2, 4]);
    assert_eq!(ids(&app, &format!("{items}?surface=asphalt&commune=99001&class=national")).await, [4]);
    bad(&app, &format!("{items}?surface=gold"), "surface").await;
    let unknown = bad(&app, &format!("{items}?colour=red"), "colour").await;
    assert!(unknown["error"].as_str().unwrap().contains("surface"), "{unknown}");
    bad(&app, &format!("{items}?offset=10"), "offset").await;
    bad(&app, &format!("{items}?limit=1&limit=2"), "limit").await;
    bad(&app, &format!("{items}?f=xml"), "f").await;
    bad(&app, "/ogc/collections?limit=3", "limit").await;
    bad(&app, "/ogc/collections/roads/items/1?bbox=1,2,3,4", "bbox").await;
}

/// The ids of the roads matching a CQL2 text filter.
async fn cql(app: &TestApp, filter: &str) -> Vec<i64> {
    let query = serde_urlencoded::to_string([("filter", filter), ("filter-lang", "cql2-text")]).unwrap();
    ids(app, &format!("/ogc/collections/roads/items?{query}")).await
}

async fn cql_error(app: &TestApp, filter: &str) -> Value {
    let query = serde_urlencoded::to_string([("filter", filter)]).unwrap();
    bad(app, &format!("/ogc/collections/roads/items?{query}"), "filter").await
}

#[tokio::test]
async fn cql2_text_filters_select_by_the_catalogue_and_say_where_they_fail() {
    let app = fixture_app().await;
    assert_eq!(cql(&app, "surface = 'asphalt' AND width_m > 10").await, [4]);
    assert_eq!(cql(&app, "surface = 'asphalt' OR class = 'alley'").await, [2, 3, 4]);
    assert_eq!(cql(&app, "NOT (surface = 'asphalt')").await, [1, 3, 5]);
    assert_eq!(cql(&app, "name LIKE 'Đường%'").await, [1, 2, 5]);
    assert_eq!(cql(&app, "class IN ('alley', 'national')").await, [3, 4]);
    assert_eq!(cql(&app, "class NOT IN ('alley', 'national')").await, [1, 2, 5]);
    assert_eq!(cql(&app, "people_vnd IS NULL").await, [2, 3, 4, 5]);
    assert_eq!(cql(&app, "done_on IS NOT NULL").await, [2, 3]);
    assert_eq!(cql(&app, "width_m BETWEEN 5 AND 6").await, [1, 2]);
    assert_eq!(cql(&app, "done_on < DATE('2020-01-01')").await, [2]);
    assert_eq!(cql(&app, "commune = '99002'").await, [5]);
    assert_eq!(cql(&app, "S_INTERSECTS(geometry, BBOX(105.80, 19.20, 105.81, 19.21))").await, [5]);
    // A square around road 3 only (road 2 runs at 19.21, road 4 at 105.71).
    let square = "POLYGON((105.711 19.211, 105.719 19.211, 105.719 19.219, 105.711 19.219, 105.711 19.211))";
    assert_eq!(cql(&app, &format!("S_INTERSECTS(geometry, {square})")).await, [3]);
    assert_eq!(
        cql(&app, &format!("S_INTERSECTS({square}, geometry) AND surface = 'asphalt'")).await,
        Vec::<i64>::new()
    );
    // A self-crossing polygon (a bow tie over road 1) is repaired, not a server error.
    assert_eq!(cql(&app, "S_INTERSECTS(geometry, POLYGON((105.701 19.204, 105.709 19.206, 105.709 19.204, 105.701 19.206, 105.701 19.204)))").await, [1]);
    // As-of values with a datetime instant: road 1 was gravel until 2020-06-01.
    let query = serde_urlencoded::to_string([("filter", "surface = 'gravel'"), ("datetime", "2019-12-31")]).unwrap();
    assert_eq!(ids(&app, &format!("/ogc/collections/roads/items?{query}")).await, [1]);
    // Values are bound, never pasted: a quote in a value is just a character.
    assert_eq!(cql(&app, "name = 'x'' OR ''1''=''1'").await, Vec::<i64>::new());

    let unknown = cql_error(&app, "surface = 'asphalt' AND colour = 'red'").await;
    assert_eq!(unknown["detail"]["position"], 25, "{unknown}");
    assert!(unknown["error"].as_str().unwrap().contains("colour"), "{unknown}");
    let syntax = cql_error(&app, "surface = 'asphalt' AND").await;
    assert_eq!(syntax["detail"]["position"], 24, "{syntax}");
    let typed = cql_error(&app, "width_m = 'wide'").await;
    assert_eq!(typed["detail"]["position"], 11, "{typed}");
    let vocabulary = cql_error(&app, "surface = 'gold'").await;
    assert!(vocabulary["error"].as_str().unwrap().contains("concrete"), "{vocabulary}");
    cql_error(&app, "S_INTERSECTS(surface, BBOX(0,0,1,1))").await;
    cql_error(&app, "surface LIKE 3").await;
    cql_error(&app, "width_m LIKE '3%'").await;
    cql_error(&app, &format!("{}a = 1{}", "(".repeat(500), ")".repeat(500))).await;
    bad(&app, "/ogc/collections/roads/items?filter=a%3D1&filter-lang=cql2-json", "filter-lang").await;
}

/// `cs2cs` (PROJ, proj-bin) from WGS 84 to the CRS of `proj`, for one point: an
/// independent computation of what kheo must answer.
fn cs2cs(proj: &str, lon: f64, lat: f64, format: &str) -> (f64, f64) {
    use std::io::Write;
    let mut args =
        vec!["-f".to_string(), format.to_string(), "+proj=longlat".into(), "+datum=WGS84".into(), "+to".into()];
    args.extend(proj.split_whitespace().map(String::from));
    let mut child = std::process::Command::new("cs2cs")
        .args(&args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("cs2cs (proj-bin) is missing: ./dev deps --test installs it");
    writeln!(child.stdin.take().unwrap(), "{lon} {lat}").unwrap();
    let out = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    let numbers: Vec<f64> = out.split_whitespace().take(2).map(|v| v.parse().unwrap()).collect();
    (numbers[0], numbers[1])
}

async fn proj4(app: &TestApp, srid: i32) -> String {
    sqlx::query_scalar("SELECT proj4text FROM spatial_ref_sys WHERE srid = $1")
        .bind(srid)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn vn2000_coordinates_agree_with_cs2cs_within_a_centimetre() {
    let app = fixture_app().await;
    // Road 1's first point, 105.702 E 19.205 N.
    let (lon, lat) = (105.702, 19.205);
    let uri = "http://www.opengis.net/def/crs/EPSG/0/9208";
    let response = app.get(&format!("/ogc/collections/roads/items/1?crs={uri}")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-crs"], format!("<{uri}>").as_str());
    let feature: Value = response.json().await.unwrap();
    let point = &feature["geometry"]["coordinates"][0];
    let (x, y) = (point[0].as_f64().unwrap(), point[1].as_f64().unwrap());
    let (ex, ey) = cs2cs(&proj4(&app, 9208).await, lon, lat, "%.4f");
    assert!((x - ex).abs() < 0.01 && (y - ey).abs() < 0.01, "kheo {x} {y}, cs2cs {ex} {ey}");
    // TM-3 104°45' is easting first: 0.952° east of the central meridian is about 100 km
    // east of the false easting of 500 km; 19.205° N is about 2,125 km north.
    assert!((590_000.0..610_000.0).contains(&x) && (2_120_000.0..2_130_000.0).contains(&y), "{x} {y}");

    // The same through a page, and a bbox given in EPSG:9208 around that point.
    let page = app
        .get_json(&format!(
            "/ogc/collections/roads/items?crs={uri}&bbox={},{},{},{}&bbox-crs={uri}",
            ex - 5.0,
            ey - 5.0,
            ex + 5.0,
            ey + 5.0
        ))
        .await;
    assert_eq!(page["features"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page["features"][0]["id"], 1);

    // VN-2000 geographic, latitude first; 1e-7 degree is about 1 cm.
    let vn = app.get_json("/ogc/collections/roads/items/1?crs=http://www.opengis.net/def/crs/EPSG/0/4756").await;
    let point = &vn["geometry"]["coordinates"][0];
    let (elon, elat) = cs2cs(&proj4(&app, 4756).await, lon, lat, "%.9f");
    assert!((point[0].as_f64().unwrap() - elat).abs() < 2e-7, "{point} vs {elat} {elon}");
    assert!((point[1].as_f64().unwrap() - elon).abs() < 2e-7, "{point} vs {elat} {elon}");

    // WGS 84 as EPSG:4326: the same numbers, latitude first.
    let wgs = app.get_json("/ogc/collections/roads/items/1?crs=http://www.opengis.net/def/crs/EPSG/0/4326").await;
    assert_eq!(wgs["geometry"]["coordinates"][0], serde_json::json!([lat, lon]));
    let default = app.get_json("/ogc/collections/roads/items/1").await;
    assert_eq!(default["geometry"]["coordinates"][0], serde_json::json!([lon, lat]));

    // A CQL2 geometry in filter-crs: the same box around road 1's first point.
    let filter = format!("S_INTERSECTS(geometry, BBOX({}, {}, {}, {}))", ex - 5.0, ey - 5.0, ex + 5.0, ey + 5.0);
    let query = serde_urlencoded::to_string([("filter", filter.as_str()), ("filter-crs", uri)]).unwrap();
    assert_eq!(ids(&app, &format!("/ogc/collections/roads/items?{query}")).await, [1]);
    // ... and latitude first in EPSG:4326.
    let query = serde_urlencoded::to_string([
        ("filter", "S_INTERSECTS(geometry, POINT(19.205 105.702))"),
        ("filter-crs", "http://www.opengis.net/def/crs/EPSG/0/4326"),
    ])
    .unwrap();
    assert_eq!(ids(&app, &format!("/ogc/collections/roads/items?{query}")).await, [1]);
    // Coordinates no projection can take are a 400, not a PROJ failure.
    let query =
        serde_urlencoded::to_string([("filter", "S_INTERSECTS(geometry, BBOX(1e9, 0, 2e9, 1))"), ("filter-crs", uri)])
            .unwrap();
    let far = bad(&app, &format!("/ogc/collections/roads/items?{query}"), "filter").await;
    assert_eq!(far["detail"]["position"], 14, "{far}");

    bad(&app, "/ogc/collections/roads/items?crs=http://www.opengis.net/def/crs/EPSG/0/3857", "crs").await;
    bad(&app, "/ogc/collections/roads/items?after=abc", "after").await;
    bad(&app, "/ogc/collections/roads/items?after=1&before=3", "before").await;
    bad(&app, &format!("/ogc/collections/roads/items?bbox=1e9,0,2e9,1&bbox-crs={uri}"), "bbox").await;
}

#[tokio::test]
async fn unpublished_communes_stay_hidden_from_anonymous_readers() {
    let app = fixture_app().await;
    app.add_user("lan", "editor", &["99001"]).await;
    let session = app.sign_in("lan").await;
    sqlx::query("UPDATE commune SET published = false WHERE code = '99002'").execute(&app.pool).await.unwrap();

    let page = app.get_json("/ogc/collections/roads/items").await;
    assert_eq!(page["numberMatched"], 4);
    assert_eq!(ids(&app, "/ogc/collections/roads/items").await, [1, 2, 3, 4]);
    assert_eq!(app.get("/ogc/collections/roads/items/5").await.status(), 404);
    assert_eq!(app.get("/ogc/collections/communes/items/99002").await.status(), 404);
    // The extent too: road 3's east end instead of road 5's.
    let roads = app.get_json("/ogc/collections/roads").await;
    assert_eq!(roads["extent"]["spatial"]["bbox"][0][2], 105.718);

    let signed_in = app.as_user(reqwest::Method::GET, "/ogc/collections/roads/items/5", &session).send().await.unwrap();
    assert_eq!(signed_in.status(), 200);
    let all: Value = app
        .as_user(reqwest::Method::GET, "/ogc/collections/roads/items", &session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all["numberMatched"], 5);
}

#[tokio::test]
async fn a_server_closed_to_visitors_closes_ogc_too() {
    let policy = kheo::http::Policy { anonymous_read: false, ..Default::default() };
    let app = spawn_app_with_policy(policy).await;
    app.load_fixture("two_communes.sql").await;
    assert_eq!(app.get("/ogc/collections").await.status(), 401);
    assert_eq!(app.get("/ogc/collections/roads/items").await.status(), 401);
}

#[tokio::test]
async fn queryables_are_a_json_schema_of_the_catalogue() {
    let app = fixture_app().await;
    let response = app.get("/ogc/collections/roads/queryables").await;
    assert_eq!(response.headers()["content-type"], "application/schema+json");
    let schema: Value = response.json().await.unwrap();
    let properties = schema["properties"].as_object().unwrap();
    let roads = kheo::layers::find("roads").unwrap();
    for field in roads.fields() {
        assert!(properties.contains_key(field.name), "{} missing", field.name);
    }
    assert_eq!(properties.len(), roads.fields().count() + 2, "the fields, commune and geometry");
    assert_eq!(
        schema["properties"]["surface"]["enum"],
        serde_json::json!(["concrete", "asphalt", "paving", "gravel", "earth"])
    );
    assert_eq!(schema["properties"]["width_m"]["type"], "number");
    assert_eq!(schema["properties"]["people_vnd"]["type"], "integer");
    assert_eq!(schema["properties"]["done_on"]["format"], "date");
    assert_eq!(schema["properties"]["geometry"]["x-ogc-role"], "primary-geometry");
    assert_eq!(
        app.get_json("/ogc/collections/model_sites/queryables").await["properties"]["geometry"]["format"],
        "geometry-point"
    );
    assert_eq!(app.get("/ogc/collections/nope/queryables").await.status(), 404);
}

#[tokio::test]
async fn browsers_get_html_that_escapes_the_data_and_links_its_style() {
    let app = fixture_app().await;
    sqlx::query("UPDATE road SET name = '<script>alert(1)</script> & co' WHERE id = 1")
        .execute(&app.pool)
        .await
        .unwrap();
    for path in [
        "/ogc",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/roads",
        "/ogc/collections/roads/items?limit=2",
        "/ogc/collections/roads/items/1",
        "/ogc/collections/roads/queryables",
        "/ogc/api",
    ] {
        let response =
            app.client.get(app.url(path)).header("accept", "text/html,application/xhtml+xml").send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8", "{path}");
        let page = response.text().await.unwrap();
        assert!(page.contains(r#"<link rel="stylesheet" href="/ogc.css">"#), "{path}");
        assert!(!page.contains("<script") && !page.contains("style="), "{path}: inline script or style");
    }
    let items = app.get("/ogc/collections/roads/items?f=html").await.text().await.unwrap();
    assert!(items.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"), "{items}");
    assert!(items.contains("5 of 5 features") || items.contains("of 5 features"), "{items}");
    // f=json wins over a browser's Accept.
    let json = app.client.get(app.url("/ogc/collections?f=json")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(json.headers()["content-type"], "application/json");
    let css = app.get("/ogc.css").await;
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
}
