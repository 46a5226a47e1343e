//! A small blocking HTTP/1.1 client: enough for the book's clients (GET a URL, read
//! the body as it arrives), over TCP or, for `https://`, over TLS.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use super::Headers;
use super::chunked::ChunkedReader;
use super::client_conn::Conn;
use crate::tls::{ALPN_HTTP11, Trust};

/// Longest response head the client accepts.
const MAX_HEAD: usize = 64 * 1024;
/// Most header fields the client accepts in a response.
const MAX_HEADERS: usize = 100;
/// How long to wait for a TCP connection before giving up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An `http://` URL taken apart: enough to open a connection and send a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// `http` (and, from section 9.1 on, `https`).
    pub scheme: String,
    /// Host name or address, without brackets for IPv6.
    pub host: String,
    /// Port, defaulted from the scheme.
    pub port: u16,
    /// Path and query, at least `/`.
    pub target: String,
}

impl Url {
    /// Parses `scheme://host[:port][/path]`; user info and fragments are not supported.
    pub fn parse(text: &str) -> Result<Url, String> {
        let (scheme, rest) = text.split_once("://").ok_or(format!("{text}: no scheme"))?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" | "ws" => 80,
            "https" | "wss" => 443,
            _ => return Err(format!("{text}: unsupported scheme {scheme}")),
        };
        let (authority, target) = match rest.find(['/', '?']) {
            Some(i) => (&rest[..i], rest[i..].to_string()),
            None => (rest, "/".to_string()),
        };
        let target = match target.strip_prefix('?') {
            Some(query) => format!("/?{query}"),
            None => target,
        };
        let target = target.split('#').next().unwrap_or("/").to_string();
        let (host, port) = split_host_port(authority).ok_or(format!("{text}: bad host or port"))?;
        Ok(Url {
            scheme,
            host: host.to_string(),
            port: port.unwrap_or(default_port),
            target,
        })
    }

    /// The value of the `Host` header: the port is left out when it is the default.
    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default_port = matches!(
            (self.scheme.as_str(), self.port),
            ("http" | "ws", 80) | ("https" | "wss", 443)
        );
        if default_port {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority(), self.target)
    }
}

fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    Some((host, port))
}

/// A response whose head has been read; reading it yields the body.
pub struct ClientResponse {
    /// The status code.
    pub status: u16,
    /// The header fields.
    pub headers: Headers,
    body: Body,
    socket: TcpStream,
    proto: &'static str,
    alpn: Option<Vec<u8>>,
}

enum Body {
    Empty,
    Length(io::Take<BufReader<Conn>>),
    Chunked(ChunkedReader<BufReader<Conn>>),
    UntilClose(BufReader<Conn>),
}

impl ClientResponse {
    /// A handle on the socket, so another thread can [`shutdown`](TcpStream::shutdown) it
    /// and wake a blocked read (how a client cancels a stream); over TLS too.
    pub fn socket(&self) -> io::Result<TcpStream> {
        self.socket.try_clone()
    }

    /// The protocol of the response, as Go's `resp.Proto` says it: `HTTP/1.1`.
    pub fn proto(&self) -> &'static str {
        self.proto
    }

    /// The protocol that ALPN chose in the TLS handshake (`http/1.1`); `None` over
    /// plain TCP, or when the server chose none.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.alpn.as_deref()
    }

    /// Reads the rest of the body into a string (lossy UTF-8).
    pub fn text(mut self) -> io::Result<String> {
        let mut body = Vec::new();
        self.read_to_end(&mut body)?;
        Ok(String::from_utf8_lossy(&body).into_owned())
    }
}

impl Read for ClientResponse {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.body {
            Body::Empty => Ok(0),
            Body::Length(r) => r.read(buf),
            Body::Chunked(r) => r.read(buf),
            Body::UntilClose(r) => r.read(buf),
        }
    }
}

impl Drop for ClientResponse {
    fn drop(&mut self) {
        let _ = self.socket.shutdown(Shutdown::Both);
    }
}

/// How a request is made: how long reads may wait, and whom to trust for `https://`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Bounds every read of the response, head and body (`None`: wait for ever).
    pub read_timeout: Option<Duration>,
    /// Which server certificates `https://` accepts; by default the public CAs and the
    /// local development CA (see [`Trust`]).
    pub trust: Trust,
}

/// Sends one request on a new connection and reads the response head.
/// `read_timeout` bounds every later read of the body too (`None`: wait for ever).
/// An `https://` URL is verified with [`Trust::Default`].
pub fn request(
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
    body: &[u8],
    read_timeout: Option<Duration>,
) -> io::Result<ClientResponse> {
    let options = Options {
        read_timeout,
        ..Options::default()
    };
    request_with(method, url, headers, body, &options)
}

