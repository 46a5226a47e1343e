//! Design §3 proven on a real socket: senders on several threads never interleave their
//! frames, and pings are answered while a storm of sends is being written.

mod common;
mod ws_common;

use std::io::Write;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use rwh::http::{Request, Response, Router};
use rwh::ws::{Config, Message, Upgrader};
use ws_common::*;

const THREADS: usize = 4;
const PER_THREAD: usize = 300;

/// Message `i` of thread `t`: a header and a body whose size varies up to 200 KB, so
/// that big writes go out in several pieces while other threads wait for the lock.
fn message(t: usize, i: usize) -> String {
    let size = if i % 50 == 7 {
        200_000
    } else {
        (i * 37) % 3000
    };
    format!(
        "{t}:{i}:{}",
        char::from(b'a' + t as u8).to_string().repeat(size)
    )
}

fn many_senders(req: &Request, res: &mut Response) -> std::io::Result<()> {
    let Ok(mut conn) = Upgrader::new().upgrade(req, res) else {
        return Ok(());
    };
    let senders: Vec<_> = (0..THREADS)
        .map(|t| {
            let sender = conn.sender();
            thread::spawn(move || {
                for i in 0..PER_THREAD {
                    sender.text(message(t, i)).unwrap();
                }
            })
        })
        .collect();
    for sender in senders {
        sender.join().unwrap();
    }
    while conn.recv().is_ok() {}
    Ok(())
}

#[test]
fn concurrent_senders_never_interleave_frames() {
    let server = serve(Router::new().get("/echo", many_senders));
    let (stream, _, rest) = raw_upgrade(server.addr(), "", b"");
    let mut frames = FrameReader::new(stream, rest);
    let mut next = [0usize; THREADS];
    for _ in 0..THREADS * PER_THREAD {
        // The reader panics on any frame that is not well formed.
        let frame = frames.next().expect("a frame");
        assert_eq!(
            (frame.fin, frame.opcode),
            (true, 1),
            "whole text frames only"
        );
        let text = String::from_utf8(frame.payload).expect("UTF-8");
        let mut parts = text.splitn(3, ':');
        let t: usize = parts.next().unwrap().parse().unwrap();
        let i: usize = parts.next().unwrap().parse().unwrap();
        assert_eq!(i, next[t], "thread {t} in order");
        assert_eq!(text, message(t, i), "message {t}:{i} intact");
        next[t] += 1;
    }
    assert_eq!(next, [PER_THREAD; THREADS]);
}

/// Sends 1 KiB messages until the client goes away (bounded in count and time).
fn storm(req: &Request, res: &mut Response) -> std::io::Result<()> {
    let Ok(mut conn) = Upgrader::new().upgrade(req, res) else {
        return Ok(());
    };
    let sender = conn.sender();
    let storm = thread::spawn(move || {
        let until = Instant::now() + Duration::from_secs(20);
        let payload = vec![b's'; 1024];
        for _ in 0..2_000_000 {
            if Instant::now() > until || sender.binary(payload.clone()).is_err() {
                return;
            }
        }
    });
    // The reader answers pings while the storm holds the lock between its writes.
    while conn.recv().is_ok() {}
    let _ = storm.join();
    Ok(())
}

#[test]
fn pings_are_answered_during_a_storm_of_sends() {
    let server = serve(Router::new().get("/echo", storm));
    let (stream, _, rest) = raw_upgrade(server.addr(), "", b"");
    let mut pinger = stream.try_clone().unwrap();
    let mut frames = FrameReader::new(stream, rest);
    const PINGS: usize = 10;
    let pings = thread::spawn(move || {
        for i in 0..PINGS {
            thread::sleep(Duration::from_millis(20));
            pinger
                .write_all(&client_frame(true, 9, format!("ping {i}").as_bytes()))
                .unwrap();
        }
        pinger
    });
    let mut pongs = Vec::new();
    let mut data_before_each_pong = Vec::new();
    let mut data = 0usize;
    let deadline = Instant::now() + READ_WAIT;
    while pongs.len() < PINGS && Instant::now() < deadline {
        let frame = frames.next().expect("the storm goes on");
        match frame.opcode {
            2 => data += 1,
            10 => {
                pongs.push(String::from_utf8(frame.payload).unwrap());
                data_before_each_pong.push(data);
            }
            other => panic!("unexpected opcode {other}"),
        }
    }
    let expected: Vec<_> = (0..PINGS).map(|i| format!("ping {i}")).collect();
    assert_eq!(pongs, expected, "every ping answered, in order");
    // The storm was still going: data kept arriving after the last pong.
    let after = (0..1000)
        .filter_map(|_| frames.next())
        .take_while(|f| f.opcode == 2)
        .count();
    assert!(after > 0, "data after the last pong");
    assert!(
        data_before_each_pong.windows(2).all(|w| w[0] <= w[1]) && data_before_each_pong[0] > 0,
        "pongs arrived among the data: {data_before_each_pong:?}"
    );
    let mut pinger = pings.join().unwrap();
    pinger
        .write_all(&client_frame(true, 8, &1000u16.to_be_bytes()))
        .unwrap();
}

#[test]
fn a_peer_that_stops_reading_is_dropped_at_the_write_deadline() {
    let (ends, ended) = std::sync::mpsc::channel();
    let handler = move |req: &Request, res: &mut Response| -> std::io::Result<()> {
        let upgrader = Upgrader::new().config(Config {
            write_wait: Duration::from_millis(200),
            ..Config::default()
        });
        let Ok(conn) = upgrader.upgrade(req, res) else {
            return Ok(());
        };
        // Far more than socket buffers hold: a peer that reads nothing blocks the write.
        let chunk = vec![0u8; 1 << 20];
        let end = (0..256)
            .map(|_| conn.send(Message::Binary(chunk.clone().into())))
            .find_map(Result::err);
        let _ = ends.send(end.map(|e| e.to_string()));
        Ok(())
    };
    let server = serve(Router::new().get("/echo", handler));
    let (_stream, _, _) = raw_upgrade(server.addr(), "", b"");
    let end = ended.recv_timeout(READ_WAIT).expect("the sender gave up");
    let end = end.expect("a send failed");
    assert!(end.contains("did not complete within 200ms"), "{end}");
}
