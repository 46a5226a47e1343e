//! The listener: one named thread per connection, and a cap on how many there are.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use rustls::ServerConfig;
use socket2::{Domain, Socket, Type};

use super::conn::{self, plain_response};
use super::drain::Drains;
use super::{Router, Slots, tls_conn};

/// Stack size of a connection thread: enough for a handler, small for thousands of them.
pub const CONNECTION_STACK: usize = 256 * 1024;

/// Sizes and timeouts that bound what one client can cost the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once; one more gets 503 and is closed.
    pub max_connections: usize,
    /// Largest request head in bytes (431 beyond).
    pub max_head: usize,
    /// Largest request body in bytes (413 beyond).
    pub max_body: usize,
    /// Time from the first byte of a head to its end (408 beyond); also how long a new
    /// connection may stay silent.
    pub header_timeout: Duration,
    /// How long a keep-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// Longest wait for the next piece of a request body.
    pub body_timeout: Duration,
    /// Longest wait for one write to the client: a peer that stops reading is dropped.
    pub write_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            max_head: 16 * 1024,
            max_body: 1024 * 1024,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
        }
    }
}

/// A bound listener, ready to serve a [`Router`] over plain TCP or over TLS.
pub struct Server {
    listener: TcpListener,
    limits: Limits,
    tls: Option<Arc<ServerConfig>>,
}

impl Server {
    /// Binds `addr`; port 0 picks a free port (see [`Server::local_addr`]).
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Self> {
        Ok(Self {
            listener: listen(addr)?,
            limits: Limits::default(),
            tls: None,
        })
    }

    /// Binds `addr` for HTTPS: every connection starts with a TLS handshake
    /// (see [`crate::tls::server_config`]).
    pub fn bind_tls(addr: impl ToSocketAddrs, config: Arc<ServerConfig>) -> io::Result<Self> {
        Ok(Self::bind(addr)?.with_tls(config))
    }

    /// Serves over TLS with `config`; the ALPN protocols it offers decide what the
    /// clients may speak.
    pub fn with_tls(mut self, config: Arc<ServerConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// Replaces the default limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The base URL, e.g. `http://127.0.0.1:18888` (`https://` with TLS), for the
    /// `listening on URL` line.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme(), self.local_addr())
    }

    fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }

    /// Serves connections on this thread until the process ends.
    pub fn run(self, router: Router) -> io::Result<()> {
        let listen = Listen {
            service: Service::new(router, self.limits),
            tls: self.tls,
            stop: Arc::default(),
        };
        listen.accept_loop(self.listener);
        Ok(())
    }

    /// Serves connections on a background thread; dropping the handle stops accepting.
    pub fn spawn(self, router: Router) -> io::Result<Running> {
        let addr = self.local_addr();
        let scheme = self.scheme();
        let stop = Arc::new(AtomicBool::new(false));
        let service = Service::new(router, self.limits);
        let (slots, drains) = (service.slots.clone(), service.drains.clone());
        let listen = Listen {
            service,
            tls: self.tls,
            stop: stop.clone(),
        };
        let listener = self.listener;
        let thread = thread::Builder::new()
            .name(format!("rwh-accept-{}", addr.port()))
            .spawn(move || listen.accept_loop(listener))?;
        Ok(Running {
            addr,
            scheme,
            stop,
            slots,
            drains,
            thread: Some(thread),
        })
    }
}

/// Connections the kernel may hold for us before `accept`. `TcpListener::bind` asks for
/// 128, and a burst of a thousand clients overflows that: the kernel drops the extra
/// handshakes and those clients wait a second for their retry. Go asks for the system's
/// maximum (`net.core.somaxconn`, 4096 on recent Linux); the kernel caps ours there too.
const BACKLOG: i32 = 4096;

/// `TcpListener::bind` with a longer accept queue: the first address that works.
fn listen(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
    let mut last_error = None;
    for addr in addr.to_socket_addrs()? {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
        if cfg!(unix) {
            socket.set_reuse_address(true)?; // as std does: restart without waiting
        }
        match socket
            .bind(&addr.into())
            .and_then(|()| socket.listen(BACKLOG))
        {
            Ok(()) => return Ok(socket.into()),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error
        .unwrap_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address to bind")))
}

/// A server running on a background thread (see [`Server::spawn`]).
pub struct Running {
    addr: SocketAddr,
    scheme: &'static str,
    stop: Arc<AtomicBool>,
    slots: Slots,
    drains: Drains,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:40123` or `https://127.0.0.1:40124`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// How many threads are serving clients right now: one per connection, plus each
    /// HTTP/2 connection's handler threads (at most one per stream it has had open at once).
    pub fn connections(&self) -> usize {
        self.slots.busy()
    }

    /// Stops accepting new connections. Those already open finish on their own; each
    /// HTTP/2 connection is told so with GOAWAY (NO_ERROR), answers the streams it has,
    /// takes no new ones, and closes once idle.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.drains.drain_all();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What every connection thread is given: the routes, the limits, and the cap on
/// threads, which HTTP/2 streams share with connections.
#[derive(Clone)]
pub(crate) struct Service {
    pub(crate) router: Arc<Router>,
    pub(crate) limits: Arc<Limits>,
    pub(crate) slots: Slots,
    /// Connections to wind down gracefully when the server stops (HTTP/2).
    pub(crate) drains: Drains,
}

impl Service {
    fn new(router: Router, limits: Limits) -> Self {
        let slots = Slots::new(limits.max_connections);
        Self {
            router: Arc::new(router),
            limits: Arc::new(limits),
            slots,
            drains: Drains::default(),
        }
    }
}

/// What the accept loop owns.
struct Listen {
    service: Service,
    tls: Option<Arc<ServerConfig>>,
    stop: Arc<AtomicBool>,
}

impl Listen {
    fn accept_loop(self, listener: TcpListener) {
        for stream in listener.incoming() {
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            let stream = match stream {
                Ok(stream) => stream,
                Err(e) => {
                    // Out of file descriptors, usually: wait for connections to end.
                    log::warn!("accept failed: {e}");
                    thread::sleep(Duration::from_millis(10));
                    continue;
                }
            };
            let Some(slot) = self.service.slots.take() else {
                turn_away(stream, self.tls.is_some());
                continue;
            };
            let (service, tls) = (self.service.clone(), self.tls.clone());
            let name = format!(
                "rwh-conn-{}",
                stream.peer_addr().map(|a| a.port()).unwrap_or(0)
            );
            let spawned = thread::Builder::new()
                .name(name)
                .stack_size(CONNECTION_STACK)
                .spawn(move || {
                    let _slot = slot;
                    match tls {
                        None => conn::serve(Box::new(stream), &service),
                        Some(config) => tls_conn::serve(stream, config, &service),
                    }
                });
            if let Err(e) = spawned {
                log::warn!("cannot start a connection thread: {e}");
            }
        }
    }
}

/// Answers 503 to a connection over the cap, without a thread of its own. A TLS client
/// is only closed: answering it would take a handshake.
fn turn_away(stream: TcpStream, tls: bool) {
    log::warn!("too many connections: refusing {:?}", stream.peer_addr());
    if tls {
        return;
    }
    let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
    let _ = (&stream).write_all(&plain_response(503, &[("Retry-After", "1")]));
}
