//! Server side of Server-Sent Events: build an [`Event`] and write it in the
//! `text/event-stream` wire format, one `field: value` line at a time.

use std::fmt;
use std::io;
use std::time::Duration;

/// One event as the server sends it.
///
/// Newlines in `id` or `event` would end the line early and let the text
/// smuggle in fields of its own, so they are stripped when the event is
/// written (a NUL is stripped from `id` too, since clients ignore such ids).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Event {
    /// Sent as `id:`; the client echoes it back as `Last-Event-ID` when it reconnects.
    pub id: Option<String>,
    /// Sent as `event:`, the event type; without it the client sees a `message`.
    pub event: Option<String>,
    /// The payload; each of its lines becomes one `data:` line.
    pub data: String,
    /// Sent as `retry:`, how long the client should wait before reconnecting.
    pub retry: Option<Duration>,
}

impl Event {
    /// Starts an event carrying `data`, the one part every event has.
    pub fn data(data: impl Into<String>) -> Self {
        Event {
            data: data.into(),
            ..Event::default()
        }
    }

    /// Sets the event id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the event type (what `addEventListener` listens for in a browser).
    pub fn event(mut self, event_type: impl Into<String>) -> Self {
        self.event = Some(event_type.into());
        self
    }

    /// Sets the reconnection delay; it is sent in whole milliseconds.
    pub fn retry(mut self, delay: Duration) -> Self {
        self.retry = Some(delay);
        self
    }

    /// Writes the event with a single `write_all`, so an unbuffered socket
    /// sees one write per event. Flushing is left to the caller.
    pub fn write_to(&self, w: &mut impl io::Write) -> io::Result<()> {
        w.write_all(self.to_string().as_bytes())
    }
}

// ANCHOR: display
/// The wire format: `id`, `event`, `retry`, one `data` line per line of data,
/// then the blank line that tells the client the event is complete.
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(id) = &self.id {
            writeln!(f, "id: {}", id.replace(['\r', '\n', '\0'], ""))?;
        }
        if let Some(event_type) = &self.event {
            writeln!(f, "event: {}", event_type.replace(['\r', '\n'], ""))?;
        }
        if let Some(delay) = self.retry {
            writeln!(f, "retry: {}", delay.as_millis())?;
        }
        for line in lines(&self.data) {
            writeln!(f, "data: {line}")?;
        }
        writeln!(f)
    }
}
// ANCHOR_END: display

/// A comment line, `: text`, which clients ignore. Sent every so often as a
/// keep-alive so that proxies do not close an idle connection.
pub fn comment(text: &str) -> String {
    lines(text).map(|line| format!(": {line}\n")).collect()
}

/// Splits `text` at `\r\n`, `\r` and `\n`, the three line ends the format
/// knows. Unlike [`str::lines`], an empty text or a trailing newline still
/// yields a final empty line, so no data is lost.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split("\r\n").flat_map(|part| part.split(['\r', '\n']))
}

#[cfg(test)]
mod tests {
    use super::super::parse::{Item, Parser, Received};
    use super::*;

    #[test]
    fn renders_the_wire_format() {
        let cases = [
            (Event::data("hello"), "data: hello\n\n"),
            (
                Event::data("{\"id\": 1, \"number\": 2}").id("1"),
                "id: 1\ndata: {\"id\": 1, \"number\": 2}\n\n",
            ),
            (
                Event::data("x")
                    .retry(Duration::from_secs(3))
                    .event("tick")
                    .id("7"),
                "id: 7\nevent: tick\nretry: 3000\ndata: x\n\n",
            ),
            (Event::data("a\nb"), "data: a\ndata: b\n\n"),
            (Event::data("a\r\nb\rc"), "data: a\ndata: b\ndata: c\n\n"),
            (Event::data("a\n"), "data: a\ndata: \n\n"),
            (Event::data("\r\n\r"), "data: \ndata: \ndata: \n\n"),
            (Event::data(""), "data: \n\n"),
            (Event::data(" indented"), "data:  indented\n\n"),
            (
                Event::data("x").retry(Duration::from_micros(1500)),
                "retry: 1\ndata: x\n\n",
            ),
        ];
        for (event, expected) in cases {
            assert_eq!(event.to_string(), expected, "{event:?}");
        }
    }

    #[test]
    fn strips_line_breaks_from_id_and_type() {
        let event = Event::data("x").id("1\n\rdata: evil\0").event("a\r\nb");
        assert_eq!(event.to_string(), "id: 1data: evil\nevent: ab\ndata: x\n\n");
    }

    #[test]
    fn renders_comments() {
        let cases = [
            ("keep-alive", ": keep-alive\n"),
            ("", ": \n"),
            ("two\nlines", ": two\n: lines\n"),
        ];
        for (text, expected) in cases {
            assert_eq!(comment(text), expected, "{text:?}");
        }
    }

    #[test]
    fn write_to_matches_display() {
        let event = Event::data("a\nb").id("9").event("e");
        let mut bytes = Vec::new();
        event.write_to(&mut bytes).unwrap();
        assert_eq!(bytes, event.to_string().into_bytes());
    }

    /// What the server writes, the client reads back unchanged.
    #[test]
    fn round_trips_through_the_parser() {
        let events = [
            Event::data("plain"),
            Event::data("{\"id\": 1, \"number\": 2}").id("1"),
            Event::data("first\nsecond\n\nfourth")
                .event("multi")
                .id("2"),
            Event::data(""),
            Event::data("\n"),
            Event::data("  two spaces: and a colon").event(" spaced"),
            Event::data("naïve ☃").id("ünïcödé"),
        ];
        let mut stream = comment("hello");
        for event in &events {
            stream += &event.to_string();
            stream += &comment("keep-alive");
        }

        let mut parser = Parser::new();
        let mut items = Vec::new();
        parser.feed(stream.as_bytes(), &mut items);

        // An event without an id keeps the last id seen, as the standard says.
        let mut last_id = String::new();
        let expected: Vec<Item> = events
            .iter()
            .map(|event| {
                if let Some(id) = &event.id {
                    last_id.clone_from(id);
                }
                Item::Event(Received {
                    id: last_id.clone(),
                    event: event.event.clone().unwrap_or_default(),
                    data: event.data.clone(),
                })
            })
            .collect();
        assert_eq!(items, expected);
    }

    #[test]
    fn retry_round_trips() {
        let mut items = Vec::new();
        let text = Event::data("x")
            .retry(Duration::from_millis(2500))
            .to_string();
        Parser::new().feed(text.as_bytes(), &mut items);
        assert_eq!(items[0], Item::Retry(Duration::from_millis(2500)));
    }
}
