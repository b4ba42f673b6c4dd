//! The UTF-8 check of the text formats, made as the bytes flow so that a file is never
//! held whole: the first byte that is not UTF-8 stops the read with where it is (byte and
//! line) and whether the file looks like Windows-1258, the encoding that Vietnamese Windows
//! software often saves in.

use std::io::{self, Read};

use encoding_rs::WINDOWS_1258;

use super::input::Fault;
use super::{NotUtf8, ReadError};

/// Passes UTF-8 through, and stops at the first byte that is not UTF-8 with a
/// [`ReadError::NotUtf8`] saying where (byte and line), and whether the bytes look like
/// Windows-1258. Checked as the bytes flow, so the file is never held whole.
pub(crate) struct Utf8Checked<R> {
    inner: R,
    fault: Fault,
    /// Bytes before the first one read (a BOM that was skipped).
    offset: u64,
    newlines: u64,
    /// The start of a character cut by the end of the last read.
    pending: Vec<u8>,
}

impl<R: Read> Utf8Checked<R> {
    pub(crate) fn new(inner: R, skipped: u64, fault: Fault) -> Self {
        Utf8Checked { inner, fault, offset: skipped, newlines: 0, pending: Vec::new() }
    }

    fn fail(&self, at: usize, chunk: &[u8]) -> io::Error {
        let before = chunk.get(..at).unwrap_or(chunk);
        let line = self.newlines + before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let offset = self.offset + at as u64;
        self.fault.stop(ReadError::NotUtf8(NotUtf8 {
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
            line: usize::try_from(line).unwrap_or(usize::MAX),
            looks_like_windows_1258: looks_like_windows_1258(chunk),
        }))
    }
}

/// The length of the UTF-8 sequence that `first` starts; 0 when it starts none.
fn sequence_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 0,
    }
}

impl<R: Read> Read for Utf8Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        if n == 0 {
            if !self.pending.is_empty() {
                let pending = std::mem::take(&mut self.pending);
                self.offset -= pending.len() as u64;
                return Err(self.fail(0, &pending));
            }
            return Ok(0);
        }
        // Finish a character that the last read cut.
        let mut start = 0;
        if let Some(&first) = self.pending.first() {
            let missing = sequence_len(first).saturating_sub(self.pending.len()).min(n);
            self.pending.extend_from_slice(&chunk[..missing]);
            start = missing;
            if self.pending.len() == sequence_len(first) {
                if std::str::from_utf8(&self.pending).is_err() {
                    let pending = std::mem::take(&mut self.pending);
                    self.offset -= (pending.len() - missing) as u64;
                    return Err(self.fail(0, &pending));
                }
                self.pending.clear();
            } else {
                self.offset += n as u64;
                return Ok(n);
            }
        }
        let rest = &chunk[start..];
        match std::str::from_utf8(rest) {
            Ok(_) => {}
            // A character cut by the end of the buffer: checked with the next read.
            Err(e) if e.error_len().is_none() => self.pending.extend_from_slice(&rest[e.valid_up_to()..]),
            Err(e) => {
                self.offset += start as u64;
                return Err(self.fail(e.valid_up_to(), rest));
            }
        }
        self.newlines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset += n as u64;
        Ok(n)
    }
}

/// True when the bytes read as Windows-1258 give Vietnamese letters (ă â đ ê ô ơ ư or a
/// combining tone mark), which a Western or a random binary file rarely does.
pub(crate) fn looks_like_windows_1258(bytes: &[u8]) -> bool {
    let (text, _, _) = WINDOWS_1258.decode(bytes);
    text.chars()
        .any(|c| "ăâđêôơưĂÂĐÊÔƠƯ".contains(c) || matches!(c, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8], chunk: usize) -> Result<Vec<u8>, ReadError> {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let fault = Fault::default();
        let mut out = Vec::new();
        match Utf8Checked::new(Chunks(bytes, chunk), 0, fault.clone()).read_to_end(&mut out) {
            Ok(_) => Ok(out),
            Err(e) => Err(fault.or(ReadError::MalformedCsv { line: 0, message: e.to_string() })),
        }
    }

    #[test]
    fn utf8_is_checked_across_reads_of_any_size() {
        let text = "Đường Quỳnh Xuân\nNgõ 5 🛣 tổ 3\n".as_bytes();
        for chunk in 1..8 {
            assert_eq!(read_all(text, chunk).unwrap(), text, "chunks of {chunk}");
        }
        let mut bad = text.to_vec();
        bad.insert(24, 0xE0); // a lone lead byte at the start of line 2 (byte 24)
        for chunk in 1..8 {
            match read_all(&bad, chunk) {
                Err(ReadError::NotUtf8(e)) => assert_eq!((e.offset, e.line), (24, 2), "chunks of {chunk}"),
                other => panic!("chunks of {chunk}: {other:?}"),
            }
        }
        // The first byte of "Đ" (2 bytes) alone: a character cut by the end of the file.
        assert!(matches!(read_all(&text[..1], 4), Err(ReadError::NotUtf8(_))));
    }
}
