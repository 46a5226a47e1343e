//! The local development CA (design §6): made on the first run, kept outside the
//! repository in a per-user directory, and reused by every later run, so that a reader
//! trusts it once (`curl --cacert`) instead of turning verification off.
//!
//! The directory holds three files:
//!
//! | file | what | mode |
//! |---|---|---|
//! | `ca.pem` | the CA certificate: give it to curl's `--cacert` | 0644 |
//! | `ca-key.pem` | the CA's private key, then its certificate | 0600 |
//! | `localhost-key.pem` | the server's private key, then its certificate | 0600 |
//!
//! Each key is stored with its certificate so that a pair is written in one step: several
//! processes may start at once (tests do), and none may see a key without its certificate.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rcgen::KeyPair;
use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use super::files::{self, PRIVATE, PUBLIC, in_file};
use super::issue::{self, Ca, LEAF_LIFETIME, LEAF_NAMES, RENEW_BEFORE};

const CA_CERT: &str = "ca.pem";
const CA_KEY: &str = "ca-key.pem";
const LEAF_KEY: &str = "localhost-key.pem";

/// The local development CA and the `localhost` certificate it issued, loaded from disk.
pub struct DevCa {
    dir: PathBuf,
    ca_cert: CertificateDer<'static>,
    leaf_cert: CertificateDer<'static>,
    leaf_key: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for DevCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevCa").field("dir", &self.dir).finish()
    }
}

/// The CA in the per-user directory ([`dev_ca_dir`]), made first if needed.
pub fn local_dev_ca() -> io::Result<DevCa> {
    DevCa::load_or_create(dev_ca_dir()?)
}

/// Where the development CA lives: `$RWH_CERT_DIR` if set, else
/// `$XDG_DATA_HOME/rwh/dev-ca`, else `~/.local/share/rwh/dev-ca`; never in the repository.
pub fn dev_ca_dir() -> io::Result<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    choose_dir(var("RWH_CERT_DIR"), var("XDG_DATA_HOME"), var("HOME")).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            "no directory for the local development CA: set RWH_CERT_DIR or HOME",
        )
    })
}

/// The choice of [`dev_ca_dir`], from the values of its three variables.
fn choose_dir(
    rwh: Option<std::ffi::OsString>,
    xdg_data_home: Option<std::ffi::OsString>,
    home: Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    if let Some(dir) = rwh {
        return Some(dir.into());
    }
    // The XDG specification says to ignore a relative path.
    let data_home = xdg_data_home
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home.map(|h| Path::new(&h).join(".local/share")))?;
    Some(data_home.join("rwh").join("dev-ca"))
}

/// The CA certificate file of [`dev_ca_dir`] if it exists; nothing is made.
pub(super) fn local_ca_cert_path() -> Option<PathBuf> {
    let path = dev_ca_dir().ok()?.join(CA_CERT);
    path.is_file().then_some(path)
}

impl DevCa {
    /// Loads the CA in `dir`, making whatever is missing: the directory (mode 0700), the
    /// CA (once; a CA made by another process at the same time wins), and the `localhost`
    /// certificate (again when it is missing, expires within 30 days, or no longer
    /// verifies under the CA).
    pub fn load_or_create(dir: impl AsRef<Path>) -> io::Result<DevCa> {
        let dir = dir.as_ref();
        files::create_private_dir(dir)?;
        let ca = load_or_create_ca(&dir.join(CA_KEY))?;
        publish_ca_cert(&dir.join(CA_CERT), &ca.cert)?;
        let (leaf_key, leaf_cert) = load_or_issue_leaf(&dir.join(LEAF_KEY), &ca)?;
        Ok(DevCa {
            dir: dir.to_path_buf(),
            ca_cert: ca.cert,
            leaf_cert,
            leaf_key,
        })
    }

    /// The directory the CA lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The CA certificate file, for `curl --cacert` and our clients' trust.
    pub fn ca_cert_path(&self) -> PathBuf {
        self.dir.join(CA_CERT)
    }

    /// The file with the CA's private key (mode 0600).
    pub fn ca_key_path(&self) -> PathBuf {
        self.dir.join(CA_KEY)
    }

    /// The file with the `localhost` certificate and its private key (mode 0600).
    pub fn leaf_key_path(&self) -> PathBuf {
        self.dir.join(LEAF_KEY)
    }

    /// The CA certificate, to trust it without reading the file.
    pub fn ca_cert(&self) -> &CertificateDer<'static> {
        &self.ca_cert
    }

    /// The server's certificate chain and key, for a rustls `ServerConfig`.
    pub fn server_identity(&self) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        (vec![self.leaf_cert.clone()], self.leaf_key.clone_key())
    }
}

fn load_or_create_ca(path: &Path) -> io::Result<Ca> {
    if let Some(ca) = read_ca(path)? {
        return Ok(ca);
    }
    let ca = issue::new_ca()?;
    if files::create_new(path, &key_and_cert_pem(&ca.key, &ca.cert), PRIVATE)? {
        log::info!("made a local development CA in {}", path.display());
        return Ok(ca);
    }
    // Another process made one at the same moment: everyone uses the first.
    read_ca(path)?.ok_or_else(|| in_file(path, io::ErrorKind::NotFound.into()))
}

/// The CA stored at `path`; `None` if there is none yet.
fn read_ca(path: &Path) -> io::Result<Option<Ca>> {
    let pem = match fs::read(path) {
        Ok(pem) => pem,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(in_file(path, e)),
    };
    match parse_key_and_cert(&pem) {
        Some((key, cert)) => Ok(Some(Ca { key, cert })),
        None => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is not a CA made by rwh (a private key and its certificate); \
                 remove that directory to make a new CA",
                path.display()
            ),
        )),
    }
}

