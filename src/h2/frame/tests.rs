//! What the encoder writes, the parser reads back.

use super::*;

/// One frame of every type, with the interesting flags and fields set.
fn samples() -> Vec<Frame> {
    vec![
        Frame::data(1, b"hello".to_vec(), false),
        Frame::data(1, vec![], true),
        Frame::Headers {
            stream: 1,
            block: vec![0x82, 0x86, 0x84],
            end_stream: true,
            end_headers: true,
            priority: None,
        },
        Frame::Headers {
            stream: 3,
            block: vec![0x82],
            end_stream: false,
            end_headers: false,
            priority: Some(Priority {
                dependency: 1,
                exclusive: true,
                weight: 200,
            }),
        },
        Frame::Priority {
            stream: 5,
            priority: Priority {
                dependency: 3,
                exclusive: false,
                weight: 15,
            },
        },
        Frame::RstStream {
            stream: 3,
            code: ErrorCode::Cancel,
        },
        Frame::RstStream {
            stream: 3,
            code: ErrorCode::Unknown(0xff),
        },
        Frame::Settings {
            ack: false,
            params: vec![
                (0x3, 100),
                (0x4, MAX_WINDOW_SIZE),
                (0x5, 16_384),
                (0xabc, 9),
            ],
        },
        Frame::Settings {
            ack: true,
            params: vec![],
        },
        Frame::PushPromise {
            stream: 1,
            promised: 2,
            block: vec![0x82, 0x87],
            end_headers: true,
        },
        Frame::Ping {
            ack: false,
            data: *b"rwh-ping",
        },
        Frame::Ping {
            ack: true,
            data: [0xff; 8],
        },
        Frame::GoAway {
            last_stream: 7,
            code: ErrorCode::EnhanceYourCalm,
            debug: b"slow down".to_vec(),
        },
        Frame::WindowUpdate {
            stream: 0,
            increment: MAX_WINDOW_SIZE,
        },
        Frame::WindowUpdate {
            stream: 9,
            increment: 1,
        },
        Frame::Continuation {
            stream: 1,
            block: vec![0x84],
            end_headers: true,
        },
        Frame::Unknown {
            kind: 0xfa,
            stream: 3,
        },
    ]
}

fn encoded(frame: &Frame) -> Vec<u8> {
    let mut out = Vec::new();
    frame.encode(&mut out);
    out
}

/// Parses every frame in `bytes`, which must hold whole, valid frames only.
fn parse_all(mut bytes: &[u8]) -> Vec<Frame> {
    let mut frames = Vec::new();
    while !bytes.is_empty() {
        let (frame, used) = parse(bytes, MAX_FRAME_SIZE_LIMIT)
            .expect("valid frame")
            .expect("complete frame");
        frames.push(frame);
        bytes = &bytes[used..];
    }
    frames
}

#[test]
fn every_type_round_trips() {
    for frame in samples() {
        let mut bytes = encoded(&frame);
        let len = bytes.len();
        // Bytes of the next frame after this one must be left alone.
        bytes.extend(PREFACE);
        let parsed = parse(&bytes, DEFAULT_MAX_FRAME_SIZE);
        assert_eq!(parsed, Ok(Some((frame.clone(), len))), "{frame}");
    }
}

#[test]
fn partial_input_asks_for_more() {
    for frame in samples() {
        let bytes = encoded(&frame);
        for end in 0..bytes.len() {
            let parsed = parse(&bytes[..end], DEFAULT_MAX_FRAME_SIZE);
            assert_eq!(parsed, Ok(None), "{frame} cut at {end}");
        }
    }
}

