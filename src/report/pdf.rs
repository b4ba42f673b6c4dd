//! The report as a PDF, from the same document model as the DOCX: a small layout of
//! kheo's own (lines broken and justified, tables with their header row repeated on each
//! page, the map at its printed size) written with krilla, with Liberation Serif embedded
//! (subset) from the binary.
//!
//! Why krilla and this layout rather than the two obvious alternatives:
//! - typst as a library (typst + typst-pdf 0.14, a World serving the vendored fonts) would
//!   typeset better (Knuth-Plass lines, hyphenation), but it brings 389 crates to build
//!   against the 71 that krilla, resvg and docx-rs add to kheo (docs/PERFORMANCE.md, "The
//!   council report"), on 2 cores and in CI, for a document of short paragraphs and
//!   tables that a greedy line breaker sets well.
//! - printpdf 0.12 without its HTML layout needs the same hand layout, but builds on a fork
//!   of allsorts and has changed its API with every minor release; krilla is the PDF
//!   writer typst itself exports through (shaping by rustybuzz, font subsetting, correct
//!   ToUnicode maps so that the text copies and `pdftotext` reads back every diacritic).
//!
//! The layout works in points from the top left of an A4 page; `layout` is pure (pages of
//! drawing operations), `render` hands them to krilla.

use super::fonts;
use super::model::{self, Align, Block, Document, Image, Paragraph, Span, Table, page};
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};

/// Points in a millimetre.
fn pt(mm: f32) -> f32 {
    mm / model::MM_PER_PT
}

const LINE_HEIGHT: f32 = 1.2;
/// Space after a body paragraph, points.
const PARAGRAPH_GAP: f32 = 6.0;
/// Horizontal and vertical padding inside table cells, points.
const CELL_PAD_X: f32 = 3.0;
const CELL_PAD_Y: f32 = 2.5;
const RULE_WIDTH: f32 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub bold: bool,
    pub italic: bool,
}

impl Style {
    const PLAIN: Style = Style { bold: false, italic: false };
    const BOLD: Style = Style { bold: true, italic: false };
    const ITALIC: Style = Style { bold: false, italic: true };

    fn index(self) -> usize {
        usize::from(self.bold) + 2 * usize::from(self.italic)
    }
}

/// One drawing operation, in points from the page's top left.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Text with its baseline at `y`.
    Text {
        x: f32,
        y: f32,
        size: f32,
        style: Style,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    /// The document's `index`-th image, its top left at (x, y).
    Image {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        index: usize,
    },
}

/// Text widths, from the same fonts the PDF embeds (shaped by rustybuzz, as krilla shapes).
struct Measure {
    faces: [rustybuzz::Face<'static>; 4],
}

impl Measure {
    fn new() -> Result<Measure, String> {
        let face = |data: &'static [u8]| rustybuzz::Face::from_slice(data, 0).ok_or("a vendored font does not parse");
        Ok(Measure {
            faces: [face(fonts::REGULAR)?, face(fonts::BOLD)?, face(fonts::ITALIC)?, face(fonts::BOLD_ITALIC)?],
        })
    }

    fn width(&self, text: &str, style: Style, size: f32) -> f32 {
        let face = &self.faces[style.index()];
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        let shaped = rustybuzz::shape(face, &[], buffer);
        let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
        units as f32 * size / face.units_per_em() as f32
    }
}

/// A word of a line, measured.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    style: Style,
    width: f32,
}

