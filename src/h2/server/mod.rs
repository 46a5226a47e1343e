//! The HTTP/2 server side of a connection (RFC 9113): after ALPN chose `h2`, or when a
//! cleartext client starts with the connection preface (h2c with prior knowledge).
//!
//! Threads: the connection's own thread reads and acts on frames ([`reader`]); each
//! request goes to one of the connection's handler threads ([`pool`]), which writes its
//! response through [`wire`]. They share one lock ([`state`]), so one slow stream never
//! holds up the others: a handler waiting for flow-control credit sleeps without the lock.

mod immediate;
mod pool;
mod reader;
mod state;
mod wire;

use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use crate::h2::session::Session;
use crate::http::Service;
use reader::Reader;
use state::Conn;

// ANCHOR: limits
/// Streams one client may have open at once (our SETTINGS_MAX_CONCURRENT_STREAMS); also
/// the most handler threads one connection may run, and the most requests it may queue.
pub const MAX_CONCURRENT_STREAMS: u32 = 100;
/// Largest header block accepted across HEADERS and CONTINUATION frames: a block that
/// never ends is the 2024 CONTINUATION flood.
pub const MAX_HEADER_BLOCK: usize = 64 * 1024;
/// PING and SETTINGS frames accepted per [`FLOOD_WINDOW`] before ENHANCE_YOUR_CALM.
pub const MAX_CONTROL_FRAMES: u32 = 1000;
/// Streams the client may reset per [`FLOOD_WINDOW`] (the 2023 rapid reset attack).
pub const MAX_RESETS: u32 = 200;
/// How long a closing connection keeps reading, so the peer gets our GOAWAY.
pub const LINGER: Duration = Duration::from_millis(500);
/// The window over which floods are counted.
pub const FLOOD_WINDOW: Duration = Duration::from_secs(10);
// ANCHOR_END: limits

/// Serves HTTP/2 over TLS on a connection whose handshake chose `h2`.
pub(crate) fn serve_tls(tls: rustls::ServerConnection, socket: TcpStream, service: &Service) {
    serve(Session::Tls(Box::new(tls.into())), socket, &[], service);
}

/// Serves h2c: `read_ahead` holds what was read so far, starting with the preface.
pub(crate) fn serve_cleartext(socket: TcpStream, read_ahead: &[u8], service: &Service) {
    serve(Session::Cleartext, socket, read_ahead, service);
}

fn serve(session: Session, socket: TcpStream, read_ahead: &[u8], service: &Service) {
    let limits = &service.limits;
    let Ok(writer) = socket.try_clone() else {
        return;
    };
    if writer
        .set_write_timeout(Some(limits.write_timeout))
        .is_err()
        || writer.set_nodelay(true).is_err()
    {
        return;
    }
    let conn = Arc::new(Conn::new(session, writer, limits.write_timeout));
    let drain: Arc<dyn crate::http::Drain> = conn.clone();
    service.drains.register(Arc::downgrade(&drain));
    Reader::new(conn, socket, service.clone()).run(read_ahead);
}
