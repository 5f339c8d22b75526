// Go before 1.22: every goroutine shares the one loop variable `i`.
// Rust: the task would borrow `i`, which dies at the end of the iteration.
fn main() {
    runtime::run(async {
        for i in 0..3 {
            runtime::spawn(async {
                println!("{i}");
            });
        }
    });
}
