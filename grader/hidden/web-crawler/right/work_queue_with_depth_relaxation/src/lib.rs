// Passes: no levels and no tasks — one work queue driven by the crawl future itself: a central scheduler starts any queued url whose host's window has room whenever a slot is free (a FuturesUnordered holds the fetches), and a url found again by a shorter path gets the shorter depth, its stored links reached again from there, so depths stay shortest without waiting for a level to end.
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::future::Future;
use std::time::Duration;

use futures::stream::{FuturesUnordered, StreamExt};
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
    let mut report = Report::default();
    let deadline = config.time_limit.map(|limit| Instant::now() + limit);
    let stopped = async {
        tokio::select! {
            () = stop.cancelled() => {}
            () = sleep_until(deadline) => {}
        }
    };
    tokio::pin!(stopped);
    if stop.is_cancelled() {
        report.stopped = true;
        return report;
    }
    let mut state = Scheduler::new(&config);
    state.reach(start, 0, 0);
    let mut fetching = FuturesUnordered::new();
    loop {
        // Start everything the slots and the hosts' windows allow now.
        let now = Instant::now();
        while fetching.len() < state.slots {
            let Some(job) = state.next_ready(now) else {
                break;
            };
            let answer = tokio::time::timeout(config.fetch_timeout, fetch(job.url.clone()));
            fetching.push(async move { (job, answer.await.unwrap_or(Fetched::TimedOut)) });
        }
        if fetching.is_empty() && !state.has_queued() {
            break;
        }
        // With a slot free, wake up when the next queued host's window opens.
        let wake = if fetching.len() < state.slots {
            state.next_opening()
        } else {
            None
        };
        tokio::select! {
            biased;
            () = &mut stopped => {
                report.stopped = true;
                break;
            }
            Some((job, fetched)) = fetching.next(), if !fetching.is_empty() => {
                state.finished(job, fetched, &mut report);
            }
            () = sleep_until(wake) => {}
        }
    }
    // Dropping the set drops every fetch still in flight: nothing is left running.
    drop(fetching);
    state.final_depths(&mut report);
    report
}

/// Sleeps until `at`, or forever when there is no `at`.
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// A url waiting for its turn, and how many redirects in a row led to it.
struct Job {
    url: String,
    hops: usize,
}

/// Everything the crawl knows, owned by the crawl future alone: no locks.
struct Scheduler {
    max_depth: usize,
    max_redirects: usize,
    per_second: usize,
    slots: usize,
    /// The shortest depth found so far of every url claimed.
    depth: HashMap<String, usize>,
    /// What a fetched url leads to: its links (one more link deep) or its followed redirect
    /// (same depth). Kept so a shorter path found later can be carried on.
    leads_to: HashMap<String, Vec<(String, usize)>>,
    /// Urls waiting for their turn, per host, in the order hosts were first seen.
    queues: Vec<(String, VecDeque<Job>)>,
    /// Per host, starts within the last second, oldest first.
    recent: HashMap<String, VecDeque<Instant>>,
    /// Where the next search for a ready host begins (round robin over hosts).
    turn: usize,
}

impl Scheduler {
    const WINDOW: Duration = Duration::from_secs(1);

    fn new(config: &Config) -> Scheduler {
        Scheduler {
            max_depth: config.max_depth,
            max_redirects: config.max_redirects,
            per_second: usize::try_from(config.per_host_per_second.max(1)).unwrap_or(usize::MAX),
            slots: config.max_concurrent.max(1),
            depth: HashMap::new(),
            leads_to: HashMap::new(),
            queues: Vec::new(),
            recent: HashMap::new(),
            turn: 0,
        }
    }

    /// `url` found at `depth`: claimed and queued if new; if known deeper, lowered, and what it
    /// leads to (if fetched already) reached again from the new depth.
    fn reach(&mut self, url: String, depth: usize, hops: usize) {
        let mut found = vec![(url, depth, hops)];
        while let Some((url, depth, hops)) = found.pop() {
            match self.depth.get(&url) {
                None => {
                    self.depth.insert(url.clone(), depth);
                    self.enqueue(Job { url, hops });
                }
                Some(&known) if depth < known => {
                    self.depth.insert(url.clone(), depth);
                    for (next, links) in self.leads_to.get(&url).into_iter().flatten() {
                        if *links == 0 || depth < self.max_depth {
                            found.push((next.clone(), depth + links, 0));
                        }
                    }
                }
                Some(_) => {}
            }
        }
    }

    fn enqueue(&mut self, job: Job) {
        let host = host_of(&job.url).to_owned();
        match self.queues.iter_mut().find(|(name, _)| *name == host) {
            Some((_, queue)) => queue.push_back(job),
            None => self.queues.push((host, VecDeque::from([job]))),
        }
    }

    fn has_queued(&self) -> bool {
        self.queues.iter().any(|(_, queue)| !queue.is_empty())
    }

    /// The next queued url whose host may start a fetch at `now`, its start recorded.
    fn next_ready(&mut self, now: Instant) -> Option<Job> {
        let hosts = self.queues.len();
        for step in 0..hosts {
            let index = (self.turn + step) % hosts;
            let (host, queue) = &mut self.queues[index];
            if queue.is_empty() {
                continue;
            }
            let recent = self.recent.entry(host.clone()).or_default();
            // A start a full second ago or more is out of every window that holds `now`.
            while recent
                .front()
                .is_some_and(|start| *start + Self::WINDOW <= now)
            {
                recent.pop_front();
            }
            if recent.len() < self.per_second {
                recent.push_back(now);
                self.turn = index + 1;
                return queue.pop_front();
            }
        }
        None
    }

    /// When the earliest window of a host with queued urls opens.
    fn next_opening(&self) -> Option<Instant> {
        self.queues
            .iter()
            .filter(|(_, queue)| !queue.is_empty())
            .filter_map(|(host, _)| self.recent.get(host)?.front().copied())
            .map(|oldest| oldest + Self::WINDOW)
            .min()
    }

    fn finished(&mut self, job: Job, fetched: Fetched, report: &mut Report) {
        let depth = self.depth[&job.url];
        match &fetched {
            Fetched::Page { links } => {
                self.leads_to.insert(
                    job.url.clone(),
                    links.iter().map(|link| (link.clone(), 1)).collect(),
                );
                if depth < self.max_depth {
                    for link in links {
                        self.reach(link.clone(), depth + 1, 0);
                    }
                }
            }
            Fetched::Redirect { to } if job.hops < self.max_redirects => {
                self.leads_to.insert(job.url.clone(), vec![(to.clone(), 0)]);
                self.reach(to.clone(), depth, job.hops + 1);
            }
            _ => {}
        }
        report.pages.insert(job.url, Visit { depth, fetched });
    }

    /// Depths may have been lowered after a page was reported: report the shortest.
    fn final_depths(&self, report: &mut Report) {
        for (url, visit) in &mut report.pages {
            visit.depth = self.depth[url];
        }
    }
}
