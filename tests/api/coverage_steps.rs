//! Coverage steps (migrations/*_coverage_steps.sql): a region's sums read from each
//! commune's step function must equal the sums of the pieces at every date, and stay equal
//! after every kind of change a commune's works can go through.

use crate::helpers::{TestApp, spawn_app};
use chrono::{Days, NaiveDate};
use kheo::model::coverage::Tally;
use kheo::store::coverage::{commune_tallies, commune_tallies_direct, refresh_all_steps};
use std::collections::{BTreeSet, HashMap};

type Tallies = HashMap<(NaiveDate, String), Tally>;

async fn demo() -> TestApp {
    let app = spawn_app().await;
    kheo::demo::load(&app.pool, None).await.unwrap();
    app
}

async fn communes(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT code FROM commune ORDER BY code").fetch_all(&app.pool).await.unwrap()
}

/// Every date on which some work of the data changes, the days either side, and dates
/// before and after all of them: where a step function that missed a date would differ.
async fn probe_dates(app: &TestApp) -> Vec<NaiveDate> {
    let changes: Vec<NaiveDate> = sqlx::query_scalar(
        "SELECT DISTINCT d FROM (
             SELECT unnest(ARRAY[done_on, paved_on, lit_since, drained_since]) FROM coverage_road_piece
             UNION ALL SELECT done_on FROM flower_route UNION ALL SELECT done_on FROM lighting_line
             UNION ALL SELECT built_on FROM drainage
             UNION ALL SELECT coalesce(done_on, make_date(year, 1, 1)) FROM model_site) AS dates (d)
          WHERE d IS NOT NULL",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(changes.len() > 10, "the demo has works on many dates: {changes:?}");
    let mut dates: BTreeSet<NaiveDate> = BTreeSet::new();
    for d in changes {
        dates.extend([d - Days::new(1), d, d + Days::new(1)]);
    }
    dates.extend([NaiveDate::from_ymd_opt(1900, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2100, 1, 1).unwrap()]);
    dates.into_iter().collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(1.0)
}

/// The same sums, reading a missing road class, field or recognition as zero.
fn assert_same(steps: &Tallies, direct: &Tallies, what: &str) {
    let empty = Tally::default();
    let keys: BTreeSet<&(NaiveDate, String)> = steps.keys().chain(direct.keys()).collect();
    for key in keys {
        let (s, d) = (steps.get(key).unwrap_or(&empty), direct.get(key).unwrap_or(&empty));
        let classes: BTreeSet<&String> = s.roads.keys().chain(d.roads.keys()).collect();
        for class in classes {
            let (a, b) =
                (s.roads.get(class).cloned().unwrap_or_default(), d.roads.get(class).cloned().unwrap_or_default());
            for (name, x, y) in [
                ("road_m", a.road_m, b.road_m),
                ("concrete_m", a.concrete_m, b.concrete_m),
                ("hardened_m", a.hardened_m, b.hardened_m),
                ("lit_m", a.lit_m, b.lit_m),
                ("drained_m", a.drained_m, b.drained_m),
            ] {
                assert!(close(x, y), "{what}: {key:?} {class} {name}: steps {x}, pieces {y}");
            }
        }
        for (name, x, y) in [
            ("flower_m", s.flower_m, d.flower_m),
            ("people_vnd", s.people_vnd, d.people_vnd),
            ("state_vnd", s.state_vnd, d.state_vnd),
            ("workdays", s.workdays, d.workdays),
        ] {
            assert!(close(x, y), "{what}: {key:?} {name}: steps {x}, pieces {y}");
        }
        let nonzero = |m: &std::collections::BTreeMap<String, i64>| {
            m.iter().filter(|(_, v)| **v != 0).map(|(k, v)| (k.clone(), *v)).collect::<Vec<_>>()
        };
        assert_eq!(nonzero(&s.sites_by_field), nonzero(&d.sites_by_field), "{what}: {key:?} sites by field");
        assert_eq!(
            nonzero(&s.sites_by_recognition),
            nonzero(&d.sites_by_recognition),
            "{what}: {key:?} sites by recognition"
        );
    }
}

