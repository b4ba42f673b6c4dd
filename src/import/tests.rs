//! What each reader returns for the fixtures in tests/fixtures/import (how they were made
//! and what they hold: tests/fixtures/import/README.md), and a deterministic mutation test
//! that stands in for fuzzing in CI.

use serde_json::{Value, json};

use super::{Format, ReadError, ReadOptions, Source, SourceGeometry, read};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/import/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read_fixture(name: &str) -> Source {
    read(name, &fixture(name), &ReadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn read_error(name: &str) -> ReadError {
    match read(name, &fixture(name), &ReadOptions::default()) {
        Ok(source) => panic!("{name} was read: {source:?}"),
        Err(e) => e,
    }
}

fn geojson(source: &Source, index: usize) -> &Value {
    match &source.features[index].geometry {
        Some(SourceGeometry::GeoJson(v)) => v,
        other => panic!("feature {index}: {other:?}"),
    }
}

fn prop<'a>(source: &'a Source, index: usize, key: &str) -> &'a str {
    source.features[index].properties[key].as_str().unwrap_or_else(|| panic!("feature {index} property {key}"))
}

#[test]
fn geojson_roads() {
    let s = read_fixture("roads.geojson");
    assert_eq!(s.format, Format::GeoJson);
    assert_eq!(s.crs, None);
    assert_eq!(s.features.len(), 3);
    assert_eq!(s.features[0].id.as_deref(), Some("r1"));
    assert_eq!(s.features[1].id.as_deref(), Some("2"));
    assert_eq!(s.features[2].id, None);
    assert_eq!(
        geojson(&s, 0),
        &json!({"type": "LineString", "coordinates": [[105.700, 19.250], [105.705, 19.252], [105.710, 19.251]]})
    );
    assert_eq!(geojson(&s, 1)["type"], "MultiLineString");
    assert_eq!(geojson(&s, 1)["coordinates"][1][1], json!([105.7045, 19.2455]));
    // Z dropped.
    assert_eq!(geojson(&s, 2), &json!({"type": "Point", "coordinates": [105.7015, 19.2495]}));
    assert_eq!(prop(&s, 0, "name"), "Đường Quỳnh Xuân 1");
    assert_eq!(prop(&s, 0, "surface"), "bê tông");
    assert_eq!(s.features[0].properties["length_m"], json!(1089));
    assert_eq!(prop(&s, 1, "name"), "Ngõ 5 Tổ dân phố Tân Xuân");
    assert!(s.features.iter().enumerate().all(|(i, f)| f.index == i));
}

