//! Coverage indicators: what share of a residential group's roads is concreted, hardened,
//! lit and drained, how many metres of flower routes, how many model sites, how much money
//! and work the people gave. Pure Rust: the sums come from `store::coverage`, this module
//! turns them into the figures of the indicator catalogue ([`indicators`]) and targets.
//!
//! Definitions, for a group G and an as-of date D (the rules of existence and of the
//! surface at a date are the catalogue's, `store::features::existed_expr` and `value_expr`):
//! - `road_m`: geodesic length of the roads inside G whose class is counted (the
//!   commune's setting; national and provincial roads are left out by default) and that
//!   existed at D.
//! - `concrete_m`: of that, surface concrete at D (a road paved after D counts at its
//!   `surface_before`, earth when unknown). `hardened_m`: a hardened surface
//!   (`model::vocab::HARDENED_SURFACES`).
//! - `lit_m` / `drained_m`: of `road_m`, the length within the commune's buffer of a
//!   lighting line lit by D / of a drain built by D.
//! - `flower_m`: length of flower routes inside G planted by D.
//! - `model_sites`: count inside G by field and recognition, recognised by D.
//! - `people_vnd`, `state_vnd`, `workdays`: of works inside G done by D, a line work
//!   split across groups sharing its money in proportion to length.
//! - Percentages are 0-100, `None` (JSON null) when there are no counted roads.

pub mod format;
pub mod indicators;
pub mod region;
pub mod report;
pub mod settings;
pub mod table;
pub mod worklist;

pub use crate::model::coverage::{RoadLengths, Settings, Tally};
pub use indicators::{INDICATORS, Indicator, Level, Measures, percent, round_half_away};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use std::collections::BTreeMap;

impl RoadLengths {
    fn measures(&self) -> Measures {
        Measures {
            road_m: self.road_m,
            concrete_m: self.concrete_m,
            hardened_m: self.hardened_m,
            lit_m: self.lit_m,
            drained_m: self.drained_m,
            ..Measures::default()
        }
    }
}

impl Tally {
    /// The measures of the counted road classes and of everything else.
    pub fn measures(&self, settings: &Settings) -> Measures {
        let mut counted = RoadLengths::default();
        for (class, lengths) in &self.roads {
            if settings.counts(class) {
                counted.add(lengths);
            }
        }
        Measures {
            flower_m: self.flower_m,
            model_sites: self.sites_by_field.values().sum::<i64>() as f64,
            people_vnd: self.people_vnd,
            state_vnd: self.state_vnd,
            workdays: self.workdays,
            ..counted.measures()
        }
    }
}

impl Settings {
    /// The targets in force in `year`: each indicator's target of that year on the
    /// roadmap, else its plain target.
    pub fn targets_in(&self, year: i32) -> BTreeMap<String, f64> {
        let mut targets = self.targets.clone();
        for (id, by_year) in &self.targets_by_year {
            if let Some(target) = by_year.get(&year) {
                targets.insert(id.clone(), *target);
            }
        }
        targets
    }

    /// These settings with the targets in force in `year` as the plain targets.
    pub fn in_year(&self, year: i32) -> Settings {
        Settings { targets: self.targets_in(year), ..self.clone() }
    }

    /// Whether roads of `class` are part of `road_m` and its shares.
    pub fn counts(&self, class: &str) -> bool {
        self.counted_classes.iter().any(|c| c == class)
    }
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

/// Stored values of indicators by id, as the JSON carries them: numbers, whole numbers
/// for indicators without decimals, `null` for a share without roads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values(pub BTreeMap<&'static str, Option<f64>>);

impl Values {
    /// The values of the catalogue's indicators that `keep` keeps.
    pub fn of(measures: &Measures, keep: impl Fn(&Indicator) -> bool) -> Values {
        Values(INDICATORS.iter().filter(|i| keep(i)).map(|i| (i.id, i.value(measures))).collect())
    }

    pub fn get(&self, id: &str) -> Option<f64> {
        self.0.get(id).copied().flatten()
    }

    /// Writes the values as entries of a JSON object being serialised.
    fn write<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        for (id, value) in &self.0 {
            let whole = indicators::find(id).is_some_and(|i| i.decimals == 0);
            match value {
                Some(v) if whole => map.serialize_entry(id, &(*v as i64))?,
                Some(v) => map.serialize_entry(id, v)?,
                None => map.serialize_entry(id, &Option::<f64>::None)?,
            }
        }
        Ok(())
    }
}

impl Serialize for Values {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        self.write(&mut map)?;
        map.end()
    }
}

/// Road indicators of one class.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassIndicators {
    pub class: String,
    /// Whether this class is part of `road_m` (the commune's setting).
    pub counted: bool,
    pub values: Values,
}

impl Serialize for ClassIndicators {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("class", &self.class)?;
        map.serialize_entry("counted", &self.counted)?;
        self.values.write(&mut map)?;
        map.end()
    }
}

/// The indicators of one area, as the API serves them: every indicator of the catalogue
/// by id (flat), `model_sites` with its breakdown, the road indicators per class, and the
/// targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicators {
    pub values: Values,
    pub model_sites: SiteCounts,
    pub by_class: Vec<ClassIndicators>,
    /// Per indicator with a target: the target and whether it is met.
    pub targets: BTreeMap<String, Target>,
}

