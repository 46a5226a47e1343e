//! A WebSocket member of a room (`GET /rooms/NAME/ws`): gorilla's `readPump` and
//! `writePump`, on blocking threads.
//!
//! The connection thread is the read pump: it blocks in `recv()` (which also answers
//! pings and notices a silent peer) and hands every text message to the room. A second,
//! small thread is the write pump: it blocks on the member's queue and writes what the
//! hub queued, each message its own frame, waiting on the peer as long as the write wait
//! allows. The hub itself never waits: when nothing is queued for the member it hands a
//! message straight to the socket with [`Sender::try_send`] (no waiting, or nothing
//! done), and queues it otherwise. Frames never interleave: every write, whoever makes
//! it, goes through the connection's lock.

use std::io;
use std::thread::{self, JoinHandle};

use super::member::{Attempt, Direct, Next, Outbox, Text};
use super::registry::{Membership, Rooms};
use super::reply::{refuse_join, room_name};
use crate::http::{Request, Response};
use crate::ws::{CloseCode, Connection, Error, Message, Sender, TrySend, Upgrader};

/// Stack of a write pump: it only moves a message from a queue to the connection's
/// writer, so a small stack suffices, and a thousand members cost a thousand of them.
pub const WRITER_STACK: usize = 64 * 1024;

/// The handler of `GET /rooms/{name}/ws`: join the room, upgrade, then run the pumps
/// until the member leaves. A bad name gets 400 and a full server 503, before upgrading.
pub fn handler(
    rooms: Rooms,
    upgrader: Upgrader,
) -> impl Fn(&Request, &mut Response) -> io::Result<()> + Send + Sync + 'static {
    move |req, res| {
        let Some(name) = room_name(req, res)? else {
            return Ok(());
        };
        let membership = match rooms.join(&name) {
            Ok(membership) => membership,
            Err(why) => return refuse_join(res, &why),
        };
        let conn = match upgrader.upgrade(req, res) {
            Ok(conn) => conn,
            Err(e) => {
                log::info!("room {name}: upgrade: {e}");
                return Ok(()); // dropping the membership leaves the room
            }
        };
        serve(conn, membership);
        Ok(())
    }
}

// ANCHOR: serve
/// Runs one member: the write pump on a thread of its own, the read pump here. When the
/// read pump ends, the member leaves, which ends the write pump; both threads are gone
/// when this returns.
pub fn serve(mut conn: Connection, membership: Membership) {
    let peer = conn.peer_addr().map(|a| a.to_string()).unwrap_or_default();
    let room = membership.room().clone();
    let (sender, outbox) = (conn.sender(), membership.outbox());
    let writer = thread::Builder::new()
        .name("rwh-room-out".into())
        .stack_size(WRITER_STACK)
        .spawn(move || write_pump(&sender, &outbox));
    let writer: JoinHandle<()> = match writer {
        Ok(writer) => writer,
        Err(e) => {
            log::warn!("room {room}: {peer}: cannot start a writer: {e}");
            let _ = conn.sender().close(CloseCode::Again, "server busy");
            while conn.recv().is_ok() {} // until the close is answered
            return;
        }
    };
    // From now on the hub may write to the socket itself, when it need not wait.
    membership.outbox().set_direct(Express(conn.sender()));
    log::info!("room {room}: {peer} joined");
    let end = read_pump(&mut conn, &membership);
    log::info!("room {room}: {peer} left: {end}");
    drop(membership); // unregister: the hub drops our queue, and the write pump ends
    let _ = writer.join();
}
// ANCHOR_END: serve

// ANCHOR: read_pump
/// Gorilla's `readPump`: every text message goes to the room, verbatim. Returns how the
/// conversation ended. Binary messages are refused with 1003: the room relays text.
fn read_pump(conn: &mut Connection, membership: &Membership) -> Error {
    loop {
        match conn.recv() {
            Ok(Message::Text(text)) => {
                if let Err(e) = membership.say(text) {
                    let _ = conn.sender().close(CloseCode::Away, &e.to_string());
                }
            }
            Ok(_) => {
                let _ = conn
                    .sender()
                    .close(CloseCode::Unsupported, "only text messages are relayed");
            }
            Err(end) => return end,
        }
    }
}
// ANCHOR_END: read_pump

// ANCHOR: write_pump
/// Gorilla's `writePump`: takes what the hub queued for this member, in order, and
/// writes it, waiting on the peer if need be. An evicted member is closed with 1008 and
/// the reason.
fn write_pump(sender: &Sender, outbox: &Outbox) {
    loop {
        let written = match outbox.next() {
            Next::Message(text) => sender.send(Message::Text(text)),
            Next::Finish => sender.flush(), // the rest of a frame the hub started
            Next::Evicted(why) => {
                let _ = sender.close(CloseCode::Policy, &why.to_string());
                return;
            }
            Next::Closed => return,
        };
        if let Err(e) = written {
            // The connection is cut; the read pump wakes and the member leaves.
            log::debug!("write pump: {e}");
            return;
        }
    }
}
// ANCHOR_END: write_pump

// ANCHOR: express
/// The hub's way to a WebSocket member when nothing is queued for it: a write that
/// never waits. A busy connection (its reader or the timer holds it) gets the messages
/// queued instead; a full socket keeps the rest for the write pump to finish.
struct Express(Sender);

impl Direct for Express {
    fn try_deliver(&self, texts: &[Text]) -> Attempt {
        let messages = texts.iter().cloned().map(Message::Text);
        match self.0.try_send_all(messages) {
            TrySend::Sent => Attempt::Delivered,
            TrySend::Pending => Attempt::Started,
            TrySend::Busy => Attempt::Busy,
            TrySend::Closed => Attempt::Gone,
        }
    }
}
// ANCHOR_END: express
