//! Fan-out, fan-in: spread work over several tasks, gather their results on one channel.
//!
//!     cargo run -p runtime --example fan_out_fan_in

use tokio::sync::mpsc;

// ANCHOR: fan
async fn measure_files() {
    let files = ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"];
    let (results, mut gathered) = mpsc::channel(16);
    for (i, file) in files.into_iter().enumerate() {
        let results = results.clone(); // fan-out: one Sender per task
        runtime::spawn(async move {
            let size = (i + 1) * 100; // pretend: read the file, measure it
            results
                .send((file, size))
                .await
                .expect("the gatherer is listening");
        });
    }
    drop(results); // ours too: the channel closes when the last task's Sender is gone

    let mut total = 0;
    let mut seen = Vec::new();
    while let Some((file, size)) = gathered.recv().await {
        // fan-in: one receiver, results in the order they finish
        seen.push(file);
        total += size;
    }
    seen.sort(); // arrival order varies from run to run
    println!("{} files {:?}, {total} bytes in all", seen.len(), seen);
}
// ANCHOR_END: fan

fn main() {
    runtime::run(measure_files());
}
