//! HTTP/2 frames (RFC 9113 §4 and §6): the binary units everything else is built from.
//!
//! This layer is sans-IO: [`parse()`] reads a frame from bytes the connection has
//! already received, and [`Frame::encode`] appends a frame to a buffer the
//! connection will write. Neither touches a socket, so every rule can be tested
//! with plain byte slices.
//!
//! Every frame starts with the same 9-byte header (§4.1):
//!
//! ```text
//! +-----------------------------------------------+
//! |                 Length (24)                   |
//! +---------------+---------------+---------------+
//! |   Type (8)    |   Flags (8)   |
//! +-+-------------+---------------+-------------------------------+
//! |R|                 Stream Identifier (31)                      |
//! +=+=============================================================+
//! |                   Frame Payload (0...)                      ...
//! +---------------------------------------------------------------+
//! ```
//!
//! One file per task: `parse` for reading, `encode` for writing, `display`
//! for the one-line debug summaries, `error` for error codes, `settings` for
//! the SETTINGS parameters.

mod display;
mod encode;
mod error;
mod parse;
mod settings;

pub use encode::{encode_data_header, encode_header_block, encode_push_promise_block};
pub use error::{ErrorCode, FrameError};
pub use parse::parse;
pub use settings::{Setting, validate_settings};

/// The client connection preface (§3.4): the first bytes a client sends, before any frame.
///
/// It looks like an HTTP/1 request so that an HTTP/1 server fails on it early and loudly.
pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Length of the header that starts every frame (§4.1).
pub const FRAME_HEADER_LEN: usize = 9;

/// Initial value of SETTINGS_MAX_FRAME_SIZE: the largest payload a peer accepts until it says otherwise.
pub const DEFAULT_MAX_FRAME_SIZE: u32 = 16_384;

/// Smallest value SETTINGS_MAX_FRAME_SIZE may take; every endpoint must accept this much.
pub const MIN_MAX_FRAME_SIZE: u32 = DEFAULT_MAX_FRAME_SIZE;

/// Largest value SETTINGS_MAX_FRAME_SIZE may take: 2^24−1, the most the 24-bit length field can say.
pub const MAX_FRAME_SIZE_LIMIT: u32 = (1 << 24) - 1;

/// Initial flow-control window of the connection and of every stream (§6.9.2).
pub const DEFAULT_WINDOW_SIZE: u32 = 65_535;

/// Largest flow-control window allowed (2^31−1); going past it is a FLOW_CONTROL_ERROR.
pub const MAX_WINDOW_SIZE: u32 = (1 << 31) - 1;

/// Frame type codes (§6).
const DATA: u8 = 0x0;
const HEADERS: u8 = 0x1;
const PRIORITY: u8 = 0x2;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const PUSH_PROMISE: u8 = 0x5;
const PING: u8 = 0x6;
const GOAWAY: u8 = 0x7;
const WINDOW_UPDATE: u8 = 0x8;
const CONTINUATION: u8 = 0x9;

/// Flag bits. Their meaning depends on the frame type; bits a type does not define are ignored.
const END_STREAM: u8 = 0x1;
const ACK: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
const PADDED: u8 = 0x8;
const PRIORITY_FLAG: u8 = 0x20;

/// The reserved top bit of stream identifiers and window increments: never sent, ignored on receipt.
const RESERVED_BIT: u32 = 1 << 31;

/// Stream prioritization fields (§5.3.2, §6.3), carried by PRIORITY frames and optionally by HEADERS.
///
/// RFC 9113 deprecates this scheme, but the fields are still on the wire and must be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Priority {
    /// The stream this one depends on (0 for none).
    pub dependency: u32,
    /// Whether this stream becomes the sole child of `dependency`.
    pub exclusive: bool,
    /// The weight as sent on the wire: the actual weight is this plus one (1..=256).
    pub weight: u8,
}

