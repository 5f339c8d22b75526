//! Finds what a submission's source would do *while it is compiled* or at the level of symbols
//! — before any sandbox can stop it:
//!
//! * read a file into the program: `include!`, `include_str!`, `include_bytes!` (the hidden
//!   tests' sources sit next to the crate being compiled; the solutions and other students'
//!   folders are on the same disk), or `#[path = "…"] mod m;`, also inside `cfg_attr`;
//! * replace a symbol the harness relies on: `#[no_mangle]` / `#[export_name]` (a learner's
//!   `read` or `write` would see the harness's nonce), `#[link_section]` (code run before
//!   `main`), `#[global_allocator]` (an allocator sees every buffer, the nonce's too).
//!
//! The scan works on tokens, not text: comments and string literals are skipped, so a comment
//! that mentions `include_str!` is fine. A macro can't be named without its identifier
//! appearing somewhere (Rust can't build identifiers from pieces without a procedural macro, and
//! a submission can't add one), so renaming it (`use std::include_str as x;`) is caught where it
//! is imported.

/// One thing the scan found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// 1-based line.
    pub line: usize,
    /// What it is, for the report.
    pub what: String,
}

/// Macros that read files (forbidden by name anywhere: they have no other meaning).
const FILE_MACROS: &[&str] = &["include_str", "include_bytes"];
/// Attributes that act on symbols or the linker.
const SYMBOL_ATTRIBUTES: &[&str] = &[
    "no_mangle",
    "export_name",
    "link_section",
    "global_allocator",
];

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Punct(char),
}

/// Everything forbidden in `source`.
pub fn scan(source: &str) -> Vec<Finding> {
    let tokens = tokenize(source);
    let mut findings = Vec::new();
    let mut in_use = false;
    // Depth of `[` inside an attribute (`#[…]` / `#![…]`), 0 outside.
    let mut attribute_depth = 0usize;
    for (index, (token, line)) in tokens.iter().enumerate() {
        let next = tokens.get(index + 1).map(|(t, _)| t);
        let previous = index
            .checked_sub(1)
            .and_then(|i| tokens.get(i))
            .map(|(t, _)| t);
        match token {
            Token::Punct('[') if attribute_depth > 0 => attribute_depth += 1,
            Token::Punct('[') => {
                let opens_attribute = previous == Some(&Token::Punct('#'))
                    || (previous == Some(&Token::Punct('!'))
                        && index >= 2
                        && tokens[index - 2].0 == Token::Punct('#'));
                if opens_attribute {
                    attribute_depth = 1;
                }
            }
            Token::Punct(']') if attribute_depth > 0 => attribute_depth -= 1,
            Token::Punct(';') => in_use = false,
            Token::Ident(word) => {
                let word = word.as_str();
                if word == "use" {
                    in_use = true;
                }
                let invoked = next == Some(&Token::Punct('!'));
                if FILE_MACROS.contains(&word) || (word == "include" && (invoked || in_use)) {
                    findings.push(Finding {
                        line: *line,
                        what: format!("`{word}!` reads a file at compile time"),
                    });
                } else if attribute_depth > 0 && word == "path" && next == Some(&Token::Punct('='))
                {
                    findings.push(Finding {
                        line: *line,
                        what: "`#[path = …]` takes a module from another file".to_owned(),
                    });
                } else if attribute_depth > 0 && SYMBOL_ATTRIBUTES.contains(&word) {
                    findings.push(Finding {
                        line: *line,
                        what: format!("`#[{word}]` is not allowed"),
                    });
                }
            }
            Token::Punct(_) => {}
        }
    }
    findings
}

