//! The book's links and includes, checked without building it: every chapter in SUMMARY.md
//! exists, every `{{#include}}` names a file that exists (and an anchor that the file defines),
//! and every relative link points at a page of the book (and, with a `#fragment`, at a heading
//! of that page). A link that leaves `book/src` is an error too: mdBook copies only `src/` into
//! the rendered site, so such a link would be broken there.
//!
//! Run alone with `cargo test -p runtime --test book_links`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

fn book_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../book/src")
}

/// Every markdown page under `book/src`, with its text, keyed by its path relative to `src`.
fn pages() -> BTreeMap<PathBuf, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, String>) {
        let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                let text = fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
                let relative = path.strip_prefix(root).expect("under src").to_path_buf();
                out.insert(relative, text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&book_src(), &book_src(), &mut out);
    out
}

/// `a/b/../c` → `a/c`, without touching the file system. `None` if it climbs above the start.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.iter().collect())
}

/// Lines outside fenced code blocks, with their 1-based numbers (links in code are not links).
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut fenced = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            out.push((i + 1, line));
        }
    }
    out
}

/// Relative link targets in markdown: inline `[text](target)` and definitions `[label]: target`.
fn link_targets(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Inline code may hold `](` that is not a link.
    let without_code: String = line
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, s)| s)
        .collect::<Vec<_>>()
        .join(" ");
    let mut rest = without_code.as_str();
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let end = after.find(')').unwrap_or(after.len());
        let target = after[..end].split_whitespace().next().unwrap_or("");
        out.push(target.to_string());
        rest = &after[end..];
    }
    let trimmed = without_code.trim_start();
    if trimmed.starts_with('[') {
        if let Some(colon) = trimmed.find("]: ") {
            let target = trimmed[colon + 3..].split_whitespace().next().unwrap_or("");
            out.push(target.to_string());
        }
    }
    out.retain(|t| !t.is_empty());
    out
}

fn is_external(target: &str) -> bool {
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| target.starts_with(scheme))
}

/// The ids mdBook 0.5 gives a page's headings (explicit `{#id}`, or the text normalised:
/// letters, digits, `_` and `-` kept and lowercased, whitespace turned into `-`, the rest
/// dropped; a repeated id gets `-1`, `-2`…).
fn heading_ids(text: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (_, line) in prose_lines(text) {
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        let heading = heading.trim_start_matches('#');
        if !heading.starts_with(' ') {
            continue;
        }
        let heading = heading.trim();
        if let Some(open) = heading.rfind("{#") {
            if let Some(id) = heading[open + 2..].strip_suffix('}') {
                ids.insert(id.to_string());
                continue;
            }
        }
        // Keep link texts, drop link targets: "[text](url)" → "text".
        let mut plain = String::new();
        let mut rest = heading;
        while let Some(at) = rest.find("](") {
            plain += &rest[..at];
            let after = &rest[at + 2..];
            rest = after.find(')').map_or("", |end| &after[end + 1..]);
        }
        plain += rest;
        let base: String = plain
            .chars()
            .filter_map(|ch| {
                if ch.is_alphanumeric() || ch == '_' || ch == '-' {
                    Some(ch.to_ascii_lowercase())
                } else if ch.is_whitespace() {
                    Some('-')
                } else {
                    None
                }
            })
            .collect();
        let seen = counts.entry(base.clone()).or_default();
        let id = if *seen == 0 {
            base.clone()
        } else {
            format!("{base}-{seen}")
        };
        *seen += 1;
        ids.insert(id);
    }
    ids
}

