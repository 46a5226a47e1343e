//! Section 9.4.3's HTTP answers: room names are checked (400), the lobby is JSON, `POST`
//! says what went wrong (400, 404, 413), a full server refuses new rooms (503), binary
//! messages are refused with 1003, and over TLS the upgrade answers 501.

mod common;
mod room_common;

use common::*;
use room_common::*;
use rwh::http::Running;
use rwh::http::client::{self, ClientResponse, Url};
use rwh::room::RoomConfig;
use rwh::ws::{Config, Message, Upgrader};

fn request(server: &Running, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let url = Url::parse(&format!("{}{path}", server.url())).unwrap();
    let response: ClientResponse =
        client::request(method, &url, &[], body, Some(READ_WAIT)).unwrap();
    let status = response.status;
    (status, response.text().unwrap())
}

#[test]
fn bad_room_names_get_400_on_every_route() {
    let server = default_chat();
    let long = "x".repeat(33);
    for name in ["bad.name", "a%20b", "%3Cscript%3E", long.as_str()] {
        for (method, path) in [
            ("GET", format!("/rooms/{name}")),
            ("GET", format!("/rooms/{name}/ws")),
            ("GET", format!("/rooms/{name}/events")),
            ("POST", format!("/rooms/{name}/messages")),
        ] {
            let (status, body) = request(&server, method, &path, b"hi");
            assert_eq!(status, 400, "{method} {path}: {body}");
            assert!(body.starts_with("bad room name: "), "{body}");
        }
    }
    assert!(lobby(&server).is_empty(), "no room was made");
}

#[test]
fn the_lobby_is_json_with_member_counts() {
    let server = default_chat();
    let (status, body) = request(&server, "GET", "/rooms", b"");
    assert_eq!((status, body.as_str()), (200, "[]"));
    let _a = Member::join(&server, "beta");
    let _b = Member::join(&server, "alpha");
    let _c = Member::join(&server, "alpha");
    let (_, body) = request(&server, "GET", "/rooms", b"");
    assert_eq!(
        body,
        r#"[{"name": "alpha", "members": 2}, {"name": "beta", "members": 1}]"#
    );
}

#[test]
fn post_answers_say_what_went_wrong() {
    let upgrader = Upgrader::new().config(Config {
        max_message: 100,
        ..Config::default()
    });
    let (server, _rooms) = chat_server(RoomConfig::default(), upgrader);
    let path = "/rooms/here/messages";
    let (status, body) = request(&server, "POST", path, b"anyone?");
    assert_eq!((status, body.as_str()), (404, "nobody is in room here\n"));

    let member = Member::join(&server, "here");
    assert_eq!(request(&server, "POST", path, &[0xff, 0xfe]).0, 400);
    assert_eq!(request(&server, "POST", path, &[b'x'; 101]).0, 413);
    assert_eq!(request(&server, "POST", path, b"").0, 202);
    assert_eq!(request(&server, "POST", path, "héllo".as_bytes()).0, 202);
    assert_eq!(member.next(), "");
    assert_eq!(member.next(), "héllo");
    assert_eq!(request(&server, "GET", path, b"").0, 405);
}

#[test]
fn a_full_server_refuses_new_rooms_with_503() {
    let config = RoomConfig {
        max_rooms: 1,
        ..RoomConfig::default()
    };
    let (server, _rooms) = chat_server(config, Upgrader::new());
    let _first = Member::join(&server, "one");
    let _again = Member::join(&server, "one");
    for path in ["/rooms/two/ws", "/rooms/two/events"] {
        let (status, body) = request(&server, "GET", path, b"");
        assert_eq!(status, 503, "{path}: {body}");
        assert!(body.contains("1 rooms are open already"), "{body}");
    }
}

#[test]
fn binary_messages_are_refused_with_1003() {
    let server = default_chat();
    let member = Member::join(&server, "text-only");
    member
        .sender
        .send(Message::Binary(vec![1, 2, 3].into()))
        .unwrap();
    let (skipped, end) = member.end();
    assert_eq!(skipped, 0);
    assert!(closed_with(&end, 1003), "{end}");
}

#[test]
fn over_tls_the_upgrade_answers_501() {
    let rooms = rwh::room::Rooms::new(RoomConfig::default());
    let tls = serve_tls(chat::routes(&rooms, Upgrader::new()));
    let url = Url::parse(&format!("{}/rooms/secure/ws", tls.url())).unwrap();
    let options = client::Options {
        read_timeout: Some(READ_WAIT),
        trust: tls.trust(),
    };
    let headers = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", "13"),
    ];
    let response = client::request_with("GET", &url, &headers, b"", &options).unwrap();
    assert_eq!(response.status, 501);
    assert!(rooms.list().is_empty(), "the refused member left at once");
}
