//! The response writer a handler fills: Go's `http.ResponseWriter`, `Flusher` and `Hijacker`.
//!
//! A handler sets a status and headers, then writes the body with `write!`. Nothing
//! reaches the client until the handler returns (the body then goes out with a
//! `Content-Length`) or calls [`flush`](std::io::Write::flush): from then on the body is
//! streamed, chunk by chunk, and every `flush` sends what was written so far.

use std::io::{self, Write};
use std::net::TcpStream;

use super::Headers;

/// Body bytes buffered before they are sent as a chunk without waiting for a flush.
const STREAM_BUFFER: usize = 64 * 1024;

/// How the body of a response is delimited on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodySize {
    /// The whole body is known: `Content-Length`.
    Known(usize),
    /// The body is streamed as it is written; its end is signalled by the protocol.
    Streamed,
}

/// What a response is written onto: an HTTP/1.1 connection or an HTTP/2 stream.
pub(crate) trait Wire {
    /// Sends the status line and header fields.
    fn send_head(&mut self, status: u16, headers: &Headers, size: BodySize) -> io::Result<()>;
    /// Sends part of the body.
    fn send_body(&mut self, data: &[u8]) -> io::Result<()>;
    /// Pushes everything sent so far out to the peer.
    fn flush(&mut self) -> io::Result<()>;
    /// Ends the body.
    fn finish(&mut self) -> io::Result<()>;
    /// Hands the raw connection over, if this protocol allows it.
    fn hijack(&mut self) -> Option<Hijacked>;
}

/// A connection taken over by a handler (Go's `Hijack()`): the socket and any bytes
/// the server had already read past the request head.
#[derive(Debug)]
pub struct Hijacked {
    /// The socket, with no timeouts set.
    pub stream: TcpStream,
    /// Bytes the client sent after the request, already read by the server.
    pub read_ahead: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Progress {
    /// Nothing sent yet: status and headers may change.
    Buffering,
    /// The head is sent and the body is being streamed.
    Streaming,
    /// The body has ended.
    Finished,
    /// A handler took the connection.
    Hijacked,
}

/// A response under construction; see the module documentation.
pub struct Response<'w> {
    status: u16,
    headers: Headers,
    body: Vec<u8>,
    progress: Progress,
    head_only: bool,
    wire: &'w mut dyn Wire,
}

impl<'w> Response<'w> {
    pub(crate) fn new(wire: &'w mut dyn Wire, head_only: bool) -> Self {
        Self {
            status: 200,
            headers: Headers::new(),
            body: Vec::new(),
            progress: Progress::Buffering,
            head_only,
            wire,
        }
    }

    /// Sets the status code (200 unless set); has no effect once the head is sent.
    pub fn set_status(&mut self, status: u16) -> &mut Self {
        self.status = status;
        self
    }

    /// The status code that is or will be sent.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Sets a header field, replacing earlier values (Go's `Header().Set`).
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.headers.set(name, value);
        self
    }

    /// The header fields, to read or change before the head is sent.
    pub fn headers_mut(&mut self) -> &mut Headers {
        &mut self.headers
    }

    /// True once the status line and headers have gone out.
    pub fn head_sent(&self) -> bool {
        self.progress != Progress::Buffering
    }

    /// Sends a whole response in one call: status, content type and body.
    pub fn send(&mut self, status: u16, content_type: &str, body: &[u8]) -> io::Result<()> {
        self.set_status(status)
            .set_header("Content-Type", content_type);
        self.write_all(body)
    }

    /// Takes the connection over (Go's `Hijacker`): the server will not touch it again.
    /// `None` when the head was already sent or the protocol cannot hand it over.
    pub fn hijack(&mut self) -> Option<Hijacked> {
        if self.progress != Progress::Buffering {
            return None;
        }
        let hijacked = self.wire.hijack()?;
        self.progress = Progress::Hijacked;
        Some(hijacked)
    }

    /// True if a handler took the connection.
    pub(crate) fn is_hijacked(&self) -> bool {
        self.progress == Progress::Hijacked
    }

    /// Completes the response after the handler returns.
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        match self.progress {
            Progress::Buffering => {
                let size = BodySize::Known(self.body.len());
                self.wire.send_head(self.status, &self.headers, size)?;
                if !self.head_only && has_body(self.status) {
                    self.wire.send_body(&self.body)?;
                }
            }
            Progress::Streaming => self.send_buffered()?,
            Progress::Finished | Progress::Hijacked => return Ok(()),
        }
        self.progress = Progress::Finished;
        self.wire.finish()?;
        self.wire.flush()
    }

    fn start_streaming(&mut self) -> io::Result<()> {
        if self.progress == Progress::Buffering {
            self.wire
                .send_head(self.status, &self.headers, BodySize::Streamed)?;
            self.progress = Progress::Streaming;
        }
        Ok(())
    }

    fn send_buffered(&mut self) -> io::Result<()> {
        if !self.head_only && has_body(self.status) && !self.body.is_empty() {
            self.wire.send_body(&self.body)?;
        }
        self.body.clear();
        Ok(())
    }
}

// ANCHOR: write
impl Write for Response<'_> {
    /// Buffers body bytes; a large body starts streaming without waiting for a flush.
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self.progress {
            Progress::Finished | Progress::Hijacked => {
                return Err(io::Error::other("response already finished"));
            }
            Progress::Streaming if self.body.len() + data.len() > STREAM_BUFFER => {
                self.send_buffered()?;
            }
            _ => {}
        }
        self.body.extend_from_slice(data);
        Ok(data.len())
    }

    /// Go's `Flusher.Flush()`: sends the head if needed and everything written so far.
    fn flush(&mut self) -> io::Result<()> {
        match self.progress {
            Progress::Finished | Progress::Hijacked => return Ok(()),
            _ => {}
        }
        self.start_streaming()?;
        self.send_buffered()?;
        self.wire.flush()
    }
}
// ANCHOR_END: write

/// False for the statuses that never carry a body (RFC 9110 §6.4.1).
pub(crate) fn has_body(status: u16) -> bool {
    !(matches!(status, 100..=199 | 204 | 304))
}
