//! Design §5 over a real socket: every bad request gets its status, then the connection closes.

mod common;

use std::io::Write;
use std::thread;
use std::time::Duration;

use common::*;
use rwh::http::{Limits, Router};

fn hello() -> Router {
    Router::new()
        .get("/", |_: &_, res: &mut rwh::http::Response| {
            res.send(200, "text/plain", b"hello\n")
        })
        .post(
            "/echo",
            |req: &rwh::http::Request, res: &mut rwh::http::Response| {
                res.send(200, "application/octet-stream", &req.body)
            },
        )
}

fn small_limits() -> Limits {
    Limits {
        max_head: 1024,
        max_body: 64,
        header_timeout: Duration::from_millis(300),
        ..Limits::default()
    }
}

#[test]
fn bad_requests_get_their_status() {
    let server = serve_with(hello(), small_limits());
    let big_header = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(2000)
    );
    let many_headers = format!("GET / HTTP/1.1\r\n{}\r\n", "X-A: 1\r\n".repeat(100));
    let too_long_body = format!(
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n{}",
        "a".repeat(65)
    );
    let table: Vec<(&str, String, u16)> = vec![
        ("garbage request line", "HELLO\r\n\r\n".into(), 400),
        ("space in header name", "GET / HTTP/1.1\r\nBad Header: 1\r\n\r\n".into(), 400),
        ("head over the limit", big_header, 431),
        ("too many header fields", many_headers, 431),
        (
            "both Content-Length and Transfer-Encoding",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".into(),
            400,
        ),
        ("negative length", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n".into(), 400),
        ("two different lengths", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab".into(), 400),
        ("bad chunk size", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".into(), 400),
        ("unknown transfer coding", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n".into(), 501),
        ("body over the limit", too_long_body, 413),
        (
            "chunked body over the limit",
            format!("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n{}\r\n0\r\n\r\n", "a".repeat(65)),
            413,
        ),
        ("unknown path", "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into(), 404),
    ];
    for (what, request, status) in table {
        let answer = exchange(server.addr(), request.as_bytes());
        assert_eq!(status_of(&answer), status, "{what}: {answer:?}");
    }
}

#[test]
fn wrong_method_gets_405_with_allow() {
    let server = serve(hello());
    let answer = exchange(
        server.addr(),
        b"DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status_of(&answer), 405, "{answer}");
    assert!(answer.contains("Allow: GET, HEAD\r\n"), "{answer}");
    let answer = exchange(
        server.addr(),
        b"GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.contains("Allow: POST\r\n"), "{answer}");
}

#[test]
fn incomplete_head_times_out_with_408() {
    let server = serve_with(hello(), small_limits());
    let mut stream = connect(server.addr());
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    let answer = read_to_close(&mut stream);
    assert_eq!(status_of(&answer), 408, "{answer:?}");
}

#[test]
fn silent_connection_is_closed_without_an_answer() {
    let server = serve_with(hello(), small_limits());
    let mut stream = connect(server.addr());
    assert_eq!(read_to_close(&mut stream), "");
}

#[test]
fn connections_over_the_cap_get_503() {
    let limits = Limits {
        max_connections: 2,
        ..Limits::default()
    };
    let server = serve_with(hello(), limits);
    let held: Vec<_> = (0..2).map(|_| connect(server.addr())).collect();
    assert!(eventually(|| server.connections() == 2));
    let answer = exchange(server.addr(), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(status_of(&answer), 503, "{answer}");
    assert_eq!(
        server.connections(),
        2,
        "the refused connection had no thread"
    );
    drop(held);
    assert!(eventually(|| server.connections() == 0));
    let answer = exchange(
        server.addr(),
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status_of(&answer), 200, "{answer}");
}

#[test]
fn a_panicking_handler_gets_500_and_harms_nobody() {
    let router = hello()
        .get(
            "/panic",
            |_: &_, _: &mut rwh::http::Response| -> std::io::Result<()> { panic!("boom") },
        )
        .get(
            "/panic-late",
            |_: &_, res: &mut rwh::http::Response| -> std::io::Result<()> {
                res.write_all(b"partial")?;
                res.flush()?;
                panic!("boom after the head")
            },
        );
    let server = serve(router);
    // A neighbour on a keep-alive connection, mid-conversation.
    let mut neighbour = connect(server.addr());
    neighbour
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    read_until(&mut neighbour, "hello\n");

    let answer = exchange(server.addr(), b"GET /panic HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(status_of(&answer), 500, "{answer}");
    let answer = exchange(
        server.addr(),
        b"GET /panic-late HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(status_of(&answer), 200, "{answer}");
    assert!(
        answer.contains("partial") && !answer.ends_with("0\r\n\r\n"),
        "body must be cut short: {answer:?}"
    );

    neighbour
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    read_until(&mut neighbour, "hello\n");
    thread::sleep(Duration::from_millis(50));
}

#[test]
fn a_client_that_stops_reading_is_dropped_at_the_write_deadline() {
    let limits = Limits {
        write_timeout: Duration::from_millis(200),
        ..Limits::default()
    };
    // A stream with no end, in large pieces, so the socket buffers fill quickly.
    let flood = Router::new().get(
        "/flood",
        |_: &rwh::http::Request, res: &mut rwh::http::Response| {
            let piece = vec![b'x'; 64 * 1024];
            loop {
                res.write_all(&piece)?;
                res.flush()?;
            }
        },
    );
    let server = serve_with(flood, limits);
    let mut stream = connect(server.addr());
    stream
        .write_all(b"GET /flood HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    read_until(&mut stream, "xxxx");
    // Never read again: the buffers fill, the server's write blocks, and times out.
    assert!(
        eventually(|| server.connections() == 0),
        "the server gives up on a peer that stops reading"
    );
    drop(stream);
}
