//! Section 9.4's echo under load, beside a bare `std::net` TCP echo of the same sizes
//! (the physical limit of a thread-per-connection design), and the memory an idle
//! WebSocket connection costs.
//!
//! ```text
//! cargo bench --bench ws_echo                 # 50 connections x 2,000 messages of 64 bytes
//! WS_BENCH_ROUNDS=5 WS_BENCH_IDLE=1000 cargo bench --bench ws_echo
//! ```
//!
//! Reported, never asserted: round trips per second, p50/p99 latency (medians over the
//! rounds), the ratio to the bare echo, and RSS per idle connection in a server process
//! of its own.

use std::env;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use rwh::http::{Limits, Server};
use rwh::ws::{Config, Heartbeat, Message, Upgrader};
use tungstenite::protocol::WebSocketConfig;

#[path = "../examples/ch09_4_ws_echo_server.rs"]
#[allow(dead_code)] // the example's main() and Args are not used here
mod echo;

const CONNECTIONS: usize = 50;
const MESSAGES: usize = 2_000;
const SIZE: usize = 64;
/// Set in the environment of the child process that serves the memory measurement.
const CHILD: &str = "RWH_WS_BENCH_CHILD";

fn main() -> io::Result<()> {
    if let Ok(kind) = env::var(CHILD) {
        return serve_child(&kind);
    }
    let rounds = env_number("WS_BENCH_ROUNDS", 3);
    let idle = env_number("WS_BENCH_IDLE", 1000);
    println!(
        "echo: {CONNECTIONS} connections x {MESSAGES} messages of {SIZE} bytes, {rounds} rounds (medians)"
    );

    let bare = bare_echo_server()?;
    let ws = ws_echo_server()?;
    let mut runs: [Vec<Run>; 3] = Default::default();
    for round in 0..rounds {
        runs[0].push(load(bare, Client::Bare)?);
        runs[1].push(load(ws, Client::Tungstenite)?);
        runs[2].push(load(ws, Client::Rwh)?);
        eprintln!("round {} of {rounds} done", round + 1);
    }
    let bare_rate = median(runs[0].iter().map(|r| r.rate));
    println!();
    println!(
        "| {:<40} | {:>13} | {:>7} | {:>7} | {:>7} |",
        "server (client)", "round trips/s", "p50 µs", "p99 µs", "vs bare"
    );
    println!("|{:-<42}|{:->15}|{:->9}|{:->9}|{:->9}|", "", "", "", "", "");
    let names = [
        "bare std::net TCP echo (raw client)",
        "rwh WebSocket echo (tungstenite client)",
        "rwh WebSocket echo (rwh client)",
    ];
    for (name, runs) in names.iter().zip(&runs) {
        let rate = median(runs.iter().map(|r| r.rate));
        println!(
            "| {:<40} | {:>13.0} | {:>7.0} | {:>7.0} | {:>6.0}% |",
            name,
            rate,
            median(runs.iter().map(|r| r.p50_us)),
            median(runs.iter().map(|r| r.p99_us)),
            100.0 * rate / bare_rate
        );
    }

    println!();
    println!("idle connections: {idle}, each server in a process of its own");
    for kind in ["bare", "ws"] {
        let m = idle_memory(kind, idle)?;
        println!(
            "{kind:>4}: RSS {:.1} MiB -> {:.1} MiB, {:.1} KiB per connection, {} threads",
            m.before_kib / 1024.0,
            m.after_kib / 1024.0,
            (m.after_kib - m.before_kib) / idle as f64,
            m.threads
        );
    }
    Ok(())
}

fn env_number(name: &str, default: usize) -> usize {
    env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A bare echo: one thread per connection copying what it reads back to the socket.
fn bare_echo_server() -> io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = thread::Builder::new()
                .stack_size(rwh::http::CONNECTION_STACK)
                .spawn(move || bare_echo(stream));
        }
    });
    Ok(addr)
}

fn bare_echo(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 || stream.write_all(&buf[..n]).is_err() {
            return;
        }
    }
}

/// The 9.4 echo example with gorilla's heartbeat, as `cargo run --example` serves it.
fn ws_echo_server() -> io::Result<SocketAddr> {
    let server = Server::bind("127.0.0.1:0")?.with_limits(Limits {
        max_connections: 10_000,
        ..Limits::default()
    });
    let addr = server.local_addr();
    let upgrader = Upgrader::new().config(Config::default().with_heartbeat(Heartbeat::default()));
    thread::spawn(move || server.run(echo::routes(upgrader)));
    Ok(addr)
}

#[derive(Clone, Copy)]
enum Client {
    Bare,
    Tungstenite,
    Rwh,
}

struct Run {
    rate: f64,
    p50_us: f64,
    p99_us: f64,
}