#[test]
fn geojson_single_feature_bare_geometry_and_crs() {
    let o = ReadOptions::default();
    let s = read("a.geojson", br#"{"type":"Feature","id":7,"properties":null,"geometry":null}"#, &o).unwrap();
    assert_eq!((s.features.len(), s.features[0].id.as_deref()), (1, Some("7")));
    assert!(s.features[0].geometry.is_none() && s.features[0].properties.is_empty());
    let s = read(
        "a.json",
        br#"{"type":"Point","coordinates":[599674.372,2129510.253],"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::9208"}}}"#,
        &o,
    )
    .unwrap();
    assert_eq!(s.crs, Some(9208));
    assert_eq!(geojson(&s, 0)["coordinates"], json!([599674.372, 2129510.253]));
    let crs84 = br#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[105.7,19.25]}}]}"#;
    assert_eq!(read("a.geojson", crs84, &o).unwrap().crs, Some(4326));
    let unknown =
        br#"{"type":"Point","coordinates":[1,2],"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:FOO::1"}}}"#;
    assert_eq!(read("a.geojson", unknown, &o).unwrap_err().code(), "unknown_crs");
    let props = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":[1],"geometry":null}]}"#;
    let e = read("a.geojson", props, &o).unwrap_err();
    assert_eq!(e.code(), "invalid_properties");
    assert!(e.to_string().contains("feature 0"), "{e}");
    let bad_geometry = br#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":"x"}}"#;
    assert_eq!(read("a.geojson", bad_geometry, &o).unwrap_err().code(), "invalid_geojson");
}

#[test]
fn geojson_bad_inputs() {
    let e = read_error("broken.geojson");
    assert_eq!(e.code(), "malformed_json");
    assert!(matches!(e, ReadError::MalformedJson { line: 9, .. }), "{e:?}");
    assert!(e.to_string().contains("line 9, column 3"), "{e}");

    let e = read_error("empty.geojson");
    assert_eq!(e.code(), "empty");

    let e = read_error("duplicate_ids.geojson");
    assert_eq!(e.code(), "duplicate_id");
    assert!(matches!(&e, ReadError::DuplicateId { id, first: 0, second: 2 } if id == "r1"), "{e:?}");
    assert!(e.to_string().contains("features 0 and 2"), "{e}");

    for empty in [&b""[..], b"  \n\t "] {
        assert_eq!(read("x.geojson", empty, &ReadOptions::default()).unwrap_err().code(), "empty");
    }
}

/// Geometry problems are PostGIS's to judge: the reader returns them as written.
#[test]
fn geojson_invalid_geometries_are_passed_through() {
    let s = read_fixture("swapped.geojson");
    assert_eq!(geojson(&s, 0)["coordinates"], json!([19.25, 105.70]));
    let s = read_fixture("unclosed_ring.geojson");
    assert_eq!(geojson(&s, 0)["coordinates"][0].as_array().unwrap().len(), 4);
    let s = read_fixture("self_intersection.geojson");
    assert_eq!(geojson(&s, 0)["coordinates"][0][1], json!([105.702, 19.252]));
    assert_eq!(prop(&s, 0, "name"), "Bãi đỗ xe (nơ)");
}

fn check_kml_roads(s: &Source) {
    assert_eq!(s.crs, Some(4326));
    assert_eq!(s.features.len(), 5);
    assert_eq!(prop(s, 0, "name"), "Đường Quỳnh Xuân 1");
    assert_eq!(prop(s, 0, "description"), "Bê tông hóa <b>2022</b>");
    assert_eq!(prop(s, 0, "surface"), "bê tông");
    assert_eq!(prop(s, 0, "paved_on"), "2022-05-14");
    assert_eq!(prop(s, 0, "folder"), "Đường giao thông / Tổ dân phố Tân Xuân");
    assert_eq!(
        geojson(s, 0),
        &json!({"type": "LineString", "coordinates": [[105.7, 19.25], [105.705, 19.252], [105.71, 19.251]]})
    );
    assert_eq!(prop(s, 1, "surface"), "đất");
    assert!(!s.features[1].properties.contains_key("paved_on"));
    assert_eq!(
        geojson(s, 1),
        &json!({"type": "MultiLineString", "coordinates": [[[105.702, 19.248], [105.703, 19.246]], [[105.703, 19.246], [105.7045, 19.2455]]]})
    );
    assert_eq!(prop(s, 2, "folder"), "Đường giao thông");
    assert_eq!(prop(s, 2, "so_ho"), "120");
    let polygon = geojson(s, 2);
    assert_eq!(polygon["type"], "Polygon");
    assert_eq!(polygon["coordinates"].as_array().unwrap().len(), 2, "outer ring and one hole");
    assert_eq!(polygon["coordinates"][1][0], json!([105.702, 19.252]));
    assert_eq!(geojson(s, 3), &json!({"type": "Point", "coordinates": [105.7015, 19.2495]}));
    assert!(!s.features[3].properties.contains_key("folder"));
    assert_eq!(prop(s, 4, "name"), "Điểm chưa có tọa độ");
    assert!(s.features[4].geometry.is_none());
}

#[test]
fn kml_roads() {
    let s = read_fixture("roads.kml");
    assert_eq!(s.format, Format::Kml);
    check_kml_roads(&s);
}

#[test]
fn kmz_roads() {
    let s = read_fixture("roads.kmz");
    assert_eq!(s.format, Format::Kmz);
    check_kml_roads(&s);
}

#[test]
fn xml_entities_are_refused() {
    let e = read_error("entities.kml");
    assert_eq!(e.code(), "xml_entities");
    assert!(e.to_string().contains("XML entities/DOCTYPE are not accepted"), "{e}");
    let gpx = br#"<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]><gpx version="1.1"/>"#;
    assert_eq!(read("a.gpx", gpx, &ReadOptions::default()).unwrap_err().code(), "xml_entities");
}

#[test]
fn malformed_xml_says_where() {
    let kml = "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n<Placemark><name>Đường</Placemark>\n</Document></kml>";
    let e = read("a.kml", kml.as_bytes(), &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code(), "malformed_xml");
    assert!(e.to_string().contains("line 3"), "{e}");
    let gpx = "<gpx version=\"1.1\">\n<wpt lat=\"19.25\" lon=\"105.7\"><name>a</wpt>\n</gpx>";
    let e = read("a.gpx", gpx.as_bytes(), &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code(), "malformed_xml");
    assert!(e.to_string().contains("line 2"), "{e}");
    // What only the parser sees (a missing attribute) is reported with its position too.
    let gpx = "<gpx version=\"1.1\">\n<wpt lat=\"19.25\"><name>a</name></wpt>\n</gpx>";
    let e = read("a.gpx", gpx.as_bytes(), &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code(), "malformed_xml");
    assert!(e.to_string().contains("line 2"), "{e}");
    // The `kml` crate would loop for ever on a document cut off inside a Placemark.
    let cut = "<kml><Document><Placemark><name>Đường</name><Point><coordinates>105.7,19.25</coordinates></Point>";
    assert_eq!(read("a.kml", cut.as_bytes(), &ReadOptions::default()).unwrap_err().code(), "malformed_xml");
    let deep = format!("<kml>{}{}</kml>", "<Folder>".repeat(500), "</Folder>".repeat(500));
    assert_eq!(read("a.kml", deep.as_bytes(), &ReadOptions::default()).unwrap_err().code(), "malformed_xml");
}

#[test]
fn gpx_walk() {
    let s = read_fixture("walk.gpx");
    assert_eq!((s.format, s.crs, s.features.len()), (Format::Gpx, Some(4326), 4));
    // File order: waypoints, then the route, then the track.
    assert_eq!(geojson(&s, 0), &json!({"type": "Point", "coordinates": [105.7015, 19.2495]}));
    assert_eq!(prop(&s, 0, "name"), "Nhà văn hóa khối Tân Xuân");
    assert_eq!(prop(&s, 0, "description"), "Điểm xuất phát");
    assert_eq!(prop(&s, 0, "type"), "điểm");
    assert_eq!(prop(&s, 0, "time"), "2024-03-02T01:15:00Z", "as the file writes it");
    assert_eq!(prop(&s, 1, "name"), "Cổng chào Quỳnh Xuân");
    assert!(!s.features[1].properties.contains_key("time"));
    assert_eq!(
        geojson(&s, 2),
        &json!({"type": "LineString", "coordinates": [[105.7, 19.25], [105.7025, 19.2505], [105.705, 19.251]]})
    );
    assert_eq!(prop(&s, 2, "type"), "đường hoa");
    let track = geojson(&s, 3);
    assert_eq!(track["type"], "MultiLineString");
    assert_eq!(track["coordinates"].as_array().unwrap().len(), 2);
    assert_eq!(track["coordinates"][1][2], json!([105.7045, 19.2455]));
    assert_eq!(prop(&s, 3, "name"), "Đi bộ kiểm tra đường");
    assert_eq!(prop(&s, 3, "type"), "khảo sát");
    assert!(prop(&s, 3, "time").starts_with("2024-03-02T01:20:00"));
}

#[test]
fn shapefile_vn2000() {
    let s = read_fixture("roads_vn2000.zip");
    assert_eq!((s.format, s.crs, s.features.len()), (Format::Shapefile, Some(9208), 2));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(
        geojson(&s, 0),
        &json!({"type": "LineString", "coordinates": [[599650.0, 2129500.0], [600175.5, 2129720.25], [600700.0, 2129610.0]]})
    );
    assert_eq!(geojson(&s, 1)["type"], "MultiLineString");
    assert_eq!(geojson(&s, 1)["coordinates"][1][1], json!([600100.0, 2129000.0]));
    // The .dbf is Windows-1258 (its .cpg says CP1258).
    assert_eq!(prop(&s, 0, "name"), "Đường Quỳnh Xuân 1");
    assert_eq!(prop(&s, 0, "surface"), "bê tông");
    assert_eq!(prop(&s, 0, "paved_on"), "2022-05-14");
    assert_eq!(s.features[0].properties["width_m"], json!(3.5));
    assert_eq!(prop(&s, 1, "name"), "Ngõ 5 Tổ dân phố Tân Xuân");
    assert_eq!(prop(&s, 1, "surface"), "đất");
    assert_eq!(s.features[1].properties["width_m"], json!(2));
    assert!(!s.features[1].properties.contains_key("paved_on"));
}

#[test]
fn shapefile_without_prj() {
    let s = read_fixture("roads_no_prj.zip");
    assert_eq!((s.crs, s.features.len()), (None, 2));
    assert_eq!(s.warnings, vec!["no .prj: the coordinate system must be given".to_string()]);
    assert_eq!(prop(&s, 1, "name"), "Ngõ 5 Tổ dân phố Tân Xuân");
}

/// Entry names with Vietnamese letters: a name as long in bytes as the .shp's, with a
/// letter across the stem's end, once panicked the reader (it sliced names at byte positions).
#[test]
fn shapefile_next_to_non_ascii_names() {
    let s = read_fixture("non_ascii_names.zip");
    assert_eq!((s.format, s.crs, s.features.len()), (Format::Shapefile, Some(9208), 2));
    assert_eq!(prop(&s, 0, "name"), "Đường Quỳnh Xuân 1");
    assert_eq!(geojson(&s, 1)["coordinates"][1][1], json!([600100.0, 2129000.0]));
    // A Shapefile named in Vietnamese finds its parts too.
    let parts = unzip(&fixture("roads_vn2000.zip"));
    let part = |ext: &str| parts.iter().find(|(name, _)| name.ends_with(ext)).unwrap().1.as_slice();
    let named = rezip(&[
        ("Đường ngõ.shp", part(".shp")),
        ("Đường ngõ.SHX", part(".shx")),
        ("Đường ngõ.dbf", part(".dbf")),
        ("Đường ngõ.prj", part(".prj")),
        ("Đường ngõ.cpg", part(".cpg")),
    ]);
    let s = read("ngõ.zip", &named, &ReadOptions::default()).unwrap();
    assert_eq!((s.crs, s.features.len()), (Some(9208), 2));
    assert_eq!(prop(&s, 1, "name"), "Ngõ 5 Tổ dân phố Tân Xuân");
}

/// The entries of a zip, names and bytes.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (entry.name().unwrap().to_string(), data)
        })
        .collect()
}

