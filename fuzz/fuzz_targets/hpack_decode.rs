//! Fuzzes the HPACK decoder, `rwh::h2::hpack::Decoder::decode`: several header blocks in
//! sequence on one decoder (each may change the dynamic table the next one reads), with
//! arbitrary table sizes, list limits and SETTINGS_HEADER_TABLE_SIZE changes between them.
//!
//! Besides "never panics": a decoded list is within its limit; the dynamic table never
//! holds more than its size allows; after an error other than "list too large" the
//! connection would end, so the sequence stops there, as the server does.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rwh::h2::hpack::{Decoder, HpackError};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    /// The decoder's first table size (our SETTINGS_HEADER_TABLE_SIZE), kept small-ish.
    table_size: u16,
    steps: Vec<Step<'a>>,
}

#[derive(Debug, Arbitrary)]
enum Step<'a> {
    /// Decode this block with this list limit.
    Block { block: &'a [u8], max_list_size: u16 },
    /// Our advertised table size changed.
    Resize(u16),
}

fuzz_target!(|input: Input| {
    let mut decoder = Decoder::new(usize::from(input.table_size));
    for step in input.steps {
        match step {
            Step::Resize(n) => decoder.set_max_table_size(usize::from(n)),
            Step::Block {
                block,
                max_list_size,
            } => {
                let limit = usize::from(max_list_size);
                match decoder.decode(block, limit) {
                    Ok(list) => {
                        let size: usize = list.iter().map(|(n, v)| n.len() + v.len() + 32).sum();
                        assert!(size <= limit, "a {size}-octet list over the {limit} limit");
                    }
                    Err(HpackError::HeaderListTooLarge) => {}
                    Err(_) => return,
                }
            }
        }
        let table = decoder.table();
        assert!(table.size() <= table.max_size());
        let counted: usize = table
            .dynamic_entries()
            .map(|(n, v)| n.len() + v.len() + 32)
            .sum();
        assert_eq!(counted, table.size());
    }
});
