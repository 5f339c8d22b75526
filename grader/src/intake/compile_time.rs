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
    /// Where the lexer gave up.
    Unreadable,
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
            Token::Unreadable => findings.push(Finding {
                line: *line,
                what: "the grader can't read this file's tokens (an unclosed string, comment or \
                       bracket?); fix it so that it compiles"
                    .to_owned(),
            }),
        }
    }
    findings
}

/// Identifiers and single punctuation characters, with their lines, as Rust's lexer sees them
/// (`proc-macro2`, the lexer of Rust's procedural macros): comments and literals are dropped,
/// a group's delimiters become `[`/`]`, `(`/`)`, `{`/`}` around its tokens, and a raw identifier
/// `r#name` is `name`. Source the lexer can't read (which rustc would reject too) yields one
/// `Unreadable` token at its line.
fn tokenize(source: &str) -> Vec<(Token, usize)> {
    let mut tokens = Vec::new();
    match source.parse::<proc_macro2::TokenStream>() {
        Ok(stream) => flatten(stream, &mut tokens),
        Err(error) => tokens.push((Token::Unreadable, error.span().start().line)),
    }
    tokens
}

fn flatten(stream: proc_macro2::TokenStream, tokens: &mut Vec<(Token, usize)>) {
    use proc_macro2::{Delimiter, TokenTree};
    for tree in stream {
        let line = tree.span().start().line;
        match tree {
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                let name = name.strip_prefix("r#").unwrap_or(&name).to_owned();
                tokens.push((Token::Ident(name), line));
            }
            TokenTree::Punct(punct) => tokens.push((Token::Punct(punct.as_char()), line)),
            TokenTree::Literal(_) => {}
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Bracket => (Some('['), Some(']')),
                    Delimiter::Parenthesis => (Some('('), Some(')')),
                    Delimiter::Brace => (Some('{'), Some('}')),
                    Delimiter::None => (None, None),
                };
                let end = group.span_close().start().line;
                tokens.extend(open.map(|c| (Token::Punct(c), line)));
                flatten(group.stream(), tokens);
                tokens.extend(close.map(|c| (Token::Punct(c), end)));
            }
        }
    }
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

    #[test]
    fn unreadable_source_is_named_not_skipped() {
        let found = scan("fn f() {\n let s = \"never closed;\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].what.contains("can't read"), "{found:?}");
    }
}
