//! Writes through the catalogue over tests/fixtures/two_communes.sql: create, replace,
//! patch, delete, optimistic locking, validation, the audit log and restores. Expected
//! lengths come from the coordinates (tests/api/geodesy.rs).

use crate::geodesy::degree_of_longitude;
use crate::helpers::{Session, TestApp, app_with_editor};
use reqwest::Method;
use serde_json::{Value, json};

/// A concrete alley inside group G2 of 99001, 0.006° of longitude long at 19.205° N.
fn new_road() -> Value {
    json!({"type": "Feature",
           "geometry": {"type": "LineString", "coordinates": [[105.712, 19.205], [105.718, 19.205]]},
           "properties": {"commune": "99001", "name": "Ngõ 5 thôn Đông", "class": "alley", "surface": "concrete",
                          "paved_on": "2024-05-01", "people_vnd": 30000000}})
}

fn new_road_m() -> f64 {
    0.006 * degree_of_longitude(19.205)
}

async fn g2(app: &TestApp) -> Value {
    let report = app.get_json("/api/coverage?commune=99001").await;
    report["groups"].as_array().unwrap().iter().find(|g| g["code"] == "G2").unwrap().clone()
}

/// Coverage answers lengths to the decimetre: a difference of two is within 0.1 m.
const ROUNDING: f64 = 0.1;

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

async fn create(app: &TestApp, session: &Session, layer: &str, feature: &Value) -> reqwest::Response {
    app.as_user(Method::POST, &format!("/api/layers/{layer}/features"), session).json(feature).send().await.unwrap()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&app.pool).await.unwrap()
}

#[tokio::test]
async fn an_editor_adds_a_road_and_its_groups_coverage_grows_by_its_length_at_once() {
    let (app, session) = app_with_editor().await;
    let before = g2(&app).await;

    let response = create(&app, &session, "roads", &new_road()).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["etag"], "\"v1\"");
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let feature: Value = response.json().await.unwrap();
    let id = feature["id"].as_i64().unwrap();
    assert!(id >= 1_000_000, "new ids come from the identity: {id}");
    assert_eq!(location, format!("/api/layers/roads/features/{id}"));
    assert_eq!(feature["properties"]["name"], "Ngõ 5 thôn Đông");
    assert_eq!(feature["properties"]["commune"], "99001");
    assert_eq!(feature["properties"]["status"], "existing", "a column default applies");

    let after = g2(&app).await;
    let grown = number(&after["road_m"]) - number(&before["road_m"]);
    assert!((grown - new_road_m()).abs() < ROUNDING, "road_m grew by {grown}, the road is {} m", new_road_m());
    let concreted = number(&after["concrete_m"]) - number(&before["concrete_m"]);
    assert!((concreted - new_road_m()).abs() < ROUNDING);
    assert_eq!(number(&after["people_vnd"]) - number(&before["people_vnd"]), 30_000_000.0);

    // GET answers with the version as a strong ETag; the history names the editor.
    let one = app.get(&location).await;
    assert_eq!(one.headers()["etag"], "\"v1\"");
    let history = app.get_json(&format!("{location}/history")).await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["actor"], "lan");
    assert_eq!(history[0]["actor_name"], "Cán bộ lan", "the account's display name");
    assert_eq!(history[0]["action"], "insert");
    assert_eq!(history[0]["version"], 1);
    assert_eq!(history[0]["before"], Value::Null);
    assert_eq!(history[0]["after"]["properties"]["name"], "Ngõ 5 thôn Đông");
}

