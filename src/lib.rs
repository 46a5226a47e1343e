//! rwh: chapter 9 of *Real World HTTP* in synchronous Rust.
//!
//! Where each book section lives:
//!
//! | book section | module | example |
//! |---|---|---|
//! | 9.1 HTTP/2: TLS, ALPN, the `GODEBUG` switches of table 9-1 | [`tls`], [`h2`], [`client`], [`http`] | `ch09_1_protocol_version`; the companion server's HTTPS port |
//! | 9.3 Server-Sent Events | [`http`], [`sse`], [`primes`] | `ch09_3_sse_server`, `ch09_3_sse_client` |
//! | 9.4.1–9.4.2 WebSocket | [`ws`] (upgrade, origin policy, full-duplex connection, heartbeat, client) | `ch09_4_ws_echo_server`, `ch09_4_ws_client` |
//! | 9.4.3 Rooms | [`room`] (the hub, the registry and lobby, WebSocket and SSE members) | `ch09_4_chat_rooms` |
//!
//! Every server is a blocking `std::net` listener with one thread per connection.

pub mod cli;
pub mod client;
pub mod h2;
pub mod http;
pub mod primes;
pub mod room;
pub mod sse;
pub mod tls;
pub mod ws;
