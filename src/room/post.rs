//! `POST /rooms/NAME/messages`: a message into a room over plain HTTP, from a page that
//! listens with `EventSource`, from curl, or from a script. The body is the message,
//! relayed verbatim like a WebSocket member's text.

use std::io;

use super::member::Text;
use super::registry::{Rooms, SayError};
use super::reply::{TEXT, room_name};
use crate::http::{Request, Response};

/// The handler of `POST /rooms/{name}/messages`: 202 once the room's hub has the message;
/// 400 for a body that is not UTF-8, 413 over `max_message` bytes (the WebSocket limit),
/// 404 when nobody is in the room, 503 when its queue stays full.
pub fn handler(
    rooms: Rooms,
    max_message: usize,
) -> impl Fn(&Request, &mut Response) -> io::Result<()> + Send + Sync + 'static {
    move |req, res| {
        let Some(name) = room_name(req, res)? else {
            return Ok(());
        };
        if req.body.len() > max_message {
            let why = format!("a message is at most {max_message} bytes\n");
            return res.send(413, TEXT, why.as_bytes());
        }
        let Ok(text) = Text::try_from(req.body.clone()) else {
            return res.send(400, TEXT, b"a message must be UTF-8 text\n");
        };
        match rooms.say(&name, text) {
            Ok(()) => res.send(202, TEXT, b"accepted\n"),
            Err(why @ SayError::NoSuchRoom(_)) => {
                res.send(404, TEXT, format!("{why}\n").as_bytes())
            }
            Err(why @ SayError::Busy(_)) => {
                res.set_header("Retry-After", "1");
                res.send(503, TEXT, format!("{why}\n").as_bytes())
            }
        }
    }
}
