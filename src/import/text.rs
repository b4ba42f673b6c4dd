//! Text decoding for the text formats (GeoJSON, CSV; KML and GPX too, so that a BOM or
//! UTF-16 never reaches an XML parser). UTF-8 is the default; files saved by Vietnamese
//! Windows software are often Windows-1258, which is recognised and named in the error
//! rather than silently decoded: guessing an encoding wrong corrupts every name.
//!
//! `encoding_rs` does the decoding. What it does not do is Unicode composition: Windows-1258
//! writes a tone mark as a separate combining character ("Quy" + U+0300 + "nh"), so the
//! Vietnamese letters are composed here by a small table (no normalisation crate is a
//! dependency, and only these 120 letters matter).

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1258};

use super::{NotUtf8, ReadError, ReadOptions, line_of};

/// Decodes a whole text file according to `options.encoding` (UTF-8 when `None`).
pub(crate) fn decode<'a>(bytes: &'a [u8], options: &ReadOptions) -> Result<Cow<'a, str>, ReadError> {
    if let Some(label) = options.encoding.as_deref() {
        let encoding = Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| ReadError::UnknownEncoding { label: label.to_string() })?;
        if encoding != UTF_8 {
            // `decode` honours a BOM over the label, which is what a BOM means.
            let (text, _, _) = encoding.decode(bytes);
            return Ok(match text {
                Cow::Borrowed(s) => Cow::Borrowed(s),
                Cow::Owned(s) => Cow::Owned(compose_vietnamese(&s)),
            });
        }
    }
    decode_default(bytes)
}

/// UTF-8 (BOM stripped) or UTF-16 with a BOM; anything else is a `not_utf8` error.
pub(crate) fn decode_default(bytes: &[u8]) -> Result<Cow<'_, str>, ReadError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest, 3);
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return Ok(Cow::Owned(UTF_16LE.decode_with_bom_removal(bytes).0.into_owned()));
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Ok(Cow::Owned(UTF_16BE.decode_with_bom_removal(bytes).0.into_owned()));
    }
    utf8(bytes, 0)
}

fn utf8(bytes: &[u8], skipped: usize) -> Result<Cow<'_, str>, ReadError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(e) => {
            let offset = e.valid_up_to();
            Err(ReadError::NotUtf8(NotUtf8 {
                offset: offset + skipped,
                line: line_of(bytes, offset),
                looks_like_windows_1258: looks_like_windows_1258(bytes),
            }))
        }
    }
}

/// True when the bytes read as Windows-1258 give Vietnamese letters (ă â đ ê ô ơ ư or a
/// combining tone mark), which a Western or a random binary file rarely does.
fn looks_like_windows_1258(bytes: &[u8]) -> bool {
    let (text, _, _) = WINDOWS_1258.decode(bytes);
    text.chars()
        .any(|c| "ăâđêôơưĂÂĐÊÔƠƯ".contains(c) || matches!(c, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}'))
}

/// Decodes only the start of a file, for format sniffing; never fails.
pub(crate) fn sniff_prefix(bytes: &[u8], max: usize) -> String {
    let head = &bytes[..bytes.len().min(max)];
    if head.starts_with(b"\xFF\xFE") {
        return UTF_16LE.decode_with_bom_removal(head).0.into_owned();
    }
    if head.starts_with(b"\xFE\xFF") {
        return UTF_16BE.decode_with_bom_removal(head).0.into_owned();
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    String::from_utf8_lossy(head).into_owned()
}

/// Decodes bytes with a named encoding (a DBF's .cpg), composing Vietnamese letters.
pub(crate) fn decode_with(encoding: &'static Encoding, bytes: &[u8]) -> String {
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    if encoding == UTF_8 { text.into_owned() } else { compose_vietnamese(&text) }
}

const BASES: &str = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY";
const GRAVE: &str = "àằầèềìòồờùừỳÀẰẦÈỀÌÒỒỜÙỪỲ";
const ACUTE: &str = "áắấéếíóốớúứýÁẮẤÉẾÍÓỐỚÚỨÝ";
const TILDE: &str = "ãẵẫẽễĩõỗỡũữỹÃẴẪẼỄĨÕỖỠŨỮỸ";
const HOOK: &str = "ảẳẩẻểỉỏổởủửỷẢẲẨẺỂỈỎỔỞỦỬỶ";
const DOT_BELOW: &str = "ạặậẹệịọộợụựỵẠẶẬẸỆỊỌỘỢỤỰỴ";

/// Composes a Vietnamese vowel followed by a combining tone mark into the single letter
/// (NFC) that UTF-8 text uses, so "Quỳnh" from Windows-1258 equals "Quỳnh" typed in UTF-8.
pub(crate) fn compose_vietnamese(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if let (Some(base), Some(&mark)) = (BASES.chars().position(|b| b == c), chars.peek()) {
            let table = match mark {
                '\u{300}' => Some(GRAVE),
                '\u{301}' => Some(ACUTE),
                '\u{303}' => Some(TILDE),
                '\u{309}' => Some(HOOK),
                '\u{323}' => Some(DOT_BELOW),
                _ => None,
            };
            if let Some(composed) = table.and_then(|t| t.chars().nth(base)) {
                out.push(composed);
                chars.next();
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Lowercase ASCII without Vietnamese diacritics, spaces and dashes as `_`: how column
/// names are compared ("Kinh độ" and "kinh_do" are the same column).
pub(crate) fn fold_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        let base = [GRAVE, ACUTE, TILDE, HOOK, DOT_BELOW]
            .iter()
            .find_map(|t| t.chars().position(|x| x == c))
            .and_then(|i| BASES.chars().nth(i))
            .unwrap_or(c);
        let plain = match base {
            'ă' | 'â' | 'Ă' | 'Â' => 'a',
            'ê' | 'Ê' => 'e',
            'ô' | 'ơ' | 'Ô' | 'Ơ' => 'o',
            'ư' | 'Ư' => 'u',
            'đ' | 'Đ' => 'd',
            ' ' | '-' => '_',
            other => other,
        };
        out.extend(plain.to_lowercase());
    }
    out
}
