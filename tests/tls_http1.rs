//! Section 9.1's ground floor: HTTP/1.1 over TLS between our client and our server, with
//! the certificate verified, on real sockets.

mod common;

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)]
mod sse_server;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use rustls::{ClientConfig, ClientConnection, StreamOwned};
use rwh::http::client::{self, ClientResponse, Options, Url};
use rwh::http::{Limits, Request, Response, Router};
use rwh::sse::{EventSource, Received};
use rwh::tls::{ALPN_H2, ALPN_HTTP11, DevCa, Trust, client_config};
use sse_server::Pace;

fn router() -> Router {
    Router::new()
        .get("/", |_: &Request, res: &mut Response| {
            res.send(200, "text/plain", b"hello over TLS\n")
        })
        .post("/echo", |req: &Request, res: &mut Response| {
            res.send(200, "application/octet-stream", &req.body)
        })
        .get("/take", |_: &Request, res: &mut Response| {
            let taken = res.hijack().is_some();
            res.send(200, "text/plain", format!("hijacked: {taken}\n").as_bytes())
        })
        .get(
            "/prime",
            sse_server::handler_prime_sse(Pace {
                interval_ms: 10,
                count: 100_000,
            }),
        )
}

fn get(server: &TlsServer, path: &str, trust: Trust) -> std::io::Result<ClientResponse> {
    let url = Url::parse(&format!("{}{path}", server.url())).unwrap();
    let options = Options {
        read_timeout: Some(READ_WAIT),
        trust,
    };
    client::request_with("GET", &url, &[], b"", &options)
}

/// A TLS connection made by hand, to send exactly what a test needs.
fn tls_connect(
    server: &TlsServer,
    config: Arc<ClientConfig>,
) -> StreamOwned<ClientConnection, TcpStream> {
    let tcp = connect(server.running.addr());
    let name = "127.0.0.1".try_into().unwrap();
    let mut tls = StreamOwned::new(ClientConnection::new(config, name).unwrap(), tcp);
    for _ in 0..20 {
        if !tls.conn.is_handshaking() {
            break;
        }
        tls.conn.complete_io(&mut tls.sock).unwrap();
    }
    assert!(!tls.conn.is_handshaking(), "the handshake should be done");
    tls
}

fn config_for(server: &TlsServer, alpn: &[&[u8]]) -> Arc<ClientConfig> {
    client_config(&server.trust(), alpn).unwrap()
}

#[test]
fn our_client_gets_a_page_over_verified_tls() {
    let server = serve_tls(router());
    assert!(
        server.url().starts_with("https://127.0.0.1:"),
        "{}",
        server.url()
    );
    let response = get(&server, "/", server.trust()).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.proto(), "HTTP/1.1");
    assert_eq!(response.alpn_protocol(), Some(ALPN_HTTP11));
    assert_eq!(response.text().unwrap(), "hello over TLS\n");

    // The certificate names `localhost` too (SNI and the name checked are the URL's host).
    let port = server.running.addr().port();
    let url = Url::parse(&format!("https://localhost:{port}/")).unwrap();
    let options = Options {
        read_timeout: Some(READ_WAIT),
        trust: server.trust(),
    };
    let by_name = client::request_with("GET", &url, &[], b"", &options).unwrap();
    assert_eq!(by_name.status, 200);

    let url = Url::parse(&format!("{}/echo", server.url())).unwrap();
    let body = vec![b'x'; 100_000];
    let echoed = client::request_with("POST", &url, &[], &body, &options).unwrap();
    assert_eq!(echoed.status, 200);
    assert_eq!(echoed.text().unwrap().len(), body.len());
}

