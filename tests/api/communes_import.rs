//! Loading communes from a boundary file (`kheo commune import`, `POST /api/communes/import`):
//! all or nothing, upserted by code, checked for duplicates, names, shapes and overlaps.

use crate::helpers::{TestApp, spawn_app};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A square commune of `size` degrees from (`west`, 19.30), as a GeoJSON Feature.
fn square(code: &str, name: &str, west: f64, size: f64) -> Value {
    let (e, n) = (west + size, 19.30 + size);
    json!({ "type": "Feature", "properties": { "ma_xa": code, "ten_xa": name },
            "geometry": { "type": "Polygon", "coordinates": [[[west, 19.30], [e, 19.30], [e, n], [west, n], [west, 19.30]]] } })
}

/// Three neighbours 0.01 degree wide; the second reaches `reach` degrees into the first.
fn province(reach: f64) -> Value {
    json!({ "type": "FeatureCollection", "features": [
        square("99301", "Xã Một Thử", 105.80, 0.01),
        square("99302", "Phường Hai Thử", 105.81 - reach, 0.01 + reach),
        square("99303", "Đặc khu Ba Thử", 105.82, 0.01),
    ]})
}

fn write(name: &str, value: &Value) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("communes-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).unwrap();
    path
}

/// `kheo commune import FILE --province "Tỉnh Thử" --mapping ... ARGS`: (exit ok, report JSON).
fn kheo_import(app: &TestApp, file: &Path, args: &[&str]) -> (bool, Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kheo"))
        .args(["commune", "import", file.to_str().unwrap(), "--province", "Tỉnh Thử"])
        .args(["--mapping", r#"{"ma_xa": "code", "ten_xa": "name"}"#])
        .args(args)
        .env("DATABASE_URL", app.database_url())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.success(), report, String::from_utf8_lossy(&out.stderr).into_owned())
}

async fn communes(app: &TestApp) -> Vec<(String, String, String, String)> {
    sqlx::query_as("SELECT code, name, kind, province FROM commune ORDER BY code").fetch_all(&app.pool).await.unwrap()
}

#[tokio::test]
async fn a_boundary_file_loads_once_and_a_second_run_changes_nothing() {
    let app = spawn_app().await;
    // A sliver: 0.00004 degree of 0.01, 0.4 % of the smaller commune.
    let file = write("tinh.geojson", &province(0.00004));

    let (dry_ok, dry, _) = kheo_import(&app, &file, &["--dry-run"]);
    let before_real = communes(&app).await;
    let (ok, first, err) = kheo_import(&app, &file, &[]);
    let (again_ok, second, _) = kheo_import(&app, &file, &[]);

    assert!(dry_ok && dry["dry_run"] == true, "{dry}");
    assert!(before_real.is_empty(), "a dry run writes nothing");
    assert!(ok, "{err}\n{first}");
    assert_eq!(first["communes"], json!({"inserted": 3, "updated": 0, "unchanged": 0}));
    assert!(again_ok);
    assert_eq!(second["communes"], json!({"inserted": 0, "updated": 0, "unchanged": 3}));
    assert_eq!(
        communes(&app).await,
        [
            ("99301".into(), "Xã Một Thử".into(), "xa".into(), "Tỉnh Thử".into()),
            ("99302".into(), "Phường Hai Thử".into(), "phuong".into(), "Tỉnh Thử".into()),
            ("99303".into(), "Đặc khu Ba Thử".into(), "dac_khu".into(), "Tỉnh Thử".into()),
        ],
        "kinds read from the names"
    );
    // The sliver is accepted and said.
    let warnings: Vec<&Value> =
        first["features"].as_array().unwrap().iter().flat_map(|f| f["warnings"].as_array().unwrap()).collect();
    assert_eq!(warnings.len(), 1, "{first}");
    let warning = warnings[0].as_str().unwrap();
    assert!(warning.contains("99302") && warning.contains("99301") && warning.contains("accepted"), "{warning}");
    // 0.00004° of a 0.01° square, side by side at one latitude: 0.4 % on the spheroid too.
    assert!(warning.contains("(0.40 % of the smaller one)"), "{warning}");
    let regions = app.get_json("/api/regions").await;
    assert!(regions.as_array().unwrap().iter().any(|r| r["code"] == "tinh-thu" && r["communes"] == 3), "{regions}");
}

#[tokio::test]
async fn a_changed_boundary_is_updated_and_a_work_in_a_sliver_counts_once() {
    let app = spawn_app().await;
    let (ok, _, err) = kheo_import(&app, &write("v1.geojson", &province(0.0)), &[]);
    assert!(ok, "{err}");
    // A road of 99301 near its eastern edge, where 99302's new boundary will reach over it.
    sqlx::raw_sql(
        "INSERT INTO residential_group (commune_code, code, name, kind, geom)
         VALUES ('99301', 'T1', 'Thôn 1', 'thon', ST_Multi(ST_MakeEnvelope(105.80, 19.30, 105.81, 19.31, 4326))),
                ('99302', 'T1', 'Thôn 1', 'thon', ST_Multi(ST_MakeEnvelope(105.81, 19.30, 105.82, 19.31, 4326)));
         INSERT INTO road (commune_code, name, class, surface, geom)
         VALUES ('99301', 'mép', 'alley', 'concrete', ST_GeomFromText('LINESTRING(105.8099 19.301, 105.8099 19.309)', 4326))",
    )
    .execute(&app.pool)
    .await
    .unwrap();

    let (ok, report, err) = kheo_import(&app, &write("v2.geojson", &province(0.00004)), &[]);

    assert!(ok, "{err}");
    assert_eq!(report["communes"], json!({"inserted": 0, "updated": 1, "unchanged": 2}));
    let region = app.get_json("/api/coverage?region=tinh-thu&as_of=2026-01-01").await;
    let road_m = |code: &str| {
        region["communes"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap()["road_m"].as_f64().unwrap()
    };
    assert!(road_m("99301") > 880.0, "the road is 99301's: {}", road_m("99301"));
    assert_eq!(road_m("99302"), 0.0, "and only 99301's, though it lies in 99302's sliver");
    assert_eq!(region["region"]["road_m"].as_f64().unwrap(), road_m("99301"));
}

#[tokio::test]
async fn bad_boundaries_are_refused_naming_the_feature_and_nothing_is_written() {
    let app = spawn_app().await;
    let bowtie = json!({ "type": "Feature", "properties": { "ma_xa": "99305", "ten_xa": "Xã Nơ" },
        "geometry": { "type": "Polygon", "coordinates": [[[105.90, 19.30], [105.91, 19.31], [105.91, 19.30], [105.90, 19.31], [105.90, 19.30]]] } });
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "duplicate code",
            json!({"type": "FeatureCollection", "features": [
            square("99301", "Xã Một", 105.80, 0.01), square("99301", "Xã Lặp", 105.85, 0.01)]}),
            "is given to 2 features",
        ),
        (
            "missing name",
            json!({"type": "FeatureCollection", "features": [
            { "type": "Feature", "properties": { "ma_xa": "99301" }, "geometry": square("x", "y", 105.80, 0.01)["geometry"] }]}),
            "name (Tên) is required",
        ),
        (
            "no geometry",
            json!({"type": "FeatureCollection", "features": [
            { "type": "Feature", "properties": { "ma_xa": "99301", "ten_xa": "Xã Một" }, "geometry": null }]}),
            "has no geometry",
        ),
        ("overlap over 1 %", province(0.0005), "(5.00 % of the smaller one): more than 1 %"),
        ("self-crossing", json!({"type": "FeatureCollection", "features": [bowtie.clone()]}), "repair"),
    ];
    for (what, collection, message) in cases {
        let (ok, report, err) = kheo_import(&app, &write("bad.geojson", &collection), &[]);
        assert!(!ok, "{what} was accepted");
        let errors = report["features"].to_string();
        assert!(errors.contains(message), "{what}: {errors} {err}");
        assert!(communes(&app).await.is_empty(), "{what}: nothing written");
    }
    // With --repair, PostGIS mends the self-crossing boundary.
    let (ok, report, err) = kheo_import(
        &app,
        &write("bowtie.geojson", &json!({"type": "FeatureCollection", "features": [bowtie]})),
        &["--repair"],
    );
    assert!(ok, "{err} {report}");
    assert_eq!(report["communes"]["inserted"], 1);
}

