//! The registry of rooms (the lobby's view): a room is made, thread and all, on its first
//! join and ended on its last leave.
//!
//! One `Mutex` guards the map from names to rooms. It is held to look a room up, to count
//! a member in or out, and to clone channel ends, never across a channel send or a
//! thread join. A room's member count lives here, so a room cannot end between a
//! joiner finding it and registering: the count is taken first, under the lock.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crossbeam_channel::{SendTimeoutError, Sender, bounded};

use super::config::{RoomConfig, SAY_WAIT};
use super::hub::{self, Inbox};
use super::member::{self, Member, MemberId, Outbox, Text};
use super::name::RoomName;

/// Every room of a server, by name. Clones share the same rooms.
#[derive(Clone)]
pub struct Rooms {
    shared: Arc<Registry>,
}

struct Registry {
    config: RoomConfig,
    rooms: Mutex<BTreeMap<RoomName, Room>>,
    next_id: AtomicU64,
}

/// A live room as the registry holds it.
struct Room {
    /// Members that joined and have not left yet (an evicted member counts until its
    /// transport has noticed and left).
    members: usize,
    register: Sender<Member>,
    unregister: Sender<MemberId>,
    broadcast: Sender<Text>,
    hub: JoinHandle<()>,
}

/// One line of the lobby: a room and how many members it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomInfo {
    /// The room's name.
    pub name: RoomName,
    /// Members in it now.
    pub members: usize,
}

/// Why a join failed.
#[derive(Debug)]
pub enum JoinError {
    /// Opening one more room would pass the limit.
    TooManyRooms(usize),
    /// The room's thread could not be started.
    Spawn(io::Error),
    /// The room's hub is gone (it should not happen: the hub does not fail on input).
    HubGone(RoomName),
}

/// Why a message could not be given to a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SayError {
    /// No room of that name is open: nobody would hear it.
    NoSuchRoom(RoomName),
    /// The hub's queue stayed full for the whole wait.
    Busy(RoomName),
}

/// A place in a room, held by a member's transport. Dropping it leaves the room (Go's
/// `defer` that sends to `unregister`), however the transport ends.
pub struct Membership {
    rooms: Rooms,
    name: RoomName,
    id: MemberId,
    unregister: Sender<MemberId>,
    broadcast: Sender<Text>,
    outbox: Outbox,
}

impl Rooms {
    /// No rooms yet; `config` sizes the queues and caps the number of rooms.
    pub fn new(config: RoomConfig) -> Rooms {
        Rooms {
            shared: Arc::new(Registry {
                config,
                rooms: Mutex::default(),
                next_id: AtomicU64::new(1),
            }),
        }
    }

    /// The sizes this registry was made with.
    pub fn config(&self) -> &RoomConfig {
        &self.shared.config
    }

    // ANCHOR: join
    /// Joins room `name`, opening it (and starting its hub) if nobody is in it. When
    /// this returns, the hub has registered the member: messages it sends from now on
    /// reach it too.
    pub fn join(&self, name: &RoomName) -> Result<Membership, JoinError> {
        let config = &self.shared.config;
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let (member, outbox) = member::pair(id, config.queue, config.direct_writes);
        let (register, unregister, broadcast) = {
            let mut rooms = self.shared.lock();
            let open = rooms.len();
            let room = match rooms.entry(name.clone()) {
                Entry::Occupied(room) => room.into_mut(),
                Entry::Vacant(place) => place.insert(self.shared.open(name, open)?),
            };
            room.members += 1;
            let unregister = room.unregister.clone();
            (room.register.clone(), unregister, room.broadcast.clone())
        };
        // A rendezvous, like Go's unbuffered channel: it returns once the hub has it.
        if register.send(member).is_err() {
            self.shared.left(name);
            return Err(JoinError::HubGone(name.clone()));
        }
        Ok(Membership {
            rooms: self.clone(),
            name: name.clone(),
            id,
            unregister,
            broadcast,
            outbox,
        })
    }
    // ANCHOR_END: join

    /// Gives `text` to everyone in room `name` (a message from outside the room, such as
    /// an HTTP `POST`). Waits at most [`SAY_WAIT`] for a place in the hub's queue.
    pub fn say(&self, name: &RoomName, text: Text) -> Result<(), SayError> {
        let broadcast = {
            let rooms = self.shared.lock();
            match rooms.get(name) {
                Some(room) => room.broadcast.clone(),
                None => return Err(SayError::NoSuchRoom(name.clone())),
            }
        };
        broadcast.send_timeout(text, SAY_WAIT).map_err(|e| match e {
            SendTimeoutError::Timeout(_) => SayError::Busy(name.clone()),
            SendTimeoutError::Disconnected(_) => SayError::NoSuchRoom(name.clone()),
        })
    }

