//! Stop at the first error by returning: the calls still running are dropped on the way out, so
//! they are gone — their drop code has run — before the caller sees the error.
//!
//!     cargo run -p runtime --example first_error
//!
//! Everything runs inside one future (a `FuturesUnordered`), so the order of the lines is the
//! same on every run.

use futures::stream::{FuturesUnordered, StreamExt};

/// Stands for what a download holds while it runs: a connection, a temporary file.
struct Connection(&'static str);

impl Drop for Connection {
    fn drop(&mut self) {
        println!("  {}: connection closed", self.0);
    }
}

/// A download that fails at once when `missing`, and otherwise is still going (never ends).
async fn download(name: &'static str, missing: bool) -> Result<String, String> {
    let _connection = Connection(name);
    println!("  {name}: started");
    runtime::yield_now().await;
    if missing {
        return Err(format!("{name}: 404 Not Found"));
    }
    std::future::pending::<()>().await; // a big file, still downloading
    Ok(format!("contents of {name}"))
}

// ANCHOR: first_error
async fn download_all(files: &[(&'static str, bool)]) -> Result<Vec<String>, String> {
    let mut running: FuturesUnordered<_> = files
        .iter()
        .map(|&(name, missing)| download(name, missing))
        .collect();
    let mut contents = Vec::new();
    while let Some(result) = running.next().await {
        match result {
            Ok(text) => contents.push(text),
            // Returning drops `running`, and with it every download still in it.
            Err(error) => return Err(error),
        }
    }
    Ok(contents)
}
// ANCHOR_END: first_error

fn main() {
    runtime::run(async {
        let files = [("a.iso", false), ("b.iso", false), ("c.txt", true)];
        let result = download_all(&files).await;
        println!("download_all returned {result:?}");
    });
}
