//! An `EventSource` like the browser's (book section 9.3.2): events arrive on a channel,
//! and a broken stream is reopened after the retry delay with `Last-Event-ID`.

use std::fmt;
use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded, unbounded};

use super::parse::{Item, Parser, Received};
use crate::http::client::{self, ClientResponse, Url};
use crate::tls::Trust;

/// How an [`EventSource`] reconnects.
#[derive(Debug, Clone)]
pub struct Options {
    /// Wait before reconnecting, until the server sends `retry:` (browsers use about 3 s).
    pub retry: Duration,
    /// Failed reconnection attempts in a row before giving up; `None` keeps trying.
    pub max_failures: Option<u32>,
    /// Longest silence tolerated on an open stream before it counts as broken.
    pub read_timeout: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            retry: Duration::from_secs(3),
            max_failures: None,
            read_timeout: None,
        }
    }
}

/// Why an event stream ended other than by the server's 204 or our `close`.
#[derive(Debug)]
pub enum SseError {
    /// The URL could not be parsed.
    Url(String),
    /// The server answered with a status other than 200 or 204.
    Status(u16),
    /// The server answered 200 with something other than `text/event-stream`.
    ContentType(String),
    /// No connection could be made (for the first attempt, or `max_failures` in a row).
    Connect(io::Error),
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SseError::Url(e) => write!(f, "bad URL: {e}"),
            SseError::Status(s) => write!(f, "response status should be 200, but is {s}"),
            SseError::ContentType(t) => {
                write!(f, "content type should be text/event-stream, but is {t:?}")
            }
            SseError::Connect(e) => write!(f, "cannot connect: {e}"),
        }
    }
}

impl std::error::Error for SseError {}

/// A live event stream. Events arrive on [`events`](EventSource::events); the channel
/// disconnects when the stream has ended for good (the book's `ctx.Done()`).
pub struct EventSource {
    events: Receiver<Received>,
    stop: Option<Sender<()>>,
    socket: Arc<Mutex<Option<TcpStream>>>,
    worker: Option<JoinHandle<Result<(), SseError>>>,
}

impl EventSource {
    /// Opens `url` with default [`Options`]; fails if the first response is not a stream.
    pub fn connect(url: &str) -> Result<Self, SseError> {
        Self::connect_with(url, Options::default())
    }

    /// Opens `url`; returns once the first response has been checked. An `https://`
    /// stream is verified with [`Trust::Default`].
    pub fn connect_with(url: &str, options: Options) -> Result<Self, SseError> {
        Self::connect_trusting(url, options, Trust::Default)
    }

    /// Opens `url`, verifying an `https://` server as `trust` says (e.g. a CA file).
    pub fn connect_trusting(url: &str, options: Options, trust: Trust) -> Result<Self, SseError> {
        let url = Url::parse(url).map_err(SseError::Url)?;
        let (events_tx, events) = unbounded();
        let (stop, stop_rx) = bounded(0);
        let (ready_tx, ready) = bounded(1);
        let socket = Arc::new(Mutex::new(None));
        let client = client::Options {
            read_timeout: options.read_timeout,
            trust,
        };
        let stream = Stream {
            url,
            options,
            client,
            parser: Parser::new(),
            events: events_tx,
            stop: stop_rx,
            socket: socket.clone(),
        };
        let worker = thread::Builder::new()
            .name("rwh-eventsource".into())
            .spawn(move || stream.run(ready_tx))
            .map_err(SseError::Connect)?;
        let mut source = Self {
            events,
            stop: Some(stop),
            socket,
            worker: Some(worker),
        };
        match ready.recv() {
            Ok(()) => Ok(source),
            // The worker ended before the first response: it says why.
            Err(_) => Err(source.join().err().unwrap_or_else(|| {
                SseError::Connect(io::Error::other("event source thread ended"))
            })),
        }
    }

    /// The events, in order; use `recv`, iterate, or `select!` over it.
    pub fn events(&self) -> &Receiver<Received> {
        &self.events
    }

    /// Stops the stream if it is still open, and tells how it ended.
    pub fn close(mut self) -> Result<(), SseError> {
        self.signal_stop();
        self.join()
    }

