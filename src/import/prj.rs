//! A Shapefile's .prj (OGC/ESRI WKT 1, sometimes WKT 2) to an EPSG code.
//!
//! Only the coordinate systems kheo accepts need recognising: WGS 84 and its UTM zones
//! 48N/49N, and VN-2000 geographic, UTM and TM-3 (docs/DOMAIN.md). ESRI software writes no
//! AUTHORITY, so the projection is matched on its datum and Transverse Mercator parameters.
//! No crate in the dependency tree parses CRS WKT (`wkt` is for geometries, PROJ is C), so
//! the small bracket parser below is hand-written.

use super::ReadError;

/// A WKT node: `KEYWORD[arg, arg, ...]`, where an argument is a quoted string, a bare
/// token (number or enum) or a node.
#[derive(Debug)]
enum Arg {
    Text(String),
    Token(String),
    Node(Node),
}

#[derive(Debug)]
struct Node {
    keyword: String,
    args: Vec<Arg>,
}

impl Node {
    fn name(&self) -> Option<&str> {
        self.args.iter().find_map(|a| match a {
            Arg::Text(s) => Some(s.as_str()),
            _ => None,
        })
    }

    fn children(&self) -> impl Iterator<Item = &Node> {
        self.args.iter().filter_map(|a| match a {
            Arg::Node(n) => Some(n),
            _ => None,
        })
    }

    fn child(&self, keyword: &str) -> Option<&Node> {
        self.children().find(|n| n.keyword.eq_ignore_ascii_case(keyword))
    }

    /// The first node with this keyword, depth first.
    fn find(&self, keyword: &str) -> Option<&Node> {
        if self.keyword.eq_ignore_ascii_case(keyword) {
            return Some(self);
        }
        self.children().find_map(|c| c.find(keyword))
    }

    /// `AUTHORITY["EPSG","N"]` (WKT 1) or `ID["EPSG",N]` (WKT 2) directly under this node.
    fn epsg(&self) -> Option<u32> {
        let id = self.child("AUTHORITY").or_else(|| self.child("ID"))?;
        let mut values = id.args.iter().map(|a| match a {
            Arg::Text(s) | Arg::Token(s) => Some(s.trim().to_string()),
            Arg::Node(_) => None,
        });
        let authority = values.next()??;
        let code = values.next()??;
        authority.eq_ignore_ascii_case("EPSG").then(|| code.parse().ok())?
    }

    /// A `PARAMETER["name", value]` under this node, the name compared loosely.
    fn parameter(&self, wanted: &str) -> Option<f64> {
        self.children()
            .filter(|n| n.keyword.eq_ignore_ascii_case("PARAMETER"))
            .find(|n| n.name().is_some_and(|name| loose(name) == wanted))
            .and_then(|n| {
                n.args.iter().find_map(|a| match a {
                    Arg::Token(t) => t.parse::<f64>().ok(),
                    _ => None,
                })
            })
    }
}

