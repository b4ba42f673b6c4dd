//! kheo: maps and coverage of campaign and infrastructure works in Vietnamese communes and
//! wards. The binary (`src/main.rs`) is thin; everything lives here so that tests can use it.

pub mod auth;
pub mod cli;
pub mod coverage;
pub mod db;
pub mod http;
pub mod import;
pub mod layers;
pub mod model;
pub mod ogc;
pub mod photos;
pub mod pipeline;
pub mod report;
pub mod spill;
pub mod spreadsheet;
pub mod store;

// The loaders' former paths, for the tests and tools that name them.
pub use pipeline::{demo, dump, synthetic};
