//! Keep-alive hello: requests/s when 50 connections each send one small request after
//! another on the same connection.
//!
//! What it measures: how many `GET /` requests per second two servers answer in this
//! process, round after round, alternating:
//!
//! - `rwh`:  `rwh::http::Server` with a router whose one handler sends `Hello, World!`;
//! - `bare`: a minimal `std::net` server, one thread per connection, whose keep-alive
//!   loop answers every request head it reads with the same fixed 200 response (its
//!   `Date` is made once at start). It is the *ideal* for this thread model: no parsing,
//!   routing, header map or formatting.
//!
//! The load generator is one thread per connection, in this process. Each sends a
//! request, reads the whole response, checks the status (200) and the body, and goes on
//! until the round's time is up (or a request count cap is reached). A failed check ends
//! the bench with a message.
//!
//! If `wrk` is installed (Debian package `wrk`), the bench then also runs
//! `wrk -t2 -c50 -d5s` against each server, 3 times, alternating; `wrk` checks only that
//! the status codes are 2xx. Without wrk it says so and skips that part.
//!
//! Run it (the separate target directory avoids waiting on other builds' lock):
//!
//! ```text
//! CARGO_TARGET_DIR=/tmp/bench-target cargo bench --bench hello
//! BENCH_ROUNDS=1 BENCH_SECS=1 BENCH_WRK=0 CARGO_TARGET_DIR=/tmp/bench-target cargo bench --bench hello
//! ```
//!
//! `BENCH_ROUNDS` (default 5), `BENCH_SECS` (seconds per round, default 3) and
//! `BENCH_CLIENTS` (connections, default 50) change the load; `BENCH_WRK` is the number
//! of wrk runs per server (default 3; 0 skips wrk).
//!
//! Reading the output: one row per server with MEDIANS over the rounds: requests/s, and
//! the CPU time this whole process (server and load generator) spent per request; then
//! `rwh/bare`, the ratio of the requests/s medians (1.00 means as fast as the bare
//! server; the target is 0.70 or more); then the same from wrk. Load generator and servers
//! share this machine's CPUs, and other processes may too (the output says how much they
//! took): a client that costs less (wrk) leaves more CPU to the server and so shows a
//! larger difference between the two. Compare the ratios, not the absolute figures.

mod common;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use common::{Bare, CpuMeter, find, median, setting, wait_until_idle, watchdog};
use rwh::http::{Request, Response, Router, Server};

const BODY: &[u8] = b"Hello, World!\n";
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n";
/// Requests one connection may send in one round, whatever the time left.
const MAX_REQUESTS: u64 = 10_000_000;
/// Longest wait for one response.
const READ_WAIT: Duration = Duration::from_secs(10);

