//! Real HTTP: a hyper server on 127.0.0.1 (an ephemeral port, a real socket) that counts the
//! requests in flight, and a `fetch` built on hyper-util's client, handed to the learner's
//! functions exactly as an application would.
//!
//! These tests run in real time — sockets can't run on a paused clock (tokio would fast-forward
//! while the OS is still delivering bytes) — so every check is one-sided or has slack:
//! the bound on requests in flight is counted, not timed; the "reaches the limit" check makes the
//! first requests wait for each other at the server (correct code gets there at once, however busy
//! the machine; sequential code never does); the rate check uses a window shorter than a second.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use probes::gauge::Gauge;
use tokio::net::TcpListener;

/// What one fetch gives back: the status and body, or what went wrong (connect error, timeout).
pub type Fetched = Result<(u16, String), String>;

/// A test server. Routes:
/// - `/page/{id}?ms={n}`: waits n ms, then 200 with body `page {id}`;
/// - `/missing/{id}`: 404 with body `no page {id}`;
/// - `/hang`: answers after a minute (longer than any client timeout here);
/// - `/gate/{id}`: waits until `gate_need` requests are in flight at once (or 5 s passed), then
///   200 with body `gate {id}` — the first wait decides [`Server::gate_reached`].
pub struct Server {
    pub addr: SocketAddr,
    state: Arc<ServerState>,
}

struct ServerState {
    requests: Gauge,
    connections: Gauge,
    gate_need: usize,
    gate_open: AtomicBool,
    gate_reached: AtomicBool,
}

impl Server {
    /// Binds 127.0.0.1:0 and serves in the background on the current tokio runtime.
    pub async fn start(gate_need: usize) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the test server can bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("a bound socket has an address");
        let state = Arc::new(ServerState {
            requests: Gauge::new(),
            connections: Gauge::new(),
            gate_need,
            gate_open: AtomicBool::new(false),
            gate_reached: AtomicBool::new(false),
        });
        let accepting = Arc::clone(&state);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&accepting);
                tokio::spawn(async move {
                    let _open = state.connections.enter();
                    let service = service_fn(move |request| respond(Arc::clone(&state), request));
                    // A client that goes away mid-request is not the server's problem here.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Server { addr, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The most requests that were ever being handled at once.
    pub fn peak_requests(&self) -> usize {
        self.state.requests.peak()
    }

    /// The most connections that were ever open at once (the client pools and reuses them).
    pub fn peak_connections(&self) -> usize {
        self.state.connections.peak()
    }

    /// Whether `gate_need` requests were ever waiting at the gate at once.
    pub fn gate_reached(&self) -> bool {
        self.state.gate_reached.load(Ordering::SeqCst)
    }
}

async fn respond(
    state: Arc<ServerState>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let _in_flight = state.requests.enter();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or("").to_owned();
    let (status, body) = if let Some(id) = path.strip_prefix("/page/") {
        let ms = query
            .strip_prefix("ms=")
            .and_then(|ms| ms.parse().ok())
            .unwrap_or(0);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        (StatusCode::OK, format!("page {id}"))
    } else if let Some(id) = path.strip_prefix("/missing/") {
        (StatusCode::NOT_FOUND, format!("no page {id}"))
    } else if path == "/hang" {
        tokio::time::sleep(Duration::from_secs(60)).await;
        (StatusCode::OK, "too late".to_owned())
    } else if let Some(id) = path.strip_prefix("/gate/") {
        pass_gate(&state).await;
        (StatusCode::OK, format!("gate {id}"))
    } else {
        (StatusCode::BAD_REQUEST, format!("unknown path {path}"))
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    Ok(response)
}

/// Holds the first requests until `gate_need` of them are in flight at once, or 5 s passed; after
/// that the gate stays open. Polls every 2 ms: simple, and the delay it adds is irrelevant here.
async fn pass_gate(state: &ServerState) {
    let give_up = tokio::time::Instant::now() + Duration::from_secs(5);
    while !state.gate_open.load(Ordering::SeqCst) {
        if state.requests.current() >= state.gate_need {
            state.gate_reached.store(true, Ordering::SeqCst);
            state.gate_open.store(true, Ordering::SeqCst);
        } else if tokio::time::Instant::now() >= give_up {
            state.gate_open.store(true, Ordering::SeqCst);
        } else {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
}

/// A url on 127.0.0.1 where nothing listens: a port the OS just handed out and took back.
pub fn refused_url() -> String {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").expect("a socket can bind 127.0.0.1:0");
    let addr = listener
        .local_addr()
        .expect("a bound socket has an address");
    drop(listener);
    format!("http://{addr}/page/refused")
}

/// The `fetch` an application would write: GET the url with hyper-util's client, give up after
/// `timeout`, return the status and body or the error as text.
pub fn http_fetch(
    timeout: Duration,
) -> impl Fn(String) -> std::pin::Pin<Box<dyn std::future::Future<Output = Fetched> + Send>>
       + Send
       + Sync
       + 'static {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    move |url: String| {
        let client = client.clone();
        Box::pin(async move {
            let uri: hyper::Uri = url.parse().map_err(|error| format!("bad url: {error}"))?;
            let get = async {
                let response = client
                    .get(uri)
                    .await
                    .map_err(|error| format!("request failed: {}", with_causes(&error)))?;
                let status = response.status().as_u16();
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .map_err(|error| format!("reading the body failed: {error}"))?
                    .to_bytes();
                Ok((status, String::from_utf8_lossy(&body).into_owned()))
            };
            tokio::time::timeout(timeout, get)
                .await
                .map_err(|_| format!("timed out after {timeout:?}"))?
        })
    }
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

/// A multi-threaded tokio runtime (2 workers), as an application would run; real time.
pub fn runtime() -> tokio::runtime::Runtime {
    probes::clock::real_time_runtime(2).expect("a tokio runtime can be built")
}
