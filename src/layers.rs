//! The layer catalogue: ONE table-driven description of every layer kheo serves.
//!
//! The GeoJSON endpoints, the demo loader and the front end's layer list are generic over
//! it: adding a layer is adding a row here (and its table in a migration), not writing
//! handlers. Table and column names used in SQL come only from this file, never from a
//! request, so building SQL text from them is safe.

use crate::model::vocab::{self, Term};
use serde::Serialize;

/// The type of an attribute, as the API and the forms see it.
#[derive(Debug, Clone, Copy)]
pub enum FieldType {
    Text,
    /// A whole number (counts, VND amounts, years).
    Integer,
    /// A decimal number (metres, workdays).
    Number,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// One value of a controlled vocabulary.
    Enum(&'static [Term]),
}

impl FieldType {
    /// The name the API uses for this type.
    pub fn name(&self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Date => "date",
            FieldType::Enum(_) => "enum",
        }
    }
}

/// A field whose value depends on the as-of date: before the date in column `since`, it
/// was the value of column `before`, or `fallback` when that is unknown.
/// Example: a road concreted on `paved_on` counts at `surface_before` (else earth) for
/// earlier dates.
#[derive(Debug, Clone, Copy)]
pub struct AsOf {
    pub since: &'static str,
    pub before: &'static str,
    pub fallback: &'static str,
}

/// One attribute of a layer; `name` is both the column and the GeoJSON property.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub ty: FieldType,
    pub vi: &'static str,
    pub en: &'static str,
    pub as_of: Option<AsOf>,
    /// The column is NOT NULL without a default: a new feature must give it.
    pub required: bool,
}

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
    /// The date when a feature came into being; features after an `as_of` date are left
    /// out. `None` for layers that are not dated (boundaries).
    pub done_column: Option<&'static str>,
    /// Attribute groups, in display order (the works share a core group).
    pub field_groups: &'static [&'static [Field]],
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
}

/// The attributes every work shares (roads, flower routes, lighting lines, model sites).
pub const WORK_FIELDS: &[Field] = &[
    field("name", FieldType::Text, "Tên", "Name"),
    field("status", FieldType::Enum(vocab::WORK_STATUSES), "Tình trạng", "Status"),
    field("done_on", FieldType::Date, "Ngày hoàn thành", "Completed on"),
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

const fn work(
    id: &'static str,
    table: &'static str,
    title_vi: &'static str,
    title_en: &'static str,
    geometry: GeometryKind,
    field_groups: &'static [&'static [Field]],
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
        done_column: Some("done_on"),
        field_groups,
    }
}

/// The catalogue, in drawing order (boundaries first).
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
        done_column: None,
        field_groups: &[COMMUNE_FIELDS],
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
        done_column: None,
        field_groups: &[GROUP_FIELDS],
    },
    work("roads", "road", "Đường giao thông", "Roads", GeometryKind::Line, &[WORK_FIELDS, ROAD_FIELDS]),
    work(
        "flower_routes",
        "flower_route",
        "Đường hoa, cây xanh",
        "Flower routes",
        GeometryKind::Line,
        &[WORK_FIELDS, FLOWER_ROUTE_FIELDS],
    ),
    work(
        "lighting_lines",
        "lighting_line",
        "Tuyến chiếu sáng",
        "Lighting lines",
        GeometryKind::Line,
        &[WORK_FIELDS, LIGHTING_LINE_FIELDS],
    ),
    work(
        "model_sites",
        "model_site",
        "Mô hình \"Dân vận khéo\"",
        "\"Dân vận khéo\" model sites",
        GeometryKind::Point,
        &[WORK_FIELDS, MODEL_SITE_FIELDS],
    ),
];

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
