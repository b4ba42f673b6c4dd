//! Importing real files (tests/fixtures/import, made by make_pipeline_fixtures.py) into the
//! two-commune fixture: KML, a VN-2000 Shapefile, GPX, CSV, as a dry run and for real,
//! all or nothing. Expected lengths come from the coordinates (tests/api/geodesy.rs).

use crate::geodesy::degree_of_longitude;
use crate::helpers::{Session, TestApp, app_with_editor, spawn_app};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import");

/// The two alleys of g2_alleys.*: 0.004° along 19.212° N and 0.006° along 19.214° N, in G2.
fn alley_lengths() -> (f64, f64) {
    (0.004 * degree_of_longitude(19.212), 0.006 * degree_of_longitude(19.214))
}

/// Mapping for the fields whose names say nothing kheo can guess.
const ALLEY_MAPPING: &str = r#"{"ngay_lam": "paved_on", "dong_gop": "people_vnd"}"#;

async fn upload(app: &TestApp, session: &Session, file: &str, fields: &[(&str, &str)]) -> (u16, Value) {
    let bytes = std::fs::read(format!("{FIXTURES}/{file}")).unwrap();
    upload_bytes(app, session, file, bytes, fields).await
}

async fn upload_bytes(
    app: &TestApp,
    session: &Session,
    file: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = Form::new().part("file", Part::bytes(bytes).file_name(file.to_string()));
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    let response = app.as_user(reqwest::Method::POST, "/api/import", session).multipart(form).send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("{file}: not JSON: {text}")))
}

async fn g2(app: &TestApp) -> Value {
    let report = app.get_json("/api/coverage?commune=99001").await;
    report["groups"].as_array().unwrap().iter().find(|g| g["code"] == "G2").unwrap().clone()
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

#[tokio::test]
async fn a_google_earth_kml_is_checked_in_a_dry_run_then_imported_into_its_groups_coverage() {
    let (app, session) = app_with_editor().await;
    let before = g2(&app).await;
    let fields = [("layer", "roads"), ("commune", "99001"), ("mapping", ALLEY_MAPPING)];

    let (status, dry) =
        upload(&app, &session, "g2_alleys.kml", &[fields.as_slice(), &[("dry_run", "true")]].concat()).await;
    assert_eq!(status, 200, "{dry}");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["format"], "kml");
    assert_eq!(dry["crs"], "EPSG:4326");
    assert_eq!(dry["counts"], json!({"read": 2, "valid": 2, "invalid": 0, "skipped": 0, "inserted": 0}));
    assert_eq!(dry["mapping"]["ten"], "name", "`ten` is Vietnamese for name");
    assert_eq!(dry["mapping"]["mat_duong"], "surface", "`mat_duong` is the title Mặt đường without accents");
    assert_eq!(dry["mapping"]["loai_duong"], "class");
    assert_eq!(dry["mapping"]["ngay_lam"], "paved_on", "as the mapping asked");
    assert_eq!(count(&app, "SELECT count(*) FROM road").await, 5, "a dry run writes nothing");

    let (status, real) = upload(&app, &session, "g2_alleys.kml", &fields).await;
    assert_eq!(status, 200, "{real}");
    assert_eq!(real["counts"]["inserted"], 2);
    let (a, b) = alley_lengths();
    let after = g2(&app).await;
    let grown = number(&after["road_m"]) - number(&before["road_m"]);
    assert!((grown - (a + b)).abs() < 0.1, "road_m grew by {grown}, the alleys are {a} + {b} m");
    let concreted = number(&after["concrete_m"]) - number(&before["concrete_m"]);
    assert!((concreted - a).abs() < 0.1, "only the first alley is concrete: {concreted} vs {a}");
    assert_eq!(number(&after["people_vnd"]) - number(&before["people_vnd"]), 45_000_000.0, "2.500.000-style amounts");

    let first: (String, String, String, Option<chrono::NaiveDate>) =
        sqlx::query_as("SELECT name, class, surface, paved_on FROM road WHERE name LIKE 'Ngõ 12%'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        first,
        ("Ngõ 12 thôn Đông".into(), "alley".into(), "concrete".into(), chrono::NaiveDate::from_ymd_opt(2024, 8, 15))
    );
    let audited = count(
        &app,
        "SELECT count(*) FROM audit_log WHERE action = 'import' AND actor = 'lan' AND commune_code = '99001'",
    )
    .await;
    assert_eq!(audited, 2);

    // The same file again: allowed, but every feature is said to be there already.
    let (status, again) =
        upload(&app, &session, "g2_alleys.kml", &[fields.as_slice(), &[("dry_run", "true")]].concat()).await;
    assert_eq!(status, 200, "{again}");
    let warned: Vec<&str> =
        again["features"].as_array().unwrap().iter().map(|f| f["warnings"][0].as_str().unwrap()).collect();
    assert_eq!(warned.len(), 2, "{again}");
    assert!(warned.iter().all(|w| w.contains("already there")), "{warned:?}");
    assert!(warned[0].contains("Ngõ 12 thôn Đông"), "{warned:?}");
}

