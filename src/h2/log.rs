//! The frame log, our `GODEBUG=http2debug` (table 9-1): `RUST_LOG=rwh::h2::frame=debug`
//! logs one line per frame read or written, by the server and by the client alike;
//! `RUST_LOG=rwh::h2::frame=trace` adds every header field encoded or decoded.
//!
//! Each line starts with who is speaking, so that a test running both ends in one
//! process can tell them apart: `client wrote HEADERS …`, `server read HEADERS …`.

use super::frame::{self, Frame};

/// The `log` target of every line: what `RUST_LOG` names to switch the log on.
pub(crate) const TARGET: &str = "rwh::h2::frame";

/// Logs each frame in `bytes`, which `side` (`client`, `server`) wrote.
pub(crate) fn wrote(side: &str, mut bytes: &[u8]) {
    if !log::log_enabled!(target: TARGET, log::Level::Debug) {
        return;
    }
    while let Ok(Some((frame, used))) = frame::parse(bytes, frame::MAX_FRAME_SIZE_LIMIT) {
        log::debug!(target: TARGET, "{side} wrote {frame}");
        bytes = &bytes[used..];
    }
}

/// Logs a frame that `side` read.
pub(crate) fn read(side: &str, frame: &Frame) {
    log::debug!(target: TARGET, "{side} read {frame}");
}

/// Logs header fields at trace level: `verb` is `encoding` (about to be sent) or
/// `decoded` (just received), like Go's `http2debug=2`.
pub(crate) fn fields<'a>(
    side: &str,
    verb: &str,
    fields: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
) {
    if !log::log_enabled!(target: TARGET, log::Level::Trace) {
        return;
    }
    for (name, value) in fields {
        log::trace!(
            target: TARGET,
            "{side} {verb} header field {:?} = {:?}",
            String::from_utf8_lossy(name),
            String::from_utf8_lossy(value)
        );
    }
}