#[test]
fn keep_alive_and_pipelining_work_over_tls() {
    let server = serve_tls(router());
    let mut tls = tls_connect(&server, config_for(&server, &[ALPN_HTTP11]));
    assert_eq!(tls.conn.alpn_protocol(), Some(ALPN_HTTP11));
    let request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    tls.write_all(&[&request[..], &request[..]].concat())
        .unwrap();
    tls.flush().unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while seen.matches("hello over TLS").count() < 2 {
        let n = tls.read(&mut buf).unwrap();
        assert_ne!(n, 0, "closed early: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert_eq!(seen.matches("HTTP/1.1 200 OK").count(), 2, "{seen}");
}

#[test]
fn both_tls_versions_work_with_an_http11_only_server() {
    let server = serve_tls(router());
    for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(server.ca.ca_cert().clone()).unwrap();
        let mut config =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_protocol_versions(&[version])
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth();
        config.alpn_protocols = vec![ALPN_H2.to_vec(), ALPN_HTTP11.to_vec()];
        let mut tls = tls_connect(&server, Arc::new(config));
        assert_eq!(tls.conn.protocol_version(), Some(version.version));
        assert_eq!(
            tls.conn.alpn_protocol(),
            Some(ALPN_HTTP11),
            "this server offers http/1.1 only"
        );
        tls.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        tls.flush().unwrap();
        let mut answer = String::new();
        let _ = tls.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    }
}

#[test]
fn the_event_stream_works_over_https() {
    let server = serve_tls(sse_server::routes(Pace {
        interval_ms: 0,
        count: 5,
    }));
    let options = rwh::sse::Options {
        retry: Duration::from_millis(50),
        max_failures: Some(100),
        read_timeout: Some(READ_WAIT),
    };
    let url = format!("{}/prime", server.url());
    let source = EventSource::connect_trusting(&url, options, server.trust()).unwrap();
    let mut ids = Vec::new();
    while let Ok(Received { id, .. }) = source.events().recv_timeout(READ_WAIT) {
        ids.push(id);
        assert!(ids.len() <= 5, "more events than sent: {ids:?}");
    }
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
    source.close().unwrap();
}

#[test]
fn the_server_sees_an_https_stream_client_leave() {
    let server = serve_tls(router());
    let options = rwh::sse::Options {
        read_timeout: Some(READ_WAIT),
        ..Default::default()
    };
    let url = format!("{}/prime", server.url());
    let source = EventSource::connect_trusting(&url, options, server.trust()).unwrap();
    source.events().recv_timeout(READ_WAIT).unwrap();
    assert_eq!(server.running.connections(), 1);
    source.close().unwrap(); // closes TCP without close_notify
    assert!(eventually(|| server.running.connections() == 0));

    // A client that sends close_notify and keeps the socket open is seen leaving too.
    let mut tls = tls_connect(&server, config_for(&server, &[ALPN_HTTP11]));
    tls.write_all(b"GET /prime HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    tls.flush().unwrap();
    let mut buf = [0u8; 4096];
    assert!(tls.read(&mut buf).unwrap() > 0);
    tls.conn.send_close_notify();
    tls.flush().unwrap();
    assert!(
        eventually(|| server.running.connections() == 0),
        "close_notify ends the stream"
    );
    drop(tls);
}

#[test]
fn an_untrusted_certificate_is_a_clear_error() {
    let server = serve_tls(router());
    let error = get(&server, "/", Trust::PublicRoots)
        .err()
        .expect("must fail");
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
    let message = error.to_string();
    assert!(message.contains("certificate is not trusted"), "{message}");
    assert!(message.contains("--cacert"), "{message}");

    // Another CA, even another rwh CA, is not this server's.
    let other_dir = TempDir::new("other-ca");
    let other = DevCa::load_or_create(other_dir.path()).unwrap();
    let error = get(&server, "/", Trust::CaFile(other.ca_cert_path()))
        .err()
        .expect("must fail");
    assert!(error.to_string().contains("not trusted"), "{error}");

    // The server shrugs it off.
    assert_eq!(get(&server, "/", server.trust()).unwrap().status, 200);
}

#[test]
fn a_bad_ca_file_says_which_file() {
    let server = serve_tls(router());
    let dir = TempDir::new("bad-ca-file");
    let missing = dir.path().join("missing.pem");
    let error = get(&server, "/", Trust::CaFile(missing.clone()))
        .err()
        .unwrap();
    assert!(
        error.to_string().contains(&*missing.to_string_lossy()),
        "{error}"
    );

    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let error = get(&server, "/", Trust::CaFile(empty)).err().unwrap();
    assert!(error.to_string().contains("no certificate"), "{error}");
}

#[test]
fn insecure_mode_must_be_asked_for_by_name() {
    assert_eq!(
        Trust::default(),
        Trust::Default,
        "verification is on by default"
    );
    let server = serve_tls(router());
    let response = get(&server, "/", Trust::InsecureAnyCertificate).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.text().unwrap(), "hello over TLS\n");
}

#[test]
fn hijack_is_not_offered_over_tls() {
    let server = serve_tls(router());
    let response = get(&server, "/take", server.trust()).unwrap();
    assert_eq!(response.text().unwrap(), "hijacked: false\n");
}

#[test]
fn bad_clients_on_the_tls_port_harm_nobody() {
    let limits = Limits {
        header_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let server = serve_tls_with(router(), limits);
    let mut good = tls_connect(&server, config_for(&server, &[ALPN_HTTP11]));
    let request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    good.write_all(request).unwrap();
    good.flush().unwrap();
    let mut buf = [0u8; 4096];
    assert!(good.read(&mut buf).unwrap() > 0);

    // Plain HTTP to the TLS port: a 400 that says to use https.
    let answer = exchange(server.running.addr(), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(status_of(&answer), 400, "{answer}");
    assert!(answer.contains("https://"), "{answer}");

    // Bytes that are neither: the handshake fails and the connection closes.
    let garbage = exchange(server.running.addr(), b"\x16\x03\x01\x00\x04junk");
    assert!(!garbage.contains("200"), "{garbage:?}");

    // A client that never starts the handshake is dropped after the header timeout.
    let mut silent = connect(server.running.addr());
    assert_eq!(read_to_close(&mut silent), "");

    // The good connection still works, and so do new ones.
    good.write_all(request).unwrap();
    good.flush().unwrap();
    let n = good.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200 OK"));
    assert_eq!(get(&server, "/", server.trust()).unwrap().status, 200);
}

#[test]
fn a_client_that_offers_only_h2_is_refused_by_an_http11_only_server() {
    let server = serve_tls(router());
    let tcp = connect(server.running.addr());
    let config = config_for(&server, &[ALPN_H2]);
    let mut conn = ClientConnection::new(config, "127.0.0.1".try_into().unwrap()).unwrap();
    let mut tcp = tcp;
    let mut failed = None;
    for _ in 0..10 {
        match conn.complete_io(&mut tcp) {
            Ok(_) if conn.is_handshaking() => {}
            Ok(_) => break,
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    let error = failed.expect("no protocol in common");
    assert!(
        error.to_string().contains("NoApplicationProtocol"),
        "{error}"
    );
}

#[test]
fn help_documents_the_tls_port_and_the_ca() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_rwh"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in ["--tls-addr", "18443", "RWH_CERT_DIR", "--cacert"] {
        assert!(
            help.contains(needle),
            "--help should mention {needle}:\n{help}"
        );
    }
}

#[test]
fn the_companion_serves_https_on_its_second_line() {
    let program = Program::companion(&[
        "--addr",
        "127.0.0.1:0",
        "--count",
        "3",
        "--interval-ms",
        "0",
    ]);
    assert!(program.url.starts_with("http://"), "{}", program.url);
    assert!(
        program.tls_url.starts_with("https://127.0.0.1:"),
        "{}",
        program.tls_url
    );
    let ca = program.ca_pem();
    let options = Options {
        read_timeout: Some(READ_WAIT),
        trust: Trust::CaFile(ca),
    };
    for (path, content_type) in [("/", "text/html"), ("/prime", "text/event-stream")] {
        let url = Url::parse(&format!("{}{path}", program.tls_url)).unwrap();
        let response = client::request_with("GET", &url, &[], b"", &options).unwrap();
        assert_eq!(response.status, 200, "{path}");
        let got = response.headers.get("content-type").unwrap_or_default();
        assert!(got.starts_with(content_type), "{path}: {got}");
    }
}
