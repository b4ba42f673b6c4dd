//! The real clients against /ogc of a `kheo serve` process over the demo ward: GDAL's
//! OAPIF driver (ogrinfo, ogr2ogr, and GDAL 3.12 through pyogrio for EPSG:9208) and OWSLib,
//! driven by tests/ogc_clients.py in target/venv (made by `./dev deps --test`). The test
//! fails, never skips, when a client is missing.

use crate::helpers::{ServerProcess, spawn_app};
use std::path::PathBuf;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gdal_and_owslib_read_the_demo_through_ogc_api_features() {
    let app = spawn_app().await;
    kheo::demo::load(&app.pool, None).await.unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("target/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run ./dev deps --test (it makes the venv with OWSLib and pyogrio, and installs gdal-bin and proj-bin)",
        python.display()
    );
    let proj: String = sqlx::query_scalar("SELECT proj4text FROM spatial_ref_sys WHERE srid = 9208")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ogc-clients");
    let server = ServerProcess::start(&app, &[]);
    let base = server.url("");
    let output = tokio::process::Command::new(&python)
        .arg(root.join("tests/ogc_clients.py"))
        .args([base.as_str(), work.to_str().unwrap(), proj.as_str()])
        // GDAL must not find a proxy or a cache between it and the test server.
        .env("GDAL_HTTP_TIMEOUT", "60")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .output()
        .await
        .expect("running tests/ogc_clients.py");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    println!("kheo serve: {} KiB resident, {} KiB at most", server.rss_kib(), server.peak_rss_kib());
    assert!(output.status.success(), "the OGC client checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("ogc clients: all checks passed"), "{stdout}");
}
