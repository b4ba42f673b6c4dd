//! The report as a Word document (docx-rs): A4 with Decree 30's margins, Times New Roman
//! 13 pt (Word has it; Liberation Serif, which the PDF embeds, has the same metrics), real
//! tables, and the map as an embedded PNG at its printed size. docx-rs cannot mark a
//! table's header row to repeat on each page: the report's tables are short enough to
//! rarely need it.

use super::model::{self, Align, Block, Document, Image, Paragraph, Span, Table, page};
use docx_rs::{
    AlignmentType, BorderType, Docx, LineSpacing, PageMargin, ParagraphBorder, ParagraphBorderPosition,
    ParagraphBorders, Pic, Run, RunFonts, SpecialIndentType, TableCell, TableCellMargins, TableLayoutType, TableRow,
    VAlignType, WidthType,
};

/// The font Word sets the report in.
const FONT: &str = "Times New Roman";

/// Twips (1/20 point) in a millimetre.
fn twips(mm: f32) -> i32 {
    (mm / model::MM_PER_PT * 20.0).round() as i32
}

/// Half-points, the unit of a run's size.
fn half_points(pt: f32) -> usize {
    (pt * 2.0).round() as usize
}

/// English Metric Units in a millimetre.
fn emu(mm: f32) -> u32 {
    (mm * 36_000.0).round() as u32
}

fn alignment(align: Align) -> AlignmentType {
    match align {
        Align::Left => AlignmentType::Left,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
        Align::Justify => AlignmentType::Both,
    }
}

fn run(span: &Span, size_pt: f32) -> Run {
    let mut run = Run::new().add_text(&span.text).size(half_points(size_pt));
    if span.bold {
        run = run.bold();
    }
    if span.italic {
        run = run.italic();
    }
    run
}

/// A paragraph of `spans` with the spacing of the body: 6 pt after, single lines.
fn paragraph(spans: &[Span], align: Align, size_pt: f32) -> docx_rs::Paragraph {
    spans
        .iter()
        .fold(docx_rs::Paragraph::new(), |p, span| p.add_run(run(span, size_pt)))
        .align(alignment(align))
        .line_spacing(LineSpacing::new().before(0).after(120))
}

/// A centred line, for the head and the signatures.
fn line(text: &str, bold: bool, italic: bool, size_pt: f32) -> docx_rs::Paragraph {
    paragraph(&[Span { text: text.to_string(), bold, italic }], Align::Center, size_pt)
        .line_spacing(LineSpacing::new().before(0).after(0))
}

/// A short rule under a centred line: a bottom border, shortened by indents.
fn rule(indent_mm: f32) -> docx_rs::Paragraph {
    let mut p = docx_rs::Paragraph::new()
        .indent(Some(twips(indent_mm)), None, Some(twips(indent_mm)), None)
        .line_spacing(LineSpacing::new().before(0).after(120).line(60).line_rule(docx_rs::LineSpacingType::Exact));
    p.property = p.property.set_borders(
        ParagraphBorders::with_empty()
            .set(ParagraphBorder::new(ParagraphBorderPosition::Bottom).val(BorderType::Single).size(6)),
    );
    p
}

fn body(p: &Paragraph) -> docx_rs::Paragraph {
    let size = if p.small { page::SMALL_PT } else { page::BODY_PT };
    let mut out = paragraph(&p.spans, p.align, size);
    if p.indent {
        out = out.indent(None, Some(SpecialIndentType::FirstLine(twips(page::INDENT_MM))), None, None);
    }
    out
}

fn heading(level: u8, text: &str) -> docx_rs::Paragraph {
    let span = Span::bold(text);
    paragraph(&[span], Align::Justify, page::BODY_PT)
        .keep_next(true)
        .line_spacing(LineSpacing::new().before(if level == 1 { 120 } else { 60 }).after(120))
}

/// Widths of `weights` in twips, filling `total_mm`.
fn grid(weights: &[f32], total_mm: f32) -> Vec<usize> {
    let sum: f32 = weights.iter().sum();
    weights.iter().map(|w| twips(total_mm * w / sum).max(0) as usize).collect()
}

fn cell(text: &str, width: usize, align: Align, bold: bool) -> TableCell {
    let p = paragraph(&[Span { text: text.to_string(), bold, italic: false }], align, page::SMALL_PT)
        .line_spacing(LineSpacing::new().before(0).after(0));
    TableCell::new().add_paragraph(p).width(width, WidthType::Dxa).vertical_align(VAlignType::Center)
}

fn table(t: &Table) -> docx_rs::Table {
    let widths = grid(&t.columns.iter().map(|c| c.width).collect::<Vec<_>>(), page::TEXT_WIDTH_MM);
    let header =
        TableRow::new(t.columns.iter().zip(&widths).map(|(c, w)| cell(&c.header, *w, Align::Center, true)).collect())
            .cant_split();
    let mut rows = vec![header];
    for row in &t.rows {
        rows.push(
            TableRow::new(
                row.cells
                    .iter()
                    .zip(&t.columns)
                    .zip(&widths)
                    .map(|((text, c), w)| cell(text, *w, c.align, row.bold))
                    .collect(),
            )
            .cant_split(),
        );
    }
    docx_rs::Table::new(rows)
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .width(twips(page::TEXT_WIDTH_MM) as usize, WidthType::Dxa)
        .margins(TableCellMargins::new().margin(40, 80, 40, 80))
}

