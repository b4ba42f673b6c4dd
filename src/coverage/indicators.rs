//! The indicator catalogue: ONE table of every figure kheo reports, and ONE rounding.
//!
//! Every output (the JSON, the choropleth, the dashboard, the CSV, the XLSX, the slides, the
//! reports) iterates over [`INDICATORS`] and shows a figure through [`Indicator::shown`], so
//! that a group's concrete share reads the same everywhere: the stored value (as the JSON
//! carries it) rounded once, half away from zero, to the indicator's display decimals.
//! Adding an indicator is adding a row here (and, if it needs a new sum, its measure in
//! [`Measures`] and the coverage SQL); see docs/ARCHITECTURE.md.

use serde::Serialize;

/// Where an indicator is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A residential group (and the unassigned rest).
    Group,
    /// A commune: the sum of its groups and the unassigned rest.
    Commune,
    /// A region (a set of communes).
    Region,
}

/// What kind of quantity an indicator is, for the page's scales and legends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Metres (shown in km).
    Length,
    /// A share of 0-100, `null` without a denominator.
    Pct,
    /// A whole count.
    Count,
    /// Đồng.
    Money,
    /// Workdays (ngày công).
    Work,
}

/// How people read an indicator, the same in every output: the JSON value divided by
/// `divisor`, rounded half away from zero to `decimals`, followed by `unit`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Display {
    pub divisor: f64,
    pub decimals: u32,
    pub unit_vi: &'static str,
    pub unit_en: &'static str,
}

/// Which outputs show an indicator (the JSON always carries every indicator of its level).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Outputs {
    /// A column of the CSV and XLSX tables.
    pub table: bool,
    /// A choice of the map's colouring.
    pub choropleth: bool,
    /// A column of the page's group table.
    pub dashboard: bool,
    /// A figure of the presentation's slides.
    pub slides: bool,
    /// A series of the year-by-year timeline.
    pub timeline: bool,
}

/// The sums an area's indicators are computed from (counted road classes only).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Measures {
    pub road_m: f64,
    pub concrete_m: f64,
    pub hardened_m: f64,
    pub lit_m: f64,
    pub drained_m: f64,
    pub flower_m: f64,
    pub model_sites: f64,
    pub people_vnd: f64,
    pub state_vnd: f64,
    pub workdays: f64,
    /// Communes summed (regions only).
    pub communes: f64,
    /// Of them, communes with at least one model site (regions only).
    pub communes_with_model: f64,
}

impl Measures {
    /// Adds another area's measures.
    pub fn add(&mut self, o: &Measures) {
        self.road_m += o.road_m;
        self.concrete_m += o.concrete_m;
        self.hardened_m += o.hardened_m;
        self.lit_m += o.lit_m;
        self.drained_m += o.drained_m;
        self.flower_m += o.flower_m;
        self.model_sites += o.model_sites;
        self.people_vnd += o.people_vnd;
        self.state_vnd += o.state_vnd;
        self.workdays += o.workdays;
        self.communes += o.communes;
        self.communes_with_model += o.communes_with_model;
    }

    /// The measures of one commune as its report states them (stored, rounded values), so
    /// that a region's totals are exactly the sums of its communes' own figures.
    pub fn of_commune(stored: impl Fn(&str) -> Option<f64>) -> Measures {
        let get = |id: &str| stored(id).unwrap_or(0.0);
        Measures {
            road_m: get("road_m"),
            concrete_m: get("concrete_m"),
            hardened_m: get("hardened_m"),
            lit_m: get("lit_m"),
            drained_m: get("drained_m"),
            flower_m: get("flower_m"),
            model_sites: get("model_sites"),
            people_vnd: get("people_vnd"),
            state_vnd: get("state_vnd"),
            workdays: get("workdays"),
            communes: 1.0,
            communes_with_model: if get("model_sites") > 0.0 { 1.0 } else { 0.0 },
        }
    }
}

/// One row of the catalogue (served by `GET /api/indicators`).
#[derive(Debug, Clone, Copy)]
pub struct Indicator {
    /// The name in the JSON, the CSV's column order, targets and URLs (`?ind=`).
    pub id: &'static str,
    pub levels: &'static [Level],
    pub kind: Kind,
    /// Decimals of the value as the JSON carries it (the stored value).
    pub decimals: u32,
    pub display: Display,
    /// Always `half_away_from_zero`: the one rounding of every output.
    pub rounding: &'static str,
    pub title_vi: &'static str,
    pub title_en: &'static str,
    /// For narrow table headers.
    pub short_vi: &'static str,
    pub short_en: &'static str,
    /// Whether a commune may set a target for it (in `commune_setting.targets`, by id).
    pub target: bool,
    /// A measure of the road network, also reported per road class (`by_class`).
    pub road: bool,
    /// For a share: the length indicator it is a share of.
    pub share_of: Option<&'static str>,
    pub outputs: Outputs,
    pub compute: fn(&Measures) -> Option<f64>,
}

