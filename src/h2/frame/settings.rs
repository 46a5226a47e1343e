//! SETTINGS parameters (RFC 9113 §6.5.2) and the limits on their values.

use std::fmt;

use super::{ErrorCode, FrameError, MAX_FRAME_SIZE_LIMIT, MAX_WINDOW_SIZE, MIN_MAX_FRAME_SIZE};

/// The SETTINGS parameters defined by RFC 9113, by identifier.
///
/// A SETTINGS frame carries `(identifier, value)` pairs; [`Setting::from_id`]
/// names the known identifiers. Unknown ones stay in the frame and are ignored (§6.5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Setting {
    /// Size of the HPACK dynamic table the sender's decoder allows (initially 4096).
    HeaderTableSize = 0x1,
    /// 0 or 1: whether the client accepts server push (initially 1).
    EnablePush = 0x2,
    /// How many streams the peer may open towards the sender (initially unlimited).
    MaxConcurrentStreams = 0x3,
    /// Initial flow-control window of each new stream (initially 65535).
    InitialWindowSize = 0x4,
    /// Largest frame payload the sender accepts (initially 16384).
    MaxFrameSize = 0x5,
    /// Advisory limit on the size of a field list the sender accepts (initially unlimited).
    MaxHeaderListSize = 0x6,
}

impl Setting {
    /// The known parameter with this identifier, or `None` for one to ignore.
    pub fn from_id(id: u16) -> Option<Setting> {
        use Setting::*;
        [
            HeaderTableSize,
            EnablePush,
            MaxConcurrentStreams,
            InitialWindowSize,
            MaxFrameSize,
            MaxHeaderListSize,
        ]
        .into_iter()
        .find(|setting| setting.id() == id)
    }

    /// The identifier sent on the wire.
    pub fn id(self) -> u16 {
        self as u16
    }
}

impl fmt::Display for Setting {
    /// The name without its `SETTINGS_` prefix, as in Go's debug log: `MAX_FRAME_SIZE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Setting::HeaderTableSize => "HEADER_TABLE_SIZE",
            Setting::EnablePush => "ENABLE_PUSH",
            Setting::MaxConcurrentStreams => "MAX_CONCURRENT_STREAMS",
            Setting::InitialWindowSize => "INITIAL_WINDOW_SIZE",
            Setting::MaxFrameSize => "MAX_FRAME_SIZE",
            Setting::MaxHeaderListSize => "MAX_HEADER_LIST_SIZE",
        })
    }
}

/// Checks the values of received SETTINGS parameters against §6.5.2; all are connection errors.
///
/// [`parse()`](super::parse()) already applies this to every SETTINGS frame it returns.
pub fn validate_settings(params: &[(u16, u32)]) -> Result<(), FrameError> {
    for &(id, value) in params {
        let problem = match Setting::from_id(id) {
            Some(Setting::EnablePush) if value > 1 => Some((
                ErrorCode::ProtocolError,
                "SETTINGS_ENABLE_PUSH is not 0 or 1",
            )),
            Some(Setting::InitialWindowSize) if value > MAX_WINDOW_SIZE => Some((
                ErrorCode::FlowControlError,
                "SETTINGS_INITIAL_WINDOW_SIZE is above 2^31-1",
            )),
            Some(Setting::MaxFrameSize)
                if !(MIN_MAX_FRAME_SIZE..=MAX_FRAME_SIZE_LIMIT).contains(&value) =>
            {
                Some((
                    ErrorCode::ProtocolError,
                    "SETTINGS_MAX_FRAME_SIZE is outside 16384..=16777215",
                ))
            }
            _ => None,
        };
        if let Some((code, reason)) = problem {
            return Err(FrameError::connection(code, reason));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_identifiers_round_trip() {
        for id in 1..=6 {
            let setting = Setting::from_id(id).expect("known identifier");
            assert_eq!(setting.id(), id);
        }
        assert_eq!(Setting::from_id(0), None);
        assert_eq!(Setting::from_id(7), None);
        assert_eq!(
            Setting::MaxHeaderListSize.to_string(),
            "MAX_HEADER_LIST_SIZE"
        );
    }

    #[test]
    fn values_are_checked() {
        use ErrorCode::*;
        type Params = &'static [(u16, u32)];
        let valid: &[Params] = &[
            &[],
            &[(0x2, 0), (0x2, 1)],
            &[(0x4, MAX_WINDOW_SIZE)],
            &[(0x5, 16_384), (0x5, 16_777_215)],
            // Limits without an upper bound, and unknown identifiers, are never errors.
            &[(0x1, u32::MAX), (0x3, 0), (0x6, u32::MAX), (0x99, 7)],
        ];
        for params in valid {
            assert_eq!(validate_settings(params), Ok(()), "{params:?}");
        }
        let invalid: &[(Params, ErrorCode)] = &[
            (&[(0x2, 2)], ProtocolError),
            (&[(0x4, MAX_WINDOW_SIZE + 1)], FlowControlError),
            (&[(0x5, 16_383)], ProtocolError),
            (&[(0x5, 16_777_216)], ProtocolError),
            // A bad value is found after good ones.
            (&[(0x2, 1), (0x4, u32::MAX)], FlowControlError),
        ];
        for &(params, code) in invalid {
            let err = validate_settings(params).expect_err("invalid value");
            assert_eq!((err.code, err.stream), (code, None), "{params:?}");
        }
    }
}
