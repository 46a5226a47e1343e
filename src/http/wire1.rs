//! HTTP/1.1 response framing (RFC 9112): status line, headers, Content-Length or chunked.

use std::io::{self, Write};
use std::time::{Duration, Instant, SystemTime};

use super::chunked::{write_chunk, write_last_chunk};
use super::input::Input;
use super::response::{BodySize, Hijacked, Wire, has_body};
use super::{Headers, Version, reason};

/// Body writes at least this large skip the output buffer and go straight to the socket.
const DIRECT_WRITE: usize = 16 * 1024;
/// How often a streaming flush looks for a closed peer (three system calls on TCP).
/// Flushes closer together skip the look: at that pace a write to a departed client
/// fails within a few events anyway.
const PEER_CHECK_EVERY: Duration = Duration::from_millis(10);

/// A response being written onto an HTTP/1.1 connection.
pub(crate) struct Http1Wire<'c> {
    pub(crate) input: &'c mut Input,
    pub(crate) out: &'c mut Vec<u8>,
    pub(crate) version: Version,
    pub(crate) head_only: bool,
    /// Whether the connection may serve another request after this response.
    pub(crate) keep_alive: bool,
    chunked: bool,
    /// When `flush` last looked for a closed peer.
    peer_checked: Option<Instant>,
}

impl<'c> Http1Wire<'c> {
    pub(crate) fn new(
        input: &'c mut Input,
        out: &'c mut Vec<u8>,
        version: Version,
        head_only: bool,
        keep_alive: bool,
    ) -> Self {
        Self {
            input,
            out,
            version,
            head_only,
            keep_alive,
            chunked: false,
            peer_checked: None,
        }
    }
}

impl Http1Wire<'_> {
    /// True at the first flush, then at most once per [`PEER_CHECK_EVERY`].
    fn peer_check_due(&mut self) -> bool {
        let now = Instant::now();
        let due = self
            .peer_checked
            .is_none_or(|at| now.duration_since(at) >= PEER_CHECK_EVERY);
        if due {
            self.peer_checked = Some(now);
        }
        due
    }
}

impl Wire for Http1Wire<'_> {
    fn send_head(&mut self, status: u16, headers: &Headers, size: BodySize) -> io::Result<()> {
        if headers.has_token("connection", "close") {
            self.keep_alive = false;
        }
        let out = &mut *self.out;
        write!(
            out,
            "{} {} {}\r\n",
            Version::Http11.as_str(),
            status,
            reason(status)
        )?;
        for (name, value) in headers.iter() {
            if !is_framing(name) {
                write!(out, "{name}: {value}\r\n")?;
            }
        }
        if !headers.contains("date") {
            write!(
                out,
                "Date: {}\r\n",
                httpdate::fmt_http_date(SystemTime::now())
            )?;
        }
        match size {
            _ if !has_body(status) => {}
            BodySize::Known(len) => write!(out, "Content-Length: {len}\r\n")?,
            BodySize::Streamed if self.version == Version::Http11 => {
                out.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
                self.chunked = true;
            }
            // An HTTP/1.0 client cannot read chunks: the body ends when the connection does.
            BodySize::Streamed => self.keep_alive = false,
        }
        match (self.keep_alive, self.version) {
            (false, _) => out.extend_from_slice(b"Connection: close\r\n"),
            (true, Version::Http10) => out.extend_from_slice(b"Connection: keep-alive\r\n"),
            (true, _) => {}
        }
        out.extend_from_slice(b"\r\n");
        Ok(())
    }

    fn send_body(&mut self, data: &[u8]) -> io::Result<()> {
        if self.head_only {
            return Ok(());
        }
        if data.len() >= DIRECT_WRITE {
            self.flush()?;
            let mut stream = self.input.stream();
            if self.chunked {
                write_chunk(&mut stream, data)?;
            } else {
                stream.write_all(data)?;
            }
            return stream.flush();
        }
        if self.chunked {
            write_chunk(self.out, data)
        } else {
            self.out.extend_from_slice(data);
            Ok(())
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        // A streaming handler learns that the client left at its next flush (Go's
        // `r.Context().Done()`), not one write later, when TCP reports the reset.
        if self.chunked && self.peer_check_due() && self.input.stream().peer_closed() {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "client closed the connection",
            ));
        }
        if !self.out.is_empty() {
            self.input.send(self.out)?;
            self.out.clear();
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        if self.chunked && !self.head_only {
            write_last_chunk(self.out)?;
        }
        Ok(())
    }

    fn hijack(&mut self) -> Option<Hijacked> {
        let stream = self.input.stream().hijack()?;
        stream.set_read_timeout(None).ok()?;
        stream.set_write_timeout(None).ok()?;
        self.keep_alive = false;
        // Nothing more is written through this wire: give its buffer back.
        *self.out = Vec::new();
        Some(Hijacked {
            stream,
            read_ahead: self.input.take_buffered(),
        })
    }
}

/// Fields the wire writes itself, so a handler's values for them are not copied.
fn is_framing(name: &str) -> bool {
    ["content-length", "transfer-encoding", "connection"]
        .iter()
        .any(|f| f.eq_ignore_ascii_case(name))
}
