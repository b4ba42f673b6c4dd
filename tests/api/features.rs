//! GET /api/layers/{layer}/features and /features/{id} over the two_communes fixture
//! (see tests/fixtures/two_communes.sql for the coordinates the expectations come from).

use crate::helpers::{TestApp, spawn_app};
use serde_json::{Value, json};

async fn app_with_fixture() -> TestApp {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    app
}

#[tokio::test]
async fn a_layer_is_a_geojson_feature_collection_with_every_catalogue_field() {
    let app = app_with_fixture().await;

    let response = app.get("/api/layers/roads/features").await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/geo+json");
    let collection: Value = response.json().await.unwrap();
    let features = collection["features"].as_array().unwrap();
    assert_eq!(features.len(), 5);
    let first = &features[0];
    assert_eq!(first["type"], "Feature");
    assert_eq!(first["id"], 1);
    assert_eq!(
        first["geometry"],
        json!({ "type": "LineString", "coordinates": [[105.702, 19.205], [105.708, 19.205]] })
    );
    let p = &first["properties"];
    assert_eq!(p["commune"], "99001");
    assert_eq!(p["name"], "Đường Tây");
    assert_eq!(p["surface"], "concrete");
    assert_eq!(p["surface_before"], "gravel");
    assert_eq!(p["paved_on"], "2020-06-01");
    assert_eq!(p["people_vnd"], 150_000_000);
    assert_eq!(p["class"], "commune");
    for name in ["status", "done_on", "state_vnd", "workdays", "organisation", "note", "width_m"] {
        assert!(p.get(name).is_some(), "property {name} is missing");
    }
}

#[tokio::test]
async fn the_commune_filter_keeps_that_communes_features() {
    let app = app_with_fixture().await;

    assert_eq!(app.feature_ids("/api/layers/roads/features?commune=99001").await, [1, 2, 3, 4]);
    assert_eq!(app.feature_ids("/api/layers/roads/features?commune=99002").await, [5]);
    assert_eq!(app.feature_ids("/api/layers/groups/features?commune=99002").await, [3]);
    assert_eq!(app.feature_ids("/api/layers/communes/features?commune=99002").await, ["99002"]);
}

#[tokio::test]
async fn the_group_filter_keeps_works_touching_the_group_and_only_that_group_polygon() {
    let app = app_with_fixture().await;

    // G1 is the west half: road 1 lies in it, road 2 crosses into it, road 4 runs on its edge.
    assert_eq!(app.feature_ids("/api/layers/roads/features?commune=99001&group=G1").await, [1, 2, 4]);
    assert_eq!(app.feature_ids("/api/layers/roads/features?commune=99001&group=G2").await, [2, 3, 4]);
    assert_eq!(app.feature_ids("/api/layers/model_sites/features?commune=99001&group=G2").await, [2]);
    // The neighbour shares an edge but no area.
    assert_eq!(app.feature_ids("/api/layers/groups/features?commune=99001&group=G1").await, [1]);
}

#[tokio::test]
async fn the_bbox_filter_keeps_features_that_intersect_it() {
    let app = app_with_fixture().await;

    // West of 105.709 and south of 19.209: only road 1 (road 2 is at 19.21, road 4 at 105.71).
    assert_eq!(app.feature_ids("/api/layers/roads/features?bbox=105.700,19.200,105.709,19.209").await, [1]);
    assert_eq!(app.feature_ids("/api/layers/roads/features?bbox=105.0,19.0,106.0,20.0").await, [1, 2, 3, 4, 5]);
    assert!(app.feature_ids("/api/layers/roads/features?bbox=100,10,101,11").await.is_empty());
}

