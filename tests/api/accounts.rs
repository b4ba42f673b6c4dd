//! Accounts and sessions: signing in and out, the cookie, CSRF, rate limits, roles.

use crate::helpers::{PASSWORD, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn signing_in_sets_an_httponly_samesite_cookie_and_the_session_says_who() {
    let app = spawn_app().await;
    app.add_user("lan", "editor", &["99001", "99002"]).await;

    let anonymous = app.get_json("/api/session").await;
    assert_eq!(anonymous, json!({ "user": null }));

    let response = app.post_json("/api/session", &json!({"username": "lan", "password": PASSWORD})).await;
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("kheo_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(attribute), "{attribute} missing from {cookie}");
    }
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["username"], "lan");
    assert_eq!(body["user"]["role"], "editor");
    assert_eq!(body["user"]["communes"], json!(["99001", "99002"]));
    assert_eq!(body["csrf_token"].as_str().unwrap().len(), 64);

    // The database keeps a digest of the token, not the token.
    let token = cookie.split(';').next().unwrap().trim_start_matches("kheo_session=").to_string();
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT token_sha256 FROM user_session").fetch_one(&app.pool).await.unwrap();
    assert_eq!(stored, kheo::auth::password::token_digest(&token));
    assert_ne!(stored, token.as_bytes());

    let session =
        app.client.get(app.url("/api/session")).header("cookie", format!("kheo_session={token}")).send().await.unwrap();
    let session: Value = session.json().await.unwrap();
    assert_eq!(session["user"]["username"], "lan");
    assert_eq!(session["csrf_token"], body["csrf_token"]);
}

#[tokio::test]
async fn a_wrong_password_is_401_and_the_sixth_failure_in_a_row_is_429() {
    let app = spawn_app().await;
    app.add_user("lan", "editor", &["99001"]).await;
    for attempt in 1..=5 {
        let response = app.post_json("/api/session", &json!({"username": "lan", "password": "sai"})).await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
    // Even the right password waits now: the limit is on the name, whoever types it.
    let response = app.post_json("/api/session", &json!({"username": "lan", "password": PASSWORD})).await;
    assert_eq!(response.status(), 429);
    let retry_after: i64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "Retry-After {retry_after}");
    // An unknown name counts the same way and says nothing about which names exist.
    let unknown = app.post_json("/api/session", &json!({"username": "nobody", "password": "x"})).await;
    // The address has 6 failures too: 429 before any password is checked.
    assert_eq!(unknown.status(), 429);
}

#[tokio::test]
async fn writes_need_a_session_401_and_the_csrf_header_403() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    app.add_user("lan", "editor", &["99001"]).await;
    let road = json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[105.712, 19.205], [105.718, 19.205]]},
                      "properties": {"commune": "99001", "name": "Ngõ mới", "class": "alley", "surface": "concrete"}});

    let anonymous = app.post_json("/api/layers/roads/features", &road).await;
    assert_eq!(anonymous.status(), 401);

    let session = app.sign_in("lan").await;
    let without_csrf = app
        .client
        .post(app.url("/api/layers/roads/features"))
        .header("cookie", &session.cookie)
        .json(&road)
        .send()
        .await
        .unwrap();
    assert_eq!(without_csrf.status(), 403);
    let wrong_csrf = app
        .client
        .post(app.url("/api/layers/roads/features"))
        .header("cookie", &session.cookie)
        .header("x-csrf-token", "0".repeat(64))
        .json(&road)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_csrf.status(), 403);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM road").fetch_one(&app.pool).await.unwrap();
    assert_eq!(count, 5, "nothing was written");

    let ok = app.as_user(Method::POST, "/api/layers/roads/features", &session).json(&road).send().await.unwrap();
    assert_eq!(ok.status(), 201);
}

