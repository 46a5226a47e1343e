//! What both load benchmarks share: settings from the environment, a bare `std::net`
//! server to compare against, a watchdog that ends a run that hangs, and the median.
#![allow(dead_code)] // each bench uses its own subset

use std::io::{self, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// A whole-number setting from the environment, e.g. `BENCH_ROUNDS=1`, or `default`.
pub fn setting(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a whole number")),
        Err(_) => default,
    }
}

/// The middle value (the mean of the two middle ones for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// The line that says what else ran on the CPUs: the load generator (always, in this
/// process) and other processes, from the share of the CPUs they took in each round.
pub fn load_note(others_share: &[f64]) -> String {
    let cpus = thread::available_parallelism().map_or(1, |n| n.get());
    let max = others_share.iter().copied().fold(0.0, f64::max);
    format!(
        "load: the load generator runs in this process, on the same {cpus} CPU(s) as the \
         servers; other load (processes, VM steal) took {:.0}% of the CPUs (median of the \
         rounds; max {:.0}%)",
        100.0 * median(others_share),
        100.0 * max
    )
}

/// CPU time spent while it runs: by this process (servers and load generator together)
/// and by every other process on the machine, read from Linux's `/proc`.
pub struct CpuMeter {
    began: Instant,
    own: f64,
    all: f64,
}

/// What a [`CpuMeter`] saw: seconds of CPU this process used, and the share of all
/// CPUs that other processes took meanwhile (they make the figures noisy).
#[derive(Debug, Clone, Copy)]
pub struct CpuUse {
    pub own_secs: f64,
    pub others_share: f64,
}

impl CpuMeter {
    pub fn start() -> CpuMeter {
        CpuMeter {
            began: Instant::now(),
            own: own_cpu_secs(),
            all: busy_cpu_secs(),
        }
    }

    pub fn stop(&self) -> CpuUse {
        let wall = self.began.elapsed().as_secs_f64();
        let own_secs = own_cpu_secs() - self.own;
        let others = busy_cpu_secs() - self.all - own_secs;
        let cpus = thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        CpuUse {
            own_secs,
            others_share: (others / (wall * cpus)).clamp(0.0, 1.0),
        }
    }
}

/// Clock ticks in `/proc` figures (Linux's USER_HZ, 100 on every common platform).
const TICKS_PER_SEC: f64 = 100.0;

/// User and system time of this process (all threads), from `/proc/self/stat`.
fn own_cpu_secs() -> f64 {
    process_cpu_secs("self")
}

/// User and system time of process `pid` (`"self"` for this one), all threads, from
/// `/proc/PID/stat`; 0 where it cannot be read.
pub fn process_cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the `(name)` come the fields from the 3rd on: utime and stime are the 14th
    // and 15th, so the 12th and 13th here.
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let ticks: f64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse::<f64>().ok())
        .sum();
    ticks / TICKS_PER_SEC
}

/// Busy time of all CPUs, from `/proc/stat`: its first line is
/// `cpu user nice system idle iowait irq softirq steal …`; all but idle and iowait count.
fn busy_cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|f| f.parse().ok())
        .collect();
    let waiting = ticks.get(3).unwrap_or(&0.0) + ticks.get(4).unwrap_or(&0.0);
    (ticks.iter().sum::<f64>() - waiting) / TICKS_PER_SEC
}

/// Ends the whole process with `what` if it is still alive after `limit`: a bench that
/// hangs must fail loudly instead of waiting for ever. Disarmed when dropped.
pub struct Watchdog {
    _armed: mpsc::Sender<()>,
}

pub fn watchdog(limit: Duration, what: impl Into<String>) -> Watchdog {
    let what = what.into();
    let (armed, disarmed) = mpsc::channel::<()>();
    thread::spawn(move || {
        // Dropping the Watchdog drops the sender: the wait ends with `Disconnected`.
        if let Err(RecvTimeoutError::Timeout) = disarmed.recv_timeout(limit) {
            eprintln!("bench aborted: {what} did not finish within {limit:?}");
            std::process::exit(2);
        }
    });
    Watchdog { _armed: armed }
}

/// Waits until `open()` (connections still being served) is 0, so that one round's
/// leftovers do not slow the next; panics after `limit`.
pub fn wait_until_idle(open: impl Fn() -> usize, limit: Duration) {
    let until = Instant::now() + limit;
    while open() > 0 {
        assert!(
            Instant::now() < until,
            "{} connections still open after {limit:?}",
            open()
        );
        thread::sleep(Duration::from_millis(5));
    }
}

/// The baseline: a listener that gives each connection its own thread, with the same
/// stack size as rwh's, and nothing else. `serve` does the work for one connection.
pub struct Bare {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    live: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl Bare {
    pub fn spawn(serve: impl Fn(TcpStream) + Send + Sync + 'static) -> io::Result<Bare> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let live = Arc::new(AtomicUsize::new(0));
        let (s, l, serve) = (stop.clone(), live.clone(), Arc::new(serve));
        let thread = thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                l.fetch_add(1, Ordering::SeqCst);
                let (l, serve) = (l.clone(), serve.clone());
                thread::Builder::new()
                    .name("bare-conn".into()) // rwh names its threads too; perf shows them
                    .stack_size(rwh::http::CONNECTION_STACK)
                    .spawn(move || {
                        let _ = stream.set_nodelay(true); // as rwh does
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                        serve(stream);
                        l.fetch_sub(1, Ordering::SeqCst);
                    })
                    .expect("spawn a connection thread");
            }
        });
        Ok(Bare {
            addr,
            stop,
            live,
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connections being served right now.
    pub fn connections(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }
}

impl Drop for Bare {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads the request head crudely: bytes until a blank line. False at EOF or error.
pub fn skip_request_head(stream: &mut TcpStream) -> bool {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) if seen.len() + n > 16 * 1024 => return false,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    true
}

/// Where `needle` first occurs in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