/// The words of `spans` broken into lines at most `width` wide (the first `first_width`),
/// with the width of a space. A word wider than a line is cut where it must be.
fn break_lines(m: &Measure, spans: &[Span], size: f32, first_width: f32, width: f32) -> Vec<Vec<Word>> {
    let mut words = Vec::new();
    for span in spans {
        let style = Style { bold: span.bold, italic: span.italic };
        for text in span.text.split(' ').filter(|w| !w.is_empty()) {
            words.extend(cut(m, text, style, size, width));
        }
    }
    let space = m.width(" ", Style::PLAIN, size);
    let mut lines: Vec<Vec<Word>> = Vec::new();
    let mut current: Vec<Word> = Vec::new();
    let mut used = 0.0;
    for word in words {
        let limit = if lines.is_empty() { first_width } else { width };
        let needed = if current.is_empty() { word.width } else { used + space + word.width };
        if !current.is_empty() && needed > limit {
            lines.push(std::mem::take(&mut current));
            used = word.width;
        } else {
            used = needed;
        }
        current.push(word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// A word as pieces no wider than `width` (whole when it fits).
fn cut(m: &Measure, text: &str, style: Style, size: f32, width: f32) -> Vec<Word> {
    let whole = m.width(text, style, size);
    if whole <= width {
        return vec![Word { text: text.to_string(), style, width: whole }];
    }
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for c in text.chars() {
        piece.push(c);
        if m.width(&piece, style, size) > width && piece.chars().count() > 1 {
            piece.pop();
            let w = m.width(&piece, style, size);
            pieces.push(Word { text: std::mem::take(&mut piece), style, width: w });
            piece.push(c);
        }
    }
    let w = m.width(&piece, style, size);
    pieces.push(Word { text: piece, style, width: w });
    pieces
}

/// A horizontal box text is set in: its left edge and width, points.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    x: f32,
    width: f32,
}

fn bounds(x: f32, width: f32) -> Bounds {
    Bounds { x, width }
}

/// Lays pages out, top to bottom.
struct Layout<'m> {
    m: &'m Measure,
    pages: Vec<Vec<Op>>,
    y: f32,
    images: usize,
}

const PAGE_W: f32 = page::WIDTH_MM / model::MM_PER_PT;
const PAGE_H: f32 = page::HEIGHT_MM / model::MM_PER_PT;

fn left() -> f32 {
    pt(page::LEFT_MM)
}

fn text_width() -> f32 {
    pt(page::TEXT_WIDTH_MM)
}

fn bottom() -> f32 {
    PAGE_H - pt(page::BOTTOM_MM)
}

impl<'m> Layout<'m> {
    fn new(m: &'m Measure) -> Layout<'m> {
        Layout { m, pages: vec![Vec::new()], y: pt(page::TOP_MM), images: 0 }
    }

    // `new` makes the first page and pages are only ever added.
    #[allow(clippy::expect_used)]
    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("there is always a page")
    }

    /// A new page, numbered at the top from the second page on (Decree 30).
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        let number = self.pages.len().to_string();
        let width = self.m.width(&number, Style::PLAIN, page::BODY_PT);
        let x = left() + (text_width() - width) / 2.0;
        let y = pt(page::TOP_MM) / 2.0 + page::BODY_PT / 2.0;
        self.ops().push(Op::Text { x, y, size: page::BODY_PT, style: Style::PLAIN, text: number });
        self.y = pt(page::TOP_MM);
    }

    /// Starts a new page unless `height` points still fit on this one.
    fn need(&mut self, height: f32) {
        if self.y + height > bottom() && self.y > pt(page::TOP_MM) + 1.0 {
            self.new_page();
        }
    }

    fn rule(&mut self, x1: f32, x2: f32, y: f32) {
        self.ops().push(Op::Line { x1, y1: y, x2, y2: y });
    }

    /// Draws one line of words from `x` in a box `width` wide, aligned; `last` ends a
    /// justified paragraph (left aligned).
    fn words(&mut self, words: &[Word], b: Bounds, baseline: f32, size: f32, align: Align, last: bool) {
        let Bounds { x, width } = b;
        let space = self.m.width(" ", Style::PLAIN, size);
        let natural: f32 = words.iter().map(|w| w.width).sum::<f32>() + space * words.len().saturating_sub(1) as f32;
        let (mut cursor, gap) = match align {
            Align::Left => (x, space),
            Align::Center => (x + (width - natural).max(0.0) / 2.0, space),
            Align::Right => (x + (width - natural).max(0.0), space),
            Align::Justify if last || words.len() < 2 => (x, space),
            Align::Justify => (x, space + (width - natural).max(0.0) / (words.len() - 1) as f32),
        };
        for word in words {
            self.ops().push(Op::Text { x: cursor, y: baseline, size, style: word.style, text: word.text.clone() });
            cursor += word.width + gap;
        }
    }

    /// A paragraph in the box from `x`, `width` wide, breaking pages between lines when
    /// `flow` (else the caller has made room).
    fn paragraph(&mut self, spans: &[Span], b: Bounds, size: f32, align: Align, indent: f32, flow: bool) {
        let Bounds { x, width } = b;
        let lines = break_lines(self.m, spans, size, width - indent, width);
        let height = size * LINE_HEIGHT;
        let count = lines.len();
        for (i, line) in lines.iter().enumerate() {
            if flow {
                self.need(height);
            }
            let first = if i == 0 { indent } else { 0.0 };
            let baseline = self.y + size;
            self.words(line, bounds(x + first, width - first), baseline, size, align, i + 1 == count);
            self.y += height;
        }
    }

    /// A heading, kept on one page with the first `next` points of what follows.
    fn heading(&mut self, level: u8, text: &str, next: f32) {
        self.y += if level == 1 { 6.0 } else { 3.0 };
        self.need(page::BODY_PT * LINE_HEIGHT * 2.0 + next);
        self.paragraph(&[Span::bold(text)], bounds(left(), text_width()), page::BODY_PT, Align::Left, 0.0, true);
        self.y += 3.0;
    }

    fn body(&mut self, p: &Paragraph) {
        let size = if p.small { page::SMALL_PT } else { page::BODY_PT };
        let indent = if p.indent { pt(page::INDENT_MM) } else { 0.0 };
        self.paragraph(&p.spans, bounds(left(), text_width()), size, p.align, indent, true);
        self.y += PARAGRAPH_GAP;
    }

    /// A row's cells broken into lines, and its height.
    fn row_lines(&self, cells: &[String], widths: &[f32], style: Style) -> (Vec<Vec<Vec<Word>>>, f32) {
        let size = page::SMALL_PT;
        let lines: Vec<Vec<Vec<Word>>> = cells
            .iter()
            .zip(widths)
            .map(|(text, w)| {
                let span = Span { text: text.clone(), bold: style.bold, italic: style.italic };
                break_lines(self.m, &[span], size, w - 2.0 * CELL_PAD_X, w - 2.0 * CELL_PAD_X)
            })
            .collect();
        let most = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        (lines, most as f32 * size * LINE_HEIGHT + 2.0 * CELL_PAD_Y)
    }

    fn draw_row(&mut self, lines: &[Vec<Vec<Word>>], widths: &[f32], aligns: &[Align], height: f32) {
        let size = page::SMALL_PT;
        let top = self.y;
        let mut x = left();
        for ((cell, width), align) in lines.iter().zip(widths).zip(aligns) {
            // Centred vertically.
            let used = cell.len() as f32 * size * LINE_HEIGHT;
            let mut y = top + (height - used) / 2.0;
            for line in cell {
                self.words(line, bounds(x + CELL_PAD_X, width - 2.0 * CELL_PAD_X), y + size * 0.95, size, *align, true);
                y += size * LINE_HEIGHT;
            }
            x += width;
        }
        let right = left() + widths.iter().sum::<f32>();
        self.rule(left(), right, top);
        self.rule(left(), right, top + height);
        let mut x = left();
        for width in std::iter::once(&0.0).chain(widths) {
            x += width;
            self.ops().push(Op::Line { x1: x, y1: top, x2: x, y2: top + height });
        }
        self.y = top + height;
    }

    fn table(&mut self, t: &Table) {
        let sum: f32 = t.columns.iter().map(|c| c.width).sum();
        let widths: Vec<f32> = t.columns.iter().map(|c| text_width() * c.width / sum).collect();
        let headers: Vec<String> = t.columns.iter().map(|c| c.header.clone()).collect();
        let (header, header_h) = self.row_lines(&headers, &widths, Style::BOLD);
        let centred = vec![Align::Center; widths.len()];
        let aligns: Vec<Align> = t.columns.iter().map(|c| c.align).collect();
        let first_row = t.rows.first().map(|r| self.row_lines(&r.cells, &widths, Style::PLAIN).1).unwrap_or(0.0);
        self.need(header_h + first_row);
        self.draw_row(&header, &widths, &centred, header_h);
        for row in &t.rows {
            let style = if row.bold { Style::BOLD } else { Style::PLAIN };
            let (lines, height) = self.row_lines(&row.cells, &widths, style);
            if self.y + height > bottom() {
                self.new_page();
                self.draw_row(&header, &widths, &centred, header_h);
            }
            self.draw_row(&lines, &widths, &aligns, height);
        }
        self.y += PARAGRAPH_GAP * 1.5;
    }

    fn image(&mut self, img: &Image) {
        let (mut width, mut height) = (pt(img.width_mm), pt(img.height_mm));
        // With its caption on the same page; shrunk only if it is taller than a page.
        let room = bottom() - pt(page::TOP_MM) - 30.0;
        if height > room {
            width *= room / height;
            height = room;
        }
        self.need(height + 30.0);
        let x = left() + (text_width() - width) / 2.0;
        let index = self.images;
        self.images += 1;
        let y = self.y + 3.0;
        self.ops().push(Op::Image { x, y, width, height, index });
        self.y = y + height + 4.0;
    }

    /// Lines centred in a column, returning the height used.
    fn centred_lines(&mut self, lines: &[(String, Style, f32)], x: f32, width: f32, top: f32) -> f32 {
        let saved = self.y;
        self.y = top;
        for (text, style, size) in lines {
            let span = Span { text: text.clone(), bold: style.bold, italic: style.italic };
            self.paragraph(&[span], bounds(x, width), *size, Align::Center, 0.0, false);
        }
        let used = self.y - top;
        self.y = saved;
        used
    }

    fn head(&mut self, d: &Document) {
        let h = &d.head;
        let top = self.y;
        let left_w = text_width() * 0.4;
        let right_x = left() + left_w;
        let right_w = text_width() - left_w;
        let issuer: Vec<_> = h.issuer.iter().map(|l| (l.clone(), Style::BOLD, 12.5)).collect();
        let used = self.centred_lines(&issuer, left(), left_w, top);
        let rule_y = top + used + 4.0;
        let centre = left() + left_w / 2.0;
        self.rule(centre - left_w * 0.2, centre + left_w * 0.2, rule_y);
        let left_used = used
            + 6.0
            + self.centred_lines(&[(h.number.clone(), Style::PLAIN, page::BODY_PT)], left(), left_w, rule_y + 4.0);

        let nation = self.centred_lines(&[(h.nation.clone(), Style::BOLD, 12.0)], right_x, right_w, top);
        let motto_top = top + nation;
        let motto_used =
            self.centred_lines(&[(h.motto.clone(), Style::BOLD, page::BODY_PT)], right_x, right_w, motto_top);
        let motto_w = self.m.width(&h.motto, Style::BOLD, page::BODY_PT);
        let centre = right_x + right_w / 2.0;
        let rule_y = motto_top + motto_used + 2.5;
        self.rule(centre - motto_w / 2.0, centre + motto_w / 2.0, rule_y);
        let date_used =
            self.centred_lines(&[(h.place_date.clone(), Style::ITALIC, page::BODY_PT)], right_x, right_w, rule_y + 8.0);
        let right_used = rule_y + 8.0 + date_used - top;
        self.y = top + left_used.max(right_used) + 18.0;

        let title = [(d.title.clone(), Style::BOLD, 14.0), (d.subject.clone(), Style::BOLD, 14.0)];
        let used = self.centred_lines(&title, left() + 20.0, text_width() - 40.0, self.y);
        self.y += used + 5.0;
        let centre = left() + text_width() / 2.0;
        self.rule(centre - 50.0, centre + 50.0, self.y);
        self.y += 14.0;
    }

    fn closing(&mut self, d: &Document) {
        let c = &d.closing;
        let lines = |s: &model::Signature| -> Vec<(String, Style, f32)> {
            let mut out: Vec<_> = s.titles.iter().map(|t| (t.clone(), Style::BOLD, page::BODY_PT)).collect();
            out.push((s.note.clone(), Style::ITALIC, 11.0));
            out
        };
        let recipients_h = (c.recipients.len() + 1) as f32 * 11.0 * LINE_HEIGHT;
        // Signatures, room to sign, then the recipients: kept on one page.
        self.need(4.0 * page::BODY_PT * LINE_HEIGHT + 70.0 + recipients_h);
        self.y += 10.0;
        let top = self.y;
        let share = [0.45, 0.55];
        let mut x = left();
        let mut used: f32 = 0.0;
        for (signature, part) in c.signatures.iter().zip(share) {
            let width = text_width() * part;
            used = used.max(self.centred_lines(&lines(signature), x, width, top));
            x += width;
        }
        self.y = top + used + 70.0;
        let title = Span { text: c.recipients_title.clone(), bold: true, italic: true };
        self.paragraph(&[title], bounds(left(), text_width() * 0.6), 12.0, Align::Left, 0.0, true);
        for r in &c.recipients {
            self.paragraph(&[Span::plain(r)], bounds(left(), text_width() * 0.6), 11.0, Align::Left, 0.0, true);
        }
    }
}

