//! The server's rustls configuration.

use std::io;
use std::sync::Arc;

use rustls::ServerConfig;

use super::{DevCa, VERSIONS, alpn_list, provider, tls_error};

/// A server configuration with the `localhost` certificate of `ca`, TLS 1.2 and 1.3,
/// offering the `alpn` protocols in order of preference (e.g. `[ALPN_H2, ALPN_HTTP11]`;
/// a client that offers none of them is refused).
pub fn server_config(ca: &DevCa, alpn: &[&[u8]]) -> io::Result<Arc<ServerConfig>> {
    let (chain, key) = ca.server_identity();
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(VERSIONS)
        .map_err(|e| tls_error("TLS versions", e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| tls_error("the server certificate", e))?;
    config.alpn_protocols = alpn_list(alpn);
    Ok(Arc::new(config))
}
