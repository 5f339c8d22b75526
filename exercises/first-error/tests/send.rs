//! The shape the grader relies on, checked at compile time (nothing here polls the future, so
//! this passes on the unsolved starter): `try_map_limited`'s future is `Send` whenever its
//! inputs are, so it can be spawned as a task — which is how the grader runs it. Hold an `Rc`,
//! a `RefCell` borrow or a `std::sync::MutexGuard` across an `.await` inside it, and this stops
//! compiling.

use std::future::Future;

use first_error::try_map_limited;

fn spawnable<F: Future + Send + 'static>(_future: &F)
where
    F::Output: Send,
{
}

#[test]
fn the_future_can_be_spawned_as_a_task() {
    let future = try_map_limited(vec![1_u32, 2, 3], 2, |n| async move {
        if n > 0 {
            Ok(u64::from(n) * 10)
        } else {
            Err(format!("no zero: {n}"))
        }
    });
    spawnable(&future);
    // Dropped unpolled: the starter's `todo!()` never runs.
    drop(future);
}

#[test]
fn boxed_calls_are_fine_too() {
    type Call = std::pin::Pin<Box<dyn Future<Output = Result<String, std::io::Error>> + Send>>;
    let future = try_map_limited(vec!["a".to_owned()], 0, |s: String| -> Call {
        Box::pin(async move { Ok(s) })
    });
    spawnable(&future);
    drop(future);
}
