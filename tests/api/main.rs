//! Integration tests against a real PostGIS: one binary, a fresh database per test.

mod accounts;
mod bad_requests;
mod catalogue;
mod cli;
mod connections;
mod coverage;
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
mod outage;
mod search;
mod security_headers;
mod sign_in_limits;
mod streams;
mod web;
