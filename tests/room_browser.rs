//! Section 9.4.3 in real browsers: two headless Chromium processes open the same room
//! page with `?selftest=ID`. Each page says it joined, greets the first other self-test
//! page it hears with a message holding HTML, and writes its verdict into the page once
//! it has heard the other's greeting and got its own back. The verdicts, and the greetings
//! rendered as text (never as HTML), are read back from the DOM. Skipped when Chromium is
//! missing, unless REQUIRE_INTEROP=1.

mod common;
mod room_common;

use std::thread;

use common::chromium_dom;
use room_common::*;

/// Virtual time for a page; the self-test itself runs in real time (the page keeps an
/// HTTP request in flight until its verdict is written).
const BUDGET_MS: u32 = 10_000;

/// Opens the room page in two browsers at once; returns their DOMs.
fn two_pages(base: &str, room: &str, transports: [&str; 2]) -> Option<[String; 2]> {
    let urls = [("A", transports[0]), ("B", transports[1])]
        .map(|(id, transport)| format!("{base}/rooms/{room}?selftest={id}&transport={transport}"));
    let [a, b] = thread::scope(|s| {
        urls.each_ref()
            .map(|url| s.spawn(move || chromium_dom(url, BUDGET_MS)))
            .map(|browser| browser.join().expect("the browser thread"))
    });
    Some([a?, b?])
}

/// The message log of a page: the DOM between `<div id="log">` and the form after it.
fn message_log(dom: &str) -> &str {
    let start = dom.find("<div id=\"log\">").expect("the log");
    let end = dom[start..].find("<form").expect("the form after the log");
    &dom[start..start + end]
}

fn check(doms: &[String; 2]) {
    for (me, other, dom) in [("A", "B", &doms[0]), ("B", "A", &doms[1])] {
        let verdict =
            format!("selftest: selftest-{me} heard selftest-{other}; own message relayed");
        assert!(dom.contains(&verdict), "page {me}:\n{dom}");
        // The other page's greeting holds <b>…</b>: it must be shown as text.
        let log = message_log(dom);
        let shown = format!("selftest-{other}: hello &lt;b&gt;from {other}&lt;/b&gt;");
        assert!(
            log.contains(&shown),
            "page {me} shows the greeting as text:\n{log}"
        );
        assert!(
            !log.contains("<b>"),
            "page {me} rendered a message as HTML:\n{log}"
        );
    }
}

#[test]
fn two_pages_in_one_room_hear_each_other() {
    let server = default_chat();
    let Some(doms) = two_pages(&server.url(), "browsers", ["ws", "ws"]) else {
        return;
    };
    check(&doms);
}

#[test]
fn a_websocket_page_and_an_sse_page_hear_each_other() {
    let server = default_chat();
    let Some(doms) = two_pages(&server.url(), "mixed", ["ws", "sse"]) else {
        return;
    };
    check(&doms);
}
