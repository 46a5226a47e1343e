//! The book's `websocket.Upgrader`: check the handshake, hijack the connection, answer
//! `101`, and hand the socket (with any bytes already read) to a [`Connection`].

use std::fmt;
use std::io::{self, Write};
use std::time::Duration;

use tungstenite::protocol::Role;

use super::handshake::{Refusal, check_request, switching_protocols};
use super::{Config, Connection, OriginPolicy};
use crate::http::{Hijacked, Request, Response};

/// Turns HTTP requests into WebSocket connections; build one and share it by reference.
#[derive(Debug, Clone, Default)]
pub struct Upgrader {
    /// Subprotocols this handler speaks; the first one the client lists is chosen.
    pub subprotocols: Vec<String>,
    /// Which cross-origin pages may connect (same origin only by default).
    pub origins: OriginPolicy,
    /// Limits, write wait and heartbeat of every connection made.
    pub config: Config,
}

/// Why [`Upgrader::upgrade`] made no connection. The HTTP answer has been sent.
#[derive(Debug)]
pub enum UpgradeError {
    /// The request was not an acceptable handshake; the client got its status.
    Refused(Refusal),
    /// The socket failed while answering, or the protocol cannot hand it over.
    Io(io::Error),
}

impl fmt::Display for UpgradeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UpgradeError::Refused(r) => write!(f, "handshake refused ({}): {r}", r.status()),
            UpgradeError::Io(e) => write!(f, "handshake failed: {e}"),
        }
    }
}

impl std::error::Error for UpgradeError {}

impl From<io::Error> for UpgradeError {
    fn from(e: io::Error) -> Self {
        UpgradeError::Io(e)
    }
}

impl Upgrader {
    /// Same origin only, no subprotocol, default limits, no heartbeat.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the subprotocols offered.
    pub fn subprotocols<S: Into<String>>(mut self, offered: impl IntoIterator<Item = S>) -> Self {
        self.subprotocols = offered.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the origin policy.
    pub fn origins(mut self, policy: OriginPolicy) -> Self {
        self.origins = policy;
        self
    }

    /// Sets the connection configuration.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Answers the handshake and takes the connection over (Go's `Upgrade`). A request
    /// that is not an acceptable handshake gets 400, 403, 405 or 426 and an `Err`.
    pub fn upgrade(
        &self,
        request: &Request,
        response: &mut Response,
    ) -> Result<Connection, UpgradeError> {
        let accepted = match check_request(request, &self.origins, &self.subprotocols) {
            Ok(accepted) => accepted,
            Err(refusal) => {
                for (name, value) in refusal.headers() {
                    response.set_header(name, *value);
                }
                response.set_header("Connection", "close");
                let body = format!("{refusal}\n");
                response.send(
                    refusal.status(),
                    "text/plain; charset=utf-8",
                    body.as_bytes(),
                )?;
                return Err(UpgradeError::Refused(refusal));
            }
        };
        // ANCHOR: hijack
        // Go's Hijack(): from here on the socket is ours, with the bytes the server
        // read past the request head (the client's first frame may be among them).
        let Some(Hijacked { stream, read_ahead }) = response.hijack() else {
            // Over TLS the session state lives in the HTTP layer, not in the socket.
            let why = "this connection cannot be taken over (wss:// is not supported yet)";
            response.send(
                501,
                "text/plain; charset=utf-8",
                format!("{why}\n").as_bytes(),
            )?;
            return Err(UpgradeError::Io(io::Error::other(why)));
        };
        stream.set_write_timeout(Some(self.config.write_wait.max(Duration::from_millis(1))))?;
        (&stream).write_all(switching_protocols(&accepted).as_bytes())?;
        let config = self.config.clone();
        let connection = Connection::new(
            stream,
            read_ahead,
            Role::Server,
            config,
            accepted.subprotocol,
        )?;
        // ANCHOR_END: hijack
        Ok(connection)
    }
}
