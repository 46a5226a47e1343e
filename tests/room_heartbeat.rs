//! Section 9.4.3 with listing 9-4's heartbeat: a member that vanishes without a close
//! (it neither answers pings nor sends anything) is found by the heartbeat and removed
//! from its room; a room that loses its last member this way ends.

mod common;
mod room_common;
mod ws_common;

use std::time::Duration;

use common::*;
use room_common::*;
use rwh::room::RoomConfig;
use rwh::ws::{Config, Heartbeat, Upgrader};
use ws_common::*;

#[test]
fn a_member_that_vanishes_is_found_by_the_heartbeat_and_removed() {
    let heartbeat = Heartbeat {
        ping_every: Duration::from_millis(100),
        pong_wait: Duration::from_millis(500),
    };
    let upgrader = Upgrader::new().config(Config::default().with_heartbeat(heartbeat));
    let (server, _rooms) = chat_server(RoomConfig::default(), upgrader);
    // A raw client that completes the handshake and then is never heard from again,
    // as after a pulled cable: no FIN, no close frame, no pong.
    let (ghost, head, _) = raw_upgrade_on(
        connect(server.addr()),
        server.addr(),
        "/rooms/quiet/ws",
        "",
        b"",
    );
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    // Our own client answers pings from its reader thread, so it stays.
    let member = Member::join(&server, "quiet");
    assert_eq!(lobby(&server), [("quiet".to_string(), 2)]);

    assert!(
        eventually(|| lobby(&server) == [("quiet".to_string(), 1)]),
        "the silent member was removed: {:?}",
        lobby(&server)
    );
    member.say("only me");
    assert_eq!(member.next(), "only me");
    drop(member);
    assert!(eventually(|| lobby(&server).is_empty()));
    drop(ghost);
}
