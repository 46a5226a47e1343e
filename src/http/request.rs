//! A request as a handler sees it: method, target, headers, the whole body.

use std::net::SocketAddr;

use super::Headers;

/// The protocol a request arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// HTTP/1.0: no keep-alive unless asked for, no chunked responses.
    Http10,
    /// HTTP/1.1.
    Http11,
    /// HTTP/2 (section 9.1).
    Http2,
}

impl Version {
    /// The version as written on the wire and in Go's `r.Proto`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
            Version::Http2 => "HTTP/2.0",
        }
    }
}

/// One request; the body has been read in full (up to the server's limit).
#[derive(Debug, Clone)]
pub struct Request {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The request target as sent, e.g. `/prime?x=1`.
    pub target: String,
    /// The protocol version.
    pub version: Version,
    /// The header fields.
    pub headers: Headers,
    /// The body, empty when there was none.
    pub body: Vec<u8>,
    /// The client's address, when known.
    pub peer: Option<SocketAddr>,
    /// Values taken from `{name}` segments of the route that matched.
    pub(crate) params: Vec<(String, String)>,
}

impl Request {
    /// A request with no headers and no body, for tests and clients.
    pub fn new(method: &str, target: &str) -> Self {
        Self {
            method: method.to_string(),
            target: target.to_string(),
            version: Version::Http11,
            headers: Headers::new(),
            body: Vec::new(),
            peer: None,
            params: Vec::new(),
        }
    }

    /// The path part of the target, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The query part of the target, without the `?`.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// A header value, matched without regard to case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// The value of a `{name}` segment of the matched route (Go's `r.PathValue`).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// True when the connection may carry another request after this one.
    pub fn keep_alive(&self) -> bool {
        match self.version {
            Version::Http10 => self.headers.has_token("connection", "keep-alive"),
            Version::Http11 => !self.headers.has_token("connection", "close"),
            Version::Http2 => true,
        }
    }
}
