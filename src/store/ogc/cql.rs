//! A CQL2 expression as an SQL condition on row `t`: properties come from the layer
//! catalogue (an unknown one is refused with its position), every value is bound.

use super::QueryError;
use crate::layers::{FieldType, Layer};
use crate::ogc::cql2::{CompareOp, Expr, Geometry, Literal, Property, Value};
use crate::ogc::crs::Crs;
use crate::store::sql::{Arg, Sql, quote_ident};

/// The name of the geometry in filters and queryables.
pub const GEOMETRY: &str = "geometry";
/// The commune's code, a property of every feature.
pub const COMMUNE: &str = "commune";

/// What a property names.
enum Target {
    /// An attribute (or the commune) with its SQL expression and type.
    Value {
        sql: String,
        ty: FieldType,
    },
    Geometry,
}

fn error(position: usize, message: String) -> QueryError {
    QueryError { parameter: "filter", position: Some(position), message }
}

fn target(property: &Property, layer: &Layer, as_of: Option<&str>) -> Result<Target, QueryError> {
    if property.name == GEOMETRY {
        return Ok(Target::Geometry);
    }
    if property.name == COMMUNE {
        return Ok(Target::Value { sql: format!("t.{}", quote_ident(layer.commune_column)), ty: FieldType::Text });
    }
    match layer.field(&property.name) {
        Some(field) => Ok(Target::Value { sql: crate::store::features::value_expr(field, as_of), ty: field.ty }),
        None => {
            let mut names = vec![COMMUNE, GEOMETRY];
            names.extend(layer.fields().map(|f| f.name));
            Err(error(
                property.position,
                format!("`{}` is not a queryable of {}; use one of {}", property.name, layer.id, names.join(", ")),
            ))
        }
    }
}

/// The condition for `expr`, with its values bound into `sql`.
pub fn condition(
    expr: &Expr,
    layer: &Layer,
    as_of: Option<&str>,
    crs: &Crs,
    sql: &mut Sql,
) -> Result<String, QueryError> {
    let recurse = |e: &Expr, sql: &mut Sql| condition(e, layer, as_of, crs, sql);
    Ok(match expr {
        Expr::And(items) | Expr::Or(items) => {
            let joiner = if matches!(expr, Expr::And(_)) { " AND " } else { " OR " };
            let parts: Vec<String> = items.iter().map(|e| recurse(e, sql)).collect::<Result<_, _>>()?;
            format!("({})", parts.join(joiner))
        }
        Expr::Not(inner) => format!("(NOT {})", recurse(inner, sql)?),
        Expr::Bool(true) => "TRUE".into(),
        Expr::Bool(false) => "FALSE".into(),
        Expr::Compare { property, op, value } => {
            let (lhs, ty) = value_target(property, layer, as_of)?;
            let rhs = bind(property, ty, value, matches!(op, CompareOp::Eq | CompareOp::Ne), sql)?;
            format!("({lhs} {} {rhs})", op.sql())
        }
        Expr::Like { property, pattern, negated } => {
            let (lhs, ty) = value_target(property, layer, as_of)?;
            if !matches!(ty, FieldType::Text | FieldType::Enum(_)) {
                return Err(error(
                    property.position,
                    format!("LIKE compares text, and `{}` is a {}", property.name, ty.name()),
                ));
            }
            // `\` escapes the next character (CQL2, as PostgreSQL's LIKE): one left at the end
            // escapes nothing, which PostgreSQL refuses (22025) after the query is sent.
            let trailing = pattern.chars().rev().take_while(|c| *c == '\\').count();
            if trailing % 2 == 1 {
                return Err(error(
                    property.position,
                    "a LIKE pattern cannot end with the escape character `\\`: write `\\\\` for a backslash".into(),
                ));
            }
            let p = sql.arg(Arg::Text(pattern.clone()));
            format!("({lhs} {}LIKE {p})", if *negated { "NOT " } else { "" })
        }
        Expr::Between { property, low, high, negated } => {
            let (lhs, ty) = value_target(property, layer, as_of)?;
            let low = bind(property, ty, low, false, sql)?;
            let high = bind(property, ty, high, false, sql)?;
            format!("({lhs} {}BETWEEN {low} AND {high})", if *negated { "NOT " } else { "" })
        }
        Expr::In { property, values, negated } => {
            let (lhs, ty) = value_target(property, layer, as_of)?;
            let values: Vec<String> =
                values.iter().map(|v| bind(property, ty, v, true, sql)).collect::<Result<_, _>>()?;
            format!("({lhs} {}IN ({}))", if *negated { "NOT " } else { "" }, values.join(", "))
        }
        Expr::IsNull { property, negated } => {
            let lhs = match target(property, layer, as_of)? {
                Target::Value { sql, .. } => sql,
                Target::Geometry => "t.geom".into(),
            };
            format!("({lhs} IS {}NULL)", if *negated { "NOT " } else { "" })
        }
        Expr::Intersects { property, geometry } => {
            if !matches!(target(property, layer, as_of)?, Target::Geometry) {
                return Err(error(
                    property.position,
                    format!(
                        "S_INTERSECTS needs the geometry: write S_INTERSECTS({GEOMETRY}, ...), not `{}`",
                        property.name
                    ),
                ));
            }
            let literal = match geometry {
                Geometry::Bbox([a, b, c, d]) => {
                    let [a, b, c, d] = [a, b, c, d].map(|v| sql.arg(Arg::Float(*v)));
                    format!("ST_MakeEnvelope({a}, {b}, {c}, {d}, {})", crs.srid())
                }
                Geometry::Wkt(wkt) => format!("ST_GeomFromText({}, {})", sql.arg(Arg::Text(wkt.clone())), crs.srid()),
            };
            // ST_MakeValid: a self-crossing polygon from a client must not make GEOS fail;
            // the sub-select is computed once and leaves the GiST index usable.
            format!("ST_Intersects(t.geom, (SELECT ST_MakeValid({})))", super::to_storage(&literal, crs))
        }
    })
}

