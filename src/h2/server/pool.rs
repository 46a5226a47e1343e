//! The handler threads of one connection: a pool that grows on demand up to
//! [`MAX_CONCURRENT_STREAMS`] threads and is fed by a channel, instead of a new thread
//! for every request.
//!
//! Starting a thread costs far more than answering a small request: the kernel maps a
//! stack and its guard page, unmaps them when the thread ends, and makes every core drop
//! its stale address translations. Measured with h2load, a thread per request spent
//! more than half the server's time there, and its threads mostly waited for one
//! another in the kernel. So a thread that has answered a request waits on the channel
//! for the next one, for as long as the connection lasts.
//!
//! No request waits behind a running handler while there is room for another thread: a
//! request goes to a thread known to be idle, or else to a new one. Only when the
//! connection already has its [`MAX_CONCURRENT_STREAMS`] threads, all busy, does a request
//! queue, and then at least one of them is still running for a stream that has already
//! ended or been reset, since the client may not have more streams open than that. Go's
//! server queues in the same case. At most as many requests queue as there are threads;
//! past that, streams are refused.

use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::thread;

use crossbeam_channel::{Receiver, Sender};

use super::MAX_CONCURRENT_STREAMS;
use super::state::Conn;
use super::wire::StreamWire;
use crate::h2::frame::ErrorCode;
use crate::http::{CONNECTION_STACK, Handled, Request, Router, Slots, Wire, handle};

/// Work for a handler thread.
pub(crate) enum Job {
    /// A complete request to answer.
    Answer {
        /// The stream the request came on, half-closed by the client.
        stream: u32,
        /// The request, body included.
        request: Request,
    },
    /// The end of a response that the reader started and the peer's windows held up:
    /// sending it may mean waiting for credit, which the reader must never do.
    Rest {
        /// The stream's write side, with the head and part of the body sent.
        wire: StreamWire,
        /// The body bytes still to send.
        body: Vec<u8>,
    },
}

/// What every handler thread of the connection shares.
#[derive(Clone)]
struct Shared {
    conn: Arc<Conn>,
    router: Arc<Router>,
    jobs: Receiver<Job>,
    /// Threads waiting for a job, minus jobs waiting for a thread (then it is negative).
    idle: Arc<AtomicIsize>,
    /// Jobs handed to the pool and not yet finished.
    pending: Arc<AtomicUsize>,
}

/// One connection's handler threads; dropping it lets them end once the queue is empty.
pub(crate) struct Pool {
    sender: Sender<Job>,
    shared: Shared,
    slots: Slots,
    threads: usize,
}

impl Pool {
    /// A pool with no thread yet; threads are started as requests come, and take their
    /// slots from the server's cap on threads.
    pub(crate) fn new(conn: Arc<Conn>, router: Arc<Router>, slots: Slots) -> Self {
        let (sender, jobs) = crossbeam_channel::unbounded();
        let shared = Shared {
            conn,
            router,
            jobs,
            idle: Arc::default(),
            pending: Arc::default(),
        };
        Self {
            sender,
            shared,
            slots,
            threads: 0,
        }
    }

    /// Requests handed over and not yet answered (queued or running).
    pub(crate) fn pending(&self) -> usize {
        self.shared.pending.load(Ordering::SeqCst)
    }

    /// Hands `job` to a handler thread. False if the stream must be refused instead: no
    /// thread could be started, or too many requests are queued already.
    #[must_use]
    pub(crate) fn submit(&mut self, job: Job) -> bool {
        let max = MAX_CONCURRENT_STREAMS as usize;
        let placed = if take_one(&self.shared.idle) {
            true // a thread is waiting in `recv`: it takes this job at once
        } else if self.threads < max {
            self.start_thread()
        } else if self.sender.len() < max {
            // Every thread is busy: the next one to finish takes this job.
            self.shared.idle.fetch_sub(1, Ordering::SeqCst);
            true
        } else {
            false
        };
        if !placed {
            return false;
        }
        self.shared.pending.fetch_add(1, Ordering::SeqCst);
        // The pool keeps a receiver in `self.shared`, so the channel is still open.
        let _ = self.sender.send(job);
        true
    }

    /// Starts one more thread, which holds one of the server's thread slots for its life.
    fn start_thread(&mut self) -> bool {
        let Some(slot) = self.slots.take() else {
            log::warn!("too many threads: refusing a stream");
            return false;
        };
        let shared = self.shared.clone();
        let spawned = thread::Builder::new()
            .name("rwh-h2-handler".into())
            .stack_size(CONNECTION_STACK)
            .spawn(move || {
                let _slot = slot;
                shared.work();
            });
        self.threads += usize::from(spawned.is_ok());
        spawned.is_ok()
    }
}

impl Shared {
    /// A handler thread's life: take a job, answer it, say it is idle, and again.
    fn work(&self) {
        // A new thread is started for a job of its own: it is not counted idle until done.
        while let Ok(job) = self.jobs.recv() {
            self.answer(job);
            self.pending.fetch_sub(1, Ordering::SeqCst);
            self.idle.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn answer(&self, job: Job) {
        match job {
            Job::Answer { stream, request } => self.run_handler(stream, request),
            Job::Rest { mut wire, body } => {
                let sent = wire.send_body(&body).and_then(|()| wire.finish());
                let _ = wire.flush();
                let outcome = sent.map(|()| Handled::Complete);
                reset_unless_ended(&self.conn, wire.stream(), outcome, wire.ended());
            }
        }
    }

    /// Runs the handler for one request on its stream.
    fn run_handler(&self, stream: u32, mut request: Request) {
        if !self.conn.lock().is_open(stream) {
            return; // reset by the client while it waited in the queue
        }
        let head_only = request.method == "HEAD";
        let mut wire = StreamWire::new(self.conn.clone(), stream, head_only);
        let outcome = handle(&self.router, &mut request, &mut wire);
        reset_unless_ended(&self.conn, stream, outcome, wire.ended());
    }
}

/// Resets `stream` unless its response was sent in full: INTERNAL_ERROR if the handler
/// failed midway, CANCEL if the peer or the connection went away.
pub(crate) fn reset_unless_ended(
    conn: &Conn,
    stream: u32,
    outcome: std::io::Result<Handled>,
    ended: bool,
) {
    let code = match outcome {
        Ok(Handled::Complete | Handled::Replaced) if ended => return,
        Ok(Handled::Broken) => ErrorCode::InternalError,
        _ => ErrorCode::Cancel,
    };
    let _ = conn.lock().reset_if_open(stream, code);
}

/// Takes one from `idle` if it is above zero: claims a thread that is waiting for a job.
fn take_one(idle: &AtomicIsize) -> bool {
    idle.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
        (n > 0).then_some(n - 1)
    })
    .is_ok()
}
