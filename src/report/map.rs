//! The report's map, drawn on the server for print: the groups coloured by their concrete
//! share in the page's classes (web/js/choropleth.js), their labels, the roads by surface
//! and the model sites by field in the layer catalogue's palettes, a legend built from the
//! catalogue, a scale bar and a north arrow. kheo writes an SVG (its own geometry, in
//! millimetres of paper) and resvg rasterises it at 300 dpi with the vendored fonts only;
//! the PNG carries its resolution (pHYs), so Word and PDF readers print it at its size.

use super::fonts;
use super::model::Image;
use crate::coverage::format;
use crate::coverage::indicators;
use crate::layers::{self, FieldType, Layer, Palette};
use crate::store::report::{GroupShape, MapShapes};
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, LazyLock};

/// Printed width of the map, millimetres (the report's text is 165 mm wide).
pub const WIDTH_MM: f32 = 160.0;
/// Print resolution.
pub const DPI: f32 = 300.0;

/// The page's classes of a share (web/js/choropleth.js `PCT_BREAKS`, `PCT_COLORS`,
/// `NO_DATA_COLOR`, and the fill opacity of the groups' style in src/layers/styles/groups.json;
/// a test checks they agree): ColorBrewer RdYlBu, warm =
/// behind. A value v is in class i where BREAKS[i-1] <= v < BREAKS[i], on the stored value
/// as the page classifies it.
pub const PCT_BREAKS: [f64; 4] = [40.0, 60.0, 80.0, 95.0];
pub const PCT_COLORS: [&str; 5] = ["#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6"];
pub const NO_DATA_COLOR: &str = "#c9cbd1";
pub const FILL_OPACITY: f32 = 0.78;

/// The class colour of a share; `None` (no counted roads) is grey.
pub fn class_color(value: Option<f64>) -> &'static str {
    match value {
        None => NO_DATA_COLOR,
        Some(v) => PCT_COLORS[PCT_BREAKS.iter().filter(|b| v >= **b).count()],
    }
}

/// What the map shows of each group: its label and its concrete share (stored value).
#[derive(Debug, Clone)]
pub struct GroupFigure {
    pub short_name: String,
    pub concrete_pct: Option<f64>,
}

/// Texts of the map, in the report's language.
#[derive(Debug, Clone)]
pub struct MapText {
    pub title: String,
    pub subtitle: String,
    pub source: String,
    /// The concrete target in force, shown in the legend.
    pub target_pct: Option<f64>,
    /// What the areas are: a commune's groups (its roads and sites drawn over them), or a
    /// region's communes (no works: at a province's scale they would be a smudge).
    pub areas: Areas,
    pub english: bool,
}

/// What the coloured areas of a map are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Areas {
    Groups,
    Communes,
}

/// The room a label needs: the radius, on paper, of the largest circle inside its area
/// (a label is two lines, about 6 mm high). Smaller areas are left unlabelled rather than
/// covered by their neighbours' names; the report's tables give their figures.
const LABEL_ROOM_MM: f64 = 3.0;

/// The drawing's frame, millimetres.
struct Frame {
    /// Top of the map area.
    top: f32,
    height: f32,
    /// Metres to millimetres: x_mm = x0 + (x - minx) * scale.
    scale: f64,
    minx: f64,
    maxy: f64,
    x0: f32,
    y0: f32,
}

impl Frame {
    fn point(&self, x: f64, y: f64) -> (f32, f32) {
        (self.x0 + ((x - self.minx) * self.scale) as f32, self.y0 + ((self.maxy - y) * self.scale) as f32)
    }
}

const TITLE_MM: f32 = 13.0;
const LEGEND_MM: f32 = 44.0;
const SOURCE_MM: f32 = 6.0;
const PAD_MM: f32 = 4.0;
const MAX_MAP_MM: f32 = 160.0;
const MIN_MAP_MM: f32 = 90.0;

/// The rendered map: a PNG `WIDTH_MM` wide at `DPI`, or an error message.
pub fn render(shapes: &MapShapes, figures: &HashMap<i64, GroupFigure>, text: &MapText) -> Result<Image, String> {
    let (svg, height_mm) = svg(shapes, figures, text)?;
    rasterise(&svg, WIDTH_MM, height_mm, &text.title)
}