/// The pages of a document, as drawing operations.
fn layout(d: &Document, m: &Measure) -> Vec<Vec<Op>> {
    let mut l = Layout::new(m);
    l.head(d);
    for (i, block) in d.blocks.iter().enumerate() {
        match block {
            Block::Heading { level, text } => l.heading(*level, text, start_height(d.blocks.get(i + 1))),
            Block::Paragraph(p) => l.body(p),
            Block::Table(t) => l.table(t),
            Block::Image(img) => l.image(img),
        }
    }
    l.closing(d);
    l.pages
}

/// How much of a block must follow its heading on the same page, points: a picture whole,
/// else a few lines.
fn start_height(block: Option<&Block>) -> f32 {
    match block {
        Some(Block::Image(img)) => pt(img.height_mm).min(bottom() - pt(page::TOP_MM) - 60.0) + 30.0,
        _ => page::BODY_PT * LINE_HEIGHT * 3.0,
    }
}

fn images(d: &Document) -> impl Iterator<Item = &Image> {
    d.blocks.iter().filter_map(|b| match b {
        Block::Image(img) => Some(img),
        _ => None,
    })
}

/// The report as a PDF file.
pub fn write(d: &Document, english: bool) -> Result<Vec<u8>, String> {
    let measure = Measure::new()?;
    let pages = layout(d, &measure);
    render(d, &pages, english)
}

