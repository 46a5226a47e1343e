//! A full-duplex WebSocket connection on a blocking socket (design §3).
//!
//! tungstenite's sans-IO [`WebSocketContext`] sits behind one `Mutex`. The reader
//! ([`Connection::recv`]) blocks in `read()` on the socket *without* the lock, then takes
//! the lock only to feed the bytes in and take complete messages out. Writers
//! ([`Sender`], from any thread) take the lock, encode, write with a deadline, and let
//! go. So a ping goes out while a read is blocked, frames never interleave, pongs and the
//! close handshake share one state, and an idle connection is a thread asleep in `read`.

use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError, Weak};
use std::time::{Duration, Instant};

use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, Role, WebSocketConfig, WebSocketContext};
use tungstenite::{Bytes, Message};

use super::heartbeat::{Timed, Timer};
use super::io::{Feed, WriteMode};
use super::{Config, Error};

/// Bytes read from the socket at a time.
const READ_CHUNK: usize = 4096;

/// Bytes tungstenite takes from a [`Feed`] at a time. It zeroes that much of its buffer
/// before every read, however few bytes arrive: small keeps small messages cheap, and
/// a big message costs only more calls, not more zeroing.
const DECODE_CHUNK: usize = 512;

/// How soon the timer tries again when a ping finds the connection busy writing.
const PING_RETRY: Duration = Duration::from_millis(50);

/// Bytes of frames `try_send_all` gathers before it writes them (it writes them all at
/// the end in any case); far more than a batch of chat messages holds.
const BATCH_BUFFER: usize = 1 << 20;

/// The shortest ping period honoured: a zero would keep the timer thread spinning.
const MIN_PING_EVERY: Duration = Duration::from_millis(10);

/// The reading end of a WebSocket connection; get [`Sender`]s from it for writing.
///
/// Made by [`Upgrader::upgrade`](super::Upgrader::upgrade) on the server and by
/// [`connect`](super::connect) on the client.
pub struct Connection {
    shared: Arc<Shared>,
    buf: Vec<u8>,
    /// `buf[unfed.0..unfed.1]` was read from the socket but not handed to tungstenite.
    unfed: (usize, usize),
    /// The socket reported end of file.
    eof: bool,
    /// tungstenite may hold whole frames not yet decoded (messages are taken out one
    /// at a time, so that a close behind them is answered only after they are).
    buffered: bool,
    /// How the conversation ended, returned by the next `recv`.
    ending: Option<Error>,
    /// True once the ending has been returned.
    finished: bool,
}

/// A cloneable handle that writes to a [`Connection`] from any thread.
#[derive(Clone)]
pub struct Sender {
    shared: Arc<Shared>,
}

/// What [`Sender::try_send`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrySend {
    /// The whole message is in the socket.
    Sent,
    /// The message is taken, but part of it waits in the connection for room in the
    /// socket: a later send, or [`Sender::flush`], writes it out first.
    Pending,
    /// Another thread was using the connection: nothing was done.
    Busy,
    /// The conversation is over or closing: nothing was done.
    Closed,
}

/// What the reader and every sender share.
struct Shared {
    socket: TcpStream,
    role: Role,
    config: Config,
    subprotocol: Option<String>,
    protocol: Mutex<Protocol>,
    /// Milliseconds after `born` at which bytes last arrived from the peer.
    last_seen: AtomicU64,
    born: Instant,
    deadlines: Mutex<Deadlines>,
    /// Why the connection was cut by a writer or the timer, for the reader to report.
    fault: Mutex<Option<Fault>>,
}

/// The protocol state: touched only under the lock.
struct Protocol {
    ctx: WebSocketContext,
    /// The code of the close frame we sent, if we did.
    closing: Option<CloseCode>,
    /// No more writes: the conversation is over or the socket failed.
    dead: bool,
}

/// The timer's view of one connection.
#[derive(Default)]
struct Deadlines {
    /// The due time of the one live timer entry.
    scheduled: Option<Instant>,
    next_ping: Option<Instant>,
    /// When to give up on the peer's answer to our close frame, and its code.
    close_by: Option<(Instant, CloseCode)>,
}

