//! A worker pool: a fixed number of tasks take jobs from one shared queue.
//!
//!     cargo run -p runtime --example worker_pool

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Mutex};

// ANCHOR: pool
async fn squares_on_a_pool() {
    let (jobs, queue) = mpsc::channel::<u64>(8); // bounded: submitters wait when it is full
    let queue = Arc::new(Mutex::new(queue)); // one receiver, shared by the workers
    let (results, mut collected) = mpsc::channel::<(usize, u64, u64)>(8);
    let workers: Vec<_> = (0..3)
        .map(|worker| {
            let (queue, results) = (queue.clone(), results.clone());
            runtime::spawn(async move {
                loop {
                    // Hold the lock only to take a job, never while doing it.
                    let job = queue.lock().await.recv().await;
                    let Some(n) = job else { break }; // queue closed and empty: done
                    runtime::sleep(Duration::from_millis(5)).await; // the work
                    results
                        .send((worker, n, n * n))
                        .await
                        .expect("collector runs");
                }
            })
        })
        .collect();
    drop(results);
    let submitter = runtime::spawn(async move {
        for n in 1..=12 {
            jobs.send(n).await.expect("workers run");
        }
    }); // `jobs` dropped here: the workers drain the queue and stop
    let mut squares = Vec::new();
    let mut busy = [0; 3];
    while let Some((worker, n, square)) = collected.recv().await {
        busy[worker] += 1;
        squares.push((n, square));
    }
    submitter.await.expect("no panic");
    for worker in workers {
        worker.await.expect("no panic");
    }
    squares.sort();
    println!(
        "squares: {:?}",
        squares.iter().map(|&(_, s)| s).collect::<Vec<_>>()
    );
    println!("jobs done by 3 workers: {}", busy.iter().sum::<usize>());
}
// ANCHOR_END: pool

fn main() {
    runtime::run(squares_on_a_pool());
}
