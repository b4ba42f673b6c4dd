use crate::helpers::spawn_app;
use kheo::layers::{FieldType, LAYERS};

#[tokio::test]
async fn communes_list_their_groups_count_and_bbox() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    let communes = app.get_json("/api/communes").await;

    let first = communes.as_array().unwrap().iter().find(|c| c["code"] == "99001").unwrap();
    assert_eq!(first["name"], "Xã Thử Nghiệm");
    assert_eq!(first["kind"], "xa");
    assert_eq!(first["groups"], 2);
    let bbox: Vec<f64> = serde_json::from_value(first["bbox"].clone()).unwrap();
    for (got, want) in bbox.iter().zip([105.70, 19.20, 105.72, 19.22]) {
        assert!((got - want).abs() < 1e-9, "bbox {bbox:?}");
    }
    assert_eq!(communes.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_layer_catalogue_lists_every_layer_with_its_fields_and_count() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    let layers = app.get_json("/api/layers").await;

    let ids: Vec<&str> = layers.as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["communes", "groups", "roads", "flower_routes", "lighting_lines", "model_sites", "drainage"]);
    let count =
        |id: &str| layers.as_array().unwrap().iter().find(|l| l["id"] == id).unwrap()["count"].as_i64().unwrap();
    assert_eq!(
        [
            count("communes"),
            count("groups"),
            count("roads"),
            count("flower_routes"),
            count("lighting_lines"),
            count("model_sites"),
            count("drainage")
        ],
        [2, 3, 5, 1, 1, 2, 0]
    );
    let roads = layers.as_array().unwrap().iter().find(|l| l["id"] == "roads").unwrap();
    assert_eq!(roads["title"]["vi"], "Đường giao thông");
    assert_eq!(roads["geometry"], "line");
    let surface = roads["fields"].as_array().unwrap().iter().find(|f| f["name"] == "surface").unwrap();
    assert_eq!(surface["type"], "enum");
    assert_eq!(surface["title"]["vi"], "Mặt đường");
    assert!(surface["values"].as_array().unwrap().iter().any(|v| v["value"] == "concrete" && v["vi"] == "Bê tông"));
}

/// A field is `required` in the catalogue exactly when its column is NOT NULL without a
/// default, so that forms and imports ask for what the database will demand.
#[tokio::test]
async fn the_required_fields_are_the_not_null_columns_without_default() {
    let app = spawn_app().await;
    for layer in LAYERS {
        let demanded: Vec<String> = sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns
              WHERE table_name = $1 AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'
                AND column_name NOT IN ('geom', $2) ORDER BY 1",
        )
        .bind(layer.table)
        .bind(layer.commune_column)
        .fetch_all(&app.pool)
        .await
        .unwrap();
        let mut required: Vec<String> = layer
            .fields()
            .filter(|f| f.required && f.name != layer.commune_column)
            .map(|f| f.name.to_string())
            .collect();
        required.sort();
        assert_eq!(required, demanded, "layer {}", layer.id);
    }
    let catalogue = app.get_json("/api/layers").await;
    let roads = catalogue.as_array().unwrap().iter().find(|l| l["id"] == "roads").unwrap();
    let class = roads["fields"].as_array().unwrap().iter().find(|f| f["name"] == "class").unwrap();
    assert_eq!(class["required"], true);
}

/// The vocabularies in src/model/vocab.rs and the schema's CHECK constraints must agree:
/// every value the catalogue offers is accepted by the database, and a value outside it
/// is refused.
#[tokio::test]
async fn every_vocabulary_value_is_allowed_by_the_schema_and_no_other() {
    let app = spawn_app().await;
    for layer in LAYERS {
        for field in layer.fields() {
            let FieldType::Enum(terms) = field.ty else {
                continue;
            };
            let check = format!(
                "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
                  WHERE c.conrelid = '{}'::regclass AND c.contype = 'c'
                    AND pg_get_constraintdef(c.oid) ~ ('\\m' || $1 || '\\M')",
                layer.table
            );
            let defs: Vec<String> = sqlx::query_scalar(&check).bind(field.name).fetch_all(&app.pool).await.unwrap();
            assert!(!defs.is_empty(), "{}.{} has no CHECK constraint", layer.table, field.name);
            let def = defs.join(" ");
            for term in terms {
                assert!(
                    def.contains(&format!("'{}'", term.value)),
                    "{}.{}: {} not in {def}",
                    layer.table,
                    field.name,
                    term.value
                );
            }
            let quoted = def.matches("'").count() / 2;
            assert_eq!(quoted, terms.len(), "{}.{}: the schema allows other values: {def}", layer.table, field.name);
        }
    }
}

/// The indicator catalogue is served whole, and every coverage answer carries every
/// indicator of it, for each group and for the commune, with targets only for indicators
/// that take one.
#[tokio::test]
async fn the_indicator_catalogue_names_every_figure_of_a_coverage_answer() {
    let app = spawn_app().await;
    app.load_fixture("coverage_square.sql").await;

    let catalogue = app.get_json("/api/indicators").await;
    let report = app.get_json("/api/coverage?commune=99100&as_of=2024-01-01").await;

    let ids: Vec<&str> = catalogue.as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, kheo::coverage::INDICATORS.iter().map(|i| i.id).collect::<Vec<_>>());
    let concrete = catalogue.as_array().unwrap().iter().find(|i| i["id"] == "concrete_pct").unwrap();
    assert_eq!(concrete["rounding"], "half_away_from_zero");
    assert_eq!(concrete["display"]["decimals"], 1);
    assert_eq!(concrete["display"]["unit"]["vi"], "%");
    assert_eq!(concrete["title"]["vi"], "Tỷ lệ bê tông");
    let of_groups: Vec<&str> =
        kheo::coverage::INDICATORS.iter().filter(|i| i.at(kheo::coverage::Level::Group)).map(|i| i.id).collect();
    for area in report["groups"].as_array().unwrap().iter().chain([&report["commune"], &report["unassigned"]]) {
        for id in &of_groups {
            assert!(area.get(*id).is_some(), "{id} missing from {area}");
        }
    }
    for target in report["settings"]["targets"].as_object().unwrap().keys() {
        let row = catalogue.as_array().unwrap().iter().find(|i| i["id"] == target.as_str());
        assert_eq!(row.map(|r| &r["target"]), Some(&serde_json::json!(true)), "default target {target}");
    }
}

/// The coverage SQL knows the zone layers (lighting, drainage) by their catalogue id; its
/// table, date column and buffer setting must be the catalogue's.
#[tokio::test]
async fn the_coverage_sql_knows_each_zone_layer_as_the_catalogue_does() {
    let app = spawn_app().await;
    for layer in LAYERS {
        let Some(kheo::layers::Feed::Zone { setting }) = layer.feed else { continue };
        let (table, dated, sql_setting): (String, String, String) =
            sqlx::query_as("SELECT source::text, dated, setting FROM coverage_zone_layer($1)")
                .bind(layer.id)
                .fetch_one(&app.pool)
                .await
                .unwrap();
        assert_eq!(table, layer.table, "{}", layer.id);
        assert_eq!(dated, layer.lifecycle.unwrap().date, "{}", layer.id);
        assert_eq!(sql_setting, setting, "{}", layer.id);
    }
}
