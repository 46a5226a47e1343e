//! Section 9.4.3: many members in one room each receive every message exactly once,
//! verbatim, and in the order each sender sent them.

mod common;
mod room_common;

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
