//! Coverage indicators: what share of a residential group's roads is concreted, hardened
//! and lit, how many metres of flower routes, how many model sites, how much money and
//! work the people gave. Pure Rust: the sums come from `store::coverage`, this module
//! turns them into indicators, percentages and targets.
//!
//! Definitions (DESIGN.md, "Coverage"), for a group G and an as-of date D:
//! - `road_m`: geodesic length of the roads inside G whose class is counted (the
//!   commune's setting; national and provincial roads are left out by default) and that
//!   existed at D (status existing, `done_on` null or <= D).
//! - `concrete_m`: of that, surface concrete at D (a road paved after D counts at its
//!   `surface_before`, earth when unknown). `hardened_m`: concrete, asphalt or paving.
//! - `lit_m`: of `road_m`, the length within `lit_buffer_m` of a lighting line lit by D.
//! - `flower_m`: length of flower routes inside G planted by D.
//! - `model_sites`: count inside G by field and recognition, recognised by D.
//! - `people_vnd`, `state_vnd`, `workdays`: of works inside G done by D, a line work
//!   split across groups sharing its money in proportion to length.
//! - Percentages are 0-100, `None` (JSON null) when there are no counted roads.

pub mod report;
pub mod table;

use serde::Serialize;
use std::collections::BTreeMap;

/// Surfaces that count as hardened (cứng hóa).
pub const HARDENED: &[&str] = &["concrete", "asphalt", "paving"];

/// Road lengths of one class, in metres.
#[derive(Debug, Default, Clone, Copy, PartialEq, Serialize)]
pub struct RoadLengths {
    pub road_m: f64,
    pub concrete_m: f64,
    pub hardened_m: f64,
    pub lit_m: f64,
}

impl RoadLengths {
    fn add(&mut self, other: &RoadLengths) {
        self.road_m += other.road_m;
        self.concrete_m += other.concrete_m;
        self.hardened_m += other.hardened_m;
        self.lit_m += other.lit_m;
    }
}

/// The raw sums for one area (a group, the unassigned rest, or the commune) at one date.
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

/// A commune's coverage settings.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub counted_classes: Vec<String>,
    pub lit_buffer_m: f64,
    /// Indicator name -> target value.
    pub targets: BTreeMap<String, f64>,
}

/// A target and whether it is met (`None` when the indicator has no value).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    pub target: f64,
    pub met: Option<bool>,
}

/// Model sites counted by field and by recognition level.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct SiteCounts {
    pub total: i64,
    pub by_field: BTreeMap<String, i64>,
    pub by_recognition: BTreeMap<String, i64>,
}

/// Road lengths with their shares of `road_m`: lengths in metres (rounded to 0.1 m),
/// percentages 0-100 (rounded to 0.01), `None` without roads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RoadShares {
    pub road_m: f64,
    pub concrete_m: f64,
    pub concrete_pct: Option<f64>,
    pub hardened_m: f64,
    pub hardened_pct: Option<f64>,
    pub lit_m: f64,
    pub lit_pct: Option<f64>,
}

impl From<&RoadLengths> for RoadShares {
    fn from(l: &RoadLengths) -> RoadShares {
        RoadShares {
            road_m: round_to(l.road_m, 1),
            concrete_m: round_to(l.concrete_m, 1),
            concrete_pct: percent(l.concrete_m, l.road_m),
            hardened_m: round_to(l.hardened_m, 1),
            hardened_pct: percent(l.hardened_m, l.road_m),
            lit_m: round_to(l.lit_m, 1),
            lit_pct: percent(l.lit_m, l.road_m),
        }
    }
}

/// Road indicators of one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassIndicators {
    pub class: String,
    /// Whether this class is part of `road_m` (the commune's setting).
    pub counted: bool,
    #[serde(flatten)]
    pub roads: RoadShares,
}

/// The indicators of one area, as the API serves them (the road shares of the counted
/// classes, flat). Money in whole VND.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicators {
    #[serde(flatten)]
    pub roads: RoadShares,
    pub flower_m: f64,
    pub model_sites: SiteCounts,
    pub people_vnd: i64,
    pub state_vnd: i64,
    pub workdays: f64,
    pub by_class: Vec<ClassIndicators>,
    /// Per indicator with a target: the target and whether it is met.
    pub targets: BTreeMap<String, Target>,
}

/// `part` as a percentage of `whole`, `None` when `whole` is zero.
///
/// ```
/// use kheo::coverage::percent;
/// assert_eq!(percent(807.0, 1000.0), Some(80.7));
/// assert_eq!(percent(0.0, 0.0), None);
/// ```
pub fn percent(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| round_to(100.0 * part / whole, 2))
}

