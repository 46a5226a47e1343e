//! Client side of Server-Sent Events: an incremental, sans-IO parser for a
//! `text/event-stream`, following the WHATWG HTML standard's "Parsing an event
//! stream" and "Interpreting an event stream" step by step.

use std::mem;
use std::time::Duration;

/// The most bytes the parser holds for one line, and for one event's data
/// (1 MiB), so that a hostile server cannot make it grow without limit.
///
/// When a line or an event's data would grow beyond this, the event being
/// read is discarded: it is not dispatched, and parsing carries on cleanly
/// after the next blank line.
pub const MAX_LEN: usize = 1024 * 1024;

/// A parsed event as the client sees it (WHATWG "MessageEvent").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Received {
    /// The last event id at the time of dispatch; it carries over from earlier
    /// events, so it is not necessarily this event's own `id:` field.
    pub id: String,
    /// The event type as sent; empty when the server sent none (see [`Received::event_type`]).
    pub event: String,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

impl Received {
    /// The type a browser would dispatch: `message` when the server sent none.
    pub fn event_type(&self) -> &str {
        if self.event.is_empty() {
            "message"
        } else {
            &self.event
        }
    }
}

/// Something the stream told the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A complete event.
    Event(Received),
    /// A `retry:` field: wait this long before reconnecting.
    Retry(Duration),
}

/// An incremental event-stream parser: feed it bytes as they arrive, in chunks
/// of any size, and it hands back complete items.
///
/// At the end of the stream nothing special happens: as the standard says, an
/// event that was not ended by a blank line is simply never dispatched.
#[derive(Debug, Default)]
pub struct Parser {
    /// Bytes of the line read so far (at most [`MAX_LEN`]).
    line: Vec<u8>,
    /// The line being read is longer than [`MAX_LEN`] and will be dropped.
    line_too_long: bool,
    /// The previous byte was a CR, so a LF right after it is part of the same line end.
    after_cr: bool,
    /// The first line has been seen, so a byte order mark is no longer skipped.
    past_first_line: bool,

    /// The standard's "data buffer".
    data: String,
    /// The standard's "event type buffer".
    event_type: String,
    /// The standard's "last event ID buffer", set by `id:` fields.
    id_buffer: String,
    /// The event source's "last event ID string", copied from the buffer at each blank line.
    last_event_id: String,
    /// The current event went over [`MAX_LEN`]; drop it at the next blank line.
    discard_event: bool,
}

/// The UTF-8 byte order mark, which may start the stream.
const BOM: &[u8] = "\u{FEFF}".as_bytes();

