//! Downloads (`/api/layers/{layer}/features.geojson|.kml|.csv`) and commune dumps
//! (`kheo::dump`, `kheo export`). Expected values come from the features endpoint and the
//! coverage report of the same data, never from a copy of the output.

use crate::helpers::{TestApp, fresh_database, spawn_app};
use kheo::layers::{self, LAYERS};
use serde_json::Value;
use sqlx::PgPool;
use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

const DEMO: &str = "17131";

async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    kheo::demo::load(&app.pool, None).await.unwrap();
    app
}

/// GET that must answer 200; returns the response's headers and body text.
async fn download(app: &TestApp, path: &str) -> (reqwest::header::HeaderMap, String) {
    let response = app.get(path).await;
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "GET {path} answered {status}: {text}");
    (headers, text)
}

/// Every Placemark of a KML document, wherever it is nested.
fn placemarks(kml: &kml::Kml) -> Vec<kml::types::Placemark> {
    fn walk(k: &kml::Kml, out: &mut Vec<kml::types::Placemark>) {
        match k {
            kml::Kml::KmlDocument(d) => d.elements.iter().for_each(|e| walk(e, out)),
            kml::Kml::Document { elements, .. } => elements.iter().for_each(|e| walk(e, out)),
            kml::Kml::Folder(f) => f.elements.iter().for_each(|e| walk(e, out)),
            kml::Kml::Placemark(p) => out.push(p.clone()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(kml, &mut out);
    out
}

/// The `<ExtendedData>` of a Placemark as name -> value.
fn extended_data(placemark: &kml::types::Placemark) -> HashMap<String, String> {
    let extended = placemark.children.iter().find(|c| c.name == "ExtendedData").expect("a Placemark has ExtendedData");
    extended
        .children
        .iter()
        .filter(|d| d.name == "Data")
        .map(|d| {
            let value = d.children.iter().find(|v| v.name == "value").and_then(|v| v.content.clone());
            (d.attrs["name"].clone(), value.unwrap_or_default())
        })
        .collect()
}

/// Asserts that a cell of KML or CSV (`None`: absent or empty) says what the GeoJSON
/// property says: the same text, or the same number.
fn assert_same(cell: Option<&str>, property: &Value, what: &str) {
    match property {
        Value::Null => assert_eq!(cell, None, "{what}"),
        Value::String(s) => assert_eq!(cell, Some(s.as_str()), "{what}"),
        Value::Number(n) => {
            let cell: f64 = cell.unwrap_or_else(|| panic!("{what}: no value")).parse().unwrap();
            assert_eq!(cell, n.as_f64().unwrap(), "{what}");
        }
        other => panic!("{what}: unexpected property {other}"),
    }
}

#[tokio::test]
async fn the_kml_download_has_a_placemark_per_feature_with_its_name_and_attributes() {
    let app = demo_app().await;
    let collection = app.get_json(&format!("/api/layers/roads/features?commune={DEMO}")).await;
    let features = collection["features"].as_array().unwrap();

    let (headers, text) = download(&app, &format!("/api/layers/roads/features.kml?commune={DEMO}")).await;

    assert_eq!(headers["content-type"], "application/vnd.google-earth.kml+xml");
    assert_eq!(headers["content-disposition"], format!("attachment; filename=\"roads-{DEMO}.kml\""));
    assert!(text.starts_with("<?xml"), "{}", text.chars().take(100).collect::<String>());
    let document = kml::KmlReader::<_, f64>::from_string(&text).read().expect("the download is KML");
    let placemarks = placemarks(&document);
    assert_eq!(placemarks.len(), features.len());
    assert!(text.contains(&format!("<name>{}</name>", layers::find("roads").unwrap().title_vi)));

    // A road whose name has diacritics and whose surface is known, taken from the GeoJSON.
    let road = features
        .iter()
        .find(|f| {
            let p = &f["properties"];
            p["name"].as_str().is_some_and(|n| !n.is_ascii()) && p["surface"].is_string() && p["note"].is_null()
        })
        .expect("the demo has a named road with a surface");
    let id = road["id"].to_string();
    let placemark = placemarks
        .iter()
        .find(|p| extended_data(p).get("id") == Some(&id))
        .unwrap_or_else(|| panic!("no Placemark for road {id}"));
    assert_eq!(placemark.name.as_deref(), road["properties"]["name"].as_str());
    let data = extended_data(placemark);
    assert_eq!(data["commune"], DEMO);
    assert_eq!(Some(&data["surface"]), road["properties"]["surface"].as_str().map(String::from).as_ref());
    // One Data per non-null field, none for null ones.
    for (name, value) in road["properties"].as_object().unwrap() {
        assert_same(data.get(name).map(String::as_str), value, &format!("field {name} of road {id}"));
    }
    let geometry = placemark.geometry.as_ref().expect("a Placemark has a geometry");
    assert!(
        matches!(geometry, kml::types::Geometry::LineString(_) | kml::types::Geometry::MultiGeometry(_)),
        "{geometry:?}"
    );
}

#[tokio::test]
async fn kml_values_are_xml_escaped() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    let name = "Đường <Tây> & \"Bắc\" 'Nam'";
    sqlx::query("UPDATE road SET name = $1, note = '</value></Data>' WHERE id = 1")
        .bind(name)
        .execute(&app.pool)
        .await
        .unwrap();

    let (_, text) = download(&app, "/api/layers/roads/features.kml?commune=99001").await;

    let document = kml::KmlReader::<_, f64>::from_string(&text).read().expect("the download is KML");
    let placemarks = placemarks(&document);
    assert_eq!(placemarks.len(), 4);
    let first = placemarks.iter().find(|p| extended_data(p)["id"] == "1").unwrap();
    assert_eq!(first.name.as_deref(), Some(name));
    assert_eq!(extended_data(first)["note"], "</value></Data>");
}

#[tokio::test]
async fn the_csv_download_has_a_bom_the_catalogue_header_and_readable_wkt() {
    let app = demo_app().await;
    let collection = app.get_json(&format!("/api/layers/roads/features?commune={DEMO}")).await;
    let features = collection["features"].as_array().unwrap();
    let catalogue = app.get_json("/api/layers").await;
    let roads = catalogue.as_array().unwrap().iter().find(|l| l["id"] == "roads").unwrap();

    let (headers, text) = download(&app, &format!("/api/layers/roads/features.csv?commune={DEMO}")).await;

    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(headers["content-disposition"], format!("attachment; filename=\"roads-{DEMO}.csv\""));
    let body = text.strip_prefix('\u{feff}').expect("the CSV starts with a BOM");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let mut expected = vec!["id".to_string(), "commune".to_string()];
    expected.extend(roads["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap().to_string()));
    expected.push("wkt".to_string());
    assert_eq!(header, expected);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), features.len());

    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    // Rows in id order, like the GeoJSON; every cell as the GeoJSON has it (dates ISO).
    for (row, feature) in rows.iter().zip(features) {
        assert_eq!(row[column("id")], feature["id"].to_string());
        assert_eq!(row[column("commune")], *DEMO);
        for (name, value) in feature["properties"].as_object().unwrap() {
            let cell = Some(&row[column(name)]).filter(|s| !s.is_empty());
            assert_same(cell, value, &format!("{name} of road {}", feature["id"]));
        }
    }
    // The longest road: its WKT, read back by PostGIS, is as long as its GeoJSON geometry.
    let (row, feature) = rows.iter().zip(features).max_by_key(|(r, _)| r[column("wkt")].len()).unwrap();
    let (from_wkt, from_geojson): (f64, f64) = sqlx::query_as(
        "SELECT ST_Length(ST_GeomFromText($1, 4326)::geography), ST_Length(ST_GeomFromGeoJSON($2)::geography)",
    )
    .bind(&row[column("wkt")])
    .bind(feature["geometry"].to_string())
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(from_geojson > 100.0, "{from_geojson}");
    assert!((from_wkt - from_geojson).abs() < 0.01, "WKT {from_wkt} m, GeoJSON {from_geojson} m");
}

#[tokio::test]
async fn downloads_take_the_filters_and_give_the_errors_of_the_features_endpoint() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    let ids_csv = |text: &str| -> Vec<String> {
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        reader.records().map(|r| r.unwrap()[0].to_string()).collect()
    };
    let ids_kml = |text: &str| -> Vec<String> {
        let document = kml::KmlReader::<_, f64>::from_string(text).read().unwrap();
        placemarks(&document).iter().map(|p| extended_data(p)["id"].clone()).collect()
    };

    for query in [
        "commune=99001",
        "commune=99001&group=G2",
        "bbox=105.700,19.200,105.709,19.209",
        "surface=concrete&as_of=2019-01-01",
        "limit=2&offset=2",
    ] {
        let expected: Vec<String> = app
            .feature_ids(&format!("/api/layers/roads/features?{query}"))
            .await
            .iter()
            .map(|id| id.to_string())
            .collect();
        let (_, csv) = download(&app, &format!("/api/layers/roads/features.csv?{query}")).await;
        assert_eq!(ids_csv(&csv), expected, "csv ?{query}");
        let (_, kml) = download(&app, &format!("/api/layers/roads/features.kml?{query}")).await;
        assert_eq!(ids_kml(&kml), expected, "kml ?{query}");
        let (headers, geojson) = download(&app, &format!("/api/layers/roads/features.geojson?{query}")).await;
        assert_eq!(headers["content-type"], "application/geo+json");
        let ids: Vec<String> = serde_json::from_str::<Value>(&geojson).unwrap()["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].to_string())
            .collect();
        assert_eq!(ids, expected, "geojson ?{query}");
    }
    let (headers, _) = download(&app, "/api/layers/groups/features.geojson").await;
    assert_eq!(headers["content-disposition"], "attachment; filename=\"groups-all.geojson\"");

    for ext in ["geojson", "kml", "csv"] {
        let bad = app.get(&format!("/api/layers/roads/features.{ext}?bbox=1,2,3")).await;
        assert_eq!(bad.status(), 400, "{ext}");
        let body: Value = bad.json().await.unwrap();
        assert_eq!(body["detail"]["parameter"], "bbox", "{ext}: {body}");
        assert!(body["error"].as_str().unwrap().contains("bbox"), "{body}");

        let unknown_field = app.get(&format!("/api/layers/roads/features.{ext}?colour=red")).await;
        assert_eq!(unknown_field.status(), 400, "{ext}");

        let layer = app.get(&format!("/api/layers/rivers/features.{ext}")).await;
        assert_eq!(layer.status(), 404, "{ext}");
        let body: Value = layer.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("rivers"), "{body}");

        let commune = app.get(&format!("/api/layers/roads/features.{ext}?commune=12345")).await;
        assert_eq!(commune.status(), 404, "{ext}");
    }
}

/// The feature count of every layer in commune `code`.
async fn counts(pool: &PgPool, code: &str) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for layer in LAYERS {
        let sql = format!("SELECT count(*) FROM {} WHERE {} = $1", layer.table, layer.commune_column);
        out.push((layer.id, sqlx::query_scalar(&sql).bind(code).fetch_one(pool).await.unwrap()));
    }
    out
}

