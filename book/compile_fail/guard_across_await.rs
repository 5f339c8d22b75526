// Holding a std MutexGuard across an `.await` inside a spawned task.
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn main() {
    let hits = Arc::new(Mutex::new(0));
    runtime::run(async move {
        runtime::spawn(async move {
            let mut guard = hits.lock().unwrap();
            runtime::sleep(Duration::from_millis(10)).await; // the guard is still alive here
            *guard += 1;
        });
    });
}
