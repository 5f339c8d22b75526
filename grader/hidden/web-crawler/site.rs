//! The sites the hidden tests crawl, and the crawl the rules define on them (the model).
//!
//! A [`Site`] maps urls to [`Resource`]s: a page with links and a latency, a redirect, a missing
//! page (404) or a page that never answers. The same site is served in memory (on tokio's paused
//! clock, `recorder.rs`) and over real HTTP (`http.rs`); its urls start with the host bases it was
//! generated for (`http://h0.test`, or `http://127.0.0.1:PORT` for a real server).
//!
//! [`Site::generate`] draws a site from a seed ([`probes::seeded::Rng`]): pages spread over the
//! hosts, a random tree under the start page (so every page is reachable) plus a few links per
//! page to random others (so cycles, shortcuts, and urls that many pages link to),
//! links to missing pages, slow pages and hanging ones, and redirect gadgets — a page that moved
//! (to a page nothing else links to), a redirect back to the start page, a two-page redirect loop,
//! and an endless redirect chain (`/trap/m/0` → `/trap/m/1` → …). Redirect targets are never
//! linked from anywhere else, so the depth the rules give them is never in question.
//!
//! [`Site::model`] is the crawl the crate docs define, done sequentially: breadth-first, a url
//! claimed when first seen, a redirect's target at its redirect's depth. The tests compare the
//! learner's report, and what the learner's code fetched, with it.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::time::Duration;

use probes::seeded::Rng;
use web_crawler::{Config, Fetched, Visit};

/// What a url holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// A page: answered after `latency`, with these links.
    Page {
        links: Vec<String>,
        latency: Duration,
    },
    /// A redirect to `to`, answered after `latency`.
    Redirect { to: String, latency: Duration },
    /// No such page: a 404 after `latency`.
    Missing { latency: Duration },
    /// Never answers.
    Hang,
}

impl Resource {
    /// What a fetch of this resource returns when it answers (`None`: it never does).
    pub fn fetched(&self) -> Option<Fetched> {
        match self {
            Resource::Page { links, .. } => Some(Fetched::Page {
                links: links.clone(),
            }),
            Resource::Redirect { to, .. } => Some(Fetched::Redirect { to: to.clone() }),
            Resource::Missing { .. } => Some(Fetched::Error(NOT_FOUND.to_owned())),
            Resource::Hang => None,
        }
    }

    /// How long the answer takes (`None`: forever).
    pub fn latency(&self) -> Option<Duration> {
        match self {
            Resource::Page { latency, .. }
            | Resource::Redirect { latency, .. }
            | Resource::Missing { latency } => Some(*latency),
            Resource::Hang => None,
        }
    }
}

/// The error a missing page gives (in memory and over HTTP alike).
pub const NOT_FOUND: &str = "404 Not Found";

/// Latency of a url the site doesn't know, and of each hop of an endless redirect chain.
const UNKNOWN_LATENCY: Duration = Duration::from_millis(5);
const TRAP_LATENCY: Duration = Duration::from_millis(20);

/// A site: its start url, its resources, and what it was made from (for failure messages).
#[derive(Debug, Clone)]
pub struct Site {
    pub start: String,
    pub name: String,
    resources: HashMap<String, Resource>,
}

/// The parameters of a generated site.
#[derive(Debug, Clone)]
pub struct Shape {
    pub pages: usize,
    /// Links per page, drawn from `fan_out.0..=fan_out.1`.
    pub fan_out: (u64, u64),
    /// A page's latency in ms, drawn from `latency_ms.0..=latency_ms.1`.
    pub latency_ms: (u64, u64),
    /// Per mille of pages that are slow (take `slow_ms`) and that hang (never answer).
    pub slow_per_mille: u64,
    pub slow_ms: u64,
    pub hang_per_mille: u64,
    /// Per mille of links that point to a missing page.
    pub missing_per_mille: u64,
    /// How many of each redirect gadget (moved page, redirect home, loop, endless chain).
    pub gadgets: usize,
}

impl Shape {
    /// A mid-sized site for the paused clock: tens of pages, everything in it.
    pub fn mixed(pages: usize) -> Shape {
        Shape {
            pages,
            fan_out: (0, 3),
            latency_ms: (10, 900),
            slow_per_mille: 60,
            slow_ms: 4_000,
            hang_per_mille: 40,
            missing_per_mille: 80,
            gadgets: 2,
        }
    }

