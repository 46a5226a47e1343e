//! What carries HTTP/2 frames: TLS (rustls, negotiated with ALPN) or cleartext TCP (h2c).
//!
//! The TLS state is sans-IO, like our HTTP/2 state: bytes read from the socket go in,
//! plaintext comes out, and plaintext to send becomes records to write. That is what lets
//! a reader thread block on the socket *without* holding the connection's lock
//! (design §3): it takes the lock only to feed in what it read.

use std::io::{self, Read, Write};
use std::net::TcpStream;

/// The record layer under an HTTP/2 connection.
pub(crate) enum Session {
    /// h2c: frames go straight onto the TCP stream.
    Cleartext,
    /// h2: frames travel inside TLS records.
    Tls(Box<rustls::Connection>),
}

impl Session {
    /// Takes `raw` bytes read from the socket and appends the plaintext they carry to
    /// `plain`. Returns false once the peer has closed the TLS session (close_notify).
    pub(crate) fn receive(
        &mut self,
        raw: &[u8],
        plain: &mut Vec<u8>,
        socket: &mut TcpStream,
    ) -> io::Result<bool> {
        let Session::Tls(tls) = self else {
            plain.extend_from_slice(raw);
            return Ok(true);
        };
        let mut raw = raw;
        let mut open = true;
        while !raw.is_empty() {
            tls.read_tls(&mut raw)?;
            tls.process_new_packets()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            open &= drain_plaintext(tls, plain)?;
        }
        // TLS 1.3 may answer on its own (session tickets, key updates, alerts).
        flush_records(tls, socket)?;
        Ok(open)
    }

    /// Plaintext that arrived during the TLS handshake, before HTTP/2 took over.
    pub(crate) fn take_early(&mut self, plain: &mut Vec<u8>) -> io::Result<bool> {
        match self {
            Session::Cleartext => Ok(true),
            Session::Tls(tls) => drain_plaintext(tls, plain),
        }
    }

    /// Writes `plain` to the socket, inside TLS records when there is TLS.
    pub(crate) fn send(&mut self, plain: &[u8], socket: &mut TcpStream) -> io::Result<()> {
        let Session::Tls(tls) = self else {
            return socket.write_all(plain);
        };
        // rustls buffers a bounded amount of plaintext: hand it over piece by piece.
        for piece in plain.chunks(16 * 1024) {
            tls.writer().write_all(piece)?;
            flush_records(tls, socket)?;
        }
        Ok(())
    }

    /// Tells the peer we are done (TLS close_notify); best effort.
    pub(crate) fn close(&mut self, socket: &mut TcpStream) {
        if let Session::Tls(tls) = self {
            tls.send_close_notify();
            let _ = flush_records(tls, socket);
        }
    }
}

/// Moves decrypted bytes out of rustls; false if the peer sent close_notify.
fn drain_plaintext(tls: &mut rustls::Connection, plain: &mut Vec<u8>) -> io::Result<bool> {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match tls.reader().read(&mut buf) {
            Ok(0) => return Ok(false),
            Ok(n) => plain.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(true),
            Err(e) => return Err(e),
        }
    }
}

fn flush_records(tls: &mut rustls::Connection, socket: &mut TcpStream) -> io::Result<()> {
    while tls.wants_write() {
        tls.write_tls(socket)?;
    }
    Ok(())
}
