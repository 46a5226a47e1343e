//! The connection's own thread: it reads frames and acts on them, and hands each complete
//! request to the connection's handler threads ([`Pool`]). It blocks in `read` without the
//! lock, and takes the lock only to feed in what it read and to answer (design §3).
//!
//! This file holds the connection's side: the read loop, its timeouts, and the frames
//! that concern the whole connection. How HEADERS, CONTINUATION and DATA frames become
//! requests, and where a complete request goes, is in [`requests`].

mod requests;

use std::collections::HashMap;
use std::io::{self, Read};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::pool::Pool;
use super::state::Conn;
use super::{FLOOD_WINDOW, LINGER, MAX_CONCURRENT_STREAMS, MAX_CONTROL_FRAMES, MAX_RESETS};
use crate::h2::frame::{
    self, DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW_SIZE, ErrorCode, Frame, FrameError, PREFACE,
    Setting,
};
use crate::h2::guard::RateLimit;
use crate::h2::hpack::Decoder;
use crate::http::{Limits, Router, Service};
use requests::{Incoming, Pending};

/// Why the connection stops: a GOAWAY to send, or a peer already gone.
pub(crate) enum Stop {
    /// Send GOAWAY with this code and reason, then close.
    GoAway(ErrorCode, &'static str),
    /// The peer closed or the socket failed: just close.
    Gone,
}

impl From<FrameError> for Stop {
    fn from(e: FrameError) -> Self {
        Stop::GoAway(e.code, e.reason)
    }
}

impl From<io::Error> for Stop {
    fn from(_: io::Error) -> Self {
        Stop::Gone
    }
}

/// The reader's own state: nothing here is shared with handler threads.
pub(crate) struct Reader {
    pub(crate) conn: Arc<Conn>,
    pub(crate) socket: TcpStream,
    pub(crate) peer: Option<SocketAddr>,
    limits: Arc<Limits>,
    router: Arc<Router>,
    decoder: Decoder,
    plain: Vec<u8>,
    pending: Option<Pending>,
    incoming: HashMap<u32, Incoming>,
    last_stream: u32,
    recv_window: i64,
    /// When the peer last sent anything, for the idle timeout.
    last_read: Instant,
    /// The read timeout now set on the socket, so it is set again only when it changes.
    read_timeout_set: Option<Duration>,
    pool: Pool,
    control_frames: RateLimit,
    resets: RateLimit,
    draining: bool,
}

impl Reader {
    pub(crate) fn new(conn: Arc<Conn>, socket: TcpStream, service: Service) -> Self {
        Self {
            pool: Pool::new(conn.clone(), service.router.clone(), service.slots.clone()),
            conn,
            peer: socket.peer_addr().ok(),
            socket,
            limits: service.limits.clone(),
            router: service.router.clone(),
            decoder: Decoder::new(crate::h2::hpack::DEFAULT_TABLE_SIZE),
            plain: Vec::new(),
            pending: None,
            incoming: HashMap::new(),
            last_stream: 0,
            recv_window: i64::from(DEFAULT_WINDOW_SIZE),
            last_read: Instant::now(),
            read_timeout_set: None,
            control_frames: RateLimit::new(MAX_CONTROL_FRAMES, FLOOD_WINDOW),
            resets: RateLimit::new(MAX_RESETS, FLOOD_WINDOW),
            draining: false,
        }
    }

    /// Serves the connection until it ends, then says goodbye with GOAWAY.
    pub(crate) fn run(mut self, read_ahead: &[u8]) {
        self.plain.extend_from_slice(read_ahead);
        let stop = self
            .serve()
            .err()
            .unwrap_or(Stop::GoAway(ErrorCode::NoError, ""));
        let mut state = self.conn.lock();
        if let Stop::GoAway(code, reason) = stop {
            if code != ErrorCode::NoError {
                log::info!("{:?}: HTTP/2 connection error {code}: {reason}", self.peer);
            }
            let goaway = Frame::GoAway {
                last_stream: self.last_stream,
                code,
                debug: reason.as_bytes().to_vec(),
            };
            let _ = state.send_frame(&goaway);
        }
        state.close();
        drop(state);
        self.conn.notify();
        self.linger();
    }

