//! Each limit of issue 8, reached against the `kheo serve` binary in a process of its own
//! (`ServerProcess`), with the answer checked and the server's peak memory (VmHWM) held to
//! a budget: the memory an import may add is in proportion to KHEO_MAX_UPLOAD_MB, a single
//! write's to its own 4 MiB limit. The inputs are generated here into a temporary folder,
//! a few MiB each, so that the tests stay fast on two cores; docs/OPERATIONS.md gives the
//! budget at the default settings and bench/memory.sh measures it with the full-size inputs.

use crate::helpers::{ServerProcess, Session, app_with_editor};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;

const MIB: u64 = 1024 * 1024;

/// What one import may add to the server's memory: this many bytes per byte of the upload
/// limit, plus [`IMPORT_FIXED_MIB`] (its batches of features and their round trips to
/// PostGIS), as docs/OPERATIONS.md promises. The importer streams: the measured figure
/// does not grow with the file.
const IMPORT_BUDGET_PER_UPLOAD_MIB: u64 = 4;
const IMPORT_FIXED_MIB: u64 = 24;

/// A folder of its own under the system's temporary folder, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let path = std::env::temp_dir().join(format!("kheo-memory-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A tiny deterministic generator (xorshift64*), for coordinates that do not compress away.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A road of `vertices` inside group G2 of commune 99001 (105.71-105.72 E, 19.20-19.22 N).
fn road_coordinates(rng: &mut Rng, vertices: usize) -> Vec<[f64; 2]> {
    let (x, y) = (105.711 + rng.unit() * 0.007, 19.201 + rng.unit() * 0.017);
    (0..vertices).map(|i| [x + i as f64 * 0.00002, y + rng.unit() * 0.0002]).collect()
}

/// A FeatureCollection of roads of at least `bytes`; returns how many features it holds.
fn write_geojson(path: &PathBuf, bytes: u64) -> usize {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n").unwrap();
    let (mut written, mut count) = (0u64, 0usize);
    while written < bytes {
        let feature = json!({"type": "Feature",
            "properties": {"Tên": format!("Ngõ thử {count}"), "Mặt đường": "Bê tông"},
            "geometry": {"type": "LineString", "coordinates": road_coordinates(&mut rng, 24)}});
        let text = format!("{}{feature}", if count > 0 { ",\n" } else { "" });
        out.write_all(text.as_bytes()).unwrap();
        written += text.len() as u64;
        count += 1;
    }
    out.write_all(b"\n]}\n").unwrap();
    count
}

/// A KMZ whose doc.kml (Placemarks of roads, as Google Earth indents them) is at least
/// `kml_bytes`; returns the number of Placemarks.
fn write_kmz(path: &PathBuf, kml_bytes: u64) -> usize {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("doc.kml", options).unwrap();
    zip.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document>\n",
    )
    .unwrap();
    let (mut written, mut count) = (0u64, 0usize);
    while written < kml_bytes {
        let coordinates: Vec<String> =
            road_coordinates(&mut rng, 40).iter().map(|[x, y]| format!("            {x:.7},{y:.7},0")).collect();
        let placemark = format!(
            "  <Placemark>\n    <name>Ngõ thử {count}</name>\n    <ExtendedData><Data name=\"mat_duong\"><value>Bê tông</value></Data></ExtendedData>\n    <LineString>\n        <coordinates>\n{}\n        </coordinates>\n    </LineString>\n  </Placemark>\n",
            coordinates.join("\n")
        );
        zip.write_all(placemark.as_bytes()).unwrap();
        written += placemark.len() as u64;
        count += 1;
    }
    zip.write_all(b"</Document></kml>\n").unwrap();
    zip.finish().unwrap();
    count
}

