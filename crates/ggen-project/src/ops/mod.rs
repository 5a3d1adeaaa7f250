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

/// Frees `value` on a thread of its own. A generation's memory (the pack, every rendered
/// file, the plans: hundreds of MB at 20,000 files) takes a noticeable time to give back,
/// and nothing waits for it; a process that exits first leaves it to the operating system.
/// Without a thread to be had it is freed here (by the failed spawn).
pub(crate) fn free_aside<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("ggen-free".into())
        .spawn(move || drop(value));
}
