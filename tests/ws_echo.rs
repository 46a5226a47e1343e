//! The 9.4 echo example with our client: types kept, fragments joined, control frames
//! in between, the close handshake, and the close codes of design §5 (1009, 1007).

mod common;
mod ws_common;

use std::io::Write;

use common::*;
use rwh::ws::{CloseCode, Config, Error, Message, Upgrader, connect};
use tungstenite::protocol::frame::Frame as WsFrame;
use tungstenite::protocol::frame::coding::{Data, OpCode};
use ws_common::*;

fn small_limit() -> Upgrader {
    Upgrader::new().config(Config {
        max_message: 1024,
        ..Config::default()
    })
}

#[test]
fn each_message_comes_back_with_its_type() {
    let server = echo_server(Upgrader::new());
    let mut conn = connect(&echo_url(&server)).unwrap();
    let sent = [
        Message::text("hello"),
        Message::Binary(vec![0, 1, 2, 0xfe, 0xff].into()),
        Message::text("こんにちは"),
        Message::Binary(vec![7; 60 * 1024].into()),
        Message::text(""),
    ];
    for message in &sent {
        conn.send(message.clone()).unwrap();
    }
    for message in sent {
        assert_eq!(conn.recv().unwrap(), message);
    }
}

#[test]
fn our_close_is_answered_and_the_server_thread_ends() {
    let server = echo_server(Upgrader::new());
    let mut conn = connect(&echo_url(&server)).unwrap();
    assert!(eventually(|| server.connections() == 1));
    conn.sender().close(CloseCode::Normal, "bye").unwrap();
    match conn.recv() {
        Err(Error::ClosedByUs {
            code: CloseCode::Normal,
            answered: true,
        }) => {}
        other => panic!("expected the server's answer, got {other:?}"),
    }
    assert!(matches!(conn.recv(), Err(Error::AlreadyClosed)));
    assert!(matches!(
        conn.send(Message::text("late")),
        Err(Error::AlreadyClosed)
    ));
    assert!(
        eventually(|| server.connections() == 0),
        "the echo thread ended"
    );
}

#[test]
fn a_message_over_the_limit_gets_1009() {
    let server = echo_server(small_limit());
    let mut conn = connect(&echo_url(&server)).unwrap();
    conn.send(Message::text("x".repeat(1024))).unwrap();
    assert_eq!(conn.recv().unwrap().len(), 1024, "the limit itself is fine");
    conn.send(Message::Binary(vec![0; 1025].into())).unwrap();
    match conn.recv() {
        Err(Error::ClosedByPeer(Some(frame))) => assert_eq!(frame.code, CloseCode::Size),
        other => panic!("expected close 1009, got {other:?}"),
    }
    assert!(eventually(|| server.connections() == 0));
}

#[test]
fn a_fragmented_message_over_the_limit_gets_1009() {
    let server = echo_server(small_limit());
    let (mut stream, _, rest) = raw_upgrade(server.addr(), "", b"");
    // Each fragment is small; together they pass 1024 on the third.
    stream
        .write_all(&client_frame(false, 2, &[0; 400]))
        .unwrap();
    for _ in 0..5 {
        stream
            .write_all(&client_frame(false, 0, &[0; 400]))
            .unwrap();
    }
    let mut frames = FrameReader::new(stream, rest);
    let close = frames.next().expect("a close frame");
    assert_eq!((close.opcode, close_code(&close.payload)), (8, Some(1009)));
}

#[test]
fn invalid_utf8_in_text_gets_1007() {
    let server = echo_server(Upgrader::new());
    let mut conn = connect(&echo_url(&server)).unwrap();
    // A text frame whose bytes are not UTF-8, which Message::Text cannot hold.
    let bad = WsFrame::message(vec![b'o', b'k', 0xff, 0xfe], OpCode::Data(Data::Text), true);
    conn.send(Message::Frame(bad)).unwrap();
    match conn.recv() {
        Err(Error::ClosedByPeer(Some(frame))) => assert_eq!(frame.code, CloseCode::Invalid),
        other => panic!("expected close 1007, got {other:?}"),
    }
}

#[test]
fn fragments_are_joined_and_control_frames_between_them_answered() {
    let server = echo_server(Upgrader::new());
    let (mut stream, _, rest) = raw_upgrade(server.addr(), "", b"");
    stream.write_all(&client_frame(false, 1, b"frag")).unwrap();
    stream
        .write_all(&client_frame(true, 9, b"are you there?"))
        .unwrap();
    stream.write_all(&client_frame(false, 0, b"men")).unwrap();
    stream.write_all(&client_frame(true, 0, b"ted")).unwrap();
    let mut frames = FrameReader::new(stream.try_clone().unwrap(), rest);
    let pong = frames.next().unwrap();
    assert_eq!(
        (pong.opcode, pong.payload.as_slice()),
        (10, &b"are you there?"[..])
    );
    let echo = frames.next().unwrap();
    assert_eq!(
        (echo.fin, echo.opcode, echo.payload.as_slice()),
        (true, 1, &b"fragmented"[..])
    );

    // The peer's close: answered with the same code, then the server closes TCP.
    let mut close = 1001u16.to_be_bytes().to_vec();
    close.extend_from_slice(b"going");
    stream.write_all(&client_frame(true, 8, &close)).unwrap();
    let answer = frames.next().unwrap();
    assert_eq!(
        (answer.opcode, close_code(&answer.payload)),
        (8, Some(1001))
    );
    assert_eq!(frames.next(), None, "the server closes the TCP connection");
}

#[test]
fn protocol_errors_get_1002() {
    let server = echo_server(Upgrader::new());
    let (mut stream, _, rest) = raw_upgrade(server.addr(), "", b"");
    // A continuation with no message to continue.
    stream.write_all(&client_frame(true, 0, b"orphan")).unwrap();
    let mut frames = FrameReader::new(stream, rest);
    let close = frames.next().unwrap();
    assert_eq!((close.opcode, close_code(&close.payload)), (8, Some(1002)));
}

#[test]
fn a_vanished_peer_ends_the_thread() {
    let server = echo_server(Upgrader::new());
    let (stream, _, _) = raw_upgrade(server.addr(), "", b"");
    assert!(eventually(|| server.connections() == 1));
    drop(stream);
    assert!(eventually(|| server.connections() == 0));
}

#[test]
fn messages_before_a_close_are_answered_before_the_close() {
    let server = echo_server(Upgrader::new());
    let (mut stream, _, rest) = raw_upgrade(server.addr(), "", b"");
    // Two messages and the close in one write: they arrive in one read.
    let mut burst = client_frame(true, 1, b"one");
    burst.extend(client_frame(true, 2, b"two"));
    burst.extend(client_frame(true, 8, &1000u16.to_be_bytes()));
    stream.write_all(&burst).unwrap();
    let mut frames = FrameReader::new(stream, rest);
    let got: Vec<_> = (0..3).map(|_| frames.next().expect("a frame")).collect();
    let summary: Vec<_> = got.iter().map(|f| (f.opcode, f.payload.clone())).collect();
    assert_eq!(
        summary,
        [
            (1, b"one".to_vec()),
            (2, b"two".to_vec()),
            (8, 1000u16.to_be_bytes().to_vec())
        ]
    );
}
