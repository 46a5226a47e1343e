//! Helpers for the room tests: the 9.4.3 example in-process, WebSocket members whose
//! every wait is bounded, the lobby, and the threads the rooms run on.
#![allow(dead_code)] // each test file uses its own subset

use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, unbounded};
use rwh::http::client::{self, Url};
use rwh::http::{Limits, Running};
use rwh::room::{RoomConfig, Rooms};
use rwh::ws::{Config, Message, Sender, Upgrader};

#[path = "../../examples/ch09_4_chat_rooms.rs"]
#[allow(dead_code)] // the example's main() and Args are not used here
pub mod chat;

use super::common::{READ_WAIT, serve_with};

/// The chat example on 127.0.0.1 port 0, with its rooms (to share with a second server).
pub fn chat_server(config: RoomConfig, upgrader: Upgrader) -> (Running, Rooms) {
    let rooms = Rooms::new(config);
    let limits = Limits {
        max_connections: 10_000,
        ..Limits::default()
    };
    (serve_with(chat::routes(&rooms, upgrader), limits), rooms)
}

/// The chat example with default rooms and upgrader.
pub fn default_chat() -> Running {
    chat_server(RoomConfig::default(), Upgrader::new()).0
}

/// The `ws://` URL of room `room` on a running server.
pub fn room_url(server: &Running, room: &str) -> String {
    format!("ws://{}/rooms/{room}/ws", server.addr())
}

/// A WebSocket member driven from a test: a reader thread forwards what arrives, so
/// that every wait is a bounded `recv_timeout`.
pub struct Member {
    /// Sends into the room.
    pub sender: Sender,
    texts: Receiver<Result<String, String>>,
    reader: Option<JoinHandle<()>>,
}

impl Member {
    /// Joins `room` on `server` with rwh's client; registered when this returns.
    pub fn join(server: &Running, room: &str) -> Member {
        Self::join_with(server, room, Config::default())
    }

    /// Joins with the given client configuration.
    fn join_with(server: &Running, room: &str, config: Config) -> Member {
        let options = rwh::ws::ClientOptions {
            config,
            ..rwh::ws::ClientOptions::default()
        };
        let mut conn = rwh::ws::connect_with(&room_url(server, room), &options)
            .unwrap_or_else(|e| panic!("joining {room}: {e}"));
        let sender = conn.sender();
        let (tx, texts) = unbounded();
        let reader = thread::spawn(move || {
            loop {
                let got = match conn.recv() {
                    Ok(Message::Text(text)) => Ok(text.as_str().to_owned()),
                    Ok(other) => Ok(format!("(not text: {other:?})")),
                    Err(end) => Err(end.to_string()),
                };
                let last = got.is_err();
                if tx.send(got).is_err() || last {
                    return;
                }
            }
        });
        Member {
            sender,
            texts,
            reader: Some(reader),
        }
    }

    /// Sends a text message into the room.
    pub fn say(&self, text: &str) {
        self.sender.text(text).expect("send into the room");
    }

    /// The next message; panics after [`READ_WAIT`] or if the conversation ended.
    pub fn next(&self) -> String {
        match self.texts.recv_timeout(READ_WAIT) {
            Ok(Ok(text)) => text,
            Ok(Err(end)) => panic!("the conversation ended: {end}"),
            Err(_) => panic!("no message within {READ_WAIT:?}"),
        }
    }

    /// The next message if one comes within `wait`.
    pub fn next_within(&self, wait: Duration) -> Option<Result<String, String>> {
        match self.texts.recv_timeout(wait) {
            Ok(got) => Some(got),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(Err("reader gone".into())),
        }
    }

    /// Reads until the conversation ends (bounded) and returns how it ended, with the
    /// number of messages skipped on the way.
    pub fn end(&self) -> (usize, String) {
        const MOST: usize = 100_000;
        for skipped in 0..MOST {
            match self.texts.recv_timeout(READ_WAIT) {
                Ok(Ok(_)) => {}
                Ok(Err(end)) => return (skipped, end),
                Err(_) => panic!("still open after {READ_WAIT:?} ({skipped} messages)"),
            }
        }
        panic!("still open after {MOST} messages");
    }
}

impl Drop for Member {
    /// Closes with 1000 and waits (bounded by the close wait) for the reader to finish.
    fn drop(&mut self) {
        let _ = self.sender.close(rwh::ws::CloseCode::Normal, "bye");
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// `GET /rooms` as `(name, members)` pairs, parsed from the contract's JSON shape.
pub fn lobby(server: &Running) -> Vec<(String, usize)> {
    let url = Url::parse(&format!("{}/rooms", server.url())).unwrap();
    let body = client::request("GET", &url, &[], b"", Some(READ_WAIT))
        .unwrap()
        .text()
        .unwrap();
    parse_lobby(&body)
}

/// Parses `[{"name": "a", "members": 1}, …]`; panics on any other shape.
fn parse_lobby(body: &str) -> Vec<(String, usize)> {
    let inner = body
        .trim()
        .strip_prefix('[')
        .and_then(|b| b.strip_suffix(']'))
        .unwrap_or_else(|| panic!("not a JSON array: {body}"));
    if inner.trim().is_empty() {
        return Vec::new();
    }
    inner
        .split("}, {")
        .map(|item| {
            let item = item.trim_matches(|c| c == '{' || c == '}');
            let (name, members) = item
                .strip_prefix("\"name\": \"")
                .and_then(|rest| rest.split_once("\", \"members\": "))
                .unwrap_or_else(|| panic!("unexpected item {item:?} in {body}"));
            (name.to_owned(), members.parse().unwrap())
        })
        .collect()
}

/// True for the error a member sees when the server closed with `code`.
pub fn closed_with(end: &str, code: u16) -> bool {
    end.contains(&format!("closed by the peer with {code}"))
}
