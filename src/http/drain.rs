//! Graceful shutdown: connections that outlive `accept` (HTTP/2 ones) register here, and
//! are told to drain when the server stops: finish what they have, take nothing new.

use std::sync::{Arc, Mutex, PoisonError, Weak};

/// A connection that can wind down on request.
pub(crate) trait Drain: Send + Sync {
    /// Tells the peer we are going away, refuses new requests, closes once idle.
    fn drain(&self);
}

/// The connections to tell when the server stops; dead ones are dropped as it goes.
#[derive(Clone, Default)]
pub(crate) struct Drains(Arc<Mutex<Vec<Weak<dyn Drain>>>>);

impl Drains {
    /// Remembers `conn` until it is dropped.
    pub(crate) fn register(&self, conn: Weak<dyn Drain>) {
        let mut list = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        list.retain(|c| c.strong_count() > 0);
        list.push(conn);
    }

    /// Asks every live connection to drain.
    pub(crate) fn drain_all(&self) {
        let list = std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        for conn in list.iter().filter_map(Weak::upgrade) {
            conn.drain();
        }
    }
}
