//! Server-Sent Events (book section 9.3): the wire format, a parser, and a client.

pub mod client;
pub mod event;
pub mod parse;

pub use client::{EventSource, Options, SseError};
pub use event::{Event, comment};
pub use parse::{Item, Parser, Received};

/// The media type of an event stream.
pub const CONTENT_TYPE: &str = "text/event-stream";
