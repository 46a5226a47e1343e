//! Helpers for the WebSocket tests: the 9.4 echo example, raw handshakes, raw frames.
#![allow(dead_code)] // each test file uses its own subset

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use rwh::http::Running;
use rwh::ws::Upgrader;

#[path = "../../examples/ch09_4_ws_echo_server.rs"]
#[allow(dead_code)] // the example's main() and Args are not used here
pub mod echo;

use super::common::{READ_WAIT, connect, serve};

/// The echo example on 127.0.0.1 port 0, with `upgrader`.
pub fn echo_server(upgrader: Upgrader) -> Running {
    serve(echo::routes(upgrader))
}

/// The `ws://` URL of `/echo` on a running server.
pub fn echo_url(server: &Running) -> String {
    format!("ws://{}/echo", server.addr())
}

/// The RFC 6455 sample key and its accept value.
pub const SAMPLE_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
pub const SAMPLE_ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// A handshake request for `path` on `addr`, with extra header lines (each ending in CRLF).
pub fn handshake(addr: SocketAddr, path: &str, extra: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {SAMPLE_KEY}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
}

/// Opens a socket, sends the handshake (plus `after`, in the same write), and reads the
/// answer head. Returns the socket, the head, and any bytes read after it.
pub fn raw_upgrade(addr: SocketAddr, extra: &str, after: &[u8]) -> (TcpStream, String, Vec<u8>) {
    raw_upgrade_on(connect(addr), addr, "/echo", extra, after)
}

/// [`raw_upgrade`] on a socket already connected to `addr`, for the resource `path`.
pub fn raw_upgrade_on(
    mut stream: TcpStream,
    addr: SocketAddr,
    path: &str,
    extra: &str,
    after: &[u8],
) -> (TcpStream, String, Vec<u8>) {
    let mut bytes = handshake(addr, path, extra).into_bytes();
    bytes.extend_from_slice(after);
    stream.write_all(&bytes).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + READ_WAIT;
    let end = loop {
        if let Some(i) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        assert!(Instant::now() < deadline, "no handshake answer");
        let n = stream.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "closed during the handshake: {:?}",
            String::from_utf8_lossy(&got)
        );
        got.extend_from_slice(&buf[..n]);
    };
    let rest = got.split_off(end);
    (stream, String::from_utf8(got).unwrap(), rest)
}

/// A masked client frame (RFC 6455 §5.2).
pub fn client_frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x12, 0x34, 0x56, 0x78];
    let mut frame = vec![if fin { 0x80 } else { 0 } | opcode];
    match payload.len() {
        n @ 0..=125 => frame.push(0x80 | n as u8),
        n @ 126..=0xffff => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// One frame as the server sent it: FIN bit, opcode, payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub fin: bool,
    pub opcode: u8,
    pub payload: Vec<u8>,
}

/// Reads server frames strictly (unmasked, no reserved bits), with what was read before.
pub struct FrameReader {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl FrameReader {
    pub fn new(stream: TcpStream, already: Vec<u8>) -> Self {
        Self {
            stream,
            buf: already,
        }
    }

    /// The next frame; `None` at EOF. Panics on a malformed frame or after [`READ_WAIT`].
    pub fn next(&mut self) -> Option<Frame> {
        let deadline = Instant::now() + READ_WAIT;
        loop {
            if let Some((frame, used)) = parse(&self.buf) {
                self.buf.drain(..used);
                return Some(frame);
            }
            assert!(Instant::now() < deadline, "no frame within {READ_WAIT:?}");
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    assert!(self.buf.is_empty(), "EOF inside a frame");
                    return None;
                }
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return None,
                Err(e) => panic!("read: {e}"),
            }
        }
    }
}

/// Parses one unmasked frame from the front of `buf`.
fn parse(buf: &[u8]) -> Option<(Frame, usize)> {
    if buf.len() < 2 {
        return None;
    }
    assert_eq!(buf[0] & 0x70, 0, "reserved bits set: {:02x}", buf[0]);
    assert_eq!(buf[1] & 0x80, 0, "a server frame must not be masked");
    let (len, mut at) = match buf[1] & 0x7f {
        126 if buf.len() >= 4 => (u16::from_be_bytes([buf[2], buf[3]]) as usize, 4),
        127 if buf.len() >= 10 => (
            u64::from_be_bytes(buf[2..10].try_into().unwrap()) as usize,
            10,
        ),
        126 | 127 => return None,
        n => (n as usize, 2),
    };
    if buf.len() < at + len {
        return None;
    }
    let payload = buf[at..at + len].to_vec();
    at += len;
    let opcode = buf[0] & 0x0f;
    assert!(
        matches!(opcode, 0 | 1 | 2 | 8 | 9 | 10),
        "unknown opcode {opcode}"
    );
    Some((
        Frame {
            fin: buf[0] & 0x80 != 0,
            opcode,
            payload,
        },
        at,
    ))
}

/// The close code in a close frame's payload.
pub fn close_code(payload: &[u8]) -> Option<u16> {
    (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]))
}
