//! Section 9.4.3's rooms under load: fan-out, idle members, and churn, against the chat
//! example (`examples/ch09_4_chat_rooms.rs`) running in a process of its own, so that
//! its CPU time, RSS and threads can be read from /proc apart from the load generator's.
//!
//! ```text
//! cargo bench --bench rooms                                   # everything, as below
//! ROOMS_BENCH_ONLY=fanout ROOMS_BENCH_RATES=50 cargo bench --bench rooms
//! ```
//!
//! - **Fan-out**: `ROOMS_BENCH_MEMBERS` (1,000) members in one room; `ROOMS_BENCH_SENDERS`
//!   (4) of them send, together, R messages/s for `ROOMS_BENCH_SECS` (10) s, for each R
//!   in `ROOMS_BENCH_RATES` (50,100,200), evenly spaced (open loop: a late sender does
//!   not slow down the schedule), and for each of `ROOMS_BENCH_MODES`: `direct` (the
//!   default: the hub writes to a member's socket itself when that needs no waiting),
//!   `queued` (every message through the member's writer thread, gorilla's way), and
//!   `bare`, the floor: a minimal `std::net` server that writes each frame to every
//!   connection in turn, with no WebSocket library, queues or eviction.
//!   Reported: deliveries expected and made, loss, evictions
//!   (close 1008), deliveries/s, fan-out latency (from the sender's write to the
//!   member's read, every copy) at p50, p99, p99.9 and max, the same to the moment the
//!   copy reached the member's socket (the kernel's receive stamp, `SO_TIMESTAMPNS`: the
//!   server's part without the load generator's own delay) at p50 and p99, CPU of the
//!   server and of the load generator (100% is one core), the share of all CPUs other
//!   processes took meanwhile, and how late the senders ran behind their schedule.
//! - **Idle**: `ROOMS_BENCH_IDLE` (1,000) members join and stay silent: the server's
//!   CPU over `ROOMS_BENCH_SECS`, and its RSS and threads per member.
//! - **Churn**: `ROOMS_BENCH_CHURN` (10,000) joins and leaves from 8 client threads over 10
//!   room names (rooms open and end all the time); each member says one line, hears it
//!   back, closes with 1000 and waits for the answer. Reported: threads and RSS before
//!   and after.
//!
//! The load generator reads every member through `epoll` (see `room_load/`), on two
//! threads, and shares the machine's CPUs with the server: figures are what this machine
//! gave at the time, noisy when other programs run (the output says how much they took).
//! Reported, never asserted.

mod common;
mod room_load;

#[path = "../examples/ch09_4_chat_rooms.rs"]
#[allow(dead_code)] // the example's main() and Args are not used here
mod chat;

use std::env;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{CpuMeter, setting, watchdog};
use room_load::{Readers, client_frame, handshake, message, server_frame, write_all_nonblocking};
use rwh::http::{Limits, Server};
use rwh::room::{RoomConfig, Rooms};
use rwh::ws::{Config, Heartbeat, Upgrader};

/// Set in the environment of the child process that serves the chat example: `direct`
/// (the default configuration) or `queued` (every message through the member's writer
/// thread, as in gorilla's chat).
const CHILD: &str = "RWH_ROOMS_BENCH_CHILD";
/// Reader threads of the load generator by default (`ROOMS_BENCH_READERS`): one per
/// core of the project's machine.
const READERS: u64 = 2;
/// Bytes in each sender's message: a line of chat.
const SIZE: usize = 64;
/// Longest wait for the last copies after the senders stop; the wait also ends when
/// nothing has arrived for [`STALL`]. Long enough that an overloaded server delivers
/// its backlog: what is still missing after it is lost, not late.
const DRAIN: Duration = Duration::from_secs(90);
/// How long the drain waits without a single copy arriving before it gives up.
const STALL: Duration = Duration::from_secs(3);
/// Client threads in the churn run, and the room names they cycle through.
const CHURNERS: usize = 8;
const CHURN_ROOMS: usize = 10;

