//! Design §3 in a room: a member is written to (by its writer thread) while it is read
//! from (by its connection thread). Pings are answered while a storm of broadcasts is
//! being written to that member, and no frame is ever interleaved with another, checked
//! strictly on the wire by a raw client.

mod common;
mod room_common;
mod ws_common;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use room_common::*;
use rwh::room::RoomConfig;
use rwh::ws::Upgrader;
use ws_common::*;

/// A queue big enough that the raw client, which reads as fast as it can, is never
/// evicted while it also pings.
fn roomy() -> RoomConfig {
    RoomConfig {
        queue: 8192,
        ..RoomConfig::default()
    }
}

#[test]
fn pings_are_answered_while_a_storm_of_broadcasts_is_written() {
    let (server, _rooms) = chat_server(roomy(), Upgrader::new());
    let path = "/rooms/storm/ws";
    let (stream, head, rest) = raw_upgrade_on(connect(server.addr()), server.addr(), path, "", b"");
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    // The speaker reads and discards what it hears, so that a long storm costs no memory.
    let mut speaker = rwh::ws::connect(&room_url(&server, "storm")).unwrap();
    let voice = speaker.sender();
    let deaf = thread::spawn(move || while speaker.recv().is_ok() {});

    /// The most broadcasts the storm sends, and for how long at most; it stops once the
    /// pings are done.
    const STORM: usize = 1_000_000;
    const PINGS: usize = 10;
    let payload = "s".repeat(1024);
    let stop = AtomicBool::new(false);
    let (started, storming) = mpsc::channel();
    let mut pinger = stream.try_clone().unwrap();
    thread::scope(|s| {
        s.spawn(|| {
            let until = Instant::now() + READ_WAIT;
            for i in 0..STORM {
                if stop.load(Ordering::SeqCst) || Instant::now() > until {
                    return;
                }
                voice.text(payload.as_str()).unwrap();
                if i % 20 == 19 {
                    thread::sleep(Duration::from_millis(1)); // at most ~20 MB/s
                }
            }
        });
        // The pings start once the storm has reached the raw member.
        s.spawn(move || {
            if storming.recv_timeout(READ_WAIT).is_err() {
                return;
            }
            for i in 0..PINGS {
                thread::sleep(Duration::from_millis(20));
                let ping = client_frame(true, 9, format!("ping {i}").as_bytes());
                pinger.write_all(&ping).unwrap();
            }
        });
        let mut frames = FrameReader::new(stream, rest);
        let (mut data, mut pongs, mut data_before_pong) = (0, Vec::new(), Vec::new());
        let deadline = Instant::now() + READ_WAIT;
        while pongs.len() < PINGS && Instant::now() < deadline {
            let frame = frames.next().expect("the storm goes on");
            match frame.opcode {
                1 => {
                    if data == 0 {
                        started.send(()).unwrap();
                    }
                    data += 1;
                }
                10 => {
                    pongs.push(String::from_utf8(frame.payload).unwrap());
                    data_before_pong.push(data);
                }
                other => panic!("unexpected opcode {other}"),
            }
        }
        let expected: Vec<String> = (0..PINGS).map(|i| format!("ping {i}")).collect();
        assert_eq!(pongs, expected, "every ping answered, in order");
        // The storm was still being written: broadcasts kept coming after the last pong.
        let after = (0..1000)
            .filter_map(|_| frames.next())
            .take_while(|f| f.opcode == 1)
            .count();
        stop.store(true, Ordering::SeqCst);
        assert!(after > 0, "broadcasts after the last pong");
        assert!(
            data_before_pong.windows(2).all(|w| w[0] <= w[1]),
            "pongs came among the broadcasts: {data_before_pong:?}"
        );
    });
    let _ = voice.close(rwh::ws::CloseCode::Normal, "done");
    deaf.join().unwrap();
}

const SPEAKERS: usize = 4;
const PER_SPEAKER: usize = 150;

/// Message `i` of speaker `t`, of a size that varies up to 60,000 bytes, so that big
/// frames go out in several writes while other messages wait.
fn message(t: usize, i: usize) -> String {
    let size = if i % 10 == 3 { 60_000 } else { (i * 97) % 5000 };
    format!("{t}:{i}:{}", "x".repeat(size))
}

#[test]
fn no_frame_is_ever_interleaved_with_another() {
    let (server, _rooms) = chat_server(roomy(), Upgrader::new());
    let (stream, _, rest) = raw_upgrade_on(
        connect(server.addr()),
        server.addr(),
        "/rooms/mix/ws",
        "",
        b"",
    );
    let speakers: Vec<Member> = (0..SPEAKERS)
        .map(|_| Member::join(&server, "mix"))
        .collect();
    let mut pinger = stream.try_clone().unwrap();
    thread::scope(|s| {
        for (t, speaker) in speakers.iter().enumerate() {
            s.spawn(move || {
                for i in 0..PER_SPEAKER {
                    speaker.say(&message(t, i));
                }
            });
        }
        // Pings too, so that control frames are in the mix.
        s.spawn(move || {
            for _ in 0..20 {
                thread::sleep(Duration::from_millis(5));
                pinger.write_all(&client_frame(true, 9, b"p")).unwrap();
            }
        });
        let mut frames = FrameReader::new(stream, rest);
        let mut next = [0usize; SPEAKERS];
        let deadline = Instant::now() + READ_WAIT;
        while next.iter().sum::<usize>() < SPEAKERS * PER_SPEAKER {
            assert!(Instant::now() < deadline, "all frames within {READ_WAIT:?}");
            // The reader panics on any frame that is not well formed.
            let frame = frames.next().expect("a frame");
            assert!(frame.fin, "whole frames only");
            if frame.opcode == 10 {
                assert_eq!(frame.payload, b"p");
                continue;
            }
            assert_eq!(frame.opcode, 1, "text frames only");
            let text = String::from_utf8(frame.payload).expect("UTF-8");
            let mut parts = text.splitn(3, ':');
            let t: usize = parts.next().unwrap().parse().unwrap();
            let i: usize = parts.next().unwrap().parse().unwrap();
            assert_eq!(i, next[t], "speaker {t} in order");
            assert!(text == message(t, i), "message {t}:{i} intact");
            next[t] += 1;
        }
    });
}
