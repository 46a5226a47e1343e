//! Error codes (RFC 9113 §7) and the errors a frame can cause (§5.4).

use std::fmt;

/// The reason carried by RST_STREAM and GOAWAY frames (§7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 0x0: not an error; used for a graceful GOAWAY.
    NoError,
    /// 0x1: the peer broke the protocol.
    ProtocolError,
    /// 0x2: something went wrong on our side.
    InternalError,
    /// 0x3: the peer broke flow control.
    FlowControlError,
    /// 0x4: SETTINGS were not acknowledged in time.
    SettingsTimeout,
    /// 0x5: a frame arrived on a stream that was already half-closed.
    StreamClosed,
    /// 0x6: a frame had an invalid size.
    FrameSizeError,
    /// 0x7: the stream was refused before any processing; the request may be retried.
    RefusedStream,
    /// 0x8: the stream is no longer needed.
    Cancel,
    /// 0x9: the HPACK state could not be kept in sync.
    CompressionError,
    /// 0xa: a CONNECT tunnel was reset or closed abnormally.
    ConnectError,
    /// 0xb: the peer is generating too much load.
    EnhanceYourCalm,
    /// 0xc: the TLS connection does not meet the security requirements.
    InadequateSecurity,
    /// 0xd: the request must be retried over HTTP/1.1.
    Http11Required,
    /// A code this implementation does not know; treated like INTERNAL_ERROR (§7) but kept as sent.
    Unknown(u32),
}

impl ErrorCode {
    /// The code for a number received on the wire.
    pub fn from_u32(code: u32) -> ErrorCode {
        use ErrorCode::*;
        match code {
            0x0 => NoError,
            0x1 => ProtocolError,
            0x2 => InternalError,
            0x3 => FlowControlError,
            0x4 => SettingsTimeout,
            0x5 => StreamClosed,
            0x6 => FrameSizeError,
            0x7 => RefusedStream,
            0x8 => Cancel,
            0x9 => CompressionError,
            0xa => ConnectError,
            0xb => EnhanceYourCalm,
            0xc => InadequateSecurity,
            0xd => Http11Required,
            other => Unknown(other),
        }
    }

    /// The number to send on the wire.
    pub fn as_u32(self) -> u32 {
        use ErrorCode::*;
        match self {
            NoError => 0x0,
            ProtocolError => 0x1,
            InternalError => 0x2,
            FlowControlError => 0x3,
            SettingsTimeout => 0x4,
            StreamClosed => 0x5,
            FrameSizeError => 0x6,
            RefusedStream => 0x7,
            Cancel => 0x8,
            CompressionError => 0x9,
            ConnectError => 0xa,
            EnhanceYourCalm => 0xb,
            InadequateSecurity => 0xc,
            Http11Required => 0xd,
            Unknown(code) => code,
        }
    }
}

impl From<u32> for ErrorCode {
    /// Same as [`ErrorCode::from_u32`].
    fn from(code: u32) -> Self {
        ErrorCode::from_u32(code)
    }
}

impl From<ErrorCode> for u32 {
    /// Same as [`ErrorCode::as_u32`].
    fn from(code: ErrorCode) -> Self {
        code.as_u32()
    }
}

impl fmt::Display for ErrorCode {
    /// The name the RFC uses, e.g. `PROTOCOL_ERROR`; unknown codes print as hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ErrorCode::*;
        let name = match self {
            NoError => "NO_ERROR",
            ProtocolError => "PROTOCOL_ERROR",
            InternalError => "INTERNAL_ERROR",
            FlowControlError => "FLOW_CONTROL_ERROR",
            SettingsTimeout => "SETTINGS_TIMEOUT",
            StreamClosed => "STREAM_CLOSED",
            FrameSizeError => "FRAME_SIZE_ERROR",
            RefusedStream => "REFUSED_STREAM",
            Cancel => "CANCEL",
            CompressionError => "COMPRESSION_ERROR",
            ConnectError => "CONNECT_ERROR",
            EnhanceYourCalm => "ENHANCE_YOUR_CALM",
            InadequateSecurity => "INADEQUATE_SECURITY",
            Http11Required => "HTTP_1_1_REQUIRED",
            Unknown(code) => return write!(f, "UNKNOWN_ERROR_{code:#x}"),
        };
        f.write_str(name)
    }
}

/// A frame broke a rule, and what to do about it (§5.4).
///
/// The scope matters: a stream error is answered with RST_STREAM on that stream
/// and the connection carries on; a connection error is answered with GOAWAY and
/// the connection is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameError {
    /// The code to send in RST_STREAM or GOAWAY.
    pub code: ErrorCode,
    /// `Some(stream)` for a stream error (RST_STREAM), `None` for a connection error (GOAWAY).
    pub stream: Option<u32>,
    /// Which rule was broken, for logs and GOAWAY debug data.
    pub reason: &'static str,
}

impl FrameError {
    /// An error that ends the whole connection with GOAWAY.
    pub fn connection(code: ErrorCode, reason: &'static str) -> FrameError {
        FrameError {
            code,
            stream: None,
            reason,
        }
    }

    /// An error that ends only `stream`, with RST_STREAM.
    pub fn stream(stream: u32, code: ErrorCode, reason: &'static str) -> FrameError {
        FrameError {
            code,
            stream: Some(stream),
            reason,
        }
    }
}

impl fmt::Display for FrameError {
    /// E.g. `connection error FRAME_SIZE_ERROR: PING payload is not 8 bytes`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.stream {
            Some(stream) => write!(f, "stream {stream} error {}: {}", self.code, self.reason),
            None => write!(f, "connection error {}: {}", self.code, self.reason),
        }
    }
}

impl std::error::Error for FrameError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_with_rfc_names() {
        let names = [
            "NO_ERROR",
            "PROTOCOL_ERROR",
            "INTERNAL_ERROR",
            "FLOW_CONTROL_ERROR",
            "SETTINGS_TIMEOUT",
            "STREAM_CLOSED",
            "FRAME_SIZE_ERROR",
            "REFUSED_STREAM",
            "CANCEL",
            "COMPRESSION_ERROR",
            "CONNECT_ERROR",
            "ENHANCE_YOUR_CALM",
            "INADEQUATE_SECURITY",
            "HTTP_1_1_REQUIRED",
        ];
        for (n, name) in (0u32..).zip(names) {
            let code = ErrorCode::from_u32(n);
            assert_eq!(code.to_string(), name);
            assert_eq!(code.as_u32(), n);
            assert_eq!(u32::from(ErrorCode::from(n)), n);
            assert!(!matches!(code, ErrorCode::Unknown(_)), "{name}");
        }
        let unknown = ErrorCode::from_u32(0xe);
        assert_eq!(unknown, ErrorCode::Unknown(0xe));
        assert_eq!(unknown.as_u32(), 0xe);
        assert_eq!(unknown.to_string(), "UNKNOWN_ERROR_0xe");
    }

    #[test]
    fn error_display_names_the_scope() {
        let conn = FrameError::connection(ErrorCode::FrameSizeError, "PING payload is not 8 bytes");
        assert_eq!(
            conn.to_string(),
            "connection error FRAME_SIZE_ERROR: PING payload is not 8 bytes"
        );
        let stream = FrameError::stream(3, ErrorCode::ProtocolError, "stream depends on itself");
        assert_eq!(
            stream.to_string(),
            "stream 3 error PROTOCOL_ERROR: stream depends on itself"
        );
    }
}
