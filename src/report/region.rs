//! What a region's report says (`GET /api/report?region=`): its communes' figures at a
//! date, for the Dân vận committee of a province, a former district or a cluster, in the
//! layout of the commune report (`compose.rs`, whose helpers it shares) and from the same
//! catalogue: the totals against the targets, every commune's figures, year by year, the
//! model sites, the communes behind target, the contributions. Every figure is an
//! indicator written by [`Indicator::text`] / [`Indicator::bare`], as the region's page,
//! CSV and XLSX write it.

use super::compose::{
    body, column, contributions, head, heading, indicator, map_figure, met_text, models, roman, row, short_header,
    signatures, title_among, total, tr, width_of,
};
use super::model::{Align, Block, Closing, Document, Image, Row, Table};
use crate::coverage::format;
use crate::coverage::indicators::{INDICATORS, Indicator, Kind, Level};
use crate::coverage::region::{CommuneLine, RegionReport, RegionYear};
use crate::coverage::table::{self, Table as Sheet};
use std::cmp::Ordering;

/// The indicator communes are ranked by, and the one "behind target" is about.
const MAIN: &str = "concrete_pct";

/// The region's name without its kind ("Nghệ An" of "Tỉnh Nghệ An"): the place the
/// document is issued at.
fn place(name: &str) -> &str {
    ["Tỉnh ", "Thành phố ", "Huyện ", "Thị xã ", "Quận "]
        .iter()
        .find_map(|kind| name.strip_prefix(kind).map(str::trim))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(name)
}

/// "tỉnh", "huyện", "cụm": how the document names its own region.
fn kind_word(kind: &str, english: bool) -> &'static str {
    match (kind, english) {
        ("province", false) => "tỉnh",
        ("district", false) => "huyện",
        (_, false) => "cụm",
        ("province", true) => "province",
        ("district", true) => "district",
        (_, true) => "cluster",
    }
}

