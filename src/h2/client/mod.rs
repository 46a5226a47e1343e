//! A small HTTP/2 client: one connection, requests on odd streams, responses read frame
//! by frame. It works over any byte stream (TLS after ALPN chose `h2`, or plain TCP for
//! h2c), and lets tests send raw frames to check how the server reacts.
//!
//! It is blocking and single-threaded: whoever holds the [`Connection`] sends requests
//! and then reads events. Request bodies respect the server's flow-control windows
//! (RFC 9113 §6.9): when they are shut, the client reads frames until a WINDOW_UPDATE
//! opens them, and keeps whatever else arrived meanwhile for [`Connection::next_event`].
//!
//! `RUST_LOG=rwh::h2::frame=debug` logs every frame the client reads and writes
//! (`client read …`, `client wrote …`); `=trace` adds the header fields.

mod receive;

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Write};

use super::frame::{self, ErrorCode, Frame, PREFACE, Setting};
use super::hpack::{Decoder, Encoder};
use super::log as frame_log;
use crate::http::Headers;

/// A complete response.
#[derive(Debug, Clone, Default)]
pub struct Response {
    /// The `:status`.
    pub status: u16,
    /// The other header fields, and the trailers if there were any.
    pub headers: Headers,
    /// The body, all of it.
    pub body: Vec<u8>,
}

/// Something the server sent that concerns a stream or the whole connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Response headers (or trailers) on a stream.
    Headers {
        /// The stream they belong to.
        stream: u32,
        /// The decoded fields, pseudo-header fields (`:status`) first.
        fields: Vec<(String, String)>,
        /// The server sends nothing more on this stream.
        end_stream: bool,
    },
    /// Body bytes on a stream.
    Data {
        /// The stream they belong to.
        stream: u32,
        /// The bytes, without padding.
        data: Vec<u8>,
        /// The server sends nothing more on this stream.
        end_stream: bool,
    },
    /// The server reset a stream.
    Reset {
        /// The stream.
        stream: u32,
        /// Why.
        code: ErrorCode,
    },
    /// The server is closing the connection.
    GoAway {
        /// The highest stream the server has processed or may still process.
        last_stream: u32,
        /// Why.
        code: ErrorCode,
        /// The server's free-form explanation.
        debug: String,
    },
    /// The server answered our PING.
    PingAck([u8; 8]),
}

/// An HTTP/2 client connection over `S`.
pub struct Connection<S> {
    stream: S,
    encoder: Encoder,
    decoder: Decoder,
    next_stream: u32,
    /// The server's SETTINGS_MAX_FRAME_SIZE: the most we put in one frame.
    max_frame_size: u32,
    /// Our SETTINGS_MAX_FRAME_SIZE: the most we accept in one frame.
    local_max_frame_size: u32,
    /// The server's preface (its first SETTINGS frame) has arrived.
    got_preface: bool,
    inbuf: Vec<u8>,
    /// Give back receive credit as DATA arrives (off only to test a stingy client).
    pub auto_window: bool,
    /// Header blocks being assembled from CONTINUATION frames, by stream.
    partial: HashMap<u32, (Vec<u8>, bool)>,
    /// What the server lets us send on the whole connection (§6.9.1).
    send_window: i64,
    /// The server's SETTINGS_INITIAL_WINDOW_SIZE: what a new stream may send.
    initial_window: u32,
    /// The send window of each stream whose request body is still going out.
    stream_windows: HashMap<u32, i64>,
    /// Events read while waiting for send credit, handed out first by `next_event`.
    queued: VecDeque<Event>,
}