/// A zip built in memory from the parts of roads_vn2000.zip.
fn rezip(files: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    for (name, bytes) in files {
        zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

#[test]
fn shapefile_archive_errors() {
    let parts = unzip(&fixture("roads_vn2000.zip"));
    let part = |ext: &str| parts.iter().find(|(name, _)| name.ends_with(ext)).unwrap().1.as_slice();
    let o = ReadOptions::default();
    let e = read("a.zip", &rezip(&[("roads.shp", part(".shp")), ("roads.prj", part(".prj"))]), &o).unwrap_err();
    assert_eq!(e.code(), "missing_shapefile_part");
    assert!(e.to_string().contains(".shx and .dbf"), "{e}");
    let two =
        rezip(&[("a.shp", part(".shp")), ("a.shx", part(".shx")), ("a.dbf", part(".dbf")), ("b.shp", part(".shp"))]);
    let e = read("a.zip", &two, &o).unwrap_err();
    assert_eq!(e.code(), "several_shapefiles");
    assert!(e.to_string().contains("a.shp, b.shp"), "{e}");
    let e = read("a.zip", &rezip(&[("readme.txt", b"x")]), &o).unwrap_err();
    assert_eq!(e.code(), "no_shapefile");
    let many: Vec<(String, Vec<u8>)> = (0..101).map(|i| (format!("{i}.txt"), vec![])).collect();
    let many: Vec<(&str, &[u8])> = many.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    assert_eq!(read("a.zip", &rezip(&many), &o).unwrap_err().code(), "too_many_entries");
    let e = read_error("bomb.zip");
    assert_eq!(e.code(), "zip_bomb");
    assert!(e.to_string().contains("roads.shp"), "{e}");
    assert_eq!(read("a.zip", b"PK\x03\x04 not really", &o).unwrap_err().code(), "malformed_zip");
    let kmz = rezip(&[("icon.png", b"x")]);
    assert_eq!(read("a.kmz", &kmz, &o).unwrap_err().code(), "missing_kml");
}

fn check_sites(s: &Source) {
    assert_eq!((s.format, s.crs, s.features.len()), (Format::Csv, None, 4));
    assert_eq!(geojson(s, 0), &json!({"type": "Point", "coordinates": [105.7012, 19.2498]}));
    assert_eq!(prop(s, 0, "ten"), "Mô hình Dân vận khéo Tổ 5");
    assert_eq!(prop(s, 0, "id"), "1");
    assert_eq!(prop(s, 0, "linh_vuc"), "kinh tế");
    assert!(!s.features[0].properties.contains_key("lon"));
    assert_eq!(prop(s, 1, "ten"), "Đường hoa khối Tân Xuân, đoạn 1");
    assert_eq!(prop(s, 1, "linh_vuc"), "văn hóa - xã hội");
    assert_eq!(geojson(s, 2)["coordinates"], json!([105.70, 19.25]));
    assert!(!s.features[2].properties.contains_key("linh_vuc"), "empty cells are omitted");
    assert!(s.features[3].geometry.is_none());
    assert_eq!(prop(s, 3, "ten"), "Chưa có tọa độ");
}

#[test]
fn csv_sites() {
    check_sites(&read_fixture("sites.csv"));
}

#[test]
fn csv_utf16() {
    check_sites(&read_fixture("sites_utf16.csv"));
}

#[test]
fn csv_windows_1258() {
    let e = read_error("sites_1258.csv");
    assert_eq!(e.code(), "not_utf8");
    let message = e.to_string();
    assert!(message.contains("looks like Windows-1258 (Vietnamese Windows)"), "{message}");
    assert!(message.contains("line 2"), "{message}");
    assert!(message.contains("encoding=windows-1258"), "{message}");
    let options = ReadOptions { encoding: Some("windows-1258".into()) };
    check_sites(&read("sites_1258.csv", &fixture("sites_1258.csv"), &options).unwrap());
    let unknown = ReadOptions { encoding: Some("tcvn-9999".into()) };
    assert_eq!(read("sites.csv", &fixture("sites.csv"), &unknown).unwrap_err().code(), "unknown_encoding");
}

#[test]
fn csv_wkt_and_semicolons() {
    let s = read_fixture("sites_wkt.csv");
    assert_eq!(s.features.len(), 2);
    assert_eq!(
        s.features[1].geometry,
        Some(SourceGeometry::Wkt("LINESTRING(105.7 19.25, 105.705 19.252, 105.71 19.251)".into()))
    );
    assert_eq!(prop(&s, 0, "ten"), "Nhà văn hóa khối Tân Xuân");

    let s = read_fixture("sites_semicolon.csv");
    assert_eq!(s.features.len(), 2);
    assert_eq!(geojson(&s, 0)["coordinates"], json!([105.7012, 19.2498]));
    assert_eq!(prop(&s, 0, "Tên"), "Mô hình Dân vận khéo Tổ 5");
    assert_eq!(prop(&s, 0, "Kinh phí (đồng)"), "2.500.000");
    assert_eq!(geojson(&s, 1)["coordinates"], json!([105.70, 19.25]));
}

#[test]
fn csv_errors() {
    let o = ReadOptions::default();
    let e = read("a.csv", "ten,lon,lat\nA,105.7,19.25\nB,105.7,abc\n".as_bytes(), &o).unwrap_err();
    assert_eq!(e.code(), "bad_number");
    assert!(e.to_string().contains("line 3, column 3 (\"lat\")"), "{e}");
    let e = read("a.csv", "ten,dia_chi\nA,Quỳnh Xuân\n".as_bytes(), &o).unwrap_err();
    assert_eq!(e.code(), "no_geometry_columns");
    assert!(e.to_string().contains("ten, dia_chi"), "{e}");
    assert_eq!(read("a.csv", b"ten,lon,lat\n", &o).unwrap_err().code(), "empty");
    let e = read("a.csv", b"ten,lon,lat\nA,105.7\n", &o).unwrap_err();
    assert_eq!(e.code(), "malformed_csv");
    assert!(e.to_string().contains("line 2"), "{e}");
    assert_eq!(read("a.csv", b"lon,lat,lon\n1,2,3\n", &o).unwrap_err().code(), "duplicate_column");
}

#[test]
fn format_detection() {
    use super::detect_format;
    let cases = [
        ("roads.kml", Format::Kml),
        ("roads.kmz", Format::Kmz),
        ("walk.gpx", Format::Gpx),
        ("roads_vn2000.zip", Format::Shapefile),
        ("bomb.zip", Format::Shapefile),
        ("roads.geojson", Format::GeoJson),
        ("sites.csv", Format::Csv),
        ("sites_utf16.csv", Format::Csv),
    ];
    for (name, format) in cases {
        assert_eq!(detect_format(name, &[]).unwrap(), format, "{name}");
        assert_eq!(detect_format("upload.bin", &fixture(name)).unwrap(), format, "sniffing {name}");
    }
    assert_eq!(detect_format("ROADS.GeoJSON", b"").unwrap(), Format::GeoJson);
    let e = detect_format("photo.jpg", b"\xFF\xD8\xFF\xE0").unwrap_err();
    assert_eq!(e.code(), "unknown_format");
}

/// A tiny deterministic generator (xorshift64*), so the mutation test needs no crate.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Feeds byte-mutated and truncated copies of every fixture to `read`: it may refuse them,
/// it must never panic. CI runs this instead of cargo-fuzz (docs/FUZZING.md).
#[test]
fn mutated_fixtures_never_panic() {
    const FIXTURES: &[&str] = &[
        "roads.geojson",
        "roads.kml",
        "roads.kmz",
        "walk.gpx",
        "roads_vn2000.zip",
        "roads_no_prj.zip",
        "sites.csv",
        "sites_wkt.csv",
        "sites_semicolon.csv",
        "sites_1258.csv",
        "sites_utf16.csv",
        "broken.geojson",
        "duplicate_ids.geojson",
        "entities.kml",
        "self_intersection.geojson",
    ];
    const PER_FIXTURE: usize = 600;
    let interesting: &[&[u8]] = &[b"\0", b"\xFF", b"<", b">", b"\"", b",", b";", b"{", b"]", b"-1e999", b"\xC3", b"PK"];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let options = [ReadOptions::default(), ReadOptions { encoding: Some("windows-1258".into()) }];
    let mut runs = 0;
    for name in FIXTURES {
        let original = fixture(name);
        for round in 0..PER_FIXTURE {
            let mut bytes = original.clone();
            match round % 4 {
                // Truncate.
                0 => bytes.truncate(rng.below(bytes.len())),
                // Flip a few bytes.
                1 => {
                    for _ in 0..1 + rng.below(8) {
                        let at = rng.below(bytes.len());
                        bytes[at] ^= 1 << rng.below(8);
                    }
                }
                // Overwrite a byte with a random one.
                2 => {
                    let at = rng.below(bytes.len());
                    bytes[at] = rng.next() as u8;
                }
                // Insert a token that parsers care about.
                _ => {
                    let at = rng.below(bytes.len());
                    let token = interesting[rng.below(interesting.len())];
                    bytes.splice(at..at, token.iter().copied());
                }
            }
            let option = &options[round % 2];
            // Result ignored: only a panic fails the test.
            let result = std::panic::catch_unwind(|| read(name, &bytes, option).map(|s| s.features.len()));
            assert!(result.is_ok(), "{name}, round {round}: panicked on {} bytes", bytes.len());
            runs += 1;
        }
    }
    assert_eq!(runs, FIXTURES.len() * PER_FIXTURE);
}

/// Reads with `limits` instead of the default ones.
fn read_limited(name: &str, bytes: &[u8], options: &ReadOptions, limits: &super::Limits) -> Result<Source, ReadError> {
    let mut features = Vec::new();
    let input = super::Input::from_bytes(bytes.to_vec());
    let header = super::read_each(name, &input, options, limits, &mut |f| {
        features.push(f);
        std::ops::ControlFlow::Continue(())
    })?;
    Ok(Source { format: header.format, crs: header.crs, features, warnings: header.warnings })
}

fn oversized(source: &Source, index: usize) -> (Option<&str>, usize) {
    match &source.features[index].geometry {
        Some(SourceGeometry::Oversized { geometry_type, vertices }) => (geometry_type.as_deref(), *vertices),
        other => panic!("feature {index}: {other:?}"),
    }
}

/// Positions `105.7 + i·1e-6, 19.25` as text, `separator` between them.
fn positions(n: usize, format: impl Fn(f64, f64) -> String, separator: &str) -> String {
    (0..n).map(|i| format(105.7 + i as f64 * 1e-6, 19.25)).collect::<Vec<_>>().join(separator)
}

/// Past 50,000 vertices a geometry is counted, not built, in every format; the next
/// feature is read as usual.
#[test]
fn a_geometry_past_the_vertex_limit_is_counted_not_kept() {
    let o = ReadOptions::default();
    let over = crate::model::limits::MAX_VERTICES + 1;
    let line = positions(over, |x, y| format!("[{x},{y}]"), ",");
    let collection = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"name":"dài"}},"geometry":{{"type":"LineString","coordinates":[{line}]}}}},{{"type":"Feature","properties":{{}},"geometry":{{"type":"Point","coordinates":[105.7,19.25]}}}}]}}"#
    );
    let s = read("long.geojson", collection.as_bytes(), &o).unwrap();
    assert_eq!(oversized(&s, 0), (Some("LineString"), over));
    assert_eq!(prop(&s, 0, "name"), "dài");
    assert_eq!(geojson(&s, 1)["type"], "Point");

    let coordinates = positions(over, |x, y| format!("{x},{y},0"), " ");
    let kml = format!(
        "<kml><Document><Placemark><name>dài</name><LineString><coordinates>{coordinates}</coordinates></LineString></Placemark><Placemark><Point><coordinates>105.7,19.25</coordinates></Point></Placemark></Document></kml>"
    );
    let s = read("long.kml", kml.as_bytes(), &o).unwrap();
    assert_eq!(oversized(&s, 0), (Some("LineString"), over));
    assert_eq!(prop(&s, 0, "name"), "dài");
    assert_eq!(geojson(&s, 1)["type"], "Point");

    let points = positions(over, |x, y| format!("<trkpt lat=\"{y}\" lon=\"{x}\"/>"), "\n");
    let gpx = format!(
        "<gpx version=\"1.1\"><trk><name>dài</name><trkseg>{points}</trkseg></trk><wpt lat=\"19.25\" lon=\"105.7\"/></gpx>"
    );
    let s = read("long.gpx", gpx.as_bytes(), &o).unwrap();
    assert_eq!(oversized(&s, 0), (Some("LineString"), over));
    assert_eq!(geojson(&s, 1)["type"], "Point");

    let wkt = positions(over, |x, y| format!("{x} {y}"), ", ");
    let csv = format!("ten;wkt\ndài;MULTILINESTRING(({wkt}))\nngắn;POINT(105.7 19.25)\n");
    let s = read("long.csv", csv.as_bytes(), &o).unwrap();
    assert_eq!(oversized(&s, 0), (Some("MultiLineString"), over));
    assert_eq!(s.features[1].geometry, Some(SourceGeometry::Wkt("POINT(105.7 19.25)".into())));
}