/// Compares the steps with the pieces for every commune at every probe date.
async fn check(app: &TestApp, what: &str) {
    let (codes, dates) = (communes(app).await, probe_dates(app).await);
    let steps = commune_tallies(&app.pool, &codes, &dates).await.unwrap();
    let direct = commune_tallies_direct(&app.pool, &codes, &dates).await.unwrap();
    assert!(direct.values().any(|t| t.roads.values().any(|r| r.concrete_m > 0.0)), "{what}: the data has concrete");
    assert_same(&steps, &direct, what);
}

async fn execute(app: &TestApp, sql: &str) {
    let done = sqlx::query(sql).execute(&app.pool).await.unwrap();
    assert!(done.rows_affected() > 0, "{sql} changed nothing");
}

#[tokio::test]
async fn the_steps_give_the_sums_of_the_pieces_at_every_date() {
    let app = demo().await;
    check(&app, "the demo").await;
}

#[tokio::test]
async fn the_steps_follow_every_kind_of_change() {
    let app = demo().await;
    check(&app, "before").await;
    let changes = [
        // A road's attributes (copied to its pieces): paved later, from earth.
        "UPDATE road SET paved_on = '2022-03-15', surface = 'concrete', surface_before = 'earth'
          WHERE id = (SELECT min(id) FROM road WHERE status = 'existing' AND surface <> 'concrete')",
        // A road's geometry and date (its pieces computed again).
        "UPDATE road SET done_on = '2019-07-01', geom = ST_Reverse(geom) WHERE id = (SELECT max(id) FROM road)",
        // A road deleted.
        "DELETE FROM road WHERE id = (SELECT min(id) FROM road WHERE status = 'existing')",
        // A model site's attributes (read through a join): recognised higher, on a date.
        "UPDATE model_site SET recognition = 'province', done_on = '2021-05-05' WHERE id = (SELECT min(id) FROM model_site)",
        // A flower route finished on another date; a lighting line (which lights roads).
        "UPDATE flower_route SET done_on = '2020-02-02' WHERE id = (SELECT min(id) FROM flower_route)",
        "UPDATE lighting_line SET done_on = '2018-08-08' WHERE id = (SELECT min(id) FROM lighting_line)",
        "UPDATE drainage SET built_on = '2017-01-09' WHERE id = (SELECT min(id) FROM drainage)",
        "DELETE FROM drainage WHERE id = (SELECT max(id) FROM drainage)",
        // A commune's lighting buffer (all its pieces computed again).
        "UPDATE commune_setting SET lit_buffer_m = lit_buffer_m + 7 WHERE commune_code = (SELECT min(code) FROM commune)",
    ];
    for sql in changes {
        execute(&app, sql).await;
        check(&app, sql).await;
    }
}

#[tokio::test]
async fn concurrent_readers_compute_the_steps_once() {
    let app = demo().await;
    let codes = communes(&app).await;
    let today = chrono::Utc::now().date_naive();
    execute(&app, "UPDATE road SET surface = 'asphalt' WHERE id = (SELECT min(id) FROM road)").await;
    let dates = [today];
    let readers = (0..12).map(|_| commune_tallies(&app.pool, &codes, &dates));
    let answers = futures_util::future::try_join_all(readers).await.unwrap();
    let doubled: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT FROM coverage_step GROUP BY kind, commune_code, key, step_on
                                HAVING count(*) > 1) AS d",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(doubled, 0, "no step is written twice");
    let direct = commune_tallies_direct(&app.pool, &codes, &[today]).await.unwrap();
    for answer in &answers {
        assert_same(answer, &direct, "a concurrent reader");
    }
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM coverage_step_change").fetch_one(&app.pool).await.unwrap();
    assert_eq!(left, 0, "every noted change was taken");
    assert_eq!(refresh_all_steps(&app.pool).await.unwrap(), 0, "nothing left to refresh");
}

