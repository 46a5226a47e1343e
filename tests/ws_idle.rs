//! Design §3: idle connections cost no CPU. Their threads sleep in `read()` (and the
//! shared timer until the next ping is due): none of them is woken while nobody talks.
//! Counted in context switches of those threads, read from /proc, not in wall time.

mod common;
mod ws_common;

use std::thread;
use std::time::Duration;

use common::context_switches;
use rwh::ws::{Config, Heartbeat, Message, Upgrader, connect};
use ws_common::*;

const CONNECTIONS: usize = 20;

/// Context switches so far of this process's WebSocket threads: the connection threads
/// and the shared timer. `None` where /proc is missing.
fn switches() -> Option<u64> {
    context_switches(&["rwh-conn-", "rwh-ws-timer"])
}

#[test]
fn idle_connections_wake_no_thread() {
    if switches().is_none() {
        eprintln!("skipped: no /proc/self/task on this system");
        return;
    }
    // Gorilla's heartbeat: the first ping is 54 s away.
    let upgrader = Upgrader::new().config(Config::default().with_heartbeat(Heartbeat::default()));
    let server = echo_server(upgrader);
    let mut clients: Vec<_> = (0..CONNECTIONS)
        .map(|_| connect(&echo_url(&server)).unwrap())
        .collect();
    // One round trip each: every server thread is now back in read().
    for client in &mut clients {
        client.send(Message::text("hi")).unwrap();
        assert_eq!(client.recv().unwrap(), Message::text("hi"));
    }
    assert_eq!(server.connections(), CONNECTIONS);
    thread::sleep(Duration::from_millis(100));
    let before = switches().unwrap();
    thread::sleep(Duration::from_millis(500));
    let after = switches().unwrap();
    assert_eq!(
        after, before,
        "an idle connection thread or the timer woke up"
    );
}
