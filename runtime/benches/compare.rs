//! Side-by-side benchmark of the Tasklings runtime against tokio, rayon, std::thread and Go
//! (under construction).
fn main() {}
