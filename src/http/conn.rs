//! One HTTP/1.1 connection: read a request, answer it, repeat while keep-alive allows.

use std::io::{self, Read};
use std::time::{Duration, Instant};

use super::input::Input;
use super::server::Service;
use super::transport::Transport;
use super::wire1::Http1Wire;
use super::{Handled, Limits, Request, RequestError, Router, handle, reason};

/// How long a closing connection keeps reading what the client still sends, so that
/// our last response is not lost to a TCP reset (Go's `closeWriteAndWait`).
const LINGER: Duration = Duration::from_millis(500);

/// Serves every request that arrives on `stream` (TCP, or TLS on TCP), then closes it.
pub(crate) fn serve(stream: Box<dyn Transport>, service: &Service) {
    let limits = &service.limits;
    let tcp = stream.tcp();
    let peer = tcp.peer_addr().ok();
    if tcp.set_nodelay(true).is_err() || tcp.set_write_timeout(Some(limits.write_timeout)).is_err()
    {
        return;
    }
    let mut input = Input::new(stream);
    let mut out = Vec::with_capacity(4096);
    // A new connection gets the header timeout to start; later ones the idle timeout.
    let mut idle = limits.header_timeout;
    let mut first = true;
    loop {
        let mut request = match read_request(&mut input, idle, limits) {
            Ok(Some(request)) => request,
            // Closed by the client, or idle too long: over TLS, say goodbye properly.
            Ok(None) => {
                let _ = input.stream().close_write();
                return;
            }
            // h2c with prior knowledge: the preface must open the connection (RFC 9113 §3.3).
            Err(RequestError::Http2Preface) if first && crate::tls::http2_server_enabled() => {
                return http2_prior_knowledge(input, service);
            }
            Err(error) => return refuse(input, &error),
        };
        request.peer = peer;
        idle = limits.idle_timeout;
        first = false;
        match answer(&mut input, &mut out, &mut request, &service.router) {
            Ok(Next::KeepAlive) => {}
            Ok(Next::Close) => return close(input),
            Ok(Next::Hijacked) => return,
            Err(e) => return log::debug!("{peer:?}: {} {}: {e}", request.method, request.target),
        }
    }
}

/// The client opened with the HTTP/2 connection preface (h2c, RFC 9113 §3.3): the
/// HTTP/2 server takes the socket and the bytes read so far.
fn http2_prior_knowledge(mut input: Input, service: &Service) {
    let Some(socket) = input.stream().hijack() else {
        return;
    };
    let read_ahead = input.take_buffered();
    drop(input);
    crate::h2::server::serve_cleartext(socket, &read_ahead, service);
}

/// What the connection does after a response.
enum Next {
    KeepAlive,
    Close,
    Hijacked,
}

fn read_request(
    input: &mut Input,
    idle: Duration,
    limits: &Limits,
) -> Result<Option<Request>, RequestError> {
    let Some(mut request) = input.read_head(idle, limits)? else {
        return Ok(None);
    };
    if request.headers.has_token("expect", "100-continue") {
        input.send(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    request.body = input.read_body(&request.headers, limits)?;
    Ok(Some(request))
}

/// Runs the handler for one request; what happens next depends on how it went.
fn answer(
    input: &mut Input,
    out: &mut Vec<u8>,
    request: &mut Request,
    router: &Router,
) -> io::Result<Next> {
    let head_only = request.method == "HEAD";
    let mut wire = Http1Wire::new(input, out, request.version, head_only, request.keep_alive());
    Ok(match handle(router, request, &mut wire)? {
        Handled::Complete if wire.keep_alive => Next::KeepAlive,
        Handled::Complete | Handled::Replaced | Handled::Disconnected => Next::Close,
        Handled::Hijacked => Next::Hijacked,
        // Part of the body is out; closing without the last chunk tells the client.
        Handled::Broken => return Err(io::Error::other("the handler failed mid-response")),
    })
}

/// Answers a request that could not be read with its status, then closes.
fn refuse(mut input: Input, error: &RequestError) {
    log::debug!("{:?}: {error}", input.tcp().peer_addr());
    if let Some(status) = error.status() {
        let _ = input.send(&plain_response(status, &[]));
    }
    close(input);
}

/// A complete `Connection: close` response whose body is the reason phrase.
pub(crate) fn plain_response(status: u16, extra_headers: &[(&str, &str)]) -> Vec<u8> {
    let body = format!("{status} {}\n", reason(status));
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    for (name, value) in extra_headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.push_str(&body);
    head.into_bytes()
}

fn close(mut input: Input) {
    close_gracefully(input.stream());
}

/// Closes our side, then reads briefly so the client sees our last response before EOF.
pub(crate) fn close_gracefully(stream: &mut dyn Transport) {
    if stream.close_write().is_err() {
        return;
    }
    let until = Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    // What the client still sends is thrown away: read the socket, not the TLS session.
    let mut socket = stream.tcp();
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        if socket
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .is_err()
        {
            return;
        }
        match socket.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}
