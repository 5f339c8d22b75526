//! The counts: POSIX `wc` in the C locale, on any bytes.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixture::{self, Dir};
use crate::reference::{self, Rng};

const BYTES_NOT_TEXT: &str = "Read the file as bytes into a fixed `[u8]` buffer (a file need not \
    be UTF-8, so no String, read_to_string or lines()). Count every byte for `bytes`, every `\\n` \
    byte for `lines`, and a word wherever a byte that is not one of space, \\t, \\n, \\v (0x0B), \
    \\f (0x0C), \\r follows one that is (or starts the file): every other byte value, 0x00 and \
    0x80..=0xFF included, belongs to a word.";

pub fn empty_file() {
    let dir = Dir::new();
    let path = dir.file("empty.txt", b"");
    let results = fixture::run(std::slice::from_ref(&path), 2);
    fixture::assert_no_problems(
        fixture::problem(&results[0], &path, reference::counts(b""), "an empty file")
            .into_iter()
            .collect(),
        "An empty file has 0 lines, 0 words and 0 bytes.",
    );
}

pub fn no_paths() {
    let results = fixture::run(&[], 4);
    assert!(results.is_empty(), "no paths must give no results");
    let results = fixture::run(&[], 0);
    assert!(
        results.is_empty(),
        "no paths with workers = 0 must give no results"
    );
}

/// Printable text compared with the real `wc` (C locale), where GNU and POSIX agree.
pub fn printable_text_like_wc() {
    let mut rng = Rng::new(0x5EED_0001);
    let mut contents: Vec<Vec<u8>> = vec![
        b"The quick brown fox\njumps over the lazy dog.\n".to_vec(),
        b"no newline at the end".to_vec(),
        b"  leading and trailing blanks  \n\n\n".to_vec(),
        b"tabs\tand\x0Bvertical\x0Ctabs\r\nand CRLF\r\n".to_vec(),
        b" \t\n\x0B\x0C\r".to_vec(),
    ];
    for len in [1, 80, 4095, 4096, 4097, 65_537, 300_001] {
        contents.push(reference::printable_text(&mut rng, len));
    }
    let dir = Dir::new();
    let paths: Vec<PathBuf> = contents
        .iter()
        .enumerate()
        .map(|(i, content)| dir.file(&format!("text-{i}.txt"), content))
        .collect();
    // Where there is no `wc` (Windows), the reference counter stands in for it: it is checked
    // against POSIX's definition by `counts_any_bytes_like_posix_wc`, so the check still judges.
    let (expected, counter) = match paths.iter().map(|path| wc(path)).collect() {
        Ok(counts) => (counts, "`wc -lwc`"),
        Err(_) => (
            contents
                .iter()
                .map(|c| reference::counts(c))
                .collect::<Vec<_>>(),
            "the reference counter (no `wc` here)",
        ),
    };
    let results = fixture::run(&paths, 3);
    let problems = results
        .iter()
        .zip(&paths)
        .zip(&expected)
        .enumerate()
        .filter_map(|(i, ((result, path), &counts))| {
            fixture::problem(
                result,
                path,
                counts,
                &format!("printable text file {i}, counted by {counter} as {counts}"),
            )
        })
        .collect();
    fixture::assert_no_problems(problems, BYTES_NOT_TEXT);
}

