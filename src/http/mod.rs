//! HTTP/1.1 from the socket up: the server loop, request heads, the response writer.
//!
//! Book: chapter 9 builds on chapter 6's `http.Flusher` and `http.Hijacker`; here they
//! are [`Response`]'s `flush()` and [`Response::hijack`].

mod chunked;
pub mod client;
mod client_conn;
mod conn;
mod drain;
mod error;
mod handle;
mod headers;
mod input;
mod request;
mod response;
mod router;
mod server;
mod slots;
mod tls_conn;
mod transport;
mod wire1;

pub use chunked::{ChunkedReader, write_chunk, write_last_chunk};
pub(crate) use client_conn::Conn as ClientConn;
pub(crate) use drain::Drain;
pub use error::{RequestError, reason};
pub(crate) use handle::{Handled, handle};
pub use headers::Headers;
pub(crate) use input::is_timeout;
pub use request::{Request, Version};
pub(crate) use response::{BodySize, Wire, has_body};
pub use response::{Hijacked, Response};
pub use router::{Handler, Immediate, Router};
pub(crate) use server::Service;
pub use server::{CONNECTION_STACK, Limits, Running, Server};
pub(crate) use slots::Slots;
