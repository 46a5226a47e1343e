//! The two 9.4 programs as a reader runs them: the echo server keeps the
//! `listening on URL` contract, and the client sends stdin lines, prints `recv: ...`,
//! and on end of input or Ctrl-C closes with 1000 and waits for the server's answer.
//! Uses the example binaries that `cargo test` builds; skipped if they are not there.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::{Example, example_program};

const WAIT: Duration = Duration::from_secs(20);

/// Starts the echo server on port 0; returns it and its `ws://…/echo` URL.
fn echo_server(bin: &Path) -> (Example, String) {
    let server = Example::start(bin, &["--addr", "127.0.0.1:0", "--max-message", "1024"]);
    let Some(addr) = server.url.strip_prefix("http://") else {
        panic!("not an http:// URL: {}", server.url);
    };
    let url = format!("ws://{addr}/echo");
    (server, url)
}

/// Lines of a child's stdout, on a channel.
fn lines_of(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// Waits (bounded) for the child to exit; returns whether it succeeded.
fn exits_ok(child: &mut Child) -> bool {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status.success();
        }
        thread::sleep(Duration::from_millis(20));
    }
    panic!("the client did not exit within {WAIT:?}");
}

#[test]
fn the_server_answers_help() {
    let Some(bin) = example_program("ch09_4_ws_echo_server") else {
        return;
    };
    let out = Command::new(bin).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for flag in [
        "--addr",
        "--max-message",
        "--ping-ms",
        "--pong-wait-ms",
        "--allow-origin",
    ] {
        assert!(text.contains(flag), "{flag} in --help:\n{text}");
    }
}

#[test]
fn the_client_echoes_stdin_and_closes_at_its_end() {
    let (Some(server), Some(client)) = (
        example_program("ch09_4_ws_echo_server"),
        example_program("ch09_4_ws_client"),
    ) else {
        return;
    };
    let (_server, url) = echo_server(&server);
    let mut child = Command::new(client)
        .args(["--url", &url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all("hello\nこんにちは\n".as_bytes()).unwrap();
    drop(stdin); // end of input: close 1000
    assert!(exits_ok(&mut child), "a clean close exits with success");
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(out, "recv: hello\nrecv: こんにちは\n");
}

#[cfg(unix)]
#[test]
fn ctrl_c_closes_with_1000_and_waits_for_the_answer() {
    let (Some(server), Some(client)) = (
        example_program("ch09_4_ws_echo_server"),
        example_program("ch09_4_ws_client"),
    ) else {
        return;
    };
    let (_server, url) = echo_server(&server);
    let mut child = Command::new(client)
        .args(["--url", &url, "--every-ms", "20"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = lines_of(child.stdout.take().unwrap());
    for _ in 0..2 {
        let line = lines.recv_timeout(WAIT).expect("a reply");
        assert!(line.starts_with("recv: "), "{line}");
    }
    // SAFETY: kill(2) on our own child's pid, which has not been waited for yet.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0);
    assert!(exits_ok(&mut child), "Ctrl-C is a clean close, not a crash");
}
