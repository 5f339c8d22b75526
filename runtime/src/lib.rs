//! Tasklings' work-stealing runtime (under construction).
