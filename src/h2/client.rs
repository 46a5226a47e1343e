//! A small HTTP/2 client: one connection, requests on odd streams, responses read frame
//! by frame. It works over any byte stream (TLS after ALPN chose `h2`, or plain TCP for
//! h2c), and lets tests send raw frames to check how the server reacts.

use std::collections::HashMap;
use std::io::{self, Read, Write};

use super::frame::{self, ErrorCode, Frame, PREFACE, Setting};
use super::hpack::{Decoder, Encoder};
use crate::http::Headers;

/// A complete response.
#[derive(Debug, Clone, Default)]
pub struct Response {
    /// The `:status`.
    pub status: u16,
    /// The other header fields.
    pub headers: Headers,
    /// The body, all of it.
    pub body: Vec<u8>,
}

/// Something the server sent that concerns a stream or the whole connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Response headers (or trailers) on a stream.
    Headers {
        stream: u32,
        fields: Vec<(String, String)>,
        end_stream: bool,
    },
    /// Body bytes on a stream.
    Data {
        stream: u32,
        data: Vec<u8>,
        end_stream: bool,
    },
    /// The server reset a stream.
    Reset { stream: u32, code: ErrorCode },
    /// The server is closing the connection.
    GoAway {
        last_stream: u32,
        code: ErrorCode,
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
    max_frame_size: u32,
    inbuf: Vec<u8>,
    /// Give back receive credit as DATA arrives (off only to test a stingy client).
    pub auto_window: bool,
    /// Header blocks being assembled from CONTINUATION frames, by stream.
    partial: HashMap<u32, (Vec<u8>, bool)>,
}

impl<S: Read + Write> Connection<S> {
    /// Sends the connection preface and our SETTINGS (push off, unless `settings` says).
    pub fn handshake(stream: S, settings: &[(u16, u32)]) -> io::Result<Self> {
        let mut conn = Self {
            stream,
            encoder: Encoder::new(),
            decoder: Decoder::new(super::hpack::DEFAULT_TABLE_SIZE),
            next_stream: 1,
            max_frame_size: frame::DEFAULT_MAX_FRAME_SIZE,
            inbuf: Vec::new(),
            auto_window: true,
            partial: HashMap::new(),
        };
        let mut params = vec![(Setting::EnablePush.id(), 0)];
        params.extend_from_slice(settings);
        let mut out = PREFACE.to_vec();
        Frame::Settings { ack: false, params }.encode(&mut out);
        conn.stream.write_all(&out)?;
        Ok(conn)
    }

