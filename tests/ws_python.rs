//! Interop: Python's `websockets` client against the 9.4 echo server (text, binary,
//! fragments, pings both ways, close 1000, 1009 and 1007). Skipped when Python or the
//! package is missing, unless REQUIRE_INTEROP=1.

mod common;
mod ws_common;

use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::python_with;
use rwh::ws::{Config, Heartbeat, Upgrader};
use ws_common::*;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/interop/ws_echo_check.py"
);
const MAX_MESSAGE: usize = 4096;
const PONG_WAIT: Duration = Duration::from_millis(500);

#[test]
fn python_websockets_client_talks_to_the_echo() {
    let Some(python) = python_with("websockets.sync.client") else {
        return;
    };
    let heartbeat = Heartbeat {
        ping_every: Duration::from_millis(100),
        pong_wait: PONG_WAIT,
    };
    let config = Config {
        max_message: MAX_MESSAGE,
        ..Config::default()
    };
    let server = echo_server(Upgrader::new().config(config.with_heartbeat(heartbeat)));
    let mut child = Command::new(python)
        .arg(SCRIPT)
        .arg(echo_url(&server))
        .arg(MAX_MESSAGE.to_string())
        .arg(PONG_WAIT.as_secs_f64().to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the Python client did not finish in time");
        }
        thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}");
    assert!(output.status.success(), "{stdout}\n{stderr}");
    for check in [
        "ok text",
        "ok binary",
        "ok fragmented text",
        "ok fragmented binary",
        "ok ping answered",
        "ok alive after the server's pings",
        "ok close 1000 answered",
        "ok message over the limit gets 1009",
        "ok invalid UTF-8 gets 1007",
    ] {
        assert!(
            stdout.lines().any(|l| l == check),
            "missing {check:?}:\n{stdout}"
        );
    }
}
