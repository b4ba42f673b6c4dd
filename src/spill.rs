//! A one-way buffer between a fast producer and a slow consumer that never makes the producer
//! wait: chunks are kept in memory up to a limit, then appended to a temporary file, and the
//! consumer reads them back in order at its own pace.
//!
//! Streamed layers use it so that PostgreSQL is read at the database's pace, not the
//! client's: with a bounded channel, a client reading at 1 byte/s held its pool connection
//! for as long, and 16 such clients took every connection. Now the query runs to its end
//! as fast as the rows come and gives its connection back; memory stays bounded by the
//! limit per response, and the rest waits on disk.
//!
//! No crate does this (tokio's channels either block the sender or grow without bound),
//! hence these hundred lines: a mutex-guarded queue in memory, then an unnamed temporary
//! file (`tempfile`) written and read at explicit offsets.

use bytes::Bytes;
use std::collections::VecDeque;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

/// Memory kept per spill before chunks go to the temporary file.
pub const MEMORY_LIMIT: usize = 1024 * 1024;
/// The largest chunk read back from the file at once.
const READ_CHUNK: u64 = 64 * 1024;

/// The producer's end.
pub struct SpillWriter<E: From<io::Error>> {
    shared: Arc<Shared<E>>,
    memory_limit: usize,
    finished: bool,
}

/// The consumer's end: [`SpillReader::next`] gives the chunks in order, then the end.
pub struct SpillReader<E: From<io::Error>> {
    shared: Arc<Shared<E>>,
    ended: bool,
}

struct Shared<E> {
    state: Mutex<State<E>>,
    /// Woken when a chunk or the end arrives.
    ready: Notify,
}

struct State<E> {
    memory: VecDeque<Bytes>,
    memory_bytes: usize,
    /// Created on the first chunk that does not fit in memory.
    file: Option<Arc<File>>,
    /// Bytes of the file written and read: the chunks still to read are `read..written`.
    written: u64,
    read: u64,
    /// How the producer ended: `Some(Ok)` after the last chunk, `Some(Err)` on a failure.
    end: Option<Result<(), E>>,
    reader_gone: bool,
}

/// A spill that keeps up to `memory_limit` bytes in memory.
pub fn spill<E: From<io::Error>>(memory_limit: usize) -> (SpillWriter<E>, SpillReader<E>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            memory: VecDeque::new(),
            memory_bytes: 0,
            file: None,
            written: 0,
            read: 0,
            end: None,
            reader_gone: false,
        }),
        ready: Notify::new(),
    });
    (SpillWriter { shared: shared.clone(), memory_limit, finished: false }, SpillReader { shared, ended: false })
}

fn lock<E>(shared: &Shared<E>) -> MutexGuard<'_, State<E>> {
    // A panic while holding the lock leaves consistent counters (every update is one
    // statement), so a poisoned lock is still usable.
    shared.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<E: From<io::Error>> SpillWriter<E> {
    /// Adds a chunk without waiting for the reader: to memory while it has room and no
    /// earlier chunk waits in the file, else to the end of the file. `Err` when the reader
    /// has gone (the client left: stop producing) or the file cannot be written.
    pub async fn send(&mut self, chunk: Bytes) -> io::Result<()> {
        let (file, offset) = {
            let mut state = lock(&self.shared);
            if state.reader_gone {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the reader has gone"));
            }
            if state.read == state.written {
                // Everything in the file was read: the next chunk may go to its start.
                (state.read, state.written) = (0, 0);
                if state.memory_bytes + chunk.len() <= self.memory_limit {
                    state.memory_bytes += chunk.len();
                    state.memory.push_back(chunk);
                    drop(state);
                    self.shared.ready.notify_one();
                    return Ok(());
                }
            }
            (state.file.clone(), state.written)
        };
        let file = match file {
            Some(file) => file,
            None => {
                let file = Arc::new(tokio::task::spawn_blocking(tempfile::tempfile).await.map_err(io::Error::other)??);
                lock(&self.shared).file = Some(file.clone());
                file
            }
        };
        let length = chunk.len() as u64;
        tokio::task::spawn_blocking(move || file.write_all_at(&chunk, offset)).await.map_err(io::Error::other)??;
        lock(&self.shared).written += length;
        self.shared.ready.notify_one();
        Ok(())
    }

    /// Whether the reader has gone.
    pub fn is_closed(&self) -> bool {
        lock(&self.shared).reader_gone
    }

    /// Ends the stream: the reader gets what was sent, then the end (`Ok`) or the error.
    pub fn finish(mut self, result: Result<(), E>) {
        self.end(result);
    }

    fn end(&mut self, result: Result<(), E>) {
        self.finished = true;
        lock(&self.shared).end = Some(result);
        self.shared.ready.notify_one();
    }
}

impl<E: From<io::Error>> Drop for SpillWriter<E> {
    fn drop(&mut self) {
        if !self.finished {
            // A producer that stopped without saying how (a panic): the reader must not
            // take a truncated answer for a whole one.
            self.end(Err(E::from(io::Error::other("the response's producer stopped before its end"))));
        }
    }
}

/// What the reader does next.
enum Next<E> {
    Chunk(Bytes),
    ReadFile(Arc<File>, u64, u64),
    End(Option<E>),
    Wait,
}

