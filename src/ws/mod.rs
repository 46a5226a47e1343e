//! WebSocket (book sections 9.4.1 and 9.4.2): the upgrade, a full-duplex connection on a
//! blocking socket, the heartbeat, and a client.
//!
//! | Go (gorilla/websocket) | here |
//! |---|---|
//! | `websocket.Upgrader{}`, `Upgrade(w, r, nil)` | [`Upgrader`], [`Upgrader::upgrade`] |
//! | `CheckOrigin` | [`OriginPolicy`] (same origin by default, like gorilla) |
//! | `http.Hijacker` / `Hijack()` | [`Response::hijack`](crate::http::Response::hijack) |
//! | `*websocket.Conn`, `ReadMessage()` | [`Connection`], [`Connection::recv`] |
//! | `WriteMessage()` from the write pump | [`Sender::send`], from any thread; [`Sender::try_send`] never waits |
//! | `SetPongHandler` + `SetReadDeadline` (listing 9-4) | [`Heartbeat`] |
//! | `websocket.DefaultDialer.Dial(url, nil)` | [`connect`] |
//! | `TextMessage` 1, `BinaryMessage` 2, `CloseMessage` 8, `PingMessage` 9, `PongMessage` 10 | [`Message`]`::Text`, `Binary`, `Close`, `Ping`, `Pong` |

mod client;
mod config;
mod conn;
mod error;
mod handshake;
mod heartbeat;
mod io;
mod origin;
mod upgrade;

pub use client::{ClientOptions, ConnectError, connect, connect_with};
pub use config::{Config, Heartbeat, PING_EVERY, PONG_WAIT, WRITE_WAIT};
pub use conn::{Connection, Sender, TrySend};
pub use error::Error;
pub use handshake::{Accepted, Refusal, VERSION, accept_key, check_request, switching_protocols};
pub use origin::{ForeignOrigin, OriginPolicy};
pub use upgrade::{UpgradeError, Upgrader};

pub use tungstenite::protocol::frame::coding::CloseCode;
pub use tungstenite::protocol::{CloseFrame, Role};
pub use tungstenite::{Bytes, Message, Utf8Bytes};
