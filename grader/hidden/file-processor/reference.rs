//! What the right answer is: a reference counter written straight from the definition in the exercise's crate docs (`exercises/file-processor/src/lib.rs`),
//! and a seeded generator of file contents, so every failure can be reproduced from its seed.
//!
//! The reference is deliberately written differently from any sensible solution (it splits the
//! whole content at whitespace instead of streaming), so a bug shared by both is unlikely.

/// Whitespace as POSIX `wc` sees it in the C locale (`isspace`): space, \t, \n, \v, \f, \r.
pub const WHITESPACE: [u8; 6] = [b' ', b'\t', b'\n', 0x0B, 0x0C, b'\r'];

/// Counts of one file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub lines: u64,
    pub words: u64,
    pub bytes: u64,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} lines, {} words, {} bytes",
            self.lines, self.words, self.bytes
        )
    }
}

/// `wc` in the C locale: lines are `\n` bytes, words are maximal runs of non-whitespace bytes.
pub fn counts(content: &[u8]) -> Counts {
    Counts {
        lines: content.iter().filter(|&&byte| byte == b'\n').count() as u64,
        words: content
            .split(|byte| WHITESPACE.contains(byte))
            .filter(|word| !word.is_empty())
            .count() as u64,
        bytes: content.len() as u64,
    }
}

/// Seeded, so a failing case names its seed and reproduces exactly.
pub use probes::seeded::Rng;

/// Byte soup: every byte value can occur; whitespace makes up about `space_per_mille / 1000` of
/// the bytes, split evenly among the six whitespace bytes.
pub fn soup(rng: &mut Rng, len: usize, space_per_mille: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            if rng.chance(space_per_mille) {
                WHITESPACE[rng.below(WHITESPACE.len() as u64) as usize]
            } else {
                rng.next_u64() as u8
            }
        })
        .collect()
}

/// Printable ASCII text with every kind of whitespace: here GNU `wc` and POSIX agree.
pub fn printable_text(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut text = Vec::with_capacity(len);
    while text.len() < len {
        let word_len = 1 + rng.below(12) as usize;
        for _ in 0..word_len {
            text.push(b'!' + rng.below(94) as u8); // '!'..='~'
        }
        let separator = match rng.below(20) {
            0..=9 => b" ".as_slice(),
            10..=12 => b"\n",
            13 => b"\t",
            14 => b"\x0B",
            15 => b"\x0C",
            16 => b"\r\n",
            17 => b"  \t ",
            18 => b"\n\n",
            _ => b" \r ",
        };
        text.extend_from_slice(separator);
    }
    text.truncate(len);
    text
}
