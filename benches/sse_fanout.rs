//! SSE fan-out: many clients each read a whole stream of 100 prime events at interval 0.
//!
//! What it measures: with every connection open, the wall time from the first client's
//! start to the last client's check of its 100th event, and events/s over all clients.
//! It runs the same load against two servers in this process, round after round,
//! alternating which goes first:
//!
//! - `rwh`:  `rwh::http::Server` with the real `/prime` handler of
//!   `examples/ch09_3_sse_server.rs` (it computes its primes as it goes, as the book's does);
//! - `bare`: a minimal `std::net` server, one thread per connection, that reads the request
//!   head crudely and writes the same 100 chunked events, one write per event. Its events
//!   are computed once before the run: it is the *ideal* for this thread model, with no
//!   prime arithmetic, routing, headers or formatting.
//!
//! Each client is a thread (small stack) with its own connection. It sends
//! `GET /prime`, decodes the chunked body, counts the `id:` lines and checks that the last
//! `data:` is `{"id": 100, "number": 541}`; any failure ends the bench with a message.
//! Connections are opened before the clock starts, no faster than the server accepts
//! them: `std`'s listen backlog is 128, and a burst of 1,000 connects overflows it.
//!
//! Run it (the separate target directory avoids waiting on other builds' lock):
//!
//! ```text
//! CARGO_TARGET_DIR=/tmp/bench-target cargo bench --bench sse_fanout
//! BENCH_ROUNDS=1 BENCH_CLIENTS=100 CARGO_TARGET_DIR=/tmp/bench-target cargo bench --bench sse_fanout
//! ```
//!
//! `BENCH_ROUNDS` (default 5) and `BENCH_CLIENTS` (default 1000) change the load.
//!
//! Reading the output: one row per server with MEDIANS over the rounds: wall time,
//! events/s, and `cpu`, the CPU seconds this whole process (server and clients) used in a
//! round; then `rwh/bare`, the events/s ratio (1.00 means as fast as the bare server; the
//! target is 0.70 or more). The line about primes says how much CPU the handler's own
//! prime arithmetic costs, which the bare server does not pay. Clients and servers share
//! this machine's CPUs, and other processes may too (the output says how much they took):
//! compare the ratio, not the absolute figures, and rerun when other load was high.

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)]
mod sse_server;

mod common;

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use common::{Bare, CpuMeter, CpuUse, median, setting, skip_request_head, wait_until_idle};
use rwh::http::{ChunkedReader, Server, write_chunk, write_last_chunk};
use rwh::primes::Primes;

/// Events in every stream (the issue's figure; the example's default count).
const EVENTS: u64 = 100;
/// What the last event of every stream must carry: 541 is the 100th prime.
const LAST_DATA: &str = r#"{"id": 100, "number": 541}"#;
/// Stack of a client thread: a client needs little, and there are a thousand of them.
const CLIENT_STACK: usize = 64 * 1024;
/// Connections opened ahead of the server's accepts, well under a listen backlog of 128.
const MAX_UNACCEPTED: usize = 32;
/// A round that takes longer than this ends the bench.
const ROUND_LIMIT: Duration = Duration::from_secs(120);

/// What one round on one server gave.
struct Round {
    wall: f64,
    cpu: CpuUse,
}

