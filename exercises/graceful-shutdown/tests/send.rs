//! The shape the grader relies on, checked at compile time (nothing here runs the service, so
//! this passes on the unsolved starter): a service can be moved into a task, and the future of
//! `shutdown` can be spawned — for any `Work`, whatever its job type.

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
