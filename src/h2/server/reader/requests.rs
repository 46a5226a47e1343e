//! From frames to requests: a HEADERS frame (and its CONTINUATIONs) opens a stream, DATA
//! frames bring the body, and a complete request is answered on the reader thread if its
//! route is [`Immediate`](crate::http::Immediate), or else handed to a handler thread.

use std::time::Instant;

use super::{Reader, gone};
use crate::h2::fields::request_from_fields;
use crate::h2::frame::{DEFAULT_WINDOW_SIZE, ErrorCode, Frame, FrameError};
use crate::h2::hpack::HpackError;
use crate::h2::server::immediate;
use crate::h2::server::pool::Job;
use crate::h2::server::wire::{StreamWire, send_continue};
use crate::h2::server::{MAX_CONCURRENT_STREAMS, MAX_HEADER_BLOCK};
use crate::http::Request;

/// A header block waiting for its CONTINUATION frames.
pub(super) struct Pending {
    pub(super) stream: u32,
    pub(super) block: Vec<u8>,
    pub(super) end_stream: bool,
}

/// A request whose body is still arriving.
pub(super) struct Incoming {
    pub(super) request: Request,
    /// What the peer may still send on this stream before we open the window again.
    pub(super) window: i64,
    /// When the request last made progress: its HEADERS, or its latest DATA.
    pub(super) since: Instant,
}

impl Reader {
    pub(super) fn on_headers(
        &mut self,
        stream: u32,
        block: Vec<u8>,
        end_stream: bool,
        end_headers: bool,
    ) -> Result<(), FrameError> {
        if stream.is_multiple_of(2) {
            return Err(FrameError::connection(
                ErrorCode::ProtocolError,
                "client stream ids are odd",
            ));
        }
        let pending = Pending {
            stream,
            block,
            end_stream,
        };
        if end_headers {
            return self.on_header_block(pending);
        }
        self.pending = Some(pending);
        Ok(())
    }

    pub(super) fn on_continuation(
        &mut self,
        stream: u32,
        block: Vec<u8>,
        end_headers: bool,
    ) -> Result<(), FrameError> {
        let Some(mut pending) = self.pending.take().filter(|p| p.stream == stream) else {
            return Err(FrameError::connection(
                ErrorCode::ProtocolError,
                "CONTINUATION without HEADERS",
            ));
        };
        pending.block.extend_from_slice(&block);
        if pending.block.len() > MAX_HEADER_BLOCK {
            // The 2024 CONTINUATION flood: a header block that never ends.
            return Err(FrameError::connection(
                ErrorCode::EnhanceYourCalm,
                "header block too large",
            ));
        }
        if end_headers {
            return self.on_header_block(pending);
        }
        self.pending = Some(pending);
        Ok(())
    }

    /// A complete header block: a new request, or the trailers of one.
    fn on_header_block(&mut self, block: Pending) -> Result<(), FrameError> {
        let Pending {
            stream,
            block,
            end_stream,
        } = block;
        let decoded = self.decoder.decode(&block, self.limits.max_head);
        let fields = decoded.iter().flatten();
        crate::h2::log::fields("server", "decoded", fields.map(|(n, v)| (&n[..], &v[..])));
        if self.incoming.contains_key(&stream) {
            return self.on_trailers(stream, end_stream, decoded);
        }
        if stream <= self.last_stream {
            return match self.conn.lock().is_open(stream) {
                true => Err(FrameError::stream(
                    stream,
                    ErrorCode::StreamClosed,
                    "HEADERS after END_STREAM",
                )),
                false => Err(FrameError::connection(
                    ErrorCode::StreamClosed,
                    "HEADERS on a closed stream",
                )),
            };
        }
        self.last_stream = stream;
        let fields = match decoded {
            Ok(fields) => fields,
            Err(HpackError::HeaderListTooLarge) => return self.refuse(stream, 431),
            Err(_) => {
                return Err(FrameError::connection(
                    ErrorCode::CompressionError,
                    "bad HPACK block",
                ));
            }
        };
        let (open, stopping) = {
            let state = self.conn.lock();
            (state.open_streams(), state.stopping())
        };
        if self.draining || stopping || open >= MAX_CONCURRENT_STREAMS as usize {
            return self.refuse_stream(stream);
        }
        let mut request = request_from_fields(fields)
            .map_err(|why| FrameError::stream(stream, ErrorCode::ProtocolError, why))?;
        request.peer = self.peer;
        self.conn.lock().open(stream);
        if end_stream {
            return self.dispatch(stream, request);
        }
        if request.headers.has_token("expect", "100-continue") {
            send_continue(&self.conn, stream).map_err(gone)?;
        }
        let incoming = Incoming {
            request,
            window: i64::from(DEFAULT_WINDOW_SIZE),
            since: Instant::now(),
        };
        self.incoming.insert(stream, incoming);
        Ok(())
    }

