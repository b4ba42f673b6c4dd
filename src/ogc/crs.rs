//! The coordinate reference systems of OGC API - Features Part 2 that kheo serves: WGS 84
//! (CRS84, longitude first, the default; EPSG:4326, latitude first) and the VN-2000 systems
//! kheo also imports from (`crate::pipeline::import::ACCEPTED_CRS`).
//!
//! Axis order follows each CRS's EPSG definition, as GDAL and OWSLib expect: EPSG:4326 and
//! EPSG:4756 are latitude first, the projected VN-2000 systems (UTM and TM-3) easting
//! first (checked with `projinfo EPSG:N`). PostGIS's `ST_Transform` always yields
//! longitude/easting first, so the latitude-first systems are flipped after it.

/// The URI of WGS 84 longitude/latitude, the default of OGC API - Features.
pub const CRS84_URI: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// One CRS kheo can answer in and read `bbox-crs`/`filter-crs` in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crs {
    /// The EPSG code; `None` for CRS84.
    pub epsg: Option<u32>,
    /// Whether the CRS's first axis is latitude (EPSG:4326, EPSG:4756).
    pub latitude_first: bool,
    /// Whether coordinates are metres (projected) rather than degrees.
    pub projected: bool,
}

/// CRS84: WGS 84, longitude first. The storage CRS.
pub const CRS84: Crs = Crs { epsg: None, latitude_first: false, projected: false };

const fn geographic_latitude_first(code: u32) -> Crs {
    Crs { epsg: Some(code), latitude_first: true, projected: false }
}

const fn projected(code: u32) -> Crs {
    Crs { epsg: Some(code), latitude_first: false, projected: true }
}

/// Every CRS kheo serves, CRS84 first.
pub static SUPPORTED: &[Crs] = &[
    CRS84,
    geographic_latitude_first(4326),
    geographic_latitude_first(4756),
    projected(3405),
    projected(3406),
    projected(5896),
    projected(5897),
    projected(5898),
    projected(5899),
    projected(9205),
    projected(9206),
    projected(9207),
    projected(9208),
    projected(9209),
    projected(9210),
    projected(9211),
    projected(9212),
    projected(9213),
    projected(9214),
    projected(9215),
    projected(9216),
    projected(9217),
    projected(9218),
];

impl Crs {
    /// The CRS's URI, as OGC API - Features names it.
    pub fn uri(&self) -> String {
        match self.epsg {
            None => CRS84_URI.to_string(),
            Some(code) => format!("http://www.opengis.net/def/crs/EPSG/0/{code}"),
        }
    }

    /// The SRID PostGIS knows it by (CRS84 and EPSG:4326 are both SRID 4326 there).
    pub fn srid(&self) -> i64 {
        i64::from(self.epsg.unwrap_or(4326))
    }

    /// Digits after the decimal point in coordinates: about 1 cm in degrees, 1 mm in metres.
    pub fn digits(&self) -> u32 {
        if self.projected { 3 } else { crate::model::limits::COORDINATE_DIGITS }
    }

    /// Whether it is the storage CRS with its axis order (nothing to transform or flip).
    pub fn is_storage(&self) -> bool {
        *self == CRS84
    }

    /// The CRS named by `text`: its URI (`http://www.opengis.net/def/crs/EPSG/0/9208`),
    /// a safe CURIE (`[EPSG:9208]`) or `EPSG:9208`; `None` when kheo does not serve it.
    ///
    /// ```
    /// use kheo::ogc::crs::{Crs, CRS84};
    /// assert_eq!(Crs::parse("http://www.opengis.net/def/crs/OGC/1.3/CRS84"), Some(CRS84));
    /// assert_eq!(Crs::parse("http://www.opengis.net/def/crs/EPSG/0/9208").unwrap().epsg, Some(9208));
    /// assert!(Crs::parse("[EPSG:4326]").unwrap().latitude_first);
    /// assert_eq!(Crs::parse("http://www.opengis.net/def/crs/EPSG/0/3857"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Crs> {
        let text = text.trim();
        let text = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')).unwrap_or(text);
        let text = text.strip_prefix("https://").map(|t| format!("http://{t}")).unwrap_or_else(|| text.to_string());
        if matches!(text.as_str(), CRS84_URI | "http://www.opengis.net/def/crs/OGC/0/CRS84" | "OGC:CRS84") {
            return Some(CRS84);
        }
        let code = text
            .strip_prefix("http://www.opengis.net/def/crs/EPSG/0/")
            .or_else(|| text.strip_prefix("EPSG:"))
            .and_then(|c| c.parse::<u32>().ok())?;
        SUPPORTED.iter().find(|crs| crs.epsg == Some(code)).copied()
    }

    /// The URIs of every CRS kheo serves, for error messages and the `crs` lists.
    pub fn all_uris() -> Vec<String> {
        SUPPORTED.iter().map(Crs::uri).collect()
    }
}
