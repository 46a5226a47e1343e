//! Section 9.4.1's upgrade over a real socket: the 101 answer, the first frame riding
//! with the request, subprotocols, and design §5's refusals (400, 403, 405, 426).

mod common;
mod ws_common;

use std::io::Write;

use common::*;
use rwh::ws::{ClientOptions, OriginPolicy, Upgrader, connect_with};
use ws_common::*;

#[test]
fn the_answer_carries_the_accept_key() {
    let server = echo_server(Upgrader::new());
    let (_stream, head, _) = raw_upgrade(server.addr(), "", b"");
    assert!(
        head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{head}"
    );
    assert!(head.contains("\r\nUpgrade: websocket\r\n"), "{head}");
    assert!(head.contains("\r\nConnection: Upgrade\r\n"), "{head}");
    assert!(
        head.contains(&format!("\r\nSec-WebSocket-Accept: {SAMPLE_ACCEPT}\r\n")),
        "{head}"
    );
    assert!(!head.contains("Sec-WebSocket-Protocol"), "{head}");
}

#[test]
fn a_frame_sent_with_the_request_is_not_lost() {
    let server = echo_server(Upgrader::new());
    // One write: the request head and a text frame, as a hasty client may send them.
    let frame = client_frame(true, 1, b"early bird");
    let (stream, head, rest) = raw_upgrade(server.addr(), "", &frame);
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    let mut frames = FrameReader::new(stream, rest);
    let echo = frames.next().expect("the echo");
    assert_eq!(
        (echo.opcode, echo.payload.as_slice()),
        (1, &b"early bird"[..])
    );
}

#[test]
fn the_first_subprotocol_the_client_asks_for_is_chosen() {
    let server = echo_server(Upgrader::new().subprotocols(["v1.echo", "v2.echo"]));
    let (_s, head, _) = raw_upgrade(
        server.addr(),
        "Sec-WebSocket-Protocol: v3.echo, v2.echo, v1.echo\r\n",
        b"",
    );
    assert!(
        head.contains("\r\nSec-WebSocket-Protocol: v2.echo\r\n"),
        "{head}"
    );

    let options = ClientOptions {
        subprotocols: vec!["v9".into(), "v1.echo".into()],
        ..ClientOptions::default()
    };
    let conn = connect_with(&echo_url(&server), &options).unwrap();
    assert_eq!(conn.subprotocol(), Some("v1.echo"));

    let (_s, head, _) = raw_upgrade(server.addr(), "Sec-WebSocket-Protocol: v9\r\n", b"");
    assert!(
        head.starts_with("HTTP/1.1 101") && !head.contains("Protocol:"),
        "{head}"
    );
}

#[test]
fn malformed_handshakes_get_their_status() {
    let server = echo_server(Upgrader::new());
    let addr = server.addr();
    let base = |fields: &str| format!("GET /echo HTTP/1.1\r\nHost: {addr}\r\n{fields}\r\n");
    let upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\n";
    let key = format!("Sec-WebSocket-Key: {SAMPLE_KEY}\r\n");
    let v13 = "Sec-WebSocket-Version: 13\r\n";
    let table: Vec<(&str, String, u16)> = vec![
        ("plain GET", base(""), 400),
        (
            "no Upgrade",
            base(&format!("Connection: Upgrade\r\n{key}{v13}")),
            400,
        ),
        (
            "no Connection token",
            base(&format!("Upgrade: websocket\r\n{key}{v13}")),
            400,
        ),
        ("no key", base(&format!("{upgrade}{v13}")), 400),
        (
            "key not base64",
            base(&format!("{upgrade}Sec-WebSocket-Key: ???\r\n{v13}")),
            400,
        ),
        (
            "key of 5 bytes",
            base(&format!("{upgrade}Sec-WebSocket-Key: aGVsbG8=\r\n{v13}")),
            400,
        ),
        ("two keys", base(&format!("{upgrade}{key}{key}{v13}")), 400),
        (
            "HTTP/1.0",
            format!("GET /echo HTTP/1.0\r\nHost: {addr}\r\n{upgrade}{key}{v13}\r\n"),
            400,
        ),
        (
            "version 8",
            base(&format!("{upgrade}{key}Sec-WebSocket-Version: 8\r\n")),
            426,
        ),
        ("no version", base(&format!("{upgrade}{key}")), 426),
        (
            "POST",
            // The route is GET only: the router answers, and keeps the connection
            // open unless told otherwise.
            format!(
                "POST /echo HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\n\
                 Upgrade: websocket\r\nConnection: Upgrade, close\r\n{key}{v13}\r\n"
            ),
            405,
        ),
    ];
    for (what, request, status) in table {
        let answer = exchange(addr, request.as_bytes());
        assert_eq!(status_of(&answer), status, "{what}: {answer}");
        if status == 426 {
            assert!(
                answer.contains("\r\nSec-WebSocket-Version: 13\r\n"),
                "{what}: {answer}"
            );
        }
    }
}

#[test]
fn origins_follow_the_policy() {
    let server = echo_server(Upgrader::new());
    let addr = server.addr();
    let request = |origin: &str| handshake(addr, "/echo", &format!("Origin: {origin}\r\n"));

    // Same origin as Host: accepted. No Origin at all (not a browser): accepted.
    let mut same = connect(addr);
    same.write_all(request(&format!("http://{addr}")).as_bytes())
        .unwrap();
    assert!(read_until(&mut same, "\r\n\r\n").starts_with("HTTP/1.1 101"));
    let (_s, head, _) = raw_upgrade(addr, "", b"");
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");

    // A page elsewhere: 403, the cross-site WebSocket hijacking the book's
    // `CheckOrigin: return true` would let through.
    let answer = exchange(addr, request("http://evil.example").as_bytes());
    assert_eq!(status_of(&answer), 403, "{answer}");
    let answer = exchange(
        addr,
        request(&format!("http://localhost:{}", addr.port())).as_bytes(),
    );
    assert_eq!(
        status_of(&answer),
        403,
        "another host name is another origin: {answer}"
    );

    // Unless the operator allows that origin.
    let allowing = echo_server(
        Upgrader::new().origins(OriginPolicy::same_origin().allow("http://localhost:3000")),
    );
    let mut allowed = connect(allowing.addr());
    allowed
        .write_all(
            handshake(
                allowing.addr(),
                "/echo",
                "Origin: http://localhost:3000\r\n",
            )
            .as_bytes(),
        )
        .unwrap();
    assert!(read_until(&mut allowed, "\r\n\r\n").starts_with("HTTP/1.1 101"));
    let other = handshake(
        allowing.addr(),
        "/echo",
        "Origin: http://localhost:3001\r\n",
    );
    assert_eq!(status_of(&exchange(allowing.addr(), other.as_bytes())), 403);
}
