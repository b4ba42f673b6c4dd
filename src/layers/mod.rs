//! The layer catalogue: ONE table-driven description of every layer kheo serves.
//!
//! Everything that differs between layers is a property of its row here: its role, who may
//! edit it, whether it may be imported, whether it feeds coverage, when its features came
//! into being, its draw order, style and legend. The GeoJSON, write, import, export, dump
//! and coverage code and the page are generic over it: adding a layer is adding a row here,
//! its style file in `styles/`, its table in a migration (and, if it feeds coverage, its
//! part of the coverage SQL); see docs/ARCHITECTURE.md. Table and column names used in SQL
//! come only from this file, never from a request, and match `^[a-z_][a-z0-9_]*$` (tested).

use crate::model::vocab;
use serde::Serialize;
use serde_json::json;

pub use crate::model::field::{AsOf, Field, FieldType};

/// A field every new feature must give.
const fn required(field: Field) -> Field {
    Field { required: true, ..field }
}

const fn field(name: &'static str, ty: FieldType, vi: &'static str, en: &'static str) -> Field {
    Field { name, ty, vi, en, as_of: None, required: false }
}

/// The kind of geometry a layer holds (lines may be multi-part, polygons are stored as
/// MultiPolygon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GeometryKind {
    Point,
    Line,
    Polygon,
}

/// How a layer's features are identified in URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// `bigint` identity.
    Integer,
    /// A code, such as a commune's statistics code.
    Code,
}

/// What a layer is to the rest of kheo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Commune boundaries: what every other feature belongs to.
    Boundary,
    /// The units coverage is reported for (residential groups): the choropleth.
    Area,
    /// Works done with the people's help: dated, and counted by coverage.
    Work,
}

/// Who may write a layer's features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Editors {
    /// Admins only (commune boundaries and codes).
    Admins,
    /// Admins, and editors in their own communes.
    Editors,
}

/// How a layer feeds the coverage indicators (see `crate::coverage` and the coverage
/// migrations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Feed {
    /// Geometry that coverage is computed over or within: boundaries and groups.
    Geometry,
    /// The measured road network (lengths by class and surface).
    Network,
    /// Lines whose length inside a group is an indicator (flower routes).
    Length,
    /// Lines that cover the roads within a buffer (lighting, drainage): `setting` is the
    /// commune setting holding the buffer in metres.
    Zone { setting: &'static str },
    /// Points counted by field and recognition (model sites).
    Count,
}

/// When a work came into being, for the as-of date: it counts from the date in column
/// `date`, or from 1 January of the year in `year_fallback` when the date is unknown;
/// with neither, for as long as the records go. Only finished works (status `existing`)
/// exist at any date. ONE rule for the map, the downloads and coverage
/// (`store::features::existed_expr`).
#[derive(Debug, Clone, Copy)]
pub struct Lifecycle {
    pub date: &'static str,
    pub year_fallback: Option<&'static str>,
}

/// How a legend swatch looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SwatchKind {
    Line,
    Fill,
    Outline,
    Circle,
    /// A glowing dotted line (lighting).
    Glow,
    /// The choropleth's colour ramp.
    Ramp,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Swatch {
    pub kind: SwatchKind,
    pub color: &'static str,
    pub dashed: bool,
}

const fn swatch(kind: SwatchKind, color: &'static str) -> Swatch {
    Swatch { kind, color, dashed: false }
}

/// One value of a palette field: its colour, and whether it is drawn dashed.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PaletteEntry {
    pub value: &'static str,
    pub color: &'static str,
    pub dashed: bool,
}

const fn entry(value: &'static str, color: &'static str, dashed: bool) -> PaletteEntry {
    PaletteEntry { value, color, dashed }
}

/// Colours by the values of one enum field (road surfaces, site fields): the style's
/// `"@palette"` and the legend's entries come from the same list.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Palette {
    pub field: &'static str,
    pub entries: &'static [PaletteEntry],
    /// For values missing from `entries` (and NULL).
    pub fallback: &'static str,
}

/// How the page draws a layer and explains it.
#[derive(Debug, Clone, Copy)]
pub struct Symbology {
    /// Layers are drawn in increasing order.
    pub draw_order: u16,
    /// The MapLibre style layers, as JSON (`styles/<id>.json`; see styles/README.md).
    pub style: &'static str,
    /// The legend's swatch of the whole layer.
    pub swatch: Swatch,
    /// Sub-entries of the legend, and the style's `"@palette"`.
    pub palette: Option<Palette>,
}

