//! Listing 9-4's heartbeat: the server pings on a timer and drops a peer from which
//! nothing (pong or data) arrives within the pong wait.

mod common;
mod ws_common;

use std::io::Write;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use rwh::http::{Request, Response, Router};
use rwh::ws::{Config, Error, Heartbeat, Message, Upgrader, connect};
use ws_common::*;

const PING_EVERY: Duration = Duration::from_millis(100);
const PONG_WAIT: Duration = Duration::from_millis(500);
/// Scheduling slack allowed on top of the pong wait; generous for a loaded machine.
const SLACK: Duration = Duration::from_secs(3);

fn quick_heartbeat() -> Upgrader {
    let heartbeat = Heartbeat {
        ping_every: PING_EVERY,
        pong_wait: PONG_WAIT,
    };
    Upgrader::new().config(Config::default().with_heartbeat(heartbeat))
}

/// An echo whose ending is reported on a channel.
fn reporting_echo(
    ends: mpsc::Sender<String>,
) -> impl Fn(&Request, &mut Response) -> std::io::Result<()> {
    let upgrader = quick_heartbeat();
    move |req, res| {
        let Ok(mut conn) = upgrader.upgrade(req, res) else {
            return Ok(());
        };
        let end = loop {
            match conn.recv() {
                Ok(message) => {
                    if conn.send(message).is_err() {
                        break "send failed".to_string();
                    }
                }
                Err(e @ Error::Unresponsive(_)) => break format!("unresponsive: {e}"),
                Err(e) => break format!("other: {e}"),
            }
        };
        let _ = ends.send(end);
        Ok(())
    }
}

#[test]
fn a_peer_that_stops_answering_pings_is_dropped() {
    let (ends, ended) = mpsc::channel();
    let server = serve(Router::new().get("/echo", reporting_echo(ends)));
    // A raw client that completes the handshake, then neither reads nor writes.
    let (stream, _, rest) = raw_upgrade(server.addr(), "", b"");
    let end = ended
        .recv_timeout(PONG_WAIT + SLACK)
        .expect("dropped within the pong wait plus slack");
    assert!(end.starts_with("unresponsive"), "{end}");
    // What it was sent before the cut: pings, then the end of the stream.
    let mut frames = FrameReader::new(stream, rest);
    let mut pings = 0;
    for _ in 0..1000 {
        match frames.next() {
            Some(frame) if frame.opcode == 9 => pings += 1,
            Some(frame) => panic!("unexpected frame {frame:?}"),
            None => break,
        }
    }
    assert!(pings >= 1, "it was pinged first");
    assert!(eventually(|| server.connections() == 0));
}

#[test]
fn a_peer_that_answers_stays_across_several_periods() {
    let (ends, ended) = mpsc::channel();
    let server = serve(Router::new().get("/echo", reporting_echo(ends)));
    // Our client answers pings from its reader thread and sends nothing else.
    let mut conn = connect(&format!("ws://{}/echo", server.addr())).unwrap();
    let sender = conn.sender();
    let reader = thread::spawn(move || conn.recv());
    let quiet = PONG_WAIT * 3; // fifteen ping periods, three pong waits
    assert!(
        ended.recv_timeout(quiet).is_err(),
        "the server must not drop a peer that answers"
    );
    sender.text("still here").unwrap();
    assert_eq!(reader.join().unwrap().unwrap(), Message::text("still here"));
}

#[test]
fn data_counts_as_a_sign_of_life() {
    let (ends, ended) = mpsc::channel();
    let server = serve(Router::new().get("/echo", reporting_echo(ends)));
    // A raw client that never answers pings but sends a message every 50 ms.
    let (mut stream, _, _) = raw_upgrade(server.addr(), "", b"");
    let until = Instant::now() + PONG_WAIT * 3;
    let mut sent = 0;
    while Instant::now() < until && sent < 1000 {
        stream.write_all(&client_frame(true, 1, b"tick")).unwrap();
        sent += 1;
        thread::sleep(Duration::from_millis(50));
    }
    assert!(
        ended.try_recv().is_err(),
        "still connected after {sent} ticks"
    );
    // Then silence: dropped.
    let end = ended.recv_timeout(PONG_WAIT + SLACK).expect("dropped");
    assert!(end.starts_with("unresponsive"), "{end}");
}
