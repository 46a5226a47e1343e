//! Interop: headless Chromium runs the echo page's self-test (text, UTF-8 text, binary,
//! then close 1000) against the example (page at `/`) and the companion server (page at
//! `/ws-echo`), and the verdict is read back from the DOM. Skipped when Chromium is
//! missing, unless REQUIRE_INTEROP=1.

mod common;
mod ws_common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use rwh::ws::Upgrader;
use ws_common::*;

/// What the page writes when every echo matched and the close was clean.
const VERDICT: &str = r#"<p id="selftest">selftest: echo ok; close 1000 clean</p>"#;

/// Chromium's command: `$CHROMIUM`, or the first of the usual names that runs.
fn chromium() -> Option<String> {
    let names = std::env::var("CHROMIUM")
        .map(|c| vec![c])
        .unwrap_or_else(|_| {
            ["chromium", "chromium-browser", "google-chrome"]
                .map(String::from)
                .to_vec()
        });
    names.into_iter().find(|name| {
        Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Waits for `child` at most `limit`, reading its stdout meanwhile; kills it after.
fn stdout_of(mut child: Child, limit: Duration) -> String {
    let mut stdout = child.stdout.take().unwrap();
    let reader = thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    reader.join().unwrap()
}

/// Loads `url` headless and returns the DOM once the page's timers and sockets settle.
fn dump_dom(browser: &str, url: &str) -> String {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, Ordering::SeqCst);
    let profile = std::env::temp_dir().join(format!("rwh-chromium-{}-{run}", std::process::id()));
    let child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=10000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let dom = stdout_of(child, Duration::from_secs(60));
    let _ = std::fs::remove_dir_all(&profile);
    dom
}

#[test]
fn the_echo_page_passes_its_self_test_in_chromium() {
    let browser = chromium();
    if !tool_available("Chromium (apt-get install chromium)", browser.is_some()) {
        return;
    }
    let browser = browser.unwrap();

    let server = echo_server(Upgrader::new());
    let dom = dump_dom(&browser, &format!("http://{}/?selftest", server.addr()));
    assert!(dom.contains(VERDICT), "example page at /:\n{dom}");

    // The companion server (`cargo run`) serves the same page at /ws-echo.
    let mut companion = Command::new(env!("CARGO_BIN_EXE_rwh"))
        .args(["--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the companion server starts");
    let mut first = String::new();
    BufReader::new(companion.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let base = first
        .trim()
        .strip_prefix("listening on ")
        .map(str::to_owned);
    let dom = base
        .as_ref()
        .map(|base| dump_dom(&browser, &format!("{base}/ws-echo?selftest")));
    let _ = companion.kill();
    let _ = companion.wait();
    let dom = dom.unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    assert!(dom.contains(VERDICT), "companion page at /ws-echo:\n{dom}");
}
