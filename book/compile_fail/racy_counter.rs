// Go's racy counter, written literally: a thousand tasks do `counter += 1` on one variable.
// (The WaitGroup and the final print are left out: they only add more errors of the same kind.)
fn main() {
    let mut counter = 0;
    runtime::run(async {
        for _ in 0..1000 {
            runtime::spawn(async {
                counter += 1;
            });
        }
    });
}
