//! Section 9.1 with nghttp2's own client (`nghttp`, Debian's `nghttp2-client`), which
//! logs every frame it sends and receives: over TLS (ALPN `h2`) and over h2c.
//!
//! nghttp verifies the server with OpenSSL's default trust store and, when that fails,
//! only warns (`[WARNING] Certificate verification failed`) and carries on. The tests
//! point `SSL_CERT_FILE` at our CA and check that the warning is absent; it checks
//! names with DNS names only, hence `https://localhost:PORT`.

mod common;

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)]
mod sse_server;

use std::path::Path;
use std::process::Command;

use common::*;
use rwh::http::{Request, Response, Router};
use sse_server::{Pace, routes};

fn router() -> Router {
    routes(Pace {
        interval_ms: 0,
        count: 3,
    })
    .post("/echo", |req: &Request, res: &mut Response| {
        res.send(200, "application/octet-stream", &req.body)
    })
}

const WARNING: &str = "Certificate verification failed";

/// Runs `nghttp` with `args` (`--timeout` bounds it), trusting the CA in `ca` if given.
fn nghttp(tool: &Path, ca: Option<&Path>, args: &[&str]) -> String {
    let mut command = Command::new(tool);
    command.args(["--timeout=10"]).args(args);
    if let Some(ca) = ca {
        command.env("SSL_CERT_FILE", ca);
    }
    let output = command.output().unwrap();
    let log = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "nghttp {args:?}: {}\n{log}",
        String::from_utf8_lossy(&output.stderr)
    );
    log + &String::from_utf8_lossy(&output.stderr)
}

/// The lengths of the DATA frames nghttp received on `stream`.
fn data_lengths(log: &str, stream: u32) -> Vec<usize> {
    let tail = format!(", stream_id={stream}>");
    log.lines()
        .filter_map(|line| {
            line.split_once("recv DATA frame <length=")?
                .1
                .split_once(',')
        })
        .filter(|(_, rest)| rest.ends_with(&tail))
        .filter_map(|(length, _)| length.parse().ok())
        .collect()
}

#[test]
fn nghttp_gets_a_page_over_verified_tls() {
    let Some(tool) = interop_tool(&["nghttp"]) else {
        return;
    };
    let server = serve_h2_tls(router());
    let ca = server.ca.ca_cert_path();
    let url = format!("https://localhost:{}/", server.running.addr().port());
    let log = nghttp(&tool, Some(&ca), &["-nv", &url]);
    for needle in [
        "The negotiated protocol: h2",
        "recv SETTINGS frame <length=12, flags=0x00, stream_id=0>",
        "[SETTINGS_MAX_CONCURRENT_STREAMS(0x03):100]",
        "recv SETTINGS frame <length=0, flags=0x01, stream_id=0>",
        "recv (stream_id=13) :status: 200",
        "recv (stream_id=13) content-type: text/html; charset=utf-8",
        "recv HEADERS frame <length=",
        "recv DATA frame <length=1307, flags=0x01, stream_id=13>",
        "; END_STREAM",
        "send GOAWAY frame",
    ] {
        assert!(log.contains(needle), "{needle:?} missing in:\n{log}");
    }
    assert!(
        !log.contains(WARNING),
        "the certificate should verify:\n{log}"
    );
    assert!(
        !log.contains("RST_STREAM") && !log.contains("recv GOAWAY"),
        "{log}"
    );

    // Another CA: the same request now draws nghttp's warning, so the check is real.
    let other = TempDir::new("other-ca");
    let other = rwh::tls::DevCa::load_or_create(other.path()).unwrap();
    let log = nghttp(&tool, Some(&other.ca_cert_path()), &["-nv", &url]);
    assert!(log.contains(WARNING), "{log}");
}

#[test]
fn nghttp_speaks_h2c_and_runs_streams_side_by_side() {
    let Some(tool) = interop_tool(&["nghttp"]) else {
        return;
    };
    let server = serve(router());
    let log = nghttp(&tool, None, &["-nv", &format!("{}/", server.url())]);
    assert!(log.contains("recv (stream_id=13) :status: 200"), "{log}");
    assert!(!log.contains("The negotiated protocol"), "no TLS: {log}");

    // Ten prime streams at once on one connection (streams 13, 15, … 31).
    let log = nghttp(
        &tool,
        None,
        &["-nv", "-m", "10", &format!("{}/prime", server.url())],
    );
    for stream in (13..=31).step_by(2) {
        let status = format!("recv (stream_id={stream}) :status: 200");
        assert!(log.contains(&status), "{status} missing in:\n{log}");
        // Three events of 36 bytes, each in a DATA frame of its own, then END_STREAM.
        let lengths = data_lengths(&log, stream);
        assert_eq!(lengths, [36, 36, 36, 0], "stream {stream}");
    }
}

#[test]
fn nghttp_posts_a_body_larger_than_the_window() {
    let Some(tool) = interop_tool(&["nghttp"]) else {
        return;
    };
    let server = serve_h2_tls(router());
    let ca = server.ca.ca_cert_path();
    let dir = TempDir::new("nghttp-body");
    let file = dir.path().join("body");
    std::fs::write(&file, vec![b'x'; 200_000]).unwrap();
    let url = format!("https://localhost:{}/echo", server.running.addr().port());
    let args = ["-nv", "-d", file.to_str().unwrap(), &url];
    let log = nghttp(&tool, Some(&ca), &args);
    assert!(log.contains("recv (stream_id=13) :status: 200"), "{log}");
    assert!(log.contains("recv WINDOW_UPDATE frame"), "{log}");
    assert_eq!(data_lengths(&log, 13).iter().sum::<usize>(), 200_000);
}
