//! The stream adapter that lets tungstenite's sans-IO `WebSocketContext` work under a lock.
//!
//! The reader thread reads the socket *without* the lock, then lends the bytes it got to
//! the context through a [`Feed`]: its `read` hands them over and then answers
//! `WouldBlock` (the context keeps a partial frame for the next call), and its `write`
//! goes straight to the socket. Writers use a `Feed` with nothing to read.

use std::io::{self, Read, Write};
use std::net::TcpStream;

/// How a [`Feed`] writes to the socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteMode {
    /// Block until written, up to the socket's write timeout (gorilla's writeWait).
    Deadline,
    /// Never block: a full send buffer answers `WouldBlock` (used by the timer thread,
    /// which must not wait on one slow peer while others need pinging, and by
    /// `Sender::try_send`, which a room's hub uses for the same reason).
    DontWait,
}

/// Bytes already read from the socket in front of it, and the socket to write to.
pub(crate) struct Feed<'a> {
    pending: &'a [u8],
    /// The socket reported end of file: after `pending`, reads answer 0.
    eof: bool,
    socket: &'a TcpStream,
    mode: WriteMode,
}

impl<'a> Feed<'a> {
    /// A feed that hands over `pending` (and then EOF if `eof`), writing with a deadline.
    pub(crate) fn reading(socket: &'a TcpStream, pending: &'a [u8], eof: bool) -> Self {
        Self {
            pending,
            eof,
            socket,
            mode: WriteMode::Deadline,
        }
    }

    /// A feed with nothing to read, for sending.
    pub(crate) fn writing(socket: &'a TcpStream, mode: WriteMode) -> Self {
        Self {
            pending: &[],
            eof: false,
            socket,
            mode,
        }
    }

    /// How many pending bytes the context has not taken yet.
    pub(crate) fn remaining(&self) -> usize {
        self.pending.len()
    }
}

// ANCHOR: read
impl Read for Feed<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            return if self.eof {
                Ok(0)
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            };
        }
        let n = self.pending.read(out)?;
        Ok(n)
    }
}
// ANCHOR_END: read

impl Write for Feed<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self.mode {
            WriteMode::Deadline => match (&mut &*self.socket).write(data) {
                // The socket's write timeout shows up as WouldBlock on Unix; the context
                // would take that for "try later", but here it means the deadline passed.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "write deadline passed",
                )),
                other => other,
            },
            WriteMode::DontWait => send_dont_wait(self.socket, data),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One `send(2)` with `MSG_DONTWAIT`: never blocks, whatever the socket's mode.
#[cfg(unix)]
fn send_dont_wait(socket: &TcpStream, data: &[u8]) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    let flags = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
    // SAFETY: the pointer and length describe `data`, which outlives the call, and the
    // descriptor belongs to `socket`, which is borrowed for the whole call.
    let sent = unsafe { libc::send(socket.as_raw_fd(), data.as_ptr().cast(), data.len(), flags) };
    if sent < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(sent as usize)
    }
}

/// Elsewhere the timer writes with the socket's deadline, like every other writer.
#[cfg(not(unix))]
fn send_dont_wait(socket: &TcpStream, data: &[u8]) -> io::Result<usize> {
    (&mut &*socket).write(data)
}
