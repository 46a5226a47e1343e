//! One HTTP/1.1 connection: read a request, answer it, repeat while keep-alive allows.

use std::any::Any;
use std::io::{self, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use super::input::Input;
use super::transport::Transport;
use super::wire1::Http1Wire;
use super::{Limits, Request, RequestError, Response, Router, reason};

/// How long a closing connection keeps reading what the client still sends, so that
/// our last response is not lost to a TCP reset (Go's `closeWriteAndWait`).
const LINGER: Duration = Duration::from_millis(500);

/// Serves every request that arrives on `stream` (TCP, or TLS on TCP), then closes it.
pub(crate) fn serve(stream: Box<dyn Transport>, router: &Router, limits: &Limits) {
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
    loop {
        let mut request = match read_request(&mut input, idle, limits) {
            Ok(Some(request)) => request,
            // Closed by the client, or idle too long: over TLS, say goodbye properly.
            Ok(None) => {
                let _ = input.stream().close_write();
                return;
            }
            Err(error) => return refuse(input, &error),
        };
        request.peer = peer;
        idle = limits.idle_timeout;
        match answer(&mut input, &mut out, &mut request, router) {
            Ok(Next::KeepAlive) => {}
            Ok(Next::Close) => return close(input),
            Ok(Next::Hijacked) => return,
            Err(e) => return log::debug!("{peer:?}: {} {}: {e}", request.method, request.target),
        }
    }
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

/// Runs the handler for one request, containing a panic to this connection.
fn answer(
    input: &mut Input,
    out: &mut Vec<u8>,
    request: &mut Request,
    router: &Router,
) -> io::Result<Next> {
    let head_only = request.method == "HEAD";
    let mut wire = Http1Wire::new(input, out, request.version, head_only, request.keep_alive());
    let mut response = Response::new(&mut wire, head_only);
    let outcome = catch_unwind(AssertUnwindSafe(|| router.dispatch(request, &mut response)));
    let failure = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(e)) if is_disconnect(&e) => {
            log::debug!("{} {}: {e}", request.method, request.target);
            return Ok(Next::Close);
        }
        Ok(Err(e)) => Some(e.to_string()),
        Err(panic) => Some(format!("handler panicked: {}", panic_message(&panic))),
    };
    if response.is_hijacked() {
        return Ok(Next::Hijacked);
    }
    if let Some(failure) = failure {
        log::error!("{} {}: {failure}", request.method, request.target);
        if response.head_sent() {
            // Part of the body is out; closing without the last chunk tells the client.
            return Err(io::Error::other(failure));
        }
        let mut replacement = Response::new(&mut wire, head_only);
        replacement.set_header("Connection", "close");
        replacement.send(
            500,
            "text/plain; charset=utf-8",
            b"500 internal server error\n",
        )?;
        replacement.finish()?;
        return Ok(Next::Close);
    }
    let status = response.status();
    response.finish()?;
    log::debug!(
        "{} {} {} -> {status}",
        request.method,
        request.target,
        request.version.as_str()
    );
    if wire.keep_alive {
        Ok(Next::KeepAlive)
    } else {
        Ok(Next::Close)
    }
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

/// True for the errors that mean the client went away, which is no fault of ours.
fn is_disconnect(e: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(
        e.kind(),
        BrokenPipe | ConnectionReset | ConnectionAborted | UnexpectedEof | TimedOut | WouldBlock
    )
}

fn panic_message(panic: &Box<dyn Any + Send>) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}
