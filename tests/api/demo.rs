//! The demo commune: loads, loads again without changing anything, and carries the
//! figures of docs/DOMAIN.md (Quỳnh Xuân ward, 2022).

use crate::helpers::spawn_app;
use sqlx::PgPool;

/// A digest of every row of every layer table (all columns, timestamps included).
async fn digest(pool: &PgPool) -> String {
    let mut parts = Vec::new();
    for layer in kheo::layers::LAYERS {
        let sql = format!(
            "SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t.{})), '') FROM {} t",
            layer.key, layer.table
        );
        let d: String = sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap();
        parts.push(format!("{}={d}", layer.table));
    }
    parts.join(",")
}

#[tokio::test]
async fn loading_the_demo_twice_gives_the_same_database() {
    let app = spawn_app().await;

    let first = kheo::demo::load(&app.pool, None).await.unwrap();
    let after_first = digest(&app.pool).await;
    let second = kheo::demo::load(&app.pool, None).await.unwrap();
    let after_second = digest(&app.pool).await;

    assert_eq!(first.len(), kheo::layers::LAYERS.len(), "one file per layer");
    assert!(first.iter().all(|(_, c)| c.inserted > 0), "{first:?}");
    assert!(second.iter().all(|(_, c)| c.inserted == 0 && c.updated == 0 && c.deleted == 0), "{second:?}");
    assert_eq!(after_first, after_second);
}

#[tokio::test]
async fn the_demo_ward_has_the_reported_road_lengths_and_counts() {
    let app = spawn_app().await;
    kheo::demo::load(&app.pool, None).await.unwrap();

    // Commune roads: every class but national and provincial, existing ones.
    let (road_km, concrete_km): (f64, f64) = sqlx::query_as(
        "SELECT sum(ST_Length(geom::geography)) / 1000,
                sum(ST_Length(geom::geography)) FILTER (WHERE surface = 'concrete') / 1000
           FROM road WHERE class NOT IN ('national', 'provincial') AND status = 'existing'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // docs/DOMAIN.md: 41 km concreted = 80.7 %, so about 50.8 km of commune roads.
    assert!((road_km - 50.8).abs() < 0.3, "commune roads: {road_km} km");
    assert!((concrete_km - 41.0).abs() < 0.3, "concrete: {concrete_km} km");
    assert!((100.0 * concrete_km / road_km - 80.7).abs() < 0.3, "share: {}", concrete_km / road_km);

    let groups: i64 = sqlx::query_scalar("SELECT count(*) FROM residential_group").fetch_one(&app.pool).await.unwrap();
    assert_eq!(groups, 14);
    let flowers: i64 = sqlx::query_scalar("SELECT count(*) FROM flower_route").fetch_one(&app.pool).await.unwrap();
    assert_eq!(flowers, 36);
    let fields: i64 =
        sqlx::query_scalar("SELECT count(DISTINCT field) FROM model_site").fetch_one(&app.pool).await.unwrap();
    assert_eq!(fields, 4);
    // National Road 1A crosses four groups.
    let crossed: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT g.id) FROM road r JOIN residential_group g
             ON ST_Length(ST_Intersection(r.geom, g.geom)::geography) > 1
          WHERE r.class = 'national'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(crossed, 4);
    // The groups tile the ward: their areas add up to the ward's.
    let (ward, sum): (f64, f64) = sqlx::query_as(
        "SELECT (SELECT ST_Area(geom::geography) FROM commune), (SELECT sum(ST_Area(geom::geography)) FROM residential_group)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!((ward - sum).abs() / ward < 1e-6, "ward {ward} m², groups {sum} m²");
}

#[tokio::test]
async fn the_demo_wards_coverage_reproduces_its_reported_figures() {
    let app = spawn_app().await;
    kheo::demo::load(&app.pool, None).await.unwrap();

    let report = app.get_json("/api/coverage?commune=17131&as_of=2025-12-31").await;

    let ward = &report["commune"];
    let km = |name: &str| ward[name].as_f64().unwrap() / 1000.0;
    // docs/DOMAIN.md, Quỳnh Xuân 2022: 41 km concreted = 80.7 %; 33 km of lit roads.
    assert!((ward["concrete_pct"].as_f64().unwrap() - 80.7).abs() <= 0.3, "{}", ward["concrete_pct"]);
    assert!((km("concrete_m") - 41.0).abs() <= 0.3, "{} km concrete", km("concrete_m"));
    assert!((km("lit_m") - 33.0).abs() <= 0.5, "{} km lit", km("lit_m"));
    assert_eq!(report["groups"].as_array().unwrap().len(), 14);
    assert_eq!(report["unassigned"]["road_m"], 0.0, "the groups tile the ward");
    // The groups tell a story: some near 100 %, some far below.
    let shares: Vec<f64> =
        report["groups"].as_array().unwrap().iter().map(|g| g["concrete_pct"].as_f64().unwrap()).collect();
    assert!(shares.iter().any(|s| *s >= 95.0) && shares.iter().any(|s| *s < 40.0), "{shares:?}");
}
