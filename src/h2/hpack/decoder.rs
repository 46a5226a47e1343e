//! Decoding a header block (RFC 7541 §3): integers and strings (§5), and the
//! representations built from them (§6).
//!
//! A block is a sequence of representations, each announced by the high bits
//! of its first octet:
//!
//! ```text
//! 1xxxxxxx  indexed field                    §6.1    the field at an index
//! 01xxxxxx  literal, incremental indexing    §6.2.1  a field, added to the table
//! 001xxxxx  dynamic table size update        §6.3    a new table size
//! 0001xxxx  literal, never indexed           §6.2.3  a field, never to be indexed
//! 0000xxxx  literal, without indexing        §6.2.2  a field, not added
//! ```
//!
//! The `x` bits start an integer: an index, a name index (0 for a literal
//! name), or a size.

use super::huffman;
use super::table::{Table, entry_size};
use super::{HeaderList, HpackError};

/// Decodes the header blocks that one peer sends on one connection.
///
/// Blocks must be decoded in the order they were sent, all of them, since
/// each may change the dynamic table the next one refers to.
#[derive(Debug, Clone)]
pub struct Decoder {
    /// The static and dynamic tables, in step with the peer's encoder.
    table: Table,
    /// The largest table size the peer may choose: our SETTINGS_HEADER_TABLE_SIZE.
    limit: usize,
    /// Our limit went below the table's size: the next block must start by
    /// shrinking the table (§4.2).
    update_required: bool,
}

impl Decoder {
    /// A decoder whose dynamic table starts at `max_table_size` octets, which
    /// is also the most the peer may ask for with a size update (§6.3).
    ///
    /// On a new connection pass [`DEFAULT_TABLE_SIZE`]: until the peer has
    /// seen our SETTINGS, it encodes for the default 4096, whatever we
    /// advertise. Then tell the decoder with [`Decoder::set_max_table_size`].
    ///
    /// [`DEFAULT_TABLE_SIZE`]: super::DEFAULT_TABLE_SIZE
    pub fn new(max_table_size: usize) -> Self {
        Decoder {
            table: Table::new(max_table_size),
            limit: max_table_size,
            update_required: false,
        }
    }

    /// Our advertised SETTINGS_HEADER_TABLE_SIZE changed to `n`.
    ///
    /// A larger value only permits more, so call this when sending the
    /// SETTINGS frame. A smaller one binds the peer only once it has
    /// processed the frame, so call this when its acknowledgement arrives
    /// (RFC 9113 §6.5.3). If `n` is below the table's current size, the
    /// peer's next block must start with a size update that shrinks it.
    pub fn set_max_table_size(&mut self, n: usize) {
        self.limit = n;
        if self.table.max_size() > n {
            self.update_required = true;
        }
    }

    /// The tables as they stand, for looking at: the peer's encoder has the same.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Decodes one complete header block into its list of `(name, value)`
    /// fields, in order.
    ///
    /// `max_list_size` bounds the list's size as RFC 9113 §6.5.2 counts it:
    /// each field's name and value in octets, plus 32. A larger list is still
    /// decoded to the end of the block, so that the dynamic table stays in
    /// step with the peer, and then [`HpackError::HeaderListTooLarge`] is
    /// returned. Any other error leaves the table unusable.
    ///
    /// The limit is also what stops an "HPACK bomb": a small block that names
    /// one large table entry thousands of times, to make us build a huge list.
    pub fn decode(&mut self, block: &[u8], max_list_size: usize) -> Result<HeaderList, HpackError> {
        let mut input = Input { rest: block };
        let mut headers = Vec::new();
        let mut list_size = 0usize;
        let mut size_updates = 0;
        let mut seen_field = false;
        while let Some(first) = input.peek() {
            if first & 0b1110_0000 == 0b0010_0000 {
                if seen_field {
                    return Err(HpackError::TableSizeUpdateNotFirst);
                }
                size_updates += 1;
                if size_updates > 2 {
                    return Err(HpackError::TooManyTableSizeUpdates);
                }
                self.size_update(&mut input)?;
                continue;
            }
            if self.update_required {
                return Err(HpackError::TableSizeUpdateMissing);
            }
            seen_field = true;
            let (name, value) = self.field(&mut input)?;
            list_size = list_size.saturating_add(entry_size(&name, &value));
            if list_size <= max_list_size {
                headers.push((name, value));
            } else {
                // Keep decoding for the table's sake, but stop keeping fields.
                headers = Vec::new();
            }
        }
        if list_size > max_list_size {
            return Err(HpackError::HeaderListTooLarge);
        }
        Ok(headers)
    }

