//! Reading frames from received bytes, checking every rule a frame can break on its own
//! (RFC 9113 §4.1, §4.2, §6).
//!
//! Rules that need the connection's state (which streams are open, whether a
//! CONTINUATION is expected) belong to the connection, not here.

use super::{
    ACK, CONTINUATION, DATA, END_HEADERS, END_STREAM, FRAME_HEADER_LEN, Frame, GOAWAY, HEADERS,
    PADDED, PING, PRIORITY, PRIORITY_FLAG, PUSH_PROMISE, Priority, RESERVED_BIT, RST_STREAM,
    SETTINGS, WINDOW_UPDATE, validate_settings,
};
use super::{ErrorCode::*, FrameError};

/// Reads the frame at the start of `buf`.
///
/// Returns `Ok(None)` while `buf` does not yet hold a whole frame: the caller
/// reads more bytes and calls again. Otherwise returns the frame and how many
/// bytes of `buf` it took. `max_frame_size` is the SETTINGS_MAX_FRAME_SIZE we
/// advertised to the peer.
///
/// A frame longer than `max_frame_size` is refused as soon as its header is
/// in, without waiting for the payload, and always as a connection error. §4.2
/// demands that for frames that can change the connection's state and allows it
/// for the rest (§5.4.1 lets any stream error be treated as a connection error);
/// one rule for all is simpler and never wrong.
pub fn parse(buf: &[u8], max_frame_size: u32) -> Result<Option<(Frame, usize)>, FrameError> {
    let Some(&header) = buf.first_chunk::<FRAME_HEADER_LEN>() else {
        return Ok(None);
    };
    let [l0, l1, l2, kind, flags, s0, s1, s2, s3] = header;
    let head = Head {
        len: u32::from_be_bytes([0, l0, l1, l2]),
        kind,
        flags,
        stream: u31([s0, s1, s2, s3]),
    };
    if head.len > max_frame_size {
        return Err(FrameError::connection(
            FrameSizeError,
            "frame is larger than SETTINGS_MAX_FRAME_SIZE",
        ));
    }
    let end = FRAME_HEADER_LEN + head.len as usize;
    let Some(payload) = buf.get(FRAME_HEADER_LEN..end) else {
        return Ok(None);
    };
    Ok(Some((decode(&head, payload)?, end)))
}

/// The frame header fields (§4.1), with the reserved bit already dropped from the stream id.
struct Head {
    len: u32,
    kind: u8,
    flags: u8,
    stream: u32,
}

