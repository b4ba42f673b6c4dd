//! The council report (`GET /api/report`): on the demo ward, the DOCX's and the PDF's text
//! read back (word/document.xml; `pdftotext` from poppler-utils) carries the figures of
//! `/api/coverage` and `/api/worklist`, written the Vietnamese way by a formatter of the
//! test's own; the map is there at 300 dpi; the 4xx cases.

use crate::helpers::{TestApp, spawn_app};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;
use std::process::Command;

const AS_OF: &str = "2025-12-31";

/// A figure written the Vietnamese way, independently of kheo's formatter: rounded half
/// away from zero to `decimals`, `.` between thousands, `,` before the decimals.
fn vi(value: f64, decimals: u32) -> String {
    let factor = 10f64.powi(decimals as i32);
    let scaled = (value.abs() * factor).round() as u128;
    let whole = (scaled / factor as u128).to_string();
    let mut grouped: Vec<char> = Vec::new();
    for (i, c) in whole.chars().rev().enumerate() {
        if i > 0 && i % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let mut out: String = grouped.into_iter().rev().collect();
    if decimals > 0 {
        let fraction = scaled % factor as u128;
        out.push(',');
        out.push_str(&format!("{fraction:0width$}", width = decimals as usize));
    }
    if value < 0.0 && scaled > 0 { format!("-{out}") } else { out }
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Non-breaking spaces as plain ones, for comparing text read back.
fn plain(text: &str) -> String {
    text.replace('\u{a0}', " ")
}

async fn download(app: &TestApp, query: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let response = app.get(&format!("/api/report?{query}")).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap().to_vec();
    assert_eq!(status, 200, "{query}: {}", String::from_utf8_lossy(&body[..body.len().min(500)]));
    (headers, body)
}

/// The entries of a zip.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the DOCX is a zip");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (entry.name().expect("a zip entry name").to_string(), data)
        })
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// The text of an XML fragment: the contents of its `<w:t>` elements.
fn text_of(xml: &str) -> String {
    let mut out = String::new();
    for piece in xml.split("<w:t").skip(1) {
        // `<w:t>` or `<w:t xml:space="preserve">`, not `<w:tbl>`, `<w:tc>`...
        if !(piece.starts_with('>') || piece.starts_with(' ')) {
            continue;
        }
        if let Some((_, rest)) = piece.split_once('>')
            && let Some((content, _)) = rest.split_once("</w:t>")
        {
            out.push_str(&unescape(content));
        }
    }
    out
}

/// The rows of every table of a DOCX body, each a list of cell texts.
fn docx_rows(xml: &str) -> Vec<Vec<String>> {
    xml.split("</w:tr>")
        .filter_map(|row| row.split_once("<w:tr").map(|(_, r)| r))
        .map(|row| row.split("</w:tc>").filter(|c| c.contains("<w:tc")).map(|c| plain(&text_of(c))).collect())
        .collect()
}

/// The cell under `header` in the row whose first cell is `first`, in the first table that
/// has such a header and such a row.
fn cell(rows: &[Vec<String>], header: &str, first: &str) -> String {
    let mut columns: Option<usize> = None;
    for row in rows {
        if let Some(i) = row.iter().position(|c| c == header) {
            columns = Some(i);
            continue;
        }
        if let Some(i) = columns
            && row.first().map(String::as_str) == Some(first)
        {
            return row.get(i).cloned().unwrap_or_default();
        }
    }
    panic!("no row `{first}` under `{header}` in {rows:?}")
}

fn group_short(name: &str) -> String {
    name.replace("Tổ dân phố ", "TDP ")
}

/// `tool args...` from poppler-utils, which the tests need (./dev test installs it).
fn poppler(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("`{tool}` is missing ({e}): install poppler-utils (apt-get install poppler-utils, or ./dev deps --test)")
    });
    assert!(output.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8 from poppler")
}