/// POST /api/import of `path` to `server` as `session`: status, `Retry-After`, JSON body.
async fn import(
    server: &ServerProcess,
    session: &Session,
    path: &PathBuf,
    fields: &[(&str, &str)],
) -> (u16, Option<String>, Value) {
    let bytes = tokio::fs::read(path).await.unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut form = Form::new().part("file", Part::bytes(bytes).file_name(name));
    for (key, value) in fields {
        form = form.text(key.to_string(), value.to_string());
    }
    let response = reqwest::Client::new()
        .post(server.url("/api/import"))
        .header("cookie", &session.cookie)
        .header("x-csrf-token", &session.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    let text = response.text().await.unwrap();
    (status, retry, serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")))
}

const DRY_RUN: &[(&str, &str)] =
    &[("layer", "roads"), ("commune", "99001"), ("dry_run", "true"), ("defaults", r#"{"class": "alley"}"#)];

/// The server's memory now (its baseline) and the budget its peak must stay under.
fn budget(server: &ServerProcess, upload_mib: u64) -> (u64, u64) {
    let base = server.peak_rss_kib();
    (base, base + (IMPORT_BUDGET_PER_UPLOAD_MIB * upload_mib + IMPORT_FIXED_MIB) * 1024)
}

/// The server's resident memory once it is under `target`, or after 3 s.
async fn returned_to(server: &ServerProcess, target: u64) -> u64 {
    for _ in 0..30 {
        if server.rss_kib() < target {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    server.rss_kib()
}

#[tokio::test]
async fn a_geojson_as_large_as_the_upload_limit_is_checked_in_bounded_memory() {
    let (app, session) = app_with_editor().await;
    let scratch = Scratch::new();
    let file = scratch.path("roads.geojson");
    let features = write_geojson(&file, 7 * MIB);
    let server = ServerProcess::start(&app, &[("KHEO_MAX_UPLOAD_MB", "8")]);
    let (base, limit) = budget(&server, 8);

    let (status, _, report) = import(&server, &session, &file, DRY_RUN).await;

    assert_eq!(status, 200, "{report}");
    assert_eq!(report["counts"]["read"], features);
    assert_eq!(report["counts"]["valid"], features, "{}", report["features"]);
    let peak = server.peak_rss_kib();
    assert!(peak < limit, "peak {peak} KiB over the budget {limit} KiB (base {base} KiB)");
    assert_eq!(app.get_json("/api/layers").await[2]["count"], 5, "a dry run writes nothing");
    // And the memory is given back (malloc_trim runs once the import is done).
    let held = returned_to(&server, base + 16 * 1024).await;
    assert!(held < base + 16 * 1024, "{held} KiB still held after the import (base {base} KiB, peak {peak} KiB)");
}

#[tokio::test]
async fn a_kmz_that_unpacks_past_its_budget_is_413_and_one_within_it_streams() {
    let (app, session) = app_with_editor().await;
    let scratch = Scratch::new();
    let server = ServerProcess::start(&app, &[("KHEO_MAX_UPLOAD_MB", "2")]);
    let (base, limit) = budget(&server, 2);

    // 2 MiB of upload may unpack to 8 MiB: a KMZ of about 1.5 MiB holding 10 MiB is refused.
    let bomb = scratch.path("bomb-ish.kmz");
    write_kmz(&bomb, 10 * MIB);
    let size = std::fs::metadata(&bomb).unwrap().len();
    assert!(size < 2 * MIB, "the KMZ is {size} bytes");
    let (status, _, body) = import(&server, &session, &bomb, DRY_RUN).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["detail"]["code"], "too_large", "{body}");
    assert!(body["error"].as_str().unwrap().contains(&(8 * MIB).to_string()), "{body}");

    // 5 MiB of KML, within the budget: read and checked.
    let kmz = scratch.path("roads.kmz");
    let placemarks = write_kmz(&kmz, 5 * MIB);
    let (status, _, report) = import(&server, &session, &kmz, DRY_RUN).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["format"], "kmz");
    assert_eq!(report["counts"]["read"], placemarks);
    assert_eq!(report["counts"]["valid"], placemarks, "{}", report["features"]);
    let peak = server.peak_rss_kib();
    assert!(peak < limit, "peak {peak} KiB over the budget {limit} KiB (base {base} KiB)");
}

#[tokio::test]
async fn a_million_vertex_line_and_a_megabyte_name_are_refused_in_bounded_memory() {
    let (app, session) = app_with_editor().await;
    let server = ServerProcess::start(&app, &[]);
    let base = server.peak_rss_kib();
    let client = reqwest::Client::new();
    let post = |body: Vec<u8>| {
        client
            .post(server.url("/api/layers/roads/features"))
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    let mut rng = Rng(7);
    let line: Vec<[f64; 2]> = road_coordinates(&mut rng, 1_000_000);
    let feature = json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": line},
        "properties": {"commune": "99001", "class": "alley", "surface": "concrete"}});
    let body = serde_json::to_vec(&feature).unwrap();
    assert!(body.len() > 25 * MIB as usize, "{} bytes", body.len());
    let response = post(body).await.unwrap();
    assert_eq!(response.status(), 413);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["detail"]["limit_bytes"], 4 * MIB, "{answer}");

    let feature = json!({"type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[105.712, 19.205], [105.718, 19.205]]},
        "properties": {"commune": "99001", "class": "alley", "surface": "concrete", "name": "x".repeat(MIB as usize)}});
    let response = post(serde_json::to_vec(&feature).unwrap()).await.unwrap();
    assert_eq!(response.status(), 422);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["detail"]["field"], "name", "{answer}");

    // The 26 MB body was read and dropped past 4 MiB; the name's feature is 1 MiB.
    let peak = server.peak_rss_kib();
    let limit = base + 16 * 1024;
    assert!(peak < limit, "peak {peak} KiB over {limit} KiB (base {base} KiB)");
    let roads: i64 = sqlx::query_scalar("SELECT count(*) FROM road").fetch_one(&app.pool).await.unwrap();
    assert_eq!(roads, 5, "nothing was written");
}

/// An upload whose body the client holds back: the server has taken its import permit and
/// waits for the rest. Raw HTTP/1.1 over TCP, so the test decides when each byte is sent.
struct HeldUpload {
    stream: tokio::net::TcpStream,
    rest: Vec<u8>,
}

impl HeldUpload {
    async fn start(server: &ServerProcess, session: &Session, file: &[u8]) -> HeldUpload {
        use tokio::io::AsyncWriteExt;
        let boundary = "kheo-held-upload";
        let mut body = Vec::new();
        for (name, value) in DRY_RUN {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
            );
        }
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roads.geojson\"\r\n\r\n"
            )
            .bytes(),
        );
        body.extend_from_slice(file);
        body.extend(format!("\r\n--{boundary}--\r\n").bytes());
        let address = server.address.trim_start_matches("http://");
        let head = format!(
            "POST /api/import HTTP/1.1\r\nHost: {address}\r\nCookie: {}\r\nX-CSRF-Token: {}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            session.cookie,
            session.csrf,
            body.len()
        );
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let split = body.len() / 2;
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&body[..split]).await.unwrap();
        HeldUpload { stream, rest: body[split..].to_vec() }
    }

    /// Sends the rest of the body; returns the status and the body of the answer.
    async fn finish(mut self) -> (u16, Value) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        self.stream.write_all(&self.rest).await.unwrap();
        let mut answer = Vec::new();
        self.stream.read_to_end(&mut answer).await.unwrap();
        let text = String::from_utf8_lossy(&answer);
        let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
        // The body may come chunked: take the JSON object inside.
        let json = body.get(body.find('{').unwrap_or(0)..=body.rfind('}').unwrap_or(0)).unwrap_or("{}");
        (status, serde_json::from_str(json).unwrap_or_else(|_| panic!("{text}")))
    }
}