#[test]
fn padded_encoding_round_trips() {
    for frame in samples() {
        for pad in [0, 1, 255] {
            let mut bytes = Vec::new();
            frame.encode_padded(pad, &mut bytes);
            let expected = match frame.clone() {
                // Flow control counts the Pad Length byte and the padding.
                Frame::Data {
                    stream,
                    data,
                    end_stream,
                    ..
                } => Frame::Data {
                    flow_len: (data.len() + 1 + usize::from(pad)) as u32,
                    stream,
                    data,
                    end_stream,
                },
                other => other,
            };
            let paddable = matches!(
                frame,
                Frame::Data { .. } | Frame::Headers { .. } | Frame::PushPromise { .. }
            );
            let padding = if paddable { 1 + usize::from(pad) } else { 0 };
            assert_eq!(bytes.len(), encoded(&frame).len() + padding, "{frame}");
            assert_eq!(parse_all(&bytes), [expected], "{frame} pad {pad}");
        }
    }
}

#[test]
fn data_header_matches_a_data_frame() {
    for (body, end_stream) in [(&b"hello"[..], false), (b"", true)] {
        let mut out = Vec::new();
        encode_data_header(1, body.len(), end_stream, &mut out);
        assert_eq!(out.len(), FRAME_HEADER_LEN);
        out.extend(body);
        assert_eq!(out, encoded(&Frame::data(1, body.to_vec(), end_stream)));
    }
}

#[test]
fn field_blocks_split_into_continuations() {
    let block: Vec<u8> = (0..10).collect();
    // (max frame size, payload length of each frame in turn)
    let cases: &[(u32, &[usize])] = &[
        (16_384, &[10]),
        (10, &[10]),
        (4, &[4, 4, 2]),
        (5, &[5, 5]),
        (1, &[1; 10]),
    ];
    for &(max, lens) in cases {
        let mut out = Vec::new();
        encode_header_block(7, &block, true, max, &mut out);
        let frames = parse_all(&out);
        assert_eq!(frames.len(), lens.len(), "max {max}");
        let mut joined: Vec<u8> = Vec::new();
        for (i, (frame, &len)) in frames.iter().zip(lens).enumerate() {
            let last = i + 1 == lens.len();
            let (fragment, end_headers) = match frame {
                Frame::Headers {
                    stream: 7,
                    block,
                    end_stream: true,
                    end_headers,
                    priority: None,
                } if i == 0 => (block, *end_headers),
                Frame::Continuation {
                    stream: 7,
                    block,
                    end_headers,
                } if i > 0 => (block, *end_headers),
                other => panic!("max {max}: unexpected frame {i}: {other}"),
            };
            assert_eq!(fragment.len(), len, "max {max}, frame {i}");
            assert_eq!(end_headers, last, "max {max}, frame {i}");
            joined.extend(fragment);
        }
        assert_eq!(joined, block, "max {max}");
    }
}

#[test]
fn empty_field_block_is_one_headers_frame() {
    let mut out = Vec::new();
    encode_header_block(1, &[], false, DEFAULT_MAX_FRAME_SIZE, &mut out);
    let headers = Frame::Headers {
        stream: 1,
        block: vec![],
        end_stream: false,
        end_headers: true,
        priority: None,
    };
    assert_eq!(parse_all(&out), [headers]);
}

#[test]
fn push_promise_blocks_leave_room_for_the_promised_id() {
    let block: Vec<u8> = (0..10).collect();
    let mut out = Vec::new();
    encode_push_promise_block(1, 2, &block, 8, &mut out);
    let continuation = |block: &[u8], end_headers| Frame::Continuation {
        stream: 1,
        block: block.to_vec(),
        end_headers,
    };
    let expected = [
        Frame::PushPromise {
            stream: 1,
            promised: 2,
            block: block[..4].to_vec(),
            end_headers: false,
        },
        continuation(&block[4..], true),
    ];
    assert_eq!(parse_all(&out), expected);
    // Every frame payload fits the limit.
    assert!(parse(&out, 8).is_ok());
}

#[test]
fn reserved_bit_is_never_sent() {
    const R: u32 = 1 << 31;
    let frame = Frame::WindowUpdate {
        stream: R | 1,
        increment: R | 10,
    };
    let bytes = encoded(&frame);
    assert_eq!(bytes[5..], [0, 0, 0, 1, 0, 0, 0, 10]);
}