/// The coverage report of the demo commune, as JSON.
async fn coverage(pool: &PgPool) -> Value {
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let report = kheo::coverage::report::report(pool, DEMO, as_of).await.unwrap().expect("the commune exists");
    serde_json::to_value(report).unwrap()
}

/// Asserts that two JSON values are equal, numbers within 0.01 (metres, percent).
fn assert_close(a: &Value, b: &Value, path: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= 0.01, "{path}: {x} and {y}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}: lengths");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                assert_close(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>(), "{path}: keys");
            for (k, x) in x {
                assert_close(x, &y[k], &format!("{path}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

#[tokio::test]
async fn a_commune_dump_restored_into_an_empty_database_gives_the_same_coverage() {
    let a = demo_app().await;
    // Settings other than the defaults, one of which (the lit buffer) changes the numbers.
    sqlx::query(
        "UPDATE commune_setting SET lit_buffer_m = 25, targets = '{\"concrete_pct\": 90, \"lit_pct\": 60}'
          WHERE commune_code = $1",
    )
    .bind(DEMO)
    .execute(&a.pool)
    .await
    .unwrap();

    let dump = kheo::dump::export_commune(&a.pool, DEMO).await.unwrap();
    assert!(kheo::dump::is_dump(Cursor::new(&dump)));

    let b = fresh_database().await;
    let first = kheo::dump::import_dump(&b, &dump).await.unwrap();

    assert_eq!(first.commune, DEMO);
    let layer_ids: Vec<&str> = first.layers.iter().map(|l| l.layer).collect();
    assert_eq!(layer_ids, LAYERS.iter().map(|l| l.id).collect::<Vec<_>>());
    let expected = counts(&a.pool, DEMO).await;
    for (layer, count) in &expected {
        let report = first.layers.iter().find(|l| l.layer == *layer).unwrap();
        assert_eq!(report.counts.inserted, *count, "{layer}: {first:?}");
    }
    assert!(first.settings_changed);
    assert_eq!(counts(&b, DEMO).await, expected);
    let (coverage_a, coverage_b) = (coverage(&a.pool).await, coverage(&b).await);
    assert_eq!(coverage_b["settings"]["lit_buffer_m"], 25.0);
    assert_eq!(coverage_a["groups"].as_array().unwrap().len(), 14);
    assert_close(&coverage_a, &coverage_b, "coverage");
    // Every row the same, geometry included: the dump keeps full precision.
    for layer in LAYERS {
        let sql = format!(
            "SELECT md5(string_agg(ST_AsEWKB(geom)::text, '' ORDER BY {key})) FROM {table}",
            key = layer.key,
            table = layer.table
        );
        // NULL for a layer the demo has no feature of.
        let (x, y): (Option<String>, Option<String>) = (
            sqlx::query_scalar(&sql).fetch_one(&a.pool).await.unwrap(),
            sqlx::query_scalar(&sql).fetch_one(&b).await.unwrap(),
        );
        assert_eq!(x, y, "geometries of {}", layer.id);
    }

    // Again: nothing changes.
    let second = kheo::dump::import_dump(&b, &dump).await.unwrap();
    for layer in &second.layers {
        assert_eq!(layer.counts, Default::default(), "{}: {second:?}", layer.layer);
    }
    assert!(!second.settings_changed);
    assert!(!second.changed());
    assert_close(&coverage_a, &coverage(&b).await, "coverage after the second import");
}

#[tokio::test]
async fn a_dump_restored_over_changed_data_puts_the_commune_back() {
    let app = demo_app().await;
    let dump = kheo::dump::export_commune(&app.pool, DEMO).await.unwrap();
    let before = coverage(&app.pool).await;
    let counts_before = counts(&app.pool, DEMO).await;

    // A road is deleted, another's surface changed, every lighting line removed.
    let road: i64 = sqlx::query_scalar("SELECT min(id) FROM road").fetch_one(&app.pool).await.unwrap();
    sqlx::query("DELETE FROM road WHERE id = $1").bind(road).execute(&app.pool).await.unwrap();
    sqlx::query("UPDATE road SET surface = 'earth' WHERE id = (SELECT max(id) FROM road)")
        .execute(&app.pool)
        .await
        .unwrap();
    let lights = sqlx::query("DELETE FROM lighting_line").execute(&app.pool).await.unwrap().rows_affected() as i64;

    let report = kheo::dump::import_dump(&app.pool, &dump).await.unwrap();

    let of = |id: &str| report.layers.iter().find(|l| l.layer == id).unwrap().counts;
    assert_eq!((of("roads").inserted, of("roads").updated, of("roads").deleted), (1, 1, 0));
    assert_eq!(of("lighting_lines").inserted, lights);
    assert_eq!(counts(&app.pool, DEMO).await, counts_before);
    assert_close(&before, &coverage(&app.pool).await, "coverage");
}

/// A zip with the given entries.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn what_is_not_a_kheo_dump_is_refused_with_a_message() {
    let pool = fresh_database().await;
    let error = |result: anyhow::Result<kheo::dump::DumpReport>| format!("{:#}", result.unwrap_err());

    let not_zip = b"{\"type\":\"FeatureCollection\",\"features\":[]}";
    assert!(!kheo::dump::is_dump(Cursor::new(not_zip)));
    let message = error(kheo::dump::import_dump(&pool, not_zip).await);
    assert!(message.contains("not a kheo dump") && message.contains("not a zip"), "{message}");

    let other_zip = zip_of(&[("roads.geojson", not_zip)]);
    assert!(!kheo::dump::is_dump(Cursor::new(&other_zip)));
    let message = error(kheo::dump::import_dump(&pool, &other_zip).await);
    assert!(message.contains("not a kheo dump") && message.contains("kheo-dump.json"), "{message}");

    let wrong_format = zip_of(&[("kheo-dump.json", b"{\"format\": \"something-else\"}")]);
    let message = error(kheo::dump::import_dump(&pool, &wrong_format).await);
    assert!(message.contains("not a kheo dump"), "{message}");

    let many: Vec<(String, Vec<u8>)> = (0..60).map(|i| (format!("f{i}.txt"), vec![b'x'])).collect();
    let mut entries: Vec<(&str, &[u8])> = many.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    entries.push(("kheo-dump.json", b"{}"));
    let message = error(kheo::dump::import_dump(&pool, &zip_of(&entries)).await);
    assert!(message.contains("at most 50"), "{message}");

    let communes: i64 = sqlx::query_scalar("SELECT count(*) FROM commune").fetch_one(&pool).await.unwrap();
    assert_eq!(communes, 0, "nothing was written");
}

#[tokio::test]
async fn a_dump_that_unpacks_past_the_limit_is_refused_while_reading() {
    let pool = fresh_database().await;
    // 600 MiB of zeros deflate to well under a megabyte; the zip's header says little.
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("kheo-dump.json", options).unwrap();
    let block = vec![b' '; 1024 * 1024];
    for _ in 0..600 {
        zip.write_all(&block).unwrap();
    }
    let bomb = zip.finish().unwrap().into_inner();
    assert!(bomb.len() < 5 * 1024 * 1024, "{} bytes", bomb.len());

    let message = format!("{:#}", kheo::dump::import_dump(&pool, &bomb).await.unwrap_err());
    assert!(message.contains("more than 500 MiB"), "{message}");
}

#[tokio::test]
async fn kheo_export_writes_a_zip_with_the_manifest() {
    let app = demo_app().await;
    let url = app.database_url();
    let out =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("export-{}.kheo.zip", uuid::Uuid::new_v4()));

    let run = std::process::Command::new(env!("CARGO_BIN_EXE_kheo"))
        .args(["export", "--commune", DEMO, "--out"])
        .arg(&out)
        .env("DATABASE_URL", &url)
        .output()
        .expect("running kheo");
    assert!(
        run.status.success(),
        "kheo export failed:\n{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );

    let bytes = std::fs::read(&out).unwrap();
    std::fs::remove_file(&out).ok();
    assert!(kheo::dump::is_dump(Cursor::new(&bytes)));
    let mut zip = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    let mut text = String::new();
    zip.by_name("kheo-dump.json").unwrap().read_to_string(&mut text).unwrap();
    let manifest: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(manifest["format"], "kheo-dump");
    assert_eq!(manifest["version"], 1);
    assert_eq!(manifest["commune"]["code"], DEMO);
    let name: String =
        sqlx::query_scalar("SELECT name FROM commune WHERE code = $1").bind(DEMO).fetch_one(&app.pool).await.unwrap();
    assert_eq!(manifest["commune"]["name"], name);
    let expected = counts(&app.pool, DEMO).await;
    let listed: Vec<(String, i64)> = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["layer"].as_str().unwrap().to_string(), l["features"].as_i64().unwrap()))
        .collect();
    assert_eq!(listed, expected.iter().map(|(l, c)| (l.to_string(), *c)).collect::<Vec<_>>());
    for layer in manifest["layers"].as_array().unwrap() {
        let file = layer["file"].as_str().unwrap();
        let mut text = String::new();
        zip.by_name(file).unwrap().read_to_string(&mut text).unwrap();
        let collection: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(collection["features"].as_array().unwrap().len() as i64, layer["features"].as_i64().unwrap());
    }
    assert!(zip.by_name("settings.json").is_ok());
}

