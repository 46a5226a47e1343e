//! HTTP/1.1 from the socket up: the server loop, request heads, the response writer.
//!
//! Book: chapter 9 builds on chapter 6's `http.Flusher` and `http.Hijacker`; here they
//! are [`Response`]'s `flush()` and [`Response::hijack`].

mod chunked;
pub mod client;
mod client_conn;
mod conn;
mod error;
mod headers;
mod input;
mod request;
mod response;
mod router;
mod server;
mod tls_conn;
mod transport;
mod wire1;

pub use chunked::{ChunkedReader, write_chunk, write_last_chunk};
pub use error::{RequestError, reason};
pub use headers::Headers;
pub use request::{Request, Version};
pub use response::{Hijacked, Response};
pub use router::{Handler, Router};
pub use server::{CONNECTION_STACK, Limits, Running, Server};