#[tokio::test]
async fn only_admins_import_communes_through_the_api() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    app.add_user("admin", "admin", &[]).await;
    app.add_user("lan", "editor", &["99001"]).await;
    let (admin, editor) = (app.sign_in("admin").await, app.sign_in("lan").await);
    let form = || {
        reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(province(0.0).to_string().into_bytes()).file_name("tinh.geojson"),
            )
            .text("mapping", r#"{"ma_xa": "code", "ten_xa": "name"}"#)
            .text("province", "Tỉnh Thử")
    };

    let refused =
        app.as_user(reqwest::Method::POST, "/api/communes/import", &editor).multipart(form()).send().await.unwrap();
    let done =
        app.as_user(reqwest::Method::POST, "/api/communes/import", &admin).multipart(form()).send().await.unwrap();

    assert_eq!(refused.status(), 403);
    assert_eq!(done.status(), 200);
    let report: Value = done.json().await.unwrap();
    assert_eq!(report["communes"]["inserted"], 3);
    let listed = app.get_json("/api/communes").await;
    assert_eq!(listed.as_array().unwrap().len(), 5);
    let new = listed.as_array().unwrap().iter().find(|c| c["code"] == "99302").unwrap();
    assert_eq!((new["name"].as_str(), new["groups"].as_i64()), (Some("Phường Hai Thử"), Some(0)));
}

