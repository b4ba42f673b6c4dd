//! Photos of works over tests/fixtures/two_communes.sql: upload, read back, rights,
//! publication, bad files (not images, bombs, cut short, too large), the memory of a
//! server taking many at once, and commune dumps. The images are made here with the
//! `image` crate, with colours placed so that a turned or mirrored image shows; one real
//! phone-like JPEG (EXIF orientation 6 and GPS) is tests/fixtures/photos/rotated-gps.jpg.

use crate::helpers::{ServerProcess, Session, TestApp, app_with_editor, fresh_database};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use std::io::Cursor;
use std::time::{Duration, Instant};

const RED: [u8; 3] = [255, 0, 0];
const GREEN: [u8; 3] = [0, 255, 0];
const BLUE: [u8; 3] = [0, 0, 255];
const YELLOW: [u8; 3] = [255, 255, 0];

/// An image of four flat quadrants: red top left, green top right, blue bottom left,
/// yellow bottom right. A turn or a mirror moves the colours.
fn quadrants(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb(match (x < width / 2, y < height / 2) {
            (true, true) => RED,
            (false, true) => GREEN,
            (true, false) => BLUE,
            (false, false) => YELLOW,
        })
    })
}

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    match format {
        ImageFormat::Jpeg => {
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95);
            image.write_with_encoder(encoder).unwrap();
        }
        other => image.write_to(&mut out, other).unwrap(),
    }
    out.into_inner()
}

/// The colour at the centre of each quadrant of `image`, in the order top left, top
/// right, bottom left, bottom right.
fn quadrant_colours(image: &DynamicImage) -> [[u8; 3]; 4] {
    let rgb = image.to_rgb8();
    let (w, h) = rgb.dimensions();
    let at = |x: u32, y: u32| rgb.get_pixel(x, y).0;
    [at(w / 4, h / 4), at(3 * w / 4, h / 4), at(w / 4, 3 * h / 4), at(3 * w / 4, 3 * h / 4)]
}

/// Whether two colours differ by at most `tolerance` in every channel (JPEG is lossy).
fn near(a: [u8; 3], b: [u8; 3], tolerance: u8) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= tolerance)
}

fn assert_quadrants(image: &DynamicImage, expected: [[u8; 3]; 4], tolerance: u8) {
    let found = quadrant_colours(image);
    for (i, (f, e)) in found.iter().zip(expected).enumerate() {
        assert!(near(*f, e, tolerance), "quadrant {i}: found {f:?}, expected {e:?} (all: {found:?})");
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/photos").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A multipart form with the photo under a misleading name and type: kheo must look at
/// the bytes only.
fn form(bytes: Vec<u8>, fields: &[(&str, &str)]) -> Form {
    let part = Part::bytes(bytes).file_name("anh-chup.txt").mime_str("text/plain").unwrap();
    fields
        .iter()
        .fold(Form::new().part("file", part), |form, (name, value)| form.text(name.to_string(), value.to_string()))
}

fn photos_path(layer: &str, id: impl std::fmt::Display) -> String {
    format!("/api/layers/{layer}/features/{id}/photos")
}

async fn upload(app: &TestApp, session: &Session, layer: &str, id: i64, form: Form) -> reqwest::Response {
    app.as_user(Method::POST, &photos_path(layer, id), session).multipart(form).send().await.unwrap()
}

/// Uploads and expects 201; returns the answer.
async fn uploaded(app: &TestApp, session: &Session, layer: &str, id: i64, form: Form) -> Value {
    let response = upload(app, session, layer, id, form).await;
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, 201, "upload answered {status}: {body}");
    serde_json::from_str(&body).unwrap()
}

async fn bytes_of(app: &TestApp, path: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    let headers = response.headers().clone();
    (headers, response.bytes().await.unwrap().to_vec())
}

/// Expects a 4xx JSON error with `status`; returns its body.
async fn refusal(response: reqwest::Response, status: u16) -> Value {
    let got = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "{body}");
    body
}

async fn photo_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM photo").fetch_one(&app.pool).await.unwrap()
}

