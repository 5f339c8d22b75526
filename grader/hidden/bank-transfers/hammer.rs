//! Many callers transfer at once, on threads or on Tasklings tasks, while the test keeps its own
//! books: each caller adds up what its transfers that returned `Ok` moved in and out of each
//! account. Afterwards every account must hold exactly its start plus those moves, and the
//! watchdog (`watchdog.rs`) turns a deadlock into a report instead of a hang.
//!
//! Why a deadlock shows on every run, not by luck: with lock-in-transfer-order code, a caller
//! that finds its *second* lock taken is already deadlocked (whoever holds that lock, running the
//! other way, waits for the lock this caller holds). So each time a caller is preempted between
//! its two locks while a caller going the other way runs, or two callers run side by side on two
//! cores, the bank stops for good. The callers go back and forth on two accounts until hundreds
//! of their calls have overlapped another caller's (see [`watchdog::OVERLAPS_AT_LEAST`] for the
//! measurements): the lock-in-order bank never got past a few dozen.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use bank_transfers::{Bank, TransferError};
use probes::seeded::Rng;

use crate::watchdog::{self, Call, Progress};

/// One caller's transfers, made in this order, over and over until the test says stop (at least
/// once through).
#[derive(Clone, Debug)]
pub struct Caller {
    pub name: String,
    pub transfers: Vec<(usize, usize, u64)>,
}

/// What the callers of a hammering do to a bank that starts with `balances`.
#[derive(Clone, Debug)]
pub struct Plan {
    pub balances: Vec<u64>,
    pub callers: Vec<Caller>,
}

impl Plan {
    /// `callers` callers on the accounts `0` and `1` only, half of them sending from 0 to 1 and
    /// half from 1 to 0, a list of `per_caller` transfers of 1 to 10 units each.
    pub fn opposite(callers: usize, per_caller: usize, seed: u64) -> Plan {
        let mut rng = Rng::new(seed);
        Plan {
            balances: vec![1_000, 1_000],
            callers: (0..callers)
                .map(|index| {
                    let (from, to) = if index % 2 == 0 { (0, 1) } else { (1, 0) };
                    Caller {
                        name: format!("{from}→{to} #{index}"),
                        transfers: (0..per_caller)
                            .map(|_| (from, to, 1 + rng.below(10)))
                            .collect(),
                    }
                })
                .collect(),
        }
    }

