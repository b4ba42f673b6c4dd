//! Answers the README promises for requests that are wrong, hostile or careless (issue 8,
//! "What failed", point 10): each is a 4xx JSON error saying what and where.

use crate::helpers::{PASSWORD, TestApp, app_with_editor, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

/// The status and JSON body of `request`; panics unless the body is the API's error shape.
async fn error_of(request: reqwest::RequestBuilder) -> (u16, Value, reqwest::header::HeaderMap) {
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status} is not JSON ({e}): {text:?}"));
    assert!(body["error"].as_str().is_some_and(|m| !m.is_empty()), "no error message: {body}");
    assert!(body.get("detail").is_some(), "no detail: {body}");
    (status, body, headers)
}

#[tokio::test]
async fn a_nul_in_any_string_parameter_is_400_naming_it() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    let cases = [
        ("/api/layers/roads/features?commune=99%00001", "commune"),
        ("/api/layers/roads/features?name=a%00b", "name"),
        ("/api/layers/roads/features?commune=99001&group=G%001", "group"),
        ("/api/layers/roads/features.csv?commune=%00", "commune"),
        ("/api/coverage?commune=99001%00", "commune"),
        ("/api/coverage.csv?commune=99001&lang=%00", "lang"),
        ("/api/coverage/timeline?commune=%00", "commune"),
        ("/api/search?q=%00", "q"),
        ("/api/search?q=ab&commune=9%00", "commune"),
        ("/api/audit?commune=%00", "commune"),
        ("/api/layers/communes/features/99%00001", "id"),
        ("/api/layers/communes/features/99%00001/history", "id"),
        ("/api/layers/ro%00ads/features", "layer"),
    ];
    for (path, parameter) in cases {
        let (status, body, _) = error_of(app.client.get(app.url(path))).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["detail"]["parameter"], parameter, "{path}: {body}");
    }
}

#[tokio::test]
async fn numbers_too_large_and_dates_out_of_range_are_422_naming_the_field_without_database_internals() {
    let (app, session) = app_with_editor().await;
    let road = |properties: Value| {
        let mut p = json!({"commune": "99001", "name": "Ngõ thử", "class": "alley", "surface": "concrete"});
        p.as_object_mut().unwrap().extend(properties.as_object().unwrap().clone());
        json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[105.712, 19.205], [105.718, 19.205]]},
               "properties": p})
    };
    let group = json!({"type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[[105.70, 19.20], [105.705, 19.20], [105.705, 19.205], [105.70, 19.20]]]},
        "properties": {"commune": "99001", "code": "G9", "name": "Thôn mới", "kind": "thon", "households": 3_000_000_000i64}});
    let cases = [
        ("roads", road(json!({"width_m": 123456.5})), "width_m"), // numeric(6, 2)
        ("roads", road(json!({"workdays": 1e300})), "workdays"),
        ("roads", road(json!({"people_vnd": -5})), "people_vnd"), // CHECK (people_vnd >= 0)
        ("roads", road(json!({"paved_on": "01/01/0000"})), "paved_on"), // no year 0 in PostgreSQL
        ("groups", group, "households"),                          // integer
    ];
    for (layer, feature, field) in cases {
        let request = app.as_user(Method::POST, &format!("/api/layers/{layer}/features"), &session).json(&feature);
        let (status, body, _) = error_of(request).await;
        assert_eq!(status, 422, "{field}: {body}");
        assert_eq!(body["detail"]["field"], field, "{body}");
        let message = body["error"].as_str().unwrap();
        for internal in ["constraint", "_check", "violates", "relation", "SQLSTATE", "numeric field"] {
            assert!(!message.contains(internal), "{field}: the message shows the database's internals: {message}");
        }
    }
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM road").fetch_one(&app.pool).await.unwrap();
    assert_eq!(stored, 5, "nothing was written");
}

