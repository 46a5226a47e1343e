//! Book section 9.1, listing 9-1: a blocking client that speaks HTTP/2 when it can.
//!
//! Go's `http.Get` offers `h2` in the TLS handshake (ALPN) and then speaks whichever
//! protocol the server picked; `resp.Proto` tells which. [`fetch`] does the same in
//! three steps that can be read one by one:
//!
//! 1. open TCP and, for `https://`, TLS offering [`client_protocols`]: `h2` then
//!    `http/1.1`, or only `http/1.1` with `GODEBUG=http2client=0` (table 9-1);
//! 2. look at what ALPN chose;
//! 3. speak HTTP/2 with [`h2::client::Connection`], or HTTP/1.1 with [`http::client`].
//!
//! An `http://` URL has no handshake to negotiate in, so HTTP/2 there needs prior
//! knowledge (h2c, RFC 9113 §3.3): ask for it with [`FetchOptions::h2c_prior_knowledge`],
//! like curl's `--http2-prior-knowledge`.
//!
//! [`client_protocols`]: crate::tls::client_protocols
//! [`h2::client::Connection`]: crate::h2::client::Connection
//! [`http::client`]: crate::http::client

use std::io::{self, Read, Write};
use std::time::Duration;

use crate::h2::client::Connection;
use crate::http::client::{Url, request_on};
use crate::http::{ClientConn, Headers};
use crate::tls::{ALPN_H2, Trust, client_protocols, http2_client_enabled};

/// How [`fetch`] connects.
#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    /// Which server certificates `https://` accepts (see [`Trust`]); by default the
    /// public CAs and the local development CA.
    pub trust: Trust,
    /// Bounds every read from the server (`None`: wait for ever).
    pub read_timeout: Option<Duration>,
    /// For `http://` URLs: start HTTP/2 at once, without asking (h2c with prior
    /// knowledge). Ignored for `https://`, where ALPN decides, and off with
    /// `GODEBUG=http2client=0`.
    pub h2c_prior_knowledge: bool,
}

/// A whole response, and the protocol it came over.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// `HTTP/2.0` or `HTTP/1.1` (or `HTTP/1.0`), as Go's `resp.Proto` says it.
    pub proto: &'static str,
    /// The status code.
    pub status: u16,
    /// The header fields (over HTTP/2, with lowercase names).
    pub headers: Headers,
    /// The body, all of it.
    pub body: Vec<u8>,
}

/// `GET url`: see [`fetch`].
pub fn get(url: &str, options: &FetchOptions) -> io::Result<Fetched> {
    fetch("GET", url, &[], b"", options)
}

// ANCHOR: fetch
/// Sends one request on a new connection and reads the whole response, over HTTP/2
/// when the server agrees (or, for `http://`, when `options` say to use prior knowledge)
/// and over HTTP/1.1 otherwise.
pub fn fetch(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    options: &FetchOptions,
) -> io::Result<Fetched> {
    let url = Url::parse(url).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    if !matches!(url.scheme.as_str(), "http" | "https") {
        let e = format!("{url}: fetch speaks http:// and https:// only");
        return Err(io::Error::new(io::ErrorKind::InvalidInput, e));
    }
    // TLS offers `h2` and `http/1.1` in ALPN; the server's choice is in the handshake.
    let conn = ClientConn::open(&url, &options.trust, client_protocols())?;
    conn.tcp().set_read_timeout(options.read_timeout)?;
    let http2 = match conn.alpn_protocol() {
        Some(chosen) => chosen == ALPN_H2,
        None => url.scheme == "http" && prior_knowledge(options),
    };
    if http2 {
        over_http2(conn, method, &url, headers, body)
    } else {
        let mut response = request_on(conn, method, &url, headers, body, options.read_timeout)?;
        let mut all = Vec::new();
        response.read_to_end(&mut all)?;
        Ok(Fetched {
            proto: response.proto(),
            status: response.status,
            headers: response.headers.clone(),
            body: all,
        })
    }
}
// ANCHOR_END: fetch

/// True if h2c was asked for and HTTP/2 is not switched off in clients.
fn prior_knowledge(options: &FetchOptions) -> bool {
    if options.h2c_prior_knowledge && !http2_client_enabled() {
        log::info!("GODEBUG=http2client=0: not using HTTP/2 prior knowledge");
    }
    options.h2c_prior_knowledge && http2_client_enabled()
}

/// One request and its response on a new HTTP/2 connection over `stream`.
fn over_http2<S: Read + Write>(
    stream: S,
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<Fetched> {
    let (authority, fields) = http2_fields(url, headers, body, method);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (&n[..], &v[..])).collect();
    let mut conn = Connection::handshake(stream, &[])?;
    let id = conn.send_request(method, &url.scheme, &authority, &url.target, &fields, body)?;
    let response = conn.read_response(id)?;
    let _ = conn.close(); // GOAWAY; the response is complete whatever happens now
    Ok(Fetched {
        proto: "HTTP/2.0",
        status: response.status,
        headers: response.headers,
        body: response.body,
    })
}

/// The `:authority` and the header fields of an HTTP/2 request: names in lowercase,
/// `Host` turned into `:authority`, fields tied to one HTTP/1.1 connection left out
/// (RFC 9113 §8.2.2), and `content-length` when there is a body.
fn http2_fields(
    url: &Url,
    headers: &[(&str, &str)],
    body: &[u8],
    method: &str,
) -> (String, Vec<(String, String)>) {
    const HOP_BY_HOP: [&str; 5] = [
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
    ];
    let mut authority = url.authority();
    let mut fields = Vec::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        match name.as_str() {
            "host" => authority = value.to_string(),
            "content-length" => {}
            "te" if !value.eq_ignore_ascii_case("trailers") => {}
            _ if HOP_BY_HOP.contains(&name.as_str()) => {}
            _ => fields.push((name, value.to_string())),
        }
    }
    if !body.is_empty() || method == "POST" || method == "PUT" {
        fields.push(("content-length".into(), body.len().to_string()));
    }
    (authority, fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http2_fields_follow_rfc_9113() {
        let url = Url::parse("https://127.0.0.1:18443/x").unwrap();
        let headers = [
            ("Accept", "*/*"),
            ("Connection", "keep-alive"),
            ("Host", "localhost:18443"),
            ("TE", "gzip"),
            ("Content-Length", "99"),
        ];
        let (authority, fields) = http2_fields(&url, &headers, b"abc", "POST");
        assert_eq!(authority, "localhost:18443");
        let expected = [("accept", "*/*"), ("content-length", "3")];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(fields, expected);
    }

    #[test]
    fn only_web_schemes_are_fetched() {
        let error = get("ws://127.0.0.1:1/", &FetchOptions::default()).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    }
}
