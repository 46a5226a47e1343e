//! Rooms (book section 9.4.3): gorilla's chat `Hub`, one thread per room, with members
//! that may be WebSocket connections or Server-Sent Events listeners.
//!
//! | Go (the book, gorilla's chat) | here |
//! |---|---|
//! | `type Hub struct`, `go hub.run()` | one hub thread per room (`hub.rs`), started by [`Rooms::join`] |
//! | `register`, `unregister`, `broadcast chan` | three `crossbeam_channel`s, `select!`ed by the hub |
//! | `clients map[*Client]bool` | the hub's member list, owned by its thread alone |
//! | the client's `send` channel, 256 messages | a member's bounded queue, [`Outbox`] ([`QUEUE`] messages) |
//! | `close(client.send)` when it is full | eviction: the member is dropped and told why ([`Eviction`]) |
//! | `readPump` / `writePump` | [`ws_member`]: the connection thread reads; the hub writes when it need not wait, a small writer thread when it must |
//! | (none: one hub for the whole server) | [`Rooms`]: rooms by name, made on the first join, ended on the last leave |
//!
//! # Who owns what, and who may block
//!
//! - The **hub thread** of a room owns its member list; nothing else touches it. It waits
//!   only in `select!` on its three channels, and never on a member. For each member it
//!   either writes the message straight to the member's socket, when nothing is queued for
//!   the member and that can be done without waiting ([`Direct`]: a `try_lock` and a
//!   `MSG_DONTWAIT` write), or puts it in the member's bounded queue. A member whose queue
//!   is full is evicted on the spot. So one slow reader cannot stall a room.
//! - A **member** owns the other end of its queue. A WebSocket member's connection thread
//!   blocks in `recv()` and in sending to the hub's queue (when the hub is behind, the
//!   speaker waits, not the room); its writer thread blocks on its queue and in socket
//!   writes (bounded by the write wait). An SSE listener's connection thread does both
//!   jobs, as it only writes.
//! - A member's queue is a `Mutex` held for one push or one pop (and, by the hub, for one
//!   non-blocking write), never across a wait.
//! - The **registry** ([`Rooms`]) owns the map from names to rooms behind one `Mutex`,
//!   held only for map updates and channel clones, never across a wait. Registering and
//!   unregistering are rendezvous sends (Go's unbuffered channels): when `join` returns,
//!   the hub has the member, so the member's first message cannot overtake its own
//!   registration.
//! - The hub knows no transport: it moves [`Text`] to members' queues, or through the
//!   [`Direct`] path a transport offers. The HTTP routes are in [`ws_member`],
//!   [`sse_member`], [`post`] and [`lobby`].

mod config;
mod fanout;
mod hub;
pub mod lobby;
mod member;
mod name;
pub mod post;
mod registry;
mod reply;
pub mod sse_member;
pub mod ws_member;

pub use config::{HUB_QUEUE, MAX_ROOMS, QUEUE, RoomConfig, SAY_WAIT};
pub use member::{Attempt, Direct, Eviction, MemberId, Next, Outbox, Text};
pub use name::{BadName, MAX_NAME, RoomName};
pub use registry::{JoinError, Membership, RoomInfo, Rooms, SayError};
