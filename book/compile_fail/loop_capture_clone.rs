// A value that is not Copy, moved into a task inside a loop.
fn main() {
    runtime::run(async {
        let greeting = String::from("hello");
        for i in 0..3 {
            runtime::spawn(async move {
                println!("{greeting} from task {i}");
            });
        }
    });
}
