//! One module per operation, named like the command: `ggen packs install` (and `ggen new`)
//! is [`install`], `ggen packs update` and `regenerate` are [`update`], `ggen status`,
//! `ggen packs check` and `ggen diff` are [`drift`], `ggen resolve` and `ggen conflicts` are
//! [`resolve`].

pub mod drift;
pub mod hooks;
pub mod install;
pub mod lifecycle;
pub mod outdated;
pub mod resolve;
pub mod rollback;
pub mod uninstall;
pub mod update;
pub mod watch;
