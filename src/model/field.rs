//! The attributes of the catalogue's layers, as types: what a value of each is, and how a
//! value changes with the as-of date. The rows themselves are in `crate::layers`.

use super::vocab::Term;

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
