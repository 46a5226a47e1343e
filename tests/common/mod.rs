//! Helpers shared by the integration tests: raw sockets with bounded waits.
#![allow(dead_code)] // each test file uses its own subset

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use rwh::http::{Limits, Router, Running, Server};

/// Longest any single read in a test may block.
pub const READ_WAIT: Duration = Duration::from_secs(10);

/// Starts `router` on 127.0.0.1 port 0 with the given limits.
pub fn serve_with(router: Router, limits: Limits) -> Running {
    Server::bind("127.0.0.1:0")
        .unwrap()
        .with_limits(limits)
        .spawn(router)
        .unwrap()
}

/// Starts `router` on 127.0.0.1 port 0 with default limits.
pub fn serve(router: Router) -> Running {
    serve_with(router, Limits::default())
}

/// A connected socket whose reads give up after [`READ_WAIT`].
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(READ_WAIT)).unwrap();
    stream
}

/// Sends `bytes` and reads until the server closes the connection.
pub fn exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut stream = connect(addr);
    stream.write_all(bytes).unwrap();
    read_to_close(&mut stream)
}

/// Reads until EOF (or an error such as a reset after the server's answer).
pub fn read_to_close(stream: &mut TcpStream) -> String {
    let mut all = Vec::new();
    let mut buf = [0u8; 8192];
    let deadline = Instant::now() + READ_WAIT;
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => all.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&all).into_owned()
}

/// Reads until `needle` has arrived; panics after [`READ_WAIT`].
pub fn read_until(stream: &mut TcpStream, needle: &str) -> String {
    let mut all = Vec::new();
    let mut buf = [0u8; 8192];
    let deadline = Instant::now() + READ_WAIT;
    while !String::from_utf8_lossy(&all).contains(needle) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {needle:?}"
        );
        match stream.read(&mut buf) {
            Ok(0) => panic!(
                "closed before {needle:?}; got {:?}",
                String::from_utf8_lossy(&all)
            ),
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) => panic!(
                "{e} before {needle:?}; got {:?}",
                String::from_utf8_lossy(&all)
            ),
        }
    }
    String::from_utf8_lossy(&all).into_owned()
}

/// The status code of the first response in `text`.
pub fn status_of(text: &str) -> u16 {
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Waits, bounded, until `check` holds; false if it never did.
pub fn eventually(mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + READ_WAIT;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}
