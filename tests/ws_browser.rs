//! Interop: headless Chromium runs the echo page's self-test (text, UTF-8 text, binary,
//! then close 1000) against the example (page at `/`) and the companion server (page at
//! `/ws-echo`), and the verdict is read back from the DOM. Skipped when Chromium is
//! missing, unless REQUIRE_INTEROP=1.

mod common;
mod ws_common;

use common::{Program, chromium_dom};
use rwh::ws::Upgrader;
use ws_common::*;

/// What the page writes when every echo matched and the close was clean.
const VERDICT: &str = r#"<p id="selftest">selftest: echo ok; close 1000 clean</p>"#;

/// Virtual time for the page: the self-test needs a few round trips on loopback.
const BUDGET_MS: u32 = 10_000;

#[test]
fn the_echo_page_passes_its_self_test_in_chromium() {
    let server = echo_server(Upgrader::new());
    let Some(dom) = chromium_dom(&format!("http://{}/?selftest", server.addr()), BUDGET_MS) else {
        return;
    };
    assert!(dom.contains(VERDICT), "example page at /:\n{dom}");

    // The companion server (`cargo run`) serves the same page at /ws-echo; the page
    // dials the relative URL `echo`, so it finds /echo there too.
    let companion = Program::companion(&["--addr", "127.0.0.1:0"]);
    let dom = chromium_dom(&format!("{}/ws-echo?selftest", companion.url), BUDGET_MS)
        .expect("Chromium was found a moment ago");
    assert!(dom.contains(VERDICT), "companion page at /ws-echo:\n{dom}");
}
