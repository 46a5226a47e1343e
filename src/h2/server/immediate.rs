//! Answering an [`Immediate`](crate::http::Immediate) route on the reader thread itself.
//!
//! Handing a request to a handler thread and back costs two thread wake-ups, which is
//! far more than a small answer from memory: under h2load most of the server's time
//! went there. A handler that never waits can run right where the request was read; its
//! frames join the reader's batch and leave in the same write (nghttpd, nghttp2's own
//! server, answers every request this way, from one event loop).
//!
//! The one thing the reader must never do is wait for flow-control credit: only the
//! reader can receive the WINDOW_UPDATE that would end the wait. So the response goes
//! out as far as the peer's windows allow, and a handler thread sends the rest.

use std::sync::Arc;

use super::pool::{Job, reset_unless_ended};
use super::state::Conn;
use super::wire::StreamWire;
use crate::http::{BodySize, Handled, Headers, Hijacked, Request, Router, Wire, handle};

/// Runs the handler for `request` on this thread; returns the job that finishes the
/// response if the peer's windows did not admit all of it.
pub(crate) fn answer(
    conn: &Arc<Conn>,
    router: &Router,
    stream: u32,
    mut request: Request,
) -> Option<Job> {
    let head_only = request.method == "HEAD";
    let mut wire = WithoutWaiting {
        stream: StreamWire::new(conn.clone(), stream, head_only),
        rest: Vec::new(),
    };
    let outcome = handle(router, &mut request, &mut wire);
    let complete = matches!(outcome, Ok(Handled::Complete | Handled::Replaced));
    if complete && !wire.rest.is_empty() {
        return Some(Job::Rest {
            wire: wire.stream,
            body: wire.rest,
        });
    }
    reset_unless_ended(conn, stream, outcome, wire.stream.ended());
    None
}

/// A stream's write side that never waits: body bytes beyond the send windows are kept.
struct WithoutWaiting {
    stream: StreamWire,
    /// Body bytes still to send, in order; once there are any, later bytes queue here too.
    rest: Vec<u8>,
}

impl Wire for WithoutWaiting {
    fn send_head(&mut self, status: u16, headers: &Headers, size: BodySize) -> std::io::Result<()> {
        self.stream.send_head(status, headers, size)
    }

    fn send_body(&mut self, data: &[u8]) -> std::io::Result<()> {
        let sent = match self.rest.is_empty() {
            true => self.stream.send_now(data)?,
            false => 0,
        };
        self.rest.extend_from_slice(&data[sent..]);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(()) // the reader writes everything at the end of its batch
    }

    fn finish(&mut self) -> std::io::Result<()> {
        match self.rest.is_empty() {
            true => self.stream.finish(),
            false => Ok(()), // the handler thread that sends the rest ends the stream
        }
    }

    fn hijack(&mut self) -> Option<Hijacked> {
        None
    }
}
