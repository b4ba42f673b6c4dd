//! Text decoding for the text formats (GeoJSON, CSV; KML and GPX too, so that a BOM or
//! UTF-16 never reaches an XML parser). UTF-8 is the default; files saved by Vietnamese
//! Windows software are often Windows-1258, which is recognised and named in the error
//! rather than silently decoded: guessing an encoding wrong corrupts every name.
//!
//! `encoding_rs` does the decoding. What it does not do is Unicode composition: Windows-1258
//! writes a tone mark as a separate combining character ("Quy" + U+0300 + "nh"), so the
//! Vietnamese letters are composed here by a small table (no normalisation crate is a
//! dependency, and only these 120 letters matter).

use std::io::{self, BufRead, BufReader, Read};

use encoding_rs::{Decoder, Encoding, UTF_8, UTF_16BE, UTF_16LE};

use super::ReadError;
use super::input::Fault;
use super::utf8::Utf8Checked;

/// Buffer of the text readers: big enough for speed, small next to any file.
pub(crate) const BUFFER_BYTES: usize = 64 * 1024;

/// The text of a file as a stream of UTF-8, whatever it is written in: UTF-8 (a BOM
/// skipped; checked as it flows, see [`Utf8Checked`]), UTF-16 with a BOM, or the encoding
/// the caller names (`encoding_rs` decodes; a BOM wins over the name, as it means to).
/// Decoded text from another encoding stops past `max_decoded` bytes.
pub(crate) fn open<'a>(
    reader: impl Read + 'a,
    encoding: Option<&str>,
    fault: &Fault,
    max_decoded: u64,
) -> Result<Box<dyn BufRead + 'a>, ReadError> {
    let named = match encoding {
        Some(label) => Some(
            Encoding::for_label(label.trim().as_bytes())
                .ok_or_else(|| ReadError::UnknownEncoding { label: label.to_string() })?,
        ),
        None => None,
    };
    let mut reader = BufReader::with_capacity(BUFFER_BYTES, reader);
    if let Some(encoding) = named.filter(|e| *e != UTF_8) {
        let decoded = Decoded::new(reader, encoding.new_decoder(), true, fault.clone(), max_decoded);
        return Ok(Box::new(BufReader::with_capacity(BUFFER_BYTES, decoded)));
    }
    let head = reader.fill_buf().map_err(|e| fault.or(io_error(e)))?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
        return Ok(Box::new(BufReader::with_capacity(BUFFER_BYTES, Utf8Checked::new(reader, 3, fault.clone()))));
    }
    let utf16 = if head.starts_with(b"\xFF\xFE") {
        Some(UTF_16LE)
    } else if head.starts_with(b"\xFE\xFF") {
        Some(UTF_16BE)
    } else {
        None
    };
    if let Some(encoding) = utf16 {
        let decoded = Decoded::new(reader, encoding.new_decoder_with_bom_removal(), false, fault.clone(), max_decoded);
        return Ok(Box::new(BufReader::with_capacity(BUFFER_BYTES, decoded)));
    }
    Ok(Box::new(BufReader::with_capacity(BUFFER_BYTES, Utf8Checked::new(reader, 0, fault.clone()))))
}

/// An I/O error that no guard explains (a disk error), as a read error.
pub(crate) fn io_error(error: io::Error) -> ReadError {
    ReadError::Unreadable { message: error.to_string() }
}

/// Text in another encoding, decoded to UTF-8 as it is read (`encoding_rs`'s streaming
/// decoder), with Vietnamese letters composed (see [`compose_vietnamese`]).
struct Decoded<R> {
    inner: R,
    decoder: Decoder,
    compose: bool,
    raw: Vec<u8>,
    out: Vec<u8>,
    at: usize,
    /// The last character decoded, kept back: its tone mark may come with the next read.
    held: String,
    done: bool,
    produced: u64,
    max: u64,
    fault: Fault,
}

impl<R: Read> Decoded<R> {
    fn new(inner: R, decoder: Decoder, compose: bool, fault: Fault, max: u64) -> Self {
        Decoded {
            inner,
            decoder,
            compose,
            raw: vec![0; BUFFER_BYTES],
            out: Vec::new(),
            at: 0,
            held: String::new(),
            done: false,
            produced: 0,
            max,
            fault,
        }
    }

    /// Decodes the next piece of the file into `out`.
    fn refill(&mut self) -> io::Result<()> {
        let n = self.inner.read(&mut self.raw)?;
        let last = n == 0;
        let mut text = std::mem::take(&mut self.held);
        let room = self.decoder.max_utf8_buffer_length(n).unwrap_or(n.saturating_mul(3).saturating_add(16));
        text.reserve(room);
        let _ = self.decoder.decode_to_string(&self.raw[..n], &mut text, last);
        if self.compose
            && !last
            && let Some((cut, _)) = text.char_indices().last()
        {
            self.held = text.split_off(cut);
        }
        let text = if self.compose { compose_vietnamese(&text) } else { text };
        self.produced += text.len() as u64;
        if self.produced > self.max {
            return Err(self.fault.stop(ReadError::TextTooLarge { max: self.max }));
        }
        self.out = text.into_bytes();
        self.at = 0;
        self.done = last;
        Ok(())
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.out.len() {
            if self.done {
                return Ok(0);
            }
            self.refill()?;
        }
        let rest = &self.out[self.at..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.at += n;
        Ok(n)
    }
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