#[tokio::test]
async fn imports_beyond_kheo_max_imports_are_turned_away_at_once_with_retry_after() {
    let (app, session) = app_with_editor().await;
    let scratch = Scratch::new();
    let file = scratch.path("roads.geojson");
    let features = write_geojson(&file, MIB);
    let bytes = std::fs::read(&file).unwrap();
    let server = ServerProcess::start(&app, &[("KHEO_MAX_IMPORTS", "2"), ("KHEO_MAX_UPLOAD_MB", "8")]);
    let (base, limit) = budget(&server, 8);

    // Two uploads hold both permits, their bodies half sent.
    let first = HeldUpload::start(&server, &session, &bytes).await;
    let second = HeldUpload::start(&server, &session, &bytes).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    // Four more, at once, of 6 MiB each: each turned away before its body is read, fast;
    // the rest of the body is drained, so that the client reads the 503.
    let large = scratch.path("large.geojson");
    write_geojson(&large, 6 * MIB);
    let started = std::time::Instant::now();
    let turned_away = futures_util::future::join_all((0..4).map(|_| import(&server, &session, &large, DRY_RUN))).await;
    let waited = started.elapsed();
    for (status, retry, body) in &turned_away {
        assert_eq!(*status, 503, "{body}");
        assert_eq!(retry.as_deref(), Some("5"));
        assert!(body["error"].as_str().unwrap().contains("2 imports are running"), "{body}");
    }
    assert!(waited < std::time::Duration::from_secs(3), "the 503s took {waited:?}");

    // The two held ones complete; then a permit is free again.
    for held in [first, second] {
        let (status, report) = held.finish().await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["counts"]["read"], features);
    }
    let (status, _, report) = import(&server, &session, &file, DRY_RUN).await;
    assert_eq!(status, 200, "{report}");
    let peak = server.peak_rss_kib();
    assert!(peak < limit, "peak {peak} KiB over the budget {limit} KiB (base {base} KiB)");
}
