//! One member of a room, from both sides of its queue: the hub offers messages to a
//! [`Member`] without ever waiting, and the member's transport takes them from its
//! [`Outbox`] at its own pace.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError, TrySendError};

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

/// The hub's side of a member: where to offer messages.
pub(crate) struct Member {
    pub(crate) id: MemberId,
    queue: Sender<Text>,
    eviction: Arc<OnceLock<Eviction>>,
}

/// What a member's transport gets next from its [`Outbox`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// A message of the room, in the order the hub handed them out.
    Message(Text),
    /// The hub dropped this member; nothing more will come.
    Evicted(Eviction),
    /// The member has left the room (or the room has ended); nothing more will come.
    Closed,
}

/// The member's side of its queue; clones share it (a writer thread holds one).
#[derive(Clone)]
pub struct Outbox {
    queue: Receiver<Text>,
    eviction: Arc<OnceLock<Eviction>>,
}

/// A member's two sides, around a queue of `capacity` messages.
pub(crate) fn pair(id: MemberId, capacity: usize) -> (Member, Outbox) {
    let (sender, receiver) = crossbeam_channel::bounded(capacity.max(1));
    let eviction = Arc::new(OnceLock::new());
    let member = Member {
        id,
        queue: sender,
        eviction: eviction.clone(),
    };
    let outbox = Outbox {
        queue: receiver,
        eviction,
    };
    (member, outbox)
}

impl Member {
    // ANCHOR: offer
    /// Hands `text` to this member without waiting (gorilla's `select` with a
    /// `default`). False when the member must leave the hub's list: its queue is full
    /// (it is evicted, and told why) or its transport is gone.
    pub(crate) fn offer(&self, text: &Text) -> bool {
        match self.queue.try_send(text.clone()) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                let why = Eviction::TooSlow {
                    queue: self.queue.capacity().unwrap_or_default(),
                };
                let _ = self.eviction.set(why);
                false
            }
            Err(TrySendError::Disconnected(_)) => false,
        }
    }
    // ANCHOR_END: offer

    /// True once this member has been evicted.
    pub(crate) fn is_evicted(&self) -> bool {
        self.eviction.get().is_some()
    }
}

impl Outbox {
    /// Waits for the next message. An eviction is reported at once, before any message
    /// still queued: an evicted member is cut off, not served its backlog.
    pub fn next(&self) -> Next {
        if let Some(why) = self.eviction.get() {
            return Next::Evicted(why.clone());
        }
        match self.queue.recv() {
            Ok(text) => Next::Message(text),
            Err(_) => self.ended(),
        }
    }

    /// Like [`next`](Outbox::next), waiting at most `wait`; `None` if nothing came.
    pub fn next_timeout(&self, wait: Duration) -> Option<Next> {
        if let Some(why) = self.eviction.get() {
            return Some(Next::Evicted(why.clone()));
        }
        match self.queue.recv_timeout(wait) {
            Ok(text) => Some(Next::Message(text)),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(self.ended()),
        }
    }

    /// Like [`next`](Outbox::next) without waiting; `None` if the queue is empty.
    pub fn try_next(&self) -> Option<Next> {
        if let Some(why) = self.eviction.get() {
            return Some(Next::Evicted(why.clone()));
        }
        match self.queue.try_recv() {
            Ok(text) => Some(Next::Message(text)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(self.ended()),
        }
    }

    /// Messages waiting now.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// True when no message is waiting.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The hub let go of the queue: an eviction, or the member left.
    fn ended(&self) -> Next {
        match self.eviction.get() {
            Some(why) => Next::Evicted(why.clone()),
            None => Next::Closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_evicts_and_the_outbox_says_so_first() {
        let (member, outbox) = pair(1, 2);
        let text = Text::from("x");
        assert!(member.offer(&text) && member.offer(&text));
        assert!(!member.offer(&text), "the third does not fit");
        assert!(member.is_evicted());
        assert_eq!(outbox.len(), 2);
        assert_eq!(outbox.next(), Next::Evicted(Eviction::TooSlow { queue: 2 }));
    }

    #[test]
    fn messages_come_in_order_then_closed() {
        let (member, outbox) = pair(1, 4);
        for text in ["a", "b"] {
            assert!(member.offer(&Text::from(text)));
        }
        drop(member);
        assert_eq!(outbox.next(), Next::Message(Text::from("a")));
        assert_eq!(outbox.try_next(), Some(Next::Message(Text::from("b"))));
        assert_eq!(outbox.next_timeout(Duration::ZERO), Some(Next::Closed));
    }
}