/// A reason the connection was cut from outside the reader.
#[derive(Debug, Clone)]
enum Fault {
    Unresponsive(Duration),
    WriteTimeout(Duration),
    WriteFailed(io::ErrorKind, String),
    CloseUnanswered(CloseCode),
}

impl Connection {
    /// Wraps a socket on which the opening handshake is done. `read_ahead` holds bytes
    /// that arrived after the handshake and were already read (the peer's first frame
    /// may travel in the same packet as its request).
    pub fn new(
        socket: TcpStream,
        read_ahead: Vec<u8>,
        role: Role,
        config: Config,
        subprotocol: Option<String>,
    ) -> io::Result<Connection> {
        socket.set_nodelay(true)?;
        socket.set_read_timeout(None)?;
        socket.set_write_timeout(Some(config.write_wait.max(Duration::from_millis(1))))?;
        let limits = WebSocketConfig::default()
            .read_buffer_size(DECODE_CHUNK)
            .write_buffer_size(0)
            .max_message_size(Some(config.max_message))
            .max_frame_size(Some(config.max_message));
        let buffered = !read_ahead.is_empty();
        let ctx = WebSocketContext::from_partially_read(read_ahead, role, Some(limits));
        let shared = Arc::new(Shared {
            socket,
            role,
            subprotocol,
            protocol: Mutex::new(Protocol {
                ctx,
                closing: None,
                dead: false,
            }),
            last_seen: AtomicU64::new(0),
            born: Instant::now(),
            deadlines: Mutex::default(),
            fault: Mutex::default(),
            config,
        });
        shared.start_heartbeat();
        Ok(Connection {
            shared,
            buf: vec![0; READ_CHUNK],
            unfed: (0, 0),
            eof: false,
            buffered,
            ending: None,
            finished: false,
        })
    }

    /// A handle for writing from other threads; it stays valid after this one is dropped
    /// but every send then fails with [`Error::AlreadyClosed`].
    pub fn sender(&self) -> Sender {
        Sender {
            shared: self.shared.clone(),
        }
    }

    /// Sends one message (see [`Sender::send`]).
    pub fn send(&self, message: Message) -> Result<(), Error> {
        self.shared.send(message)
    }

    /// The subprotocol agreed in the handshake, if any.
    pub fn subprotocol(&self) -> Option<&str> {
        self.shared.subprotocol.as_deref()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.shared.socket.peer_addr()
    }

