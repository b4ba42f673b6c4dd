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