#[tokio::test]
async fn kheo_import_of_a_dump_made_by_kheo_export_gives_the_same_coverage() {
    let source = demo_app().await;
    let target = spawn_app().await;
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dump-{}.kheo.zip", uuid::Uuid::new_v4()));
    let kheo = |args: &[&str], url: &str| {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_kheo"))
            .args(args)
            .env("DATABASE_URL", url)
            .output()
            .unwrap();
        assert!(run.status.success(), "kheo {args:?}: {}", String::from_utf8_lossy(&run.stderr));
        run
    };
    kheo(&["export", "--commune", DEMO, "--out", out.to_str().unwrap()], &source.database_url());
    let restored = kheo(&["import", out.to_str().unwrap()], &target.database_url());
    let report: Value = serde_json::from_slice(&restored.stdout).unwrap();
    assert_eq!(report["commune"], DEMO);
    assert_eq!(coverage(&source.pool).await, coverage(&target.pool).await);
    // A dump goes in whole: --layer or --commune with it is a mistake.
    let wrong = std::process::Command::new(env!("CARGO_BIN_EXE_kheo"))
        .args(["import", out.to_str().unwrap(), "--layer", "roads"])
        .env("DATABASE_URL", target.database_url())
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("commune dump"));
    std::fs::remove_file(out).ok();
}