#[tokio::test]
async fn a_vn2000_shapefile_with_its_prj_lands_where_the_wgs84_original_lies() {
    let (app, session) = app_with_editor().await;
    let (status, report) = upload(
        &app,
        &session,
        "g2_alleys_vn2000.zip",
        &[("layer", "roads"), ("commune", "99001"), ("mapping", ALLEY_MAPPING)],
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["format"], "shapefile");
    assert_eq!(report["crs"], "EPSG:9208", "VN-2000 / TM-3 104-45 from the .prj");
    assert_eq!(report["counts"]["inserted"], 2);
    // The original's vertices, back in WGS 84 within a centimetre (1e-7° is about 1 cm).
    let original: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{FIXTURES}/g2_alleys.geojson")).unwrap()).unwrap();
    for feature in original["features"].as_array().unwrap() {
        let name = feature["properties"]["ten"].as_str().unwrap();
        let stored: String = sqlx::query_scalar("SELECT ST_AsGeoJSON(geom, 9) FROM road WHERE name = $1")
            .bind(name)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        let stored: Value = serde_json::from_str(&stored).unwrap();
        let want = feature["geometry"]["coordinates"].as_array().unwrap();
        let got = stored["coordinates"].as_array().unwrap();
        assert_eq!(want.len(), got.len(), "{name}");
        for (w, g) in want.iter().zip(got) {
            for axis in 0..2 {
                let d = (number(&w[axis]) - number(&g[axis])).abs();
                assert!(d < 1e-7, "{name}: {w} came back as {g}");
            }
        }
    }
}

