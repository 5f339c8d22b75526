// Go: `go func() { squares = append(squares, i*i); wg.Done() }()` in a loop — a data race.
// Rust: each task would borrow the loop's `i`, and all of them `&mut squares` at once.
fn main() {
    runtime::run(async {
        let mut squares = Vec::new();
        let wg = runtime::WaitGroup::new();
        for i in 0..3_u64 {
            wg.add(1);
            runtime::spawn(async {
                squares.push(i * i);
                wg.done();
            });
        }
        wg.wait().await;
    });
}
