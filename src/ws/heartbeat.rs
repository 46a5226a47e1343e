//! One timer thread for every connection: pings, pong deadlines and close deadlines.
//!
//! Each connection keeps at most one live entry in a heap ordered by due time. When an
//! entry comes due the timer asks the connection what to do ([`Timed::fire`]), and the
//! connection answers with its next due time or `None`. Idle connections cost nothing
//! between their own deadlines: the thread sleeps on a condition variable until the
//! earliest one. A connection that ends simply stops answering (its `Weak` is dead).
//!
//! Why one thread and not one per connection: the thread count stays the connection cap
//! plus one, and a thousand idle connections keep a thousand stacks, not two thousand.
//! The price is that the timer must never block on one peer: its pings are written with
//! `MSG_DONTWAIT` (see `io.rs`), and it skips a connection whose lock is busy.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::thread;
use std::time::Instant;

/// Something with deadlines that the shared timer calls back.
pub(crate) trait Timed: Send + Sync {
    /// Called when the entry scheduled for `due` comes due, at `now`. Returns when to
    /// be called next, or `None` to drop out. An entry that is no longer the one the
    /// connection expects (it rescheduled earlier) answers `None`.
    fn fire(&self, due: Instant, now: Instant) -> Option<Instant>;
}

/// Stack of the timer thread: it only walks a heap and writes tiny frames.
const TIMER_STACK: usize = 64 * 1024;

/// Entries of ended connections tolerated before the heap is swept (see
/// [`Timer::forget`]); below this, sweeping costs more than it frees.
const SWEEP_MIN: usize = 64;

struct Entry {
    due: Instant,
    seq: u64,
    target: Weak<dyn Timed>,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.due, self.seq).cmp(&(other.due, other.seq))
    }
}

#[derive(Default)]
struct Queue {
    heap: BinaryHeap<Reverse<Entry>>,
    seq: u64,
    /// Targets that went away since the last sweep while an entry of theirs was queued.
    ended: usize,
}

/// The shared timer; see the module documentation.
pub(crate) struct Timer {
    queue: Mutex<Queue>,
    wake: Condvar,
}

impl Timer {
    /// The process-wide timer, started on first use.
    pub(crate) fn shared() -> &'static Arc<Timer> {
        static TIMER: OnceLock<Arc<Timer>> = OnceLock::new();
        TIMER.get_or_init(|| {
            let timer = Arc::new(Timer {
                queue: Mutex::default(),
                wake: Condvar::new(),
            });
            let runner = timer.clone();
            let started = thread::Builder::new()
                .name("rwh-ws-timer".into())
                .stack_size(TIMER_STACK)
                .spawn(move || runner.run());
            if let Err(e) = started {
                // Without the thread, deadlines never fire; connections still work.
                log::error!("cannot start the WebSocket timer thread: {e}");
            }
            timer
        })
    }

    /// Calls `target.fire` at `due` (or soon after).
    pub(crate) fn schedule(&self, due: Instant, target: Weak<dyn Timed>) {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        queue.seq += 1;
        let seq = queue.seq;
        let earliest = queue.heap.peek().is_none_or(|Reverse(e)| due < e.due);
        queue.heap.push(Reverse(Entry { due, seq, target }));
        drop(queue);
        if earliest {
            self.wake.notify_one();
        }
    }

    // ANCHOR: forget
    /// Notes that a target with an entry in the heap has gone away. Its entry would stay
    /// until due (up to a pong wait, a minute by default), and its `Weak` would keep the
    /// target's memory allocated meanwhile: after ten thousand short connections, megabytes.
    /// Once ended targets are half the heap, the heap is swept of dead entries, so it stays
    /// within twice the live connections.
    pub(crate) fn forget(&self) {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        queue.ended += 1;
        if queue.ended >= SWEEP_MIN && queue.ended * 2 >= queue.heap.len() {
            queue
                .heap
                .retain(|Reverse(entry)| entry.target.strong_count() > 0);
            queue.ended = 0;
        }
    }
    // ANCHOR_END: forget

    fn run(&self) {
        loop {
            let entry = self.next_due();
            if let Some(target) = entry.target.upgrade()
                && let Some(next) = target.fire(entry.due, Instant::now())
            {
                self.schedule(next, entry.target);
            }
        }
    }

    /// Sleeps until the earliest entry is due, and takes it out.
    fn next_due(&self) -> Entry {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let now = Instant::now();
            let wait = match queue.heap.peek() {
                Some(Reverse(first)) if first.due <= now => break,
                Some(Reverse(first)) => Some(first.due - now),
                None => None,
            };
            queue = match wait {
                Some(wait) => {
                    self.wake
                        .wait_timeout(queue, wait)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
                None => self.wake.wait(queue).unwrap_or_else(|p| p.into_inner()),
            };
        }
        let Some(Reverse(entry)) = queue.heap.pop() else {
            unreachable!("the loop breaks only on a due entry")
        };
        entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    struct Counter {
        fired: AtomicUsize,
        times: usize,
        every: Duration,
        done: Mutex<Option<std::sync::mpsc::Sender<()>>>,
    }

    impl Timed for Counter {
        fn fire(&self, _due: Instant, now: Instant) -> Option<Instant> {
            let n = self.fired.fetch_add(1, Ordering::SeqCst) + 1;
            if n < self.times {
                return Some(now + self.every);
            }
            if let Some(done) = self.done.lock().unwrap().take() {
                let _ = done.send(());
            }
            None
        }
    }

    #[test]
    fn entries_of_ended_targets_are_swept() {
        // A timer of its own, without a thread: only its heap is looked at.
        let timer = Timer {
            queue: Mutex::default(),
            wake: Condvar::new(),
        };
        let far = Instant::now() + Duration::from_secs(3600);
        let live: Vec<Arc<Counter>> = (0..10).map(|_| counter(1)).collect();
        for target in &live {
            timer.schedule(far, Arc::downgrade(target) as Weak<dyn Timed>);
        }
        for _ in 0..SWEEP_MIN * 2 {
            let gone = counter(1);
            timer.schedule(far, Arc::downgrade(&gone) as Weak<dyn Timed>);
            drop(gone);
            timer.forget();
        }
        let left = timer.queue.lock().unwrap().heap.len();
        assert!(left < 10 + SWEEP_MIN, "{left} entries left");
        let live_left = timer
            .queue
            .lock()
            .unwrap()
            .heap
            .iter()
            .filter(|Reverse(e)| e.target.strong_count() > 0)
            .count();
        assert_eq!(live_left, 10, "live entries stay");
    }

    fn counter(times: usize) -> Arc<Counter> {
        Arc::new(Counter {
            fired: AtomicUsize::new(0),
            times,
            every: Duration::from_millis(5),
            done: Mutex::new(None),
        })
    }

    #[test]
    fn entries_fire_until_they_drop_out() {
        let timer = Timer::shared();
        let (tx, rx) = std::sync::mpsc::channel();
        let counter = Arc::new(Counter {
            fired: AtomicUsize::new(0),
            times: 3,
            every: Duration::from_millis(5),
            done: Mutex::new(Some(tx)),
        });
        let weak: Weak<dyn Timed> = Arc::downgrade(&counter) as Weak<dyn Timed>;
        timer.schedule(Instant::now(), weak);
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(counter.fired.load(Ordering::SeqCst), 3);
    }
}
