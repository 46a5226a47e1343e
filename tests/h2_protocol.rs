//! HTTP/2 (section 9.1) over cleartext with prior knowledge, frame by frame: responses,
//! concurrent streams, flow control, and the error codes of RFC 9113 for bad input.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;
use rwh::h2::client::{Connection, Event};
use rwh::h2::frame::{ErrorCode, Frame, Setting};
use rwh::http::{Limits, Request, Response, Router};

fn router() -> Router {
    Router::new()
        .get("/", |_: &Request, res: &mut Response| {
            res.send(200, "text/plain", b"hello over h2\n")
        })
        .get("/big", |_: &Request, res: &mut Response| {
            res.send(200, "application/octet-stream", &vec![7u8; 1 << 20])
        })
        .post("/echo", |req: &Request, res: &mut Response| {
            res.send(200, "application/octet-stream", &req.body)
        })
        .get("/ticks", |_: &Request, res: &mut Response| {
            // Until the client goes: a write to a reset stream fails.
            for _ in 0..100_000 {
                res.write_all(b"tick\n")?;
                res.flush()?;
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(())
        })
        .get("/slow", |_: &Request, res: &mut Response| {
            res.set_header("Content-Type", "text/event-stream");
            res.write_all(b"data: first\n\n")?;
            res.flush()?;
            std::thread::sleep(Duration::from_secs(3600));
            Ok(())
        })
}

fn start(limits: Limits) -> (rwh::http::Running, Connection<TcpStream>) {
    let server = serve_with(router(), limits);
    let client = dial(&server, &[]);
    (server, client)
}

fn get(client: &mut Connection<TcpStream>, path: &str) -> u32 {
    client
        .send_request("GET", "http", "localhost", path, &[], b"")
        .unwrap()
}

/// Reads events until GOAWAY; returns its code.
fn goaway_code(client: &mut Connection<TcpStream>) -> ErrorCode {
    for _ in 0..10_000 {
        match client.next_event() {
            Ok(Event::GoAway { code, .. }) => return code,
            Ok(_) => {}
            Err(e) => panic!("connection ended without GOAWAY: {e}"),
        }
    }
    panic!("no GOAWAY")
}

/// Reads events until a RST_STREAM for `id`; returns its code.
fn reset_code(client: &mut Connection<TcpStream>, id: u32) -> ErrorCode {
    for _ in 0..10_000 {
        match client.next_event().unwrap() {
            Event::Reset { stream, code } if stream == id => return code,
            Event::GoAway { code, debug, .. } => {
                panic!("GOAWAY {code} {debug} instead of RST_STREAM")
            }
            _ => {}
        }
    }
    panic!("no RST_STREAM")
}

#[test]
fn a_request_gets_its_response() {
    let (_server, mut client) = start(Limits::default());
    let id = get(&mut client, "/");
    let response = client.read_response(id).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body, b"hello over h2\n");
    assert_eq!(response.headers.get("content-length"), Some("14"));
    assert_eq!(response.headers.get("content-type"), Some("text/plain"));
    assert!(response.headers.get("date").is_some());
}

#[test]
fn head_and_post_work_too() {
    let (_server, mut client) = start(Limits::default());
    let head = client
        .send_request("HEAD", "http", "localhost", "/", &[], b"")
        .unwrap();
    let response = client.read_response(head).unwrap();
    assert_eq!((response.status, response.body.len()), (200, 0));
    assert_eq!(response.headers.get("content-length"), Some("14"));
    let body = vec![b'x'; 100_000];
    let post = client
        .send_request("POST", "http", "localhost", "/echo", &[], &body)
        .unwrap();
    assert_eq!(client.read_response(post).unwrap().body, body);
}

#[test]
fn a_large_body_flows_through_the_windows() {
    let (_server, mut client) = start(Limits::default());
    let id = get(&mut client, "/big");
    let response = client.read_response(id).unwrap();
    assert_eq!(response.body.len(), 1 << 20);
}

#[test]
fn a_slow_stream_does_not_stall_the_others() {
    let (_server, mut client) = start(Limits::default());
    let slow = get(&mut client, "/slow");
    let quick = get(&mut client, "/");
    let response = client.read_response(quick).unwrap();
    assert_eq!(
        response.body, b"hello over h2\n",
        "answered while stream {slow} is still open"
    );
}

