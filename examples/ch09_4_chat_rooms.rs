//! Book section 9.4.3: chat rooms. A lobby page, a chat page per room, and the room's
//! three doors: WebSocket members, Server-Sent Events listeners, and `POST` for messages.
//!
//! ```text
//! cargo run --example ch09_4_chat_rooms      # then open http://127.0.0.1:8080/
//! curl -N http://127.0.0.1:8080/rooms/go/events                           # listen to room "go"
//! curl --data-binary 'hello from curl' http://127.0.0.1:8080/rooms/go/messages
//! curl http://127.0.0.1:8080/rooms                                        # the lobby as JSON
//! ```

use std::io;
use std::time::Duration;

use clap::Parser;
use rwh::http::{Request, Response, Router, Server};
use rwh::room::{RoomConfig, RoomName, Rooms, lobby, post, sse_member, ws_member};
use rwh::ws::{Config, Heartbeat, OriginPolicy, Upgrader};

/// The lobby: open rooms with live member counts, and a form to enter or make one.
const LOBBY: &str = include_str!("html/ch09_4_lobby.html");

/// The chat page of one room, in plain JavaScript.
const ROOM: &str = include_str!("html/ch09_4_room.html");

/// `GET /`: the lobby page.
pub fn handler_lobby(_: &Request, res: &mut Response) -> io::Result<()> {
    res.send(200, "text/html; charset=utf-8", LOBBY.as_bytes())
}

/// `GET /rooms/{name}`: the chat page (400 for a bad room name). The page finds its room
/// in its own URL, so one page serves every room.
pub fn handler_room_page(req: &Request, res: &mut Response) -> io::Result<()> {
    match RoomName::parse(req.param("name").unwrap_or_default()) {
        Ok(_) => res.send(200, "text/html; charset=utf-8", ROOM.as_bytes()),
        Err(why) => res.send(
            400,
            "text/plain; charset=utf-8",
            format!("bad room name: {why}\n").as_bytes(),
        ),
    }
}

/// Book section 9.4.3: chat rooms over WebSocket and Server-Sent Events, with a lobby.
#[derive(Parser)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// Largest message accepted, in bytes (WebSocket: close 1009 beyond; POST: 413).
    #[arg(long, default_value_t = 64 * 1024)]
    max_message: usize,
    /// Messages that may wait for one member before it is evicted (gorilla's 256).
    #[arg(long, default_value_t = rwh::room::QUEUE)]
    queue: usize,
    /// Rooms open at once; a join that would open one more gets 503.
    #[arg(long, default_value_t = rwh::room::MAX_ROOMS)]
    max_rooms: usize,
    /// Milliseconds between two pings to a WebSocket member.
    #[arg(long, default_value_t = 54_000)]
    ping_ms: u64,
    /// Milliseconds of silence (no pong, no data) after which a member is dropped.
    #[arg(long, default_value_t = 60_000)]
    pong_wait_ms: u64,
    /// A page origin allowed besides the server's own, like http://localhost:3000
    /// (repeatable; `*` allows every origin, which is unsafe outside experiments).
    #[arg(long = "allow-origin")]
    allow_origins: Vec<String>,
}

// ANCHOR: routes
/// The room routes, added to `router`: the lobby as JSON, the chat page, and the three
/// ways in. One `Rooms` serves them all; the hub never learns which door a member used.
pub fn room_routes(router: Router, rooms: &Rooms, upgrader: Upgrader) -> Router {
    let max_message = upgrader.config.max_message;
    router
        .get("/rooms", lobby::handler(rooms.clone()))
        .get("/rooms/{name}", handler_room_page)
        .get(
            "/rooms/{name}/ws",
            ws_member::handler(rooms.clone(), upgrader),
        )
        .get("/rooms/{name}/events", sse_member::handler(rooms.clone()))
        .post(
            "/rooms/{name}/messages",
            post::handler(rooms.clone(), max_message),
        )
}
// ANCHOR_END: routes

/// Every route of the example: the lobby page at `/` and the rooms.
pub fn routes(rooms: &Rooms, upgrader: Upgrader) -> Router {
    room_routes(Router::new().get("/", handler_lobby), rooms, upgrader)
}

// ANCHOR: main
fn main() -> Result<(), rwh::cli::Fatal> {
    rwh::cli::init_logging();
    let args = Args::parse();
    let heartbeat = Heartbeat {
        ping_every: Duration::from_millis(args.ping_ms),
        pong_wait: Duration::from_millis(args.pong_wait_ms),
    };
    let config = Config {
        max_message: args.max_message,
        ..Config::default()
    };
    let origins = args
        .allow_origins
        .iter()
        .fold(OriginPolicy::same_origin(), |policy, o| policy.allow(o));
    let upgrader = Upgrader::new()
        .config(config.with_heartbeat(heartbeat))
        .origins(origins);
    // The book starts one hub with `go hub.run()`; here rooms start their own hubs.
    let rooms = Rooms::new(RoomConfig {
        queue: args.queue,
        max_rooms: args.max_rooms,
        ..RoomConfig::default()
    });
    let server = Server::bind(&args.addr)?;
    rwh::cli::announce(&server.url());
    Ok(server.run(routes(&rooms, upgrader))?)
}
// ANCHOR_END: main