#[test]
fn every_chapter_in_the_summary_exists() {
    let summary = fs::read_to_string(book_src().join("SUMMARY.md")).expect("book/src/SUMMARY.md");
    let mut problems = Vec::new();
    let mut chapters = 0;
    for (number, line) in prose_lines(&summary) {
        for target in link_targets(line) {
            chapters += 1;
            if !book_src().join(&target).is_file() {
                problems.push(format!("SUMMARY.md:{number}: no chapter file {target}"));
            }
        }
    }
    assert!(chapters >= 10, "SUMMARY.md lists only {chapters} chapters");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_page_is_in_the_summary() {
    let summary = fs::read_to_string(book_src().join("SUMMARY.md")).expect("book/src/SUMMARY.md");
    let listed: BTreeSet<PathBuf> = prose_lines(&summary)
        .into_iter()
        .flat_map(|(_, line)| link_targets(line))
        .map(PathBuf::from)
        .collect();
    let orphans: Vec<_> = pages()
        .into_keys()
        .filter(|page| page != Path::new("SUMMARY.md") && !listed.contains(page))
        .map(|page| page.display().to_string())
        .collect();
    assert!(
        orphans.is_empty(),
        "pages no reader can reach (add them to SUMMARY.md): {orphans:?}"
    );
}

#[test]
fn every_include_names_a_file_and_anchor_that_exist() {
    let mut problems = Vec::new();
    let mut includes = 0;
    for (page, text) in pages() {
        let dir = book_src()
            .join(&page)
            .parent()
            .expect("a page has a folder")
            .to_path_buf();
        for (number, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("{{#") {
                let after = &rest[at + 3..];
                let end = after.find("}}").unwrap_or(after.len());
                rest = &after[end..];
                let directive = after[..end].trim();
                let Some((kind, argument)) = directive.split_once(char::is_whitespace) else {
                    continue;
                };
                if !matches!(kind, "include" | "rustdoc_include" | "playground") {
                    continue;
                }
                includes += 1;
                let argument = argument.split_whitespace().next().unwrap_or("");
                let (file, selector) = match argument.split_once(':') {
                    Some((file, selector)) => (file, Some(selector)),
                    None => (argument, None),
                };
                let at = format!("{}:{}", page.display(), number + 1);
                let path = dir.join(file);
                let Ok(contents) = fs::read_to_string(&path) else {
                    problems.push(format!("{at}: includes {file}, which does not exist"));
                    continue;
                };
                // A selector of digits and colons is a line range; anything else is an anchor.
                let Some(anchor) =
                    selector.filter(|s| !s.chars().all(|c| c.is_ascii_digit() || c == ':'))
                else {
                    continue;
                };
                let defines = |marker: &str| {
                    contents.lines().any(|l| {
                        l.split_once(marker).is_some_and(|(_, name)| {
                            name.trim().trim_end_matches("*/").trim() == anchor
                        })
                    })
                };
                if !defines("ANCHOR:") || !defines("ANCHOR_END:") {
                    problems.push(format!(
                        "{at}: {file} has no `ANCHOR: {anchor}` … `ANCHOR_END: {anchor}` pair"
                    ));
                }
            }
        }
    }
    assert!(
        includes > 0,
        "no {{{{#include}}}} found: is book/src empty?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_relative_link_points_at_a_page_and_heading_of_the_book() {
    let pages = pages();
    let ids: BTreeMap<&PathBuf, BTreeSet<String>> = pages
        .iter()
        .map(|(page, text)| (page, heading_ids(text)))
        .collect();
    let mut problems = Vec::new();
    for (page, text) in &pages {
        if page == Path::new("SUMMARY.md") {
            continue;
        }
        let dir = page.parent().unwrap_or(Path::new(""));
        for (number, line) in prose_lines(text) {
            for target in link_targets(line) {
                if is_external(&target) {
                    continue;
                }
                let at = format!("{}:{number}", page.display());
                let (file, fragment) = match target.split_once('#') {
                    Some((file, fragment)) => (file, Some(fragment)),
                    None => (target.as_str(), None),
                };
                let linked = if file.is_empty() {
                    Some(page.clone())
                } else {
                    normalize(&dir.join(file))
                };
                let Some(linked) = linked else {
                    problems.push(format!(
                        "{at}: {target} leaves book/src (not in the rendered book)"
                    ));
                    continue;
                };
                if linked.extension().is_some_and(|ext| ext == "md") {
                    match ids.get(&linked) {
                        None => {
                            problems.push(format!("{at}: {target}: no page {}", linked.display()))
                        }
                        Some(headings) => {
                            if let Some(fragment) = fragment {
                                if !headings.contains(fragment) {
                                    problems.push(format!(
                                        "{at}: {target}: no heading #{fragment} in {} (has: {})",
                                        linked.display(),
                                        headings.iter().cloned().collect::<Vec<_>>().join(", ")
                                    ));
                                }
                            }
                        }
                    }
                } else if !book_src().join(&linked).exists() {
                    problems.push(format!("{at}: {target}: no file {}", linked.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The chapters a learner reads: SUMMARY.md's entries before "# For instructors", without the
/// unnumbered pages (introduction, glossary).
fn learner_chapters() -> Vec<String> {
    let summary = fs::read_to_string(book_src().join("SUMMARY.md")).expect("book/src/SUMMARY.md");
    let mut chapters = Vec::new();
    for line in summary.lines() {
        if line.starts_with("# For instructors") {
            break;
        }
        if line.trim_start().starts_with("- [") {
            chapters.extend(link_targets(line));
        }
    }
    chapters
}

#[test]
fn every_chapter_ends_at_an_exercise() {
    let mut problems = Vec::new();
    let chapters = learner_chapters();
    assert!(
        chapters.len() >= 10,
        "only {} learner chapters found",
        chapters.len()
    );
    for chapter in chapters {
        let text = fs::read_to_string(book_src().join(&chapter)).expect("a chapter is readable");
        let lines = prose_lines(&text);
        let last_section = lines.iter().rposition(|(_, line)| line.starts_with("## "));
        let Some(start) = last_section else {
            problems.push(format!("{chapter}: no sections"));
            continue;
        };
        if !lines[start].1.starts_with("## Exercise") {
            problems.push(format!(
                "{chapter}: the last section is `{}`, not `## Exercise…`",
                lines[start].1
            ));
        }
        let after = &text[text.find(lines[start].1).unwrap_or(0)..];
        if !after.contains("cargo grade") {
            problems.push(format!(
                "{chapter}: its exercise section gives no `cargo grade` command"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn heading_ids_follow_mdbook() {
    let ids = heading_ids("# The `Runtime` type\n## Go's G, M and P\n## Go's G, M and P\n## Custom {#here}\n```\n# not a heading\n```\n");
    let expected: BTreeSet<String> = [
        "the-runtime-type",
        "gos-g-m-and-p",
        "gos-g-m-and-p-1",
        "here",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(ids, expected);
}
