//! The tutorial's scraper, on your `fetch_all_rate_limited`: fetch every url given on the command
//! line, a few at a time and no faster than the rate allows, and print one line per url, in the
//! order given — status, size, the page's `<title>` — or what went wrong.
//!
//! ```text
//! cargo run -p rate-limited-caller --example scraper -- [--max-concurrent N] [--per-second N] URL…
//! ```
//!
//! Plain `http://` only (the client is built without TLS). Something to point it at:
//! `python3 -m http.server 8000` in any folder, then
//! `cargo run -p rate-limited-caller --example scraper -- http://127.0.0.1:8000/ http://127.0.0.1:8000/nope`.
//!
//! It panics at `todo!()` until you have written `fetch_all_rate_limited`.

use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rate_limited_caller::fetch_all_rate_limited;

/// What the scraper learns about one page.
struct Page {
    status: u16,
    bytes: usize,
    title: Option<String>,
    took: Duration,
}

#[tokio::main]
async fn main() {
    let (max_concurrent, per_second, urls) = match parse_args(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(problem) => {
            eprintln!("{problem}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let fetch = move |url: String| {
        let client = client.clone();
        async move { scrape(&client, &url).await }
    };

    let started = Instant::now();
    let pages = fetch_all_rate_limited(urls.clone(), max_concurrent, per_second, fetch).await;
    for (url, page) in urls.iter().zip(pages) {
        match page {
            Ok(page) => println!(
                "{} {:>8} bytes {:>6} ms  {url}  {}",
                page.status,
                page.bytes,
                page.took.as_millis(),
                page.title.as_deref().unwrap_or("(no title)")
            ),
            Err(problem) => println!("ERR                         {url}  {problem}"),
        }
    }
    println!(
        "{} urls in {:.2} s (at most {max_concurrent} at once, {per_second} per second)",
        urls.len(),
        started.elapsed().as_secs_f64()
    );
}

/// GETs `url` (giving up after 10 s) and reads the whole body.
async fn scrape(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Empty<Bytes>>,
    url: &str,
) -> Result<Page, String> {
    let started = Instant::now();
    let uri: hyper::Uri = url.parse().map_err(|error| format!("bad url: {error}"))?;
    let get = async {
        let response = client.get(uri).await.map_err(|error| with_causes(&error))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|error| format!("reading the body: {error}"))?
            .to_bytes();
        Ok(Page {
            status,
            bytes: body.len(),
            title: title_of(&String::from_utf8_lossy(&body)),
            took: started.elapsed(),
        })
    };
    tokio::time::timeout(Duration::from_secs(10), get)
        .await
        .map_err(|_| "timed out after 10 s".to_owned())?
}

/// The error and its causes: hyper-util says "client error (Connect)", the causes say why.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text += &format!(": {inner}");
        cause = inner.source();
    }
    text
}

/// The text of the first `<title>…</title>`, if any.
fn title_of(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title>")?;
    Some(
        html[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

const USAGE: &str =
    "usage: scraper [--max-concurrent N (default 4)] [--per-second N (default 2)] URL…";

fn parse_args(args: impl Iterator<Item = String>) -> Result<(usize, u32, Vec<String>), String> {
    let mut max_concurrent = 4;
    let mut per_second = 2;
    let mut urls = Vec::new();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--max-concurrent" | "--per-second" => {
                let value = args.next().ok_or_else(|| format!("{arg} needs a number"))?;
                let number: u32 = value
                    .parse()
                    .map_err(|_| format!("{arg} needs a number, got {value:?}"))?;
                if arg == "--max-concurrent" {
                    max_concurrent = number as usize;
                } else {
                    per_second = number;
                }
            }
            "-h" | "--help" => return Err("scrapes pages the way Go's tutorial does".to_owned()),
            _ => urls.push(arg),
        }
    }
    if urls.is_empty() {
        return Err("no urls given".to_owned());
    }
    Ok((max_concurrent, per_second, urls))
}
