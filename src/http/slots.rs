//! The cap on threads serving clients: a connection (or an HTTP/2 stream) takes a slot
//! for as long as its thread runs, and is refused when none is left.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A shared count of busy slots and its limit.
#[derive(Debug, Clone)]
pub(crate) struct Slots {
    busy: Arc<AtomicUsize>,
    max: usize,
}

impl Slots {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            busy: Arc::default(),
            max,
        }
    }

    /// A slot, or `None` when all are taken.
    pub(crate) fn take(&self) -> Option<Slot> {
        if self.busy.fetch_add(1, Ordering::SeqCst) >= self.max {
            self.busy.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Slot(self.busy.clone()))
    }

    /// How many slots are taken now.
    pub(crate) fn busy(&self) -> usize {
        self.busy.load(Ordering::SeqCst)
    }
}

/// One taken slot, given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_and_given_back() {
        let slots = Slots::new(2);
        let a = slots.take().unwrap();
        let _b = slots.take().unwrap();
        assert!(slots.take().is_none());
        drop(a);
        assert_eq!(slots.busy(), 1);
        assert!(slots.take().is_some());
    }
}
