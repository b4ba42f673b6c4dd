//! What the council report says, from the coverage data: the document model filled in the
//! order of a Vietnamese administrative report. Every figure is an indicator of the
//! catalogue written by [`Indicator::text`] / [`Indicator::bare`] (the one rounding and the
//! one formatter), so the report reads what the page, the CSV and the XLSX show.

use super::model::{Align, Block, Closing, Column, Document, Head, Image, Paragraph, Row, Signature, Span, Table};
use super::photos::Figure;
use crate::coverage::indicators::{self, INDICATORS, Indicator, Kind, Level};
use crate::coverage::report::{Report, YearReport};
use crate::coverage::table::{self, Table as Sheet};
use crate::coverage::worklist::WorkList;
use crate::coverage::{Indicators, SiteCounts, format};
use crate::model::vocab::{self, Term};
use chrono::{Datelike, NaiveDate};

/// Everything the report is made of.
pub struct Inputs<'a> {
    pub report: &'a Report,
    pub years: &'a [YearReport],
    pub work: &'a WorkList,
    pub map: Option<Image>,
    /// The model sites' photos, in site order.
    pub photos: Vec<Figure>,
    pub english: bool,
}

/// Vietnamese or English.
pub(super) fn tr(english: bool, vi: &'static str, en: &'static str) -> &'static str {
    if english { en } else { vi }
}

fn label(terms: &[Term], value: &str, english: bool) -> String {
    terms
        .iter()
        .find(|t| t.value == value)
        .map(|t| tr(english, t.vi, t.en).to_string())
        .unwrap_or_else(|| value.to_string())
}

pub(super) fn indicator(id: &str) -> &'static Indicator {
    indicators::find(id).unwrap_or_else(|| panic!("the catalogue has no `{id}`"))
}

/// I, II, III... for the sections.
pub(super) fn roman(n: usize) -> &'static str {
    ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"].get(n - 1).copied().unwrap_or("X")
}

/// The date line of Decree 30/2020/NĐ-CP: a 0 before days under 10 and months 1 and 2
/// ("ngày 05 tháng 02 năm 2026", "ngày 28 tháng 11 năm 2026").
pub fn administrative_date(d: NaiveDate, english: bool) -> String {
    if english {
        return format::date(d);
    }
    let month = if d.month() <= 2 { format!("{:02}", d.month()) } else { d.month().to_string() };
    format!("ngày {:02} tháng {month} năm {}", d.day(), d.year())
}

/// The commune's name without its kind ("Quỳnh Xuân" of "Phường Quỳnh Xuân"): the place
/// the document is issued at.
pub(super) fn place(name: &str) -> &str {
    vocab::COMMUNE_KINDS
        .iter()
        .find_map(|k| name.strip_prefix(k.vi).map(str::trim))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(name)
}

/// "phường", "xã": how the document names its own commune.
fn kind_word(kind: &str) -> String {
    label(vocab::COMMUNE_KINDS, kind, false).to_lowercase()
}

/// The map and its caption: "Hình 1. Tỷ lệ bê tông hóa ... theo {areas}, tính đến ngày {date}",
/// `areas` in Vietnamese and English.
pub(super) fn map_figure(map: Image, areas: (&str, &str), date: &str, english: bool) -> [Block; 2] {
    let caption = if english {
        format!("Figure 1. Concrete share of the roads by {}, as of {date}", areas.1)
    } else {
        format!("Hình 1. Tỷ lệ bê tông hóa đường giao thông theo {}, tính đến ngày {date}", areas.0)
    };
    [Block::Image(map), Block::Paragraph(Paragraph::note(caption))]
}

/// "Tổ dân phố 4" as "TDP 4" (as the page labels groups).
pub fn short_group_name(name: &str) -> String {
    match name.strip_prefix("Tổ dân phố ") {
        Some(rest) => format!("TDP {rest}"),
        None => name.to_string(),
    }
}