fn render(d: &Document, pages: &[Vec<Op>], english: bool) -> Result<Vec<u8>, String> {
    let font = |data: &'static [u8]| Font::new(data.into(), 0).ok_or("a vendored font does not load");
    let faces = [font(fonts::REGULAR)?, font(fonts::BOLD)?, font(fonts::ITALIC)?, font(fonts::BOLD_ITALIC)?];
    let pictures: Vec<krilla::image::Image> = images(d)
        .map(|img| krilla::image::Image::from_png(img.png.clone().into(), true))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("the map's PNG: {e}"))?;
    let mut document = krilla::Document::new();
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(d.meta_title.clone())
            .language(if english { "en" } else { "vi" }.to_string())
            .creator("kheo".to_string()),
    );
    let settings = krilla::page::PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("the page size")?;
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, size, style, text } => {
                    surface.set_fill(Some(Fill::default()));
                    surface.set_stroke(None);
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        faces[style.index()].clone(),
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Line { x1, y1, x2, y2 } => {
                    let mut builder = PathBuilder::new();
                    builder.move_to(*x1, *y1);
                    builder.line_to(*x2, *y2);
                    if let Some(path) = builder.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke { width: RULE_WIDTH, ..Stroke::default() }));
                        surface.draw_path(&path);
                    }
                }
                Op::Image { x, y, width, height, index } => {
                    let picture = pictures.get(*index).ok_or("an image the layout placed is missing")?;
                    let size = Size::from_wh(*width, *height).ok_or("an empty image")?;
                    surface.push_transform(&Transform::from_translate(*x, *y));
                    surface.draw_image(picture.clone(), size);
                    surface.pop();
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("writing the PDF: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_never_run_past_their_width() {
        let m = Measure::new().unwrap();
        let text = "Tính đến ngày 31/12/2025, trên địa bàn Phường Quỳnh Xuân có 50,80\u{a0}km đường giao thông \
                    được tính, trong đó 41,00\u{a0}km đã được bê tông hóa, đạt 80,7\u{a0}%.";
        let width = 200.0;
        let space = m.width(" ", Style::PLAIN, 13.0);
        let lines = break_lines(&m, &[Span::plain(text)], 13.0, width - 28.0, width);
        assert!(lines.len() > 2);
        for (i, line) in lines.iter().enumerate() {
            let used: f32 = line.iter().map(|w| w.width).sum::<f32>() + space * (line.len() - 1) as f32;
            assert!(used <= if i == 0 { width - 28.0 } else { width } + 0.01, "line {i}: {used}");
        }
        // The figure and its unit stay together (a non-breaking space).
        assert!(lines.iter().flatten().any(|w| w.text == "80,7\u{a0}%."));
        let rejoined: Vec<String> = lines.iter().flatten().map(|w| w.text.clone()).collect();
        assert_eq!(rejoined.join(" "), text);
    }

    #[test]
    fn a_word_wider_than_the_cell_is_cut_not_spilled() {
        let m = Measure::new().unwrap();
        let pieces = cut(&m, "2.300.612.009.000.000", Style::PLAIN, 10.5, 30.0);
        assert!(pieces.len() > 1);
        assert!(pieces.iter().all(|p| p.width <= 30.0));
        assert_eq!(pieces.iter().map(|p| p.text.as_str()).collect::<String>(), "2.300.612.009.000.000");
    }

    #[test]
    fn a_long_table_repeats_its_header_on_each_page() {
        let m = Measure::new().unwrap();
        let table = Table {
            columns: vec![
                model::Column { header: "Tổ".into(), width: 2.0, align: Align::Left },
                model::Column { header: "Bê tông (%)".into(), width: 1.0, align: Align::Right },
            ],
            rows: (1..=120)
                .map(|i| model::Row { cells: vec![format!("TDP {i}"), "80,7".into()], bold: false })
                .collect(),
        };
        let mut l = Layout::new(&m);
        l.table(&table);
        assert!(l.pages.len() >= 3, "{} pages", l.pages.len());
        for ops in &l.pages {
            let header = ops.iter().filter(|op| matches!(op, Op::Text { text, .. } if text == "Tổ")).count();
            assert_eq!(header, 1);
            for op in ops {
                if let Op::Text { y, .. } | Op::Line { y2: y, .. } = op {
                    assert!(*y <= bottom() + 0.01, "drawn under the bottom margin at {y}");
                }
            }
        }
    }
}