    /// Reads a dynamic table size update (§6.3) and applies it.
    fn size_update(&mut self, input: &mut Input) -> Result<(), HpackError> {
        let size = input.integer(5)?;
        if size > self.limit {
            return Err(HpackError::TableSizeOverLimit);
        }
        self.table.set_max_size(size);
        self.update_required = false;
        Ok(())
    }

    /// Reads one field representation (§6.1, §6.2), updating the table if it asks.
    fn field(&mut self, input: &mut Input) -> Result<(Vec<u8>, Vec<u8>), HpackError> {
        let first = input.peek().ok_or(HpackError::Truncated)?;
        if first & 0b1000_0000 != 0 {
            let index = input.integer(7)?;
            let (name, value) = self.entry(index)?;
            return Ok((name.to_vec(), value.to_vec()));
        }
        // The three literal forms differ only in their prefix and in whether the
        // field goes into the table. "Never indexed" (0001) decodes exactly like
        // "without indexing" (0000); the flag matters only to intermediaries,
        // which must forward the field with it.
        let indexing = first & 0b0100_0000 != 0;
        let name_index = input.integer(if indexing { 6 } else { 4 })?;
        let name = match name_index {
            0 => input.string()?,
            index => self.entry(index)?.0.to_vec(),
        };
        let value = input.string()?;
        if indexing {
            // `name` is our own copy, so it stays valid even if inserting
            // evicts the entry it was read from (§4.4 warns about that case).
            self.table.insert(name.clone(), value.clone());
        }
        Ok((name, value))
    }

    /// The table entry at `index`, or [`HpackError::BadIndex`].
    fn entry(&self, index: usize) -> Result<(&[u8], &[u8]), HpackError> {
        self.table.get(index).ok_or(HpackError::BadIndex(index))
    }
}

/// The unread rest of a header block, and the primitive types of §5 read from it.
struct Input<'a> {
    rest: &'a [u8],
}

impl<'a> Input<'a> {
    /// The next octet, left unread.
    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads one octet.
    fn octet(&mut self) -> Result<u8, HpackError> {
        let (&first, rest) = self.rest.split_first().ok_or(HpackError::Truncated)?;
        self.rest = rest;
        Ok(first)
    }

