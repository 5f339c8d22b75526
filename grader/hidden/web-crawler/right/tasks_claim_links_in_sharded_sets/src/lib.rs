// Passes: no coordinator state — each level's tasks claim the links they find themselves, in a known set split into std-Mutex shards (a DashMap-less sharded set), follow their redirects inline, and write each visit straight into a shared report; the per-host limit is a std Mutex of start times, checked after taking a slot (a full host gives the slot back and sleeps until its window opens).
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::stream::{FuturesUnordered, StreamExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::{AbortHandle, JoinHandle};
use tokio::time::Instant;

/// Go's `context.WithCancel`: cancel it (from anywhere, any thread) to stop a crawl. The
/// Tasklings runtime's token is a flag plus wakers, so it works under tokio too:
/// `stop.cancelled().await` completes once `stop.cancel()` was called, `stop.is_cancelled()`
/// reads the flag.
pub use runtime::CancellationToken;

/// What `fetch` found at a url.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// A page, and the urls it links to (absolute; urls are compared as strings), in page order.
    Page { links: Vec<String> },
    /// The page moved: it is at `to` (an HTTP 301, 302, 307 or 308 with a `Location`).
    Redirect { to: String },
    /// No page: a 404, a refused connection, a broken body. The crawl goes on without it.
    Error(String),
    /// No answer within [`Config::fetch_timeout`]: `crawl` records this for a fetch it gave up on
    /// (and dropped). A `fetch` with a timeout of its own may return it too.
    TimedOut,
}

/// The crawl's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// How many links deep to follow: the start url is at depth 0, and a page at depth
    /// `max_depth` is fetched but its links are not.
    pub max_depth: usize,
    /// At most this many fetches in flight at once, over all hosts (0 is treated as 1).
    pub max_concurrent: usize,
    /// At most this many fetches start to one host in any one-second window (0 is treated as 1).
    pub per_host_per_second: u32,
    /// At most this many redirects followed in a row (0: none).
    pub max_redirects: usize,
    /// A fetch that hasn't finished this long after it started is dropped: [`Fetched::TimedOut`].
    pub fetch_timeout: Duration,
    /// The crawl stops this long after it was first polled (`None`: no time limit).
    pub time_limit: Option<Duration>,
}

impl Default for Config {
    /// Depth 3, 8 fetches at once, 10 per host per second, 5 redirects, a 10 s timeout, no time
    /// limit.
    fn default() -> Self {
        Config {
            max_depth: 3,
            max_concurrent: 8,
            per_host_per_second: 10,
            max_redirects: 5,
            fetch_timeout: Duration::from_secs(10),
            time_limit: None,
        }
    }
}

/// What the crawl found at one url it fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// The fewest links from the start url (a redirect's target has its redirect's depth).
    pub depth: usize,
    /// What the fetch gave: as `fetch` returned it, or [`Fetched::TimedOut`].
    pub fetched: Fetched,
}

/// What a crawl did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Every url whose fetch finished (or timed out), with its depth and what it gave. A fetch
    /// still in flight when the crawl stopped is not here.
    pub pages: BTreeMap<String, Visit>,
    /// True when `stop` or the time limit ended the crawl; false when it ran out of work.
    pub stopped: bool,
}

/// The host of `url`, which the per-host limit is keyed by: the text between `://` and the next
/// `/`, `?` or `#` (a port included): `host_of("http://127.0.0.1:8080/a/b")` is
/// `"127.0.0.1:8080"`. A url without `://` is its own host.
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    &rest[..end]
}

