//! One deadline carried down a call chain, as Go carries it in a `context.Context`: a request
//! handler has until `deadline`; each step below it gets what is left, and a step may set a
//! tighter budget of its own — never a later one. On tokio's paused clock: the times are virtual
//! and exact.
//!
//!     cargo run -p runtime --example deadline_chain

use std::sync::OnceLock;
use std::time::Duration;

use tokio::time::{self, Instant};

static ORIGIN: OnceLock<Instant> = OnceLock::new();

/// Virtual time since the program started, for the printouts.
fn now() -> String {
    let origin = *ORIGIN.get_or_init(Instant::now);
    format!("{:6.3} s", (Instant::now() - origin).as_secs_f64())
}

#[derive(Debug)]
struct DeadlineExceeded;

// ANCHOR: chain
/// Answers a request, or gives up at `deadline`.
async fn handle(deadline: Instant) -> Result<String, DeadlineExceeded> {
    let user = load_user(deadline).await?;
    load_orders(&user, deadline).await
}

async fn load_user(deadline: Instant) -> Result<String, DeadlineExceeded> {
    // This step has a budget of its own, 300 ms — but never past the caller's deadline.
    // Go: ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
    let own = Instant::now() + Duration::from_millis(300);
    query("users", Duration::from_millis(200), deadline.min(own)).await?;
    Ok("ada".to_owned())
}

async fn load_orders(user: &str, deadline: Instant) -> Result<String, DeadlineExceeded> {
    query("orders", Duration::from_millis(700), deadline).await?;
    Ok(format!("3 orders of {user}"))
}

/// A database query that takes `takes`, cut at `deadline`.
async fn query(table: &str, takes: Duration, deadline: Instant) -> Result<(), DeadlineExceeded> {
    // Go: deadline, ok := ctx.Deadline(); time.Until(deadline)
    let left = deadline.saturating_duration_since(Instant::now());
    println!("{}  query {table}: {left:?} left", now());
    match time::timeout_at(deadline, time::sleep(takes)).await {
        Ok(()) => Ok(()),
        Err(_elapsed) => {
            println!("{}  query {table}: deadline exceeded", now());
            Err(DeadlineExceeded)
        }
    }
}
// ANCHOR_END: chain

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    now(); // time zero
           // ANCHOR: main
    for budget in [Duration::from_secs(1), Duration::from_millis(250)] {
        println!("{}  request with {budget:?} to answer", now());
        let answer = handle(Instant::now() + budget).await;
        println!("{}  {answer:?}", now());
    }
    // ANCHOR_END: main
}
