//! What one HTTP/2 connection's reader and its handler threads share, behind one lock:
//! the TLS session and socket (one writer at a time), the HPACK encoder, the frames
//! waiting to be written, the streams and their send windows (design §3).
//!
//! Frames are *queued* into an outbox and written when someone *flushes*: a response's
//! HEADERS and DATA then go out in one TLS record and one system call, together with
//! any frames other streams queued meanwhile. Whoever queues must make sure a flush
//! follows: a handler's response ends with one, the reader flushes what it answered,
//! and a handler flushes before it waits for flow-control credit.

use std::collections::HashMap;
use std::io;
use std::net::TcpStream;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::h2::frame::{
    DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW_SIZE, ErrorCode, Frame, FrameError, MAX_WINDOW_SIZE,
    Setting, encode_data_header, encode_header_block,
};
use crate::h2::hpack::Encoder;
use crate::h2::session::Session;

/// Queued frames past this many bytes are written at once, so a long body never piles up.
const OUTBOX_LIMIT: usize = 64 * 1024;

/// A connection's shared half.
pub(crate) struct Conn {
    state: Mutex<State>,
    /// Signalled when a send window grows, a stream ends, or the connection fails.
    changed: Condvar,
    /// Longest a handler waits for the peer to open its flow-control window.
    window_wait: Duration,
}

/// The part of the connection that only one thread may touch at a time.
pub(crate) struct State {
    session: Session,
    socket: TcpStream,
    /// Compresses response headers; shared because its table must see every block in the
    /// order the peer will.
    encoder: Encoder,
    streams: HashMap<u32, Stream>,
    /// How many DATA bytes the peer allows on the whole connection.
    send_window: i64,
    /// The peer's settings that shape what we send.
    pub(crate) peer: PeerSettings,
    /// Why the connection can no longer be used, once it cannot.
    failed: Option<&'static str>,
    /// Encoded frames not yet written, in the order they were queued.
    outbox: Vec<u8>,
    /// The reader is acting on frames it has just read, and flushes when it is done.
    reader_busy: bool,
    /// The server is shutting down: no new streams; close once idle.
    stopping: bool,
}

/// The send-side state of one open stream.
#[derive(Debug)]
struct Stream {
    send_window: i64,
    local_closed: bool,
    remote_closed: bool,
}

/// The peer's SETTINGS that matter to a sender.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PeerSettings {
    pub(crate) initial_window: u32,
    pub(crate) max_frame_size: u32,
    pub(crate) enable_push: bool,
}

impl Conn {
    pub(crate) fn new(session: Session, socket: TcpStream, window_wait: Duration) -> Self {
        Self {
            state: Mutex::new(State {
                session,
                socket,
                encoder: Encoder::new(),
                streams: HashMap::new(),
                send_window: i64::from(DEFAULT_WINDOW_SIZE),
                peer: PeerSettings {
                    initial_window: DEFAULT_WINDOW_SIZE,
                    max_frame_size: DEFAULT_MAX_FRAME_SIZE,
                    enable_push: true,
                },
                failed: None,
                outbox: Vec::new(),
                reader_busy: false,
                stopping: false,
            }),
            changed: Condvar::new(),
            window_wait,
        }
    }

    /// Takes the lock. A panic elsewhere while holding it leaves the state usable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes every handler waiting for a window, to look again.
    pub(crate) fn notify(&self) {
        self.changed.notify_all();
    }

    // ANCHOR: wait_for_window
    /// Waits (releasing the lock) until `stream` may send DATA; returns how many bytes.
    /// Fails if the stream is reset, the connection fails, or the window stays shut.
    pub(crate) fn wait_for_window<'a>(
        &'a self,
        mut state: MutexGuard<'a, State>,
        stream: u32,
    ) -> io::Result<(MutexGuard<'a, State>, usize)> {
        let deadline = Instant::now() + self.window_wait;
        loop {
            let open = state.open_window(stream)?;
            if open > 0 {
                return Ok((state, open));
            }
            // What we queued must reach the peer before it can give us more credit.
            state.flush()?;
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the peer kept its flow-control window shut",
                ));
            };
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
    // ANCHOR_END: wait_for_window
}

impl State {
    /// Queues one frame.
    pub(crate) fn queue_frame(&mut self, frame: &Frame) -> io::Result<()> {
        self.usable()?;
        frame.encode(&mut self.outbox);
        self.flush_if_full()
    }

    /// Compresses a header list and queues it as HEADERS (and CONTINUATION) frames.
    ///
    /// Both happen under the one lock: the peer must receive header blocks in the order
    /// our encoder made them, or its copy of the dynamic table goes out of step.
    pub(crate) fn queue_headers(
        &mut self,
        stream: u32,
        fields: &[(Vec<u8>, Vec<u8>)],
        end_stream: bool,
    ) -> io::Result<()> {
        self.usable()?;
        let mut block = Vec::new();
        let fields = fields.iter().map(|(n, v)| (n.as_slice(), v.as_slice()));
        self.encoder.encode(fields, &mut block);
        let max = self.peer.max_frame_size;
        encode_header_block(stream, &block, end_stream, max, &mut self.outbox);
        self.flush_if_full()
    }

