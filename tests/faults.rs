//! Injected storage faults (placeholder, filled in below).
