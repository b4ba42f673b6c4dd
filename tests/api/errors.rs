//! Bad requests get a 4xx JSON error naming the parameter; never a 500.

use crate::helpers::spawn_app;
use serde_json::Value;

async fn error(app: &crate::helpers::TestApp, path: &str) -> (u16, Value) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or_else(|e| panic!("{path}: not JSON: {e}"));
    assert!(body["error"].as_str().is_some_and(|m| !m.is_empty()), "{path}: {body}");
    (status, body)
}

#[tokio::test]
async fn unknown_layers_communes_groups_and_features_are_404() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    for path in [
        "/api/layers/road/features",
        "/api/layers/road;drop/features",
        "/api/layers/roads/features?commune=12345",
        "/api/layers/roads/features?commune=99001&group=G9",
        "/api/layers/roads/features/12345",
        "/api/layers/communes/features/00000",
        "/api/nothing",
    ] {
        let (status, body) = error(&app, path).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (_, body) = error(&app, "/api/layers/road/features").await;
    assert!(body["error"].as_str().unwrap().contains("roads"), "the error lists the layers: {body}");
}

#[tokio::test]
async fn malformed_parameters_are_400_and_name_the_parameter() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    let cases = [
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=1,2,3,4,5", "bbox"),
        ("bbox=10,0,5,1", "bbox"),
        ("bbox=0,-91,1,1", "bbox"),
        ("bbox=0,0,NaN,1", "bbox"),
        ("bbox=-200,0,1,1", "bbox"),
        ("as_of=2023-02-30", "as_of"),
        ("as_of=23/11/2026", "as_of"),
        ("as_of=2026-1-5", "as_of"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("limit=100000000", "limit"),
        ("offset=-1", "offset"),
        ("colour=red", "colour"),
        ("surface=be_tong", "surface"),
        ("width_m=wide", "width_m"),
        ("width_m=inf", "width_m"),
        ("people_vnd=1.5", "people_vnd"),
        ("paved_on=yesterday", "paved_on"),
        ("group=G1", "group"),
        ("commune=99001&commune=99002", "commune"),
        ("commune=", "commune"),
    ];
    for (query, parameter) in cases {
        let path = format!("/api/layers/roads/features?{query}");
        let (status, body) = error(&app, &path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["detail"]["parameter"], parameter, "{path}: {body}");
    }
    let (status, body) = error(&app, "/api/layers/roads/features/abc").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["detail"]["parameter"], "id");
}

#[tokio::test]
async fn an_unknown_field_error_lists_the_layers_fields() {
    let app = spawn_app().await;

    let (_, body) = error(&app, "/api/layers/model_sites/features?surface=concrete").await;

    let message = body["error"].as_str().unwrap();
    assert!(message.contains("recognition") && message.contains("field"), "{message}");
}
