//! The coverage reports as tables, shared by the CSV and the Excel exports: a commune's
//! (one row per group, then the unassigned rest, then the commune) and a region's (one row
//! per commune, then the region). Their indicator columns are the catalogue's
//! (`outputs.table`, at the rows' levels), each cell the figure people read
//! ([`Indicator::shown`]).

use super::indicators::{INDICATORS, Indicator, Level};
use super::region::RegionReport;
use super::report::Report;
use super::{Indicators, Values};

/// One cell: text, or a number with the decimals it is shown with.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64, usize),
    Empty,
}

/// The columns before the indicators, Vietnamese then English.
const LEADING: &[(&str, &str)] = &[("Mã", "Code"), ("Tên", "Name"), ("Số hộ", "Households")];

/// Which table: a commune's (rows of groups) or a region's (rows of communes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Commune,
    Region,
}

/// The indicators a table shows, in catalogue order: those of its rows' level, and for a
/// region those of the region's own level too (filled in its total row).
pub fn columns(table: Table) -> impl Iterator<Item = &'static Indicator> {
    INDICATORS.iter().filter(move |i| {
        i.outputs.table
            && match table {
                Table::Commune => i.at(Level::Group),
                Table::Region => i.at(Level::Commune) || i.at(Level::Region),
            }
    })
}

/// The column titles in a language.
pub fn headers(table: Table, english: bool) -> Vec<String> {
    LEADING
        .iter()
        .map(|(vi, en)| if english { en.to_string() } else { vi.to_string() })
        .chain(columns(table).map(|i| i.header(english)))
        .collect()
}

/// The cell of one indicator: its figure as shown, empty without a value.
pub fn cell(indicator: &Indicator, stored: Option<f64>) -> Cell {
    match stored.and_then(|v| indicator.shown(v)) {
        Some(shown) => Cell::Number(shown, indicator.display.decimals as usize),
        None => Cell::Empty,
    }
}

fn row(table: Table, code: &str, name: &str, households: Option<i64>, values: &Values) -> Vec<Cell> {
    let mut cells = vec![
        Cell::Text(code.to_string()),
        Cell::Text(name.to_string()),
        households.map(|h| Cell::Number(h as f64, 0)).unwrap_or(Cell::Empty),
    ];
    cells.extend(columns(table).map(|indicator| cell(indicator, values.get(indicator.id))));
    cells
}

fn area_row(code: &str, name: &str, households: Option<i64>, i: &Indicators) -> Vec<Cell> {
    row(Table::Commune, code, name, households, &i.values)
}

/// The rows of a region's table: its communes, then the region.
pub fn region_rows(report: &RegionReport) -> Vec<Vec<Cell>> {
    let mut out: Vec<Vec<Cell>> = report
        .communes
        .iter()
        .map(|c| row(Table::Region, &c.code, &c.name, c.households, &c.indicators.values))
        .collect();
    let r = &report.region;
    out.push(row(Table::Region, &r.code, &r.name, r.households, &r.values));
    out
}

/// The rows: the groups, the works outside every group, the commune.
pub fn rows(report: &Report, english: bool) -> Vec<Vec<Cell>> {
    let mut out: Vec<Vec<Cell>> = report
        .groups
        .iter()
        .map(|g| area_row(&g.group.code, &g.group.name, g.group.households.map(i64::from), &g.indicators))
        .collect();
    let outside = if english { "Outside every group" } else { "Ngoài các tổ dân phố, thôn" };
    out.push(area_row("", outside, None, &report.unassigned));
    let c = &report.commune;
    out.push(area_row(&c.code, &c.name, c.households, &c.indicators));
    out
}
