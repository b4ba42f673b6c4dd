use crate::helpers::spawn_app;

#[tokio::test]
async fn health_is_ok_when_the_database_answers() {
    let app = spawn_app().await;

    let body = app.get_json("/healthz").await;

    assert_eq!(body, serde_json::json!({ "status": "ok" }));
}

#[tokio::test]
async fn health_is_503_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.pool.close().await;

    let response = app.get("/healthz").await;

    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "2");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
}

/// The `kheo serve` binary itself, as an operator starts it: it prints its address, answers
/// on it, and its memory can be read (for the tests that bound it).
#[tokio::test]
async fn the_serve_command_answers_on_the_address_it_prints() {
    let app = spawn_app().await;
    let server = crate::helpers::ServerProcess::start(&app, &[]);

    let body: serde_json::Value = app.client.get(server.url("/healthz")).send().await.unwrap().json().await.unwrap();

    assert_eq!(body["status"], "ok");
    let (now, peak) = (server.rss_kib(), server.peak_rss_kib());
    assert!(now > 0 && peak >= now, "resident {now} KiB, peak {peak} KiB");
}
