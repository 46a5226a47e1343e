//! What every program shares: logging to stderr and the `listening on URL` line.

/// Sends `log` output to stderr; `RUST_LOG` chooses the level (default: `info`).
pub fn init_logging() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .format_timestamp_millis()
        .init();
}

/// Prints the first line of stdout that tools wait for: `listening on URL`.
pub fn announce(url: &str) {
    println!("listening on {url}");
}
