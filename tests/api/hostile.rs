//! The hostile corpus (issue 8): every endpoint's parameters and bodies with NUL characters,
//! overlong, wrong types, repeated, unknown and injection values. Every answer is a 2xx or a
//! 4xx, never a 5xx; every 4xx is the API's JSON error; nothing is written by a refused
//! request. It prints its figures (docs/RELIABILITY.md records them).

use crate::helpers::{Session, TestApp, app_with_editor};
use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Values a careless or hostile client sends, as they appear in a query string (already
/// percent-encoded where they must be).
const BAD_VALUES: &[&str] = &[
    "%00",
    "a%00b",
    "",
    "-1",
    "0",
    "1.5",
    "1e309",
    "NaN",
    "inf",
    "99999999999999999999999",
    "abc",
    "2023-02-30",
    "0000-01-01",
    "99999-12-31",
    "%27%20OR%201%3D1--",
    "1%3BDROP%20TABLE%20road",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "..%2F..%2Fetc%2Fpasswd",
    "%24%7Bjndi%3Aldap%3A%2F%2Fx%7D",
    "%E2%80%AE",
    "%FF%FE",
    "%C0%AF",
    "=HYPERLINK(%22http%3A%2F%2Fx%22)",
    "1,2,3,4,5,6,7,8",
    "105.7,19.2,105.6,19.1",
    "-180,-90,180,90",
];

/// Every GET endpoint that takes parameters, with its parameters.
const ENDPOINTS: &[(&str, &[&str])] = &[
    (
        "/api/layers/roads/features",
        &[
            "commune",
            "group",
            "bbox",
            "as_of",
            "limit",
            "offset",
            "surface",
            "name",
            "width_m",
            "paved_on",
            "people_vnd",
        ],
    ),
    ("/api/layers/model_sites/features.csv", &["commune", "bbox", "as_of", "limit", "field", "year"]),
    ("/api/layers/groups/features.kml", &["commune", "group", "limit", "households"]),
    ("/api/layers/flower_routes/features.geojson", &["commune", "offset", "trees"]),
    ("/api/coverage", &["commune", "as_of"]),
    ("/api/coverage.geojson", &["commune", "as_of"]),
    ("/api/coverage.csv", &["commune", "as_of", "decimal", "lang"]),
    ("/api/coverage.xlsx", &["commune", "as_of", "lang"]),
    ("/api/coverage/timeline", &["commune", "from", "to", "as_of"]),
    ("/api/search", &["q", "commune", "limit"]),
    ("/api/audit", &["commune", "limit"]),
    ("/api/communes", &["x"]),
    ("/api/layers", &["x"]),
    ("/api/session", &["x"]),
    ("/healthz", &["x"]),
    ("/api/indicators", &["x"]),
    ("/api/regions", &["x"]),
    ("/api/worklist", &["commune", "group", "as_of"]),
    ("/api/worklist.csv", &["commune", "group", "as_of", "decimal", "lang"]),
    ("/api/worklist.xlsx", &["commune", "as_of", "lang"]),
    ("/api/coverage?region=vung", &["as_of"]),
    ("/api/communes/99001/settings", &["x"]),
    ("/api/report", &["commune", "as_of", "format", "lang"]),
    ("/api/report", &["region", "as_of", "format", "lang"]),
    ("/api/coverage/timeline", &["region", "from", "to", "as_of"]),
    ("/tiles/roads.json", &["commune", "region", "as_of", "surface"]),
    ("/tiles/roads/14/13012/7292.mvt", &["commune", "region", "as_of", "class"]),
    ("/api/layers/model_sites/features/1/photos", &["x"]),
    ("/api/photos/1", &["x"]),
    ("/api/photos", &["commune", "layer"]),
];

/// What the corpus saw.
#[derive(Default)]
struct Tally {
    statuses: BTreeMap<u16, usize>,
    failures: Vec<String>,
}

impl Tally {
    fn total(&self) -> usize {
        self.statuses.values().sum()
    }
}

/// Sends every request with at most 8 in flight and checks each answer. For `reads`, a
/// refusal must come from kheo's own checks (400 naming the parameter, 404), never from the
/// database refusing a value (422).
async fn run(tally: &mut Tally, requests: Vec<(String, reqwest::RequestBuilder)>, reads: bool) {
    let mut answers = futures_util::stream::iter(requests.into_iter().map(|(what, request)| async move {
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let content_type =
                    response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                let body = response.bytes().await.unwrap_or_default();
                (what, status, content_type, body)
            }
            Err(error) => (what, 0, String::new(), bytes::Bytes::from(error.to_string())),
        }
    }))
    .buffer_unordered(8);
    while let Some((what, status, content_type, body)) = answers.next().await {
        *tally.statuses.entry(status).or_default() += 1;
        let text = String::from_utf8_lossy(&body);
        if status == 0 || status >= 500 {
            tally.failures.push(format!("{what}: {status} {}", text.chars().take(300).collect::<String>()));
        } else if reads && status == 422 {
            tally.failures.push(format!("{what}: a read refused by the database: {text}"));
        } else if status >= 400 {
            let shaped = content_type.contains("json")
                && serde_json::from_slice::<Value>(&body)
                    .is_ok_and(|v| v["error"].as_str().is_some_and(|m| !m.is_empty()) && v.get("detail").is_some());
            if !shaped {
                tally.failures.push(format!("{what}: {status} is not the JSON error shape: {text}"));
            }
        }
    }
}

