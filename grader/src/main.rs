//! The Tasklings grader (under construction).
fn main() {}
