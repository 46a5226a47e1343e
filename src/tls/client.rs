//! Whom a client trusts, and the client's rustls configuration.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};

use super::insecure::AnyCertificate;
use super::{VERSIONS, alpn_list, dev_ca, provider, tls_error};

/// Which server certificates a client accepts. Certificates are verified unless the
/// caller asks otherwise by name, with [`Trust::InsecureAnyCertificate`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Trust {
    /// The web's public CAs (Mozilla's list, from `webpki-roots`) and, if it has been
    /// made, the local development CA of [`dev_ca_dir`](super::dev_ca_dir), so that both
    /// public sites and the companion server verify.
    #[default]
    Default,
    /// The web's public CAs only.
    PublicRoots,
    /// Only the CA certificates in this PEM file, like curl's `--cacert FILE`.
    CaFile(PathBuf),
    /// Any certificate, for any name, unverified: for a throwaway self-signed server only.
    /// Each configuration made with it logs a warning.
    InsecureAnyCertificate,
}

/// A client configuration for TLS 1.2 and 1.3 that trusts what `trust` says and offers
/// the `alpn` protocols (e.g. `[ALPN_HTTP11]`). Fails if a CA file cannot be read.
pub fn client_config(trust: &Trust, alpn: &[&[u8]]) -> io::Result<Arc<ClientConfig>> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(VERSIONS)
        .map_err(|e| tls_error("TLS versions", e))?;
    let mut config = match trust {
        Trust::InsecureAnyCertificate => {
            log::warn!(
                "TLS certificates are NOT verified (insecure mode): any server can pose as \
                 the one you asked for; use this only with a throwaway test server"
            );
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider())))
                .with_no_client_auth()
        }
        _ => builder
            .with_root_certificates(roots(trust)?)
            .with_no_client_auth(),
    };
    config.alpn_protocols = alpn_list(alpn);
    Ok(Arc::new(config))
}

/// The trust anchors for every verifying kind of [`Trust`].
fn roots(trust: &Trust) -> io::Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    match trust {
        Trust::Default => {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            if let Some(path) = dev_ca::local_ca_cert_path()
                && let Err(e) = add_pem_file(&mut roots, &path)
            {
                log::warn!("not trusting the local development CA: {e}");
            }
        }
        Trust::PublicRoots => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Trust::CaFile(path) => add_pem_file(&mut roots, path)?,
        Trust::InsecureAnyCertificate => {}
    }
    Ok(roots)
}

/// Adds every certificate of the PEM file at `path`; fails if there is none.
fn add_pem_file(roots: &mut RootCertStore, path: &Path) -> io::Result<()> {
    let bad = |what: String| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {what}", path.display()),
        )
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| bad(format!("cannot read CA certificates: {e}")))?;
    let mut added = 0;
    for cert in certs {
        let cert = cert.map_err(|e| bad(format!("bad PEM: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| bad(format!("not a CA certificate: {e}")))?;
        added += 1;
    }
    if added == 0 {
        return Err(bad(
            "no certificate in it (expected `-----BEGIN CERTIFICATE-----`)".into(),
        ));
    }
    Ok(())
}