fn round_to(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

impl Indicators {
    /// Indicators from raw sums and the commune's settings.
    pub fn from_tally(tally: &Tally, settings: &Settings) -> Indicators {
        let mut counted = RoadLengths::default();
        let mut by_class = Vec::new();
        for (class, l) in &tally.roads {
            let is_counted = settings.counted_classes.iter().any(|c| c == class);
            if is_counted {
                counted.add(l);
            }
            by_class.push(ClassIndicators { class: class.clone(), counted: is_counted, roads: RoadShares::from(l) });
        }
        let mut indicators = Indicators {
            roads: RoadShares::from(&counted),
            flower_m: round_to(tally.flower_m, 1),
            model_sites: SiteCounts {
                total: tally.sites_by_field.values().sum(),
                by_field: tally.sites_by_field.clone(),
                by_recognition: tally.sites_by_recognition.clone(),
            },
            people_vnd: tally.people_vnd.round() as i64,
            state_vnd: tally.state_vnd.round() as i64,
            workdays: round_to(tally.workdays, 1),
            by_class,
            targets: BTreeMap::new(),
        };
        for (name, target) in &settings.targets {
            let value = indicators.value(name);
            indicators.targets.insert(name.clone(), Target { target: *target, met: value.map(|v| v >= *target) });
        }
        indicators
    }

    /// The value of a numeric indicator by its API name; `None` for a percentage without
    /// roads or an unknown name.
    pub fn value(&self, name: &str) -> Option<f64> {
        match name {
            "road_m" => Some(self.roads.road_m),
            "concrete_m" => Some(self.roads.concrete_m),
            "concrete_pct" => self.roads.concrete_pct,
            "hardened_m" => Some(self.roads.hardened_m),
            "hardened_pct" => self.roads.hardened_pct,
            "lit_m" => Some(self.roads.lit_m),
            "lit_pct" => self.roads.lit_pct,
            "flower_m" => Some(self.flower_m),
            "model_sites" => Some(self.model_sites.total as f64),
            "people_vnd" => Some(self.people_vnd as f64),
            "state_vnd" => Some(self.state_vnd as f64),
            "workdays" => Some(self.workdays),
            _ => None,
        }
    }
}

/// The indicator names a target may name, in display order.
pub const INDICATORS: &[&str] = &[
    "road_m",
    "concrete_m",
    "concrete_pct",
    "hardened_m",
    "hardened_pct",
    "lit_m",
    "lit_pct",
    "flower_m",
    "model_sites",
    "people_vnd",
    "state_vnd",
    "workdays",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            counted_classes: vec!["commune".into(), "alley".into()],
            lit_buffer_m: 15.0,
            targets: BTreeMap::from([("concrete_pct".into(), 80.0), ("lit_pct".into(), 50.0)]),
        }
    }

    #[test]
    fn uncounted_classes_are_listed_but_left_out_of_the_shares() {
        let mut tally = Tally::default();
        tally
            .roads
            .insert("commune".into(), RoadLengths { road_m: 600.0, concrete_m: 600.0, hardened_m: 600.0, lit_m: 0.0 });
        tally
            .roads
            .insert("alley".into(), RoadLengths { road_m: 400.0, concrete_m: 200.0, hardened_m: 300.0, lit_m: 400.0 });
        tally
            .roads
            .insert("national".into(), RoadLengths { road_m: 1000.0, concrete_m: 0.0, hardened_m: 1000.0, lit_m: 0.0 });

        let i = Indicators::from_tally(&tally, &settings());

        assert_eq!(i.roads.road_m, 1000.0);
        assert_eq!(i.roads.concrete_pct, Some(80.0));
        assert_eq!(i.roads.hardened_pct, Some(90.0));
        assert_eq!(i.roads.lit_pct, Some(40.0));
        assert_eq!(i.by_class.len(), 3);
        assert!(!i.by_class.iter().find(|c| c.class == "national").unwrap().counted);
        assert_eq!(i.targets["concrete_pct"], Target { target: 80.0, met: Some(true) });
        assert_eq!(i.targets["lit_pct"], Target { target: 50.0, met: Some(false) });
    }

    #[test]
    fn an_area_without_roads_has_null_percentages_and_unknown_targets() {
        let i = Indicators::from_tally(&Tally::default(), &settings());

        assert_eq!(i.roads.road_m, 0.0);
        assert_eq!(i.roads.concrete_pct, None);
        assert_eq!(i.targets["concrete_pct"].met, None);
    }

    #[test]
    fn tallies_add_up() {
        let mut a = Tally::default();
        a.roads.insert("alley".into(), RoadLengths { road_m: 1.0, concrete_m: 1.0, hardened_m: 1.0, lit_m: 1.0 });
        a.sites_by_field.insert("economy".into(), 2);
        a.people_vnd = 10.0;
        let mut total = Tally::default();
        total.add(&a);
        total.add(&a);

        assert_eq!(total.roads["alley"].road_m, 2.0);
        assert_eq!(total.sites_by_field["economy"], 4);
        assert_eq!(total.people_vnd, 20.0);
    }
}