/// Runs every connection's round trips at once; returns the rate and latencies.
fn load(addr: SocketAddr, client: Client) -> io::Result<Run> {
    let start = Arc::new(Barrier::new(CONNECTIONS + 1));
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let start = start.clone();
            thread::spawn(move || -> io::Result<Vec<u32>> {
                let mut talk = open(addr, client)?;
                start.wait();
                let payload = [b'x'; SIZE];
                let mut samples = Vec::with_capacity(MESSAGES);
                for _ in 0..MESSAGES {
                    let sent = Instant::now();
                    talk(&payload)?;
                    samples.push(sent.elapsed().as_nanos() as u32);
                }
                Ok(samples)
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    let mut samples = Vec::with_capacity(CONNECTIONS * MESSAGES);
    for worker in workers {
        samples.extend(worker.join().expect("a client thread panicked")?);
    }
    let elapsed = began.elapsed().as_secs_f64();
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize] as f64 / 1000.0;
    Ok(Run {
        rate: samples.len() as f64 / elapsed,
        p50_us: at(0.50),
        p99_us: at(0.99),
    })
}

type RoundTrip = Box<dyn FnMut(&[u8]) -> io::Result<()> + Send>;

/// Connects one client; the closure sends a message and waits for its echo.
fn open(addr: SocketAddr, client: Client) -> io::Result<RoundTrip> {
    let url = format!("ws://{addr}/echo");
    Ok(match client {
        Client::Bare => {
            let mut stream = TcpStream::connect(addr)?;
            stream.set_nodelay(true)?;
            let mut back = [0u8; SIZE];
            Box::new(move |payload| {
                stream.write_all(payload)?;
                stream.read_exact(&mut back)
            })
        }
        Client::Tungstenite => {
            let stream = TcpStream::connect(addr)?;
            stream.set_nodelay(true)?;
            // tungstenite zeroes its read buffer (128 KiB by default) on every read:
            // use rwh's 512 bytes, so that the client's cost does not hide the server's.
            let config = WebSocketConfig::default().read_buffer_size(512);
            let (mut ws, _) =
                tungstenite::client::client_with_config(url.as_str(), stream, Some(config))
                    .map_err(io::Error::other)?;
            Box::new(move |payload| {
                ws.send(Message::Binary(payload.to_vec().into()))
                    .map_err(io::Error::other)?;
                match ws.read().map_err(io::Error::other)? {
                    Message::Binary(b) if b.len() == SIZE => Ok(()),
                    other => Err(io::Error::other(format!("unexpected {other:?}"))),
                }
            })
        }
        Client::Rwh => {
            let mut conn = rwh::ws::connect(&url).map_err(io::Error::other)?;
            Box::new(move |payload| {
                conn.send(Message::Binary(payload.to_vec().into()))
                    .map_err(io::Error::other)?;
                match conn.recv().map_err(io::Error::other)? {
                    Message::Binary(b) if b.len() == SIZE => Ok(()),
                    other => Err(io::Error::other(format!("unexpected {other:?}"))),
                }
            })
        }
    })
}

struct Memory {
    before_kib: f64,
    after_kib: f64,
    threads: usize,
}

/// Starts a server process, opens `count` connections that each make one round trip
/// and then stay idle, and reads the server's RSS before and after.
fn idle_memory(kind: &str, count: usize) -> io::Result<Memory> {
    let mut child = Command::new(env::current_exe()?)
        .env(CHILD, kind)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let result = measure_child(&mut child, kind, count);
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn measure_child(child: &mut Child, kind: &str, count: usize) -> io::Result<Memory> {
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
    let addr: SocketAddr = line
        .trim()
        .parse()
        .map_err(|_| io::Error::other(format!("bad address line {line:?}")))?;
    let client = match kind {
        "ws" => Client::Rwh,
        _ => Client::Bare,
    };
    // Warm up: the first connection pays for one-time allocations (the timer thread...).
    let mut warm = open(addr, client)?;
    warm(&[b'w'; SIZE])?;
    thread::sleep(Duration::from_millis(200));
    let before = proc_status(child.id(), "VmRSS:")?;
    let mut held = Vec::with_capacity(count);
    for _ in 0..count {
        let mut talk = open(addr, client)?;
        talk(&[b'i'; SIZE])?;
        held.push(talk);
    }
    thread::sleep(Duration::from_millis(500));
    let after = proc_status(child.id(), "VmRSS:")?;
    let threads = proc_status(child.id(), "Threads:")? as usize;
    drop(held);
    Ok(Memory {
        before_kib: before,
        after_kib: after,
        threads,
    })
}

/// A number field of /proc/PID/status (kB for memory fields).
fn proc_status(pid: u32, field: &str) -> io::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| io::Error::other(format!("no {field} in /proc/{pid}/status")))
}

/// The child process: serves one kind of echo and prints its address.
fn serve_child(kind: &str) -> io::Result<()> {
    let addr = match kind {
        "ws" => ws_echo_server()?,
        _ => bare_echo_server()?,
    };
    println!("{addr}");
    io::stdout().flush()?;
    // Serve until the parent kills this process (bounded: at most ten minutes).
    thread::sleep(Duration::from_secs(600));
    Ok(())
}
