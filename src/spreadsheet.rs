//! What a spreadsheet must not run. Excel, LibreOffice and Google Sheets read a CSV cell
//! that begins with `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a
//! formula, so a road named `=HYPERLINK("http://…")` would run in the planner's Excel.
//! OWASP's rule ("CSV Injection") is applied to every text cell kheo writes to a CSV:
//! such a cell gets a leading `'`, which spreadsheets show as text and do not print.
//! Number cells are written by kheo itself and stay as they are (`-2` stays a number).

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula (OWASP).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as a CSV text cell that no spreadsheet runs: prefixed with `'` when it begins
/// with one of `= + - @`, a tab or a carriage return; unchanged (and not copied) otherwise.
///
/// ```
/// use kheo::spreadsheet::csv_text;
/// assert_eq!(csv_text("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(csv_text("-2"), "'-2");
/// assert_eq!(csv_text("Ngõ 5 - Tổ 3"), "Ngõ 5 - Tổ 3");
/// ```
pub fn csv_text(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

#[cfg(test)]
mod tests {
    use super::csv_text;

    #[test]
    fn formula_starts_are_prefixed_and_the_rest_untouched() {
        for text in ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2", "@SUM(A1:A9)", "\t=1", "\r=1"] {
            assert_eq!(csv_text(text), format!("'{text}"), "{text:?}");
        }
        for text in ["", "Đường Quỳnh Xuân 1", "1+1", "a=b", " =1", "'quoted", "2024-05-01"] {
            assert_eq!(csv_text(text), text, "{text:?}");
        }
    }
}
