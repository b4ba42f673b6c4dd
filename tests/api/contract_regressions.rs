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
