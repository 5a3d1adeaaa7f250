//! A project's life: lock, snapshot and object store, generation and installation.
