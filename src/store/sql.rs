//! A tiny builder for SQL text with numbered bind parameters.

use chrono::NaiveDate;
use sqlx::Arguments;
use sqlx::postgres::PgArguments;

/// `name` as a quoted SQL identifier (`"road"`, `"say ""hi"""`): what SQL text written
/// with `format!` puts where a catalogue table or column goes. The catalogue's names are
/// plain lower-case words (tested in `crate::layers`), so quoting changes nothing for them
/// today; it keeps any other name from ever being read as SQL. Values are never
/// formatted in: they are bound.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A value to bind.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Int(i64),
    Float(f64),
    Date(NaiveDate),
}

/// SQL text being built, with the values bound to its `$n` placeholders.
#[derive(Debug, Default)]
pub struct Sql {
    pub text: String,
    args: Vec<Arg>,
}

impl Sql {
    /// Adds a value and returns its placeholder (`$1`, `$2`, ...).
    pub fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// The text with the values written in as literals, for psql: a tool's output, never
    /// what kheo runs (it binds them).
    pub fn inline(&self) -> String {
        let mut text = self.text.clone();
        // The highest numbers first, so that `$1` does not eat the start of `$10`.
        for (i, arg) in self.args.iter().enumerate().rev() {
            let literal = match arg {
                Arg::Text(v) => format!("'{}'", v.replace('\'', "''")),
                Arg::Int(v) => v.to_string(),
                Arg::Float(v) => format!("{v:?}::float8"),
                Arg::Date(v) => format!("DATE '{v}'"),
            };
            text = text.replace(&format!("${}", i + 1), &literal);
        }
        text
    }

    /// The bound values, ready for `sqlx::query_with` and friends.
    pub fn arguments(&self) -> PgArguments {
        let mut out = PgArguments::default();
        for arg in &self.args {
            // Encoding these plain types cannot fail; a failure would be a bug in sqlx.
            let added = match arg {
                Arg::Text(v) => out.add(v.clone()),
                Arg::Int(v) => out.add(*v),
                Arg::Float(v) => out.add(*v),
                Arg::Date(v) => out.add(*v),
            };
            #[allow(clippy::expect_used)]
            added.expect("encoding a plain SQL argument");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::quote_ident;

    #[test]
    fn an_identifier_is_quoted_and_its_double_quotes_doubled() {
        assert_eq!(quote_ident("road"), r#""road""#);
        assert_eq!(quote_ident(r#"say "hi""#), r#""say ""hi""""#);
        assert_eq!(quote_ident(r#"x"; DROP TABLE road; --"#), r#""x""; DROP TABLE road; --""#);
        assert_eq!(quote_ident(""), r#""""#);
    }
}