/// Crawls from `start` as the crate docs describe. Runs under tokio.
pub async fn crawl<F, Fut>(
    start: String,
    config: Config,
    fetch: F,
    stop: CancellationToken,
) -> Report
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Fetched> + Send + 'static,
{
    let deadline = config.time_limit.map(|limit| Instant::now() + limit);
    let stopped = async {
        match deadline {
            Some(deadline) => tokio::select! {
                () = stop.cancelled() => {}
                () = tokio::time::sleep_until(deadline) => {}
            },
            None => stop.cancelled().await,
        }
    };
    tokio::pin!(stopped);
    if stop.is_cancelled() {
        return Report {
            pages: BTreeMap::new(),
            stopped: true,
        };
    }
    let shared = Arc::new(Shared {
        config: config.clone(),
        known: Known::new(),
        pages: Mutex::new(BTreeMap::new()),
        slots: Arc::new(Semaphore::new(config.max_concurrent.max(1))),
        per_second: usize::try_from(config.per_host_per_second.max(1)).unwrap_or(usize::MAX),
        recent: Mutex::new(HashMap::new()),
    });
    let fetch = Arc::new(fetch);
    shared.known.claim(&start);
    let mut level = vec![start];
    let mut stopped_early = false;
    for depth in 0..=config.max_depth {
        if level.is_empty() {
            break;
        }
        let mut running: FuturesUnordered<JoinHandle<Vec<String>>> = FuturesUnordered::new();
        let mut aborts: Vec<AbortHandle> = Vec::new();
        for url in level.drain(..) {
            let handle = tokio::spawn(visit(url, depth, Arc::clone(&shared), Arc::clone(&fetch)));
            aborts.push(handle.abort_handle());
            running.push(handle);
        }
        let mut next = Vec::new();
        loop {
            tokio::select! {
                biased;
                () = &mut stopped => {
                    stopped_early = true;
                    break;
                }
                joined = running.next() => match joined {
                    Some(Ok(found)) => next.extend(found),
                    Some(Err(error)) => std::panic::resume_unwind(error.into_panic()),
                    None => break,
                },
            }
        }
        if stopped_early {
            // A JoinHandle dropped only detaches its task: abort them, and wait until they are.
            for abort in &aborts {
                abort.abort();
            }
            while let Some(joined) = running.next().await {
                if let Err(error) = joined {
                    if error.is_panic() {
                        std::panic::resume_unwind(error.into_panic());
                    }
                }
            }
            break;
        }
        level = next;
    }
    let pages = std::mem::take(&mut *lock(&shared.pages));
    Report {
        pages,
        stopped: stopped_early,
    }
}

/// What every task shares.
struct Shared {
    config: Config,
    known: Known,
    pages: Mutex<BTreeMap<String, Visit>>,
    slots: Arc<Semaphore>,
    per_second: usize,
    /// Per host, its starts within the last second, oldest first.
    recent: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// The set of known urls, split into shards so tasks claiming different urls rarely wait for
/// each other.
struct Known {
    shards: Vec<Mutex<HashSet<String>>>,
}

impl Known {
    fn new() -> Known {
        Known {
            shards: (0..16).map(|_| Mutex::new(HashSet::new())).collect(),
        }
    }

    /// True for the one caller that saw `url` first.
    fn claim(&self, url: &str) -> bool {
        let mut hasher = DefaultHasher::new();
        url.hash(&mut hasher);
        let shard = usize::try_from(hasher.finish() % self.shards.len() as u64).unwrap_or(0);
        lock(&self.shards[shard]).insert(url.to_owned())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One url of the level, and the redirects it leads to: each fetch's visit goes into the shared
/// report as soon as it is known; returns the new links it claimed for the next level.
async fn visit<F, Fut>(
    first: String,
    depth: usize,
    shared: Arc<Shared>,
    fetch: Arc<F>,
) -> Vec<String>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Fetched> + Send + 'static,
{
    let config = &shared.config;
    let mut url = first;
    let mut hops = 0;
    loop {
        let slot = admit(&shared, host_of(&url)).await;
        let fetched = tokio::time::timeout(config.fetch_timeout, fetch(url.clone()))
            .await
            .unwrap_or(Fetched::TimedOut);
        drop(slot);
        let mut found = Vec::new();
        let mut follow = None;
        match &fetched {
            Fetched::Page { links } if depth < config.max_depth => {
                found.extend(
                    links
                        .iter()
                        .filter(|link| shared.known.claim(link))
                        .cloned(),
                );
            }
            Fetched::Redirect { to } if hops < config.max_redirects && shared.known.claim(to) => {
                follow = Some(to.clone());
            }
            _ => {}
        }
        lock(&shared.pages).insert(url, Visit { depth, fetched });
        match follow {
            Some(to) => {
                url = to;
                hops += 1;
            }
            None => return found,
        }
    }
}

/// Takes a global slot, then checks the host's window under a std lock (never held across an
/// `.await`); if the host is full, gives the slot back and sleeps until its window opens.
async fn admit(shared: &Shared, host: &str) -> OwnedSemaphorePermit {
    loop {
        let slot = Arc::clone(&shared.slots)
            .acquire_owned()
            .await
            .expect("never closed");
        let opens = {
            let now = Instant::now();
            let mut recent = lock(&shared.recent);
            let starts = recent.entry(host.to_owned()).or_default();
            while starts
                .front()
                .is_some_and(|start| *start + Duration::from_secs(1) <= now)
            {
                starts.pop_front();
            }
            if starts.len() < shared.per_second {
                starts.push_back(now);
                None
            } else {
                starts
                    .front()
                    .map(|oldest| *oldest + Duration::from_secs(1))
            }
        };
        match opens {
            None => return slot,
            Some(opens) => {
                drop(slot);
                tokio::time::sleep_until(opens).await;
            }
        }
    }
}
