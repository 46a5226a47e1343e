//! Section 9.3.2: our EventSource against our server, including a server that goes away.

mod common;

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)]
mod sse_server;

use std::net::TcpListener;
use std::time::Duration;

use common::*;
use rwh::sse::{EventSource, Options, Received, SseError};
use sse_server::{Pace, routes};

fn quick_retry() -> Options {
    Options {
        retry: Duration::from_millis(50),
        max_failures: Some(100),
        read_timeout: Some(READ_WAIT),
    }
}

fn next(source: &EventSource) -> Received {
    source
        .events()
        .recv_timeout(READ_WAIT)
        .expect("an event in time")
}

#[test]
fn receives_every_event_then_stops_on_204() {
    let server = serve(routes(Pace {
        interval_ms: 0,
        count: 5,
    }));
    let source =
        EventSource::connect_with(&format!("{}/prime", server.url()), quick_retry()).unwrap();
    let primes = [2, 3, 5, 7, 11];
    for (i, prime) in primes.iter().enumerate() {
        let event = next(&source);
        let id = i + 1;
        assert_eq!(event.id, id.to_string());
        assert_eq!(event.event, "");
        assert_eq!(event.data, format!("{{\"id\": {id}, \"number\": {prime}}}"));
    }
    // The stream ends, the client reconnects with Last-Event-ID: 5, gets 204, and stops.
    assert!(matches!(
        source.events().recv_timeout(READ_WAIT),
        Err(crossbeam_channel::RecvTimeoutError::Disconnected)
    ));
    source.close().unwrap();
}

#[test]
fn survives_the_server_going_away_and_resumes_where_it_stopped() {
    let first = Program::companion(&[
        "--addr",
        "127.0.0.1:0",
        "--interval-ms",
        "30",
        "--count",
        "40",
    ]);
    let addr = first.url.trim_start_matches("http://").to_string();
    let source = EventSource::connect_with(&format!("{}/prime", first.url), quick_retry()).unwrap();
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(next(&source).id);
    }
    drop(first); // the server process is killed mid-stream
    let _second = Program::companion(&["--addr", &addr, "--interval-ms", "30", "--count", "40"]);
    while ids.len() < 12 {
        ids.push(next(&source).id);
    }
    let expected: Vec<String> = (1..=12).map(|i| i.to_string()).collect();
    assert_eq!(
        ids, expected,
        "no event lost or repeated across the restart"
    );
    source.close().unwrap();
}

#[test]
fn gives_up_with_a_clear_error() {
    let server = serve(routes(Pace {
        interval_ms: 0,
        count: 1,
    }));
    let missing = EventSource::connect_with(&format!("{}/nope", server.url()), quick_retry());
    assert!(
        matches!(missing, Err(SseError::Status(404))),
        "{:?}",
        missing.err()
    );

    let page = EventSource::connect_with(&format!("{}/", server.url()), quick_retry());
    match page {
        Err(SseError::ContentType(t)) => assert!(t.starts_with("text/html"), "{t}"),
        other => panic!("expected a content-type error, got {:?}", other.err()),
    }

    let closed_port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let refused = EventSource::connect_with(&format!("http://{closed_port}/prime"), quick_retry());
    assert!(
        matches!(refused, Err(SseError::Connect(_))),
        "{:?}",
        refused.err()
    );

    let bad = EventSource::connect("not a url");
    assert!(matches!(bad, Err(SseError::Url(_))));
}

#[test]
fn close_stops_a_live_stream() {
    let server = serve(routes(Pace {
        interval_ms: 10,
        count: 100_000,
    }));
    let source =
        EventSource::connect_with(&format!("{}/prime", server.url()), quick_retry()).unwrap();
    next(&source);
    source.close().unwrap();
    assert!(
        eventually(|| server.connections() == 0),
        "the server saw the client leave"
    );
}
