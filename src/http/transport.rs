//! What an HTTP/1.1 connection runs over: a TCP socket, or TLS on one. The connection
//! loop reads and writes through [`Transport`] and reaches the socket underneath for
//! timeouts, addresses and shutdown.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};

use rustls::{ServerConnection, StreamOwned};

/// A server-side TLS stream over TCP.
pub(crate) type TlsStream = StreamOwned<ServerConnection, TcpStream>;

/// A byte stream to one client.
pub(crate) trait Transport: Read + Write + Send {
    /// The TCP socket underneath, for timeouts and the peer's address.
    fn tcp(&self) -> &TcpStream;

    /// True only if the client has certainly closed the connection; false when it
    /// cannot tell. Never blocks.
    fn peer_closed(&mut self) -> bool;

    /// Ends our side of the connection (TLS first says so with `close_notify`); the
    /// client may still send.
    fn close_write(&mut self) -> io::Result<()>;

    /// The socket, for a handler that takes the connection over. `None` over TLS: the
    /// session's state lives here, not in the socket.
    fn hijack(&self) -> Option<TcpStream>;
}

impl Transport for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }

    fn peer_closed(&mut self) -> bool {
        without_blocking(self, || match self.peek(&mut [0u8; 1]) {
            Ok(0) => true,
            Ok(_) => false, // more requests are coming (pipelining)
            Err(e) => e.kind() != io::ErrorKind::WouldBlock,
        })
    }

    fn close_write(&mut self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }

    fn hijack(&self) -> Option<TcpStream> {
        self.try_clone().ok()
    }
}

impl Transport for TlsStream {
    fn tcp(&self) -> &TcpStream {
        &self.sock
    }

    /// Reads what has arrived into the TLS session, without waiting, and answers true if
    /// the client sent `close_notify` or closed TCP and nothing is left to read.
    fn peer_closed(&mut self) -> bool {
        let Self { conn, sock } = self;
        let mut sock: &TcpStream = sock;
        without_blocking(sock, || {
            let eof = match conn.read_tls(&mut sock) {
                Ok(0) => true,
                Ok(_) => false,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => false,
                // A reset socket is closed; anything else (a full buffer) is no answer.
                Err(e) => return is_reset(&e),
            };
            match conn.process_new_packets() {
                Ok(state) => {
                    (eof || state.peer_has_closed()) && state.plaintext_bytes_to_read() == 0
                }
                Err(e) => {
                    log::debug!("TLS error from the client: {e}");
                    true // the session is broken: nothing more can be sent on it
                }
            }
        })
    }

    fn close_write(&mut self) -> io::Result<()> {
        self.conn.send_close_notify();
        self.flush()?;
        self.sock.shutdown(Shutdown::Write)
    }

    fn hijack(&self) -> Option<TcpStream> {
        None
    }
}

/// Runs `check` with `tcp` in non-blocking mode; false if the mode cannot be set.
fn without_blocking(tcp: &TcpStream, check: impl FnOnce() -> bool) -> bool {
    if tcp.set_nonblocking(true).is_err() {
        return false;
    }
    let answer = check();
    let _ = tcp.set_nonblocking(false);
    answer
}

fn is_reset(e: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(e.kind(), ConnectionReset | ConnectionAborted | BrokenPipe)
}
