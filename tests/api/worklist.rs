//! The work list and the settings it is priced with, over tests/fixtures/coverage_square.sql.

use crate::geodesy::{degree_of_latitude, degree_of_longitude};
use crate::helpers::{Session, TestApp, spawn_app};
use serde_json::{Value, json};

async fn app() -> (TestApp, Session) {
    let app = spawn_app().await;
    app.load_fixture("coverage_square.sql").await;
    app.add_user("admin", "admin", &[]).await;
    let session = app.sign_in("admin").await;
    (app, session)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn group<'a>(list: &'a Value, code: &str) -> &'a Value {
    list["groups"].as_array().unwrap().iter().find(|g| g["code"] == code).unwrap()
}

/// What the work list estimates for a road: its length times its width times the unit cost,
/// rounded to the thousand đồng.
fn cost(length_m: f64, width_m: f64, unit: f64) -> i64 {
    ((length_m * width_m * unit / 1000.0).round() * 1000.0) as i64
}

/// The fixture's roads in group A that are not concrete, by name, with their length there:
/// the western half of r2 along 19.2025 N, and r3 along the meridian 105.71 E.
fn length_in_a(name: &str) -> f64 {
    match name {
        "r2" => 0.005 * degree_of_longitude(19.2025),
        "r3" => 0.008 * degree_of_latitude(19.205),
        other => panic!("{other} is not left in A"),
    }
}

#[tokio::test]
async fn the_work_list_has_every_road_not_concreted_and_each_groups_left_is_its_coverage_gap() {
    let (app, _) = app().await;

    let list = app.get_json("/api/worklist?commune=99100&as_of=2024-01-01").await;
    let coverage = app.get_json("/api/coverage?commune=99100&as_of=2024-01-01").await;

    // A: the western half of r2 (gravel) and r3 (asphalt, on the edge it shares with B).
    let a = group(&list, "A");
    let names: Vec<&str> = a["roads"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["r2", "r3"]);
    let cov_a = coverage["groups"].as_array().unwrap().iter().find(|g| g["code"] == "A").unwrap();
    assert!((f(&a["left_m"]) - (f(&cov_a["road_m"]) - f(&cov_a["concrete_m"]))).abs() < 0.11, "{a}");
    assert!((f(&a["left_m"]) - f(&cov_a["left_m"])).abs() < 0.11);
    // No width recorded: the default 3 m, at the default 450,000 đ/m² of concrete, half by the people.
    for road in a["roads"].as_array().unwrap() {
        assert_eq!(road["width_assumed"], true);
        let want = cost(length_in_a(road["name"].as_str().unwrap()), 3.0, 450_000.0);
        assert!((road["cost_vnd"].as_i64().unwrap() - want).abs() <= 2000, "{road}: want {want}");
        assert!((road["people_vnd"].as_i64().unwrap() - want / 2).abs() <= 2000, "{road}");
    }
    // C has no roads; the planned r6 and the national road are not on the list.
    assert_eq!(group(&list, "C")["left_m"], 0.0);
    // An empty sum is -0.0 in Rust: the JSON still says 0.0, as a person writes it.
    assert_eq!(group(&list, "C")["left_m"].to_string(), "0.0");
    let all: Vec<&str> = list["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["roads"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()))
        .collect();
    assert!(!all.contains(&"r6") && !all.contains(&"Quốc lộ"), "{all:?}");
    // In 2019 r1 was still earth: it is on that year's list.
    let old = app.get_json("/api/worklist?commune=99100&as_of=2019-12-31&group=A").await;
    assert_eq!(old["groups"].as_array().unwrap().len(), 1);
    assert!(group(&old, "A")["roads"].as_array().unwrap().iter().any(|r| r["name"] == "r1" && r["surface"] == "earth"));
}

#[tokio::test]
async fn an_admin_sets_the_unit_costs_and_the_list_is_priced_with_them() {
    let (app, admin) = app().await;
    app.add_user("lan", "editor", &["99100"]).await;
    let editor = app.sign_in("lan").await;
    let patch = |session: &Session, body: Value| {
        app.as_user(reqwest::Method::PATCH, "/api/communes/99100/settings", session).json(&body).send()
    };

    let refused = patch(&editor, json!({"unit_costs": {"concrete": 1}})).await.unwrap();
    let bad = patch(&admin, json!({"people_share_pct": 140})).await.unwrap();
    let unknown = patch(&admin, json!({"colour": "red"})).await.unwrap();
    let ok = patch(&admin, json!({"unit_costs": {"concrete": 600000, "asphalt": 500000}, "people_share_pct": 30}))
        .await
        .unwrap();

    assert_eq!(refused.status(), 403);
    assert_eq!(bad.status(), 422);
    assert_eq!(bad.json::<Value>().await.unwrap()["detail"]["field"], "people_share_pct");
    assert_eq!(unknown.status(), 422);
    assert_eq!(ok.status(), 200);
    let list = app.get_json("/api/worklist?commune=99100&as_of=2024-01-01&group=A").await;
    assert_eq!(list["basis"]["unit_cost_vnd_m2"], 600000.0);
    let r3 = group(&list, "A")["roads"].as_array().unwrap().iter().find(|r| r["name"] == "r3").unwrap().clone();
    let want = cost(length_in_a("r3"), 3.0, 600_000.0);
    assert!((r3["cost_vnd"].as_i64().unwrap() - want).abs() <= 2000, "{r3}: want {want}");
    assert!((r3["people_vnd"].as_i64().unwrap() - (want as f64 * 0.3) as i64).abs() <= 2000);
    let audit: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE layer = 'settings' AND feature_id = '99100'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audit, 1, "one change saved, with its audit entry");
}