pub(super) fn met_text(met: Option<bool>, english: bool) -> String {
    match met {
        Some(true) => tr(english, "Đạt", "Met"),
        Some(false) => tr(english, "Chưa đạt", "Not met"),
        None => format::NO_VALUE,
    }
    .to_string()
}

pub(super) fn heading(level: u8, text: String) -> Block {
    Block::Heading { level, text }
}

pub(super) fn body(text: String) -> Block {
    Block::Paragraph(Paragraph::body(vec![Span::plain(text)]))
}

pub(super) fn column(header: impl Into<String>, width: f32, align: Align) -> Column {
    Column { header: header.into(), width, align }
}

pub(super) fn row(cells: Vec<String>) -> Row {
    Row { cells, bold: false }
}

pub(super) fn total(cells: Vec<String>) -> Row {
    Row { cells, bold: true }
}

/// An indicator's title in a list of `shown` ones: with its unit when another has the same
/// title (English "Concrete": km and %).
pub(super) fn title_among(shown: &[&Indicator], i: &Indicator, english: bool) -> String {
    let twice = shown.iter().filter(|o| o.title(english) == i.title(english)).count() > 1;
    if twice { i.header(english) } else { i.title(english).to_string() }
}

/// A header: the short title with the unit.
pub(super) fn short_header(i: &Indicator, english: bool) -> String {
    let title = tr(english, i.short_vi, i.short_en);
    match i.unit(english) {
        "" => title.to_string(),
        unit => format!("{title} ({unit})"),
    }
}

