//! Controlled vocabularies: the values stored in the database and their Vietnamese and
//! English labels. Values are stable identifiers (ASCII, snake_case); labels are for people.

use serde::Serialize;

/// One allowed value of a vocabulary field, with its labels.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Term {
    pub value: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
}

const fn term(value: &'static str, vi: &'static str, en: &'static str) -> Term {
    Term { value, vi, en }
}

/// Kinds of commune-level units (since 1 July 2025).
pub const COMMUNE_KINDS: &[Term] =
    &[term("xa", "Xã", "Commune"), term("phuong", "Phường", "Ward"), term("dac_khu", "Đặc khu", "Special zone")];

/// The kind of a commune from its name's first word, as official lists write them:
/// "Xã Quỳnh Lưu", "Phường Quỳnh Mai", "Đặc khu Côn Đảo" (any case).
///
/// ```
/// use kheo::model::vocab::commune_kind_of_name;
/// assert_eq!(commune_kind_of_name("Phường Quỳnh Mai"), Some("phuong"));
/// assert_eq!(commune_kind_of_name("XÃ QUỲNH LƯU"), Some("xa"));
/// assert_eq!(commune_kind_of_name("Quỳnh Xuân"), None);
/// ```
pub fn commune_kind_of_name(name: &str) -> Option<&'static str> {
    let lower = name.trim().to_lowercase();
    COMMUNE_KINDS.iter().find(|t| lower.starts_with(&format!("{} ", t.vi.to_lowercase()))).map(|t| t.value)
}

/// Kinds of residential groups below the commune.
pub const GROUP_KINDS: &[Term] = &[
    term("to_dan_pho", "Tổ dân phố", "Residential group"),
    term("thon", "Thôn", "Hamlet"),
    term("khoi", "Khối", "Block"),
    term("xom", "Xóm", "Hamlet (xóm)"),
    term("ban", "Bản", "Village (bản)"),
    term("ap", "Ấp", "Hamlet (ấp)"),
    term("khu_pho", "Khu phố", "Quarter"),
    term("khu_dan_cu", "Khu dân cư", "Residential area"),
];

/// Life-cycle status shared by every work.
pub const WORK_STATUSES: &[Term] = &[
    term("existing", "Đã hoàn thành", "Completed"),
    term("under_construction", "Đang thi công", "Under construction"),
    term("planned", "Kế hoạch", "Planned"),
];

/// Road classes. National and provincial roads are shown but are not the commune's to
/// build, so coverage leaves them out by default.
pub const ROAD_CLASSES: &[Term] = &[
    term("national", "Quốc lộ", "National road"),
    term("provincial", "Tỉnh lộ", "Provincial road"),
    term("commune", "Đường xã, đường phố", "Commune road / street"),
    term("hamlet_axis", "Đường trục thôn, tổ dân phố", "Hamlet axis road"),
    term("inter_hamlet", "Đường liên thôn", "Inter-hamlet road"),
    term("alley", "Đường ngõ xóm, nội khối", "Alley / lane"),
    term("field", "Đường trục chính nội đồng", "Main field road"),
];

/// Road surfaces. "Concreted" means `concrete`; "hardened" (cứng hóa) means concrete,
/// asphalt or paving.
pub const ROAD_SURFACES: &[Term] = &[
    term("concrete", "Bê tông", "Concrete"),
    term("asphalt", "Nhựa (asphalt)", "Asphalt"),
    term("paving", "Gạch, đá lát", "Brick / stone paving"),
    term("gravel", "Cấp phối", "Gravel"),
    term("earth", "Đất", "Earth"),
];

/// The only status at which a work exists for coverage and for the map at a date: the
/// others are not built yet.
pub const EXISTING: &str = "existing";

/// The surface that counts as concreted (bê tông hóa).
pub const CONCRETE: &str = "concrete";

/// The surfaces that count as hardened (cứng hóa): concrete, asphalt or paving.
pub const HARDENED_SURFACES: &[&str] = &["concrete", "asphalt", "paving"];

/// Kinds of drains (rãnh thoát nước) along roads.
pub const DRAIN_KINDS: &[Term] =
    &[term("open", "Rãnh hở", "Open drain"), term("covered", "Rãnh có nắp đậy", "Covered drain")];

/// Where a lighting line takes its power from.
pub const LAMP_POWER: &[Term] = &[term("grid", "Điện lưới", "Grid"), term("solar", "Năng lượng mặt trời", "Solar")];

/// Fields (lĩnh vực) of "Dân vận khéo" model sites.
pub const SITE_FIELDS: &[Term] = &[
    term("economy", "Kinh tế", "Economy"),
    term("culture_society", "Văn hóa - xã hội", "Culture and society"),
    term("defence_security", "Quốc phòng - an ninh", "Defence and security"),
    term("political_system", "Xây dựng hệ thống chính trị", "Building the political system"),
];

/// Recognition levels of model sites, lowest first.
pub const RECOGNITIONS: &[Term] = &[
    term("registered", "Đăng ký", "Registered"),
    term("commune", "Khen cấp xã, phường", "Commended by the commune"),
    term("district", "Khen cấp huyện, thị, thành phố", "Commended by the district / city"),
    term("province", "Khen cấp tỉnh", "Commended by the province"),
];

/// Whether `value` is one of `terms`.
///
/// ```
/// use kheo::model::vocab::{is_allowed, ROAD_SURFACES};
/// assert!(is_allowed(ROAD_SURFACES, "concrete"));
/// assert!(!is_allowed(ROAD_SURFACES, "Bê tông"));
/// ```
pub fn is_allowed(terms: &[Term], value: &str) -> bool {
    terms.iter().any(|t| t.value == value)
}
