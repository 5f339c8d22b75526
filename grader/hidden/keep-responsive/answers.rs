//! What `handle` answers, and which calls it makes to get there: the same answers as the
//! starter's inline version, on a runtime with two workers and eight requests at once.

use keep_responsive::Request;

use crate::service::{expected, items, serve, Probe, Watch};

pub fn answers_every_request_correctly() {
    let requests: Vec<Request> = vec![
        Request {
            user: 1,
            items: items(500),
        },
        Request {
            user: 2,
            items: Vec::new(),
        },
        Request {
            user: 3,
            items: vec![7],
        },
        Request {
            user: 4,
            items: vec![5, 5, 5, 9, 5],
        },
        Request {
            user: 5,
            items: items(1_000).into_iter().rev().collect(),
        },
        Request {
            user: 6,
            items: (0..300).map(|i| i * 7_919 % 1_000).collect(),
        },
        Request {
            user: 7,
            items: vec![u64::MAX, 0, u64::MAX],
        },
        Request {
            user: 8,
            items: items(64),
        },
    ];
    let probe = Probe::new(Watch::Calls);
    let answered = serve(&probe, 2, &requests);
    for (request, answer) in requests.iter().zip(&answered) {
        let want = expected(request);
        assert_eq!(
            answer.response,
            want,
            "the response to the request of user {} with {} items is wrong (left: yours, right: \
             expected): profile is what load_profile(user) returns, score the sum of \
             score(item) over all the items, as u64",
            request.user,
            request.items.len()
        );
    }
    let log = probe.log();
    let mut loaded = log.profiles.clone();
    loaded.sort_unstable();
    let users: Vec<u64> = requests.iter().map(|r| r.user).collect();
    assert_eq!(
        loaded, users,
        "load_profile was called for these users (sorted): {loaded:?}; expected once for each \
         request's user: {users:?}"
    );
    let total_items: usize = requests.iter().map(|r| r.items.len()).sum();
    assert_eq!(
        log.scores, total_items,
        "score was called {} times for {total_items} items in all: call it exactly once per item \
         (repeated items too: each is scored)",
        log.scores
    );
    let mut lines = log.audits.clone();
    lines.sort();
    let mut want: Vec<String> = requests
        .iter()
        .map(|r| keep_responsive_line(r.user, expected(r).score))
        .collect();
    want.sort();
    assert_eq!(
        lines, want,
        "the audit log holds these lines (sorted, left) instead of one `audit_line(user, score)` \
         per request (right)"
    );
}

/// The audit line as the crate's docs define it (`user 7: score 1234`), written out here so
/// that editing `audit_line` can't change what is expected.
fn keep_responsive_line(user: u64, score: u64) -> String {
    format!("user {user}: score {score}")
}