    /// Waits for the next data message (`Text` or `Binary`; Go's `ReadMessage`).
    ///
    /// Pings are answered and pongs noted on the way. When the conversation ends the
    /// error says how: a close from the peer (answered), the answer to our own close, a
    /// rule the peer broke (we sent 1009, 1007 or 1002), a silent peer (heartbeat), or a
    /// lost socket. After that every call answers [`Error::AlreadyClosed`].
    // ANCHOR: recv
    pub fn recv(&mut self) -> Result<Message, Error> {
        loop {
            if let Some(ending) = self.ending.take() {
                self.finish(&ending);
                return Err(ending);
            }
            if self.finished {
                return Err(Error::AlreadyClosed);
            }
            if self.buffered || self.unfed.0 < self.unfed.1 || self.eof {
                if let Some(message) = self.feed() {
                    return Ok(message);
                }
                if self.eof && self.ending.is_none() {
                    // tungstenite always ends at EOF; this only guards against a spin.
                    let eof = io::Error::from(io::ErrorKind::UnexpectedEof);
                    self.ending = Some(self.shared.fault_or(Error::Io(eof)));
                }
                continue;
            }
            // The blocking read, without the lock: writers go ahead meanwhile.
            match (&self.shared.socket).read(&mut self.buf) {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    self.shared.touch();
                    self.unfed = (0, n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => self.ending = Some(self.shared.fault_or(Error::Io(e))),
            }
        }
    }
    // ANCHOR_END: recv

    // ANCHOR: feed
    /// Under the lock, hands the unfed bytes (and EOF, once seen) to tungstenite until
    /// it completes a data message, needs more bytes, or the conversation ends.
    fn feed(&mut self) -> Option<Message> {
        let shared = &*self.shared;
        let mut protocol = shared.lock();
        let (start, end) = self.unfed;
        let mut feed = Feed::reading(&shared.socket, &self.buf[start..end], self.eof);
        let mut message = None;
        let mut pinged = false;
        loop {
            match protocol.ctx.read(&mut feed) {
                Ok(data @ (Message::Text(_) | Message::Binary(_))) => {
                    // More frames may wait behind it, in tungstenite or in `unfed`.
                    self.buffered = true;
                    message = Some(data);
                    break;
                }
                // The pong is queued by tungstenite and sent on its next read or write.
                Ok(Message::Ping(_)) => pinged = true,
                Ok(Message::Pong(_) | Message::Frame(_)) => {}
                Ok(Message::Close(frame)) => {
                    self.ending = Some(match protocol.closing {
                        Some(code) => Error::ClosedByUs {
                            code,
                            answered: true,
                        },
                        None => {
                            // Our answer to the peer's close; the connection ends either way.
                            let _ = protocol.ctx.flush(&mut feed);
                            Error::ClosedByPeer(frame)
                        }
                    });
                    break;
                }
                Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                    debug_assert!(feed.remaining() == 0, "a WouldBlock with bytes left");
                    self.buffered = false;
                    break;
                }
                Err(e) => {
                    self.ending = Some(shared.ending_for(&mut protocol, e));
                    break;
                }
            }
        }
        if pinged && self.ending.is_none() {
            // Answer now rather than at the next read: the caller may be slow.
            if let Err(e) = protocol.ctx.flush(&mut feed) {
                self.ending = Some(shared.write_failed(&mut protocol, e));
            }
        }
        self.unfed.0 = end - feed.remaining();
        if self.ending.is_some() {
            protocol.dead = true;
        }
        message
    }
    // ANCHOR_END: feed

    /// Closes the socket the way the ending calls for.
    fn finish(&mut self, ending: &Error) {
        self.finished = true;
        let shared = &*self.shared;
        shared.lock().dead = true;
        match ending {
            // We failed the connection: our close frame is out; let the peer read it.
            Error::Refused { .. } => {
                let _ = shared.socket.shutdown(Shutdown::Write);
                linger(&shared.socket, &mut self.buf, shared.config.close_wait);
            }
            // A client lets the server close the TCP connection first (RFC 6455 §7.1.1).
            _ if ending.is_clean_close() && shared.role == Role::Client => {
                linger(&shared.socket, &mut self.buf, shared.config.close_wait);
            }
            _ => {}
        }
        let _ = shared.socket.shutdown(Shutdown::Both);
    }
}

impl Drop for Connection {
    /// A reader that goes away takes the connection with it.
    fn drop(&mut self) {
        if !self.finished {
            self.shared.lock().dead = true;
            let _ = self.shared.socket.shutdown(Shutdown::Both);
        }
    }
}

impl Sender {
    /// Sends one message, whole, before any other thread's next one (Go's
    /// `WriteMessage`). Waits at most the write wait; a peer that does not read within
    /// it is dropped. `Message::Close` starts the close handshake like [`Sender::close`].
    pub fn send(&self, message: Message) -> Result<(), Error> {
        self.shared.send(message)
    }

    /// Sends a text message.
    pub fn text(&self, text: impl Into<String>) -> Result<(), Error> {
        self.send(Message::text(text.into()))
    }

    /// Sends a binary message.
    pub fn binary(&self, data: impl Into<Bytes>) -> Result<(), Error> {
        self.send(Message::Binary(data.into()))
    }

    /// Starts the close handshake with `code` and `reason`: sends the close frame, and
    /// cuts the connection if the peer has not answered within the close wait. The
    /// answer arrives through [`Connection::recv`], as [`Error::ClosedByUs`].
    pub fn close(&self, code: CloseCode, reason: &str) -> Result<(), Error> {
        self.shared.close(code, reason)
    }

    // ANCHOR: try_send
    /// Sends one message if that can be done without waiting, for a thread that must
    /// never block on one peer (a room's hub). It does nothing and answers
    /// [`TrySend::Busy`] if another thread holds the connection, and writes with
    /// `MSG_DONTWAIT`: what does not fit in the socket stays in the connection
    /// ([`TrySend::Pending`]) and goes out with the next send or [`Sender::flush`].
    pub fn try_send(&self, message: Message) -> TrySend {
        self.shared.try_send([message])
    }
    // ANCHOR_END: try_send

