//! Go's HTTP/2 switches of table 9-1, read from the same variable with the same meaning:
//! `GODEBUG=http2client=0` turns HTTP/2 off in clients, `GODEBUG=http2server=0` in
//! servers. Any other value, or none, leaves it on.
//!
//! `GODEBUG` is a comma-separated list of `name=value` settings, read as Go reads it:
//! no spaces are trimmed, items without `=` are ignored, and when a name appears more
//! than once the last setting counts. Go's `http2debug=1` and `=2` (frame logs) are
//! `RUST_LOG` levels here instead.

// ANCHOR: switches
/// False when `GODEBUG` has `http2client=0`: clients then offer only HTTP/1.1.
pub fn http2_client_enabled() -> bool {
    enabled_in(&godebug(), "http2client")
}

/// False when `GODEBUG` has `http2server=0`: servers then offer only HTTP/1.1.
pub fn http2_server_enabled() -> bool {
    enabled_in(&godebug(), "http2server")
}
// ANCHOR_END: switches

fn godebug() -> String {
    let godebug = std::env::var_os("GODEBUG").unwrap_or_default();
    godebug.to_string_lossy().into_owned()
}

/// True unless switch `name` is exactly `0` in the `GODEBUG` string (Go compares so).
fn enabled_in(godebug: &str, name: &str) -> bool {
    godebug_setting(godebug, name) != Some("0")
}

/// The value of setting `name` in a `GODEBUG` string; the last one wins, as in Go.
pub fn godebug_setting<'a>(godebug: &'a str, name: &str) -> Option<&'a str> {
    godebug.split(',').rev().find_map(|item| {
        let (key, value) = item.split_once('=')?;
        (key == name).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read_as_go_reads_them() {
        let table = [
            ("", "http2client", None),
            ("http2client=0", "http2client", Some("0")),
            ("http2client=0", "http2server", None),
            ("http2server=0,http2client=1", "http2client", Some("1")),
            ("http2server=0,http2client=1", "http2server", Some("0")),
            ("http2client=0,http2client=1", "http2client", Some("1")),
            ("http2client=1,http2client=0", "http2client", Some("0")),
            ("http2debug=2", "http2debug", Some("2")),
            ("http2client", "http2client", None),
            ("http2client=", "http2client", Some("")),
            (" http2client=0", "http2client", None),
            ("HTTP2CLIENT=0", "http2client", None),
            ("x=1,,http2client=0,", "http2client", Some("0")),
            ("a=b=c", "a", Some("b=c")),
        ];
        for (godebug, name, expected) in table {
            assert_eq!(
                godebug_setting(godebug, name),
                expected,
                "{godebug:?} {name}"
            );
        }
    }

    #[test]
    fn only_zero_switches_http2_off() {
        let table = [
            ("http2client=0", "http2client", false),
            ("http2client=1", "http2client", true),
            ("http2client=false", "http2client", true),
            ("http2client=00", "http2client", true),
            ("http2client=0", "http2server", true),
            ("http2server=0", "http2server", false),
            ("http2server=0,http2client=0", "http2client", false),
            ("http2server=0,http2server=1", "http2server", true),
            ("", "http2server", true),
        ];
        for (godebug, name, enabled) in table {
            assert_eq!(enabled_in(godebug, name), enabled, "{godebug:?} {name}");
        }
    }
}
