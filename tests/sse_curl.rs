//! Section 9.3 with a real client: `curl -N` reads the prime stream as it arrives.

mod common;

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)]
mod sse_server;

use common::*;
use sse_server::{Pace, routes};

#[test]
fn curl_sees_the_events_byte_for_byte() {
    let Some(tool) = interop_tool(&["curl"]) else {
        return;
    };
    let server = serve(routes(Pace {
        interval_ms: 10,
        count: 3,
    }));
    let url = format!("{}/prime", server.url());
    let text = stdout(&curl(&tool, &["-N", "-D", "-", &url])).replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/event-stream"),
        "{head}"
    );
    assert_eq!(
        body,
        "id: 1\ndata: {\"id\": 1, \"number\": 2}\n\n\
         id: 2\ndata: {\"id\": 2, \"number\": 3}\n\n\
         id: 3\ndata: {\"id\": 3, \"number\": 5}\n\n"
    );
}
