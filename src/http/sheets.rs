//! Tables as downloads: the same sheet (title, headers, rows of cells) written as CSV for
//! Excel (UTF-8 with BOM; `decimal=comma` for a Vietnamese Excel) or as an XLSX workbook.
//! The coverage reports and the work list are written through here.

use super::error::{ApiError, ApiResult};
use crate::coverage::table::Cell;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use std::collections::HashMap;

/// A table to download.
pub struct Sheet {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// `vi` (default) or `en`, from `lang`.
pub fn english(p: &HashMap<String, String>) -> ApiResult<bool> {
    match p.get("lang").map(String::as_str) {
        None | Some("vi") => Ok(false),
        Some("en") => Ok(true),
        Some(_) => Err(ApiError::bad("lang", "must be `vi` or `en`")),
    }
}

/// Whether decimals are written with a comma (`decimal=comma`): Excel in a Vietnamese
/// locale reads "80,7" as a number and expects ";" between cells.
pub fn decimal_comma(p: &HashMap<String, String>) -> ApiResult<bool> {
    match p.get("decimal").map(String::as_str) {
        None | Some("point") => Ok(false),
        Some("comma") => Ok(true),
        Some(_) => Err(ApiError::bad("decimal", "must be `point` or `comma`")),
    }
}

/// The sheet as CSV: the BOM (so that Excel reads UTF-8), the headers, the rows.
pub fn csv(sheet: &Sheet, comma: bool) -> ApiResult<Vec<u8>> {
    let text = |cell: &Cell| -> String {
        match cell {
            // Names are typed by users: no formula reaches Excel (OWASP's rule).
            Cell::Text(t) => crate::spreadsheet::csv_text(t).into_owned(),
            Cell::Empty => String::new(),
            Cell::Number(v, decimals) => {
                let t = format!("{v:.decimals$}");
                if comma { t.replace('.', ",") } else { t }
            }
        }
    };
    let mut writer = csv::WriterBuilder::new().delimiter(if comma { b';' } else { b',' }).from_writer(Vec::new());
    writer.write_record(&sheet.headers).map_err(anyhow::Error::from)?;
    for row in &sheet.rows {
        writer.write_record(row.iter().map(text)).map_err(anyhow::Error::from)?;
    }
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend(writer.into_inner().map_err(|e| anyhow::anyhow!("writing the CSV: {e}"))?);
    Ok(body)
}

/// The sheet as a workbook: title, headers, then the rows, the last one bold when it is a
/// total; numbers stay numbers, each formatted with the decimals it is shown with, so Excel
/// shows them in the reader's own locale (80,7 in Vietnamese).
pub fn xlsx(sheet: &Sheet, english: bool, total_row: bool) -> ApiResult<Vec<u8>> {
    workbook(sheet, english, total_row).map_err(|e| ApiError::Internal(anyhow::anyhow!("writing the workbook: {e}")))
}

fn workbook(sheet: &Sheet, english: bool, total_row: bool) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    ws.set_name(if english { "Coverage" } else { "Do phu" })?;
    ws.write_string_with_format(0, 0, &sheet.title, &Format::new().set_bold().set_font_size(14))?;
    let header = Format::new().set_bold().set_text_wrap().set_background_color("#E8EEF4");
    for (col, text) in sheet.headers.iter().enumerate() {
        ws.write_string_with_format(2, col as u16, text, &header)?;
        ws.set_column_width(col as u16, if col == 1 { 28 } else { 14 })?;
    }
    let last = sheet.rows.len().saturating_sub(1);
    for (r, row) in sheet.rows.iter().enumerate() {
        let r_index = 3 + r as u32;
        for (col, cell) in row.iter().enumerate() {
            let col = col as u16;
            let mut format = match cell {
                Cell::Number(_, 0) => Format::new().set_num_format("#,##0"),
                Cell::Number(_, decimals) => Format::new().set_num_format(format!("#,##0.{}", "0".repeat(*decimals))),
                _ => Format::new(),
            };
            if total_row && r == last {
                format = format.set_bold();
            }
            match cell {
                Cell::Text(t) => ws.write_string_with_format(r_index, col, t, &format)?,
                Cell::Number(v, _) => ws.write_number_with_format(r_index, col, *v, &format)?,
                Cell::Empty => ws.write_blank(r_index, col, &format)?,
            };
        }
    }
    ws.set_freeze_panes(3, 2)?;
    workbook.save_to_buffer()
}

/// Names the download `kheo-{what}-{code}-{as_of}.{extension}`.
pub fn attachment(response: &mut Response, what: &str, code: &str, as_of: chrono::NaiveDate, extension: &str) {
    let value = format!("attachment; filename=\"kheo-{what}-{code}-{as_of}.{extension}\"");
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
}

pub const CSV: &str = "text/csv; charset=utf-8";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
