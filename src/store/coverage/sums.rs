//! The sums coverage is made of, in two forms computed by the same rules:
//!
//! - **direct**: the pieces of the asked areas summed at each asked date (a commune's
//!   report, by group: a few thousand pieces);
//! - **steps**: each commune's sums as a step function of the date, kept in `coverage_step`
//!   (see migrations/*_coverage_steps.sql) and read one row per commune and key (a region's
//!   report: 500 communes would otherwise sum 740,000 road pieces per request).
//!
//! Both forms are written from one description of each kind of piece ([`PieceKind`]): what
//! it is made of, what it is summed by, its sums as (value, condition at the date
//! `d.as_of`), and the dates on which those conditions can change.

use crate::layers::{Feed, LAYERS, Layer};
use crate::model::vocab::{CONCRETE, EXISTING, HARDENED_SURFACES};
use crate::store::features::{change_dates, existed_expr, road_rules, site_existed};
use crate::store::sql::quote_ident;
use std::sync::LazyLock;

/// One sum of a kind of piece: `value` over the pieces where `condition` holds at the date
/// `d.as_of`, as SQL type `sql_type`.
pub(super) struct Measure {
    pub name: &'static str,
    value: String,
    condition: String,
    sql_type: &'static str,
}

fn measure(name: &'static str, value: &str, condition: &str) -> Measure {
    Measure { name, value: value.to_string(), condition: condition.to_string(), sql_type: "float8" }
}

/// A kind of piece that coverage sums: road pieces, a line layer's pieces, model sites.
pub(super) struct PieceKind {
    /// Its rows' kind in `coverage_step`: `roads`, the line layer's id, `sites`.
    pub id: &'static str,
    /// The line layer, for line pieces.
    pub layer: Option<&'static Layer>,
    /// The `FROM` items: the pieces and their work, aliased `t` (the work's attributes) and
    /// `p` (the pieces, when apart from the work).
    from: String,
    /// The alias of the table that has `commune_code` and `group_id`.
    scope_alias: &'static str,
    /// What every piece summed meets, at any date.
    filter: String,
    /// Derived values at the date, after `d`: `CROSS JOIN LATERAL (...) AS s`, or empty.
    lateral: String,
    /// What the sums are split by within an area, as (name, expression).
    pub keys: Vec<(&'static str, String)>,
    pub measures: Vec<Measure>,
    /// The pieces that count in some sum at the date: the others are skipped early.
    counted: String,
    /// The dates on which a piece's values can change (SQL date expressions).
    change_dates: Vec<String>,
    /// What tells a piece apart within one query.
    piece: String,
}

/// Every kind of piece, from the catalogue: roads, each line layer that feeds coverage by
/// its length or zone, and model sites. Described once, at first use.
pub(super) fn kinds() -> &'static [PieceKind] {
    static KINDS: LazyLock<Vec<PieceKind>> = LazyLock::new(|| {
        let mut kinds = vec![roads()];
        kinds.extend(LAYERS.iter().filter(|l| matches!(l.feed, Some(Feed::Length | Feed::Zone { .. }))).map(line_kind));
        kinds.push(sites());
        kinds
    });
    &KINDS
}

/// Road pieces, which carry their road's attributes under the road's names (the
/// piece-attributes migration), so that the catalogue's as-of rules read them as roads:
/// a road exists at a date by `existed_expr` and has the surface `value_expr` gives. A
/// road's money is dated by the work it paid for: its paving if any, else its construction.
// The catalogue is a constant with roads in it, dated (tested in `store::features`).
#[allow(clippy::expect_used)]
fn roads() -> PieceKind {
    let (existed, surface) = road_rules("d.as_of");
    let hardened: Vec<String> = HARDENED_SURFACES.iter().map(|s| format!("'{s}'")).collect();
    let exists = "s.exists_then";
    let paid = "s.paid_then";
    let roads = crate::layers::find("roads").expect("the catalogue has roads");
    let mut dates = change_dates(roads, "t");
    // The lighting and drainage lines covering a piece, by their own dates.
    dates.extend(["t.lit_since".to_string(), "t.drained_since".to_string()]);
    PieceKind {
        id: "roads",
        layer: None,
        from: "coverage_road_piece t".into(),
        scope_alias: "t",
        filter: format!("t.status = '{EXISTING}'"),
        lateral: format!(
            "CROSS JOIN LATERAL (SELECT {existed} AS exists_then,
                                        coalesce(t.paved_on, t.done_on) IS NULL
                                        OR coalesce(t.paved_on, t.done_on) <= d.as_of AS paid_then,
                                        {surface} AS surface) AS s"
        ),
        keys: vec![("class", "t.class".into())],
        measures: vec![
            measure("road_m", "t.length_m", exists),
            measure("concrete_m", "t.length_m", &format!("{exists} AND s.surface = '{CONCRETE}'")),
            measure("hardened_m", "t.length_m", &format!("{exists} AND s.surface IN ({})", hardened.join(", "))),
            measure(
                "lit_m",
                "t.length_m",
                &format!("{exists} AND t.lit AND (t.lit_since IS NULL OR t.lit_since <= d.as_of)"),
            ),
            measure(
                "drained_m",
                "t.length_m",
                &format!("{exists} AND t.drained AND (t.drained_since IS NULL OR t.drained_since <= d.as_of)"),
            ),
            measure("people_vnd", "t.share * t.people_vnd", paid),
            measure("state_vnd", "t.share * t.state_vnd", paid),
            measure("workdays", "t.share * t.workdays", paid),
        ],
        counted: format!("{exists} OR {paid}"),
        change_dates: dates,
        piece: "t.ctid".into(),
    }
}