    /// Sends a request; returns its stream id. `authority` is the host (and port).
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
        let mut block = Vec::new();
        self.encoder.encode(fields, &mut block);
        let mut out = Vec::new();
        frame::encode_header_block(id, &block, body.is_empty(), self.max_frame_size, &mut out);
        for (i, piece) in body.chunks(self.max_frame_size as usize).enumerate() {
            let last = (i + 1) * (self.max_frame_size as usize) >= body.len();
            Frame::data(id, piece.to_vec(), last).encode(&mut out);
        }
        self.stream.write_all(&out)?;
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
        self.stream.write_all(&out)
    }

    /// Writes raw bytes (for tests that need a frame the encoder would never make).
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Reads until the next [`Event`], answering SETTINGS and PING on the way.
    pub fn next_event(&mut self) -> io::Result<Event> {
        loop {
            let frame = self.read_frame()?;
            if let Some(event) = self.on_frame(frame)? {
                return Ok(event);
            }
        }
    }

    /// Reads the whole response on `id` (events of other streams are dropped).
    pub fn read_response(&mut self, id: u32) -> io::Result<Response> {
        let mut response = Response::default();
        loop {
            match self.next_event()? {
                Event::Headers {
                    stream,
                    fields,
                    end_stream,
                } if stream == id => {
                    for (name, value) in fields {
                        match name.as_str() {
                            ":status" => {
                                response.status =
                                    value.parse().map_err(|_| invalid("bad :status"))?
                            }
                            _ => response.headers.append(name, value),
                        }
                    }
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
                Event::GoAway { code, debug, .. } => {
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

    fn read_frame(&mut self) -> io::Result<Frame> {
        loop {
            match frame::parse(&self.inbuf, frame::MAX_FRAME_SIZE_LIMIT) {
                Ok(Some((frame, used))) => {
                    self.inbuf.drain(..used);
                    log::debug!(target: "rwh::h2::frame", "client read {frame}");
                    return Ok(frame);
                }
                Ok(None) => {}
                Err(e) => return Err(invalid_owned(format!("bad frame from the server: {e}"))),
            }
            let mut buf = [0u8; 16 * 1024];
            let n = self.stream.read(&mut buf)?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.inbuf.extend_from_slice(&buf[..n]);
        }
    }

    fn on_frame(&mut self, frame: Frame) -> io::Result<Option<Event>> {
        Ok(match frame {
            Frame::Settings { ack: false, params } => {
                for (id, value) in params {
                    match Setting::from_id(id) {
                        Some(Setting::MaxFrameSize) => self.max_frame_size = value,
                        Some(Setting::HeaderTableSize) => {
                            self.encoder.set_max_table_size(value as usize)
                        }
                        _ => {}
                    }
                }
                // Best effort: if the server has gone, reading will say so.
                let _ = self.send_frame(&Frame::Settings {
                    ack: true,
                    params: Vec::new(),
                });
                None
            }
            Frame::Ping { ack: false, data } => {
                let _ = self.send_frame(&Frame::Ping { ack: true, data });
                None
            }
            Frame::Headers {
                stream,
                block,
                end_stream,
                end_headers,
                ..
            } => self.header_piece(stream, block, end_stream, end_headers)?,
            Frame::Continuation {
                stream,
                block,
                end_headers,
            } => {
                let end_stream = self.partial.get(&stream).is_some_and(|(_, end)| *end);
                self.header_piece(stream, block, end_stream, end_headers)?
            }
            Frame::Data {
                stream,
                data,
                end_stream,
                flow_len,
            } => {
                if self.auto_window && flow_len > 0 {
                    let mut out = Vec::new();
                    Frame::WindowUpdate {
                        stream: 0,
                        increment: flow_len,
                    }
                    .encode(&mut out);
                    if !end_stream {
                        Frame::WindowUpdate {
                            stream,
                            increment: flow_len,
                        }
                        .encode(&mut out);
                    }
                    let _ = self.stream.write_all(&out);
                }
                Some(Event::Data {
                    stream,
                    data,
                    end_stream,
                })
            }
            Frame::Ping { ack: true, data } => Some(Event::PingAck(data)),
            Frame::RstStream { stream, code } => Some(Event::Reset { stream, code }),
            Frame::GoAway {
                last_stream,
                code,
                debug,
            } => Some(Event::GoAway {
                last_stream,
                code,
                debug: String::from_utf8_lossy(&debug).into_owned(),
            }),
            _ => None,
        })
    }

    fn header_piece(
        &mut self,
        stream: u32,
        block: Vec<u8>,
        end_stream: bool,
        end_headers: bool,
    ) -> io::Result<Option<Event>> {
        let entry = self
            .partial
            .entry(stream)
            .or_insert_with(|| (Vec::new(), end_stream));
        entry.0.extend_from_slice(&block);
        if !end_headers {
            return Ok(None);
        }
        let (block, end_stream) = self.partial.remove(&stream).unwrap_or_default();
        let fields = self
            .decoder
            .decode(&block, usize::MAX)
            .map_err(|e| invalid_owned(format!("bad HPACK block: {e}")))?
            .into_iter()
            .map(|(n, v)| {
                (
                    String::from_utf8_lossy(&n).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                )
            })
            .collect();
        Ok(Some(Event::Headers {
            stream,
            fields,
            end_stream,
        }))
    }
}

fn invalid(msg: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

fn invalid_owned(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}
