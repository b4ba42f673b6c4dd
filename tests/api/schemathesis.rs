//! schemathesis (PyPI, pinned in tests/schemathesis.requirements.txt, in target/venv made by
//! `./dev deps --test`) against a `kheo serve` process over the demo ward and kheo's own
//! OpenAPI document: every operation but signing in and out, reads and writes with an
//! admin's session (cookie and `X-CSRF-Token`), a bounded number of cases per operation
//! and a fixed seed, so that a run is repeatable and its cost bounded (under a minute and a
//! half here). The stateful phase follows the document's links (create a feature, then
//! read, change and delete it; upload a photo, then read and delete it). It fails on any
//! 5xx and on any answer the document does not describe (see [`CHECKS`]). Its report goes straight to the test's output
//! (and so to CI's), whether it passes or not. The test fails, never skips, when
//! schemathesis is missing.

use crate::helpers::{PASSWORD, ServerProcess, spawn_app};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Cases per operation and phase: enough for the examples, the boundary values of the
/// coverage phase and some fuzzing, little enough for CI.
const MAX_EXAMPLES: &str = "12";
/// A fixed seed: the same cases in every run, so that a failure can be replayed.
const SEED: &str = "20261128";

/// What every answer is checked for: no 5xx; a status, a media type, headers and a JSON body
/// as the document lists; a binary or text body that is what its type says
/// (`body_is_what_its_type_says`, tests/schemathesis_checks.py); and, along the document's
/// links in the stateful phase, that what was deleted is gone and what was created is there.
/// Left out: the checks that take the session away to see it refused (`ignored_auth`,
/// `negative_data_rejection`, `missing_required_header`), since the session goes in a
/// `--header` that they cannot remove (tests/api/openapi.rs and the security tests check the
/// refusals); and `positive_data_acceptance`, since the document does not carry rules across
/// parameters (`commune` or `region`, not both) nor the catalogue's codes.
const CHECKS: [&str; 9] = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "body_is_what_its_type_says",
    "use_after_free",
    "ensure_resource_availability",
    "unsupported_method",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_answer_outside_the_document() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("target/venv/bin/python");
    let schemathesis = root.join("target/venv/bin/schemathesis");
    assert!(
        schemathesis.exists(),
        "{} is missing: run ./dev deps --test (it makes the venv from tests/schemathesis.requirements.txt)",
        schemathesis.display()
    );
    let app = spawn_app().await;
    kheo::demo::load(&app.pool, None).await.unwrap();
    app.add_user("kiemthu", "admin", &[]).await;
    let server = ServerProcess::start(&app, &[]);

    let client = reqwest::Client::new();
    let response = client
        .post(server.url("/api/session"))
        .json(&serde_json::json!({ "username": "kiemthu", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let body: serde_json::Value = response.json().await.unwrap();
    let csrf = body["csrf_token"].as_str().unwrap().to_string();

    // Its Hypothesis database and reports stay in target/.
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("schemathesis");
    std::fs::create_dir_all(&work).unwrap();
    let started = std::time::Instant::now();
    let status = Command::new(&python)
        .current_dir(&work)
        .arg(root.join("tests/schemathesis_run.py"))
        .args(["run", &server.url("/api/openapi.json")])
        .args(["--checks", &CHECKS.join(",")])
        .args(["--phases", "examples,coverage,fuzzing,stateful", "--max-examples", MAX_EXAMPLES, "--seed", SEED])
        .args(["--workers", "2", "--request-timeout", "60", "--no-color"])
        // Signing in would count failed attempts against the account; signing out would
        // end the session the rest of the run uses.
        .args(["--exclude-operation-id", "sign_in", "--exclude-operation-id", "sign_out"])
        .args(["--header", &format!("Cookie: {cookie}"), "--header", &format!("X-CSRF-Token: {csrf}")])
        .args(["--report", "junit", "--report-dir", work.to_str().unwrap()])
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .status()
        .expect("running schemathesis");
    println!("schemathesis: {:.0} s; kheo serve peak {} KiB", started.elapsed().as_secs_f64(), server.peak_rss_kib());
    assert!(status.success(), "schemathesis found failures: see its report above ({})", work.display());
}