#[tokio::test]
async fn a_boundary_files_usual_columns_are_found_without_a_mapping() {
    let app = spawn_app().await;
    let mut collection = province(0.0);
    for feature in collection["features"].as_array_mut().unwrap() {
        feature["properties"]["tinh"] = json!("Tỉnh Thử");
    }
    let file = write("tinh.geojson", &collection);
    let report = kheo(&app, &["commune", "import", file.to_str().unwrap()]);
    assert_eq!(report["mapping"], json!({"ma_xa": "code", "ten_xa": "name", "tinh": "province"}));
    assert_eq!(report["communes"], json!({"inserted": 3, "updated": 0, "unchanged": 0}));
    let provinces: Vec<(String,)> =
        sqlx::query_as("SELECT DISTINCT province FROM commune").fetch_all(&app.pool).await.unwrap();
    assert_eq!(provinces, [("Tỉnh Thử".to_string(),)]);
}

/// `kheo ARGS` against the test's database, from the repository's root; the report as JSON.
fn kheo(app: &TestApp, args: &[&str]) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kheo"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env("DATABASE_URL", app.database_url())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert!(out.status.success(), "kheo {args:?}: {report} {}", String::from_utf8_lossy(&out.stderr));
    report
}

/// The README's section "Your own commune", command by command, with its files in
/// data/examples/: the figures are those of the files (households summed, lengths measured
/// on the ellipsoid by `geo` from the KML's coordinates).
#[tokio::test]
async fn the_readmes_walk_from_a_boundary_file_to_a_communes_figures_holds() {
    use geo::{Geodesic, Length, LineString};
    let app = spawn_app().await;
    let communes = kheo(&app, &["commune", "import", "data/examples/communes.geojson"]);
    assert_eq!(communes["communes"]["inserted"], 2, "{communes}");
    let groups = kheo(
        &app,
        &[
            "import",
            "data/examples/thon.geojson",
            "--layer",
            "groups",
            "--commune",
            "99901",
            "--mapping",
            r#"{"ma": "code", "ten": "name", "so_ho": "households"}"#,
            "--defaults",
            r#"{"kind": "thon"}"#,
        ],
    );
    assert_eq!(groups["counts"]["inserted"], 2, "{groups}");
    let roads = kheo(
        &app,
        &[
            "import",
            "data/examples/duong.kml",
            "--layer",
            "roads",
            "--commune",
            "99901",
            "--mapping",
            r#"{"dan_gop": "people_vnd"}"#,
        ],
    );
    assert_eq!(roads["counts"]["inserted"], 2, "{roads}");
    assert_eq!(roads["mapping"]["mat_duong"], "surface");

    let thon: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples/thon.geojson")).unwrap(),
    )
    .unwrap();
    let households: i64 =
        thon["features"].as_array().unwrap().iter().map(|f| f["properties"]["so_ho"].as_i64().unwrap()).sum();
    // duong.kml: the concrete hamlet axis, then the earth alley.
    let concrete = Geodesic.length(&LineString::from(vec![(105.602, 19.105), (105.608, 19.106), (105.615, 19.105)]));
    let earth = Geodesic.length(&LineString::from(vec![(105.612, 19.112), (105.618, 19.113)]));

    let coverage = app.get_json("/api/coverage?commune=99901&as_of=2025-12-31").await;
    let commune = &coverage["commune"];
    assert_eq!(commune["households"], households);
    let road_m = commune["road_m"].as_f64().unwrap();
    assert!((road_m - (concrete + earth)).abs() < 0.5, "{road_m} m, measured {}", concrete + earth);
    assert!((commune["concrete_m"].as_f64().unwrap() - concrete).abs() < 0.5, "{commune}");
    let pct = commune["concrete_pct"].as_f64().unwrap();
    assert!((pct - 100.0 * concrete / (concrete + earth)).abs() < 0.01, "{pct}");
    assert_eq!(commune["people_vnd"], 45_000_000, "45.000.000 typed the Vietnamese way");
}
