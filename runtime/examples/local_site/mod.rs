//! A small web site served on 127.0.0.1 for the fetcher and scraper examples: every response
//! takes a fixed latency, and the server counts how many requests it handles at once.
//!
//! Not an example itself (cargo only builds `examples/*.rs` and `examples/*/main.rs`); the
//! examples include it with `#[path = "local_site/mod.rs"] mod local_site;`.

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Requests in flight now, and the most seen at once.
#[derive(Default)]
pub struct InFlight {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl InFlight {
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

/// The site: `/page/N` for N in 1..=20 links to its "children" 2N and 2N+1 (a binary tree) and
/// back to `/page/1`; `/page/7` also links to a page that does not exist.
fn page(path: &str) -> Option<String> {
    let n: u32 = path.strip_prefix("/page/")?.parse().ok()?;
    if !(1..=20).contains(&n) {
        return None;
    }
    let mut body = format!("<html><body><h1>Page {n}</h1>\n<a href=\"/page/1\">home</a>\n");
    for child in [2 * n, 2 * n + 1] {
        body += &format!("<a href=\"/page/{child}\">page {child}</a>\n");
    }
    if n == 7 {
        body += "<a href=\"/gone\">a broken link</a>\n";
    }
    body += "</body></html>\n";
    Some(body)
}

/// Starts the server on an ephemeral port of 127.0.0.1 (on the calling tokio runtime).
pub async fn serve(latency: Duration) -> std::io::Result<(SocketAddr, Arc<InFlight>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let in_flight = Arc::new(InFlight::default());
    let stats = in_flight.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let stats = stats.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<Incoming>| {
                    respond(request, latency, stats.clone())
                });
                // A client that hangs up mid-request is not the server's problem.
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((addr, in_flight))
}

async fn respond(
    request: Request<Incoming>,
    latency: Duration,
    stats: Arc<InFlight>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let now = stats.now.fetch_add(1, Ordering::SeqCst) + 1;
    stats.peak.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(latency).await; // the "network" and the "database"
    stats.now.fetch_sub(1, Ordering::SeqCst);
    let response = match page(request.uri().path()) {
        Some(body) => Response::new(Full::new(Bytes::from(body))),
        None => {
            let mut response = Response::new(Full::new(Bytes::from_static(b"not found\n")));
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
    };
    Ok(response)
}