fn main() -> io::Result<()> {
    let rounds = setting("BENCH_ROUNDS", 5).max(1);
    let clients = setting("BENCH_CLIENTS", 1000).max(1) as usize;

    let pace = sse_server::Pace {
        interval_ms: 0,
        count: EVENTS,
    };
    let rwh = Server::bind("127.0.0.1:0")?.spawn(sse_server::routes(pace))?;
    let events = Arc::new(ideal_events());
    let bare = Bare::spawn(move |stream| serve_bare(stream, &events))?;

    println!("SSE fan-out: {clients} clients x {EVENTS} events at interval 0, {rounds} rounds");
    let servers: [(&str, SocketAddr, &dyn Fn() -> usize); 2] = [
        ("rwh", rwh.addr(), &|| rwh.connections()),
        ("bare", bare.addr(), &|| bare.connections()),
    ];
    let mut results: [Vec<Round>; 2] = Default::default();
    for n in 0..rounds {
        // Alternate which server goes first, so neither always gets a warmer machine.
        for i in if n % 2 == 0 { [0, 1] } else { [1, 0] } {
            let (name, addr, open) = servers[i];
            let what = format!("round {} on {name}", n + 1);
            results[i].push(fan_out(addr, clients, open, &what));
            let open = || rwh.connections() + bare.connections();
            wait_until_idle(open, Duration::from_secs(10));
        }
    }

    let total_events = (clients as u64 * EVENTS) as f64;
    println!(
        "{:<6} {:>9} {:>9} {:>8}   wall of each round (s)",
        "server", "wall (s)", "events/s", "cpu (s)"
    );
    let mut walls = Vec::new();
    for ((name, _, _), rounds) in servers.iter().zip(&results) {
        let all: Vec<f64> = rounds.iter().map(|r| r.wall).collect();
        let wall = median(&all);
        let cpu = median(&rounds.iter().map(|r| r.cpu.own_secs).collect::<Vec<_>>());
        let each: Vec<String> = all.iter().map(|s| format!("{s:.3}")).collect();
        println!(
            "{name:<6} {wall:>9.3} {:>9.0} {cpu:>8.2}   {}",
            total_events / wall,
            each.join(" ")
        );
        walls.push(wall);
    }
    println!(
        "rwh/bare: {:.2} (events/s, ratio of the medians; target >= 0.70)",
        walls[1] / walls[0]
    );
    println!("{}", prime_cost_note(clients));
    let others: Vec<f64> = results
        .iter()
        .flatten()
        .map(|r| r.cpu.others_share)
        .collect();
    println!("{}", common::load_note(&others));
    println!("scale: the book's Go server, 1,000 x 100 events at interval 0, about 1.4 s");
    Ok(())
}

/// One round: `clients` connections are opened and each handed to a client thread; once
/// the server has accepted them all, every client reads one stream at the same time.
/// A client's failure ends the bench.
fn fan_out(addr: SocketAddr, clients: usize, open: &dyn Fn() -> usize, what: &str) -> Round {
    let _watchdog = common::watchdog(ROUND_LIMIT, what);
    let deadline = Instant::now() + ROUND_LIMIT;
    let start = Arc::new(Barrier::new(clients + 1));
    let mut threads = Vec::new();
    for i in 0..clients {
        let stream = connect(addr, deadline).unwrap_or_else(|e| panic!("{what}: client {i}: {e}"));
        // Keep the server's accept queue short (see the top of the file).
        while i + 1 > open() + MAX_UNACCEPTED {
            assert!(
                Instant::now() < deadline,
                "{what}: the server stopped accepting"
            );
            thread::sleep(Duration::from_micros(100));
        }
        let start = start.clone();
        let client = thread::Builder::new()
            .stack_size(CLIENT_STACK)
            .spawn(move || {
                start.wait();
                let began = Instant::now();
                read_stream(stream, deadline).map(|()| (began, Instant::now()))
            })
            .expect("spawn a client thread");
        threads.push(client);
    }
    while open() < clients {
        assert!(
            Instant::now() < deadline,
            "{what}: only {} accepted",
            open()
        );
        thread::sleep(Duration::from_millis(1));
    }

    let cpu = CpuMeter::start();
    start.wait();
    // The clock runs from the first client's start to the last client's end: this thread
    // may wake up late among a thousand runnable ones, so it does not time the round.
    let mut first = None::<Instant>;
    let mut last = None::<Instant>;
    for (i, thread) in threads.into_iter().enumerate() {
        let (began, ended) = match thread.join() {
            Ok(Ok(times)) => times,
            Ok(Err(e)) => panic!("{what}: client {i}: {e}"),
            Err(_) => panic!("{what}: client {i} panicked"),
        };
        first = Some(first.map_or(began, |t| t.min(began)));
        last = Some(last.map_or(ended, |t| t.max(ended)));
    }
    let wall = match (first, last) {
        (Some(first), Some(last)) => (last - first).as_secs_f64(),
        _ => 0.0,
    };
    Round {
        wall,
        cpu: cpu.stop(),
    }
}

