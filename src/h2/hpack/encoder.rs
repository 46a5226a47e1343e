//! Encoding a header block, and the choices the RFC leaves to the encoder.
//!
//! The RFC fixes how each representation is written (§5, §6), but not which
//! one to use. Our policy, for each field:
//!
//! 1. A sensitive field (see [`is_sensitive`]) is a literal "never indexed",
//!    so it never enters a table that an attacker could probe (§7.1).
//! 2. A field found whole in the table is sent as its index: one or two octets.
//! 3. Any other field is a literal with incremental indexing, its name sent as
//!    an index when the table has it, so that next time it is an index too.
//!    A field too large for the table is sent without indexing instead: adding
//!    it would only empty the table (§4.4).
//!
//! Strings are Huffman-coded unless that would make them longer.

use super::huffman;
use super::table::{DEFAULT_TABLE_SIZE, Match, Table, entry_size};

/// §6.1 indexed field: `1xxxxxxx`, the index in a 7-bit prefix.
const INDEXED: (u8, u32) = (0b1000_0000, 7);
/// §6.2.1 literal with incremental indexing: `01xxxxxx`, name index in a 6-bit prefix.
const WITH_INDEXING: (u8, u32) = (0b0100_0000, 6);
/// §6.2.2 literal without indexing: `0000xxxx`, name index in a 4-bit prefix.
const WITHOUT_INDEXING: (u8, u32) = (0b0000_0000, 4);
/// §6.2.3 literal never indexed: `0001xxxx`, name index in a 4-bit prefix.
const NEVER_INDEXED: (u8, u32) = (0b0001_0000, 4);
/// §6.3 dynamic table size update: `001xxxxx`, the size in a 5-bit prefix.
const SIZE_UPDATE: (u8, u32) = (0b0010_0000, 5);
/// §5.2 string, Huffman-coded: `1xxxxxxx`, the length in a 7-bit prefix.
const HUFFMAN_STRING: (u8, u32) = (0b1000_0000, 7);
/// §5.2 string, as is: `0xxxxxxx`, the length in a 7-bit prefix.
const RAW_STRING: (u8, u32) = (0b0000_0000, 7);

/// Encodes the header blocks that we send on one connection.
///
/// Every block it produces must reach the peer's decoder, in order: each may
/// change the dynamic table that the next one refers to.
#[derive(Debug, Clone)]
pub struct Encoder {
    /// The static and dynamic tables, as the peer's decoder will have them.
    table: Table,
    /// The smallest table size since the last block, if the size changed:
    /// the next block must announce it (§4.2).
    resized_to: Option<usize>,
    /// Whether to Huffman-code strings that get no longer by it.
    huffman: bool,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder::new()
    }
}

impl Encoder {
    /// An encoder with the default 4096-octet table, which every peer starts with.
    pub fn new() -> Self {
        Encoder {
            table: Table::new(DEFAULT_TABLE_SIZE),
            resized_to: None,
            huffman: true,
        }
    }

    /// The peer's SETTINGS_HEADER_TABLE_SIZE changed to `n`.
    ///
    /// The table shrinks now if it must, and the next block starts with a
    /// dynamic table size update to tell the peer. We never grow past 4096,
    /// even when the peer allows more: the limit is a ceiling, not a demand,
    /// and a larger table costs our memory for little gain.
    pub fn set_max_table_size(&mut self, n: usize) {
        let size = n.min(DEFAULT_TABLE_SIZE);
        if size == self.table.max_size() {
            return;
        }
        self.table.set_max_size(size);
        // If the size went down and then up again before the next block, the
        // peer must hear about the low point too: entries were evicted there.
        self.resized_to = Some(self.resized_to.map_or(size, |low| low.min(size)));
    }

    /// The tables as they stand, for looking at: the peer's decoder has the same.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Whether strings are Huffman-coded when that does not make them longer
    /// (on by default). Turning it off shows the plain bytes, as the RFC's
    /// examples C.3 and C.5 do.
    pub fn set_huffman(&mut self, on: bool) {
        self.huffman = on;
    }

