//! CSV tables of points (lon/lat) or of WKT geometries, what planners export from Excel.
//! The `csv` crate splits the fields; kheo sniffs the delimiter (Excel in a Vietnamese
//! locale writes `;` and decimal commas), finds the geometry columns by name (with or
//! without Vietnamese accents: `Kinh độ`, `kinh_do`, `lon`), and keeps the other cells as
//! string properties for the field mapping.

use serde_json::{Map, Value, json};

use super::{Format, ReadError, ReadOptions, Source, SourceFeature, SourceGeometry, text};

const LON_NAMES: &[&str] = &["lon", "lng", "long", "longitude", "x", "kinh_do", "kinhdo"];
const LAT_NAMES: &[&str] = &["lat", "latitude", "y", "vi_do", "vido"];
const WKT_NAMES: &[&str] = &["wkt", "geometry", "geom", "the_geom"];

enum GeometryColumns {
    Point { lon: usize, lat: usize },
    Wkt(usize),
}

pub(crate) fn read(file_name: &str, bytes: &[u8], options: &ReadOptions) -> Result<Source, ReadError> {
    let text = text::decode(bytes, options)?;
    if text.trim().is_empty() {
        return Err(ReadError::Empty { what: format!("\"{file_name}\"") });
    }
    let header_line = text.lines().next().unwrap_or("");
    let delimiter = sniff_delimiter(header_line);
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().map_err(csv_error)?.iter().map(|h| h.trim().to_string()).collect();
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

    let mut features = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let number = |i: usize| -> Result<f64, ReadError> {
            let raw = cell(i);
            let value = if decimal_comma { raw.replace(',', ".") } else { raw.to_string() };
            value.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| ReadError::BadNumber {
                line,
                column: i + 1,
                name: headers[i].clone(),
                value: raw.to_string(),
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
            GeometryColumns::Wkt(wkt) => {
                Some(cell(wkt)).filter(|s| !s.is_empty()).map(|s| SourceGeometry::Wkt(s.to_string()))
            }
        };
        let mut properties = Map::new();
        for (i, name) in headers.iter().enumerate() {
            let value = cell(i);
            if !geometry_columns.contains(&i) && !value.is_empty() && !name.is_empty() {
                properties.insert(name.clone(), Value::String(value.to_string()));
            }
        }
        features.push(SourceFeature { index: features.len(), id: None, geometry, properties });
    }
    Ok(Source { format: Format::Csv, crs: None, features, warnings: Vec::new() })
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