/// Opens a client's connection; its reads give up at `deadline`.
fn connect(addr: SocketAddr, deadline: Instant) -> Result<TcpStream, String> {
    let left = deadline.saturating_duration_since(Instant::now());
    let stream = TcpStream::connect_timeout(&addr, left).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(left.max(Duration::from_millis(1))))
        .map_err(|e| e.to_string())?;
    Ok(stream)
}

/// A client: `GET /prime`, then checks the stream: 100 `id:` lines, the right last event.
fn read_stream(stream: TcpStream, deadline: Instant) -> Result<(), String> {
    if Instant::now() > deadline {
        return Err("out of time before the request".into());
    }
    (&stream)
        .write_all(b"GET /prime HTTP/1.1\r\nHost: bench\r\n\r\n")
        .map_err(|e| format!("send: {e}"))?;

    // The head: a 200 status line, then fields up to the blank line; chunked, of course.
    let mut socket = BufReader::new(stream);
    let mut line = String::new();
    let mut chunked = false;
    for n in 0..64 {
        line.clear();
        socket
            .read_line(&mut line)
            .map_err(|e| format!("head: {e}"))?;
        if n == 0 && !line.starts_with("HTTP/1.1 200 ") {
            return Err(format!("status line {line:?}"));
        }
        let lower = line.to_ascii_lowercase();
        chunked |= lower.starts_with("transfer-encoding:") && lower.contains("chunked");
        if line == "\r\n" {
            break;
        }
    }
    if !chunked {
        return Err("the response is not chunked".into());
    }

    // The body, chunked coding removed, line by line: `id: N`, `data: {...}`, blank.
    let mut body = BufReader::new(ChunkedReader::new(socket));
    let (mut ids, mut last_data) = (0, String::new());
    for _ in 0..=3 * EVENTS {
        line.clear();
        let read = body
            .read_line(&mut line)
            .map_err(|e| format!("after {ids} events: {e}"))?;
        if read == 0 {
            break; // the last chunk: the stream is complete
        }
        if line.starts_with("id: ") {
            ids += 1;
        } else if let Some(data) = line.strip_prefix("data: ") {
            last_data = data.trim_end().to_string();
        }
    }
    if ids != EVENTS || last_data != LAST_DATA {
        return Err(format!("{ids} events, the last {last_data:?}"));
    }
    Ok(())
}

/// The bare server's events, computed once: each one a whole chunk, ready to write.
fn ideal_events() -> Vec<Vec<u8>> {
    (1..=EVENTS)
        .zip(Primes::new())
        .map(|(id, number)| {
            let event = format!("id: {id}\ndata: {{\"id\": {id}, \"number\": {number}}}\n\n");
            let mut chunk = Vec::new();
            write_chunk(&mut chunk, event.as_bytes()).expect("writing to a Vec");
            chunk
        })
        .collect()
}

/// The bare server's connection: read the head, write the stream, one write per event.
fn serve_bare(mut stream: TcpStream, events: &[Vec<u8>]) {
    if !skip_request_head(&mut stream) {
        return;
    }
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\
                Transfer-Encoding: chunked\r\n\r\n";
    // The head goes out with the first event, as rwh's first flush sends both.
    let mut first = head.as_bytes().to_vec();
    first.extend_from_slice(&events[0]);
    let mut writes = std::iter::once(&first).chain(&events[1..]);
    if writes
        .try_for_each(|bytes| stream.write_all(bytes))
        .is_err()
    {
        return;
    }
    let mut end = Vec::new();
    let _ = write_last_chunk(&mut end).and_then(|()| stream.write_all(&end));
    // Wait for the client to close, as a keep-alive server waits for the next request.
    skip_request_head(&mut stream);
}

/// How much CPU the handler's prime arithmetic takes for `clients` streams.
fn prime_cost_note(clients: usize) -> String {
    let began = Instant::now();
    let mut reps = 0u32;
    while reps < 20 || began.elapsed() < Duration::from_millis(200) {
        let last = Primes::new().take(EVENTS as usize).last();
        std::hint::black_box(last);
        reps += 1;
    }
    let per_stream = began.elapsed() / reps;
    format!(
        "primes: {EVENTS} primes take {per_stream:.0?} of CPU per stream, {:.0?} for \
         {clients} streams (rwh pays this, bare does not)",
        per_stream * clients as u32
    )
}