/// The top of the first page (Decree 30/2020/NĐ-CP): the issuing body, the number with
/// the document's symbol (`BC-UBND`) left blank for the clerk, the nation and its motto,
/// the place and the date.
pub(super) fn head(issuer: Vec<String>, symbol: &str, place: &str, date: NaiveDate, english: bool) -> Head {
    Head {
        issuer,
        // The number is the clerk's to give: a blank of non-breaking spaces.
        number: format!("{}{}/{symbol}", tr(english, "Số:", "No.:"), "\u{a0}".repeat(12)),
        nation: tr(english, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SOCIALIST REPUBLIC OF VIETNAM").to_string(),
        motto: tr(english, "Độc lập - Tự do - Hạnh phúc", "Independence - Freedom - Happiness").to_string(),
        place_date: format!("{place}, {}", administrative_date(date, english)),
    }
}

/// The signatures: who prepared the report, then who signs it for the body (`titles`).
pub(super) fn signatures(titles: Vec<String>, english: bool) -> Vec<Signature> {
    vec![
        Signature {
            titles: vec![tr(english, "NGƯỜI LẬP", "PREPARED BY").to_string()],
            note: tr(english, "(Ký, ghi rõ họ tên)", "(Signature, full name)").to_string(),
        },
        Signature {
            titles,
            note: tr(english, "(Ký, ghi rõ họ tên, đóng dấu)", "(Signature, full name, seal)").to_string(),
        },
    ]
}

/// The report.
pub fn document(inputs: Inputs) -> Document {
    let Inputs { report, years, work, map, photos, english } = inputs;
    let commune = &report.commune;
    let date = format::date(report.as_of);
    let mut blocks = Vec::new();
    let mut section = 0;
    let mut next = |title_vi: &str, title_en: &str| {
        section += 1;
        heading(1, format!("{}. {}", roman(section), if english { title_en } else { title_vi }))
    };

    blocks.push(next("KẾT QUẢ CHUNG", "OVERALL RESULTS"));
    blocks.extend(overall(report, english));
    blocks.push(next("KẾT QUẢ THEO TỔ DÂN PHỐ, THÔN", "RESULTS BY RESIDENTIAL GROUP"));
    blocks.extend(groups(report, english));
    blocks.push(next("TIẾN ĐỘ QUA CÁC NĂM", "PROGRESS YEAR BY YEAR"));
    blocks.extend(progress(report, years, english));
    if let Some(map) = map {
        blocks.push(next("BẢN ĐỒ KẾT QUẢ", "MAP"));
        blocks.extend(map_figure(map, ("tổ dân phố, thôn", "group"), &date, english));
    }
    blocks.push(next("MÔ HÌNH \u{201c}DÂN VẬN KHÉO\u{201d}", "\u{201c}DÂN VẬN KHÉO\u{201d} MODEL SITES"));
    blocks.extend(models(&commune.indicators.model_sites, english));
    if !photos.is_empty() {
        blocks.push(next("HÌNH ẢNH CÁC MÔ HÌNH", "PHOTOS OF THE MODEL SITES"));
        blocks.extend(site_photos(photos, english));
    }
    blocks.push(next("NGUỒN LỰC ĐÓNG GÓP", "CONTRIBUTIONS"));
    blocks.extend(contributions(|id| commune.indicators.value(id), english));
    blocks.push(next("DANH MỤC ĐƯỜNG CẦN BÊ TÔNG HÓA NĂM TỚI", "ROADS TO CONCRETE NEXT"));
    blocks.extend(work_list(work, english));

    let kind = kind_word(&commune.kind);
    let name_upper = commune.name.to_uppercase();
    Document {
        meta_title: format!("{} {} {date}", tr(english, "Báo cáo", "Report"), commune.name),
        head: head(
            vec![tr(english, "ỦY BAN NHÂN DÂN", "PEOPLE'S COMMITTEE").to_string(), name_upper],
            "BC-UBND",
            place(&commune.name),
            report.as_of,
            english,
        ),
        title: tr(english, "BÁO CÁO", "REPORT").to_string(),
        subject: format!(
            "{} {} {} {date}",
            tr(
                english,
                "Kết quả xây dựng đường giao thông, đường hoa và mô hình \u{201c}Dân vận khéo\u{201d} trên địa bàn",
                "Roads, flower routes and \u{201c}Dân vận khéo\u{201d} model sites of"
            ),
            commune.name,
            tr(english, "tính đến ngày", "as of"),
        ),
        blocks,
        closing: Closing {
            recipients_title: tr(english, "Nơi nhận:", "To:").to_string(),
            recipients: if english {
                vec![
                    "- the Party Committee and the People's Council;".into(),
                    "- the Fatherland Front Committee;".into(),
                    "- the residential groups;".into(),
                    "- Archive.".into(),
                ]
            } else {
                vec![
                    format!("- Thường trực Đảng ủy, HĐND {kind};"),
                    format!("- Ủy ban MTTQ Việt Nam {kind};"),
                    "- Các tổ dân phố, thôn;".into(),
                    "- Lưu: VT.".into(),
                ]
            },
            signatures: signatures(
                vec![
                    tr(english, "TM. ỦY BAN NHÂN DÂN", "FOR THE PEOPLE'S COMMITTEE").to_string(),
                    tr(english, "CHỦ TỊCH", "CHAIRPERSON").to_string(),
                ],
                english,
            ),
        },
    }
}

/// The headline figures against their targets.
fn overall(report: &Report, english: bool) -> Vec<Block> {
    let c = &report.commune.indicators;
    let text = |id: &str| indicator(id).text(c.value(id), english);
    let counted: Vec<String> =
        report.settings.counted_classes.iter().map(|class| label(vocab::ROAD_CLASSES, class, english)).collect();
    let sentence = if english {
        format!(
            "As of {}, {} has {} of counted roads, of which {} are concreted ({}) and {} are left to concrete. Counted road classes: {}.",
            format::date(report.as_of),
            report.commune.name,
            text("road_m"),
            text("concrete_m"),
            text("concrete_pct"),
            text("left_m"),
            counted.join("; ").to_lowercase()
        )
    } else {
        format!(
            "Tính đến ngày {}, trên địa bàn {} có {} đường giao thông được tính, trong đó {} đã được bê tông hóa, đạt {}; còn {} chưa được bê tông hóa. Các loại đường được tính: {}.",
            format::date(report.as_of),
            report.commune.name,
            text("road_m"),
            text("concrete_m"),
            text("concrete_pct"),
            text("left_m"),
            counted.join("; ").to_lowercase()
        )
    };
    let shown: Vec<&Indicator> = INDICATORS.iter().filter(|i| i.at(Level::Commune)).collect();
    let name = |i: &Indicator| title_among(&shown, i, english);
    let mut rows = Vec::new();
    for i in &shown {
        let target = c.targets.get(i.id);
        rows.push(row(vec![
            name(i),
            i.text(c.value(i.id), english),
            target.map(|t| i.text(Some(t.target), english)).unwrap_or_else(|| format::NO_VALUE.to_string()),
            target.map(|t| met_text(t.met, english)).unwrap_or_else(|| format::NO_VALUE.to_string()),
        ]));
    }
    vec![
        body(sentence),
        Block::Table(Table {
            columns: vec![
                column(tr(english, "Chỉ tiêu", "Indicator"), 4.0, Align::Left),
                column(tr(english, "Kết quả", "Result"), 3.0, Align::Right),
                column(tr(english, "Mục tiêu", "Target"), 2.2, Align::Right),
                column(tr(english, "Đánh giá", "Assessment"), 1.8, Align::Center),
            ],
            rows,
        }),
    ]
}

/// A column's relative width: amounts of đồng run to 13 digits.
pub(super) fn width_of(i: &Indicator) -> f32 {
    match i.kind {
        Kind::Money => 2.6,
        Kind::Count => 1.0,
        Kind::Work => 1.3,
        Kind::Length | Kind::Pct => 1.2,
    }
}

/// The groups' table in two parts (roads; works and contributions), the catalogue's
/// table columns, with the works outside every group when there are any and the commune's
/// total.
fn groups(report: &Report, english: bool) -> Vec<Block> {
    let name_header = tr(english, "Tổ dân phố, thôn", "Group");
    let outside = Indicators::clone(&report.unassigned);
    let has_outside = outside.values.0.values().any(|v| v.is_some_and(|v| v != 0.0));
    let table_of = |columns: Vec<&'static Indicator>, households: bool| -> Table {
        let mut header = vec![column(name_header, 2.4, Align::Left)];
        if households {
            header.push(column(tr(english, "Số hộ", "Households"), 1.2, Align::Right));
        }
        header.extend(columns.iter().map(|i| column(short_header(i, english), width_of(i), Align::Right)));
        let line = |name: String, households_of: Option<i64>, values: &Indicators| -> Vec<String> {
            let mut cells = vec![name];
            if households {
                cells.push(
                    households_of.map(|h| format::number(h as f64, 0, english)).unwrap_or(format::NO_VALUE.into()),
                );
            }
            cells.extend(columns.iter().map(|i| i.bare(values.value(i.id), english)));
            cells
        };
        let mut rows: Vec<Row> = report
            .groups
            .iter()
            .map(|g| row(line(short_group_name(&g.group.name), g.group.households.map(i64::from), &g.indicators)))
            .collect();
        if has_outside {
            rows.push(row(line(tr(english, "Ngoài các tổ", "Outside groups").into(), None, &outside)));
        }
        let whole = if english { "Total".to_string() } else { format!("Toàn {}", kind_word(&report.commune.kind)) };
        rows.push(total(line(whole, report.commune.households, &report.commune.indicators)));
        Table { columns: header, rows }
    };
    let columns: Vec<&'static Indicator> = table::columns(Sheet::Commune).collect();
    let roads: Vec<_> = columns.iter().copied().filter(|i| i.road).collect();
    let works: Vec<_> = columns.iter().copied().filter(|i| !i.road).collect();
    let counted = report.groups.len();
    vec![
        body(format!(
            "{} {} {}",
            tr(english, "Kết quả của", "The results of the"),
            format::number(counted as f64, 0, english),
            tr(english, "tổ dân phố, thôn như sau:", "groups:")
        )),
        heading(2, tr(english, "1. Đường giao thông", "1. Roads").to_string()),
        Block::Table(table_of(roads, false)),
        heading(2, tr(english, "2. Công trình và đóng góp", "2. Works and contributions").to_string()),
        Block::Table(table_of(works, true)),
    ]
}