impl Parser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed the next bytes of the stream; complete items are pushed onto `out`.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<Item>) {
        for &byte in bytes {
            let after_cr = mem::replace(&mut self.after_cr, byte == b'\r');
            match byte {
                b'\n' if after_cr => {} // the second half of a CRLF
                b'\r' | b'\n' => self.end_line(out),
                _ if self.line.len() < MAX_LEN => self.line.push(byte),
                _ => self.line_too_long = true,
            }
        }
    }

    /// The id to send as `Last-Event-ID` when reconnecting (empty: send none).
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// Gets ready for the stream of a new connection: the unfinished line and
    /// event of the old one are dropped, but the last event id is kept, and
    /// (as browsers do) still applies to events that arrive without an `id:`.
    pub fn restart(&mut self) {
        let last_event_id = mem::take(&mut self.last_event_id);
        *self = Parser {
            id_buffer: last_event_id.clone(),
            last_event_id,
            ..Parser::default()
        };
    }

    /// A line is complete: decode it and act on it.
    fn end_line(&mut self, out: &mut Vec<Item>) {
        let mut bytes = mem::take(&mut self.line);
        if mem::take(&mut self.line_too_long) {
            self.discard();
            return;
        }
        if !mem::replace(&mut self.past_first_line, true) && bytes.starts_with(BOM) {
            bytes.drain(..BOM.len());
        }
        // Decoding line by line gives the same text as decoding the whole
        // stream, because CR and LF bytes never occur inside a UTF-8 sequence.
        let line = String::from_utf8_lossy(&bytes);

        if line.is_empty() {
            self.dispatch(out);
        } else if line.starts_with(':') {
            // A comment.
        } else if let Some((field, value)) = line.split_once(':') {
            let value = value.strip_prefix(' ').unwrap_or(value);
            self.field(field, value, out);
        } else {
            self.field(&line, "", out);
        }
    }

    /// Acts on one `field: value` line.
    fn field(&mut self, field: &str, value: &str, out: &mut Vec<Item>) {
        match field {
            "event" => self.event_type = value.to_owned(),
            "data" if !self.discard_event => {
                if self.data.len() + value.len() + 1 > MAX_LEN {
                    self.discard();
                } else {
                    self.data.push_str(value);
                    self.data.push('\n');
                }
            }
            "id" if !value.contains('\0') => self.id_buffer = value.to_owned(),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // Too many digits for a u64 (half a billion years) is ignored too.
                if let Ok(ms) = value.parse() {
                    out.push(Item::Retry(Duration::from_millis(ms)));
                }
            }
            _ => {} // unknown fields, and the ignored cases above
        }
    }

    /// Forgets the current event's data and marks it not to be dispatched.
    fn discard(&mut self) {
        self.data.clear();
        self.discard_event = true;
    }

    /// A blank line: the event is complete.
    fn dispatch(&mut self, out: &mut Vec<Item>) {
        self.last_event_id.clone_from(&self.id_buffer);
        let mut data = mem::take(&mut self.data);
        let event = mem::take(&mut self.event_type);
        if mem::take(&mut self.discard_event) || data.is_empty() {
            return;
        }
        data.pop(); // the '\n' after the last data line
        out.push(Item::Event(Received {
            id: self.last_event_id.clone(),
            event,
            data,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds each chunk in turn and returns everything produced.
    fn parse_chunks(chunks: &[&[u8]]) -> Vec<Item> {
        let mut parser = Parser::new();
        let mut out = Vec::new();
        for chunk in chunks {
            parser.feed(chunk, &mut out);
        }
        out
    }

    fn parse(stream: &str) -> Vec<Item> {
        parse_chunks(&[stream.as_bytes()])
    }

    /// A dispatched event with this id, type and data.
    fn ev(id: &str, event: &str, data: &str) -> Item {
        Item::Event(Received {
            id: id.into(),
            event: event.into(),
            data: data.into(),
        })
    }

    fn retry(ms: u64) -> Item {
        Item::Retry(Duration::from_millis(ms))
    }

    fn check(cases: &[(&str, Vec<Item>)]) {
        for (stream, expected) in cases {
            assert_eq!(&parse(stream), expected, "stream {stream:?}");
        }
    }

    /// The examples in the standard's "Interpreting an event stream" section.
    #[test]
    fn standard_examples() {
        check(&[
            // Three data lines make one event, joined with newlines.
            (
                "data: YHOO\ndata: +2\ndata: 10\n\n",
                vec![ev("", "", "YHOO\n+2\n10")],
            ),
            // A comment fires nothing, `id` with no value resets the id, and the
            // last block is dropped because no blank line ends it.
            (
                ": test stream\n\ndata: first event\nid: 1\n\n\
                 data:second event\nid\n\ndata:  third event\n",
                vec![ev("1", "", "first event"), ev("", "", "second event")],
            ),
            // `data` without a colon appends an empty line; the unfinished last
            // block is dropped.
            (
                "data\n\ndata\ndata\n\ndata:",
                vec![ev("", "", ""), ev("", "", "\n")],
            ),
            // The space after the colon is optional.
            (
                "data:test\n\ndata: test\n\n",
                vec![ev("", "", "test"), ev("", "", "test")],
            ),
        ]);
    }

    #[test]
    fn fields() {
        check(&[
            // Only one space after the colon is removed.
            ("data:  test\n\n", vec![ev("", "", " test")]),
            ("data: a:b: c\n\n", vec![ev("", "", "a:b: c")]),
            ("data:\n\n", vec![ev("", "", "")]),
            ("data\n\n", vec![ev("", "", "")]),
            ("data: x \n\n", vec![ev("", "", "x ")]),
            ("data:\tx\n\n", vec![ev("", "", "\tx")]),
            (":comment\n: another\ndata: x\n\n", vec![ev("", "", "x")]),
            ("foo: bar\ndata: x\n\n", vec![ev("", "", "x")]),
            ("Data: x\n\n", vec![]),
            ("data : x\n\n", vec![]),
            (" data: x\n\n", vec![]),
            ("event: add\ndata: 1\n\n", vec![ev("", "add", "1")]),
            ("event\ndata: 1\n\n", vec![ev("", "", "1")]),
            ("event: a\nevent: b\ndata: 1\n\n", vec![ev("", "b", "1")]),
            // The type belongs to one event only...
            (
                "event: add\ndata: 1\n\ndata: 2\n\n",
                vec![ev("", "add", "1"), ev("", "", "2")],
            ),
            // ...and is reset by a blank line even when nothing is dispatched.
            ("event: add\n\ndata: 2\n\n", vec![ev("", "", "2")]),
            ("\n\n\n", vec![]),
        ]);
    }

    #[test]
    fn event_type_defaults_to_message() {
        let mut received = Received::default();
        assert_eq!(received.event_type(), "message");
        received.event = "add".into();
        assert_eq!(received.event_type(), "add");
    }

    #[test]
    fn line_endings() {
        let expected = || vec![ev("", "", "a\nb")];
        check(&[
            ("data: a\ndata: b\n\n", expected()),
            ("data: a\r\ndata: b\r\n\r\n", expected()),
            ("data: a\rdata: b\r\r", expected()),
            ("data: a\rdata: b\n\r\n", expected()),
            // CR LF is one line end, but LF CR is two: a blank line.
            (
                "data: a\n\rdata: b\n\n",
                vec![ev("", "", "a"), ev("", "", "b")],
            ),
        ]);
    }

    #[test]
    fn crlf_split_between_chunks_is_one_line_end() {
        let out = parse_chunks(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]);
        assert_eq!(out, vec![ev("", "", "a\nb")]);
    }

    #[test]
    fn byte_order_mark() {
        check(&[
            ("\u{FEFF}data: x\n\n", vec![ev("", "", "x")]),
            // Only one is skipped: the second is part of the field name.
            ("\u{FEFF}\u{FEFF}data: x\n\n", vec![]),
            // Only at the start of the stream.
            ("data: x\n\u{FEFF}data: y\n\n", vec![ev("", "", "x")]),
        ]);
        let out = parse_chunks(&[b"\xEF", b"\xBB", b"\xBFdata: x\n\n"]);
        assert_eq!(out, vec![ev("", "", "x")]);
    }

    #[test]
    fn utf8_is_decoded_lossily() {
        let cases: [(&[u8], &str); 4] = [
            (b"data: \xE2\x98\x83\n\n", "\u{2603}"),
            (b"data: a\xFFb\n\n", "a\u{FFFD}b"),
            // A snowman cut short by the line end is one replacement character.
            (b"data: \xE2\x98\n\n", "\u{FFFD}"),
            (b"data: \xE2\x98\rdata: x\n\n", "\u{FFFD}\nx"),
        ];
        for (stream, data) in cases {
            assert_eq!(
                parse_chunks(&[stream]),
                vec![ev("", "", data)],
                "{stream:?}"
            );
        }
    }

    #[test]
    fn ids() {
        check(&[
            // An event with only an id dispatches nothing but sets the id.
            ("id: 5\n\ndata: x\n\n", vec![ev("5", "", "x")]),
            // The id carries over to later events until changed.
            (
                "id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n",
                vec![ev("1", "", "a"), ev("1", "", "b"), ev("2", "", "c")],
            ),
            // The order of fields inside an event does not matter.
            ("data: a\nid: 3\n\n", vec![ev("3", "", "a")]),
            // An id containing NUL is ignored.
            ("id: 1\n\nid: 2\0\ndata: a\n\n", vec![ev("1", "", "a")]),
            ("id: 7\nid\ndata: a\n\n", vec![ev("", "", "a")]),
        ]);
    }

    #[test]
    fn last_event_id_changes_only_at_a_blank_line() {
        let mut parser = Parser::new();
        let mut out = Vec::new();
        parser.feed(b"id: 5\n", &mut out);
        assert_eq!(parser.last_event_id(), "");
        parser.feed(b"\n", &mut out);
        assert_eq!(parser.last_event_id(), "5");
        parser.feed(b"id: 6\ndata: cut off", &mut out);
        assert_eq!(parser.last_event_id(), "5");
        assert!(out.is_empty());
    }

    #[test]
    fn restart_drops_the_unfinished_event_and_keeps_the_id() {
        let mut parser = Parser::new();
        let mut out = Vec::new();
        parser.feed(b"id: 5\ndata: a\n\nid: 6\nevent: t\ndata: cut", &mut out);
        parser.restart();
        assert_eq!(parser.last_event_id(), "5");
        parser.feed(b"\xEF\xBB\xBFdata: b\n\n", &mut out);
        assert_eq!(out, vec![ev("5", "", "a"), ev("5", "", "b")]);
    }

    #[test]
    fn retry_field() {
        check(&[
            ("retry: 3000\n", vec![retry(3000)]),
            ("retry:0\n", vec![retry(0)]),
            ("retry: 007\n", vec![retry(7)]),
            // Reported at once, before the event it sits in is complete.
            ("retry: 10\ndata: x\n\n", vec![retry(10), ev("", "", "x")]),
            ("retry: 3s\n", vec![]),
            ("retry: -1\n", vec![]),
            ("retry: +1\n", vec![]),
            ("retry: 1.5\n", vec![]),
            ("retry:  1\n", vec![]),
            ("retry: 1 \n", vec![]),
            ("retry:\n", vec![]),
            ("retry\n", vec![]),
            ("retry: 99999999999999999999999\n", vec![]),
        ]);
    }

    /// A stream exercising every rule, to be cut into chunks in many ways.
    const STREAM: &[u8] = b"\xEF\xBB\xBF: hello\r\nretry: 500\r\n\r\n\
        id: 1\revent: add\rdata: one\rdata\r\r\
        data:na\xC3\xAFve \xE2\x98\x83\r\n\r\n\
        id: 2\0\ndata:  two\n\n\
        id\r\ndata: three\r\r\n\
        data: unfinished";

    fn stream_items() -> Vec<Item> {
        vec![
            retry(500),
            ev("1", "add", "one\n"),
            ev("1", "", "na\u{EF}ve \u{2603}"),
            ev("1", "", " two"),
            ev("", "", "three"),
        ]
    }

    #[test]
    fn whole_stream() {
        assert_eq!(parse_chunks(&[STREAM]), stream_items());
    }

    #[test]
    fn one_byte_at_a_time() {
        let chunks: Vec<&[u8]> = STREAM.chunks(1).collect();
        assert_eq!(parse_chunks(&chunks), stream_items());
    }

    #[test]
    fn every_split_into_two_chunks() {
        for at in 0..=STREAM.len() {
            let (a, b) = STREAM.split_at(at);
            assert_eq!(parse_chunks(&[a, b]), stream_items(), "split at {at}");
        }
    }

    #[test]
    fn random_splits() {
        // A tiny linear congruential generator: repeatable "random" chunk sizes.
        let mut seed: u32 = 12345;
        for _ in 0..200 {
            let mut chunks = Vec::new();
            let mut rest = STREAM;
            while !rest.is_empty() {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let size = (seed >> 16) as usize % 8 + 1;
                let (chunk, tail) = rest.split_at(size.min(rest.len()));
                chunks.push(chunk);
                rest = tail;
            }
            assert_eq!(parse_chunks(&chunks), stream_items(), "{chunks:?}");
        }
    }

    #[test]
    fn a_line_over_the_limit_discards_its_event() {
        let long = "x".repeat(MAX_LEN);
        // "data: " plus MAX_LEN bytes is over the limit, MAX_LEN bytes in all is not.
        let over = format!("id: 1\ndata: {long}\ndata: b\n\nid: 2\ndata: after\n\n");
        let at_limit = format!("data: {}\n\n", &long[6..]);
        assert_eq!(parse(&over), vec![ev("2", "", "after")]);
        assert_eq!(parse(&at_limit), vec![ev("", "", &long[6..])]);
    }

    #[test]
    fn data_over_the_limit_discards_the_event() {
        let line = format!("data: {}\n", "x".repeat(1023));
        // Each line adds 1024 bytes (with its '\n'): exactly MAX_LEN fits...
        let fits = line.repeat(MAX_LEN / 1024) + "\n";
        let Item::Event(received) = &parse(&fits)[0] else {
            panic!("expected an event");
        };
        assert_eq!(received.data.len(), MAX_LEN - 1);
        // ...one more line does not; the event after it is unharmed.
        let over = line.repeat(MAX_LEN / 1024 + 1) + "\ndata: after\n\n";
        assert_eq!(parse(&over), vec![ev("", "", "after")]);
    }
}
