//! HTTP/2 (book section 9.1): frames, HPACK, and a server connection of our own.
//!
//! There is no synchronous HTTP/2 crate, and what HTTP/2 does on the wire is what the
//! chapter teaches, so each layer is here to read: [`frame`] (RFC 9113 §4, §6), [`hpack`]
//! (RFC 7541), and the connection in [`server`].

pub mod client;
mod fields;
pub mod frame;
mod guard;
pub mod hpack;
mod log;
pub mod server;
mod session;
