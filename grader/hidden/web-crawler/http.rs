//! Real HTTP: the site served by hyper servers on 127.0.0.1 — one listening port per host, so the
//! per-host limit is keyed by `127.0.0.1:PORT` — and a `fetch` built on hyper-util's client, as an
//! application would write it.
//!
//! A page's body lists its links, one `link: URL` line each; a redirect is a 302 with a
//! `Location`; a missing page a 404; a hanging page answers after a minute (longer than any
//! timeout here). Urls under `/gate/` are held at the server until `gate_need` requests are being
//! handled at once (or 3 s passed): correct code gets there at once, however busy the machine;
//! code that fetches one at a time never does.
//!
//! These tests run in real time — sockets can't run on a paused clock — so every check is a count
//! or one-sided: requests per url counted at the server, fetches in flight counted at the client
//! (from the first poll of a fetch's future to its end or drop), a rate window of 900 ms.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::LOCATION;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use probes::gauge::{Gauge, GaugeGuard};
use tokio::net::TcpListener;
use web_crawler::Fetched;

use crate::site::{host, Resource, Site};

/// The test site's servers, one per host.
pub struct Servers {
    /// `http://127.0.0.1:PORT` of each server: the hosts to generate the site for.
    pub bases: Vec<String>,
    state: Arc<ServerState>,
}

struct ServerState {
    site: OnceLock<Arc<Site>>,
    /// Requests received per url.
    requests: Mutex<HashMap<String, usize>>,
    handling: Gauge,
    gate_need: usize,
    gate_open: AtomicBool,
    gate_reached: AtomicBool,
}

impl Servers {
    /// Binds `hosts` listeners on 127.0.0.1:0 and serves on the current tokio runtime; requests
    /// get a 503 until [`serve`](Self::serve) gave the site.
    pub async fn start(hosts: usize, gate_need: usize) -> Servers {
        let state = Arc::new(ServerState {
            site: OnceLock::new(),
            requests: Mutex::new(HashMap::new()),
            handling: Gauge::new(),
            gate_need,
            gate_open: AtomicBool::new(false),
            gate_reached: AtomicBool::new(false),
        });
        let mut bases = Vec::new();
        for _ in 0..hosts {
            let listener = TcpListener::bind("127.0.0.1:0")
                .await
                .expect("the test server can bind 127.0.0.1:0");
            let addr = listener
                .local_addr()
                .expect("a bound socket has an address");
            bases.push(format!("http://{addr}"));
            let state = Arc::clone(&state);
            tokio::spawn(accept(listener, addr, state));
        }
        Servers { bases, state }
    }

    /// Serves `site` from now on.
    pub fn serve(&self, site: Arc<Site>) {
        let _ = self.state.site.set(site);
    }

    /// How many requests each url received.
    pub fn requests(&self) -> HashMap<String, usize> {
        lock(&self.state.requests).clone()
    }

    /// Whether `gate_need` requests were ever held at the gate at once.
    pub fn gate_reached(&self) -> bool {
        self.state.gate_reached.load(Ordering::SeqCst)
    }

