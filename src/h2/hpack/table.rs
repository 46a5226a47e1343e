//! The tables HPACK indexes into (RFC 7541 §2.3): a static table of 61 common
//! fields, fixed by the RFC, and a dynamic table of fields recently sent on
//! this connection.
//!
//! The two share one index space (§2.3.3). Indexes 1 to 61 are the static
//! table; from 62 on is the dynamic table, newest entry first, so an entry's
//! index grows by one each time a newer entry is added:
//!
//! ```text
//!   1 ..= 61        62        63      ...     62 + len - 1
//! | static table | newest | older | ... | oldest |
//! ```
//!
//! The dynamic table is bounded in bytes, not entries. When a new entry does
//! not fit, the oldest entries are evicted until it does (§4.4).

use std::collections::VecDeque;

/// The dynamic table size both ends start with: the initial value of
/// SETTINGS_HEADER_TABLE_SIZE (RFC 9113 §6.5.2).
pub const DEFAULT_TABLE_SIZE: usize = 4096;

/// The static table of RFC 7541 Appendix A; index `i` is `STATIC_TABLE[i - 1]`.
pub const STATIC_TABLE: [(&[u8], &[u8]); 61] = [
    (b":authority", b""),
    (b":method", b"GET"),
    (b":method", b"POST"),
    (b":path", b"/"),
    (b":path", b"/index.html"),
    (b":scheme", b"http"),
    (b":scheme", b"https"),
    (b":status", b"200"),
    (b":status", b"204"),
    (b":status", b"206"),
    (b":status", b"304"),
    (b":status", b"400"),
    (b":status", b"404"),
    (b":status", b"500"),
    (b"accept-charset", b""),
    (b"accept-encoding", b"gzip, deflate"),
    (b"accept-language", b""),
    (b"accept-ranges", b""),
    (b"accept", b""),
    (b"access-control-allow-origin", b""),
    (b"age", b""),
    (b"allow", b""),
    (b"authorization", b""),
    (b"cache-control", b""),
    (b"content-disposition", b""),
    (b"content-encoding", b""),
    (b"content-language", b""),
    (b"content-length", b""),
    (b"content-location", b""),
    (b"content-range", b""),
    (b"content-type", b""),
    (b"cookie", b""),
    (b"date", b""),
    (b"etag", b""),
    (b"expect", b""),
    (b"expires", b""),
    (b"from", b""),
    (b"host", b""),
    (b"if-match", b""),
    (b"if-modified-since", b""),
    (b"if-none-match", b""),
    (b"if-range", b""),
    (b"if-unmodified-since", b""),
    (b"last-modified", b""),
    (b"link", b""),
    (b"location", b""),
    (b"max-forwards", b""),
    (b"proxy-authenticate", b""),
    (b"proxy-authorization", b""),
    (b"range", b""),
    (b"referer", b""),
    (b"refresh", b""),
    (b"retry-after", b""),
    (b"server", b""),
    (b"set-cookie", b""),
    (b"strict-transport-security", b""),
    (b"transfer-encoding", b""),
    (b"user-agent", b""),
    (b"vary", b""),
    (b"via", b""),
    (b"www-authenticate", b""),
];

/// The size an entry counts for in the dynamic table (§4.1): its name and
/// value in octets, plus 32 for the bookkeeping any implementation needs.
///
/// The overhead makes even empty entries cost something, so a peer cannot
/// fill our memory with thousands of them.
pub fn entry_size(name: &[u8], value: &[u8]) -> usize {
    name.len() + value.len() + 32
}

/// What [`Table::find`] found for a header field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// This index holds the same name and value: the field can be sent as just the index.
    Field(usize),
    /// This index holds the same name only: the name can be sent as the index.
    Name(usize),
}

/// One end's view of one direction of a connection: the static table
/// followed by a dynamic table.
///
/// The encoder and the decoder each keep one, and they stay identical only
/// because both apply the same insertions and size changes in the same order.
#[derive(Debug, Clone)]
pub struct Table {
    /// The dynamic entries, newest first.
    dynamic: VecDeque<(Vec<u8>, Vec<u8>)>,
    /// The sum of [`entry_size`] over `dynamic`.
    size: usize,
    /// The most `size` may be; set by dynamic table size updates (§4.2).
    max_size: usize,
}

impl Table {
    /// An empty dynamic table that may hold `max_size` octets (§4.1).
    pub fn new(max_size: usize) -> Self {
        Table {
            dynamic: VecDeque::new(),
            size: 0,
            max_size,
        }
    }

    /// The current size of the dynamic table in octets (§4.1).
    pub fn size(&self) -> usize {
        self.size
    }

    /// The most octets the dynamic table may hold.
    pub fn max_size(&self) -> usize {
        self.max_size
    }

    /// The dynamic entries, newest (index 62) first.
    pub fn dynamic_entries(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.dynamic
            .iter()
            .map(|(n, v)| (n.as_slice(), v.as_slice()))
    }

    /// The field at `index` in the shared index space, or `None` for 0 and
    /// for indexes past the end of the dynamic table.
    pub fn get(&self, index: usize) -> Option<(&[u8], &[u8])> {
        match index {
            0 => None,
            1..=61 => Some(STATIC_TABLE[index - 1]),
            _ => self.dynamic_entries().nth(index - 62),
        }
    }