/// [`request`] with every option: e.g. a CA file to trust, like curl's `--cacert`.
pub fn request_with(
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
    body: &[u8],
    options: &Options,
) -> io::Result<ClientResponse> {
    let conn = Conn::open(url, &options.trust, &[ALPN_HTTP11])?;
    request_on(conn, method, url, headers, body, options.read_timeout)
}

/// Sends one request on `conn`, already open (and, for TLS, past its handshake), and
/// reads the response head.
pub(crate) fn request_on(
    mut conn: Conn,
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
    body: &[u8],
    read_timeout: Option<Duration>,
) -> io::Result<ClientResponse> {
    let socket = conn.tcp().try_clone()?;
    socket.set_read_timeout(read_timeout)?;
    let mut head = format!(
        "{method} {} HTTP/1.1\r\nHost: {}\r\n",
        url.target,
        url.authority()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" || method == "PUT" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    conn.write_all(&out)?;
    conn.flush()?;

    let alpn = conn.alpn_protocol().map(<[u8]>::to_vec);
    let mut reader = BufReader::new(conn);
    let (status, proto, headers) = read_head(&mut reader)?;
    let body = if method == "HEAD" || matches!(status, 100..=199 | 204 | 304) {
        Body::Empty
    } else if headers.has_token("transfer-encoding", "chunked") {
        Body::Chunked(ChunkedReader::new(reader))
    } else if let Some(length) = headers.get("content-length") {
        let length = length
            .trim()
            .parse()
            .map_err(|_| invalid("bad Content-Length"))?;
        Body::Length(reader.take(length))
    } else {
        Body::UntilClose(reader)
    };
    Ok(ClientResponse {
        status,
        headers,
        body,
        socket,
        proto,
        alpn,
    })
}

/// `GET url` with extra header fields.
pub fn get(url: &Url, headers: &[(&str, &str)]) -> io::Result<ClientResponse> {
    request("GET", url, headers, b"", None)
}

/// Reads a response head, skipping any 1xx interim responses.
fn read_head(reader: &mut BufReader<Conn>) -> io::Result<(u16, &'static str, Headers)> {
    loop {
        let mut raw = Vec::new();
        while !raw.ends_with(b"\r\n\r\n") && !raw.ends_with(b"\n\n") {
            let n = reader
                .by_ref()
                .take(MAX_HEAD as u64)
                .read_until(b'\n', &mut raw)?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            if raw.len() > MAX_HEAD {
                return Err(invalid("response head too large"));
            }
        }
        let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut head = httparse::Response::new(&mut fields);
        match head.parse(&raw) {
            Ok(httparse::Status::Complete(_)) => {}
            _ => return Err(invalid("malformed response head")),
        }
        let status = head.code.unwrap_or(0);
        if (100..200).contains(&status) && status != 101 {
            continue;
        }
        let proto = match head.version {
            Some(0) => "HTTP/1.0",
            _ => "HTTP/1.1",
        };
        let mut headers = Headers::new();
        for field in head.headers.iter() {
            headers.append(field.name, String::from_utf8_lossy(field.value));
        }
        return Ok((status, proto, headers));
    }
}

fn invalid(msg: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse() {
        let table = [
            (
                "http://localhost:18888/prime",
                ("http", "localhost", 18888, "/prime"),
            ),
            ("http://127.0.0.1", ("http", "127.0.0.1", 80, "/")),
            ("HTTP://h/a?b=c#frag", ("http", "h", 80, "/a?b=c")),
            ("http://h?x", ("http", "h", 80, "/?x")),
            ("https://[::1]:8443/", ("https", "::1", 8443, "/")),
            ("ws://h:8080/echo", ("ws", "h", 8080, "/echo")),
        ];
        for (text, (scheme, host, port, target)) in table {
            let url = Url::parse(text).unwrap();
            assert_eq!(
                (
                    url.scheme.as_str(),
                    url.host.as_str(),
                    url.port,
                    url.target.as_str()
                ),
                (scheme, host, port, target),
                "{text}"
            );
        }
        for bad in [
            "localhost:80",
            "ftp://h/",
            "http://:80/",
            "http://h:99999/",
            "http://h:x/",
        ] {
            assert!(Url::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Url::parse("http://h:80/x").unwrap().authority(), "h");
        assert_eq!(
            Url::parse("https://[::1]:8443/").unwrap().to_string(),
            "https://[::1]:8443/"
        );
    }
}
