//! The document model of the council report: what it says, in order, with no notion of a
//! file format. `compose.rs` fills it from the coverage data; `docx.rs` and `pdf.rs` write
//! the SAME model, so the Word and the PDF files carry the same words and figures.

/// A report in the layout of Decree 30/2020/NĐ-CP (administrative documents).
#[derive(Debug, Clone)]
pub struct Document {
    /// The document's metadata title (DOCX core properties, PDF info).
    pub meta_title: String,
    pub head: Head,
    /// "BÁO CÁO".
    pub title: String,
    /// What it reports on, under the title.
    pub subject: String,
    pub blocks: Vec<Block>,
    pub closing: Closing,
}

/// The top of the first page: the issuing body on the left, the national name and motto
/// on the right.
#[derive(Debug, Clone)]
pub struct Head {
    /// "ỦY BAN NHÂN DÂN", "PHƯỜNG QUỲNH XUÂN": bold capitals.
    pub issuer: Vec<String>,
    /// "Số:      /BC-UBND": the number is left blank for the clerk to give.
    pub number: String,
    /// "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".
    pub nation: String,
    /// "Độc lập - Tự do - Hạnh phúc", underlined.
    pub motto: String,
    /// "Quỳnh Xuân, ngày 31 tháng 12 năm 2025", italic.
    pub place_date: String,
}

/// The end: who receives it, and who signs.
#[derive(Debug, Clone)]
pub struct Closing {
    /// "Nơi nhận:".
    pub recipients_title: String,
    /// "- Thường trực Đảng ủy;" ...
    pub recipients: Vec<String>,
    /// Signature blocks, left to right.
    pub signatures: Vec<Signature>,
}

#[derive(Debug, Clone)]
pub struct Signature {
    /// Bold capitals: "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH".
    pub titles: Vec<String>,
    /// Italic: "(Ký, ghi rõ họ tên)".
    pub note: String,
}

#[derive(Debug, Clone)]
pub enum Block {
    /// A numbered heading: level 1 "I. KẾT QUẢ CHUNG", level 2 "1. Theo lĩnh vực".
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(Paragraph),
    Table(Table),
    Image(Image),
}

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
}

impl Span {
    pub fn plain(text: impl Into<String>) -> Span {
        Span { text: text.into(), bold: false, italic: false }
    }

    pub fn bold(text: impl Into<String>) -> Span {
        Span { text: text.into(), bold: true, italic: false }
    }

    pub fn italic(text: impl Into<String>) -> Span {
        Span { text: text.into(), bold: false, italic: true }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
    /// Both margins (the body text of an administrative document).
    Justify,
}

#[derive(Debug, Clone)]
pub struct Paragraph {
    pub spans: Vec<Span>,
    pub align: Align,
    /// The body's first-line indent.
    pub indent: bool,
    /// Smaller type (notes under a table or a figure).
    pub small: bool,
}

impl Paragraph {
    /// A justified body paragraph with a first-line indent.
    pub fn body(spans: Vec<Span>) -> Paragraph {
        Paragraph { spans, align: Align::Justify, indent: true, small: false }
    }

    /// A small centred italic note (a figure's caption, a table's source).
    pub fn note(text: impl Into<String>) -> Paragraph {
        Paragraph { spans: vec![Span::italic(text)], align: Align::Center, indent: false, small: true }
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub header: String,
    /// Relative width.
    pub width: f32,
    pub align: Align,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Vec<String>,
    /// A total row.
    pub bold: bool,
}

/// A table with a header row (repeated on each page it spans).
#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// A PNG picture placed at a width on the page.
#[derive(Debug, Clone)]
pub struct Image {
    pub png: Vec<u8>,
    pub width_px: u32,
    pub height_px: u32,
    /// Its printed size, millimetres.
    pub width_mm: f32,
    pub height_mm: f32,
    /// Alternative text.
    pub description: String,
}

/// Millimetres per point (1/72 inch).
pub const MM_PER_PT: f32 = 25.4 / 72.0;

/// The page: A4 portrait, with the margins of Decree 30/2020/NĐ-CP (top and bottom 20-25
/// mm, left 30-35 mm, right 15-20 mm).
pub mod page {
    pub const WIDTH_MM: f32 = 210.0;
    pub const HEIGHT_MM: f32 = 297.0;
    pub const TOP_MM: f32 = 20.0;
    pub const BOTTOM_MM: f32 = 20.0;
    pub const LEFT_MM: f32 = 30.0;
    pub const RIGHT_MM: f32 = 15.0;
    /// 165 mm.
    pub const TEXT_WIDTH_MM: f32 = WIDTH_MM - LEFT_MM - RIGHT_MM;
    /// Body type, points (Decree 30: 13 to 14).
    pub const BODY_PT: f32 = 13.0;
    /// Tables and notes, points.
    pub const SMALL_PT: f32 = 10.5;
    /// The body's first-line indent, millimetres.
    pub const INDENT_MM: f32 = 10.0;
}