    /// The best entry for the encoder to refer to: the lowest index holding
    /// the whole field, or else the lowest index holding the name.
    pub fn find(&self, name: &[u8], value: &[u8]) -> Option<Match> {
        let all = STATIC_TABLE.iter().copied().chain(self.dynamic_entries());
        let mut name_match = None;
        for (i, (n, v)) in all.enumerate() {
            if n == name {
                if v == value {
                    return Some(Match::Field(i + 1));
                }
                name_match.get_or_insert(i + 1);
            }
        }
        name_match.map(Match::Name)
    }

    /// Adds a field as the newest entry, first evicting the oldest entries
    /// until it fits (§4.4).
    ///
    /// A field larger than the whole table is not an error: every entry is
    /// evicted, and the table is left empty.
    pub fn insert(&mut self, name: Vec<u8>, value: Vec<u8>) {
        let size = entry_size(&name, &value);
        if size > self.max_size {
            self.evict_down_to(0);
            return;
        }
        self.evict_down_to(self.max_size - size);
        self.size += size;
        self.dynamic.push_front((name, value));
    }

    /// Changes the most octets the table may hold, evicting the oldest
    /// entries if it is now too full (§4.3).
    pub fn set_max_size(&mut self, max_size: usize) {
        self.max_size = max_size;
        self.evict_down_to(max_size);
    }

    /// Evicts the oldest entries until the size is at most `limit`.
    fn evict_down_to(&mut self, limit: usize) {
        while self.size > limit {
            let Some((name, value)) = self.dynamic.pop_back() else {
                break;
            };
            self.size -= entry_size(&name, &value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(table: &Table) -> Vec<(&str, &str)> {
        let text = |b| std::str::from_utf8(b).unwrap();
        table
            .dynamic_entries()
            .map(|(n, v)| (text(n), text(v)))
            .collect()
    }

    #[test]
    fn static_table_matches_appendix_a() {
        let cases: [(usize, &str, &str); 10] = [
            (1, ":authority", ""),
            (2, ":method", "GET"),
            (7, ":scheme", "https"),
            (8, ":status", "200"),
            (14, ":status", "500"),
            (15, "accept-charset", ""),
            (16, "accept-encoding", "gzip, deflate"),
            (32, "cookie", ""),
            (55, "set-cookie", ""),
            (61, "www-authenticate", ""),
        ];
        let table = Table::new(DEFAULT_TABLE_SIZE);
        for (index, name, value) in cases {
            let want = (name.as_bytes(), value.as_bytes());
            assert_eq!(table.get(index), Some(want), "index {index}");
        }
        assert_eq!(STATIC_TABLE.len(), 61);
    }

    #[test]
    fn entry_size_counts_32_octets_of_overhead() {
        assert_eq!(entry_size(b"", b""), 32);
        // RFC 7541 C.3.1: ":authority: www.example.com" is 57 octets.
        assert_eq!(entry_size(b":authority", b"www.example.com"), 57);
    }

    #[test]
    fn indexes_run_from_static_into_dynamic_newest_first() {
        let mut table = Table::new(DEFAULT_TABLE_SIZE);
        table.insert(b"a".to_vec(), b"1".to_vec());
        table.insert(b"b".to_vec(), b"2".to_vec());
        assert_eq!(table.get(0), None);
        assert_eq!(table.get(61), Some((&b"www-authenticate"[..], &b""[..])));
        assert_eq!(table.get(62), Some((&b"b"[..], &b"2"[..])));
        assert_eq!(table.get(63), Some((&b"a"[..], &b"1"[..])));
        assert_eq!(table.get(64), None);
        assert_eq!(table.size(), 2 * 34);
    }

    #[test]
    fn insert_evicts_oldest_until_the_new_entry_fits() {
        // Room for two 34-octet entries, not three.
        let mut table = Table::new(100);
        for (name, value) in [("a", "1"), ("b", "2"), ("c", "3")] {
            table.insert(name.into(), value.into());
        }
        assert_eq!(entries(&table), [("c", "3"), ("b", "2")]);
        assert_eq!(table.size(), 68);
    }

    #[test]
    fn an_entry_larger_than_the_table_empties_it() {
        let mut table = Table::new(40);
        table.insert(b"a".to_vec(), b"1".to_vec());
        table.insert(b"long-name".to_vec(), b"long-value".to_vec());
        assert_eq!(entries(&table), []);
        assert_eq!(table.size(), 0);
    }

    #[test]
    fn shrinking_evicts_and_zero_empties() {
        let mut table = Table::new(DEFAULT_TABLE_SIZE);
        for (name, value) in [("a", "1"), ("b", "2"), ("c", "3")] {
            table.insert(name.into(), value.into());
        }
        table.set_max_size(68);
        assert_eq!(entries(&table), [("c", "3"), ("b", "2")]);
        table.set_max_size(0);
        assert_eq!(entries(&table), []);
        assert_eq!(table.max_size(), 0);
    }

    #[test]
    fn find_prefers_a_whole_field_then_the_lowest_index() {
        let mut table = Table::new(DEFAULT_TABLE_SIZE);
        table.insert(b":status".to_vec(), b"302".to_vec());
        table.insert(b"x-custom".to_vec(), b"1".to_vec());
        let cases: [(&str, &str, Option<Match>); 6] = [
            (":method", "GET", Some(Match::Field(2))),
            (":status", "404", Some(Match::Field(13))),
            (":status", "302", Some(Match::Field(63))),
            (":status", "307", Some(Match::Name(8))),
            ("x-custom", "2", Some(Match::Name(62))),
            ("x-other", "1", None),
        ];
        for (name, value, want) in cases {
            assert_eq!(
                table.find(name.as_bytes(), value.as_bytes()),
                want,
                "{name}: {value}"
            );
        }
    }
}
