//! The load generator of the rooms benchmark: WebSocket members by the thousand, read
//! through one `epoll` per reader thread, so that the load generator's own cost stays
//! small beside the server's on the same two cores.
//!
//! Members are raw sockets: the handshake is written by hand, server frames (unmasked)
//! are parsed here, and client frames are masked with a fixed key. A message a sender
//! writes is `S:SENDER:SEQ:NANOS:padding`, where NANOS is the send time since the
//! benchmark's epoch; each reader thread records the fan-out latency of every copy it
//! gets, twice: when it read the copy, and when the copy reached the socket (the
//! kernel's receive stamp), and checks each sender's sequence numbers for order and
//! repeats.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Most senders a run may have (their sequence numbers are tracked per member).
pub const MAX_SENDERS: usize = 8;
/// How long one `epoll_wait` sleeps before the reader looks at its stop flag.
const POLL_WAIT_MS: i32 = 50;
/// Events taken from the kernel per `epoll_wait`.
const EVENTS: usize = 256;
/// Bytes read from a socket at a time.
const CHUNK: usize = 64 * 1024;
/// Stack of a reader thread.
const READER_STACK: usize = 256 * 1024;

/// Opens a WebSocket connection to `path` on `addr` by hand; returns the socket (still
/// blocking) and any bytes that came after the `101` head.
pub fn handshake(addr: SocketAddr, path: &str) -> io::Result<(TcpStream, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(request.as_bytes())?;
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            if !got.starts_with(b"HTTP/1.1 101") {
                let head = String::from_utf8_lossy(&got[..end]).into_owned();
                return Err(io::Error::other(format!("upgrade refused: {head}")));
            }
            let rest = got.split_off(end + 4);
            return Ok((stream, rest));
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(io::Error::new(
                ErrorKind::UnexpectedEof,
                "closed in the handshake",
            ));
        }
        got.extend_from_slice(&buf[..n]);
    }
}

