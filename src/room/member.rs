//! One member of a room, from both sides of its queue: the hub offers messages to a
//! [`Member`] without ever waiting, and the member's transport takes them from its
//! [`Outbox`] at its own pace.
//!
//! The queue is a `VecDeque` behind a `Mutex`, with a `Condvar` for the member's writer
//! to sleep on. The hub holds that lock only to push one message (or to try the
//! transport's [`Direct`] path, which never waits either); the writer holds it only to
//! take one. The writer sleeps at once when the queue is empty (no spinning), and the
//! hub wakes it only if it is asleep.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// A room message: immutable UTF-8 text that every member's queue shares (cloning it
/// counts a reference; the bytes are not copied). It is tungstenite's text type, so a
/// WebSocket member sends it as it is.
pub type Text = tungstenite::Utf8Bytes;

/// A member's number, unique in the process.
pub type MemberId = u64;

/// Why the hub dropped a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Eviction {
    /// Its queue was full: this many messages were waiting for it.
    TooSlow {
        /// The size of the queue that overflowed.
        queue: usize,
    },
}

impl fmt::Display for Eviction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Eviction::TooSlow { queue } => {
                write!(f, "too slow: {queue} messages were waiting to be sent")
            }
        }
    }
}

/// A transport's way to take messages at once, without waiting: the hub tries it
/// before queueing, when nothing is queued for the member. A WebSocket member's is
/// [`Sender::try_send_all`](crate::ws::Sender::try_send_all): a non-blocking write.
pub trait Direct: Send + Sync {
    /// Hands `texts` over, in order, if that can be done without waiting.
    fn try_deliver(&self, texts: &[Text]) -> Attempt;
}

/// What a [`Direct`] delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The transport has the whole of every message.
    Delivered,
    /// The transport took the messages but could not finish them without waiting; the
    /// member's writer must finish them ([`Next::Finish`]) before anything else.
    Started,
    /// Nothing was done (the transport was busy): queue the messages.
    Busy,
    /// The transport is closed.
    Gone,
}

/// What a member's transport gets next from its [`Outbox`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// A message of the room, in the order the hub handed them out.
    Message(Text),
    /// Finish the message that a [`Direct`] delivery started (waiting is allowed here).
    Finish,
    /// The hub dropped this member; nothing more will come.
    Evicted(Eviction),
    /// The member has left the room (or the room has ended); nothing more will come.
    Closed,
}

/// The queue of one member and what both sides know about it.
struct Mailbox {
    slot: Mutex<Slot>,
    /// Signalled when something is queued (or the end comes) for a sleeping writer.
    ready: Condvar,
    capacity: usize,
    /// False when the registry says every message goes through the queue.
    allow_direct: bool,
    /// The transport's non-blocking path, once it has one.
    direct: OnceLock<Box<dyn Direct>>,
}

#[derive(Default)]
struct Slot {
    items: VecDeque<Next>,
    /// The writer has work: items queued, or one taken and not finished. While it has,
    /// the hub queues rather than delivering directly, so that order is kept.
    backlog: bool,
    /// The writer is asleep on `ready`.
    waiting: bool,
    /// The hub let go of this member (it left, or was evicted).
    released: bool,
    eviction: Option<Eviction>,
}

/// The hub's side of a member: where to offer messages.
pub(crate) struct Member {
    pub(crate) id: MemberId,
    mailbox: Arc<Mailbox>,
}

/// The member's side of its queue; clones share it (a writer thread holds one).
#[derive(Clone)]
pub struct Outbox {
    mailbox: Arc<Mailbox>,
}

/// A member's two sides, around a queue of `capacity` messages; `allow_direct` lets
/// the transport offer a [`Direct`] path.
pub(crate) fn pair(id: MemberId, capacity: usize, allow_direct: bool) -> (Member, Outbox) {
    let mailbox = Arc::new(Mailbox {
        slot: Mutex::default(),
        ready: Condvar::new(),
        capacity: capacity.max(1),
        allow_direct,
        direct: OnceLock::new(),
    });
    let outbox = Outbox {
        mailbox: mailbox.clone(),
    };
    (Member { id, mailbox }, outbox)
}

impl Mailbox {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `items` and wakes the writer if it sleeps.
    fn push(&self, mut slot: MutexGuard<'_, Slot>, items: impl IntoIterator<Item = Next>) {
        slot.items.extend(items);
        slot.backlog = true;
        let wake = slot.waiting;
        drop(slot);
        if wake {
            self.ready.notify_one();
        }
    }
}

impl Member {
    // ANCHOR: offer
    /// Hands `texts` to this member, in order, without waiting (gorilla's `select` with
    /// a `default`). False when the member must leave the hub's list: its queue cannot
    /// take them all (it is evicted, and told why) or its transport is gone.
    pub(crate) fn offer(&self, texts: &[Text]) -> bool {
        let mailbox = &*self.mailbox;
        let mut slot = mailbox.lock();
        if !slot.backlog
            && let Some(direct) = mailbox.direct.get()
        {
            match direct.try_deliver(texts) {
                Attempt::Delivered => return true,
                Attempt::Started => {
                    mailbox.push(slot, [Next::Finish]);
                    return true;
                }
                Attempt::Gone => return false,
                Attempt::Busy => {}
            }
        }
        if slot.items.len() + texts.len() > mailbox.capacity {
            let queue = mailbox.capacity;
            slot.eviction = Some(Eviction::TooSlow { queue });
            return false;
        }
        mailbox.push(slot, texts.iter().cloned().map(Next::Message));
        true
    }
    // ANCHOR_END: offer

