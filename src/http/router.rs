//! Routing by method and path, with `{name}` segments (Go 1.22's `ServeMux` patterns).

use std::io;

use super::{Request, Response};

/// Something that answers requests: a function of (request, response writer).
///
/// An `Err` means the response could not be completed (usually: the peer is gone);
/// the server logs it and closes the connection.
pub trait Handler: Send + Sync + 'static {
    /// Answers one request.
    fn handle(&self, request: &Request, response: &mut Response) -> io::Result<()>;

    /// True if this handler answers without ever waiting (see [`Immediate`]).
    fn is_immediate(&self) -> bool {
        false
    }
}

impl<F> Handler for F
where
    F: Fn(&Request, &mut Response) -> io::Result<()> + Send + Sync + 'static,
{
    fn handle(&self, request: &Request, response: &mut Response) -> io::Result<()> {
        self(request, response)
    }
}

// ANCHOR: immediate
/// A handler that answers at once, from memory: it never sleeps, streams, or waits on
/// anything but a short lock. Over HTTP/2 such a handler runs on the connection's own
/// thread, which saves handing each request to a handler thread and back; one that did
/// wait would stall every stream of its connection. Over HTTP/1.1 nothing changes.
pub struct Immediate<H>(pub H);

impl<H: Handler> Handler for Immediate<H> {
    fn handle(&self, request: &Request, response: &mut Response) -> io::Result<()> {
        self.0.handle(request, response)
    }

    fn is_immediate(&self) -> bool {
        true
    }
}
// ANCHOR_END: immediate

/// A table of routes; the first route whose method and pattern match answers.
#[derive(Default)]
pub struct Router {
    routes: Vec<Route>,
}

struct Route {
    method: String,
    pattern: Vec<Segment>,
    handler: Box<dyn Handler>,
}

#[derive(Debug, PartialEq)]
enum Segment {
    Literal(String),
    Param(String),
}

impl Router {
    /// An empty router: every request gets 404.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a route for `method` and `pattern` (like `/rooms/{name}/ws`).
    pub fn route(mut self, method: &str, pattern: &str, handler: impl Handler) -> Self {
        self.routes.push(Route {
            method: method.to_ascii_uppercase(),
            pattern: parse_pattern(pattern),
            handler: Box::new(handler),
        });
        self
    }

    /// Adds a `GET` route; it answers `HEAD` too, with the body left out.
    pub fn get(self, pattern: &str, handler: impl Handler) -> Self {
        self.route("GET", pattern, handler)
    }

    /// Adds a `POST` route.
    pub fn post(self, pattern: &str, handler: impl Handler) -> Self {
        self.route("POST", pattern, handler)
    }

    /// True if the route for `request` is [`Immediate`]. The 404 and 405 answers are too.
    pub(crate) fn is_immediate(&self, request: &Request) -> bool {
        match self.lookup(&request.method, request.path()) {
            Ok((route, _)) => route.handler.is_immediate(),
            Err(_) => true,
        }
    }

    /// Finds the route for a request and calls it; 404 or 405 (with `Allow`) otherwise.
    pub(crate) fn dispatch(
        &self,
        request: &mut Request,
        response: &mut Response,
    ) -> io::Result<()> {
        let mut allowed = match self.lookup(&request.method, request.path()) {
            Ok((route, params)) => {
                request.params = params;
                return route.handler.handle(request, response);
            }
            Err(allowed) => allowed,
        };
        if allowed.is_empty() {
            return response.send(404, "text/plain; charset=utf-8", b"404 page not found\n");
        }
        if allowed.contains(&"GET") {
            allowed.push("HEAD");
        }
        allowed.sort_unstable();
        allowed.dedup();
        response.set_header("Allow", allowed.join(", "));
        response.send(
            405,
            "text/plain; charset=utf-8",
            b"405 method not allowed\n",
        )
    }

    /// The first route for `method` and `path`, with its `{name}` values; or else the
    /// methods that other routes for `path` allow (none: 404).
    fn lookup(&self, method: &str, path: &str) -> Result<(&Route, Params), Vec<&str>> {
        let method = match method {
            "HEAD" => "GET",
            other => other,
        };
        let mut allowed = Vec::new();
        for route in &self.routes {
            let Some(params) = match_path(&route.pattern, path) else {
                continue;
            };
            if route.method == method {
                return Ok((route, params));
            }
            allowed.push(route.method.as_str());
        }
        Err(allowed)
    }
}

/// The `{name}` values of a matched path, in pattern order.
type Params = Vec<(String, String)>;

fn parse_pattern(pattern: &str) -> Vec<Segment> {
    pattern
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Segment::Param(name.to_string()),
                None => Segment::Literal(s.to_string()),
            },
        )
        .collect()
}

/// The `{name}` values if `path` fits `pattern`; a parameter never matches an empty segment.
fn match_path(pattern: &[Segment], path: &str) -> Option<Params> {
    let mut params = Vec::new();
    let mut parts = path.split('/');
    for segment in pattern {
        let part = parts.next()?;
        match segment {
            Segment::Literal(literal) if literal == part => {}
            Segment::Param(name) if !part.is_empty() => {
                params.push((name.clone(), part.to_string()))
            }
            _ => return None,
        }
    }
    parts.next().is_none().then_some(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_paths() {
        let table = [
            ("/", "/", Some(vec![])),
            ("/", "/x", None),
            ("/prime", "/prime", Some(vec![])),
            ("/prime", "/prime/", None),
            (
                "/rooms/{name}/ws",
                "/rooms/go/ws",
                Some(vec![("name", "go")]),
            ),
            ("/rooms/{name}/ws", "/rooms//ws", None),
            ("/rooms/{name}/ws", "/rooms/go/ws/x", None),
            ("/rooms/{name}", "/rooms/go", Some(vec![("name", "go")])),
        ];
        for (pattern, path, expected) in table {
            let got = match_path(&parse_pattern(pattern), path);
            let expected = expected.map(|v| {
                v.into_iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect::<Vec<_>>()
            });
            assert_eq!(got, expected, "{pattern} ~ {path}");
        }
    }
}