    /// Appends to `out` one header block holding `headers`, in order.
    ///
    /// Names must be lowercase, as HTTP/2 requires (RFC 9113 §8.2.1); the
    /// encoder sends them as given, and the tables only match them exactly.
    pub fn encode<'a>(
        &mut self,
        headers: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
        out: &mut Vec<u8>,
    ) {
        if let Some(low) = self.resized_to.take() {
            let size = self.table.max_size();
            if low < size {
                encode_integer(SIZE_UPDATE, low, out);
            }
            encode_integer(SIZE_UPDATE, size, out);
        }
        for (name, value) in headers {
            self.encode_field(name, value, out);
        }
    }

    // ANCHOR: policy
    /// Appends one field, choosing its representation by the policy above.
    fn encode_field(&mut self, name: &[u8], value: &[u8], out: &mut Vec<u8>) {
        let found = self.table.find(name, value);
        let name_index = match found {
            Some(Match::Field(index) | Match::Name(index)) => index,
            None => 0,
        };
        if is_sensitive(name, value) {
            self.encode_literal(NEVER_INDEXED, name_index, name, value, out);
        } else if let Some(Match::Field(index)) = found {
            encode_integer(INDEXED, index, out);
        } else if entry_size(name, value) > self.table.max_size() {
            self.encode_literal(WITHOUT_INDEXING, name_index, name, value, out);
        } else {
            self.encode_literal(WITH_INDEXING, name_index, name, value, out);
            self.table.insert(name.to_vec(), value.to_vec());
        }
    }
    // ANCHOR_END: policy

    /// Appends a literal field (§6.2): the name as an index, or as a string
    /// when `name_index` is 0, then the value as a string.
    fn encode_literal(
        &self,
        kind: (u8, u32),
        name_index: usize,
        name: &[u8],
        value: &[u8],
        out: &mut Vec<u8>,
    ) {
        encode_integer(kind, name_index, out);
        if name_index == 0 {
            self.encode_string(name, out);
        }
        self.encode_string(value, out);
    }

    /// Appends a string literal (§5.2): the Huffman flag and the length in a
    /// 7-bit prefix, then the octets.
    ///
    /// A tie goes to Huffman, as in the RFC's examples ("307" in C.6.2 is
    /// three octets either way).
    fn encode_string(&self, text: &[u8], out: &mut Vec<u8>) {
        let huffman_len = huffman::encoded_len(text);
        if self.huffman && huffman_len <= text.len() {
            encode_integer(HUFFMAN_STRING, huffman_len, out);
            huffman::encode(text, out);
        } else {
            encode_integer(RAW_STRING, text.len(), out);
            out.extend_from_slice(text);
        }
    }
}

/// Whether a field must never be indexed (RFC 7541 §7.1.3).
///
/// Compression leaks: if an attacker can add guesses to our requests and see
/// how long they get, a guess that matches a table entry makes the block
/// shorter (the CRIME attack). So credentials never enter the table, nor do
/// short cookies, whose few possible values could be guessed one by one.
/// Long cookies are indexed: guessing them is hopeless, and sending them on
/// every request as an index is the biggest saving HPACK offers.
pub fn is_sensitive(name: &[u8], value: &[u8]) -> bool {
    match name {
        b"authorization" | b"proxy-authorization" | b"set-cookie" => true,
        b"cookie" => value.len() < 20,
        _ => false,
    }
}

/// Appends an integer with an N-bit prefix (§5.1); `kind` is the pattern of
/// the bits above the prefix, and N.
///
/// A value below 2^N - 1 fits in the prefix. A larger one fills the prefix
/// with ones, and the rest, value - (2^N - 1), follows in 7-bit groups, least
/// significant first, with the high bit of each octet but the last set.
fn encode_integer((pattern, prefix_bits): (u8, u32), value: usize, out: &mut Vec<u8>) {
    let prefix_max = (1 << prefix_bits) - 1;
    if value < prefix_max {
        out.push(pattern | value as u8);
        return;
    }
    out.push(pattern | prefix_max as u8);
    let mut rest = value - prefix_max;
    while rest >= 0b1000_0000 {
        out.push(0b1000_0000 | (rest & 0b0111_1111) as u8);
        rest >>= 7;
    }
    out.push(rest as u8);
}

#[cfg(test)]
mod tests {
    use super::super::Decoder;
    use super::super::appendix_c::{
        C2, C3, C4, C5, C6, Example, Fields, RESPONSE_TABLE_SIZE, hex, owned,
    };
    use super::*;

