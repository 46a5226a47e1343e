//! Book section 9.4.2: a WebSocket client. Each line typed is sent; each reply is
//! printed as `recv: ...`. Ctrl-C or the end of input closes with 1000 and waits for the
//! server's close.
//!
//! ```text
//! cargo run --example ch09_4_ws_echo_server &
//! cargo run --example ch09_4_ws_client                    # type lines
//! cargo run --example ch09_4_ws_client -- --every-ms 1000 # a message a second
//! ```

use std::error::Error;
use std::io::{self, BufRead};
use std::thread;
use std::time::{Duration, SystemTime};

use clap::Parser;
use rwh::ws::{CloseCode, Message, Sender};
use signal_hook::consts::SIGINT;
use signal_hook::iterator::Signals;

/// Book section 9.4.2: send lines (or timed messages) to a WebSocket server.
#[derive(Parser)]
struct Args {
    /// The WebSocket to dial.
    #[arg(long, default_value = "ws://127.0.0.1:8080/echo")]
    url: String,
    /// Instead of reading stdin, send the time every this many milliseconds.
    #[arg(long)]
    every_ms: Option<u64>,
}

fn main() -> Result<(), Box<dyn Error>> {
    rwh::cli::init_logging();
    let args = Args::parse();
    // ANCHOR: dial
    // The book's websocket.DefaultDialer.Dial(u.String(), nil).
    let mut conn = rwh::ws::connect(&args.url)?;
    let sender = conn.sender();
    // ANCHOR_END: dial
    log::info!("connected to {}", args.url);

    // ANCHOR: interrupt
    // Ctrl-C starts the close handshake; the loop below sees the server's answer.
    let mut signals = Signals::new([SIGINT])?;
    let closer = sender.clone();
    thread::spawn(move || {
        for _ in signals.forever() {
            if closer.close(CloseCode::Normal, "interrupted").is_err() {
                std::process::exit(130); // a second Ctrl-C while closing: give up
            }
        }
    });
    // ANCHOR_END: interrupt

    let writer = sender.clone();
    thread::spawn(move || match args.every_ms {
        Some(ms) => send_ticks(&writer, Duration::from_millis(ms.max(1))),
        None => send_lines(&writer),
    });

    // ANCHOR: read
    loop {
        match conn.recv() {
            Ok(Message::Text(text)) => println!("recv: {text}"),
            Ok(Message::Binary(data)) => {
                println!("recv: {} bytes of binary {data:02x?}", data.len())
            }
            Ok(_) => {} // recv gives only Text and Binary; pings are answered inside
            Err(end) if end.is_clean_close() => {
                log::info!("{end}");
                return Ok(());
            }
            Err(end) => return Err(end.into()),
        }
    }
    // ANCHOR_END: read
}

/// Sends each line of stdin as a text message; closes with 1000 at the end of input.
fn send_lines(sender: &Sender) {
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if let Err(e) = sender.text(line) {
            log::warn!("send: {e}");
            return;
        }
    }
    let _ = sender.close(CloseCode::Normal, "end of input");
}

/// Sends the time every `every`, like gorilla's client example, until the connection ends.
fn send_ticks(sender: &Sender, every: Duration) {
    loop {
        thread::sleep(every);
        let now = httpdate::fmt_http_date(SystemTime::now());
        if sender.text(now).is_err() {
            return;
        }
    }
}