    /// The open rooms, by name, with their member counts (the lobby).
    pub fn list(&self) -> Vec<RoomInfo> {
        self.shared
            .lock()
            .iter()
            .map(|(name, room)| RoomInfo {
                name: name.clone(),
                members: room.members,
            })
            .collect()
    }
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<RoomName, Room>> {
        self.rooms.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new room with its hub running, if fewer than the limit are open.
    fn open(&self, name: &RoomName, open: usize) -> Result<Room, JoinError> {
        if open >= self.config.max_rooms {
            return Err(JoinError::TooManyRooms(self.config.max_rooms));
        }
        // Rendezvous channels for joining and leaving, as in Go; a queue for messages.
        let (register, register_rx) = bounded(0);
        let (unregister, unregister_rx) = bounded(0);
        let (broadcast, broadcast_rx) = bounded(self.config.hub_queue.max(1));
        let inbox = Inbox {
            register: register_rx,
            unregister: unregister_rx,
            broadcast: broadcast_rx,
        };
        let hub = hub::spawn(name, inbox).map_err(JoinError::Spawn)?;
        log::debug!("room {name}: opened");
        Ok(Room {
            members: 0,
            register,
            unregister,
            broadcast,
            hub,
        })
    }

    // ANCHOR: left
    /// Counts one member out of room `name`; the last one out closes the room. Dropping
    /// the room's `register` sender ends its hub, and the thread is joined here, so no
    /// thread outlives its room.
    fn left(&self, name: &RoomName) {
        let closed = {
            let mut rooms = self.lock();
            let Some(room) = rooms.get_mut(name) else {
                return;
            };
            room.members = room.members.saturating_sub(1);
            if room.members > 0 {
                return;
            }
            rooms.remove(name)
        };
        if let Some(Room { register, hub, .. }) = closed {
            drop(register);
            if hub.join().is_err() {
                log::error!("room {name}: the hub thread panicked");
            }
            log::debug!("room {name}: closed");
        }
    }
    // ANCHOR_END: left
}

impl Membership {
    /// The room this membership is in.
    pub fn room(&self) -> &RoomName {
        &self.name
    }

    /// This member's number.
    pub fn id(&self) -> MemberId {
        self.id
    }

    /// Gives `text` to everyone in the room, this member included. Waits while the hub's
    /// queue is full (the speaker waits, never the hub); fails only if the hub is gone.
    pub fn say(&self, text: Text) -> Result<(), SayError> {
        self.broadcast
            .send(text)
            .map_err(|_| SayError::NoSuchRoom(self.name.clone()))
    }

    /// This member's queue, for the thread that writes to its transport.
    pub fn outbox(&self) -> Outbox {
        self.outbox.clone()
    }
}

impl Drop for Membership {
    /// Leaves the room: the hub lets go of the member's queue (so its writer stops), and
    /// the registry counts it out.
    fn drop(&mut self) {
        let _ = self.unregister.send(self.id);
        self.rooms.shared.left(&self.name);
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::TooManyRooms(max) => {
                write!(f, "{max} rooms are open already; try again later")
            }
            JoinError::Spawn(e) => write!(f, "cannot start the room's thread: {e}"),
            JoinError::HubGone(name) => write!(f, "room {name} has stopped working"),
        }
    }
}

impl std::error::Error for JoinError {}

impl fmt::Display for SayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SayError::NoSuchRoom(name) => write!(f, "nobody is in room {name}"),
            SayError::Busy(name) => write!(
                f,
                "room {name} is too busy: its queue stayed full for {SAY_WAIT:?}"
            ),
        }
    }
}

impl std::error::Error for SayError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room::Next;
    use std::time::Duration;

    const WAIT: Duration = Duration::from_secs(10);

    fn name(text: &str) -> RoomName {
        RoomName::parse(text).unwrap()
    }

    #[test]
    fn a_room_lives_from_first_join_to_last_leave() {
        let rooms = Rooms::new(RoomConfig::default());
        let a = rooms.join(&name("go")).unwrap();
        let b = rooms.join(&name("go")).unwrap();
        assert_eq!(
            rooms.list(),
            [RoomInfo {
                name: name("go"),
                members: 2
            }]
        );
        a.say(Text::from("hi")).unwrap();
        for member in [&a, &b] {
            let got = member.outbox().next_timeout(WAIT);
            assert_eq!(got, Some(Next::Message(Text::from("hi"))));
        }
        drop(a);
        assert_eq!(rooms.list()[0].members, 1);
        drop(b);
        assert!(rooms.list().is_empty());
        let err = rooms.say(&name("go"), Text::from("anyone?")).unwrap_err();
        assert_eq!(err, SayError::NoSuchRoom(name("go")));
    }

    #[test]
    fn the_room_limit_holds() {
        let config = RoomConfig {
            max_rooms: 1,
            ..RoomConfig::default()
        };
        let rooms = Rooms::new(config);
        let _a = rooms.join(&name("a")).unwrap();
        let _a2 = rooms.join(&name("a")).unwrap();
        assert!(matches!(
            rooms.join(&name("b")),
            Err(JoinError::TooManyRooms(1))
        ));
    }

    #[test]
    fn a_member_that_does_not_read_is_evicted_and_others_are_served() {
        let config = RoomConfig {
            queue: 4,
            ..RoomConfig::default()
        };
        let rooms = Rooms::new(config);
        let slow = rooms.join(&name("r")).unwrap();
        let fast = rooms.join(&name("r")).unwrap();
        let fast_box = fast.outbox();
        for i in 0..10 {
            fast.say(Text::from(format!("{i}"))).unwrap();
            assert_eq!(
                fast_box.next_timeout(WAIT),
                Some(Next::Message(Text::from(format!("{i}"))))
            );
        }
        assert_eq!(
            slow.outbox().next(),
            Next::Evicted(crate::room::Eviction::TooSlow { queue: 4 })
        );
    }
}
