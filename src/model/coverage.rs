//! What coverage is computed from, as the store reads it: a commune's settings
//! (`commune_setting`) and the raw sums of an area at a date. Plain data, so that
//! `store::coverage` fills them without depending on `crate::coverage`, which turns them
//! into the indicator catalogue's figures (and adds their methods there).

use serde::Serialize;
use std::collections::BTreeMap;

/// Road lengths of one class, in metres.
#[derive(Debug, Default, Clone, Copy, PartialEq, Serialize)]
pub struct RoadLengths {
    pub road_m: f64,
    pub concrete_m: f64,
    pub hardened_m: f64,
    pub lit_m: f64,
    pub drained_m: f64,
}

impl RoadLengths {
    pub fn add(&mut self, other: &RoadLengths) {
        self.road_m += other.road_m;
        self.concrete_m += other.concrete_m;
        self.hardened_m += other.hardened_m;
        self.lit_m += other.lit_m;
        self.drained_m += other.drained_m;
    }
}

/// The raw sums for one area (a group, the unassigned rest, the commune, a region) at one
/// date.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Tally {
    /// Road lengths per road class, every class (counted or not).
    pub roads: BTreeMap<String, RoadLengths>,
    pub flower_m: f64,
    pub sites_by_field: BTreeMap<String, i64>,
    pub sites_by_recognition: BTreeMap<String, i64>,
    pub people_vnd: f64,
    pub state_vnd: f64,
    pub workdays: f64,
}

impl Tally {
    /// Adds another area's sums to this one.
    pub fn add(&mut self, other: &Tally) {
        for (class, lengths) in &other.roads {
            self.roads.entry(class.clone()).or_default().add(lengths);
        }
        self.flower_m += other.flower_m;
        for (k, v) in &other.sites_by_field {
            *self.sites_by_field.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.sites_by_recognition {
            *self.sites_by_recognition.entry(k.clone()).or_default() += v;
        }
        self.people_vnd += other.people_vnd;
        self.state_vnd += other.state_vnd;
        self.workdays += other.workdays;
    }
}

/// A commune's coverage settings (`commune_setting`; see the migrations for each).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Settings {
    pub counted_classes: Vec<String>,
    pub lit_buffer_m: f64,
    pub drain_buffer_m: f64,
    /// Indicator id -> target value.
    pub targets: BTreeMap<String, f64>,
    /// Indicator id -> year -> target: the roadmap; a year's target replaces the plain one.
    pub targets_by_year: BTreeMap<String, BTreeMap<i32, f64>>,
    /// Đồng per square metre of surface, by the surface a road is to get.
    pub unit_costs: BTreeMap<String, f64>,
    /// The surface the work list plans for.
    pub target_surface: String,
    /// The width assumed for a road whose width is not recorded, metres.
    pub default_width_m: f64,
    /// The share of a work's cost the people are expected to give, 0-100.
    pub people_share_pct: f64,
}

impl Settings {
    /// The settings of a commune that has no row in `commune_setting`: the schema's
    /// defaults.
    pub fn defaults() -> Settings {
        Settings {
            counted_classes: ["commune", "hamlet_axis", "inter_hamlet", "alley", "field"].map(String::from).to_vec(),
            lit_buffer_m: 15.0,
            drain_buffer_m: 10.0,
            targets: BTreeMap::from([
                ("concrete_pct".into(), 80.0),
                ("hardened_pct".into(), 100.0),
                ("lit_pct".into(), 70.0),
            ]),
            targets_by_year: BTreeMap::new(),
            unit_costs: BTreeMap::from([
                ("concrete".into(), 450_000.0),
                ("asphalt".into(), 400_000.0),
                ("paving".into(), 350_000.0),
            ]),
            target_surface: "concrete".into(),
            default_width_m: 3.0,
            people_share_pct: 50.0,
        }
    }
}
