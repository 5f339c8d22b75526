//! A concurrent web scraper: follows links breadth-first from one page, each page once, to a
//! depth limit, with at most 4 requests in flight. Starts its own site on 127.0.0.1.
//!
//!     cargo run -p runtime --example web_scraper -- 3
//!
//! Argument: how many links deep to follow (3).

#[path = "local_site/mod.rs"]
mod local_site;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

/// What the scraper learned about one page.
#[derive(Debug)]
enum Page {
    Found { depth: usize, links: usize },
    Broken { depth: usize, status: u16 },
}

// ANCHOR: links
/// The targets of `href="..."` in `html`: a scraper for a site we wrote, not a full HTML parser.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}
// ANCHOR_END: links

/// GETs `url`: its status code and body.
async fn get(client: &HttpClient, url: &str) -> Result<(u16, String), String> {
    let uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
    let response = client.get(uri).await.map_err(|e| format!("{url}: {e}"))?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    Ok((
        status,
        String::from_utf8_lossy(&body.to_bytes()).into_owned(),
    ))
}

// ANCHOR: crawl
async fn crawl(base: &str, start: &str, max_depth: usize, limit: usize) -> BTreeMap<String, Page> {
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let mut seen = HashSet::from([start.to_string()]);
    let mut pages = BTreeMap::new();
    let mut frontier = vec![start.to_string()];
    for depth in 0..=max_depth {
        // Fetch the whole level concurrently, at most `limit` requests at once.
        let mut fetched = Vec::new();
        let mut batch = tokio::task::JoinSet::new();
        let mut queue = frontier.drain(..);
        loop {
            while batch.len() < limit {
                let Some(path) = queue.next() else { break };
                let (client, url) = (client.clone(), format!("{base}{path}"));
                batch.spawn(async move { (path, get(&client, &url).await) });
            }
            match batch.join_next().await {
                Some(done) => fetched.push(done.expect("get does not panic")),
                None => break,
            }
        }
        drop(queue);
        for (path, result) in fetched {
            match result {
                Ok((200, html)) => {
                    let found = links(&html);
                    pages.insert(
                        path,
                        Page::Found {
                            depth,
                            links: found.len(),
                        },
                    );
                    for link in found {
                        if seen.insert(link.clone()) {
                            frontier.push(link); // first time we see it: visit next level
                        }
                    }
                }
                Ok((status, _)) => {
                    pages.insert(path, Page::Broken { depth, status });
                }
                Err(e) => eprintln!("{path}: {e}"),
            }
        }
        frontier.sort(); // a stable visiting order for the next level
    }
    pages
}
// ANCHOR_END: crawl

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let max_depth: usize = std::env::args()
        .nth(1)
        .map_or(3, |a| a.parse().expect("DEPTH: a number"));
    let (addr, in_flight) = local_site::serve(Duration::from_millis(20)).await?;
    let pages = crawl(&format!("http://{addr}"), "/page/1", max_depth, 4).await;
    // Level by level, then in page order (/page/2 before /page/10).
    let depth = |page: &Page| match page {
        Page::Found { depth, .. } | Page::Broken { depth, .. } => *depth,
    };
    let mut listed: Vec<_> = pages.iter().collect();
    listed.sort_by_key(|&(path, page)| (depth(page), path.len(), path));
    for (path, page) in listed {
        match page {
            Page::Found { depth, links } => println!("depth {depth}  {path:<9} {links} links"),
            Page::Broken { depth, status } => println!("depth {depth}  {path:<9} broken: {status}"),
        }
    }
    println!(
        "{} pages; the server never saw more than 4 requests at once: {}",
        pages.len(),
        in_flight.peak() <= 4
    );
    Ok(())
}