#[tokio::test]
async fn an_editor_writes_only_in_their_communes_and_only_admins_restore() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    app.add_user("lan", "editor", &["99001"]).await;
    app.add_user("admin", "admin", &[]).await;
    let lan = app.sign_in("lan").await;
    let admin = app.sign_in("admin").await;
    let site = |commune: &str, lon: f64| {
        json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, 19.205]},
               "properties": {"commune": commune, "name": "Mô hình", "field": "economy"}})
    };

    let elsewhere = app
        .as_user(Method::POST, "/api/layers/model_sites/features", &lan)
        .json(&site("99002", 105.805))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 403);
    let body: Value = elsewhere.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("99002"), "{body}");
    // Changing a feature of another commune: 403 as well (road 5 is in 99002).
    let other = app
        .as_user(Method::DELETE, "/api/layers/roads/features/5", &lan)
        .header("if-match", "\"v1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 403);
    // The admin writes anywhere.
    let anywhere = app
        .as_user(Method::POST, "/api/layers/model_sites/features", &admin)
        .json(&site("99002", 105.805))
        .send()
        .await
        .unwrap();
    assert_eq!(anywhere.status(), 201);
    // Communes are the admin's.
    let commune = app
        .as_user(Method::PATCH, "/api/layers/communes/features/99001", &lan)
        .header("if-match", "\"v1\"")
        .json(&json!({"properties": {"name": "X"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(commune.status(), 403);
    // Restoring is the admin's.
    let restore = app
        .as_user(Method::POST, "/api/layers/roads/features/1/restore", &lan)
        .json(&json!({"audit_id": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(restore.status(), 403);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    app.add_user("lan", "editor", &["99001"]).await;
    let session = app.sign_in("lan").await;
    let out = app.as_user(Method::DELETE, "/api/session", &session).send().await.unwrap();
    assert_eq!(out.status(), 204);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let after: Value = app
        .client
        .get(app.url("/api/session"))
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after, json!({ "user": null }));
}

#[tokio::test]
async fn with_anonymous_reads_off_the_api_needs_a_session_but_the_page_loads() {
    let app =
        crate::helpers::spawn_app_with_policy(kheo::http::Policy { anonymous_read: false, ..Default::default() }).await;
    app.load_fixture("two_communes.sql").await;
    app.add_user("lan", "editor", &["99001"]).await;
    assert_eq!(app.get("/api/coverage?commune=99001").await.status(), 401);
    assert_eq!(app.get("/api/layers/roads/features").await.status(), 401);
    assert_eq!(app.get("/").await.status(), 200);
    assert_eq!(app.get("/api/session").await.status(), 200);
    let session = app.sign_in("lan").await;
    let signed_in =
        app.client.get(app.url("/api/coverage?commune=99001")).header("cookie", &session.cookie).send().await.unwrap();
    assert_eq!(signed_in.status(), 200);
}

#[tokio::test]
async fn the_cli_adds_lists_and_changes_accounts() {
    let app = spawn_app().await;
    let url = app.database_url();
    let run = |args: &[&str], password: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kheo"))
            .args(args)
            .env("DATABASE_URL", &url)
            .env("KHEO_PASSWORD", password)
            .output()
            .unwrap()
    };
    let added = run(
        &["user", "add", "lan", "--role", "editor", "--commune", "99001", "--display-name", "Nguyễn Thị Lan"],
        "mật khẩu dài",
    );
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let short = run(&["user", "add", "minh", "--role", "editor", "--commune", "99001"], "short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 8"));
    let listed = run(&["user", "list"], "");
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "lan\teditor\t99001\tNguyễn Thị Lan\n");

    let account = kheo::store::users::find(&app.pool, "lan").await.unwrap().unwrap();
    assert!(account.password_hash.starts_with("$argon2id$"));
    assert!(kheo::auth::password::verify("mật khẩu dài", &account.password_hash));
    let changed = run(&["user", "passwd", "lan"], "mật khẩu mới dài");
    assert!(changed.status.success());
    let account = kheo::store::users::find(&app.pool, "lan").await.unwrap().unwrap();
    assert!(kheo::auth::password::verify("mật khẩu mới dài", &account.password_hash));
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_sign_in_limit_is_per_forwarded_address() {
    let app =
        crate::helpers::spawn_app_with_policy(kheo::http::Policy { trust_proxy: true, ..Default::default() }).await;
    app.add_user("lan", "editor", &["99001"]).await;
    app.add_user("minh", "editor", &["99001"]).await;
    let attempt = |username: &str, password: &str, from: &str| {
        app.client
            .post(app.url("/api/session"))
            .header("x-forwarded-for", format!("203.0.113.9, {from}"))
            .json(&json!({"username": username, "password": password}))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(attempt("guess", "sai", "10.0.0.1").await.unwrap().status(), 401);
    }
    // The proxy's last entry is the client: another client is not locked out with the first.
    assert_eq!(attempt("lan", PASSWORD, "10.0.0.2").await.unwrap().status(), 200);
    assert_eq!(attempt("minh", PASSWORD, "10.0.0.1").await.unwrap().status(), 429);
}

#[tokio::test]
async fn an_unpublished_commune_is_hidden_from_visitors_but_not_from_signed_in_users() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    app.add_user("lan", "editor", &["99001"]).await;
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_kheo"))
        .args(["commune", "unpublish", "99002"])
        .env("DATABASE_URL", app.database_url())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));

    // Visitors: 99002 does not exist for them, wherever they look.
    let codes: Vec<Value> =
        app.get_json("/api/communes").await.as_array().unwrap().iter().map(|c| c["code"].clone()).collect();
    assert_eq!(codes, [json!("99001")]);
    assert_eq!(app.get("/api/coverage?commune=99002").await.status(), 404);
    assert_eq!(app.get("/api/layers/roads/features?commune=99002").await.status(), 404);
    assert_eq!(app.feature_ids("/api/layers/roads/features").await, [json!(1), json!(2), json!(3), json!(4)]);
    assert_eq!(app.get("/api/layers/roads/features/5").await.status(), 404);
    let csv = app.get("/api/layers/roads/features.csv").await.text().await.unwrap();
    assert_eq!(csv.lines().count(), 1 + 4, "{csv}");
    let hits = app.get_json("/api/search?q=dong").await;
    assert!(hits.as_array().unwrap().iter().all(|h| h["commune"] == "99001"), "{hits}");
    assert_eq!(app.get_json("/api/config").await["default_commune"], "99001");
    let public_tag = app.get("/api/layers/roads/features").await.headers()["etag"].clone();

    // Signed in, whoever: everything.
    let session = app.sign_in("lan").await;
    let get = |path: &str| app.client.get(app.url(path)).header("cookie", &session.cookie).send();
    assert_eq!(get("/api/coverage?commune=99002").await.unwrap().status(), 200);
    assert_eq!(get("/api/layers/roads/features/5").await.unwrap().status(), 200);
    let all: Value = get("/api/layers/roads/features").await.unwrap().json().await.unwrap();
    assert_eq!(all["features"].as_array().unwrap().len(), 5);
    let signed_in_tag = get("/api/layers/roads/features").await.unwrap().headers()["etag"].clone();
    assert_ne!(public_tag, signed_in_tag, "a cache must not hand one audience's answer to the other");

    // Publishing it again shows it to visitors at once (the commune's revision is in the ETag).
    let published = app
        .client
        .get(app.url("/api/layers/roads/features"))
        .header("if-none-match", public_tag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 304);
    kheo::store::communes::set_published(&app.pool, "99002", true).await.unwrap();
    let after =
        app.client.get(app.url("/api/layers/roads/features")).header("if-none-match", public_tag).send().await.unwrap();
    assert_eq!(after.status(), 200);
}

/// `kheo user remove` ends the account and its sessions at once; its history stays.
#[tokio::test]
async fn a_removed_account_can_no_longer_sign_in_and_its_session_ends() {
    let (app, session) = crate::helpers::app_with_editor().await;
    let kheo = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kheo"))
            .args(args)
            .env("DATABASE_URL", app.database_url())
            .output()
            .unwrap()
    };

    let removed = kheo(&["user", "remove", "lan"]);
    let again = kheo(&["user", "remove", "lan"]);

    assert!(removed.status.success(), "{}", String::from_utf8_lossy(&removed.stderr));
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("there is no account `lan`"));
    let current: serde_json::Value =
        app.as_user(reqwest::Method::GET, "/api/session", &session).send().await.unwrap().json().await.unwrap();
    assert!(current["user"].is_null(), "the session ended: {current}");
    let sign_in = app
        .post_json("/api/session", &serde_json::json!({"username": "lan", "password": crate::helpers::PASSWORD}))
        .await;
    assert_eq!(sign_in.status(), 401);
}