const KM: Display = Display { divisor: 1000.0, decimals: 2, unit_vi: "km", unit_en: "km" };
const PCT: Display = Display { divisor: 1.0, decimals: 1, unit_vi: "%", unit_en: "%" };
const COUNT: Display = Display { divisor: 1.0, decimals: 0, unit_vi: "", unit_en: "" };
const DONG: Display = Display { divisor: 1.0, decimals: 0, unit_vi: "đồng", unit_en: "VND" };
const WORKDAYS: Display = Display { divisor: 1.0, decimals: 1, unit_vi: "", unit_en: "" };

const GROUP_UP: &[Level] = &[Level::Group, Level::Commune, Level::Region];

const fn outputs(table: bool, choropleth: bool, dashboard: bool, slides: bool, timeline: bool) -> Outputs {
    Outputs { table, choropleth, dashboard, slides, timeline }
}

/// A length of the counted roads (or of flower routes), in metres.
const fn length(
    id: &'static str,
    (title_vi, title_en): (&'static str, &'static str),
    (short_vi, short_en): (&'static str, &'static str),
    outputs: Outputs,
    compute: fn(&Measures) -> Option<f64>,
) -> Indicator {
    Indicator {
        id,
        levels: GROUP_UP,
        kind: Kind::Length,
        decimals: 1,
        display: KM,
        rounding: ROUNDING,
        title_vi,
        title_en,
        short_vi,
        short_en,
        target: false,
        road: true,
        share_of: None,
        outputs,
        compute,
    }
}

/// A share of the counted roads' length, 0-100.
const fn share(
    id: &'static str,
    (title_vi, title_en): (&'static str, &'static str),
    (short_vi, short_en): (&'static str, &'static str),
    outputs: Outputs,
    compute: fn(&Measures) -> Option<f64>,
) -> Indicator {
    Indicator {
        id,
        levels: GROUP_UP,
        kind: Kind::Pct,
        decimals: 2,
        display: PCT,
        rounding: ROUNDING,
        title_vi,
        title_en,
        short_vi,
        short_en,
        target: true,
        road: true,
        share_of: Some("road_m"),
        outputs,
        compute,
    }
}

const ROUNDING: &str = "half_away_from_zero";

