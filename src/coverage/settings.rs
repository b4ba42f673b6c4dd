//! Checking a commune's settings before they are saved: every value in range, every
//! indicator, class and surface one the catalogues know. Each problem names its setting.

use super::Settings;
use super::indicators::{self, Kind};
use crate::model::vocab::{HARDENED_SURFACES, ROAD_CLASSES};

/// A setting that is not valid: which one, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub setting: String,
    pub message: String,
}

fn invalid(setting: impl Into<String>, message: impl Into<String>) -> Invalid {
    Invalid { setting: setting.into(), message: message.into() }
}

/// The years a roadmap may name.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;
/// The most a square metre of road may cost (đồng): far above any real price, a guard
/// against a misplaced digit.
const MAX_UNIT_COST: f64 = 100_000_000.0;

/// A target for indicator `id`: one of the catalogue's that takes targets, a finite number
/// not below zero, and not above 100 for a share.
fn check_target(setting: &str, id: &str, value: f64) -> Result<(), Invalid> {
    let indicator = indicators::find(id)
        .filter(|i| i.target)
        .ok_or_else(|| invalid(setting, format!("`{id}` is not an indicator that takes a target")))?;
    if !value.is_finite() || value < 0.0 || (indicator.kind == Kind::Pct && value > 100.0) {
        let range = if indicator.kind == Kind::Pct { "0 to 100" } else { "0 or more" };
        return Err(invalid(setting, format!("the target of {id} must be a number from {range}")));
    }
    Ok(())
}

/// Checks every setting; the first problem found.
pub fn check(s: &Settings) -> Result<(), Invalid> {
    if s.counted_classes.is_empty() {
        return Err(invalid("counted_classes", "count at least one road class"));
    }
    for class in &s.counted_classes {
        if !ROAD_CLASSES.iter().any(|t| t.value == class) {
            let known: Vec<&str> = ROAD_CLASSES.iter().map(|t| t.value).collect();
            return Err(invalid(
                "counted_classes",
                format!("`{class}` is not a road class; the classes are {}", known.join(", ")),
            ));
        }
    }
    for (name, value) in [("lit_buffer_m", s.lit_buffer_m), ("drain_buffer_m", s.drain_buffer_m)] {
        if !(value > 0.0 && value <= 200.0) {
            return Err(invalid(name, "a buffer is more than 0 and at most 200 metres"));
        }
    }
    for (id, value) in &s.targets {
        check_target("targets", id, *value)?;
    }
    for (id, by_year) in &s.targets_by_year {
        for (year, value) in by_year {
            if !YEARS.contains(year) {
                return Err(invalid("targets_by_year", format!("{year} is not a year from 2000 to 2100")));
            }
            check_target("targets_by_year", id, *value)?;
        }
    }
    for (surface, cost) in &s.unit_costs {
        if !HARDENED_SURFACES.contains(&surface.as_str()) {
            return Err(invalid(
                "unit_costs",
                format!("`{surface}` is not a surface to build: use {}", HARDENED_SURFACES.join(", ")),
            ));
        }
        if !(cost.is_finite() && *cost >= 0.0 && *cost <= MAX_UNIT_COST) {
            return Err(invalid(
                "unit_costs",
                format!("the unit cost of {surface} must be 0 to 100.000.000 đồng per m²"),
            ));
        }
    }
    if !HARDENED_SURFACES.contains(&s.target_surface.as_str()) {
        return Err(invalid("target_surface", format!("use {}", HARDENED_SURFACES.join(", "))));
    }
    if !s.unit_costs.contains_key(&s.target_surface) {
        return Err(invalid("unit_costs", format!("give the unit cost of {}, the target surface", s.target_surface)));
    }
    if !(s.default_width_m > 0.0 && s.default_width_m <= 50.0) {
        return Err(invalid("default_width_m", "the default width is more than 0 and at most 50 metres"));
    }
    if !(0.0..=100.0).contains(&s.people_share_pct) {
        return Err(invalid("people_share_pct", "the people's share is 0 to 100 %"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn the_defaults_are_valid() {
        assert_eq!(check(&Settings::defaults()), Ok(()));
    }

    #[test]
    fn each_bad_setting_is_named() {
        let bad = |change: fn(&mut Settings)| {
            let mut s = Settings::defaults();
            change(&mut s);
            check(&s).unwrap_err().setting
        };
        assert_eq!(bad(|s| s.counted_classes = vec!["highway".into()]), "counted_classes");
        assert_eq!(bad(|s| s.lit_buffer_m = 0.0), "lit_buffer_m");
        assert_eq!(bad(|s| s.drain_buffer_m = f64::NAN), "drain_buffer_m");
        assert_eq!(
            bad(|s| {
                s.targets.insert("concrete_pct".into(), 120.0);
            }),
            "targets"
        );
        assert_eq!(
            bad(|s| {
                s.targets.insert("road_m".into(), 5.0);
            }),
            "targets",
            "road_m takes no target"
        );
        assert_eq!(
            bad(|s| {
                s.targets_by_year.insert("concrete_pct".into(), BTreeMap::from([(1999, 50.0)]));
            }),
            "targets_by_year"
        );
        assert_eq!(
            bad(|s| {
                s.unit_costs.insert("gold".into(), 1.0);
            }),
            "unit_costs"
        );
        assert_eq!(
            bad(|s| {
                s.unit_costs.insert("concrete".into(), -1.0);
            }),
            "unit_costs"
        );
        assert_eq!(bad(|s| s.target_surface = "earth".into()), "target_surface");
        assert_eq!(bad(|s| s.default_width_m = 0.0), "default_width_m");
        assert_eq!(bad(|s| s.people_share_pct = 101.0), "people_share_pct");
    }
}
