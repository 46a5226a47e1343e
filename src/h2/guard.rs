//! Rate limits that keep one peer from making the server work without end: floods of
//! PING or SETTINGS frames, and streams opened only to be reset (the 2023 "rapid reset").

use std::time::{Duration, Instant};

/// At most `max` events in any `per` window; counted in fixed windows, which is simple
/// and close enough for a flood detector.
#[derive(Debug)]
pub(crate) struct RateLimit {
    max: u32,
    per: Duration,
    count: u32,
    since: Instant,
}

impl RateLimit {
    pub(crate) fn new(max: u32, per: Duration) -> Self {
        Self {
            max,
            per,
            count: 0,
            since: Instant::now(),
        }
    }

    /// Counts one event; false once the limit is exceeded.
    pub(crate) fn allow(&mut self) -> bool {
        if self.since.elapsed() >= self.per {
            self.since = Instant::now();
            self.count = 0;
        }
        self.count += 1;
        self.count <= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_up_to_the_limit_then_refuses() {
        let mut limit = RateLimit::new(3, Duration::from_secs(3600));
        assert!((0..3).all(|_| limit.allow()));
        assert!(!limit.allow());
    }

    #[test]
    fn a_new_window_starts_afresh() {
        let mut limit = RateLimit::new(1, Duration::ZERO);
        assert!(limit.allow());
        assert!(limit.allow(), "each call starts a new zero-length window");
    }
}
