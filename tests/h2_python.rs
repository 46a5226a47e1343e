//! Section 9.1 with an HTTP/2 implementation of another language: Python's `h2` package
//! (pip `h2`), sans-IO like ours, drives a raw socket (`tests/interop/h2_client.py`):
//! a GET, streams side by side, and a POST whose body is larger than the windows.

mod common;

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)]
mod sse_server;

use std::process::Command;
use std::sync::{Arc, Condvar, Mutex};

use common::*;
use rwh::http::{Request, Response, Router};
use sse_server::{Pace, routes};

/// How many `/gather` requests must be in the server at once before any is answered.
const GATHER: usize = 5;

/// The prime stream, an echo, and `/gather`: its answers wait (bounded) until
/// [`GATHER`] requests have arrived, so they all say `gathered 5` only if the server
/// ran the streams side by side.
fn router() -> Router {
    let waiting = Arc::new((Mutex::new(0usize), Condvar::new()));
    routes(Pace {
        interval_ms: 10,
        count: 3,
    })
    .post("/echo", |req: &Request, res: &mut Response| {
        res.send(200, "application/octet-stream", &req.body)
    })
    .get("/gather", move |_: &Request, res: &mut Response| {
        let (count, arrived) = &*waiting;
        let mut count = count.lock().unwrap();
        *count += 1;
        arrived.notify_all();
        let (count, _) = arrived
            .wait_timeout_while(count, READ_WAIT, |n| *n < GATHER)
            .unwrap();
        let answer = match *count >= GATHER {
            true => format!("gathered {GATHER}"),
            false => "alone".to_string(),
        };
        drop(count);
        res.send(200, "text/plain", answer.as_bytes())
    })
}

fn expected(alpn: &str) -> String {
    let gathered = "GET /gather 200 body=\"gathered 5\"\n".repeat(GATHER);
    let prime = "GET /prime 200 body=\"id: 1\\ndata: {\\\"id\\\": 1, \\\"number\\\": 2}\\n\\n\
                 id: 2\\ndata: {\\\"id\\\": 2, \\\"number\\\": 3}\\n\\n\
                 id: 3\\ndata: {\\\"id\\\": 3, \\\"number\\\": 5}\\n\\n\"\n"
        .repeat(3);
    format!(
        "alpn {alpn}\nGET / 200 len=1307\n{gathered}{prime}POST /echo 200 len=150000 echo=same\n"
    )
}

fn run(args: &[&str]) -> String {
    let Some(python) = python_with("h2") else {
        return String::new();
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/h2_client.py");
    let output = Command::new(python)
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn python_h2_over_verified_tls() {
    let server = serve_h2_tls(router());
    let ca = server.ca.ca_cert_path();
    let output = run(&[&server.url(), ca.to_str().unwrap()]);
    if !output.is_empty() {
        assert_eq!(output, expected("h2"));
    }
}

#[test]
fn python_h2_over_h2c() {
    let server = serve(router());
    let output = run(&[&server.url()]);
    if !output.is_empty() {
        assert_eq!(output, expected("None"));
    }
}
