//! Safe unzipping for KMZ and zipped Shapefiles. The `zip` crate parses the archive; the
//! limits are kheo's: a few kilobytes of deflate can claim gigabytes, and the sizes an
//! archive declares are written by whoever made it. So every entry is read through a
//! budget, and the bytes actually produced are what is counted.
//!
//! Entries are streamed, never unpacked into memory: [`Archive::open`] first inflates every
//! entry once, counting and dropping the bytes, so that a bomb or an archive over its
//! budget is refused before any parser sees it; the readers then stream the entries they
//! need ([`Archive::entry`]), under the same budgets.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use super::input::{Fault, Input, InputReader};
use super::{Limits, ReadError};

/// At most this many entries (a Shapefile needs 3 to 6, a KMZ a document and some icons).
pub const MAX_ENTRIES: usize = 100;
/// Entries up to this size are never called bombs, whatever their ratio (1 MiB).
pub const RATIO_CHECK_ABOVE: u64 = 1024 * 1024;
/// Above [`RATIO_CHECK_ABOVE`], an entry that unpacks to more than this many times its
/// compressed size is a zip bomb.
pub const MAX_RATIO: u64 = 100;

/// An archive, its entries checked against the budgets.
pub(crate) struct Archive {
    zip: zip::ZipArchive<InputReader>,
    input: Input,
    /// The files (not folders), in archive order.
    names: Vec<String>,
    /// Bytes all entries may still unpack to, shared by the readers of this archive.
    left: Rc<Cell<u64>>,
    max: u64,
    fault: Fault,
}

impl Archive {
    /// Opens the archive and inflates every entry once (read and dropped) to check the
    /// entry count, the bomb ratio and the total budget (`limits.max_decoded_bytes`).
    pub(crate) fn open(input: &Input, limits: &Limits, fault: &Fault) -> Result<Archive, ReadError> {
        let mut archive = Archive::parse(input, limits.max_decoded_bytes, fault)?;
        if archive.zip.len() > MAX_ENTRIES {
            return Err(ReadError::TooManyEntries { count: archive.zip.len(), max: MAX_ENTRIES });
        }
        let mut sink = vec![0; 64 * 1024];
        for name in archive.names.clone() {
            let mut entry = archive.entry(&name)?;
            loop {
                match entry.read(&mut sink) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) => return Err(fault.or(malformed(&name, &e))),
                }
            }
        }
        // The readers get the whole budget again: what they read was just counted.
        archive.left.set(archive.max);
        Ok(archive)
    }

    fn parse(input: &Input, max: u64, fault: &Fault) -> Result<Archive, ReadError> {
        let zip = zip::ZipArchive::new(input.reader())
            .map_err(|e| ReadError::MalformedZip { entry: None, message: e.to_string() })?;
        let names = (0..zip.len())
            .filter_map(|i| {
                let name = zip.name_for_index(i)?.map(|n| n.into_owned()).unwrap_or_else(|_| format!("#{}", i + 1));
                (!name.ends_with('/')).then_some(name)
            })
            .collect();
        Ok(Archive { zip, input: input.clone(), names, left: Rc::new(Cell::new(max)), max, fault: fault.clone() })
    }

    /// The same archive, to read a second entry while the first is open (a Shapefile's
    /// geometry and attributes are read side by side); the budget is shared.
    pub(crate) fn again(&self) -> Result<Archive, ReadError> {
        let mut other = Archive::parse(&self.input, self.max, &self.fault)?;
        other.left = self.left.clone();
        Ok(other)
    }

    /// The files in the archive, in its order.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// The names, for error messages.
    pub(crate) fn list(&self) -> String {
        if self.names.is_empty() { "none".into() } else { self.names.join(", ") }
    }

    /// A reader of one entry, within the budgets.
    pub(crate) fn entry(&mut self, name: &str) -> Result<Entry<'_>, ReadError> {
        let file = self
            .zip
            .by_name(name)
            .map_err(|e| ReadError::MalformedZip { entry: Some(name.to_string()), message: e.to_string() })?;
        if file.encrypted() {
            return Err(ReadError::MalformedZip {
                entry: Some(name.to_string()),
                message: "the entry is encrypted".into(),
            });
        }
        let compressed = file.compressed_size();
        Ok(Entry {
            file,
            name: name.to_string(),
            compressed,
            ratio_budget: RATIO_CHECK_ABOVE.max(compressed.saturating_mul(MAX_RATIO)),
            produced: 0,
            left: self.left.clone(),
            max: self.max,
            fault: self.fault.clone(),
        })
    }

    /// A small entry (a .prj, a .cpg, a .shx) whole, refused above `max` bytes.
    pub(crate) fn small(&mut self, name: &str, max: u64) -> Result<Vec<u8>, ReadError> {
        let fault = self.fault.clone();
        let mut data = Vec::new();
        (&mut self.entry(name)?).take(max + 1).read_to_end(&mut data).map_err(|e| fault.or(malformed(name, &e)))?;
        if data.len() as u64 > max {
            return Err(ReadError::TooLarge { entry: name.to_string(), max });
        }
        Ok(data)
    }
}

fn malformed(name: &str, error: &io::Error) -> ReadError {
    ReadError::MalformedZip { entry: Some(name.to_string()), message: error.to_string() }
}

/// One entry being unpacked: what it produces is counted against its ratio and against
/// what the archive may still unpack to.
pub(crate) struct Entry<'a> {
    file: zip::read::ZipFile<'a, InputReader>,
    name: String,
    compressed: u64,
    ratio_budget: u64,
    produced: u64,
    left: Rc<Cell<u64>>,
    max: u64,
    fault: Fault,
}

impl Read for Entry<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf).map_err(|e| self.fault.stop(malformed(&self.name, &e)))?;
        self.produced += n as u64;
        if self.produced > self.ratio_budget {
            return Err(self.fault.stop(ReadError::ZipBomb {
                entry: self.name.clone(),
                compressed: self.compressed,
                ratio: MAX_RATIO,
            }));
        }
        match self.left.get().checked_sub(n as u64) {
            Some(left) => self.left.set(left),
            None => return Err(self.fault.stop(ReadError::TooLarge { entry: self.name.clone(), max: self.max })),
        }
        Ok(n)
    }
}
