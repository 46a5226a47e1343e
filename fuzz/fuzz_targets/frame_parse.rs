//! Fuzzes the frame parser, `rwh::h2::frame::parse`, with arbitrary bytes and limits.
//!
//! The input is a SETTINGS_MAX_FRAME_SIZE and a byte stream, read frame after frame as
//! the server's reader does. Besides "never panics", every frame that parses must:
//!
//! - re-encode to bytes that parse back to the same frame (padding aside);
//! - need all of its bytes: any shorter prefix is "incomplete", never a frame or an error;
//! - have a one-line summary (the debug log's `Display`).

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rwh::h2::frame::{Frame, parse};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    max_frame_size: u32,
    bytes: &'a [u8],
}

fuzz_target!(|input: Input| {
    let mut rest = input.bytes;
    // Each round consumes at least the 9-byte header, so this ends.
    while let Ok(Some((frame, used))) = parse(rest, input.max_frame_size) {
        assert!((9..=rest.len()).contains(&used), "{used} of {}", rest.len());
        for cut in [used - 1, used / 2, 8.min(used)] {
            assert_eq!(
                parse(&rest[..cut], input.max_frame_size),
                Ok(None),
                "a {cut}-byte prefix of a {used}-byte frame"
            );
        }
        round_trip(&frame, input.max_frame_size);
        let _ = frame.to_string();
        rest = &rest[used..];
    }
});

/// Encodes `frame` and parses it again: the same frame must come back, from all the bytes.
fn round_trip(frame: &Frame, max_frame_size: u32) {
    let mut bytes = Vec::new();
    frame.encode(&mut bytes);
    let again = parse(&bytes, max_frame_size);
    let Ok(Some((again, used))) = again else {
        panic!("{frame:?} re-encoded as {bytes:02x?} gives {again:?}");
    };
    assert_eq!(used, bytes.len());
    assert_eq!(without_padding(again), without_padding(frame.clone()));
}

/// The frame as it would be without padding: DATA then counts only its data for flow control.
fn without_padding(frame: Frame) -> Frame {
    match frame {
        Frame::Data {
            stream,
            data,
            end_stream,
            ..
        } => Frame::data(stream, data, end_stream),
        other => other,
    }
}