    /// `callers` callers transferring between random pairs of `accounts` accounts, in random
    /// directions (cycles included: 0→1, 1→2, 2→0), amounts up to 60 on balances of 100 so that
    /// some transfers are refused for lack of money.
    pub fn every_direction(accounts: usize, callers: usize, per_caller: usize, seed: u64) -> Plan {
        let mut rng = Rng::new(seed);
        let accounts_u64 = accounts as u64;
        Plan {
            balances: vec![100; accounts],
            callers: (0..callers)
                .map(|index| Caller {
                    name: format!("mixed #{index}"),
                    transfers: (0..per_caller)
                        .map(|_| {
                            let from = rng.below(accounts_u64) as usize;
                            let to = (from + 1 + rng.below(accounts_u64 - 1) as usize) % accounts;
                            (from, to, 1 + rng.below(60))
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    pub fn total(&self) -> u64 {
        self.balances.iter().sum()
    }
}

/// What one caller saw: the net move of each account through its transfers that returned `Ok`,
/// and the first answer that can't be right.
#[derive(Debug)]
pub struct Books {
    moved: Vec<i128>,
    problem: Option<String>,
}

/// Makes `caller`'s transfers through `slot`, keeping books, until `stop` is set (and at least
/// once through the list); a task passes `pause` to yield now and then.
fn make_transfers(
    bank: &Bank,
    caller: &Caller,
    slot: &watchdog::Slot,
    accounts: usize,
    stop: &AtomicBool,
) -> Books {
    let mut books = Books::new(accounts);
    for &(from, to, amount) in cycle_until(&caller.transfers, stop) {
        books.note(
            from,
            to,
            amount,
            slot.call(Call::Transfer { from, to, amount }, || {
                bank.transfer(from, to, amount)
            }),
        );
    }
    books
}

/// The items of `list`, over and over, until `stop` is set at the end of a pass.
pub fn cycle_until<'a, T>(list: &'a [T], stop: &'a AtomicBool) -> impl Iterator<Item = &'a T> {
    let mut passes = 0_u64;
    std::iter::from_fn(move || {
        let this = passes;
        passes += 1;
        (this == 0 || !stop.load(Ordering::Relaxed)).then_some(list.iter())
    })
    .flatten()
}

impl Books {
    fn new(accounts: usize) -> Books {
        Books {
            moved: vec![0; accounts],
            problem: None,
        }
    }

    /// Notes what `transfer(from, to, amount)` returned.
    fn note(&mut self, from: usize, to: usize, amount: u64, result: Result<(), TransferError>) {
        match result {
            Ok(()) => {
                self.moved[from] -= i128::from(amount);
                self.moved[to] += i128::from(amount);
            }
            // Refused for lack of money: right only if the balance it saw was short.
            Err(TransferError::InsufficientFunds {
                balance,
                amount: asked,
            }) if balance < amount && asked == amount => {}
            Err(error) => {
                self.problem.get_or_insert_with(|| {
                    format!(
                        "transfer({from}, {to}, {amount}) returned Err({error:?}) — {}",
                        match error {
                            TransferError::InsufficientFunds { .. } => format!(
                                "InsufficientFunds must carry the balance it saw (less than the \
                                 {amount} asked for) and the amount asked for"
                            ),
                            _ => format!(
                                "accounts {from} and {to} both exist and differ; only \
                                 InsufficientFunds can refuse this transfer"
                            ),
                        }
                    )
                });
            }
        }
    }
}

/// The hint every deadlock report of a transfer hammering ends with.
pub const LOCK_ORDER_HINT: &str = "Two transfers that lock the same two accounts in opposite \
    orders — transfer(0, 1) locks 0 then 1 while transfer(1, 0) locks 1 then 0 — each hold one \
    lock and wait for the other's, for ever. Take the two locks in one global order whatever the \
    direction of the money: the lower account index first.";

/// Runs `plan` on one thread per caller, all starting together. On a deadlock, fails with the
/// watchdog's report; otherwise checks the books.
pub fn on_threads(plan: &Plan) {
    let bank = Arc::new(Bank::new(&plan.balances));
    let progress = Arc::new(Progress::new(
        plan.callers
            .iter()
            .map(|c| format!("thread \"{}\"", c.name)),
    ));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(plan.callers.len()));
    let accounts = plan.balances.len();
    let handles: Vec<_> = plan
        .callers
        .iter()
        .enumerate()
        .map(|(index, caller)| {
            let (bank, progress, stop, start) =
                (bank.clone(), progress.clone(), stop.clone(), start.clone());
            let caller = caller.clone();
            thread::Builder::new()
                .name(caller.name.clone())
                .spawn(move || {
                    start.wait();
                    make_transfers(&bank, &caller, progress.slot(index), accounts, &stop)
                })
                .expect("the test could not start a thread")
        })
        .collect();
    let watched = watchdog::watch(&progress, &stop, || handles.iter().all(|h| h.is_finished()));
    if let Err(report) = watched {
        // The stuck threads stay stuck; the process ends with the verdict.
        panic!("{report}\n{LOCK_ORDER_HINT}");
    }
    let books: Vec<Books> = handles
        .into_iter()
        .zip(&plan.callers)
        .map(|(handle, caller)| {
            handle.join().unwrap_or_else(|payload| {
                panic!(
                    "a call into the bank panicked on thread \"{}\": {}",
                    caller.name,
                    panic_text(payload.as_ref())
                )
            })
        })
        .collect();
    check_books(&bank, plan, &books);
}

/// Runs `plan` as one Tasklings task per caller on a runtime of `workers` worker threads, each
/// task yielding after every 16 transfers so that tasks also take turns on a worker. On a
/// deadlock, fails with the watchdog's report and the runtime's task dump.
pub fn on_tasks(plan: &Plan, workers: usize) {
    let bank = Arc::new(Bank::new(&plan.balances));
    let progress = Arc::new(Progress::new(
        plan.callers.iter().map(|c| format!("task \"{}\"", c.name)),
    ));
    let stop = Arc::new(AtomicBool::new(false));
    let runtime = runtime::Runtime::builder()
        .workers(workers)
        .build()
        .expect("the test could not start a runtime");
    let accounts = plan.balances.len();
    let handles = runtime.block_on(async {
        plan.callers
            .iter()
            .enumerate()
            .map(|(index, caller)| {
                let (bank, progress, stop) = (bank.clone(), progress.clone(), stop.clone());
                let caller = caller.clone();
                runtime::spawn_named(caller.name.clone(), async move {
                    let slot = progress.slot(index);
                    let mut books = Books::new(accounts);
                    for (count, &(from, to, amount)) in
                        cycle_until(&caller.transfers, &stop).enumerate()
                    {
                        let result = slot.call(Call::Transfer { from, to, amount }, || {
                            bank.transfer(from, to, amount)
                        });
                        books.note(from, to, amount, result);
                        if count % 16 == 15 {
                            runtime::yield_now().await;
                        }
                    }
                    books
                })
            })
            .collect::<Vec<_>>()
    });
    let watched = watchdog::watch(&progress, &stop, || handles.iter().all(|h| h.is_finished()));
    if let Err(report) = watched {
        let dump = runtime.dump();
        // Dropping a runtime joins its workers, and these are blocked for ever: leave it.
        std::mem::forget(runtime);
        panic!(
            "{report}\nThe runtime's task dump (a task `running` whose age keeps growing while \
             its poll count doesn't is blocked inside one poll — here, waiting for a lock — and \
             the tasks `scheduled` behind it wait for its worker):\n{dump}\n{LOCK_ORDER_HINT}"
        );
    }
    let books: Vec<Books> = handles
        .into_iter()
        .zip(&plan.callers)
        .map(|(handle, caller)| {
            handle.join().unwrap_or_else(|error| {
                panic!(
                    "a call into the bank panicked in task \"{}\": {}",
                    caller.name,
                    error.panic_message().unwrap_or("(no message)")
                )
            })
        })
        .collect();
    drop(runtime);
    check_books(&bank, plan, &books);
}

/// Every account holds its start plus what the `Ok` transfers moved; the total is unchanged.
fn check_books(bank: &Bank, plan: &Plan, books: &[Books]) {
    if let Some(problem) = books.iter().find_map(|b| b.problem.clone()) {
        panic!("{problem}");
    }
    for (account, &start) in plan.balances.iter().enumerate() {
        let expected = i128::from(start) + books.iter().map(|b| b.moved[account]).sum::<i128>();
        let got = bank.balance(account);
        if got.map(i128::from) != Some(expected) {
            let got = match got {
                Some(balance) => balance.to_string(),
                None => "None".to_owned(),
            };
            panic!(
                "after {} callers transferred at once, balance({account}) returned {got}, \
                 but the transfers that returned Ok leave it at {expected} (it started at \
                 {start}{}).{}",
                plan.callers.len(),
                if expected < 0 {
                    "; below zero: its Ok transfers took out more than it ever held, so some \
                     balance was already wrong when they were checked"
                } else {
                    ""
                },
                match got.parse::<i128>() {
                    Ok(got) if got < expected => format!(
                        " {} units vanished: a lost update. A balance was read and written back \
                         in separate steps (a load then a store, or two lock guards), and another \
                         transfer's change in between was overwritten. The check, the debit and \
                         the credit must all happen while the transfer holds both accounts.",
                        expected - got
                    ),
                    Ok(got) => format!(
                        " {} units appeared from nowhere: a lost update (a balance written back \
                         from a stale read), or a refused transfer that still moved money. The \
                         check, the debit and the credit must all happen while the transfer \
                         holds both accounts.",
                        got - expected
                    ),
                    Err(_) => String::new(),
                }
            );
        }
    }
    let total = bank.total();
    assert!(
        total == plan.total(),
        "after the transfers, every balance is right, yet total() returned {total} instead of {}",
        plan.total()
    );
}

pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic without a message)".to_owned()
    }
}

pub fn opposite_transfers_from_threads_never_deadlock() {
    on_threads(&Plan::opposite(8, 1_024, 0xBA4C));
}

pub fn opposite_transfers_from_tasks_never_deadlock() {
    on_tasks(&Plan::opposite(16, 1_024, 0x7A5C), 4);
}

pub fn transfers_in_every_direction_lose_no_money() {
    on_threads(&Plan::every_direction(5, 8, 1_024, 0xD1CE));
}