#[tokio::test]
async fn vn2000_tm3_coordinates_move_to_wgs84_as_proj_computes_them() {
    let app = spawn_app().await;
    // `echo 19.25 105.7 | cs2cs -f %.4f EPSG:4326 EPSG:9208` gives 599674.3720 2129510.2533
    // (PROJ 9.1, EPSG:6960's shift); the way back must land on 105.7 E, 19.25 N within 1 cm.
    // With the rotation signs not flipped the point is 0.75 m off, without the shift 200 m.
    let (x, y): (f64, f64) = sqlx::query_as(
        "SELECT ST_X(p), ST_Y(p) FROM ST_Transform(ST_SetSRID(ST_MakePoint(599674.3720, 2129510.2533), 9208), 4326) AS p",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!((x - 105.7).abs() < 1e-7 && (y - 19.25).abs() < 1e-7, "{x} {y}");
    // Every provincial zone is known, with its central meridian.
    let zones: Vec<(i32, String)> =
        sqlx::query_as("SELECT srid, proj4text FROM spatial_ref_sys WHERE srid BETWEEN 9205 AND 9218 ORDER BY srid")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(zones.len(), 14);
    assert!(zones.iter().all(|(_, p)| p.contains("+k=0.9999")
        && p.contains("+x_0=500000")
        && p.contains(
            "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278"
        )));
    assert!(zones.iter().any(|(srid, p)| *srid == 9208 && p.contains("+lon_0=104.75")));
}

#[tokio::test]
async fn a_shapefile_without_prj_needs_a_crs_and_an_unknown_crs_is_refused() {
    let (app, session) = app_with_editor().await;
    let (status, body) = upload(&app, &session, "roads_no_prj.zip", &[("layer", "roads"), ("commune", "99001")]).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"]["code"], "missing_prj");
    assert!(body["error"].as_str().unwrap().contains(".prj"));
    let (status, body) =
        upload(&app, &session, "g2_alleys.kml", &[("layer", "roads"), ("commune", "99001"), ("crs", "EPSG:2154")])
            .await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"]["field"], "crs");
    assert!(body["error"].as_str().unwrap().contains("VN-2000"), "{body}");
}

#[tokio::test]
async fn a_gpx_walk_becomes_one_road_with_the_defaults_and_its_waypoint_is_left_out() {
    let (app, session) = app_with_editor().await;
    let before = g2(&app).await;
    let fields = [
        ("layer", "roads"),
        ("commune", "99001"),
        ("defaults", r#"{"class": "alley", "surface": "earth", "status": "existing"}"#),
    ];
    let (status, report) = upload(&app, &session, "g2_walk.gpx", &fields).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["counts"], json!({"read": 2, "valid": 1, "invalid": 0, "skipped": 1, "inserted": 1}));
    let walked = 0.005 * degree_of_longitude(19.216);
    let grown = number(&g2(&app).await["road_m"]) - number(&before["road_m"]);
    assert!((grown - walked).abs() < 0.1, "{grown} vs {walked}");
    let (name, kind, note): (String, String, Option<String>) =
        sqlx::query_as("SELECT name, GeometryType(geom), note FROM road WHERE id >= 1000000")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(name, "Ngõ 16 thôn Đông");
    assert_eq!(kind, "MULTILINESTRING", "two track segments, one road");
    assert_eq!(note.as_deref(), Some("đi bộ đo ngày 02/09/2025"), "the track's desc");
}

#[tokio::test]
async fn a_csv_of_model_sites_in_windows_1258_is_refused_then_read_with_its_encoding() {
    let (app, session) = app_with_editor().await;
    let fields = [("layer", "model_sites"), ("commune", "99001")];
    let (status, body) = upload(&app, &session, "g2_sites_1258.csv", &fields).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"]["code"], "not_utf8");
    assert!(body["error"].as_str().unwrap().contains("Windows-1258"), "{body}");

    let before = number(&g2(&app).await["model_sites"]["total"]);
    let (status, report) =
        upload(&app, &session, "g2_sites_1258.csv", &[fields.as_slice(), &[("encoding", "windows-1258")]].concat())
            .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["counts"]["inserted"], 2);
    assert_eq!(number(&g2(&app).await["model_sites"]["total"]) - before, 2.0);
    let names: Vec<(String, String, String, i32)> =
        sqlx::query_as("SELECT name, field, recognition, year FROM model_site WHERE id >= 1000000 ORDER BY year")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(names[0], ("Mô hình \"Ngõ sáng\" thôn Đông".into(), "culture_society".into(), "commune".into(), 2024));
    assert_eq!(names[1].0, "Mô hình nuôi ong");
}

