//! HTTP/2 under load (book section 9.1): nghttp2's `h2load` against our own TLS server.
//!
//! `cargo bench --bench h2load` starts the real server in this process, over TLS with a
//! development CA made in a temp directory, offering ALPN `h2` and `http/1.1`, and serving
//! one small fixed response, twice: at `/` from an [`Immediate`] handler, which HTTP/2 runs
//! on the connection's own thread, and at `/threaded` from the same handler run by the
//! connection's handler threads. It then runs `h2load` (Debian: `apt-get install
//! nghttp2-client`) a few rounds for each case and prints the median requests per second:
//!
//! - h2 with 10 connections and 10 streams in flight on each (`-c 10 -m 10`);
//! - h2 with 100 streams in flight on each (`-c 10 -m 100`), our MAX_CONCURRENT_STREAMS;
//! - both again at `/threaded`;
//! - HTTP/1.1 over the same 10 connections (`--h1 -c 10`), one request at a time each.
//!
//! Nothing is asserted about speed: the figures depend on the machine. For scale on a
//! 2-core machine, nghttpd (nghttp2's C server) serves about 317,000 requests/s at
//! `-c 10 -m 10` and Go's net/http about 48,000.
//!
//! Environment: `RWH_BENCH_ROUNDS` (default 3) rounds of `RWH_BENCH_SECONDS` (default 4)
//! seconds each, after one second of warm-up; `RWH_BENCH_ONLY=h2-m10` (or `h2-m100`, `h1`)
//! runs that case alone, e.g. under a profiler.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use rwh::http::{Immediate, Request, Response, Router, Running, Server};
use rwh::tls::{ALPN_H2, ALPN_HTTP11, DevCa};

/// The response every request gets: small, so that the protocol's cost is what we measure.
const BODY: &[u8] = b"hello from rwh\n";

/// One load pattern: what the table calls it, the path it asks for, h2load's options.
struct Case {
    /// What `RWH_BENCH_ONLY` picks it by.
    key: &'static str,
    name: &'static str,
    /// `/` is answered on the connection's own thread ([`Immediate`]), `/threaded` by
    /// the connection's handler threads.
    path: &'static str,
    args: &'static [&'static str],
}

const CASES: [Case; 5] = [
    Case {
        key: "h2-m10",
        name: "h2 -c 10 -m 10",
        path: "/",
        args: &["-c", "10", "-m", "10"],
    },
    Case {
        key: "h2-m100",
        name: "h2 -c 10 -m 100",
        path: "/",
        args: &["-c", "10", "-m", "100"],
    },
    Case {
        key: "h2-m10-threaded",
        name: "h2 -c 10 -m 10, threaded",
        path: "/threaded",
        args: &["-c", "10", "-m", "10"],
    },
    Case {
        key: "h2-m100-threaded",
        name: "h2 -c 10 -m 100, threaded",
        path: "/threaded",
        args: &["-c", "10", "-m", "100"],
    },
    Case {
        key: "h1",
        name: "h1 -c 10",
        path: "/",
        args: &["--h1", "-c", "10"],
    },
];

fn main() {
    if Command::new("h2load").arg("--version").output().is_err() {
        println!("h2load bench skipped: h2load not found (Debian: apt-get install nghttp2-client)");
        return;
    }
    let rounds = env_number("RWH_BENCH_ROUNDS", 3).max(1);
    let seconds = env_number("RWH_BENCH_SECONDS", 4).max(1);
    let cert_dir = TempDir::new();
    let server = start_server(&cert_dir.0);
    let base = server.url();
    println!("h2load against {base}: {rounds} rounds of {seconds} s per case (median, min, max)");

    let mut medians = Vec::new();
    let only = std::env::var("RWH_BENCH_ONLY").ok();
    let chosen = |case: &&Case| only.as_deref().is_none_or(|key| key == case.key);
    for case in CASES.iter().filter(chosen) {
        let mut rates: Vec<f64> = (0..rounds)
            .filter_map(|_| run_h2load(case, seconds, &format!("{base}{}", case.path)))
            .collect();
        rates.sort_by(f64::total_cmp);
        match rates.as_slice() {
            [] => println!("{:<26} no successful round", case.name),
            [min, .., max] | [min @ max] => {
                let median = rates[rates.len() / 2];
                println!(
                    "{:<26} {median:>10.0} req/s   ({min:.0} .. {max:.0})",
                    case.name
                );
                medians.push((case.key, median));
            }
        }
    }
    let median_of = |key| medians.iter().find(|(k, _)| *k == key).map(|(_, m)| *m);
    if let (Some(h2), Some(h1)) = (median_of("h2-m10"), median_of("h1")) {
        println!("h2 -m 10 / h1: {:.2}", h2 / h1);
    }
    if let (Some(h2), Some(pooled)) = (median_of("h2-m10"), median_of("h2-m10-threaded")) {
        println!("h2 -m 10, immediate / threaded: {:.2}", h2 / pooled);
    }
}

/// Starts the server on a free port with TLS, ALPN `h2` then `http/1.1`.
fn start_server(cert_dir: &std::path::Path) -> Running {
    let ca = DevCa::load_or_create(cert_dir).expect("development CA");
    let config = rwh::tls::server_config(&ca, &[ALPN_H2, ALPN_HTTP11]).expect("TLS config");
    let hello = |_: &Request, res: &mut Response| res.send(200, "text/plain", BODY);
    let router = Router::new()
        .get("/", Immediate(hello))
        .get("/threaded", hello);
    Server::bind_tls("127.0.0.1:0", config)
        .expect("bind")
        .spawn(router)
        .expect("start the server")
}

/// Runs one round; returns the requests per second h2load measured, if every request succeeded.
fn run_h2load(case: &Case, seconds: u64, url: &str) -> Option<f64> {
    let child = Command::new("h2load")
        .args(case.args)
        .args(["--warm-up-time", "1", "-D", &seconds.to_string(), url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let output = wait_bounded(child, Duration::from_secs(seconds + 30))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let failed = field_after(&text, "succeeded, ", " failed");
    if failed != Some(0.0) {
        let counts = text.lines().find(|line| line.starts_with("requests:"));
        eprintln!(
            "{}: round dropped, {}",
            case.name,
            counts.unwrap_or("h2load failed")
        );
        return None;
    }
    field_after(&text, "s, ", " req/s")
}

/// Waits for `child` for at most `limit`, killing it past that.
fn wait_bounded(mut child: std::process::Child, limit: Duration) -> Option<Output> {
    let deadline = Instant::now() + limit;
    while child.try_wait().ok()?.is_none() {
        if Instant::now() > deadline {
            eprintln!("h2load ran past {limit:?}: stopped");
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().ok()
}

/// The number between `before` and `after` on the first line that has both, e.g. the
/// `41234.50` of `finished in 4.00s, 41234.50 req/s, 1.2MB/s`.
fn field_after(text: &str, before: &str, after: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        let end = line.find(after)?;
        let start = line[..end].rfind(before)? + before.len();
        line[start..end].trim().parse().ok()
    })
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A temp directory for the development CA, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("rwh-bench-ca-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
