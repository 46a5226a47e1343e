//! Section 9.1 end to end: our client and our server agree on HTTP/2 through ALPN (or h2c
//! with prior knowledge), the example of listing 9-1 prints the version, and Go's
//! `GODEBUG` switches of table 9-1 turn HTTP/2 off on either side.

mod common;

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)]
mod sse_server;

use std::path::Path;
use std::process::{Command, Output};

use common::*;
use rwh::client::{FetchOptions, Fetched, fetch, get};
use rwh::http::{Request, Response, Router};
use sse_server::Pace;

fn router() -> Router {
    sse_server::routes(Pace {
        interval_ms: 0,
        count: 3,
    })
    .get("/version", |req: &Request, res: &mut Response| {
        res.send(200, "text/plain", req.version.as_str().as_bytes())
    })
    .post("/echo", |req: &Request, res: &mut Response| {
        res.send(200, "application/octet-stream", &req.body)
    })
}

fn options(server: &TlsServer) -> FetchOptions {
    FetchOptions {
        trust: server.trust(),
        read_timeout: Some(READ_WAIT),
        ..FetchOptions::default()
    }
}

#[test]
fn fetch_speaks_h2_when_the_server_offers_it() {
    let server = serve_h2_tls(router());
    let options = options(&server);
    let page = get(&format!("{}/", server.url()), &options).unwrap();
    assert_eq!((page.proto, page.status), ("HTTP/2.0", 200));
    assert!(String::from_utf8_lossy(&page.body).contains("<html"));
    assert_eq!(
        page.headers.get("content-type"),
        Some("text/html; charset=utf-8")
    );

    // The handler saw HTTP/2 too.
    let version = get(&format!("{}/version", server.url()), &options).unwrap();
    assert_eq!(version.body, b"HTTP/2.0");

    // A body larger than the initial 64 KiB windows goes out as the server opens them.
    let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let echo = fetch(
        "POST",
        &format!("{}/echo", server.url()),
        &[],
        &body,
        &options,
    )
    .unwrap();
    assert_eq!((echo.proto, echo.status), ("HTTP/2.0", 200));
    assert!(echo.body == body, "the echo differs");

    // HEAD: the length, no body.
    let head = fetch("HEAD", &format!("{}/", server.url()), &[], b"", &options).unwrap();
    assert_eq!((head.status, head.body.len()), (200, 0));
    let length = page.body.len().to_string();
    assert_eq!(head.headers.get("content-length"), Some(length.as_str()));
}

#[test]
fn fetch_reads_the_prime_stream_over_h2() {
    let server = serve_h2_tls(router());
    let stream = get(&format!("{}/prime", server.url()), &options(&server)).unwrap();
    assert_eq!(stream.proto, "HTTP/2.0");
    assert_eq!(
        String::from_utf8_lossy(&stream.body),
        "id: 1\ndata: {\"id\": 1, \"number\": 2}\n\n\
         id: 2\ndata: {\"id\": 2, \"number\": 3}\n\n\
         id: 3\ndata: {\"id\": 3, \"number\": 5}\n\n"
    );
}

#[test]
fn fetch_falls_back_to_http11_when_the_server_offers_only_that() {
    let server = serve_tls(router()); // ALPN: http/1.1 only
    let page = get(&format!("{}/version", server.url()), &options(&server)).unwrap();
    assert_eq!((page.proto, page.status), ("HTTP/1.1", 200));
    assert_eq!(page.body, b"HTTP/1.1");
}

#[test]
fn fetch_speaks_h2c_with_prior_knowledge_only_when_asked() {
    let server = serve(router());
    let url = format!("{}/version", server.url());
    let mut options = FetchOptions {
        read_timeout: Some(READ_WAIT),
        ..FetchOptions::default()
    };
    let plain: Fetched = get(&url, &options).unwrap();
    assert_eq!(
        (plain.proto, plain.body.as_slice()),
        ("HTTP/1.1", &b"HTTP/1.1"[..])
    );
    options.h2c_prior_knowledge = true;
    let h2c = get(&url, &options).unwrap();
    assert_eq!(
        (h2c.proto, h2c.body.as_slice()),
        ("HTTP/2.0", &b"HTTP/2.0"[..])
    );
    let echo = fetch(
        "POST",
        &format!("{}/echo", server.url()),
        &[],
        b"abc",
        &options,
    )
    .unwrap();
    assert_eq!(echo.body, b"abc");
}