    /// Like [`Sender::try_send`] for several messages, each its own frame, written with
    /// one system call: how a room's hub catches up when it has fallen behind.
    pub fn try_send_all(&self, messages: impl IntoIterator<Item = Message>) -> TrySend {
        self.shared.try_send(messages)
    }

    /// Writes out what an earlier [`Sender::try_send`] left pending, waiting at most the
    /// write wait (a peer that does not read within it is dropped).
    pub fn flush(&self) -> Result<(), Error> {
        let shared = &*self.shared;
        let mut protocol = shared.lock();
        if protocol.dead {
            return Err(Error::AlreadyClosed);
        }
        let mut feed = Feed::writing(&shared.socket, WriteMode::Deadline);
        let flushed = protocol.ctx.flush(&mut feed);
        flushed.map_err(|e| shared.write_failed(&mut protocol, e))
    }

    /// True once the conversation is over (or closing): sends will fail.
    pub fn is_closed(&self) -> bool {
        let protocol = self.shared.lock();
        protocol.dead || protocol.closing.is_some()
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Protocol> {
        self.protocol.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn deadlines(&self) -> MutexGuard<'_, Deadlines> {
        self.deadlines.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes that the peer is alive.
    fn touch(&self) {
        let ms = self.born.elapsed().as_millis() as u64;
        self.last_seen.store(ms, Ordering::Relaxed);
    }

    fn last_seen(&self) -> Instant {
        self.born + Duration::from_millis(self.last_seen.load(Ordering::Relaxed))
    }

    // ANCHOR: send
    fn send(self: &Arc<Self>, message: Message) -> Result<(), Error> {
        if let Message::Close(frame) = message {
            let (code, reason) = frame
                .map(|f| (f.code, f.reason.as_str().to_owned()))
                .unwrap_or((CloseCode::Normal, String::new()));
            return self.close(code, &reason);
        }
        let mut protocol = self.lock();
        if protocol.dead {
            return Err(Error::AlreadyClosed);
        }
        let mut feed = Feed::writing(&self.socket, WriteMode::Deadline);
        let sent = protocol
            .ctx
            .write(&mut feed, message)
            .and_then(|()| protocol.ctx.flush(&mut feed));
        sent.map_err(|e| self.write_failed(&mut protocol, e))
    }
    // ANCHOR_END: send

    fn try_send(&self, messages: impl IntoIterator<Item = Message>) -> TrySend {
        let mut protocol = match self.protocol.try_lock() {
            Ok(protocol) => protocol,
            Err(TryLockError::WouldBlock) => return TrySend::Busy,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
        };
        if protocol.dead || protocol.closing.is_some() {
            return TrySend::Closed;
        }
        let mut feed = Feed::writing(&self.socket, WriteMode::DontWait);
        // The frames gather in tungstenite's buffer and go out in one write at the flush;
        // the usual setting (write each frame at once) is restored before the lock goes.
        protocol
            .ctx
            .set_config(|c| c.write_buffer_size = BATCH_BUFFER);
        let mut sent = Ok(());
        for message in messages {
            // After a WouldBlock every frame is still buffered: keep buffering the rest.
            match protocol.ctx.write(&mut feed, message) {
                Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    sent = Err(e);
                    break;
                }
                Ok(()) => {}
            }
        }
        let sent = sent.and_then(|()| protocol.ctx.flush(&mut feed));
        protocol.ctx.set_config(|c| c.write_buffer_size = 0);
        match sent {
            Ok(()) => TrySend::Sent,
            // tungstenite keeps the unwritten rest of the frame for the next write.
            Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                TrySend::Pending
            }
            Err(e) => {
                let _ = self.write_failed(&mut protocol, e);
                TrySend::Closed
            }
        }
    }

