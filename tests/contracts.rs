//! The contracts of design §7 that outside tools rely on, checked on the real binary.

mod common;

use std::process::Command;

use common::*;
use rwh::http::client::{self, Url};

#[test]
fn help_names_the_flags() {
    let output = Command::new(env!("CARGO_BIN_EXE_rwh"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in ["--addr", "--interval-ms", "--count"] {
        assert!(help.contains(flag), "--help should mention {flag}:\n{help}");
    }
}

#[test]
fn first_line_is_listening_on_the_real_port() {
    let program = Program::companion(&["--addr", "127.0.0.1:0"]);
    let url = Url::parse(&program.url).unwrap();
    assert_eq!(url.host, "127.0.0.1");
    assert_ne!(url.port, 0, "the real port, not 0");
    for (path, content_type) in [
        ("/", "text/html"),
        ("/primes", "text/html"),
        ("/prime", "text/event-stream"),
    ] {
        let target = Url::parse(&format!("{}{path}", program.url)).unwrap();
        let response = client::request("GET", &target, &[], b"", Some(READ_WAIT)).unwrap();
        assert_eq!(response.status, 200, "{path}");
        let got = response.headers.get("content-type").unwrap_or_default();
        assert!(got.starts_with(content_type), "{path}: {got}");
    }
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_rwh"))
        .args(["--addr", &addr])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("in use"), "{stderr}");
}
