//! `cargo run`: the companion server, every demo of the book on one port.

use std::io;
use std::time::Duration;

use clap::Parser;
use rwh::http::{Request, Response, Router, Server};
use rwh::ws::{Config, Heartbeat, Upgrader};

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)] // the example's own main() and Args are not used here
mod sse_server;

#[path = "../examples/ch09_4_ws_echo_server.rs"]
#[allow(dead_code)] // the example's own main() and Args are not used here
mod ws_echo;

/// The page that links every demo.
const INDEX: &str = include_str!("index.html");

/// The companion server of rwh: every demo of chapter 9 on one port.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:18888")]
    addr: String,
    /// Milliseconds between two events of the prime stream.
    #[arg(long, default_value_t = 1000)]
    interval_ms: u64,
    /// Events in one prime stream.
    #[arg(long, default_value_t = 100)]
    count: u64,
}

fn index(_: &Request, res: &mut Response) -> io::Result<()> {
    res.send(200, "text/html; charset=utf-8", INDEX.as_bytes())
}

/// The 9.4 echo with the example's defaults: 64 KiB messages, gorilla's heartbeat,
/// same-origin pages only.
fn echo_upgrader() -> Upgrader {
    Upgrader::new().config(Config::default().with_heartbeat(Heartbeat::default()))
}

fn main() -> io::Result<()> {
    rwh::cli::init_logging();
    let args = Args::parse();
    let pace = sse_server::Pace {
        interval: Duration::from_millis(args.interval_ms),
        count: args.count,
    };
    let routes = Router::new()
        .get("/", index)
        .get("/primes", sse_server::handler_html)
        .get("/prime", sse_server::handler_prime_sse(pace))
        .get("/ws-echo", ws_echo::handler_page)
        .get("/echo", ws_echo::handler_echo(echo_upgrader()));
    let server = Server::bind(&args.addr)?;
    rwh::cli::announce(&server.url());
    server.run(routes)
}