    /// The header list as the borrowed pairs `encode` takes.
    fn pairs(fields: Fields) -> impl Iterator<Item = (&'static [u8], &'static [u8])> {
        fields.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes()))
    }

    fn encode(encoder: &mut Encoder, fields: Fields) -> Vec<u8> {
        let mut out = Vec::new();
        encoder.encode(pairs(fields), &mut out);
        out
    }

    /// Encodes a block, checks the RFC's bytes, decodes it again, and checks
    /// that both ends' tables agree.
    fn check(encoder: &mut Encoder, decoder: &mut Decoder, example: &Example, want: &str) {
        let block = encode(encoder, example.headers);
        assert_eq!(block, hex(want), "{}", example.section);
        assert_eq!(
            decoder.decode(&block, usize::MAX),
            Ok(owned(example.headers)),
            "{}",
            example.section
        );
        same_tables(encoder, decoder);
    }

    fn same_tables(encoder: &Encoder, decoder: &Decoder) {
        let ours: Vec<_> = encoder.table.dynamic_entries().collect();
        let theirs: Vec<_> = decoder.table().dynamic_entries().collect();
        assert_eq!(ours, theirs);
        assert_eq!(encoder.table.size(), decoder.table().size());
    }

    #[test]
    fn c1_integers() {
        let cases: [((u8, u32), usize, &[u8]); 4] = [
            ((0, 5), 10, &[0b000_01010]),
            ((0b111_00000, 5), 10, &[0b111_01010]),
            ((0, 5), 1337, &[0b000_11111, 0b1001_1010, 0b0000_1010]),
            ((0, 8), 42, &[0b0010_1010]),
        ];
        for (kind, value, want) in cases {
            let mut out = Vec::new();
            encode_integer(kind, value, &mut out);
            assert_eq!(out, want, "{value}");
        }
    }

    #[test]
    fn c2_single_representations() {
        // C.2.1 and C.2.4 are what we would send too. C.2.2 sends ":path" without
        // indexing and C.2.3 sends "password" never indexed: choices the RFC
        // made to show those forms, which our policy does not make (we index
        // ":path", and "password" is not a field name we know as sensitive).
        // All four still round-trip.
        for (example, exact) in C2.iter().zip([true, false, false, true]) {
            let mut encoder = Encoder::new();
            encoder.set_huffman(false);
            let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
            let block = encode(&mut encoder, example.headers);
            if exact {
                assert_eq!(block, hex(example.hex), "{}", example.section);
            }
            assert_eq!(
                decoder.decode(&block, usize::MAX),
                Ok(owned(example.headers))
            );
            same_tables(&encoder, &decoder);
        }
    }

    #[test]
    fn c3_requests_without_huffman() {
        let (mut encoder, mut decoder) = (Encoder::new(), Decoder::new(DEFAULT_TABLE_SIZE));
        encoder.set_huffman(false);
        for example in &C3 {
            check(&mut encoder, &mut decoder, example, example.hex);
        }
    }

    #[test]
    fn c4_requests_with_huffman() {
        let (mut encoder, mut decoder) = (Encoder::new(), Decoder::new(DEFAULT_TABLE_SIZE));
        for example in &C4 {
            check(&mut encoder, &mut decoder, example, example.hex);
        }
    }

    /// The RFC's responses, as our policy sends them. The first block starts
    /// with a size update to 256 (`3fe101`): the RFC's examples assume both
    /// ends began at 256, but a real connection begins at 4096 and our encoder
    /// announces the peer's smaller limit. And the RFC adds "set-cookie" to the
    /// table (`77`: name index 55, with indexing) where we never index it
    /// (`1f28`: name index 55, never indexed), so the last table differs too.
    fn responses(examples: &[Example; 3], huffman: bool, set_cookie: (&str, &str)) {
        let mut encoder = Encoder::new();
        encoder.set_huffman(huffman);
        encoder.set_max_table_size(RESPONSE_TABLE_SIZE);
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        let first = format!("3fe101 {}", examples[0].hex);
        check(&mut encoder, &mut decoder, &examples[0], &first);
        check(&mut encoder, &mut decoder, &examples[1], examples[1].hex);
        let (rfc, ours) = set_cookie;
        assert_eq!(examples[2].hex.matches(rfc).count(), 1);
        let last = examples[2].hex.replace(rfc, ours);
        check(&mut encoder, &mut decoder, &examples[2], &last);
        let table: Vec<_> = decoder.table().dynamic_entries().collect();
        // Without the 98-octet set-cookie, ":status: 307" and "location" stay.
        let want: Vec<_> = pairs(&[
            ("content-encoding", "gzip"),
            ("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
            (":status", "307"),
            ("location", "https://www.example.com"),
        ])
        .collect();
        assert_eq!(table, want);
    }

    #[test]
    fn c5_responses_without_huffman() {
        // The RFC's set-cookie starts 77 38 (56 octets follow); ours 1f 28 38.
        responses(&C5, false, ("7738", "1f28 38"));
    }

    #[test]
    fn c6_responses_with_huffman() {
        // The RFC's set-cookie starts 77 ad (45 octets of Huffman follow); ours 1f 28 ad.
        responses(&C6, true, ("77ad", "1f28 ad"));
    }

    #[test]
    fn sensitive_fields_are_never_indexed() {
        const LONG_COOKIE: &str = "session=0123456789abcdef";
        let mut encoder = Encoder::new();
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        let fields: Fields = &[
            ("authorization", "Basic dXNlcjpwYXNz"),
            ("proxy-authorization", "Basic dXNlcjpwYXNz"),
            ("set-cookie", "id=1; Secure"),
            ("cookie", "id=1"),
            ("cookie", LONG_COOKIE),
        ];
        for _ in 0..2 {
            round_trip(&mut encoder, &mut decoder, fields);
        }
        // Only the long cookie made it into the table.
        let table: Vec<_> = encoder.table.dynamic_entries().collect();
        assert_eq!(table, [(&b"cookie"[..], LONG_COOKIE.as_bytes())]);
        // Each sensitive field is a never-indexed literal with its static name index.
        let block = round_trip(&mut encoder, &mut decoder, &fields[..1]);
        assert_eq!(
            block[0], 0b0001_1111,
            "never indexed, name index 23 (15 + 8)"
        );
        assert_eq!(block[1], 8);
    }

    #[test]
    fn a_field_larger_than_the_table_is_not_indexed() {
        let mut encoder = Encoder::new();
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        let big = "x".repeat(5000);
        let fields = [(&b"x-big"[..], big.as_bytes()), (b"x-small", b"1")];
        let mut block = Vec::new();
        encoder.encode(fields, &mut block);
        assert_eq!(block[0], 0b0000_0000, "without indexing, literal name");
        decoder.decode(&block, usize::MAX).unwrap();
        same_tables(&encoder, &decoder);
        assert_eq!(encoder.table.size(), entry_size(b"x-small", b"1"));
    }

    /// Encodes a block, decodes it, checks the list and both tables, and returns the block.
    fn round_trip(encoder: &mut Encoder, decoder: &mut Decoder, fields: Fields) -> Vec<u8> {
        let block = encode(encoder, fields);
        assert_eq!(decoder.decode(&block, usize::MAX), Ok(owned(fields)));
        same_tables(encoder, decoder);
        block
    }

    #[test]
    fn size_changes_are_announced_at_the_next_block() {
        let mut encoder = Encoder::new();
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        let get: Fields = &[(":method", "GET")];
        // The peer's default, or more than we care to use: nothing to announce.
        encoder.set_max_table_size(4096);
        encoder.set_max_table_size(65536);
        assert_eq!(round_trip(&mut encoder, &mut decoder, get), [0x82]);
        // Down to 100 and back up: both the low point and the final size.
        round_trip(&mut encoder, &mut decoder, C4[2].headers);
        encoder.set_max_table_size(100);
        encoder.set_max_table_size(8192);
        let block = round_trip(&mut encoder, &mut decoder, get);
        // 100 = 31 + 69; 4096 = 31 + 97 + 31 * 128.
        assert_eq!(block, hex("3f45 3fe11f 82"));
        // Only the newest entry survived the low point.
        assert_eq!(encoder.table.dynamic_entries().count(), 1);
        // Announced once only.
        assert_eq!(round_trip(&mut encoder, &mut decoder, get), [0x82]);
        // Down to 0: the table is off, and nothing is indexed any more.
        encoder.set_max_table_size(0);
        let block = round_trip(&mut encoder, &mut decoder, C4[0].headers);
        assert_eq!(block[0], 0b0010_0000);
        assert_eq!(encoder.table.size(), 0);
    }

    /// A small deterministic random number generator (xorshift64).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn random_header_lists_round_trip() {
        // Names and values are drawn from small pools so that fields repeat and
        // hit the table, plus random bytes (any octet, Huffman or not).
        let names: [&[u8]; 8] = [
            b":path",
            b":status",
            b"cookie",
            b"authorization",
            b"content-type",
            b"x-request-id",
            b"accept-encoding",
            b"x-a",
        ];
        let values: [&[u8]; 6] = [b"", b"/", b"200", b"gzip, deflate", b"text/html", b"0"];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut encoder = Encoder::new();
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        for round in 0..1000 {
            if rng.below(20) == 0 {
                let size = [0, 64, 256, 1000, 4096, 10000][rng.below(6)];
                encoder.set_max_table_size(size);
            }
            let mut list: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
            for _ in 0..rng.below(12) {
                let name = match rng.below(4) {
                    0 => (0..1 + rng.below(20))
                        .map(|_| b'a' + rng.below(26) as u8)
                        .collect(),
                    _ => names[rng.below(names.len())].to_vec(),
                };
                let value = match rng.below(3) {
                    0 => (0..rng.below(300)).map(|_| rng.next() as u8).collect(),
                    _ => values[rng.below(values.len())].to_vec(),
                };
                list.push((name, value));
            }
            let mut block = Vec::new();
            encoder.encode(list.iter().map(|(n, v)| (&n[..], &v[..])), &mut block);
            assert_eq!(
                decoder.decode(&block, usize::MAX),
                Ok(list),
                "round {round}"
            );
            same_tables(&encoder, &decoder);
        }
    }
}