#[tokio::test]
async fn a_target_on_the_roadmap_applies_in_its_year() {
    let (app, admin) = app().await;

    let response = app
        .as_user(reqwest::Method::PATCH, "/api/communes/99100/settings", &admin)
        .json(&json!({"targets_by_year": {"concrete_pct": {"2023": 60, "2030": 100}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let in_2023 = app.get_json("/api/coverage?commune=99100&as_of=2023-06-30").await;
    let in_2024 = app.get_json("/api/coverage?commune=99100&as_of=2024-06-30").await;
    let timeline = app.get_json("/api/coverage/timeline?commune=99100&from=2022&to=2024&as_of=2024-06-30").await;

    assert_eq!(in_2023["commune"]["targets"]["concrete_pct"]["target"], 60.0);
    assert_eq!(in_2024["commune"]["targets"]["concrete_pct"]["target"], 80.0, "no target for 2024: the plain one");
    let targets: Vec<f64> =
        timeline["years"].as_array().unwrap().iter().map(|y| f(&y["targets"]["concrete_pct"]["target"])).collect();
    assert_eq!(targets, [80.0, 60.0, 80.0]);
    let settings = app.get_json("/api/communes/99100/settings").await;
    assert_eq!(settings["targets_by_year"]["concrete_pct"]["2030"], 100.0);

    // The roadmap written year first (a likely slip) is refused naming the setting.
    let response = app
        .as_user(reqwest::Method::PATCH, "/api/communes/99100/settings", &admin)
        .json(&json!({"lit_buffer_m": 20, "targets_by_year": {"2026": {"concrete_pct": 85}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let refusal: serde_json::Value = response.json().await.unwrap();
    assert_eq!(refusal["detail"]["field"], "targets_by_year", "{refusal}");
    let unchanged = app.get_json("/api/communes/99100/settings").await;
    assert_eq!(unchanged["lit_buffer_m"], settings["lit_buffer_m"], "nothing of a refused change is kept");
}

#[tokio::test]
async fn bad_work_list_requests_are_4xx() {
    let (app, _) = app().await;
    for (path, status) in [
        ("/api/worklist", 400),
        ("/api/worklist?commune=00000", 404),
        ("/api/worklist?commune=99100&group=Z", 404),
        ("/api/worklist?commune=99100&as_of=2024", 400),
        ("/api/worklist.csv?commune=99100&decimal=dot", 400),
        ("/api/communes/00000/settings", 404),
    ] {
        assert_eq!(app.get(path).await.status(), status, "{path}");
    }
    let csv = app.get("/api/worklist.csv?commune=99100&as_of=2024-01-01&decimal=comma").await.text().await.unwrap();
    let header = csv.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert!(header.starts_with("Mã tổ;Tổ;Mã đường;Tên đường;Loại đường"), "{header}");
    assert!(csv.contains(";Cấp phối;"), "surfaces by their Vietnamese names: {csv}");
    assert!(csv.trim_end().lines().last().unwrap().contains("Tổng cộng"));
}
