//! Section 9.3 in a real browser: headless Chromium opens the prime page and renders the stream.

mod common;

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)]
mod sse_server;

use common::*;
use sse_server::{Pace, routes};

#[test]
fn chromium_renders_the_primes_newest_first_then_stops() {
    let server = serve(routes(Pace {
        interval_ms: 20,
        count: 5,
    }));
    let Some(dom) = chromium_dom(&format!("{}/", server.url()), 10_000) else {
        return;
    };
    let primes = rendered_primes(&dom);
    assert!(primes.len() >= 3, "at least three primes rendered: {dom}");
    let expected: Vec<(u64, u64)> = [(1, 2), (2, 3), (3, 5), (4, 7), (5, 11)]
        .into_iter()
        .rev()
        .skip(5 - primes.len())
        .collect();
    assert_eq!(primes, expected, "newest first, in order, none missing");
    // After the last event the reconnect gets 204 and EventSource closes for good.
    assert!(dom.contains("<p id=\"status\">done</p>"), "{dom}");
}
