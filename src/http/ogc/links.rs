//! The typed documents of OGC API - Features' JSON answers (but the streamed items), with
//! their OpenAPI schemas.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const JSON: &str = "application/json";
pub const GEOJSON: &str = "application/geo+json";
pub const HTML: &str = "text/html";
pub const SCHEMA_JSON: &str = "application/schema+json";
/// utoipa writes OpenAPI 3.1.
pub const OPENAPI: &str = "application/vnd.oai.openapi+json;version=3.1";

/// A link of an OGC API document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Link {
    pub href: String,
    pub rel: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Link {
    pub fn new(href: impl Into<String>, rel: &str, media_type: &str, title: &str) -> Link {
        Link {
            href: href.into(),
            rel: rel.into(),
            media_type: Some(media_type.into()),
            title: Some(title.into()).filter(|t: &String| !t.is_empty()),
        }
    }
}

/// `self` and its `alternate` in the other encoding, for a document at `path` (with `?` or
/// without); `json_type` is the JSON encoding's media type.
pub fn self_and_alternate(base: &str, path: &str, json_type: &str, html: bool) -> Vec<Link> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let json = Link::new(format!("{base}{path}{sep}f=json"), "self", json_type, "this document as JSON");
    let page = Link::new(format!("{base}{path}{sep}f=html"), "alternate", HTML, "this document as HTML");
    if html {
        vec![Link { rel: "alternate".into(), ..json }, Link { rel: "self".into(), ..page }]
    } else {
        vec![json, page]
    }
}

/// The landing page.
#[derive(Debug, Serialize, ToSchema)]
pub struct LandingPage {
    pub title: String,
    pub description: String,
    pub links: Vec<Link>,
}

/// The conformance classes kheo implements.
#[derive(Debug, Serialize, ToSchema)]
pub struct Conformance {
    #[serde(rename = "conformsTo")]
    pub conforms_to: Vec<String>,
}

/// The collections: one per layer of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Collections {
    pub links: Vec<Link>,
    pub collections: Vec<Collection>,
}

/// One layer as an OGC API collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct Collection {
    pub id: String,
    pub title: String,
    pub description: String,
    pub links: Vec<Link>,
    pub extent: Extent,
    #[serde(rename = "itemType")]
    pub item_type: String,
    /// Every CRS the items can be asked for in (`crs=`).
    pub crs: Vec<String>,
    #[serde(rename = "storageCrs")]
    pub storage_crs: String,
}

/// Where and when a collection's features lie, from the data.
#[derive(Debug, Serialize, ToSchema)]
pub struct Extent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spatial: Option<SpatialExtent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporal: Option<TemporalExtent>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SpatialExtent {
    /// `[[west, south, east, north]]` in CRS84.
    pub bbox: Vec<[f64; 4]>,
    pub crs: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemporalExtent {
    /// `[[first, last]]` as RFC 3339 instants; `null` is an open end.
    pub interval: Vec<[Option<String>; 2]>,
    pub trs: String,
}

/// A page of features (`application/geo+json`), streamed; documented here for the
/// OpenAPI document.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureCollection {
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: String,
    #[serde(rename = "timeStamp")]
    pub time_stamp: String,
    /// Features matching the request on every page.
    #[serde(rename = "numberMatched")]
    pub number_matched: i64,
    /// Features in this page.
    #[serde(rename = "numberReturned")]
    pub number_returned: i64,
    #[schema(value_type = Vec<Object>)]
    pub features: Vec<serde_json::Value>,
    /// `self`, `alternate`, `collection`, and `next`/`prev` when there are more pages.
    pub links: Vec<Link>,
}

/// One GeoJSON Feature, with the layer's attributes as properties.
#[derive(Debug, Serialize, ToSchema)]
pub struct Feature {
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: String,
    /// A whole number, or the statistics code for communes.
    pub id: serde_json::Value,
    #[schema(value_type = Option<Object>)]
    pub geometry: serde_json::Value,
    #[schema(value_type = Object)]
    pub properties: serde_json::Value,
}

/// The error answer of every kheo endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    /// Where it applies: `{"parameter": "limit"}`, `{"parameter": "filter", "position": 12}`;
    /// `null` when there is nothing to point at.
    #[schema(value_type = Option<Object>)]
    pub detail: serde_json::Value,
}