impl<E: From<io::Error>> SpillReader<E> {
    /// The next chunk, in the order sent; `None` after the last one; an error once, if the
    /// producer failed.
    pub async fn next(&mut self) -> Option<Result<Bytes, E>> {
        if self.ended {
            return None;
        }
        loop {
            let next = {
                let mut state = lock(&self.shared);
                if let Some(chunk) = state.memory.pop_front() {
                    state.memory_bytes -= chunk.len();
                    Next::Chunk(chunk)
                } else if state.read < state.written {
                    // Bytes past what memory holds were written to the file, which is made
                    // before the first byte goes to it.
                    #[allow(clippy::expect_used)]
                    let file = state.file.clone().expect("a file holds the bytes written to it");
                    Next::ReadFile(file, state.read, (state.written - state.read).min(READ_CHUNK))
                } else if let Some(end) = state.end.take() {
                    Next::End(end.err())
                } else {
                    Next::Wait
                }
            };
            match next {
                Next::Chunk(chunk) => return Some(Ok(chunk)),
                Next::ReadFile(file, offset, length) => {
                    let read = tokio::task::spawn_blocking(move || {
                        let mut buffer = vec![0u8; length as usize];
                        file.read_exact_at(&mut buffer, offset).map(|()| buffer)
                    })
                    .await
                    .map_err(io::Error::other)
                    .and_then(|r| r);
                    return match read {
                        Ok(buffer) => {
                            lock(&self.shared).read += length;
                            Some(Ok(Bytes::from(buffer)))
                        }
                        Err(error) => {
                            self.ended = true;
                            Some(Err(E::from(error)))
                        }
                    };
                }
                Next::End(error) => {
                    self.ended = true;
                    return error.map(Err);
                }
                Next::Wait => self.shared.ready.notified().await,
            }
        }
    }

    /// The chunks as a `Stream`.
    pub fn into_stream(self) -> impl futures_util::Stream<Item = Result<Bytes, E>> + Send + 'static
    where
        E: Send + 'static,
    {
        use futures_util::StreamExt;
        // Fused: a body may be polled again after its end, which `unfold` alone forbids.
        futures_util::stream::unfold(self, |mut reader| async move { reader.next().await.map(|item| (item, reader)) })
            .fuse()
    }

    /// Bytes waiting in memory and in the file (for tests).
    pub fn backlog(&self) -> (usize, u64) {
        let state = lock(&self.shared);
        (state.memory_bytes, state.written - state.read)
    }
}

impl<E: From<io::Error>> Drop for SpillReader<E> {
    fn drop(&mut self) {
        // The file goes with its last handle; the writer stops at its next chunk.
        lock(&self.shared).reader_gone = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(i: u8, len: usize) -> Bytes {
        Bytes::from(vec![i; len])
    }

    /// The bytes of `reader` until `n` have come (chunks read back from the file may join
    /// several chunks that were sent).
    async fn take(reader: &mut SpillReader<io::Error>, n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        while out.len() < n {
            out.extend_from_slice(&reader.next().await.unwrap().unwrap());
        }
        out
    }

    fn sent(range: std::ops::Range<u8>) -> Vec<u8> {
        range.flat_map(|i| chunk(i, 40).to_vec()).collect()
    }

    #[tokio::test]
    async fn chunks_come_back_in_order_from_memory_then_file_then_memory_again() {
        let (mut writer, mut reader) = spill::<io::Error>(100);
        for i in 0..5 {
            writer.send(chunk(i, 40)).await.unwrap(); // 2 fit in memory, 3 go to the file
        }
        assert_eq!(reader.backlog(), (80, 120));
        assert_eq!(take(&mut reader, 200).await, sent(0..5));
        assert_eq!(reader.backlog(), (0, 0));
        // The file is drained: memory is used again, then the file from its start.
        for i in 5..9 {
            writer.send(chunk(i, 40)).await.unwrap();
        }
        assert_eq!(reader.backlog(), (80, 80));
        writer.finish(Ok(()));
        assert_eq!(take(&mut reader, 160).await, sent(5..9));
        assert!(reader.next().await.is_none());
        assert!(reader.next().await.is_none());
    }

    #[tokio::test]
    async fn a_large_file_chunk_is_read_back_in_pieces() {
        let (mut writer, mut reader) = spill::<io::Error>(0);
        let big = Bytes::from((0..200_000u32).map(|i| (i % 251) as u8).collect::<Vec<u8>>());
        writer.send(big.clone()).await.unwrap();
        writer.finish(Ok(()));
        let mut back = Vec::new();
        while let Some(piece) = reader.next().await {
            let piece = piece.unwrap();
            assert!(piece.len() as u64 <= READ_CHUNK);
            back.extend_from_slice(&piece);
        }
        assert_eq!(back, big);
    }

    #[tokio::test]
    async fn the_reader_waits_for_the_writer_and_gets_its_error_after_its_chunks() {
        let (mut writer, mut reader) = spill::<io::Error>(1024);
        let producer = tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            writer.send(chunk(1, 10)).await.unwrap();
            writer.finish(Err(io::Error::other("the query failed")));
        });
        assert_eq!(reader.next().await.unwrap().unwrap(), chunk(1, 10));
        assert_eq!(reader.next().await.unwrap().unwrap_err().to_string(), "the query failed");
        assert!(reader.next().await.is_none());
        producer.await.unwrap();
    }

    #[tokio::test]
    async fn a_writer_dropped_without_finishing_is_an_error_and_a_dropped_reader_stops_the_writer() {
        let (mut writer, mut reader) = spill::<io::Error>(1024);
        writer.send(chunk(1, 10)).await.unwrap();
        drop(writer);
        assert!(reader.next().await.unwrap().is_ok());
        assert!(reader.next().await.unwrap().is_err(), "a truncated stream is not a whole one");

        let (mut writer, reader) = spill::<io::Error>(1024);
        drop(reader);
        assert!(writer.is_closed());
        assert!(writer.send(chunk(1, 10)).await.is_err());
    }
}