#[tokio::test]
async fn two_editors_saving_the_same_version_one_wins_and_the_other_gets_412() {
    let (app, lan) = app_with_editor().await;
    app.add_user("minh", "editor", &["99001"]).await;
    let minh = app.sign_in("minh").await;

    let patch = |session: &Session, surface: &str| {
        app.as_user(Method::PATCH, "/api/layers/roads/features/3", session)
            .header("if-match", "\"v1\"")
            .json(&json!({"properties": {"surface": surface, "paved_on": "2025-09-02"}}))
            .send()
    };
    let (a, b) = tokio::join!(patch(&lan, "concrete"), patch(&minh, "paving"));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    let loser = if a.status() == 412 { a } else { b };
    let body: Value = loser.json().await.unwrap();
    assert_eq!(body["detail"]["version"], 2);
    assert!(body["error"].as_str().unwrap().contains("changed by someone else"), "{body}");

    let history = app.get_json("/api/layers/roads/features/3/history").await;
    assert_eq!(history.as_array().unwrap().len(), 1, "one change went through");
    let version: i32 = sqlx::query_scalar("SELECT version FROM road WHERE id = 3").fetch_one(&app.pool).await.unwrap();
    assert_eq!(version, 2);

    // Without If-Match: 428, nothing changes.
    let blind = app
        .as_user(Method::PATCH, "/api/layers/roads/features/3", &lan)
        .json(&json!({"properties": {"surface": "earth"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(blind.status(), 428);
}

#[tokio::test]
async fn put_replaces_patch_changes_delete_removes_and_the_history_keeps_each_state() {
    let (app, session) = app_with_editor().await;
    let before = g2(&app).await;
    let created: Value = create(&app, &session, "roads", &new_road()).await.json().await.unwrap();
    let path = format!("/api/layers/roads/features/{}", created["id"]);

    // PATCH the surface only: the rest stays.
    let patched = app
        .as_user(Method::PATCH, &path, &session)
        .header("if-match", "\"v1\"")
        .json(&json!({"properties": {"surface": "gravel"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    assert_eq!(patched.headers()["etag"], "\"v2\"");
    let patched: Value = patched.json().await.unwrap();
    assert_eq!(patched["properties"]["surface"], "gravel");
    assert_eq!(patched["properties"]["people_vnd"], 30000000);
    let after_patch = g2(&app).await;
    assert!(
        (number(&after_patch["concrete_m"]) - number(&before["concrete_m"])).abs() < 0.01,
        "gravel is not concrete"
    );

    // PUT the eastern half only, with fewer fields: the ones left out become null.
    let half = json!({"type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[105.715, 19.205], [105.718, 19.205]]},
        "properties": {"name": "Ngõ 5 (nửa)", "class": "alley", "surface": "concrete", "status": "existing"}});
    let put = app.as_user(Method::PUT, &path, &session).header("if-match", "\"v2\"").json(&half).send().await.unwrap();
    assert_eq!(put.status(), 200);
    let put: Value = put.json().await.unwrap();
    assert_eq!(put["properties"]["people_vnd"], Value::Null);
    let after_put = g2(&app).await;
    let grown = number(&after_put["road_m"]) - number(&before["road_m"]);
    assert!((grown - new_road_m() / 2.0).abs() < ROUNDING, "half the road: {grown}");

    // DELETE: back to the start.
    let deleted = app.as_user(Method::DELETE, &path, &session).header("if-match", "\"v3\"").send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(app.get(&path).await.status(), 404);
    let after_delete = g2(&app).await;
    assert!((number(&after_delete["road_m"]) - number(&before["road_m"])).abs() < 0.01);

    let history = app.get_json(&format!("{path}/history")).await;
    let actions: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["delete", "update", "update", "insert"]);
    assert_eq!(history[0]["before"]["properties"]["name"], "Ngõ 5 (nửa)");
    // The commune's list of changes has them too, and the other commune's has none.
    let recent = app.get_json("/api/audit?commune=99001&limit=3").await;
    let listed: Vec<&str> = recent.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(listed, ["delete", "update", "update"]);
    assert_eq!(app.get_json("/api/audit?commune=99002").await, json!([]));
    assert_eq!(app.get("/api/audit?commune=99001&limit=0").await.status(), 400);
    assert_eq!(history[2]["before"]["properties"]["surface"], "concrete");
    assert_eq!(history[2]["after"]["properties"]["surface"], "gravel");
}

#[tokio::test]
async fn bad_features_are_422_saying_what_and_where_and_nothing_is_written() {
    let (app, session) = app_with_editor().await;
    let with = |mutate: &dyn Fn(&mut Value)| {
        let mut road = new_road();
        mutate(&mut road);
        road
    };
    let line = |coordinates: Value| json!({"type": "LineString", "coordinates": coordinates});
    // (case, layer, feature, expected detail member, expected words in the message)
    let cases: Vec<(&str, &str, Value, Value, &str)> = vec![
        (
            "unknown field",
            "roads",
            with(&|r| r["properties"]["colour"] = json!("red")),
            json!({"field": "colour"}),
            "not a field",
        ),
        (
            "bad enum",
            "roads",
            with(&|r| r["properties"]["surface"] = json!("gold")),
            json!({"field": "surface"}),
            "concrete (Bê tông)",
        ),
        (
            "future date",
            "roads",
            with(&|r| r["properties"]["paved_on"] = json!("2999-01-01")),
            json!({"field": "paved_on"}),
            "future",
        ),
        (
            "text for a number",
            "roads",
            with(&|r| r["properties"]["width_m"] = json!("wide")),
            json!({"field": "width_m"}),
            "number",
        ),
        (
            "no commune",
            "roads",
            with(&|r| {
                r["properties"].as_object_mut().unwrap().remove("commune");
            }),
            json!({"field": "commune"}),
            "commune",
        ),
        (
            "unknown commune",
            "roads",
            with(&|r| r["properties"]["commune"] = json!("00000")),
            json!({"field": "commune"}),
            "no commune",
        ),
        ("no geometry", "roads", with(&|r| r["geometry"] = Value::Null), json!({"field": "geometry"}), "geometry"),
        (
            "a point for a road",
            "roads",
            with(&|r| r["geometry"] = json!({"type": "Point", "coordinates": [105.712, 19.205]})),
            json!({"geometry": {"code": "wrong_type"}}),
            "POINT",
        ),
        (
            "lat/lon swapped",
            "roads",
            with(&|r| r["geometry"] = line(json!([[19.205, 105.712], [19.205, 105.718]]))),
            json!({"geometry": {"code": "swapped_axes"}}),
            "latitude, longitude",
        ),
        (
            "outside Vietnam",
            "roads",
            with(&|r| r["geometry"] = line(json!([[2.35, 48.85], [2.36, 48.85]]))),
            json!({"geometry": {"code": "outside_extent"}}),
            "outside the allowed area",
        ),
        (
            "malformed geometry",
            "roads",
            with(&|r| r["geometry"] = json!({"type": "LineString", "coordinates": "x"})),
            json!({"geometry": {"code": "malformed"}}),
            "cannot be read",
        ),
        (
            "a one-point line",
            "roads",
            with(&|r| r["geometry"] = line(json!([[105.712, 19.205]]))),
            json!({"geometry": {"code": "invalid"}}),
            "Too few points",
        ),
        (
            "a bow-tie group",
            "groups",
            json!({"type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [[[105.70, 19.20], [105.71, 19.21], [105.71, 19.20], [105.70, 19.21], [105.70, 19.20]]]},
            "properties": {"commune": "99001", "code": "G9", "name": "Thôn Lỗi", "kind": "thon"}}),
            json!({"geometry": {"code": "invalid", "location": [105.705, 19.205]}}),
            "Self-intersection",
        ),
        (
            "an unclosed ring",
            "groups",
            json!({"type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [[[105.70, 19.20], [105.71, 19.20], [105.71, 19.21], [105.70, 19.21]]]},
            "properties": {"commune": "99001", "code": "G9", "name": "Thôn Hở", "kind": "thon"}}),
            json!({"geometry": {"code": "unclosed_ring"}}),
            "not closed",
        ),
    ];
    for (case, layer, feature, detail, words) in cases {
        let response = create(&app, &session, layer, &feature).await;
        assert_eq!(response.status(), 422, "{case}");
        let body: Value = response.json().await.unwrap();
        let message = body["error"].as_str().unwrap();
        assert!(message.contains(words), "{case}: {message}");
        for (key, want) in detail.as_object().unwrap() {
            match want {
                Value::Object(inner) => {
                    for (k, v) in inner {
                        let got = &body["detail"][key][k];
                        if let (Some(g), Some(w)) = (got.as_array(), v.as_array()) {
                            for (g, w) in g.iter().zip(w) {
                                assert!((number(g) - number(w)).abs() < 1e-9, "{case}: {k} {got} want {v}");
                            }
                        } else {
                            assert_eq!(got, v, "{case}: detail.{key}.{k} in {body}");
                        }
                    }
                }
                _ => assert_eq!(&body["detail"][key], want, "{case}: {body}"),
            }
        }
    }
    let malformed = app
        .as_user(Method::POST, "/api/layers/roads/features", &session)
        .header("content-type", "application/json")
        .body("{\"type\": \"Feature\", ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(count(&app, "road").await, 5);
    assert_eq!(count(&app, "residential_group").await, 3);
    assert_eq!(count(&app, "audit_log").await, 0);

    // The bow-tie is repaired when asked: two triangles, one MultiPolygon.
    let bow_tie = json!({"type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[[105.70, 19.20], [105.71, 19.21], [105.71, 19.20], [105.70, 19.21], [105.70, 19.20]]]},
        "properties": {"commune": "99001", "code": "G9", "name": "Thôn Sửa", "kind": "thon"}});
    let repaired = app
        .as_user(Method::POST, "/api/layers/groups/features?repair=true", &session)
        .json(&bow_tie)
        .send()
        .await
        .unwrap();
    assert_eq!(repaired.status(), 201);
    let repaired: Value = repaired.json().await.unwrap();
    assert_eq!(repaired["geometry"]["type"], "MultiPolygon");
    assert_eq!(repaired["geometry"]["coordinates"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_value_the_database_refuses_is_422_naming_the_field_not_500() {
    let (app, session) = app_with_editor().await;
    // A PUT sets what it leaves out to null: `status` is NOT NULL (with a default for
    // inserts), so the database refuses, and that is a 422 naming it.
    let put = app
        .as_user(Method::PUT, "/api/layers/roads/features/1", &session)
        .header("if-match", "\"v1\"")
        .json(&json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[105.702, 19.205], [105.708, 19.205]]},
                      "properties": {"name": "Đường Tây", "class": "commune", "surface": "concrete"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 422);
    let body: Value = put.json().await.unwrap();
    assert_eq!(body["detail"]["field"], "status", "{body}");
    // A required field left out is caught before the database.
    let mut classless = new_road();
    classless["properties"].as_object_mut().unwrap().remove("class");
    let response = create(&app, &session, "roads", &classless).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"]["field"], "class", "{body}");
    assert!(body["error"].as_str().unwrap().contains("required"), "{body}");
    // A negative amount breaks a CHECK constraint.
    let negative = create(&app, &session, "roads", &{
        let mut r = new_road();
        r["properties"]["people_vnd"] = json!(-5);
        r
    })
    .await;
    assert_eq!(negative.status(), 422);
    assert_eq!(count(&app, "road").await, 5);
}

#[tokio::test]
async fn an_admin_restores_a_deleted_road_under_its_id_and_its_coverage_comes_back() {
    let (app, lan) = app_with_editor().await;
    app.add_user("admin", "admin", &[]).await;
    let admin = app.sign_in("admin").await;
    let before = g2(&app).await;

    let deleted = app
        .as_user(Method::DELETE, "/api/layers/roads/features/3", &lan)
        .header("if-match", "\"v1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let history = app.get_json("/api/layers/roads/features/3/history").await;
    let audit_id = history[0]["id"].as_i64().unwrap();
    assert_eq!(history[0]["action"], "delete");
    assert!(number(&g2(&app).await["road_m"]) < number(&before["road_m"]));

    let restored = app
        .as_user(Method::POST, "/api/layers/roads/features/3/restore", &admin)
        .json(&json!({"audit_id": audit_id}))
        .send()
        .await
        .unwrap();
    assert_eq!(restored.status(), 200);
    let restored: Value = restored.json().await.unwrap();
    assert_eq!(restored["id"], 3);
    assert_eq!(restored["properties"]["name"], "Ngõ Đông");
    let after = g2(&app).await;
    assert_eq!(after["road_m"], before["road_m"]);
    let history = app.get_json("/api/layers/roads/features/3/history").await;
    assert_eq!(history[0]["action"], "restore");
    assert_eq!(history[0]["actor"], "admin");

    // Restoring the state after an update puts the old values back as a new version.
    let changed = app
        .as_user(Method::PATCH, "/api/layers/roads/features/3", &lan)
        .header("if-match", "\"v1\"")
        .json(&json!({"properties": {"name": "Tên sai"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    let restore_entry = history[0]["id"].as_i64().unwrap();
    let back: Value = app
        .as_user(Method::POST, "/api/layers/roads/features/3/restore", &admin)
        .json(&json!({"audit_id": restore_entry}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(back["properties"]["name"], "Ngõ Đông");
    let version: i32 = sqlx::query_scalar("SELECT version FROM road WHERE id = 3").fetch_one(&app.pool).await.unwrap();
    assert_eq!(version, 3);
}

/// A line along 19.205° N in G2 with `n` vertices 0.1 µ° apart (valid, inside the commune).
fn line_of(n: usize) -> Value {
    let coordinates: Vec<[f64; 2]> = (0..n).map(|i| [105.712 + i as f64 * 1e-7, 19.205]).collect();
    json!({"type": "LineString", "coordinates": coordinates})
}

#[tokio::test]
async fn one_write_is_bounded_in_vertices_text_and_bytes() {
    let (app, session) = app_with_editor().await;
    let limits = app.get_json("/api/layers").await;
    let roads = limits.as_array().unwrap().iter().find(|l| l["id"] == "roads").unwrap().clone();
    let max_vertices = roads["max_vertices"].as_u64().unwrap() as usize;
    let field = |name: &str| roads["fields"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap().clone();
    assert_eq!(max_vertices, 50_000);
    assert_eq!(field("name")["max_length"], 500);
    assert_eq!(field("note")["max_length"], 5_000);
    assert!(field("people_vnd").get("max_length").is_none(), "numbers have no length");

    // At the limit: accepted.
    let mut road = new_road();
    road["geometry"] = line_of(max_vertices);
    road["properties"]["name"] = json!("Đ".repeat(500));
    let response = create(&app, &session, "roads", &road).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());

    // One vertex more: 422 naming the geometry, before PostGIS.
    road["geometry"] = line_of(max_vertices + 1);
    road["properties"]["name"] = json!("Ngõ dài");
    let response = create(&app, &session, "roads", &road).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"]["geometry"]["code"], "too_many_vertices", "{body}");
    assert_eq!(body["detail"]["geometry"]["vertices"], max_vertices + 1);
    assert!(body["error"].as_str().unwrap().contains("50001 vertices; at most 50000"), "{body}");

    // A name of 1 MB: 422 naming the field, without echoing it.
    let mut road = new_road();
    road["properties"]["name"] = json!("x".repeat(1024 * 1024));
    let response = create(&app, &session, "roads", &road).await;
    assert_eq!(response.status(), 422);
    let text = response.text().await.unwrap();
    assert!(text.len() < 1000, "the answer echoes the name: {} bytes", text.len());
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["detail"]["field"], "name");
    assert!(body["error"].as_str().unwrap().contains("1048576 characters long; at most 500"), "{body}");
    let mut road = new_road();
    road["properties"]["note"] = json!("x".repeat(5_001));
    let body: Value = create(&app, &session, "roads", &road).await.json().await.unwrap();
    assert_eq!(body["detail"]["field"], "note", "{body}");

    // A property that is an array or an object: 422, never parsed as a tree.
    let mut road = new_road();
    road["properties"]["name"] = json!(vec![1; 100_000]);
    let response = create(&app, &session, "roads", &road).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"]["field"], "name", "{body}");

    // A 1,000,000-vertex line (some 26 MB): 413 JSON naming the limit, read no further.
    let mut road = new_road();
    road["geometry"] = line_of(1_000_000);
    let body = serde_json::to_vec(&road).unwrap();
    assert!(body.len() > 20 * 1024 * 1024, "{} bytes", body.len());
    let response = app
        .as_user(Method::POST, "/api/layers/roads/features", &session)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"]["limit_bytes"], 4 * 1024 * 1024, "{body}");
    assert!(body["error"].as_str().unwrap().contains("4 MiB"), "{body}");

    // The same limits on PATCH; nothing of the refused writes was stored.
    let id: i64 = sqlx::query_scalar("SELECT max(id) FROM road").fetch_one(&app.pool).await.unwrap();
    let response = app
        .as_user(Method::PATCH, &format!("/api/layers/roads/features/{id}"), &session)
        .header("if-match", "\"v1\"")
        .json(&json!({"type": "Feature", "properties": {"organisation": "y".repeat(501)}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"]["field"], "organisation", "{body}");
    assert_eq!(count(&app, "audit_log").await, 1, "only the road at the limit was written");
}
