//! Probes for hidden tests (under construction).
