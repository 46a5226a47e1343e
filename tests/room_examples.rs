//! The 9.4.3 program as a reader runs it: `ch09_4_chat_rooms` keeps the contracts
//! (`--help`, `listening on URL` first, `GET /rooms/NAME/ws` relays to everyone,
//! `GET /rooms` lists, `GET /rooms/NAME/events` listens), and the companion server
//! (`cargo run`) serves the lobby and the rooms too. Uses the example binary that
//! `cargo test` builds; skipped if it is not there.

mod common;

use std::process::Command;

use common::*;
use rwh::http::client::{self, Url};
use rwh::ws::Message;

fn get(url: &str) -> (u16, String, String) {
    let url = Url::parse(url).unwrap();
    let response = client::request("GET", &url, &[], b"", Some(READ_WAIT)).unwrap();
    let status = response.status;
    let content_type = response
        .headers
        .get("content-type")
        .unwrap_or_default()
        .to_owned();
    (status, content_type, response.text().unwrap())
}

/// Two members of room `go` on `base` (an `http://` URL): each hears the other and itself.
fn check_relay(base: &str) {
    let ws = base.replacen("http://", "ws://", 1);
    let mut a = rwh::ws::connect(&format!("{ws}/rooms/go/ws")).unwrap();
    let mut b = rwh::ws::connect(&format!("{ws}/rooms/go/ws")).unwrap();
    let (_, _, rooms) = get(&format!("{base}/rooms"));
    assert_eq!(rooms, r#"[{"name": "go", "members": 2}]"#);
    a.send(Message::text("hello from a")).unwrap();
    assert_eq!(a.recv().unwrap(), Message::text("hello from a"));
    assert_eq!(b.recv().unwrap(), Message::text("hello from a"));
}

#[test]
fn the_chat_example_keeps_the_contracts() {
    let Some(bin) = example_program("ch09_4_chat_rooms") else {
        return;
    };
    let help = Command::new(&bin).arg("--help").output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--addr",
        "--max-message",
        "--queue",
        "--max-rooms",
        "--ping-ms",
        "--pong-wait-ms",
        "--allow-origin",
    ] {
        assert!(text.contains(flag), "{flag} in --help:\n{text}");
    }

    let example = Example::start(&bin, &["--addr", "127.0.0.1:0"]);
    let base = &example.url;
    assert!(
        base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"),
        "{base}"
    );

    let (status, content_type, page) = get(&format!("{base}/"));
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/html; charset=utf-8")
    );
    assert!(page.contains("Chat rooms"), "the lobby page");
    let (status, _, page) = get(&format!("{base}/rooms/go"));
    assert!(
        status == 200 && page.contains("new WebSocket"),
        "the room page"
    );
    check_relay(base);
}

#[test]
fn the_companion_serves_the_lobby_and_the_rooms() {
    let program = Program::companion(&["--addr", "127.0.0.1:0"]);
    let (status, _, index) = get(&format!("{}/", program.url));
    assert_eq!(status, 200);
    assert!(
        index.contains("href=\"/lobby\""),
        "the index links the lobby"
    );
    let (status, _, lobby) = get(&format!("{}/lobby", program.url));
    assert!(status == 200 && lobby.contains("Chat rooms"), "{lobby}");
    let (status, _, room) = get(&format!("{}/rooms/go", program.url));
    assert!(status == 200 && room.contains("EventSource"), "{room}");
    check_relay(&program.url);
}
