//! `Sender::try_send` and `try_send_all`, the writes that never wait (what a room's hub
//! uses): they write while the socket has room, answer `Pending` once it does not (the
//! rest of that frame stays in the connection), and `Sender::flush` finishes it when the
//! peer reads again. Every frame arrives whole, the pending one included, and a batch
//! arrives as one frame per message.

mod common;
mod ws_common;

use std::sync::mpsc;

use common::*;
use rwh::http::{Request, Response, Router};
use rwh::ws::{Message, TrySend, Upgrader};
use ws_common::*;

/// Big enough that a few dozen fill the socket buffers of a peer that reads nothing.
const SIZE: usize = 64 * 1024;
/// Attempts before giving up on ever seeing `Pending`.
const MOST: usize = 10_000;

#[test]
fn try_send_stops_at_a_full_socket_and_flush_finishes_the_frame() {
    let (report, reported) = mpsc::channel();
    let (go_on, going) = mpsc::channel::<()>();
    let going = std::sync::Mutex::new(going);
    let handler = move |req: &Request, res: &mut Response| -> std::io::Result<()> {
        let Ok(mut conn) = Upgrader::new().upgrade(req, res) else {
            return Ok(());
        };
        let sender = conn.sender();
        // Three frames in one write.
        let batch = ["a", "b", "c"].map(Message::text);
        assert_eq!(sender.try_send_all(batch), TrySend::Sent);
        let mut whole = 0;
        let outcome = loop {
            match sender.try_send(Message::Binary(vec![b'x'; SIZE].into())) {
                TrySend::Sent if whole < MOST => whole += 1,
                other => break other,
            }
        };
        let _ = report.send((whole, outcome));
        let _ = going.lock().unwrap().recv_timeout(READ_WAIT);
        let flushed = sender.flush().map_err(|e| e.to_string());
        let _ = report.send((
            whole,
            if flushed.is_ok() {
                TrySend::Sent
            } else {
                TrySend::Closed
            },
        ));
        sender.text("end").unwrap();
        while conn.recv().is_ok() {}
        Ok(())
    };
    let server = serve(Router::new().get("/echo", handler));
    let (stream, _, rest) = raw_upgrade(server.addr(), "", b"");

    // Nobody reads yet: the sends stop at a full socket, without waiting.
    let (whole, outcome) = reported.recv_timeout(READ_WAIT).expect("try_send returned");
    assert_eq!(outcome, TrySend::Pending, "after {whole} whole messages");
    assert!(whole > 0, "the first messages fit");

    // Now the client reads; flush finishes the pending frame, then "end" follows.
    go_on.send(()).unwrap();
    let mut frames = FrameReader::new(stream, rest);
    for text in ["a", "b", "c"] {
        let frame = frames.next().expect("a frame of the batch");
        assert_eq!(
            (frame.opcode, frame.payload.as_slice()),
            (1, text.as_bytes())
        );
    }
    for i in 0..=whole {
        let frame = frames.next().expect("a frame");
        assert_eq!((frame.fin, frame.opcode), (true, 2), "frame {i}");
        assert_eq!(frame.payload.len(), SIZE, "frame {i} whole");
    }
    let (_, flushed) = reported.recv_timeout(READ_WAIT).expect("flush returned");
    assert_eq!(flushed, TrySend::Sent, "flush finished the frame");
    let end = frames.next().expect("the last frame");
    assert_eq!((end.opcode, end.payload.as_slice()), (1, b"end".as_slice()));
}
