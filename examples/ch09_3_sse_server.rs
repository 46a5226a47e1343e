//! Book section 9.3.1: a page, and a stream of prime numbers over Server-Sent Events.
//!
//! ```text
//! cargo run --example ch09_3_sse_server        # then open http://127.0.0.1:18888/
//! curl -N http://127.0.0.1:18888/prime         # the stream as it arrives
//! ```

use std::io::{self, Write};
use std::thread;
use std::time::Duration;

use clap::Parser;
use rwh::http::{Request, Response, Router, Server};
use rwh::primes::Primes;
use rwh::sse::Event;

// ANCHOR: html
/// The view: a page that lists primes as they arrive (the book's `index.html`).
const PAGE: &str = include_str!("html/ch09_3_primes.html");

/// `GET /`: the page (the book's `handlerHtml`).
pub fn handler_html(_: &Request, res: &mut Response) -> io::Result<()> {
    res.send(200, "text/html; charset=utf-8", PAGE.as_bytes())
}
// ANCHOR_END: html

/// How fast the stream goes and how long it lasts; also the command-line flags.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Pace {
    /// Milliseconds between two events.
    #[arg(long, default_value_t = 1000)]
    pub interval_ms: u64,
    /// Events in one stream.
    #[arg(long, default_value_t = 100)]
    pub count: u64,
}

// ANCHOR: stream
/// `GET /prime`: one prime per event, each flushed at once (the book's `handlerPrimeSSE`).
pub fn handler_prime_sse(pace: Pace) -> impl Fn(&Request, &mut Response) -> io::Result<()> {
    move |req, res| {
        // A browser that reconnects sends the last id it saw: carry on after it.
        let seen = req
            .header("Last-Event-ID")
            .and_then(|id| id.trim().parse().ok())
            .unwrap_or(0);
        if seen >= pace.count {
            res.set_status(204); // nothing left; EventSource stops reconnecting
            return Ok(());
        }
        res.set_header("Content-Type", "text/event-stream")
            .set_header("Cache-Control", "no-cache")
            .set_header("Connection", "keep-alive")
            .set_header("Access-Control-Allow-Origin", "*");

        for (id, number) in (1..=pace.count).zip(Primes::new()).skip(seen as usize) {
            let data = format!("{{\"id\": {id}, \"number\": {number}}}");
            let sent = Event::data(data).id(id.to_string()).write_to(res);
            // flush() is Go's Flusher.Flush(); a failed write is Go's ctx.Done().
            if let Err(e) = sent.and_then(|()| res.flush()) {
                log::info!("connection closed from client: {e}");
                return Err(e);
            }
            log::debug!("sent #{id}: {number}");
            if id < pace.count {
                thread::sleep(Duration::from_millis(pace.interval_ms));
            }
        }
        log::info!(
            "connection closed from server after the last event, id {}",
            pace.count
        );
        Ok(())
    }
}
// ANCHOR_END: stream

/// Book section 9.3.1: serve a page and a stream of primes over Server-Sent Events.
#[derive(Parser)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:18888")]
    addr: String,
    #[command(flatten)]
    pace: Pace,
}

// ANCHOR: main
/// The two routes of the book's `main()`.
pub fn routes(pace: Pace) -> Router {
    Router::new()
        .get("/", handler_html)
        .get("/prime", handler_prime_sse(pace))
}

fn main() -> Result<(), rwh::cli::Fatal> {
    rwh::cli::init_logging();
    let args = Args::parse();
    let server = Server::bind(&args.addr)?;
    rwh::cli::announce(&server.url());
    Ok(server.run(routes(args.pace))?)
}
// ANCHOR_END: main