/// One row of the catalogue.
#[derive(Debug)]
pub struct Layer {
    /// The id in URLs: `/api/layers/{id}/features`.
    pub id: &'static str,
    pub table: &'static str,
    pub title_vi: &'static str,
    pub title_en: &'static str,
    pub geometry: GeometryKind,
    pub key: &'static str,
    pub key_type: KeyType,
    /// The column holding the commune's code (served as the `commune` property).
    pub commune_column: &'static str,
    pub role: Role,
    pub editors: Editors,
    /// Whether `kheo import` and `POST /api/import` take files for this layer.
    pub importable: bool,
    /// How it feeds coverage; `None`: its changes never change a coverage answer.
    pub feed: Option<Feed>,
    /// When a feature came into being; features that did not exist at an `as_of` date are
    /// left out. `None` for layers that are not dated (boundaries, groups).
    pub lifecycle: Option<Lifecycle>,
    /// Attribute groups, in display order (the works share a core group).
    pub field_groups: &'static [&'static [Field]],
    pub symbology: Symbology,
}

impl Layer {
    /// Every attribute of the layer, in display order.
    pub fn fields(&self) -> impl Iterator<Item = &'static Field> + use<> {
        self.field_groups.iter().flat_map(|group| group.iter())
    }

    /// The attribute called `name`, if the layer has one.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields().find(|f| f.name == name)
    }

    /// Whether a feature's commune is one of its own attributes (the communes layer, whose
    /// commune is its code), rather than a `commune` property beside them.
    pub fn commune_is_a_field(&self) -> bool {
        self.field(self.commune_column).is_some()
    }

    /// The style layers that draw this layer, with `"@palette"`, `"@palette_dashed"` and
    /// `{"@match": ...}` resolved (see styles/README.md).
    pub fn style(&self) -> serde_json::Value {
        // The files are part of the binary and checked by a test: a parse failure cannot
        // reach a running server.
        let raw: serde_json::Value = serde_json::from_str(self.symbology.style).unwrap_or_default();
        resolve_style(raw, self.symbology.palette.as_ref())
    }

    /// The tables whose changes can change a coverage answer: every layer that feeds it,
    /// and the communes' settings.
    pub fn coverage_sources() -> Vec<&'static str> {
        LAYERS.iter().filter(|l| l.feed.is_some()).map(|l| l.table).chain(["commune_setting"]).collect()
    }
}

/// The attributes every work shares, before its date: name and status.
const WORK_HEAD: &[Field] = &[
    field("name", FieldType::Text, "Tên", "Name"),
    field("status", FieldType::Enum(vocab::WORK_STATUSES), "Tình trạng", "Status"),
];

/// The date most works are dated by.
const DONE_ON: &[Field] = &[field("done_on", FieldType::Date, "Ngày hoàn thành", "Completed on")];

/// The attributes every work shares, after its date: money, work and who did it.
const WORK_TAIL: &[Field] = &[
    field("people_vnd", FieldType::Integer, "Nhân dân đóng góp (đồng)", "People's contribution (VND)"),
    field("state_vnd", FieldType::Integer, "Ngân sách (đồng)", "State budget (VND)"),
    field("workdays", FieldType::Number, "Ngày công", "Workdays"),
    field("organisation", FieldType::Text, "Tổ chức thực hiện", "Organisation"),
    field("note", FieldType::Text, "Ghi chú", "Note"),
];

const ROAD_FIELDS: &[Field] = &[
    required(field("class", FieldType::Enum(vocab::ROAD_CLASSES), "Loại đường", "Road class")),
    Field {
        as_of: Some(AsOf { since: "paved_on", before: "surface_before", fallback: "earth" }),
        ..required(field("surface", FieldType::Enum(vocab::ROAD_SURFACES), "Mặt đường", "Surface"))
    },
    field("surface_before", FieldType::Enum(vocab::ROAD_SURFACES), "Mặt đường trước đó", "Earlier surface"),
    field("width_m", FieldType::Number, "Bề rộng (m)", "Width (m)"),
    field("paved_on", FieldType::Date, "Ngày làm mặt đường", "Surfaced on"),
];

const FLOWER_ROUTE_FIELDS: &[Field] = &[
    field("species", FieldType::Text, "Loài cây, hoa", "Species"),
    field("trees", FieldType::Integer, "Số cây", "Trees"),
    field("caretaker", FieldType::Text, "Đơn vị chăm sóc", "Caretaker"),
];

const LIGHTING_LINE_FIELDS: &[Field] = &[
    field("lamps", FieldType::Integer, "Số bóng đèn", "Lamps"),
    field("power", FieldType::Enum(vocab::LAMP_POWER), "Nguồn điện", "Power"),
];

