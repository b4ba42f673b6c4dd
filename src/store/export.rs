//! Downloads of a layer as KML and CSV, generic over the catalogue, with the filters of the
//! features endpoint (the GeoJSON download is [`features::features_query`] itself).
//!
//! As for the GeoJSON, PostgreSQL builds every row of the file (a KML Placemark, or the
//! cells of a CSV line) and the server streams them in chunks of
//! [`features::CHUNK_BYTES`], so a layer of any size never sits whole in memory.

use crate::layers::{Field, FieldType, KeyType, Layer};
use crate::store::features::{self, COORDINATE_DIGITS, Filter};
use crate::store::sql::{Sql, quote_ident};
use crate::store::stream::{Chunks, Turn, stream_rows};
use bytes::{Bytes, BytesMut};
use sqlx::PgPool;
use std::borrow::Cow;

/// A field's value (as of the filter's date) as text: dates ISO, numbers as PostgreSQL
/// writes them, NULL stays NULL.
fn text_expr(field: &Field, as_of: Option<&str>) -> String {
    let value = features::value_expr(field, as_of);
    match field.ty {
        FieldType::Date => format!("to_char({value}, 'YYYY-MM-DD')"),
        _ => format!("({value})::text"),
    }
}

/// The query that yields one KML `<Placemark>` (as text) per feature, in key order:
/// `<name>`, `<ExtendedData>` with a `<Data>` for the id, the commune and every non-null
/// field, then the geometry from `ST_AsKML`.
///
/// PostgreSQL's `xmlelement` writes the elements, so every value is XML-escaped by the
/// database (`&`, `<`, `>` in content, and quotes in attributes too); `ST_AsKML` gives
/// XML already and goes in as `xml`, unescaped.
pub fn kml_query(layer: &Layer, filter: &Filter) -> Sql {
    features::select(layer, filter, |as_of| {
        let data = |name: &str, value: &str| {
            format!("xmlelement(name \"Data\", xmlattributes('{name}' AS name), xmlelement(name value, {value}))")
        };
        let mut extended = vec![
            data("id", &format!("t.{}", quote_ident(layer.key))),
            data("commune", &format!("t.{}", quote_ident(layer.commune_column))),
        ];
        for field in layer.fields() {
            let value = text_expr(field, as_of);
            // xmlelement leaves out NULL content: a NULL value gives no <Data> at all.
            extended.push(format!("CASE WHEN {value} IS NOT NULL THEN {} END", data(field.name, &value)));
        }
        let name = match layer.field("name") {
            Some(_) => format!("coalesce(t.name, t.{}::text)", quote_ident(layer.key)),
            None => format!("t.{}::text", quote_ident(layer.key)),
        };
        format!(
            "xmlelement(name \"Placemark\", xmlelement(name name, {name}), \
             xmlelement(name \"ExtendedData\", {extended}), \
             ST_AsKML(t.geom, {COORDINATE_DIGITS})::xml)::text",
            extended = extended.join(", ")
        )
    })
}

/// The head of a KML document named `title`, up to where the Placemarks go.
pub fn kml_head(title: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document><name>{}</name>\n",
        xml_text(title)
    )
}

/// The tail of a KML document.
pub const KML_TAIL: &str = "</Document></kml>\n";

/// Escapes text for XML element content. Only the catalogue's static titles go through it
/// (the data is escaped by PostgreSQL's `xmlelement`): a one-line replacement here saves a
/// round trip for a fixed string.
fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The CSV header: `id,commune,<fields...>,wkt`.
pub fn csv_header(layer: &Layer) -> Vec<&'static str> {
    let mut header = vec!["id", "commune"];
    header.extend(layer.fields().map(|f| f.name));
    header.push("wkt");
    header
}

/// Which cells of a CSV line are numbers (in the order of [`csv_header`]): those are
/// written as PostgreSQL gives them; every other cell is text a user typed, guarded
/// against formulas by [`crate::spreadsheet::csv_text`].
pub fn csv_numeric_columns(layer: &Layer) -> Vec<bool> {
    let key_is_number = layer.key_type == KeyType::Integer;
    let mut numeric = vec![key_is_number, false];
    numeric.extend(layer.fields().map(|f| matches!(f.ty, FieldType::Integer | FieldType::Number)));
    numeric.push(false);
    numeric
}