    fn close(self: &Arc<Self>, code: CloseCode, reason: &str) -> Result<(), Error> {
        let mut protocol = self.lock();
        if protocol.dead || protocol.closing.is_some() {
            return Err(Error::AlreadyClosed);
        }
        protocol.closing = Some(code);
        let frame = CloseFrame {
            code,
            reason: truncate(reason).into(),
        };
        let mut feed = Feed::writing(&self.socket, WriteMode::Deadline);
        let sent = protocol.ctx.close(&mut feed, Some(frame));
        if let Err(e) = sent {
            return Err(self.write_failed(&mut protocol, e));
        }
        drop(protocol);
        self.close_by(Instant::now() + self.config.close_wait, code);
        Ok(())
    }

    /// Turns a failed write into the error to report, cutting the connection if the
    /// socket is unusable.
    fn write_failed(&self, protocol: &mut Protocol, e: tungstenite::Error) -> Error {
        match e {
            tungstenite::Error::Io(e) => {
                let wait = self.config.write_wait;
                let (fault, error) = if e.kind() == io::ErrorKind::TimedOut {
                    (Fault::WriteTimeout(wait), Error::WriteTimeout(wait))
                } else {
                    (Fault::WriteFailed(e.kind(), e.to_string()), Error::Io(e))
                };
                protocol.dead = true;
                self.cut(fault);
                error
            }
            // Closing or closed: tungstenite refuses to send after a close frame.
            _ => Error::AlreadyClosed,
        }
    }

    /// What the reader reports for an error tungstenite raised while reading; sends
    /// the close frame that a broken rule calls for.
    fn ending_for(&self, protocol: &mut Protocol, e: tungstenite::Error) -> Error {
        use tungstenite::error::ProtocolError;
        let (code, reason) = match e {
            tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
                return match protocol.closing {
                    Some(code) => Error::ClosedByUs {
                        code,
                        answered: true,
                    },
                    None => Error::ClosedByPeer(None),
                };
            }
            tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
                let eof = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the peer closed the connection without a close frame",
                );
                return self.fault_or(Error::Io(eof));
            }
            tungstenite::Error::Io(e) => return self.fault_or(Error::Io(e)),
            tungstenite::Error::Capacity(_) => (
                CloseCode::Size,
                format!("message over {} bytes", self.config.max_message),
            ),
            tungstenite::Error::Utf8(_) => {
                (CloseCode::Invalid, "invalid UTF-8 in a text message".into())
            }
            tungstenite::Error::Protocol(p) => (CloseCode::Protocol, p.to_string()),
            other => (CloseCode::Error, other.to_string()),
        };
        if protocol.closing.is_none() {
            protocol.closing = Some(code);
            let frame = CloseFrame {
                code,
                reason: truncate(&reason).into(),
            };
            let _ = protocol.ctx.close(
                &mut Feed::writing(&self.socket, WriteMode::Deadline),
                Some(frame),
            );
        }
        Error::Refused { code, reason }
    }

    /// The fault that cut the connection, if one did; `otherwise` if not.
    fn fault_or(&self, otherwise: Error) -> Error {
        let fault = self.fault.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match fault {
            Some(Fault::Unresponsive(wait)) => Error::Unresponsive(wait),
            Some(Fault::WriteTimeout(wait)) => Error::WriteTimeout(wait),
            Some(Fault::WriteFailed(kind, text)) => Error::Io(io::Error::new(kind, text)),
            Some(Fault::CloseUnanswered(code)) => Error::ClosedByUs {
                code,
                answered: false,
            },
            None => otherwise,
        }
    }

    /// Cuts the connection from outside the reader; the reader wakes and reports `fault`.
    fn cut(&self, fault: Fault) {
        self.fault
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(fault);
        let _ = self.socket.shutdown(Shutdown::Both);
    }

    fn start_heartbeat(self: &Arc<Self>) {
        let Some(heartbeat) = self.config.heartbeat else {
            return;
        };
        let now = Instant::now();
        let first = now + heartbeat.ping_every.max(MIN_PING_EVERY);
        let mut deadlines = self.deadlines();
        deadlines.next_ping = Some(first);
        self.schedule(&mut deadlines, first.min(now + heartbeat.pong_wait));
    }

    /// Asks the timer to cut the connection at `at` unless the close handshake ends first.
    fn close_by(self: &Arc<Self>, at: Instant, code: CloseCode) {
        let mut deadlines = self.deadlines();
        deadlines.close_by = Some((at, code));
        if deadlines.scheduled.is_none_or(|s| at < s) {
            self.schedule(&mut deadlines, at);
        }
    }

    fn schedule(self: &Arc<Self>, deadlines: &mut Deadlines, at: Instant) {
        deadlines.scheduled = Some(at);
        let weak: Weak<Shared> = Arc::downgrade(self);
        Timer::shared().schedule(at, weak);
    }

    /// Sends a ping without ever blocking; false if the lock was busy.
    fn try_ping(&self) -> bool {
        let mut protocol = match self.protocol.try_lock() {
            Ok(protocol) => protocol,
            Err(TryLockError::WouldBlock) => return false,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
        };
        if protocol.dead || protocol.closing.is_some() {
            return true;
        }
        let mut feed = Feed::writing(&self.socket, WriteMode::DontWait);
        match protocol.ctx.write(&mut feed, Message::Ping(Bytes::new())) {
            // A full send buffer keeps the ping queued in the context: the next writer
            // sends it first, and a peer that reads nothing will miss its pong deadline.
            Ok(()) => true,
            Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => true,
            Err(e) => {
                let _ = self.write_failed(&mut protocol, e);
                true
            }
        }
    }
}