#[tokio::test]
async fn a_png_reads_back_with_its_pixels_a_thumbnail_a_long_lived_etag_and_an_audit_entry() {
    let (app, lan) = app_with_editor().await;
    let png = encoded(&DynamicImage::ImageRgb8(quadrants(600, 400)), ImageFormat::Png);

    let photo =
        uploaded(&app, &lan, "model_sites", 1, form(png, &[("caption", "  Tổ hợp tác rau sạch, vụ xuân  ")])).await;
    let id = photo["id"].as_i64().unwrap();
    assert_eq!(photo["layer"], "model_sites");
    assert_eq!(photo["feature_id"], 1);
    assert_eq!(photo["commune"], "99001");
    assert_eq!(photo["content_type"], "image/png", "PNG stays PNG, whatever the name and type sent");
    assert_eq!(photo["source_format"], "PNG");
    assert_eq!((photo["width"].as_i64(), photo["height"].as_i64()), (Some(600), Some(400)));
    assert_eq!((photo["thumb_width"].as_i64(), photo["thumb_height"].as_i64()), (Some(360), Some(240)));
    assert_eq!(photo["caption"], "Tổ hợp tác rau sạch, vụ xuân", "trimmed");
    assert_eq!(photo["gps"], "none");
    assert_eq!(photo["position"], Value::Null);
    assert_eq!(photo["created_by"], "lan");
    assert_eq!(photo["created_by_name"], "Cán bộ lan");
    assert_eq!(photo["url"], format!("/api/photos/{id}"));
    assert_eq!(photo["thumb_url"], format!("/api/photos/{id}/thumb"));

    let (headers, body) = bytes_of(&app, &format!("/api/photos/{id}")).await;
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let cache = headers["cache-control"].to_str().unwrap();
    assert!(cache.contains("max-age=31536000") && cache.contains("immutable"), "{cache}");
    assert_eq!(body.len() as i64, photo["bytes"].as_i64().unwrap());
    let image = image::load_from_memory_with_format(&body, ImageFormat::Png).unwrap();
    assert_eq!((image.width(), image.height()), (600, 400));
    assert_quadrants(&image, [RED, GREEN, BLUE, YELLOW], 0);

    // The same ETag again: 304, no bytes.
    let etag = headers["etag"].to_str().unwrap().to_string();
    let again =
        app.client.get(app.url(&format!("/api/photos/{id}"))).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());

    let (headers, thumb) = bytes_of(&app, &format!("/api/photos/{id}/thumb")).await;
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_ne!(headers["etag"], etag.as_str(), "the thumbnail has its own tag");
    let thumbnail = image::load_from_memory_with_format(&thumb, ImageFormat::Jpeg).unwrap();
    assert_eq!((thumbnail.width(), thumbnail.height()), (360, 240), "the longest side is 360");
    assert_quadrants(&thumbnail, [RED, GREEN, BLUE, YELLOW], 40);
    assert_eq!(thumb.len() as i64, photo["thumb_bytes"].as_i64().unwrap());

    let list = app.get_json(&photos_path("model_sites", 1)).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["caption"], photo["caption"]);
    assert_eq!(list[0]["url"], photo["url"]);
    assert_eq!(app.get_json(&photos_path("model_sites", 2)).await, json!([]), "the other site has none");

    let audit = app.get_json("/api/audit?commune=99001").await;
    let entry = &audit[0];
    assert_eq!((entry["layer"].as_str(), entry["action"].as_str()), (Some("photos"), Some("insert")));
    assert_eq!(entry["feature_id"], id.to_string());
    assert_eq!(entry["actor"], "lan");
    assert_eq!(entry["after"]["feature_id"], 1);
    assert_eq!(entry["after"]["caption"], photo["caption"]);
}

/// Reads the EXIF of a stored JPEG, if it has any.
fn exif_of(bytes: &[u8]) -> Option<exif::Exif> {
    exif::Reader::new().read_from_container(&mut Cursor::new(bytes)).ok()
}

#[tokio::test]
async fn a_phone_jpeg_is_stored_upright_with_its_gps_removed_unless_the_editor_keeps_it() {
    let (app, lan) = app_with_editor().await;
    let original = fixture("rotated-gps.jpg");
    // The fixture is what its README says: 80 x 40 stored, orientation 6, a position.
    let raw = exif_of(&original).expect("the fixture has EXIF");
    assert_eq!(raw.get_field(exif::Tag::Orientation, exif::In::PRIMARY).unwrap().value.get_uint(0), Some(6));
    assert!(raw.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY).is_some());

    let photo = uploaded(&app, &lan, "model_sites", 2, form(original.clone(), &[])).await;
    assert_eq!(photo["content_type"], "image/jpeg");
    assert_eq!((photo["width"].as_i64(), photo["height"].as_i64()), (Some(40), Some(80)), "turned upright");
    assert_eq!(photo["gps"], "removed");
    assert_eq!(photo["position"], Value::Null);
    assert_eq!(photo["taken_on"], "2025-03-14", "the EXIF date");
    let (_, stored) = bytes_of(&app, photo["url"].as_str().unwrap()).await;
    let image = image::load_from_memory(&stored).unwrap();
    assert_eq!((image.width(), image.height()), (40, 80));
    // Turned 90° clockwise: the left column (red over blue) becomes the top row, blue first.
    assert_quadrants(&image, [BLUE, RED, YELLOW, GREEN], 40);
    assert!(exif_of(&stored).is_none(), "no metadata is left: no GPS, no orientation to apply twice");
    let (_, thumb) = bytes_of(&app, photo["thumb_url"].as_str().unwrap()).await;
    assert_quadrants(&image::load_from_memory(&thumb).unwrap(), [BLUE, RED, YELLOW, GREEN], 40);

    let kept = uploaded(&app, &lan, "model_sites", 2, form(original, &[("keep_gps", "true")])).await;
    assert_eq!(kept["gps"], "kept");
    let position = kept["position"].as_array().unwrap();
    // Where tests/fixtures/photos/README.md says exiftool put it.
    assert!((position[0].as_f64().unwrap() - 105.7121096).abs() < 1e-6, "{position:?}");
    assert!((position[1].as_f64().unwrap() - 19.2535581).abs() < 1e-6, "{position:?}");
    let (_, stored) = bytes_of(&app, kept["url"].as_str().unwrap()).await;
    let exif = exif_of(&stored).expect("the kept position is in the stored image");
    let latitude = exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY).expect("GPSLatitude");
    let exif::Value::Rational(dms) = &latitude.value else { panic!("{latitude:?}") };
    let degrees = dms[0].to_f64() + dms[1].to_f64() / 60.0 + dms[2].to_f64() / 3600.0;
    assert!((degrees - 19.2535581).abs() < 1e-6, "{degrees}");
    assert!(exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY).is_none(), "applied, not kept");
    assert!(exif.get_field(exif::Tag::Make, exif::In::PRIMARY).is_none(), "only the position is kept");
    let in_db: (f64, f64) =
        sqlx::query_as("SELECT ST_X(position), ST_Y(position) FROM photo WHERE id = $1 AND ST_SRID(position) = 4326")
            .bind(kept["id"].as_i64().unwrap())
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!((in_db.0 - 105.7121096).abs() < 1e-6 && (in_db.1 - 19.2535581).abs() < 1e-6, "{in_db:?}");
}

