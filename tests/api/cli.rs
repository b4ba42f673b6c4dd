//! The `kheo` binary end to end: the managed cluster's life cycle and the demo load, as a
//! person at a terminal would run them.

use std::path::Path;
use std::process::{Command, Output};

fn kheo(home: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_kheo"))
        .args(args)
        .env("KHEO_HOME", home)
        .env_remove("DATABASE_URL")
        .output()
        .expect("running kheo");
    assert!(
        out.status.success(),
        "kheo {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_managed_cluster_starts_loads_the_demo_idempotently_and_stops() {
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);

    let up = stdout(&kheo(&home, &["db", "up"]));
    assert!(up.starts_with("database ready: postgres://"), "{up}");
    let status = stdout(&kheo(&home, &["db", "status"]));
    assert!(status.contains("running:         true"), "{status}");

    let first = stdout(&kheo(&home, &["demo"]));
    assert!(first.contains("roads: 168 inserted"), "{first}");
    let second = stdout(&kheo(&home, &["demo"]));
    for line in second.lines() {
        assert!(line.ends_with(": 0 inserted, 0 updated, 0 deleted"), "second load changed something: {line}");
    }

    kheo(&home, &["db", "down"]);
    let status = stdout(&kheo(&home, &["db", "status"]));
    assert!(status.contains("running:         false"), "{status}");
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn with_a_database_url_kheo_manages_no_cluster() {
    let out = Command::new(env!("CARGO_BIN_EXE_kheo"))
        .args(["db", "status"])
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .unwrap();

    assert!(out.status.success());
    assert!(stdout(&out).contains("DATABASE_URL is set"), "{}", stdout(&out));
}