    /// Reads and drops what the peer still sends for a moment, so that our GOAWAY is
    /// not lost to a TCP reset caused by unread data (Go's `closeWriteAndWait`).
    fn linger(&mut self) {
        let until = std::time::Instant::now() + LINGER;
        let mut sink = [0u8; 16 * 1024];
        while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
            if self
                .socket
                .set_read_timeout(Some(left.max(std::time::Duration::from_millis(1))))
                .is_err()
            {
                return;
            }
            match self.socket.read(&mut sink) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }

    fn serve(&mut self) -> Result<(), Stop> {
        // ANCHOR: settings
        let ours = [
            (Setting::MaxConcurrentStreams.id(), MAX_CONCURRENT_STREAMS),
            (Setting::MaxHeaderListSize.id(), self.limits.max_head as u32),
        ];
        self.conn.lock().send_frame(&Frame::Settings {
            ack: false,
            params: ours.to_vec(),
        })?;
        // ANCHOR_END: settings
        if !self.conn.lock().take_early(&mut self.plain)? {
            return Err(Stop::Gone);
        }
        while self.plain.len() < PREFACE.len() {
            if !self.read_more()? {
                return Err(Stop::Gone);
            }
        }
        if !self.plain.starts_with(PREFACE) {
            return Err(Stop::GoAway(
                ErrorCode::ProtocolError,
                "bad connection preface",
            ));
        }
        self.plain.drain(..PREFACE.len());
        let mut first = true;
        loop {
            while let Some((frame, used)) = frame::parse(&self.plain, DEFAULT_MAX_FRAME_SIZE)? {
                self.plain.drain(..used);
                if first && !matches!(frame, Frame::Settings { ack: false, .. }) {
                    return Err(Stop::GoAway(
                        ErrorCode::ProtocolError,
                        "the first frame must be SETTINGS",
                    ));
                }
                first = false;
                self.on_frame(frame)?;
            }
            // Our answers to all the frames just read (acknowledgements, window updates,
            // refusals) leave together, with what handlers left to this flush.
            self.conn.lock().end_batch()?;
            let stopping = self.conn.lock().stopping();
            if (self.draining || stopping) && self.idle() {
                return Ok(()); // run() says goodbye with GOAWAY(NO_ERROR)
            }
            if !self.read_more()? {
                // Our own drain shuts the read side of an idle connection: not the peer.
                return match self.conn.lock().stopping() {
                    true => Ok(()),
                    false => Err(Stop::Gone),
                };
            }
        }
    }