/// A masked client frame with `opcode` (1 text, 8 close, 10 pong).
pub fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x5a, 0x1e, 0xc7, 0x33];
    let mut frame = vec![0x80 | opcode];
    match payload.len() {
        n @ 0..=125 => frame.push(0x80 | n as u8),
        n @ 126..=0xffff => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// One unmasked server frame at the front of `buf`: (opcode, payload range, length).
pub fn server_frame(buf: &[u8]) -> Option<(u8, std::ops::Range<usize>, usize)> {
    if buf.len() < 2 {
        return None;
    }
    let (len, at) = match buf[1] & 0x7f {
        126 if buf.len() >= 4 => (u16::from_be_bytes([buf[2], buf[3]]) as usize, 4),
        127 if buf.len() >= 10 => (u64::from_be_bytes(buf[2..10].try_into().ok()?) as usize, 10),
        126 | 127 => return None,
        n => (n as usize, 2),
    };
    (buf.len() >= at + len).then_some((buf[0] & 0x0f, at..at + len, at + len))
}

/// Writes all of `bytes` to a non-blocking socket, waiting briefly when it is full.
pub fn write_all_nonblocking(mut stream: &TcpStream, mut bytes: &[u8]) -> io::Result<()> {
    let until = Instant::now() + Duration::from_secs(10);
    while !bytes.is_empty() {
        match stream.write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < until => {
                thread::sleep(Duration::from_micros(100));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A sender's message `seq`, stamped with the time since `epoch`, padded to `size` bytes.
pub fn message(sender: usize, seq: u64, epoch: Instant, size: usize) -> Vec<u8> {
    let nanos = epoch.elapsed().as_nanos();
    let mut text = format!("S:{sender}:{seq}:{nanos}:").into_bytes();
    text.resize(size.max(text.len()), b'.');
    text
}

/// What the readers saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// Fan-out latency of every copy of a sender's message, in microseconds: from the
    /// sender's write to the reader's `read`.
    pub latencies_us: Vec<u32>,
    /// The same, but to the moment the copy reached the member's socket (the kernel's
    /// receive stamp): the server's part alone, without the reader's own delay.
    pub arrivals_us: Vec<u32>,
    /// Copies of senders' messages received.
    pub delivered: u64,
    /// Copies that came out of order or twice for their member and sender.
    pub disorder: u64,
    /// Other text messages (the warm-up).
    pub other: u64,
    /// Close codes the server sent (an eviction is 1008).
    pub closes: Vec<u16>,
    /// Members whose connection ended without a close frame.
    pub cut: u64,
}

/// Reader threads over every member's socket.
pub struct Readers {
    stop: Arc<AtomicBool>,
    /// Copies of senders' messages received so far, by all readers.
    pub delivered: Arc<AtomicU64>,
    /// Other text messages received so far (warm-up).
    pub other: Arc<AtomicU64>,
    threads: Vec<JoinHandle<io::Result<Seen>>>,
}

struct Member {
    stream: TcpStream,
    buf: Vec<u8>,
    next_seq: [u64; MAX_SENDERS],
    open: bool,
    /// The server sent a close frame.
    close_seen: bool,
    /// When the kernel received the last bytes read, since the Unix epoch.
    arrived: Option<Duration>,
}

impl Readers {
    /// Starts `threads` readers, each owning an equal share of `members`.
    pub fn start(
        members: Vec<(TcpStream, Vec<u8>)>,
        threads: usize,
        epoch: Instant,
    ) -> io::Result<Readers> {
        let stop = Arc::new(AtomicBool::new(false));
        let delivered = Arc::new(AtomicU64::new(0));
        let other = Arc::new(AtomicU64::new(0));
        let mut shares: Vec<Vec<Member>> = (0..threads).map(|_| Vec::new()).collect();
        for (i, (stream, buf)) in members.into_iter().enumerate() {
            stream.set_nonblocking(true)?;
            enable_arrival_stamps(&stream)?;
            shares[i % threads].push(Member {
                stream,
                buf,
                next_seq: [0; MAX_SENDERS],
                open: true,
                close_seen: false,
                arrived: None,
            });
        }
        let mut handles = Vec::new();
        for (n, share) in shares.into_iter().enumerate() {
            let (stop, delivered, other) = (stop.clone(), delivered.clone(), other.clone());
            let handle = thread::Builder::new()
                .name(format!("load-reader-{n}"))
                .stack_size(READER_STACK)
                .spawn(move || read_loop(share, epoch, &stop, &delivered, &other))?;
            handles.push(handle);
        }
        Ok(Readers {
            stop,
            delivered,
            other,
            threads: handles,
        })
    }

    /// Stops the readers and gathers what they saw.
    pub fn stop(self) -> io::Result<Seen> {
        self.stop.store(true, Ordering::SeqCst);
        let mut all = Seen::default();
        for thread in self.threads {
            let seen = thread
                .join()
                .map_err(|_| io::Error::other("a reader panicked"))??;
            all.latencies_us.extend(seen.latencies_us);
            all.arrivals_us.extend(seen.arrivals_us);
            all.delivered += seen.delivered;
            all.disorder += seen.disorder;
            all.other += seen.other;
            all.closes.extend(seen.closes);
            all.cut += seen.cut;
        }
        Ok(all)
    }
}

/// One reader: `epoll_wait` over its members, read what is there, parse the frames.
fn read_loop(
    mut members: Vec<Member>,
    epoch: Instant,
    stop: &AtomicBool,
    delivered: &AtomicU64,
    other: &AtomicU64,
) -> io::Result<Seen> {
    let poll = Epoll::new()?;
    for (i, member) in members.iter().enumerate() {
        poll.add(&member.stream, i as u64)?;
    }
    let mut seen = Seen::default();
    // The benchmark's epoch on the realtime clock, which the kernel's stamps are on.
    let since_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let wall_epoch = since_unix.saturating_sub(epoch.elapsed());
    let mut chunk = vec![0u8; CHUNK];
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; EVENTS];
    while !stop.load(Ordering::Relaxed) {
        let ready = poll.wait(&mut events, POLL_WAIT_MS)?;
        for event in &events[..ready] {
            let member = &mut members[event.u64 as usize];
            if !member.open {
                continue;
            }
            let alive = fill(member, &mut chunk);
            let arrived = member.arrived.and_then(|at| at.checked_sub(wall_epoch));
            let (got, others) = parse(member, epoch, arrived, &mut seen);
            delivered.fetch_add(got, Ordering::Relaxed);
            other.fetch_add(others, Ordering::Relaxed);
            if !alive || member.close_seen {
                member.open = false;
                poll.remove(&member.stream);
                if !member.close_seen {
                    seen.cut += 1;
                }
            }
        }
    }
    Ok(seen)
}

/// Reads what the socket has; false at EOF or on an error. A read that does not fill
/// the chunk took everything: the next `epoll_wait` reports the socket again if more
/// comes (level-triggered), so no second read is spent to hear `WouldBlock`. Notes in
/// `member.arrived` when the kernel received the last bytes read.
fn fill(member: &mut Member, chunk: &mut [u8]) -> bool {
    loop {
        match read_stamped(&member.stream, chunk) {
            Ok((0, _)) => return false,
            Ok((n, arrived)) => {
                member.buf.extend_from_slice(&chunk[..n]);
                member.arrived = arrived.or(member.arrived);
                if n < chunk.len() {
                    return true;
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// `SO_TIMESTAMPNS` (and its control message, `SCM_TIMESTAMPNS`) on x86-64 and arm64
/// Linux: the kernel stamps each received packet with the realtime clock.
const SO_TIMESTAMPNS: libc::c_int = 35;

/// Asks the kernel to stamp what arrives on `stream` with the time it arrived.
fn enable_arrival_stamps(stream: &TcpStream) -> io::Result<()> {
    let on: libc::c_int = 1;
    // SAFETY: a valid socket and a pointer to an int of the size given.
    let done = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            SO_TIMESTAMPNS,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    match done {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

/// `read` through `recvmsg`, which also hands over the arrival stamp of the last bytes
/// read (see [`enable_arrival_stamps`]), as time since the Unix epoch.
fn read_stamped(stream: &TcpStream, chunk: &mut [u8]) -> io::Result<(usize, Option<Duration>)> {
    let mut iov = libc::iovec {
        iov_base: chunk.as_mut_ptr().cast(),
        iov_len: chunk.len(),
    };
    let mut control = [0u64; 8]; // room for one cmsghdr and a timespec, suitably aligned
    // SAFETY: msghdr is plain data; all-zero is a valid empty header.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&control) as _;
    // SAFETY: msg points at a live iovec over `chunk` and at `control`, both big enough.
    let n = unsafe { libc::recvmsg(stream.as_raw_fd(), &mut msg, 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut arrived = None;
    // SAFETY: the CMSG_* walk stays within `control`, as the kernel filled it in.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == SO_TIMESTAMPNS {
                let stamp: libc::timespec = std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast());
                arrived = Some(Duration::new(stamp.tv_sec as u64, stamp.tv_nsec as u32));
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
    }
    Ok((n as usize, arrived))
}

/// Takes whole frames out of the member's buffer; returns (senders' messages, others).
/// `arrived` is when the last of them reached the socket, as time since `epoch`.
fn parse(
    member: &mut Member,
    epoch: Instant,
    arrived: Option<Duration>,
    seen: &mut Seen,
) -> (u64, u64) {
    let (mut got, mut others) = (0, 0);
    let mut at = 0;
    while let Some((opcode, payload, used)) = server_frame(&member.buf[at..]) {
        let payload = &member.buf[at + payload.start..at + payload.end];
        match opcode {
            1 if payload.starts_with(b"S:") => {
                got += 1;
                record(
                    member.next_seq.as_mut_slice(),
                    payload,
                    epoch,
                    arrived,
                    seen,
                );
            }
            1 => {
                others += 1;
                seen.other += 1;
            }
            8 => {
                let code = match payload {
                    [a, b, ..] => u16::from_be_bytes([*a, *b]),
                    _ => 1005,
                };
                seen.closes.push(code);
                member.close_seen = true;
            }
            9 => {
                let pong = client_frame(10, payload);
                let _ = write_all_nonblocking(&member.stream, &pong);
            }
            _ => {}
        }
        at += used;
    }
    member.buf.drain(..at);
    seen.delivered += got;
    (got, others)
}

/// Notes one copy of a sender's message: its latency and whether it came in order.
fn record(
    next_seq: &mut [u64],
    payload: &[u8],
    epoch: Instant,
    arrived: Option<Duration>,
    seen: &mut Seen,
) {
    let now = epoch.elapsed().as_nanos() as u64;
    let mut fields = payload.split(|b| *b == b':').skip(1);
    let mut number = || -> Option<u64> { std::str::from_utf8(fields.next()?).ok()?.parse().ok() };
    let (Some(sender), Some(seq), Some(sent)) = (number(), number(), number()) else {
        seen.disorder += 1;
        return;
    };
    let Some(expected) = next_seq.get_mut(sender as usize) else {
        seen.disorder += 1;
        return;
    };
    if seq != *expected {
        seen.disorder += 1;
    }
    *expected = seq + 1;
    seen.latencies_us
        .push((now.saturating_sub(sent) / 1000) as u32);
    if let Some(arrived) = arrived {
        let arrived = arrived.as_nanos() as u64;
        seen.arrivals_us
            .push((arrived.saturating_sub(sent) / 1000) as u32);
    }
}

/// A Linux `epoll` instance, closed when dropped.
struct Epoll(i32);

impl Epoll {
    fn new() -> io::Result<Epoll> {
        // SAFETY: epoll_create1 takes no pointers; a negative result is checked below.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Epoll(fd))
    }

    fn add(&self, stream: &TcpStream, token: u64) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: token,
        };
        // SAFETY: both descriptors are open for the call, and `event` outlives it.
        let done =
            unsafe { libc::epoll_ctl(self.0, libc::EPOLL_CTL_ADD, stream.as_raw_fd(), &mut event) };
        if done < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    fn remove(&self, stream: &TcpStream) {
        // SAFETY: both descriptors are open; a null event is allowed for EPOLL_CTL_DEL.
        unsafe {
            libc::epoll_ctl(
                self.0,
                libc::EPOLL_CTL_DEL,
                stream.as_raw_fd(),
                std::ptr::null_mut(),
            );
        }
    }

    fn wait(&self, events: &mut [libc::epoll_event], timeout_ms: i32) -> io::Result<usize> {
        // SAFETY: the pointer and length describe `events`, which the kernel fills.
        let n = unsafe {
            libc::epoll_wait(self.0, events.as_mut_ptr(), events.len() as i32, timeout_ms)
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == ErrorKind::Interrupted {
                Ok(0)
            } else {
                Err(e)
            };
        }
        Ok(n as usize)
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        // SAFETY: the descriptor is ours and closed once.
        unsafe {
            libc::close(self.0);
        }
    }
}
