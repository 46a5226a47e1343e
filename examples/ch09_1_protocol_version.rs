//! Book section 9.1, listing 9-1: GET a URL and print which HTTP version carried it.
//!
//! ```text
//! cargo run                                          # the companion server (HTTPS on 18443)
//! cargo run --example ch09_1_protocol_version        # Protocol Version: HTTP/2.0
//! GODEBUG=http2client=0 cargo run --example ch09_1_protocol_version   # … HTTP/1.1
//! RUST_LOG=rwh::h2::frame=debug cargo run --example ch09_1_protocol_version   # every frame
//! ```
//!
//! The local development CA that `cargo run` made is trusted without a flag; `--cacert`
//! names another CA file, as with curl.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use rwh::client::FetchOptions;
use rwh::tls::Trust;

/// Book section 9.1 (listing 9-1): GET a URL and print the protocol version of the
/// response, `HTTP/2.0` or `HTTP/1.1`.
///
/// HTTP/2 is offered in the TLS handshake (ALPN). GODEBUG=http2client=0 turns it off
/// here; GODEBUG=http2server=0 turns it off in the server. RUST_LOG=rwh::h2::frame=debug
/// logs every HTTP/2 frame to stderr, and =trace adds the header fields.
#[derive(Parser)]
struct Args {
    /// The URL to GET.
    #[arg(long, default_value = "https://127.0.0.1:18443/")]
    url: String,
    /// Trust only the CA certificates in this PEM file, like curl's --cacert (by
    /// default: the public CAs and rwh's local development CA).
    #[arg(long, value_name = "FILE")]
    cacert: Option<PathBuf>,
    /// Do not verify the server's certificate at all. Anyone on the way could then pose
    /// as the server: use it only with a throwaway test server.
    #[arg(long, conflicts_with = "cacert")]
    insecure: bool,
    /// For an http:// URL, speak HTTP/2 at once (h2c with prior knowledge), like curl's
    /// --http2-prior-knowledge.
    #[arg(long)]
    http2_prior_knowledge: bool,
}

fn main() -> Result<(), rwh::cli::Fatal> {
    rwh::cli::init_logging();
    let args = Args::parse();
    let trust = match (args.cacert, args.insecure) {
        (Some(file), _) => Trust::CaFile(file),
        (None, true) => Trust::InsecureAnyCertificate, // logs a warning when used
        (None, false) => Trust::Default,
    };
    let options = FetchOptions {
        trust,
        read_timeout: Some(Duration::from_secs(30)),
        h2c_prior_knowledge: args.http2_prior_knowledge,
    };
    // ANCHOR: main
    // Like the book's http.Get: HTTP/2 if the server agrees in the TLS handshake.
    let response = rwh::client::get(&args.url, &options).map_err(|e| hint(&args.url, e))?;
    println!("Protocol Version: {}", response.proto);
    // ANCHOR_END: main
    log::debug!("status {}, {} bytes", response.status, response.body.len());
    Ok(())
}

/// Adds what to do when nothing listens at the default address.
fn hint(url: &str, e: io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => {
            format!("{url}: {e} (is the companion server running? start it with `cargo run`)")
        }
        _ => format!("{url}: {e}"),
    }
}