/// Runs the example of listing 9-1 with `args` and extra environment variables.
fn run_example(program: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(program)
        .args(args)
        .env_remove("GODEBUG")
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn the_example_prints_the_version_and_obeys_godebug() {
    let Some(example) = example_program("ch09_1_protocol_version") else {
        return;
    };
    let companion = Program::companion(&["--addr", "127.0.0.1:0"]);
    let url = format!("{}/", companion.tls_url);
    // The companion's CA is trusted by default, as after `cargo run`.
    let cert_dir = companion.cert_dir.path().to_str().unwrap();
    let trusted = [("RWH_CERT_DIR", cert_dir)];
    let version = |args: &[&str], env: &[(&str, &str)]| {
        let env: Vec<(&str, &str)> = trusted.iter().chain(env).copied().collect();
        stdout(&run_example(&example, args, &env))
    };
    assert_eq!(
        version(&["--url", &url], &[]),
        "Protocol Version: HTTP/2.0\n"
    );
    assert_eq!(
        version(&["--url", &url], &[("GODEBUG", "http2client=0")]),
        "Protocol Version: HTTP/1.1\n"
    );
    // Go reads the last setting of a name: HTTP/2 is back on.
    assert_eq!(
        version(
            &["--url", &url],
            &[("GODEBUG", "http2client=0,http2client=1")]
        ),
        "Protocol Version: HTTP/2.0\n"
    );
    // h2c with prior knowledge on the companion's plain port, and HTTP/1.1 without it.
    let plain = format!("{}/", companion.url);
    assert_eq!(
        version(&["--url", &plain, "--http2-prior-knowledge"], &[]),
        "Protocol Version: HTTP/2.0\n"
    );
    assert_eq!(
        version(&["--url", &plain], &[]),
        "Protocol Version: HTTP/1.1\n"
    );
}

#[test]
fn a_server_with_http2_off_answers_in_http11() {
    let Some(example) = example_program("ch09_1_protocol_version") else {
        return;
    };
    let companion =
        Program::companion_env(&["--addr", "127.0.0.1:0"], &[("GODEBUG", "http2server=0")]);
    let ca = companion.ca_pem();
    let url = format!("{}/", companion.tls_url);
    let args = ["--url", &url, "--cacert", ca.to_str().unwrap()];
    assert_eq!(
        stdout(&run_example(&example, &args, &[])),
        "Protocol Version: HTTP/1.1\n"
    );
    // Prior knowledge fails clearly: the server reads the preface as a bad HTTP/1 request.
    let plain = format!("{}/", companion.url);
    let h2c = run_example(&example, &["--url", &plain, "--http2-prior-knowledge"], &[]);
    assert!(!h2c.status.success());
    let error = String::from_utf8_lossy(&h2c.stderr);
    assert!(
        error.contains("the server answered in HTTP/1 (HTTP/1.1 505"),
        "{error}"
    );
}

#[test]
fn the_frame_log_shows_each_frame_and_at_trace_the_fields() {
    let Some(example) = example_program("ch09_1_protocol_version") else {
        return;
    };
    let companion = Program::companion(&["--addr", "127.0.0.1:0"]);
    let ca = companion.ca_pem();
    let url = format!("{}/", companion.tls_url);
    let args = ["--url", &url, "--cacert", ca.to_str().unwrap()];
    let debug = run_example(&example, &args, &[("RUST_LOG", "rwh::h2::frame=debug")]);
    assert_eq!(stdout(&debug), "Protocol Version: HTTP/2.0\n");
    let log = String::from_utf8_lossy(&debug.stderr);
    // One line per frame, each way, in the order of the exchange.
    let expected = [
        "client wrote the connection preface",
        "client wrote SETTINGS len=6, settings: ENABLE_PUSH=0",
        "client wrote HEADERS flags=END_STREAM|END_HEADERS stream=1 ",
        "client read SETTINGS len=12, settings: MAX_CONCURRENT_STREAMS=100, MAX_HEADER_LIST_SIZE=16384",
        "client wrote SETTINGS flags=ACK len=0",
        "client read HEADERS flags=END_HEADERS stream=1 ",
        "client read DATA flags=END_STREAM stream=1 len=",
        " data=\"<!DOCTYPE html>\\n<htm\" (",
        "client wrote WINDOW_UPDATE len=4 (conn) incr=",
        "client wrote GOAWAY len=8 LastStreamID=0 ErrCode=NO_ERROR",
    ];
    let mut rest = log.as_ref();
    for line in expected {
        let at = rest
            .find(line)
            .unwrap_or_else(|| panic!("{line:?} missing, or out of order, in:\n{log}"));
        rest = &rest[at + line.len()..];
    }
    assert!(
        !log.contains("header field"),
        "fields only at trace:\n{log}"
    );

    let trace = run_example(&example, &args, &[("RUST_LOG", "rwh::h2::frame=trace")]);
    let log = String::from_utf8_lossy(&trace.stderr);
    for line in [
        "client encoding header field \":method\" = \"GET\"",
        "client encoding header field \":scheme\" = \"https\"",
        "client encoding header field \":path\" = \"/\"",
        "client decoded header field \":status\" = \"200\"",
        "client decoded header field \"content-type\" = \"text/html; charset=utf-8\"",
    ] {
        assert!(log.contains(line), "{line:?} missing in:\n{log}");
    }
}

#[test]
fn the_example_documents_its_flags_and_warns_when_insecure() {
    let Some(example) = example_program("ch09_1_protocol_version") else {
        return;
    };
    let help = stdout(&run_example(&example, &["--help"], &[]));
    for needle in [
        "--url",
        "https://127.0.0.1:18443/",
        "--cacert",
        "--insecure",
        "--http2-prior-knowledge",
        "GODEBUG=http2client=0",
        "RUST_LOG=rwh::h2::frame=debug",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
    let companion = Program::companion(&["--addr", "127.0.0.1:0"]);
    let url = format!("{}/", companion.tls_url);
    // Without the CA (nothing trusted in an empty directory), verification fails…
    let empty = TempDir::new("no-ca");
    let no_ca = [("RWH_CERT_DIR", empty.path().to_str().unwrap())];
    let refused = run_example(&example, &["--url", &url], &no_ca);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not trusted"));
    // …and --insecure, asked for by name, gets through with a warning.
    let insecure = run_example(&example, &["--url", &url, "--insecure"], &no_ca);
    assert_eq!(stdout(&insecure), "Protocol Version: HTTP/2.0\n");
    let warning = String::from_utf8_lossy(&insecure.stderr);
    assert!(
        warning.contains("WARN") && warning.contains("NOT verified"),
        "{warning}"
    );
}