fn get(app: &TestApp, path: String) -> (String, reqwest::RequestBuilder) {
    (format!("GET {path}"), app.client.get(app.url(&path)))
}

/// Query strings: each parameter with each bad value (after a good commune where one is
/// needed, so that the value is what is judged), repeated, unknown, and overlong.
fn query_corpus(app: &TestApp) -> Vec<(String, reqwest::RequestBuilder)> {
    let long = "a".repeat(20_000);
    let mut requests = Vec::new();
    for (path, parameters) in ENDPOINTS {
        for parameter in *parameters {
            for value in BAD_VALUES.iter().copied().chain([long.as_str()]) {
                let base = if *parameter == "commune"
                    || !path.starts_with("/api/coverage") && !path.starts_with("/api/audit")
                {
                    String::new()
                } else {
                    "commune=99001&".to_string()
                };
                requests.push(get(app, format!("{path}{}{base}{parameter}={value}", joiner(path))));
            }
            requests.push(get(app, format!("{path}{}{parameter}=1&{parameter}=2", joiner(path))));
        }
        let and = joiner(path);
        requests.push(get(app, format!("{path}{and}commune=99001&unknown_parameter=1")));
        requests.push(get(app, format!("{path}{and}%00=1")));
        requests.push(get(app, format!("{path}{and}commune=99001&{long}=1")));
        requests.push(get(app, format!("{path}{and}&&&=&==")));
    }
    requests
}

/// What joins the corpus's parameters to `path`: `?`, or `&` after a query already there.
fn joiner(path: &str) -> &'static str {
    if path.contains('?') { "&" } else { "?" }
}

/// Path segments: layer names and feature ids.
fn path_corpus(app: &TestApp) -> Vec<(String, reqwest::RequestBuilder)> {
    let mut requests = Vec::new();
    for value in BAD_VALUES.iter().filter(|v| !v.is_empty() && !v.contains("%2F")) {
        for path in [
            format!("/api/layers/{value}/features"),
            format!("/api/layers/roads/features/{value}"),
            format!("/api/layers/communes/features/{value}"),
            format!("/api/layers/roads/features/{value}/history"),
            format!("/api/layers/communes/features/{value}/history"),
            format!("/{value}"),
            format!("/js/{value}"),
        ] {
            requests.push(get(app, path));
        }
    }
    requests.push(get(app, format!("/api/layers/roads/features/{}", "9".repeat(5000))));
    requests.push(get(app, "/..%2F..%2Fetc%2Fpasswd".into()));
    requests.push(get(app, "/.git/config".into()));
    requests
}

