//! The CQL2 text encoding, by recursive descent over a small tokenizer.

use super::{CompareOp, Expr, Geometry, Literal, ParseError, Property, Value};

/// The longest filter read, in bytes: a filter travels in a URL.
pub const MAX_FILTER_BYTES: usize = 16 * 1024;
/// Deepest nesting of parentheses and NOTs (the parser recurses on them).
const MAX_DEPTH: usize = 64;
/// Most literals in one filter (each becomes a bound SQL parameter).
const MAX_LITERALS: usize = 1000;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A name: a property, or a keyword when it is one (compared case-insensitively).
    Word(String),
    /// A `"double quoted"` property name.
    Quoted(String),
    Text(String),
    Number(String),
    Symbol(&'static str),
}

#[derive(Debug, Clone)]
struct Spanned {
    token: Token,
    /// Character position from 1.
    position: usize,
}

/// Parses a CQL2 text filter.
///
/// ```
/// use kheo::ogc::cql2::{parse_text, Expr};
/// let expr = parse_text("surface = 'concrete' AND NOT (width_m < 3.5 OR name IS NULL)").unwrap();
/// assert!(matches!(expr, Expr::And(_)));
/// let error = parse_text("surface = ").unwrap_err();
/// assert_eq!(error.position, 11);
/// let error = parse_text("surface == 'x'").unwrap_err();
/// assert_eq!(error.position, 10);
/// ```
pub fn parse_text(filter: &str) -> Result<Expr, ParseError> {
    if filter.len() > MAX_FILTER_BYTES {
        return Err(ParseError { position: 1, message: format!("the filter is longer than {MAX_FILTER_BYTES} bytes") });
    }
    let tokens = tokenize(filter)?;
    let end = filter.chars().count() + 1;
    let mut parser = Parser { tokens, next: 0, end, depth: 0, literals: 0 };
    let expr = parser.or_expr()?;
    if let Some(extra) = parser.peek() {
        return Err(ParseError {
            position: extra.position,
            message: format!("unexpected {} after a complete expression", describe(&extra.token)),
        });
    }
    Ok(expr)
}

fn describe(token: &Token) -> String {
    match token {
        Token::Word(w) => format!("`{w}`"),
        Token::Quoted(w) => format!("`\"{w}\"`"),
        Token::Text(t) => format!("the string '{t}'"),
        Token::Number(n) => format!("the number {n}"),
        Token::Symbol(s) => format!("`{s}`"),
    }
}

