//! Where the importer reads from, and the guards on what it reads.
//!
//! A file to import is an [`Input`]: bytes in memory or a file on disk, read as many times
//! as needed through independent readers (a first pass surveys the file, a second hands
//! its features over; a zipped Shapefile is read at two places at once). Nothing here reads
//! a file whole: readers pull it through small buffers.
//!
//! The guards sit between the bytes and the parsers. When one stops a read (a zip entry
//! unpacking past its budget, a file that stops being UTF-8 (`utf8.rs`), a text of
//! megabytes without markup) it records why in a [`Fault`] and fails the read; the reader
//! then reports that reason rather than the parser's "I/O error".

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::rc::Rc;
use std::sync::Arc;

use super::ReadError;

/// A file to import.
#[derive(Debug, Clone)]
pub enum Input {
    /// Bytes in memory (tests, fuzzing, small files).
    Memory(bytes::Bytes),
    /// A file on disk (an upload spooled to a temporary file, or `kheo import FILE`).
    File { file: Arc<std::fs::File>, len: u64 },
}

impl Input {
    pub fn from_bytes(bytes: impl Into<bytes::Bytes>) -> Input {
        Input::Memory(bytes.into())
    }

    /// The file, read in place.
    pub fn from_file(file: std::fs::File) -> io::Result<Input> {
        let len = file.metadata()?.len();
        Ok(Input::File { file: Arc::new(file), len })
    }

    /// Its size in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Input::Memory(bytes) => bytes.len() as u64,
            Input::File { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A reader from the start, independent of every other reader of the same input.
    pub(crate) fn reader(&self) -> InputReader {
        InputReader { input: self.clone(), position: 0 }
    }
}

/// A reader of an [`Input`] with its own position (files are read with `pread`, so that
/// several readers of one file never move each other).
pub(crate) struct InputReader {
    input: Input,
    position: u64,
}

impl Read for InputReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match &self.input {
            Input::Memory(bytes) => {
                let start = usize::try_from(self.position).unwrap_or(usize::MAX).min(bytes.len());
                let rest = bytes.get(start..).unwrap_or_default();
                let n = rest.len().min(buf.len());
                buf[..n].copy_from_slice(&rest[..n]);
                n
            }
            Input::File { file, len } => {
                if self.position >= *len {
                    0
                } else {
                    std::os::unix::fs::FileExt::read_at(file.as_ref(), buf, self.position)?
                }
            }
        };
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for InputReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.input.len().checked_add_signed(d),
            SeekFrom::Current(d) => self.position.checked_add_signed(d),
        };
        self.position = target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.position)
    }
}

/// Why a guard stopped a read, shared by the guards and the reader of one file (one
/// thread: the readers run on a blocking thread of their own).
#[derive(Clone, Default)]
pub(crate) struct Fault(Rc<RefCell<Option<ReadError>>>);

impl Fault {
    /// Records `error` (the first one wins) and returns the I/O error that stops the parser.
    pub(crate) fn stop(&self, error: ReadError) -> io::Error {
        let mut slot = self.0.borrow_mut();
        if slot.is_none() {
            *slot = Some(error);
        }
        io::Error::other("the read was stopped by a limit")
    }

    /// The recorded reason, if a guard stopped the read.
    pub(crate) fn take(&self) -> Option<ReadError> {
        self.0.borrow_mut().take()
    }

    /// The recorded reason, else `otherwise`.
    pub(crate) fn or(&self, otherwise: ReadError) -> ReadError {
        self.take().unwrap_or(otherwise)
    }
}

/// A `BufRead` that counts lines as its reader consumes bytes (the XML parser reports byte
/// positions; people want lines), and stops a text run (bytes without `<` or `>`) longer
/// than `max_run`: quick-xml buffers a whole text node, and one `<coordinates>` of a
/// hundred megabytes would be held whole.
pub(crate) struct Tracked<R> {
    inner: R,
    fault: Fault,
    entry: String,
    max_run: usize,
    run: usize,
    /// Where a run first went past `max_run`: the next fill fails.
    overrun: Option<u64>,
    consumed: u64,
    newlines: u64,
    /// Byte offsets of the latest newlines, to give the line of a recent position.
    recent: VecDeque<u64>,
}

/// How many newline offsets [`Tracked`] remembers.
const RECENT_NEWLINES: usize = 4096;

impl<R: BufRead> Tracked<R> {
    pub(crate) fn new(inner: R, entry: &str, max_run: usize, fault: Fault) -> Self {
        Tracked {
            inner,
            fault,
            entry: entry.to_string(),
            max_run,
            run: 0,
            overrun: None,
            consumed: 0,
            newlines: 0,
            recent: VecDeque::with_capacity(RECENT_NEWLINES),
        }
    }

    /// The 1-based line and column (in bytes) of a byte position at or before what has
    /// been consumed.
    pub(crate) fn line_column(&self, position: u64) -> (u64, u64) {
        let after = self.recent.iter().rev().take_while(|&&at| at >= position).count() as u64;
        let line = self.newlines - after + 1;
        let line_start = self.recent.iter().rev().find(|&&at| at < position).map_or(0, |at| at + 1);
        (line, position.saturating_sub(line_start) + 1)
    }
}

