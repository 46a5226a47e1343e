//! Section 9.3.1 over a real socket: the prime stream's headers, events, resume and end.

mod common;

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)]
mod sse_server;

use std::io::{Read, Write};

use common::*;
use rwh::http::client::{self, Url};
use sse_server::{Pace, routes};

fn start(interval_ms: u64, count: u64) -> rwh::http::Running {
    serve(routes(Pace { interval_ms, count }))
}

fn get(server: &rwh::http::Running, headers: &[(&str, &str)]) -> client::ClientResponse {
    let url = Url::parse(&format!("{}/prime", server.url())).unwrap();
    client::request("GET", &url, headers, b"", Some(READ_WAIT)).unwrap()
}

/// The events the book's server would send, with the `id:` line this contract adds.
fn expected(ids: std::ops::RangeInclusive<u64>) -> String {
    let primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29];
    ids.map(|id| {
        format!(
            "id: {id}\ndata: {{\"id\": {id}, \"number\": {}}}\n\n",
            primes[id as usize - 1]
        )
    })
    .collect()
}

#[test]
fn the_stream_has_the_books_headers_and_events() {
    let server = start(0, 5);
    let response = get(&server, &[]);
    assert_eq!(response.status, 200);
    let header = |name| response.headers.get(name).unwrap_or_default().to_string();
    assert_eq!(header("content-type"), "text/event-stream");
    assert_eq!(header("cache-control"), "no-cache");
    assert_eq!(header("access-control-allow-origin"), "*");
    assert_eq!(header("transfer-encoding"), "chunked");
    assert_eq!(response.text().unwrap(), expected(1..=5));
}

#[test]
fn each_event_is_flushed_before_the_pause() {
    // With an hour between events, the first one can only arrive if it was flushed.
    let server = start(3_600_000, 2);
    let mut response = get(&server, &[]);
    let mut first = vec![0u8; expected(1..=1).len()];
    response.read_exact(&mut first).unwrap();
    assert_eq!(String::from_utf8(first).unwrap(), expected(1..=1));
}

#[test]
fn last_event_id_resumes_after_that_event() {
    let server = start(0, 5);
    let response = get(&server, &[("Last-Event-ID", "3")]);
    assert_eq!(response.text().unwrap(), expected(4..=5));
}

#[test]
fn after_the_last_event_a_reconnect_gets_204() {
    let server = start(0, 5);
    for id in ["5", "99"] {
        let response = get(&server, &[("Last-Event-ID", id)]);
        assert_eq!(response.status, 204, "Last-Event-ID: {id}");
    }
}

#[test]
fn a_garbled_last_event_id_starts_from_the_beginning() {
    let server = start(0, 2);
    let response = get(&server, &[("Last-Event-ID", "x7")]);
    assert_eq!(response.text().unwrap(), expected(1..=2));
}

#[test]
fn a_client_that_leaves_is_noticed_and_its_thread_ends() {
    let server = start(20, 10_000);
    let mut stream = connect(server.addr());
    stream
        .write_all(b"GET /prime HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    read_until(&mut stream, "id: 2\n");
    assert_eq!(server.connections(), 1);
    drop(stream);
    assert!(
        eventually(|| server.connections() == 0),
        "the streaming thread should end once the client is gone"
    );
}

#[test]
fn the_page_subscribes_to_the_stream() {
    let server = start(0, 1);
    let url = Url::parse(&format!("{}/", server.url())).unwrap();
    let page = client::get(&url, &[]).unwrap();
    assert_eq!(
        page.headers.get("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = page.text().unwrap();
    assert!(html.contains("new EventSource(\"/prime\")"), "{html}");
    assert!(
        !html.contains("<script src"),
        "the page must load nothing from outside"
    );
}