#[tokio::test]
async fn large_photos_are_scaled_to_2560_px_and_webp_becomes_jpeg_or_png_with_transparency() {
    let (app, lan) = app_with_editor().await;
    let big = encoded(&DynamicImage::ImageRgb8(quadrants(3000, 2000)), ImageFormat::Jpeg);
    let photo = uploaded(&app, &lan, "roads", 1, form(big, &[])).await;
    // 2000 * 2560 / 3000 = 1706.67
    assert_eq!((photo["width"].as_i64(), photo["height"].as_i64()), (Some(2560), Some(1707)));
    assert_eq!((photo["thumb_width"].as_i64(), photo["thumb_height"].as_i64()), (Some(360), Some(240)));
    let (_, stored) = bytes_of(&app, photo["url"].as_str().unwrap()).await;
    let image = image::load_from_memory_with_format(&stored, ImageFormat::Jpeg).unwrap();
    assert_eq!((image.width(), image.height()), (2560, 1707));
    assert_quadrants(&image, [RED, GREEN, BLUE, YELLOW], 40);

    let webp = encoded(&DynamicImage::ImageRgb8(quadrants(300, 200)), ImageFormat::WebP);
    let photo = uploaded(&app, &lan, "flower_routes", 1, form(webp, &[])).await;
    assert_eq!(photo["source_format"], "WebP");
    assert_eq!(photo["content_type"], "image/jpeg", "an opaque WebP becomes JPEG");
    let (headers, stored) = bytes_of(&app, photo["url"].as_str().unwrap()).await;
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_quadrants(
        &image::load_from_memory_with_format(&stored, ImageFormat::Jpeg).unwrap(),
        [RED, GREEN, BLUE, YELLOW],
        40,
    );

    // Transparent on the left half: PNG keeps it; the JPEG thumbnail shows it on white.
    let half_clear =
        RgbaImage::from_fn(300, 200, |x, _| if x < 150 { Rgba([0, 0, 0, 0]) } else { Rgba([0, 0, 255, 255]) });
    let webp = encoded(&DynamicImage::ImageRgba8(half_clear), ImageFormat::WebP);
    let photo = uploaded(&app, &lan, "lighting_lines", 1, form(webp, &[])).await;
    assert_eq!(photo["content_type"], "image/png");
    let (_, stored) = bytes_of(&app, photo["url"].as_str().unwrap()).await;
    let image = image::load_from_memory_with_format(&stored, ImageFormat::Png).unwrap().to_rgba8();
    assert_eq!(image.get_pixel(50, 100).0[3], 0, "still transparent");
    assert_eq!(image.get_pixel(250, 100).0, [0, 0, 255, 255]);
    let (_, thumb) = bytes_of(&app, photo["thumb_url"].as_str().unwrap()).await;
    let thumb = image::load_from_memory_with_format(&thumb, ImageFormat::Jpeg).unwrap();
    assert_quadrants(&thumb, [[255, 255, 255], BLUE, [255, 255, 255], BLUE], 40);
}

#[tokio::test]
async fn only_editors_of_the_features_commune_write_photos_with_their_csrf_token() {
    let (app, lan) = app_with_editor().await;
    app.add_user("minh", "editor", &["99002"]).await;
    app.add_user("admin", "admin", &[]).await;
    let minh = app.sign_in("minh").await;
    let admin = app.sign_in("admin").await;
    let png = || encoded(&DynamicImage::ImageRgb8(quadrants(40, 40)), ImageFormat::Png);

    let anonymous =
        app.client.post(app.url(&photos_path("model_sites", 1))).multipart(form(png(), &[])).send().await.unwrap();
    refusal(anonymous, 401).await;
    refusal(upload(&app, &minh, "model_sites", 1, form(png(), &[])).await, 403).await;
    let forged = Session { cookie: lan.cookie.clone(), csrf: "0".repeat(64) };
    refusal(upload(&app, &forged, "model_sites", 1, form(png(), &[])).await, 403).await;
    assert_eq!(photo_count(&app).await, 0, "nothing was stored");

    // Minh writes in his own commune; the admin everywhere.
    uploaded(&app, &minh, "roads", 5, form(png(), &[])).await;
    let photo = uploaded(&app, &admin, "model_sites", 1, form(png(), &[])).await;
    let path = format!("/api/photos/{}", photo["id"]);

    let caption = json!({ "caption": "Ảnh của Minh" });
    refusal(app.as_user(Method::PATCH, &path, &minh).json(&caption).send().await.unwrap(), 403).await;
    refusal(app.as_user(Method::DELETE, &path, &minh).send().await.unwrap(), 403).await;
    refusal(app.client.delete(app.url(&path)).send().await.unwrap(), 401).await;
    refusal(app.as_user(Method::DELETE, &path, &forged).send().await.unwrap(), 403).await;

    let changed =
        app.as_user(Method::PATCH, &path, &lan).json(&json!({ "caption": " Rau sạch " })).send().await.unwrap();
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["caption"], "Rau sạch");
    let removed = app.as_user(Method::PATCH, &path, &lan).json(&json!({ "caption": null })).send().await.unwrap();
    assert_eq!(removed.json::<Value>().await.unwrap()["caption"], Value::Null);
    let long = json!({ "caption": "a".repeat(501) });
    let body = refusal(app.as_user(Method::PATCH, &path, &lan).json(&long).send().await.unwrap(), 422).await;
    assert_eq!(body["detail"]["field"], "caption");
    let body =
        refusal(app.as_user(Method::PATCH, &path, &lan).json(&json!({ "width": 10 })).send().await.unwrap(), 422).await;
    assert_eq!(body["detail"]["field"], "width");

    let deleted = app.as_user(Method::DELETE, &path, &lan).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    refusal(app.get(&path).await, 404).await;
    refusal(app.as_user(Method::DELETE, &path, &lan).send().await.unwrap(), 404).await;

    let audit = app.get_json("/api/audit?commune=99001").await;
    let actions: Vec<(&str, &str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["layer"] == "photos")
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap(), e["feature_id"].as_str().unwrap()))
        .collect();
    let id = photo["id"].to_string();
    assert_eq!(
        actions,
        vec![
            ("delete", "lan", id.as_str()),
            ("update", "lan", id.as_str()),
            ("update", "lan", id.as_str()),
            ("insert", "admin", id.as_str())
        ]
    );
    assert_eq!(audit[0]["before"]["caption"], Value::Null);
}

