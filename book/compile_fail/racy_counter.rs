// Go's racy counter, written literally: a thousand tasks do `counter++` on one variable.
fn main() {
    let mut counter = 0;
    runtime::run(async {
        let wg = runtime::WaitGroup::new();
        for _ in 0..1000 {
            wg.add(1);
            let wg = wg.clone();
            runtime::spawn(async {
                counter += 1;
                wg.done();
            });
        }
        wg.wait().await;
    });
    println!("{counter}");
}
