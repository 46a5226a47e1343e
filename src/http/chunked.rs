//! The chunked transfer coding (RFC 9112 §7.1): a reader that removes it, a writer that adds it.

use std::io::{self, BufRead, Read, Write};

/// Longest chunk-size line or trailer line accepted, extensions included.
const MAX_LINE: u64 = 4096;
/// Most trailer lines accepted after the last chunk.
const MAX_TRAILERS: usize = 64;

/// Reads the body of a chunked message, handing out data as soon as it arrives.
pub struct ChunkedReader<R> {
    inner: R,
    state: State,
}

#[derive(Clone, Copy)]
enum State {
    /// Expecting a chunk-size line.
    Size,
    /// Inside a chunk with this many bytes left.
    Data(u64),
    /// Expecting the CRLF after a chunk's data.
    DataEnd,
    /// The last chunk and the trailers have been read.
    Done,
}

impl<R: BufRead> ChunkedReader<R> {
    /// Decodes the chunked body that `inner` is positioned at.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            state: State::Size,
        }
    }

    /// Returns the reader, positioned after whatever was consumed so far.
    pub fn into_inner(self) -> R {
        self.inner
    }

    fn read_line(&mut self) -> io::Result<Vec<u8>> {
        let mut line = Vec::new();
        (&mut self.inner)
            .take(MAX_LINE)
            .read_until(b'\n', &mut line)?;
        if line.last() != Some(&b'\n') {
            return Err(invalid(if line.len() as u64 == MAX_LINE {
                "chunk line too long"
            } else {
                "chunked body ended early"
            }));
        }
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(line)
    }

    fn read_size(&mut self) -> io::Result<u64> {
        let line = self.read_line()?;
        let digits = line.split(|&b| b == b';').next().unwrap_or_default();
        let digits = std::str::from_utf8(digits).map_err(|_| invalid("bad chunk size"))?;
        let digits = digits.trim_end_matches([' ', '\t']);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid("bad chunk size"));
        }
        u64::from_str_radix(digits, 16).map_err(|_| invalid("chunk size too large"))
    }

    fn skip_trailers(&mut self) -> io::Result<()> {
        for _ in 0..MAX_TRAILERS {
            if self.read_line()?.is_empty() {
                return Ok(());
            }
        }
        Err(invalid("too many trailer fields"))
    }
}

impl<R: BufRead> Read for ChunkedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.state {
                State::Size => match self.read_size()? {
                    0 => {
                        self.skip_trailers()?;
                        self.state = State::Done;
                    }
                    n => self.state = State::Data(n),
                },
                State::Data(left) => {
                    if buf.is_empty() {
                        return Ok(0);
                    }
                    let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    let n = self.inner.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                    let left = left - n as u64;
                    self.state = if left == 0 {
                        State::DataEnd
                    } else {
                        State::Data(left)
                    };
                    return Ok(n);
                }
                State::DataEnd => {
                    if !self.read_line()?.is_empty() {
                        return Err(invalid("chunk data longer than its size"));
                    }
                    self.state = State::Size;
                }
                State::Done => return Ok(0),
            }
        }
    }
}

/// Writes `data` as one chunk; an empty slice writes nothing (it would end the body).
pub fn write_chunk(out: &mut impl Write, data: &[u8]) -> io::Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    write!(out, "{:x}\r\n", data.len())?;
    out.write_all(data)?;
    out.write_all(b"\r\n")
}

/// Writes the last chunk, with no trailers, which ends a chunked body.
pub fn write_last_chunk(out: &mut impl Write) -> io::Result<()> {
    out.write_all(b"0\r\n\r\n")
}

fn invalid(msg: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(wire: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        ChunkedReader::new(wire).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn decodes_valid_bodies() {
        let table: [(&[u8], &[u8]); 5] = [
            (b"0\r\n\r\n", b""),
            (b"5\r\nhello\r\n0\r\n\r\n", b"hello"),
            (b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n", b"abcde"),
            (
                b"A\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n",
                b"0123456789",
            ),
            (b"2\nhi\n0\n\n", b"hi"),
        ];
        for (wire, body) in table {
            assert_eq!(
                decode(wire).unwrap(),
                body,
                "{:?}",
                String::from_utf8_lossy(wire)
            );
        }
    }

    #[test]
    fn rejects_invalid_bodies() {
        let table: [&[u8]; 6] = [
            b"zz\r\n",
            b"\r\n",
            b"5\r\nhel",
            b"3\r\nabcd\r\n0\r\n\r\n",
            b"fffffffffffffffffffff\r\n",
            b"5\r\nhello\r\n",
        ];
        for wire in table {
            assert!(decode(wire).is_err(), "{:?}", String::from_utf8_lossy(wire));
        }
    }

    #[test]
    fn stops_at_the_end_of_the_body() {
        let mut reader = ChunkedReader::new(&b"1\r\na\r\n0\r\n\r\nNEXT"[..]);
        let mut body = Vec::new();
        reader.read_to_end(&mut body).unwrap();
        assert_eq!(reader.into_inner(), b"NEXT");
    }

    #[test]
    fn writer_round_trips() {
        let mut wire = Vec::new();
        write_chunk(&mut wire, b"hello ").unwrap();
        write_chunk(&mut wire, b"").unwrap();
        write_chunk(&mut wire, b"world").unwrap();
        write_last_chunk(&mut wire).unwrap();
        assert_eq!(wire, b"6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n");
        assert_eq!(decode(&wire).unwrap(), b"hello world");
    }
}