    /// Reads from the socket (without the lock) and decrypts; false at the end.
    ///
    /// Waiting is bounded twice over: a request body that makes no progress for the
    /// body timeout is answered 408 (its stream alone), and a connection with no
    /// stream at all is closed after the idle timeout.
    fn read_more(&mut self) -> Result<bool, Stop> {
        let mut raw = [0u8; 16 * 1024];
        loop {
            let timeout = self.read_timeout();
            if self.read_timeout_set != Some(timeout) {
                // A system call on every read would cost more than parsing the frames.
                self.socket.set_read_timeout(Some(timeout))?;
                self.read_timeout_set = Some(timeout);
            }
            match self.socket.read(&mut raw) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.last_read = Instant::now();
                    let mut state = self.conn.lock();
                    state.start_batch();
                    return Ok(state.receive(&raw[..n], &mut self.plain)?);
                }
                Err(e) if crate::http::is_timeout(&e) => {
                    self.expire_stalled_requests()?;
                    self.conn.lock().end_batch()?; // the 408s go out now
                    if self.idle() && self.last_read.elapsed() >= self.limits.idle_timeout {
                        return Err(Stop::GoAway(ErrorCode::NoError, "idle"));
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// How long the next read may wait before the timeouts need a look.
    fn read_timeout(&self) -> Duration {
        let limits = &self.limits;
        if !self.incoming.is_empty() {
            return limits.body_timeout.min(limits.idle_timeout);
        }
        if self.idle() {
            let left = limits.idle_timeout.saturating_sub(self.last_read.elapsed());
            return left.max(Duration::from_millis(1));
        }
        limits.idle_timeout
    }

    /// Answers 408 on every stream whose request body has stalled for the body timeout.
    fn expire_stalled_requests(&mut self) -> Result<(), Stop> {
        let timeout = self.limits.body_timeout;
        let stalled: Vec<u32> = self
            .incoming
            .iter()
            .filter(|(_, incoming)| incoming.since.elapsed() >= timeout)
            .map(|(&stream, _)| stream)
            .collect();
        for stream in stalled {
            log::debug!("{:?}: stream {stream}: request body timed out", self.peer);
            self.incoming.remove(&stream);
            self.refuse(stream, 408)?;
        }
        Ok(())
    }

    fn idle(&self) -> bool {
        self.incoming.is_empty() && self.pool.pending() == 0
    }

    fn on_frame(&mut self, frame: Frame) -> Result<(), Stop> {
        crate::h2::log::read("server", &frame);
        if let Some(pending) = &self.pending {
            let continues =
                matches!(frame, Frame::Continuation { stream, .. } if stream == pending.stream);
            if !continues {
                return Err(Stop::GoAway(
                    ErrorCode::ProtocolError,
                    "expected CONTINUATION",
                ));
            }
        }
        // ANCHOR: frames
        let outcome = match frame {
            Frame::Settings { ack: true, .. } | Frame::Priority { .. } | Frame::Unknown { .. } => {
                Ok(())
            }
            Frame::Ping { ack: true, .. } => Ok(()),
            Frame::Settings { ack: false, params } => self.on_settings(&params),
            Frame::Ping { ack: false, data } => self.on_ping(data),
            Frame::Headers {
                stream,
                block,
                end_stream,
                end_headers,
                ..
            } => self.on_headers(stream, block, end_stream, end_headers),
            Frame::Continuation {
                stream,
                block,
                end_headers,
            } => self.on_continuation(stream, block, end_headers),
            Frame::Data {
                stream,
                data,
                end_stream,
                flow_len,
            } => self.on_data(stream, data, end_stream, flow_len),
            Frame::WindowUpdate { stream, increment } => self.on_window_update(stream, increment),
            Frame::RstStream { stream, .. } => self.on_reset(stream),
            Frame::PushPromise { .. } => Err(FrameError::connection(
                ErrorCode::ProtocolError,
                "a client cannot push",
            )),
            Frame::GoAway { .. } => {
                self.draining = true;
                Ok(())
            }
        };
        // ANCHOR_END: frames
        match outcome {
            Err(FrameError {
                code,
                stream: Some(id),
                reason,
            }) => {
                log::debug!("{:?}: stream {id} error {code}: {reason}", self.peer);
                self.incoming.remove(&id);
                self.conn.lock().reset(id, code)?;
                self.conn.notify();
                Ok(())
            }
            Err(e) => Err(e.into()),
            Ok(()) => Ok(()),
        }
    }

    fn on_settings(&mut self, params: &[(u16, u32)]) -> Result<(), FrameError> {
        self.flood_check()?;
        let mut state = self.conn.lock();
        state.apply_settings(params)?;
        state
            .queue_frame(&Frame::Settings {
                ack: true,
                params: Vec::new(),
            })
            .map_err(gone)?;
        drop(state);
        self.conn.notify();
        Ok(())
    }

    fn on_ping(&mut self, data: [u8; 8]) -> Result<(), FrameError> {
        self.flood_check()?;
        self.conn
            .lock()
            .queue_frame(&Frame::Ping { ack: true, data })
            .map_err(gone)
    }

    fn flood_check(&mut self) -> Result<(), FrameError> {
        match self.control_frames.allow() {
            true => Ok(()),
            false => Err(FrameError::connection(
                ErrorCode::EnhanceYourCalm,
                "too many PING or SETTINGS frames",
            )),
        }
    }

    fn on_window_update(&mut self, stream: u32, increment: u32) -> Result<(), FrameError> {
        if stream > self.last_stream {
            return Err(FrameError::connection(
                ErrorCode::ProtocolError,
                "WINDOW_UPDATE on an idle stream",
            ));
        }
        self.conn.lock().grow_window(stream, increment)?;
        self.conn.notify();
        Ok(())
    }

    fn on_reset(&mut self, stream: u32) -> Result<(), FrameError> {
        if stream > self.last_stream {
            return Err(FrameError::connection(
                ErrorCode::ProtocolError,
                "RST_STREAM on an idle stream",
            ));
        }
        if !self.resets.allow() {
            // The 2023 rapid reset: streams opened only to be cancelled, again and again.
            return Err(FrameError::connection(
                ErrorCode::EnhanceYourCalm,
                "too many streams reset",
            ));
        }
        self.incoming.remove(&stream);
        self.conn.lock().forget(stream);
        self.conn.notify();
        Ok(())
    }
}

/// A write that failed means the connection is gone; report it as a connection error.
fn gone(_: io::Error) -> FrameError {
    FrameError::connection(ErrorCode::InternalError, "the connection failed")
}
