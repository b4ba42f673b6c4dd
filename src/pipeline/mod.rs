//! Jobs of several steps, between the callers (`crate::http`, `crate::cli`) and the store:
//! each reads, checks and writes through `crate::store`, which holds all their SQL, and
//! both the command line and the HTTP API call the same job.
//!
//! - [`import`]: a file (GeoJSON, KML/KMZ, GPX, Shapefile, CSV) into a layer, checked
//!   feature by feature (`POST /api/import`, `kheo import`);
//! - [`dump`]: a commune's data, settings and photos into a zip and back (`kheo export
//!   --commune`, `kheo import DUMP.zip`);
//! - [`demo`]: the demo commune (`kheo demo`, `./dev demo`);
//! - [`synthetic`]: a synthetic province for benchmarks (`kheo demo --synthetic province`).

pub mod demo;
pub mod dump;
pub mod import;
pub mod synthetic;