/// A line work layer's pieces: their length and money, while the work exists.
// Every work layer that feeds coverage by its length or zone is dated (tested in
// `store::features`).
#[allow(clippy::expect_used)]
fn line_kind(layer: &'static Layer) -> PieceKind {
    let existed = existed_expr(layer, "t", "d.as_of").expect("works are dated");
    PieceKind {
        id: layer.id,
        layer: Some(layer),
        from: format!("coverage_line_piece p JOIN {} t ON t.id = p.work_id", quote_ident(layer.table)),
        scope_alias: "p",
        filter: format!("p.layer = '{}'", layer.id),
        lateral: String::new(),
        keys: Vec::new(),
        measures: vec![
            measure("length_m", "p.length_m", &existed),
            measure("people_vnd", "p.share * t.people_vnd", &existed),
            measure("state_vnd", "p.share * t.state_vnd", &existed),
            measure("workdays", "p.share * t.workdays", &existed),
        ],
        counted: existed.clone(),
        change_dates: change_dates(layer, "t"),
        piece: "p.ctid".into(),
    }
}

/// Model sites, counted by field and recognition with their money, once recognised.
// Model sites are in the constant catalogue, dated (tested in `store::features`).
#[allow(clippy::expect_used)]
fn sites() -> PieceKind {
    let existed = site_existed("d.as_of");
    let sites = crate::layers::find("model_sites").expect("the catalogue has model sites");
    PieceKind {
        id: "sites",
        layer: None,
        from: "coverage_site p JOIN model_site t ON t.id = p.site_id".into(),
        scope_alias: "p",
        filter: "true".into(),
        lateral: String::new(),
        keys: vec![("field", "t.field".into()), ("recognition", "t.recognition".into())],
        measures: vec![
            Measure { name: "sites", value: "1".into(), condition: existed.clone(), sql_type: "bigint" },
            measure("people_vnd", "t.people_vnd", &existed),
            measure("state_vnd", "t.state_vnd", &existed),
            measure("workdays", "t.workdays", &existed),
        ],
        counted: existed,
        change_dates: change_dates(sites, "t"),
        piece: "p.ctid".into(),
    }
}

/// What a direct sum covers, over the pieces' table aliased `p`: `condition` selects them
/// with the bound `$1`, `area` is what the sums are grouped by.
pub(super) struct Scope {
    pub condition: &'static str,
    pub area: &'static str,
}

impl Scope {
    /// The same scope over the alias `alias`.
    fn on(&self, alias: &str) -> (String, String) {
        (self.condition.replace("p.", &format!("{alias}.")), self.area.replace("p.", &format!("{alias}.")))
    }
}

/// `, a, b` for a non-empty list, else nothing.
fn leading_commas(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().map(|i| format!(", {i}")).collect()
}

impl PieceKind {
    /// The query of the sums of `scope` at each date of `$2`, by area and key: one row per
    /// (`as_of`, `area`, keys...) with a column per measure.
    pub(super) fn direct_query(&self, scope: &Scope) -> String {
        let (condition, area) = scope.on(self.scope_alias);
        let keys = leading_commas(self.keys.iter().map(|(name, expr)| format!("{expr} AS {name}")));
        let key_exprs = leading_commas(self.keys.iter().map(|(_, expr)| expr.clone()));
        let sums = leading_commas(self.measures.iter().map(|m| {
            format!("coalesce(sum({}) FILTER (WHERE {}), 0)::{} AS {}", m.value, m.condition, m.sql_type, m.name)
        }));
        format!(
            "SELECT d.as_of, {area} AS area{keys}{sums}
               FROM unnest($2::date[]) AS d (as_of) CROSS JOIN {from} {lateral}
              WHERE {condition} AND {filter} AND ({counted})
              GROUP BY d.as_of, {area}{key_exprs}",
            from = self.from,
            lateral = self.lateral,
            filter = self.filter,
            counted = self.counted,
        )
    }

