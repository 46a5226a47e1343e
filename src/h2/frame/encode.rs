//! Writing frames (RFC 9113 §4.1, §6): appending their bytes to an output buffer.

use super::{
    DATA, END_STREAM, FRAME_HEADER_LEN, Frame, MAX_FRAME_SIZE_LIMIT, PADDED, Priority, RESERVED_BIT,
};

impl Frame {
    /// Appends the frame, header and payload, to `out`.
    ///
    /// Fitting the peer's SETTINGS_MAX_FRAME_SIZE is the caller's job; the helpers
    /// [`encode_header_block`] and [`encode_push_promise_block`] do it for field blocks.
    ///
    /// # Panics
    ///
    /// If the payload is longer than 2^24−1 bytes, which no frame can carry.
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.write(None, out);
    }

    /// Like [`Frame::encode`], but pads DATA, HEADERS and PUSH_PROMISE with `pad` zero bytes.
    ///
    /// Padding hides the true size of the content (§10.7). For DATA it costs
    /// flow control `pad + 1` more bytes: the padding and its length field.
    /// Other frame types have no padding and are encoded as usual.
    pub fn encode_padded(&self, pad: u8, out: &mut Vec<u8>) {
        self.write(Some(pad), out);
    }

    /// Appends the frame, padded with `pad` bytes when given and the frame type allows it.
    fn write(&self, pad: Option<u8>, out: &mut Vec<u8>) {
        let (kind, mut flags, stream) = self.header();
        let paddable = matches!(
            self,
            Frame::Data { .. } | Frame::Headers { .. } | Frame::PushPromise { .. }
        );
        let pad = pad.filter(|_| paddable);

        // Reserve the header; it is filled in at the end, once the payload length is known.
        let start = out.len();
        out.extend([0; FRAME_HEADER_LEN]);
        if let Some(pad) = pad {
            flags |= PADDED;
            out.push(pad);
        }
        match self {
            Frame::Data { data, .. } => out.extend_from_slice(data),
            Frame::Headers {
                block, priority, ..
            } => {
                if let Some(priority) = *priority {
                    encode_priority(priority, out);
                }
                out.extend_from_slice(block);
            }
            Frame::Priority { priority, .. } => encode_priority(*priority, out),
            Frame::RstStream { code, .. } => out.extend(code.as_u32().to_be_bytes()),
            Frame::Settings { params, .. } => {
                for (id, value) in params {
                    out.extend(id.to_be_bytes());
                    out.extend(value.to_be_bytes());
                }
            }
            Frame::PushPromise {
                promised, block, ..
            } => {
                out.extend((promised & !RESERVED_BIT).to_be_bytes());
                out.extend_from_slice(block);
            }
            Frame::Ping { data, .. } => out.extend(data),
            Frame::GoAway {
                last_stream,
                code,
                debug,
            } => {
                out.extend((last_stream & !RESERVED_BIT).to_be_bytes());
                out.extend(code.as_u32().to_be_bytes());
                out.extend_from_slice(debug);
            }
            Frame::WindowUpdate { increment, .. } => {
                out.extend((increment & !RESERVED_BIT).to_be_bytes());
            }
            Frame::Continuation { block, .. } => out.extend_from_slice(block),
            Frame::Unknown { .. } => {}
        }
        if let Some(pad) = pad {
            out.resize(out.len() + usize::from(pad), 0);
        }

        let len = out.len() - start - FRAME_HEADER_LEN;
        out[start..start + FRAME_HEADER_LEN]
            .copy_from_slice(&frame_header(len, kind, flags, stream));
    }
}

/// Appends the header of an unpadded DATA frame whose `len` payload bytes the caller writes next.
///
/// This lets a connection send a large body straight from its buffer, without
/// first copying each piece into a [`Frame::Data`].
///
/// # Panics
///
/// If `len` is above 2^24−1.
pub fn encode_data_header(stream: u32, len: usize, end_stream: bool, out: &mut Vec<u8>) {
    let flags = if end_stream { END_STREAM } else { 0 };
    out.extend(frame_header(len, DATA, flags, stream));
}

/// Appends a field block as one HEADERS frame plus as many CONTINUATION frames as it needs.
///
/// No frame payload exceeds `max_frame_size` (the peer's SETTINGS_MAX_FRAME_SIZE).
/// END_STREAM goes on the HEADERS frame, END_HEADERS on the last frame only.
pub fn encode_header_block(
    stream: u32,
    block: &[u8],
    end_stream: bool,
    max_frame_size: u32,
    out: &mut Vec<u8>,
) {
    let max = fragment_limit(max_frame_size);
    let (first, rest) = block.split_at(block.len().min(max));
    let headers = Frame::Headers {
        stream,
        block: first.to_vec(),
        end_stream,
        end_headers: rest.is_empty(),
        priority: None,
    };
    headers.encode(out);
    encode_continuations(stream, rest, max, out);
}

/// Appends a promised request's field block as one PUSH_PROMISE frame plus CONTINUATION frames.
///
/// Like [`encode_header_block`], except that the 4-byte promised stream id
/// takes room in the first frame.
pub fn encode_push_promise_block(
    stream: u32,
    promised: u32,
    block: &[u8],
    max_frame_size: u32,
    out: &mut Vec<u8>,
) {
    let max = fragment_limit(max_frame_size);
    let room = max.saturating_sub(4);
    let (first, rest) = block.split_at(block.len().min(room));
    let promise = Frame::PushPromise {
        stream,
        promised,
        block: first.to_vec(),
        end_headers: rest.is_empty(),
    };
    promise.encode(out);
    encode_continuations(stream, rest, max, out);
}

/// The most field block bytes per frame: at least one, so splitting always progresses.
fn fragment_limit(max_frame_size: u32) -> usize {
    max_frame_size.clamp(1, MAX_FRAME_SIZE_LIMIT) as usize
}

/// Appends the rest of a field block as CONTINUATION frames; the last one ends the block.
fn encode_continuations(stream: u32, rest: &[u8], max: usize, out: &mut Vec<u8>) {
    let mut fragments = rest.chunks(max).peekable();
    while let Some(fragment) = fragments.next() {
        let continuation = Frame::Continuation {
            stream,
            block: fragment.to_vec(),
            end_headers: fragments.peek().is_none(),
        };
        continuation.encode(out);
    }
}

/// The 9-byte frame header (§4.1). The reserved bit of the stream id is always sent as 0.
fn frame_header(len: usize, kind: u8, flags: u8, stream: u32) -> [u8; FRAME_HEADER_LEN] {
    assert!(
        len <= MAX_FRAME_SIZE_LIMIT as usize,
        "frame payload of {len} bytes does not fit the 24-bit length field"
    );
    let [_, l0, l1, l2] = (len as u32).to_be_bytes();
    let [s0, s1, s2, s3] = (stream & !RESERVED_BIT).to_be_bytes();
    [l0, l1, l2, kind, flags, s0, s1, s2, s3]
}

/// The 5 bytes of priority fields (§6.3): E bit and dependency, then weight.
fn encode_priority(priority: Priority, out: &mut Vec<u8>) {
    let exclusive = if priority.exclusive { RESERVED_BIT } else { 0 };
    out.extend((exclusive | (priority.dependency & !RESERVED_BIT)).to_be_bytes());
    out.push(priority.weight);
}
