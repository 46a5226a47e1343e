//! The client's receiving half: frames from the server become [`Event`]s, and SETTINGS,
//! PING and WINDOW_UPDATE are dealt with on the way.

use std::io::{self, Read, Write};

use super::{Connection, Event, frame_log};
use crate::h2::frame::{self, Frame, Setting};

impl<S: Read + Write> Connection<S> {
    /// Reads the next whole frame from the server, logging it (`client read …`).
    pub(super) fn read_frame(&mut self) -> io::Result<Frame> {
        loop {
            if !self.got_preface {
                self.check_preface()?;
            }
            match frame::parse(&self.inbuf, self.local_max_frame_size) {
                Ok(Some((frame, used))) => {
                    self.inbuf.drain(..used);
                    frame_log::read("client", &frame);
                    if !self.got_preface && !matches!(frame, Frame::Settings { ack: false, .. }) {
                        return Err(invalid(format!(
                            "the server's first frame must be SETTINGS, not {frame}"
                        )));
                    }
                    self.got_preface = true;
                    return Ok(frame);
                }
                Ok(None) => {}
                Err(e) => return Err(invalid(format!("bad frame from the server: {e}"))),
            }
            let mut buf = [0u8; 16 * 1024];
            let n = self.stream.read(&mut buf)?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.inbuf.extend_from_slice(&buf[..n]);
        }
    }

    /// Fails with a clear message if the server answered in HTTP/1.x: a server that
    /// does not speak h2c reads our preface as a strange HTTP/1.1 request.
    fn check_preface(&self) -> io::Result<()> {
        if !self.inbuf.starts_with(b"HTTP/1.") {
            return Ok(());
        }
        let line = self.inbuf.split(|&b| b == b'\r' || b == b'\n').next();
        let line = String::from_utf8_lossy(line.unwrap_or_default());
        Err(invalid(format!(
            "the server answered in HTTP/1 ({line}): it does not speak HTTP/2 here"
        )))
    }

    /// Acts on one frame; returns what the caller needs to hear about.
    pub(super) fn on_frame(&mut self, frame: Frame) -> io::Result<Option<Event>> {
        Ok(match frame {
            Frame::Settings { ack: false, params } => {
                self.apply_settings(&params);
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
            Frame::WindowUpdate { stream, increment } => {
                let increment = i64::from(increment);
                match stream {
                    0 => self.send_window += increment,
                    _ => {
                        if let Some(window) = self.stream_windows.get_mut(&stream) {
                            *window += increment;
                        }
                    }
                }
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
                self.give_back(stream, flow_len, end_stream);
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

    /// The server's SETTINGS that shape what we send.
    fn apply_settings(&mut self, params: &[(u16, u32)]) {
        for &(id, value) in params {
            match Setting::from_id(id) {
                Some(Setting::MaxFrameSize) => self.max_frame_size = value,
                Some(Setting::HeaderTableSize) => self.encoder.set_max_table_size(value as usize),
                Some(Setting::InitialWindowSize) => {
                    // §6.9.2: every stream's window moves by the difference.
                    let delta = i64::from(value) - i64::from(self.initial_window);
                    self.initial_window = value;
                    self.stream_windows.values_mut().for_each(|w| *w += delta);
                }
                _ => {}
            }
        }
    }

    /// Gives the server back the credit its DATA used, on the connection and, while
    /// more may come, on the stream (unless a test turned `auto_window` off).
    fn give_back(&mut self, stream: u32, flow_len: u32, end_stream: bool) {
        if !self.auto_window || flow_len == 0 {
            return;
        }
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
        // Best effort, like the SETTINGS ACK.
        let _ = self.write_out(&out);
    }

    /// Adds a piece of a header block; decodes the block once it is complete.
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
        let decoded = self
            .decoder
            .decode(&block, usize::MAX)
            .map_err(|e| invalid(format!("bad HPACK block: {e}")))?;
        let logged = decoded.iter().map(|(n, v)| (&n[..], &v[..]));
        frame_log::fields("client", "decoded", logged);
        let fields = decoded
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

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}