    /// The `INSERT` of the steps of the communes of the array `communes`: each
    /// piece's values at each of its change dates (and '-infinity'), their changes from one
    /// date to the next, and per commune and key the running totals of those changes.
    /// Totals are kept in `numeric`, so a value added then taken away leaves exactly 0.
    pub(super) fn steps_insert(&self, communes: &str) -> String {
        let a = self.scope_alias;
        let key_names: Vec<&str> = self.keys.iter().map(|(name, _)| *name).collect();
        let keys = leading_commas(self.keys.iter().map(|(name, expr)| format!("{expr} AS {name}")));
        let names = leading_commas(key_names.iter().map(|n| n.to_string()));
        let values =
            leading_commas(self.measures.iter().map(|m| {
                format!("coalesce(CASE WHEN {} THEN ({})::float8 END, 0) AS {}", m.condition, m.value, m.name)
            }));
        let changes =
            leading_commas(self.measures.iter().map(|m| format!("{0} - lag({0}, 1, 0) OVER piece AS {0}", m.name)));
        let totals: Vec<String> =
            self.measures.iter().map(|m| format!("sum(sum({}::numeric)) OVER totals", m.name)).collect();
        let key_array: Vec<String> = key_names.iter().map(|n| format!("{n}::text")).collect();
        format!(
            "INSERT INTO coverage_step (kind, commune_code, key, step_on, measures)
             SELECT '{id}', area, ARRAY[{key_array}]::text[], as_of, ARRAY[{totals}]::float8[]
               FROM (SELECT area{names}, as_of{changes}
                       FROM (SELECT {piece} AS piece, {a}.commune_code AS area{keys}, d.as_of{values}
                               FROM {from}
                              CROSS JOIN LATERAL (SELECT DISTINCT x FROM unnest(ARRAY['-infinity'::date, {dates}]) AS x
                                                   WHERE x IS NOT NULL) AS d (as_of)
                              {lateral}
                              WHERE {a}.commune_code = ANY ({communes}) AND {filter}) AS at_dates
                     WINDOW piece AS (PARTITION BY piece ORDER BY as_of)) AS changes
              GROUP BY area{names}, as_of
             WINDOW totals AS (PARTITION BY area{names} ORDER BY as_of)",
            id = self.id,
            key_array = key_array.join(", "),
            totals = totals.join(", "),
            piece = self.piece,
            from = self.from,
            dates = self.change_dates.join(", "),
            lateral = self.lateral,
            filter = self.filter,
        )
    }

    /// The query of the steps of the communes `$1` at each date of `$2`: the same rows as
    /// [`Self::direct_query`] by commune, read from each (commune, key)'s last step on or
    /// before the date. Sums that are all zero are left out, as the direct query leaves out
    /// what does not count.
    pub(super) fn steps_query(&self) -> String {
        let keys =
            leading_commas(self.keys.iter().enumerate().map(|(i, (name, _))| format!("k.key[{}] AS {name}", i + 1)));
        let measures = leading_commas(
            self.measures
                .iter()
                .enumerate()
                .map(|(i, m)| format!("s.measures[{}]::{} AS {}", i + 1, m.sql_type, m.name)),
        );
        format!(
            "SELECT d.as_of, k.commune_code AS area{keys}{measures}
               FROM coverage_step k CROSS JOIN unnest($2::date[]) AS d (as_of)
              CROSS JOIN LATERAL (SELECT s.measures FROM coverage_step s
                                   WHERE s.commune_code = k.commune_code AND s.kind = k.kind AND s.key = k.key
                                     AND s.step_on <= d.as_of
                                   ORDER BY s.step_on DESC LIMIT 1) AS s
              WHERE k.kind = '{id}' AND k.commune_code = ANY ($1) AND k.step_on = '-infinity'
                AND EXISTS (SELECT FROM unnest(s.measures) AS m WHERE m <> 0)",
            id = self.id,
        )
    }
}

/// The statement that computes again the steps of the communes `$1`: it takes the changes
/// noted for them, deletes their steps and inserts them again, all from one snapshot.
/// Changes committed after that snapshot stay noted for the next reader.
pub(super) fn refresh_statement() -> String {
    let inserts: Vec<String> =
        kinds().iter().enumerate().map(|(i, kind)| format!("steps_{i} AS ({})", kind.steps_insert("$1"))).collect();
    format!(
        "WITH taken AS (DELETE FROM coverage_step_change WHERE commune_code = ANY ($1)),
              cleared AS (DELETE FROM coverage_step WHERE commune_code = ANY ($1)),
              {inserts}
         SELECT",
        inserts = inserts.join(",\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_dates_and_a_measure() {
        let kinds = kinds();
        let ids: Vec<&str> = kinds.iter().map(|k| k.id).collect();
        assert_eq!(ids.first(), Some(&"roads"));
        assert_eq!(ids.last(), Some(&"sites"));
        assert!(ids.contains(&"flower_routes") && ids.contains(&"lighting_lines") && ids.contains(&"drainage"));
        for kind in kinds {
            assert!(!kind.change_dates.is_empty(), "{} has change dates", kind.id);
            assert!(!kind.measures.is_empty(), "{} has measures", kind.id);
        }
    }

    #[test]
    fn the_conditions_compare_the_date_only_with_change_dates() {
        // A step function is exact only if each condition flips on a change date: `x <= d`
        // and `x > d` flip on x, but `x < d` would flip the day after.
        for kind in kinds() {
            let text: String = kind.measures.iter().map(|m| m.condition.clone()).collect::<String>() + &kind.lateral;
            assert!(!text.contains("< d.as_of") && !text.contains(">= d.as_of"), "{}: {text}", kind.id);
        }
    }
}