impl Head {
    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// Builds the frame from a complete payload, checking the rules of its type.
fn decode(head: &Head, payload: &[u8]) -> Result<Frame, FrameError> {
    let stream = head.stream;
    match head.kind {
        DATA | HEADERS | PRIORITY | RST_STREAM | PUSH_PROMISE | CONTINUATION if stream == 0 => {
            return Err(FrameError::connection(
                ProtocolError,
                "stream frame sent on stream 0",
            ));
        }
        SETTINGS | PING | GOAWAY if stream != 0 => {
            return Err(FrameError::connection(
                ProtocolError,
                "connection frame sent on a stream",
            ));
        }
        _ => {}
    }

    let frame = match head.kind {
        DATA => {
            let (rest, pad) = pad_length(head, payload)?;
            Frame::Data {
                stream,
                data: unpad(rest, pad)?.to_vec(),
                end_stream: head.has(END_STREAM),
                flow_len: head.len,
            }
        }
        HEADERS => {
            // Layout: [Pad Length] [Priority fields] block [Padding].
            let (mut rest, pad) = pad_length(head, payload)?;
            let priority = if head.has(PRIORITY_FLAG) {
                Some(decode_priority(take(&mut rest)?))
            } else {
                None
            };
            let block = unpad(rest, pad)?.to_vec();
            // Checked last: the connection errors above matter more than this stream error.
            if let Some(priority) = priority {
                check_dependency(stream, priority)?;
            }
            Frame::Headers {
                stream,
                block,
                end_stream: head.has(END_STREAM),
                end_headers: head.has(END_HEADERS),
                priority,
            }
        }
        PRIORITY => {
            let Ok(fields) = payload.try_into() else {
                return Err(FrameError::stream(
                    stream,
                    FrameSizeError,
                    "PRIORITY payload is not 5 bytes",
                ));
            };
            let priority = decode_priority(fields);
            check_dependency(stream, priority)?;
            Frame::Priority { stream, priority }
        }
        RST_STREAM => Frame::RstStream {
            stream,
            code: u32::from_be_bytes(exact(payload, "RST_STREAM payload is not 4 bytes")?).into(),
        },
        SETTINGS => {
            if head.has(ACK) && !payload.is_empty() {
                return Err(FrameError::connection(
                    FrameSizeError,
                    "SETTINGS acknowledgement has a payload",
                ));
            }
            let (entries, rest) = payload.as_chunks::<6>();
            if !rest.is_empty() {
                return Err(FrameError::connection(
                    FrameSizeError,
                    "SETTINGS payload is not a multiple of 6 bytes",
                ));
            }
            let params: Vec<(u16, u32)> = entries
                .iter()
                .map(|&[i0, i1, v0, v1, v2, v3]| {
                    (
                        u16::from_be_bytes([i0, i1]),
                        u32::from_be_bytes([v0, v1, v2, v3]),
                    )
                })
                .collect();
            validate_settings(&params)?;
            Frame::Settings {
                ack: head.has(ACK),
                params,
            }
        }
        PUSH_PROMISE => {
            // Layout: [Pad Length] Promised Stream ID, block [Padding].
            let (mut rest, pad) = pad_length(head, payload)?;
            let promised = u31(take(&mut rest)?);
            Frame::PushPromise {
                stream,
                promised,
                block: unpad(rest, pad)?.to_vec(),
                end_headers: head.has(END_HEADERS),
            }
        }
        PING => Frame::Ping {
            ack: head.has(ACK),
            data: exact(payload, "PING payload is not 8 bytes")?,
        },
        GOAWAY => {
            let Some((&[l0, l1, l2, l3, c0, c1, c2, c3], debug)) = payload.split_first_chunk()
            else {
                return Err(FrameError::connection(
                    FrameSizeError,
                    "GOAWAY payload is shorter than 8 bytes",
                ));
            };
            Frame::GoAway {
                last_stream: u31([l0, l1, l2, l3]),
                code: u32::from_be_bytes([c0, c1, c2, c3]).into(),
                debug: debug.to_vec(),
            }
        }
        WINDOW_UPDATE => {
            let increment = u31(exact(payload, "WINDOW_UPDATE payload is not 4 bytes")?);
            if increment == 0 {
                let reason = "WINDOW_UPDATE increment is 0";
                return Err(if stream == 0 {
                    FrameError::connection(ProtocolError, reason)
                } else {
                    FrameError::stream(stream, ProtocolError, reason)
                });
            }
            Frame::WindowUpdate { stream, increment }
        }
        CONTINUATION => Frame::Continuation {
            stream,
            block: payload.to_vec(),
            end_headers: head.has(END_HEADERS),
        },
        kind => Frame::Unknown { kind, stream },
    };
    Ok(frame)
}

/// A 31-bit value from four bytes, ignoring the reserved top bit as §4.1 requires.
fn u31(bytes: [u8; 4]) -> u32 {
    u32::from_be_bytes(bytes) & !RESERVED_BIT
}

/// The payload of a fixed-size frame; any other length is a connection-level FRAME_SIZE_ERROR.
fn exact<const N: usize>(payload: &[u8], reason: &'static str) -> Result<[u8; N], FrameError> {
    payload
        .try_into()
        .map_err(|_| FrameError::connection(FrameSizeError, reason))
}

/// Takes the next `N` bytes of fixed fields off the front of `rest`.
fn take<const N: usize>(rest: &mut &[u8]) -> Result<[u8; N], FrameError> {
    let Some((&fields, tail)) = rest.split_first_chunk::<N>() else {
        return Err(FrameError::connection(
            FrameSizeError,
            "payload is too short for its fields",
        ));
    };
    *rest = tail;
    Ok(fields)
}

/// Reads the Pad Length field of a frame that has the PADDED flag: returns the rest and the padding length.
fn pad_length<'a>(head: &Head, payload: &'a [u8]) -> Result<(&'a [u8], usize), FrameError> {
    if !head.has(PADDED) {
        return Ok((payload, 0));
    }
    let mut rest = payload;
    let [pad] = take(&mut rest)?;
    Ok((rest, usize::from(pad)))
}

