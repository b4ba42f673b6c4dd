//! Regions and their coverage over tests/fixtures/three_communes.sql: the region's figures
//! are the sums of its communes' own reports, shares are recomputed from the summed
//! lengths, and visitors who are not signed in see only published communes.

use crate::geodesy::degree_of_longitude;
use crate::helpers::{Session, TestApp, spawn_app};
use serde_json::{Value, json};

const PROVINCE: &str = "ha-tinh-thu";

async fn app() -> (TestApp, Session) {
    let app = spawn_app().await;
    app.load_fixture("three_communes.sql").await;
    app.add_user("admin", "admin", &[]).await;
    let session = app.sign_in("admin").await;
    (app, session)
}

/// GET as the signed-in admin (who sees unpublished communes).
async fn admin_json(app: &TestApp, session: &Session, path: &str) -> Value {
    let response = app.as_user(reqwest::Method::GET, path, session).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn line<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["communes"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap()
}

#[tokio::test]
async fn provinces_come_from_the_communes_and_districts_are_made_by_hand() {
    let (app, session) = app().await;
    kheo::store::regions::upsert(
        &app.pool,
        &kheo::store::regions::Region {
            code: "cum-mot-hai".into(),
            name: "Cụm Một - Hai".into(),
            kind: "cluster".into(),
        },
        &["99201".into(), "99202".into()],
    )
    .await
    .unwrap();

    let anonymous = app.get_json("/api/regions").await;
    let signed_in = admin_json(&app, &session, "/api/regions").await;

    let province = signed_in.as_array().unwrap().iter().find(|r| r["code"] == PROVINCE).unwrap();
    assert_eq!(province["name"], "Hà Tĩnh Thử");
    assert_eq!(province["kind"], "province");
    assert_eq!(province["communes"], 3);
    let bbox: Vec<f64> = serde_json::from_value(province["bbox"].clone()).unwrap();
    for (got, want) in bbox.iter().zip([105.70, 19.20, 105.73, 19.21]) {
        assert!((got - want).abs() < 1e-9, "{bbox:?}");
    }
    let public = anonymous.as_array().unwrap().iter().find(|r| r["code"] == PROVINCE).unwrap();
    assert_eq!(public["communes"], 2, "99203 is unpublished");
    let cluster = signed_in.as_array().unwrap().iter().find(|r| r["code"] == "cum-mot-hai").unwrap();
    assert_eq!((cluster["kind"].as_str(), cluster["communes"].as_i64()), (Some("cluster"), Some(2)));
    assert_eq!(signed_in[0]["kind"], "province", "provinces first");
}

#[tokio::test]
async fn a_regions_figures_are_the_sums_of_its_communes_own_reports() {
    let (app, session) = app().await;
    let lon = degree_of_longitude(19.205);
    let (a1, a2, b1, c1) = (0.010 * lon, 0.006 * degree_of_longitude(19.207), 0.006 * lon, 0.010 * lon);

    let region = admin_json(&app, &session, &format!("/api/coverage?region={PROVINCE}&as_of=2024-01-01")).await;

    let totals = &region["region"];
    assert_eq!(totals["communes"], 3);
    assert!((f(&totals["road_m"]) - (a1 + a2 + b1 + c1)).abs() < 0.2, "{}", totals["road_m"]);
    assert!((f(&totals["concrete_m"]) - (a1 + c1)).abs() < 0.2);
    assert!((f(&totals["hardened_m"]) - (a1 + b1 + c1)).abs() < 0.2);
    // Shares from the summed lengths, never an average of the communes' shares.
    let share = 100.0 * f(&totals["concrete_m"]) / f(&totals["road_m"]);
    assert!((f(&totals["concrete_pct"]) - share).abs() < 0.006, "{} vs {share}", totals["concrete_pct"]);
    assert_eq!(totals["people_vnd"], 60_000_000);
    assert_eq!(
        totals["model_sites"],
        json!({"total": 2, "by_field": {"culture_society": 1, "economy": 1},
                                             "by_recognition": {"commune": 1, "province": 1}})
    );
    assert!((f(&totals["communes_with_model_pct"]) - 200.0 / 3.0).abs() < 0.006);
    // Default concrete target 80 %: 99201 has 62.5 %, 99202 0 %, 99203 100 %.
    assert_eq!(totals["targets_met"]["concrete_pct"], json!({"met": 1, "of": 3}));
    assert_eq!(totals["households"], 150, "the known ones: 100 + 50 (99202 says none)");
    assert!(line(&region, "99202")["households"].is_null(), "unknown, never 0");

    // Each line is the commune's own report, and the totals are their sums.
    let mut sums = std::collections::HashMap::<&str, f64>::new();
    for code in ["99201", "99202", "99203"] {
        let own = admin_json(&app, &session, &format!("/api/coverage?commune={code}&as_of=2024-01-01")).await;
        for id in ["road_m", "concrete_m", "hardened_m", "lit_m", "drained_m", "flower_m", "people_vnd", "workdays"] {
            assert_eq!(line(&region, code)[id], own["commune"][id], "{code} {id}");
            *sums.entry(id).or_default() += f(&own["commune"][id]);
        }
        assert_eq!(line(&region, code)["concrete_pct"], own["commune"]["concrete_pct"], "{code}");
        assert_eq!(line(&region, code)["model_sites"], own["commune"]["model_sites"], "{code}");
    }
    for (id, sum) in sums {
        assert!((f(&totals[id]) - sum).abs() < 1e-6, "{id}: total {} != sum of communes {sum}", totals[id]);
    }
}

#[tokio::test]
async fn a_region_as_of_a_date_counts_what_its_communes_count_then() {
    let (app, session) = app().await;

    let before = admin_json(&app, &session, &format!("/api/coverage?region={PROVINCE}&as_of=2023-01-01")).await;

    let c = line(&before, "99203");
    assert_eq!(f(&c["concrete_m"]), 0.0, "c1 was concreted on 2023-06-01");
    assert_eq!(before["region"]["targets_met"]["concrete_pct"], json!({"met": 0, "of": 3}));
    assert_eq!(before["region"]["model_sites"]["total"], 2);
    let timeline = admin_json(
        &app,
        &session,
        &format!("/api/coverage/timeline?region={PROVINCE}&from=2022&to=2024&as_of=2024-06-30"),
    )
    .await;
    let years = timeline["years"].as_array().unwrap();
    assert_eq!(years.iter().map(|y| y["year"].as_i64().unwrap()).collect::<Vec<_>>(), [2022, 2023, 2024]);
    assert_eq!(years[2]["as_of"], "2024-06-30");
    assert!(f(&years[0]["concrete_m"]) < f(&years[1]["concrete_m"]), "concreting c1 shows in 2023");
    assert_eq!(years[1]["communes"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn visitors_see_a_region_without_its_unpublished_communes() {
    let (app, _) = app().await;

    let region = app.get_json(&format!("/api/coverage?region={PROVINCE}&as_of=2024-01-01")).await;
    let roads = app.feature_ids(&format!("/api/layers/roads/features?region={PROVINCE}")).await;

    assert_eq!(region["region"]["communes"], 2);
    assert!(region["communes"].as_array().unwrap().iter().all(|c| c["code"] != "99203"));
    assert_eq!(region["region"]["people_vnd"], 30_000_000);
    assert_eq!(roads, [json!(21), json!(22), json!(23)], "no road of 99203");
}

#[tokio::test]
async fn a_region_downloads_as_csv_xlsx_and_geojson_with_the_same_figures() {
    let (app, session) = app().await;
    let path = |kind: &str| format!("/api/coverage{kind}?region={PROVINCE}&as_of=2024-01-01");
    let json = admin_json(&app, &session, &path("")).await;

    let csv = app.as_user(reqwest::Method::GET, &path(".csv"), &session).send().await.unwrap().text().await.unwrap();
    let geojson = admin_json(&app, &session, &path(".geojson")).await;
    let xlsx = app.as_user(reqwest::Method::GET, &path(".xlsx"), &session).send().await.unwrap();

    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 1 + 3 + 1, "header, 3 communes, the region");
    let shown = |v: &Value| format!("{:.1}", (f(v) * 10.0).round() / 10.0);
    let one = lines.iter().find(|l| l.starts_with("99201,Xã Một,100,")).unwrap();
    assert!(one.contains(&format!(",{},", shown(&line(&json, "99201")["concrete_pct"]))), "{one}");
    let last = lines.last().unwrap();
    assert!(last.starts_with(&format!("{PROVINCE},Hà Tĩnh Thử,150,")), "{last}");
    assert!(last.contains(&format!(",{},", shown(&json["region"]["concrete_pct"]))), "{last}");
    assert!(last.contains(",66.7"), "the share of communes with a model site: {last}");

    assert_eq!(geojson["features"].as_array().unwrap().len(), 3);
    let feature = geojson["features"].as_array().unwrap().iter().find(|f| f["id"] == "99202").unwrap();
    assert_eq!(feature["geometry"]["type"], "MultiPolygon");
    assert_eq!(feature["properties"]["concrete_pct"], line(&json, "99202")["concrete_pct"]);
    assert_eq!(feature["properties"]["concrete_pct_met"], false);
    assert_eq!(geojson["region"]["road_m"], json["region"]["road_m"]);

    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.headers()["content-disposition"].to_str().unwrap().contains(&format!("kheo-coverage-{PROVINCE}-")));
}

#[tokio::test]
async fn bad_region_requests_are_4xx_that_say_what() {
    let (app, _) = app().await;

    for (path, status, parameter) in [
        ("/api/coverage?region=nowhere", 404, None),
        ("/api/coverage?region=Bad%20Code", 400, Some("region")),
        ("/api/coverage?region=ha-tinh-thu&commune=99201", 400, Some("region")),
        ("/api/coverage", 400, Some("commune")),
        ("/api/layers/roads/features?region=nowhere", 404, None),
        ("/api/layers/roads/features?region=%00", 400, Some("region")),
        ("/api/coverage/timeline?region=nowhere", 404, None),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), status, "{path}");
        let body: Value = response.json().await.unwrap();
        if let Some(parameter) = parameter {
            assert_eq!(body["detail"]["parameter"], parameter, "{path}: {body}");
        }
    }
    let unknown = kheo::store::regions::upsert(
        &app.pool,
        &kheo::store::regions::Region { code: "x".into(), name: "X".into(), kind: "district".into() },
        &["99201".into(), "00000".into()],
    )
    .await;
    assert!(matches!(unknown, Err(kheo::store::regions::RegionError::UnknownCommune(c)) if c == "00000"));
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM region").fetch_one(&app.pool).await.unwrap();
    assert_eq!(none, 0, "nothing half-written");
}