/// Write bodies: broken JSON, wrong shapes and types, hostile values in each field.
fn write_corpus(app: &TestApp, session: &Session) -> Vec<(String, reqwest::RequestBuilder)> {
    let road =
        |properties: Value, geometry: Value| json!({"type": "Feature", "geometry": geometry, "properties": properties});
    let line = json!({"type": "LineString", "coordinates": [[105.712, 19.205], [105.718, 19.205]]});
    let base = json!({"commune": "99001", "name": "Ngõ", "class": "alley", "surface": "concrete"});
    let mut bodies: Vec<(String, Vec<u8>)> = vec![
        ("not JSON".into(), b"{\"type\": \"Feature\",".to_vec()),
        ("empty".into(), Vec::new()),
        ("an array".into(), b"[1,2,3]".to_vec()),
        ("deeply nested".into(), format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes()),
        ("invalid UTF-8".into(), b"{\"properties\": {\"name\": \"\xff\xfe\"}}".to_vec()),
        ("a NUL escape".into(), br#"{"type":"Feature","geometry":null,"properties":{"name":"a\u0000b"}}"#.to_vec()),
    ];
    let hostile_values = [
        json!(null),
        json!(true),
        json!([1, 2]),
        json!({"a": 1}),
        json!("a\u{0}b"),
        json!(-1),
        json!(1e308),
        json!(99_999_999_999_999_999u64),
        json!("99999999999999999999"),
        json!("0000-01-01"),
        json!("2023-02-30"),
        json!("9999-12-31"),
        json!("' OR 1=1--"),
        json!("=HYPERLINK(\"http://x\")"),
        json!("<script>alert(1)</script>"),
        json!("\u{202e}"),
    ];
    for field in [
        "commune",
        "name",
        "class",
        "surface",
        "surface_before",
        "width_m",
        "paved_on",
        "people_vnd",
        "workdays",
        "status",
        "unknown",
    ] {
        for value in &hostile_values {
            let mut properties = base.clone();
            properties[field] = value.clone();
            bodies.push((format!("{field}={value}"), road(properties, line.clone()).to_string().into_bytes()));
        }
    }
    for geometry in [
        json!(null),
        json!("LINESTRING(1 2, 3 4)"),
        json!({"type": "LineString", "coordinates": []}),
        json!({"type": "LineString", "coordinates": [[105.712, 19.205]]}),
        json!({"type": "LineString", "coordinates": [["a", "b"], [1, 2]]}),
        json!({"type": "LineString", "coordinates": [[1e308, 1e308], [-1e308, 1e308]]}),
        json!({"type": "LineString", "coordinates": [[105.712, 19.205, 3], [105.718, 19.205, 4]]}),
        json!({"type": "Point", "coordinates": [105.712, 19.205]}),
        json!({"type": "Polygon", "coordinates": [[[105.7, 19.2], [105.71, 19.2], [105.71, 19.21]]]}),
        json!({"type": "GeometryCollection", "geometries": []}),
        json!({"type": "Nonsense", "coordinates": [1, 2]}),
        json!({"type": "LineString", "coordinates": [[19.205, 105.712], [19.205, 105.718]]}),
    ] {
        bodies.push((format!("geometry {geometry}"), road(base.clone(), geometry).to_string().into_bytes()));
    }
    let mut requests = Vec::new();
    for (what, body) in bodies {
        for (method, path, if_match) in [
            (Method::POST, "/api/layers/roads/features", None),
            (Method::PATCH, "/api/layers/roads/features/1", Some("\"v1\"")),
            (Method::PUT, "/api/layers/roads/features/1", Some("\"v1\"")),
        ] {
            let mut request = app
                .as_user(method.clone(), path, session)
                .header("content-type", "application/json")
                .body(body.clone());
            if let Some(tag) = if_match {
                request = request.header("if-match", tag);
            }
            requests.push((format!("{method} {path} with {what}"), request));
        }
    }
    for if_match in ["*", "v1", "\"v-1\"", "\"v99999999999\"", "\"v%00\"", "W/\"v1\""] {
        let request = app
            .as_user(Method::PATCH, "/api/layers/roads/features/1", session)
            .header("if-match", if_match)
            .json(&json!({"properties": {"name": "x"}}));
        requests.push((format!("PATCH with If-Match {if_match:?}"), request));
    }
    for body in [json!({}), json!({"audit_id": "1"}), json!({"audit_id": -1}), json!({"audit_id": 1e300})] {
        let request = app.as_user(Method::POST, "/api/layers/roads/features/1/restore", session).json(&body);
        requests.push((format!("restore {body}"), request));
    }
    for credentials in [
        json!({}),
        json!({"username": 1, "password": 2}),
        json!({"username": "lan\u{0}", "password": "x"}),
        json!({"username": "' OR 1=1--", "password": "x"}),
        json!({"username": "a".repeat(3000), "password": "x"}),
        json!({"username": "lan", "password": "x".repeat(3000)}),
    ] {
        requests.push((
            format!("sign-in {}", credentials.to_string().chars().take(60).collect::<String>()),
            app.client.post(app.url("/api/session")).json(&credentials),
        ));
    }
    requests
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hostile_corpus_gets_no_5xx_and_every_refusal_is_json() {
    let (app, session) = app_with_editor().await;
    let roads_before: i64 = sqlx::query_scalar("SELECT count(*) FROM road").fetch_one(&app.pool).await.unwrap();
    let version_before: i32 =
        sqlx::query_scalar("SELECT version FROM road WHERE id = 1").fetch_one(&app.pool).await.unwrap();

    let started = std::time::Instant::now();
    let mut tally = Tally::default();
    run(&mut tally, query_corpus(&app), true).await;
    run(&mut tally, path_corpus(&app), true).await;
    let reads = tally.total();
    run(&mut tally, write_corpus(&app, &session), false).await;
    eprintln!(
        "hostile corpus: {} requests ({reads} reads, {} writes and sign-ins) in {:.1} s: {:?}",
        tally.total(),
        tally.total() - reads,
        started.elapsed().as_secs_f64(),
        tally.statuses
    );
    assert!(tally.failures.is_empty(), "{} bad answers:\n{}", tally.failures.len(), tally.failures.join("\n"));

    // The corpus's writes are all refused but a few legitimate ones (hostile-looking text is
    // still text): whatever was written is whole, and the road it patched is a valid road.
    let roads_after: i64 = sqlx::query_scalar("SELECT count(*) FROM road").fetch_one(&app.pool).await.unwrap();
    let created = tally.statuses.get(&201).copied().unwrap_or(0) as i64;
    assert_eq!(roads_after - roads_before, created, "one road per 201, none half-written");
    let version_after: i32 =
        sqlx::query_scalar("SELECT version FROM road WHERE id = 1").fetch_one(&app.pool).await.unwrap();
    assert!(version_after >= version_before);
    let road = app.get_json("/api/layers/roads/features/1").await;
    assert_eq!(road["type"], "Feature");
}
