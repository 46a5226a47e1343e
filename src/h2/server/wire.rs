//! A response written onto one HTTP/2 stream: HEADERS, then DATA frames within the
//! peer's flow-control windows, END_STREAM on the last one. Frames are queued on the
//! connection ([`Conn`]) and written at each flush, so that a short response leaves in
//! one piece.

use std::io;
use std::sync::Arc;
use std::time::SystemTime;

use super::state::{Conn, State};
use crate::h2::fields::response_fields;
use crate::http::{BodySize, Headers, Hijacked, Wire, has_body};

/// Sends the interim response `100 Continue` on `stream`: the client may send its body
/// (RFC 9110 §10.1.1). The stream stays open for the final response.
pub(crate) fn send_continue(conn: &Conn, stream: u32) -> io::Result<()> {
    let fields = [(b":status".to_vec(), b"100".to_vec())];
    let logged = fields.iter().map(|(n, v)| (&n[..], &v[..]));
    crate::h2::log::fields("server", "encoding", logged);
    let mut state = conn.lock();
    state.writable(stream)?;
    // Queued: the reader, which calls this, writes everything at the end of its batch.
    state.queue_headers(stream, &fields, false)
}

/// The write side of one stream, owned by the handler thread that answers it.
pub(crate) struct StreamWire {
    conn: Arc<Conn>,
    stream: u32,
    head_only: bool,
    /// Body bytes still to come when the length was announced.
    left: Option<usize>,
    ended: bool,
}

impl StreamWire {
    pub(crate) fn new(conn: Arc<Conn>, stream: u32, head_only: bool) -> Self {
        Self {
            conn,
            stream,
            head_only,
            left: None,
            ended: false,
        }
    }

    /// Queues as much of `data` as the send windows admit now, without waiting for more
    /// credit; returns how many bytes that was (all of them for a HEAD request).
    pub(crate) fn send_now(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.head_only || self.ended {
            return Ok(data.len());
        }
        let conn = Arc::clone(&self.conn); // the guard must not borrow `self`
        let mut state = conn.lock();
        let mut sent = 0;
        while sent < data.len() {
            let open = state.open_window(self.stream)?;
            if open == 0 {
                break;
            }
            let n = open.min(data.len() - sent);
            self.queue_data(&mut state, &data[sent..sent + n])?;
            sent += n;
        }
        Ok(sent)
    }

    /// Queues one DATA frame within the windows, with END_STREAM if it is the last.
    fn queue_data(&mut self, state: &mut State, data: &[u8]) -> io::Result<()> {
        let left = self.left.map(|left| left.saturating_sub(data.len()));
        let end = left == Some(0);
        state.queue_data(self.stream, data, end)?;
        state.consume_window(self.stream, data.len());
        if end {
            state.close_local(self.stream);
            self.ended = true;
        }
        self.left = left;
        Ok(())
    }

    /// The stream this writes on.
    pub(crate) fn stream(&self) -> u32 {
        self.stream
    }

    /// True once END_STREAM has gone out.
    pub(crate) fn ended(&self) -> bool {
        self.ended
    }
}

impl Wire for StreamWire {
    fn send_head(&mut self, status: u16, headers: &Headers, size: BodySize) -> io::Result<()> {
        let length = match size {
            BodySize::Known(n) if has_body(status) => Some(n),
            _ => None,
        };
        let mut fields = response_fields(status, headers, length);
        if !headers.contains("date") {
            fields.push((
                b"date".to_vec(),
                httpdate::fmt_http_date(SystemTime::now()).into_bytes(),
            ));
        }
        let logged = fields.iter().map(|(n, v)| (&n[..], &v[..]));
        crate::h2::log::fields("server", "encoding", logged);
        let end = self.head_only || !has_body(status) || length == Some(0);
        self.left = length;

        let mut state = self.conn.lock();
        state.writable(self.stream)?;
        state.queue_headers(self.stream, &fields, end)?;
        if end {
            state.close_local(self.stream);
            self.ended = true;
        }
        Ok(())
    }

    // ANCHOR: send_body
    fn send_body(&mut self, mut data: &[u8]) -> io::Result<()> {
        if self.head_only || self.ended {
            return Ok(());
        }
        let conn = Arc::clone(&self.conn); // the guard must not borrow `self`
        while !data.is_empty() {
            let (mut state, open) = conn.wait_for_window(conn.lock(), self.stream)?;
            let n = open.min(data.len());
            self.queue_data(&mut state, &data[..n])?;
            data = &data[n..];
        }
        Ok(())
    }
    // ANCHOR_END: send_body

    fn flush(&mut self) -> io::Result<()> {
        self.conn.lock().flush_soon()
    }

    fn finish(&mut self) -> io::Result<()> {
        if self.ended {
            return Ok(());
        }
        let mut state = self.conn.lock();
        state.writable(self.stream)?;
        state.queue_data(self.stream, &[], true)?;
        state.close_local(self.stream);
        self.ended = true;
        Ok(())
    }

    fn hijack(&mut self) -> Option<Hijacked> {
        None // an HTTP/2 stream shares its connection: there is no socket to hand over
    }
}
