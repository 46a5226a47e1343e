//! Section 9.4.3: a member that stops reading is evicted, and nobody else loses a message.
//! The hub never waits for it: its queue fills, the hub drops it, and its writer closes
//! the connection with 1008 and the reason once it can write again.

mod common;
mod room_common;
mod ws_common;

use std::net::TcpStream;

use common::*;
use room_common::*;
use rwh::room::RoomConfig;
use rwh::ws::Upgrader;
use socket2::{Domain, Socket, Type};
use ws_common::*;

/// A small queue, so that the slow member overflows it quickly.
const QUEUE: usize = 8;
const MESSAGES: usize = 200;
/// Big enough that 200 of them (3.2 MB) overflow the socket buffers of a peer that reads
/// nothing, so that its writer blocks and its queue fills.
const SIZE: usize = 16 * 1024;

fn message(i: usize) -> String {
    format!("{i}:{}", "m".repeat(SIZE))
}

/// A connection to `addr` whose receive buffer is as small as the system allows.
fn tight_socket(addr: std::net::SocketAddr) -> TcpStream {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(&addr.into()).unwrap();
    let stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(READ_WAIT)).unwrap();
    stream
}

#[test]
fn a_member_that_stops_reading_is_evicted_and_nobody_else_loses_a_message() {
    let config = RoomConfig {
        queue: QUEUE,
        ..RoomConfig::default()
    };
    let (server, _rooms) = chat_server(config, Upgrader::new());
    // The slow member joins first and then reads nothing.
    let stream = tight_socket(server.addr());
    let (stream, head, rest) = raw_upgrade_on(stream, server.addr(), "/rooms/r/ws", "", b"");
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    let fast: Vec<Member> = (0..3).map(|_| Member::join(&server, "r")).collect();
    assert_eq!(lobby(&server), [("r".to_string(), 4)]);

    // One message at a time, each received by every reader before the next: their
    // queues never hold more than one, while the slow member's fills up.
    for i in 0..MESSAGES {
        fast[0].say(&message(i));
        for (who, member) in fast.iter().enumerate() {
            let text = member.next();
            assert!(
                text == message(i),
                "member {who}: message {i} missing or changed"
            );
        }
    }

    // Now the slow member reads: some of the messages, then a close frame with 1008.
    let mut frames = FrameReader::new(stream, rest);
    let mut texts = 0;
    let close = loop {
        let frame = frames.next().expect("a close frame before EOF");
        match frame.opcode {
            1 => texts += 1,
            8 => break frame,
            other => panic!("unexpected opcode {other}"),
        }
        assert!(texts <= MESSAGES, "more messages than were sent");
    };
    assert!(texts < MESSAGES, "it was cut off: {texts} of {MESSAGES}");
    assert_eq!(close_code(&close.payload), Some(1008), "{close:?}");
    let reason = String::from_utf8_lossy(&close.payload[2..]).into_owned();
    assert!(reason.contains("too slow"), "{reason}");

    // Once its connection has ended it is counted out; the others are still served.
    drop(frames);
    assert!(eventually(|| lobby(&server) == [("r".to_string(), 3)]));
    fast[1].say("still here");
    for member in &fast {
        assert_eq!(member.next(), "still here");
    }
}