    fn signal_stop(&mut self) {
        self.stop = None; // wakes a worker waiting to reconnect
        if let Some(socket) = self
            .socket
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            let _ = socket.shutdown(Shutdown::Both); // wakes a worker blocked in read
        }
    }

    fn join(&mut self) -> Result<(), SseError> {
        match self.worker.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(SseError::Connect(io::Error::other(
                "event source thread panicked",
            ))),
            None => Ok(()),
        }
    }
}

impl Drop for EventSource {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

/// The worker's side: one stream, reopened until it ends for good.
struct Stream {
    url: Url,
    options: Options,
    /// How each request is made: the read timeout and whom to trust for `https://`.
    client: client::Options,
    parser: Parser,
    events: Sender<Received>,
    stop: Receiver<()>,
    socket: Arc<Mutex<Option<TcpStream>>>,
}

/// What one attempt to open the stream gave.
enum Opened {
    Stream(ClientResponse),
    /// 204: the server has nothing more; a browser stops reconnecting.
    NoContent,
}

impl Stream {
    fn run(mut self, ready: Sender<()>) -> Result<(), SseError> {
        let opened = self.open()?;
        let _ = ready.send(());
        let Opened::Stream(mut response) = opened else {
            return Ok(()); // 204 at once: there is nothing to stream
        };
        let mut failures = 0;
        loop {
            if !self.read_events(&mut response) {
                return Ok(()); // closed by us
            }
            log::info!(
                "stream from {} ended; reconnecting in {:?}",
                self.url,
                self.options.retry
            );
            loop {
                match self.stop.recv_timeout(self.options.retry) {
                    Err(RecvTimeoutError::Timeout) => {}
                    _ => return Ok(()),
                }
                self.parser.restart();
                match self.open() {
                    Ok(Opened::Stream(next)) => {
                        response = next;
                        failures = 0;
                        break;
                    }
                    Ok(Opened::NoContent) => return Ok(()),
                    Err(SseError::Connect(e)) => {
                        failures += 1;
                        log::info!("reconnecting to {} failed ({failures}): {e}", self.url);
                        if self.options.max_failures.is_some_and(|max| failures >= max) {
                            return Err(SseError::Connect(e));
                        }
                    }
                    Err(refused) => return Err(refused),
                }
            }
        }
    }

    // ANCHOR: open
    /// Sends `GET` with `Last-Event-ID` and checks the answer is an event stream.
    fn open(&mut self) -> Result<Opened, SseError> {
        let last_id = self.parser.last_event_id().to_string();
        let mut headers = vec![
            ("Accept", "text/event-stream"),
            ("Cache-Control", "no-cache"),
        ];
        if !last_id.is_empty() {
            headers.push(("Last-Event-ID", &last_id));
        }
        let response = client::request_with("GET", &self.url, &headers, b"", &self.client)
            .map_err(SseError::Connect)?;
        match response.status {
            200 => {}
            204 => return Ok(Opened::NoContent),
            status => return Err(SseError::Status(status)),
        }
        let content_type = response.headers.get("content-type").unwrap_or_default();
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case(super::CONTENT_TYPE) {
            return Err(SseError::ContentType(content_type.to_string()));
        }
        *self.socket.lock().unwrap_or_else(|e| e.into_inner()) = response.socket().ok();
        Ok(Opened::Stream(response))
    }
    // ANCHOR_END: open

    /// Reads and delivers events until the stream ends. False when we were told to stop
    /// (or nobody listens any more), true when the stream ended or broke.
    fn read_events(&mut self, response: &mut ClientResponse) -> bool {
        let mut buf = [0u8; 8192];
        let mut items = Vec::new();
        loop {
            let n = match response.read(&mut buf) {
                Ok(0) => return self.still_wanted(),
                Ok(n) => n,
                Err(e) => {
                    log::debug!("reading {}: {e}", self.url);
                    return self.still_wanted();
                }
            };
            self.parser.feed(&buf[..n], &mut items);
            for item in items.drain(..) {
                match item {
                    Item::Event(event) => {
                        if self.events.send(event).is_err() {
                            return false;
                        }
                    }
                    Item::Retry(delay) => self.options.retry = delay,
                }
            }
        }
    }

    /// True unless `close` was called (the stop channel is then disconnected).
    fn still_wanted(&self) -> bool {
        matches!(
            self.stop.try_recv(),
            Err(crossbeam_channel::TryRecvError::Empty)
        )
    }
}
