//! Section 9.4.3: rooms are separate. Members of different rooms never see each other's
//! messages, even with the same text at the same time.

mod common;
mod room_common;

use std::thread;

use room_common::*;

const ROOMS: [&str; 3] = ["red", "green", "blue"];
const PER_ROOM: usize = 4;
const MESSAGES: usize = 30;

#[test]
fn members_of_different_rooms_never_see_each_other() {
    let server = default_chat();
    let rooms: Vec<Vec<Member>> = ROOMS
        .iter()
        .map(|room| (0..PER_ROOM).map(|_| Member::join(&server, room)).collect())
        .collect();
    let mut listed = lobby(&server);
    listed.sort();
    let mut expected: Vec<_> = ROOMS.iter().map(|r| (r.to_string(), PER_ROOM)).collect();
    expected.sort();
    assert_eq!(listed, expected);

    // The first member of every room speaks at the same time; the last message of each
    // room is an end marker.
    thread::scope(|s| {
        for (room, members) in ROOMS.iter().zip(&rooms) {
            let speaker = &members[0];
            s.spawn(move || {
                for i in 0..MESSAGES {
                    speaker.say(&format!("{room} {i}"));
                }
                speaker.say(&format!("{room} end"));
            });
        }
    });

    for (room, members) in ROOMS.iter().zip(&rooms) {
        for member in members {
            for i in 0..MESSAGES {
                assert_eq!(member.next(), format!("{room} {i}"), "room {room}");
            }
            assert_eq!(member.next(), format!("{room} end"), "room {room}");
        }
    }
}
