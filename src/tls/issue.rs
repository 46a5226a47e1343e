//! Making certificates with rcgen: the development CA, and the `localhost` certificate
//! it signs.

use std::io;
use std::time::{Duration, SystemTime};

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    NameConstraints,
};
use rustls::pki_types::CertificateDer;
use time::OffsetDateTime;

/// The names the development certificate is valid for.
pub(super) const LEAF_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// How far back a certificate starts to be valid, for clocks that differ a little.
const CLOCK_SKEW: Duration = Duration::from_secs(60 * 60);
/// How long the CA is valid: long, because a reader trusts it once.
const CA_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 60 * 60);
/// How long a `localhost` certificate is valid (browsers refuse much longer ones).
pub(super) const LEAF_LIFETIME: Duration = Duration::from_secs(365 * 24 * 60 * 60);
/// A certificate that expires sooner than this is issued again.
pub(super) const RENEW_BEFORE: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// The development CA: its key and its certificate.
pub(super) struct Ca {
    pub(super) key: KeyPair,
    pub(super) cert: CertificateDer<'static>,
}

/// Makes a new CA with a fresh key.
pub(super) fn new_ca() -> io::Result<Ca> {
    let key = KeyPair::generate().map_err(rcgen_error)?;
    let mut params = ca_params();
    (params.not_before, params.not_after) = validity(CA_LIFETIME)?;
    let cert = params.self_signed(&key).map_err(rcgen_error)?;
    Ok(Ca {
        key,
        cert: cert.der().clone(),
    })
}

/// What the CA certificate says about itself; also what a signature by it needs to know.
fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, "rwh");
    params
        .distinguished_name
        .push(DnType::CommonName, "rwh local development CA");
    // It signs end certificates only, and only for this machine's own names: if its key
    // ever leaked, it could not be used to impersonate any other site.
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("localhost".into()),
            GeneralSubtree::IpAddress(CidrSubnet::V4([127, 0, 0, 0], [255, 0, 0, 0])),
            GeneralSubtree::IpAddress(CidrSubnet::V6(
                std::net::Ipv6Addr::LOCALHOST.octets(),
                [0xff; 16],
            )),
        ],
        excluded_subtrees: Vec::new(),
    });
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

/// Issues a certificate for [`LEAF_NAMES`] with a fresh key, signed by `ca`.
pub(super) fn issue_leaf(
    ca: &Ca,
    lifetime: Duration,
) -> io::Result<(KeyPair, CertificateDer<'static>)> {
    let key = KeyPair::generate().map_err(rcgen_error)?;
    let names: Vec<String> = LEAF_NAMES.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).map_err(rcgen_error)?;
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.is_ca = IsCa::NoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    (params.not_before, params.not_after) = validity(lifetime)?;
    let issuer = Issuer::new(ca_params(), &ca.key);
    let cert = params.signed_by(&key, &issuer).map_err(rcgen_error)?;
    Ok((key, cert.der().clone()))
}

/// From a little before now until `lifetime` from now.
fn validity(lifetime: Duration) -> io::Result<(OffsetDateTime, OffsetDateTime)> {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| io::Error::other("the system clock is before 1970"))?;
    let at = |secs: u64| {
        OffsetDateTime::from_unix_timestamp(secs as i64)
            .map_err(|e| io::Error::other(format!("certificate date out of range: {e}")))
    };
    let start = now.saturating_sub(CLOCK_SKEW);
    Ok((at(start.as_secs())?, at((now + lifetime).as_secs())?))
}

fn rcgen_error(e: rcgen::Error) -> io::Error {
    io::Error::other(format!("cannot make a certificate: {e}"))
}
