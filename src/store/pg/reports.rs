//! Usage reports on the shared store.