    /// The most requests the servers ever handled at once.
    pub fn peak_handling(&self) -> usize {
        self.state.handling.peak()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn accept(listener: TcpListener, addr: SocketAddr, state: Arc<ServerState>) {
    while let Ok((stream, _)) = listener.accept().await {
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = service_fn(move |request| respond(Arc::clone(&state), addr, request));
            // A client that goes away mid-request (a timeout, a cancelled crawl) is no error here.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn respond(
    state: Arc<ServerState>,
    addr: SocketAddr,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let _handling = state.handling.enter();
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |path| path.as_str());
    let url = format!("http://{addr}{path}");
    *lock(&state.requests).entry(url.clone()).or_insert(0) += 1;
    let Some(site) = state.site.get() else {
        return Ok(answer(StatusCode::SERVICE_UNAVAILABLE, "not ready".into()));
    };
    if url.contains("/gate/") {
        pass_gate(&state).await;
    }
    let response = match site.resource(&url) {
        Resource::Page { links, latency } => {
            tokio::time::sleep(latency).await;
            let body: String = links.iter().map(|link| format!("link: {link}\n")).collect();
            answer(StatusCode::OK, body)
        }
        Resource::Redirect { to, latency } => {
            tokio::time::sleep(latency).await;
            let mut response = answer(StatusCode::FOUND, String::new());
            if let Ok(location) = to.parse() {
                response.headers_mut().insert(LOCATION, location);
            }
            response
        }
        Resource::Missing { latency } => {
            tokio::time::sleep(latency).await;
            answer(StatusCode::NOT_FOUND, "no such page".into())
        }
        Resource::Hang => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            answer(StatusCode::OK, String::new())
        }
    };
    Ok(response)
}

fn answer(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
}

/// Holds the first gated requests until `gate_need` requests are being handled at once, or 3 s
/// passed; after that the gate stays open. Polls every 2 ms: simple, and the delay is irrelevant.
async fn pass_gate(state: &ServerState) {
    let give_up = tokio::time::Instant::now() + Duration::from_secs(3);
    while !state.gate_open.load(Ordering::SeqCst) {
        if state.handling.current() >= state.gate_need {
            state.gate_reached.store(true, Ordering::SeqCst);
            state.gate_open.store(true, Ordering::SeqCst);
        } else if tokio::time::Instant::now() >= give_up {
            state.gate_open.store(true, Ordering::SeqCst);
        } else {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
}

/// What the client side saw: each fetch's url and start (first poll), and fetches in flight.
#[derive(Clone, Default)]
pub struct ClientLog {
    starts: Arc<Mutex<Vec<(String, Instant)>>>,
    pub in_flight: Gauge,
    /// Fetch futures made and not yet completed or dropped.
    held: Gauge,
}

impl ClientLog {
    /// Start times to `host_name`, as seconds since `origin`, sorted.
    pub fn starts_on(&self, host_name: &str, origin: Instant) -> Vec<Duration> {
        let mut starts: Vec<Duration> = lock(&self.starts)
            .iter()
            .filter(|(url, _)| host(url) == host_name)
            .map(|(_, at)| at.saturating_duration_since(origin))
            .collect();
        starts.sort();
        starts
    }

    /// Fetches that started after `at`.
    pub fn started_after(&self, at: Instant) -> Vec<String> {
        lock(&self.starts)
            .iter()
            .filter(|(_, started)| *started > at)
            .map(|(url, _)| url.clone())
            .collect()
    }

    /// How many fetches started.
    pub fn started(&self) -> usize {
        lock(&self.starts).len()
    }

    /// Fetch futures still held (made by `fetch`, neither completed nor dropped).
    pub fn held(&self) -> usize {
        self.held.current()
    }
}

/// The boxed future of the HTTP fetch.
pub type Page = Pin<Box<dyn Future<Output = Fetched> + Send>>;

/// The `fetch` an application would write: GET the url with hyper-util's client; a 200's body
/// gives the links, a redirect its `Location`, anything else an error (`404 Not Found`).
/// Instrumented on the client side with `log`. No timeout of its own: that is the crawler's.
pub fn http_fetch(log: ClientLog) -> impl Fn(String) -> Page + Send + Sync + 'static {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    move |url: String| {
        let client = client.clone();
        let log = log.clone();
        let held = log.held.enter();
        Box::pin(async move {
            let _held = held;
            let _in_flight: GaugeGuard = log.in_flight.enter();
            lock(&log.starts).push((url.clone(), Instant::now()));
            get(&client, &url).await
        })
    }
}

async fn get(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Empty<Bytes>>,
    url: &str,
) -> Fetched {
    let uri: hyper::Uri = match url.parse() {
        Ok(uri) => uri,
        Err(error) => return Fetched::Error(format!("bad url {url}: {error}")),
    };
    let response = match client.get(uri).await {
        Ok(response) => response,
        Err(error) => return Fetched::Error(format!("request failed: {error}")),
    };
    let status = response.status();
    if status.is_redirection() {
        if let Some(to) = response
            .headers()
            .get(LOCATION)
            .and_then(|location| location.to_str().ok())
        {
            return Fetched::Redirect { to: to.to_owned() };
        }
    }
    if status != StatusCode::OK {
        return Fetched::Error(status.to_string());
    }
    match response.into_body().collect().await {
        Ok(body) => {
            let body = body.to_bytes();
            let text = String::from_utf8_lossy(&body);
            Fetched::Page {
                links: text
                    .lines()
                    .filter_map(|line| line.strip_prefix("link: "))
                    .map(str::to_owned)
                    .collect(),
            }
        }
        Err(error) => Fetched::Error(format!("reading the body failed: {error}")),
    }
}

/// A multi-threaded tokio runtime (2 workers), as an application would run; real time.
pub fn runtime() -> tokio::runtime::Runtime {
    probes::clock::real_time_runtime(2).expect("a tokio runtime can be built")
}
