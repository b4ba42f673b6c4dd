use crate::helpers::spawn_app;

#[tokio::test]
async fn the_map_page_and_its_vendored_maplibre_are_served() {
    let app = spawn_app().await;

    let page = app.get("/").await;
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("<html"), "{html}");
    assert!(!html.contains("unpkg.com") && !html.contains("cdn."), "the page must not load from a CDN");

    let script = app.get("/vendor/maplibre-gl/maplibre-gl.js").await;
    assert_eq!(script.status(), 200);
    assert!(script.headers()["content-type"].to_str().unwrap().contains("javascript"));

    let vi = app.get_json("/i18n/vi.json").await;
    assert!(vi.is_object());
}

#[tokio::test]
async fn static_files_answer_304_to_a_matching_etag() {
    let app = spawn_app().await;
    let first = app.get("/").await;
    let tag = first.headers()["etag"].to_str().unwrap().to_string();

    let again = app.client.get(app.url("/")).header("If-None-Match", tag).send().await.unwrap();

    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn config_names_the_default_commune_and_no_basemap() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    let config = app.get_json("/api/config").await;

    assert_eq!(config["default_commune"], "99001");
    assert!(config["basemap"].is_null());
}

#[tokio::test]
async fn percent_encoded_paths_are_decoded_and_traversal_is_refused() {
    let app = spawn_app().await;

    assert_eq!(app.get("/%69ndex.html").await.status(), 200);
    for path in ["/../Cargo.toml", "/%2e%2e/Cargo.toml", "/js/%2e%2e/%2e%2e/Cargo.toml", "/.git/config"] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn map_label_glyphs_are_served_for_vietnamese_text() {
    let app = spawn_app().await;

    // Basic Latin, Latin Extended-A/B (ă, đ, ơ, ư) and Latin Extended Additional (ầ, ổ, ỹ).
    for range in ["0-255", "256-511", "7680-7935"] {
        for stack in ["Noto%20Sans%20Regular", "Noto%20Sans%20Bold"] {
            let response = app.get(&format!("/fonts/{stack}/{range}.pbf")).await;
            assert_eq!(response.status(), 200, "{stack} {range}");
            assert!(response.bytes().await.unwrap().len() > 1000, "{stack} {range} holds glyphs");
        }
    }
}
