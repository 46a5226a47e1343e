//! Room names: the `NAME` in `/rooms/NAME/...`, checked before a room is made for it.

use std::fmt;

/// Longest room name, in bytes (all of them ASCII).
pub const MAX_NAME: usize = 32;

/// A valid room name: 1 to [`MAX_NAME`] ASCII letters, digits, `-` or `_`. It is safe in
/// a URL path, in JSON and in HTML as it is, and names a map key, never a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoomName(String);

/// Why a room name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadName {
    /// The name is empty.
    Empty,
    /// The name is this many bytes long, over [`MAX_NAME`].
    TooLong(usize),
    /// The name holds a character other than a letter, a digit, `-` or `_`.
    Character(char),
}

impl RoomName {
    /// Checks `text` and makes a name of it.
    pub fn parse(text: &str) -> Result<RoomName, BadName> {
        if text.is_empty() {
            return Err(BadName::Empty);
        }
        if let Some(c) = text
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(BadName::Character(c));
        }
        if text.len() > MAX_NAME {
            return Err(BadName::TooLong(text.len()));
        }
        Ok(RoomName(text.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RoomName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for BadName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadName::Empty => f.write_str("a room name cannot be empty"),
            BadName::TooLong(n) => write!(
                f,
                "a room name is at most {MAX_NAME} characters long; this one has {n}"
            ),
            BadName::Character(c) => write!(
                f,
                "a room name may hold letters, digits, '-' and '_' only, not {c:?}"
            ),
        }
    }
}

impl std::error::Error for BadName {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        for good in ["go", "Rust-2024", "a_b", &"x".repeat(MAX_NAME)] {
            assert_eq!(RoomName::parse(good).unwrap().as_str(), good);
        }
        let bad = [
            ("", BadName::Empty),
            ("a b", BadName::Character(' ')),
            ("%2e%2e", BadName::Character('%')),
            ("..", BadName::Character('.')),
            ("é", BadName::Character('é')),
            ("<script>", BadName::Character('<')),
            (&"x".repeat(MAX_NAME + 1), BadName::TooLong(MAX_NAME + 1)),
        ];
        for (text, why) in bad {
            assert_eq!(RoomName::parse(text), Err(why), "{text:?}");
        }
    }
}
