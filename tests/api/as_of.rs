//! One as-of rule: the works the map shows for a date are exactly the works coverage counts
//! at that date, on the demo ward, over ten dates.

use crate::geodesy::geojson_length;
use crate::helpers::{TestApp, spawn_app};
use serde_json::Value;

const DEMO: &str = "17131";

const DATES: [&str; 10] = [
    "2012-12-31",
    "2014-06-30",
    "2016-01-01",
    "2017-12-31",
    "2019-07-15",
    "2020-12-31",
    "2022-03-01",
    "2023-12-31",
    "2025-06-30",
    "2026-11-28",
];

async fn features(app: &TestApp, layer: &str, date: &str) -> Vec<Value> {
    let collection = app.get_json(&format!("/api/layers/{layer}/features?commune={DEMO}&as_of={date}")).await;
    collection["features"].as_array().unwrap().clone()
}

/// Sum of the geodesic lengths of the features that `keep` keeps.
fn length_where(features: &[Value], keep: impl Fn(&Value) -> bool) -> f64 {
    features.iter().filter(|f| keep(&f["properties"])).map(|f| geojson_length(&f["geometry"])).sum()
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[tokio::test]
async fn the_map_at_a_date_shows_exactly_the_works_coverage_counts_then() {
    let app = spawn_app().await;
    kheo::demo::load(&app.pool, None).await.unwrap();

    for date in DATES {
        let report = app.get_json(&format!("/api/coverage?commune={DEMO}&as_of={date}")).await;
        let commune = &report["commune"];
        let counted: Vec<String> = serde_json::from_value(report["settings"]["counted_classes"].clone()).unwrap();
        let is_counted = |p: &Value| counted.iter().any(|c| p["class"] == c.as_str());

        let roads = features(&app, "roads", date).await;
        let road_m = length_where(&roads, is_counted);
        let concrete_m = length_where(&roads, |p| is_counted(p) && p["surface"] == "concrete");
        let hardened_m = length_where(&roads, |p| {
            is_counted(p) && ["concrete", "asphalt", "paving"].contains(&p["surface"].as_str().unwrap())
        });
        for (name, on_map) in [("road_m", road_m), ("concrete_m", concrete_m), ("hardened_m", hardened_m)] {
            let counted = number(&commune[name]);
            assert!(
                (on_map - counted).abs() < 0.5,
                "{date} {name}: the map shows {on_map:.1} m, coverage counts {counted}"
            );
        }

        let flowers = features(&app, "flower_routes", date).await;
        let flower_m = length_where(&flowers, |_| true);
        assert!(
            (flower_m - number(&commune["flower_m"])).abs() < 0.5,
            "{date} flower_m: {flower_m:.1} vs {}",
            commune["flower_m"]
        );

        let sites = features(&app, "model_sites", date).await;
        assert_eq!(sites.len() as i64, commune["model_sites"]["total"].as_i64().unwrap(), "{date} model sites");
        for (field, count) in commune["model_sites"]["by_field"].as_object().unwrap() {
            let on_map = sites.iter().filter(|s| s["properties"]["field"] == field.as_str()).count();
            assert_eq!(on_map as i64, count.as_i64().unwrap(), "{date} model sites of {field}");
        }

        // Lighting and drainage count through their zones: exactly the lines on the map.
        for layer in ["lighting_lines", "drainage"] {
            let on_map = features(&app, layer, date).await.len() as i64;
            let zones: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM coverage_zone
                  WHERE layer = $1 AND commune_code = $2 AND (done_on IS NULL OR done_on <= $3::date)",
            )
            .bind(layer)
            .bind(DEMO)
            .bind(date)
            .fetch_one(&app.pool)
            .await
            .unwrap();
            assert_eq!(on_map, zones, "{date} {layer}");
        }
    }
}

/// A model site recognised in a year, without a completion date, is on the map from
/// 1 January of that year, as coverage counts it.
#[tokio::test]
async fn a_site_with_only_a_year_appears_on_the_map_when_the_numbers_count_it() {
    let app = spawn_app().await;
    app.load_fixture("coverage_square.sql").await;
    let ids = |date: &'static str| {
        let app = &app;
        async move { app.feature_ids(&format!("/api/layers/model_sites/features?commune=99100&as_of={date}")).await }
    };

    // s2 has no done_on and year 2023.
    assert!(!ids("2022-12-31").await.contains(&serde_json::json!(2)));
    assert!(ids("2023-01-01").await.contains(&serde_json::json!(2)));
    let before = app.get_json("/api/coverage?commune=99100&as_of=2022-12-31").await;
    let after = app.get_json("/api/coverage?commune=99100&as_of=2023-01-01").await;
    assert_eq!(
        after["commune"]["model_sites"]["total"].as_i64().unwrap()
            - before["commune"]["model_sites"]["total"].as_i64().unwrap(),
        1
    );
}

/// A planned road is on today's map (it is a plan) but not on the map of any date, since
/// coverage does not count it.
#[tokio::test]
async fn a_planned_work_is_shown_without_a_date_and_left_out_at_any_date() {
    let app = spawn_app().await;
    app.load_fixture("coverage_square.sql").await;

    let all = app.feature_ids("/api/layers/roads/features?commune=99100").await;
    let dated = app.feature_ids("/api/layers/roads/features?commune=99100&as_of=2026-01-01").await;

    assert!(all.contains(&serde_json::json!(6)), "r6 is planned: {all:?}");
    assert!(!dated.contains(&serde_json::json!(6)), "r6 is not built: {dated:?}");
}
