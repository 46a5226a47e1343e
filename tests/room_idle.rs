//! Design §3 in a room: idle members cost no CPU. Their connection threads sleep in
//! `read()`, their writer threads on their queues, the hubs in `select!`, the timer until
//! the next ping: none wakes while nobody talks. No read timeout is used as a poll loop.
//! Counted in context switches of those threads, read from /proc, not in wall time.

mod common;
mod room_common;

use std::thread;
use std::time::Duration;

use common::context_switches;
use room_common::*;
use rwh::room::RoomConfig;
use rwh::ws::{Config, Heartbeat, Upgrader};

const MEMBERS: usize = 20;

/// Context switches so far of the server's room threads (connections, writers, hubs,
/// the timer). `None` where /proc is missing.
fn switches() -> Option<u64> {
    context_switches(&["rwh-conn-", "rwh-room-out", "rwh-hub-", "rwh-ws-timer"])
}

#[test]
fn idle_members_wake_no_thread() {
    if switches().is_none() {
        eprintln!("skipped: no /proc/self/task on this system");
        return;
    }
    // Gorilla's heartbeat: the first ping is 54 s away.
    let upgrader = Upgrader::new().config(Config::default().with_heartbeat(Heartbeat::default()));
    let (server, _rooms) = chat_server(RoomConfig::default(), upgrader);
    let members: Vec<Member> = (0..MEMBERS)
        .map(|i| Member::join(&server, if i % 2 == 0 { "even" } else { "odd" }))
        .collect();
    // One message per room, received by everyone: every thread has run and gone back to sleep.
    members[0].say("hi");
    members[1].say("hi");
    for member in &members {
        assert_eq!(member.next(), "hi");
    }
    thread::sleep(Duration::from_millis(100));
    let before = switches().unwrap();
    thread::sleep(Duration::from_millis(500));
    let after = switches().unwrap();
    assert_eq!(
        after, before,
        "an idle member's thread, a hub or the timer woke up"
    );
}