#[tokio::test]
async fn methods_a_path_does_not_take_are_405_json_with_allow() {
    let app = spawn_app().await;
    for path in ["/", "/index.html", "/js/main.js", "/api/layers", "/api/session", "/api/layers/roads/features/1"] {
        for method in ["TRACE", "PROPFIND", "CONNECT", "BREW", "PUT"] {
            if method == "PUT" && path.ends_with("/1") {
                continue; // a write route: 401 without a session
            }
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let (status, body, headers) = error_of(app.client.request(method.clone(), app.url(path))).await;
            assert_eq!(status, 405, "{method} {path}: {body}");
            let allow = headers.get("allow").unwrap_or_else(|| panic!("{method} {path}: no Allow")).to_str().unwrap();
            assert!(allow.contains("GET"), "{method} {path}: Allow {allow}");
        }
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_json() {
    let app =
        crate::helpers::spawn_app_with_policy(kheo::http::Policy { max_upload_bytes: 64 * 1024, ..Default::default() })
            .await;
    app.add_user("lan", "editor", &["99001"]).await;
    let session = app.sign_in("lan").await;
    let big = json!({"type": "Feature", "properties": {"note": "x".repeat(100 * 1024)}});
    let request = app.as_user(Method::POST, "/api/layers/roads/features", &session).json(&big);
    let (status, body, _) = error_of(request).await;
    assert_eq!(status, 413, "{body}");
    let (status, body, _) = error_of(
        app.client.post(app.url("/api/session")).body(vec![b' '; 5 * 1024]).header("content-type", "application/json"),
    )
    .await;
    assert_eq!(status, 413, "a sign-in body is at most 4 KiB: {body}");
}

#[tokio::test]
async fn the_session_and_every_answer_with_a_csrf_token_are_never_cached() {
    let app = spawn_app().await;
    app.add_user("lan", "editor", &["99001"]).await;
    let anonymous = app.get("/api/session").await;
    assert_eq!(anonymous.headers()["cache-control"], "no-store");
    let signed_in = app.post_json("/api/session", &json!({"username": "lan", "password": PASSWORD})).await;
    assert_eq!(signed_in.headers()["cache-control"], "no-store");
    let cookie = signed_in.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let current = app.client.get(app.url("/api/session")).header("cookie", cookie).send().await.unwrap();
    assert_eq!(current.headers()["cache-control"], "no-store");
    let body: Value = current.json().await.unwrap();
    assert!(body["csrf_token"].is_string());
}

async fn unpublish(app: &TestApp, code: &str) {
    assert!(kheo::store::communes::set_published(&app.pool, code, false).await.unwrap());
}

#[tokio::test]
async fn the_history_of_a_feature_of_an_unpublished_commune_is_404_to_visitors_as_for_a_missing_one() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    app.add_user("lan", "editor", &["99002"]).await;
    unpublish(&app, "99002").await;

    // Road 5 of 99002 has no history yet (loaded by the fixture), road 99 does not exist.
    let (hidden, hidden_body, _) = error_of(app.client.get(app.url("/api/layers/roads/features/5/history"))).await;
    let (missing, missing_body, _) = error_of(app.client.get(app.url("/api/layers/roads/features/99/history"))).await;
    assert_eq!((hidden, missing), (404, 404), "{hidden_body} {missing_body}");
    // Once edited (an audit entry), still hidden.
    let session = app.sign_in("lan").await;
    let patched = app
        .as_user(Method::PATCH, "/api/layers/roads/features/5", &session)
        .header("if-match", "\"v1\"")
        .json(&json!({"properties": {"name": "Đường đổi tên"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    assert_eq!(app.get("/api/layers/roads/features/5/history").await.status(), 404);
    // Signed in, it is there; published again, visitors see it.
    let own = app.as_user(Method::GET, "/api/layers/roads/features/5/history", &session).send().await.unwrap();
    assert_eq!(own.status(), 200);
    kheo::store::communes::set_published(&app.pool, "99002", true).await.unwrap();
    let history: Value = app.get_json("/api/layers/roads/features/5/history").await;
    assert_eq!(history.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn layer_counts_leave_out_unpublished_communes_for_visitors() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    app.add_user("lan", "editor", &["99001"]).await;
    unpublish(&app, "99002").await;
    let counts = |catalogue: Value| -> Vec<(String, i64)> {
        catalogue
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["id"].as_str().unwrap().to_string(), l["count"].as_i64().unwrap()))
            .collect()
    };
    let public = counts(app.get_json("/api/layers").await);
    let count_of = |all: &[(String, i64)], id: &str| all.iter().find(|(l, _)| l == id).unwrap().1;
    // The fixture: 99001 has roads 1-4, groups G1 and G2; 99002 has road 5 and group TDP1.
    assert_eq!(count_of(&public, "roads"), 4);
    assert_eq!(count_of(&public, "groups"), 2);
    assert_eq!(count_of(&public, "communes"), 1);
    let session = app.sign_in("lan").await;
    let signed_in: Value =
        app.as_user(Method::GET, "/api/layers", &session).send().await.unwrap().json().await.unwrap();
    let signed_in = counts(signed_in);
    assert_eq!(count_of(&signed_in, "roads"), 5);
    assert_eq!(count_of(&signed_in, "groups"), 3);
    assert_eq!(count_of(&signed_in, "communes"), 2);
}

#[tokio::test]
async fn a_write_with_heights_is_refused_asking_for_2d_positions() {
    let (app, session) = app_with_editor().await;
    for coordinates in
        [json!([[105.712, 19.205, 12.0], [105.718, 19.205, 13.5]]), json!([[105.712, 19.205], [105.718, 19.205, 0, 7]])]
    {
        let road = json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coordinates},
                          "properties": {"commune": "99001", "name": "Ngõ có độ cao", "class": "alley", "surface": "concrete"}});
        let request = app.as_user(Method::POST, "/api/layers/roads/features", &session).json(&road);
        let (status, body, _) = error_of(request).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["detail"]["geometry"]["code"], "has_z", "{body}");
        assert!(body["error"].as_str().unwrap().contains("2-D"), "{body}");
    }
    let point = json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.703, 19.203, 5]},
                       "properties": {"name": "Điểm"}});
    let request = app
        .as_user(Method::PATCH, "/api/layers/model_sites/features/1", &session)
        .header("if-match", "\"v1\"")
        .json(&point);
    let (status, body, _) = error_of(request).await;
    assert_eq!((status, body["detail"]["geometry"]["code"].clone()), (422, json!("has_z")), "{body}");
}

