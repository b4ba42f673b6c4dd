//! Security headers on every response (issue 8): a CSP without inline scripts but the
//! page's import map by its hash, nosniff, a referrer policy, no framing unless configured.

use crate::helpers::{ServerProcess, spawn_app, spawn_app_with_policy};
use base64::Engine;
use sha2::{Digest, Sha256};

/// The directives of a CSP by name.
fn directives(csp: &str) -> std::collections::HashMap<String, Vec<String>> {
    csp.split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            Some((words.next()?.to_string(), words.map(str::to_string).collect()))
        })
        .collect()
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let page = app.get("/").await;
    let html = page.text().await.unwrap();
    // The import map's text, as the browser hashes it: between its tags, exactly.
    let (_, after) = html.split_once("<script type=\"importmap\">").expect("the page has an import map");
    let (import_map, _) = after.split_once("</script>").unwrap();
    let hash = format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(import_map)));

    for path in ["/", "/js/main.js", "/api/layers", "/healthz", "/api/nothing", "/api/session"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        let d = directives(csp);
        assert_eq!(d["default-src"], ["'self'"], "{csp}");
        assert_eq!(d["script-src"], ["'self'".to_string(), hash.clone()], "{csp}");
        assert_eq!(d["style-src"], ["'self'"], "{csp}");
        assert_eq!(d["object-src"], ["'none'"], "{csp}");
        assert_eq!(d["frame-ancestors"], ["'none'"], "{csp}");
        assert!(d["worker-src"].contains(&"blob:".to_string()), "MapLibre's workers: {csp}");
        assert!(d["img-src"].contains(&"data:".to_string()) && d["img-src"].contains(&"blob:".to_string()), "{csp}");
        assert!(!csp.contains("unsafe"), "{csp}");
    }
}

#[tokio::test]
async fn framing_is_configurable_and_a_basemap_origin_is_allowed() {
    let app = spawn_app_with_policy(kheo::http::Policy {
        frame_ancestors: "'self' https://portal.example.vn".into(),
        ..Default::default()
    })
    .await;
    let response = app.get("/").await;
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert_eq!(directives(&csp)["frame-ancestors"], ["'self'", "https://portal.example.vn"], "{csp}");
    assert!(response.headers().get("x-frame-options").is_none(), "framing is allowed to those named");

    let server = ServerProcess::start(
        &app,
        &[
            ("KHEO_BASEMAP_TILES", "https://{s}.tile.example.vn/{z}/{x}/{y}.png"),
            ("KHEO_FRAME_ANCESTORS", "https://cong.example.vn"),
        ],
    );
    let response = reqwest::get(server.url("/")).await.unwrap();
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    let d = directives(&csp);
    assert!(d["img-src"].contains(&"https://*.tile.example.vn".to_string()), "{csp}");
    assert!(d["connect-src"].contains(&"https://*.tile.example.vn".to_string()), "{csp}");
    assert_eq!(d["frame-ancestors"], ["https://cong.example.vn"], "{csp}");
}

#[test]
fn a_frame_ancestors_setting_that_would_break_out_of_its_directive_is_refused() {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_kheo"))
        .args(["serve", "--frame-ancestors", "'self'; script-src *"])
        .env("DATABASE_URL", "postgres://nobody@localhost/none")
        .output()
        .unwrap();
    assert!(!run.status.success());
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("frame-ancestors"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}