/// The communes best first by the main indicator (those without a value last), then by name.
fn ranked(report: &RegionReport) -> Vec<&CommuneLine> {
    let mut lines: Vec<&CommuneLine> = report.communes.iter().collect();
    lines.sort_by(|a, b| {
        let (x, y) = (a.indicators.value(MAIN), b.indicators.value(MAIN));
        match (x, y) {
            (Some(x), Some(y)) => y.partial_cmp(&x).unwrap_or(Ordering::Equal),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
        .then_with(|| a.name.cmp(&b.name))
    });
    lines
}

/// The report of a region.
pub fn document(report: &RegionReport, years: &[RegionYear], map: Option<Image>, english: bool) -> Document {
    let region = &report.region;
    let date = format::date(report.as_of);
    let mut blocks = Vec::new();
    let mut section = 0;
    let mut next = |title_vi: &str, title_en: &str| {
        section += 1;
        heading(1, format!("{}. {}", roman(section), if english { title_en } else { title_vi }))
    };
    blocks.push(next("KẾT QUẢ CHUNG", "OVERALL RESULTS"));
    blocks.extend(overall(report, english));
    blocks.push(next("KẾT QUẢ THEO XÃ, PHƯỜNG", "RESULTS BY COMMUNE"));
    blocks.extend(communes(report, english));
    if let Some(map) = map {
        blocks.push(next("BẢN ĐỒ KẾT QUẢ", "MAP"));
        blocks.extend(map_figure(map, ("xã, phường", "commune"), &date, english));
    }
    blocks.push(next("TIẾN ĐỘ QUA CÁC NĂM", "PROGRESS YEAR BY YEAR"));
    blocks.extend(progress(years, english));
    blocks.push(next("MÔ HÌNH \u{201c}DÂN VẬN KHÉO\u{201d}", "\u{201c}DÂN VẬN KHÉO\u{201d} MODEL SITES"));
    blocks.extend(models(&region.model_sites, english));
    blocks.push(next("CÁC XÃ, PHƯỜNG CHƯA ĐẠT MỤC TIÊU", "COMMUNES BEHIND TARGET"));
    blocks.extend(behind(report, english));
    blocks.push(next("NGUỒN LỰC ĐÓNG GÓP", "CONTRIBUTIONS"));
    blocks.extend(contributions(|id| region.values.get(id), english));

    let kind = kind_word(&region.kind, false);
    Document {
        meta_title: format!("{} {} {date}", tr(english, "Báo cáo", "Report"), region.name),
        head: head(
            vec![region.name.to_uppercase(), tr(english, "BAN DÂN VẬN", "MASS MOBILISATION COMMITTEE").into()],
            "BC-BDV",
            place(&region.name),
            report.as_of,
            english,
        ),
        title: tr(english, "BÁO CÁO", "REPORT").to_string(),
        subject: format!(
            "{} {} {} {date}",
            tr(
                english,
                "Kết quả xây dựng đường giao thông, đường hoa và mô hình \u{201c}Dân vận khéo\u{201d} của các xã, phường trên địa bàn",
                "Roads, flower routes and \u{201c}Dân vận khéo\u{201d} model sites of the communes of"
            ),
            region.name,
            tr(english, "tính đến ngày", "as of"),
        ),
        blocks,
        closing: Closing {
            recipients_title: tr(english, "Nơi nhận:", "To:").to_string(),
            recipients: if english {
                vec![
                    "- the standing committee of the Party committee;".into(),
                    "- the Fatherland Front Committee;".into(),
                    "- the communes and wards;".into(),
                    "- Archive.".into(),
                ]
            } else {
                vec![
                    "- Thường trực cấp ủy;".into(),
                    format!("- Ủy ban MTTQ Việt Nam {kind};"),
                    "- Các xã, phường;".into(),
                    "- Lưu: VT.".into(),
                ]
            },
            signatures: signatures(
                vec![
                    tr(english, "TM. BAN DÂN VẬN", "FOR THE COMMITTEE").to_string(),
                    tr(english, "TRƯỞNG BAN", "HEAD").to_string(),
                ],
                english,
            ),
        },
    }
}

/// The region's totals, each against the communes that meet their own target.
fn overall(report: &RegionReport, english: bool) -> Vec<Block> {
    let region = &report.region;
    let text = |id: &str| indicator(id).text(region.values.get(id), english);
    let communes = format::number(region.communes as f64, 0, english);
    let (date, name) = (format::date(report.as_of), &region.name);
    let [road, concrete, pct, left, with_model] =
        ["road_m", "concrete_m", "concrete_pct", "left_m", "communes_with_model_pct"].map(text);
    let sentence = if english {
        format!(
            "As of {date}, the {communes} communes of {name} have {road} of counted roads, of which {concrete} are concreted ({pct}) and {left} are left to concrete; {with_model} of the communes have a \u{201c}Dân vận khéo\u{201d} model site."
        )
    } else {
        format!(
            "Tính đến ngày {date}, {communes} xã, phường trên địa bàn {name} có {road} đường giao thông được tính, trong đó {concrete} đã được bê tông hóa, đạt {pct}; còn {left} chưa được bê tông hóa. Tỷ lệ xã, phường có mô hình \u{201c}Dân vận khéo\u{201d}: {with_model}."
        )
    };
    let shown: Vec<&Indicator> = INDICATORS.iter().filter(|i| i.at(Level::Region)).collect();
    let name = |i: &Indicator| title_among(&shown, i, english);
    let rows = shown
        .iter()
        .map(|i| {
            let met = region.targets_met.get(i.id).filter(|t| t.of > 0).map(|t| {
                format!("{}/{}", format::number(t.met as f64, 0, english), format::number(t.of as f64, 0, english))
            });
            row(vec![
                name(i),
                i.text(region.values.get(i.id), english),
                met.unwrap_or_else(|| format::NO_VALUE.to_string()),
            ])
        })
        .collect();
    vec![
        body(sentence),
        Block::Table(Table {
            columns: vec![
                column(tr(english, "Chỉ tiêu", "Indicator"), 4.0, Align::Left),
                column(tr(english, "Kết quả", "Result"), 3.0, Align::Right),
                column(tr(english, "Số xã đạt mục tiêu", "Communes at target"), 2.2, Align::Center),
            ],
            rows,
        }),
    ]
}

/// Every commune's figures (the columns of the region's table, as its CSV and XLSX), ranked
/// by the main indicator, in two parts (roads; works and contributions), with the total.
fn communes(report: &RegionReport, english: bool) -> Vec<Block> {
    let region = &report.region;
    let lines = ranked(report);
    let table_of = |columns: &[&'static Indicator], households: bool| -> Table {
        let mut header = vec![
            column(tr(english, "TT", "No."), 0.8, Align::Center),
            column(tr(english, "Xã, phường", "Commune"), 2.4, Align::Left),
        ];
        if households {
            header.push(column(tr(english, "Số hộ", "Households"), 1.2, Align::Right));
        }
        header.extend(columns.iter().map(|i| column(short_header(i, english), width_of(i), Align::Right)));
        let cells = |n: String, name: String, households_of: Option<i64>, value: &dyn Fn(&str) -> Option<f64>| {
            let mut cells = vec![n, name];
            if households {
                cells.push(
                    households_of.map(|h| format::number(h as f64, 0, english)).unwrap_or(format::NO_VALUE.into()),
                );
            }
            cells.extend(columns.iter().map(|i| i.bare(value(i.id), english)));
            cells
        };
        let mut rows: Vec<Row> = lines
            .iter()
            .enumerate()
            .map(|(n, c)| row(cells((n + 1).to_string(), c.name.clone(), c.households, &|id| c.indicators.value(id))))
            .collect();
        let whole = if english { "Total".to_string() } else { format!("Toàn {}", kind_word(&region.kind, false)) };
        rows.push(total(cells(String::new(), whole, region.households, &|id| region.values.get(id))));
        Table { columns: header, rows }
    };
    let columns: Vec<&'static Indicator> = table::columns(Sheet::Region).collect();
    let roads: Vec<_> = columns.iter().copied().filter(|i| i.road).collect();
    let works: Vec<_> = columns.iter().copied().filter(|i| !i.road).collect();
    vec![
        body(format!(
            "{} {} {}",
            tr(english, "Kết quả của", "The results of the"),
            format::number(lines.len() as f64, 0, english),
            tr(
                english,
                "xã, phường, xếp theo tỷ lệ bê tông hóa từ cao đến thấp:",
                "communes, by their concrete share, highest first:"
            )
        )),
        heading(2, tr(english, "1. Đường giao thông", "1. Roads").to_string()),
        Block::Table(table_of(&roads, false)),
        heading(2, tr(english, "2. Công trình và đóng góp", "2. Works and contributions").to_string()),
        Block::Table(table_of(&works, true)),
    ]
}

/// The region's figures at the end of each year (this year: at the report's date).
fn progress(years: &[RegionYear], english: bool) -> Vec<Block> {
    let shown: Vec<&'static Indicator> = INDICATORS
        .iter()
        .filter(|i| i.outputs.timeline && i.at(Level::Region) && matches!(i.kind, Kind::Length | Kind::Pct))
        .collect();
    let mut columns = vec![column(tr(english, "Năm", "Year"), 1.0, Align::Center)];
    columns.extend(shown.iter().map(|i| column(short_header(i, english), 1.3, Align::Right)));
    let rows = years
        .iter()
        .map(|y| {
            let mut cells = vec![y.year.to_string()];
            cells.extend(shown.iter().map(|i| i.bare(y.values.get(i.id), english)));
            row(cells)
        })
        .collect();
    vec![
        body(
            tr(
                english,
                "Kết quả toàn địa bàn tại ngày cuối mỗi năm (năm hiện tại: tại ngày báo cáo):",
                "The region's figures at the end of each year (this year: at the report's date):",
            )
            .to_string(),
        ),
        Block::Table(Table { columns, rows }),
    ]
}

/// The communes whose main indicator is below their own target, furthest behind first.
fn behind(report: &RegionReport, english: bool) -> Vec<Block> {
    let main = indicator(MAIN);
    let mut late: Vec<(&CommuneLine, f64, f64)> = report
        .communes
        .iter()
        .filter_map(|c| {
            let target = c.indicators.targets.get(MAIN)?;
            (target.met == Some(false)).then_some((c, c.indicators.value(MAIN).unwrap_or(0.0), target.target))
        })
        .collect();
    late.sort_by(|a, b| (b.2 - b.1).partial_cmp(&(a.2 - a.1)).unwrap_or(Ordering::Equal).then(a.0.name.cmp(&b.0.name)));
    if late.is_empty() {
        return vec![body(
            tr(
                english,
                "Tất cả các xã, phường có mục tiêu đều đã đạt mục tiêu bê tông hóa.",
                "Every commune with a target has reached its concrete target.",
            )
            .to_string(),
        )];
    }
    let rows = late
        .iter()
        .map(|(c, value, target)| {
            row(vec![
                c.name.clone(),
                main.text(Some(*value), english),
                main.text(Some(*target), english),
                met_text(Some(false), english),
            ])
        })
        .collect();
    vec![
        body(format!(
            "{} {} {}",
            format::number(late.len() as f64, 0, english),
            tr(english, "xã, phường chưa đạt mục tiêu", "communes are behind their target for"),
            main.title(english).to_lowercase(),
        )),
        Block::Table(Table {
            columns: vec![
                column(tr(english, "Xã, phường", "Commune"), 3.0, Align::Left),
                column(tr(english, "Kết quả", "Result"), 1.6, Align::Right),
                column(tr(english, "Mục tiêu", "Target"), 1.6, Align::Right),
                column(tr(english, "Đánh giá", "Assessment"), 1.6, Align::Center),
            ],
            rows,
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_is_issued_at_its_name_without_its_kind() {
        assert_eq!(place("Tỉnh Nghệ An"), "Nghệ An");
        assert_eq!(place("Huyện Quỳnh Lưu (cũ)"), "Quỳnh Lưu (cũ)");
        assert_eq!(place("Nghệ An"), "Nghệ An");
        assert_eq!(place("Tỉnh "), "Tỉnh ");
    }
}