/// The indicators of the timeline year by year, with the targets of each year on the
/// roadmap, and the roadmap's years still to come.
fn progress(report: &Report, years: &[YearReport], english: bool) -> Vec<Block> {
    let lengths = ["road_m", "concrete_m"].map(indicator);
    let shares: Vec<&'static Indicator> =
        INDICATORS.iter().filter(|i| i.outputs.timeline && i.kind == Kind::Pct && i.at(Level::Commune)).collect();
    let with_target = |i: &Indicator| years.iter().any(|y| y.commune.targets.contains_key(i.id));
    let target_header = tr(english, "Mục tiêu (%)", "Target (%)");
    let mut columns = vec![column(tr(english, "Năm", "Year"), 1.0, Align::Center)];
    columns.extend(lengths.iter().map(|i| column(short_header(i, english), 1.3, Align::Right)));
    for i in &shares {
        columns.push(column(short_header(i, english), 1.3, Align::Right));
        if with_target(i) {
            columns.push(column(target_header, 1.2, Align::Right));
        }
    }
    let rows = years
        .iter()
        .map(|y| {
            let mut cells = vec![y.year.to_string()];
            cells.extend(lengths.iter().map(|i| i.bare(y.commune.value(i.id), english)));
            for i in &shares {
                cells.push(i.bare(y.commune.value(i.id), english));
                if with_target(i) {
                    cells.push(
                        y.commune
                            .targets
                            .get(i.id)
                            .map(|t| i.bare(Some(t.target), english))
                            .unwrap_or(format::NO_VALUE.into()),
                    );
                }
            }
            row(cells)
        })
        .collect();
    let mut blocks = vec![
        body(
            tr(
                english,
                "Kết quả tại ngày cuối mỗi năm (năm hiện tại: tại ngày báo cáo), so với mục tiêu của năm đó:",
                "The figures at the end of each year (this year: at the report's date), against that year's targets:",
            )
            .to_string(),
        ),
        Block::Table(Table { columns, rows }),
    ];
    // The roadmap's years after this one.
    let this_year = report.as_of.year();
    let mut ahead: Vec<(i32, &'static Indicator, f64)> = report
        .settings
        .targets_by_year
        .iter()
        .filter_map(|(id, by_year)| Some((indicators::find(id)?, by_year)))
        .flat_map(move |(i, by_year)| {
            by_year.iter().filter(move |(y, _)| **y > this_year).map(move |(y, t)| (*y, i, *t))
        })
        .collect();
    ahead.sort_by_key(|(year, i, _)| (*year, INDICATORS.iter().position(|x| x.id == i.id)));
    if !ahead.is_empty() {
        blocks.push(body(tr(english, "Lộ trình mục tiêu các năm tới:", "The targets of the years ahead:").to_string()));
        blocks.push(Block::Table(Table {
            columns: vec![
                column(tr(english, "Năm", "Year"), 1.0, Align::Center),
                column(tr(english, "Chỉ tiêu", "Indicator"), 4.0, Align::Left),
                column(tr(english, "Mục tiêu", "Target"), 2.0, Align::Right),
            ],
            rows: ahead
                .into_iter()
                .map(|(year, i, target)| {
                    row(vec![year.to_string(), i.title(english).to_string(), i.text(Some(target), english)])
                })
                .collect(),
        }));
    }
    blocks
}

/// Model sites by field and by recognition.
pub(super) fn models(sites: &SiteCounts, english: bool) -> Vec<Block> {
    let count = indicator("model_sites");
    let by = |terms: &[Term], counts: &std::collections::BTreeMap<String, i64>, header: &str| -> Table {
        let mut rows: Vec<Row> = terms
            .iter()
            .map(|t| {
                let n = counts.get(t.value).copied().unwrap_or(0) as f64;
                row(vec![tr(english, t.vi, t.en).to_string(), count.text(Some(n), english)])
            })
            .collect();
        rows.push(total(vec![
            tr(english, "Tổng cộng", "Total").to_string(),
            count.text(Some(counts.values().sum::<i64>() as f64), english),
        ]));
        Table {
            columns: vec![
                column(header.to_string(), 4.0, Align::Left),
                column(tr(english, "Số mô hình", "Sites"), 1.5, Align::Right),
            ],
            rows,
        }
    };
    vec![
        body(format!(
            "{} {} {}",
            tr(english, "Toàn địa bàn có", "There are"),
            count.text(Some(sites.total as f64), english),
            tr(english, "mô hình \u{201c}Dân vận khéo\u{201d} đã được ghi nhận.", "recorded model sites.")
        )),
        heading(2, tr(english, "1. Theo lĩnh vực", "1. By field").to_string()),
        Block::Table(by(vocab::SITE_FIELDS, &sites.by_field, tr(english, "Lĩnh vực", "Field"))),
        heading(2, tr(english, "2. Theo cấp công nhận", "2. By recognition").to_string()),
        Block::Table(by(vocab::RECOGNITIONS, &sites.by_recognition, tr(english, "Cấp công nhận", "Recognition"))),
    ]
}

/// The model sites' photos: a heading per site (its name and field), then each photo with
/// its caption and the day it was taken.
fn site_photos(photos: Vec<Figure>, english: bool) -> Vec<Block> {
    let mut blocks = vec![body(
        tr(
            english,
            "Một số hình ảnh các mô hình \u{201c}Dân vận khéo\u{201d} trên địa bàn:",
            "Some photos of the model sites:",
        )
        .to_string(),
    )];
    let mut site = None;
    let mut sites = 0;
    for (n, photo) in photos.into_iter().enumerate() {
        if site != Some(photo.site_id) {
            site = Some(photo.site_id);
            sites += 1;
            let name = photo.site_name.clone().unwrap_or_else(|| tr(english, "(chưa đặt tên)", "(unnamed)").into());
            let field = label(vocab::SITE_FIELDS, &photo.field, english);
            blocks.push(heading(2, format!("{sites}. {name} ({})", field.to_lowercase())));
        }
        let mut caption = format!("{} {}.", tr(english, "Ảnh", "Photo"), n + 1);
        if let Some(text) = photo.caption.as_deref().or(photo.site_name.as_deref()) {
            caption.push(' ');
            caption.push_str(text);
        }
        if let Some(day) = photo.taken_on {
            caption.push_str(&format!(" ({} {})", tr(english, "chụp ngày", "taken on"), format::date(day)));
        }
        blocks.push(Block::Image(photo.image));
        blocks.push(Block::Paragraph(Paragraph::note(caption)));
    }
    blocks
}

/// The people's money, the state budget, the workdays, from `value` (an indicator's value by id).
pub(super) fn contributions(value: impl Fn(&str) -> Option<f64>, english: bool) -> Vec<Block> {
    let ids = ["people_vnd", "state_vnd", "workdays"];
    let rows = ids
        .iter()
        .map(|id| {
            let i = indicator(id);
            row(vec![i.title(english).to_string(), i.text(value(id), english)])
        })
        .collect();
    vec![
        body(
            tr(
                english,
                "Nguồn lực huy động cho các công trình (đường giao thông, đường hoa, chiếu sáng, thoát nước, mô hình) đã hoàn thành đến ngày báo cáo:",
                "What the works finished by the report's date (roads, flower routes, lighting, drainage, model sites) were built with:",
            )
            .to_string(),
        ),
        Block::Table(Table {
            columns: vec![
                column(tr(english, "Nguồn lực", "Source"), 3.0, Align::Left),
                column(tr(english, "Giá trị", "Amount"), 2.0, Align::Right),
            ],
            rows,
        }),
    ]
}

/// The work list per group: km left, estimated cost, the people's expected share.
fn work_list(work: &WorkList, english: bool) -> Vec<Block> {
    let left = indicator("left_m");
    // Costs are amounts of đồng: written as the catalogue writes money.
    let money = indicator("people_vnd");
    let basis = &work.basis;
    let surface = label(vocab::ROAD_SURFACES, &basis.target_surface, english).to_lowercase();
    let intro = if english {
        format!(
            "Every road of the counted classes not concreted at the report's date, by group. Costs at {} VND per m² of {surface}, a width of {} m where none is recorded; the people are expected to give {} % of the cost.",
            format::number(basis.unit_cost_vnd_m2, 0, true),
            format::number(basis.default_width_m, 1, true),
            format::number(basis.people_share_pct, 0, true),
        )
    } else {
        format!(
            "Các tuyến đường thuộc loại được tính chưa được bê tông hóa tại ngày báo cáo, theo tổ dân phố, thôn. Dự toán theo đơn giá {} đồng/m² mặt {surface}, bề rộng {} m đối với tuyến chưa có số liệu; nhân dân đóng góp dự kiến {} % kinh phí.",
            format::number(basis.unit_cost_vnd_m2, 0, false),
            format::number(basis.default_width_m, 1, false),
            format::number(basis.people_share_pct, 0, false),
        )
    };
    let mut rows: Vec<Row> = work
        .groups
        .iter()
        .map(|g| {
            let name =
                g.name.as_deref().map(short_group_name).unwrap_or(tr(english, "Ngoài các tổ", "Outside groups").into());
            row(vec![
                name,
                left.bare(Some(g.left_m), english),
                format::number(g.roads.len() as f64, 0, english),
                money.bare(Some(g.cost_vnd as f64), english),
                money.bare(Some(g.people_vnd as f64), english),
            ])
        })
        .collect();
    rows.push(total(vec![
        tr(english, "Tổng cộng", "Total").to_string(),
        left.bare(Some(work.left_m), english),
        format::number(work.groups.iter().map(|g| g.roads.len()).sum::<usize>() as f64, 0, english),
        money.bare(Some(work.cost_vnd as f64), english),
        money.bare(Some(work.people_vnd as f64), english),
    ]));
    let unit = money.unit(english);
    vec![
        body(intro),
        Block::Table(Table {
            columns: vec![
                column(tr(english, "Tổ dân phố, thôn", "Group"), 2.2, Align::Left),
                column(tr(english, "Km còn lại", "Km left"), 1.3, Align::Right),
                column(tr(english, "Số tuyến", "Roads"), 1.0, Align::Right),
                column(format!("{} ({unit})", tr(english, "Dự toán", "Estimated cost")), 2.2, Align::Right),
                column(
                    format!("{} ({unit})", tr(english, "Nhân dân đóng góp dự kiến", "People's expected share")),
                    2.2,
                    Align::Right,
                ),
            ],
            rows,
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_line_follows_decree_30() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(administrative_date(d(2026, 2, 5), false), "ngày 05 tháng 02 năm 2026");
        assert_eq!(administrative_date(d(2025, 12, 31), false), "ngày 31 tháng 12 năm 2025");
        assert_eq!(administrative_date(d(2025, 3, 9), false), "ngày 09 tháng 3 năm 2025");
    }

    #[test]
    fn the_place_is_the_name_without_its_kind() {
        assert_eq!(place("Phường Quỳnh Xuân"), "Quỳnh Xuân");
        assert_eq!(place("Xã Nghi Phong"), "Nghi Phong");
        assert_eq!(place("Phường"), "Phường");
        assert_eq!(short_group_name("Tổ dân phố 12"), "TDP 12");
        assert_eq!(short_group_name("Thôn Đông"), "Thôn Đông");
    }

    #[test]
    fn sections_are_numbered_in_roman() {
        assert_eq!([1, 4, 9].map(roman), ["I", "IV", "IX"]);
    }
}
