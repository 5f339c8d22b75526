// Must fail returns_the_outputs_in_input_order: the tasks are spawned and their handles dropped; the function returns whatever outputs have been written by then, without waiting for any task.
use std::future::Future;
use std::sync::{Arc, Mutex};

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    runtime::run(async move {
        let slots: Arc<Mutex<Vec<Option<Fut::Output>>>> =
            Arc::new(Mutex::new((0..inputs.len()).map(|_| None).collect()));
        for (index, input) in inputs.into_iter().enumerate() {
            let (slots, call) = (Arc::clone(&slots), f(input));
            runtime::spawn(async move {
                let output = call.await;
                slots.lock().unwrap()[index] = Some(output);
            });
        }
        let mut slots = slots.lock().unwrap();
        slots.drain(..).flatten().collect()
    })
}
