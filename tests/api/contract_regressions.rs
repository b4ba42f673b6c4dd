//! Regressions of the bugs found while checking kheo against its OpenAPI document (by
//! schemathesis, tests/api/schemathesis.rs, and by the probes written from the document):
//! one test per bug, each named by what must hold.

use crate::helpers::spawn_app;
use serde_json::Value;

/// A CQL2 LIKE pattern that ends with the escape character escapes nothing: PostgreSQL
/// refused it after the query was sent (SQLSTATE 22025), and the client got a 422 that
/// named nothing. It is a bad `filter`, said with its position, before any SQL runs.
#[tokio::test]
async fn a_like_pattern_ending_in_its_escape_character_is_a_400_naming_the_filter() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    let items = |filter: &str| {
        format!("/ogc/collections/roads/items?{}", serde_urlencoded::to_string([("filter", filter)]).unwrap())
    };
    let response = app.get(&items(r"name LIKE 'Đường\'")).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"]["parameter"], "filter", "{body}");
    // Positions count from 1 (tests/api/ogc.rs): `name` is the filter's first character.
    assert_eq!(body["detail"]["position"], 1, "{body}");
    assert!(body["error"].as_str().unwrap().contains("escape"), "{body}");
    // An escaped backslash is a backslash: no road's name has one.
    let response = app.get(&items(r"name LIKE 'Đường\\'")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.feature_ids(&items(r"name LIKE 'Đường\\'")).await, Vec::<Value>::new());
    // And the escape still works where it escapes something: `\%` is a percent sign.
    assert_eq!(app.feature_ids(&items(r"name LIKE 'Đường\%'")).await, Vec::<Value>::new());
    assert_eq!(app.feature_ids(&items("name LIKE 'Đường%'")).await.len(), 3);
}

/// Found by schemathesis: `?as_of=` (or an OGC `datetime` instant) on a layer that is not
/// dated bound the date without naming it in the SQL, so the query's text was that of the
/// plain read with one more parameter. sqlx keeps prepared statements by text: the next
/// plain read of that layer on the same connection was bound with no value to a statement
/// of one, PostgreSQL refused it (08P01), and the reader got a 503 on every later try on
/// that connection. A server with one connection makes it certain.
#[tokio::test]
async fn a_date_on_an_undated_layer_leaves_the_connection_fit_for_the_plain_read() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    let server = crate::helpers::ServerProcess::start(&app, &[("KHEO_MAX_CONNECTIONS", "1")]);
    let client = reqwest::Client::new();
    let status = |path: &'static str| {
        let request = client.get(server.url(path));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    for (dated, plain) in [
        ("/api/layers/communes/features?as_of=2022-12-31", "/api/layers/communes/features"),
        ("/api/layers/groups/features?as_of=2022-12-31", "/api/layers/groups/features"),
        ("/ogc/collections/communes/items?datetime=2022-12-31", "/ogc/collections/communes/items"),
        ("/tiles/groups/0/0/0.mvt?as_of=2022-12-31", "/tiles/groups/0/0/0.mvt"),
        ("/tiles/communes.json?as_of=2022-12-31", "/tiles/communes.json"),
    ] {
        // A tile with no feature in it is a 204: what the plain read answers first, it
        // answers after the dated one.
        let first = status(plain).await;
        assert!(matches!(first, 200 | 204), "{plain}: {first}");
        for _ in 0..2 {
            assert!(matches!(status(dated).await, 200 | 204), "{dated}");
            assert_eq!(status(plain).await, first, "{plain} after {dated}");
        }
    }
}

/// The rule behind the bug above, for every layer and every query builder that reads one:
/// each value bound is named in the SQL text (`$1` ... `$n`), whatever the filter.
#[test]
fn every_value_a_query_binds_is_named_in_its_text() {
    use kheo::store::features::{Filter, features_query};
    use sqlx::Arguments;
    let date = chrono::NaiveDate::from_ymd_opt(2022, 12, 31);
    let filters = [
        Filter::default(),
        Filter { as_of: date, ..Filter::default() },
        Filter { as_of: date, commune: Some("99001".into()), published_only: true, ..Filter::default() },
        Filter {
            as_of: date,
            region: Some("nghe-an".into()),
            bbox: Some([105.0, 19.0, 106.0, 20.0]),
            limit: Some(5),
            offset: 3,
            ..Filter::default()
        },
    ];
    let mut checked = 0;
    for layer in kheo::layers::LAYERS {
        for filter in &filters {
            let tile = kheo::store::tiles::TileId { z: 14, x: 13_000, y: 7_000 };
            let items = kheo::store::ogc::ItemsQuery {
                filter: filter.clone(),
                interval: None,
                bbox: None,
                cql: None,
                crs: kheo::ogc::crs::CRS84,
                page: kheo::store::ogc::PageAt::First,
                limit: 10,
            };
            for (what, sql) in [
                ("features", features_query(layer, filter)),
                ("tile", kheo::store::tiles::tile_query(layer, filter, tile, None)),
                ("ogc items", kheo::store::ogc::items_query(layer, &items).unwrap()),
            ] {
                for n in 1..=sql.arguments().len() {
                    // `$1`, and not as the start of `$10`.
                    let named = sql
                        .text
                        .split(&format!("${n}"))
                        .skip(1)
                        .any(|after| !after.starts_with(|c: char| c.is_ascii_digit()));
                    assert!(named, "{what} of {} binds ${n} but never names it: {}", layer.id, sql.text);
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, kheo::layers::LAYERS.len() * filters.len() * 3);
}
