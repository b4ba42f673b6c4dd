//! Integration tests against a real PostGIS: one binary, a fresh database per test.

mod accounts;
mod catalogue;
mod cli;
mod coverage;
mod demo;
mod errors;
mod export;
mod edits;
mod features;
mod geodesy;
mod health;
mod import;
mod helpers;
mod search;
mod web;
