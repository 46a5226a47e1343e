//! One TLS connection: the handshake, then the protocol that ALPN chose.
//!
//! The handshake runs on the connection's own thread, with the header timeout as its
//! deadline, so a slow or silent client holds up nobody else.

use std::io;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::{ServerConfig, ServerConnection};

use super::conn::{self, close_gracefully};
use super::input::is_timeout;
use super::server::Service;
use super::transport::TlsStream;
use crate::tls::{ALPN_H2, ALPN_HTTP11};

/// The first byte of every TLS record that starts a handshake.
const HANDSHAKE_RECORD: u8 = 0x16;

/// Serves one client that connected to a TLS port.
pub(crate) fn serve(tcp: TcpStream, config: Arc<ServerConfig>, service: &Service) {
    let peer = tcp.peer_addr().ok();
    let tls = match accept(tcp, config, service.limits.header_timeout) {
        Ok(Some(tls)) => tls,
        Ok(None) => return,
        Err(e) => return log::debug!("{peer:?}: TLS handshake failed: {e}"),
    };
    dispatch(tls, service);
}

// ANCHOR: dispatch
/// Hands the connection to the protocol the client and server agreed on in the
/// handshake (Go's `TLSNextProto`). This is the one place where HTTP/2 joins in.
fn dispatch(tls: TlsStream, service: &Service) {
    match tls.conn.alpn_protocol() {
        // HTTP/2: the TLS session and the socket go their own ways (design §3).
        Some(ALPN_H2) => crate::h2::server::serve_tls(tls.conn, tls.sock, service),
        // `http/1.1`, or a client that sent no ALPN at all.
        Some(ALPN_HTTP11) | None => conn::serve(Box::new(tls), service),
        Some(other) => log::warn!("unexpected ALPN protocol {other:?}"),
    }
}
// ANCHOR_END: dispatch

/// Completes the TLS handshake before `timeout`. `Ok(None)` when the client spoke plain
/// HTTP to the TLS port: it has been told so, and the connection is closed.
fn accept(
    mut tcp: TcpStream,
    config: Arc<ServerConfig>,
    timeout: Duration,
) -> io::Result<Option<TlsStream>> {
    let deadline = Instant::now() + timeout;
    let late = || {
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!("not done within {timeout:?}"),
        )
    };
    tcp.set_read_timeout(Some(timeout))?;
    tcp.set_write_timeout(Some(timeout))?;
    let mut first = [0u8; 1];
    match tcp.peek(&mut first) {
        Ok(0) => {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "closed at once",
            ));
        }
        Ok(_) => {}
        Err(e) if is_timeout(&e) => return Err(late()),
        Err(e) => return Err(e),
    }
    if first[0] != HANDSHAKE_RECORD && first[0].is_ascii_alphabetic() {
        refuse_plain_http(&mut tcp);
        return Ok(None);
    }
    let mut conn = ServerConnection::new(config).map_err(io::Error::other)?;
    while conn.is_handshaking() {
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
            .ok_or_else(late)?;
        tcp.set_read_timeout(Some(left))?;
        tcp.set_write_timeout(Some(left))?;
        match conn.complete_io(&mut tcp) {
            Ok(_) => {}
            Err(e) if is_timeout(&e) => return Err(late()),
            Err(e) => return Err(e),
        }
    }
    Ok(Some(TlsStream::new(conn, tcp)))
}

/// Answers a plain HTTP request on the TLS port with a 400 that says what went wrong.
fn refuse_plain_http(tcp: &mut TcpStream) {
    log::debug!("{:?}: plain HTTP on the TLS port", tcp.peer_addr());
    let body = "400 Bad Request: this port speaks HTTPS; use an https:// URL\n";
    let response = format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if io::Write::write_all(tcp, response.as_bytes()).is_ok() {
        close_gracefully(tcp);
    }
}