fn image(img: &Image) -> docx_rs::Paragraph {
    let pic = Pic::new_with_dimensions(img.png.clone(), img.width_px, img.height_px)
        .size(emu(img.width_mm), emu(img.height_mm));
    docx_rs::Paragraph::new()
        .add_run(Run::new().add_image(pic))
        .align(AlignmentType::Center)
        .keep_next(true)
        .line_spacing(LineSpacing::new().before(120).after(60))
}

/// A borderless two-column table, for the head and the signatures.
fn columns(left: Vec<docx_rs::Paragraph>, right: Vec<docx_rs::Paragraph>, left_share: f32) -> docx_rs::Table {
    let widths = grid(&[left_share, 1.0 - left_share], page::TEXT_WIDTH_MM);
    let fill = |paragraphs: Vec<docx_rs::Paragraph>, width: usize| {
        paragraphs.into_iter().fold(TableCell::new().width(width, WidthType::Dxa), |c, p| c.add_paragraph(p))
    };
    docx_rs::Table::without_borders(vec![TableRow::new(vec![fill(left, widths[0]), fill(right, widths[1])])])
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .width(twips(page::TEXT_WIDTH_MM) as usize, WidthType::Dxa)
}

fn head(d: &Document) -> docx_rs::Table {
    let h = &d.head;
    let mut left: Vec<_> = h.issuer.iter().map(|l| line(l, true, false, 12.5)).collect();
    left.push(rule(22.0));
    left.push(line(&h.number, false, false, page::BODY_PT));
    let motto = docx_rs::Paragraph::new()
        .add_run(Run::new().add_text(&h.motto).bold().underline("single").size(half_points(page::BODY_PT)))
        .align(AlignmentType::Center)
        .line_spacing(LineSpacing::new().before(0).after(200));
    let right = vec![line(&h.nation, true, false, 12.0), motto, line(&h.place_date, false, true, page::BODY_PT)];
    columns(left, right, 0.4)
}

fn closing(d: &Document) -> Vec<docx_rs::Table> {
    let c = &d.closing;
    let signature = |s: &model::Signature| {
        let mut out: Vec<_> = s.titles.iter().map(|t| line(t, true, false, page::BODY_PT)).collect();
        out.push(line(&s.note, false, true, 11.0));
        // Room to sign.
        out.extend((0..4).map(|_| line("", false, false, page::BODY_PT)));
        out
    };
    let mut tables = Vec::new();
    let mut signatures = c.signatures.iter();
    if let (Some(left), Some(right)) = (signatures.next(), signatures.next()) {
        tables.push(columns(signature(left), signature(right), 0.45));
    }
    let mut recipients = vec![
        paragraph(&[Span { text: c.recipients_title.clone(), bold: true, italic: true }], Align::Left, 12.0)
            .line_spacing(LineSpacing::new().before(120).after(0)),
    ];
    recipients.extend(
        c.recipients
            .iter()
            .map(|r| paragraph(&[Span::plain(r)], Align::Left, 11.0).line_spacing(LineSpacing::new().after(0))),
    );
    tables.push(columns(recipients, vec![line("", false, false, 11.0)], 0.6));
    tables
}

/// The report as a .docx file.
pub fn write(d: &Document) -> Result<Vec<u8>, String> {
    let mut docx = Docx::new()
        .page_size(twips(page::WIDTH_MM) as u32, twips(page::HEIGHT_MM) as u32)
        .page_margin(PageMargin {
            top: twips(page::TOP_MM),
            left: twips(page::LEFT_MM),
            bottom: twips(page::BOTTOM_MM),
            right: twips(page::RIGHT_MM),
            header: twips(10.0),
            footer: twips(10.0),
            gutter: 0,
        })
        .default_fonts(RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT).east_asia(FONT))
        .default_size(half_points(page::BODY_PT))
        .custom_property("title", &d.meta_title);
    docx = docx.add_table(head(d));
    docx = docx
        .add_paragraph(line(&d.title, true, false, 14.0).line_spacing(LineSpacing::new().before(360).after(0)))
        .add_paragraph(line(&d.subject, true, false, 14.0))
        .add_paragraph(rule(60.0));
    for block in &d.blocks {
        docx = match block {
            Block::Heading { level, text } => docx.add_paragraph(heading(*level, text)),
            Block::Paragraph(p) => docx.add_paragraph(body(p)),
            Block::Table(t) => docx.add_table(table(t)).add_paragraph(line("", false, false, 6.0)),
            Block::Image(img) => docx.add_paragraph(image(img)),
        };
    }
    for t in closing(d) {
        docx = docx.add_table(t);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut out).map_err(|e| format!("writing the DOCX: {e}"))?;
    Ok(out.into_inner())
}