/// Drops `pad` bytes of padding from the end; padding that does not fit is a PROTOCOL_ERROR (§6.1).
///
/// Padding is not checked for zeros: the RFC allows but does not require it.
fn unpad(rest: &[u8], pad: usize) -> Result<&[u8], FrameError> {
    let Some(content_len) = rest.len().checked_sub(pad) else {
        return Err(FrameError::connection(
            ProtocolError,
            "padding is longer than the payload",
        ));
    };
    Ok(&rest[..content_len])
}

/// Reads the 5 bytes of priority fields (§6.3): E bit and dependency, then weight.
fn decode_priority(fields: [u8; 5]) -> Priority {
    let [d0, d1, d2, d3, weight] = fields;
    let word = u32::from_be_bytes([d0, d1, d2, d3]);
    Priority {
        dependency: word & !RESERVED_BIT,
        exclusive: word & RESERVED_BIT != 0,
        weight,
    }
}

/// A stream cannot depend on itself: a stream error (§5.3.1).
fn check_dependency(stream: u32, priority: Priority) -> Result<(), FrameError> {
    if priority.dependency == stream {
        return Err(FrameError::stream(
            stream,
            ProtocolError,
            "stream depends on itself",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::ErrorCode;
    use super::*;

    /// Frame bytes built by hand, independently of the encoder.
    fn raw(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let len = u32::try_from(payload.len()).expect("test payload fits");
        let mut out = len.to_be_bytes()[1..].to_vec();
        out.extend([kind, flags]);
        out.extend(stream.to_be_bytes());
        out.extend(payload);
        out
    }

    /// Parses bytes that must hold exactly one valid frame.
    fn parse_one(bytes: &[u8]) -> Frame {
        let (frame, used) = parse(bytes, 16_384)
            .expect("valid frame")
            .expect("complete frame");
        assert_eq!(used, bytes.len());
        frame
    }

    #[test]
    fn padding_is_stripped() {
        let prio = [0x80, 0, 0, 1, 15]; // exclusive, depends on stream 1, weight 16
        let cases = [
            (
                raw(DATA, PADDED | END_STREAM, 3, b"\x02hello\0\0"),
                Frame::Data {
                    stream: 3,
                    data: b"hello".to_vec(),
                    end_stream: true,
                    flow_len: 8,
                },
            ),
            // Padding may take the whole payload after the Pad Length byte.
            (
                raw(DATA, PADDED, 3, b"\x03\0\0\0"),
                Frame::Data {
                    stream: 3,
                    data: vec![],
                    end_stream: false,
                    flow_len: 4,
                },
            ),
            (
                raw(HEADERS, PADDED | END_HEADERS, 3, b"\x01\x82\x84\0"),
                Frame::Headers {
                    stream: 3,
                    block: vec![0x82, 0x84],
                    end_stream: false,
                    end_headers: true,
                    priority: None,
                },
            ),
            (
                raw(
                    HEADERS,
                    PADDED | PRIORITY_FLAG,
                    3,
                    &[&[3][..], &prio, b"\x82\x84", b"\0\0\0"].concat(),
                ),
                Frame::Headers {
                    stream: 3,
                    block: vec![0x82, 0x84],
                    end_stream: false,
                    end_headers: false,
                    priority: Some(Priority {
                        dependency: 1,
                        exclusive: true,
                        weight: 15,
                    }),
                },
            ),
            // The RFC does not require padding to be zeros, so we do not check it.
            (
                raw(
                    PUSH_PROMISE,
                    PADDED | END_HEADERS,
                    1,
                    b"\x02\0\0\0\x02\x82ab",
                ),
                Frame::PushPromise {
                    stream: 1,
                    promised: 2,
                    block: vec![0x82],
                    end_headers: true,
                },
            ),
        ];
        for (bytes, expected) in cases {
            assert_eq!(parse_one(&bytes), expected, "{bytes:02x?}");
        }
    }

    #[test]
    fn unknown_types_are_skipped() {
        let mut bytes = raw(0xa, 0xff, 5, b"whatever the extension says");
        let unknown_len = bytes.len();
        bytes.extend(raw(PING, 0, 0, b"12345678"));

        let (frame, used) = parse(&bytes, 16_384).unwrap().unwrap();
        assert_eq!(
            frame,
            Frame::Unknown {
                kind: 0xa,
                stream: 5
            }
        );
        assert_eq!(used, unknown_len);

        let (frame, used) = parse(&bytes[used..], 16_384).unwrap().unwrap();
        assert_eq!(
            frame,
            Frame::Ping {
                ack: false,
                data: *b"12345678"
            }
        );
        assert_eq!(used, bytes.len() - unknown_len);
    }

    #[test]
    fn reserved_bits_and_undefined_flags_are_ignored() {
        const R: u32 = RESERVED_BIT;
        let cases = [
            (
                raw(PING, !ACK, 0, b"12345678"),
                Frame::Ping {
                    ack: false,
                    data: *b"12345678",
                },
            ),
            (
                raw(DATA, 0xf0 | 0x06 | END_STREAM, 1, b"x"),
                Frame::data(1, b"x".to_vec(), true),
            ),
            (
                raw(CONTINUATION, END_HEADERS, R | 7, b"\x82"),
                Frame::Continuation {
                    stream: 7,
                    block: vec![0x82],
                    end_headers: true,
                },
            ),
            (
                raw(WINDOW_UPDATE, 0, R, &(R | 1000).to_be_bytes()),
                Frame::WindowUpdate {
                    stream: 0,
                    increment: 1000,
                },
            ),
            (
                raw(
                    GOAWAY,
                    0,
                    0,
                    &[(R | 9).to_be_bytes(), [0, 0, 0, 0]].concat(),
                ),
                Frame::GoAway {
                    last_stream: 9,
                    code: ErrorCode::NoError,
                    debug: vec![],
                },
            ),
            (
                raw(PUSH_PROMISE, 0, 1, &(R | 2).to_be_bytes()),
                Frame::PushPromise {
                    stream: 1,
                    promised: 2,
                    block: vec![],
                    end_headers: false,
                },
            ),
        ];
        for (bytes, expected) in cases {
            assert_eq!(parse_one(&bytes), expected, "{bytes:02x?}");
        }
    }

    #[test]
    fn oversized_frame_is_refused_from_its_header_alone() {
        let header = &raw(DATA, 0, 1, &[0; 100])[..FRAME_HEADER_LEN];
        let err = parse(header, 99).unwrap_err();
        assert_eq!((err.code, err.stream), (FrameSizeError, None));
        // Exactly the limit is fine (and still incomplete here).
        assert_eq!(parse(header, 100), Ok(None));
    }

    /// Parses each case and checks the error's code and scope (`None`: connection error).
    fn expect_errors(cases: &[(&str, Vec<u8>)], code: ErrorCode, stream: Option<u32>) {
        for (what, bytes) in cases {
            let err = parse(bytes, 16_384).expect_err(what);
            let got = (err.code, err.stream);
            assert_eq!(got, (code, stream), "{what}: {}", err.reason);
        }
    }

    #[test]
    fn frames_on_the_wrong_stream() {
        let cases = [
            ("DATA on 0", raw(DATA, 0, 0, b"x")),
            ("HEADERS on 0", raw(HEADERS, 0, 0, b"")),
            ("PRIORITY on 0", raw(PRIORITY, 0, 0, &[0; 5])),
            ("RST_STREAM on 0", raw(RST_STREAM, 0, 0, &[0; 4])),
            ("PUSH_PROMISE on 0", raw(PUSH_PROMISE, 0, 0, &[0, 0, 0, 2])),
            ("CONTINUATION on 0", raw(CONTINUATION, 0, 0, b"")),
            ("SETTINGS on 1", raw(SETTINGS, 0, 1, b"")),
            ("PING on 1", raw(PING, 0, 1, &[0; 8])),
            ("GOAWAY on 1", raw(GOAWAY, 0, 1, &[0; 8])),
        ];
        expect_errors(&cases, ProtocolError, None);
    }

    #[test]
    fn wrong_lengths() {
        let connection_errors = [
            ("SETTINGS len 5", raw(SETTINGS, 0, 0, &[0; 5])),
            ("SETTINGS len 7", raw(SETTINGS, 0, 0, &[0; 7])),
            (
                "SETTINGS ACK len 6",
                raw(SETTINGS, ACK, 0, &[0, 3, 0, 0, 0, 1]),
            ),
            ("PING len 7", raw(PING, 0, 0, &[0; 7])),
            ("PING len 9", raw(PING, ACK, 0, &[0; 9])),
            ("RST_STREAM len 3", raw(RST_STREAM, 0, 1, &[0; 3])),
            ("RST_STREAM len 5", raw(RST_STREAM, 0, 1, &[0; 5])),
            ("WINDOW_UPDATE len 3", raw(WINDOW_UPDATE, 0, 0, &[0, 0, 1])),
            (
                "WINDOW_UPDATE len 5",
                raw(WINDOW_UPDATE, 0, 1, &[0, 0, 0, 0, 1]),
            ),
            ("GOAWAY len 7", raw(GOAWAY, 0, 0, &[0; 7])),
            ("DATA without Pad Length", raw(DATA, PADDED, 1, b"")),
            (
                "HEADERS short priority",
                raw(HEADERS, PRIORITY_FLAG, 3, &[0; 4]),
            ),
            ("PUSH_PROMISE len 3", raw(PUSH_PROMISE, 0, 1, &[0, 0, 2])),
        ];
        expect_errors(&connection_errors, FrameSizeError, None);

        // PRIORITY changes nothing but its own stream, so the RFC makes this a stream error.
        let stream_errors = [
            ("PRIORITY len 4", raw(PRIORITY, 0, 3, &[0; 4])),
            ("PRIORITY len 6", raw(PRIORITY, 0, 3, &[0; 6])),
        ];
        expect_errors(&stream_errors, FrameSizeError, Some(3));
    }

    #[test]
    fn padding_that_does_not_fit() {
        let cases = [
            ("DATA pad = payload", raw(DATA, PADDED, 1, b"\x04abc")),
            ("DATA pad > payload", raw(DATA, PADDED, 1, b"\xffabc")),
            // The connection error wins over the stream error of the self-dependency.
            (
                "HEADERS self priority, pad too long",
                raw(HEADERS, PADDED | PRIORITY_FLAG, 3, &[9, 0, 0, 0, 3, 15]),
            ),
            // Padding may not eat into the priority fields.
            (
                "HEADERS pad over priority",
                raw(HEADERS, PADDED | PRIORITY_FLAG, 3, &[1, 0, 0, 0, 1, 15]),
            ),
            (
                "PUSH_PROMISE pad > block",
                raw(PUSH_PROMISE, PADDED, 1, b"\x02\0\0\0\x02x"),
            ),
        ];
        expect_errors(&cases, ProtocolError, None);
    }

    #[test]
    fn zero_window_increments() {
        let conn = [("on 0", raw(WINDOW_UPDATE, 0, 0, &[0; 4]))];
        expect_errors(&conn, ProtocolError, None);
        let stream = [
            ("on 5", raw(WINDOW_UPDATE, 0, 5, &[0; 4])),
            // The reserved bit does not count: this increment is 0 too.
            (
                "reserved bit only",
                raw(WINDOW_UPDATE, 0, 5, &[0x80, 0, 0, 0]),
            ),
        ];
        expect_errors(&stream, ProtocolError, Some(5));
    }

    #[test]
    fn streams_cannot_depend_on_themselves() {
        let on_itself = [0, 0, 0, 3, 15];
        let cases = [
            ("HEADERS", raw(HEADERS, PRIORITY_FLAG, 3, &on_itself)),
            ("PRIORITY", raw(PRIORITY, 0, 3, &on_itself)),
        ];
        expect_errors(&cases, ProtocolError, Some(3));
    }

    #[test]
    fn bad_settings_values() {
        let settings = |id: u16, value: u32| {
            let bytes = [&id.to_be_bytes()[..], &value.to_be_bytes()].concat();
            raw(SETTINGS, 0, 0, &bytes)
        };
        let protocol = [
            ("ENABLE_PUSH 2", settings(0x2, 2)),
            ("MAX_FRAME_SIZE 16383", settings(0x5, 16_383)),
            ("MAX_FRAME_SIZE 2^24", settings(0x5, 1 << 24)),
        ];
        expect_errors(&protocol, ProtocolError, None);
        let flow = [("INITIAL_WINDOW_SIZE 2^31", settings(0x4, 1 << 31))];
        expect_errors(&flow, FlowControlError, None);
    }
}
