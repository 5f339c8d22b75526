//! Whether the only worker stays free for other tasks while `handle`'s work runs, shown by a
//! heartbeat task beside it (see `service`): a count of polls, never a time.

use keep_responsive::Request;

use crate::service::{expect_no_problems, expected, items, serve, Probe, Watch, BUDGET, WORKER};

pub fn keeps_the_worker_free_during_blocking_calls() {
    let requests = [
        Request {
            user: 11,
            items: items(40),
        },
        Request {
            user: 12,
            items: Vec::new(),
        },
    ];
    let probe = Probe::new(Watch::Blocking);
    let answered = serve(&probe, 1, &requests);
    expect_no_problems(&probe);
    for (request, answer) in requests.iter().zip(&answered) {
        assert_eq!(answer.response, expected(request), "a wrong response");
    }
    let log = probe.log();
    assert_eq!(
        (log.profiles.len(), log.audits.len()),
        (2, 2),
        "load_profile and audit must each be called once per request"
    );
}

pub fn keeps_the_worker_free_during_the_scoring() {
    let requests = [Request {
        user: 21,
        items: items(1_000),
    }];
    let probe = Probe::new(Watch::Scoring);
    let answered = serve(&probe, 1, &requests);
    expect_no_problems(&probe);
    let longest = probe.log().longest_run;
    assert!(
        longest <= BUDGET,
        "`score` was called {longest} times in a row on the worker thread `{WORKER}` while no \
         other task got a turn (the heartbeat, woken at the first of those calls, waited all \
         along); at most {BUDGET} may. Move the scoring off the worker — \
         `runtime::spawn_blocking(move || …).await`, or rayon with a channel you `.await` — or \
         give the worker back with `runtime::yield_now().await` at least every {BUDGET} items. \
         (`runtime::spawn` is no way out: the new task runs on a worker too, just as long without \
         an `.await`.)"
    );
    assert_eq!(
        answered[0].response,
        expected(&requests[0]),
        "a wrong response"
    );
    assert_eq!(
        probe.log().scores,
        1_000,
        "score must be called once per item"
    );
}
