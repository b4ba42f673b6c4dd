//! CQL2 filters (OGC API - Features Part 3): the expression tree and its text encoding.
//!
//! Written by hand rather than with the `cql2` crate (0.6): that crate would add some 80
//! crates to the build (sqlparser, geo, jsonschema, rayon, a second geozero), and it turns
//! on serde_json's `preserve_order` for the whole binary, which would change the key order
//! of every JSON answer kheo gives. kheo needs Basic CQL2, LIKE/BETWEEN/IN and
//! S_INTERSECTS, a small grammar; what it must get right is telling the client where a
//! filter fails, which [`ParseError`] does with a character position. The SQL is made from
//! the tree in `crate::store::ogc`, where every value is bound.

mod text;

pub use text::parse_text;

use chrono::NaiveDate;

/// A boolean expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Bool(bool),
    /// `property <op> literal`
    Compare {
        property: Property,
        op: CompareOp,
        value: Literal,
    },
    /// `property [NOT] LIKE 'pattern'` (`%` any characters, `_` one).
    Like {
        property: Property,
        pattern: String,
        negated: bool,
    },
    /// `property [NOT] BETWEEN low AND high`
    Between {
        property: Property,
        low: Literal,
        high: Literal,
        negated: bool,
    },
    /// `property [NOT] IN (literal, ...)`
    In {
        property: Property,
        values: Vec<Literal>,
        negated: bool,
    },
    /// `property IS [NOT] NULL`
    IsNull {
        property: Property,
        negated: bool,
    },
    /// `S_INTERSECTS(property, geometry)`, either way round.
    Intersects {
        property: Property,
        geometry: Geometry,
    },
}

/// A property name and where it stands in the filter (a character position from 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub name: String,
    pub position: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub fn sql(&self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "<>",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// A literal value, with where it stands in the filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub value: Value,
    pub position: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    /// A number as written (checked to be one), bound as `numeric` so that it compares
    /// exactly.
    Number(String),
    Bool(bool),
    /// `DATE('2020-01-31')`, or a `TIMESTAMP(...)` taken as its day in Vietnam.
    Date(NaiveDate),
}

/// A geometry literal in the filter's CRS, written back as canonical WKT.
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    /// `BBOX(x1, y1, x2, y2)` in the axis order of the filter's CRS.
    Bbox([f64; 4]),
    /// POINT, LINESTRING, POLYGON or their MULTI forms.
    Wkt(String),
}

/// Where and why a filter could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} at character {position}")]
pub struct ParseError {
    /// Character position from 1 (the end of the filter when it ended too soon).
    pub position: usize,
    pub message: String,
}

impl Geometry {
    /// `[min x, min y, max x, max y]` of the literal, in its CRS's axis order.
    pub fn bounds(&self) -> [f64; 4] {
        match self {
            Geometry::Bbox(b) => *b,
            Geometry::Wkt(wkt) => {
                // The parser wrote the WKT: numbers separated by spaces, commas and parentheses.
                let numbers: Vec<f64> = wkt.split([' ', ',', '(', ')']).filter_map(|t| t.parse::<f64>().ok()).collect();
                let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
                for pair in numbers.chunks_exact(2) {
                    b = [b[0].min(pair[0]), b[1].min(pair[1]), b[2].max(pair[0]), b[3].max(pair[1])];
                }
                b
            }
        }
    }
}

impl Expr {
    /// Every geometry literal of the expression, with where its S_INTERSECTS stands.
    pub fn geometries(&self) -> Vec<(&Geometry, usize)> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Intersects { property, geometry } = e {
                out.push((geometry, property.position));
            }
        });
        out
    }

    fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Expr)) {
        visit(self);
        match self {
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| e.walk(visit)),
            Expr::Not(inner) => inner.walk(visit),
            _ => {}
        }
    }

    /// Every property the expression names, for checking them against the catalogue.
    pub fn properties(&self) -> Vec<&Property> {
        let mut out = Vec::new();
        self.collect_properties(&mut out);
        out
    }

    fn collect_properties<'a>(&'a self, out: &mut Vec<&'a Property>) {
        match self {
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| e.collect_properties(out)),
            Expr::Not(inner) => inner.collect_properties(out),
            Expr::Bool(_) => {}
            Expr::Compare { property, .. }
            | Expr::Like { property, .. }
            | Expr::Between { property, .. }
            | Expr::In { property, .. }
            | Expr::IsNull { property, .. }
            | Expr::Intersects { property, .. } => out.push(property),
        }
    }
}
