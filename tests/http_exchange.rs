//! HTTP/1.1 on a real socket: keep-alive, pipelining, bodies, HEAD, 100-continue, HTTP/1.0.

mod common;

use std::io::{Read, Write};

use common::*;
use rwh::http::{Request, Response, Router};

fn router() -> Router {
    Router::new()
        .get("/", |_: &Request, res: &mut Response| {
            res.send(200, "text/plain", b"hello\n")
        })
        .get("/rooms/{name}", |req: &Request, res: &mut Response| {
            let name = req.param("name").unwrap_or_default().to_string();
            res.send(200, "text/plain", name.as_bytes())
        })
        .post("/echo", |req: &Request, res: &mut Response| {
            res.send(200, "application/octet-stream", &req.body)
        })
        .get("/stream", |_: &Request, res: &mut Response| {
            res.set_header("Content-Type", "text/plain");
            for word in ["one ", "two ", "three"] {
                res.write_all(word.as_bytes())?;
                res.flush()?;
            }
            Ok(())
        })
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let server = serve(router());
    let mut stream = connect(server.addr());
    for _ in 0..3 {
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let answer = read_until(&mut stream, "hello\n");
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.contains("Content-Length: 6\r\n"), "{answer}");
        assert!(answer.contains("Date: "), "{answer}");
    }
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = serve(router());
    let requests = "GET /rooms/a HTTP/1.1\r\nHost: x\r\n\r\n\
                    POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nb\
                    GET /rooms/c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let answer = exchange(server.addr(), requests.as_bytes());
    let bodies: Vec<&str> = answer
        .split("HTTP/1.1 200 OK\r\n")
        .skip(1)
        .map(|r| r.split("\r\n\r\n").nth(1).unwrap_or_default())
        .collect();
    assert_eq!(bodies, ["a", "b", "c"], "{answer}");
}

#[test]
fn chunked_request_bodies_are_decoded() {
    let server = serve(router());
    let request = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
                   5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
    let answer = exchange(server.addr(), request.as_bytes());
    assert!(answer.ends_with("\r\n\r\nhello world"), "{answer:?}");
}

#[test]
fn head_gets_the_length_but_no_body() {
    let server = serve(router());
    let answer = exchange(
        server.addr(),
        b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.contains("Content-Length: 6\r\n"), "{answer}");
    assert!(
        answer.ends_with("\r\n\r\n"),
        "no body after the head: {answer:?}"
    );
}

#[test]
fn expect_100_continue_is_answered_before_the_body() {
    let server = serve(router());
    let mut stream = connect(server.addr());
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
        .unwrap();
    read_until(&mut stream, "HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(b"ok").unwrap();
    let answer = read_to_close(&mut stream);
    assert!(
        answer.starts_with("HTTP/1.1 200 OK\r\n") && answer.ends_with("ok"),
        "{answer:?}"
    );
}

#[test]
fn http_1_0_closes_unless_asked_and_never_gets_chunks() {
    let server = serve(router());
    let answer = exchange(server.addr(), b"GET / HTTP/1.0\r\n\r\n");
    assert!(
        answer.contains("Connection: close\r\n") && answer.ends_with("hello\n"),
        "{answer}"
    );

    let answer = exchange(server.addr(), b"GET /stream HTTP/1.0\r\n\r\n");
    assert!(!answer.contains("Transfer-Encoding"), "{answer}");
    assert!(answer.ends_with("\r\n\r\none two three"), "{answer:?}");

    let mut stream = connect(server.addr());
    stream
        .write_all(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .unwrap();
    let answer = read_until(&mut stream, "hello\n");
    assert!(answer.contains("Connection: keep-alive\r\n"), "{answer}");
}

#[test]
fn a_streamed_body_is_chunked() {
    let server = serve(router());
    let answer = exchange(
        server.addr(),
        b"GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(
        answer.contains("Transfer-Encoding: chunked\r\n"),
        "{answer}"
    );
    assert!(
        answer.ends_with("\r\n\r\n4\r\none \r\n4\r\ntwo \r\n5\r\nthree\r\n0\r\n\r\n"),
        "{answer:?}"
    );
}

#[test]
fn flush_reaches_the_client_before_the_handler_returns() {
    // The handler waits for the client to confirm each flushed piece: without a real
    // flush the client never sees it, and the handler gives up.
    let (seen_tx, seen_rx) = crossbeam_channel::bounded::<()>(0);
    let router = Router::new().get("/", move |_: &Request, res: &mut Response| {
        for piece in ["first\n", "second\n"] {
            res.write_all(piece.as_bytes())?;
            res.flush()?;
            seen_rx
                .recv_timeout(READ_WAIT)
                .map_err(|_| std::io::Error::other("client never saw the piece"))?;
        }
        Ok(())
    });
    let server = serve(router);
    let mut stream = connect(server.addr());
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut seen = read_until(&mut stream, "first\n");
    seen_tx.send(()).unwrap();
    seen.push_str(&read_until(&mut stream, "second\n"));
    seen_tx.send(()).unwrap();
    seen.push_str(&read_until(&mut stream, "0\r\n\r\n"));
    assert!(seen.contains("Transfer-Encoding: chunked"), "{seen}");
}

#[test]
fn hijack_hands_over_the_socket_and_the_bytes_read_ahead() {
    let router = Router::new().get("/raw", |_: &Request, res: &mut Response| {
        let mut taken = res.hijack().expect("HTTP/1.1 can be hijacked");
        taken
            .stream
            .write_all(b"HTTP/1.1 101 Switching Protocols\r\n\r\n")?;
        // Echo what the client sent in the same packet as the head, then one more read.
        taken.stream.write_all(&taken.read_ahead)?;
        let mut buf = [0u8; 64];
        let n = taken.stream.read(&mut buf)?;
        taken.stream.write_all(&buf[..n])
    });
    let server = serve(router);
    let mut stream = connect(server.addr());
    stream
        .write_all(b"GET /raw HTTP/1.1\r\nHost: x\r\n\r\nearly bytes|")
        .unwrap();
    read_until(&mut stream, "101 Switching Protocols\r\n\r\nearly bytes|");
    stream.write_all(b"late bytes").unwrap();
    let rest = read_to_close(&mut stream);
    assert_eq!(rest, "late bytes");
}
