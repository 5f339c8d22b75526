//! What a process printed: its first and last bytes, however much it printed.

use std::collections::VecDeque;

/// The first and last `kept` bytes of a stream, and its total length.
pub struct OutputBuffer {
    kept: usize,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    total: u64,
}

impl OutputBuffer {
    /// Keeps `kept` bytes at each end.
    pub fn new(kept: usize) -> OutputBuffer {
        OutputBuffer {
            kept,
            head: Vec::new(),
            tail: VecDeque::new(),
            total: 0,
        }
    }

    /// Adds `bytes` to the stream.
    pub fn push(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let room = self.kept - self.head.len();
        if room > 0 {
            let take = room.min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        if bytes.len() >= self.kept {
            bytes = &bytes[bytes.len() - self.kept..];
            self.tail.clear();
        }
        self.tail.extend(bytes);
        let excess = self.tail.len().saturating_sub(self.kept);
        self.tail.drain(..excess);
    }

    /// Bytes pushed in all.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The kept bytes as text, with a note of how many were cut between the two ends.
    pub fn text(&self) -> String {
        let head = String::from_utf8_lossy(&self.head);
        let shown = (self.head.len() + self.tail.len()) as u64;
        let tail: Vec<u8> = self.tail.iter().copied().collect();
        let tail = String::from_utf8_lossy(&tail);
        if shown < self.total {
            format!(
                "{head}\n[… {} bytes of output cut …]\n{tail}",
                self.total - shown
            )
        } else {
            format!("{head}{tail}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_buffer_keeps_both_ends() {
        let mut buffer = OutputBuffer::new(4);
        buffer.push(b"abcdefgh");
        buffer.push(b"ijkl");
        assert_eq!(buffer.total(), 12);
        assert_eq!(buffer.text(), "abcd\n[… 4 bytes of output cut …]\nijkl");
    }
}
