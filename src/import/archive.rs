//! Safe unzipping for KMZ and zipped Shapefiles. The `zip` crate parses the archive; the
//! limits are kheo's: a few kilobytes of deflate can claim gigabytes, and the sizes an
//! archive declares are written by whoever made it. So every entry is read through
//! `take` with a budget, and the bytes actually produced are what is counted.

use std::io::{Cursor, Read};

use super::ReadError;

/// At most this many entries (a Shapefile needs 3 to 6, a KMZ a document and some icons).
pub const MAX_ENTRIES: usize = 100;
/// At most this many bytes unpacked, all entries together (200 MiB).
pub const MAX_TOTAL_UNCOMPRESSED: u64 = 200 * 1024 * 1024;
/// Entries up to this size are never called bombs, whatever their ratio (1 MiB).
pub const RATIO_CHECK_ABOVE: u64 = 1024 * 1024;
/// Above [`RATIO_CHECK_ABOVE`], an entry that unpacks to more than this many times its
/// compressed size is a zip bomb.
pub const MAX_RATIO: u64 = 100;

/// One unpacked file.
pub(crate) struct Entry {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Unpacks every file of an archive (directories skipped), within the limits above.
pub(crate) fn unzip(bytes: &[u8]) -> Result<Vec<Entry>, ReadError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ReadError::MalformedZip { entry: None, message: e.to_string() })?;
    if archive.len() > MAX_ENTRIES {
        return Err(ReadError::TooManyEntries { count: archive.len(), max: MAX_ENTRIES });
    }
    let mut total: u64 = 0;
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .map_err(|e| ReadError::MalformedZip { entry: Some(format!("#{}", i + 1)), message: e.to_string() })?;
        let name = file.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("#{}", i + 1));
        if file.is_dir() {
            continue;
        }
        if file.encrypted() {
            return Err(ReadError::MalformedZip { entry: Some(name), message: "the entry is encrypted".into() });
        }
        // Read at most one byte past what either limit allows: reading that byte proves the
        // limit is exceeded without unpacking the rest.
        let compressed = file.compressed_size();
        let ratio_budget = RATIO_CHECK_ABOVE.max(compressed.saturating_mul(MAX_RATIO));
        let total_budget = MAX_TOTAL_UNCOMPRESSED - total;
        let budget = ratio_budget.min(total_budget);
        let mut data = Vec::new();
        (&mut file)
            .take(budget + 1)
            .read_to_end(&mut data)
            .map_err(|e| ReadError::MalformedZip { entry: Some(name.clone()), message: e.to_string() })?;
        let produced = data.len() as u64;
        if produced > ratio_budget {
            return Err(ReadError::ZipBomb { entry: name, compressed, ratio: MAX_RATIO });
        }
        if produced > total_budget {
            return Err(ReadError::TooLarge { entry: name, max: MAX_TOTAL_UNCOMPRESSED });
        }
        total += produced;
        entries.push(Entry { name, bytes: data });
    }
    Ok(entries)
}

/// The names of the entries, for error messages.
pub(crate) fn list(entries: &[Entry]) -> String {
    if entries.is_empty() {
        return "none".into();
    }
    entries.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", ")
}
