//! HPACK (RFC 7541): how HTTP/2 compresses header fields.
//!
//! Both ends of a connection keep the same table of recently sent fields. A
//! field already in the table is sent as a small index number; a new one is
//! sent as a literal and can be added to the table for next time. Strings can
//! also be shortened with a fixed Huffman code. A table lives only as long as
//! its connection, and each direction has its own.
//!
//! | file | what it holds |
//! |---|---|
//! | [`table`] | the static table (Appendix A) and the dynamic table (§2.3, §4) |
//! | [`huffman`] | the Huffman code (§5.2, Appendix B) |
//! | [`decoder`] | reading a header block: integers and strings (§5), representations (§6) |
//! | [`encoder`] | writing a header block, and choosing what to index |
//!
//! HPACK only turns header blocks into lists of `(name, value)` byte strings
//! and back; checking that the fields are valid HTTP/2 (lowercase names,
//! pseudo-header rules) is the job of the layer above.

pub mod decoder;
pub mod encoder;
pub mod huffman;
pub mod table;

#[cfg(test)]
mod appendix_c;

pub use decoder::Decoder;
pub use encoder::Encoder;
pub use table::DEFAULT_TABLE_SIZE;

use std::fmt;

/// A decoded header list: `(name, value)` pairs in the order they were sent.
pub type HeaderList = Vec<(Vec<u8>, Vec<u8>)>;

/// Why a header block could not be decoded.
///
/// Every variant but [`HpackError::HeaderListTooLarge`] means the two ends'
/// tables may no longer agree, so the connection cannot go on: HTTP/2 answers
/// with a connection error of type COMPRESSION_ERROR (RFC 9113 §4.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HpackError {
    /// The block ends in the middle of an integer, a string or a representation.
    Truncated,
    /// An integer is too large for this machine, or has too many continuation octets (§5.1).
    IntegerOverflow,
    /// An index that is 0 where 0 is not allowed, or past the end of the tables (§2.3.3).
    BadIndex(usize),
    /// A Huffman string holds the EOS symbol, or its padding is over 7 bits or not all ones (§5.2).
    BadHuffman,
    /// A dynamic table size update asks for more than the limit we advertised (§6.3).
    TableSizeOverLimit,
    /// A dynamic table size update comes after a header field in the block (§4.2).
    TableSizeUpdateNotFirst,
    /// More than two dynamic table size updates start the block (§4.2).
    TooManyTableSizeUpdates,
    /// We lowered our limit below the table's size, and the block does not start
    /// with the size update that must follow such a change (§4.2).
    TableSizeUpdateMissing,
    /// The decoded list is larger than the caller's limit (RFC 9113 §6.5.2).
    ///
    /// Not a compression error: the whole block was still decoded, so the
    /// table is in step with the peer and the connection can go on. The caller
    /// refuses the one request (for example with status 431, or by resetting
    /// the stream).
    HeaderListTooLarge,
}

impl fmt::Display for HpackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HpackError::Truncated => f.write_str("header block ends too early"),
            HpackError::IntegerOverflow => f.write_str("integer too large"),
            HpackError::BadIndex(index) => write!(f, "no table entry at index {index}"),
            HpackError::BadHuffman => f.write_str("invalid Huffman string"),
            HpackError::TableSizeOverLimit => f.write_str("table size update over the limit"),
            HpackError::TableSizeUpdateNotFirst => {
                f.write_str("table size update after a header field")
            }
            HpackError::TooManyTableSizeUpdates => f.write_str("more than two table size updates"),
            HpackError::TableSizeUpdateMissing => f.write_str("expected a table size update"),
            HpackError::HeaderListTooLarge => f.write_str("header list too large"),
        }
    }
}

impl std::error::Error for HpackError {}
