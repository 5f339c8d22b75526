// Passes: one actor task per host owns that host's window — no lock anywhere: the coordinator sends each url to its host's actor over a channel; the actor waits for the window, then for a global slot, notes the start and hands (url, slot) back; the coordinator spawns the fetch at once and joins the results, level by level.
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
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
    let fetch = Arc::new(fetch);
    // Admitted jobs come back from the host actors with their slot.
    let (admitted_tx, mut admitted) = mpsc::unbounded_channel::<(Job, OwnedSemaphorePermit)>();
    let mut actors = JoinSet::new();
    let mut mailboxes: HashMap<String, mpsc::UnboundedSender<Job>> = HashMap::new();
    let mut send_to_host = |actors: &mut JoinSet<()>, job: Job| {
        let host = host_of(&job.url).to_owned();
        let mailbox = mailboxes.entry(host).or_insert_with(|| {
            let (sender, inbox) = mpsc::unbounded_channel();
            actors.spawn(host_actor(
                inbox,
                admitted_tx.clone(),
                Arc::clone(&slots),
                per_second,
            ));
            sender
        });
        // The actor lives as long as its mailbox sender (here): the send cannot fail.
        let _ = mailbox.send(job);
    };
    let mut fetches: JoinSet<(Job, Fetched)> = JoinSet::new();

    let mut known = HashSet::from([start.clone()]);
    let mut level = vec![Job {
        url: start,
        hops: 0,
    }];
    let mut stopped_early = false;
    let mut current_depth = 0;
    'levels: for depth in 0..=config.max_depth {
        current_depth = depth;
        let mut outstanding = level.len();
        for job in level.drain(..) {
            send_to_host(&mut actors, job);
        }
        let mut next = Vec::new();
        while outstanding > 0 {
            tokio::select! {
                biased;
                () = &mut stopped => {
                    stopped_early = true;
                    break 'levels;
                }
                Some((job, slot)) = admitted.recv() => {
                    let fetch = Arc::clone(&fetch);
                    let timeout = config.fetch_timeout;
                    fetches.spawn(async move {
                        let fetched = tokio::time::timeout(timeout, fetch(job.url.clone()))
                            .await
                            .unwrap_or(Fetched::TimedOut);
                        drop(slot);
                        (job, fetched)
                    });
                }
                Some(joined) = fetches.join_next(), if !fetches.is_empty() => {
                    let (job, fetched) = joined.unwrap_or_else(pass_on_panic);
                    outstanding -= 1;
                    match &fetched {
                        Fetched::Page { links } if depth < config.max_depth => {
                            for link in links {
                                if known.insert(link.clone()) {
                                    next.push(Job { url: link.clone(), hops: 0 });
                                }
                            }
                        }
                        Fetched::Redirect { to }
                            if job.hops < config.max_redirects && known.insert(to.clone()) =>
                        {
                            outstanding += 1;
                            send_to_host(&mut actors, Job { url: to.clone(), hops: job.hops + 1 });
                        }
                        _ => {}
                    }
                    report.pages.insert(job.url, Visit { depth, fetched });
                }
            }
        }
        level = next;
        if level.is_empty() {
            break;
        }
    }
    // Stop the actors (and with them any slot they hold), then the fetches; keep what finished.
    actors.abort_all();
    while let Some(joined) = actors.join_next().await {
        if let Err(error) = joined {
            if error.is_panic() {
                std::panic::resume_unwind(error.into_panic());
            }
        }
    }
    fetches.abort_all();
    while let Some(joined) = fetches.join_next().await {
        match joined {
            Ok((job, fetched)) => {
                // Only when stopped: a fetch of the current level that finished unhandled.
                report.pages.insert(
                    job.url,
                    Visit {
                        depth: current_depth,
                        fetched,
                    },
                );
            }
            Err(error) if error.is_cancelled() => {}
            Err(error) => pass_on_panic(error),
        }
    }
    report.stopped = stopped_early;
    report
}

/// One host's gatekeeper: admits its jobs one at a time, each once the host's window allows a
/// start and a global slot is free, and notes the start then.
async fn host_actor(
    mut inbox: mpsc::UnboundedReceiver<Job>,
    admitted: mpsc::UnboundedSender<(Job, OwnedSemaphorePermit)>,
    slots: Arc<Semaphore>,
    per_second: usize,
) {
    let mut recent: VecDeque<Instant> = VecDeque::new();
    while let Some(job) = inbox.recv().await {
        if recent.len() == per_second {
            let oldest = recent.pop_front().expect("full, so not empty");
            tokio::time::sleep_until(oldest + Duration::from_secs(1)).await;
        }
        let slot = slots.clone().acquire_owned().await.expect("never closed");
        recent.push_back(Instant::now());
        if admitted.send((job, slot)).is_err() {
            return; // the crawl is over
        }
    }
}

/// A fetch task fails only by panicking inside `fetch`: pass the panic on.
fn pass_on_panic<T>(error: JoinError) -> T {
    std::panic::resume_unwind(error.into_panic())
}
