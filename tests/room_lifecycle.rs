//! Section 9.4.3: a room is made on its first join and ends on its last leave, thread
//! and all: after everyone has left, no hub thread and no writer thread is left behind,
//! and the lobby is empty. (One test in this file: it counts the process's threads.)

mod common;
mod room_common;

use common::*;
use room_common::*;

#[test]
fn rooms_end_when_empty_and_leave_no_thread_behind() {
    if threads_named("rwh-").is_none() {
        eprintln!("skipped: no /proc/self/task on this system");
        return;
    }
    let server = default_chat();
    assert_eq!(threads_named("rwh-hub-"), Some(0));

    // Three rooms, five members: a hub per room, a writer per member.
    let mut members: Vec<Member> = ["a", "a", "b", "b", "c"]
        .iter()
        .map(|room| Member::join(&server, room))
        .collect();
    assert_eq!(threads_named("rwh-hub-"), Some(3));
    assert!(eventually(|| threads_named("rwh-room-out") == Some(5)));
    let mut listed = lobby(&server);
    listed.sort();
    assert_eq!(listed, [("a".into(), 2), ("b".into(), 2), ("c".into(), 1)]);

    // Room c ends with its only member; a and b live on.
    drop(members.pop());
    assert!(
        eventually(|| lobby(&server).len() == 2),
        "{:?}",
        lobby(&server)
    );
    assert!(eventually(|| threads_named("rwh-hub-") == Some(2)));

    // The same name again makes a fresh room.
    members.push(Member::join(&server, "c"));
    members[4].say("fresh");
    assert_eq!(members[4].next(), "fresh");

    drop(members);
    assert!(
        eventually(|| lobby(&server).is_empty()),
        "{:?}",
        lobby(&server)
    );
    assert!(eventually(|| threads_named("rwh-hub-") == Some(0)));
    assert!(eventually(|| threads_named("rwh-room-out") == Some(0)));
    assert!(eventually(|| server.connections() == 0));
}
