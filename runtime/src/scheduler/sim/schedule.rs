//! A recorded schedule as text: what `Runtime::schedule` returns and `Builder::replay` (or
//! `TASKLINGS_REPLAY`) takes back.
//!
//! ```text
//! t1.w2.CAEBAg.5f0c9a1e
//! │  │  │      └ checksum: FNV-1a of everything before it, folded to 32 bits
//! │  │  └ the choices, one per step that had more than one runnable task, each an index into
//! │  │    the runnable list as a base64url VLQ (source maps' digits): 0–31 take one character
//! │  └ the number of workers the run played (replay uses it, so the program sees the same)
//! └ the format's version
//! ```
//!
//! Steps with a single runnable task are implied, so a program that mostly runs one task at a
//! time has a short schedule. The checksum catches a schedule cut short by a terminal or a copy.

use std::fmt::Write as _;

const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const VERSION: &str = "t1";

/// A schedule: the workers played and the choices made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Schedule {
    pub(crate) workers: usize,
    pub(crate) choices: Vec<u32>,
}

impl Schedule {
    /// The text form (module doc).
    pub(crate) fn encode(&self) -> String {
        let mut text = format!("{VERSION}.w{}.", self.workers);
        for &choice in &self.choices {
            push_vlq(&mut text, choice);
        }
        let sum = checksum(&text);
        let _ = write!(text, ".{sum:08x}");
        text
    }

    /// Reads the text form back; the error says what is wrong in words a user can act on.
    pub(crate) fn decode(text: &str) -> Result<Schedule, String> {
        let text = text.trim();
        let (body, sum) = text
            .rsplit_once('.')
            .ok_or_else(|| bad(text, "it has no checksum at the end"))?;
        if format!("{:08x}", checksum(body)) != sum {
            return Err(bad(
                text,
                "its checksum doesn't match (was it cut short when copied?)",
            ));
        }
        let mut parts = body.splitn(3, '.');
        let (version, workers, choices) = (parts.next(), parts.next(), parts.next());
        if version != Some(VERSION) {
            return Err(bad(text, "it doesn't start with `t1.`"));
        }
        let workers = workers
            .and_then(|w| w.strip_prefix('w'))
            .and_then(|w| w.parse::<usize>().ok())
            .filter(|&w| w > 0)
            .ok_or_else(|| bad(text, "its second part isn't `w` and a number of workers"))?;
        let choices = read_vlqs(choices.unwrap_or("")).ok_or_else(|| {
            bad(
                text,
                "its choices contain a character that isn't a letter, digit, - or _",
            )
        })?;
        Ok(Schedule { workers, choices })
    }
}

fn bad(text: &str, why: &str) -> String {
    let shown: String = text.chars().take(40).collect();
    let more = if text.chars().count() > 40 { "…" } else { "" };
    format!(
        "`{shown}{more}` is not a schedule that `Runtime::schedule` printed: {why}. \
         Copy the whole schedule from the failure message (or set TASKLINGS_SEED to run a \
         seed instead)"
    )
}

/// Base64 VLQ: five bits per character, the sixth says "more follows" (least significant
/// group first), as in source maps but without a sign bit.
fn push_vlq(out: &mut String, mut value: u32) {
    loop {
        let digit = value & 31;
        value >>= 5;
        let more = if value > 0 { 32 } else { 0 };
        out.push(DIGITS[(digit | more) as usize] as char);
        if value == 0 {
            return;
        }
    }
}

fn read_vlqs(text: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    let (mut value, mut shift) = (0u32, 0u32);
    for byte in text.bytes() {
        let digit = DIGITS.iter().position(|&d| d == byte)? as u32;
        value |= (digit & 31).checked_shl(shift)?;
        if digit & 32 == 0 {
            out.push(value);
            (value, shift) = (0, 0);
        } else {
            shift += 5;
        }
    }
    (shift == 0).then_some(out)
}

/// FNV-1a (64 bits) folded to 32: a checksum, not a defence against tampering.
fn checksum(text: &str) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash ^ (hash >> 32)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_survives_its_text_form() {
        let schedule = Schedule {
            workers: 3,
            choices: vec![0, 1, 31, 32, 1000, u32::MAX, 5],
        };
        let text = schedule.encode();
        assert!(text.starts_with("t1.w3."), "{text}");
        assert_eq!(Schedule::decode(&text).unwrap(), schedule);
        let empty = Schedule {
            workers: 1,
            choices: vec![],
        };
        assert_eq!(Schedule::decode(&empty.encode()).unwrap(), empty);
    }

    #[test]
    fn a_damaged_schedule_is_refused_with_a_reason() {
        let text = Schedule {
            workers: 2,
            choices: vec![3, 4, 5],
        }
        .encode();
        let cut = format!("{}{}", &text[..8], &text[9..]);
        assert!(Schedule::decode(&cut).unwrap_err().contains("checksum"));
        assert!(Schedule::decode("42")
            .unwrap_err()
            .contains("not a schedule"));
    }
}