/// Writes and readers interleaved as they come (a smoke test; the test above fixes one
/// interleaving).
#[tokio::test]
async fn writes_racing_readers_leave_no_change_behind() {
    let app = demo().await;
    let codes = communes(&app).await;
    let dates = probe_dates(&app).await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM road WHERE status = 'existing' ORDER BY id LIMIT 30")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    // Each write repaves a road on another date, committed while readers refresh the steps.
    let writer = {
        let pool = app.pool.clone();
        tokio::spawn(async move {
            for (i, id) in ids.iter().enumerate() {
                sqlx::query(
                    "UPDATE road SET paved_on = DATE '2016-01-01' + $2::int, surface = 'concrete',
                                     surface_before = 'gravel' WHERE id = $1",
                )
                .bind(id)
                .bind(i32::try_from(i * 97).unwrap())
                .execute(&pool)
                .await
                .unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    let readers = (0..4).map(|_| {
        let (pool, codes, dates) = (app.pool.clone(), codes.clone(), dates.clone());
        tokio::spawn(async move {
            for _ in 0..6 {
                commune_tallies(&pool, &codes, &dates).await.unwrap();
            }
        })
    });
    writer.await.unwrap();
    futures_util::future::join_all(readers).await.into_iter().for_each(|r| r.unwrap());
    // Whatever the interleaving, the next reader sees every write.
    check(&app, "after writes racing readers").await;
}

#[tokio::test]
async fn a_write_open_while_the_steps_are_refreshed_counts_once_committed() {
    let app = demo().await;
    let codes = communes(&app).await;
    let dates = probe_dates(&app).await;
    check(&app, "before").await;
    // A commune noted as changed, so that the next reader refreshes it...
    execute(&app, "UPDATE road SET surface = 'gravel' WHERE id = (SELECT min(id) FROM road WHERE status = 'existing')")
        .await;
    // ...while another write to it is not committed yet.
    let mut open = app.pool.begin().await.unwrap();
    sqlx::query(
        "UPDATE road SET surface = 'concrete', surface_before = 'earth', paved_on = '2020-10-10'
          WHERE id = (SELECT max(id) FROM road WHERE status = 'existing')",
    )
    .execute(&mut *open)
    .await
    .unwrap();
    let refreshed = kheo::store::coverage::refresh_steps(&app.pool, &codes).await.unwrap();
    assert!(refreshed >= 1, "the committed change was refreshed");
    let before_commit = commune_tallies(&app.pool, &codes, &dates).await.unwrap();
    assert_same(&before_commit, &commune_tallies_direct(&app.pool, &codes, &dates).await.unwrap(), "not committed");
    open.commit().await.unwrap();
    // The refresh did not take the open write's note: it is counted now.
    check(&app, "committed after the refresh").await;
}

#[tokio::test]
async fn every_table_that_feeds_coverage_notes_its_changes() {
    let app = spawn_app().await;
    let mut tables: Vec<&str> = kheo::layers::LAYERS
        .iter()
        .filter(|l| l.role == kheo::layers::Role::Work && l.feed.is_some())
        .map(|l| l.table)
        .collect();
    tables.extend(["coverage_road_piece", "coverage_line_piece", "coverage_site"]);
    assert!(tables.contains(&"road") && tables.contains(&"drainage"), "{tables:?}");
    for table in tables {
        let triggers: Vec<String> = sqlx::query_scalar(
            "SELECT tgname::text FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname::text LIKE '%\\_step\\_%'
              ORDER BY 1",
        )
        .bind(table)
        .fetch_all(&app.pool)
        .await
        .unwrap();
        let want: Vec<String> =
            ["delete", "insert", "truncate", "update"].iter().map(|op| format!("{table}_step_{op}")).collect();
        assert_eq!(triggers, want, "{table} notes its changes for the coverage steps");
    }
}