impl<R: BufRead> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracked<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if let Some(at) = self.overrun {
            let (line, _) = self.line_column(at);
            return Err(self.fault.stop(ReadError::TextTooLong {
                entry: self.entry.clone(),
                line: usize::try_from(line).unwrap_or(usize::MAX),
                max: self.max_run as u64,
            }));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if let Ok(buffered) = self.inner.fill_buf() {
            // `amount` never exceeds what the last fill_buf gave, which is still buffered.
            for (i, &byte) in buffered.iter().take(amount).enumerate() {
                match byte {
                    b'<' | b'>' => self.run = 0,
                    b'\n' => {
                        self.run += 1;
                        self.newlines += 1;
                        if self.recent.len() == RECENT_NEWLINES {
                            self.recent.pop_front();
                        }
                        self.recent.push_back(self.consumed + i as u64);
                    }
                    _ => self.run += 1,
                }
                if self.run > self.max_run && self.overrun.is_none() {
                    self.overrun = Some(self.consumed + i as u64);
                }
            }
        }
        self.consumed += amount as u64;
        self.inner.consume(amount);
    }
}

/// What [`LongValues`] measures: a JSON string, or a CSV cell.
#[derive(Clone, Copy)]
pub(crate) enum Values {
    Json,
    Csv,
}

/// Stops a single value longer than `max` bytes (a JSON string, a CSV cell) as it flows:
/// `serde_json` and the `csv` crate hold a whole value while they read it, and a file of
/// one string would otherwise be held as large as it is (twice, with its copy). A byte-level
/// scan: JSON strings end at an unescaped `"`, CSV cells at a delimiter or a line end
/// outside quotes.
pub(crate) struct LongValues<R> {
    inner: R,
    kind: Values,
    max: usize,
    length: usize,
    inside: bool,
    escaped: bool,
    line: u64,
    entry: String,
    fault: Fault,
}

impl<R: Read> LongValues<R> {
    pub(crate) fn new(inner: R, kind: Values, max: usize, entry: &str, fault: &Fault) -> Self {
        LongValues {
            inner,
            kind,
            max,
            length: 0,
            inside: false,
            escaped: false,
            line: 1,
            entry: entry.to_string(),
            fault: fault.clone(),
        }
    }

    /// Follows one byte; false when the value it belongs to is too long.
    fn step(&mut self, byte: u8) -> bool {
        if byte == b'\n' {
            self.line += 1;
        }
        match self.kind {
            Values::Json if self.inside => {
                if self.escaped {
                    self.escaped = false;
                } else if byte == b'\\' {
                    self.escaped = true;
                } else if byte == b'"' {
                    self.inside = false;
                    return true;
                }
                self.length += 1;
            }
            Values::Json => {
                self.inside = byte == b'"';
                self.length = 0;
            }
            Values::Csv => {
                if byte == b'"' {
                    self.inside = !self.inside;
                }
                if !self.inside && matches!(byte, b',' | b';' | b'\t' | b'\n') {
                    self.length = 0;
                } else {
                    self.length += 1;
                }
            }
        }
        self.length <= self.max
    }
}

impl<R: Read> Read for LongValues<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &byte in &buf[..n] {
            if !self.step(byte) {
                return Err(self.fault.stop(ReadError::TextTooLong {
                    entry: self.entry.clone(),
                    line: usize::try_from(self.line).unwrap_or(usize::MAX),
                    max: self.max as u64,
                }));
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_json_strings_and_csv_cells_are_stopped() {
        let read = |text: &str, kind: Values| {
            let fault = Fault::default();
            let mut out = Vec::new();
            match LongValues::new(text.as_bytes(), kind, 5, "a", &fault).read_to_end(&mut out) {
                Ok(_) => None,
                Err(_) => fault.take(),
            }
        };
        assert!(read(r#"{"ab":"12345","c":[1,2]}"#, Values::Json).is_none());
        assert!(read(r#"{"k":"a\"b"}"#, Values::Json).is_none(), "4 bytes");
        // Were the escaped quote taken for the end, the string would be 2 bytes long.
        assert!(read(r#"{"k":"a\"bcde"}"#, Values::Json).is_some(), "7 bytes");
        assert!(matches!(read("{\n\"a\":\"123456\"}", Values::Json), Some(ReadError::TextTooLong { line: 2, .. })));
        assert!(read("ab;12345\n\"1,2\",x\n", Values::Csv).is_none());
        assert!(matches!(read("a,\"12\n3456\"\n", Values::Csv), Some(ReadError::TextTooLong { line: 2, .. })));
    }

    #[test]
    fn lines_are_counted_and_long_text_runs_stopped() {
        let text = b"<a>\n<b>x</b>\n<c>0123456789</c>\n";
        let fault = Fault::default();
        let mut tracked = Tracked::new(&text[..], "doc.kml", 100, fault.clone());
        let mut all = Vec::new();
        tracked.read_to_end(&mut all).unwrap();
        assert_eq!(tracked.line_column(0), (1, 1));
        assert_eq!(tracked.line_column(5), (2, 2));
        assert_eq!(tracked.line_column(16), (3, 4));
        let mut tracked = Tracked::new(&text[..], "doc.kml", 5, fault.clone());
        assert!(tracked.read_to_end(&mut Vec::new()).is_err());
        assert!(matches!(fault.take(), Some(ReadError::TextTooLong { line: 3, max: 5, .. })));
    }
}
