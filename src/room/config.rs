//! How big a room's queues are and how many rooms may be open.

use std::time::Duration;

/// Messages that may wait for one member before the hub evicts it: gorilla's chat gives
/// each client's `send` channel 256 slots.
pub const QUEUE: usize = 256;

/// Rooms open at once. Each is a thread; a join that would open one more is refused
/// (503), so the thread count stays bounded.
pub const MAX_ROOMS: usize = 1000;

/// Messages that may wait for the hub. A member who speaks while the hub's queue is full
/// waits on its own thread (the hub never does); 1,024 absorbs a burst from every member
/// of a big room at once.
pub const HUB_QUEUE: usize = 1024;

/// How long `POST /rooms/NAME/messages` waits for a place in the hub's queue before it
/// answers 503.
pub const SAY_WAIT: Duration = Duration::from_secs(5);

/// The sizes of a [`Rooms`](super::Rooms) registry; see each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomConfig {
    /// Messages waiting for one member before it is evicted ([`QUEUE`]).
    pub queue: usize,
    /// Rooms open at once ([`MAX_ROOMS`]).
    pub max_rooms: usize,
    /// Messages waiting for a room's hub ([`HUB_QUEUE`]).
    pub hub_queue: usize,
    /// True (the default): the hub writes a message to a member's socket itself when
    /// nothing is queued for the member and the write needs no waiting. False: every
    /// message goes through the member's queue and writer thread, as in gorilla's chat
    /// (kept to compare the two in `benches/rooms.rs`).
    pub direct_writes: bool,
}

impl Default for RoomConfig {
    /// Gorilla's 256-message queue, at most 1,000 rooms, a hub queue of 1,024, direct
    /// writes.
    fn default() -> Self {
        Self {
            queue: QUEUE,
            max_rooms: MAX_ROOMS,
            hub_queue: HUB_QUEUE,
            direct_writes: true,
        }
    }
}
