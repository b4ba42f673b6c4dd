//! SQL, one file per concern. Values are always bound; table and column names come from
//! the layer catalogue (`crate::layers`), never from a request.

pub mod audit;
pub mod boundaries;
pub mod communes;
pub mod coverage;
pub mod dump;
pub mod edit;
pub mod export;
pub mod features;
pub mod geometry;
pub mod health;
pub mod import;
pub mod load;
pub mod ogc;
pub mod photos;
pub mod regions;
pub mod report;
pub mod revision;
pub mod search;
pub mod sessions;
pub mod sql;
pub mod stream;
pub mod synthetic;
pub mod tiles;
pub mod users;
pub mod worklist;
