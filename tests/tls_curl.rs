//! Section 9.1 with a real client: curl verifies our TLS server with `--cacert`.

mod common;

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)]
mod sse_server;

use common::*;
use sse_server::{Pace, routes};

#[test]
fn curl_verifies_the_server_with_cacert() {
    let Some(tool) = interop_tool(&["curl"]) else {
        return;
    };
    let server = serve_tls(routes(Pace {
        interval_ms: 0,
        count: 3,
    }));
    let ca = server.ca.ca_cert_path();
    let ca = ca.to_str().unwrap();
    let port = server.running.addr().port();
    for url in [
        format!("https://127.0.0.1:{port}/"),
        format!("https://localhost:{port}/"),
    ] {
        let page = stdout(&curl(&tool, &["--cacert", ca, &url]));
        assert!(page.contains("<html"), "{url}: {page}");
    }
    // HTTP/1.1, chosen by ALPN, with TLS 1.3 and with TLS 1.2.
    let url = format!("{}/", server.url());
    let version = stdout(&curl(
        &tool,
        &[
            "--cacert",
            ca,
            "-o",
            "/dev/null",
            "-w",
            "%{http_version}",
            &url,
        ],
    ));
    assert_eq!(version, "1.1");
    let tls12 = [
        "--cacert",
        ca,
        "--tlsv1.2",
        "--tls-max",
        "1.2",
        "-o",
        "/dev/null",
        &url,
    ];
    assert!(curl(&tool, &tls12).status.success());

    // Without the CA, curl refuses: exit 60, the certificate cannot be verified.
    let refused = curl(&tool, &[url.as_str()]);
    assert_eq!(refused.status.code(), Some(60), "{refused:?}");
}

#[test]
fn curl_reads_the_prime_stream_over_https() {
    let Some(tool) = interop_tool(&["curl"]) else {
        return;
    };
    let server = serve_tls(routes(Pace {
        interval_ms: 10,
        count: 3,
    }));
    let ca = server.ca.ca_cert_path();
    let url = format!("{}/prime", server.url());
    let body = stdout(&curl(
        &tool,
        &["-N", "--cacert", ca.to_str().unwrap(), &url],
    ));
    assert_eq!(
        body,
        "id: 1\ndata: {\"id\": 1, \"number\": 2}\n\n\
         id: 2\ndata: {\"id\": 2, \"number\": 3}\n\n\
         id: 3\ndata: {\"id\": 3, \"number\": 5}\n\n"
    );
}

#[test]
fn curl_trusts_the_companion_with_the_ca_it_logs() {
    let Some(tool) = interop_tool(&["curl"]) else {
        return;
    };
    let program = Program::companion(&["--addr", "127.0.0.1:0"]);
    let ca = program.ca_pem();
    let page = stdout(&curl(
        &tool,
        &["--cacert", ca.to_str().unwrap(), &program.tls_url],
    ));
    assert!(page.contains("<html"), "{page}");
}