/// Writes `ca.pem` unless it already holds this CA's certificate.
fn publish_ca_cert(path: &Path, cert: &CertificateDer<'_>) -> io::Result<()> {
    let pem = pem::encode(&pem::Pem::new("CERTIFICATE", cert.to_vec()));
    if fs::read(path).is_ok_and(|old| old == pem.as_bytes()) {
        return Ok(());
    }
    files::replace(path, pem.as_bytes(), PUBLIC)
}

fn load_or_issue_leaf(
    path: &Path,
    ca: &Ca,
) -> io::Result<(PrivateKeyDer<'static>, CertificateDer<'static>)> {
    let stored = fs::read(path).ok().and_then(|pem| parse_key_and_cert(&pem));
    if let Some((key, cert)) = stored {
        if valid_until(&cert, ca, SystemTime::now() + RENEW_BEFORE).is_ok() {
            return Ok((PrivateKeyDer::from(key), cert));
        }
        log::info!(
            "issuing {} again: it expires soon or no longer matches the CA",
            path.display()
        );
    }
    let (key, cert) = issue::issue_leaf(ca, LEAF_LIFETIME)?;
    valid_until(&cert, ca, SystemTime::now()).map_err(|e| {
        let dir = path.parent().unwrap_or(path).display();
        io::Error::other(format!(
            "the CA in {dir} cannot issue a valid certificate ({e}); remove {dir} to make a new CA"
        ))
    })?;
    // Other processes may issue one at the same time: any of them will do, so the last wins.
    files::replace(path, &key_and_cert_pem(&key, &cert), PRIVATE)?;
    Ok((PrivateKeyDer::from(key), cert))
}

/// Checks that `cert` verifies under `ca` for every name of [`LEAF_NAMES`] at time `at`.
fn valid_until(cert: &CertificateDer<'_>, ca: &Ca, at: SystemTime) -> Result<(), rustls::Error> {
    let mut roots = RootCertStore::empty();
    roots.add(ca.cert.clone())?;
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), super::provider())
        .build()
        .map_err(|e| rustls::Error::General(e.to_string()))?;
    let at = UnixTime::since_unix_epoch(
        at.duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default(),
    );
    for name in LEAF_NAMES {
        let name = ServerName::try_from(name).map_err(|e| rustls::Error::General(e.to_string()))?;
        verifier.verify_server_cert(cert, &[], &name, &[], at)?;
    }
    Ok(())
}

/// A private key followed by its certificate, in PEM.
fn key_and_cert_pem(key: &KeyPair, cert: &CertificateDer<'_>) -> Vec<u8> {
    pem::encode_many(&[
        pem::Pem::new("PRIVATE KEY", key.serialize_der()),
        pem::Pem::new("CERTIFICATE", cert.to_vec()),
    ])
    .into_bytes()
}

/// The private key and the certificate in a file written by [`key_and_cert_pem`].
fn parse_key_and_cert(pem: &[u8]) -> Option<(KeyPair, CertificateDer<'static>)> {
    let blocks = pem::parse_many(pem).ok()?;
    let block = |tag| blocks.iter().find(|b| b.tag() == tag);
    let key = KeyPair::try_from(block("PRIVATE KEY")?.contents()).ok()?;
    let cert = CertificateDer::from(block("CERTIFICATE")?.contents().to_vec());
    Some((key, cert))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_is_chosen_like_xdg_says() {
        let os = |s: &str| Some(std::ffi::OsString::from(s));
        let table = [
            ((os("/x/ca"), os("/data"), os("/home/u")), Some("/x/ca")),
            ((None, os("/data"), os("/home/u")), Some("/data/rwh/dev-ca")),
            (
                (None, os("relative/data"), os("/home/u")),
                Some("/home/u/.local/share/rwh/dev-ca"),
            ),
            (
                (None, None, os("/home/u")),
                Some("/home/u/.local/share/rwh/dev-ca"),
            ),
            ((None, None, None), None),
        ];
        for ((rwh, xdg, home), expected) in table {
            let got = choose_dir(rwh.clone(), xdg.clone(), home.clone());
            assert_eq!(
                got.as_deref(),
                expected.map(Path::new),
                "{rwh:?} {xdg:?} {home:?}"
            );
        }
    }

    #[test]
    fn a_certificate_close_to_expiry_is_issued_again() {
        let dir = std::env::temp_dir().join(format!("rwh-unit-ca-{}", std::process::id()));
        let first = DevCa::load_or_create(&dir).unwrap();
        let ca = read_ca(&first.ca_key_path()).unwrap().unwrap();
        // Replace the certificate with one that expires in a week.
        let (key, short) =
            issue::issue_leaf(&ca, std::time::Duration::from_secs(7 * 86400)).unwrap();
        files::replace(
            &first.leaf_key_path(),
            &key_and_cert_pem(&key, &short),
            PRIVATE,
        )
        .unwrap();
        let second = DevCa::load_or_create(&dir).unwrap();
        assert_eq!(second.ca_cert, first.ca_cert, "the CA is kept");
        assert_ne!(
            second.leaf_cert, short,
            "a new certificate replaced the old one"
        );
        assert!(valid_until(&second.leaf_cert, &ca, SystemTime::now() + RENEW_BEFORE).is_ok());
        // A certificate that is still good is kept.
        let third = DevCa::load_or_create(&dir).unwrap();
        assert_eq!(third.leaf_cert, second.leaf_cert);
        let _ = fs::remove_dir_all(&dir);
    }
}