    fn on_trailers(
        &mut self,
        stream: u32,
        end_stream: bool,
        decoded: Result<crate::h2::hpack::HeaderList, HpackError>,
    ) -> Result<(), FrameError> {
        if decoded.is_err() {
            return Err(FrameError::connection(
                ErrorCode::CompressionError,
                "bad HPACK block",
            ));
        }
        if !end_stream {
            return Err(FrameError::stream(
                stream,
                ErrorCode::ProtocolError,
                "trailers without END_STREAM",
            ));
        }
        self.end_of_request(stream)
    }

    pub(super) fn on_data(
        &mut self,
        stream: u32,
        data: Vec<u8>,
        end_stream: bool,
        flow_len: u32,
    ) -> Result<(), FrameError> {
        // ANCHOR: credit
        self.recv_window -= i64::from(flow_len);
        if self.recv_window < 0 {
            return Err(FrameError::connection(
                ErrorCode::FlowControlError,
                "DATA beyond the connection window",
            ));
        }
        if flow_len > 0 {
            // We take every byte in at once, so the connection's credit goes straight back.
            self.recv_window += i64::from(flow_len);
            let update = Frame::WindowUpdate {
                stream: 0,
                increment: flow_len,
            };
            self.conn.lock().queue_frame(&update).map_err(gone)?;
        }
        // ANCHOR_END: credit
        let Some(incoming) = self.incoming.get_mut(&stream) else {
            return match stream > self.last_stream {
                true => Err(FrameError::connection(
                    ErrorCode::ProtocolError,
                    "DATA on an idle stream",
                )),
                false => Err(FrameError::stream(
                    stream,
                    ErrorCode::StreamClosed,
                    "DATA on a closed stream",
                )),
            };
        };
        incoming.window -= i64::from(flow_len);
        if incoming.window < 0 {
            return Err(FrameError::stream(
                stream,
                ErrorCode::FlowControlError,
                "DATA beyond the stream window",
            ));
        }
        incoming.since = Instant::now();
        incoming.request.body.extend_from_slice(&data);
        if incoming.request.body.len() > self.limits.max_body {
            self.incoming.remove(&stream);
            return self.refuse(stream, 413);
        }
        if end_stream {
            return self.end_of_request(stream);
        }
        if flow_len > 0 {
            incoming.window += i64::from(flow_len);
            let update = Frame::WindowUpdate {
                stream,
                increment: flow_len,
            };
            self.conn.lock().queue_frame(&update).map_err(gone)?;
        }
        Ok(())
    }

    fn end_of_request(&mut self, stream: u32) -> Result<(), FrameError> {
        let Some(Incoming { request, .. }) = self.incoming.remove(&stream) else {
            return Ok(());
        };
        let declared = request
            .header("content-length")
            .map(|v| v.trim().parse::<usize>());
        if declared.is_some_and(|n| n != Ok(request.body.len())) {
            return Err(FrameError::stream(
                stream,
                ErrorCode::ProtocolError,
                "content-length does not match the body",
            ));
        }
        self.dispatch(stream, request)
    }

    /// Answers `status` at once and ends the stream (431, 413 and 408 come here).
    pub(super) fn refuse(&mut self, stream: u32, status: u16) -> Result<(), FrameError> {
        let mut state = self.conn.lock();
        state.open(stream);
        state.close_remote(stream);
        drop(state);
        let mut wire = StreamWire::new(self.conn.clone(), stream, false);
        let empty = crate::http::Headers::new();
        crate::http::Wire::send_head(&mut wire, status, &empty, crate::http::BodySize::Known(0))
            .map_err(gone)?;
        // The client may still be sending: cancel the rest of its request (§8.1).
        self.conn
            .lock()
            .reset(stream, ErrorCode::NoError)
            .map_err(gone)
    }

    fn refuse_stream(&mut self, stream: u32) -> Result<(), FrameError> {
        let refused = Frame::RstStream {
            stream,
            code: ErrorCode::RefusedStream,
        };
        self.conn.lock().queue_frame(&refused).map_err(gone)
    }

    /// Answers a complete request here if its route is [`Immediate`](crate::http::Immediate),
    /// or else hands it to a handler thread; refuses the stream if none can take it.
    fn dispatch(&mut self, stream: u32, request: Request) -> Result<(), FrameError> {
        self.conn.lock().close_remote(stream);
        let job = match self.router.is_immediate(&request) {
            true => match immediate::answer(&self.conn, &self.router, stream, request) {
                Some(rest) => rest,
                None => return Ok(()),
            },
            false => Job::Answer { stream, request },
        };
        let started = matches!(job, Job::Rest { .. });
        match self.pool.submit(job) {
            true => Ok(()),
            // The head is out already: all we can do is cut the response short.
            false if started => {
                let mut state = self.conn.lock();
                state.reset(stream, ErrorCode::InternalError).map_err(gone)
            }
            false => {
                self.conn.lock().forget(stream);
                self.refuse_stream(stream)
            }
        }
    }
}
