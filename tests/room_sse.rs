//! Section 9.4.3: a room does not care about transports. A Server-Sent Events listener
//! and a WebSocket member in one room see the same messages, whether they come from a
//! member or from `POST /rooms/NAME/messages`; over TLS too, where SSE and POST work
//! (the WebSocket upgrade does not) and share the rooms of the plain port. A listener
//! that stops reading is evicted like any member, and told why in an `evicted` event.

mod common;
mod room_common;

use std::time::Duration;

use common::*;
use room_common::*;
use rwh::http::client::{self, Url};
use rwh::room::RoomConfig;
use rwh::sse::{EventSource, Options};
use rwh::tls::Trust;
use rwh::ws::Upgrader;

fn options() -> Options {
    Options {
        retry: Duration::from_millis(50),
        max_failures: Some(0),
        read_timeout: Some(READ_WAIT),
    }
}

/// `POST base/rooms/ROOM/messages` with `body`; the status.
fn post(base: &str, room: &str, body: &str, trust: Trust) -> u16 {
    let url = Url::parse(&format!("{base}/rooms/{room}/messages")).unwrap();
    let options = client::Options {
        read_timeout: Some(READ_WAIT),
        trust,
    };
    client::request_with("POST", &url, &[], body.as_bytes(), &options)
        .unwrap()
        .status
}

/// The data of the next event, within the read wait.
fn next_event(source: &EventSource) -> String {
    source
        .events()
        .recv_timeout(READ_WAIT)
        .expect("an event within the read wait")
        .data
}

#[test]
fn an_sse_listener_and_a_websocket_member_see_the_same_messages() {
    let server = default_chat();
    let member = Member::join(&server, "mix");
    let url = format!("{}/rooms/mix/events", server.url());
    let source = EventSource::connect_with(&url, options()).unwrap();
    assert_eq!(lobby(&server), [("mix".to_string(), 2)]);

    member.say("from the websocket");
    assert_eq!(member.next(), "from the websocket");
    assert_eq!(
        post(&server.url(), "mix", "from a POST", Trust::Default),
        202
    );
    assert_eq!(member.next(), "from a POST");
    member.say("two\nlines");
    assert_eq!(member.next(), "two\nlines");

    for expected in ["from the websocket", "from a POST", "two\nlines"] {
        assert_eq!(next_event(&source), expected);
    }
    source.close().unwrap();
}

#[test]
fn over_tls_sse_and_post_share_the_rooms_of_the_plain_port() {
    let (plain, rooms) = chat_server(RoomConfig::default(), Upgrader::new());
    let tls = serve_tls(chat::routes(&rooms, Upgrader::new()));
    let member = Member::join(&plain, "both");
    let url = format!("{}/rooms/both/events", tls.url());
    let source = EventSource::connect_trusting(&url, options(), tls.trust()).unwrap();
    assert_eq!(lobby(&plain), [("both".to_string(), 2)]);

    assert_eq!(post(&tls.url(), "both", "over https", tls.trust()), 202);
    assert_eq!(member.next(), "over https");
    member.say("over ws");
    assert_eq!(member.next(), "over ws");
    assert_eq!(next_event(&source), "over https");
    assert_eq!(next_event(&source), "over ws");
    source.close().unwrap();
}

#[test]
fn a_listener_that_stops_reading_is_evicted_with_an_event() {
    use std::io::Write;
    let config = RoomConfig {
        queue: 8,
        ..RoomConfig::default()
    };
    let (server, _rooms) = chat_server(config, Upgrader::new());
    // A listener with a small receive buffer that reads nothing for now.
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(&server.addr().into()).unwrap();
    let mut listener: std::net::TcpStream = socket.into();
    listener.set_read_timeout(Some(READ_WAIT)).unwrap();
    listener
        .write_all(b"GET /rooms/slow/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    read_until(&mut listener, "text/event-stream");
    let speaker = Member::join(&server, "slow");
    assert_eq!(lobby(&server), [("slow".to_string(), 2)]);
    // One message at a time, each heard by the speaker before the next.
    let line = "x".repeat(16 * 1024);
    for _ in 0..200 {
        speaker.say(&line);
        assert_eq!(speaker.next(), line);
    }
    // The listener reads again: what reached its socket, then the reason, then the end.
    let stream = read_to_close(&mut listener);
    assert!(
        stream.contains("event: evicted\ndata: too slow: 8 messages were waiting"),
        "{} bytes, ending {:?}",
        stream.len(),
        &stream[stream.len().saturating_sub(200)..]
    );
    assert!(eventually(|| lobby(&server) == [("slow".to_string(), 1)]));
}