#[tokio::test]
async fn a_utf16_csv_is_read_and_features_outside_the_commune_are_only_warned_about() {
    let (app, session) = app_with_editor().await;
    let (status, report) = upload(
        &app,
        &session,
        "sites_utf16.csv",
        &[("layer", "model_sites"), ("commune", "99001"), ("dry_run", "true")],
    )
    .await;
    assert_eq!(status, 200, "{report}");
    // Four rows: two sites, one without its field (required), one without coordinates.
    assert_eq!(report["counts"]["read"], 4);
    assert_eq!(report["counts"]["valid"], 2);
    assert_eq!(report["mapping"]["ten"], "name");
    assert_eq!(report["mapping"]["linh_vuc"], "field", "`linh_vuc` is Lĩnh vực without accents");
    // Those sites are in the demo ward, not in 99001: a warning each, no error.
    let features = report["features"].as_array().unwrap();
    let warned: Vec<(i64, &Value)> = features
        .iter()
        .filter(|f| f["errors"] == json!([]))
        .map(|f| (f["index"].as_i64().unwrap(), &f["warnings"][0]))
        .collect();
    assert_eq!(warned, [(0, &json!("lies outside commune 99001")), (1, &json!("lies outside commune 99001"))]);
    let failed: Vec<(i64, &Value)> = features
        .iter()
        .filter(|f| f["errors"] != json!([]))
        .map(|f| (f["index"].as_i64().unwrap(), &f["errors"][0]["field"]))
        .collect();
    assert_eq!(failed, [(2, &json!("field")), (3, &json!("geometry"))]);
}

