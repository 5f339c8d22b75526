//! What the grader knows of the book: its parts (the `# Part` headings of `book/src/SUMMARY.md`,
//! which `list` shows the learning path in) and the sections of a chapter (so a message can link
//! to the section that explains a compiler error). A missing or unreadable book is no error: the
//! grader then shows no parts and no links.

use std::path::{Path, PathBuf};

/// The parts of the book, in order, with the chapter files each holds.
#[derive(Clone, Debug, Default)]
pub struct Parts {
    parts: Vec<(String, Vec<PathBuf>)>,
}

impl Parts {
    /// Reads `<root>/book/src/SUMMARY.md`.
    pub fn load(root: &Path) -> Parts {
        let text = std::fs::read_to_string(root.join("book/src/SUMMARY.md")).unwrap_or_default();
        Parts::parse(&text)
    }

    fn parse(summary: &str) -> Parts {
        let mut parts: Vec<(String, Vec<PathBuf>)> = Vec::new();
        for line in summary.lines() {
            if let Some(title) = line.strip_prefix("# ") {
                // The file's own title ("# Summary") is not a part.
                if title.trim() != "Summary" {
                    parts.push((title.trim().to_owned(), Vec::new()));
                }
            } else if let (Some(open), Some((_, part))) = (line.find("]("), parts.last_mut()) {
                let target = &line[open + 2..];
                if let Some(close) = target.find(')') {
                    part.push(PathBuf::from("book/src").join(&target[..close]));
                }
            }
        }
        Parts { parts }
    }

    /// The title of the part that holds `chapter` (a path like `book/src/races.md`).
    pub fn part_of(&self, chapter: &str) -> Option<&str> {
        let chapter = Path::new(chapter);
        self.parts
            .iter()
            .find(|(_, chapters)| chapters.iter().any(|c| c == chapter))
            .map(|(title, _)| title.as_str())
    }
}

/// The anchor (`#fragment`) of the first section of `chapter` whose text mentions `needle`,
/// as mdBook makes anchors from headings.
pub fn section_mentioning(chapter: &Path, needle: &str) -> Option<String> {
    let text = std::fs::read_to_string(chapter).ok()?;
    let mut heading: Option<&str> = None;
    for line in text.lines() {
        if line.starts_with("## ") || line.starts_with("### ") {
            heading = Some(line.trim_start_matches('#').trim());
        } else if line.contains(needle) {
            return heading.map(anchor);
        }
    }
    None
}

/// mdBook's id for a heading: letters, digits, `_` and `-` kept (lower case), spaces become `-`,
/// everything else dropped.
fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_ascii_lowercase())
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_belong_to_the_part_above_them() {
        let parts = Parts::parse(
            "# Summary\n\n[Introduction](introduction.md)\n\n# Tasks\n\n- [First](first.md)\n\n\
             # Real programs\n\n- [Leaks](leaks.md)\n",
        );
        assert_eq!(parts.part_of("book/src/first.md"), Some("Tasks"));
        assert_eq!(parts.part_of("book/src/leaks.md"), Some("Real programs"));
        assert_eq!(parts.part_of("book/src/introduction.md"), None);
    }

    #[test]
    fn anchors_follow_mdbook() {
        assert_eq!(
            anchor("When the tasks fill one `Vec`"),
            "when-the-tasks-fill-one-vec"
        );
        assert_eq!(anchor("Exercise: loop-capture"), "exercise-loop-capture");
    }
}
