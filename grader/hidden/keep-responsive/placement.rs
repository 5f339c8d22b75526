//! Where the blocking calls run (the runtime's blocking pool), and that they have all finished
//! when `handle` returns.

use keep_responsive::Request;

use crate::service::{expect_no_problems, expected, items, serve, Probe, Watch};

pub fn runs_blocking_calls_on_the_blocking_pool() {
    let requests = [Request {
        user: 31,
        items: items(20),
    }];
    let probe = Probe::new(Watch::Pool);
    let answered = serve(&probe, 1, &requests);
    expect_no_problems(&probe);
    assert_eq!(
        answered[0].response,
        expected(&requests[0]),
        "a wrong response"
    );
    let log = probe.log();
    assert_eq!(
        (log.profiles.len(), log.audits.len()),
        (1, 1),
        "load_profile and audit must each be called once per request"
    );
}

pub fn finishes_every_call_before_returning() {
    // One request at a time, so the count at each return is that request's alone.
    for (n, request) in [
        Request {
            user: 41,
            items: items(30),
        },
        Request {
            user: 42,
            items: Vec::new(),
        },
    ]
    .into_iter()
    .enumerate()
    {
        let probe = Probe::new(Watch::Return);
        let answered = serve(&probe, 1, std::slice::from_ref(&request));
        let at_return = answered[0].finished_blocking_at_return;
        assert!(
            at_return == 2,
            "request {}: when `handle` returned, {at_return} of its 2 blocking calls \
             (load_profile, audit) had finished: the rest was still running, or not even \
             started. `handle` must await everything it starts — also the audit, whose result \
             is only (): a dropped JoinHandle detaches its task, it doesn't cancel it",
            n + 1
        );
        assert_eq!(answered[0].response, expected(&request), "a wrong response");
        expect_no_problems(&probe);
    }
}
