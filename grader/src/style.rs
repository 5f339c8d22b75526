//! Colour for human output, only where it helps: on a terminal, unless `NO_COLOR` is set (or
//! `TERM=dumb`); `CLICOLOR_FORCE=1` forces it on (for piping into `less -R`).

use std::io::IsTerminal;

/// Paints text with ANSI colours, or leaves it plain.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
}

impl Style {
    /// The style for stdout.
    pub fn stdout() -> Style {
        Style::detect(std::io::stdout().is_terminal())
    }

    /// The style for stderr.
    pub fn stderr() -> Style {
        Style::detect(std::io::stderr().is_terminal())
    }

    fn detect(is_terminal: bool) -> Style {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        let color = if set("NO_COLOR") {
            false
        } else if std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
            true
        } else {
            is_terminal && std::env::var("TERM").map_or(true, |term| term != "dumb")
        };
        Style { color }
    }

    /// Plain text, always.
    pub fn plain() -> Style {
        Style { color: false }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn pass(self, text: &str) -> String {
        self.paint("32", text)
    }

    pub fn fail(self, text: &str) -> String {
        self.paint("31", text)
    }

    pub fn warn(self, text: &str) -> String {
        self.paint("33", text)
    }

    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    pub fn hint(self, text: &str) -> String {
        self.paint("36", text)
    }
}
