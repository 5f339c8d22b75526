// Must fail stops_when_cancelled: the stop is checked only between levels, so a cancellation in the middle of a level lets the rest of that level start and finish before crawl returns.
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, OwnedSemaphorePermit, Semaphore};
use tokio::task::{JoinError, JoinSet};
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

/// Crawls from `start` as the crate docs describe: each url at most once, to `config.max_depth`
/// links deep, redirects followed (at most `config.max_redirects` in a row, never to a known url),
/// errors and timeouts recorded, at most `config.max_concurrent` fetches in flight and at most
/// `config.per_host_per_second` starts per host in any one-second window, until the work runs out,
/// `stop` is cancelled or `config.time_limit` passes — whichever comes first. Runs under tokio.
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
    let mut report = Report::default();
    // The time limit counts from the first poll: now.
    let deadline = config.time_limit.map(|limit| Instant::now() + limit);
    if stop.is_cancelled() {
        report.stopped = true;
        return report;
    }

    let limits = Arc::new(Limits::new(
        config.max_concurrent,
        config.per_host_per_second,
    ));
    let fetch = Arc::new(fetch);
    // Each task owns clones of what it uses (no borrow of this function's locals), so it is
    // 'static and can be spawned.
    let spawn = |tasks: &mut JoinSet<(Job, Fetched)>, job: Job| {
        tasks.spawn(visit(
            job,
            Arc::clone(&limits),
            Arc::clone(&fetch),
            config.fetch_timeout,
        ));
    };

    let mut known = HashSet::from([start.clone()]);
    let mut level = vec![Job {
        url: start,
        hops: 0,
    }];
    for depth in 0..=config.max_depth {
        if level.is_empty() {
            break;
        }
        // Stopped? Check before each level.
        if stop.is_cancelled() || deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            report.stopped = true;
            return report;
        }
        let mut tasks = JoinSet::new();
        for job in level.drain(..) {
            spawn(&mut tasks, job);
        }
        let mut next = Vec::new();
        loop {
            let joined = tasks.join_next().await;
            let Some(joined) = joined else {
                break; // the level is done
            };
            let (job, fetched) = joined.unwrap_or_else(pass_on_panic);
            match &fetched {
                Fetched::Page { links } if depth < config.max_depth => {
                    for link in links {
                        // Claimed at first sight: a later link to it does nothing.
                        if known.insert(link.clone()) {
                            next.push(Job {
                                url: link.clone(),
                                hops: 0,
                            });
                        }
                    }
                }
                Fetched::Redirect { to }
                    if job.hops < config.max_redirects && known.insert(to.clone()) =>
                {
                    // Same depth: the redirect's target joins the level being crawled.
                    spawn(
                        &mut tasks,
                        Job {
                            url: to.clone(),
                            hops: job.hops + 1,
                        },
                    );
                }
                _ => {}
            }
            report.pages.insert(job.url, Visit { depth, fetched });
        }
        level = next;
    }
    report
}

/// One url to fetch, and how many redirects in a row led to it.
struct Job {
    url: String,
    hops: usize,
}

/// A task's whole life: wait for a turn, fetch (giving up after `timeout`), hand back the result.
async fn visit<F, Fut>(
    job: Job,
    limits: Arc<Limits>,
    fetch: Arc<F>,
    timeout: Duration,
) -> (Job, Fetched)
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Fetched> + Send + 'static,
{
    let slot = limits.admit(host_of(&job.url)).await;
    // `timeout` drops the fetch's future when time is up: the request is abandoned, not leaked.
    let fetched = tokio::time::timeout(timeout, fetch(job.url.clone()))
        .await
        .unwrap_or(Fetched::TimedOut);
    drop(slot);
    (job, fetched)
}

/// On stop: abort every task of the level, and keep the results of those that had finished.
#[allow(dead_code)]
async fn collect_finished(mut tasks: JoinSet<(Job, Fetched)>, depth: usize, report: &mut Report) {
    tasks.abort_all();
    // Aborted tasks end at their next `.await` without polling their fetch again; waiting for
    // them here means none is left running when `crawl` returns.
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((job, fetched)) => {
                report.pages.insert(job.url, Visit { depth, fetched });
            }
            Err(error) if error.is_cancelled() => {}
            Err(error) => pass_on_panic(error),
        }
    }
}

/// A task only fails by panicking inside `fetch` (we abort tasks only on the way out): pass the
/// panic on to our caller, as if `fetch` had been called directly.
fn pass_on_panic<T>(error: JoinError) -> T {
    std::panic::resume_unwind(error.into_panic())
}

/// The global slots and each host's window of recent starts.
struct Limits {
    slots: Arc<Semaphore>,
    per_second: usize,
    /// Per host, when its last (at most `per_second`) fetches started, oldest first. The async
    /// lock around each window is held while waiting — for the window, then for a slot — so a
    /// host admits one fetch at a time; the outer `std` lock is only held to find the window.
    hosts: Mutex<HashMap<String, Arc<AsyncMutex<VecDeque<Instant>>>>>,
}

impl Limits {
    const WINDOW: Duration = Duration::from_secs(1);

    fn new(max_concurrent: usize, per_second: u32) -> Limits {
        Limits {
            slots: Arc::new(Semaphore::new(max_concurrent.max(1))),
            per_second: usize::try_from(per_second.max(1)).unwrap_or(usize::MAX),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until `host`'s window allows one more start and a global slot is free, records the
    /// start, and returns the slot (dropping it frees the slot).
    ///
    /// With `per_second` starts already in the window, the next may start once the oldest is a
    /// full second old. The start is recorded when the slot is granted, still under the host's
    /// lock, so no start of the same host happens in between: the recorded times are the real
    /// ones, and no window of one second ever holds more than `per_second` of them.
    async fn admit(&self, host: &str) -> OwnedSemaphorePermit {
        let window = self.window_of(host);
        let mut recent = window.lock().await;
        if recent.len() == self.per_second {
            let oldest = recent
                .pop_front()
                .expect("the window is full, so not empty");
            tokio::time::sleep_until(oldest + Self::WINDOW).await;
        }
        let slot = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        recent.push_back(Instant::now());
        slot
    }

    fn window_of(&self, host: &str) -> Arc<AsyncMutex<VecDeque<Instant>>> {
        // A std lock, released at the end of this function: never held across an `.await`.
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(hosts.entry(host.to_owned()).or_default())
    }
}
