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

/// A setting of the wrong type (`targets` values are numbers, `targets_by_year` keys years)
/// was a 422 whose `detail` was `null`: the document promises `detail.field`.
#[tokio::test]
async fn a_setting_of_the_wrong_type_is_named_in_detail_field() {
    let (app, _) = crate::helpers::app_with_editor().await;
    app.add_user("an", "admin", &[]).await;
    let admin = app.sign_in("an").await;
    let before = app.get_json("/api/communes/99001/settings").await;
    for (body, field) in [
        (serde_json::json!({ "targets": { "concrete_pct": "x" } }), "targets"),
        (
            serde_json::json!({ "lit_buffer_m": 30.0, "targets_by_year": { "concrete_pct": { "abc": 1 } } }),
            "targets_by_year",
        ),
        (serde_json::json!({ "counted_classes": [null] }), "counted_classes"),
    ] {
        let response = app
            .as_user(reqwest::Method::PATCH, "/api/communes/99001/settings", &admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["detail"]["field"], field, "{body}: {answer}");
    }
    // Nothing was saved, not even the valid `lit_buffer_m` beside a wrong setting.
    assert_eq!(app.get_json("/api/communes/99001/settings").await, before);
}