/// Every coordinate pair of a GeoJSON geometry, as rings or lines.
fn parts(text: &str) -> Result<Vec<Vec<(f64, f64)>>, String> {
    let geometry: geojson::Geometry = serde_json::from_str(text).map_err(|e| format!("a map geometry: {e}"))?;
    let mut out = Vec::new();
    collect(&geometry.value, &mut out);
    Ok(out)
}

fn collect(value: &geojson::Value, out: &mut Vec<Vec<(f64, f64)>>) {
    let line = |positions: &Vec<Vec<f64>>| positions.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>();
    match value {
        geojson::Value::LineString(l) => out.push(line(l)),
        geojson::Value::MultiLineString(ls) | geojson::Value::Polygon(ls) => out.extend(ls.iter().map(line)),
        geojson::Value::MultiPolygon(ps) => out.extend(ps.iter().flatten().map(line)),
        geojson::Value::GeometryCollection(gs) => gs.iter().for_each(|g| collect(&g.value, out)),
        geojson::Value::Point(_) | geojson::Value::MultiPoint(_) => {}
    }
}

fn path_data(frame: &Frame, parts: &[Vec<(f64, f64)>], closed: bool) -> String {
    let mut d = String::new();
    for part in parts.iter().filter(|p| p.len() >= 2) {
        for (i, (x, y)) in part.iter().enumerate() {
            let (px, py) = frame.point(*x, *y);
            let _ = write!(d, "{}{px:.2} {py:.2}", if i == 0 { "M" } else { "L" });
        }
        if closed {
            d.push('Z');
        }
    }
    d
}

/// Escapes text for XML: names come from the database.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Points to millimetres.
fn pt(size: f32) -> f32 {
    size * super::model::MM_PER_PT
}

/// A class weight of a style's `{"@match": field, "values": {...}}` in the catalogue's
/// raw style of `layer`: the relative widths of roads by class, radii of sites by recognition.
fn weights(layer: &Layer, field: &str) -> HashMap<String, f64> {
    fn find(value: &serde_json::Value, field: &str) -> Option<HashMap<String, f64>> {
        match value {
            serde_json::Value::Object(map) if map.get("@match").and_then(|m| m.as_str()) == Some(field) => {
                let values = map.get("values")?.as_object()?;
                Some(values.iter().filter_map(|(k, v)| Some((k.clone(), v.as_f64()?))).collect())
            }
            serde_json::Value::Object(map) => map.values().find_map(|v| find(v, field)),
            serde_json::Value::Array(items) => items.iter().find_map(|v| find(v, field)),
            _ => None,
        }
    }
    serde_json::from_str(layer.symbology.style).ok().and_then(|style| find(&style, field)).unwrap_or_default()
}

/// The label of a value of a layer's enum field, in a language.
fn term(layer: &Layer, field: &str, value: &str, english: bool) -> String {
    match layer.field(field).map(|f| f.ty) {
        Some(FieldType::Enum(terms)) => terms
            .iter()
            .find(|t| t.value == value)
            .map(|t| if english { t.en } else { t.vi }.to_string())
            .unwrap_or_else(|| value.to_string()),
        _ => value.to_string(),
    }
}

fn palette_color(palette: &Palette, value: &str) -> (&'static str, bool) {
    palette.entries.iter().find(|e| e.value == value).map(|e| (e.color, e.dashed)).unwrap_or((palette.fallback, false))
}