#[tokio::test]
async fn one_bad_feature_refuses_the_whole_file_and_the_report_says_which() {
    let (app, session) = app_with_editor().await;
    // The alleys without a mapping for `ngay_lam`, and a class that is not a class.
    let (status, report) = upload(
        &app,
        &session,
        "g2_alleys.geojson",
        &[("layer", "roads"), ("commune", "99001"), ("mapping", r#"{"dong_gop": "people_vnd", "ten": "class"}"#)],
    )
    .await;
    assert_eq!(status, 422, "{report}");
    assert_eq!(report["counts"]["invalid"], 2);
    assert!(report["error"].as_str().unwrap().contains("nothing was written"));
    let first = &report["features"][0];
    assert_eq!(first["index"], 0);
    assert_eq!(first["errors"][0]["field"], "class");
    assert!(first["errors"][0]["message"].as_str().unwrap().contains("Ngõ 12 thôn Đông"));
    assert_eq!(count(&app, "SELECT count(*) FROM road").await, 5);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log").await, 0);
}

#[tokio::test]
async fn bad_files_get_a_4xx_that_says_what_and_nothing_is_written() {
    let (app, session) = app_with_editor().await;
    let cases: &[(&str, &str, u16, &str)] = &[
        ("broken.geojson", "roads", 422, "malformed_json"),
        ("empty.geojson", "roads", 422, "empty"),
        ("duplicate_ids.geojson", "roads", 422, "duplicate_id"),
        ("entities.kml", "roads", 422, "xml_entities"),
        ("bomb.zip", "roads", 422, "zip_bomb"),
    ];
    for (file, layer, status, code) in cases {
        let (got, body) = upload(&app, &session, file, &[("layer", layer), ("commune", "99001")]).await;
        assert_eq!(got, *status, "{file}: {body}");
        assert_eq!(body["detail"]["code"], *code, "{file}: {body}");
    }
    // Geometry errors are per feature, in the report.
    let feature_cases: &[(&str, &str, &str)] = &[
        ("swapped.geojson", "model_sites", "latitude, longitude"),
        ("unclosed_ring.geojson", "groups", "not closed"),
        ("self_intersection.geojson", "groups", "Self-intersection"),
    ];
    for (file, layer, words) in feature_cases {
        let (got, body) = upload(&app, &session, file, &[("layer", layer), ("commune", "99001")]).await;
        assert_eq!(got, 422, "{file}: {body}");
        let message = body["features"][0]["errors"].to_string();
        assert!(message.contains(words), "{file}: {message}");
    }
    let malformed_xml =
        "<?xml version=\"1.0\"?><kml><Document><Placemark><name>Ngõ</name></Document></kml>".as_bytes().to_vec();
    let (got, body) =
        upload_bytes(&app, &session, "broken.kml", malformed_xml, &[("layer", "roads"), ("commune", "99001")]).await;
    assert_eq!(got, 422, "{body}");
    assert_eq!(body["detail"]["code"], "malformed_xml", "{body}");
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log").await, 0);
    // Not an editor of 99002: 403; no session: 401.
    let (status, _) = upload(&app, &session, "g2_alleys.kml", &[("layer", "roads"), ("commune", "99002")]).await;
    assert_eq!(status, 403);
    let anonymous = app.client.post(app.url("/api/import")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn an_upload_over_the_limit_is_413() {
    let app = crate::helpers::spawn_app_with_policy(kheo::http::Policy {
        max_upload_bytes: 1024 * 1024,
        ..Default::default()
    })
    .await;
    app.load_fixture("two_communes.sql").await;
    app.add_user("lan", "editor", &["99001"]).await;
    let session = app.sign_in("lan").await;
    let big = vec![b' '; 2 * 1024 * 1024];
    let form = Form::new()
        .text("layer", "roads")
        .text("commune", "99001")
        .part("file", Part::bytes(big).file_name("big.geojson"));
    let response = app.as_user(reqwest::Method::POST, "/api/import", &session).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("1 MiB"), "{body}");
}

#[tokio::test]
async fn the_cli_imports_with_a_dry_run_first() {
    let (app, _) = app_with_editor().await;
    let url = app.database_url();
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kheo"))
            .args([
                "import",
                &format!("{FIXTURES}/g2_alleys_vn2000.zip"),
                "--layer",
                "roads",
                "--commune",
                "99001",
                "--mapping",
                ALLEY_MAPPING,
            ])
            .args(extra)
            .env("DATABASE_URL", &url)
            .output()
            .unwrap()
    };
    let dry = run(&["--dry-run"]);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    let report: Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(report["counts"]["valid"], 2);
    assert_eq!(count(&app, "SELECT count(*) FROM road").await, 5);
    let real = run(&[]);
    assert!(real.status.success(), "{}", String::from_utf8_lossy(&real.stderr));
    assert_eq!(count(&app, "SELECT count(*) FROM road").await, 7);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log WHERE actor = 'cli'").await, 2);
}

/// The limits of one write hold for each imported feature, in the report: a geometry of
/// more than 50,000 vertices and a name of more than 500 characters are the errors of
/// their features, and nothing is written.
#[tokio::test]
async fn imported_features_get_the_limits_of_one_write() {
    let (app, session) = app_with_editor().await;
    let long: Vec<[f64; 2]> = (0..50_001).map(|i| [105.712 + i as f64 * 1e-7, 19.205]).collect();
    let file = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"ten": "Ngõ dài"}, "geometry": {"type": "LineString", "coordinates": long}},
        {"type": "Feature", "properties": {"ten": "x".repeat(501)},
         "geometry": {"type": "LineString", "coordinates": [[105.712, 19.206], [105.718, 19.206]]}},
        {"type": "Feature", "properties": {"ten": "Ngõ ngắn"},
         "geometry": {"type": "LineString", "coordinates": [[105.712, 19.207], [105.718, 19.207]]}}]});
    let fields = [("layer", "roads"), ("commune", "99001"), ("defaults", r#"{"class": "alley", "surface": "earth"}"#)];
    let (status, report) =
        upload_bytes(&app, &session, "limits.geojson", serde_json::to_vec(&file).unwrap(), &fields).await;
    assert_eq!(status, 422, "{report}");
    assert_eq!(report["counts"], json!({"read": 3, "valid": 1, "invalid": 2, "skipped": 0, "inserted": 0}));
    let features = report["features"].as_array().unwrap();
    assert_eq!(features[0]["index"], 0);
    assert_eq!(features[0]["errors"][0]["field"], "geometry");
    assert!(
        features[0]["errors"][0]["message"].as_str().unwrap().contains("50001 vertices; at most 50000"),
        "{report}"
    );
    assert_eq!(features[1]["index"], 1);
    assert_eq!(features[1]["errors"][0]["field"], "name");
    assert!(features[1]["errors"][0]["message"].as_str().unwrap().contains("501 characters long; at most 500"));
    assert_eq!(count(&app, "SELECT count(*) FROM road").await, 5, "nothing was written");
}
