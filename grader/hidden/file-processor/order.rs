//! One result per path, in the order of the paths, each carrying its path exactly as given.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::fixture::{self, Dir, IN_ORDER};
use crate::reference::{self, Rng};

/// Files whose sizes differ a lot, so that they finish out of order, under paths spelled in
/// unusual ways, with duplicates.
pub fn input_order_and_paths_as_given() {
    let dir = Dir::new();
    let mut rng = Rng::new(0x5EED_0003);
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).expect("test setup: can't make a folder");
    let big = reference::soup(&mut rng, 3 << 20, 150);
    let mut contents: Vec<Vec<u8>> = vec![big];
    let mut paths = vec![dir.file("big.bin", &contents[0])];
    for i in 0..10 {
        let content = format!("small file {i}\n").repeat(i + 1).into_bytes();
        paths.push(dir.file(&format!("small-{i}.txt"), &content));
        contents.push(content);
    }
    // Spelled differently, same files: `Path`'s == would call some of these equal, so the check
    // compares the raw OsStr. (`/` separates folders on Windows too.)
    let spelled = |suffix: &OsString| {
        let mut path = dir.path().as_os_str().to_owned();
        path.push(suffix);
        PathBuf::from(path)
    };
    let odd: [(&str, usize); 4] = [
        ("//small-1.txt", 2),
        ("/./small-2.txt", 3),
        ("/sub/../small-3.txt", 4),
        ("/sub/../big.bin", 0),
    ];
    for (suffix, same_as) in odd {
        paths.push(spelled(&OsString::from(suffix)));
        contents.push(contents[same_as].clone());
    }
    // A file name that isn't Unicode.
    let name = spelled(&not_unicode_name());
    std::fs::write(&name, b"not UTF-8 name\n").expect("test setup: can't write a file");
    paths.push(name);
    contents.push(b"not UTF-8 name\n".to_vec());
    // Duplicates: the same path twice gives two results.
    paths.push(paths[5].clone());
    contents.push(contents[5].clone());
    paths.push(paths[0].clone());
    contents.push(contents[0].clone());

    for workers in [4, 1] {
        let results = fixture::run(&paths, workers);
        let problems = results
            .iter()
            .zip(&paths)
            .zip(&contents)
            .enumerate()
            .filter_map(|(i, ((result, path), content))| {
                fixture::problem(
                    result,
                    path,
                    reference::counts(content),
                    &format!("workers = {workers}, result {i}"),
                )
            })
            .collect();
        fixture::assert_no_problems(
            problems,
            &format!(
                "{IN_ORDER} The path in each result is the one given, byte for byte (it may be \
                 a duplicate, not be UTF-8, or contain `.`, `..` or `//`)."
            ),
        );
    }
}

/// `/café.txt` with the é as one Latin-1 byte: not UTF-8, as Unix file names may be.
#[cfg(unix)]
fn not_unicode_name() -> OsString {
    use std::os::unix::ffi::OsStringExt;
    OsString::from_vec(b"/caf\xE9.txt".to_vec())
}

/// `/café.txt`: Windows' file names are UTF-16, where a name that isn't Unicode (an unpaired
/// surrogate) is refused by some file systems; a name outside ASCII is what can go wrong there.
#[cfg(not(unix))]
fn not_unicode_name() -> OsString {
    OsString::from("/caf\u{e9}.txt")
}

/// Deterministic: six named pipes, all open at once, finish last to first.
#[cfg(unix)]
pub fn input_order_whatever_finishes_first() {
    use crate::fifo::{self, Fifos, Release};
    let fifos = Fifos::new(6);
    let served = fifo::serve(&fifos, 6, Release::Reversed);
    let finished_order = "(here pipe 5 finished first, then 4, … pipe 0 last)";
    let problems = served.result_problems(&fifos);
    fixture::assert_no_problems(problems, &format!("{IN_ORDER} {finished_order}"));
}