fn tokenize(filter: &str) -> Result<Vec<Spanned>, ParseError> {
    let chars: Vec<char> = filter.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let position = i + 1;
        let error = |message: String| ParseError { position, message };
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let token = if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '.' | ':')) {
                i += 1;
            }
            Token::Word(chars[start..i].iter().collect())
        } else if c == '"' || c == '\'' {
            let mut text = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        return Err(error(format!(
                            "the {} is not closed",
                            if c == '"' { "quoted name" } else { "string" }
                        )));
                    }
                    Some(&q) if q == c && chars.get(i + 1) == Some(&c) => {
                        text.push(c);
                        i += 2;
                    }
                    Some(&q) if q == c => {
                        i += 1;
                        break;
                    }
                    Some(&other) => {
                        text.push(other);
                        i += 1;
                    }
                }
            }
            if c == '"' { Token::Quoted(text) } else { Token::Text(text) }
        } else if c.is_ascii_digit()
            || ((c == '-' || c == '+' || c == '.') && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit() || *n == '.'))
        {
            let start = i;
            i += 1;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || chars[i] == '.'
                    || matches!(chars[i], 'e' | 'E')
                    || (matches!(chars[i], '+' | '-') && matches!(chars[i - 1], 'e' | 'E')))
            {
                i += 1;
            }
            let number: String = chars[start..i].iter().collect();
            if !number.parse::<f64>().is_ok_and(f64::is_finite) {
                return Err(error(format!("`{number}` is not a number")));
            }
            Token::Number(number.trim_start_matches('+').to_string())
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let symbol = match two.as_str() {
                "<>" => Some("<>"),
                "<=" => Some("<="),
                ">=" => Some(">="),
                "!=" => Some("<>"),
                _ => None,
            };
            if let Some(symbol) = symbol {
                i += 2;
                Token::Symbol(symbol)
            } else {
                let symbol = match c {
                    '(' => "(",
                    ')' => ")",
                    ',' => ",",
                    '=' => "=",
                    '<' => "<",
                    '>' => ">",
                    other => return Err(error(format!("unexpected character `{other}`"))),
                };
                i += 1;
                Token::Symbol(symbol)
            }
        };
        tokens.push(Spanned { token, position });
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Spanned>,
    next: usize,
    /// The position just past the filter, for "ended too soon".
    end: usize,
    depth: usize,
    literals: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Spanned> {
        self.tokens.get(self.next)
    }

    fn position(&self) -> usize {
        self.peek().map_or(self.end, |t| t.position)
    }

    fn error<T>(&self, expected: &str) -> Result<T, ParseError> {
        let found = match self.peek() {
            Some(t) => describe(&t.token),
            None => "the end of the filter".to_string(),
        };
        Err(ParseError { position: self.position(), message: format!("expected {expected}, found {found}") })
    }

    /// Whether the next token is keyword `word` (any case); consumes it if so.
    fn keyword(&mut self, word: &str) -> bool {
        let found = matches!(self.peek(), Some(Spanned { token: Token::Word(w), .. }) if w.eq_ignore_ascii_case(word));
        if found {
            self.next += 1;
        }
        found
    }

    fn is_keyword_ahead(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Spanned { token: Token::Word(w), .. }) if w.eq_ignore_ascii_case(word))
    }

    fn symbol(&mut self, symbol: &str) -> bool {
        let found = matches!(self.peek(), Some(Spanned { token: Token::Symbol(s), .. }) if *s == symbol);
        if found {
            self.next += 1;
        }
        found
    }

    fn expect_symbol(&mut self, symbol: &str) -> Result<(), ParseError> {
        if self.symbol(symbol) { Ok(()) } else { self.error(&format!("`{symbol}`")) }
    }

    fn or_expr(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.and_expr()?];
        while self.keyword("OR") {
            items.push(self.and_expr()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Expr::Or(items) })
    }

    fn and_expr(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.not_expr()?];
        while self.keyword("AND") {
            items.push(self.not_expr()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Expr::And(items) })
    }

    fn not_expr(&mut self) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError {
                position: self.position(),
                message: format!("the filter nests deeper than {MAX_DEPTH} levels"),
            });
        }
        let expr = if self.keyword("NOT") { Expr::Not(Box::new(self.not_expr()?)) } else { self.primary()? };
        self.depth -= 1;
        Ok(expr)
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        if self.symbol("(") {
            let inner = self.or_expr()?;
            self.expect_symbol(")")?;
            return Ok(inner);
        }
        if self.keyword("TRUE") {
            return Ok(Expr::Bool(true));
        }
        if self.keyword("FALSE") {
            return Ok(Expr::Bool(false));
        }
        if self.keyword("S_INTERSECTS") {
            return self.intersects();
        }
        let property = self.property()?;
        self.predicate(property)
    }

    fn property(&mut self) -> Result<Property, ParseError> {
        let position = self.position();
        match self.peek().map(|t| t.token.clone()) {
            Some(Token::Quoted(name)) => {
                self.next += 1;
                Ok(Property { name, position })
            }
            Some(Token::Word(name)) if !is_reserved(&name) => {
                self.next += 1;
                Ok(Property { name, position })
            }
            _ => self.error("a property name, `(`, NOT or S_INTERSECTS"),
        }
    }

    fn predicate(&mut self, property: Property) -> Result<Expr, ParseError> {
        for (symbol, op) in [
            ("=", CompareOp::Eq),
            ("<>", CompareOp::Ne),
            ("<=", CompareOp::Le),
            (">=", CompareOp::Ge),
            ("<", CompareOp::Lt),
            (">", CompareOp::Gt),
        ] {
            if self.symbol(symbol) {
                let value = self.literal()?;
                return Ok(Expr::Compare { property, op, value });
            }
        }
        if self.keyword("IS") {
            let negated = self.keyword("NOT");
            if !self.keyword("NULL") {
                return self.error("NULL");
            }
            return Ok(Expr::IsNull { property, negated });
        }
        let negated = self.keyword("NOT");
        if self.keyword("LIKE") {
            let position = self.position();
            let pattern = match self.literal()? {
                Literal { value: Value::Text(pattern), .. } => pattern,
                _ => {
                    return Err(ParseError { position, message: "LIKE needs a string pattern such as 'Ngõ%'".into() });
                }
            };
            return Ok(Expr::Like { property, pattern, negated });
        }
        if self.keyword("BETWEEN") {
            let low = self.literal()?;
            if !self.keyword("AND") {
                return self.error("AND (BETWEEN low AND high)");
            }
            let high = self.literal()?;
            return Ok(Expr::Between { property, low, high, negated });
        }
        if self.keyword("IN") {
            self.expect_symbol("(")?;
            let mut values = vec![self.literal()?];
            while self.symbol(",") {
                values.push(self.literal()?);
            }
            self.expect_symbol(")")?;
            return Ok(Expr::In { property, values, negated });
        }
        if negated {
            self.error("LIKE, BETWEEN or IN after NOT")
        } else {
            self.error("a comparison (=, <>, <, <=, >, >=), LIKE, BETWEEN, IN or IS NULL")
        }
    }

    fn literal(&mut self) -> Result<Literal, ParseError> {
        self.literals += 1;
        if self.literals > MAX_LITERALS {
            return Err(ParseError {
                position: self.position(),
                message: format!("the filter has more than {MAX_LITERALS} values"),
            });
        }
        let position = self.position();
        let value = match self.peek().map(|t| t.token.clone()) {
            Some(Token::Text(text)) => {
                self.next += 1;
                Value::Text(text)
            }
            Some(Token::Number(number)) => {
                self.next += 1;
                Value::Number(number)
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("TRUE") || w.eq_ignore_ascii_case("FALSE") => {
                self.next += 1;
                Value::Bool(w.eq_ignore_ascii_case("TRUE"))
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("DATE") || w.eq_ignore_ascii_case("TIMESTAMP") => {
                self.next += 1;
                self.expect_symbol("(")?;
                let inner = self.position();
                let Some(Spanned { token: Token::Text(text), .. }) = self.peek().cloned() else {
                    return self.error("a quoted date such as '2020-12-31'");
                };
                self.next += 1;
                self.expect_symbol(")")?;
                let date = if w.eq_ignore_ascii_case("DATE") {
                    crate::model::values::parse_date(&text)
                } else {
                    match crate::ogc::datetime::parse(&text) {
                        Ok(crate::ogc::datetime::Datetime::Instant(day)) if text.len() > 10 => Ok(day),
                        _ => Err("must be an RFC 3339 date-time such as 2020-12-31T00:00:00Z".to_string()),
                    }
                };
                Value::Date(date.map_err(|m| ParseError { position: inner, message: format!("'{text}' {m}") })?)
            }
            _ => return self.error("a value: a 'string', a number, TRUE, FALSE, DATE('...') or TIMESTAMP('...')"),
        };
        Ok(Literal { value, position })
    }

    /// `S_INTERSECTS(a, b)` where one side is a property and the other a geometry.
    fn intersects(&mut self) -> Result<Expr, ParseError> {
        self.expect_symbol("(")?;
        let (property, geometry) = if self.geometry_ahead() {
            let geometry = self.geometry()?;
            self.expect_symbol(",")?;
            (self.property()?, geometry)
        } else {
            let property = self.property()?;
            self.expect_symbol(",")?;
            (property, self.geometry()?)
        };
        self.expect_symbol(")")?;
        Ok(Expr::Intersects { property, geometry })
    }

    fn geometry_ahead(&self) -> bool {
        GEOMETRY_WORDS.iter().any(|w| self.is_keyword_ahead(w))
    }

    fn geometry(&mut self) -> Result<Geometry, ParseError> {
        if self.keyword("BBOX") {
            self.expect_symbol("(")?;
            let mut numbers = vec![self.number()?];
            while self.symbol(",") {
                numbers.push(self.number()?);
            }
            let position = self.position();
            self.expect_symbol(")")?;
            let [x1, y1, x2, y2]: [f64; 4] = numbers.try_into().map_err(|_| ParseError {
                position,
                message: "BBOX takes four numbers: min x, min y, max x, max y".into(),
            })?;
            if x1 > x2 || y1 > y2 {
                return Err(ParseError { position, message: "BBOX's minimum exceeds its maximum".into() });
            }
            return Ok(Geometry::Bbox([x1, y1, x2, y2]));
        }
        let position = self.position();
        let kind = match self.peek().map(|t| t.token.clone()) {
            Some(Token::Word(w)) => GEOMETRY_WORDS.iter().find(|k| w.eq_ignore_ascii_case(k)).copied(),
            _ => None,
        };
        let Some(kind) = kind else {
            return self.error(
                "a geometry: BBOX(...), POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING or MULTIPOLYGON",
            );
        };
        self.next += 1;
        let body = match kind {
            "POINT" => self.points(1, false)?,
            "LINESTRING" => self.points(2, false)?,
            "POLYGON" => self.polygon()?,
            "MULTIPOINT" => self.list(|p| p.multipoint_member())?,
            "MULTILINESTRING" => self.list(|p| p.points(2, false))?,
            "MULTIPOLYGON" => self.list(|p| p.polygon())?,
            _ => unreachable!("GEOMETRY_WORDS lists the kinds above"),
        };
        let _ = position;
        Ok(Geometry::Wkt(format!("{kind}{body}")))
    }

    fn number(&mut self) -> Result<f64, ParseError> {
        match self.peek().map(|t| t.token.clone()) {
            Some(Token::Number(n)) => {
                self.next += 1;
                // The tokenizer took only digits, a point and an exponent: this parses.
                n.parse().or_else(|_| self.error("a number"))
            }
            _ => self.error("a number"),
        }
    }

    /// `x y`, as WKT.
    fn coordinate(&mut self) -> Result<String, ParseError> {
        let x = self.number()?;
        let y = self.number()?;
        if matches!(self.peek(), Some(Spanned { token: Token::Number(_), .. })) {
            return self.error("`,` or `)`: coordinates are x y, without a third dimension");
        }
        Ok(format!("{x} {y}"))
    }

    /// `(x y, x y, ...)` with at least `min` points (or a closed ring when `ring`).
    fn points(&mut self, min: usize, ring: bool) -> Result<String, ParseError> {
        let position = self.position();
        self.expect_symbol("(")?;
        let mut points = vec![self.coordinate()?];
        while self.symbol(",") {
            points.push(self.coordinate()?);
        }
        self.expect_symbol(")")?;
        if points.len() < min {
            return Err(ParseError { position, message: format!("needs at least {min} points, has {}", points.len()) });
        }
        if ring && points.first() != points.last() {
            return Err(ParseError { position, message: "a polygon ring must end where it starts".into() });
        }
        Ok(format!("({})", points.join(",")))
    }

    fn polygon(&mut self) -> Result<String, ParseError> {
        self.list(|p| p.points(4, true))
    }

    /// A MULTIPOINT member: `(x y)` or a bare `x y`.
    fn multipoint_member(&mut self) -> Result<String, ParseError> {
        if matches!(self.peek(), Some(Spanned { token: Token::Symbol("("), .. })) {
            self.points(1, false)
        } else {
            Ok(format!("({})", self.coordinate()?))
        }
    }

    /// `(item, item, ...)`.
    fn list(&mut self, mut item: impl FnMut(&mut Parser) -> Result<String, ParseError>) -> Result<String, ParseError> {
        self.expect_symbol("(")?;
        let mut items = vec![item(self)?];
        while self.symbol(",") {
            items.push(item(self)?);
        }
        self.expect_symbol(")")?;
        Ok(format!("({})", items.join(",")))
    }
}

const GEOMETRY_WORDS: &[&str] =
    &["BBOX", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON"];

/// Words that cannot be a bare property name (quote it as `"name"` to use one).
fn is_reserved(word: &str) -> bool {
    const RESERVED: &[&str] = &[
        "AND",
        "OR",
        "NOT",
        "IS",
        "NULL",
        "LIKE",
        "BETWEEN",
        "IN",
        "TRUE",
        "FALSE",
        "DATE",
        "TIMESTAMP",
        "S_INTERSECTS",
    ];
    RESERVED.iter().chain(GEOMETRY_WORDS).any(|r| word.eq_ignore_ascii_case(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prop(name: &str, position: usize) -> Property {
        Property { name: name.into(), position }
    }

    #[test]
    fn comparisons_and_precedence() {
        // AND binds tighter than OR.
        let expr = parse_text("a = 1 OR b <> 'x' AND NOT c >= 2.5").unwrap();
        let Expr::Or(items) = expr else { panic!("expected OR") };
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[0],
            Expr::Compare {
                property: prop("a", 1),
                op: CompareOp::Eq,
                value: Literal { value: Value::Number("1".into()), position: 5 }
            }
        );
        let Expr::And(right) = &items[1] else { panic!("expected AND") };
        assert!(matches!(&right[1], Expr::Not(inner) if matches!(**inner, Expr::Compare { op: CompareOp::Ge, .. })));
    }

    #[test]
    fn strings_keep_doubled_quotes_and_unicode() {
        let expr = parse_text("name LIKE 'Ngõ ''7''%'").unwrap();
        assert_eq!(expr, Expr::Like { property: prop("name", 1), pattern: "Ngõ '7'%".into(), negated: false });
    }

    #[test]
    fn between_in_is_null_and_negations() {
        assert!(matches!(parse_text("year NOT BETWEEN 2019 AND 2021").unwrap(), Expr::Between { negated: true, .. }));
        let Expr::In { values, negated, .. } = parse_text("class IN ('alley', 'village')").unwrap() else {
            panic!("expected IN")
        };
        assert_eq!(values.len(), 2);
        assert!(!negated);
        assert!(matches!(parse_text("note IS NOT NULL").unwrap(), Expr::IsNull { negated: true, .. }));
        assert!(matches!(parse_text("\"class\" = 'alley'").unwrap(), Expr::Compare { .. }));
    }

    #[test]
    fn dates() {
        let Expr::Compare { value, .. } = parse_text("done_on >= DATE('2020-01-31')").unwrap() else { panic!() };
        assert_eq!(value.value, Value::Date(chrono::NaiveDate::from_ymd_opt(2020, 1, 31).unwrap()));
        let error = parse_text("done_on >= DATE('2020-02-30')").unwrap_err();
        assert_eq!(error.position, 17, "{error}");
    }

    #[test]
    fn spatial_literals() {
        let Expr::Intersects { property, geometry } =
            parse_text("S_INTERSECTS(geometry, BBOX(105.6,19.2,105.7,19.3))").unwrap()
        else {
            panic!()
        };
        assert_eq!(property.name, "geometry");
        assert_eq!(geometry, Geometry::Bbox([105.6, 19.2, 105.7, 19.3]));
        let Expr::Intersects { geometry, .. } =
            parse_text("s_intersects(POLYGON((0 0, 1 0, 1 1, 0 0)), geometry)").unwrap()
        else {
            panic!()
        };
        assert_eq!(geometry, Geometry::Wkt("POLYGON((0 0,1 0,1 1,0 0))".into()));
        let error = parse_text("S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 1)))").unwrap_err();
        assert!(error.message.contains("ring"), "{error}");
        assert_eq!(error.position, 32);
        assert!(parse_text("S_INTERSECTS(geometry, MULTIPOINT(1 2, (3 4)))").is_ok());
    }

    #[test]
    fn errors_say_where() {
        let cases = [
            ("", 1, "expected a property name"),
            ("surface = 'concrete' AND", 25, "the end of the filter"),
            ("surface = 'concrete", 11, "string is not closed"),
            ("(a = 1", 7, "expected `)`"),
            ("a = 1 b = 2", 7, "unexpected `b`"),
            ("a ~ 1", 3, "unexpected character `~`"),
            ("a LIKE 3", 8, "string pattern"),
            ("a NOT = 3", 7, "after NOT"),
            ("AND = 3", 1, "a property name"),
            ("S_INTERSECTS(geometry, BBOX(1,2,3))", 34, "four numbers"),
            ("a = 1e999", 5, "not a number"),
        ];
        for (filter, position, message) in cases {
            let error = parse_text(filter).unwrap_err();
            assert_eq!(error.position, position, "{filter}: {error}");
            assert!(error.message.contains(message), "{filter}: {error}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let filter = format!("{}a = 1{}", "(".repeat(3_000), ")".repeat(3_000));
        let error = parse_text(&filter).unwrap_err();
        assert!(error.message.contains("nests deeper"), "{error}");
        let filter = format!("{}a = 1", "NOT ".repeat(3_000));
        assert!(parse_text(&filter).unwrap_err().message.contains("nests deeper"));
    }
}
