//! The opening handshake, server side (RFC 6455 §4.2): check the request, compute
//! `Sec-WebSocket-Accept`, write the `101 Switching Protocols` answer.

use std::fmt;

use data_encoding::BASE64;

use super::origin::{ForeignOrigin, OriginPolicy};
use crate::http::{Request, Version};

/// The only protocol version in use since RFC 6455.
pub const VERSION: &str = "13";

/// A request that passed every check: what the `101` answer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The `Sec-WebSocket-Accept` value.
    pub accept: String,
    /// The subprotocol chosen, if the handler offered any the client asked for.
    pub subprotocol: Option<String>,
}

/// Why a handshake was refused; each reason has its status (design §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a `GET` (405, `Allow: GET`).
    Method(String),
    /// Not HTTP/1.1 (400): HTTP/1.0 has no upgrade, HTTP/2 needs RFC 8441.
    Version(Version),
    /// `Connection` lacks the `upgrade` token or `Upgrade` lacks `websocket` (400).
    NotAnUpgrade,
    /// `Sec-WebSocket-Version` missing or not 13 (426 with `Sec-WebSocket-Version: 13`).
    ProtocolVersion(Option<String>),
    /// `Sec-WebSocket-Key` missing, repeated, or not base64 of 16 bytes (400).
    Key(String),
    /// A browser page from another origin that the operator did not allow (403).
    Origin(ForeignOrigin),
}

