//! XML as a stream of events, for the KML and GPX readers: quick-xml (which the `kml` crate
//! is built on) pulls one event at a time from a buffered reader, so a document of any size
//! is read in the memory of its largest element. Around it: DOCTYPE and entity
//! declarations refused as soon as they appear (XXE, "billion laughs"; KML and GPX never
//! need them), nesting limited, and every error placed at its line.

use std::io::BufRead;

use quick_xml::events::{BytesRef, BytesStart, Event};

use super::input::{Fault, Tracked};
use super::{Format, ReadError};

/// The deepest XML nesting accepted: real KML nests a dozen levels, and the `kml` crate,
/// which reads each Placemark, parses recursively.
pub(crate) const MAX_DEPTH: usize = 100;

/// The longest text without markup (one text node), in bytes: a geometry of
/// [`crate::model::limits::MAX_VERTICES`] vertices, written at full precision with
/// altitudes, takes some 3 MB. quick-xml holds a text node whole, and the stream hands it
/// over as an owned event: two copies at most.
pub(crate) const MAX_TEXT_RUN: usize = 8 * 1024 * 1024;

/// An XML document read one event at a time.
pub(crate) struct XmlStream<'a> {
    reader: quick_xml::Reader<Tracked<Box<dyn BufRead + 'a>>>,
    buf: Vec<u8>,
    entry: String,
    format: Format,
    fault: Fault,
    /// The local names of the open elements, outermost first.
    open: Vec<Vec<u8>>,
}

/// The local name of an element (`kml:Placemark` -> `Placemark`).
pub(crate) fn local(start: &BytesStart) -> Vec<u8> {
    start.local_name().as_ref().to_vec()
}

impl<'a> XmlStream<'a> {
    pub(crate) fn new(entry: &str, format: Format, text: Box<dyn BufRead + 'a>, fault: &Fault) -> XmlStream<'a> {
        let mut reader = quick_xml::Reader::from_reader(Tracked::new(text, entry, MAX_TEXT_RUN, fault.clone()));
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        XmlStream { reader, buf: Vec::new(), entry: entry.to_string(), format, fault: fault.clone(), open: Vec::new() }
    }

    /// The next event, owned. The open elements are tracked (and their depth limited), a
    /// DOCTYPE is refused, and an element left open at the end of the file is an error.
    pub(crate) fn next(&mut self) -> Result<Event<'static>, ReadError> {
        self.buf.clear();
        let event = match self.reader.read_event_into(&mut self.buf) {
            Ok(event) => event.into_owned(),
            Err(error) => return Err(self.parser_error(&error)),
        };
        match &event {
            Event::Start(start) => {
                self.open.push(local(start));
                if self.open.len() > MAX_DEPTH {
                    return Err(self.error(format!("elements are nested more than {MAX_DEPTH} deep")));
                }
            }
            Event::End(_) => {
                self.open.pop();
            }
            Event::DocType(_) => {
                let (line, _) = self.reader.get_ref().line_column(self.reader.buffer_position());
                return Err(ReadError::XmlEntities {
                    entry: self.entry.clone(),
                    line: usize::try_from(line).unwrap_or(usize::MAX),
                });
            }
            Event::Eof => {
                if let Some(open) = self.open.last() {
                    let message = format!("<{}> is never closed (the file ends first)", String::from_utf8_lossy(open));
                    return Err(self.error(message));
                }
            }
            _ => {}
        }
        Ok(event)
    }

    /// How many elements are open (1 inside the root element).
    pub(crate) fn depth(&self) -> usize {
        self.open.len()
    }

    /// The local name of the element around the current one.
    pub(crate) fn parent(&self) -> Option<&[u8]> {
        self.open.len().checked_sub(2).and_then(|i| self.open.get(i)).map(Vec::as_slice)
    }

    /// The text inside the element just started, up to its end (child elements skipped,
    /// their text included), entities resolved.
    pub(crate) fn text(&mut self) -> Result<String, ReadError> {
        let depth = self.depth();
        let mut text = String::new();
        loop {
            match self.next()? {
                Event::Text(t) => text.push_str(&t.decode().map_err(|e| self.error(e.to_string()))?),
                Event::CData(c) => text.push_str(&c.decode().map_err(|e| self.error(e.to_string()))?),
                Event::GeneralRef(r) => text.push_str(&self.entity(&r)?),
                Event::End(_) if self.depth() < depth => return Ok(text),
                _ => {}
            }
        }
    }

    /// Skips the rest of the element just started.
    pub(crate) fn skip(&mut self) -> Result<(), ReadError> {
        let depth = self.depth();
        loop {
            if let Event::End(_) = self.next()?
                && self.depth() < depth
            {
                return Ok(());
            }
        }
    }

    /// `&amp;`, `&#233;`... as text; an entity XML does not define stays as written.
    fn entity(&self, reference: &BytesRef) -> Result<String, ReadError> {
        if let Some(c) = reference.resolve_char_ref().map_err(|e| self.error(e.to_string()))? {
            return Ok(c.to_string());
        }
        let name = reference.decode().map_err(|e| self.error(e.to_string()))?;
        Ok(quick_xml::escape::resolve_predefined_entity(&name).map_or_else(|| format!("&{name};"), str::to_string))
    }

    /// An error at the current position.
    pub(crate) fn error(&self, message: String) -> ReadError {
        self.error_at(self.reader.buffer_position(), message)
    }

    fn error_at(&self, position: u64, message: String) -> ReadError {
        let (line, column) = self.reader.get_ref().line_column(position);
        ReadError::MalformedXml {
            entry: self.entry.clone(),
            format: self.format,
            position: format!("at line {line}, column {column}"),
            message,
        }
    }

    fn parser_error(&self, error: &quick_xml::Error) -> ReadError {
        if let quick_xml::Error::Io(_) = error
            && let Some(reason) = self.fault.take()
        {
            return reason;
        }
        self.error_at(self.reader.error_position(), error.to_string())
    }
}
