//! Section 9.1 with a real client: curl speaks HTTP/2 to our server, over TLS (ALPN `h2`,
//! verified with `--cacert`) and over cleartext with prior knowledge (h2c).

mod common;

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)]
mod sse_server;

use common::*;
use rwh::http::{Request, Response, Router};
use sse_server::{Pace, routes};

fn router() -> Router {
    routes(Pace {
        interval_ms: 10,
        count: 3,
    })
    .post("/echo", |req: &Request, res: &mut Response| {
        res.send(200, "application/octet-stream", &req.body)
    })
}

const THREE_EVENTS: &str = "id: 1\ndata: {\"id\": 1, \"number\": 2}\n\n\
                            id: 2\ndata: {\"id\": 2, \"number\": 3}\n\n\
                            id: 3\ndata: {\"id\": 3, \"number\": 5}\n\n";

#[test]
fn curl_speaks_h2_over_verified_tls() {
    let Some(tool) = interop_tool(&["curl"]) else {
        return;
    };
    let server = serve_h2_tls(router());
    let ca = server.ca.ca_cert_path();
    let ca = ca.to_str().unwrap();
    let url = format!("{}/", server.url());
    let version = ["--http2", "--cacert", ca, "-o", "/dev/null"];
    let version = stdout_bytes(&curl(
        &tool,
        &[&version[..], &["-w", "%{http_version}", &url]].concat(),
    ));
    assert_eq!(version, b"2");

    // The head as curl shows it: HTTP/2, lowercase names, no connection-specific fields.
    let head = stdout_bytes(&curl(&tool, &["--http2", "--cacert", ca, "-I", &url]));
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/2 200"), "{head}");
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(!head.to_ascii_lowercase().contains("connection:"), "{head}");

    // A body larger than the 64 KiB windows, both ways.
    let dir = TempDir::new("curl-body");
    let file = dir.path().join("body");
    let body: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&file, &body).unwrap();
    let upload = format!("@{}", file.display());
    let echo_url = format!("{}/echo", server.url());
    let echo = curl(
        &tool,
        &[
            "--http2",
            "--cacert",
            ca,
            "--data-binary",
            &upload,
            &echo_url,
        ],
    );
    assert!(stdout_bytes(&echo) == body, "the echo differs");
}

#[test]
fn curl_speaks_h2c_with_prior_knowledge() {
    let Some(tool) = interop_tool(&["curl"]) else {
        return;
    };
    let server = serve(router());
    let url = format!("{}/", server.url());
    let args = ["--http2-prior-knowledge", "-o", "/dev/null"];
    let version = stdout_bytes(&curl(
        &tool,
        &[&args[..], &["-w", "%{http_version}", &url]].concat(),
    ));
    assert_eq!(version, b"2");
    // Without prior knowledge the same port answers HTTP/1.1.
    let version = stdout_bytes(&curl(
        &tool,
        &["-o", "/dev/null", "-w", "%{http_version}", &url],
    ));
    assert_eq!(version, b"1.1");
    let prime = format!("{}/prime", server.url());
    let events = stdout_bytes(&curl(&tool, &["--http2-prior-knowledge", "-N", &prime]));
    assert_eq!(String::from_utf8_lossy(&events), THREE_EVENTS);
}

#[test]
fn curl_reads_the_prime_stream_over_h2_byte_for_byte() {
    let Some(tool) = interop_tool(&["curl"]) else {
        return;
    };
    let server = serve_h2_tls(router());
    let ca = server.ca.ca_cert_path();
    let url = format!("{}/prime", server.url());
    let args = [
        "--http2",
        "-N",
        "-D",
        "-",
        "--cacert",
        ca.to_str().unwrap(),
        &url,
    ];
    let output = String::from_utf8(stdout_bytes(&curl(&tool, &args))).unwrap();
    let (head, body) = output
        .split_once("\r\n\r\n")
        .expect("a head, then the body");
    assert!(head.starts_with("HTTP/2 200"), "{head}");
    assert!(head.contains("content-type: text/event-stream"), "{head}");
    assert!(head.contains("cache-control: no-cache"), "{head}");
    assert_eq!(body, THREE_EVENTS);
}

#[test]
fn curl_gets_http11_from_a_companion_with_http2_off() {
    let Some(tool) = interop_tool(&["curl"]) else {
        return;
    };
    let on = Program::companion(&["--addr", "127.0.0.1:0"]);
    let off = Program::companion_env(&["--addr", "127.0.0.1:0"], &[("GODEBUG", "http2server=0")]);
    for (program, expected) in [(&on, &b"2"[..]), (&off, &b"1.1"[..])] {
        let ca = program.ca_pem();
        let args = [
            "--http2",
            "--cacert",
            ca.to_str().unwrap(),
            "-o",
            "/dev/null",
            "-w",
            "%{http_version}",
            &program.tls_url,
        ];
        assert_eq!(
            stdout_bytes(&curl(&tool, &args)),
            expected,
            "{}",
            program.tls_url
        );
    }
}
