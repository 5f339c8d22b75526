// error-code: E0277
// message: cannot be sent between threads safely
//
// Shared ownership with `Rc` and mutation with `RefCell`: fine on one thread. `Rc`'s reference
// count isn't atomic, so an `Rc` can't move to another thread (it is not `Send`, E0277). The
// thread-safe pair is `Arc` + `Mutex` (or an atomic).
use std::cell::RefCell;
use std::rc::Rc;
use std::thread;

fn main() {
    let counter = Rc::new(RefCell::new(0_u64));
    let mut handles = Vec::new();
    for _ in 0..2 {
        let counter = Rc::clone(&counter);
        handles.push(thread::spawn(move || {
            *counter.borrow_mut() += 1;
        }));
    }
    for handle in handles {
        handle.join().unwrap();
    }
}
