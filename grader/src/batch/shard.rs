//! `--shard K/N`: which students of a class one machine grades.
//!
//! The students are sorted by name (their folder names, compared byte by byte, so every
//! platform and locale sorts them alike) and dealt round-robin: the student at index `i` of the
//! sorted roster belongs to shard `i mod N + 1`. K counts from 1, as `--shard` does in
//! Playwright and Jest; a Kubernetes indexed Job, whose `JOB_COMPLETION_INDEX` counts from 0,
//! passes `$((JOB_COMPLETION_INDEX + 1))/N`.
//!
//! Why the sorted index and not a hash of the name: every shard then holds ⌊n/N⌋ or ⌈n/N⌉
//! students (a hash leaves the slices uneven, and the class waits for the largest), and the
//! assignment is plain to check by hand. The price: a student added to the folder moves the
//! students after them to other shards. That is harmless here, because every shard of one run
//! reads the same folder (the same checkout or artifact), and `batch merge` refuses outputs
//! whose rosters disagree by naming the students missing or graded twice.

use std::fmt;
use std::str::FromStr;

/// One of N equal slices of a class: `index` in 1..=count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    index: usize,
    count: usize,
}

impl Shard {
    /// Shard `index` of `count` (1-based), if that exists.
    pub fn new(index: usize, count: usize) -> Option<Shard> {
        (count >= 1 && (1..=count).contains(&index)).then_some(Shard { index, count })
    }

    /// K, from 1.
    pub fn index(self) -> usize {
        self.index
    }

    /// N.
    pub fn count(self) -> usize {
        self.count
    }

    /// The shard that grades the student at `position` in the name-sorted roster.
    pub fn of(position: usize, count: usize) -> Shard {
        Shard {
            index: position % count.max(1) + 1,
            count: count.max(1),
        }
    }

    /// Whether this shard grades the student at `position` in the name-sorted roster.
    pub fn owns(self, position: usize) -> bool {
        Shard::of(position, self.count) == self
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let parsed = text.split_once('/').and_then(|(k, n)| {
            let (k, n) = (k.trim().parse().ok()?, n.trim().parse().ok()?);
            Shard::new(k, n)
        });
        parsed.ok_or_else(|| {
            format!(
                "`{text}` is not a shard: write K/N with 1 ≤ K ≤ N, e.g. 1/4 for the first of \
                 four (a Kubernetes indexed Job passes $((JOB_COMPLETION_INDEX + 1))/N)"
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_refuse_what_is_not_one() {
        assert_eq!("2/3".parse(), Ok(Shard::new(2, 3).unwrap()));
        assert_eq!(" 1 / 1 ".parse::<Shard>().unwrap().to_string(), "1/1");
        for wrong in ["0/3", "4/3", "1/0", "3", "a/b", "1/2/3", ""] {
            let error = wrong.parse::<Shard>().unwrap_err();
            assert!(error.contains("K/N"), "{wrong}: {error}");
        }
    }

    #[test]
    fn every_student_is_in_exactly_one_shard_and_the_slices_are_even() {
        for students in 0..20 {
            for count in 1..6 {
                let mut sizes = vec![0; count];
                for position in 0..students {
                    let owners: Vec<usize> = (1..=count)
                        .filter(|&k| Shard::new(k, count).unwrap().owns(position))
                        .collect();
                    assert_eq!(
                        owners.len(),
                        1,
                        "student {position} of {students}, N={count}"
                    );
                    sizes[owners[0] - 1] += 1;
                }
                let (min, max) = (sizes.iter().min(), sizes.iter().max());
                assert!(max.unwrap() - min.unwrap() <= 1, "{sizes:?}");
            }
        }
    }
}
