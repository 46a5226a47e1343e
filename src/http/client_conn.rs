//! The client's connection: TCP, with TLS on it for `https://` (and `wss://`) URLs.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Instant;

use rustls::pki_types::ServerName;
use rustls::{ClientConnection, StreamOwned};

use super::client::{CONNECT_TIMEOUT, Url};
use crate::tls::{Trust, client_config};

/// An open connection to a server.
pub(crate) enum Conn {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Conn {
    /// Connects to the host of `url`. For a TLS scheme it also completes the handshake,
    /// verifying the certificate as `trust` says and offering the `alpn` protocols.
    pub(crate) fn open(url: &Url, trust: &Trust, alpn: &[&[u8]]) -> io::Result<Conn> {
        let tcp = connect(url)?;
        tcp.set_nodelay(true)?;
        if !matches!(url.scheme.as_str(), "https" | "wss") {
            return Ok(Conn::Plain(tcp));
        }
        let config = client_config(trust, alpn)?;
        // SNI and the name checked in the certificate; an IP address works too.
        let name = ServerName::try_from(url.host.clone())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{url}: {e}")))?;
        let conn = ClientConnection::new(config, name).map_err(io::Error::other)?;
        handshake(conn, tcp).map_err(|e| handshake_error(url, e))
    }

    /// The TCP socket underneath.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(tcp) => tcp,
            Conn::Tls(tls) => &tls.sock,
        }
    }

    /// The protocol chosen by ALPN in the TLS handshake (`http/1.1`, `h2`), if any.
    pub(crate) fn alpn_protocol(&self) -> Option<&[u8]> {
        match self {
            Conn::Plain(_) => None,
            Conn::Tls(tls) => tls.conn.alpn_protocol(),
        }
    }
}

/// Connects to the first address of the host that answers: `localhost` may be `::1`
/// first and `127.0.0.1` second, and a server often listens on one of them only.
fn connect(url: &Url) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "host has no address");
    for addr in (url.host.as_str(), url.port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(tcp) => return Ok(tcp),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Completes the handshake within [`CONNECT_TIMEOUT`].
fn handshake(mut conn: ClientConnection, mut tcp: TcpStream) -> io::Result<Conn> {
    let deadline = Instant::now() + CONNECT_TIMEOUT;
    while conn.is_handshaking() {
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
            .ok_or(io::ErrorKind::TimedOut)?;
        tcp.set_read_timeout(Some(left))?;
        tcp.set_write_timeout(Some(left))?;
        conn.complete_io(&mut tcp)?;
    }
    tcp.set_write_timeout(None)?;
    Ok(Conn::Tls(Box::new(StreamOwned::new(conn, tcp))))
}

/// Says what failed in words a reader can act on, above all an untrusted certificate.
fn handshake_error(url: &Url, e: io::Error) -> io::Error {
    let tls = e.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>());
    let host = format!("{}:{}", url.host, url.port);
    match tls {
        Some(rustls::Error::InvalidCertificate(_)) => io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{host}: the server's certificate is not trusted: {e}. For rwh's own server, \
                 trust its CA (it logs `local CA certificate: PATH`; curl --cacert PATH)"
            ),
        ),
        _ => io::Error::new(e.kind(), format!("{host}: TLS handshake failed: {e}")),
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(tcp) => tcp.read(buf),
            Conn::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(tcp) => tcp.write(buf),
            Conn::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(tcp) => tcp.flush(),
            Conn::Tls(tls) => tls.flush(),
        }
    }
}
