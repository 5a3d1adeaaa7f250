//! The pack registry: a static directory tree of indexes and archives.