/// A KML Placemark of more than 8 MiB (three lines of some 3 MiB each, every text run
/// under the limit) is counted as it streams by.
#[test]
fn a_placemark_past_its_size_is_counted_as_it_streams_by() {
    let part = positions(120_000, |x, y| format!("{x:.9},{y:.9},0"), " ");
    assert!(part.len() > 3 * 1024 * 1024);
    let line = format!("<LineString><coordinates>{part}</coordinates></LineString>");
    let kml = format!(
        "<kml><Document><Folder><name>Tổ 5</name><Placemark><name>lớn</name><MultiGeometry>{line}{line}{line}</MultiGeometry></Placemark></Folder></Document></kml>"
    );
    let s = read("big.kml", kml.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(oversized(&s, 0), (Some("MultiLineString"), 360_000));
    assert_eq!(prop(&s, 0, "folder"), "Tổ 5");
}

/// The limits on a whole file stop the read where they are passed.
#[test]
fn the_limits_of_a_file_stop_the_read() {
    let o = ReadOptions::default();
    let limits = super::Limits { max_features: 2, ..Default::default() };
    let e = read_limited("roads.geojson", &fixture("roads.geojson"), &o, &limits).unwrap_err();
    assert!(matches!(e, ReadError::TooManyFeatures { max: 2 }), "{e:?}");
    assert!(e.is_too_large());
    let limits = super::Limits { max_total_vertices: 5, ..Default::default() };
    let e = read_limited("roads.geojson", &fixture("roads.geojson"), &o, &limits).unwrap_err();
    assert!(matches!(e, ReadError::TooManyVertices { max: 5 }), "{e:?}");
    // roads.kmz unpacks to some 4 KB, sites_1258.csv decodes to some 300 bytes.
    let limits = super::Limits { max_decoded_bytes: 100, ..Default::default() };
    let e = read_limited("roads.kmz", &fixture("roads.kmz"), &o, &limits).unwrap_err();
    assert_eq!(e.code(), "too_large", "{e:?}");
    let windows = ReadOptions { encoding: Some("windows-1258".into()) };
    let e = read_limited("sites_1258.csv", &fixture("sites_1258.csv"), &windows, &limits).unwrap_err();
    assert!(matches!(e, ReadError::TextTooLarge { max: 100 }), "{e:?}");
    // One value larger than any field takes: a text of more than 8 MiB without markup in
    // an XML file, a JSON string of more than 1 MiB, a CSV cell of more than 8 MiB.
    let kml = format!("<kml><Document><name>{}</name></Document></kml>", "x".repeat(9 * 1024 * 1024));
    let e = read("a.kml", kml.as_bytes(), &o).unwrap_err();
    assert!(matches!(e, ReadError::TextTooLong { line: 1, .. }), "{e:?}");
    let name = "x".repeat(1024 * 1024 + 1);
    let geojson = format!("{{\"type\":\"Feature\",\n\"properties\":{{\"name\":\"{name}\"}},\"geometry\":null}}");
    let e = read("a.geojson", geojson.as_bytes(), &o).unwrap_err();
    assert!(matches!(e, ReadError::TextTooLong { line: 2, .. }), "{e:?}");
    assert!(e.is_too_large());
    let csv = format!("ten,wkt\n\"{}\",POINT(1 2)\n", "x".repeat(9 * 1024 * 1024));
    let e = read("a.csv", csv.as_bytes(), &o).unwrap_err();
    assert!(matches!(e, ReadError::TextTooLong { line: 2, .. }), "{e:?}");
}

/// Property values that are JSON objects or arrays are left out and counted in a warning;
/// more than 1,000 attribute names is an error.
#[test]
fn nested_property_values_are_left_out_with_a_warning() {
    let o = ReadOptions::default();
    let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Ngõ 1","style":{"color":"red"},"tags":[1,2]},"geometry":null}]}"#;
    let s = read("a.geojson", text.as_bytes(), &o).unwrap();
    assert_eq!(s.features[0].properties.len(), 1);
    assert_eq!(prop(&s, 0, "name"), "Ngõ 1");
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(s.warnings[0].starts_with("2 property values were JSON objects or arrays"), "{:?}", s.warnings);
    let names: Vec<String> = (0..1001).map(|i| format!("\"c{i}\":1")).collect();
    let wide = format!(r#"{{"type":"Feature","properties":{{{}}},"geometry":null}}"#, names.join(","));
    assert_eq!(read("a.geojson", wide.as_bytes(), &o).unwrap_err().code(), "too_many_attributes");
}
