//! `cargo run`: the companion server, every demo of the book on one HTTP port and one
//! HTTPS port.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use clap::Parser;
use rwh::http::{Immediate, Request, Response, Router, Server};
use rwh::room::{RoomConfig, Rooms};
use rwh::tls;
use rwh::ws::{Config, Heartbeat, Upgrader};

#[path = "../examples/ch09_3_sse_server.rs"]
#[allow(dead_code)] // the example's own main() and Args are not used here
mod sse_server;

#[path = "../examples/ch09_4_ws_echo_server.rs"]
#[allow(dead_code)] // the example's own main() and Args are not used here
mod ws_echo;

#[path = "../examples/ch09_4_chat_rooms.rs"]
#[allow(dead_code)] // the example's own main() and Args are not used here
mod chat;

/// The page that links every demo.
const INDEX: &str = include_str!("index.html");

/// The companion server of rwh: every demo of chapter 9 over HTTP and over HTTPS.
///
/// The HTTPS port uses a certificate from a local development CA, made on the first run
/// in $RWH_CERT_DIR (else $XDG_DATA_HOME/rwh/dev-ca, else ~/.local/share/rwh/dev-ca).
/// The log says where the CA certificate is: trust it with `curl --cacert PATH`.
///
/// HTTPS offers HTTP/2 (`h2`) and HTTP/1.1 in the TLS handshake; the HTTP port also
/// takes HTTP/2 with prior knowledge (h2c). GODEBUG=http2server=0 turns HTTP/2 off, and
/// RUST_LOG=rwh::h2::frame=debug logs every HTTP/2 frame.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on for HTTP (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:18888")]
    addr: String,
    /// Address to listen on for HTTPS, the book's TLS port (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:18443")]
    tls_addr: String,
    /// The prime stream of section 9.3.
    #[command(flatten)]
    pace: sse_server::Pace,
}

/// `GET /`: the index page, with the real ports of both servers in its links.
fn index(
    http: SocketAddr,
    https: SocketAddr,
) -> impl Fn(&Request, &mut Response) -> io::Result<()> {
    let page: Arc<str> = INDEX
        .replace("{{http_port}}", &http.port().to_string())
        .replace("{{https_port}}", &https.port().to_string())
        .into();
    move |_, res| res.send(200, "text/html; charset=utf-8", page.as_bytes())
}

/// The 9.4 echo and chat with the examples' defaults: 64 KiB messages, gorilla's
/// heartbeat, same-origin pages only.
fn echo_upgrader() -> Upgrader {
    Upgrader::new().config(Config::default().with_heartbeat(Heartbeat::default()))
}

/// Every demo; each port gets its own copy, and both share one set of rooms. (The
/// WebSocket needs the plain HTTP port: over TLS the upgrade answers 501 until `wss://`
/// is supported; the room page there listens with SSE and sends with POST instead.)
///
/// The pages are [`Immediate`]: they come from memory, so HTTP/2 answers them on the
/// connection's own thread. The streams and upgrades wait, and get threads of their own.
fn routes(pace: sse_server::Pace, rooms: &Rooms, http: SocketAddr, https: SocketAddr) -> Router {
    let router = Router::new()
        .get("/", Immediate(index(http, https)))
        .get("/primes", Immediate(sse_server::handler_html))
        .get("/prime", sse_server::handler_prime_sse(pace))
        .get("/ws-echo", Immediate(ws_echo::handler_page))
        .get("/echo", ws_echo::handler_echo(echo_upgrader()))
        .get("/lobby", Immediate(chat::handler_lobby));
    chat::room_routes(router, rooms, echo_upgrader())
}

fn main() -> Result<(), rwh::cli::Fatal> {
    rwh::cli::init_logging();
    let args = Args::parse();
    let server = Server::bind(&args.addr)?;
    let ca = tls::local_dev_ca()?;
    // `h2` then `http/1.1`, or only `http/1.1` with GODEBUG=http2server=0 (table 9-1).
    let config = tls::server_config(&ca, tls::server_protocols())?;
    let tls_server =
        Server::bind_tls(&args.tls_addr, config).map_err(|e| format!("{}: {e}", args.tls_addr))?;
    let cert = ca.ca_cert_path();
    log::info!(
        "local CA certificate: {} (curl --cacert {})",
        cert.display(),
        cert.display()
    );
    rwh::cli::announce_all(&[server.url(), tls_server.url()]);
    let rooms = Rooms::new(RoomConfig::default());
    let (http, https) = (server.local_addr(), tls_server.local_addr());
    let _tls = tls_server.spawn(routes(args.pace, &rooms, http, https))?;
    Ok(server.run(routes(args.pace, &rooms, http, https))?)
}