fn main() -> io::Result<()> {
    let rounds = setting("BENCH_ROUNDS", 5).max(1);
    let secs = setting("BENCH_SECS", 3).max(1);
    let clients = setting("BENCH_CLIENTS", 50).max(1) as usize;
    let round = Duration::from_secs(secs);

    let router = Router::new().get("/", |_: &Request, res: &mut Response| {
        res.send(200, "text/plain; charset=utf-8", BODY)
    });
    let rwh = Server::bind("127.0.0.1:0")?.spawn(router)?;
    let fixed = Arc::new(fixed_response());
    let bare = Bare::spawn(move |stream| serve_bare(stream, &fixed))?;

    println!("keep-alive hello: {clients} connections, {rounds} rounds of {secs} s");
    let servers = [("rwh", rwh.addr()), ("bare", bare.addr())];
    let mut results: [Vec<Round>; 2] = Default::default();
    for n in 0..rounds {
        // Alternate which server goes first, so neither always gets a warmer machine.
        for i in if n % 2 == 0 { [0, 1] } else { [1, 0] } {
            let (name, addr) = servers[i];
            let what = format!("round {} on {name}", n + 1);
            results[i].push(load(addr, clients, round, &what));
            let open = || rwh.connections() + bare.connections();
            wait_until_idle(open, Duration::from_secs(10));
        }
    }

    println!(
        "{:<6} {:>10} {:>14}   requests/s of each round",
        "server", "requests/s", "cpu/request"
    );
    let mut rates = Vec::new();
    for ((name, _), rounds) in servers.iter().zip(&results) {
        let all: Vec<f64> = rounds.iter().map(|r| r.rate).collect();
        let rate = median(&all);
        let cpu = median(&rounds.iter().map(|r| r.cpu_per_request).collect::<Vec<_>>());
        let each: Vec<String> = all.iter().map(|r| format!("{r:.0}")).collect();
        println!(
            "{name:<6} {rate:>10.0} {:>11.1} µs   {}",
            cpu * 1e6,
            each.join(" ")
        );
        rates.push(rate);
    }
    println!(
        "rwh/bare: {:.2} (ratio of the medians; target >= 0.70)",
        rates[0] / rates[1]
    );

    let wrk_rounds = setting("BENCH_WRK", 3);
    if wrk_rounds == 0 {
        println!("wrk: skipped (BENCH_WRK=0)");
    } else if !wrk_installed() {
        println!("wrk: not installed, skipped (Debian: apt-get install wrk)");
    } else {
        let mut rates: [Vec<f64>; 2] = Default::default();
        for n in 0..wrk_rounds {
            for i in if n % 2 == 0 { [0, 1] } else { [1, 0] } {
                rates[i].push(wrk(servers[i].1, clients));
            }
        }
        let (rwh_wrk, bare_wrk) = (median(&rates[0]), median(&rates[1]));
        println!(
            "wrk -t2 -c{clients} -d5s (median of {wrk_rounds}): rwh {rwh_wrk:.0} requests/s, \
             bare {bare_wrk:.0}, rwh/bare {:.2}",
            rwh_wrk / bare_wrk
        );
    }
    let others: Vec<f64> = results.iter().flatten().map(|r| r.others_share).collect();
    println!("{}", common::load_note(&others));
    println!(
        "scale: the book's Go net/http hello, about 88,000 requests/s (wrk, 2 threads, 50 connections)"
    );
    Ok(())
}

/// What one round on one server gave.
struct Round {
    rate: f64,
    /// CPU seconds of this whole process (server and clients) per request.
    cpu_per_request: f64,
    /// Share of the CPUs that other processes took meanwhile.
    others_share: f64,
}

/// One round: `clients` keep-alive connections send requests for `time`.
/// A failed check ends the bench.
fn load(addr: SocketAddr, clients: usize, time: Duration, what: &str) -> Round {
    let _watchdog = watchdog(time + Duration::from_secs(60), what);
    let cpu = CpuMeter::start();
    let start = Arc::new(Barrier::new(clients));
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let start = start.clone();
            thread::spawn(move || keep_alive_client(addr, &start, time))
        })
        .collect();
    let mut total = 0;
    let mut elapsed = Duration::ZERO;
    for (i, thread) in threads.into_iter().enumerate() {
        match thread.join() {
            Ok(Ok((requests, took))) => {
                total += requests;
                elapsed = elapsed.max(took);
            }
            Ok(Err(e)) => panic!("{what}: connection {i}: {e}"),
            Err(_) => panic!("{what}: connection {i} panicked"),
        }
    }
    let cpu = cpu.stop();
    Round {
        rate: total as f64 / elapsed.as_secs_f64(),
        cpu_per_request: cpu.own_secs / total.max(1) as f64,
        others_share: cpu.others_share,
    }
}