    /// Only pages and links (no errors, no redirects): many links per page, so many pages link
    /// to the same urls.
    pub fn dense(pages: usize) -> Shape {
        Shape {
            pages,
            fan_out: (4, 8),
            latency_ms: (10, 600),
            slow_per_mille: 0,
            slow_ms: 0,
            hang_per_mille: 0,
            missing_per_mille: 0,
            gadgets: 0,
        }
    }
}

impl Site {
    /// An empty site starting at `start` (for hand-made sites).
    pub fn new(name: &str, start: &str) -> Site {
        Site {
            start: start.to_owned(),
            name: name.to_owned(),
            resources: HashMap::new(),
        }
    }

    /// Adds (or replaces) a page.
    pub fn page(&mut self, url: &str, latency_ms: u64, links: &[&str]) -> &mut Site {
        self.insert(
            url,
            Resource::Page {
                links: links.iter().map(|link| (*link).to_owned()).collect(),
                latency: Duration::from_millis(latency_ms),
            },
        )
    }

    /// Adds (or replaces) any resource.
    pub fn insert(&mut self, url: &str, resource: Resource) -> &mut Site {
        self.resources.insert(url.to_owned(), resource);
        self
    }

    /// A site drawn from `seed`, with pages spread over `hosts` (bases such as `http://h0.test`).
    /// The start page is `{hosts[0]}/p/0`; it always answers.
    pub fn generate(seed: u64, shape: &Shape, hosts: &[String]) -> Site {
        let mut rng = Rng::new(seed);
        let pick = |rng: &mut Rng, (low, high): (u64, u64)| low + rng.below(high - low + 1);
        let page_url = |index: usize| format!("{}/p/{index}", hosts[index % hosts.len()].as_str());
        let mut site = Site::new(
            &format!("the site of seed {seed:#x} ({} pages)", shape.pages),
            &page_url(0),
        );
        let mut links: Vec<Vec<String>> = Vec::with_capacity(shape.pages);
        for index in 0..shape.pages {
            let host = &hosts[index % hosts.len()];
            let count = pick(&mut rng, shape.fan_out);
            let mut page_links = Vec::new();
            for number in 0..count {
                if rng.chance(shape.missing_per_mille) {
                    page_links.push(format!("{host}/missing/{index}-{number}"));
                } else {
                    let target = usize::try_from(rng.below(shape.pages as u64)).unwrap_or(0);
                    page_links.push(page_url(target));
                }
            }
            links.push(page_links);
        }
        // A random tree under the start page, so every page is reachable: page i gets a link
        // from a page before it.
        for index in 1..shape.pages {
            let parent = usize::try_from(rng.below(index as u64)).unwrap_or(0);
            let at = usize::try_from(rng.below(links[parent].len() as u64 + 1)).unwrap_or(0);
            links[parent].insert(at, page_url(index));
        }
        // Redirect gadgets, each linked from a random page (the start page excluded, so the
        // start's links stay plain pages).
        let mut link_somewhere = |rng: &mut Rng, entry: String| {
            let from = 1 + usize::try_from(rng.below(shape.pages as u64 - 1)).unwrap_or(0);
            let at = usize::try_from(rng.below(links[from].len() as u64 + 1)).unwrap_or(0);
            links[from].insert(at, entry);
        };
        for number in 0..shape.gadgets {
            let host = &hosts[number % hosts.len()];
            let other = &hosts[(number + 1) % hosts.len()];
            // A page that moved, to a page on another host that nothing links to.
            let fresh = format!("{other}/fresh/{number}");
            let fresh_links = vec![
                page_url(1 + number),
                format!("{host}/missing/fresh-{number}"),
            ];
            site.insert(
                &fresh,
                Resource::Page {
                    links: fresh_links,
                    latency: Duration::from_millis(pick(&mut rng, shape.latency_ms)),
                },
            );
            let moved = format!("{host}/moved/{number}");
            site.insert(
                &moved,
                Resource::Redirect {
                    to: fresh,
                    latency: Duration::from_millis(30),
                },
            );
            link_somewhere(&mut rng, moved);
            // A redirect back to the start page (known from the start: not fetched again).
            let home = format!("{host}/home/{number}");
            site.insert(
                &home,
                Resource::Redirect {
                    to: site.start.clone(),
                    latency: Duration::from_millis(15),
                },
            );
            link_somewhere(&mut rng, home);
            // A loop: a → b → a.
            let (a, b) = (
                format!("{host}/loop/{number}/a"),
                format!("{other}/loop/{number}/b"),
            );
            site.insert(
                &a,
                Resource::Redirect {
                    to: b.clone(),
                    latency: Duration::from_millis(25),
                },
            );
            site.insert(
                &b,
                Resource::Redirect {
                    to: a.clone(),
                    latency: Duration::from_millis(25),
                },
            );
            link_somewhere(&mut rng, a);
            // An endless chain of redirects, each to a new url (see `resource`).
            link_somewhere(&mut rng, format!("{host}/trap/{number}/0"));
        }
        for (index, page_links) in links.into_iter().enumerate() {
            let latency = if index != 0 && rng.chance(shape.hang_per_mille) {
                None
            } else if rng.chance(shape.slow_per_mille) {
                Some(shape.slow_ms)
            } else {
                Some(pick(&mut rng, shape.latency_ms))
            };
            let resource = match latency {
                None => Resource::Hang,
                Some(ms) => Resource::Page {
                    links: page_links,
                    latency: Duration::from_millis(ms),
                },
            };
            site.insert(&page_url(index), resource);
        }
        site
    }

