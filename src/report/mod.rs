//! The council report (`GET /api/report`): a commune's figures at a date as a Word or PDF
//! document in the layout of Vietnamese administrative reports (Decree 30/2020/NĐ-CP).
//!
//! A region's report (`?region=`) gives its communes' figures side by side, with no map.
//!
//! One concern per file: `model` (the document, no format), `compose` (the document from
//! the coverage data), `region` (a region's document), `map` (the map image), `docx` and
//! `pdf` (the two writers of the same model), `photos` (the model sites' photos as
//! pictures), `fonts` (the vendored fonts).
//! The data comes from the coverage reports, the work list and `store::report` (the map's
//! shapes, the photos' thumbnails); nothing here runs SQL of its own.

pub mod compose;
pub mod docx;
pub mod fonts;
pub mod map;
pub mod model;
pub mod pdf;
pub mod photos;
pub mod region;

use crate::coverage::format;
use crate::coverage::report::{self, Report, YearReport};
use crate::coverage::worklist::{self, WorkList};
use crate::store::report::{MapShapes, SitePhoto};
use crate::store::{coverage, worklist as store_worklist};
use chrono::NaiveDate;
use sqlx::PgPool;
use std::collections::HashMap;

/// The file a report is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Pdf,
}

impl Format {
    pub fn parse(value: &str) -> Option<Format> {
        match value {
            "docx" => Some(Format::Docx),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Format::Pdf => "application/pdf",
        }
    }
}

/// What a report is made of, read from the database.
pub struct Sources {
    pub report: Report,
    pub years: Vec<YearReport>,
    pub work: WorkList,
    pub shapes: MapShapes,
    /// The model sites' photos (thumbnails), a few of each.
    pub photos: Vec<SitePhoto>,
}

/// The data of commune `code`'s report at `as_of`; `None` when there is no such commune.
pub async fn sources(pool: &PgPool, code: &str, as_of: NaiveDate) -> Result<Option<Sources>, sqlx::Error> {
    let Some(report) = report::report(pool, code, as_of).await? else { return Ok(None) };
    let Some((_, years)) = report::timeline(pool, code, None, None, as_of).await? else { return Ok(None) };
    // The work list exactly as `GET /api/worklist` computes it.
    let groups = coverage::groups(pool, code).await?;
    let settings = coverage::settings(pool, code).await?;
    let roads = store_worklist::roads_left(pool, code, &settings.counted_classes, as_of, None).await?;
    let work = worklist::work_list(code, as_of, &settings, &groups, &roads);
    let Some(shapes) = crate::store::report::map_shapes(pool, code, as_of).await? else { return Ok(None) };
    let site_photos =
        crate::store::report::model_site_photos(pool, code, as_of, photos::PER_SITE, photos::MOST).await?;
    Ok(Some(Sources { report, years, work, shapes, photos: site_photos }))
}

/// The map of the report.
fn map_image(s: &Sources, english: bool) -> Result<model::Image, String> {
    let figures = s
        .report
        .groups
        .iter()
        .map(|g| {
            let figure = map::GroupFigure {
                short_name: compose::short_group_name(&g.group.name),
                concrete_pct: g.indicators.value("concrete_pct"),
            };
            (g.group.id, figure)
        })
        .collect::<HashMap<_, _>>();
    let date = format::date(s.report.as_of);
    let zone = s.shapes.srid % 100;
    let text = if english {
        map::MapText {
            title: "Concrete share of the roads by residential group".into(),
            subtitle: format!("{}, as of {date}", s.report.commune.name),
            source: format!("Source: kheo, data as of {date}. WGS 84 / UTM zone {zone}N (EPSG:{}).", s.shapes.srid),
            target_pct: s.report.settings.targets.get("concrete_pct").copied(),
            areas: map::Areas::Groups,
            english,
        }
    } else {
        map::MapText {
            title: "Tỷ lệ bê tông hóa đường giao thông theo tổ dân phố, thôn".into(),
            subtitle: format!("{}, tính đến ngày {date}", s.report.commune.name),
            source: format!(
                "Nguồn: kheo, số liệu đến ngày {date}. Hệ tọa độ WGS 84 / UTM múi {zone}N (EPSG:{}).",
                s.shapes.srid
            ),
            target_pct: s.report.settings.targets.get("concrete_pct").copied(),
            areas: map::Areas::Groups,
            english,
        }
    };
    map::render(&s.shapes, &figures, &text)
}

