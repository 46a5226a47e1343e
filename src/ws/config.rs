//! Limits and timings of one WebSocket connection.

use std::time::Duration;

/// Gorilla's chat example waits this long for a pong (its `pongWait`).
pub const PONG_WAIT: Duration = Duration::from_secs(60);

/// Gorilla pings at nine tenths of the pong wait (its `pingPeriod`), so that a pong can
/// arrive before the wait runs out.
pub const PING_EVERY: Duration = Duration::from_secs(54);

/// Gorilla's `writeWait`: the longest one write may take before the peer is dropped.
pub const WRITE_WAIT: Duration = Duration::from_secs(10);

/// The heartbeat of listing 9-4: ping on a timer, drop a peer that goes quiet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heartbeat {
    /// Time between two pings from us.
    pub ping_every: Duration,
    /// A peer from which nothing (a pong or any data) arrives for this long is dropped.
    pub pong_wait: Duration,
}

impl Default for Heartbeat {
    /// Gorilla's chat example: ping every 54 s, give up after 60 s of silence.
    fn default() -> Self {
        Self {
            ping_every: PING_EVERY,
            pong_wait: PONG_WAIT,
        }
    }
}

/// What one connection may cost and how long it waits; see each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Largest message accepted from the peer; a bigger one is answered with close 1009.
    pub max_message: usize,
    /// Longest wait for one write (a message, a pong, a close frame) to reach the socket.
    pub write_wait: Duration,
    /// After a close frame is sent, how long to wait for the peer's answer.
    pub close_wait: Duration,
    /// Pings and the pong deadline; `None` sends no pings and waits for ever.
    pub heartbeat: Option<Heartbeat>,
}

impl Default for Config {
    /// 64 KiB messages, gorilla's write wait, a 3 s close wait, no heartbeat.
    fn default() -> Self {
        Self {
            max_message: 64 * 1024,
            write_wait: WRITE_WAIT,
            close_wait: Duration::from_secs(3),
            heartbeat: None,
        }
    }
}

impl Config {
    /// The same configuration with gorilla's heartbeat (or `heartbeat`) switched on.
    pub fn with_heartbeat(mut self, heartbeat: Heartbeat) -> Self {
        self.heartbeat = Some(heartbeat);
        self
    }
}
