//! Helpers shared by the integration tests: raw sockets with bounded waits.
#![allow(dead_code)] // each test file uses its own subset

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rwh::h2::client::Connection;
use rwh::http::{Limits, Router, Running, Server};
use rwh::tls::{ALPN_H2, ALPN_HTTP11, DevCa, Trust};

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
    serve_tls_offering(router, limits, &[ALPN_HTTP11])
}

/// Starts `router` over TLS offering `h2` then `http/1.1` in ALPN, as the companion does.
pub fn serve_h2_tls(router: Router) -> TlsServer {
    serve_tls_offering(router, Limits::default(), &[ALPN_H2, ALPN_HTTP11])
}

/// Starts `router` over TLS on 127.0.0.1 port 0, offering the `alpn` protocols.
fn serve_tls_offering(router: Router, limits: Limits, alpn: &[&[u8]]) -> TlsServer {
    let dir = TempDir::new("ca");
    let ca = DevCa::load_or_create(dir.path()).unwrap();
    let config = rwh::tls::server_config(&ca, alpn).unwrap();
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

/// A connected socket whose reads give up after [`READ_WAIT`], with Nagle's algorithm off
/// as in a real client: otherwise a small write (an HTTP/2 WINDOW_UPDATE) holds back the
/// next one (a request) until the server's delayed ACK, 40 ms later.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(READ_WAIT)).unwrap();
    stream.set_nodelay(true).unwrap();
    stream
}

/// An HTTP/2 client, past the handshake with our `settings`, on an h2c connection to `server`.
pub fn dial(server: &Running, settings: &[(u16, u32)]) -> Connection<TcpStream> {
    Connection::handshake(connect(server.addr()), settings).unwrap()
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

/// The /proc directories of our threads named with one of `prefixes` (`None` without /proc).
fn threads(prefixes: &[&str]) -> Option<Vec<PathBuf>> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    let named = |dir: &Path| {
        let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        prefixes.iter().any(|prefix| name.starts_with(prefix))
    };
    Some(
        tasks
            .filter_map(|task| Some(task.ok()?.path()))
            .filter(|dir| named(dir))
            .collect(),
    )
}

/// How many of our threads have a name starting with `prefix`, to watch them come and go.
pub fn threads_named(prefix: &str) -> Option<usize> {
    Some(threads(&[prefix])?.len())
}

/// Context switches so far of our threads named with one of `prefixes`: each wake-up counts.
pub fn context_switches(prefixes: &[&str]) -> Option<u64> {
    let switches = |dir: &PathBuf| {
        let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
        status
            .lines()
            .filter(|l| l.contains("ctxt_switches:"))
            .filter_map(|l| l.split_whitespace().last()?.parse::<u64>().ok())
            .sum::<u64>()
    };
    Some(threads(prefixes)?.iter().map(switches).sum())
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
        Program::companion_env(args, &[])
    }

    /// [`Program::companion`] with extra environment variables, e.g.
    /// `("GODEBUG", "http2server=0")`: switches that are read from the environment.
    pub fn companion_env(args: &[&str], env: &[(&str, &str)]) -> Program {
        use std::io::BufRead;
        let cert_dir = TempDir::new("companion-ca");
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rwh"));
        command.args(args).env("RWH_CERT_DIR", cert_dir.path());
        command.envs(env.iter().copied());
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

    /// Its CA certificate, the `ca.pem` it logs: what a client trusts to verify its HTTPS port.
    pub fn ca_pem(&self) -> PathBuf {
        self.cert_dir.path().join("ca.pem")
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
        missing(&format!("{} is not installed", names.join(" or ")));
    }
    found
}

/// Runs `curl` (from [`interop_tool`]) quietly with `args`, bounded by `--max-time 10`.
pub fn curl(tool: &Path, args: &[&str]) -> Output {
    std::process::Command::new(tool)
        .args(["-sS", "--max-time", "10"])
        .args(args)
        .output()
        .unwrap()
}

/// The standard output of a program that must have succeeded; if not, its stderr says why.
pub fn stdout_bytes(output: &Output) -> Vec<u8> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout.clone()
}

/// [`stdout_bytes`] as text, for the checks that need not be byte for byte.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&stdout_bytes(output)).into_owned()
}

/// Says why an interop test is skipped; fails instead when `REQUIRE_INTEROP=1`.
fn missing(why: &str) {
    assert!(
        std::env::var("REQUIRE_INTEROP").as_deref() != Ok("1"),
        "REQUIRE_INTEROP=1 but {why}"
    );
    eprintln!("skipped: {why} (set REQUIRE_INTEROP=1 to make this a failure)");
}

/// Loads `url` in headless Chromium and returns the DOM once the page has settled:
/// `budget_ms` of virtual time lets timers and reconnects run without real waiting.
/// `None` (after a message) when Chromium is not installed; see [`interop_tool`].
pub fn chromium_dom(url: &str, budget_ms: u32) -> Option<String> {
    let chromium = interop_tool(&["chromium", "chromium-browser", "google-chrome"])?;
    Some(run_chromium(&chromium, url, budget_ms, None))
}

