// Go's racy counter again, with scoped threads, which may borrow from `main` because they are
// joined before the scope ends. Now the borrow itself is the problem (E0499): two threads would
// hold `&mut counter` at once — exactly the data race Go lets through.
use std::thread;

fn main() {
    let mut counter = 0;
    thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                for _ in 0..1000 {
                    counter += 1;
                }
            });
        }
    });
    println!("{counter}");
}