/// Width, height and pixels per metre of a PNG, from its IHDR and pHYs chunks.
fn png_size(png: &[u8]) -> (u32, u32, Option<u32>) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    let dpm = png.windows(4).position(|w| w == b"pHYs").map(|at| be(at + 4));
    (be(16), be(20), dpm)
}

#[tokio::test]
async fn the_demo_wards_report_carries_the_apis_figures_in_word_and_pdf() {
    let app = spawn_app().await;
    kheo::demo::load(&app.pool, None).await.unwrap();
    let coverage = app.get_json(&format!("/api/coverage?commune=17131&as_of={AS_OF}")).await;
    let worklist = app.get_json(&format!("/api/worklist?commune=17131&as_of={AS_OF}")).await;
    let ward = &coverage["commune"];

    // ---- DOCX ----
    let (headers, docx) = download(&app, &format!("commune=17131&as_of={AS_OF}")).await;
    assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert_eq!(headers["content-disposition"], "attachment; filename=\"bao-cao-17131-2025-12-31.docx\"");
    let tag = headers["etag"].to_str().unwrap().to_string();
    let again =
        app.client.get(app.url(&format!("/api/report?commune=17131&as_of={AS_OF}"))).header("if-none-match", &tag);
    assert_eq!(again.send().await.unwrap().status(), 304);

    let entries = unzip(&docx);
    let xml = String::from_utf8(entries.iter().find(|(n, _)| n == "word/document.xml").unwrap().1.clone()).unwrap();
    let text = plain(&text_of(&xml));
    for expected in [
        "ỦY BAN NHÂN DÂN",
        "PHƯỜNG QUỲNH XUÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Quỳnh Xuân, ngày 31 tháng 12 năm 2025",
        "BÁO CÁO",
        "/BC-UBND",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        "NGƯỜI LẬP",
    ] {
        assert!(text.contains(expected), "the DOCX lacks {expected:?}");
    }
    let styles = String::from_utf8(entries.iter().find(|(n, _)| n == "word/styles.xml").unwrap().1.clone()).unwrap();
    assert!(styles.contains("w:ascii=\"Times New Roman\""), "the DOCX names its font");

    // The headline figures against their targets.
    let rows = docx_rows(&xml);
    let concrete = format!("{} %", vi(f(&ward["concrete_pct"]), 1));
    assert_eq!(cell(&rows, "Kết quả", "Tỷ lệ bê tông"), concrete);
    assert_eq!(
        cell(&rows, "Mục tiêu", "Tỷ lệ bê tông"),
        format!("{} %", vi(f(&ward["targets"]["concrete_pct"]["target"]), 1))
    );
    let met = if ward["targets"]["concrete_pct"]["met"] == true { "Đạt" } else { "Chưa đạt" };
    assert_eq!(cell(&rows, "Đánh giá", "Tỷ lệ bê tông"), met);
    for (title, id) in [
        ("Tỷ lệ cứng hóa", "hardened_pct"),
        ("Tỷ lệ chiếu sáng", "lit_pct"),
        ("Tỷ lệ có rãnh thoát nước", "drained_pct"),
    ] {
        assert_eq!(cell(&rows, "Kết quả", title), format!("{} %", vi(f(&ward[id]), 1)), "{id}");
    }
    assert_eq!(cell(&rows, "Kết quả", "Đường được tính"), format!("{} km", vi(f(&ward["road_m"]) / 1000.0, 2)));
    assert_eq!(cell(&rows, "Kết quả", "Đường hoa"), format!("{} km", vi(f(&ward["flower_m"]) / 1000.0, 2)));
    assert_eq!(cell(&rows, "Kết quả", "Mô hình Dân vận khéo"), vi(f(&ward["model_sites"]["total"]), 0));
    assert_eq!(cell(&rows, "Kết quả", "Nhân dân đóng góp"), format!("{} đồng", vi(f(&ward["people_vnd"]), 0)));
    assert_eq!(cell(&rows, "Kết quả", "Ngày công"), vi(f(&ward["workdays"]), 1));

    // Each group: its concrete share, km left and model sites; its work list.
    let groups = coverage["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 14);
    for g in groups {
        let name = group_short(g["name"].as_str().unwrap());
        assert_eq!(cell(&rows, "Bê tông (%)", &name), vi(f(&g["concrete_pct"]), 1), "{name}");
        assert_eq!(cell(&rows, "Còn lại (km)", &name), vi(f(&g["left_m"]) / 1000.0, 2), "{name}");
        assert_eq!(cell(&rows, "Mô hình", &name), vi(f(&g["model_sites"]["total"]), 0), "{name}");
        let work = worklist["groups"].as_array().unwrap().iter().find(|w| w["code"] == g["code"]).unwrap();
        assert_eq!(cell(&rows, "Km còn lại", &name), vi(f(&work["left_m"]) / 1000.0, 2), "{name}");
        assert_eq!(cell(&rows, "Dự toán (đồng)", &name), vi(f(&work["cost_vnd"]), 0), "{name}");
    }
    assert_eq!(cell(&rows, "Bê tông (%)", "Toàn phường"), vi(f(&ward["concrete_pct"]), 1));
    assert_eq!(cell(&rows, "Km còn lại", "Tổng cộng"), vi(f(&worklist["left_m"]) / 1000.0, 2));

    // Models by field: every field's count, in the catalogue's words.
    for (field, title) in [("economy", "Kinh tế"), ("culture_society", "Văn hóa - xã hội")] {
        let n = ward["model_sites"]["by_field"][field].as_f64().unwrap_or(0.0);
        assert_eq!(cell(&rows, "Số mô hình", title), vi(n, 0));
    }
    // The year-by-year progress ends with this year's figures and targets.
    let progress = cell(&rows, "Bê tông (%)", "2025");
    assert_eq!(progress, vi(f(&ward["concrete_pct"]), 1));

    // The map: a PNG 160 mm wide at 300 dpi, placed at its printed size.
    let (_, png) = entries.iter().find(|(n, _)| n.starts_with("word/media/") && n.ends_with(".png")).expect("the map");
    let (width, height, per_metre) = png_size(png);
    assert_eq!(width, (160.0f64 / 25.4 * 300.0).round() as u32, "160 mm at 300 dpi");
    assert_eq!(per_metre, Some((300.0f64 / 0.0254).round() as u32), "300 dpi in pHYs");
    let extent = xml.split("<wp:extent ").nth(1).expect("a drawing's extent");
    let emu = |key: &str| -> f64 {
        extent.split(&format!("{key}=\"")).nth(1).unwrap().split('"').next().unwrap().parse().unwrap()
    };
    assert_eq!(emu("cx"), 160.0 * 36_000.0, "160 mm wide on the page");
    assert!((emu("cy") / 36_000.0 / 25.4 * 300.0 - height as f64).abs() < 1.0, "{height} px tall at 300 dpi");

    // ---- PDF ----
    let (headers, pdf) = download(&app, &format!("commune=17131&as_of={AS_OF}&format=pdf")).await;
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["content-disposition"], "attachment; filename=\"bao-cao-17131-2025-12-31.pdf\"");
    assert_ne!(headers["etag"].to_str().unwrap(), tag, "each format its own tag");
    // Kept for people to look at, as the browser tests keep their screenshots.
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reports");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bao-cao-17131.docx"), &docx).unwrap();
    let file = dir.join("bao-cao-17131.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let path = file.to_str().unwrap();
    let text = plain(&poppler("pdftotext", &["-layout", path, "-"]));
    // Diacritics survive, in every style.
    for expected in [
        "ỦY BAN NHÂN DÂN",
        "PHƯỜNG QUỲNH XUÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Quỳnh Xuân, ngày 31 tháng 12 năm 2025",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        "NGƯỜI LẬP",
        "Kinh tế",
        "Quốc phòng - an ninh",
    ] {
        assert!(text.contains(expected), "the PDF lacks {expected:?}:\n{text}");
    }
    let headline = text.lines().find(|l| l.trim_start().starts_with("Tỷ lệ bê tông ")).expect("the headline row");
    assert!(headline.contains(&concrete) && headline.contains(met), "{headline}");
    // A group's line of the roads table: name, road, concrete (km), concrete (%), left (km).
    for g in groups {
        let name = group_short(g["name"].as_str().unwrap());
        let line = text
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .find(|t| t.len() > 6 && format!("{} {}", t[0], t[1]) == name)
            .unwrap_or_else(|| panic!("no line for {name} in:\n{text}"));
        assert_eq!(line[4], vi(f(&g["concrete_pct"]), 1), "{name}: {line:?}");
        assert_eq!(line[5], vi(f(&g["left_m"]) / 1000.0, 2), "{name}: {line:?}");
    }
    // The map at 300 dpi, and the fonts embedded.
    let images = poppler("pdfimages", &["-list", path]);
    let map = images.lines().nth(2).expect("an image").split_whitespace().collect::<Vec<_>>();
    assert_eq!((map[3], map[4]), (width.to_string().as_str(), height.to_string().as_str()), "{images}");
    let fonts = poppler("pdffonts", &[path]);
    assert!(fonts.lines().skip(2).all(|l| l.contains("LiberationSerif") && l.contains(" yes ")), "{fonts}");

    // ---- English ----
    let (_, english) = download(&app, &format!("commune=17131&as_of={AS_OF}&lang=en")).await;
    let xml =
        String::from_utf8(unzip(&english).into_iter().find(|(n, _)| n == "word/document.xml").unwrap().1).unwrap();
    let rows = docx_rows(&xml);
    assert!(text_of(&xml).contains("SOCIALIST REPUBLIC OF VIETNAM"));
    let english_pct = format!("{:.1}%", (f(&ward["concrete_pct"]) * 10.0).round() / 10.0);
    assert_eq!(cell(&rows, "Result", "Concrete (%)"), english_pct);
}