    /// Reads `len` octets.
    fn take(&mut self, len: usize) -> Result<&'a [u8], HpackError> {
        let (taken, rest) = self
            .rest
            .split_at_checked(len)
            .ok_or(HpackError::Truncated)?;
        self.rest = rest;
        Ok(taken)
    }

    /// Reads an integer with an N-bit prefix (§5.1), where N is `prefix_bits`.
    ///
    /// The value sits in the low N bits of the first octet, unless those bits
    /// are all ones: then it is 2^N - 1 plus a number written in 7-bit groups,
    /// least significant first, each octet's high bit saying "more follows".
    /// For N = 5, 1337 is `000 11111`, `1 0011010`, `0 0001010`:
    /// 31 + 26 + 10 × 128.
    fn integer(&mut self, prefix_bits: u32) -> Result<usize, HpackError> {
        let prefix_max = (1 << prefix_bits) - 1;
        let mut value = usize::from(self.octet()?) & prefix_max;
        if value < prefix_max {
            return Ok(value);
        }
        let mut shift = 0;
        loop {
            let octet = self.octet()?;
            let group = usize::from(octet & 0b0111_1111);
            // `group << shift`, refusing to lose bits off the top.
            let part = group
                .checked_shl(shift)
                .filter(|part| part >> shift == group)
                .ok_or(HpackError::IntegerOverflow)?;
            value = value.checked_add(part).ok_or(HpackError::IntegerOverflow)?;
            if octet & 0b1000_0000 == 0 {
                return Ok(value);
            }
            shift += 7;
        }
    }

    /// Reads a string literal (§5.2): a Huffman flag bit, a length with a
    /// 7-bit prefix, then that many octets, raw or Huffman-encoded.
    fn string(&mut self) -> Result<Vec<u8>, HpackError> {
        let huffman = self.peek().ok_or(HpackError::Truncated)? & 0b1000_0000 != 0;
        let len = self.integer(7)?;
        // The length is checked against the rest of the block before anything
        // is allocated, so a hostile length costs nothing.
        let octets = self.take(len)?;
        if huffman {
            huffman::decode(octets)
        } else {
            Ok(octets.to_vec())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::appendix_c::{C2, C3, C4, C5, C6, Example, RESPONSE_TABLE_SIZE, hex, owned};
    use super::super::table::DEFAULT_TABLE_SIZE;
    use super::*;

    const NO_LIMIT: usize = usize::MAX;

    fn table_entries(decoder: &Decoder) -> Vec<(Vec<u8>, Vec<u8>)> {
        let entries = decoder.table.dynamic_entries();
        entries.map(|(n, v)| (n.to_vec(), v.to_vec())).collect()
    }

    /// Decodes each block in turn on one decoder, checking the list and the table after each.
    fn check(decoder: &mut Decoder, examples: &[Example]) {
        for example in examples {
            let headers = decoder.decode(&hex(example.hex), NO_LIMIT);
            assert_eq!(headers, Ok(owned(example.headers)), "{}", example.section);
            assert_eq!(
                table_entries(decoder),
                owned(example.table),
                "{}",
                example.section
            );
            assert_eq!(
                decoder.table.size(),
                example.table_size,
                "{}",
                example.section
            );
        }
    }

    #[test]
    fn c1_integers() {
        // (octets, prefix bits, value); the first octet's bits above the prefix are ignored.
        let cases: [(&[u8], u32, usize); 4] = [
            (&[0b000_01010], 5, 10),
            (&[0b111_01010], 5, 10),
            (&[0b000_11111, 0b1001_1010, 0b0000_1010], 5, 1337),
            (&[0b0010_1010], 8, 42),
        ];
        for (octets, prefix_bits, value) in cases {
            let mut input = Input { rest: octets };
            assert_eq!(input.integer(prefix_bits), Ok(value), "{octets:02x?}");
            assert!(input.rest.is_empty());
        }
    }

    #[test]
    fn c2_single_representations() {
        for example in &C2 {
            check(
                &mut Decoder::new(DEFAULT_TABLE_SIZE),
                std::slice::from_ref(example),
            );
        }
    }

    #[test]
    fn c3_requests_without_huffman() {
        check(&mut Decoder::new(DEFAULT_TABLE_SIZE), &C3);
    }

    #[test]
    fn c4_requests_with_huffman() {
        check(&mut Decoder::new(DEFAULT_TABLE_SIZE), &C4);
    }

    #[test]
    fn c5_responses_without_huffman() {
        check(&mut Decoder::new(RESPONSE_TABLE_SIZE), &C5);
    }

    #[test]
    fn c6_responses_with_huffman() {
        check(&mut Decoder::new(RESPONSE_TABLE_SIZE), &C6);
    }

    #[test]
    fn malformed_blocks_are_rejected() {
        use HpackError::*;
        let cases: [(&str, HpackError, &str); 15] = [
            ("1f", Truncated, "integer prefix full, no continuation"),
            ("ff 80", Truncated, "continuation bit set on the last octet"),
            (
                "ff ff ff ff ff ff ff ff ff ff 7f",
                IntegerOverflow,
                "too many bits",
            ),
            (
                "ff 80 80 80 80 80 80 80 80 80 80 00",
                IntegerOverflow,
                "too many octets",
            ),
            ("80", BadIndex(0), "indexed field 0"),
            ("be", BadIndex(62), "indexed field past the static table"),
            ("7e 01 61", BadIndex(62), "name index past the end"),
            ("40 05 61", Truncated, "name shorter than its length"),
            (
                "40 7f ff ff ff ff 0f",
                Truncated,
                "a 34-gigabyte name length",
            ),
            ("04 81", Truncated, "value missing"),
            ("41 81 00", BadHuffman, "padding not all ones"),
            ("41 82 1f ff", BadHuffman, "padding over 7 bits"),
            ("41 84 ff ff ff ff", BadHuffman, "EOS in a string"),
            ("3f e2 1f", TableSizeOverLimit, "size update to 4097"),
            (
                "82 20",
                TableSizeUpdateNotFirst,
                "size update after a field",
            ),
        ];
        for (block, error, why) in cases {
            let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
            assert_eq!(decoder.decode(&hex(block), NO_LIMIT), Err(error), "{why}");
        }
    }

    #[test]
    fn at_most_two_size_updates_start_a_block() {
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        let two = decoder.decode(&hex("20 3f e1 1f 82"), NO_LIMIT);
        assert_eq!(two, Ok(owned(&[(":method", "GET")])));
        let three = decoder.decode(&hex("20 20 20 82"), NO_LIMIT);
        assert_eq!(three, Err(HpackError::TooManyTableSizeUpdates));
    }

    #[test]
    fn size_updates_evict() {
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        check(&mut decoder, &C3);
        // 110 keeps the two newest entries (54 + 53); 0 empties the table.
        decoder.decode(&hex("3f 4f"), NO_LIMIT).unwrap();
        assert_eq!(table_entries(&decoder), owned(&C3[2].table[..2]));
        decoder.decode(&hex("20"), NO_LIMIT).unwrap();
        assert_eq!(table_entries(&decoder), []);
        assert_eq!(decoder.table.max_size(), 0);
    }

    #[test]
    fn lowering_our_limit_requires_a_size_update() {
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        decoder.set_max_table_size(256);
        assert_eq!(
            decoder.decode(&hex("82"), NO_LIMIT),
            Err(HpackError::TableSizeUpdateMissing)
        );

        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        decoder.set_max_table_size(256);
        // 3fe101 is a size update to 256.
        let block = format!("3fe101 {}", C6[0].hex);
        assert_eq!(
            decoder.decode(&hex(&block), NO_LIMIT),
            Ok(owned(C6[0].headers))
        );
        assert_eq!(
            decoder.decode(&hex("3f e2 01"), NO_LIMIT),
            Err(HpackError::TableSizeOverLimit),
            "257 is over the new limit"
        );

        // Lowered and raised again: the peer had to shrink in between, so it
        // still owes us an update.
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        decoder.set_max_table_size(256);
        decoder.set_max_table_size(DEFAULT_TABLE_SIZE);
        let missing = decoder.decode(&hex("82"), NO_LIMIT);
        assert_eq!(missing, Err(HpackError::TableSizeUpdateMissing));

        // Raising the limit asks nothing of the peer.
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        decoder.set_max_table_size(8192);
        assert_eq!(
            decoder.decode(&hex("82"), NO_LIMIT),
            Ok(owned(&[(":method", "GET")]))
        );
    }

    #[test]
    fn list_size_counts_name_value_and_32() {
        // C.3.1: 42 + 43 + 38 + 57 = 180 octets.
        let block = hex(C3[0].hex);
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        assert_eq!(decoder.decode(&block, 180), Ok(owned(C3[0].headers)));
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        assert_eq!(
            decoder.decode(&block, 179),
            Err(HpackError::HeaderListTooLarge)
        );
    }

    #[test]
    fn a_list_too_large_still_keeps_the_table_in_step() {
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        let first = decoder.decode(&hex(C4[0].hex), 100);
        assert_eq!(first, Err(HpackError::HeaderListTooLarge));
        assert_eq!(table_entries(&decoder), owned(C4[0].table));
        // The next block refers to the entry the refused one added.
        check(&mut decoder, &C4[1..]);
    }

    #[test]
    fn an_hpack_bomb_stops_at_the_list_limit() {
        // One 4000-octet entry, then 10,000 one-octet references to it: 40 MB
        // of headers from a 10 kB block, unless the limit stops it.
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        let entry = format!("40 01 78 7f a1 1e {}", "61".repeat(4000));
        decoder.decode(&hex(&entry), NO_LIMIT).unwrap();
        let bomb = vec![0xbe; 10_000];
        let result = decoder.decode(&bomb, 64 * 1024);
        assert_eq!(result, Err(HpackError::HeaderListTooLarge));
        assert_eq!(decoder.table.size(), 32 + 1 + 4000);
    }

    #[test]
    fn a_literal_larger_than_the_table_empties_it() {
        let mut decoder = Decoder::new(64);
        // custom-key: custom-header is 55 octets; then "aaaa...": 32 + 10 + 40 > 64.
        decoder.decode(&hex(C2[0].hex), NO_LIMIT).unwrap();
        let long = format!("40 0a {} 28 {}", "61".repeat(10), "62".repeat(40));
        let headers = decoder.decode(&hex(&long), NO_LIMIT).unwrap();
        assert_eq!(headers, [(b"a".repeat(10), b"b".repeat(40))]);
        assert_eq!(table_entries(&decoder), []);
        assert_eq!(decoder.table.size(), 0);
    }

    #[test]
    fn a_new_entry_may_name_the_entry_it_evicts() {
        // One entry fits; the second takes its name from index 62, the entry
        // that inserting it evicts.
        let mut decoder = Decoder::new(60);
        decoder.decode(&hex(C2[0].hex), NO_LIMIT).unwrap();
        let headers = decoder.decode(&hex("7e 01 78"), NO_LIMIT).unwrap();
        assert_eq!(headers, owned(&[("custom-key", "x")]));
        assert_eq!(table_entries(&decoder), owned(&[("custom-key", "x")]));
    }

    #[test]
    fn an_empty_block_is_an_empty_list() {
        let mut decoder = Decoder::new(DEFAULT_TABLE_SIZE);
        assert_eq!(decoder.decode(&[], NO_LIMIT), Ok(vec![]));
    }
}
