//! Integration tests against a real PostGIS: one binary, a fresh database per test.

// A test's helpers (spawning the app, fixtures) panic on failure like the tests themselves;
// clippy.toml's allow-*-in-tests covers only `#[test]` functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod architecture;
mod as_of;
mod bad_requests;
mod catalogue;
mod cli;
mod communes_import;
mod connections;
mod contract_regressions;
mod coverage;
mod coverage_steps;
mod demo;
mod edits;
mod errors;
mod export;
mod features;
mod geodesy;
mod health;
mod helpers;
mod hostile;
mod import;
mod memory;
mod ogc;
mod ogc_clients;
mod openapi;
mod outage;
mod photos;
mod regions;
mod report;
mod schemathesis;
mod search;
mod security_headers;
mod sign_in_limits;
mod streams;
mod tiles;
mod web;
mod worklist;
