//! How a WebSocket conversation ended, or why a send failed.

use std::fmt;
use std::io;
use std::time::Duration;

use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;

/// The end of a conversation as [`Connection::recv`](super::Connection::recv) reports it,
/// and the reasons a send can fail.
#[derive(Debug)]
pub enum Error {
    /// The peer sent a close frame (`None`: without a status code) and we answered it.
    ClosedByPeer(Option<CloseFrame>),
    /// We sent a close frame with this code; `answered` tells whether the peer's close
    /// frame came back before the close wait ran out.
    ClosedByUs {
        /// The code we sent.
        code: CloseCode,
        /// True when the peer completed the close handshake.
        answered: bool,
    },
    /// The peer broke a rule (message too big, invalid UTF-8, a protocol error): we
    /// closed with `code` (1009, 1007, 1002).
    Refused {
        /// The code we sent.
        code: CloseCode,
        /// What was wrong, as sent in the close frame.
        reason: String,
    },
    /// Heartbeat: nothing (pong or data) arrived within the pong wait.
    Unresponsive(Duration),
    /// A write did not finish within the write wait: the peer stopped reading.
    WriteTimeout(Duration),
    /// The socket failed, or the peer left without a close frame.
    Io(io::Error),
    /// The conversation had already ended.
    AlreadyClosed,
}

impl Error {
    /// True for the endings that completed a close handshake, in either direction.
    pub fn is_clean_close(&self) -> bool {
        matches!(
            self,
            Error::ClosedByPeer(_) | Error::ClosedByUs { answered: true, .. }
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::ClosedByPeer(Some(frame)) => write!(
                f,
                "closed by the peer with {} {:?}",
                u16::from(frame.code),
                frame.reason.as_str()
            ),
            Error::ClosedByPeer(None) => f.write_str("closed by the peer without a status code"),
            Error::ClosedByUs { code, answered } => write!(
                f,
                "closed by us with {}{}",
                u16::from(*code),
                if *answered {
                    ""
                } else {
                    "; the peer did not answer"
                }
            ),
            Error::Refused { code, reason } => {
                write!(f, "closed with {} ({reason})", u16::from(*code))
            }
            Error::Unresponsive(wait) => {
                write!(f, "no pong or data from the peer for {wait:?}")
            }
            Error::WriteTimeout(wait) => {
                write!(f, "a write did not complete within {wait:?}")
            }
            Error::Io(e) => write!(f, "connection lost: {e}"),
            Error::AlreadyClosed => f.write_str("the connection is already closed"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}