#[tokio::test]
async fn bad_parameters_are_400_and_unknown_or_hidden_communes_404() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    let check = |query: &'static str, status: u16, parameter: Option<&'static str>| {
        let app = &app;
        async move {
            let response = app.get(&format!("/api/report{query}")).await;
            assert_eq!(response.status(), status, "{query}");
            let body: Value = response.json().await.unwrap();
            assert!(body["error"].is_string(), "{query}: {body}");
            if let Some(parameter) = parameter {
                assert_eq!(body["detail"]["parameter"], parameter, "{query}: {body}");
            }
        }
    };
    check("", 400, Some("commune")).await;
    check("?commune=99001&format=odt", 400, Some("format")).await;
    check("?commune=99001&lang=fr", 400, Some("lang")).await;
    check("?commune=99001&as_of=2025-13-01", 400, Some("as_of")).await;
    check("?commune=99001&as_of=31/12/2025", 400, Some("as_of")).await;
    check("?commune=99001&size=a3", 400, Some("size")).await;
    check("?commune=99001&commune=99002", 400, Some("commune")).await;
    check("?commune=00000", 404, None).await;

    // An unpublished commune is unknown to visitors, and a report for those signed in.
    sqlx::query("UPDATE commune SET published = false WHERE code = '99002'").execute(&app.pool).await.unwrap();
    check("?commune=99002", 404, None).await;
    app.add_user("lan", "editor", &["99001"]).await;
    let session = app.sign_in("lan").await;
    let response =
        app.as_user(reqwest::Method::GET, "/api/report?commune=99002&format=pdf", &session).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.unwrap().starts_with(b"%PDF-"));
}

