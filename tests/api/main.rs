//! Integration tests against a real PostGIS: one binary, a fresh database per test.

mod accounts;
mod as_of;
mod catalogue;
mod cli;
mod communes_import;
mod coverage;
mod demo;
mod edits;
mod errors;
mod export;
mod features;
mod geodesy;
mod health;
mod helpers;
mod import;
mod memory;
mod ogc;
mod ogc_clients;
mod regions;
mod search;
mod web;
mod worklist;
