// Passes: tasks report over an mpsc channel to a coordinator that counts the level's outstanding fetches, and the per-host limit is a Semaphore of per_host_per_second permits per host, each permit taken before the start and given back a full second after it (a sliding window made of permits), so a task waiting for its host holds no global slot.
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
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

/// A url to fetch, and how many redirects in a row led to it.
struct Job {
    url: String,
    hops: usize,
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
    let mut report = Report::default();
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
        report.stopped = true;
        return report;
    }

    let slots = Arc::new(Semaphore::new(config.max_concurrent.max(1)));
    let per_second = usize::try_from(config.per_host_per_second.max(1)).unwrap_or(usize::MAX);
    let mut host_permits: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let fetch = Arc::new(fetch);
    let (sender, mut results) = mpsc::unbounded_channel::<(Job, Fetched)>();
    let mut tasks = JoinSet::new();
    let mut start_fetch = |tasks: &mut JoinSet<()>, job: Job| {
        let host = Arc::clone(
            host_permits
                .entry(host_of(&job.url).to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(per_second))),
        );
        let (slots, fetch, sender) = (Arc::clone(&slots), Arc::clone(&fetch), sender.clone());
        let timeout = config.fetch_timeout;
        tasks.spawn(async move {
            let turn = host.acquire_owned().await.expect("never closed");
            let slot = slots.acquire_owned().await.expect("never closed");
            let started = Instant::now();
            let fetched = tokio::time::timeout(timeout, fetch(job.url.clone()))
                .await
                .unwrap_or(Fetched::TimedOut);
            drop(slot);
            // The coordinator may be gone (stopped): then nobody wants the result.
            let _ = sender.send((job, fetched));
            // The host's permit comes back a full second after the start: never more than
            // per_second starts of one host within one second.
            tokio::time::sleep_until(started + Duration::from_secs(1)).await;
            drop(turn);
        });
    };

    let mut known = HashSet::from([start.clone()]);
    let mut level = vec![Job {
        url: start,
        hops: 0,
    }];
    for depth in 0..=config.max_depth {
        let mut outstanding = level.len();
        for job in level.drain(..) {
            start_fetch(&mut tasks, job);
        }
        let mut next = Vec::new();
        while outstanding > 0 {
            let (job, fetched) = tokio::select! {
                biased;
                () = &mut stopped => {
                    report.stopped = true;
                    tasks.abort_all();
                    while let Some(joined) = tasks.join_next().await {
                        pass_on_panic(joined);
                    }
                    // What finished before the stop was sent; keep it.
                    while let Ok((job, fetched)) = results.try_recv() {
                        report.pages.insert(job.url, Visit { depth, fetched });
                    }
                    return report;
                }
                Some((job, fetched)) = results.recv() => (job, fetched),
                // Reap tasks that are done; a panic in fetch surfaces here.
                Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                    pass_on_panic(joined);
                    continue;
                }
            };
            outstanding -= 1;
            match &fetched {
                Fetched::Page { links } if depth < config.max_depth => {
                    for link in links {
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
                    outstanding += 1;
                    start_fetch(
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
        if level.is_empty() {
            break;
        }
    }
    // Tasks left only hold host permits until their second is over: nothing to wait for.
    tasks.abort_all();
    while let Some(joined) = tasks.join_next().await {
        pass_on_panic(joined);
    }
    report
}

/// A task ends by finishing, by being aborted, or by a panic in `fetch`: pass a panic on.
fn pass_on_panic(joined: Result<(), tokio::task::JoinError>) {
    if let Err(error) = joined {
        if error.is_panic() {
            std::panic::resume_unwind(error.into_panic());
        }
    }
}
