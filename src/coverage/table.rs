//! The coverage report as a table (one row per group, then the unassigned rest, then the
//! commune), shared by the CSV and the Excel exports. Its indicator columns are the
//! catalogue's (`outputs.table`), each cell the figure people read ([`Indicator::shown`]).

use super::Indicators;
use super::indicators::{INDICATORS, Indicator};
use super::report::Report;

/// One cell: text, or a number with the decimals it is shown with.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64, usize),
    Empty,
}

/// The columns before the indicators, Vietnamese then English.
const LEADING: &[(&str, &str)] = &[("Mã", "Code"), ("Tên", "Name"), ("Số hộ", "Households")];

/// The indicators the tables show, in catalogue order.
pub fn columns() -> impl Iterator<Item = &'static Indicator> {
    INDICATORS.iter().filter(|i| i.outputs.table)
}

/// The column titles in a language.
pub fn headers(english: bool) -> Vec<String> {
    LEADING
        .iter()
        .map(|(vi, en)| if english { en.to_string() } else { vi.to_string() })
        .chain(columns().map(|i| i.header(english)))
        .collect()
}

/// The cell of one indicator: its figure as shown, empty without a value.
pub fn cell(indicator: &Indicator, stored: Option<f64>) -> Cell {
    match stored.and_then(|v| indicator.shown(v)) {
        Some(shown) => Cell::Number(shown, indicator.display.decimals as usize),
        None => Cell::Empty,
    }
}

fn row(code: &str, name: &str, households: Option<i64>, i: &Indicators) -> Vec<Cell> {
    let mut cells = vec![
        Cell::Text(code.to_string()),
        Cell::Text(name.to_string()),
        households.map(|h| Cell::Number(h as f64, 0)).unwrap_or(Cell::Empty),
    ];
    cells.extend(columns().map(|indicator| cell(indicator, i.value(indicator.id))));
    cells
}

/// The rows: the groups, the works outside every group, the commune.
pub fn rows(report: &Report, english: bool) -> Vec<Vec<Cell>> {
    let mut out: Vec<Vec<Cell>> = report
        .groups
        .iter()
        .map(|g| row(&g.group.code, &g.group.name, g.group.households.map(i64::from), &g.indicators))
        .collect();
    let outside = if english { "Outside every group" } else { "Ngoài các tổ dân phố, thôn" };
    out.push(row("", outside, None, &report.unassigned));
    let c = &report.commune;
    out.push(row(&c.code, &c.name, Some(c.households), &c.indicators));
    out
}