    /// True once this member has been evicted.
    pub(crate) fn is_evicted(&self) -> bool {
        self.mailbox.lock().eviction.is_some()
    }
}

impl Drop for Member {
    /// The hub lets go: the member's writer learns that nothing more will come.
    fn drop(&mut self) {
        let mut slot = self.mailbox.lock();
        slot.released = true;
        let wake = slot.waiting;
        drop(slot);
        if wake {
            self.mailbox.ready.notify_all();
        }
    }
}

impl Outbox {
    /// Gives the hub a way to deliver to this member's transport at once (see
    /// [`Direct`]); only the first call counts, and none if the rooms were configured
    /// without direct writes.
    pub fn set_direct(&self, direct: impl Direct + 'static) {
        if self.mailbox.allow_direct {
            let _ = self.mailbox.direct.set(Box::new(direct));
        }
    }

    /// Waits for the next message. An eviction is reported at once, before any message
    /// still queued: an evicted member is cut off, not served its backlog.
    pub fn next(&self) -> Next {
        self.take(None).unwrap_or(Next::Closed)
    }

    /// Like [`next`](Outbox::next), waiting at most `wait`; `None` if nothing came.
    pub fn next_timeout(&self, wait: Duration) -> Option<Next> {
        self.take(Some(Instant::now() + wait))
    }

    /// Like [`next`](Outbox::next) without waiting; `None` if the queue is empty.
    pub fn try_next(&self) -> Option<Next> {
        self.take(Some(Instant::now()))
    }

    /// Messages waiting now.
    pub fn len(&self) -> usize {
        self.mailbox.lock().items.len()
    }

    /// True when no message is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The next item, waiting until `until` (for ever if `None`).
    fn take(&self, until: Option<Instant>) -> Option<Next> {
        let mailbox = &*self.mailbox;
        let mut slot = mailbox.lock();
        loop {
            if let Some(why) = &slot.eviction {
                return Some(Next::Evicted(why.clone()));
            }
            if let Some(item) = slot.items.pop_front() {
                return Some(item); // `backlog` stays set until the writer comes back
            }
            // The writer has finished all it took: the hub may deliver directly again.
            slot.backlog = false;
            if slot.released {
                return Some(Next::Closed);
            }
            let left = match until {
                None => None,
                Some(until) => match until.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => return None,
                },
            };
            slot.waiting = true;
            slot = match left {
                None => mailbox.ready.wait(slot).unwrap_or_else(|p| p.into_inner()),
                Some(left) => {
                    let waited = mailbox.ready.wait_timeout(slot, left);
                    waited.unwrap_or_else(|p| p.into_inner()).0
                }
            };
            slot.waiting = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_full_queue_evicts_and_the_outbox_says_so_first() {
        let (member, outbox) = pair(1, 2, true);
        let text = [Text::from("x")];
        assert!(member.offer(&text) && member.offer(&text));
        assert!(!member.offer(&text), "the third does not fit");
        assert!(member.is_evicted());
        assert_eq!(outbox.len(), 2);
        assert_eq!(outbox.next(), Next::Evicted(Eviction::TooSlow { queue: 2 }));
    }

    #[test]
    fn messages_come_in_order_then_closed() {
        let (member, outbox) = pair(1, 4, true);
        assert!(member.offer(&[Text::from("a"), Text::from("b")]));
        drop(member);
        assert_eq!(outbox.next(), Next::Message(Text::from("a")));
        assert_eq!(outbox.try_next(), Some(Next::Message(Text::from("b"))));
        assert_eq!(outbox.next_timeout(Duration::ZERO), Some(Next::Closed));
    }

    /// A transport that takes messages at once until told to start one and stall.
    struct Stalling {
        delivered: Arc<AtomicUsize>,
        stall_at: usize,
    }

    impl Direct for Stalling {
        fn try_deliver(&self, _: &[Text]) -> Attempt {
            let n = self.delivered.fetch_add(1, Ordering::SeqCst);
            if n == self.stall_at {
                Attempt::Started
            } else {
                Attempt::Delivered
            }
        }
    }

    #[test]
    fn a_started_delivery_queues_everything_after_it_until_the_writer_catches_up() {
        let (member, outbox) = pair(1, 8, true);
        let delivered = Arc::new(AtomicUsize::new(0));
        outbox.set_direct(Stalling {
            delivered: delivered.clone(),
            stall_at: 1,
        });
        for text in ["a", "b", "c", "d"] {
            assert!(member.offer(&[Text::from(text)]));
        }
        // "a" went straight through, "b" was started, "c" and "d" waited their turn.
        assert_eq!(delivered.load(Ordering::SeqCst), 2);
        assert_eq!(outbox.try_next(), Some(Next::Finish));
        assert_eq!(outbox.try_next(), Some(Next::Message(Text::from("c"))));
        assert_eq!(outbox.try_next(), Some(Next::Message(Text::from("d"))));
        assert_eq!(outbox.try_next(), None, "caught up");
        assert!(member.offer(&[Text::from("e")]), "direct again");
        assert_eq!(delivered.load(Ordering::SeqCst), 3);
    }
}