const MODEL_SITE_FIELDS: &[Field] = &[
    required(field("field", FieldType::Enum(vocab::SITE_FIELDS), "Lĩnh vực", "Field")),
    field("recognition", FieldType::Enum(vocab::RECOGNITIONS), "Cấp công nhận", "Recognition"),
    field("year", FieldType::Integer, "Năm", "Year"),
    field("description", FieldType::Text, "Mô tả", "Description"),
];

const DRAINAGE_DATE: &[Field] = &[field("built_on", FieldType::Date, "Ngày xây dựng", "Built on")];

const DRAINAGE_FIELDS: &[Field] =
    &[required(field("kind", FieldType::Enum(vocab::DRAIN_KINDS), "Loại rãnh", "Kind of drain"))];

const COMMUNE_FIELDS: &[Field] = &[
    required(field("code", FieldType::Text, "Mã đơn vị", "Code")),
    required(field("name", FieldType::Text, "Tên", "Name")),
    required(field("kind", FieldType::Enum(vocab::COMMUNE_KINDS), "Loại đơn vị", "Kind")),
    required(field("province", FieldType::Text, "Tỉnh, thành phố", "Province")),
];

const GROUP_FIELDS: &[Field] = &[
    required(field("code", FieldType::Text, "Mã", "Code")),
    required(field("name", FieldType::Text, "Tên", "Name")),
    required(field("kind", FieldType::Enum(vocab::GROUP_KINDS), "Loại", "Kind")),
    field("households", FieldType::Integer, "Số hộ", "Households"),
    field("population", FieldType::Integer, "Số nhân khẩu", "Population"),
];

/// A work layer dated by `done_on`, which editors write, imports take and coverage counts.
const fn work(
    id: &'static str,
    table: &'static str,
    (title_vi, title_en): (&'static str, &'static str),
    geometry: GeometryKind,
    feed: Feed,
    field_groups: &'static [&'static [Field]],
    symbology: Symbology,
) -> Layer {
    Layer {
        id,
        table,
        title_vi,
        title_en,
        geometry,
        key: "id",
        key_type: KeyType::Integer,
        commune_column: "commune_code",
        role: Role::Work,
        editors: Editors::Editors,
        importable: true,
        feed: Some(feed),
        lifecycle: Some(Lifecycle { date: "done_on", year_fallback: None }),
        field_groups,
        symbology,
    }
}

/// Road surfaces: the concrete grey-blue of the slabs, black asphalt, brick brown; the
/// unhardened surfaces are dashed.
const SURFACE_PALETTE: Palette = Palette {
    field: "surface",
    entries: &[
        entry("concrete", "#4f6475", false),
        entry("asphalt", "#1d1f23", false),
        entry("paving", "#8a5a3c", false),
        entry("gravel", "#c49a5a", true),
        entry("earth", "#b98b63", true),
    ],
    fallback: "#8c8c8c",
};

/// Model-site fields: Okabe-Ito colours, distinguishable with the common colour-vision
/// deficiencies.
const SITE_FIELD_PALETTE: Palette = Palette {
    field: "field",
    entries: &[
        entry("economy", "#e69f00", false),
        entry("culture_society", "#0072b2", false),
        entry("defence_security", "#009e73", false),
        entry("political_system", "#cc79a7", false),
    ],
    fallback: "#7f7f7f",
};

/// Drains: open ones in water blue, covered ones in a paler blue.
const DRAIN_PALETTE: Palette = Palette {
    field: "kind",
    entries: &[entry("open", "#1f78b4", false), entry("covered", "#6baed6", false)],
    fallback: "#1f78b4",
};

