//! A Server-Sent Events listener of a room (`GET /rooms/NAME/events`): the book's point
//! that a room serves SSE as well as WebSocket. The listener is a member like any other;
//! its connection thread takes messages from the member's queue and writes each as an
//! event, so it needs no second thread: SSE only ever writes.

use std::io::{self, Write};
use std::time::Duration;

use super::member::Next;
use super::registry::Rooms;
use super::reply::{refuse_join, room_name};
use crate::http::{Request, Response};
use crate::sse::{self, Event};

/// How long a listener may go without a byte before a comment line is sent: it keeps
/// proxies from closing a quiet stream, and a listener that has gone away is noticed
/// (and leaves the room) at the latest this long after.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Messages written before one flush, when several are waiting: fewer, larger writes.
const BATCH: usize = 64;

// ANCHOR: events
/// The handler of `GET /rooms/{name}/events`: one event per room message, `data:` only
/// (a message's lines become `data:` lines, which `EventSource` joins back with `\n`).
/// An evicted listener gets an `evicted` event with the reason, then the end of the stream.
pub fn handler(
    rooms: Rooms,
) -> impl Fn(&Request, &mut Response) -> io::Result<()> + Send + Sync + 'static {
    move |req, res| {
        let Some(name) = room_name(req, res)? else {
            return Ok(());
        };
        let membership = match rooms.join(&name) {
            Ok(membership) => membership,
            Err(why) => return refuse_join(res, &why),
        };
        res.set_header("Content-Type", sse::CONTENT_TYPE)
            .set_header("Cache-Control", "no-cache");
        res.flush()?; // the head goes out now: the listener knows it is in
        let outbox = membership.outbox();
        loop {
            match outbox.next_timeout(KEEP_ALIVE) {
                Some(Next::Message(text)) => {
                    Event::data(text.as_str()).write_to(res)?;
                    // Whatever else is waiting goes out with it, in one flush.
                    for _ in 1..BATCH {
                        match outbox.try_next() {
                            Some(Next::Message(text)) => {
                                Event::data(text.as_str()).write_to(res)?
                            }
                            _ => break,
                        }
                    }
                }
                Some(Next::Evicted(why)) => {
                    Event::data(why.to_string())
                        .event("evicted")
                        .write_to(res)?;
                    return res.flush();
                }
                Some(Next::Closed) => return Ok(()),
                // Only after a direct delivery, which a listener does not offer.
                Some(Next::Finish) => {}
                None => res.write_all(sse::comment("keep-alive").as_bytes())?,
            }
            // A failed write or flush means the listener is gone: the membership drops.
            res.flush()?;
        }
    }
}
// ANCHOR_END: events
