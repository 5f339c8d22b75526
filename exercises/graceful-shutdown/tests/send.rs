//! The shape the grader relies on, checked at compile time (nothing here runs the service, so
//! this passes on the unsolved starter): a service can be moved into a task, and the future of
//! `shutdown` can be spawned — for any `Work`, whatever its job type.
//!
//! If this stops compiling with "implementation of `FnOnce` is not general enough" or "one type
//! is more general than the other", that is a known limitation of rustc, not a mistake in your
//! logic: a future made inside a closure (an `async move` block in `.then(…)`, `.map(…)`,
//! `for_each`) borrows a local of the enclosing function (a limiter, a client, `fetch`), and the
//! compiler can't prove that future `Send` for every lifetime the closure could be called with.
//! The way round it: clone an `Arc` of the shared thing before each `async move` block and move
//! the clone in, so each future owns what it uses; boxing the future alone often doesn't help.
//! `cargo grade run` explains the same error the same way.

use graceful_shutdown::{Service, Work};

/// Compiles only if a service of any `Work` can cross threads.
#[allow(dead_code)]
fn service_is_send<W: Work>(service: Service<W>) -> impl Send {
    service
}

/// Compiles only if the future of `shutdown` is `Send` (so `runtime::spawn` accepts it) and
/// `'static` (it owns the service).
#[allow(dead_code)]
fn shutdown_can_be_spawned<W: Work>(
    service: Service<W>,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    service.shutdown()
}

#[test]
fn a_service_and_its_shutdown_can_move_to_a_task() {
    // The checks are the two functions above: this file compiling is the test passing.
}