/// The query that yields the cells of one CSV line per feature (a `text[]`, in the order
/// of [`csv_header`]), the geometry as WKT.
pub fn csv_query(layer: &Layer, filter: &Filter) -> Sql {
    features::select(layer, filter, |as_of| {
        let mut cells = vec![
            format!("t.{}::text", quote_ident(layer.key)),
            format!("t.{}::text", quote_ident(layer.commune_column)),
        ];
        cells.extend(layer.fields().map(|f| text_expr(f, as_of)));
        cells.push(format!("ST_AsText(t.geom, {COORDINATE_DIGITS})"));
        format!("ARRAY[{}]", cells.join(", "))
    })
}

/// Writes one CSV record (RFC 4180 quoting, NULL as an empty cell) to `out`.
fn csv_record<'a>(out: &mut BytesMut, cells: impl IntoIterator<Item = Option<&'a str>>) {
    use bytes::BufMut;
    let mut writer = csv::WriterBuilder::new().buffer_capacity(1024).from_writer(out.writer());
    // Writing to memory cannot fail.
    #[allow(clippy::expect_used)]
    {
        writer.write_record(cells.into_iter().map(|c| c.unwrap_or(""))).expect("writing a CSV record to memory");
        writer.flush().expect("flushing a CSV record to memory");
    }
}

/// A KML document of the rows of [`kml_query`], streamed.
pub fn stream_kml(pool: PgPool, turn: Turn, layer: &Layer, filter: &Filter) -> Chunks {
    let head = Bytes::from(kml_head(layer.title_vi));
    stream_rows(
        pool,
        turn,
        kml_query(layer, filter),
        head,
        Bytes::from_static(KML_TAIL.as_bytes()),
        |placemark: String, buf| {
            buf.extend_from_slice(placemark.as_bytes());
            buf.extend_from_slice(b"\n");
        },
    )
}

/// A CSV file of the rows of [`csv_query`], streamed: UTF-8 with a BOM (Excel then reads
/// the Vietnamese names right), the header line first.
pub fn stream_csv(pool: PgPool, turn: Turn, layer: &Layer, filter: &Filter) -> Chunks {
    let mut head = BytesMut::from("\u{feff}".as_bytes());
    csv_record(&mut head, csv_header(layer).into_iter().map(Some));
    let numeric = csv_numeric_columns(layer);
    stream_rows(
        pool,
        turn,
        csv_query(layer, filter),
        head.freeze(),
        Bytes::new(),
        move |cells: Vec<Option<String>>, buf| {
            let safe = cells.iter().zip(&numeric).map(|(cell, &number)| {
                cell.as_deref().map(|c| if number { Cow::Borrowed(c) } else { crate::spreadsheet::csv_text(c) })
            });
            let safe: Vec<Option<Cow<str>>> = safe.collect();
            csv_record(buf, safe.iter().map(|c| c.as_deref()));
        },
    )
}

/// Digits after the decimal point in a dump's coordinates: as many as a double holds
/// near 100 degrees, so that a restored geometry is the stored one, bit for bit (the
/// 7 digits of the API, 1 cm, could move a road lying on a group's edge off it).
pub const DUMP_COORDINATE_DIGITS: u32 = 15;

/// The query that yields, in key order, one Feature (as text) per feature of `layer` in
/// the commune bound to `$1`: the Features of the features endpoint, at full precision and
/// without as-of values.
pub fn dump_query(layer: &Layer) -> String {
    let mut props = format!("t.{} AS commune", quote_ident(layer.commune_column));
    for field in layer.fields() {
        let name = quote_ident(field.name);
        props.push_str(&format!(", t.{name} AS {name}"));
    }
    format!(
        "SELECT (SELECT row_to_json(f) FROM (SELECT 'Feature' AS type, t.{key} AS id, \
         ST_AsGeoJSON(t.geom, {DUMP_COORDINATE_DIGITS})::json AS geometry, \
         (SELECT row_to_json(p) FROM (SELECT {props}) AS p) AS properties) AS f)::text \
         FROM {table} t WHERE t.{commune} = $1 ORDER BY t.{key}",
        key = quote_ident(layer.key),
        table = quote_ident(layer.table),
        commune = quote_ident(layer.commune_column),
    )
}
