//! HTTP semantics on HTTP/2 field lists (RFC 9113 §8): pseudo-header fields in, a
//! [`Request`] out; a status and headers in, a field list out.

use crate::http::{Headers, Request, Version};

/// Fields that belong to one HTTP/1.1 connection and are forbidden in HTTP/2 (§8.2.2).
const CONNECTION_SPECIFIC: [&str; 5] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
];

/// A field list as HPACK decodes it.
pub(crate) type Fields = Vec<(Vec<u8>, Vec<u8>)>;

/// Builds a request from a decoded field list, or says why it is malformed (a stream
/// error of type PROTOCOL_ERROR, §8.1.1).
pub(crate) fn request_from_fields(fields: Fields) -> Result<Request, &'static str> {
    let (mut method, mut scheme, mut path, mut authority) = (None, None, None, None);
    let mut headers = Headers::new();
    let mut cookies = Vec::new();
    for (name, value) in fields {
        let name = String::from_utf8(name).map_err(|_| "field name is not text")?;
        let value = String::from_utf8(value).map_err(|_| "field value is not UTF-8")?;
        check_value(&value)?;
        if let Some(pseudo) = name.strip_prefix(':') {
            if !headers.is_empty() || !cookies.is_empty() {
                return Err("pseudo-header field after a regular field");
            }
            let slot = match pseudo {
                "method" => &mut method,
                "scheme" => &mut scheme,
                "path" => &mut path,
                "authority" => &mut authority,
                _ => return Err("unknown pseudo-header field"),
            };
            if slot.replace(value).is_some() {
                return Err("repeated pseudo-header field");
            }
            continue;
        }
        check_name(&name)?;
        if name == "te" && value != "trailers" {
            return Err("te other than trailers");
        }
        if name == "cookie" {
            cookies.push(value); // §8.2.3: crumbs are joined again below
        } else {
            headers.append(name, value);
        }
    }
    let method = method.ok_or("missing :method")?;
    if method == "CONNECT" {
        return Err("CONNECT is not supported");
    }
    let path = path.filter(|p| !p.is_empty()).ok_or("missing :path")?;
    scheme.ok_or("missing :scheme")?;
    if !cookies.is_empty() {
        headers.append("cookie", cookies.join("; "));
    }
    if let Some(authority) = authority.filter(|_| !headers.contains("host")) {
        headers.append("host", authority);
    }
    let mut request = Request::new(&method, &path);
    request.version = Version::Http2;
    request.headers = headers;
    Ok(request)
}

/// The field list of a response: `:status` first, then the handler's headers minus
/// those HTTP/2 forbids, then `content-length` when the length is known.
pub(crate) fn response_fields(
    status: u16,
    headers: &Headers,
    content_length: Option<usize>,
) -> Fields {
    let mut fields: Fields = vec![(b":status".to_vec(), status.to_string().into_bytes())];
    for (name, value) in headers.iter() {
        let name = name.to_ascii_lowercase();
        if CONNECTION_SPECIFIC.contains(&name.as_str()) || name == "content-length" {
            continue;
        }
        fields.push((name.into_bytes(), value.as_bytes().to_vec()));
    }
    if let Some(length) = content_length {
        fields.push((b"content-length".to_vec(), length.to_string().into_bytes()));
    }
    fields
}

/// Field names must be lowercase tokens (§8.2.1) and not connection-specific (§8.2.2).
fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase() && b != b':')
    {
        return Err("field name is not a lowercase token");
    }
    if CONNECTION_SPECIFIC.contains(&name) {
        return Err("connection-specific field");
    }
    Ok(())
}

/// Values must not contain NUL, CR or LF, nor start or end with whitespace (§8.2.1).
fn check_value(value: &str) -> Result<(), &'static str> {
    if value.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n')) {
        return Err("field value contains NUL, CR or LF");
    }
    if value.starts_with([' ', '\t']) || value.ends_with([' ', '\t']) {
        return Err("field value has surrounding whitespace");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(list: &[(&str, &str)]) -> Fields {
        list.iter()
            .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect()
    }

    const GOOD: [(&str, &str); 4] = [
        (":method", "GET"),
        (":scheme", "https"),
        (":path", "/prime"),
        (":authority", "localhost:18443"),
    ];

    #[test]
    fn a_good_request_becomes_a_request() {
        let mut list = fields(&GOOD);
        list.extend(fields(&[
            ("accept", "*/*"),
            ("cookie", "a=1"),
            ("cookie", "b=2"),
        ]));
        let request = request_from_fields(list).unwrap();
        assert_eq!(
            (request.method.as_str(), request.target.as_str()),
            ("GET", "/prime")
        );
        assert_eq!(request.version, Version::Http2);
        assert_eq!(request.header("host"), Some("localhost:18443"));
        assert_eq!(request.header("cookie"), Some("a=1; b=2"));
    }

    #[test]
    fn malformed_requests_are_refused() {
        let table: [(&str, Vec<(&str, &str)>); 11] = [
            ("no method", vec![(":scheme", "https"), (":path", "/")]),
            ("no path", vec![(":method", "GET"), (":scheme", "https")]),
            (
                "empty path",
                vec![(":method", "GET"), (":scheme", "https"), (":path", "")],
            ),
            ("no scheme", vec![(":method", "GET"), (":path", "/")]),
            (
                "unknown pseudo",
                vec![
                    (":method", "GET"),
                    (":scheme", "https"),
                    (":path", "/"),
                    (":protocol", "x"),
                ],
            ),
            (
                "repeated pseudo",
                vec![
                    (":method", "GET"),
                    (":method", "GET"),
                    (":scheme", "https"),
                    (":path", "/"),
                ],
            ),
            (
                "pseudo after regular",
                vec![
                    (":method", "GET"),
                    ("accept", "*/*"),
                    (":scheme", "https"),
                    (":path", "/"),
                ],
            ),
            (
                "uppercase name",
                vec![
                    (":method", "GET"),
                    (":scheme", "https"),
                    (":path", "/"),
                    ("Accept", "*/*"),
                ],
            ),
            (
                "connection field",
                vec![
                    (":method", "GET"),
                    (":scheme", "https"),
                    (":path", "/"),
                    ("connection", "close"),
                ],
            ),
            (
                "te not trailers",
                vec![
                    (":method", "GET"),
                    (":scheme", "https"),
                    (":path", "/"),
                    ("te", "gzip"),
                ],
            ),
            (
                "newline in value",
                vec![
                    (":method", "GET"),
                    (":scheme", "https"),
                    (":path", "/"),
                    ("x", "a\nb"),
                ],
            ),
        ];
        for (what, list) in table {
            assert!(request_from_fields(fields(&list)).is_err(), "{what}");
        }
    }

    #[test]
    fn responses_drop_connection_fields_and_lowercase_names() {
        let mut headers = Headers::new();
        headers.append("Content-Type", "text/event-stream");
        headers.append("Connection", "keep-alive");
        headers.append("Content-Length", "999");
        let list = response_fields(200, &headers, Some(5));
        assert_eq!(
            list,
            fields(&[
                (":status", "200"),
                ("content-type", "text/event-stream"),
                ("content-length", "5")
            ])
        );
    }
}