/// A JPEG of `width` × `height` in two colours, left and right, made here.
fn two_colour_jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, _| {
        image::Rgb(if x < width / 2 { [200, 40, 40] } else { [40, 120, 200] })
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image).write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn a_model_sites_photo_is_in_the_word_and_pdf_report_with_its_caption() {
    let app = spawn_app().await;
    kheo::demo::load(&app.pool, None).await.unwrap();
    let photos: i64 = sqlx::query_scalar("SELECT count(*) FROM photo").fetch_one(&app.pool).await.unwrap();
    assert_eq!(photos, 0, "the demo has no photos: the map is the report's only picture");
    let (before, _) = download(&app, &format!("commune=17131&as_of={AS_OF}")).await;

    // A model site that existed at the report's date, and an editor's photo of it.
    let sites = app.get_json(&format!("/api/layers/model_sites/features?commune=17131&as_of={AS_OF}&limit=1")).await;
    let site = &sites["features"][0];
    let site_id = site["id"].as_i64().expect("a model site");
    let site_name = site["properties"]["name"].as_str().expect("a named site").to_string();
    app.add_user("lan", "editor", &["17131"]).await;
    let session = app.sign_in("lan").await;
    let caption = "Ảnh thử: sân nhà văn hóa sau khi làm xong";
    // 800 × 600: its thumbnail is 360 × 270 (at most 360 px a side, the shape kept).
    let part = reqwest::multipart::Part::bytes(two_colour_jpeg(800, 600)).file_name("anh.jpg");
    let form = reqwest::multipart::Form::new().part("file", part).text("caption", caption);
    let response = app
        .as_user(reqwest::Method::POST, &format!("/api/layers/model_sites/features/{site_id}/photos"), &session)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());

    // ---- DOCX: the map and the photo, its caption and its site ----
    let (headers, docx) = download(&app, &format!("commune=17131&as_of={AS_OF}")).await;
    assert_ne!(headers["etag"], before["etag"], "a new photo is a new report");
    let entries = unzip(&docx);
    let media: Vec<&(String, Vec<u8>)> =
        entries.iter().filter(|(n, _)| n.starts_with("word/media/") && !n.ends_with('/')).collect();
    assert_eq!(media.len(), 2, "the map and the photo: {:?}", media.iter().map(|(n, _)| n).collect::<Vec<_>>());
    let sizes: Vec<(u32, u32)> = media.iter().map(|(_, png)| png_size(png)).map(|(w, h, _)| (w, h)).collect();
    assert!(sizes.contains(&(360, 270)), "the photo's thumbnail, 360 × 270: {sizes:?}");
    let xml = String::from_utf8(entries.iter().find(|(n, _)| n == "word/document.xml").unwrap().1.clone()).unwrap();
    let text = plain(&text_of(&xml));
    assert!(text.contains("HÌNH ẢNH CÁC MÔ HÌNH"), "the photos' section");
    assert!(text.contains(&format!("Ảnh 1. {caption}")), "the caption under the photo:\n{text}");
    assert!(text.contains(&site_name), "the site's name over its photo");
    // The photo printed 70 mm wide (its box) and 52.5 mm high, in EMU (36,000 a millimetre).
    let extents: Vec<(f64, f64)> = xml
        .split("<wp:extent ")
        .skip(1)
        .map(|e| {
            let emu = |key: &str| -> f64 {
                e.split(&format!("{key}=\"")).nth(1).unwrap().split('"').next().unwrap().parse().unwrap()
            };
            (emu("cx"), emu("cy"))
        })
        .collect();
    assert!(extents.contains(&(70.0 * 36_000.0, 52.5 * 36_000.0)), "{extents:?}");

    // ---- PDF: one more image, the caption in the text ----
    let (_, pdf) = download(&app, &format!("commune=17131&as_of={AS_OF}&format=pdf")).await;
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reports");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bao-cao-17131-anh.docx"), &docx).unwrap();
    let file = dir.join("bao-cao-17131-anh.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let path = file.to_str().unwrap();
    let images = poppler("pdfimages", &["-list", path]);
    let listed: Vec<Vec<&str>> = images.lines().skip(2).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(listed.len(), 2, "the map and the photo:\n{images}");
    assert_eq!((listed[1][3], listed[1][4]), ("360", "270"), "{images}");
    let text = plain(&poppler("pdftotext", &[path, "-"]));
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(&format!("Ảnh 1. {caption}")), "the caption in the PDF:\n{text}");
}

