//! The worked examples of RFC 7541 Appendix C, shared by the decoder and
//! encoder tests: each header list, its encoding, and the dynamic table after
//! decoding it.

use super::HeaderList;

/// A header list as `(name, value)` pairs.
pub type Fields = &'static [(&'static str, &'static str)];

/// One header block of Appendix C.
pub struct Example {
    /// The RFC's section number.
    pub section: &'static str,
    /// The header list to encode.
    pub headers: Fields,
    /// The encoded block, in hex ("Hex dump of encoded data").
    pub hex: &'static str,
    /// The dynamic table after decoding, newest first.
    pub table: Fields,
    /// The dynamic table's size after decoding.
    pub table_size: usize,
}

/// C.2: single representations, each decoded with a fresh table.
pub const C2: [Example; 4] = [
    Example {
        section: "C.2.1",
        headers: &[("custom-key", "custom-header")],
        hex: "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
        table: &[("custom-key", "custom-header")],
        table_size: 55,
    },
    Example {
        section: "C.2.2",
        headers: &[(":path", "/sample/path")],
        hex: "040c 2f73 616d 706c 652f 7061 7468",
        table: &[],
        table_size: 0,
    },
    Example {
        section: "C.2.3",
        headers: &[("password", "secret")],
        hex: "1008 7061 7373 776f 7264 0673 6563 7265 74",
        table: &[],
        table_size: 0,
    },
    Example {
        section: "C.2.4",
        headers: &[(":method", "GET")],
        hex: "82",
        table: &[],
        table_size: 0,
    },
];

const REQUEST_1: Fields = &[
    (":method", "GET"),
    (":scheme", "http"),
    (":path", "/"),
    (":authority", "www.example.com"),
];
const REQUEST_2: Fields = &[
    (":method", "GET"),
    (":scheme", "http"),
    (":path", "/"),
    (":authority", "www.example.com"),
    ("cache-control", "no-cache"),
];
const REQUEST_3: Fields = &[
    (":method", "GET"),
    (":scheme", "https"),
    (":path", "/index.html"),
    (":authority", "www.example.com"),
    ("custom-key", "custom-value"),
];
const REQUEST_TABLE_1: Fields = &[(":authority", "www.example.com")];
const REQUEST_TABLE_2: Fields = &[
    ("cache-control", "no-cache"),
    (":authority", "www.example.com"),
];
const REQUEST_TABLE_3: Fields = &[
    ("custom-key", "custom-value"),
    ("cache-control", "no-cache"),
    (":authority", "www.example.com"),
];

/// C.3: three requests on one connection, without Huffman coding.
pub const C3: [Example; 3] = [
    Example {
        section: "C.3.1",
        headers: REQUEST_1,
        hex: "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        table: REQUEST_TABLE_1,
        table_size: 57,
    },
    Example {
        section: "C.3.2",
        headers: REQUEST_2,
        hex: "8286 84be 5808 6e6f 2d63 6163 6865",
        table: REQUEST_TABLE_2,
        table_size: 110,
    },
    Example {
        section: "C.3.3",
        headers: REQUEST_3,
        hex: "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
        table: REQUEST_TABLE_3,
        table_size: 164,
    },
];

/// C.4: the same requests with Huffman coding.
pub const C4: [Example; 3] = [
    Example {
        section: "C.4.1",
        headers: REQUEST_1,
        hex: "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
        table: REQUEST_TABLE_1,
        table_size: 57,
    },
    Example {
        section: "C.4.2",
        headers: REQUEST_2,
        hex: "8286 84be 5886 a8eb 1064 9cbf",
        table: REQUEST_TABLE_2,
        table_size: 110,
    },
    Example {
        section: "C.4.3",
        headers: REQUEST_3,
        hex: "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
        table: REQUEST_TABLE_3,
        table_size: 164,
    },
];

/// The dynamic table size of the response examples, small enough to evict.
pub const RESPONSE_TABLE_SIZE: usize = 256;

const RESPONSE_1: Fields = &[
    (":status", "302"),
    ("cache-control", "private"),
    ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
    ("location", "https://www.example.com"),
];
const RESPONSE_2: Fields = &[
    (":status", "307"),
    ("cache-control", "private"),
    ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
    ("location", "https://www.example.com"),
];
const RESPONSE_3: Fields = &[
    (":status", "200"),
    ("cache-control", "private"),
    ("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
    ("location", "https://www.example.com"),
    ("content-encoding", "gzip"),
    (
        "set-cookie",
        "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
    ),
];
const RESPONSE_TABLE_1: Fields = &[
    ("location", "https://www.example.com"),
    ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
    ("cache-control", "private"),
    (":status", "302"),
];
const RESPONSE_TABLE_2: Fields = &[
    (":status", "307"),
    ("location", "https://www.example.com"),
    ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
    ("cache-control", "private"),
];
const RESPONSE_TABLE_3: Fields = &[
    (
        "set-cookie",
        "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
    ),
    ("content-encoding", "gzip"),
    ("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
];

/// C.5: three responses on one connection, table size 256, without Huffman coding.
pub const C5: [Example; 3] = [
    Example {
        section: "C.5.1",
        headers: RESPONSE_1,
        hex: "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 \
              2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 \
              6c65 2e63 6f6d",
        table: RESPONSE_TABLE_1,
        table_size: 222,
    },
    Example {
        section: "C.5.2",
        headers: RESPONSE_2,
        hex: "4803 3330 37c1 c0bf",
        table: RESPONSE_TABLE_2,
        table_size: 222,
    },
    Example {
        section: "C.5.3",
        headers: RESPONSE_3,
        hex: "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d \
              54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 \
              5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e \
              3d31",
        table: RESPONSE_TABLE_3,
        table_size: 215,
    },
];

/// C.6: the same responses with Huffman coding.
pub const C6: [Example; 3] = [
    Example {
        section: "C.6.1",
        headers: RESPONSE_1,
        hex: "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 \
              2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
        table: RESPONSE_TABLE_1,
        table_size: 222,
    },
    Example {
        section: "C.6.2",
        headers: RESPONSE_2,
        hex: "4883 640e ffc1 c0bf",
        table: RESPONSE_TABLE_2,
        table_size: 222,
    },
    Example {
        section: "C.6.3",
        headers: RESPONSE_3,
        hex: "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab \
              77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f \
              9587 3160 65c0 03ed 4ee5 b106 3d50 07",
        table: RESPONSE_TABLE_3,
        table_size: 215,
    },
];

/// Parses hex digits, ignoring whitespace.
pub fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// A header list as owned byte strings, the form the decoder returns.
pub fn owned(fields: Fields) -> HeaderList {
    fields
        .iter()
        .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect()
}
