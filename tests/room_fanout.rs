//! Section 9.4.3: many members in one room each receive every message exactly once,
//! verbatim, and in the order each sender sent them: in a small room, where the hub
//! offers each message alone, and in a big one, where the offers run on every core.

mod common;
mod room_common;
mod ws_common;

use std::collections::HashMap;
use std::thread;

use room_common::*;

const MEMBERS: usize = 20;
/// Everyone speaks at once: 240 messages in a burst, which fits gorilla's queue of 256
/// even if a member's writer does not run at all meanwhile (a bigger burst may evict a
/// member whose writer lags: that is what the queue size means).
const PER_MEMBER: usize = 12;

/// Message `i` of member `m`: a header, then text that must survive untouched (spaces at
/// the ends, a newline, non-ASCII).
fn message(m: usize, i: usize) -> String {
    format!("{m}:{i}: hello\nworld  ¡ñ! ")
}

#[test]
fn every_member_receives_every_message_once_in_order_per_sender() {
    let server = default_chat();
    let members: Vec<Member> = (0..MEMBERS).map(|_| Member::join(&server, "go")).collect();
    assert_eq!(lobby(&server), [("go".to_string(), MEMBERS)]);

    // Everyone speaks at once, each from a thread of its own.
    thread::scope(|s| {
        for (m, member) in members.iter().enumerate() {
            s.spawn(move || {
                for i in 0..PER_MEMBER {
                    member.say(&message(m, i));
                }
            });
        }
    });

    for (who, member) in members.iter().enumerate() {
        let mut next: HashMap<usize, usize> = HashMap::new();
        for _ in 0..MEMBERS * PER_MEMBER {
            let text = member.next();
            let mut parts = text.splitn(3, ':');
            let m: usize = parts.next().unwrap().parse().unwrap();
            let i: usize = parts.next().unwrap().parse().unwrap();
            let expected = next.entry(m).or_default();
            assert_eq!(
                i, *expected,
                "member {who}: sender {m} out of order or repeated"
            );
            assert_eq!(text, message(m, i), "relayed verbatim");
            *expected += 1;
        }
        assert!(
            (0..MEMBERS).all(|m| next.get(&m) == Some(&PER_MEMBER)),
            "member {who}: {next:?}"
        );
        let extra = member.next_within(std::time::Duration::from_millis(100));
        assert!(extra.is_none(), "member {who}: nothing more, got {extra:?}");
    }
}

/// Members of the big room: enough that the hub splits its fan-out among helpers.
const CROWD: usize = 300;
const SAID: usize = 20;

#[test]
fn a_big_room_gets_every_message_once_and_in_order() {
    let server = default_chat();
    // Raw members that read only at the end: the messages wait in their sockets.
    let crowd: Vec<_> = (0..CROWD)
        .map(|_| {
            let socket = common::connect(server.addr());
            let (stream, head, rest) =
                ws_common::raw_upgrade_on(socket, server.addr(), "/rooms/crowd/ws", "", b"");
            assert!(head.starts_with("HTTP/1.1 101"), "{head}");
            ws_common::FrameReader::new(stream, rest)
        })
        .collect();
    let speaker = Member::join(&server, "crowd");
    assert_eq!(lobby(&server), [("crowd".to_string(), CROWD + 1)]);
    // The lines, then an end marker: a repeated line would come before it.
    let lines: Vec<String> = (0..SAID)
        .map(|i| format!("line {i}"))
        .chain(["end".to_string()])
        .collect();
    for line in &lines {
        speaker.say(line);
    }
    for line in &lines {
        assert_eq!(&speaker.next(), line);
    }
    for (who, mut frames) in crowd.into_iter().enumerate() {
        for line in &lines {
            let frame = frames.next().expect("a frame");
            let text = String::from_utf8(frame.payload).unwrap();
            assert_eq!((frame.opcode, &text), (1, line), "member {who}");
        }
    }
}