/// `kheo region load` takes a CSV of one row per commune; `list` and `remove` as an
/// operator uses them.
#[tokio::test]
async fn the_region_commands_load_list_and_remove() {
    let (app, _) = app().await;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("regions-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("regions.csv");
    std::fs::write(
        &file,
        "region,name,kind,commune\nhoang-mai-cu,Thị xã Hoàng Mai (cũ),district,99201\nhoang-mai-cu,Thị xã Hoàng Mai (cũ),district,99202\n",
    )
    .unwrap();
    let kheo = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kheo"))
            .args(args)
            .env("DATABASE_URL", app.database_url())
            .output()
            .unwrap()
    };

    let load = kheo(&["region", "load", file.to_str().unwrap()]);
    let list = kheo(&["region", "list"]);
    let remove = kheo(&["region", "remove", "hoang-mai-cu"]);
    let remove_province = kheo(&["region", "remove", PROVINCE]);

    assert!(load.status.success(), "{}", String::from_utf8_lossy(&load.stderr));
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains("hoang-mai-cu\tdistrict\tThị xã Hoàng Mai (cũ)\t99201,99202"), "{listed}");
    assert!(listed.contains(&format!("{PROVINCE}\tprovince\tHà Tĩnh Thử\t99201,99202,99203")), "{listed}");
    assert!(remove.status.success());
    assert!(!remove_province.status.success(), "a province is its communes'");
    std::fs::remove_dir_all(&dir).ok();
}
