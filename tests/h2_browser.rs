//! Section 9.1 in a real browser: headless Chromium, trusting our development CA, loads
//! the companion pages over HTTPS and speaks HTTP/2 to our server; the prime page of
//! section 9.3 renders its stream over h2.

mod common;

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)]
mod sse_server;

use std::sync::{Arc, Mutex};

use common::*;
use rwh::http::{Handler, Request, Response, Router};
use sse_server::{Pace, handler_html, handler_prime_sse};

/// What the handlers saw: `(path, version)` of every request.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// Wraps `handler` so that it notes the protocol of each request it answers.
fn noting(seen: &Seen, handler: impl Handler) -> impl Handler {
    let seen = seen.clone();
    move |req: &Request, res: &mut Response| {
        let entry = (req.target.clone(), req.version.as_str().to_string());
        seen.lock().unwrap().push(entry);
        handler.handle(req, res)
    }
}

#[test]
fn chromium_renders_the_primes_over_h2() {
    let seen = Seen::default();
    let pace = Pace {
        interval_ms: 20,
        count: 5,
    };
    let router = Router::new()
        .get("/", noting(&seen, handler_html))
        .get("/prime", noting(&seen, handler_prime_sse(pace)));
    let server = serve_h2_tls(router);
    let url = format!("{}/", server.url());
    let Some(dom) = chromium_dom_trusting(&url, 10_000, &server.ca.ca_cert_path()) else {
        return;
    };
    let primes = rendered_primes(&dom);
    assert_eq!(
        primes,
        [(5, 11), (4, 7), (3, 5), (2, 3), (1, 2)],
        "every prime, newest first: {dom}"
    );
    assert!(dom.contains("<p id=\"status\">done</p>"), "{dom}");
    // The page, the stream, and the last reconnect (answered 204) all came over HTTP/2.
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() >= 3, "{seen:?}");
    assert!(seen.iter().all(|(_, v)| v == "HTTP/2.0"), "{seen:?}");
    assert_eq!(seen[0].0, "/", "{seen:?}");
    assert!(
        seen[1..].iter().all(|(path, _)| path == "/prime"),
        "{seen:?}"
    );
}

#[test]
fn the_companion_index_shows_h2_and_http11_with_http2_off() {
    let on = Program::companion(&["--addr", "127.0.0.1:0"]);
    let off = Program::companion_env(&["--addr", "127.0.0.1:0"], &[("GODEBUG", "http2server=0")]);
    for (program, protocol) in [(&on, "h2"), (&off, "http/1.1")] {
        let ca = program.ca_pem();
        let Some(dom) = chromium_dom_trusting(&format!("{}/", program.tls_url), 2_000, &ca) else {
            return;
        };
        let shown = format!("<strong id=\"protocol\">{protocol}</strong>");
        assert!(dom.contains(&shown), "{shown} missing in {dom}");
        // The links carry the real ports.
        let https_port = program.tls_url.rsplit(':').next().unwrap();
        assert!(
            dom.contains(&format!("https://127.0.0.1:{https_port}/")),
            "{dom}"
        );
    }
    // Over plain HTTP, browsers speak HTTP/1.1 (there is no h2c in browsers).
    if let Some(dom) = chromium_dom(&format!("{}/", on.url), 2_000) {
        assert!(
            dom.contains("<strong id=\"protocol\">http/1.1</strong>"),
            "{dom}"
        );
    }
}
