//! HTTP answers that every room route shares: a bad room name (400) and a refused join
//! (503), each with a body that says what went wrong.

use std::io;

use super::name::RoomName;
use super::registry::JoinError;
use crate::http::{Request, Response};

/// The room named by the route's `{name}` segment, or `None` after answering 400.
pub(crate) fn room_name(req: &Request, res: &mut Response) -> io::Result<Option<RoomName>> {
    let text = req.param("name").unwrap_or_default();
    match RoomName::parse(text) {
        Ok(name) => Ok(Some(name)),
        Err(why) => {
            res.send(400, TEXT, format!("bad room name: {why}\n").as_bytes())?;
            Ok(None)
        }
    }
}

/// Answers a join that failed: 503 (with `Retry-After`) when the server is full, 500
/// when the room's hub is gone.
pub(crate) fn refuse_join(res: &mut Response, why: &JoinError) -> io::Result<()> {
    log::warn!("join refused: {why}");
    let status = match why {
        JoinError::TooManyRooms(_) | JoinError::Spawn(_) => {
            res.set_header("Retry-After", "1");
            503
        }
        JoinError::HubGone(_) => 500,
    };
    res.send(status, TEXT, format!("{why}\n").as_bytes())
}

/// The content type of every plain-text answer.
pub(crate) const TEXT: &str = "text/plain; charset=utf-8";