impl Drop for Shared {
    /// A timer entry of ours would hold this memory until it came due: tell the timer,
    /// which sweeps such entries out once there are many.
    fn drop(&mut self) {
        let deadlines = self.deadlines.get_mut().unwrap_or_else(|p| p.into_inner());
        if deadlines.scheduled.is_some() {
            Timer::shared().forget();
        }
    }
}

// ANCHOR: fire
impl Timed for Shared {
    fn fire(&self, due: Instant, now: Instant) -> Option<Instant> {
        let mut deadlines = self.deadlines();
        if deadlines.scheduled != Some(due) {
            return None; // superseded by an earlier entry
        }
        deadlines.scheduled = None;
        if self.lock_dead() {
            return None;
        }
        if let Some((at, code)) = deadlines.close_by
            && at <= now
        {
            self.cut(Fault::CloseUnanswered(code));
            return None;
        }
        let mut next = deadlines.close_by.map(|(at, _)| at);
        if let Some(heartbeat) = self.config.heartbeat {
            let silent_until = self.last_seen() + heartbeat.pong_wait;
            if silent_until <= now {
                self.cut(Fault::Unresponsive(heartbeat.pong_wait));
                return None;
            }
            if deadlines.next_ping.is_some_and(|at| at <= now) {
                let again = if self.try_ping() {
                    heartbeat.ping_every.max(MIN_PING_EVERY)
                } else {
                    PING_RETRY
                };
                deadlines.next_ping = Some(now + again);
            }
            next = [next, deadlines.next_ping, Some(silent_until)]
                .into_iter()
                .flatten()
                .min();
        }
        deadlines.scheduled = next;
        next
    }
}
// ANCHOR_END: fire

impl Shared {
    /// True when the conversation is known to be over; never waits for the lock.
    fn lock_dead(&self) -> bool {
        match self.protocol.try_lock() {
            Ok(protocol) => protocol.dead,
            Err(TryLockError::Poisoned(p)) => p.into_inner().dead,
            Err(TryLockError::WouldBlock) => false,
        }
    }
}

/// Reads and discards until the peer closes or `wait` passes, so that what we sent last
/// is not lost to a TCP reset.
fn linger(socket: &TcpStream, buf: &mut [u8], wait: Duration) {
    let until = Instant::now() + wait;
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        if socket
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .is_err()
        {
            return;
        }
        match (&*socket).read(buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// A close reason must fit a control frame: 123 bytes after the code, on a char boundary.
fn truncate(reason: &str) -> String {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn close_reasons_fit_a_control_frame() {
        assert_eq!(truncate("short"), "short");
        let long = "é".repeat(100); // 200 bytes
        let cut = truncate(&long);
        assert!(cut.len() <= 123 && long.starts_with(&cut));
    }
}
