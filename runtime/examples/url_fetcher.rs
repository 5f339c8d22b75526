//! A concurrent URL fetcher: tokio tasks, at most 3 requests in flight, results in input order.
//! It starts its own web server on 127.0.0.1 (see `local_site/mod.rs`); nothing leaves the machine.
//!
//!     cargo run -p runtime --example url_fetcher -- 100
//!
//! Argument: the server's latency per response, in ms (100).

#[path = "local_site/mod.rs"]
mod local_site;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::{Duration, Instant};

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

// ANCHOR: fetch
/// GETs `url`; returns the status code and the body's length.
async fn fetch(client: &HttpClient, url: &str) -> Result<(u16, usize), String> {
    let uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
    let response = client.get(uri).await.map_err(|e| format!("{url}: {e}"))?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    Ok((status, body.to_bytes().len()))
}
// ANCHOR_END: fetch

// ANCHOR: fetch_all
/// Fetches every url, at most `limit` at once; results in the order of `urls`.
async fn fetch_all(urls: &[String], limit: usize) -> Vec<Result<(u16, usize), String>> {
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let permits = Arc::new(tokio::sync::Semaphore::new(limit));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, url) in urls.iter().cloned().enumerate() {
        let (client, permits) = (client.clone(), permits.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire().await.expect("never closed"); // wait for a slot
            (index, fetch(&client, &url).await)
        }); // the permit is released when the task ends
    }
    let mut results: Vec<_> = (0..urls.len())
        .map(|_| Err("not run".to_string()))
        .collect();
    while let Some(done) = tasks.join_next().await {
        let (index, result) = done.expect("fetch does not panic");
        results[index] = result; // completion order varies; the index puts it back in place
    }
    results
}
// ANCHOR_END: fetch_all

// ANCHOR: main
/// Fetches nine pages of the local site, three at a time, and prints what came back.
async fn fetch_the_site(addr: std::net::SocketAddr) -> Vec<String> {
    let mut urls: Vec<String> = (1..=8).map(|n| format!("http://{addr}/page/{n}")).collect();
    urls.push(format!("http://{addr}/missing"));
    let results = fetch_all(&urls, 3).await;
    for (url, result) in urls.iter().zip(&results) {
        let path = url.trim_start_matches(&format!("http://{addr}"));
        match result {
            Ok((status, bytes)) => println!("{path:<10} {status} {bytes:>4} bytes"),
            Err(e) => println!("{path:<10} error: {e}"),
        }
    }
    urls
}
// ANCHOR_END: main

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let ms: u64 = std::env::args()
        .nth(1)
        .map_or(100, |a| a.parse().expect("MS: a number"));
    let latency = Duration::from_millis(ms);
    let (addr, in_flight) = local_site::serve(latency).await?;
    let clock = Instant::now();
    let urls = fetch_the_site(addr).await;
    let elapsed = clock.elapsed();
    println!(
        "{} urls, at most 3 at once, {ms} ms each: {} ms (one at a time: {} ms)",
        urls.len(),
        elapsed.as_millis(),
        latency.as_millis() * urls.len() as u128
    );
    println!(
        "the server saw at most {} requests at once",
        in_flight.peak()
    );
    Ok(())
}
