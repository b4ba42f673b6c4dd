//! Streaming the rows of a query to a client as byte chunks, at the database's pace.
//!
//! The query runs in its own task and writes chunks of about [`CHUNK_BYTES`] into a spill
//! (memory up to [`spill::MEMORY_LIMIT`], then a temporary file) that the response body
//! drains at the client's pace. The query therefore ends, and gives its pool connection
//! back, as soon as PostgreSQL has produced the rows, however slowly the client reads: one
//! statement, so the client gets one consistent snapshot.

use crate::spill::{self, SpillReader};
use crate::store::sql::Sql;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use sqlx::{PgPool, Postgres};

/// Bytes gathered before a chunk goes to the client.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// The chunks of a streamed answer. The first one comes only once [`CHUNK_BYTES`] are
/// ready or the query has ended, so that a failing query can still be answered with an
/// error status by the caller.
pub type Chunks = SpillReader<sqlx::Error>;

/// A turn to run a stream's query (a permit of the caller's limit on concurrent stream
/// queries), given back when the query has read its last row.
pub type Turn = tokio::sync::OwnedSemaphorePermit;

/// Runs `query` in its `turn` and streams `head`, the rows (each written by `write`) and
/// `tail`.
pub fn stream_rows<R, W>(pool: PgPool, turn: Turn, query: Sql, head: Bytes, tail: Bytes, mut write: W) -> Chunks
where
    R: for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres> + Send + Unpin + 'static,
    W: FnMut(R, &mut BytesMut) + Send + 'static,
{
    let (mut out, chunks) = spill::spill(spill::MEMORY_LIMIT);
    tokio::spawn(async move {
        let args = query.arguments();
        let mut rows = sqlx::query_scalar_with::<_, R, _>(&query.text, args).fetch(&pool);
        let mut buf = BytesMut::with_capacity(CHUNK_BYTES + 8 * 1024);
        buf.extend_from_slice(&head);
        while let Some(row) = rows.next().await {
            match row {
                Ok(row) => {
                    write(row, &mut buf);
                    if buf.len() >= CHUNK_BYTES && out.send(buf.split().freeze()).await.is_err() {
                        return; // the client went away, or the spill file failed
                    }
                }
                Err(error) => return out.finish(Err(error)),
            }
        }
        drop(rows); // the connection goes back to the pool now
        drop(turn);
        buf.extend_from_slice(&tail);
        match out.send(buf.freeze()).await {
            Ok(()) => out.finish(Ok(())),
            Err(error) => out.finish(Err(error.into())),
        }
    });
    chunks
}
