//! The client's default trust: the public CAs and, automatically, the local development
//! CA, so that `client::get("https://127.0.0.1:…")` verifies the companion server.
//!
//! This file has one test because it sets `RWH_CERT_DIR` for its own process.

mod common;

use common::*;
use rwh::http::client::{self, Url};
use rwh::http::{Request, Response, Router};
use rwh::tls::{DevCa, dev_ca_dir, local_dev_ca};

#[test]
fn the_default_trust_includes_the_local_development_ca() {
    let dir = TempDir::new("default-trust");
    // SAFETY: the only test of this binary sets the variable before it starts any thread
    // of its own, and nothing else in the process reads the environment meanwhile.
    unsafe { std::env::set_var("RWH_CERT_DIR", dir.path()) };
    assert_eq!(dev_ca_dir().unwrap(), dir.path());

    let made = local_dev_ca().unwrap();
    assert_eq!(made.dir(), dir.path());
    let server = {
        let config = rwh::tls::server_config(&made, &[rwh::tls::ALPN_HTTP11]).unwrap();
        rwh::http::Server::bind_tls("127.0.0.1:0", config)
            .unwrap()
            .spawn(Router::new().get("/", |_: &Request, res: &mut Response| {
                res.send(200, "text/plain", b"trusted\n")
            }))
            .unwrap()
    };
    let url = Url::parse(&format!("{}/", server.url())).unwrap();
    let response = client::request("GET", &url, &[], b"", Some(READ_WAIT)).unwrap();
    assert_eq!(response.text().unwrap(), "trusted\n");

    // A server whose CA is somewhere else is not trusted by default.
    let elsewhere = TempDir::new("other");
    let other = DevCa::load_or_create(elsewhere.path()).unwrap();
    let config = rwh::tls::server_config(&other, &[rwh::tls::ALPN_HTTP11]).unwrap();
    let stranger = rwh::http::Server::bind_tls("127.0.0.1:0", config)
        .unwrap()
        .spawn(Router::new())
        .unwrap();
    let url = Url::parse(&format!("{}/", stranger.url())).unwrap();
    let error = client::get(&url, &[]).err().expect("an unknown CA");
    assert!(error.to_string().contains("not trusted"), "{error}");
}