/// The catalogue, in the order tables show it.
pub static INDICATORS: &[Indicator] = &[
    length(
        "road_m",
        ("Đường được tính", "Counted roads"),
        ("Đường", "Roads"),
        outputs(true, false, true, true, true),
        |m| Some(m.road_m),
    ),
    length(
        "concrete_m",
        ("Bê tông", "Concrete"),
        ("Bê tông", "Concrete"),
        outputs(true, false, false, true, true),
        |m| Some(m.concrete_m),
    ),
    share(
        "concrete_pct",
        ("Tỷ lệ bê tông", "Concrete"),
        ("Bê tông", "Concrete"),
        outputs(true, true, true, true, true),
        |m| percent(m.concrete_m, m.road_m),
    ),
    length(
        "left_m",
        ("Còn lại chưa bê tông", "Left to concrete"),
        ("Còn lại", "Left"),
        outputs(true, false, true, true, false),
        |m| Some((m.road_m - m.concrete_m).max(0.0)),
    ),
    length(
        "hardened_m",
        ("Cứng hóa", "Hardened"),
        ("Cứng hóa", "Hardened"),
        outputs(true, false, false, false, true),
        |m| Some(m.hardened_m),
    ),
    share(
        "hardened_pct",
        ("Tỷ lệ cứng hóa", "Hardened"),
        ("Cứng hóa", "Hardened"),
        outputs(true, true, true, true, true),
        |m| percent(m.hardened_m, m.road_m),
    ),
    length(
        "lit_m",
        ("Được chiếu sáng", "Lit"),
        ("Chiếu sáng", "Lit"),
        outputs(true, false, false, false, true),
        |m| Some(m.lit_m),
    ),
    share(
        "lit_pct",
        ("Tỷ lệ chiếu sáng", "Lit"),
        ("Chiếu sáng", "Lit"),
        outputs(true, true, true, true, true),
        |m| percent(m.lit_m, m.road_m),
    ),
    length(
        "drained_m",
        ("Có rãnh thoát nước", "With drainage"),
        ("Có rãnh", "Drained"),
        outputs(true, false, false, false, true),
        |m| Some(m.drained_m),
    ),
    share(
        "drained_pct",
        ("Tỷ lệ có rãnh thoát nước", "With drainage"),
        ("Thoát nước", "Drained"),
        outputs(true, true, true, true, true),
        |m| percent(m.drained_m, m.road_m),
    ),
    Indicator {
        target: true,
        road: false,
        ..length(
            "flower_m",
            ("Đường hoa", "Flower routes"),
            ("Đường hoa", "Flowers"),
            outputs(true, true, false, true, false),
            |m| Some(m.flower_m),
        )
    },
    Indicator {
        id: "model_sites",
        levels: GROUP_UP,
        kind: Kind::Count,
        decimals: 0,
        display: COUNT,
        rounding: ROUNDING,
        title_vi: "Mô hình Dân vận khéo",
        title_en: "Model sites",
        short_vi: "Mô hình",
        short_en: "Models",
        target: true,
        road: false,
        share_of: None,
        outputs: outputs(true, true, true, true, false),
        compute: |m| Some(m.model_sites),
    },
    Indicator {
        id: "people_vnd",
        levels: GROUP_UP,
        kind: Kind::Money,
        decimals: 0,
        display: DONG,
        rounding: ROUNDING,
        title_vi: "Nhân dân đóng góp",
        title_en: "People's contribution",
        short_vi: "Dân góp",
        short_en: "People",
        target: true,
        road: false,
        share_of: None,
        outputs: outputs(true, true, true, true, false),
        compute: |m| Some(m.people_vnd),
    },
    Indicator {
        id: "state_vnd",
        levels: GROUP_UP,
        kind: Kind::Money,
        decimals: 0,
        display: DONG,
        rounding: ROUNDING,
        title_vi: "Ngân sách",
        title_en: "State budget",
        short_vi: "Ngân sách",
        short_en: "State",
        target: false,
        road: false,
        share_of: None,
        outputs: outputs(true, false, false, false, false),
        compute: |m| Some(m.state_vnd),
    },
    Indicator {
        id: "workdays",
        levels: GROUP_UP,
        kind: Kind::Work,
        decimals: 1,
        display: WORKDAYS,
        rounding: ROUNDING,
        title_vi: "Ngày công",
        title_en: "Workdays",
        short_vi: "Ngày công",
        short_en: "Workdays",
        target: false,
        road: false,
        share_of: None,
        outputs: outputs(true, false, false, true, false),
        compute: |m| Some(m.workdays),
    },
    Indicator {
        id: "communes_with_model_pct",
        levels: REGION,
        kind: Kind::Pct,
        decimals: 2,
        display: PCT,
        rounding: ROUNDING,
        title_vi: "Tỷ lệ xã, phường có mô hình Dân vận khéo",
        title_en: "Communes with a model site",
        short_vi: "Có mô hình",
        short_en: "With model",
        target: true,
        road: false,
        share_of: None,
        outputs: outputs(true, false, false, true, false),
        compute: |m| percent(m.communes_with_model, m.communes),
    },
];

/// Reported for regions only.
const REGION: &[Level] = &[Level::Region];

/// The indicator called `id`.
///
/// ```
/// let pct = kheo::coverage::indicators::find("concrete_pct").unwrap();
/// assert_eq!(pct.shown(49.25), Some(49.3));
/// assert!(kheo::coverage::indicators::find("concrete").is_none());
/// ```
pub fn find(id: &str) -> Option<&'static Indicator> {
    INDICATORS.iter().find(|i| i.id == id)
}

