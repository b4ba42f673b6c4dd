//! OGC API - Features concepts that are neither HTTP nor SQL: the coordinate reference
//! systems kheo serves (Part 2), the `datetime` parameter, and the CQL2 filter language
//! (Part 3). The handlers are in `crate::http::ogc`, the SQL in `crate::store::ogc`.

pub mod cql2;
pub mod crs;
pub mod datetime;
