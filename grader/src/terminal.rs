//! The terminal on each system: single key presses for `watch`, and ANSI colours on Windows.
//!
//! `watch` reads keys from stdin one byte at a time: the terminal must hand them over without
//! waiting for Enter and without echoing them ([`KeyPresses`]). Ctrl-C keeps working (it still
//! interrupts; only line editing and echo are off). Windows consoles interpret the ANSI colour
//! codes `style` writes once virtual-terminal processing is on ([`enable_colours`]); Windows
//! Terminal has it on already.

use std::io::IsTerminal;

/// Key presses without Enter and without echo while this lives (when stdin is a terminal);
/// the old settings come back when it is dropped — on quit, on Ctrl-C, and on errors.
pub struct KeyPresses {
    saved: Option<system::Mode>,
}

impl KeyPresses {
    /// Switches stdin to key presses, if it is a terminal.
    pub fn enter() -> KeyPresses {
        if !std::io::stdin().is_terminal() {
            return KeyPresses { saved: None };
        }
        KeyPresses {
            saved: system::key_presses(),
        }
    }
}

impl Drop for KeyPresses {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            system::restore(saved);
        }
    }
}

/// Lets a Windows console show ANSI colours; nothing to do elsewhere.
pub fn enable_colours() {
    #[cfg(windows)]
    system::enable_virtual_terminal();
}

#[cfg(unix)]
mod system {
    /// The terminal's settings before `watch` changed them.
    pub type Mode = libc::termios;

    /// Turns off line editing (ICANON) and echo on stdin; returns the old settings.
    pub fn key_presses() -> Option<Mode> {
        // SAFETY: tcgetattr fills a termios struct that we own, for stdin, a terminal.
        let saved = unsafe {
            let mut settings: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut settings) != 0 {
                return None;
            }
            settings
        };
        let mut raw = saved;
        raw.c_lflag &= !(libc::ICANON | libc::ECHO);
        raw.c_cc[libc::VMIN] = 1;
        raw.c_cc[libc::VTIME] = 0;
        // SAFETY: sets stdin's terminal attributes from a fully initialised termios.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &raw);
        }
        Some(saved)
    }

    pub fn restore(saved: &Mode) {
        // SAFETY: restores the attributes read in `key_presses`.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
        }
    }
}

#[cfg(windows)]
mod system {
    use windows_sys::Win32::System::Console::{
        GetConsoleMode, GetStdHandle, SetConsoleMode, CONSOLE_MODE, ENABLE_ECHO_INPUT,
        ENABLE_LINE_INPUT, ENABLE_VIRTUAL_TERMINAL_PROCESSING, STD_INPUT_HANDLE, STD_OUTPUT_HANDLE,
    };

    /// The console's input mode before `watch` changed it.
    pub type Mode = CONSOLE_MODE;

    /// Turns off line input and echo on the console's input; returns the old mode.
    pub fn key_presses() -> Option<Mode> {
        let mut mode: CONSOLE_MODE = 0;
        // SAFETY: reads and sets the mode of this process's standard input console handle.
        unsafe {
            let input = GetStdHandle(STD_INPUT_HANDLE);
            if GetConsoleMode(input, &mut mode) == 0 {
                return None;
            }
            SetConsoleMode(input, mode & !(ENABLE_LINE_INPUT | ENABLE_ECHO_INPUT));
        }
        Some(mode)
    }

    pub fn restore(saved: &Mode) {
        // SAFETY: restores the mode read in `key_presses` on the same handle.
        unsafe {
            SetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), *saved);
        }
    }

    /// ANSI escape codes on the console's output (Windows 10 and later).
    pub fn enable_virtual_terminal() {
        let mut mode: CONSOLE_MODE = 0;
        // SAFETY: reads and sets the mode of this process's standard output console handle;
        // fails harmlessly when stdout is not a console.
        unsafe {
            let output = GetStdHandle(STD_OUTPUT_HANDLE);
            if GetConsoleMode(output, &mut mode) != 0 {
                SetConsoleMode(output, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
            }
        }
    }
}