/// What `wc -lwc` (C locale) says of the file at `path`, or why it can't say.
fn wc(path: &Path) -> Result<reference::Counts, String> {
    let output = Command::new("wc")
        .arg("-lwc")
        .arg(path)
        .env("LC_ALL", "C")
        .output()
        .map_err(|error| format!("no `wc` here ({error})"))?;
    if !output.status.success() {
        return Err(format!("`wc` failed here ({})", output.status));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let numbers: Vec<u64> = text
        .split_whitespace()
        .take(3)
        .filter_map(|field| field.parse().ok())
        .collect();
    let [lines, words, bytes] = numbers[..] else {
        panic!("test setup: can't read `wc` output {text:?}")
    };
    Ok(reference::Counts {
        lines,
        words,
        bytes,
    })
}

/// Seeded byte soup with every byte value, at sizes around common buffer sizes.
pub fn any_bytes_like_posix_wc() {
    let seed = 0x5EED_0002;
    let mut rng = Rng::new(seed);
    let mut contents: Vec<Vec<u8>> = Vec::new();
    let mut descriptions = Vec::new();
    // Every byte value once, and every byte value as a word of its own.
    contents.push((0..=255u8).collect());
    descriptions.push("a file holding the 256 byte values 0x00..=0xFF in order".to_string());
    contents.push((0..=255u8).flat_map(|byte| [byte, b' ']).collect());
    descriptions.push("a file holding every byte value, each followed by a space".to_string());
    for (len, space_per_mille) in [
        (1, 500),
        (7, 300),
        (4095, 0),
        (4096, 20),
        (4097, 300),
        (8191, 100),
        (8193, 20),
        (65_535, 300),
        (65_536, 2),
        (65_537, 100),
        (131_075, 20),
        (300_007, 0),
    ] {
        contents.push(reference::soup(&mut rng, len, space_per_mille));
        descriptions.push(format!(
            "a file of {len} random bytes ({space_per_mille}‰ of them forced to whitespace, \
             seed {seed:#x})"
        ));
    }
    fixture::check_contents(&contents, 4, |i| descriptions[i].clone(), BYTES_NOT_TEXT);
}

/// Words that cross every multiple of 512 bytes: whatever the buffer size, some read ends
/// inside a word.
pub fn words_spanning_buffer_reads() {
    let mut contents = Vec::new();
    let mut descriptions = Vec::new();
    let len = (1 << 20) + 17;
    // Separators only at offsets 256 mod 512: every multiple of 512 (4 KiB, 8 KiB, 64 KiB, …)
    // falls in the middle of a 511-byte word.
    for separator in [b' ', b'\n'] {
        let content: Vec<u8> = (0..len)
            .map(|offset| {
                if offset % 512 == 256 {
                    separator
                } else {
                    b'a' + (offset % 26) as u8
                }
            })
            .collect();
        contents.push(content);
        descriptions.push(format!(
            "a file of {len} bytes with a {:?} every 512 bytes, so every multiple of 512 falls \
             inside a word",
            separator as char
        ));
    }
    // One word bigger than any buffer, and one with non-ASCII bytes, surrounded by whitespace.
    contents.push(vec![b'x'; 300_001]);
    descriptions.push("a file that is one single 300001-byte word".to_string());
    let mut content = b"  first\n".to_vec();
    content.extend((0..200_000).map(|i| if i % 3 == 0 { 0xC3 } else { 0xA9 }));
    content.extend_from_slice(b"\r\nlast");
    contents.push(content);
    descriptions.push(
        "a file with a 200000-byte word of non-ASCII bytes between two short words".to_string(),
    );
    fixture::check_contents(
        &contents,
        2,
        |i| descriptions[i].clone(),
        "A word may start in one read of your buffer and end in the next: keep \"am I inside a \
         word?\" in a variable that lives across reads, instead of starting each buffer as if a \
         new word began there.",
    );
}

/// The whitespace bytes one by one, and the files with nothing but whitespace.
pub fn whitespace_edge_cases() {
    let cases: [(&[u8], &str); 10] = [
        (b"   \t\n\x0B\x0C\r  ", "only whitespace"),
        (b"\n\n\n", "only newlines"),
        (
            b"no trailing newline",
            "three words and no trailing newline",
        ),
        (
            b"a\x0Bb\x0Cc\rd\te f\n",
            "words separated by \\v, \\f, \\r, \\t, space",
        ),
        (
            b"word\x0Bword",
            "two words separated by a vertical tab \\v (0x0B)",
        ),
        (b"\x0B", "a single vertical tab"),
        (b"CRLF\r\nline two\r\n", "CRLF line ends"),
        (b"x", "a single byte"),
        (
            "a\u{85}b c\u{a0}d e\u{2003}f g\u{3000}h".as_bytes(),
            "UTF-8 text with Unicode spaces (U+0085, U+00A0, U+2003, U+3000), which are not \
             whitespace in the C locale",
        ),
        (
            b"\x00 \x00\x00 \x7F\x80 \xFF",
            "words of control and high bytes",
        ),
    ];
    let contents: Vec<Vec<u8>> = cases.iter().map(|(bytes, _)| bytes.to_vec()).collect();
    fixture::check_contents(
        &contents,
        3,
        |i| {
            format!(
                "a file with {} ({:?})",
                cases[i].1,
                String::from_utf8_lossy(cases[i].0)
            )
        },
        "Whitespace is exactly space, \\t, \\n, \\v (0x0B), \\f (0x0C) and \\r. Careful: \
         u8::is_ascii_whitespace leaves out \\v, and char::is_whitespace adds Unicode spaces \
         that the C locale doesn't know.",
    );
}

/// `bytes` is bytes, not characters; text need not be UTF-8.
pub fn bytes_not_characters() {
    let contents: Vec<Vec<u8>> = vec![
        "caf\u{e9} na\u{ef}ve \u{65e5}\u{672c}\u{8a9e} \u{1F980}\n"
            .as_bytes()
            .to_vec(),
        b"Latin-1, not UTF-8: caf\xE9\n".to_vec(),
        b"\xFF\xFE\xFD broken \xC3 sequence \xE2\x82\n".to_vec(),
        "\u{feff}byte order mark".as_bytes().to_vec(),
    ];
    let descriptions = [
        "UTF-8 text with 2-, 3- and 4-byte characters",
        "Latin-1 text (not valid UTF-8)",
        "a file with invalid UTF-8 sequences",
        "UTF-8 text starting with a byte order mark",
    ];
    fixture::check_contents(
        &contents,
        2,
        |i| descriptions[i].to_string(),
        "`bytes` is the file's length in bytes: \"é\" is 2 bytes, \"日\" is 3. And a file that \
         isn't valid UTF-8 is still a file to count, not an error: read bytes, not a String.",
    );
}