impl<S: Read + Write> Connection<S> {
    // ANCHOR: handshake
    /// Sends the connection preface and our SETTINGS (push off, unless `settings` says).
    pub fn handshake(stream: S, settings: &[(u16, u32)]) -> io::Result<Self> {
        let mut conn = Self {
            stream,
            encoder: Encoder::new(),
            decoder: Decoder::new(super::hpack::DEFAULT_TABLE_SIZE),
            next_stream: 1,
            max_frame_size: frame::DEFAULT_MAX_FRAME_SIZE,
            local_max_frame_size: frame::DEFAULT_MAX_FRAME_SIZE,
            got_preface: false,
            inbuf: Vec::new(),
            auto_window: true,
            partial: HashMap::new(),
            send_window: i64::from(frame::DEFAULT_WINDOW_SIZE),
            initial_window: frame::DEFAULT_WINDOW_SIZE,
            stream_windows: HashMap::new(),
            queued: VecDeque::new(),
        };
        let mut params = vec![(Setting::EnablePush.id(), 0)];
        params.extend_from_slice(settings);
        for &(id, value) in settings {
            if Setting::from_id(id) == Some(Setting::MaxFrameSize) {
                conn.local_max_frame_size = value;
            }
        }
        let mut frames = Vec::new();
        Frame::Settings { ack: false, params }.encode(&mut frames);
        log::debug!(target: frame_log::TARGET, "client wrote the connection preface");
        frame_log::wrote("client", &frames);
        let mut out = PREFACE.to_vec();
        out.extend_from_slice(&frames);
        conn.stream.write_all(&out)?;
        Ok(conn)
    }
    // ANCHOR_END: handshake

