//! Loom models of the two hand-written lock-free protocols: the local run queue (push, pop,
//! steal half, overflow) and the parker (no lost wake-up). Loom explores every interleaving
//! allowed by the memory model (within a preemption bound).
//!
//! Run: `RUSTFLAGS="--cfg tasklings_loom" cargo test -p runtime --test loom --release`
//! (a crate-specific cfg, so tokio's own loom switch stays off). The ring has 4 slots here.
#![cfg(tasklings_loom)]

use loom::sync::atomic::{AtomicBool, Ordering::SeqCst};
use loom::sync::Arc;
use loom::thread;
use runtime::loom_exports::{Parker, Ring, CAPACITY};

fn item(n: usize) -> *mut usize {
    n as *mut usize
}

/// Every pushed item must be taken exactly once, by the owner or by a thief.
fn assert_each_once(mut taken: Vec<usize>, pushed: usize) {
    taken.sort_unstable();
    assert_eq!(taken, (1..=pushed).collect::<Vec<_>>());
}

#[test]
fn pop_and_steal_take_each_item_once() {
    loom::model(|| {
        let victim = Arc::new(Ring::<usize>::new());
        for i in 1..=3 {
            victim.push(item(i)).unwrap();
        }
        let thief = {
            let victim = victim.clone();
            thread::spawn(move || {
                let mine = Ring::new();
                let mut got: Vec<usize> = victim
                    .steal_half_into(&mine)
                    .into_iter()
                    .map(|p| p as usize)
                    .collect();
                while let Some(p) = mine.pop() {
                    got.push(p as usize);
                }
                got
            })
        };
        let mut taken = Vec::new();
        while let Some(p) = victim.pop() {
            taken.push(p as usize);
        }
        taken.extend(thief.join().unwrap());
        assert_each_once(taken, 3);
    });
}

#[test]
fn push_while_a_thief_steals() {
    loom::model(|| {
        let victim = Arc::new(Ring::<usize>::new());
        victim.push(item(1)).unwrap();
        victim.push(item(2)).unwrap();
        let thief = {
            let victim = victim.clone();
            thread::spawn(move || {
                let mine = Ring::new();
                let mut got: Vec<usize> = victim
                    .steal_half_into(&mine)
                    .into_iter()
                    .map(|p| p as usize)
                    .collect();
                while let Some(p) = mine.pop() {
                    got.push(p as usize);
                }
                got
            })
        };
        victim.push(item(3)).unwrap();
        let mut taken = Vec::new();
        while let Some(p) = victim.pop() {
            taken.push(p as usize);
        }
        taken.extend(thief.join().unwrap());
        assert_each_once(taken, 3);
    });
}

#[test]
fn overflow_races_with_a_thief() {
    loom::model(|| {
        let victim = Arc::new(Ring::<usize>::new());
        for i in 1..=CAPACITY {
            victim.push(item(i)).unwrap();
        }
        let thief = {
            let victim = victim.clone();
            thread::spawn(move || {
                let mine = Ring::new();
                let mut got: Vec<usize> = victim
                    .steal_half_into(&mine)
                    .into_iter()
                    .map(|p| p as usize)
                    .collect();
                while let Some(p) = mine.pop() {
                    got.push(p as usize);
                }
                got
            })
        };
        // The owner's overflow path: take half when full, else the push succeeds.
        let mut taken = Vec::new();
        let extra = CAPACITY + 1;
        let mut pending = Some(item(extra));
        while let Some(p) = pending.take() {
            if let Err(p) = victim.push(p) {
                match victim.take_half() {
                    Some(half) => {
                        taken.extend(half.iter().map(|&q| q as usize));
                        taken.push(p as usize);
                    }
                    None => pending = Some(p),
                }
            }
        }
        while let Some(p) = victim.pop() {
            taken.push(p as usize);
        }
        taken.extend(thief.join().unwrap());
        assert_each_once(taken, extra);
    });
}

#[test]
fn two_thieves_and_the_owner() {
    loom::model(|| {
        let victim = Arc::new(Ring::<usize>::new());
        for i in 1..=4 {
            victim.push(item(i)).unwrap();
        }
        let thieves: Vec<_> = (0..2)
            .map(|_| {
                let victim = victim.clone();
                thread::spawn(move || {
                    let mine = Ring::new();
                    let mut got: Vec<usize> = victim
                        .steal_half_into(&mine)
                        .into_iter()
                        .map(|p| p as usize)
                        .collect();
                    while let Some(p) = mine.pop() {
                        got.push(p as usize);
                    }
                    got
                })
            })
            .collect();
        let mut taken: Vec<usize> = victim.pop().into_iter().map(|p| p as usize).collect();
        for t in thieves {
            taken.extend(t.join().unwrap());
        }
        while let Some(p) = victim.pop() {
            taken.push(p as usize);
        }
        assert_each_once(taken, 4);
    });
}

#[test]
fn unpark_is_never_lost() {
    loom::model(|| {
        let parker = Arc::new(Parker::new());
        let ready = Arc::new(AtomicBool::new(false));
        let waker = {
            let (parker, ready) = (parker.clone(), ready.clone());
            thread::spawn(move || {
                ready.store(true, SeqCst);
                parker.unpark();
            })
        };
        // A worker's loop: check the condition, park, check again.
        while !ready.load(SeqCst) {
            parker.park(None);
        }
        waker.join().unwrap();
    });
}

#[test]
fn two_wakers_one_sleeper() {
    // Loom does not model timeouts, so every park here must be ended by an unpark.
    loom::model(|| {
        let parker = Arc::new(Parker::new());
        let flags: Arc<[AtomicBool; 2]> =
            Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
        let wakers: Vec<_> = (0..2)
            .map(|i| {
                let (parker, flags) = (parker.clone(), flags.clone());
                thread::spawn(move || {
                    flags[i].store(true, SeqCst);
                    parker.unpark();
                })
            })
            .collect();
        while !(flags[0].load(SeqCst) && flags[1].load(SeqCst)) {
            parker.park(None);
        }
        for w in wakers {
            w.join().unwrap();
        }
    });
}
