//! One-line frame summaries for the debug log, in the style of the lines Go's
//! http2 package prints with `GODEBUG=http2debug=2`, which the book shows.

use std::fmt;

use super::{
    ACK, CONTINUATION, DATA, END_HEADERS, END_STREAM, Frame, GOAWAY, HEADERS, PADDED, PING,
    PRIORITY, PRIORITY_FLAG, PUSH_PROMISE, RST_STREAM, SETTINGS, Setting, WINDOW_UPDATE,
};

/// How many bytes of DATA a summary shows before eliding the rest.
const DATA_SHOWN: usize = 20;

impl fmt::Display for Frame {
    /// E.g. `HEADERS flags=END_STREAM|END_HEADERS stream=1 len=13`.
    ///
    /// `len` is the payload length on the wire without padding, except for DATA,
    /// where it is `flow_len`: the length as received, padding included.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, flags, stream) = self.header();
        let name = match kind {
            DATA => "DATA",
            HEADERS => "HEADERS",
            PRIORITY => "PRIORITY",
            RST_STREAM => "RST_STREAM",
            SETTINGS => "SETTINGS",
            PUSH_PROMISE => "PUSH_PROMISE",
            PING => "PING",
            GOAWAY => "GOAWAY",
            WINDOW_UPDATE => "WINDOW_UPDATE",
            CONTINUATION => "CONTINUATION",
            // The payload of an unknown frame was skipped unread, so there is no length to show.
            _ => return write!(f, "UNKNOWN_FRAME type={kind:#04x} stream={stream}"),
        };
        f.write_str(name)?;
        write_flags(f, kind, flags)?;
        if stream != 0 {
            write!(f, " stream={stream}")?;
        }
        write!(f, " len={}", self.payload_len())?;

        match self {
            Frame::Data { data, .. } => {
                let shown = &data[..data.len().min(DATA_SHOWN)];
                write!(f, " data=\"{}\"", shown.escape_ascii())?;
                if data.len() > shown.len() {
                    write!(f, " ({} bytes omitted)", data.len() - shown.len())?;
                }
                Ok(())
            }
            Frame::Headers {
                priority: Some(priority),
                ..
            }
            | Frame::Priority { priority, .. } => {
                let weight = u16::from(priority.weight) + 1;
                write!(f, " dep={} weight={weight}", priority.dependency)?;
                if priority.exclusive {
                    f.write_str(" exclusive")?;
                }
                Ok(())
            }
            Frame::RstStream { code, .. } => write!(f, " ErrCode={code}"),
            Frame::Settings { params, .. } => {
                for (i, &(id, value)) in params.iter().enumerate() {
                    f.write_str(if i == 0 { ", settings: " } else { ", " })?;
                    match Setting::from_id(id) {
                        Some(setting) => write!(f, "{setting}={value}")?,
                        None => write!(f, "UNKNOWN_SETTING_{id:#x}={value}")?,
                    }
                }
                Ok(())
            }
            Frame::PushPromise { promised, .. } => write!(f, " promised={promised}"),
            Frame::Ping { data, .. } => write!(f, " ping=\"{}\"", data.escape_ascii()),
            Frame::GoAway {
                last_stream,
                code,
                debug,
            } => write!(
                f,
                " LastStreamID={last_stream} ErrCode={code} Debug=\"{}\"",
                debug.escape_ascii()
            ),
            Frame::WindowUpdate { stream, increment } => {
                if *stream == 0 {
                    f.write_str(" (conn)")?;
                }
                write!(f, " incr={increment}")
            }
            _ => Ok(()),
        }
    }
}

/// Writes ` flags=A|B` with the names of the set flags, or nothing when none is set.
fn write_flags(f: &mut fmt::Formatter<'_>, kind: u8, flags: u8) -> fmt::Result {
    // Bit 0x1 means ACK on SETTINGS and PING, END_STREAM elsewhere.
    let names: &[(u8, &str)] = if matches!(kind, SETTINGS | PING) {
        &[(ACK, "ACK")]
    } else {
        &[
            (END_STREAM, "END_STREAM"),
            (END_HEADERS, "END_HEADERS"),
            (PADDED, "PADDED"),
            (PRIORITY_FLAG, "PRIORITY"),
        ]
    };
    let mut separator = " flags=";
    for &(bit, name) in names {
        if flags & bit != 0 {
            write!(f, "{separator}{name}")?;
            separator = "|";
        }
    }
    Ok(())
}

