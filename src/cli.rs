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

/// Prints a `listening on URL` line for each server, the first being the one tools wait
/// for. All lines go out in one write, and a reader that stops after the first line
/// does not make the program fail.
pub fn announce_all(urls: &[String]) {
    use std::io::Write;
    let lines: String = urls
        .iter()
        .map(|url| format!("listening on {url}\n"))
        .collect();
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(lines.as_bytes())
        .and_then(|()| stdout.flush());
}

/// The error a program's `main` ends with: printed as a sentence, not a debug structure
/// (`Error: Address already in use (os error 98)`), and the exit status is 1.
pub struct Fatal(Box<dyn std::error::Error + Send + Sync>);

impl<E: Into<Box<dyn std::error::Error + Send + Sync>>> From<E> for Fatal {
    fn from(error: E) -> Self {
        Fatal(error.into())
    }
}

impl std::fmt::Debug for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}
