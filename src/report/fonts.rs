//! The fonts of the report's PDF and map: Liberation Serif (SIL Open Font License 1.1,
//! `fonts/LICENSE-Liberation.txt`; from Debian's fonts-liberation2 2.1.5), metric-compatible
//! with Times New Roman, which the DOCX names, so both files set the same lines. They are
//! part of the binary: nothing is looked up on the system at run time, and every
//! Vietnamese letter is in them.

pub const FAMILY: &str = "Liberation Serif";

pub const REGULAR: &[u8] = include_bytes!("fonts/LiberationSerif-Regular.ttf");
pub const BOLD: &[u8] = include_bytes!("fonts/LiberationSerif-Bold.ttf");
pub const ITALIC: &[u8] = include_bytes!("fonts/LiberationSerif-Italic.ttf");
pub const BOLD_ITALIC: &[u8] = include_bytes!("fonts/LiberationSerif-BoldItalic.ttf");

/// The font a style is set in.
pub fn face(bold: bool, italic: bool) -> &'static [u8] {
    match (bold, italic) {
        (false, false) => REGULAR,
        (true, false) => BOLD,
        (false, true) => ITALIC,
        (true, true) => BOLD_ITALIC,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_face_has_every_vietnamese_letter() {
        let letters = "ĂÂĐÊÔƠƯăâđêôơư\
            àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ\
            ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ–\u{a0}≥";
        for data in [super::REGULAR, super::BOLD, super::ITALIC, super::BOLD_ITALIC] {
            let face = rustybuzz::Face::from_slice(data, 0).expect("a TrueType font");
            for c in letters.chars() {
                assert!(face.glyph_index(c).is_some(), "no glyph for {c:?}");
            }
        }
    }
}
