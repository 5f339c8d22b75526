//! "Did you mean …?": the closest known name to a mistyped one.

/// The candidate closest to `typed`, if one is close enough to be a plausible typo (or contains,
/// or is contained in, what was typed: `sum` → `parallel-sum`).
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed_lower = typed.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            let distance = strsim::damerau_levenshtein(&typed_lower, &candidate.to_lowercase());
            let related =
                candidate.contains(typed_lower.as_str()) || typed_lower.contains(candidate);
            // Containment wins over edit distance; among equals, the smaller distance.
            let rank = if related { 0 } else { distance };
            (rank, distance, candidate)
        })
        .filter(|(rank, _, candidate)| *rank <= (candidate.len().max(typed.len()) / 3).max(2))
        .min_by_key(|(rank, distance, _)| (*rank, *distance))
        .map(|(_, _, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;

    const SLUGS: [&str; 3] = ["parallel-sum", "file-processor", "counter-races"];

    #[test]
    fn a_typo_finds_its_slug() {
        assert_eq!(closest("paralel-sum", SLUGS), Some("parallel-sum"));
        assert_eq!(closest("counter-race", SLUGS), Some("counter-races"));
    }

    #[test]
    fn a_part_of_a_slug_finds_it() {
        assert_eq!(closest("processor", SLUGS), Some("file-processor"));
    }

    #[test]
    fn something_unrelated_finds_nothing() {
        assert_eq!(closest("quantum-teleport", SLUGS), None);
    }
}
