//! Running a handler for one request, whatever the protocol underneath: a panic or an
//! error is contained to this request, answered 500 when nothing was sent yet.

use std::any::Any;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::response::Wire;
use super::{Request, Response, Router};

/// How a request ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Handled {
    /// The response was sent in full.
    Complete,
    /// The handler took the connection (an upgrade).
    Hijacked,
    /// The client went away; nothing more can be sent.
    Disconnected,
    /// The handler failed after the head was sent: the body is cut short.
    Broken,
    /// The handler failed before sending anything and 500 was sent instead.
    Replaced,
}

/// Routes `request`, runs its handler on `wire`, and completes the response.
pub(crate) fn handle(
    router: &Router,
    request: &mut Request,
    wire: &mut dyn Wire,
) -> io::Result<Handled> {
    let head_only = request.method == "HEAD";
    let mut response = Response::new(wire, head_only);
    let outcome = catch_unwind(AssertUnwindSafe(|| router.dispatch(request, &mut response)));
    if response.is_hijacked() {
        return Ok(Handled::Hijacked);
    }
    let failure = match outcome {
        Ok(Ok(())) => {
            let status = response.status();
            response.finish()?;
            log::debug!(
                "{} {} {} -> {status}",
                request.method,
                request.target,
                request.version.as_str()
            );
            return Ok(Handled::Complete);
        }
        Ok(Err(e)) if is_disconnect(&e) => {
            log::debug!("{} {}: {e}", request.method, request.target);
            return Ok(Handled::Disconnected);
        }
        Ok(Err(e)) => e.to_string(),
        Err(panic) => format!("handler panicked: {}", panic_message(&panic)),
    };
    log::error!("{} {}: {failure}", request.method, request.target);
    if response.head_sent() {
        return Ok(Handled::Broken);
    }
    drop(response);
    let mut replacement = Response::new(wire, head_only);
    replacement.set_header("Connection", "close");
    replacement.send(
        500,
        "text/plain; charset=utf-8",
        b"500 internal server error\n",
    )?;
    replacement.finish()?;
    Ok(Handled::Replaced)
}

/// True for the errors that mean the client went away, which is no fault of ours.
pub(crate) fn is_disconnect(e: &io::Error) -> bool {
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