#[tokio::test]
async fn if_match_star_does_not_skip_the_version_check() {
    let (app, session) = app_with_editor().await;
    for method in [Method::PATCH, Method::PUT, Method::DELETE] {
        let request = app
            .as_user(method.clone(), "/api/layers/roads/features/1", &session)
            .header("if-match", "*")
            .json(&json!({"properties": {"name": "Ghi đè mù"}}));
        let (status, body, _) = error_of(request).await;
        assert_eq!(status, 428, "{method}: {body}");
        assert!(body["error"].as_str().unwrap().contains("ETag"), "{body}");
    }
    let version: i32 = sqlx::query_scalar("SELECT version FROM road WHERE id = 1").fetch_one(&app.pool).await.unwrap();
    assert_eq!(version, 1, "nothing was written");
}

#[tokio::test]
async fn every_request_is_one_log_line_with_method_path_status_and_latency_and_no_cookie() {
    let app = spawn_app().await;
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_kheo"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", app.database_url())
        .env("KHEO_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(server.stdout.take().unwrap()), &mut first).unwrap();
    let base = first.trim().strip_prefix("kheo: listening on ").unwrap().to_string();
    let client = reqwest::Client::new();
    assert_eq!(client.get(format!("{base}/healthz")).send().await.unwrap().status(), 200);
    let missing = client.get(format!("{base}/api/nothing")).header("cookie", "kheo_session=secret-cookie-value");
    assert_eq!(missing.send().await.unwrap().status(), 404);
    // SIGTERM: a graceful stop flushes the log.
    std::process::Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    let output = server.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = log.lines().filter(|l| l.contains("kheo::request")).collect();
    assert_eq!(lines.len(), 2, "{log}");
    for (line, (path, status)) in lines.iter().zip([("/healthz", "200"), ("/api/nothing", "404")]) {
        assert!(line.contains(" INFO "), "{line}");
        assert!(line.contains("method=GET") && line.contains(&format!("path={path}")), "{line}");
        assert!(line.contains(&format!("status={status}")) && line.contains("latency_ms="), "{line}");
    }
    assert!(!log.contains("secret-cookie-value"), "a cookie reached the log: {log}");
}
