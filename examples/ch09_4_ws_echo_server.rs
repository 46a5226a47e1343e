//! Book section 9.4.1: a WebSocket echo server, and a page to try it from a browser.
//!
//! ```text
//! cargo run --example ch09_4_ws_echo_server     # then open http://127.0.0.1:8080/
//! cargo run --example ch09_4_ws_client          # type lines; each comes back
//! ```

use std::io;
use std::time::Duration;

use clap::Parser;
use rwh::http::{Request, Response, Router, Server};
use rwh::ws::{Config, Heartbeat, OriginPolicy, Upgrader};

/// A page that talks to `/echo` (text and binary), for a browser.
const PAGE: &str = include_str!("html/ch09_4_echo.html");

/// `GET /`: the page.
pub fn handler_page(_: &Request, res: &mut Response) -> io::Result<()> {
    res.send(200, "text/html; charset=utf-8", PAGE.as_bytes())
}

// ANCHOR: echo
/// `GET /echo`: upgrade, then send every data message back with its own type.
pub fn handler_echo(upgrader: Upgrader) -> impl Fn(&Request, &mut Response) -> io::Result<()> {
    move |req, res| {
        // The book's upgrader.Upgrade(w, r, nil): a bad handshake has had its answer.
        let mut conn = match upgrader.upgrade(req, res) {
            Ok(conn) => conn,
            Err(e) => {
                log::info!("upgrade: {e}");
                return Ok(());
            }
        };
        let peer = conn.peer_addr()?;
        // ReadMessage: Text or Binary; pings are answered inside, the close too.
        loop {
            let message = match conn.recv() {
                Ok(message) => message,
                Err(end) => {
                    log::info!("{peer}: {end}");
                    return Ok(());
                }
            };
            log::debug!("{peer}: recv {} bytes", message.len());
            // WriteMessage with the same type: text stays text, binary stays binary.
            if let Err(e) = conn.send(message) {
                log::info!("{peer}: write: {e}");
                return Ok(());
            }
        }
    }
}
// ANCHOR_END: echo

/// Book section 9.4.1: a WebSocket echo server at `/echo`, and a page at `/`.
#[derive(Parser)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// Largest message accepted, in bytes; a bigger one gets close 1009.
    #[arg(long, default_value_t = 64 * 1024)]
    max_message: usize,
    /// Milliseconds between two pings from the server.
    #[arg(long, default_value_t = 54_000)]
    ping_ms: u64,
    /// Milliseconds of silence (no pong, no data) after which a peer is dropped.
    #[arg(long, default_value_t = 60_000)]
    pong_wait_ms: u64,
    /// A page origin allowed besides the server's own, like http://localhost:3000
    /// (repeatable; `*` allows every origin, which is unsafe outside experiments).
    #[arg(long = "allow-origin")]
    allow_origins: Vec<String>,
}

// ANCHOR: main
/// The two routes: the page and the echo.
pub fn routes(upgrader: Upgrader) -> Router {
    Router::new()
        .get("/", handler_page)
        .get("/echo", handler_echo(upgrader))
}

fn main() -> io::Result<()> {
    rwh::cli::init_logging();
    let args = Args::parse();
    let heartbeat = Heartbeat {
        ping_every: Duration::from_millis(args.ping_ms),
        pong_wait: Duration::from_millis(args.pong_wait_ms),
    };
    let config = Config {
        max_message: args.max_message,
        ..Config::default()
    };
    let origins = args
        .allow_origins
        .iter()
        .fold(OriginPolicy::same_origin(), |policy, o| policy.allow(o));
    let upgrader = Upgrader::new()
        .config(config.with_heartbeat(heartbeat))
        .origins(origins);
    let server = Server::bind(&args.addr)?;
    rwh::cli::announce(&server.url());
    server.run(routes(upgrader))
}
// ANCHOR_END: main