fn value_target(property: &Property, layer: &Layer, as_of: Option<&str>) -> Result<(String, FieldType), QueryError> {
    match target(property, layer, as_of)? {
        Target::Value { sql, ty } => Ok((sql, ty)),
        Target::Geometry => Err(error(property.position, format!("`{GEOMETRY}` is compared with S_INTERSECTS only"))),
    }
}

/// Binds `literal` as a value of `ty`, or says why it does not fit. With `vocabulary`
/// (equality, IN), a value of a controlled vocabulary must be one of its terms.
fn bind(
    property: &Property,
    ty: FieldType,
    literal: &Literal,
    vocabulary: bool,
    sql: &mut Sql,
) -> Result<String, QueryError> {
    let wrong = |wanted: &str| {
        error(literal.position, format!("`{}` is a {}: compare it with {wanted}", property.name, ty.name()))
    };
    match (ty, &literal.value) {
        (FieldType::Text, Value::Text(v)) => Ok(sql.arg(Arg::Text(v.clone()))),
        (FieldType::Enum(terms), Value::Text(v)) => {
            if vocabulary && !terms.iter().any(|t| t.value == v) {
                let allowed: Vec<&str> = terms.iter().map(|t| t.value).collect();
                return Err(error(
                    literal.position,
                    format!("'{v}' is not a value of `{}`; use one of {}", property.name, allowed.join(", ")),
                ));
            }
            Ok(sql.arg(Arg::Text(v.clone())))
        }
        (FieldType::Text | FieldType::Enum(_), _) => Err(wrong("a 'string'")),
        (FieldType::Integer | FieldType::Number, Value::Number(n)) => {
            Ok(format!("{}::numeric", sql.arg(Arg::Text(n.clone()))))
        }
        (FieldType::Integer | FieldType::Number, _) => Err(wrong("a number")),
        (FieldType::Date, Value::Date(d)) => Ok(sql.arg(Arg::Date(*d))),
        (FieldType::Date, Value::Text(v)) => crate::store::features::parse_date(v)
            .map(|d| sql.arg(Arg::Date(d)))
            .map_err(|_| wrong("DATE('YYYY-MM-DD')")),
        (FieldType::Date, _) => Err(wrong("DATE('YYYY-MM-DD')")),
    }
}