/// [`chromium_dom`] for an `https://` URL of a server whose certificate comes from the
/// CA in `ca_pem`. Chromium trusts that CA the way a reader would make it trust it: the
/// CA goes into the NSS database of a throwaway `$HOME` (`certutil`, from Debian's
/// `libnss3-tools`), and certificates are verified as usual, name constraints included.
///
/// Both ways of making headless Chromium accept our certificate were tried (Chromium
/// 156 on Debian 12), and both load the prime page over h2: this NSS database, and
/// `--ignore-certificate-errors-spki-list=<base64 SHA-256 of the leaf's SPKI>`, which
/// pins our key. We chose the database: the flag makes Chromium skip verification for
/// that key rather than verify the chain, and its hash needs an X.509 parser and SHA-256
/// that the tests do not otherwise have; the database runs Chromium's real verification
/// against our real CA, which is what the reader does and what the tests are about.
pub fn chromium_dom_trusting(url: &str, budget_ms: u32, ca_pem: &Path) -> Option<String> {
    let chromium = interop_tool(&["chromium", "chromium-browser", "google-chrome"])?;
    let certutil = interop_tool(&["certutil"])?;
    let home = TempDir::new("chromium-home");
    let nssdb = home.path().join(".pki/nssdb");
    std::fs::create_dir_all(&nssdb).unwrap();
    let db = format!("sql:{}", nssdb.display());
    let run = |args: &[&str]| {
        let output = std::process::Command::new(&certutil)
            .args(args)
            .output()
            .expect("certutil runs");
        assert!(output.status.success(), "certutil {args:?}: {output:?}");
    };
    run(&["-N", "-d", &db, "--empty-password"]);
    let ca = ca_pem.to_str().unwrap();
    run(&[
        "-A",
        "-d",
        &db,
        "-n",
        "rwh development CA",
        "-t",
        "C,,",
        "-i",
        ca,
    ]);
    Some(run_chromium(&chromium, url, budget_ms, Some(home.path())))
}

/// Runs headless Chromium on `url` with a fresh profile (and `$HOME`, when given).
fn run_chromium(chromium: &Path, url: &str, budget_ms: u32, home: Option<&Path>) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let profile = std::env::temp_dir().join(format!(
        "rwh-chromium-{}-{}-{}",
        std::process::id(),
        budget_ms,
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let mut command = std::process::Command::new(chromium);
    if let Some(home) = home {
        command.env("HOME", home);
    }
    let output = command
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
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The program of example `name`, as `cargo test` builds it (`target/…/examples/`).
/// `None` (after a message) if it is missing or older than one of its sources (the list
/// cargo keeps beside it, `NAME.d`), e.g. after `cargo test --test FILE`, which builds
/// no examples; `REQUIRE_INTEROP=1` makes that a failure.
pub fn example_program(name: &str) -> Option<PathBuf> {
    let deps = std::env::current_exe().unwrap();
    let dir = deps.parent()?.parent()?.join("examples");
    let program = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let built = std::fs::metadata(&program).and_then(|m| m.modified()).ok();
    let sources = std::fs::read_to_string(dir.join(format!("{name}.d"))).unwrap_or_default();
    let listed = sources.split_once(": ").map(|(_, list)| list);
    let fresh = built.zip(listed).is_some_and(|(built, sources)| {
        // Paths are separated by spaces; a space inside a path is escaped as `\ `.
        let sources = sources.replace("\\ ", "\0");
        sources.split_whitespace().all(|source| {
            let source = source.replace('\0', " ");
            std::fs::metadata(source)
                .and_then(|m| m.modified())
                .is_ok_and(|modified| modified <= built)
        })
    });
    if !fresh {
        let why = format!(
            "example {name} is not built or older than its sources: run `cargo test` \
             (it builds the examples) or `cargo build --examples`"
        );
        missing(&why);
        return None;
    }
    Some(program)
}

/// An example program running as a reader would start it; killed when dropped.
pub struct Example {
    child: std::process::Child,
    /// The URL from its first line of output, `listening on URL`.
    pub url: String,
}

impl Example {
    /// Starts `program` (from [`example_program`]) and reads its first line, `listening on URL`.
    pub fn start(program: &Path, args: &[&str]) -> Example {
        use std::io::BufRead;
        let child = std::process::Command::new(program)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Killed even if the first line is not what it should be.
        let mut example = Example {
            child,
            url: String::new(),
        };
        let mut first = String::new();
        std::io::BufReader::new(example.child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        example.url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line {first:?}"))
            .to_owned();
        example
    }
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Python 3 that can import `module` (from a pip package: `h2`, or `websockets.sync.client`
/// from `websockets`). `None` (after a message) when there is none; `REQUIRE_INTEROP=1`
/// makes that a failure.
pub fn python_with(module: &str) -> Option<PathBuf> {
    let python = interop_tool(&["python3"])?;
    let imports = std::process::Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !imports {
        let package = module.split('.').next().unwrap_or(module);
        let why = format!("the Python package {package} is not installed (pip install {package})");
        missing(&why);
        return None;
    }
    Some(python)
}

/// The `(id, number)` of every `<li data-id="ID">NUMBER</li>` in the prime page, top to bottom.
pub fn rendered_primes(dom: &str) -> Vec<(u64, u64)> {
    dom.split("<li data-id=\"")
        .skip(1)
        .filter_map(|item| {
            let (id, rest) = item.split_once("\">")?;
            let (number, _) = rest.split_once("</li>")?;
            Some((id.parse().ok()?, number.parse().ok()?))
        })
        .collect()
}