/// Rounds half away from zero to `decimals`: THE rounding of every figure kheo shows
/// (`f64::round` rounds halves away from zero; the page does the same in
/// web/js/format.js, on the same stored value, so both give the same digits).
///
/// ```
/// use kheo::coverage::indicators::round_half_away;
/// assert_eq!(round_half_away(49.25, 1), 49.3);
/// assert_eq!(round_half_away(-49.25, 1), -49.3);
/// assert_eq!(round_half_away(2.5, 0), 3.0);
/// // Never a negative zero (an empty sum is -0.0, and -0.04 rounds to it): JSON would say `-0.0`.
/// assert!(round_half_away(-0.04, 1).is_sign_positive());
/// assert!(round_half_away([0.0f64; 0].iter().sum(), 1).is_sign_positive());
/// ```
pub fn round_half_away(value: f64, decimals: u32) -> f64 {
    let factor = 10f64.powi(decimals as i32);
    // Adding +0.0 turns -0.0 into +0.0 and leaves every other value as it is.
    (value * factor).round() / factor + 0.0
}

/// `part` as a percentage of `whole`, `None` when `whole` is zero (never NaN).
///
/// ```
/// use kheo::coverage::indicators::percent;
/// assert_eq!(percent(807.0, 1000.0), Some(80.7));
/// assert_eq!(percent(0.0, 0.0), None);
/// ```
pub fn percent(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| 100.0 * part / whole)
}

impl Indicator {
    /// The stored value of this indicator for `measures`: computed, then rounded to the
    /// JSON's decimals.
    pub fn value(&self, measures: &Measures) -> Option<f64> {
        (self.compute)(measures).filter(|v| v.is_finite()).map(|v| round_half_away(v, self.decimals))
    }

    /// The figure people read for a stored value, in display units (km, %, đồng).
    pub fn shown(&self, stored: f64) -> Option<f64> {
        stored.is_finite().then(|| round_half_away(stored / self.display.divisor, self.display.decimals))
    }

    /// Whether a stored value meets a target (in the JSON's units), judged on the figure
    /// shown, so that a share shown as 80,0 % meets a target of 80 %.
    pub fn meets(&self, stored: Option<f64>, target: f64) -> Option<bool> {
        // Both sides in display units and rounded alike, so equal figures compare equal.
        Some(self.shown(stored?)? >= self.shown(target)?)
    }

    /// The unit shown after a figure, in a language.
    pub fn unit(&self, english: bool) -> &'static str {
        if english { self.display.unit_en } else { self.display.unit_vi }
    }

    pub fn title(&self, english: bool) -> &'static str {
        if english { self.title_en } else { self.title_vi }
    }

    /// A table's column header: the title, with the unit in brackets when there is one.
    pub fn header(&self, english: bool) -> String {
        match self.unit(english) {
            "" => self.title(english).to_string(),
            unit => format!("{} ({unit})", self.title(english)),
        }
    }

    pub fn at(&self, level: Level) -> bool {
        self.levels.contains(&level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_share_names_a_length() {
        for (i, a) in INDICATORS.iter().enumerate() {
            assert!(INDICATORS[i + 1..].iter().all(|b| b.id != a.id), "{} twice", a.id);
            if let Some(of) = a.share_of {
                assert_eq!(find(of).map(|i| i.kind), Some(Kind::Length), "{}", a.id);
            }
        }
    }

    #[test]
    fn a_half_rounds_away_from_zero_on_the_stored_value() {
        let pct = find("concrete_pct").unwrap();
        // 197 of 400 m: 49.25 %, which a half-to-even rounding would show as 49.2.
        let measures = Measures { road_m: 400.0, concrete_m: 197.0, ..Measures::default() };
        let stored = pct.value(&measures).unwrap();
        assert_eq!(stored, 49.25);
        assert_eq!(pct.shown(stored), Some(49.3));
        assert_eq!(format!("{:.1}", pct.shown(stored).unwrap()), "49.3");
    }

    #[test]
    fn lengths_are_shown_in_km_and_a_target_is_met_as_shown() {
        let road = find("road_m").unwrap();
        assert_eq!(road.value(&Measures { road_m: 3958.44, ..Measures::default() }), Some(3958.4));
        assert_eq!(road.shown(3958.4), Some(3.96));
        let pct = find("concrete_pct").unwrap();
        assert_eq!(pct.meets(Some(79.96), 80.0), Some(true), "shown as 80,0 %");
        assert_eq!(pct.meets(Some(79.94), 80.0), Some(false), "shown as 79,9 %");
        assert_eq!(pct.meets(None, 80.0), None);
        let flowers = find("flower_m").unwrap();
        assert_eq!(flowers.meets(Some(996.0), 1000.0), Some(true), "shown as 1,00 km");
    }

    #[test]
    fn a_share_without_roads_is_null_not_nan() {
        let pct = find("lit_pct").unwrap();
        assert_eq!(pct.value(&Measures::default()), None);
    }
}
