// Must not compile: runtime::WaitGroup is the primitive to rebuild, and runtime is no dependency of the exercise crate (only a dev-dependency), so the re-export doesn't resolve.
pub use runtime::{Wait, WaitGroup};