/// The report as a file: CPU work (the map at 300 dpi, the document), to run off the
/// async threads.
pub fn write(s: &Sources, format: Format, english: bool) -> Result<Vec<u8>, String> {
    let map = map_image(s, english)?;
    let document = compose::document(compose::Inputs {
        report: &s.report,
        years: &s.years,
        work: &s.work,
        map: Some(map),
        photos: photos::figures(&s.photos),
        english,
    });
    match format {
        Format::Docx => docx::write(&document),
        Format::Pdf => pdf::write(&document, english),
    }
}

/// What a region's report is made of.
pub struct RegionSources {
    pub report: crate::coverage::region::RegionReport,
    pub years: Vec<crate::coverage::region::RegionYear>,
    /// The communes' shapes for the map; `None` when the region has no commune.
    pub shapes: Option<crate::store::report::RegionShapes>,
}

/// The data of the report of `region` (its communes `codes`) at `as_of`.
pub async fn region_sources(
    pool: &PgPool,
    region: &crate::store::regions::Region,
    codes: &[String],
    as_of: NaiveDate,
) -> Result<RegionSources, sqlx::Error> {
    let report = crate::coverage::region::report(pool, region, codes, as_of).await?;
    let years = crate::coverage::region::timeline(pool, region, codes, (None, None), as_of).await?;
    let shapes = crate::store::report::region_shapes(pool, codes).await?;
    Ok(RegionSources { report, years, shapes })
}

/// The map of a region's report: its communes coloured by their concrete share.
fn region_map_image(s: &RegionSources, english: bool) -> Option<Result<model::Image, String>> {
    let region = s.shapes.as_ref()?;
    let lines: HashMap<&str, &crate::coverage::region::CommuneLine> =
        s.report.communes.iter().map(|c| (c.code.as_str(), c)).collect();
    let figures = region
        .codes
        .iter()
        .enumerate()
        .filter_map(|(index, code)| {
            let line = lines.get(code.as_str())?;
            let figure = map::GroupFigure {
                short_name: compose::place(&line.name).to_string(),
                concrete_pct: line.indicators.value("concrete_pct"),
            };
            Some((index as i64, figure))
        })
        .collect::<HashMap<_, _>>();
    let date = format::date(s.report.as_of);
    let (srid, zone) = (region.shapes.srid, region.shapes.srid % 100);
    let name = &s.report.region.name;
    let (title, subtitle, source) = if english {
        (
            "Concrete share of the roads by commune".to_string(),
            format!("{name}, as of {date}"),
            format!("Source: kheo, data as of {date}. WGS 84 / UTM zone {zone}N (EPSG:{srid})."),
        )
    } else {
        (
            "Tỷ lệ bê tông hóa đường giao thông theo xã, phường".to_string(),
            format!("{name}, tính đến ngày {date}"),
            format!("Nguồn: kheo, số liệu đến ngày {date}. Hệ tọa độ WGS 84 / UTM múi {zone}N (EPSG:{srid})."),
        )
    };
    // Each commune has its own target: the legend shows none.
    let text = map::MapText { title, subtitle, source, target_pct: None, areas: map::Areas::Communes, english };
    Some(map::render(&region.shapes, &figures, &text))
}

/// A region's report as a file (CPU work, to run off the async threads).
pub fn write_region(s: &RegionSources, format: Format, english: bool) -> Result<Vec<u8>, String> {
    let map = region_map_image(s, english).transpose()?;
    let document = region::document(&s.report, &s.years, map, english);
    match format {
        Format::Docx => docx::write(&document),
        Format::Pdf => pdf::write(&document, english),
    }
}