/// The catalogue, boundaries first (a commune before its groups and works, for loads and
/// dumps); the page draws by `symbology.draw_order`.
pub static LAYERS: &[Layer] = &[
    Layer {
        id: "communes",
        table: "commune",
        title_vi: "Xã, phường",
        title_en: "Communes and wards",
        geometry: GeometryKind::Polygon,
        key: "code",
        key_type: KeyType::Code,
        commune_column: "code",
        role: Role::Boundary,
        editors: Editors::Admins,
        // Boundary files, by admins: `kheo commune import`, `POST /api/communes/import`.
        importable: true,
        feed: Some(Feed::Geometry),
        lifecycle: None,
        field_groups: &[COMMUNE_FIELDS],
        symbology: Symbology {
            draw_order: 0,
            style: include_str!("styles/communes.json"),
            swatch: swatch(SwatchKind::Outline, "#272b3a"),
            palette: None,
        },
    },
    Layer {
        id: "groups",
        table: "residential_group",
        title_vi: "Tổ dân phố, thôn",
        title_en: "Residential groups",
        geometry: GeometryKind::Polygon,
        key: "id",
        key_type: KeyType::Integer,
        commune_column: "commune_code",
        role: Role::Area,
        editors: Editors::Editors,
        importable: true,
        feed: Some(Feed::Geometry),
        lifecycle: None,
        field_groups: &[GROUP_FIELDS],
        symbology: Symbology {
            draw_order: 10,
            style: include_str!("styles/groups.json"),
            swatch: swatch(SwatchKind::Ramp, "#d9e4ee"),
            palette: None,
        },
    },
    work(
        "roads",
        "road",
        ("Đường giao thông", "Roads"),
        GeometryKind::Line,
        Feed::Network,
        &[WORK_HEAD, DONE_ON, WORK_TAIL, ROAD_FIELDS],
        Symbology {
            draw_order: 30,
            style: include_str!("styles/roads.json"),
            swatch: swatch(SwatchKind::Line, "#4f6475"),
            palette: Some(SURFACE_PALETTE),
        },
    ),
    work(
        "flower_routes",
        "flower_route",
        ("Đường hoa, cây xanh", "Flower routes"),
        GeometryKind::Line,
        Feed::Length,
        &[WORK_HEAD, DONE_ON, WORK_TAIL, FLOWER_ROUTE_FIELDS],
        Symbology {
            draw_order: 40,
            style: include_str!("styles/flower_routes.json"),
            swatch: Swatch { kind: SwatchKind::Line, color: "#d6246e", dashed: true },
            palette: None,
        },
    ),
    work(
        "lighting_lines",
        "lighting_line",
        ("Tuyến chiếu sáng", "Lighting lines"),
        GeometryKind::Line,
        Feed::Zone { setting: "lit_buffer_m" },
        &[WORK_HEAD, DONE_ON, WORK_TAIL, LIGHTING_LINE_FIELDS],
        Symbology {
            draw_order: 50,
            style: include_str!("styles/lighting_lines.json"),
            swatch: swatch(SwatchKind::Glow, "#f59f00"),
            palette: None,
        },
    ),
    Layer {
        // A site recognised in a year but without a completion date counts from 1 January
        // of that year, on the map as in the numbers.
        lifecycle: Some(Lifecycle { date: "done_on", year_fallback: Some("year") }),
        ..work(
            "model_sites",
            "model_site",
            ("Mô hình \"Dân vận khéo\"", "\"Dân vận khéo\" model sites"),
            GeometryKind::Point,
            Feed::Count,
            &[WORK_HEAD, DONE_ON, WORK_TAIL, MODEL_SITE_FIELDS],
            Symbology {
                draw_order: 60,
                style: include_str!("styles/model_sites.json"),
                swatch: swatch(SwatchKind::Circle, "#e69f00"),
                palette: Some(SITE_FIELD_PALETTE),
            },
        )
    },
    Layer {
        // Dated by `built_on`, not `done_on`: the catalogue, not the code, says which column.
        lifecycle: Some(Lifecycle { date: "built_on", year_fallback: None }),
        ..work(
            "drainage",
            "drainage",
            ("Rãnh thoát nước", "Drainage"),
            GeometryKind::Line,
            Feed::Zone { setting: "drain_buffer_m" },
            &[WORK_HEAD, DRAINAGE_DATE, WORK_TAIL, DRAINAGE_FIELDS],
            Symbology {
                draw_order: 35,
                style: include_str!("styles/drainage.json"),
                swatch: Swatch { kind: SwatchKind::Line, color: "#1f78b4", dashed: true },
                palette: Some(DRAIN_PALETTE),
            },
        )
    },
];

/// `["match", ["coalesce", ["get", field], ""], value, output, ..., default]`.
fn match_expression(
    field: &str,
    pairs: Vec<(serde_json::Value, serde_json::Value)>,
    default: serde_json::Value,
) -> serde_json::Value {
    let mut expression = vec![json!("match"), json!(["coalesce", ["get", field], ""])];
    for (value, output) in pairs {
        expression.push(value);
        expression.push(output);
    }
    expression.push(default);
    serde_json::Value::Array(expression)
}