    /// What `url` holds: its resource, an endless chain's next hop, or a 404.
    pub fn resource(&self, url: &str) -> Resource {
        if let Some(resource) = self.resources.get(url) {
            return resource.clone();
        }
        if let Some((prefix, hop)) = trap_hop(url) {
            return Resource::Redirect {
                to: format!("{prefix}{}", hop + 1),
                latency: TRAP_LATENCY,
            };
        }
        Resource::Missing {
            latency: UNKNOWN_LATENCY,
        }
    }

    /// Whether a redirect of the site leads to `url`.
    pub fn is_redirected_to(&self, url: &str) -> bool {
        trap_hop(url).is_some_and(|(_, hop)| hop > 0)
            || self
                .resources
                .values()
                .any(|resource| matches!(resource, Resource::Redirect { to, .. } if to == url))
    }

    /// The crawl the rules define: every url it fetches, with its depth and what it gives
    /// (`Fetched::TimedOut` for a page that never answers).
    pub fn model(&self, config: &Config) -> BTreeMap<String, Visit> {
        let mut known = HashSet::from([self.start.clone()]);
        let mut queue = VecDeque::from([(self.start.clone(), 0_usize)]);
        let mut visits = BTreeMap::new();
        while let Some((first, depth)) = queue.pop_front() {
            let mut url = first;
            let mut hops = 0;
            loop {
                let fetched = self.resource(&url).fetched().unwrap_or(Fetched::TimedOut);
                let mut follow = None;
                match &fetched {
                    Fetched::Page { links } if depth < config.max_depth => {
                        for link in links {
                            if known.insert(link.clone()) {
                                queue.push_back((link.clone(), depth + 1));
                            }
                        }
                    }
                    Fetched::Redirect { to }
                        if hops < config.max_redirects && known.insert(to.clone()) =>
                    {
                        follow = Some(to.clone());
                    }
                    _ => {}
                }
                visits.insert(url, Visit { depth, fetched });
                match follow {
                    Some(next) => {
                        url = next;
                        hops += 1;
                    }
                    None => break,
                }
            }
        }
        visits
    }

    /// A short description of the site and config, for failure messages.
    pub fn describe(&self, config: &Config) -> String {
        let mut text = format!("{} from {}", self.name, self.start);
        let _ = write!(
            text,
            ", max_depth {}, max_concurrent {}, per_host_per_second {}, max_redirects {}, \
             fetch_timeout {:?}",
            config.max_depth,
            config.max_concurrent,
            config.per_host_per_second,
            config.max_redirects,
            config.fetch_timeout
        );
        if let Some(limit) = config.time_limit {
            let _ = write!(text, ", time_limit {limit:?}");
        }
        text
    }
}

/// `(prefix, hop)` of an endless-chain url `…/trap/{m}/{hop}`.
fn trap_hop(url: &str) -> Option<(&str, u64)> {
    let at = url.find("/trap/")?;
    let (prefix, hop) = url.rsplit_once('/')?;
    if prefix.len() <= at + "/trap".len() {
        return None;
    }
    let hop = hop.parse().ok()?;
    Some((&url[..prefix.len() + 1], hop))
}

/// The host of a url (the tests' own parsing, independent of the learner's `host_of`).
pub fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// The bases of `count` in-memory hosts: `http://h0.test`, `http://h1.test`, …
pub fn memory_hosts(count: usize) -> Vec<String> {
    (0..count)
        .map(|index| format!("http://h{index}.test"))
        .collect()
}