/// Identifiers and single punctuation characters, with their lines; comments, string, byte,
/// raw-string and character literals and lifetimes are dropped.
fn tokenize(source: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            '/' if at(i + 1) == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if chars[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            '"' => i = skip_string(&chars, i + 1, &mut line),
            '\'' => {
                // A character literal ('a', '\n', '\u{1F600}') or a lifetime / label ('a).
                if at(i + 1) == '\\' {
                    let mut j = i + 2;
                    while j < chars.len() && chars[j] != '\'' && chars[j] != '\n' {
                        j += 1;
                    }
                    i = j + 1;
                } else if at(i + 2) == '\'' {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                // Prefixed literals: b"…", c"…", r"…", r#"…"#, br#"…"#, cr"…", b'…'.
                let raw = matches!(word.as_str(), "r" | "br" | "cr");
                if raw && (at(i) == '"' || at(i) == '#') {
                    let mut hashes = 0;
                    while at(i) == '#' {
                        hashes += 1;
                        i += 1;
                    }
                    if at(i) == '"' {
                        i = skip_raw_string(&chars, i + 1, hashes, &mut line);
                        continue;
                    }
                    if word == "r" && hashes == 1 {
                        // A raw identifier: r#name is the identifier `name`.
                        let start = i;
                        while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                            i += 1;
                        }
                        let name: String = chars[start..i].iter().collect();
                        tokens.push((Token::Ident(name), line));
                        continue;
                    }
                    continue;
                }
                if matches!(word.as_str(), "b" | "c") && at(i) == '"' {
                    i = skip_string(&chars, i + 1, &mut line);
                    continue;
                }
                if word == "b" && at(i) == '\'' {
                    let mut j = i + 1;
                    if at(j) == '\\' {
                        j += 1;
                    }
                    j += 1;
                    while j < chars.len() && chars[j] != '\'' {
                        j += 1;
                    }
                    i = j + 1;
                    continue;
                }
                tokens.push((Token::Ident(word), line));
            }
            c if c.is_whitespace() => i += 1,
            c => {
                tokens.push((Token::Punct(c), line));
                i += 1;
            }
        }
    }
    tokens
}

/// Past the closing quote of a string whose opening quote is before `i`.
fn skip_string(chars: &[char], mut i: usize, line: &mut usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            '\n' => {
                *line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    i
}

/// Past the closing `"###` of a raw string with `hashes` hashes.
fn skip_raw_string(chars: &[char], mut i: usize, hashes: usize, line: &mut usize) -> usize {
    while i < chars.len() {
        if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
            return i + 1 + hashes;
        }
        if chars[i] == '\n' {
            *line += 1;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(source: &str) -> Vec<usize> {
        scan(source).into_iter().map(|f| f.line).collect()
    }

    #[test]
    fn file_reading_macros_are_found_however_they_are_named() {
        assert_eq!(
            lines("const S: &str = include_str!(\"../hidden/main.rs\");"),
            [1]
        );
        assert_eq!(
            lines("\nconst B: &[u8] = core::include_bytes!(\"/x\");"),
            [2]
        );
        assert_eq!(lines("include!(\"/work/solutions/x/src/lib.rs\");"), [1]);
        assert_eq!(
            lines("use std::include_str as read;\nconst S: &str = read!(\"x\");"),
            [1]
        );
        assert_eq!(lines("use std::{include as inc};"), [1]);
        assert_eq!(lines("const S: &str = r#include_str!(\"x\");"), [1]);
    }

    #[test]
    fn path_attributes_and_symbol_tricks_are_found() {
        assert_eq!(lines("#[path = \"../hidden/main.rs\"]\nmod spy;"), [1]);
        assert_eq!(lines("#[cfg_attr(all(), path = \"x.rs\")]\nmod spy;"), [1]);
        assert_eq!(lines("#[no_mangle]\npub extern \"C\" fn read() {}"), [1]);
        assert_eq!(
            lines("#[unsafe(no_mangle)]\npub extern \"C\" fn write() {}"),
            [1]
        );
        assert_eq!(lines("#[export_name = \"write\"] fn w() {}"), [1]);
        assert_eq!(lines("#[global_allocator]\nstatic A: Spy = Spy;"), [1]);
    }

    #[test]
    fn comments_strings_and_ordinary_names_are_fine() {
        let source = r##"
            // include_str!("../hidden/main.rs") would be cheating
            /* nested /* include!("x") */ #[no_mangle] */
            const HELP: &str = "use include_str!(...) to embed a file";
            const RAW: &str = r#"#[path = "x"] include_bytes!"#;
            let include = true; let path = std::path::Path::new("p");
            #[derive(Debug)] struct S { path: String }
            fn f<'a>(x: &'a str) -> char { let _ = b'"'; '"' }
            let env_var = std::env::var("HOME");
        "##;
        assert_eq!(scan(source), vec![]);
    }
}
