//! Fuzzes HPACK both ways: our `Encoder` turns arbitrary header lists into blocks, and a
//! `Decoder` on the other end must get back exactly the same lists, block after block,
//! with the two dynamic tables in step, also across table size changes (SETTINGS).

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rwh::h2::hpack::{Decoder, Encoder};

#[derive(Debug, Arbitrary)]
enum Step {
    /// Encode this list as one block and decode it on the other end.
    List(Vec<(Vec<u8>, Vec<u8>)>),
    /// The decoder's end advertises a new SETTINGS_HEADER_TABLE_SIZE.
    Resize(u16),
    /// Turn Huffman coding on or off.
    Huffman(bool),
}

fuzz_target!(|steps: Vec<Step>| {
    let mut encoder = Encoder::new();
    let mut decoder = Decoder::new(rwh::h2::hpack::DEFAULT_TABLE_SIZE);
    for step in steps {
        match step {
            Step::Resize(n) => {
                // We advertise it, the peer hears it: both sides learn the new limit.
                decoder.set_max_table_size(usize::from(n));
                encoder.set_max_table_size(usize::from(n));
            }
            Step::Huffman(on) => encoder.set_huffman(on),
            Step::List(list) => {
                let mut block = Vec::new();
                let fields = list.iter().map(|(n, v)| (n.as_slice(), v.as_slice()));
                encoder.encode(fields, &mut block);
                let decoded = decoder.decode(&block, usize::MAX);
                assert_eq!(decoded.as_ref(), Ok(&list), "block {block:02x?}");
                let ours: Vec<_> = encoder.table().dynamic_entries().collect();
                let theirs: Vec<_> = decoder.table().dynamic_entries().collect();
                assert_eq!(ours, theirs, "the tables went out of step");
                assert_eq!(encoder.table().max_size(), decoder.table().max_size());
            }
        }
    }
});