impl Refusal {
    /// The status code of the answer.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Method(_) => 405,
            Refusal::ProtocolVersion(_) => 426,
            Refusal::Origin(_) => 403,
            Refusal::Version(_) | Refusal::NotAnUpgrade | Refusal::Key(_) => 400,
        }
    }

    /// Header fields the answer must carry.
    pub fn headers(&self) -> &'static [(&'static str, &'static str)] {
        match self {
            Refusal::Method(_) => &[("Allow", "GET")],
            Refusal::ProtocolVersion(_) => &[("Sec-WebSocket-Version", VERSION)],
            _ => &[],
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Method(m) => write!(f, "a WebSocket handshake must be GET, not {m}"),
            Refusal::Version(v) => write!(
                f,
                "a WebSocket handshake needs HTTP/1.1, not {}",
                v.as_str()
            ),
            Refusal::NotAnUpgrade => f.write_str(
                "not a WebSocket handshake: expected `Connection: Upgrade` and `Upgrade: websocket`",
            ),
            Refusal::ProtocolVersion(Some(v)) => {
                write!(f, "unsupported Sec-WebSocket-Version {v:?}; this server speaks 13")
            }
            Refusal::ProtocolVersion(None) => {
                f.write_str("Sec-WebSocket-Version is missing; this server speaks 13")
            }
            Refusal::Key(why) => write!(f, "bad Sec-WebSocket-Key: {why}"),
            Refusal::Origin(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Refusal {}

/// Checks a request against RFC 6455 §4.2.1 and the origin policy, and picks the
/// subprotocol: the first one the client lists that is in `offered`.
pub fn check_request(
    request: &Request,
    origins: &OriginPolicy,
    offered: &[String],
) -> Result<Accepted, Refusal> {
    if request.method != "GET" {
        return Err(Refusal::Method(request.method.clone()));
    }
    if request.version != Version::Http11 {
        return Err(Refusal::Version(request.version));
    }
    let headers = &request.headers;
    if !headers.has_token("connection", "upgrade") || !headers.has_token("upgrade", "websocket") {
        return Err(Refusal::NotAnUpgrade);
    }
    let version = headers.get("sec-websocket-version").map(str::trim);
    if version != Some(VERSION) || headers.get_all("sec-websocket-version").count() > 1 {
        return Err(Refusal::ProtocolVersion(version.map(str::to_owned)));
    }
    let key = single_key(request)?;
    origins
        .check(request.header("origin"), request.header("host"))
        .map_err(Refusal::Origin)?;
    let subprotocol = headers
        .get_all("sec-websocket-protocol")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find(|asked| offered.iter().any(|o| o == asked))
        .map(str::to_owned);
    Ok(Accepted {
        accept: accept_key(key),
        subprotocol,
    })
}

/// The one `Sec-WebSocket-Key`, checked to be base64 of 16 bytes.
fn single_key(request: &Request) -> Result<&str, Refusal> {
    let mut keys = request.headers.get_all("sec-websocket-key");
    let key = keys
        .next()
        .ok_or_else(|| Refusal::Key("missing".into()))?
        .trim();
    if keys.next().is_some() {
        return Err(Refusal::Key("sent more than once".into()));
    }
    match BASE64.decode(key.as_bytes()) {
        Ok(bytes) if bytes.len() == 16 => Ok(key),
        Ok(bytes) => Err(Refusal::Key(format!(
            "{key:?} decodes to {} bytes, not 16",
            bytes.len()
        ))),
        Err(e) => Err(Refusal::Key(format!("{key:?} is not base64: {e}"))),
    }
}

// ANCHOR: accept
/// `Sec-WebSocket-Accept` for a key: base64(SHA-1(key + the RFC's GUID)), through
/// tungstenite's `derive_accept_key`.
pub fn accept_key(key: &str) -> String {
    tungstenite::handshake::derive_accept_key(key.as_bytes())
}
// ANCHOR_END: accept

// ANCHOR: switching
/// The `101 Switching Protocols` answer, ready for the wire.
pub fn switching_protocols(accepted: &Accepted) -> String {
    let mut head = format!(
        "HTTP/1.1 101 Switching Protocols\r\n\
         Upgrade: websocket\r\n\
         Connection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n",
        accepted.accept
    );
    if let Some(protocol) = &accepted.subprotocol {
        head.push_str(&format!("Sec-WebSocket-Protocol: {protocol}\r\n"));
    }
    head.push_str("\r\n");
    head
}
// ANCHOR_END: switching

#[cfg(test)]
mod tests {
    use super::*;

    fn request(fields: &[(&str, &str)]) -> Request {
        let mut r = Request::new("GET", "/echo");
        for (n, v) in fields {
            r.headers.append(*n, *v);
        }
        r
    }

    const GOOD: [(&str, &str); 5] = [
        ("Host", "127.0.0.1:8080"),
        ("Upgrade", "websocket"),
        ("Connection", "keep-alive, Upgrade"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", "13"),
    ];

    #[test]
    fn the_rfc_example_key() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn subprotocol_is_the_first_the_client_asked_for_that_we_offer() {
        let mut r = request(&GOOD);
        r.headers
            .append("Sec-WebSocket-Protocol", "v2.echo, v1.echo");
        r.headers.append("Sec-WebSocket-Protocol", "chat");
        let offered = ["chat".to_string(), "v1.echo".to_string()];
        let ok = check_request(&r, &OriginPolicy::default(), &offered).unwrap();
        assert_eq!(ok.subprotocol.as_deref(), Some("v1.echo"));
        let none = check_request(&r, &OriginPolicy::default(), &[]).unwrap();
        assert_eq!(none.subprotocol, None);
    }

    #[test]
    fn each_broken_rule_has_its_status() {
        let without = |name: &str| -> Vec<(&str, &str)> {
            GOOD.iter().copied().filter(|(n, _)| *n != name).collect()
        };
        let with = |name: &'static str, value: &'static str| -> Vec<(&str, &str)> {
            let mut v = without(name);
            v.push((name, value));
            v
        };
        let table = [
            (without("Upgrade"), 400),
            (with("Connection", "keep-alive"), 400),
            (with("Upgrade", "h2c"), 400),
            (without("Sec-WebSocket-Key"), 400),
            (with("Sec-WebSocket-Key", "not base64!"), 400),
            (with("Sec-WebSocket-Key", "c2hvcnQ="), 400),
            (without("Sec-WebSocket-Version"), 426),
            (with("Sec-WebSocket-Version", "8"), 426),
            (with("Origin", "http://evil.example"), 403),
        ];
        for (fields, status) in table {
            let refused = check_request(&request(&fields), &OriginPolicy::default(), &[])
                .expect_err("must be refused");
            assert_eq!(refused.status(), status, "{fields:?}: {refused}");
        }
        let mut post = request(&GOOD);
        post.method = "POST".into();
        let refused = check_request(&post, &OriginPolicy::default(), &[]).unwrap_err();
        assert_eq!(
            (refused.status(), refused.headers()),
            (405, &[("Allow", "GET")][..])
        );
        let mut old = request(&GOOD);
        old.version = Version::Http10;
        let refused = check_request(&old, &OriginPolicy::default(), &[]).unwrap_err();
        assert_eq!(refused.status(), 400);
    }
}