impl Frame {
    /// The payload length for the summary line (see [`Frame`]'s `Display`).
    fn payload_len(&self) -> usize {
        match self {
            Frame::Data { flow_len, .. } => *flow_len as usize,
            Frame::Headers {
                block, priority, ..
            } => block.len() + if priority.is_some() { 5 } else { 0 },
            Frame::Priority { .. } => 5,
            Frame::RstStream { .. } | Frame::WindowUpdate { .. } => 4,
            Frame::Settings { params, .. } => 6 * params.len(),
            Frame::PushPromise { block, .. } => 4 + block.len(),
            Frame::Ping { .. } => 8,
            Frame::GoAway { debug, .. } => 8 + debug.len(),
            Frame::Continuation { block, .. } => block.len(),
            Frame::Unknown { .. } => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ErrorCode, Priority};
    use super::*;

    #[test]
    fn summary_lines() {
        let cases = [
            (
                Frame::Settings {
                    ack: false,
                    params: vec![(0x3, 250), (0x4, 1_048_576), (0x6, 1_048_896)],
                },
                "SETTINGS len=18, settings: MAX_CONCURRENT_STREAMS=250, \
                 INITIAL_WINDOW_SIZE=1048576, MAX_HEADER_LIST_SIZE=1048896",
            ),
            (
                Frame::Settings {
                    ack: false,
                    params: vec![(0x2, 0), (0x2a, 7)],
                },
                "SETTINGS len=12, settings: ENABLE_PUSH=0, UNKNOWN_SETTING_0x2a=7",
            ),
            (
                Frame::Settings {
                    ack: true,
                    params: vec![],
                },
                "SETTINGS flags=ACK len=0",
            ),
            (
                Frame::Headers {
                    stream: 1,
                    block: vec![0; 13],
                    end_stream: true,
                    end_headers: true,
                    priority: None,
                },
                "HEADERS flags=END_STREAM|END_HEADERS stream=1 len=13",
            ),
            (
                Frame::Headers {
                    stream: 3,
                    block: vec![0; 10],
                    end_stream: false,
                    end_headers: true,
                    priority: Some(Priority {
                        dependency: 1,
                        exclusive: true,
                        weight: 255,
                    }),
                },
                "HEADERS flags=END_HEADERS|PRIORITY stream=3 len=15 dep=1 weight=256 exclusive",
            ),
            (
                Frame::Priority {
                    stream: 5,
                    priority: Priority {
                        dependency: 0,
                        exclusive: false,
                        weight: 15,
                    },
                },
                "PRIORITY stream=5 len=5 dep=0 weight=16",
            ),
            (
                Frame::WindowUpdate {
                    stream: 0,
                    increment: 983_041,
                },
                "WINDOW_UPDATE len=4 (conn) incr=983041",
            ),
            (
                Frame::WindowUpdate {
                    stream: 1,
                    increment: 5,
                },
                "WINDOW_UPDATE stream=1 len=4 incr=5",
            ),
            (
                Frame::data(1, b"hello".to_vec(), false),
                "DATA stream=1 len=5 data=\"hello\"",
            ),
            (
                Frame::data(1, b"0123456789abcdefghij\"tail\"\n".to_vec(), true),
                "DATA flags=END_STREAM stream=1 len=27 data=\"0123456789abcdefghij\" (7 bytes omitted)",
            ),
            (
                Frame::Ping {
                    ack: true,
                    data: [0, 0, 0, 0, 0, 0, 0, 1],
                },
                r#"PING flags=ACK len=8 ping="\x00\x00\x00\x00\x00\x00\x00\x01""#,
            ),
            (
                Frame::GoAway {
                    last_stream: 1,
                    code: ErrorCode::NoError,
                    debug: vec![],
                },
                "GOAWAY len=8 LastStreamID=1 ErrCode=NO_ERROR Debug=\"\"",
            ),
            (
                Frame::RstStream {
                    stream: 3,
                    code: ErrorCode::Cancel,
                },
                "RST_STREAM stream=3 len=4 ErrCode=CANCEL",
            ),
            (
                Frame::PushPromise {
                    stream: 1,
                    promised: 2,
                    block: vec![0; 6],
                    end_headers: true,
                },
                "PUSH_PROMISE flags=END_HEADERS stream=1 len=10 promised=2",
            ),
            (
                Frame::Continuation {
                    stream: 1,
                    block: vec![0; 3],
                    end_headers: false,
                },
                "CONTINUATION stream=1 len=3",
            ),
            (
                Frame::Unknown {
                    kind: 0xa,
                    stream: 7,
                },
                "UNKNOWN_FRAME type=0x0a stream=7",
            ),
        ];
        for (frame, line) in cases {
            assert_eq!(frame.to_string(), line);
        }
    }
}