/// Text that a spreadsheet would run as a formula gets a leading `'` in features.csv;
/// numbers (ids, money) are written as they are.
#[tokio::test]
async fn the_csv_download_keeps_formulas_out_of_excel() {
    let app = demo_app().await;
    let names = ["=HYPERLINK(\"http://evil.example\")", "+1+1", "-2", "@SUM(A1:A9)", "\tTab", "\r=1", "Ngõ 5 - Tổ 3"];
    let mut ids = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO road (commune_code, name, organisation, class, surface, people_vnd, geom)
             VALUES ($1, $2, $3, 'alley', 'concrete', $4,
                     ST_SetSRID(ST_MakeLine(ST_MakePoint(105.70, 19.25 + $5 * 0.001), ST_MakePoint(105.701, 19.25 + $5 * 0.001)), 4326))
             RETURNING id",
        )
        .bind(DEMO)
        .bind(name)
        .bind(format!("-{i} tổ"))
        .bind(1_000_000_i64 * (i as i64 + 1))
        .bind(i as f64)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        ids.push(id);
    }
    let (_, text) = download(&app, &format!("/api/layers/roads/features.csv?commune={DEMO}&class=alley")).await;
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    for (i, (id, name)) in ids.iter().zip(names).enumerate() {
        let row = rows.iter().find(|r| r[column("id")] == id.to_string()).unwrap_or_else(|| panic!("road {id}"));
        let expected = if i == names.len() - 1 { name.to_string() } else { format!("'{name}") };
        assert_eq!(row[column("name")], expected, "name of road {id}");
        assert_eq!(row[column("organisation")], format!("'-{i} tổ"));
        assert_eq!(row[column("people_vnd")], (1_000_000 * (i + 1)).to_string(), "a number stays a number");
        assert!(row[column("wkt")].starts_with("LINESTRING("));
    }
}
