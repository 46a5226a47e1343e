//! The hub of one room (the book's `Hub.run`): a thread that owns the member list and
//! waits on three channels at once with `select!`.
//!
//! It never waits on a member. A message is offered to each member (`Member::offer`):
//! written at once if that needs no waiting, else put in the member's bounded queue; a
//! member whose queue is full is evicted on the spot. In a big room the offers of one
//! message run on every core at once (`fanout.rs`). Nothing here can panic on what
//! members send: messages are only counted references handed on.

use std::io;
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, select};

use super::fanout;
use super::member::{Member, MemberId, Text};
use super::name::RoomName;

/// Stack of a hub thread: it walks a list and moves pointers between channels.
const HUB_STACK: usize = 128 * 1024;

/// Most messages handed out in one pass. When the hub has fallen behind, the messages
/// waiting for it go to each member together (a WebSocket member gets them in one
/// write), so a busy room costs fewer system calls per message, not more.
const BATCH: usize = 64;

/// The receiving ends of a room's three channels, which the hub owns.
pub(crate) struct Inbox {
    /// New members (gorilla's `register`).
    pub(crate) register: Receiver<Member>,
    /// Members leaving (gorilla's `unregister`).
    pub(crate) unregister: Receiver<MemberId>,
    /// Messages for everyone (gorilla's `broadcast`).
    pub(crate) broadcast: Receiver<Text>,
}

/// Starts the hub thread of room `name` (named `rwh-hub-NAME`, as the system shows it).
pub(crate) fn spawn(name: &RoomName, inbox: Inbox) -> io::Result<JoinHandle<()>> {
    let room = name.clone();
    thread::Builder::new()
        .name(format!("rwh-hub-{name}"))
        .stack_size(HUB_STACK)
        .spawn(move || {
            run(&room, inbox);
            log::debug!("room {room}: hub ended");
        })
}

// ANCHOR: run
/// The hub's loop. It ends when the registry drops the `register` sender: the room
/// has no members left and is gone from the lobby.
fn run(room: &RoomName, inbox: Inbox) {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let mut members: Vec<Member> = Vec::new();
    loop {
        select! {
            recv(inbox.register) -> member => match member {
                Ok(member) => members.push(member),
                Err(_) => return, // the room is closed
            },
            recv(inbox.unregister) -> id => match id {
                Ok(id) => members.retain(|m| m.id != id),
                Err(_) => return,
            },
            recv(inbox.broadcast) -> text => match text {
                Ok(text) => {
                    // Behind? Everything waiting goes out together, one write per member.
                    let mut texts = vec![text];
                    texts.extend(inbox.broadcast.try_iter().take(BATCH - 1));
                    let mut kept = fanout::offer_all(&members, &texts, cores).into_iter();
                    members.retain(|member| {
                        let stays = kept.next().unwrap_or(true);
                        if !stays && member.is_evicted() {
                            log::warn!("room {room}: member {} evicted: queue full", member.id);
                        }
                        stays
                    });
                }
                Err(_) => return,
            },
        }
    }
}
// ANCHOR_END: run
