//! Next year's work list: every road of the counted classes not yet concreted, per group,
//! with its length, class, width and surface, and its estimated cost from the commune's
//! unit costs (đồng per m² of the target surface) and the people's expected share.
//!
//! A group's `left_m` is exactly its `road_m - concrete_m` in the coverage report: the same
//! road pieces, at the same date.

use super::Settings;
use super::indicators::round_half_away;
use crate::store::coverage::GroupRow;
use crate::store::worklist::RoadLeft;
use chrono::NaiveDate;
use serde::Serialize;

/// Costs are estimates: rounded to the nearest thousand đồng.
const COST_ROUNDING_VND: f64 = 1000.0;

/// One road (or its part in one group) to concrete.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub road_id: i64,
    pub name: String,
    pub class: String,
    pub surface: String,
    pub status: String,
    /// Metres, rounded to 0.1.
    pub length_m: f64,
    /// Metres; the commune's default width when the road's is not recorded.
    pub width_m: f64,
    /// Whether `width_m` is the default rather than the road's own.
    pub width_assumed: bool,
    /// Square metres.
    pub area_m2: f64,
    pub cost_vnd: i64,
    /// The people's expected share of the cost.
    pub people_vnd: i64,
}

/// The work left in one group (or outside every group).
#[derive(Debug, Clone, Serialize)]
pub struct GroupWork {
    /// `null` for the roads outside every group.
    pub id: Option<i64>,
    pub code: Option<String>,
    pub name: Option<String>,
    /// The length still to concrete, metres.
    pub left_m: f64,
    pub cost_vnd: i64,
    pub people_vnd: i64,
    pub roads: Vec<Item>,
}

/// What the work list was computed with.
#[derive(Debug, Clone, Serialize)]
pub struct Basis {
    pub target_surface: String,
    /// Đồng per m² of the target surface.
    pub unit_cost_vnd_m2: f64,
    pub default_width_m: f64,
    pub people_share_pct: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkList {
    pub commune: String,
    pub as_of: NaiveDate,
    pub basis: Basis,
    pub left_m: f64,
    pub cost_vnd: i64,
    pub people_vnd: i64,
    pub groups: Vec<GroupWork>,
}

fn cost(value: f64) -> i64 {
    (round_half_away(value / COST_ROUNDING_VND, 0) * COST_ROUNDING_VND) as i64
}

impl Item {
    fn new(road: &RoadLeft, basis: &Basis) -> Item {
        let (width_m, width_assumed) = match road.width_m {
            Some(w) if w > 0.0 => (w, false),
            _ => (basis.default_width_m, true),
        };
        let area = road.length_m * width_m;
        let cost_raw = area * basis.unit_cost_vnd_m2;
        Item {
            road_id: road.road_id,
            name: road.name.clone(),
            class: road.class.clone(),
            surface: road.surface.clone(),
            status: road.status.clone(),
            length_m: round_half_away(road.length_m, 1),
            width_m,
            width_assumed,
            area_m2: round_half_away(area, 1),
            cost_vnd: cost(cost_raw),
            people_vnd: cost(cost_raw * basis.people_share_pct / 100.0),
        }
    }
}

/// The work list of a commune's roads left, grouped as `groups` (in their order, then the
/// roads outside every group), with `settings`' costs.
pub fn work_list(
    commune: &str,
    as_of: NaiveDate,
    settings: &Settings,
    groups: &[GroupRow],
    roads: &[RoadLeft],
) -> WorkList {
    let basis = Basis {
        target_surface: settings.target_surface.clone(),
        unit_cost_vnd_m2: settings.unit_costs.get(&settings.target_surface).copied().unwrap_or(0.0),
        default_width_m: settings.default_width_m,
        people_share_pct: settings.people_share_pct,
    };
    let mut areas: Vec<(Option<&GroupRow>, Vec<&RoadLeft>)> = groups.iter().map(|g| (Some(g), Vec::new())).collect();
    areas.push((None, Vec::new()));
    for road in roads {
        let slot = areas.iter_mut().find(|(g, _)| g.map(|g| g.id) == road.group_id);
        if let Some((_, list)) = slot {
            list.push(road);
        }
    }
    let groups: Vec<GroupWork> = areas
        .into_iter()
        .filter(|(group, roads)| group.is_some() || !roads.is_empty())
        .map(|(group, roads)| {
            let items: Vec<Item> = roads.iter().map(|r| Item::new(r, &basis)).collect();
            GroupWork {
                id: group.map(|g| g.id),
                code: group.map(|g| g.code.clone()),
                name: group.map(|g| g.name.clone()),
                left_m: round_half_away(roads.iter().map(|r| r.length_m).sum(), 1),
                cost_vnd: items.iter().map(|i| i.cost_vnd).sum(),
                people_vnd: items.iter().map(|i| i.people_vnd).sum(),
                roads: items,
            }
        })
        .collect();
    WorkList {
        commune: commune.to_string(),
        as_of,
        left_m: round_half_away(roads.iter().map(|r| r.length_m).sum(), 1),
        cost_vnd: groups.iter().map(|g| g.cost_vnd).sum(),
        people_vnd: groups.iter().map(|g| g.people_vnd).sum(),
        basis,
        groups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn road(group_id: Option<i64>, length_m: f64, width_m: Option<f64>) -> RoadLeft {
        RoadLeft {
            group_id,
            road_id: 1,
            name: "Ngõ 3".into(),
            class: "alley".into(),
            surface: "earth".into(),
            status: "existing".into(),
            width_m,
            length_m,
        }
    }

    fn group(id: i64) -> GroupRow {
        GroupRow {
            id,
            code: format!("T{id}"),
            name: format!("Thôn {id}"),
            kind: "thon".into(),
            households: None,
            population: None,
        }
    }

    #[test]
    fn a_roads_cost_is_its_area_at_the_unit_cost_and_the_people_give_their_share() {
        let settings = Settings::defaults(); // concrete at 450,000 đ/m², 3 m by default, people 50 %
        let list = work_list(
            "99100",
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            &settings,
            &[group(10)],
            &[road(Some(10), 200.0, Some(2.5)), road(Some(10), 100.04, None), road(None, 50.0, Some(4.0))],
        );

        let g = &list.groups[0];
        assert_eq!(g.roads[0].area_m2, 500.0);
        assert_eq!(g.roads[0].cost_vnd, 225_000_000);
        assert_eq!(g.roads[0].people_vnd, 112_500_000);
        assert!(g.roads[1].width_assumed);
        // 100.04 m x 3 m x 450,000 = 135,054,000 đ
        assert_eq!(g.roads[1].cost_vnd, 135_054_000);
        assert_eq!(g.left_m, 300.0);
        assert_eq!(list.groups[1].id, None, "roads outside every group come last");
        assert_eq!(list.groups[1].cost_vnd, 90_000_000);
        assert_eq!(list.left_m, 350.0);
        assert_eq!(list.cost_vnd, 225_000_000 + 135_054_000 + 90_000_000);
    }

    #[test]
    fn a_group_with_nothing_left_is_listed_with_zero_and_no_outside_entry_is_made() {
        let list =
            work_list("99100", NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), &Settings::defaults(), &[group(10)], &[]);

        assert_eq!(list.groups.len(), 1);
        assert_eq!((list.groups[0].left_m, list.groups[0].cost_vnd), (0.0, 0));
    }
}