#[test]
fn ping_is_answered() {
    let (_server, mut client) = start(Limits::default());
    client
        .send_frame(&Frame::Ping {
            ack: false,
            data: *b"rwh ping",
        })
        .unwrap();
    loop {
        if let Event::PingAck(data) = client.next_event().unwrap() {
            assert_eq!(&data, b"rwh ping");
            break;
        }
    }
}

#[test]
fn bad_frames_get_the_rfc_error_codes() {
    let table: [(&str, Vec<u8>, ErrorCode); 6] = [
        (
            "DATA on stream 0",
            frame_bytes(&Frame::data(0, b"x".to_vec(), false)),
            ErrorCode::ProtocolError,
        ),
        (
            "zero WINDOW_UPDATE on the connection",
            vec![0, 0, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            ErrorCode::ProtocolError,
        ),
        (
            "SETTINGS of a bad length",
            vec![0, 0, 5, 4, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
            ErrorCode::FrameSizeError,
        ),
        (
            "PING of a bad length",
            vec![0, 0, 4, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4],
            ErrorCode::FrameSizeError,
        ),
        (
            "HEADERS on an even stream",
            frame_bytes(&Frame::Headers {
                stream: 2,
                block: vec![0x82],
                end_stream: true,
                end_headers: true,
                priority: None,
            }),
            ErrorCode::ProtocolError,
        ),
        (
            "a broken HPACK block",
            frame_bytes(&Frame::Headers {
                stream: 1,
                block: vec![0x80],
                end_stream: true,
                end_headers: true,
                priority: None,
            }),
            ErrorCode::CompressionError,
        ),
    ];
    let server = serve(router());
    for (what, bytes, code) in table {
        let mut client = dial(&server, &[]);
        client.send_raw(&bytes).unwrap();
        assert_eq!(goaway_code(&mut client), code, "{what}");
    }
}

#[test]
fn a_malformed_request_resets_only_its_stream() {
    let (_server, mut client) = start(Limits::default());
    let mut block = Vec::new();
    rwh::h2::hpack::Encoder::new().encode(
        [(&b":method"[..], &b"GET"[..]), (b":scheme", b"http")],
        &mut block,
    );
    let malformed = client.take_stream_id();
    client
        .send_frame(&Frame::Headers {
            stream: malformed,
            block,
            end_stream: true,
            end_headers: true,
            priority: None,
        })
        .unwrap();
    assert_eq!(reset_code(&mut client, malformed), ErrorCode::ProtocolError);
    let id = client
        .send_request("GET", "http", "localhost", "/", &[], b"")
        .unwrap();
    assert_eq!(client.read_response(id).unwrap().status, 200);
}

#[test]
fn a_header_list_over_the_limit_gets_431() {
    let (_server, mut client) = start(Limits::default());
    let big = "x".repeat(20_000);
    let id = client
        .send_request("GET", "http", "localhost", "/", &[("x-big", &big)], b"")
        .unwrap();
    assert_eq!(client.read_response(id).unwrap().status, 431);
}

#[test]
fn a_header_block_that_never_ends_is_cut_off() {
    let (_server, mut client) = start(Limits::default());
    let mut block = Vec::new();
    rwh::h2::hpack::Encoder::new().encode([(&b":method"[..], &b"GET"[..])], &mut block);
    client
        .send_frame(&Frame::Headers {
            stream: 1,
            block,
            end_stream: true,
            end_headers: false,
            priority: None,
        })
        .unwrap();
    // CONTINUATION after CONTINUATION, never END_HEADERS: the server must not buffer for ever.
    for _ in 0..8 {
        let piece = Frame::Continuation {
            stream: 1,
            block: vec![b'a'; 16_000],
            end_headers: false,
        };
        if client.send_frame(&piece).is_err() {
            break;
        }
    }
    assert_eq!(goaway_code(&mut client), ErrorCode::EnhanceYourCalm);
}

#[test]
fn rapid_resets_are_stopped() {
    let (_server, mut client) = start(Limits::default());
    for _ in 0..1_000 {
        let Ok(id) = client.send_request("GET", "http", "localhost", "/slow", &[], b"") else {
            break;
        };
        if client
            .send_frame(&Frame::RstStream {
                stream: id,
                code: ErrorCode::Cancel,
            })
            .is_err()
        {
            break;
        }
    }
    assert_eq!(goaway_code(&mut client), ErrorCode::EnhanceYourCalm);
}

#[test]
fn a_ping_flood_is_stopped() {
    let (_server, mut client) = start(Limits::default());
    for i in 0..2_000u64 {
        if client
            .send_frame(&Frame::Ping {
                ack: false,
                data: i.to_be_bytes(),
            })
            .is_err()
        {
            break;
        }
    }
    assert_eq!(goaway_code(&mut client), ErrorCode::EnhanceYourCalm);
}

#[test]
fn a_peer_that_never_opens_its_window_loses_the_stream() {
    let limits = Limits {
        write_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let server = serve_with(router(), limits);
    let mut client = dial(&server, &[(Setting::InitialWindowSize.id(), 0)]);
    let id = get(&mut client, "/");
    assert_eq!(reset_code(&mut client, id), ErrorCode::Cancel);
    // The connection itself is still fine.
    client
        .send_frame(&Frame::Ping {
            ack: false,
            data: [1; 8],
        })
        .unwrap();
    assert!(matches!(
        client.next_event().unwrap(),
        Event::PingAck(_) | Event::Headers { .. }
    ));
}

#[test]
fn streams_over_the_limit_are_refused() {
    let (_server, mut client) = start(Limits::default());
    let ids: Vec<u32> = (0..101).map(|_| get(&mut client, "/slow")).collect();
    assert_eq!(reset_code(&mut client, ids[100]), ErrorCode::RefusedStream);
}

#[test]
fn requests_in_a_row_need_few_handler_threads() {
    let (server, mut client) = start(Limits::default());
    for _ in 0..200 {
        let id = get(&mut client, "/");
        assert_eq!(client.read_response(id).unwrap().status, 200);
    }
    // The connection's thread and a few handler threads, not one per request.
    let threads = server.connections();
    assert!(threads <= 10, "{threads} threads for 200 requests in a row");
}

#[test]
fn a_client_within_the_stream_limit_is_never_refused() {
    let (_server, mut client) = start(Limits::default());
    let _slow: Vec<u32> = (0..99).map(|_| get(&mut client, "/slow")).collect();
    // The 100th stream, again and again: its handler may still be finishing when the
    // client, which saw the stream end, opens the next one. That is not over the limit.
    for _ in 0..300 {
        let id = get(&mut client, "/");
        assert_eq!(client.read_response(id).unwrap().status, 200);
    }
}

#[test]
fn http1_still_works_on_the_same_port() {
    let server = serve(router());
    let answer = exchange(
        server.addr(),
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.ends_with("hello over h2\n"), "{answer}");
    let mut raw = connect(server.addr());
    raw.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").unwrap();
    let mut head = [0u8; 9];
    raw.read_exact(&mut head).unwrap();
    assert_eq!(head[3], 4, "the server's first frame is SETTINGS");
}

fn frame_bytes(frame: &Frame) -> Vec<u8> {
    let mut out = Vec::new();
    frame.encode(&mut out);
    out
}

/// Opens a POST to `/echo` on a new stream, with the header fields `extra` and no body yet.
fn open_upload(client: &mut Connection<TcpStream>, extra: &[(&[u8], &[u8])]) -> u32 {
    let mut fields: Vec<(&[u8], &[u8])> = vec![
        (b":method", b"POST"),
        (b":scheme", b"http"),
        (b":authority", b"localhost"),
        (b":path", b"/echo"),
    ];
    fields.extend_from_slice(extra);
    let mut block = Vec::new();
    rwh::h2::hpack::Encoder::new().encode(fields, &mut block);
    let id = client.take_stream_id();
    client
        .send_frame(&Frame::Headers {
            stream: id,
            block,
            end_stream: false,
            end_headers: true,
            priority: None,
        })
        .unwrap();
    id
}

#[test]
fn expect_100_continue_gets_an_interim_response() {
    let (_server, mut client) = start(Limits::default());
    let id = open_upload(&mut client, &[(b"expect", b"100-continue")]);
    // RFC 9110 §10.1.1: the client waits for 100 (curl waits a second) before the body.
    match client.next_event().unwrap() {
        Event::Headers {
            stream,
            fields,
            end_stream,
        } => {
            assert_eq!(stream, id);
            assert_eq!(fields, [(":status".to_string(), "100".to_string())]);
            assert!(!end_stream, "an interim response leaves the stream open");
        }
        other => panic!("expected 100 Continue, got {other:?}"),
    }
    client
        .send_frame(&Frame::data(id, b"body".to_vec(), true))
        .unwrap();
    let response = client.read_response(id).unwrap();
    assert_eq!(
        (response.status, response.body.as_slice()),
        (200, &b"body"[..])
    );
}

#[test]
fn a_request_body_that_stalls_is_cut_off() {
    let limits = Limits {
        body_timeout: Duration::from_millis(200),
        ..Limits::default()
    };
    let (_server, mut client) = start(limits);
    let id = open_upload(&mut client, &[(b"content-length", b"10")]);
    client
        .send_frame(&Frame::data(id, b"12345".to_vec(), false))
        .unwrap();
    // The other five bytes never come: the stream gets 408, then ends.
    let response = client.read_response(id).unwrap();
    assert_eq!(response.status, 408);
    assert_eq!(reset_code(&mut client, id), ErrorCode::NoError);
    // The connection itself still works.
    let next = get(&mut client, "/");
    assert_eq!(client.read_response(next).unwrap().status, 200);
}

#[test]
fn an_idle_connection_gets_goaway_but_a_busy_one_does_not() {
    let limits = Limits {
        idle_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let (_server, mut client) = start(limits);
    // A stream that is still being answered keeps the connection open past the timeout:
    // 30 ticks take 600 ms at least, twice the idle timeout.
    let slow = get(&mut client, "/ticks");
    let mut ticks = 0;
    for _ in 0..1_000 {
        match client.next_event().unwrap() {
            Event::Data { stream, .. } if stream == slow => ticks += 1,
            Event::GoAway { .. } => panic!("GOAWAY while a stream is open"),
            _ => {}
        }
        if ticks == 30 {
            break;
        }
    }
    assert_eq!(ticks, 30);
    client
        .send_frame(&Frame::RstStream {
            stream: slow,
            code: ErrorCode::Cancel,
        })
        .unwrap();
    // With nothing left, the connection ends with GOAWAY(NO_ERROR) "idle".
    for _ in 0..100 {
        if let Event::GoAway { code, debug, .. } = client.next_event().unwrap() {
            assert_eq!((code, debug.as_str()), (ErrorCode::NoError, "idle"));
            return;
        }
    }
    panic!("no GOAWAY");
}

#[test]
fn the_preface_only_counts_at_the_start_of_a_connection() {
    let server = serve(router());
    let mut raw = connect(server.addr());
    raw.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    read_until(&mut raw, "hello over h2\n");
    raw.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").unwrap();
    let answer = read_to_close(&mut raw);
    assert_eq!(status_of(&answer), 505, "{answer}");
}

#[test]
fn stopping_the_server_sends_goaway_and_finishes_open_streams() {
    let mut server = serve(router());
    let mut idle = dial(&server, &[]);
    let id = get(&mut idle, "/");
    assert_eq!(idle.read_response(id).unwrap().status, 200);
    let mut busy = dial(&server, &[]);
    let slow = get(&mut busy, "/slow");
    loop {
        // The slow stream has started: its first event is out.
        if let Event::Data { stream, .. } = busy.next_event().unwrap() {
            assert_eq!(stream, slow);
            break;
        }
    }
    server.stop();
    // The idle connection hears GOAWAY(NO_ERROR) and is closed.
    assert_eq!(goaway_code(&mut idle), ErrorCode::NoError);
    let closed = (0..10).any(|_| idle.next_event().is_err());
    assert!(closed, "the idle connection ends after its GOAWAY");
    // The busy one hears it too, and a new stream there is refused.
    assert_eq!(goaway_code(&mut busy), ErrorCode::NoError);
    let late = get(&mut busy, "/");
    assert_eq!(reset_code(&mut busy, late), ErrorCode::RefusedStream);
}