fn main() -> io::Result<()> {
    if let Ok(mode) = env::var(CHILD) {
        return match mode.as_str() {
            "bare" => serve_bare(),
            mode => serve_child(mode == "direct"),
        };
    }
    let only = env::var("ROOMS_BENCH_ONLY").unwrap_or_default();
    let secs = setting("ROOMS_BENCH_SECS", 10).max(1);
    if only.is_empty() || only == "fanout" {
        let members = setting("ROOMS_BENCH_MEMBERS", 1000).max(1) as usize;
        let senders = (setting("ROOMS_BENCH_SENDERS", 4) as usize).clamp(1, room_load::MAX_SENDERS);
        let rates = env::var("ROOMS_BENCH_RATES").unwrap_or_else(|_| "50,100,200".into());
        let modes = env::var("ROOMS_BENCH_MODES").unwrap_or_else(|_| "direct,queued,bare".into());
        println!(
            "fan-out: {members} members in one room, {senders} senders, {secs} s per rate, {SIZE}-byte messages"
        );
        println!();
        println!(
            "| writes | msg/s | expected | delivered | lost | evicted | deliveries/s | p50 ms | p99 ms | p99.9 ms | max ms | arrival p50 ms | arrival p99 ms | server CPU | loadgen CPU | other load | sender late, max ms |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for rate in rates
            .split(',')
            .filter_map(|r| r.trim().parse::<f64>().ok())
        {
            for mode in modes.split(',').map(str::trim) {
                let what = format!("fan-out at {rate}/s, {mode}");
                let _dog = watchdog(Duration::from_secs(secs + DRAIN.as_secs() + 120), what);
                fan_out(mode, members, senders, rate, secs)?;
            }
        }
        println!();
    }
    if only.is_empty() || only == "idle" {
        let _dog = watchdog(Duration::from_secs(secs + 120), "the idle run");
        idle(setting("ROOMS_BENCH_IDLE", 1000) as usize, secs)?;
    }
    if only.is_empty() || only == "churn" {
        let _dog = watchdog(Duration::from_secs(600), "the churn run");
        churn(setting("ROOMS_BENCH_CHURN", 10_000) as usize)?;
    }
    Ok(())
}

/// The child: the chat example as `cargo run --example ch09_4_chat_rooms` serves it
/// (gorilla's heartbeat, default rooms, or rooms without direct writes), with room for
/// 20,000 connections. Prints its address, then serves until its stdin closes.
fn serve_child(direct_writes: bool) -> io::Result<()> {
    let server = Server::bind("127.0.0.1:0")?.with_limits(Limits {
        max_connections: 20_000,
        ..Limits::default()
    });
    let addr = server.local_addr();
    let upgrader = Upgrader::new().config(Config::default().with_heartbeat(Heartbeat::default()));
    let rooms = Rooms::new(RoomConfig {
        direct_writes,
        ..RoomConfig::default()
    });
    thread::spawn(move || server.run(chat::routes(&rooms, upgrader)));
    println!("{addr}");
    io::stdout().flush()?;
    let _ = io::stdin().read_to_end(&mut Vec::new());
    Ok(())
}

/// The floor for this fan-out on this machine: a bare `std::net` server, one thread per
/// connection, that answers any upgrade request with a fixed `101`, and writes each text
/// frame it reads, unmasked, to every connection in turn with a blocking `write_all`.
/// No WebSocket library, no rooms, no queues, no eviction: one room, and a slow reader
/// would stall it. Prints its address, then serves until its stdin closes.
fn serve_bare() -> io::Result<()> {
    let members: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
    let all = members.clone();
    let bare = common::Bare::spawn(move |stream| bare_member(stream, &all))?;
    println!("{}", bare.addr());
    io::stdout().flush()?;
    let _ = io::stdin().read_to_end(&mut Vec::new());
    Ok(())
}

/// One connection of the bare server: the fixed handshake, then every text frame read is
/// written to everyone.
fn bare_member(mut stream: TcpStream, members: &Mutex<Vec<TcpStream>>) {
    const ANSWER: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    if !common::skip_request_head(&mut stream) || stream.write_all(ANSWER).is_err() {
        return;
    }
    let _ = stream.set_read_timeout(None);
    let Ok(writer) = stream.try_clone() else {
        return;
    };
    members
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(writer);
    let (mut buf, mut chunk) = (Vec::new(), [0u8; 4096]);
    loop {
        while let Some((opcode, payload, used)) = masked_frame(&buf) {
            buf.drain(..used);
            match opcode {
                1 => {
                    let mut frame = vec![0x81, payload.len() as u8];
                    frame.extend_from_slice(&payload);
                    for member in members.lock().unwrap_or_else(|p| p.into_inner()).iter() {
                        let _ = (&*member).write_all(&frame);
                    }
                }
                8 => return,
                _ => {}
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A masked client frame of at most 125 bytes at the front of `buf`, unmasked:
/// (opcode, payload, length on the wire).
fn masked_frame(buf: &[u8]) -> Option<(u8, Vec<u8>, usize)> {
    let len = (*buf.get(1)? & 0x7f) as usize;
    let used = 6 + len;
    if len > 125 || buf.len() < used {
        return None;
    }
    let mask = &buf[2..6];
    let payload = buf[6..used]
        .iter()
        .enumerate()
        .map(|(i, b)| b ^ mask[i % 4])
        .collect();
    Some((buf[0] & 0x0f, payload, used))
}

/// The server in a process of its own, killed when dropped.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
}

impl ServerProcess {
    /// Starts the chat example with direct writes (`direct`) or without (`queued`), or
    /// the bare fan-out server (`bare`).
    fn start(mode: &str) -> io::Result<ServerProcess> {
        let mut child = Command::new(env::current_exe()?)
            .env(CHILD, mode)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
        let addr = line
            .trim()
            .parse()
            .map_err(|_| io::Error::other(format!("bad address line {line:?}")))?;
        Ok(ServerProcess { child, addr })
    }

    /// User and system CPU seconds the server has used so far.
    fn cpu_secs(&self) -> f64 {
        common::process_cpu_secs(&self.child.id().to_string())
    }

    /// A number field of the server's /proc status (kB for memory).
    fn status(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(f64::NAN)
    }

    /// Waits (bounded) until the server's thread count is back to `threads`.
    fn settle(&self, threads: f64, limit: Duration) -> f64 {
        let until = Instant::now() + limit;
        while self.status("Threads:") > threads && Instant::now() < until {
            thread::sleep(Duration::from_millis(20));
        }
        self.status("Threads:")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Opens `count` members of `room`, one after another.
fn open_members(
    addr: SocketAddr,
    room: &str,
    count: usize,
) -> io::Result<Vec<(TcpStream, Vec<u8>)>> {
    (0..count)
        .map(|_| handshake(addr, &format!("/rooms/{room}/ws")))
        .collect()
}

fn percentile(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q) as usize] as f64 / 1000.0
}

/// One fan-out run at `rate` messages/s; prints a table row.
fn fan_out(mode: &str, members: usize, senders: usize, rate: f64, secs: u64) -> io::Result<()> {
    let server = ServerProcess::start(mode)?;
    let epoch = Instant::now();
    let conns = open_members(server.addr, "fanout", members)?;
    let voices: Vec<TcpStream> = conns[..senders]
        .iter()
        .map(|(s, _)| s.try_clone())
        .collect::<io::Result<_>>()?;
    let reader_threads = setting("ROOMS_BENCH_READERS", READERS).max(1) as usize;
    let readers = Readers::start(conns, reader_threads, epoch)?;

    // Warm-up: one message that every member must get before the clock starts.
    write_all_nonblocking(&voices[0], &client_frame(1, b"warm-up"))?;
    let until = Instant::now() + Duration::from_secs(30);
    while readers.other.load(Ordering::Relaxed) < members as u64 {
        if Instant::now() > until {
            return Err(io::Error::other(
                "the warm-up message did not reach everyone",
            ));
        }
        thread::sleep(Duration::from_millis(5));
    }
    thread::sleep(Duration::from_millis(200));

    let per_sender = (rate * secs as f64 / senders as f64).round() as u64;
    let expected = per_sender * senders as u64 * members as u64;
    let late_us = AtomicU64::new(0);
    let cpu = CpuMeter::start();
    let server_cpu = server.cpu_secs();
    let start = Instant::now();
    thread::scope(|s| {
        for (n, voice) in voices.iter().enumerate() {
            let late_us = &late_us;
            s.spawn(move || -> io::Result<()> {
                for k in 0..per_sender {
                    let slot = (k * senders as u64 + n as u64) as f64 / rate;
                    let due = start + Duration::from_secs_f64(slot);
                    match due.checked_duration_since(Instant::now()) {
                        Some(wait) => thread::sleep(wait),
                        None => {
                            late_us.fetch_max(due.elapsed().as_micros() as u64, Ordering::Relaxed);
                        }
                    }
                    let text = message(n, k, epoch, SIZE);
                    write_all_nonblocking(voice, &client_frame(1, &text))?;
                }
                Ok(())
            });
        }
    });
    // Drain: until every copy is in, or nothing has arrived for a while.
    let (mut last, mut last_change) = (0, Instant::now());
    let drain_until = Instant::now() + DRAIN;
    while Instant::now() < drain_until {
        let now = readers.delivered.load(Ordering::Relaxed);
        if now >= expected {
            last_change = Instant::now();
            break;
        }
        if now != last {
            (last, last_change) = (now, Instant::now());
        } else if last_change.elapsed() > STALL {
            break;
        }
        thread::sleep(Duration::from_millis(1));
    }
    let wall = (last_change - start).as_secs_f64();
    let server_cpu = server.cpu_secs() - server_cpu;
    let own = cpu.stop();
    // The meter counts the server (another process) among the others: take it out.
    let cpus = thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let others = (own.others_share - server_cpu / (wall * cpus)).max(0.0);
    let mut seen = readers.stop()?;
    seen.latencies_us.sort_unstable();
    seen.arrivals_us.sort_unstable();
    let lat = &seen.latencies_us;
    let arr = &seen.arrivals_us;
    let evicted = seen.closes.iter().filter(|&&c| c == 1008).count();
    println!(
        "| {mode} | {rate:.0} | {expected} | {} | {} | {evicted} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0}% | {:.0}% | {:.0}% | {:.1} |",
        seen.delivered,
        expected.saturating_sub(seen.delivered),
        seen.delivered as f64 / wall,
        percentile(lat, 0.50),
        percentile(lat, 0.99),
        percentile(lat, 0.999),
        percentile(lat, 1.0),
        percentile(arr, 0.50),
        percentile(arr, 0.99),
        100.0 * server_cpu / wall,
        100.0 * (own.own_secs / wall),
        100.0 * others,
        late_us.load(Ordering::Relaxed) as f64 / 1000.0,
    );
    if seen.disorder > 0 || seen.cut > 0 {
        println!(
            "  (at {rate:.0}/s: {} copies out of order or repeated, {} members cut without a close)",
            seen.disorder, seen.cut
        );
    }
    Ok(())
}

/// Idle members: CPU over `secs`, RSS and threads per member.
fn idle(count: usize, secs: u64) -> io::Result<()> {
    let server = ServerProcess::start("direct")?;
    // Warm-up: the first member pays for one-time allocations (the timer thread...).
    drop(open_members(server.addr, "warm", 1)?);
    thread::sleep(Duration::from_millis(500));
    let threads_before = server.settle(0.0, Duration::ZERO);
    let rss_before = server.status("VmRSS:");
    let held = open_members(server.addr, "idle", count)?;
    thread::sleep(Duration::from_secs(1));
    let rss_after = server.status("VmRSS:");
    let threads_after = server.status("Threads:");
    let cpu_before = server.cpu_secs();
    let began = Instant::now();
    thread::sleep(Duration::from_secs(secs));
    let cpu = server.cpu_secs() - cpu_before;
    let wall = began.elapsed().as_secs_f64();
    println!(
        "idle: {count} members in one room, silent for {secs} s (gorilla's heartbeat: the first ping is 54 s away)"
    );
    println!();
    println!(
        "| server CPU over {secs} s | RSS before → after | RSS per member | threads before → after | threads per member |"
    );
    println!("|---|---|---|---|---|");
    println!(
        "| {:.2}% of a core ({cpu:.2} s) | {:.1} → {:.1} MiB | {:.1} KiB | {threads_before:.0} → {threads_after:.0} | {:.2} |",
        100.0 * cpu / wall,
        rss_before / 1024.0,
        rss_after / 1024.0,
        (rss_after - rss_before) / count as f64,
        (threads_after - threads_before) / count as f64,
    );
    println!();
    drop(held);
    Ok(())
}

/// One member's visit: join, say a line, hear it back, close with 1000, wait for the answer.
fn visit(addr: SocketAddr, room: &str) -> io::Result<()> {
    let (mut stream, mut buf) = handshake(addr, &format!("/rooms/{room}/ws"))?;
    stream.write_all(&client_frame(1, b"hello"))?;
    let mut chunk = [0u8; 4096];
    let mut closing = false;
    loop {
        while let Some((opcode, payload, used)) = server_frame(&buf) {
            let text = &buf[payload];
            match opcode {
                1 if text == b"hello" && !closing => {
                    stream.write_all(&client_frame(8, &1000u16.to_be_bytes()))?;
                    closing = true;
                }
                8 => return Ok(()),
                _ => {}
            }
            buf.drain(..used);
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return if closing {
                Ok(())
            } else {
                Err(io::Error::other("closed before the echo"))
            };
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Joins and leaves: threads and RSS before and after.
fn churn(visits: usize) -> io::Result<()> {
    let server = ServerProcess::start("direct")?;
    visit(server.addr, "warm")?;
    thread::sleep(Duration::from_millis(500));
    let threads_before = server.settle(0.0, Duration::ZERO);
    let rss_before = server.status("VmRSS:");
    let peak_threads = AtomicU64::new(0);
    let began = Instant::now();
    thread::scope(|s| -> io::Result<()> {
        let workers: Vec<_> = (0..CHURNERS)
            .map(|w| {
                let (server, peak) = (&server, &peak_threads);
                s.spawn(move || -> io::Result<()> {
                    for i in (w..visits).step_by(CHURNERS) {
                        visit(server.addr, &format!("churn-{}", i % CHURN_ROOMS))?;
                        if i % 500 == 0 {
                            peak.fetch_max(server.status("Threads:") as u64, Ordering::Relaxed);
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        for worker in workers {
            worker
                .join()
                .map_err(|_| io::Error::other("a churn client panicked"))??;
        }
        Ok(())
    })?;
    let elapsed = began.elapsed().as_secs_f64();
    let threads_after = server.settle(threads_before, Duration::from_secs(30));
    thread::sleep(Duration::from_secs(1));
    let rss_after = server.status("VmRSS:");
    println!(
        "churn: {visits} joins and leaves from {CHURNERS} clients over {CHURN_ROOMS} room names, in {elapsed:.1} s ({:.0} visits/s)",
        visits as f64 / elapsed
    );
    println!();
    println!("| threads before → peak (sampled) → after | RSS before → after | RSS growth |");
    println!("|---|---|---|");
    println!(
        "| {threads_before:.0} → {} → {threads_after:.0} | {:.1} → {:.1} MiB | {:.2} MiB |",
        peak_threads.load(Ordering::Relaxed),
        rss_before / 1024.0,
        rss_after / 1024.0,
        (rss_after - rss_before) / 1024.0,
    );
    Ok(())
}