#[tokio::test]
async fn as_of_leaves_out_later_works_and_shows_the_earlier_surface() {
    let app = app_with_fixture().await;

    // Road 3 was built on 2022-01-10; road 1 was concreted on 2020-06-01, gravel before.
    let before = app.get_json("/api/layers/roads/features?commune=99001&as_of=2019-01-01").await;
    let ids: Vec<i64> = before["features"].as_array().unwrap().iter().map(|f| f["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 4]);
    assert_eq!(before["features"][0]["properties"]["surface"], "gravel");

    let after = app.get_json("/api/layers/roads/features?commune=99001&as_of=2021-01-01").await;
    assert_eq!(after["features"][0]["properties"]["surface"], "concrete");

    assert_eq!(app.feature_ids("/api/layers/roads/features?commune=99001&as_of=2022-01-10").await, [1, 2, 3, 4]);
    assert_eq!(app.feature_ids("/api/layers/model_sites/features?as_of=2022-12-31").await, [1]);
    assert!(app.feature_ids("/api/layers/lighting_lines/features?as_of=2022-12-31").await.is_empty());
}

#[tokio::test]
async fn field_filters_compare_with_the_as_of_value() {
    let app = app_with_fixture().await;

    assert_eq!(app.feature_ids("/api/layers/roads/features?surface=concrete").await, [1, 5]);
    assert_eq!(app.feature_ids("/api/layers/roads/features?surface=concrete&as_of=2019-01-01").await, [5]);
    assert_eq!(app.feature_ids("/api/layers/roads/features?surface=gravel&as_of=2019-01-01").await, [1]);
    assert_eq!(app.feature_ids("/api/layers/roads/features?class=alley").await, [3]);
    assert_eq!(app.feature_ids("/api/layers/roads/features?width_m=2.5").await, [3]);
    assert_eq!(app.feature_ids("/api/layers/model_sites/features?year=2023").await, [2]);
    assert_eq!(app.feature_ids("/api/layers/roads/features?done_on=2018-03-01").await, [2]);
    assert_eq!(app.feature_ids("/api/layers/roads/features?name=Qu%E1%BB%91c%20l%E1%BB%99%201A").await, [4]);
}

#[tokio::test]
async fn limit_and_offset_page_through_a_layer_in_id_order() {
    let app = app_with_fixture().await;

    assert_eq!(app.feature_ids("/api/layers/roads/features?limit=2").await, [1, 2]);
    assert_eq!(app.feature_ids("/api/layers/roads/features?limit=2&offset=2").await, [3, 4]);
    assert_eq!(app.feature_ids("/api/layers/roads/features?limit=2&offset=4").await, [5]);
    assert!(app.feature_ids("/api/layers/roads/features?offset=5").await.is_empty());
}

#[tokio::test]
async fn one_feature_is_served_by_its_id_or_code() {
    let app = app_with_fixture().await;

    let road = app.get_json("/api/layers/roads/features/3").await;
    assert_eq!(road["type"], "Feature");
    assert_eq!(road["properties"]["name"], "Ngõ Đông");
    let commune = app.get_json("/api/layers/communes/features/99002").await;
    assert_eq!(commune["properties"]["kind"], "phuong");
    assert_eq!(commune["geometry"]["type"], "MultiPolygon");

    let missing = app.get("/api/layers/roads/features/999").await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn a_repeated_request_is_a_304_until_the_layer_changes() {
    let app = app_with_fixture().await;
    let path = "/api/layers/roads/features?commune=99001";
    let first = app.get(path).await;
    let tag = first.headers()["etag"].to_str().unwrap().to_string();
    assert!(tag.starts_with("W/\""), "{tag}");

    let again = app.client.get(app.url(path)).header("If-None-Match", &tag).send().await.unwrap();
    assert_eq!(again.status(), 304);

    sqlx::query("UPDATE road SET surface = 'concrete' WHERE id = 3").execute(&app.pool).await.unwrap();
    let changed = app.client.get(app.url(path)).header("If-None-Match", &tag).send().await.unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), tag);
    // Another query of the same data has its own tag.
    let other = app.get("/api/layers/roads/features?commune=99002").await;
    assert_ne!(other.headers()["etag"].to_str().unwrap(), tag);
}

#[tokio::test]
async fn layers_are_compressed_when_the_client_accepts_it() {
    let app = app_with_fixture().await;
    let raw = reqwest::Client::builder().no_gzip().no_brotli().build().unwrap();

    let gzip = raw.get(app.url("/api/layers/roads/features")).header("Accept-Encoding", "gzip").send().await.unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let br = raw.get(app.url("/api/layers/roads/features")).header("Accept-Encoding", "br").send().await.unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    // And reqwest's own decoding gives the same collection.
    assert_eq!(app.feature_ids("/api/layers/roads/features").await.len(), 5);
}

#[tokio::test]
async fn a_large_layer_streams_as_one_valid_collection_across_many_chunks() {
    let app = spawn_app().await;
    // 6 synthetic communes x 1,000 road segments: several 64 KiB chunks.
    kheo::synthetic::province(&app.pool, 6).await.unwrap();

    let response = app.get("/api/layers/roads/features").await;
    assert!(response.headers().get("content-length").is_none(), "the body should be streamed");
    let collection: Value = response.json().await.unwrap();

    let features = collection["features"].as_array().unwrap();
    assert_eq!(features.len(), 6_000);
    let mut ids: Vec<i64> = features.iter().map(|f| f["id"].as_i64().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 6_000, "no feature is repeated");
}
