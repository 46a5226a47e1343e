//! Which web pages may open a WebSocket to us: the `Origin` check.
//!
//! A browser lets any page open a WebSocket to any host, and sends that host's cookies
//! along; only the `Origin` header says which page asked. A server that accepts every
//! origin (the book's `CheckOrigin: return true`) lets a hostile page talk to it with the
//! visitor's credentials: cross-site WebSocket hijacking. So, like gorilla's default:
//! no `Origin` (not a browser) or the same origin as `Host` passes; any other origin
//! needs the operator's explicit permission.

use std::fmt;

/// The origins allowed besides the server's own; see the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginPolicy {
    allowed: Vec<String>,
    any: bool,
}

/// A browser request from an origin the policy does not allow (answered with 403).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignOrigin {
    /// The `Origin` the request carried.
    pub origin: String,
    /// The `Host` it was sent to.
    pub host: String,
}

impl fmt::Display for ForeignOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "origin {:?} is not allowed for host {:?}",
            self.origin, self.host
        )
    }
}

impl std::error::Error for ForeignOrigin {}

impl OriginPolicy {
    /// Same origin only: gorilla's default.
    pub fn same_origin() -> Self {
        Self::default()
    }

    /// Also allows `origin` (like `http://localhost:3000`); `*` allows every origin,
    /// which brings back the hijacking risk: for local experiments only.
    pub fn allow(mut self, origin: &str) -> Self {
        let origin = origin.trim().trim_end_matches('/');
        if origin == "*" {
            self.any = true;
        } else {
            self.allowed.push(origin.to_ascii_lowercase());
        }
        self
    }

    // ANCHOR: check
    /// Checks a request's `Origin` against its `Host`.
    pub fn check(&self, origin: Option<&str>, host: Option<&str>) -> Result<(), ForeignOrigin> {
        let Some(origin) = origin.map(str::trim) else {
            return Ok(()); // not a browser
        };
        let lower = origin.to_ascii_lowercase();
        if self.any || self.allowed.contains(&lower) {
            return Ok(());
        }
        let host = host.unwrap_or_default().trim();
        if same_origin(&lower, &host.to_ascii_lowercase()) {
            return Ok(());
        }
        Err(ForeignOrigin {
            origin: origin.to_owned(),
            host: host.to_owned(),
        })
    }
    // ANCHOR_END: check
}

/// True when `origin` (`scheme://host[:port]`) names the same host and port as `host`.
fn same_origin(origin: &str, host: &str) -> bool {
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false; // "null" and other opaque origins never match
    };
    let default_port = match scheme {
        "http" | "ws" => "80",
        "https" | "wss" => "443",
        _ => return false,
    };
    let with_port = |authority: &str| -> Option<(String, String)> {
        if authority.is_empty() || authority.contains(['/', '@', '?', '#']) {
            return None;
        }
        // `[::1]:8080`, `[::1]`, `example.com:8080`, `example.com`.
        let (name, port) = match authority.rsplit_once(':') {
            Some((name, port)) if !port.contains(']') => (name, port),
            _ => (authority, default_port),
        };
        Some((name.to_owned(), port.to_owned()))
    };
    match (with_port(authority), with_port(host)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_origin_follows_host_and_default_ports() {
        let policy = OriginPolicy::same_origin();
        let table = [
            (None, "127.0.0.1:8080", true),
            (Some("http://127.0.0.1:8080"), "127.0.0.1:8080", true),
            (Some("HTTP://LocalHost:8080"), "localhost:8080", true),
            (Some("http://example.com"), "example.com:80", true),
            (Some("https://example.com"), "example.com", true),
            (Some("http://[::1]:8080"), "[::1]:8080", true),
            (Some("http://[::1]"), "[::1]", true),
            (Some("http://evil.example:8080"), "127.0.0.1:8080", false),
            (Some("http://127.0.0.1:9999"), "127.0.0.1:8080", false),
            (Some("https://example.com"), "example.com:80", false),
            (Some("null"), "127.0.0.1:8080", false),
            (Some("http://127.0.0.1:8080"), "", false),
            (Some("http://u@127.0.0.1:8080"), "127.0.0.1:8080", false),
        ];
        for (origin, host, ok) in table {
            assert_eq!(
                policy.check(origin, Some(host)).is_ok(),
                ok,
                "{origin:?} → {host}"
            );
        }
    }

    #[test]
    fn operators_can_allow_more() {
        let policy = OriginPolicy::same_origin().allow("http://localhost:3000/");
        assert!(
            policy
                .check(Some("http://localhost:3000"), Some("x:1"))
                .is_ok()
        );
        assert!(
            policy
                .check(Some("http://localhost:3001"), Some("x:1"))
                .is_err()
        );
        let any = OriginPolicy::same_origin().allow("*");
        assert!(any.check(Some("http://evil.example"), Some("x:1")).is_ok());
    }
}