/// One connection: connect, wait for the others, then request after request for `time`.
/// Returns how many responses arrived and checked out, and how long that took.
fn keep_alive_client(
    addr: SocketAddr,
    start: &Barrier,
    time: Duration,
) -> Result<(u64, Duration), String> {
    let connected = TcpStream::connect(addr).and_then(|stream| {
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(READ_WAIT))?;
        Ok(stream)
    });
    start.wait(); // even after a failure: the others are waiting for this one
    let mut stream = connected.map_err(|e| format!("connect: {e}"))?;
    let mut buf = vec![0u8; 4096];
    let began = Instant::now();
    let until = began + time;
    for n in 0..MAX_REQUESTS {
        if Instant::now() >= until {
            return Ok((n, began.elapsed()));
        }
        stream
            .write_all(REQUEST)
            .map_err(|e| format!("request {n}: {e}"))?;
        read_response(&mut stream, &mut buf).map_err(|e| format!("response {n}: {e}"))?;
    }
    Ok((MAX_REQUESTS, began.elapsed()))
}

/// Reads one whole response into `buf` and checks it: status 200, our body.
fn read_response(stream: &mut TcpStream, buf: &mut [u8]) -> Result<(), String> {
    let mut have = 0;
    loop {
        let n = stream.read(&mut buf[have..]).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed".into());
        }
        have += n;
        let Some(head_end) = find(&buf[..have], b"\r\n\r\n") else {
            if have == buf.len() {
                return Err("response head too long".into());
            }
            continue;
        };
        let head = std::str::from_utf8(&buf[..head_end]).map_err(|e| e.to_string())?;
        if !head.starts_with("HTTP/1.1 200 ") {
            return Err(format!("not 200: {head:?}"));
        }
        let length = content_length(head).ok_or("no Content-Length")?;
        let end = head_end + 4 + length;
        if end > buf.len() {
            return Err("response too long".into());
        }
        if have < end {
            continue; // the rest of the body is on its way
        }
        if have > end || &buf[head_end + 4..end] != BODY {
            return Err(format!("unexpected body {:?}", &buf[head_end + 4..have]));
        }
        return Ok(());
    }
}

fn content_length(head: &str) -> Option<usize> {
    head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })
}

/// The bare server's one response, made once: the same fields rwh sends.
fn fixed_response() -> Vec<u8> {
    let date = httpdate::fmt_http_date(SystemTime::now());
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: {date}\r\n\
         Content-Length: {}\r\n\r\n",
        BODY.len()
    )
    .into_bytes();
    response.extend_from_slice(BODY);
    response
}

/// The bare server's connection: a fixed response for every request head that arrives.
fn serve_bare(mut stream: TcpStream, response: &[u8]) {
    let mut buf = [0u8; 4096];
    let mut have = 0;
    loop {
        match stream.read(&mut buf[have..]) {
            Ok(0) | Err(_) => return,
            Ok(n) => have += n,
        }
        // Answer every complete head in the buffer; keep the rest for the next read.
        while let Some(end) = find(&buf[..have], b"\r\n\r\n") {
            if stream.write_all(response).is_err() {
                return;
            }
            buf.copy_within(end + 4..have, 0);
            have -= end + 4;
        }
        if have == buf.len() {
            return; // a head larger than the buffer: not what this server is for
        }
    }
}

/// True if a `wrk` program can be started.
fn wrk_installed() -> bool {
    Command::new("wrk").arg("--version").output().is_ok()
}

/// `wrk -t2 -c<clients> -d5s` against `addr`: requests/s. Panics when wrk fails or
/// reports socket errors or non-2xx responses.
fn wrk(addr: SocketAddr, clients: usize) -> f64 {
    let _watchdog = watchdog(Duration::from_secs(60), "wrk");
    let output = Command::new("wrk")
        .args(["-t2", &format!("-c{clients}"), "-d5s", "--timeout", "5s"])
        .arg(format!("http://{addr}/"))
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "wrk failed: {text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !text.contains("Non-2xx") && !text.contains("Socket errors"),
        "wrk saw errors against {addr}:\n{text}"
    );
    text.lines()
        .find_map(|line| line.strip_prefix("Requests/sec:"))
        .and_then(|rate| rate.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk's output:\n{text}"))
}