#[tokio::test]
async fn photos_of_an_unpublished_commune_are_hidden_from_anonymous_readers_like_missing_ones() {
    let (app, lan) = app_with_editor().await;
    let photo = uploaded(
        &app,
        &lan,
        "model_sites",
        1,
        form(encoded(&DynamicImage::ImageRgb8(quadrants(40, 40)), ImageFormat::Png), &[]),
    )
    .await;
    let id = photo["id"].as_i64().unwrap();
    assert!(kheo::store::communes::set_published(&app.pool, "99001", false).await.unwrap());

    for path in [photos_path("model_sites", 1), format!("/api/photos/{id}"), format!("/api/photos/{id}/thumb")] {
        let hidden = refusal(app.get(&path).await, 404).await;
        let missing_path = path.replace(&id.to_string(), "987654").replace("features/1/", "features/987654/");
        let missing = refusal(app.get(&missing_path).await, 404).await;
        assert_eq!(
            hidden["error"].as_str().unwrap().replace(&id.to_string(), "N").replace("feature 1 ", "feature N "),
            missing["error"].as_str().unwrap().replace("987654", "N"),
            "{path} answers as if there were no such photo"
        );
        // Signed in, the editor sees it.
        let seen = app.as_user(Method::GET, &path, &lan).send().await.unwrap();
        assert_eq!(seen.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn wrong_layers_features_and_photo_ids_are_404() {
    let (app, lan) = app_with_editor().await;
    let png = || encoded(&DynamicImage::ImageRgb8(quadrants(40, 40)), ImageFormat::Png);
    for path in [
        photos_path("groups", 1),
        photos_path("communes", "99001"),
        photos_path("nowhere", 1),
        photos_path("roads", 999),
        photos_path("roads", "abc"),
    ] {
        refusal(app.get(&path).await, 404).await;
        let post = app.as_user(Method::POST, &path, &lan).multipart(form(png(), &[])).send().await.unwrap();
        refusal(post, 404).await;
    }
    for path in ["/api/photos/999", "/api/photos/abc", "/api/photos/999/thumb", "/api/photos/-1"] {
        refusal(app.get(path).await, 404).await;
    }
    refusal(
        app.as_user(Method::PATCH, "/api/photos/999", &lan).json(&json!({ "caption": "x" })).send().await.unwrap(),
        404,
    )
    .await;
    assert_eq!(photo_count(&app).await, 0);
}

/// `png` with the width and height of its header replaced (and its CRC fixed): a few
/// bytes that declare any number of pixels.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut png = encoded(&DynamicImage::ImageRgb8(RgbImage::new(1, 1)), ImageFormat::Png);
    assert_eq!(&png[12..16], b"IHDR");
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A small JPEG whose frame header (SOF0) declares `width` x `height`.
fn jpeg_declaring(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = encoded(&DynamicImage::ImageRgb8(quadrants(16, 16)), ImageFormat::Jpeg);
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline JPEG has SOF0");
    // FF C0, length (2), precision (1), height (2), width (2).
    jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}

#[test]
fn the_crc_is_pngs() {
    // The CRC of the IHDR chunk of a real 1 x 1 PNG is the one its encoder wrote.
    let png = encoded(&DynamicImage::ImageRgb8(RgbImage::new(1, 1)), ImageFormat::Png);
    assert_eq!(crc32(&png[12..29]).to_be_bytes(), png[29..33]);
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926, "the standard check value");
}

#[tokio::test]
async fn decompression_bombs_are_refused_from_their_header_fast_and_without_memory() {
    let (app, lan) = app_with_editor().await;
    app.add_user("bao", "editor", &["99001"]).await;
    let server = ServerProcess::start(&app, &[]);
    let client = reqwest::Client::new();
    let bao = app.sign_in("bao").await;
    let post = |bytes: Vec<u8>| {
        client
            .post(server.url(&photos_path("model_sites", 1)))
            .header("cookie", &bao.cookie)
            .header("x-csrf-token", &bao.csrf)
            .multipart(form(bytes, &[]))
            .send()
    };
    // A first small photo, so that the peak below is that of a server that has served one.
    assert_eq!(
        post(encoded(&DynamicImage::ImageRgb8(quadrants(40, 40)), ImageFormat::Png)).await.unwrap().status(),
        201
    );
    let before = server.peak_rss_kib();

    let cases: [(Vec<u8>, &str, u64, u64); 4] = [
        (png_declaring(50_000, 50_000), "too_wide", 50_000, 50_000),
        (png_declaring(10_000, 10_000), "too_many_pixels", 10_000, 10_000),
        (jpeg_declaring(65_000, 65_000), "too_wide", 65_000, 65_000),
        (jpeg_declaring(11_000, 11_000), "too_many_pixels", 11_000, 11_000),
    ];
    for (bytes, code, width, height) in cases {
        assert!(bytes.len() < 2000, "a bomb of {} bytes", bytes.len());
        let started = Instant::now();
        let body = refusal(post(bytes).await.unwrap(), 422).await;
        assert!(started.elapsed() < Duration::from_secs(3), "refused in {:?}", started.elapsed());
        assert_eq!(body["detail"]["code"], code, "{body}");
        assert_eq!(body["detail"]["field"], "file");
        assert_eq!((body["detail"]["width"].as_u64(), body["detail"]["height"].as_u64()), (Some(width), Some(height)));
        let message = body["error"].as_str().unwrap();
        assert!(message.contains(&format!("{width} × {height}")), "{message}");
    }
    let grown = server.peak_rss_kib().saturating_sub(before);
    // Decoding the smallest of them would take 10,000 x 10,000 x 3 bytes = 286 MiB.
    assert!(grown < 20 * 1024, "the peak grew by {grown} KiB");
    assert_eq!(photo_count(&app).await, 1);
    drop(lan);
}

#[tokio::test]
async fn files_that_are_not_photos_or_are_damaged_or_too_large_get_a_clear_4xx() {
    let (app, lan) = app_with_editor().await;
    let post = |bytes: Vec<u8>| upload(&app, &lan, "model_sites", 1, form(bytes, &[]));

    let body = refusal(post(b"Ten,Lat,Lon\nA,19.2,105.7\n".to_vec()).await, 415).await;
    assert_eq!(body["detail"]["code"], "not_an_image");
    // A 1 x 1 GIF.
    let gif =
        b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;"
            .to_vec();
    let body = refusal(post(gif).await, 415).await;
    assert_eq!(
        (body["detail"]["code"].as_str(), body["detail"]["format"].as_str()),
        (Some("unsupported_format"), Some("GIF"))
    );
    // The first bytes of an iPhone's HEIC photo.
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0".to_vec();
    let body = refusal(post(heic).await, 415).await;
    assert!(body["error"].as_str().unwrap().contains("HEIC"), "{body}");
    refusal(post(Vec::new()).await, 415).await;

    let jpeg = encoded(&DynamicImage::ImageRgb8(quadrants(600, 400)), ImageFormat::Jpeg);
    let body = refusal(post(jpeg[..jpeg.len() / 2].to_vec()).await, 422).await;
    assert_eq!(body["detail"]["code"], "damaged", "a JPEG cut in half: {body}");
    let png = encoded(&DynamicImage::ImageRgb8(quadrants(600, 400)), ImageFormat::Png);
    let body = refusal(post(png[..png.len() - 100].to_vec()).await, 422).await;
    assert_eq!(body["detail"]["code"], "damaged", "a PNG cut short: {body}");
    let body = refusal(post(jpeg[..200].to_vec()).await, 422).await;
    assert_eq!(body["detail"]["code"], "damaged", "a JPEG cut in its header: {body}");

    // 10 MiB is the default limit: one byte more is 413, before anything is decoded.
    let mut too_big = jpeg.clone();
    too_big.resize(10 * 1024 * 1024 + 1, 0);
    let body = refusal(post(too_big).await, 413).await;
    assert_eq!(body["detail"]["field"], "file");
    assert!(body["error"].as_str().unwrap().contains("10 MiB"), "{body}");

    // The form itself.
    let two = form(jpeg.clone(), &[]).part("file", Part::bytes(jpeg.clone()));
    assert_eq!(refusal(upload(&app, &lan, "model_sites", 1, two).await, 422).await["detail"]["field"], "file");
    let unknown = form(jpeg.clone(), &[("title", "x")]);
    assert_eq!(refusal(upload(&app, &lan, "model_sites", 1, unknown).await, 422).await["detail"]["field"], "title");
    let bad_flag = form(jpeg.clone(), &[("keep_gps", "maybe")]);
    assert_eq!(refusal(upload(&app, &lan, "model_sites", 1, bad_flag).await, 422).await["detail"]["field"], "keep_gps");
    let long = form(jpeg.clone(), &[("caption", &"ả".repeat(501))]);
    assert_eq!(refusal(upload(&app, &lan, "model_sites", 1, long).await, 422).await["detail"]["field"], "caption");
    let no_file = Form::new().text("caption", "x");
    assert_eq!(refusal(upload(&app, &lan, "model_sites", 1, no_file).await, 422).await["detail"]["field"], "file");
    let not_a_form = app.as_user(Method::POST, &photos_path("model_sites", 1), &lan).body(jpeg).send().await.unwrap();
    refusal(not_a_form, 400).await;
    assert_eq!(photo_count(&app).await, 0);
}

#[tokio::test]
async fn a_deleted_feature_takes_its_photos_along_and_every_work_table_does_so() {
    let (app, lan) = app_with_editor().await;
    let png = || encoded(&DynamicImage::ImageRgb8(quadrants(40, 40)), ImageFormat::Png);
    let photo = uploaded(&app, &lan, "model_sites", 1, form(png(), &[])).await;
    uploaded(&app, &lan, "model_sites", 2, form(png(), &[])).await;

    let site = app.get("/api/layers/model_sites/features/1").await;
    let version = site.headers()["etag"].to_str().unwrap().to_string();
    let deleted = app
        .as_user(Method::DELETE, "/api/layers/model_sites/features/1", &lan)
        .header("if-match", version)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    refusal(app.get(photo["url"].as_str().unwrap()).await, 404).await;
    refusal(app.get(&photos_path("model_sites", 1)).await, 404).await;
    assert_eq!(photo_count(&app).await, 1, "the other site keeps its photo");

    // Every work layer's table has the trigger that does it (a new layer needs one too).
    for layer in kheo::layers::LAYERS.iter().filter(|l| kheo::photos::takes_photos(l)) {
        let found: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                             WHERE t.tgrelid = $1::regclass AND p.proname = 'photo_delete_with_feature'
                               AND encode(t.tgargs, 'escape') = $2 || '\\000')",
        )
        .bind(layer.table)
        .bind(layer.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert!(found, "{} has no trigger deleting the photos of its features", layer.table);
    }
}

/// A JPEG of about 9.5 MB: 24 megapixels of gradients with deterministic noise, which
/// compresses like a detailed photo.
fn heavy_jpeg() -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let image = RgbImage::from_fn(6000, 4000, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state % 40) as u8;
        Rgb([(x / 24) as u8 ^ noise, (y / 16) as u8 ^ noise, ((x + y) / 40) as u8 ^ noise])
    });
    let mut out = Cursor::new(Vec::new());
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
    DynamicImage::ImageRgb8(image).write_with_encoder(encoder).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn eight_clients_uploading_big_photos_at_once_get_a_503_beyond_the_decode_slots_and_memory_stays_bounded() {
    let (app, _) = app_with_editor().await;
    app.add_user("chi", "editor", &["99001"]).await;
    let chi = app.sign_in("chi").await;
    let server = ServerProcess::start(&app, &[("KHEO_PHOTO_DECODES", "2")]);
    let photo = heavy_jpeg();
    assert!((8_000_000..=10 * 1024 * 1024).contains(&photo.len()), "the photo is {} bytes", photo.len());
    let client = reqwest::Client::new();
    let post = || {
        client
            .post(server.url(&photos_path("model_sites", 1)))
            .header("cookie", &chi.cookie)
            .header("x-csrf-token", &chi.csrf)
            .multipart(form(photo.clone(), &[]))
            .send()
    };
    let idle = server.peak_rss_kib();

    let answers = futures_util::future::join_all((0..8).map(|_| post())).await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.as_ref().unwrap().status().as_u16()).collect();
    let stored = statuses.iter().filter(|s| **s == 201).count();
    let busy = statuses.iter().filter(|s| **s == 503).count();
    assert_eq!(stored + busy, 8, "{statuses:?}");
    assert!((1..=7).contains(&busy), "two decode slots for eight photos at once: {statuses:?}");
    for answer in answers.into_iter().map(Result::unwrap).filter(|a| a.status() == 503) {
        assert_eq!(answer.headers()["retry-after"], "2");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["detail"]["retry_after_s"], 2);
    }
    // A client that waits as told gets its photo in.
    let mut waited = false;
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_secs(2)).await;
        if post().await.unwrap().status() == 201 {
            waited = true;
            break;
        }
    }
    assert!(waited, "the photo went in after waiting");
    assert_eq!(photo_count(&app).await, stored as i64 + 1);

    let peak = server.peak_rss_kib();
    eprintln!(
        "photos: 8 clients x {:.1} MB JPEG (6000 x 4000) at once, 2 decode slots: server peak RSS {} MiB (idle {} MiB), {busy} answered 503",
        photo.len() as f64 / 1e6,
        peak / 1024,
        idle / 1024
    );
    // Eight bodies held at once (80 MiB, twice while they are read) and two decodes of
    // 24 megapixels (69 MiB each, plus the scaling): far below what eight decodes at once
    // would take (8 x 69 MiB for the pixels alone).
    assert!(peak < idle + 450 * 1024, "peak RSS {peak} KiB, idle {idle} KiB");
}

