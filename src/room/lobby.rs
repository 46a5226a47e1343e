//! `GET /rooms`: the lobby as JSON, `[{"name": "go", "members": 2}]`, rooms by name.

use std::io;

use super::registry::{RoomInfo, Rooms};
use crate::http::{Request, Response};

/// The handler of `GET /rooms`.
pub fn handler(
    rooms: Rooms,
) -> impl Fn(&Request, &mut Response) -> io::Result<()> + Send + Sync + 'static {
    move |_, res| {
        res.set_header("Cache-Control", "no-cache");
        res.send(200, "application/json", to_json(&rooms.list()).as_bytes())
    }
}

/// The lobby in JSON. Room names hold only letters, digits, `-` and `_` (see
/// [`RoomName`](super::RoomName)), so they need no escaping.
pub fn to_json(rooms: &[RoomInfo]) -> String {
    let items: Vec<String> = rooms
        .iter()
        .map(|r| format!("{{\"name\": \"{}\", \"members\": {}}}", r.name, r.members))
        .collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room::RoomName;

    #[test]
    fn the_lobby_is_json() {
        assert_eq!(to_json(&[]), "[]");
        let rooms = [("go", 2), ("rust", 1)].map(|(name, members)| RoomInfo {
            name: RoomName::parse(name).unwrap(),
            members,
        });
        assert_eq!(
            to_json(&rooms),
            r#"[{"name": "go", "members": 2}, {"name": "rust", "members": 1}]"#
        );
    }
}