/// One HTTP/2 frame, decoded: one variant per frame type of RFC 9113 §6.
///
/// Stream identifiers never carry the reserved bit, and padding has already been
/// removed. Flags that only describe the wire layout (PADDED, PRIORITY) are not
/// kept; the fields they announce are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// DATA (§6.1): a piece of a request or response body.
    Data {
        /// The stream the data belongs to (never 0).
        stream: u32,
        /// The data, without padding.
        data: Vec<u8>,
        /// This is the last frame the sender will send on the stream.
        end_stream: bool,
        /// The whole payload length, padding included: what flow control counts (§6.9.1).
        ///
        /// Filled in by [`parse()`]; [`Frame::encode`] ignores it. [`Frame::data`] sets it to `data.len()`.
        flow_len: u32,
    },
    /// HEADERS (§6.2): opens a stream and carries the first piece of an HPACK-encoded field block.
    Headers {
        /// The stream being opened or continued (never 0).
        stream: u32,
        /// The field block fragment, still HPACK-encoded.
        block: Vec<u8>,
        /// No DATA follows: the block is the whole message (or the trailers).
        end_stream: bool,
        /// The block is complete; otherwise CONTINUATION frames follow.
        end_headers: bool,
        /// Prioritization fields, when the PRIORITY flag was set.
        priority: Option<Priority>,
    },
    /// PRIORITY (§6.3): deprecated advice about how to share bandwidth among streams.
    Priority {
        /// The stream being prioritized (never 0).
        stream: u32,
        /// The new priority.
        priority: Priority,
    },
    /// RST_STREAM (§6.4): ends one stream immediately, leaving the connection open.
    RstStream {
        /// The stream to end (never 0).
        stream: u32,
        /// Why it ends.
        code: ErrorCode,
    },
    /// SETTINGS (§6.5): configuration for the connection, or the acknowledgement of it.
    Settings {
        /// This acknowledges the peer's SETTINGS; `params` is then empty.
        ack: bool,
        /// Parameters in the order sent, unknown identifiers included (see [`Setting`]).
        params: Vec<(u16, u32)>,
    },
    /// PUSH_PROMISE (§6.6): the server announces a stream it is about to push.
    PushPromise {
        /// The client-initiated stream the promise is tied to (never 0).
        stream: u32,
        /// The new stream the server reserves for the push.
        promised: u32,
        /// The field block fragment of the promised request, still HPACK-encoded.
        block: Vec<u8>,
        /// The block is complete; otherwise CONTINUATION frames follow.
        end_headers: bool,
    },
    /// PING (§6.7): measures the round trip and checks that the connection is alive.
    Ping {
        /// This is the reply; the data is echoed from the ping.
        ack: bool,
        /// Opaque data, echoed by the reply.
        data: [u8; 8],
    },
    /// GOAWAY (§6.8): the sender is closing the connection.
    GoAway {
        /// The highest peer-initiated stream the sender processed or may still process.
        last_stream: u32,
        /// Why the connection is closing.
        code: ErrorCode,
        /// Free-form diagnostic bytes, for humans.
        debug: Vec<u8>,
    },
    /// WINDOW_UPDATE (§6.9): allows the peer to send more DATA.
    WindowUpdate {
        /// The stream whose window grows, or 0 for the connection's window.
        stream: u32,
        /// How many bytes to add (1..=2^31−1).
        increment: u32,
    },
    /// CONTINUATION (§6.10): the next piece of a field block started by HEADERS or PUSH_PROMISE.
    Continuation {
        /// The stream of the HEADERS or PUSH_PROMISE being continued (never 0).
        stream: u32,
        /// The next field block fragment.
        block: Vec<u8>,
        /// This is the last piece.
        end_headers: bool,
    },
    /// A frame type this implementation does not know: to be ignored (§5.5).
    ///
    /// Its payload has been skipped. It is still reported because an unknown
    /// frame in the middle of a field block is a connection error.
    Unknown {
        /// The frame type code.
        kind: u8,
        /// The stream identifier from the frame header.
        stream: u32,
    },
}

impl Frame {
    /// A DATA frame without padding, with `flow_len` set to match.
    pub fn data(stream: u32, data: Vec<u8>, end_stream: bool) -> Frame {
        // A frame can never hold more than 2^24−1 bytes, so this saturation never bites in practice.
        let flow_len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        Frame::Data {
            stream,
            data,
            end_stream,
            flow_len,
        }
    }

    /// The stream identifier from the frame header; 0 means the connection itself.
    pub fn stream_id(&self) -> u32 {
        self.header().2
    }

    /// The type code, meaningful flags and stream identifier this frame has on the wire.
    ///
    /// The PADDED flag is left out: only [`Frame::encode_padded`] adds it.
    fn header(&self) -> (u8, u8, u32) {
        let bit = |set: bool, flag: u8| if set { flag } else { 0 };
        match *self {
            Frame::Data {
                stream, end_stream, ..
            } => (DATA, bit(end_stream, END_STREAM), stream),
            Frame::Headers {
                stream,
                end_stream,
                end_headers,
                priority,
                ..
            } => {
                let flags = bit(end_stream, END_STREAM)
                    | bit(end_headers, END_HEADERS)
                    | bit(priority.is_some(), PRIORITY_FLAG);
                (HEADERS, flags, stream)
            }
            Frame::Priority { stream, .. } => (PRIORITY, 0, stream),
            Frame::RstStream { stream, .. } => (RST_STREAM, 0, stream),
            Frame::Settings { ack, .. } => (SETTINGS, bit(ack, ACK), 0),
            Frame::PushPromise {
                stream,
                end_headers,
                ..
            } => (PUSH_PROMISE, bit(end_headers, END_HEADERS), stream),
            Frame::Ping { ack, .. } => (PING, bit(ack, ACK), 0),
            Frame::GoAway { .. } => (GOAWAY, 0, 0),
            Frame::WindowUpdate { stream, .. } => (WINDOW_UPDATE, 0, stream),
            Frame::Continuation {
                stream,
                end_headers,
                ..
            } => (CONTINUATION, bit(end_headers, END_HEADERS), stream),
            Frame::Unknown { kind, stream } => (kind, 0, stream),
        }
    }
}

#[cfg(test)]
mod tests;
