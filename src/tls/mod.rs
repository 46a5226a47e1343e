//! TLS for book section 9.1: rustls configurations, ALPN, and a local development CA.
//!
//! Go turns HTTP/2 on as soon as a server speaks HTTPS, because `h2` is then offered in
//! the ALPN negotiation of the TLS handshake. Here the same pieces are explicit:
//!
//! - [`local_dev_ca`] makes (once) a CA of our own and a certificate for `localhost`,
//!   outside the repository, so that curl (`--cacert`) and our clients can verify the
//!   companion server instead of turning verification off;
//! - [`server_config`] and [`client_config`] build rustls configurations (TLS 1.2 and
//!   1.3, ring) with the ALPN protocols the caller offers;
//! - [`http2_client_enabled`] and [`http2_server_enabled`] read Go's switches of table
//!   9-1, `GODEBUG=http2client=0` and `GODEBUG=http2server=0`.

mod client;
mod dev_ca;
mod files;
mod godebug;
mod insecure;
mod issue;
mod server;

use std::sync::Arc;

use rustls::SupportedProtocolVersion;
use rustls::crypto::CryptoProvider;

pub use client::{Trust, client_config};
pub use dev_ca::{DevCa, dev_ca_dir, local_dev_ca};
pub use godebug::{godebug_setting, http2_client_enabled, http2_server_enabled};
pub use server::server_config;

/// The ALPN name of HTTP/2 over TLS (RFC 9113 §3.2).
pub const ALPN_H2: &[u8] = b"h2";
/// The ALPN name of HTTP/1.1 (RFC 7301 §6).
pub const ALPN_HTTP11: &[u8] = b"http/1.1";

// ANCHOR: alpn
/// What a server offers in ALPN: `h2` first, then `http/1.1`; only `http/1.1` when
/// `GODEBUG=http2server=0` (table 9-1).
pub fn server_protocols() -> &'static [&'static [u8]] {
    match http2_server_enabled() {
        true => &[ALPN_H2, ALPN_HTTP11],
        false => &[ALPN_HTTP11],
    }
}

/// What a client offers in ALPN: `h2` first, then `http/1.1`; only `http/1.1` when
/// `GODEBUG=http2client=0` (table 9-1).
pub fn client_protocols() -> &'static [&'static [u8]] {
    match http2_client_enabled() {
        true => &[ALPN_H2, ALPN_HTTP11],
        false => &[ALPN_HTTP11],
    }
}
// ANCHOR_END: alpn

/// The TLS versions we speak: 1.3 first, and 1.2 for older clients.
const VERSIONS: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13, &rustls::version::TLS12];

/// The cryptography behind every configuration: ring, which builds without cmake.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// An ALPN list as rustls keeps it.
fn alpn_list(protocols: &[&[u8]]) -> Vec<Vec<u8>> {
    protocols.iter().map(|p| p.to_vec()).collect()
}

/// Turns a rustls error into an `io::Error` that says what was being done.
fn tls_error(doing: &str, e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("{doing}: {e}"))
}