/// The cell under `header` in the row that has a cell `name`, in the first table that has
/// such a header and such a row.
fn cell_named(rows: &[Vec<String>], header: &str, name: &str) -> String {
    let mut column: Option<usize> = None;
    for row in rows {
        if let Some(i) = row.iter().position(|c| c == header) {
            column = Some(i);
            continue;
        }
        if let Some(i) = column
            && row.iter().any(|c| c == name)
        {
            return row.get(i).cloned().unwrap_or_default();
        }
    }
    panic!("no row `{name}` under `{header}` in {rows:?}")
}

#[tokio::test]
async fn a_regions_report_gives_its_communes_side_by_side_in_word_and_pdf() {
    let app = spawn_app().await;
    app.load_fixture("three_communes.sql").await;
    let coverage = app.get_json(&format!("/api/coverage?region=ha-tinh-thu&as_of={AS_OF}")).await;
    let region = &coverage["region"];
    let communes = coverage["communes"].as_array().unwrap();
    assert!(communes.len() >= 2, "{coverage}");

    let (headers, docx) = download(&app, &format!("region=ha-tinh-thu&as_of={AS_OF}")).await;
    assert_eq!(headers["content-disposition"], "attachment; filename=\"bao-cao-ha-tinh-thu-2025-12-31.docx\"");
    let tag = headers["etag"].to_str().unwrap().to_string();
    let again =
        app.client.get(app.url(&format!("/api/report?region=ha-tinh-thu&as_of={AS_OF}"))).header("if-none-match", &tag);
    assert_eq!(again.send().await.unwrap().status(), 304);

    let entries = unzip(&docx);
    let xml = String::from_utf8(entries.iter().find(|(n, _)| n == "word/document.xml").unwrap().1.clone()).unwrap();
    let text = plain(&text_of(&xml));
    for expected in [
        "HÀ TĨNH THỬ",
        "BAN DÂN VẬN",
        "/BC-BDV",
        "Hà Tĩnh Thử, ngày 31 tháng 12 năm 2025",
        "TM. BAN DÂN VẬN",
        "NGƯỜI LẬP",
    ] {
        assert!(text.contains(expected), "the DOCX lacks {expected:?}");
    }
    // The map: its communes coloured by their concrete share's class (the page's breaks,
    // 40/60/80/95 %, at the fill's opacity over white paper). The legend shows every class
    // on a swatch of 7 × 3.2 mm (about 3,100 pixels at 300 dpi); each commune covers far
    // more, so a class that some commune has covers more than 50,000 pixels, one that no
    // commune has less than 10,000.
    let media: Vec<&(String, Vec<u8>)> =
        entries.iter().filter(|(n, _)| n.starts_with("word/media/") && !n.ends_with('/')).collect();
    assert_eq!(media.len(), 1, "the map is the region report's one picture");
    let (width, _, per_metre) = png_size(&media[0].1);
    assert_eq!((width, per_metre), (1890, Some(11811)), "160 mm at 300 dpi");
    let map = image::load_from_memory(&media[0].1).unwrap().to_rgb8();
    const CLASSES: [[u8; 3]; 5] =
        [[0xd7, 0x19, 0x1c], [0xfd, 0xae, 0x61], [0xff, 0xff, 0xbf], [0xab, 0xd9, 0xe9], [0x2c, 0x7b, 0xb6]];
    let on_paper = |c: [u8; 3]| c.map(|v| (0.78 * v as f64 + 0.22 * 255.0).round() as i32);
    let pixels_of = |class: usize| {
        let want = on_paper(CLASSES[class]);
        map.pixels().filter(|p| (0..3).all(|i| (p.0[i] as i32 - want[i]).abs() <= 2)).count()
    };
    let class_of = |pct: f64| [40.0, 60.0, 80.0, 95.0].iter().filter(|b| pct >= **b).count();
    let expected: BTreeSet<usize> = communes.iter().map(|c| class_of(f(&c["concrete_pct"]))).collect();
    for class in 0..5 {
        let count = pixels_of(class);
        if expected.contains(&class) {
            assert!(count > 50_000, "class {class}: {count} pixels, but a commune has it");
        } else {
            assert!(count < 10_000, "class {class}: {count} pixels, but no commune has it");
        }
    }
    assert!(text.contains("BẢN ĐỒ KẾT QUẢ"), "the map's section");
    assert!(text.contains("Hình 1. Tỷ lệ bê tông hóa đường giao thông theo xã, phường"), "the map's caption");

    // The totals, as the region's coverage answer gives them.
    let rows = docx_rows(&xml);
    let pct = |v: &Value| vi(f(v), 1);
    assert_eq!(cell(&rows, "Kết quả", "Tỷ lệ bê tông"), format!("{} %", pct(&region["concrete_pct"])));
    assert_eq!(cell(&rows, "Kết quả", "Đường được tính"), format!("{} km", vi(f(&region["road_m"]) / 1000.0, 2)));
    assert_eq!(
        cell(&rows, "Kết quả", "Tỷ lệ xã, phường có mô hình Dân vận khéo"),
        format!("{} %", pct(&region["communes_with_model_pct"])),
        "a share only a region has"
    );
    assert_eq!(cell_named(&rows, "Bê tông (%)", "Toàn tỉnh"), pct(&region["concrete_pct"]));
    assert_eq!(cell(&rows, "Số mô hình", "Tổng cộng"), vi(f(&region["model_sites"]["total"]), 0));

    // Every commune: its figures, ranked by its concrete share, highest first.
    let mut ranked: Vec<&Value> = communes.iter().collect();
    ranked.sort_by(|a, b| f(&b["concrete_pct"]).total_cmp(&f(&a["concrete_pct"])));
    let order: Vec<String> = rows
        .iter()
        .filter(|r| communes.iter().any(|c| r.get(1).map(String::as_str) == c["name"].as_str()))
        .map(|r| r[1].clone())
        .take(communes.len())
        .collect();
    let want: Vec<String> = ranked.iter().map(|c| c["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(order, want, "ranked by the concrete share");
    for c in communes {
        let name = c["name"].as_str().unwrap();
        assert_eq!(cell_named(&rows, "Bê tông (%)", name), pct(&c["concrete_pct"]), "{name}");
        assert_eq!(cell_named(&rows, "Mô hình", name), vi(f(&c["model_sites"]["total"]), 0), "{name}");
        // Behind its own target: in the list of communes behind, with the target.
        let target = &c["targets"]["concrete_pct"];
        if target["met"] == false {
            assert_eq!(cell_named(&rows, "Đánh giá", name), "Chưa đạt", "{name}");
            assert_eq!(cell_named(&rows, "Mục tiêu", name), format!("{} %", pct(&target["target"])), "{name}");
        }
    }

    // The PDF says the same.
    let (headers, pdf) = download(&app, &format!("region=ha-tinh-thu&as_of={AS_OF}&format=pdf")).await;
    assert_eq!(headers["content-type"], "application/pdf");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reports");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bao-cao-ha-tinh-thu.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = plain(&poppler("pdftotext", &["-layout", file.to_str().unwrap(), "-"]));
    assert!(text.contains("BAN DÂN VẬN"), "{text}");
    assert!(text.contains(&format!("{} %", pct(&region["concrete_pct"]))), "{text}");
    for c in communes {
        assert!(text.contains(c["name"].as_str().unwrap()), "the PDF lacks {}", c["name"]);
    }

    // Bad requests.
    for (query, status) in [
        ("?region=khong-co", 404),
        ("?region=ha-tinh-thu&commune=99201", 400),
        ("?region=Hà%20Tĩnh", 400),
        ("?region=ha-tinh-thu&format=odt", 400),
    ] {
        let response = app.get(&format!("/api/report{query}")).await;
        assert_eq!(response.status(), status, "{query}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].is_string(), "{query}: {body}");
    }
}
