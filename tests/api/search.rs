//! GET /api/search over the two_communes fixture: accent-insensitive, prefix matches first,
//! then boundaries before works, then by name.

use crate::helpers::{TestApp, spawn_app};

async fn names(app: &TestApp, query: &str) -> Vec<String> {
    let hits = app.get_json(&format!("/api/search?{query}")).await;
    hits.as_array().unwrap().iter().map(|h| h["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn search_ignores_diacritics_and_case() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    // Names that start with it (roads, then the flower route), then the one that has it inside.
    assert_eq!(
        names(&app, "q=duong").await,
        ["Đường Ngang", "Đường Phố Đông", "Đường Tây", "Đường hoa Tây", "Chiếu sáng Đường Ngang"]
    );
    assert_eq!(names(&app, "q=QU%E1%BB%90C").await, ["Quốc lộ 1A"], "QUỐC in capitals");
    assert_eq!(names(&app, "q=rau%20sach").await, ["Tổ hợp tác rau sạch"]);
}

#[tokio::test]
async fn names_that_start_with_the_text_come_first_then_boundaries_then_works() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    // None starts with "dong": the commune, then the group, then the roads by name.
    assert_eq!(names(&app, "q=dong").await, ["Phường Đông", "Thôn Đông", "Ngõ Đông", "Đường Phố Đông"]);
    assert_eq!(names(&app, "q=dong&limit=2").await, ["Phường Đông", "Thôn Đông"]);
}

#[tokio::test]
async fn a_hit_says_its_layer_id_commune_and_bbox() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    let hits = app.get_json("/api/search?q=thon%20tay").await;

    let hit = &hits[0];
    assert_eq!(hit["layer"], "groups");
    assert_eq!(hit["id"], 1);
    assert_eq!(hit["commune"], "99001");
    assert_eq!(hit["bbox"], serde_json::json!([105.70, 19.20, 105.71, 19.22]));
}

#[tokio::test]
async fn search_stays_in_a_commune_and_takes_wildcards_literally() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    assert!(names(&app, "q=tay&commune=99002").await.is_empty());
    assert_eq!(names(&app, "q=tay&commune=99001").await, ["Thôn Tây", "Đường Tây", "Đường hoa Tây"]);
    assert!(names(&app, "q=%25").await.is_empty(), "a % matches only a %");
    assert!(names(&app, "q=_").await.is_empty());
}

#[tokio::test]
async fn bad_searches_are_4xx() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    for (path, status) in [
        ("/api/search", 400),
        ("/api/search?q=%20%20", 400),
        ("/api/search?q=a&limit=0", 400),
        ("/api/search?q=a&limit=x", 400),
        ("/api/search?q=a&kind=road", 400),
        ("/api/search?q=a&commune=12345", 404),
    ] {
        assert_eq!(app.get(path).await.status().as_u16(), status, "{path}");
    }
}
