//! What kheo reads from a photo's EXIF (the day it was taken, its GPS position) and the
//! one EXIF block it writes back: the position alone, when the editor keeps it.
//!
//! The `kamadak-exif` crate parses and writes the TIFF structure; the conversions between
//! EXIF's degrees-minutes-seconds rationals and decimal degrees are done here.

use chrono::NaiveDate;
use exif::{Field, In, Rational, Tag, Value};

/// What a photo's EXIF says, as far as kheo cares.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ExifFacts {
    /// The day it was taken (`DateTimeOriginal`, else `DateTime`), when that is a real day
    /// not after `today`.
    pub taken_on: Option<NaiveDate>,
    /// `(lon, lat)` in degrees, when the GPS tags hold a position.
    pub position: Option<(f64, f64)>,
}

/// Reads `raw`, an EXIF block in TIFF form (what `ImageDecoder::exif_metadata` gives);
/// anything unreadable is simply not known.
pub fn read(raw: Vec<u8>, today: NaiveDate) -> ExifFacts {
    // Some writers keep JPEG's "Exif\0\0" prefix in PNG and WebP chunks.
    let raw = match raw.strip_prefix(b"Exif\0\0") {
        Some(rest) => rest.to_vec(),
        None => raw,
    };
    let Ok(exif) = exif::Reader::new().read_raw(raw) else {
        return ExifFacts::default();
    };
    let field = |tag: Tag| exif.get_field(tag, In::PRIMARY).map(|f| &f.value);
    let taken_on =
        [Tag::DateTimeOriginal, Tag::DateTime].into_iter().filter_map(|t| field(t).and_then(day)).find(|d| *d <= today);
    let position = match (
        field(Tag::GPSLatitude).and_then(degrees),
        field(Tag::GPSLatitudeRef).and_then(ascii),
        field(Tag::GPSLongitude).and_then(degrees),
        field(Tag::GPSLongitudeRef).and_then(ascii),
    ) {
        (Some(lat), lat_ref, Some(lon), lon_ref) => {
            let lat = if lat_ref.as_deref() == Some("S") { -lat } else { lat };
            let lon = if lon_ref.as_deref() == Some("W") { -lon } else { lon };
            // 0, 0 is what some phones write before they have a fix.
            let valid = lat.abs() <= 90.0 && lon.abs() <= 180.0 && (lat, lon) != (0.0, 0.0);
            valid.then_some((lon, lat))
        }
        _ => None,
    };
    ExifFacts { taken_on, position }
}

/// The day of an EXIF date, `YYYY:MM:DD HH:MM:SS`.
fn day(value: &Value) -> Option<NaiveDate> {
    let text = ascii(value)?;
    NaiveDate::parse_from_str(text.get(..10)?, "%Y:%m:%d").ok()
}

/// The first string of an ASCII value, trimmed.
fn ascii(value: &Value) -> Option<String> {
    match value {
        Value::Ascii(strings) => strings.first().map(|s| String::from_utf8_lossy(s).trim().to_string()),
        _ => None,
    }
}

/// Degrees from EXIF's `[degrees, minutes, seconds]` rationals (some writers give only
/// the first one or two).
fn degrees(value: &Value) -> Option<f64> {
    let Value::Rational(parts) = value else { return None };
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|r| r.denom == 0) {
        return None;
    }
    let total: f64 = parts.iter().zip([1.0, 60.0, 3600.0]).map(|(r, unit)| r.to_f64() / unit).sum();
    total.is_finite().then_some(total)
}

/// Degrees, minutes and seconds (to a thousandth of a second, some 3 cm) as rationals.
fn rationals(degrees: f64) -> Vec<Rational> {
    let milliseconds = (degrees.abs() * 3_600_000.0).round() as u64;
    let (whole_degrees, rest) = (milliseconds / 3_600_000, milliseconds % 3_600_000);
    let (minutes, milliseconds) = (rest / 60_000, rest % 60_000);
    vec![
        Rational { num: whole_degrees as u32, denom: 1 },
        Rational { num: minutes as u32, denom: 1 },
        Rational { num: milliseconds as u32, denom: 1000 },
    ]
}

/// An EXIF block (TIFF form) holding only a GPS position: what a kept position leaves in
/// the stored image, and nothing else of the original's metadata.
pub fn gps_block(lon: f64, lat: f64) -> Result<Vec<u8>, exif::Error> {
    let field = |tag: Tag, value: Value| Field { tag, ifd_num: In::PRIMARY, value };
    let letter = |positive: bool, yes: &[u8], no: &[u8]| Value::Ascii(vec![if positive { yes } else { no }.to_vec()]);
    let fields = [
        field(Tag::GPSVersionID, Value::Byte(vec![2, 3, 0, 0])),
        field(Tag::GPSLatitudeRef, letter(lat >= 0.0, b"N", b"S")),
        field(Tag::GPSLatitude, Value::Rational(rationals(lat))),
        field(Tag::GPSLongitudeRef, letter(lon >= 0.0, b"E", b"W")),
        field(Tag::GPSLongitude, Value::Rational(rationals(lon))),
    ];
    let mut writer = exif::experimental::Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    writer.write(&mut out, false)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    #[test]
    fn a_written_position_reads_back_to_a_thousandth_of_a_second() {
        // 19°15'12.809"N 105°42'43.595"E, and a point west and south of Greenwich.
        for (lon, lat) in [(105.712_109_7, 19.253_558_1), (-0.5, -33.25)] {
            let block = gps_block(lon, lat).unwrap();
            let facts = read(block, today());
            let (got_lon, got_lat) = facts.position.expect("a position");
            let arc_millisecond = 1.0 / 3_600_000.0;
            assert!((got_lon - lon).abs() <= arc_millisecond, "{got_lon} vs {lon}");
            assert!((got_lat - lat).abs() <= arc_millisecond, "{got_lat} vs {lat}");
            assert_eq!(facts.taken_on, None, "the block holds nothing but the position");
        }
    }

    #[test]
    fn degrees_minutes_seconds_make_decimal_degrees() {
        let r = |num, denom| Rational { num, denom };
        // 19° 30' 36" = 19.51°
        assert_eq!(degrees(&Value::Rational(vec![r(19, 1), r(30, 1), r(36, 1)])), Some(19.51));
        assert_eq!(degrees(&Value::Rational(vec![r(1951, 100)])), Some(19.51));
        assert_eq!(degrees(&Value::Rational(vec![r(19, 0), r(30, 1), r(36, 1)])), None, "a zero denominator");
        assert_eq!(degrees(&Value::Rational(vec![])), None);
    }

    #[test]
    fn garbage_is_no_exif() {
        assert_eq!(read(b"not a tiff".to_vec(), today()), ExifFacts::default());
        assert_eq!(read(Vec::new(), today()), ExifFacts::default());
    }
}
