//! `Immediate` handlers over HTTP/2: answered on the connection's own thread, which must
//! still never wait for flow-control credit (only that thread can receive it).

mod common;

use std::net::TcpStream;
use std::time::Duration;

use common::*;
use rwh::h2::client::{Connection, Event};
use rwh::h2::frame::{ErrorCode, Frame, Setting};
use rwh::http::{Immediate, Limits, Request, Response, Router};

/// Bigger than the default window of 65,535 bytes.
const BIG: usize = 200_000;

fn thread_name(_: &Request, res: &mut Response) -> std::io::Result<()> {
    let name = std::thread::current().name().unwrap_or("").to_string();
    res.send(200, "text/plain", name.as_bytes())
}

fn router() -> Router {
    Router::new()
        .get("/here", Immediate(thread_name))
        .get("/threaded", thread_name)
        .get(
            "/here/big",
            Immediate(|_: &Request, res: &mut Response| {
                let body: Vec<u8> = (0..BIG).map(|i| (i % 251) as u8).collect();
                res.send(200, "application/octet-stream", &body)
            }),
        )
        .get(
            "/here/panic",
            Immediate(|_: &Request, _: &mut Response| -> std::io::Result<()> {
                panic!("a bug in an immediate handler")
            }),
        )
}

fn get(client: &mut Connection<TcpStream>, method: &str, path: &str) -> u32 {
    client
        .send_request(method, "http", "localhost", path, &[], b"")
        .unwrap()
}

#[test]
fn an_immediate_route_is_answered_on_the_connection_thread() {
    let server = serve(router());
    let mut client = dial(&server, &[]);
    let here = get(&mut client, "GET", "/here");
    let threaded = get(&mut client, "GET", "/threaded");
    let here = client.read_response(here).unwrap();
    let threaded = client.read_response(threaded).unwrap();
    assert_eq!(String::from_utf8_lossy(&threaded.body), "rwh-h2-handler");
    let here = String::from_utf8_lossy(&here.body).into_owned();
    assert!(
        !here.is_empty() && here != "rwh-h2-handler",
        "answered on {here:?}"
    );
    // HEAD gets the length and no body; HTTP/1.1 is served as ever.
    let head = get(&mut client, "HEAD", "/here/big");
    let head = client.read_response(head).unwrap();
    let length = BIG.to_string();
    assert_eq!(head.headers.get("content-length"), Some(length.as_str()));
    assert!(head.body.is_empty());
    let answer = exchange(
        server.addr(),
        b"GET /here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status_of(&answer), 200, "{answer}");
}

#[test]
fn an_answer_larger_than_the_window_is_finished_by_a_handler_thread() {
    let server = serve(router());
    // A small window, so that most of the body waits for the client's WINDOW_UPDATEs.
    let mut client = dial(&server, &[(Setting::InitialWindowSize.id(), 1000)]);
    let expected: Vec<u8> = (0..BIG).map(|i| (i % 251) as u8).collect();
    for _ in 0..3 {
        let id = get(&mut client, "GET", "/here/big");
        let response = client.read_response(id).unwrap();
        assert_eq!(response.status, 200);
        assert!(response.body == expected, "stream {id}: body differs");
    }
}

#[test]
fn a_shut_window_holds_up_only_its_stream() {
    let limits = Limits {
        write_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let server = serve_with(router(), limits);
    let mut client = dial(&server, &[(Setting::InitialWindowSize.id(), 0)]);
    let id = get(&mut client, "GET", "/here/big");
    // The head goes out; then, while the body waits for credit, the connection's own
    // thread still reads and answers.
    client
        .send_frame(&Frame::Ping {
            ack: false,
            data: [9; 8],
        })
        .unwrap();
    let mut events = Vec::new();
    let reset = loop {
        assert!(events.len() < 100, "no RST_STREAM among {events:?}");
        match client.next_event().unwrap() {
            Event::Reset { stream, code } if stream == id => break code,
            event => events.push(format!("{event:?}")),
        }
    };
    assert!(events[0].starts_with("Headers"), "{events:?}");
    assert!(
        events.iter().any(|e| e.starts_with("PingAck")),
        "{events:?}"
    );
    assert_eq!(reset, ErrorCode::Cancel, "the window never opened");
}

#[test]
fn a_panicking_immediate_handler_gets_500_and_the_connection_lives_on() {
    let server = serve(router());
    let mut client = dial(&server, &[]);
    let id = get(&mut client, "GET", "/here/panic");
    assert_eq!(client.read_response(id).unwrap().status, 500);
    let id = get(&mut client, "GET", "/here");
    assert_eq!(client.read_response(id).unwrap().status, 200);
}