/// The map as SVG in millimetres, and its height.
fn svg(shapes: &MapShapes, figures: &HashMap<i64, GroupFigure>, text: &MapText) -> Result<(String, f32), String> {
    let roads_layer = layers::find("roads").ok_or("the catalogue has roads")?;
    let sites_layer = layers::find("model_sites").ok_or("the catalogue has model sites")?;
    let communes_layer = layers::find("communes").ok_or("the catalogue has communes")?;
    let surfaces = roads_layer.symbology.palette.ok_or("roads have a palette")?;
    let fields = sites_layer.symbology.palette.ok_or("model sites have a palette")?;

    // The frame: the commune's extent, scaled to the width, the height within bounds.
    let outline = parts(&shapes.commune)?;
    let (mut minx, mut miny, mut maxx, mut maxy) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in outline.iter().flatten() {
        minx = minx.min(*x);
        maxx = maxx.max(*x);
        miny = miny.min(*y);
        maxy = maxy.max(*y);
    }
    if !(maxx > minx && maxy > miny) {
        return Err("the commune has no extent".into());
    }
    let inner_w = WIDTH_MM - 2.0 * PAD_MM;
    let map_h = ((inner_w as f64 * (maxy - miny) / (maxx - minx)) as f32 + 2.0 * PAD_MM).clamp(MIN_MAP_MM, MAX_MAP_MM);
    let scale = ((inner_w as f64) / (maxx - minx)).min((map_h - 2.0 * PAD_MM) as f64 / (maxy - miny));
    let (drawn_w, drawn_h) = (((maxx - minx) * scale) as f32, ((maxy - miny) * scale) as f32);
    let top = TITLE_MM;
    let frame = Frame {
        top,
        height: map_h,
        scale,
        minx,
        maxy,
        x0: (WIDTH_MM - drawn_w) / 2.0,
        y0: top + (map_h - drawn_h) / 2.0,
    };
    let height = TITLE_MM + map_h + LEGEND_MM + SOURCE_MM;

    let mut s = String::with_capacity(1 << 20);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM}mm" height="{height}mm" viewBox="0 0 {WIDTH_MM} {height}" font-family="{family}">"#,
        family = fonts::FAMILY
    );
    let _ = write!(
        s,
        r##"<defs><pattern id="hatch" width="1.6" height="1.6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="1.6" height="1.6" fill="{NO_DATA_COLOR}"/><line x1="0" y1="0" x2="0" y2="1.6" stroke="#8c8f99" stroke-width="0.35"/></pattern><clipPath id="frame"><rect x="0" y="{top}" width="{WIDTH_MM}" height="{map_h}"/></clipPath></defs><rect width="100%" height="100%" fill="#ffffff"/>"##
    );

    // Title.
    let _ = write!(
        s,
        r#"<text x="{cx}" y="{y1}" text-anchor="middle" font-size="{t}" font-weight="bold">{title}</text><text x="{cx}" y="{y2}" text-anchor="middle" font-size="{st}" font-style="italic">{subtitle}</text>"#,
        cx = WIDTH_MM / 2.0,
        y1 = pt(12.0) + 0.5,
        y2 = pt(12.0) + 1.5 + pt(9.5),
        t = pt(12.0),
        st = pt(9.5),
        title = escape(&text.title),
        subtitle = escape(&text.subtitle),
    );

    s.push_str(r#"<g clip-path="url(#frame)">"#);
    // Groups, by their class.
    for group in &shapes.groups {
        let figure = figures.get(&group.id);
        let value = figure.and_then(|f| f.concrete_pct);
        let fill = if value.is_none() { "url(#hatch)".to_string() } else { class_color(value).to_string() };
        let _ = write!(
            s,
            r##"<path d="{d}" fill="{fill}" fill-opacity="{FILL_OPACITY}" fill-rule="evenodd" stroke="#ffffff" stroke-width="0.45" stroke-linejoin="round"/>"##,
            d = path_data(&frame, &parts(&group.geometry)?, true)
        );
    }
    // The commune's outline.
    let _ = write!(
        s,
        r#"<path d="{d}" fill="none" stroke="{c}" stroke-width="0.55" stroke-linejoin="round"/>"#,
        d = path_data(&frame, &outline, true),
        c = communes_layer.symbology.swatch.color
    );

    // Roads: casings, then the surfaces (the catalogue's widths by class).
    let class_weight = weights(roads_layer, "class");
    let road_mm = |class: &str| class_weight.get(class).copied().unwrap_or(2.0) as f32 * 0.12;
    let mut road_paths = Vec::with_capacity(shapes.roads.len());
    for road in &shapes.roads {
        road_paths.push((road, path_data(&frame, &parts(&road.geometry)?, false)));
    }
    for (road, d) in &road_paths {
        let _ = write!(
            s,
            r##"<path d="{d}" fill="none" stroke="#ffffff" stroke-width="{w:.2}" stroke-linecap="round" stroke-linejoin="round"/>"##,
            w = road_mm(&road.class) + 0.3
        );
    }
    for (road, d) in &road_paths {
        let (color, dashed) = palette_color(&surfaces, &road.surface);
        let dash = if dashed { r#" stroke-dasharray="1.1 0.6""# } else { r#" stroke-linecap="round""# };
        let _ = write!(
            s,
            r#"<path d="{d}" fill="none" stroke="{color}" stroke-width="{w:.2}" stroke-linejoin="round"{dash}/>"#,
            w = road_mm(&road.class)
        );
    }

    // Model sites, by field, sized by recognition.
    let radius = weights(sites_layer, "recognition");
    for site in &shapes.sites {
        let (x, y) = frame.point(site.x, site.y);
        let r = radius.get(site.recognition.as_deref().unwrap_or("")).copied().unwrap_or(6.0) as f32 * 0.17;
        let (color, _) = palette_color(&fields, &site.field);
        let _ = write!(
            s,
            r##"<circle cx="{x:.2}" cy="{y:.2}" r="{r:.2}" fill="{color}" stroke="#ffffff" stroke-width="0.3"/>"##
        );
    }

    // Labels: the group's short name and its share, over a white halo.
    for group in &shapes.groups {
        label(&mut s, &frame, group, figures.get(&group.id), text.english);
    }
    s.push_str("</g>");
    let _ = write!(
        s,
        r##"<rect x="0.15" y="{top}" width="{w}" height="{map_h}" fill="none" stroke="#1f2330" stroke-width="0.3"/>"##,
        w = WIDTH_MM - 0.3
    );
    north_arrow(&mut s, &frame, text.english);
    scale_bar(&mut s, &frame, text.english);
    legend(&mut s, top + map_h + 3.0, text, &surfaces, &fields, roads_layer, sites_layer);
    let _ = write!(
        s,
        r#"<text x="0.5" y="{y}" font-size="{f}" font-style="italic">{source}</text>"#,
        y = height - 1.5,
        f = pt(8.0),
        source = escape(&text.source)
    );
    s.push_str("</svg>");
    Ok((s, height))
}

fn label(s: &mut String, frame: &Frame, group: &GroupShape, figure: Option<&GroupFigure>, english: bool) {
    let Some(figure) = figure else { return };
    if group.label_room * frame.scale < LABEL_ROOM_MM {
        return;
    }
    let (x, y) = frame.point(group.label_x, group.label_y);
    let pct = indicators::find("concrete_pct").map(|i| i.text(figure.concrete_pct, english)).unwrap_or_default();
    let (name_size, value_size) = (pt(8.0), pt(7.5));
    for (dy, size, weight, content) in
        [(-0.3, name_size, "bold", &figure.short_name), (value_size + 0.2, value_size, "normal", &pct)]
    {
        let content = escape(content);
        let _ = write!(
            s,
            r##"<text x="{x:.2}" y="{y:.2}" text-anchor="middle" font-size="{size:.2}" font-weight="{weight}" fill="none" stroke="#ffffff" stroke-width="0.7" stroke-linejoin="round" stroke-opacity="0.9">{content}</text><text x="{x:.2}" y="{y:.2}" text-anchor="middle" font-size="{size:.2}" font-weight="{weight}" fill="#1f2330">{content}</text>"##,
            y = y + dy
        );
    }
}

fn north_arrow(s: &mut String, frame: &Frame, english: bool) {
    let (cx, cy) = (WIDTH_MM - 9.0, frame.top + 10.0);
    let _ = write!(
        s,
        r##"<g><circle cx="{cx}" cy="{cy}" r="5.2" fill="#ffffff" fill-opacity="0.85" stroke="#1f2330" stroke-width="0.2"/><path d="M{cx} {t}L{r} {b}L{cx} {m}Z" fill="#1f2330"/><path d="M{cx} {t}L{l} {b}L{cx} {m}Z" fill="#ffffff" stroke="#1f2330" stroke-width="0.2"/><text x="{cx}" y="{ty}" text-anchor="middle" font-size="{f}" font-weight="bold">{n}</text></g>"##,
        t = cy - 2.2,
        b = cy + 3.6,
        m = cy + 2.4,
        l = cx - 2.0,
        r = cx + 2.0,
        ty = cy - 2.6,
        f = pt(7.0),
        // Bắc: north.
        n = if english { "N" } else { "B" }
    );
}

/// 1, 2 or 5 times a power of ten, at most `max`.
fn nice_length(max: f64) -> f64 {
    let power = 10f64.powf(max.log10().floor());
    [5.0, 2.0, 1.0].into_iter().map(|m| m * power).find(|l| *l <= max).unwrap_or(power)
}

fn scale_bar(s: &mut String, frame: &Frame, english: bool) {
    // About a quarter of the map's width.
    let metres = nice_length((WIDTH_MM as f64 / 4.0) / frame.scale);
    let length_mm = (metres * frame.scale) as f32;
    let (x, y) = (4.0, frame.top + frame.height - 5.0);
    let text = if metres >= 1000.0 {
        format!("{}{}km", format::number(metres / 1000.0, 0, english), format::NBSP)
    } else {
        format!("{}{}m", format::number(metres, 0, english), format::NBSP)
    };
    let half = length_mm / 2.0;
    let _ = write!(
        s,
        r##"<g><rect x="{bx}" y="{by}" width="{bw}" height="7" fill="#ffffff" fill-opacity="0.85"/><rect x="{x}" y="{y}" width="{half}" height="1.2" fill="#1f2330"/><rect x="{x2}" y="{y}" width="{half}" height="1.2" fill="#ffffff" stroke="#1f2330" stroke-width="0.25"/><text x="{x}" y="{ty}" font-size="{f}" text-anchor="middle">0</text><text x="{xe}" y="{ty}" font-size="{f}" text-anchor="middle">{text}</text></g>"##,
        bx = x - 2.5,
        by = y - 4.0,
        bw = length_mm + 9.0,
        x2 = x + half,
        xe = x + length_mm,
        ty = y - 0.9,
        f = pt(7.5),
    );
}

/// The legend under the map: the share classes, the roads' surfaces, the sites' fields
/// and the boundaries, titled and labelled from the catalogues.
fn legend(
    s: &mut String,
    top: f32,
    text: &MapText,
    surfaces: &Palette,
    fields: &Palette,
    roads: &Layer,
    sites: &Layer,
) {
    let english = text.english;
    let (title_size, item_size, row) = (pt(8.5), pt(8.0), 4.6);
    let column = |s: &mut String, x: f32, title: &str| {
        let _ = write!(
            s,
            r#"<text x="{x}" y="{y}" font-size="{title_size}" font-weight="bold">{t}</text>"#,
            y = top + title_size,
            t = escape(title)
        );
    };
    let item = |s: &mut String, x: f32, i: usize, swatch: &str, label: &str| {
        let y = top + 3.6 + row * (i as f32 + 0.5);
        let _ = write!(
            s,
            r#"<g transform="translate({x} {y})">{swatch}</g><text x="{tx}" y="{ty}" font-size="{item_size}">{l}</text>"#,
            tx = x + 9.0,
            ty = y + 1.1,
            l = escape(label)
        );
    };

    // 1. The concrete share's classes.
    let pct = indicators::find("concrete_pct");
    let title = pct.map(|i| format!("{} (%)", i.title(english))).unwrap_or_default();
    column(s, 0.5, &title);
    let bound = |v: f64| format::number(v, 0, english);
    for (i, color) in PCT_COLORS.iter().enumerate() {
        let label = match i {
            0 => format!("< {}", bound(PCT_BREAKS[0])),
            4 => format!("≥ {}", bound(PCT_BREAKS[3])),
            _ => format!("{}–{}", bound(PCT_BREAKS[i - 1]), bound(PCT_BREAKS[i])),
        };
        let swatch = format!(
            r##"<rect x="0" y="-1.6" width="7" height="3.2" fill="{color}" fill-opacity="{FILL_OPACITY}" stroke="#8c8f99" stroke-width="0.15"/>"##
        );
        item(s, 0.5, i, &swatch, &label);
    }
    let none = if english { "No counted roads" } else { "Không có đường được tính" };
    item(
        s,
        0.5,
        5,
        r##"<rect x="0" y="-1.6" width="7" height="3.2" fill="url(#hatch)" stroke="#8c8f99" stroke-width="0.15"/>"##,
        none,
    );
    if let (Some(target), Some(pct)) = (text.target_pct, pct) {
        let label = format!("{}: {}", if english { "Target" } else { "Mục tiêu" }, pct.text(Some(target), english));
        item(s, 0.5, 6, "", &label);
    }

    if text.areas == Areas::Communes {
        boundaries(s, 54.0, &column, &item, english);
        return;
    }

    // 2. Roads by surface.
    let x = 54.0;
    column(s, x, &format!("{} ({})", layer_title(roads, english), term_title(roads, surfaces.field, english)));
    for (i, entry) in surfaces.entries.iter().enumerate() {
        let dash = if entry.dashed { r#" stroke-dasharray="1.1 0.6""# } else { "" };
        let swatch =
            format!(r#"<line x1="0" y1="0" x2="7" y2="0" stroke="{c}" stroke-width="0.8"{dash}/>"#, c = entry.color);
        item(s, x, i, &swatch, &term(roads, surfaces.field, entry.value, english));
    }

    // 3. Model sites by field, and the boundaries.
    let x = 108.0;
    column(s, x, layer_title(sites, english));
    for (i, entry) in fields.entries.iter().enumerate() {
        let swatch = format!(
            r##"<circle cx="3.5" cy="0" r="1.2" fill="{c}" stroke="#ffffff" stroke-width="0.3"/>"##,
            c = entry.color
        );
        item(s, x, i, &swatch, &term(sites, fields.field, entry.value, english));
    }
    let groups_title = layers::find("groups").map(|l| layer_title(l, english)).unwrap_or_default();
    let communes = layers::find("communes");
    let n = fields.entries.len();
    item(
        s,
        x,
        n,
        r##"<rect x="0" y="-1.6" width="7" height="3.2" fill="#d9e4ee" stroke="#ffffff" stroke-width="0.45"/>"##,
        groups_title,
    );
    if let Some(communes) = communes {
        let swatch = format!(
            r#"<rect x="0" y="-1.6" width="7" height="3.2" fill="none" stroke="{c}" stroke-width="0.55"/>"#,
            c = communes.symbology.swatch.color
        );
        item(s, x, n + 1, &swatch, layer_title(communes, english));
    }
}

/// The legend of a region's map beside the classes: the communes' boundaries and the
/// region's outline.
fn boundaries(
    s: &mut String,
    x: f32,
    column: &dyn Fn(&mut String, f32, &str),
    item: &dyn Fn(&mut String, f32, usize, &str, &str),
    english: bool,
) {
    let Some(communes) = layers::find("communes") else { return };
    column(s, x, if english { "Boundaries" } else { "Ranh giới" });
    item(
        s,
        x,
        0,
        r##"<rect x="0" y="-1.6" width="7" height="3.2" fill="#d9e4ee" stroke="#ffffff" stroke-width="0.45"/>"##,
        layer_title(communes, english),
    );
    let swatch = format!(
        r#"<rect x="0" y="-1.6" width="7" height="3.2" fill="none" stroke="{c}" stroke-width="0.55"/>"#,
        c = communes.symbology.swatch.color
    );
    item(s, x, 1, &swatch, if english { "The region" } else { "Toàn địa bàn" });
}

/// A layer's title, in a language.
fn layer_title(layer: &Layer, english: bool) -> &'static str {
    if english { layer.title_en } else { layer.title_vi }
}

/// A layer field's title, in a language.
fn term_title(layer: &Layer, field: &str, english: bool) -> String {
    layer.field(field).map(|f| if english { f.en } else { f.vi }.to_lowercase()).unwrap_or_default()
}

/// The fonts the SVG may use: the vendored ones, and no others.
static FONTS: LazyLock<Arc<resvg::usvg::fontdb::Database>> = LazyLock::new(|| {
    let mut db = resvg::usvg::fontdb::Database::new();
    for data in [fonts::REGULAR, fonts::BOLD, fonts::ITALIC, fonts::BOLD_ITALIC] {
        db.load_font_data(data.to_vec());
    }
    db.set_serif_family(fonts::FAMILY);
    Arc::new(db)
});

/// Pixels per metre at `DPI`, for the PNG's pHYs chunk.
fn pixels_per_metre() -> u32 {
    (DPI / 0.0254).round() as u32
}

fn rasterise(svg: &str, width_mm: f32, height_mm: f32, description: &str) -> Result<Image, String> {
    let options =
        resvg::usvg::Options { fontdb: FONTS.clone(), font_family: fonts::FAMILY.to_string(), ..Default::default() };
    let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| format!("the map's SVG: {e}"))?;
    let px = |mm: f32| (mm / 25.4 * DPI).round() as u32;
    let (width_px, height_px) = (px(width_mm), px(height_mm));
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(width_px, height_px).ok_or_else(|| "the map's size is empty".to_string())?;
    let size = tree.size();
    let transform =
        resvg::tiny_skia::Transform::from_scale(width_px as f32 / size.width(), height_px as f32 / size.height());
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    // The background is opaque white, so the premultiplied pixels are the plain ones:
    // RGB is all the PNG needs.
    let rgb: Vec<u8> = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    drop(pixmap);
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, width_px, height_px);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // No adaptive row filters: they shrink the PNG by a third (1.21 to 0.80 MB for the
        // demo ward) but cost seconds per report (docs/PERFORMANCE.md).
        encoder.set_pixel_dims(Some(png::PixelDimensions {
            xppu: pixels_per_metre(),
            yppu: pixels_per_metre(),
            unit: png::Unit::Meter,
        }));
        let mut writer = encoder.write_header().map_err(|e| format!("the map's PNG: {e}"))?;
        writer.write_image_data(&rgb).map_err(|e| format!("the map's PNG: {e}"))?;
    }
    Ok(Image { png, width_px, height_px, width_mm, height_mm, description: description.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The constant `name = [...]` of web/js/choropleth.js, as written there.
    fn page_constant(name: &str) -> String {
        let source = include_str!("../../web/js/choropleth.js");
        let (_, rest) =
            source.split_once(&format!("export const {name} = ")).unwrap_or_else(|| panic!("{name} is gone"));
        let (value, _) = rest.split_once(';').unwrap_or_else(|| panic!("{name} has no end"));
        value.trim().to_string()
    }

    #[test]
    fn the_classes_are_the_pages() {
        let breaks: Vec<f64> = serde_json::from_str(&page_constant("PCT_BREAKS")).unwrap();
        assert_eq!(breaks, PCT_BREAKS);
        let colors: Vec<String> = serde_json::from_str(&page_constant("PCT_COLORS").replace('\'', "\"")).unwrap();
        assert_eq!(colors, PCT_COLORS);
        assert_eq!(page_constant("NO_DATA_COLOR"), format!("'{NO_DATA_COLOR}'"));
        // The fill's opacity is the units' style in the layer catalogue, which the page draws.
        let groups = crate::layers::LAYERS.iter().find(|l| l.id == "groups").expect("the groups layer");
        let style = groups.style();
        let fill = style
            .as_array()
            .and_then(|layers| layers.iter().find(|l| l["id"] == "groups-fill"))
            .expect("the groups' fill in the catalogue's style");
        assert_eq!(fill["paint"]["fill-opacity"].as_f64().map(|o| o as f32), Some(FILL_OPACITY));
    }

    #[test]
    fn a_share_takes_the_class_of_its_lower_bound() {
        assert_eq!(class_color(Some(39.99)), "#d7191c");
        assert_eq!(class_color(Some(40.0)), "#fdae61");
        assert_eq!(class_color(Some(80.0)), "#abd9e9");
        assert_eq!(class_color(Some(100.0)), "#2c7bb6");
        assert_eq!(class_color(None), NO_DATA_COLOR);
    }

    #[test]
    fn the_scale_bar_is_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_length(1234.0), 1000.0);
        assert_eq!(nice_length(999.0), 500.0);
        assert_eq!(nice_length(3.0), 2.0);
    }

    #[test]
    fn the_catalogue_gives_the_widths_and_radii() {
        let roads = weights(layers::find("roads").unwrap(), "class");
        assert_eq!(roads["national"], 6.0);
        assert_eq!(roads["alley"], 2.2);
        let sites = weights(layers::find("model_sites").unwrap(), "recognition");
        assert_eq!(sites["province"], 9.0);
    }
}