impl Serialize for Indicators {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        // `model_sites` is the breakdown object rather than the bare count.
        let flat =
            Values(self.values.0.iter().filter(|(id, _)| **id != "model_sites").map(|(k, v)| (*k, *v)).collect());
        flat.write(&mut map)?;
        map.serialize_entry("model_sites", &self.model_sites)?;
        map.serialize_entry("by_class", &self.by_class)?;
        map.serialize_entry("targets", &self.targets)?;
        map.end()
    }
}

impl Indicators {
    /// Indicators from raw sums and the commune's settings.
    pub fn from_tally(tally: &Tally, settings: &Settings) -> Indicators {
        let by_class = tally
            .roads
            .iter()
            .map(|(class, lengths)| ClassIndicators {
                class: class.clone(),
                counted: settings.counts(class),
                values: Values::of(&lengths.measures(), |i| i.road),
            })
            .collect();
        let values = Values::of(&tally.measures(settings), |i| i.at(Level::Group));
        let targets = targets(&values, &settings.targets);
        Indicators {
            values,
            model_sites: SiteCounts {
                total: tally.sites_by_field.values().sum(),
                by_field: tally.sites_by_field.clone(),
                by_recognition: tally.sites_by_recognition.clone(),
            },
            by_class,
            targets,
        }
    }

    /// The stored value of an indicator by id; `None` for a share without roads or an
    /// unknown id.
    pub fn value(&self, id: &str) -> Option<f64> {
        self.values.get(id)
    }
}

/// Each target of an indicator in the catalogue, with whether its value meets it (as
/// shown, see [`Indicator::meets`]).
pub fn targets(values: &Values, wanted: &BTreeMap<String, f64>) -> BTreeMap<String, Target> {
    wanted
        .iter()
        .filter_map(|(id, target)| {
            let indicator = indicators::find(id)?;
            Some((id.clone(), Target { target: *target, met: indicator.meets(values.get(id), *target) }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            counted_classes: vec!["commune".into(), "alley".into()],
            targets: BTreeMap::from([("concrete_pct".into(), 80.0), ("lit_pct".into(), 50.0)]),
            ..Settings::defaults()
        }
    }

    #[test]
    fn uncounted_classes_are_listed_but_left_out_of_the_shares() {
        let mut tally = Tally::default();
        tally.roads.insert(
            "commune".into(),
            RoadLengths { road_m: 600.0, concrete_m: 600.0, hardened_m: 600.0, lit_m: 0.0, drained_m: 300.0 },
        );
        tally.roads.insert(
            "alley".into(),
            RoadLengths { road_m: 400.0, concrete_m: 200.0, hardened_m: 300.0, lit_m: 400.0, drained_m: 0.0 },
        );
        tally.roads.insert(
            "national".into(),
            RoadLengths { road_m: 1000.0, concrete_m: 0.0, hardened_m: 1000.0, lit_m: 0.0, drained_m: 0.0 },
        );

        let i = Indicators::from_tally(&tally, &settings());

        assert_eq!(i.value("road_m"), Some(1000.0));
        assert_eq!(i.value("concrete_pct"), Some(80.0));
        assert_eq!(i.value("hardened_pct"), Some(90.0));
        assert_eq!(i.value("lit_pct"), Some(40.0));
        assert_eq!(i.value("drained_pct"), Some(30.0));
        assert_eq!(i.by_class.len(), 3);
        assert!(!i.by_class.iter().find(|c| c.class == "national").unwrap().counted);
        assert_eq!(i.targets["concrete_pct"], Target { target: 80.0, met: Some(true) });
        assert_eq!(i.targets["lit_pct"], Target { target: 50.0, met: Some(false) });
    }

    #[test]
    fn an_area_without_roads_has_null_percentages_and_unknown_targets() {
        let i = Indicators::from_tally(&Tally::default(), &settings());

        assert_eq!(i.value("road_m"), Some(0.0));
        assert_eq!(i.value("concrete_pct"), None);
        assert_eq!(i.targets["concrete_pct"].met, None);
    }

    #[test]
    fn tallies_add_up() {
        let mut a = Tally::default();
        a.roads.insert(
            "alley".into(),
            RoadLengths { road_m: 1.0, concrete_m: 1.0, hardened_m: 1.0, lit_m: 1.0, drained_m: 1.0 },
        );
        a.sites_by_field.insert("economy".into(), 2);
        a.people_vnd = 10.0;
        let mut total = Tally::default();
        total.add(&a);
        total.add(&a);

        assert_eq!(total.roads["alley"].road_m, 2.0);
        assert_eq!(total.sites_by_field["economy"], 4);
        assert_eq!(total.people_vnd, 20.0);
    }

    #[test]
    fn a_years_target_on_the_roadmap_replaces_the_plain_one() {
        let mut s = settings();
        s.targets_by_year.insert("concrete_pct".into(), BTreeMap::from([(2026, 85.0), (2030, 100.0)]));

        assert_eq!(s.targets_in(2026)["concrete_pct"], 85.0);
        assert_eq!(s.targets_in(2027)["concrete_pct"], 80.0, "no target on the roadmap for 2027");
        assert_eq!(s.targets_in(2030)["concrete_pct"], 100.0);
        assert_eq!(s.targets_in(2030)["lit_pct"], 50.0);
    }
}