/// Every photo column of a database, the bytes as their SHA-256, in id order.
async fn photo_rows(pool: &sqlx::PgPool) -> Vec<Value> {
    sqlx::query_scalar(
        "SELECT jsonb_build_object('id', id, 'layer', layer, 'feature_id', feature_id, 'commune', commune_code,
                'content_type', content_type, 'image', encode(sha256(image), 'hex'),
                'image_sha256', encode(image_sha256, 'hex'), 'thumbnail', encode(sha256(thumbnail), 'hex'),
                'size', ARRAY[width, height, thumb_width, thumb_height], 'caption', caption, 'taken_on', taken_on,
                'position', ST_AsEWKT(position), 'created_by', created_by, 'created_at', created_at,
                'updated_at', updated_at)
           FROM photo ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_dump_with_photos_restores_them_byte_for_byte_and_a_second_restore_changes_nothing() {
    let (app, lan) = app_with_editor().await;
    let png = encoded(&DynamicImage::ImageRgb8(quadrants(300, 200)), ImageFormat::Png);
    let first = uploaded(&app, &lan, "model_sites", 1, form(png, &[("caption", "Vườn rau")])).await;
    uploaded(&app, &lan, "roads", 2, form(fixture("rotated-gps.jpg"), &[("keep_gps", "true")])).await;
    app.add_user("minh", "editor", &["99002"]).await;
    let minh = app.sign_in("minh").await;
    uploaded(&app, &minh, "roads", 5, form(fixture("rotated-gps.jpg"), &[])).await;
    let (_, first_bytes) = bytes_of(&app, first["url"].as_str().unwrap()).await;

    let dump = kheo::dump::export_commune(&app.pool, "99001").await.unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(&dump)).unwrap();
    let mut names: Vec<String> =
        zip.file_names().map(|n| n.unwrap().to_string()).filter(|n| n.starts_with("photos")).collect();
    names.sort();
    let id = first["id"].as_i64().unwrap();
    assert_eq!(names.len(), 5, "two photos, two thumbnails and the list: {names:?}");
    assert!(names.contains(&format!("photos/{id}.png")), "{names:?}");
    let mut inside = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name(&format!("photos/{id}.png")).unwrap(), &mut inside).unwrap();
    assert_eq!(inside, first_bytes, "the stored bytes, unchanged");

    // Into an empty database: the same rows, bytes included.
    let empty = fresh_database().await;
    let report = kheo::dump::import_dump(&empty, &dump).await.unwrap();
    let photos = report.photos.expect("the dump has photos");
    assert_eq!((photos.inserted, photos.updated, photos.deleted), (2, 0, 0));
    let original: Vec<Value> = photo_rows(&app.pool).await.into_iter().filter(|r| r["commune"] == "99001").collect();
    assert_eq!(photo_rows(&empty).await, original);
    assert!(original.iter().all(|r| r["image"] == r["image_sha256"]));

    let again = kheo::dump::import_dump(&empty, &dump).await.unwrap();
    assert_eq!(again.photos, Some(Default::default()));
    assert!(!again.changed(), "{again:?}");
    assert_eq!(photo_rows(&empty).await, original);

    // Over the original: a photo added since is removed, a caption changed is put back.
    let extra = uploaded(&app, &lan, "model_sites", 2, form(fixture("rotated-gps.jpg"), &[])).await;
    sqlx::query("UPDATE photo SET caption = 'đổi' WHERE id = $1").bind(id).execute(&app.pool).await.unwrap();
    let report = kheo::dump::import_dump(&app.pool, &dump).await.unwrap();
    let photos = report.photos.unwrap();
    assert_eq!((photos.inserted, photos.updated, photos.deleted), (0, 1, 1));
    assert!(photo_rows(&app.pool).await.iter().all(|r| r["id"] != extra["id"]));
    assert_eq!(
        photo_rows(&app.pool).await.into_iter().filter(|r| r["commune"] == "99001").collect::<Vec<_>>(),
        original
    );
    // New photos of the restored database get ids above the restored ones.
    let next: i64 =
        sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('photo', 'id'))").fetch_one(&empty).await.unwrap();
    let highest = original.iter().map(|r| r["id"].as_i64().unwrap()).max().unwrap();
    assert!(next > highest, "next id {next}, restored up to {highest}");
}

