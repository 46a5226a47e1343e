//! `cargo run`: the companion server, every demo of the book on one port.

use std::io;

use clap::Parser;
use rwh::http::{Request, Response, Router, Server};

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)] // the example's own main() and Args are not used here
mod sse_server;

/// The page that links every demo.
const INDEX: &str = include_str!("index.html");

/// The companion server of rwh: every demo of chapter 9 on one port.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:18888")]
    addr: String,
    /// The prime stream of section 9.3.
    #[command(flatten)]
    pace: sse_server::Pace,
}

fn index(_: &Request, res: &mut Response) -> io::Result<()> {
    res.send(200, "text/html; charset=utf-8", INDEX.as_bytes())
}

fn main() -> Result<(), rwh::cli::Fatal> {
    rwh::cli::init_logging();
    let args = Args::parse();
    let pace = args.pace;
    let routes = Router::new()
        .get("/", index)
        .get("/primes", sse_server::handler_html)
        .get("/prime", sse_server::handler_prime_sse(pace));
    let server = Server::bind(&args.addr)?;
    rwh::cli::announce(&server.url());
    Ok(server.run(routes)?)
}