    /// Sends a request; returns its stream id. `authority` is the host (and port);
    /// header names must be lowercase. A body goes out within the server's windows.
    pub fn send_request(
        &mut self,
        method: &str,
        scheme: &str,
        authority: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<u32> {
        let id = self.take_stream_id();
        let mut fields: Vec<(&[u8], &[u8])> = vec![
            (b":method", method.as_bytes()),
            (b":scheme", scheme.as_bytes()),
            (b":authority", authority.as_bytes()),
            (b":path", path.as_bytes()),
        ];
        fields.extend(headers.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())));
        frame_log::fields("client", "encoding", fields.iter().copied());
        let mut block = Vec::new();
        self.encoder.encode(fields, &mut block);
        let mut out = Vec::new();
        frame::encode_header_block(id, &block, body.is_empty(), self.max_frame_size, &mut out);
        self.write_out(&out)?;
        if !body.is_empty() {
            self.stream_windows
                .insert(id, i64::from(self.initial_window));
            let sent = self.send_body(id, body);
            self.stream_windows.remove(&id);
            sent?;
        }
        Ok(id)
    }

    /// Takes the next stream id, for a hand-made HEADERS frame.
    pub fn take_stream_id(&mut self) -> u32 {
        let id = self.next_stream;
        self.next_stream += 2;
        id
    }

    /// Writes one frame as it is, valid or not (for tests of the server's defences).
    pub fn send_frame(&mut self, frame: &Frame) -> io::Result<()> {
        let mut out = Vec::new();
        frame.encode(&mut out);
        self.write_out(&out)
    }

    /// Writes raw bytes (for tests that need a frame the encoder would never make).
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_out(bytes)
    }

    /// Reads until the next [`Event`], answering SETTINGS and PING on the way.
    pub fn next_event(&mut self) -> io::Result<Event> {
        if let Some(event) = self.queued.pop_front() {
            return Ok(event);
        }
        loop {
            let frame = self.read_frame()?;
            if let Some(event) = self.on_frame(frame)? {
                return Ok(event);
            }
        }
    }

    /// Reads the whole response on `id` (events of other streams are dropped).
    /// Interim responses (1xx) are skipped; trailers join the headers.
    pub fn read_response(&mut self, id: u32) -> io::Result<Response> {
        let mut response = Response::default();
        loop {
            match self.next_event()? {
                Event::Headers {
                    stream,
                    fields,
                    end_stream,
                } if stream == id => {
                    add_fields(&mut response, fields, end_stream)?;
                    if end_stream {
                        return Ok(response);
                    }
                }
                Event::Data {
                    stream,
                    data,
                    end_stream,
                } if stream == id => {
                    response.body.extend_from_slice(&data);
                    if end_stream {
                        return Ok(response);
                    }
                }
                Event::Reset { stream, code } if stream == id => {
                    return Err(io::Error::new(
                        io::ErrorKind::ConnectionReset,
                        format!("stream reset: {code}"),
                    ));
                }
                // A graceful GOAWAY still lets the streams up to `last_stream` finish.
                Event::GoAway {
                    last_stream,
                    code,
                    debug,
                } if code != ErrorCode::NoError || last_stream < id => {
                    return Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        format!("GOAWAY {code} {debug}"),
                    ));
                }
                _ => {}
            }
        }
    }

    /// Says goodbye with GOAWAY(NO_ERROR).
    pub fn close(mut self) -> io::Result<()> {
        self.send_frame(&Frame::GoAway {
            last_stream: 0,
            code: ErrorCode::NoError,
            debug: Vec::new(),
        })
    }

    /// Sends `body` on stream `id` as DATA frames, END_STREAM on the last, never more
    /// than the windows allow. Stops early, and quietly, if the server has already
    /// answered or reset the stream: [`Connection::read_response`] then says how.
    fn send_body(&mut self, id: u32, mut body: &[u8]) -> io::Result<()> {
        let mut out = Vec::new();
        while !body.is_empty() {
            let open = self.open_window(id);
            if open == 0 {
                if self.wait_for_credit(id)? {
                    continue;
                }
                return Ok(());
            }
            let n = open.min(body.len());
            out.clear();
            frame::encode_data_header(id, n, n == body.len(), &mut out);
            out.extend_from_slice(&body[..n]);
            self.write_out(&out)?;
            self.send_window -= n as i64;
            if let Some(window) = self.stream_windows.get_mut(&id) {
                *window -= n as i64;
            }
            body = &body[n..];
        }
        Ok(())
    }

    /// How many bytes of DATA stream `id` may send now, in one frame.
    fn open_window(&self, id: u32) -> usize {
        let stream = self.stream_windows.get(&id).copied().unwrap_or(0);
        let open = usize::try_from(stream.min(self.send_window)).unwrap_or(0);
        open.min(self.max_frame_size as usize)
    }

    /// Reads one frame while the windows are shut; false once sending on `id` is moot.
    fn wait_for_credit(&mut self, id: u32) -> io::Result<bool> {
        let frame = self.read_frame()?;
        let Some(event) = self.on_frame(frame)? else {
            return Ok(true);
        };
        let moot = match &event {
            Event::Reset { stream, .. } => *stream == id,
            Event::Headers {
                stream, end_stream, ..
            }
            | Event::Data {
                stream, end_stream, ..
            } => *stream == id && *end_stream,
            Event::GoAway {
                last_stream, code, ..
            } => *code != ErrorCode::NoError || *last_stream < id,
            Event::PingAck(_) => false,
        };
        self.queued.push_back(event);
        Ok(!moot)
    }

    /// Writes encoded frames, logging each one (`client wrote …`).
    fn write_out(&mut self, frames: &[u8]) -> io::Result<()> {
        frame_log::wrote("client", frames);
        self.stream.write_all(frames)
    }
}

/// Adds one header block to `response`: the head (a 1xx one is dropped) or trailers.
fn add_fields(
    response: &mut Response,
    fields: Vec<(String, String)>,
    end_stream: bool,
) -> io::Result<()> {
    let status = fields.iter().find(|(name, _)| name == ":status");
    let status = match status {
        Some((_, value)) => Some(value.parse().map_err(|_| invalid("bad :status"))?),
        None => None,
    };
    if matches!(status, Some(100..=199)) && !end_stream {
        return Ok(()); // an interim response: the real one follows
    }
    if let Some(status) = status {
        response.status = status;
    }
    for (name, value) in fields {
        if !name.starts_with(':') {
            response.headers.append(name, value);
        }
    }
    Ok(())
}

fn invalid(msg: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}
