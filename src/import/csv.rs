//! CSV tables of points (lon/lat) or of WKT geometries, what planners export from Excel.
//! The `csv` crate splits the fields; kheo sniffs the delimiter (Excel in a Vietnamese
//! locale writes `;` and decimal commas), finds the geometry columns by name (with or
//! without Vietnamese accents: `Kinh độ`, `kinh_do`, `lon`), and keeps the other cells as
//! string properties for the field mapping.

use std::io::{BufRead, Read};

use serde_json::{Map, Value, json};

use super::input::Fault;
use super::{ReadError, Sink, SourceFeature, SourceGeometry, text, wkt_positions};
use crate::model::limits::MAX_VERTICES;

const LON_NAMES: &[&str] = &["lon", "lng", "long", "longitude", "x", "kinh_do", "kinhdo"];
const LAT_NAMES: &[&str] = &["lat", "latitude", "y", "vi_do", "vido"];
const WKT_NAMES: &[&str] = &["wkt", "geometry", "geom", "the_geom"];

enum GeometryColumns {
    Point { lon: usize, lat: usize },
    Wkt(usize),
}

/// Reads a CSV table row by row (the `csv` crate streams); returns its warnings.
pub(crate) fn read(
    file_name: &str,
    mut text: Box<dyn BufRead + '_>,
    fault: &Fault,
    sink: &mut Sink,
) -> Result<Vec<String>, ReadError> {
    // The header line decides the delimiter; it is then given back to the CSV reader.
    let mut header_line = Vec::new();
    text.read_until(b'\n', &mut header_line).map_err(|e| fault.or(text::io_error(e)))?;
    if String::from_utf8_lossy(&header_line).trim().is_empty() {
        return Err(ReadError::Empty { what: format!("\"{file_name}\"") });
    }
    let delimiter = sniff_delimiter(&String::from_utf8_lossy(&header_line));
    let rest = std::io::Cursor::new(header_line).chain(text);
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(true).from_reader(rest);
    let error = |e: csv::Error| match e.kind() {
        csv::ErrorKind::Io(_) => fault.or(ReadError::Unreadable { message: e.to_string() }),
        _ => csv_error(e),
    };
    let headers: Vec<String> = reader.headers().map_err(error)?.iter().map(|h| h.trim().to_string()).collect();
    check_unique(&headers)?;
    let folded: Vec<String> = headers.iter().map(|h| text::fold_name(h)).collect();
    let find = |names: &[&str]| names.iter().find_map(|n| folded.iter().position(|f| f == n));
    let columns = match (find(LON_NAMES), find(LAT_NAMES), find(WKT_NAMES)) {
        (Some(lon), Some(lat), _) => GeometryColumns::Point { lon, lat },
        (_, _, Some(wkt)) => GeometryColumns::Wkt(wkt),
        _ => {
            return Err(ReadError::NoGeometryColumns { header: headers.join(", ") });
        }
    };
    let geometry_columns = match columns {
        GeometryColumns::Point { lon, lat } => vec![lon, lat],
        GeometryColumns::Wkt(wkt) => vec![wkt],
    };
    let decimal_comma = delimiter == b';';

    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(error)? {
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let number = |i: usize| -> Result<f64, ReadError> {
            let raw = cell(i);
            let value = if decimal_comma { raw.replace(',', ".") } else { raw.to_string() };
            value.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| ReadError::BadNumber {
                line,
                column: i + 1,
                name: headers[i].clone(),
                value: crate::model::limits::shown(raw, 40),
            })
        };
        let geometry = match columns {
            GeometryColumns::Point { lon, lat } => {
                if cell(lon).is_empty() && cell(lat).is_empty() {
                    None
                } else {
                    let (x, y) = (number(lon)?, number(lat)?);
                    Some(SourceGeometry::GeoJson(json!({"type": "Point", "coordinates": [x, y]})))
                }
            }
            GeometryColumns::Wkt(wkt) => Some(cell(wkt)).filter(|s| !s.is_empty()).map(|s| {
                let vertices = wkt_positions(s);
                if vertices > MAX_VERTICES {
                    let geometry_type = s.split(|c: char| !c.is_ascii_alphabetic()).next().map(wkt_type);
                    SourceGeometry::Oversized { geometry_type, vertices }
                } else {
                    SourceGeometry::Wkt(s.to_string())
                }
            }),
        };
        let mut properties = Map::new();
        for (i, name) in headers.iter().enumerate() {
            let value = cell(i);
            if !geometry_columns.contains(&i) && !value.is_empty() && !name.is_empty() {
                properties.insert(name.clone(), Value::String(value.to_string()));
            }
        }
        let index = sink.next_index();
        sink.push(SourceFeature { index, id: None, geometry, properties })?;
    }
    Ok(Vec::new())
}

/// The GeoJSON type of a WKT keyword (`MULTILINESTRING` -> `MultiLineString`).
fn wkt_type(keyword: &str) -> String {
    let upper = keyword.to_ascii_uppercase();
    let (multi, base) = match upper.strip_prefix("MULTI") {
        Some(base) => ("Multi", base),
        None => ("", upper.as_str()),
    };
    let base = match base {
        "POINT" => "Point",
        "LINESTRING" => "LineString",
        "POLYGON" => "Polygon",
        _ => return "GeometryCollection".into(),
    };
    format!("{multi}{base}")
}

/// `;` when the header has more semicolons than commas (and tabs), `\t` likewise, else `,`.
fn sniff_delimiter(header: &str) -> u8 {
    let count = |c: char| header.matches(c).count();
    let (commas, semicolons, tabs) = (count(','), count(';'), count('\t'));
    if semicolons > commas && semicolons >= tabs {
        b';'
    } else if tabs > commas && tabs > semicolons {
        b'\t'
    } else {
        b','
    }
}

fn check_unique(headers: &[String]) -> Result<(), ReadError> {
    for (second, name) in headers.iter().enumerate() {
        if let Some(first) = headers[..second].iter().position(|h| h == name && !h.is_empty()) {
            return Err(ReadError::DuplicateColumn { name: name.clone(), first: first + 1, second: second + 1 });
        }
    }
    Ok(())
}

fn csv_error(e: csv::Error) -> ReadError {
    let line = e.position().map(|p| p.line()).unwrap_or(1);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("{len} fields where the header has {expected_len}")
        }
        _ => e.to_string(),
    };
    ReadError::MalformedCsv { line, message }
}
