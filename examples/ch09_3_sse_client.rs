//! Book section 9.3.2: a client that prints every event of the prime stream.
//!
//! ```text
//! cargo run --example ch09_3_sse_server &
//! cargo run --example ch09_3_sse_client
//! ```

use std::time::Duration;

use clap::Parser;
use rwh::sse::{EventSource, Options};

/// Book section 9.3.2: read a Server-Sent Events stream and print each event.
#[derive(Parser)]
struct Args {
    /// The stream to read.
    #[arg(long, default_value = "http://127.0.0.1:18888/prime")]
    url: String,
    /// Milliseconds to wait before reconnecting, until the server sends `retry:`.
    #[arg(long, default_value_t = 3000)]
    retry_ms: u64,
}

fn main() -> Result<(), rwh::cli::Fatal> {
    rwh::cli::init_logging();
    let args = Args::parse();
    let options = Options {
        retry: Duration::from_millis(args.retry_ms),
        ..Options::default()
    };
    // ANCHOR: main
    // Like the book's EventSource(): fails at once on a bad status or content type.
    let source = EventSource::connect_with(&args.url, options)?;
    // Events arrive on a channel; a dropped connection is reopened with Last-Event-ID.
    for event in source.events() {
        println!(
            "Event(Id={}, Event={}): {}",
            event.id, event.event, event.data
        );
    }
    // The channel disconnects when the stream has ended for good (the server's 204).
    source.close()?;
    println!("Connection closed from server");
    // ANCHOR_END: main
    Ok(())
}
