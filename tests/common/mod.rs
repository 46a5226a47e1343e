//! Helpers shared by the integration tests: raw sockets with bounded waits.
#![allow(dead_code)] // each test file uses its own subset

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rwh::http::{Limits, Router, Running, Server};
use rwh::tls::{ALPN_HTTP11, DevCa, Trust};

/// Longest any single read in a test may block.
pub const READ_WAIT: Duration = Duration::from_secs(10);

/// Starts `router` on 127.0.0.1 port 0 with the given limits.
pub fn serve_with(router: Router, limits: Limits) -> Running {
    Server::bind("127.0.0.1:0")
        .unwrap()
        .with_limits(limits)
        .spawn(router)
        .unwrap()
}

/// Starts `router` on 127.0.0.1 port 0 with default limits.
pub fn serve(router: Router) -> Running {
    serve_with(router, Limits::default())
}

/// A directory of its own under the system's temp directory, removed when dropped:
/// tests never touch the user's real development CA.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new, empty directory whose name starts with `label`.
    pub fn new(label: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "rwh-test-{label}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A TLS server on 127.0.0.1 port 0 with a development CA of its own, in a temp dir.
pub struct TlsServer {
    /// The running server; its URL is `https://127.0.0.1:PORT`.
    pub running: Running,
    /// The CA that issued the server's certificate.
    pub ca: DevCa,
    _dir: TempDir,
}

impl TlsServer {
    /// The base URL, `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.running.url()
    }

    /// Trust in this server's CA only, like `curl --cacert`.
    pub fn trust(&self) -> Trust {
        Trust::CaFile(self.ca.ca_cert_path())
    }
}

/// Starts `router` over TLS (HTTP/1.1) on 127.0.0.1 port 0 with the given limits.
pub fn serve_tls_with(router: Router, limits: Limits) -> TlsServer {
    let dir = TempDir::new("ca");
    let ca = DevCa::load_or_create(dir.path()).unwrap();
    let config = rwh::tls::server_config(&ca, &[ALPN_HTTP11]).unwrap();
    let running = Server::bind_tls("127.0.0.1:0", config)
        .unwrap()
        .with_limits(limits)
        .spawn(router)
        .unwrap();
    TlsServer {
        running,
        ca,
        _dir: dir,
    }
}

/// Starts `router` over TLS (HTTP/1.1) on 127.0.0.1 port 0 with default limits.
pub fn serve_tls(router: Router) -> TlsServer {
    serve_tls_with(router, Limits::default())
}

/// A connected socket whose reads give up after [`READ_WAIT`].
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(READ_WAIT)).unwrap();
    stream
}

/// Sends `bytes` and reads until the server closes the connection.
pub fn exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut stream = connect(addr);
    stream.write_all(bytes).unwrap();
    read_to_close(&mut stream)
}

/// Reads until EOF (or an error such as a reset after the server's answer).
pub fn read_to_close(stream: &mut TcpStream) -> String {
    let mut all = Vec::new();
    let mut buf = [0u8; 8192];
    let deadline = Instant::now() + READ_WAIT;
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => all.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&all).into_owned()
}

/// Reads until `needle` has arrived; panics after [`READ_WAIT`].
pub fn read_until(stream: &mut TcpStream, needle: &str) -> String {
    let mut all = Vec::new();
    let mut buf = [0u8; 8192];
    let deadline = Instant::now() + READ_WAIT;
    while !String::from_utf8_lossy(&all).contains(needle) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {needle:?}"
        );
        match stream.read(&mut buf) {
            Ok(0) => panic!(
                "closed before {needle:?}; got {:?}",
                String::from_utf8_lossy(&all)
            ),
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) => panic!(
                "{e} before {needle:?}; got {:?}",
                String::from_utf8_lossy(&all)
            ),
        }
    }
    String::from_utf8_lossy(&all).into_owned()
}

/// The status code of the first response in `text`.
pub fn status_of(text: &str) -> u16 {
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Waits, bounded, until `check` holds; false if it never did.
pub fn eventually(mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + READ_WAIT;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

/// A program of this package running in the background; killed when dropped.
pub struct Program {
    child: std::process::Child,
    /// The URL from its first line of output, `listening on URL`.
    pub url: String,
    /// The URL from its second line, the HTTPS port: `listening on https://…`.
    pub tls_url: String,
    /// Its development CA's directory (`RWH_CERT_DIR`), a temp dir of its own.
    pub cert_dir: TempDir,
    _stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl Program {
    /// Starts the `rwh` companion server with `args` and waits for its `listening on`
    /// lines. Its CA goes to a temp dir; unless `args` say otherwise, its HTTPS port
    /// is a free one (`--tls-addr 127.0.0.1:0`), so that programs can run side by side.
    pub fn companion(args: &[&str]) -> Program {
        use std::io::BufRead;
        let cert_dir = TempDir::new("companion-ca");
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rwh"));
        command.args(args).env("RWH_CERT_DIR", cert_dir.path());
        if !args.contains(&"--tls-addr") {
            command.args(["--tls-addr", "127.0.0.1:0"]);
        }
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the rwh binary starts");
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = || {
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            line.trim()
                .strip_prefix("listening on ")
                .unwrap_or_else(|| panic!("expected a `listening on URL` line, got {line:?}"))
                .to_string()
        };
        let (url, tls_url) = (line(), line());
        Program {
            child,
            url,
            tls_url,
            cert_dir,
            _stdout: stdout,
        }
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The path of an external tool for an interop test. When it is missing the test is
/// skipped with a message, unless `REQUIRE_INTEROP=1` (as in CI), which makes it fail.
pub fn interop_tool(names: &[&str]) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        let wanted = names.join(" or ");
        assert!(
            std::env::var("REQUIRE_INTEROP").as_deref() != Ok("1"),
            "REQUIRE_INTEROP=1 but {wanted} is not installed"
        );
        eprintln!(
            "skipped: {wanted} is not installed (set REQUIRE_INTEROP=1 to make this a failure)"
        );
    }
    found
}

/// Loads `url` in headless Chromium and returns the DOM once the page has settled:
/// `budget_ms` of virtual time lets timers and reconnects run without real waiting.
/// `None` (after a message) when Chromium is not installed; see [`interop_tool`].
pub fn chromium_dom(url: &str, budget_ms: u32) -> Option<String> {
    let chromium = interop_tool(&["chromium", "chromium-browser", "google-chrome"])?;
    // A profile of its own per call, so that browsers may run side by side.
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let profile = std::env::temp_dir().join(format!(
        "rwh-chromium-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let output = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--timeout=20000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--virtual-time-budget={budget_ms}"))
        .arg("--dump-dom")
        .arg(url)
        .stderr(std::process::Stdio::null())
        .output()
        .expect("chromium runs");
    let _ = std::fs::remove_dir_all(&profile);
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}