    /// Queues one DATA frame carrying `data`, which must fit the peer's frame size.
    pub(crate) fn queue_data(&mut self, stream: u32, data: &[u8], end: bool) -> io::Result<()> {
        self.usable()?;
        encode_data_header(stream, data.len(), end, &mut self.outbox);
        self.outbox.extend_from_slice(data);
        self.flush_if_full()
    }

    /// Queues one frame and writes everything queued.
    pub(crate) fn send_frame(&mut self, frame: &Frame) -> io::Result<()> {
        self.queue_frame(frame)?;
        self.flush()
    }

    /// Writes every queued frame to the peer; logs each at debug level (Go's http2debug=1).
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        if self.outbox.is_empty() {
            return Ok(());
        }
        self.usable()?;
        crate::h2::log::wrote("server", &self.outbox);
        let sent = self.session.send(&self.outbox, &mut self.socket);
        self.outbox.clear();
        if sent.is_err() {
            self.failed = Some("writing to the connection failed");
        }
        sent
    }

    /// Like [`State::flush`], unless the reader is acting on frames it has just read: it
    /// flushes when done, within microseconds, and then writes these frames together
    /// with its own and those of other handlers that finished meanwhile.
    pub(crate) fn flush_soon(&mut self) -> io::Result<()> {
        match self.reader_busy {
            true => self.usable(),
            false => self.flush(),
        }
    }

    /// The reader has read frames and starts acting on them.
    pub(crate) fn start_batch(&mut self) {
        self.reader_busy = true;
    }

    /// The reader is done with the frames it read: everything queued goes out now.
    pub(crate) fn end_batch(&mut self) -> io::Result<()> {
        self.reader_busy = false;
        self.flush()
    }

    fn flush_if_full(&mut self) -> io::Result<()> {
        match self.outbox.len() >= OUTBOX_LIMIT {
            true => self.flush(),
            false => Ok(()),
        }
    }

    /// Fails once the connection can no longer be written to.
    fn usable(&self) -> io::Result<()> {
        match self.failed {
            Some(reason) => Err(io::Error::new(io::ErrorKind::ConnectionAborted, reason)),
            None => Ok(()),
        }
    }

    /// Feeds bytes read from the socket through TLS; false once the peer closed TLS.
    pub(crate) fn receive(&mut self, raw: &[u8], plain: &mut Vec<u8>) -> io::Result<bool> {
        self.session.receive(raw, plain, &mut self.socket)
    }

    /// Plaintext that arrived with the TLS handshake.
    pub(crate) fn take_early(&mut self, plain: &mut Vec<u8>) -> io::Result<bool> {
        self.session.take_early(plain)
    }

    /// True once the server asked this connection to drain.
    pub(crate) fn stopping(&self) -> bool {
        self.stopping
    }

    /// Marks the connection unusable: waiting handlers give up, later writes fail.
    pub(crate) fn fail(&mut self, reason: &'static str) {
        self.failed.get_or_insert(reason);
    }

    /// Sends close_notify (TLS) and ends our side of the socket; the reader drains the rest.
    pub(crate) fn close(&mut self) {
        let _ = self.flush();
        self.session.close(&mut self.socket);
        let _ = self.socket.shutdown(std::net::Shutdown::Write);
        self.fail("the connection is closed");
    }

    /// A new stream opened by the peer's HEADERS.
    pub(crate) fn open(&mut self, id: u32) {
        let stream = Stream {
            send_window: i64::from(self.peer.initial_window),
            local_closed: false,
            remote_closed: false,
        };
        self.streams.insert(id, stream);
    }

    /// How many streams are open or half-closed: what SETTINGS_MAX_CONCURRENT_STREAMS limits.
    pub(crate) fn open_streams(&self) -> usize {
        self.streams.len()
    }

    /// True if `id` is open or half-closed.
    pub(crate) fn is_open(&self, id: u32) -> bool {
        self.streams.contains_key(&id)
    }

    /// The peer sent END_STREAM on `id`.
    pub(crate) fn close_remote(&mut self, id: u32) {
        self.update(id, |s| s.remote_closed = true);
    }

    /// We sent END_STREAM on `id`.
    pub(crate) fn close_local(&mut self, id: u32) {
        self.update(id, |s| s.local_closed = true);
    }

    /// Forgets `id` at once (RST_STREAM either way); its handler's next write fails.
    pub(crate) fn forget(&mut self, id: u32) {
        self.streams.remove(&id);
    }

    /// Sends RST_STREAM for `id` and forgets it (a stream error, §5.4.2).
    pub(crate) fn reset(&mut self, id: u32, code: ErrorCode) -> io::Result<()> {
        self.streams.remove(&id);
        self.send_frame(&Frame::RstStream { stream: id, code })
    }

    /// Resets `id` only if it is still open: a handler that gave up mid-response.
    pub(crate) fn reset_if_open(&mut self, id: u32, code: ErrorCode) -> io::Result<()> {
        match self.streams.contains_key(&id) {
            true => self.reset(id, code),
            false => Ok(()),
        }
    }

    /// How many DATA bytes `stream` may send now, in one frame: 0 while a window is shut.
    pub(crate) fn open_window(&self, stream: u32) -> io::Result<usize> {
        let open = self.stream(stream)?.send_window.min(self.send_window);
        let open = usize::try_from(open).unwrap_or(0);
        Ok(open.min(self.peer.max_frame_size as usize))
    }

    /// Takes `n` bytes out of the connection's and the stream's send windows.
    pub(crate) fn consume_window(&mut self, id: u32, n: usize) {
        let n = n as i64;
        self.send_window -= n;
        self.update(id, |s| s.send_window -= n);
    }

    /// Applies a WINDOW_UPDATE from the peer (§6.9.1).
    pub(crate) fn grow_window(&mut self, id: u32, increment: u32) -> Result<(), FrameError> {
        let limit = i64::from(MAX_WINDOW_SIZE);
        if id == 0 {
            self.send_window += i64::from(increment);
            if self.send_window > limit {
                return Err(FrameError::connection(
                    ErrorCode::FlowControlError,
                    "connection window over 2^31-1",
                ));
            }
        } else if let Some(stream) = self.streams.get_mut(&id) {
            stream.send_window += i64::from(increment);
            if stream.send_window > limit {
                return Err(FrameError::stream(
                    id,
                    ErrorCode::FlowControlError,
                    "stream window over 2^31-1",
                ));
            }
        }
        Ok(())
    }

    /// Applies the peer's SETTINGS (already validated by the frame layer).
    pub(crate) fn apply_settings(&mut self, params: &[(u16, u32)]) -> Result<(), FrameError> {
        for &(id, value) in params {
            match Setting::from_id(id) {
                Some(Setting::InitialWindowSize) => {
                    // §6.9.2: every open stream's window moves by the difference.
                    let delta = i64::from(value) - i64::from(self.peer.initial_window);
                    self.peer.initial_window = value;
                    for stream in self.streams.values_mut() {
                        stream.send_window += delta;
                        if stream.send_window > i64::from(MAX_WINDOW_SIZE) {
                            return Err(FrameError::connection(
                                ErrorCode::FlowControlError,
                                "window over 2^31-1",
                            ));
                        }
                    }
                }
                Some(Setting::MaxFrameSize) => self.peer.max_frame_size = value,
                Some(Setting::HeaderTableSize) => self.encoder.set_max_table_size(value as usize),
                Some(Setting::EnablePush) => self.peer.enable_push = value == 1,
                _ => {}
            }
        }
        Ok(())
    }

    fn stream(&self, id: u32) -> io::Result<&Stream> {
        self.usable()?;
        self.streams
            .get(&id)
            .ok_or_else(|| io::Error::new(io::ErrorKind::ConnectionReset, "the stream was reset"))
    }

    /// Checks that a handler may still write on `id`.
    pub(crate) fn writable(&self, id: u32) -> io::Result<()> {
        self.stream(id).map(|_| ())
    }

    fn update(&mut self, id: u32, change: impl FnOnce(&mut Stream)) {
        if let Some(stream) = self.streams.get_mut(&id) {
            change(stream);
            if stream.local_closed && stream.remote_closed {
                self.streams.remove(&id);
            }
        }
    }
}

impl crate::http::Drain for Conn {
    /// Graceful shutdown (RFC 9113 §6.8): GOAWAY with the largest stream id and NO_ERROR
    /// tells the peer to open no more streams; those it has are still answered. The
    /// reader closes the connection once they are done, with a final GOAWAY naming the
    /// last stream it took. An idle connection's reader is woken at once.
    fn drain(&self) {
        let mut state = self.lock();
        state.stopping = true;
        let goaway = Frame::GoAway {
            last_stream: MAX_STREAM_ID,
            code: ErrorCode::NoError,
            debug: b"server shutting down".to_vec(),
        };
        let _ = state.send_frame(&goaway);
        if state.open_streams() == 0 {
            let _ = state.socket.shutdown(std::net::Shutdown::Read);
        }
    }
}

/// The largest stream id (2^31 - 1): a GOAWAY naming it cuts off no stream yet.
const MAX_STREAM_ID: u32 = (1 << 31) - 1;