fn loose(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.at < self.text.len() && self.text[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn node(&mut self, depth: usize) -> Option<Node> {
        if depth > 32 {
            return None;
        }
        self.skip_space();
        let start = self.at;
        while self.at < self.text.len() && (self.text[self.at].is_ascii_alphanumeric() || self.text[self.at] == b'_') {
            self.at += 1;
        }
        let keyword = String::from_utf8_lossy(&self.text[start..self.at]).into_owned();
        self.skip_space();
        if keyword.is_empty() || !matches!(self.text.get(self.at), Some(b'[' | b'(')) {
            return None;
        }
        self.at += 1;
        let mut args = Vec::new();
        loop {
            self.skip_space();
            match self.text.get(self.at)? {
                b']' | b')' => {
                    self.at += 1;
                    return Some(Node { keyword, args });
                }
                b',' => self.at += 1,
                b'"' => {
                    let start = self.at + 1;
                    let len = self.text[start..].iter().position(|&b| b == b'"')?;
                    args.push(Arg::Text(String::from_utf8_lossy(&self.text[start..start + len]).into_owned()));
                    self.at = start + len + 1;
                }
                _ => {
                    let start = self.at;
                    while self.at < self.text.len() && !matches!(self.text[self.at], b',' | b']' | b')' | b'[' | b'(') {
                        self.at += 1;
                    }
                    if matches!(self.text.get(self.at), Some(b'[' | b'(')) {
                        self.at = start;
                        args.push(Arg::Node(self.node(depth + 1)?));
                    } else {
                        let token = String::from_utf8_lossy(&self.text[start..self.at]).trim().to_string();
                        args.push(Arg::Token(token));
                    }
                }
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Datum {
    Wgs84,
    Vn2000,
    Other,
}

fn datum_of(node: &Node) -> Datum {
    let names: Vec<String> = [node.find("DATUM"), node.find("GEOGCS"), node.find("GEOGCRS"), Some(node)]
        .into_iter()
        .flatten()
        .filter_map(|n| n.name().map(loose))
        .collect();
    let any = |needles: &[&str]| names.iter().any(|n| needles.iter().any(|x| n.contains(x)));
    if any(&["vn_2000", "vn2000", "vietnam_2000"]) {
        Datum::Vn2000
    } else if any(&["wgs_1984", "wgs_84", "wgs84"]) {
        Datum::Wgs84
    } else {
        Datum::Other
    }
}

/// VN-2000 TM-3 zones (k = 0.9999), central meridian in decimal degrees -> EPSG,
/// checked against PROJ's proj.db (`projected_crs` joined to `conversion_table`).
const VN2000_TM3: &[(f64, u32)] = &[
    (102.0, 5896),
    (103.0, 9205),
    (104.0, 9206),
    (104.5, 9207),
    (104.75, 9208),
    (105.0, 5897),
    (105.5, 9209),
    (105.75, 9210),
    (106.0, 9211),
    (106.25, 9212),
    (106.5, 9213),
    (107.0, 9214),
    (107.25, 9215),
    (107.5, 9216),
    (107.75, 5899),
    (108.0, 5898),
    (108.25, 9217),
    (108.5, 9218),
];

/// The EPSG code of a .prj. `place` names the file in errors.
pub(crate) fn epsg_from_prj(wkt: &str, place: &str) -> Result<u32, ReadError> {
    let wkt = wkt.trim_start_matches('\u{feff}').trim();
    let unknown = |name: &str| ReadError::UnknownCrs { name: name.to_string(), place: place.to_string() };
    let root = Parser { text: wkt.as_bytes(), at: 0 }
        .node(0)
        .ok_or_else(|| unknown(&wkt.chars().take(80).collect::<String>()))?;
    if let Some(code) = root.epsg() {
        return Ok(code);
    }
    let name = root.name().unwrap_or("").to_string();
    let datum = datum_of(&root);
    let keyword = root.keyword.to_ascii_uppercase();
    if matches!(keyword.as_str(), "GEOGCS" | "GEOGCRS" | "GEODCRS") {
        return match datum {
            Datum::Wgs84 => Ok(4326),
            Datum::Vn2000 => Ok(4756),
            Datum::Other => Err(unknown(&name)),
        };
    }
    if !matches!(keyword.as_str(), "PROJCS" | "PROJCRS") {
        return Err(unknown(&name));
    }
    let method =
        root.find("PROJECTION").or_else(|| root.find("METHOD")).and_then(Node::name).map(loose).unwrap_or_default();
    // WKT 2 puts the parameters under CONVERSION; WKT 1 directly under PROJCS.
    let params = root.find("CONVERSION").unwrap_or(&root);
    let param = |names: &[&str]| names.iter().find_map(|n| params.parameter(n));
    let cm = param(&["central_meridian", "longitude_of_natural_origin"]);
    let k = param(&["scale_factor", "scale_factor_at_natural_origin"]);
    let fe = param(&["false_easting"]).unwrap_or(500000.0);
    let fn_ = param(&["false_northing"]).unwrap_or(0.0);
    let lat0 = param(&["latitude_of_origin", "latitude_of_natural_origin"]).unwrap_or(0.0);
    let (Some(cm), Some(k)) = (cm, k) else {
        return Err(unknown(&name));
    };
    let near = |a: f64, b: f64, eps: f64| (a - b).abs() < eps;
    let standard = method.contains("transverse_mercator")
        && near(fe, 500000.0, 1e-3)
        && near(fn_, 0.0, 1e-3)
        && near(lat0, 0.0, 1e-9);
    if !standard {
        return Err(unknown(&name));
    }
    let found = match (datum, k) {
        (Datum::Vn2000, k) if near(k, 0.9996, 1e-9) => {
            [(105.0, 3405), (111.0, 3406)].iter().find(|(m, _)| near(cm, *m, 1e-7)).map(|(_, c)| *c)
        }
        (Datum::Wgs84, k) if near(k, 0.9996, 1e-9) => {
            [(105.0, 32648), (111.0, 32649)].iter().find(|(m, _)| near(cm, *m, 1e-7)).map(|(_, c)| *c)
        }
        (Datum::Vn2000, k) if near(k, 0.9999, 1e-9) => {
            VN2000_TM3.iter().find(|(m, _)| near(cm, *m, 1e-7)).map(|(_, c)| *c)
        }
        _ => None,
    };
    found.ok_or_else(|| unknown(&name))
}

#[cfg(test)]
mod tests {
    use super::epsg_from_prj;

    fn vn2000_tm(cm: f64, k: f64) -> String {
        format!(
            r#"PROJCS["VN_2000_TM3",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",{cm}],PARAMETER["Scale_Factor",{k}],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#
        )
    }

    #[test]
    fn vn2000_zones_by_parameters() {
        let cases = [
            (105.0, 0.9996, 3405),
            (111.0, 0.9996, 3406),
            (103.0, 0.9999, 9205),
            (104.0, 0.9999, 9206),
            (104.5, 0.9999, 9207),
            (104.75, 0.9999, 9208),
            (105.5, 0.9999, 9209),
            (105.75, 0.9999, 9210),
            (106.0, 0.9999, 9211),
            (106.25, 0.9999, 9212),
            (106.5, 0.9999, 9213),
            (107.0, 0.9999, 9214),
            (107.25, 0.9999, 9215),
            (107.5, 0.9999, 9216),
            (108.25, 0.9999, 9217),
            (108.5, 0.9999, 9218),
            (107.75, 0.9999, 5899),
            (102.0, 0.9999, 5896),
            (105.0, 0.9999, 5897),
            (108.0, 0.9999, 5898),
        ];
        for (cm, k, code) in cases {
            assert_eq!(epsg_from_prj(&vn2000_tm(cm, k), "t.prj").unwrap(), code, "cm {cm} k {k}");
        }
        let err = epsg_from_prj(&vn2000_tm(104.1, 0.9999), "t.prj").unwrap_err();
        assert_eq!(err.code(), "unknown_crs");
        assert!(err.to_string().contains("VN_2000_TM3"), "{err}");
    }

    #[test]
    fn geographic_utm_and_authority() {
        let wgs = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert_eq!(epsg_from_prj(wgs, "t.prj").unwrap(), 4326);
        let vn = r#"GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]"#;
        assert_eq!(epsg_from_prj(vn, "t.prj").unwrap(), 4756);
        let utm = r#"PROJCS["WGS_1984_UTM_Zone_48N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        assert_eq!(epsg_from_prj(utm, "t.prj").unwrap(), 32648);
        assert_eq!(epsg_from_prj(&utm.replace("105.0", "111.0"), "t.prj").unwrap(), 32649);
        let with_authority = r#"PROJCS["VN-2000 / UTM zone 48N",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6756"]],AUTHORITY["EPSG","4756"]],PROJECTION["Transverse_Mercator"],PARAMETER["central_meridian",105],PARAMETER["scale_factor",0.9996],UNIT["metre",1],AUTHORITY["EPSG","3405"]]"#;
        assert_eq!(epsg_from_prj(with_authority, "t.prj").unwrap(), 3405);
        let other = r#"PROJCS["Indian_1960_UTM_Zone_48N",GEOGCS["GCS_Indian_1960",DATUM["D_Indian_1960",SPHEROID["Everest_Adjustment_1937",6377276.345,300.8017]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",0.9996],UNIT["Meter",1.0]]"#;
        let err = epsg_from_prj(other, "roads.prj").unwrap_err();
        assert_eq!(err.code(), "unknown_crs");
        assert!(err.to_string().contains("Indian_1960_UTM_Zone_48N"), "{err}");
        assert_eq!(epsg_from_prj("garbage", "t.prj").unwrap_err().code(), "unknown_crs");
    }
}
