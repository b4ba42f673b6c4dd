//! The coverage report as a table (one row per group, then the unassigned rest, then the
//! commune), shared by the CSV and the Excel exports.

use super::Indicators;
use super::report::Report;

/// One cell: text, or a number with the decimals it is shown with.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64, usize),
    Empty,
}

/// Column titles, Vietnamese then English.
pub const COLUMNS: &[(&str, &str)] = &[
    ("Mã", "Code"),
    ("Tên", "Name"),
    ("Số hộ", "Households"),
    ("Đường được tính (km)", "Counted roads (km)"),
    ("Bê tông (km)", "Concrete (km)"),
    ("Tỷ lệ bê tông (%)", "Concrete (%)"),
    ("Cứng hóa (km)", "Hardened (km)"),
    ("Tỷ lệ cứng hóa (%)", "Hardened (%)"),
    ("Được chiếu sáng (km)", "Lit (km)"),
    ("Tỷ lệ chiếu sáng (%)", "Lit (%)"),
    ("Đường hoa (km)", "Flower routes (km)"),
    ("Mô hình Dân vận khéo", "Model sites"),
    ("Nhân dân đóng góp (đồng)", "People's contribution (VND)"),
    ("Ngân sách (đồng)", "State budget (VND)"),
    ("Ngày công", "Workdays"),
];

/// The column titles in a language.
pub fn headers(english: bool) -> Vec<&'static str> {
    COLUMNS.iter().map(|(vi, en)| if english { *en } else { *vi }).collect()
}

fn row(code: &str, name: &str, households: Option<i64>, i: &Indicators) -> Vec<Cell> {
    let km = |m: f64| Cell::Number(m / 1000.0, 3);
    let pct = |p: Option<f64>| p.map(|p| Cell::Number(p, 1)).unwrap_or(Cell::Empty);
    vec![
        Cell::Text(code.to_string()),
        Cell::Text(name.to_string()),
        households.map(|h| Cell::Number(h as f64, 0)).unwrap_or(Cell::Empty),
        km(i.roads.road_m),
        km(i.roads.concrete_m),
        pct(i.roads.concrete_pct),
        km(i.roads.hardened_m),
        pct(i.roads.hardened_pct),
        km(i.roads.lit_m),
        pct(i.roads.lit_pct),
        km(i.flower_m),
        Cell::Number(i.model_sites.total as f64, 0),
        Cell::Number(i.people_vnd as f64, 0),
        Cell::Number(i.state_vnd as f64, 0),
        Cell::Number(i.workdays, 1),
    ]
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
