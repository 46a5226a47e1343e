//! The local development CA (design §6): made once, outside the repository, with private
//! key files, reused by later runs, and safe when several processes start at once.

mod common;

use std::fs;
use std::path::Path;
use std::sync::{Arc, Barrier};

use common::*;
use rwh::tls::{DevCa, dev_ca_dir};

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Names in `dir` that are not the CA's three files (leftover temporary files).
fn strays(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !["ca.pem", "ca-key.pem", "localhost-key.pem"].contains(&name.as_str()))
        .collect()
}

#[test]
#[cfg(unix)]
fn key_files_are_private_and_live_outside_the_repository() {
    let dir = TempDir::new("mode");
    let ca_dir = dir.path().join("nested/dev-ca");
    let ca = DevCa::load_or_create(&ca_dir).unwrap();
    assert_eq!(mode(&ca.ca_key_path()), 0o600, "CA key");
    assert_eq!(mode(&ca.leaf_key_path()), 0o600, "server key");
    assert_eq!(mode(&ca.ca_cert_path()), 0o644, "CA certificate");
    assert_eq!(mode(&ca_dir), 0o700, "directory");
    assert!(strays(&ca_dir).is_empty(), "{:?}", strays(&ca_dir));

    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(!ca.ca_key_path().starts_with(repository));
    // Where a real run would put it: never inside this repository either.
    if std::env::var_os("RWH_CERT_DIR").is_none()
        && let Ok(default) = dev_ca_dir()
    {
        assert!(!default.starts_with(repository), "{}", default.display());
        assert!(default.ends_with("rwh/dev-ca"), "{}", default.display());
    }
}

#[test]
fn the_ca_is_kept_and_the_certificate_made_again_when_missing() {
    let dir = TempDir::new("reuse");
    let first = DevCa::load_or_create(dir.path()).unwrap();
    let second = DevCa::load_or_create(dir.path()).unwrap();
    assert_eq!(first.ca_cert(), second.ca_cert());
    assert_eq!(first.server_identity().0, second.server_identity().0);
    let ca_pem = fs::read(first.ca_cert_path()).unwrap();

    fs::remove_file(first.leaf_key_path()).unwrap();
    fs::remove_file(first.ca_cert_path()).unwrap();
    let third = DevCa::load_or_create(dir.path()).unwrap();
    assert_eq!(third.ca_cert(), first.ca_cert(), "the same CA");
    assert_ne!(
        third.server_identity().0,
        first.server_identity().0,
        "a new certificate"
    );
    assert_eq!(
        fs::read(third.ca_cert_path()).unwrap(),
        ca_pem,
        "ca.pem written again"
    );
}

#[test]
fn processes_starting_together_agree_on_one_ca() {
    let dir = TempDir::new("race");
    let path = Arc::new(dir.path().join("dev-ca"));
    let start = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (path, start) = (path.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                DevCa::load_or_create(&*path)
            })
        })
        .collect();
    let cas: Vec<DevCa> = threads
        .into_iter()
        .map(|t| t.join().unwrap().unwrap())
        .collect();
    for ca in &cas {
        assert_eq!(ca.ca_cert(), cas[0].ca_cert(), "one CA for everyone");
    }
    assert!(strays(&path).is_empty(), "{:?}", strays(&path));
    // Whatever certificate ended up on disk belongs to that CA.
    let later = DevCa::load_or_create(&*path).unwrap();
    assert_eq!(later.ca_cert(), cas[0].ca_cert());
}

#[test]
fn a_damaged_ca_is_reported_and_left_alone() {
    let dir = TempDir::new("damaged");
    let ca = DevCa::load_or_create(dir.path()).unwrap();
    fs::write(ca.ca_key_path(), "not a key\n").unwrap();
    let error = DevCa::load_or_create(dir.path()).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("ca-key.pem"), "{message}");
    assert!(message.contains("not a CA made by rwh"), "{message}");
    assert_eq!(fs::read_to_string(ca.ca_key_path()).unwrap(), "not a key\n");
}