/// Resolves the kheo placeholders of a style (see styles/README.md).
fn resolve_style(value: serde_json::Value, palette: Option<&Palette>) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(text) if text == "@palette" => match palette {
            Some(p) => match_expression(
                p.field,
                p.entries.iter().map(|e| (json!(e.value), json!(e.color))).collect(),
                json!(p.fallback),
            ),
            None => Value::String(text),
        },
        Value::String(text) if text == "@palette_dashed" => match palette {
            Some(p) => json!(["literal", p.entries.iter().filter(|e| e.dashed).map(|e| e.value).collect::<Vec<_>>()]),
            None => Value::String(text),
        },
        Value::Object(mut map) if map.contains_key("@match") => {
            let field = map.remove("@match").and_then(|f| f.as_str().map(str::to_string)).unwrap_or_default();
            let default = map.remove("default").unwrap_or(Value::Null);
            let pairs = match map.remove("values") {
                Some(Value::Object(values)) => values.into_iter().map(|(k, v)| (json!(k), v)).collect(),
                _ => Vec::new(),
            };
            match_expression(&field, pairs, default)
        }
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, resolve_style(v, palette))).collect()),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| resolve_style(v, palette)).collect()),
        other => other,
    }
}

/// The layer with URL id `id`.
///
/// ```
/// let roads = kheo::layers::find("roads").unwrap();
/// assert_eq!(roads.table, "road");
/// assert!(kheo::layers::find("road; drop table road").is_none());
/// ```
pub fn find(id: &str) -> Option<&'static Layer> {
    LAYERS.iter().find(|l| l.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Identifiers go into SQL text (quoted): they must be plain lower-case names.
    fn is_plain_identifier(name: &str) -> bool {
        let mut chars = name.chars();
        chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    }

    #[test]
    fn every_catalogue_identifier_is_a_plain_lower_case_name() {
        for layer in LAYERS {
            let mut names = vec![layer.id, layer.table, layer.key, layer.commune_column];
            names.extend(layer.fields().map(|f| f.name));
            names.extend(layer.lifecycle.iter().flat_map(|l| [Some(l.date), l.year_fallback]).flatten());
            if let Some(Feed::Zone { setting }) = layer.feed {
                names.push(setting);
            }
            for name in names {
                assert!(is_plain_identifier(name), "layer {}: `{name}` is not a plain identifier", layer.id);
            }
            assert!(!is_plain_identifier("Road"), "the check itself refuses capitals");
            assert!(!is_plain_identifier("road; drop"), "and punctuation");
        }
    }

    #[test]
    fn every_style_is_valid_json_with_prefixed_ids_and_no_placeholder_left() {
        for layer in LAYERS {
            let raw: serde_json::Value =
                serde_json::from_str(layer.symbology.style).unwrap_or_else(|e| panic!("styles/{}.json: {e}", layer.id));
            assert!(raw.as_array().is_some_and(|a| !a.is_empty()), "styles/{}.json is not a list", layer.id);
            let style = layer.style();
            for spec in style.as_array().unwrap() {
                let id = spec["id"].as_str().unwrap_or_default();
                assert!(id.starts_with(&format!("{}-", layer.id)), "style layer `{id}` of {}", layer.id);
                assert!(["fill", "line", "circle", "symbol"].contains(&spec["type"].as_str().unwrap_or_default()));
                for placement in ["above", "below"] {
                    if let Some(other) = spec.get(placement) {
                        assert!(find(other.as_str().unwrap_or_default()).is_some(), "{id}: {placement} {other}");
                    }
                }
            }
            let text = style.to_string();
            assert!(!text.contains("\"@"), "a placeholder is left in the style of {}: {text}", layer.id);
        }
    }

    #[test]
    fn a_palette_colours_every_value_of_its_enum_field() {
        for layer in LAYERS {
            let Some(palette) = layer.symbology.palette else { continue };
            let field = layer.field(palette.field).expect("the palette's field is a field of the layer");
            let FieldType::Enum(terms) = field.ty else { panic!("{}: palette field is not an enum", layer.id) };
            let values: Vec<&str> = palette.entries.iter().map(|e| e.value).collect();
            let allowed: Vec<&str> = terms.iter().map(|t| t.value).collect();
            assert_eq!(values, allowed, "layer {}", layer.id);
        }
    }

    #[test]
    fn the_palette_becomes_a_match_on_its_field() {
        let roads = find("roads").unwrap();
        let style = roads.style();
        let paved = style.as_array().unwrap().iter().find(|s| s["id"] == "roads-paved").unwrap();
        let color = &paved["paint"]["line-color"];
        assert_eq!(color[0], "match");
        assert_eq!(color[1], json!(["coalesce", ["get", "surface"], ""]));
        assert_eq!(color[2], "concrete");
        assert_eq!(color[3], "#4f6475");
        assert_eq!(color.as_array().unwrap().last().unwrap(), "#8c8c8c");
        assert_eq!(
            paved["filter"],
            json!(["!", ["in", ["coalesce", ["get", "surface"], ""], ["literal", ["gravel", "earth"]]]])
        );
    }
}
