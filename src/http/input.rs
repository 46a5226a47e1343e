//! The read side of an HTTP/1.1 connection: a buffer, the request head, the body.

use std::io::{self, BufRead, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::chunked::ChunkedReader;
use super::transport::Transport;
use super::{Headers, Request, RequestError, Version};
use crate::h2::frame::PREFACE;
use crate::http::Limits;

/// Most header fields accepted in one request head.
const MAX_HEADERS: usize = 64;

/// Bytes read from the connection and not yet used, in front of the connection itself.
pub(crate) struct Input {
    stream: Box<dyn Transport>,
    buf: Vec<u8>,
    start: usize,
    /// The read timeout last set on the socket (only `Input` sets it while it reads).
    read_timeout: Option<Duration>,
}

impl Input {
    pub(crate) fn new(stream: Box<dyn Transport>) -> Self {
        Self {
            stream,
            buf: Vec::with_capacity(4096),
            start: 0,
            read_timeout: None,
        }
    }

    /// The connection, for writing responses.
    pub(crate) fn stream(&mut self) -> &mut dyn Transport {
        &mut *self.stream
    }

    /// The TCP socket underneath, for timeouts and addresses.
    pub(crate) fn tcp(&self) -> &TcpStream {
        self.stream.tcp()
    }

    /// Writes `bytes` and pushes them out to the client (TLS buffers until a flush).
    pub(crate) fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    /// Sets the socket's read timeout, unless the one already set is within
    /// [`TIMEOUT_SLACK`] of it: a keep-alive connection then saves a system call per request.
    fn set_read_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        let close = self
            .read_timeout
            .is_some_and(|set| set.abs_diff(timeout) < TIMEOUT_SLACK);
        if !close {
            self.tcp().set_read_timeout(Some(timeout))?;
            self.read_timeout = Some(timeout);
        }
        Ok(())
    }

    /// True when the next request (pipelining) is already buffered.
    pub(crate) fn has_buffered(&self) -> bool {
        self.start < self.buf.len()
    }

    /// Takes the bytes read past the current request: the handler that hijacks owns them.
    /// The buffer itself is released: a hijacked connection may live for hours.
    pub(crate) fn take_buffered(&mut self) -> Vec<u8> {
        let rest = self.buf[self.start..].to_vec();
        self.buf = Vec::new();
        self.start = 0;
        rest
    }

    /// Reads one request head. `Ok(None)` means the peer closed, or stayed idle
    /// for `idle` before sending a byte: the connection simply ends.
    pub(crate) fn read_head(
        &mut self,
        idle: Duration,
        limits: &Limits,
    ) -> Result<Option<Request>, RequestError> {
        let waiting_since = Instant::now();
        let mut first_byte_at = self.has_buffered().then(Instant::now);
        loop {
            if let Some(request) = self.parse_head(limits)? {
                return Ok(Some(request));
            }
            let deadline = match first_byte_at {
                None => waiting_since + idle,
                Some(at) => at + limits.header_timeout,
            };
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return idle_or_timeout(first_byte_at);
            };
            self.set_read_timeout(left.max(MIN_TIMEOUT))?;
            match self.fill() {
                Ok(0) if first_byte_at.is_none() => return Ok(None),
                Ok(0) => return Err(RequestError::Malformed),
                Ok(_) => {
                    first_byte_at.get_or_insert_with(Instant::now);
                }
                Err(e) if is_timeout(&e) => return idle_or_timeout(first_byte_at),
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Parses the buffered bytes; `Ok(None)` when the head is not complete yet.
    fn parse_head(&mut self, limits: &Limits) -> Result<Option<Request>, RequestError> {
        let bytes = &self.buf[self.start..];
        if bytes.is_empty() {
            return Ok(None);
        }
        // ANCHOR: preface
        // h2c with prior knowledge (RFC 9113 §3.3) starts with the preface, not a request.
        let seen = bytes.len().min(PREFACE.len());
        if bytes[..seen] == PREFACE[..seen] {
            return match seen == PREFACE.len() {
                true => Err(RequestError::Http2Preface),
                false => Ok(None),
            };
        }
        // ANCHOR_END: preface
        let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut head = httparse::Request::new(&mut fields);
        let len = match head.parse(bytes) {
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) if bytes.len() > limits.max_head => {
                return Err(RequestError::HeadTooLarge);
            }
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(httparse::Error::TooManyHeaders) => return Err(RequestError::HeadTooLarge),
            Err(_) => return Err(RequestError::Malformed),
        };
        if len > limits.max_head {
            return Err(RequestError::HeadTooLarge);
        }
        let version = match head.version {
            Some(0) => Version::Http10,
            _ => Version::Http11,
        };
        let mut headers = Headers::new();
        for field in head.headers.iter() {
            let value = String::from_utf8_lossy(field.value);
            headers.append(field.name, value);
        }
        let mut request = Request::new(head.method.unwrap_or("GET"), head.path.unwrap_or("/"));
        request.version = version;
        request.headers = headers;
        self.start += len;
        Ok(Some(request))
    }

    /// Reads the body that the head announces, within the limit (RFC 9112 §6).
    pub(crate) fn read_body(
        &mut self,
        headers: &Headers,
        limits: &Limits,
    ) -> Result<Vec<u8>, RequestError> {
        let framing = Framing::of(headers)?;
        if framing == Framing::None {
            return Ok(Vec::new());
        }
        self.set_read_timeout(limits.body_timeout)?;
        let max = limits.max_body as u64;
        let mut body = Vec::new();
        match framing {
            Framing::None => {}
            Framing::Length(n) if n > max => return Err(RequestError::BodyTooLarge),
            Framing::Length(n) => {
                self.take(n).read_to_end(&mut body)?;
                if body.len() as u64 != n {
                    return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
                }
            }
            Framing::Chunked => {
                ChunkedReader::new(&mut *self)
                    .take(max + 1)
                    .read_to_end(&mut body)
                    .map_err(bad_chunk)?;
                if body.len() as u64 > max {
                    return Err(RequestError::BodyTooLarge);
                }
            }
        }
        Ok(body)
    }

    /// Reads more bytes from the socket into the buffer; returns how many (0 at EOF).
    fn fill(&mut self) -> io::Result<usize> {
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > self.buf.capacity() / 2 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + 8192, 0);
        let read = self.stream.read(&mut self.buf[old..]);
        self.buf.truncate(old + *read.as_ref().unwrap_or(&0));
        read
    }
}

