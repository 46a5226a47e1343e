//! The client side (book section 9.4.2, gorilla's `DefaultDialer.Dial`): open a TCP
//! connection, send the upgrade request, check the `101` answer, and keep whatever
//! arrived after it for the [`Connection`].

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use tungstenite::handshake::client::generate_key;
use tungstenite::protocol::Role;

use super::handshake::{VERSION, accept_key};
use super::{Config, Connection};
use crate::http::Headers;
use crate::http::client::{CONNECT_TIMEOUT, Url};

/// Longest `101` answer head the client reads.
const MAX_HEAD: usize = 16 * 1024;
/// Most header fields accepted in the answer.
const MAX_HEADERS: usize = 64;

/// How [`connect_with`] dials.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Limits and heartbeat of the connection.
    pub config: Config,
    /// Subprotocols to ask for, in order of preference.
    pub subprotocols: Vec<String>,
    /// An `Origin` to send, as a browser would; none by default.
    pub origin: Option<String>,
    /// Longest wait for the TCP connection and then for the whole `101` answer.
    pub timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            config: Config::default(),
            subprotocols: Vec::new(),
            origin: None,
            timeout: CONNECT_TIMEOUT,
        }
    }
}

/// Why [`connect`] failed.
#[derive(Debug)]
pub enum ConnectError {
    /// The URL is not a `ws://` URL this client can dial.
    Url(String),
    /// The connection failed or timed out.
    Io(io::Error),
    /// The server answered with another status than 101 (its body, if short, follows).
    Status(u16, String),
    /// The server said 101 but broke the handshake rules.
    Handshake(String),
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Url(e) => write!(f, "bad WebSocket URL: {e}"),
            ConnectError::Io(e) => write!(f, "cannot connect: {e}"),
            ConnectError::Status(status, body) => {
                write!(f, "the server refused the upgrade with {status}: {body}")
            }
            ConnectError::Handshake(e) => write!(f, "bad handshake answer: {e}"),
        }
    }
}

impl std::error::Error for ConnectError {}

impl From<io::Error> for ConnectError {
    fn from(e: io::Error) -> Self {
        ConnectError::Io(e)
    }
}

/// Dials a `ws://` URL with default options.
pub fn connect(url: &str) -> Result<Connection, ConnectError> {
    connect_with(url, &ClientOptions::default())
}

/// Dials a `ws://` URL: the opening handshake of RFC 6455 §4.1, then a [`Connection`].
pub fn connect_with(url: &str, options: &ClientOptions) -> Result<Connection, ConnectError> {
    let url = Url::parse(url).map_err(ConnectError::Url)?;
    match url.scheme.as_str() {
        "ws" => {}
        "wss" => {
            return Err(ConnectError::Url(
                "wss:// (TLS) is not supported yet".into(),
            ));
        }
        other => {
            return Err(ConnectError::Url(format!(
                "{other}:// is not a WebSocket URL"
            )));
        }
    }
    let deadline = Instant::now() + options.timeout;
    let socket = dial(&url, options.timeout)?;
    let key = generate_key();
    let mut request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: {VERSION}\r\n",
        url.target,
        url.authority()
    );
    if !options.subprotocols.is_empty() {
        request.push_str(&format!(
            "Sec-WebSocket-Protocol: {}\r\n",
            options.subprotocols.join(", ")
        ));
    }
    if let Some(origin) = &options.origin {
        request.push_str(&format!("Origin: {origin}\r\n"));
    }
    request.push_str("\r\n");
    socket.set_write_timeout(Some(options.timeout))?;
    (&socket).write_all(request.as_bytes())?;

    let (status, headers, rest) = read_answer(&socket, deadline)?;
    if status != 101 {
        let body = String::from_utf8_lossy(&rest[..rest.len().min(200)]);
        return Err(ConnectError::Status(status, body.trim().to_owned()));
    }
    if !headers.has_token("upgrade", "websocket") || !headers.has_token("connection", "upgrade") {
        return Err(ConnectError::Handshake(
            "missing `Upgrade: websocket` or `Connection: Upgrade`".into(),
        ));
    }
    let expected = accept_key(&key);
    if headers.get("sec-websocket-accept").map(str::trim) != Some(expected.as_str()) {
        return Err(ConnectError::Handshake(format!(
            "Sec-WebSocket-Accept is {:?}, expected {expected:?}",
            headers.get("sec-websocket-accept")
        )));
    }
    let subprotocol = headers
        .get("sec-websocket-protocol")
        .map(|p| p.trim().to_owned());
    if let Some(chosen) = &subprotocol
        && !options.subprotocols.contains(chosen)
    {
        return Err(ConnectError::Handshake(format!(
            "the server chose subprotocol {chosen:?}, which we did not ask for"
        )));
    }
    Ok(Connection::new(
        socket,
        rest,
        Role::Client,
        options.config.clone(),
        subprotocol,
    )?)
}

fn dial(url: &Url, timeout: Duration) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the host has no address");
    for addr in (url.host.as_str(), url.port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(socket) => return Ok(socket),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Reads the answer head; returns the status, the fields and the bytes after the head.
fn read_answer(
    socket: &TcpStream,
    deadline: Instant,
) -> Result<(u16, Headers, Vec<u8>), ConnectError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut head = httparse::Response::new(&mut fields);
        match head.parse(&buf) {
            Ok(httparse::Status::Complete(len)) => {
                let mut headers = Headers::new();
                for field in head.headers.iter() {
                    headers.append(field.name, String::from_utf8_lossy(field.value));
                }
                let status = head.code.unwrap_or(0);
                return Ok((status, headers, buf.split_off(len)));
            }
            Ok(httparse::Status::Partial) if buf.len() <= MAX_HEAD => {}
            Ok(httparse::Status::Partial) => {
                return Err(ConnectError::Handshake("answer head too large".into()));
            }
            Err(e) => return Err(ConnectError::Handshake(format!("malformed answer: {e}"))),
        }
        let left = deadline
            .checked_duration_since(Instant::now())
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::TimedOut, "no handshake answer in time")
            })?;
        socket.set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
        match (&*socket).read(&mut chunk)? {
            0 => return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into()),
            n => buf.extend_from_slice(&chunk[..n]),
        }
    }
}
