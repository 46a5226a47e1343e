//! Why a request could not be read, and the status that tells the client so.

use std::fmt;
use std::io;

/// A request that cannot be served; each variant maps to one status (design §5).
#[derive(Debug)]
pub enum RequestError {
    /// The request line or a header field is not valid HTTP/1.1 syntax (400).
    Malformed,
    /// The request head is larger than the configured limit (431).
    HeadTooLarge,
    /// The head was not complete within the header timeout (408).
    HeadTimeout,
    /// Conflicting or invalid body framing: both lengths, or a bad Content-Length (400).
    BadFraming,
    /// The body is larger than the configured limit (413).
    BodyTooLarge,
    /// A transfer coding other than `chunked` (501).
    UnsupportedCoding,
    /// The client opened with the HTTP/2 connection preface (h2c with prior knowledge):
    /// not an HTTP/1.1 request at all, and the HTTP/2 server takes over.
    Http2Preface,
    /// The connection failed or closed part-way; nobody is left to answer.
    Io(io::Error),
}

impl RequestError {
    /// The status to answer with, or `None` when the connection is already gone.
    pub fn status(&self) -> Option<u16> {
        match self {
            RequestError::Malformed | RequestError::BadFraming => Some(400),
            RequestError::HeadTimeout => Some(408),
            RequestError::BodyTooLarge => Some(413),
            RequestError::HeadTooLarge => Some(431),
            RequestError::UnsupportedCoding => Some(501),
            // When the HTTP/2 server does not take over: switched off, or not first.
            RequestError::Http2Preface => Some(505),
            RequestError::Io(_) => None,
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::Malformed => f.write_str("malformed request head"),
            RequestError::HeadTooLarge => f.write_str("request head too large"),
            RequestError::HeadTimeout => f.write_str("request head not received in time"),
            RequestError::BadFraming => f.write_str("invalid body framing"),
            RequestError::BodyTooLarge => f.write_str("request body too large"),
            RequestError::UnsupportedCoding => f.write_str("unsupported transfer coding"),
            RequestError::Http2Preface => f.write_str("HTTP/2 connection preface"),
            RequestError::Io(e) => write!(f, "connection error: {e}"),
        }
    }
}

impl std::error::Error for RequestError {}

impl From<io::Error> for RequestError {
    fn from(e: io::Error) -> Self {
        RequestError::Io(e)
    }
}

/// The reason phrase for the statuses this crate sends.
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_its_status() {
        let table = [
            (RequestError::Malformed, Some(400)),
            (RequestError::BadFraming, Some(400)),
            (RequestError::HeadTimeout, Some(408)),
            (RequestError::BodyTooLarge, Some(413)),
            (RequestError::HeadTooLarge, Some(431)),
            (RequestError::UnsupportedCoding, Some(501)),
            (RequestError::Http2Preface, Some(505)),
            (RequestError::Io(io::ErrorKind::BrokenPipe.into()), None),
        ];
        for (error, status) in table {
            assert_eq!(error.status(), status, "{error}");
        }
    }
}
