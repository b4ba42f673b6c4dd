//! Integration tests against a real PostGIS: one binary, a fresh database per test.

mod catalogue;
mod cli;
mod coverage;
mod demo;
mod errors;
mod features;
mod health;
mod helpers;
mod search;
mod web;