/// `dump` with its entries rewritten by `change` (name, bytes) -> Some(new bytes) or None to drop.
fn rewritten(dump: &[u8], change: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut source = zip::ZipArchive::new(Cursor::new(dump)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..source.len() {
        let mut entry = source.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if let Some(bytes) = change(&name, bytes) {
            out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            out.write_all(&bytes).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

#[tokio::test]
async fn older_dumps_without_photos_still_restore_and_tampered_photos_are_refused() {
    let (app, lan) = app_with_editor().await;
    let photo = uploaded(&app, &lan, "model_sites", 1, form(fixture("rotated-gps.jpg"), &[])).await;
    let dump = kheo::dump::export_commune(&app.pool, "99001").await.unwrap();
    let id = photo["id"].as_i64().unwrap();

    // As kheo wrote dumps before photos: no photos in the manifest, no photo files.
    let older = rewritten(&dump, |name, bytes| match name {
        "kheo-dump.json" => {
            let mut manifest: Value = serde_json::from_slice(&bytes).unwrap();
            manifest.as_object_mut().unwrap().remove("photos");
            Some(serde_json::to_vec(&manifest).unwrap())
        }
        n if n.starts_with("photos") => None,
        _ => Some(bytes),
    });
    let empty = fresh_database().await;
    let report = kheo::dump::import_dump(&empty, &older).await.unwrap();
    assert_eq!(report.photos, None);
    assert_eq!(report.layers.iter().find(|l| l.layer == "model_sites").unwrap().counts.inserted, 2);
    // Over the commune that has photos, an older dump leaves them alone.
    let report = kheo::dump::import_dump(&app.pool, &older).await.unwrap();
    assert!(!report.changed());
    assert_eq!(photo_count(&app).await, 1);

    let error = |bytes: Vec<u8>| async move {
        let pool = fresh_database().await;
        let message = format!("{:#}", kheo::dump::import_dump(&pool, &bytes).await.unwrap_err());
        let photos: i64 = sqlx::query_scalar("SELECT count(*) FROM photo").fetch_one(&pool).await.unwrap();
        assert_eq!(photos, 0, "nothing written: {message}");
        let communes: i64 = sqlx::query_scalar("SELECT count(*) FROM commune").fetch_one(&pool).await.unwrap();
        assert_eq!(communes, 0, "nothing written: {message}");
        message
    };
    let image_file = format!("photos/{id}.jpg");
    let tampered = rewritten(&dump, |name, mut bytes| {
        if name == image_file {
            let last = bytes.len() - 3;
            bytes[last] ^= 0x55;
        }
        Some(bytes)
    });
    let message = error(tampered).await;
    assert!(message.contains(&image_file) && message.contains("SHA-256"), "{message}");

    let missing = rewritten(&dump, |name, bytes| (name != image_file).then_some(bytes));
    let message = error(missing).await;
    assert!(message.contains(&image_file), "{message}");

    // A photo of a feature the dump does not hold.
    let orphan = rewritten(&dump, |name, bytes| {
        if name != "photos.json" {
            return Some(bytes);
        }
        let mut list: Value = serde_json::from_slice(&bytes).unwrap();
        list[0]["feature_id"] = json!(777);
        Some(serde_json::to_vec(&list).unwrap())
    });
    let message = error(orphan).await;
    assert!(message.contains("feature 777"), "{message}");
}

#[tokio::test]
async fn a_dump_whose_photo_unpacks_past_its_budget_is_refused_while_reading() {
    use std::io::Write;
    let (app, lan) = app_with_editor().await;
    let photo = uploaded(&app, &lan, "model_sites", 1, form(fixture("rotated-gps.jpg"), &[])).await;
    let dump = kheo::dump::export_commune(&app.pool, "99001").await.unwrap();
    let image_file = format!("photos/{}.jpg", photo["id"]);
    // The photo replaced by 80 MiB of zeros, deflated to some 80 KB.
    let mut source = zip::ZipArchive::new(Cursor::new(&dump)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..source.len() {
        let mut entry = source.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        out.start_file(name.as_str(), deflated).unwrap();
        if name == image_file {
            let block = vec![0u8; 1024 * 1024];
            for _ in 0..80 {
                out.write_all(&block).unwrap();
            }
        } else {
            std::io::copy(&mut entry, &mut out).unwrap();
        }
    }
    let bomb = out.finish().unwrap().into_inner();
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    let pool = fresh_database().await;
    let message = format!("{:#}", kheo::dump::import_dump(&pool, &bomb).await.unwrap_err());
    assert!(message.contains(&image_file) && message.contains("unpacks to more than"), "{message}");
}

#[tokio::test]
async fn a_communes_photos_of_a_layer_are_listed_with_their_features_names() {
    let (app, lan) = app_with_editor().await;
    let png = || encoded(&DynamicImage::ImageRgb8(quadrants(40, 40)), ImageFormat::Png);
    let first = uploaded(&app, &lan, "model_sites", 2, form(png(), &[("caption", "An ninh")])).await;
    let second = uploaded(&app, &lan, "model_sites", 1, form(png(), &[])).await;
    let third = uploaded(&app, &lan, "model_sites", 1, form(png(), &[])).await;
    uploaded(&app, &lan, "roads", 1, form(png(), &[])).await;

    // By feature, then oldest first; the roads' photo is not a model site's.
    let listed = app.get_json("/api/photos?commune=99001&layer=model_sites").await;
    let rows: Vec<(i64, i64, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_i64().unwrap(), p["feature_id"].as_i64().unwrap(), p["feature_name"].as_str().unwrap()))
        .collect();
    let id = |p: &Value| p["id"].as_i64().unwrap();
    assert_eq!(
        rows,
        vec![
            (id(&second), 1, "Tổ hợp tác rau sạch"),
            (id(&third), 1, "Tổ hợp tác rau sạch"),
            (id(&first), 2, "Tổ an ninh tự quản")
        ]
    );
    assert_eq!(listed[2]["caption"], "An ninh");
    assert_eq!(listed[2]["thumb_url"], format!("/api/photos/{}/thumb", id(&first)));
    assert_eq!(app.get_json("/api/photos?commune=99002&layer=model_sites").await, json!([]));

    for (query, parameter) in [
        ("?layer=model_sites", "commune"),
        ("?commune=99001", "layer"),
        ("?commune=99001&layer=groups", "layer"),
        ("?commune=99001&layer=model_sites&limit=5", "limit"),
    ] {
        let body = refusal(app.get(&format!("/api/photos{query}")).await, 400).await;
        assert_eq!(body["detail"]["parameter"], parameter, "{query}: {body}");
    }
    refusal(app.get("/api/photos?commune=00000&layer=model_sites").await, 404).await;
    // An unpublished commune's photos are hidden from visitors, not from its editor.
    assert!(kheo::store::communes::set_published(&app.pool, "99001", false).await.unwrap());
    refusal(app.get("/api/photos?commune=99001&layer=model_sites").await, 404).await;
    let seen = app.as_user(Method::GET, "/api/photos?commune=99001&layer=model_sites", &lan).send().await.unwrap();
    assert_eq!(seen.status(), 200);
}
