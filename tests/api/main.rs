//! Integration tests against a real PostGIS: one binary, a fresh database per test.

mod accounts;
mod as_of;
mod catalogue;
mod cli;
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
mod search;
mod tiles;
mod web;