impl Read for Input {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.fill_buf()?.read(out)?;
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Input {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if !self.has_buffered() {
            self.fill()?;
        }
        Ok(&self.buf[self.start..])
    }

    fn consume(&mut self, amount: usize) {
        self.start = (self.start + amount).min(self.buf.len());
    }
}

/// How a request body is delimited.
#[derive(Debug, PartialEq, Eq)]
enum Framing {
    None,
    Length(u64),
    Chunked,
}

impl Framing {
    fn of(headers: &Headers) -> Result<Framing, RequestError> {
        let length = headers.contains("content-length");
        if let Some(coding) = headers.get("transfer-encoding") {
            if length {
                return Err(RequestError::BadFraming);
            }
            return if coding.trim().eq_ignore_ascii_case("chunked") {
                Ok(Framing::Chunked)
            } else {
                Err(RequestError::UnsupportedCoding)
            };
        }
        if !length {
            return Ok(Framing::None);
        }
        // Several fields or a list are allowed only when every value is the same.
        let mut values = headers
            .get_all("content-length")
            .flat_map(|v| v.split(','))
            .map(str::trim);
        let first = values.next().unwrap_or_default();
        if values.any(|v| v != first)
            || first.is_empty()
            || !first.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(RequestError::BadFraming);
        }
        match first.parse() {
            Ok(0) => Ok(Framing::None),
            Ok(n) => Ok(Framing::Length(n)),
            Err(_) => Err(RequestError::BadFraming),
        }
    }
}

/// The shortest read timeout set: zero would mean "no timeout" to the socket.
const MIN_TIMEOUT: Duration = Duration::from_millis(1);

/// How far the socket's read timeout may be from the one wanted before it is set again:
/// a deadline is then met at most this much early or late.
const TIMEOUT_SLACK: Duration = Duration::from_millis(1);

fn idle_or_timeout(first_byte_at: Option<Instant>) -> Result<Option<Request>, RequestError> {
    match first_byte_at {
        None => Ok(None),
        Some(_) => Err(RequestError::HeadTimeout),
    }
}

/// True for the errors a socket read timeout produces (they differ by platform).
pub(crate) fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn bad_chunk(e: io::Error) -> RequestError {
    match e.kind() {
        io::ErrorKind::InvalidData => RequestError::BadFraming,
        _ => RequestError::Io(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(fields: &[(&str, &str)]) -> Headers {
        let mut h = Headers::new();
        for (n, v) in fields {
            h.append(*n, *v);
        }
        h
    }

    #[test]
    fn framing_follows_rfc_9112() {
        use Framing::*;
        let ok = [
            (vec![], None),
            (vec![("Content-Length", "0")], None),
            (vec![("Content-Length", "12")], Length(12)),
            (vec![("Content-Length", "5, 5")], Length(5)),
            (
                vec![("Content-Length", "5"), ("content-length", "5")],
                Length(5),
            ),
            (vec![("Transfer-Encoding", "chunked")], Chunked),
            (vec![("Transfer-Encoding", "Chunked ")], Chunked),
        ];
        for (fields, framing) in ok {
            assert_eq!(
                Framing::of(&headers(&fields)).unwrap(),
                framing,
                "{fields:?}"
            );
        }
        let bad = [
            (
                vec![("Content-Length", "5"), ("Transfer-Encoding", "chunked")],
                400,
            ),
            (vec![("Content-Length", "-1")], 400),
            (vec![("Content-Length", "+5")], 400),
            (vec![("Content-Length", "5, 6")], 400),
            (vec![("Content-Length", "")], 400),
            (vec![("Content-Length", "99999999999999999999999")], 400),
            (vec![("Transfer-Encoding", "gzip, chunked")], 501),
        ];
        for (fields, status) in bad {
            let error = Framing::of(&headers(&fields)).unwrap_err();
            assert_eq!(error.status(), Some(status), "{fields:?}");
        }
    }
}
